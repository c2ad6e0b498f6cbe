"""The catalog's schema version (table lunarops_schema): a new catalog is stamped with the code's version, an
unversioned one (lunarops <= session 18) is taken as version 1 and upgraded in place, a newer one is refused, and
processes opening the same catalog at once all succeed. SQLite always; PostgreSQL when CI starts a server."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from lunarops.cli.main import app
from lunarops.errors import StoreError
from lunarops.store import Catalog
from lunarops.store.catalog import SCHEMA_VERSION

# table runs as lunarops created it before catalogs were versioned (SQLAlchemy's DDL of session 18's catalog.py,
# compiled for each database): the "old catalog" of these tests
V1_DDL = {
    "sqlite": "CREATE TABLE runs (run_id VARCHAR(64) NOT NULL, scenario_name VARCHAR(200) NOT NULL, "
    "scenario_sha256 VARCHAR(64) NOT NULL, status VARCHAR(16) NOT NULL, started_utc DATETIME NOT NULL, "
    "finished_utc DATETIME, elapsed_s FLOAT, out_dir TEXT NOT NULL, summary_json TEXT, scenario_yaml TEXT, "
    "error TEXT, PRIMARY KEY (run_id))",
    "postgresql": "CREATE TABLE runs (run_id VARCHAR(64) NOT NULL, scenario_name VARCHAR(200) NOT NULL, "
    "scenario_sha256 VARCHAR(64) NOT NULL, status VARCHAR(16) NOT NULL, started_utc TIMESTAMP WITH TIME ZONE "
    "NOT NULL, finished_utc TIMESTAMP WITH TIME ZONE, elapsed_s FLOAT, out_dir TEXT NOT NULL, summary_json TEXT, "
    "scenario_yaml TEXT, error TEXT, PRIMARY KEY (run_id))",
}




def _raw(url: str) -> Engine:
    return create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))


def _stored(url: str) -> tuple[int | None, set[str], set[str | None]]:
    """The catalog's stored version, its tables and the indexes of table runs, read without lunarops."""
    engine = _raw(url)
    with engine.connect() as connection:
        version = connection.execute(text("SELECT version FROM lunarops_schema WHERE id = 1")).scalar()
        tables = set(inspect(connection).get_table_names())
        indexes = {index["name"] for index in inspect(connection).get_indexes("runs")}
    engine.dispose()
    return version, tables, indexes


def test_a_new_catalog_is_stamped_with_the_code_version(url: str) -> None:
    with Catalog(url) as catalog:
        assert catalog.schema_found is None
    version, tables, indexes = _stored(url)
    assert version == SCHEMA_VERSION == 2
    assert {"runs", "lunarops_schema"} <= tables and {"ix_runs_started_utc", "ix_runs_scenario_name"} <= indexes
    with Catalog(url) as catalog:  # opened again: up to date, nothing to do
        assert catalog.schema_found == SCHEMA_VERSION


def test_an_unversioned_catalog_is_version_1_and_upgraded_in_place(url: str) -> None:
    engine = _raw(url)
    dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
    with engine.begin() as connection:
        connection.execute(text(V1_DDL[dialect]))
        connection.execute(
            text(
                "INSERT INTO runs (run_id, scenario_name, scenario_sha256, status, started_utc, out_dir, summary_json)"
                " VALUES ('20300101T000000Z-aaaaaaaa', 'old', :sha, 'done', :t, '/tmp/x', :s)"
            ),
            {"sha": "0" * 64, "t": datetime(2030, 1, 1, tzinfo=UTC), "s": '{"sky": {"n_times": 48}}'},
        )
    engine.dispose()
    with Catalog(url) as catalog:
        assert catalog.schema_found == 1
        old = catalog.get("20300101T000000Z-aaaaaaaa")  # the old rows are kept and read
        assert old.scenario_name == "old" and old.summary == {"sky": {"n_times": 48}}
    version, tables, indexes = _stored(url)
    assert version == SCHEMA_VERSION and "lunarops_schema" in tables  # v2 ran: its two indexes
    assert {"ix_runs_started_utc", "ix_runs_scenario_name"} <= indexes
    with Catalog(url) as catalog:
        assert catalog.schema_found == SCHEMA_VERSION


