"""Alembic environment: the target is SQLModel.metadata as declared in store/tables.py.

`store.migrate.upgrade_to_head` hands over an open connection (inside its lock and
transaction); the alembic CLI gets its URL from `-x url=...` or DATABASE_URL.
"""

from __future__ import annotations

import os
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

from store import tables
from store.engine import create_engine_for

config = context.config
target_metadata = SQLModel.metadata


def render_item(type_: str, obj: Any, _autogen_context: AutogenContext) -> str | Literal[False]:
    # Migrations are frozen history: they spell plain SQLAlchemy types, never our classes.
    if type_ == "type" and isinstance(obj, tables.UtcDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        render_item=render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline(url: str) -> None:
    """`alembic upgrade head --sql`: the SQL script, for a DBA to review and run."""
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("give the database as `alembic -x url=...` or DATABASE_URL")
    if context.is_offline_mode():
        run_offline(url)
        return
    engine = create_engine_for(url)
    try:
        with engine.connect() as connection:
            run(connection)
            connection.commit()
    finally:
        engine.dispose()


main()
