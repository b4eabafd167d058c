from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

import store.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from domain.clocks import next_due
from store.engine import create_engine_for, session_factory
from store.migrate import alembic_config, upgrade_to_head
from store.tables import EscalationRow
from tests.unit.store.factories import make_view

# Each process imports everything, says so, then waits for the go: the upgrades really overlap.
UPGRADE = """
import sys
import store.tables
from store.migrate import upgrade_to_head
print("ready", flush=True)
sys.stdin.readline()
upgrade_to_head(sys.argv[1])
"""


def _schema_state(url: str) -> tuple[list[object], str | None]:
    engine = create_engine_for(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, SQLModel.metadata), context.get_current_revision()
    finally:
        engine.dispose()


HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


class TestMigrations:
    def test_the_migrations_build_exactly_the_models(self, store_url: str) -> None:
        upgrade_to_head(store_url)
        assert _schema_state(store_url) == ([], HEAD)

    def test_an_upgraded_store_upgrades_again_as_a_no_op(self, store_url: str) -> None:
        upgrade_to_head(store_url)
        upgrade_to_head(store_url)
        assert _schema_state(store_url) == ([], HEAD)

    def test_three_processes_starting_at_once_all_succeed(
        self, store_url: str, tmp_path: Path
    ) -> None:
        # Started from another directory: the scripts are found from the package, not the cwd.
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", UPGRADE, store_url],
                cwd=tmp_path,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        for process in processes:
            assert process.stdout is not None
            assert process.stdout.readline() == "ready\n"
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        errors = [p.communicate(timeout=120)[1] for p in processes]
        assert [p.returncode for p in processes] == [0, 0, 0], errors
        assert _schema_state(store_url) == ([], HEAD)



class TestConsoleRevision:
    def test_escalations_stored_before_it_get_their_next_deadline(self, store_url: str) -> None:
        view = make_view("esc-old")
        engine = create_engine_for(store_url)
        try:
            with engine.begin() as connection:
                command.upgrade(alembic_config(connection), "0001")
                # Only the columns 0001 has (not next_due, nor what later revisions add).
                at_0001 = {c["name"] for c in inspect(connection).get_columns("escalations")}
                values = {k: v for k, v in EscalationRow.values_from_view(view).items()
                          if k in at_0001}
                connection.execute(text(
                    f"INSERT INTO escalations ({', '.join(values)}) "
                    f"VALUES ({', '.join(':' + c for c in values)})"), values)

            upgrade_to_head(store_url)

            with session_factory(engine)() as session:
                stored = session.get(EscalationRow, "esc-old")
        finally:
            engine.dispose()
        assert stored is not None
        assert stored.next_due is not None
        assert stored.next_due == next_due(view)
