from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from store.engine import create_engine_for, session_factory, sqlite_file


class TestSqliteEngine:
    def test_creates_the_directory_and_uses_wal(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path / 'nested' / 'dir' / 'store.db'}"
        engine = create_engine_for(url)
        try:
            with session_factory(engine)() as s, s.begin():
                mode = s.connection().exec_driver_sql("PRAGMA journal_mode").scalar()
                busy = s.connection().exec_driver_sql("PRAGMA busy_timeout").scalar()
        finally:
            engine.dispose()
        assert (tmp_path / "nested" / "dir" / "store.db").exists()
        assert (mode, busy) == ("wal", 15_000)

    def test_a_rolled_back_transaction_leaves_nothing(self, tmp_path: Path) -> None:
        engine = create_engine_for(f"sqlite:///{tmp_path / 'store.db'}")
        sessions = session_factory(engine)
        try:
            with sessions() as s, s.begin():
                s.connection().execute(text("CREATE TABLE t (x INTEGER)"))
            with sessions() as s:
                s.begin()
                s.connection().execute(text("INSERT INTO t VALUES (1)"))
                s.rollback()
            with sessions() as s, s.begin():
                assert s.connection().execute(text("SELECT count(*) FROM t")).scalar() == 0
        finally:
            engine.dispose()

    def test_sqlite_file_names_only_real_files(self) -> None:
        assert sqlite_file("sqlite:////data/store.db") == Path("/data/store.db")
        assert sqlite_file("sqlite://") is None
        assert sqlite_file("sqlite:///:memory:") is None
        assert sqlite_file("postgresql+psycopg://u@127.0.0.1/db") is None


class TestPostgresEngine:
    def test_a_bare_postgresql_url_uses_psycopg_3(self) -> None:
        engine = create_engine_for("postgresql://u@127.0.0.1:1/db")
        assert engine.dialect.driver == "psycopg"
        engine.dispose()