def test_a_catalog_newer_than_the_code_is_refused(url: str) -> None:
    Catalog(url).close()
    engine = _raw(url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE lunarops_schema SET version = :v, lunarops = '9.9.9'"), {"v": SCHEMA_VERSION + 1}
        )
    engine.dispose()
    with pytest.raises(StoreError) as caught:
        Catalog(url)
    message = str(caught.value)
    assert f"schema version {SCHEMA_VERSION + 1} (written by lunarops 9.9.9)" in message
    assert f"(schema version {SCHEMA_VERSION})" in message and "upgrade lunarops" in message
    for command in (["runs", "list"], ["runs", "export"], ["runs", "delete", "x", "--yes"]):
        result = CliRunner().invoke(app, [*command, "--db", url])
        assert result.exit_code == 3, result.output
        assert "upgrade lunarops" in result.output and "Traceback" not in result.output
    assert _stored(url)[0] == SCHEMA_VERSION + 1  # left as it was


@pytest.mark.parametrize("start", ["new", "unversioned"])
def test_processes_opening_the_same_catalog_at_once_all_succeed(url: str, start: str) -> None:
    """Four openers at once (threads, each with its own engine and connections, as processes would have): the
    one that creates or upgrades the tables holds the schema lock; the others wait, then find it done."""
    if start == "unversioned":
        engine = _raw(url)
        with engine.begin() as connection:
            connection.execute(text(V1_DDL["sqlite" if url.startswith("sqlite") else "postgresql"]))
        engine.dispose()
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []
    found: list[int | None] = []

    def open_it() -> None:
        barrier.wait()
        try:
            with Catalog(url) as catalog:
                found.append(catalog.schema_found)
        except BaseException as error:  # collected: the test fails on any
            errors.append(error)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert len(found) == 4
    first = None if start == "new" else 1
    assert found.count(first) >= 1 and set(found) <= {first, SCHEMA_VERSION}  # one did it, the others found it
    assert _stored(url)[0] == SCHEMA_VERSION


def test_an_older_catalog_that_may_only_be_read_opens_without_upgrading(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A version-1 catalog opened read-only (SQLite's mode=ro: chmod does not stop root) cannot be upgraded: it
    is read as it is, with one warning; a write fails with the usual named error; the file stays version 1."""
    path = tmp_path / "old.sqlite"
    engine = _raw(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text(V1_DDL["sqlite"]))
        connection.execute(
            text("INSERT INTO runs (run_id, scenario_name, scenario_sha256, status, started_utc, out_dir) "
                 "VALUES ('20300101T000000Z-aaaaaaaa', 'old', :sha, 'done', :t, '/tmp/x')"),
            {"sha": "0" * 64, "t": datetime(2030, 1, 1, tzinfo=UTC)},
        )
    engine.dispose()
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    with caplog.at_level("WARNING", logger="lunarops.store"):
        for _ in range(2):
            with Catalog(read_only) as catalog:
                assert catalog.schema_found == 1
                assert [r.run_id for r in catalog.list()] == ["20300101T000000Z-aaaaaaaa"]
                with pytest.raises(StoreError, match="cannot write the run catalog"):
                    catalog.start("r1", "new", "0" * 64, "/y", "name: y")
    warnings = [r.getMessage() for r in caplog.records if r.name == "lunarops.store"]
    assert len(warnings) == 1 and "schema version 1, older than this lunarops's 2" in warnings[0]
    assert "without write access" in warnings[0]
    result = CliRunner().invoke(app, ["runs", "export", "--format", "jsonl", "--db", read_only])
    assert result.exit_code == 0 and "20300101T000000Z-aaaaaaaa" in result.stdout, result.output
    result = CliRunner().invoke(app, ["runs", "delete", "20300101", "--yes", "--db", read_only])
    assert result.exit_code == 3 and "cannot write the run catalog" in result.output, result.output
    engine = _raw(f"sqlite:///{path}")
    with engine.connect() as connection:
        assert "lunarops_schema" not in inspect(connection).get_table_names()  # not upgraded
    engine.dispose()


def test_a_refused_write_is_told_from_other_failures() -> None:
    """PostgreSQL's insufficient_privilege is SQLSTATE 42501 (PostgreSQL manual, Appendix A, Error Codes);
    SQLite's SQLITE_READONLY is result code 8 (sqlite.org/rescode.html), extended codes in its low byte."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from lunarops.store.catalog import _write_refused

    class Orig(Exception):
        def __init__(self, message: str, **codes: object) -> None:
            super().__init__(message)
            self.__dict__.update(codes)

    assert _write_refused(ProgrammingError("CREATE", {}, Orig("permission denied", sqlstate="42501")))
    assert not _write_refused(ProgrammingError("CREATE", {}, Orig("syntax error", sqlstate="42601")))
    assert _write_refused(OperationalError("CREATE", {}, Orig("x", sqlite_errorcode=8 | (1 << 8))))
    assert not _write_refused(OperationalError("CREATE", {}, Orig("database is locked", sqlite_errorcode=5)))
