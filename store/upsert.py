"""INSERT ... ON CONFLICT for the dialect of the session: SQLite and PostgreSQL spell it alike,
but SQLAlchemy keeps one Insert class per dialect."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel


def insert_for(session: Session, table: type[SQLModel]) -> postgresql.Insert | sqlite.Insert:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"the store supports SQLite and PostgreSQL, not {dialect}")


def column_values(row: SQLModel) -> dict[str, Any]:
    """A row's values by column name, ready for a core INSERT."""
    mapper = inspect(type(row))
    return {column.key: getattr(row, column.key) for column in mapper.columns}
