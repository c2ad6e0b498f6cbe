"""The run catalog: one row per run, in SQLite (default) or PostgreSQL, through SQLAlchemy Core."""

from __future__ import annotations

import builtins
import fnmatch
import json
import logging
import os
import re
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    insert,
    inspect,
    make_url,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from lunarops.errors import InputError, StoreError
from lunarops.jsonutil import jsonable, non_finite_marks
from lunarops.store.paths import default_catalog_url

metadata = MetaData()
runs = Table(
    "runs",
    metadata,
    Column("run_id", String(64), primary_key=True),
    Column("scenario_name", String(200), nullable=False),
    Column("scenario_sha256", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("started_utc", DateTime(timezone=True), nullable=False),
    Column("finished_utc", DateTime(timezone=True)),
    Column("elapsed_s", Float),
    Column("out_dir", Text, nullable=False),
    Column("summary_json", Text),
    Column("scenario_yaml", Text),
    Column("error", Text),
)
#: v2: runs are read newest first (runs list, export, the dashboard), and --since filters on the start
started_index = Index("ix_runs_started_utc", runs.c.started_utc)
#: v2: the dashboard selects a partner's runs by scenario name
scenario_index = Index("ix_runs_scenario_name", runs.c.scenario_name)

#: the catalog's schema version (one row, id 1); a catalog without this table is version 1
schema_table = Table(
    "lunarops_schema",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", Integer, nullable=False),
    Column("lunarops", String(32)),  # the lunarops version that created or last upgraded the catalog
    Column("updated_utc", DateTime(timezone=True)),
)


def _v2_index_started(connection: Connection) -> None:
    """v2: indexes on runs.started_utc and runs.scenario_name."""
    started_index.create(connection, checkfirst=True)
    scenario_index.create(connection, checkfirst=True)


_IN_CHUNK = 500  # scenario names per IN (...): SQLite caps the parameters of one statement

#: migrations by the version they bring a catalog to, applied in order from the catalog's version + 1;
#: version 1 is the unversioned table ``runs`` (sessions <= 18), stamped as it is
MIGRATIONS: dict[int, Callable[[Connection], None]] = {2: _v2_index_started}
#: the schema version this code writes
SCHEMA_VERSION = max(MIGRATIONS, default=1)
#: PostgreSQL advisory lock key that serializes schema changes between processes
_SCHEMA_LOCK_KEY = zlib.crc32(b"lunarops catalog schema")
_log = logging.getLogger("lunarops.store")
_warned_not_upgraded: set[str] = set()  # catalogs (shown URLs) already warned about, once per process


@dataclass(frozen=True)
class RunRecord:
    """One row of the catalog; its times are timezone-aware UTC."""

    run_id: str
    scenario_name: str
    scenario_sha256: str
    status: str
    started_utc: datetime
    finished_utc: datetime | None
    elapsed_s: float | None
    out_dir: str
    summary: dict[str, Any]
    error: str | None

    def output_state(self) -> str:
        """Whether ``out_dir`` still holds this run's output: "here" (its summary.json names this run), "replaced
        by RUN_ID" (a later run into the same folder, such as a sweep rerun after an edit, wrote its own), or
        "missing" (no readable summary.json: moved or deleted; or the run never wrote one, failed or still running,
        and the folder holds an earlier run's). Run ids start with their UTC start time, so they sort by it."""
        try:
            written = json.loads((Path(self.out_dir) / "summary.json").read_text(encoding="utf-8")).get("run_id")
        except (OSError, ValueError, AttributeError):
            return "missing"
        if written == self.run_id:
            return "here"
        later = isinstance(written, str) and written > self.run_id
        return f"replaced by {written}" if later else "missing"

    def __repr__(self) -> str:
        elapsed = "None" if self.elapsed_s is None else f"{self.elapsed_s:.1f}s"
        started = self.started_utc.isoformat(timespec="seconds") if isinstance(self.started_utc, datetime) else None
        error = self.error if self.error is None or len(self.error) <= 60 else self.error[:57] + "..."
        return (
            f"RunRecord(run_id={self.run_id!r}, scenario={self.scenario_name!r}, status={self.status!r}, "
            f"started_utc={started!r}, elapsed={elapsed}, summary_keys={len(self.summary or {})}, "
            f"error={error!r})"
        )


class Catalog:
    """Runs recorded in a database: ``sqlite:///path`` (default in the lunarops home) or ``postgresql://...``."""

    def __init__(self, url: str | None = None) -> None:
        if url is not None and not isinstance(url, str):
            raise InputError(f"--db {url!r} ({type(url).__name__}) must be a database URL string, e.g. sqlite:///PATH")
        self.url = url or default_catalog_url()
        if not self.url.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
            raise InputError(
                f"--db {self.url!r} is not a supported database URL; use sqlite:///PATH or postgresql://USER@HOST/DB"
            )
        url = self.url.replace("postgresql://", "postgresql+psycopg://", 1)
        self.shown_url = _without_password(self.url)
        try:
            self.engine: Engine = create_engine(url, future=True)
            if url.startswith("sqlite"):
                event.listen(self.engine, "connect", _sqlite_pragmas)
            #: the schema version the catalog had when opened (None: a new one), now SCHEMA_VERSION
            try:
                self.schema_found = self._prepare_schema()
            except BaseException:  # a catalog refused or unreadable: its connections closed
                self.engine.dispose()
                raise
        except ModuleNotFoundError as error:
            raise StoreError(
                f"database driver missing for {self.shown_url}: {error}; pip install 'lunarops[postgres]'"
            ) from None
        except SQLAlchemyError as error:
            raise StoreError(
                f"cannot open the run catalog at {self.shown_url}: {error.__class__.__name__}: {_message(error)}"
                f"{_sqlite_hint(self.url, error)}"
            ) from None

    def _prepare_schema(self) -> int | None:
        """Create the tables of a new catalog, or bring an older one up to SCHEMA_VERSION (its migrations in one
        transaction); StoreError for a catalog newer than this code. Returns the version found (None: new)."""
        with self.engine.connect() as connection:  # the usual case, read only: the catalog is up to date
            version = _stored_version(connection)
        self._check_not_newer(version)
        if version == SCHEMA_VERSION:
            return version
        found = version
        try:
            with self._schema_transaction() as connection:  # another process may have done it meanwhile: read again
                version = _stored_version(connection)
                self._check_not_newer(version)
                if version is None:
                    metadata.create_all(connection)
                else:
                    schema_table.create(connection, checkfirst=True)
                    for target in range(version + 1, SCHEMA_VERSION + 1):
                        MIGRATIONS[target](connection)
                if version != SCHEMA_VERSION:
                    from lunarops import __version__

                    connection.execute(delete(schema_table))
                    connection.execute(
                        insert(schema_table).values(
                            id=1, version=SCHEMA_VERSION, lunarops=__version__[:32], updated_utc=datetime.now(UTC)
                        )
                    )
        except SQLAlchemyError as error:
            if found is None or not _write_refused(error):
                raise
            # an older catalog this user may only read (a read-only file, a SELECT-only role): read it as it is
            if self.shown_url not in _warned_not_upgraded:
                _warned_not_upgraded.add(self.shown_url)
                _log.warning(
                    "the run catalog at %s has schema version %s, older than this lunarops's %s, and cannot be "
                    "upgraded without write access (%s); opened as it is: runs can be listed and exported, "
                    "recording or deleting runs fails; open it once with write access to upgrade it",
                    self.shown_url, found, SCHEMA_VERSION, _message(error).splitlines()[0],
                )
            return found
        return version

    def _check_not_newer(self, version: int | None) -> None:
        if version is not None and version > SCHEMA_VERSION:
            from lunarops import __version__

            written = self._written_by()
            raise StoreError(
                f"the run catalog at {self.shown_url} has schema version {version}{written}, newer than this "
                f"lunarops {__version__} reads (schema version {SCHEMA_VERSION}); upgrade lunarops "
                "(pip install --upgrade lunarops) to use it, or give another catalog with --db"
            )

    def _written_by(self) -> str:
        try:
            with self.engine.connect() as connection:
                by = connection.execute(select(schema_table.c.lunarops).where(schema_table.c.id == 1)).scalar()
        except SQLAlchemyError:
            return ""
        return f" (written by lunarops {by})" if by else ""

    @contextmanager
    def _schema_transaction(self) -> Iterator[Connection]:
        """A transaction that one process at a time holds: SQLite's BEGIN IMMEDIATE (the others wait up to the
        busy timeout), PostgreSQL's transaction-scoped advisory lock. Committed when the block ends."""
        with self.engine.connect() as connection:
            if self.engine.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK_KEY})
            yield connection
            connection.commit()

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(
        self,
        run_id: str,
        scenario_name: str,
        sha256: str,
        out_dir: str,
        scenario_yaml: str,
        started_utc: datetime | None = None,
    ) -> None:
        """Record a run as started (now, unless ``started_utc`` says when: a sweep member recorded on its end)."""
        self._execute(
            insert(runs).values(
                run_id=run_id,
                scenario_name=scenario_name,
                scenario_sha256=sha256,
                status="running",
                started_utc=started_utc or datetime.now(UTC),
                out_dir=out_dir,
                scenario_yaml=scenario_yaml,
            )
        )

    def finish(
        self,
        run_id: str,
        status: str,
        elapsed_s: float | None,
        summary: dict[str, Any],
        error: str | None = None,
        finished_utc: datetime | None = None,
    ) -> None:
        """Record a run's end: status "done" or "failed", with its summary; at ``finished_utc`` (default now: a
        sweep member recorded later, or in another catalog, gives its own)."""
        self._execute(
            update(runs)
            .where(runs.c.run_id == run_id)
            .values(
                status=status,
                finished_utc=finished_utc or datetime.now(UTC),
                elapsed_s=elapsed_s,
                summary_json=summary_text(summary),
                error=error,
            )
        )

    def list(self, limit: int = 50) -> list[RunRecord]:
        """The newest runs first."""
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 10_000:
            raise InputError(f"limit = {limit!r} must be a whole number in [1, 10000] (how many runs to list)")
        rows = self._read(select(runs).order_by(runs.c.started_utc.desc()).limit(limit))
        return [_record(row) for row in rows]

    def newest_where(
        self,
        keep: Callable[[RunRecord], bool],
        limit: int,
        prefix: str = "",
        page: int = 2000,
        max_rows: int = 200_000,
    ) -> builtins.list[RunRecord]:
        """The newest ``limit`` runs (whose id starts with ``prefix``) that ``keep`` accepts, read ``page`` rows at
        a time until enough are found, the catalog ends or ``max_rows`` newest rows were read (a partner's runs
        may be older than the newest thousands of a big sweep; the bound keeps a request from reading a huge
        catalog for a user who may see nothing)."""
        statement = select(runs)
        if prefix:
            statement = statement.where(runs.c.run_id.startswith(prefix, autoescape=True))
        statement = statement.order_by(runs.c.started_utc.desc(), runs.c.run_id.desc())
        found: builtins.list[RunRecord] = []
        offset = 0
        while len(found) < limit:
            rows = self._read(statement.offset(offset).limit(page))
            found += [record for record in map(_record, rows) if keep(record)]
            if len(rows) < page or offset + page >= max_rows:
                break
            offset += page
        return found[:limit]

    def scenario_names(self) -> builtins.list[str]:
        """The distinct scenario names of the recorded runs."""
        rows = self._read(select(runs.c.scenario_name).distinct())
        return [row["scenario_name"] for row in rows if row["scenario_name"] is not None]

    def newest_of(
        self, scenario_names: Sequence[str] | None, limit: int, prefix: str = ""
    ) -> builtins.list[RunRecord]:
        """The newest ``limit`` runs of the named scenarios (None: of every scenario), however old, whose id
        starts with ``prefix`` (``%`` and ``_`` literal); filtered in SQL, so only rows that qualify are read."""
        return [_record(row) for row in self._newest_rows(select(runs), scenario_names, limit, prefix)]

    def newest_ids_of(self, scenario_names: Sequence[str] | None, limit: int, prefix: str = "") -> builtins.list[str]:
        """As :meth:`newest_of`, the run ids only (no summaries read)."""
        statement = select(runs.c.run_id, runs.c.started_utc)
        return [row["run_id"] for row in self._newest_rows(statement, scenario_names, limit, prefix)]

    def record(self, run_id: str) -> RunRecord | None:
        """The run with exactly this id, or None."""
        rows = self._read(select(runs).where(runs.c.run_id == run_id))
        return _record(rows[0]) if rows else None

    def _newest_rows(
        self, statement: Any, scenario_names: Sequence[str] | None, limit: int, prefix: str
    ) -> builtins.list[Any]:
        order = (runs.c.started_utc.desc(), runs.c.run_id.desc())
        if prefix:
            statement = statement.where(runs.c.run_id.startswith(prefix, autoescape=True))
        if scenario_names is None:
            return self._read(statement.order_by(*order).limit(limit))
        names = sorted(set(scenario_names))
        rows: builtins.list[Any] = []
        for start in range(0, len(names), _IN_CHUNK):
            part = statement.where(runs.c.scenario_name.in_(names[start : start + _IN_CHUNK]))
            rows += self._read(part.order_by(*order).limit(limit))
        if len(names) > _IN_CHUNK:  # merge the chunks' newest
            rows.sort(key=lambda r: (r["started_utc"] is not None, str(r["started_utc"] or ""), r["run_id"]),
                      reverse=True)
        return rows[:limit]

    def matching(self, prefix: str, limit: int = 1000) -> builtins.list[RunRecord]:
        """The runs whose id starts with ``prefix`` (``%`` and ``_`` are literal), newest first, at most ``limit``."""
        if not isinstance(prefix, str):
            raise InputError(f"run id prefix {prefix!r} must be a text")
        statement = select(runs).where(runs.c.run_id.startswith(prefix, autoescape=True))
        return [_record(row) for row in self._read(statement.order_by(runs.c.started_utc.desc()).limit(limit))]

    def relocate(self, old_dir: str, new_dir: str, dry_run: bool = False) -> builtins.list[tuple[str, str, str]]:
        """Point the runs whose output folder is ``old_dir`` or lies under it to the same place under ``new_dir``
        (outputs moved or copied to another disk or machine); a sweep member's ``sweep_member.sweep_dir`` too.
        Returns (run_id, old out_dir, new out_dir) of each run changed (``dry_run``: what would change)."""
        old = str(Path(old_dir)).rstrip("/") or "/"
        new = str(Path(new_dir)).rstrip("/") or "/"

        def moved(path: str) -> str | None:
            if path == old:
                return new
            if path.startswith(old + "/"):
                return new + path[len(old) :]
            return None

        rows = self._read(select(runs.c.run_id, runs.c.out_dir, runs.c.summary_json).where(
            runs.c.out_dir.startswith(old, autoescape=True)
        ))
        changes = []
        for row in rows:
            target = moved(row["out_dir"])
            if target is None:
                continue  # "/data/run10" is not under "/data/run1"
            changes.append((row["run_id"], row["out_dir"], target))
            if dry_run:
                continue
            summary = summary_from_text(row["summary_json"]) if row["summary_json"] else {}
            member = summary.get("sweep_member")
            if isinstance(member, dict) and isinstance(member.get("sweep_dir"), str):
                member["sweep_dir"] = moved(member["sweep_dir"]) or member["sweep_dir"]
            values: dict[str, Any] = {"out_dir": target}
            if row["summary_json"]:
                values["summary_json"] = summary_text(summary)
            self._execute(update(runs).where(runs.c.run_id == row["run_id"]).values(**values))
        return changes

    def has(self, run_id: str) -> bool:
        """Whether a run with exactly this id is recorded."""
        return bool(self._read(select(runs.c.run_id).where(runs.c.run_id == run_id)))

    def get(self, run_id: str) -> RunRecord:
        """One run by id (a unique prefix is enough)."""
        if not isinstance(run_id, str) or not run_id:
            raise InputError(f"run id {run_id!r} must be a non-empty text; list them with `lunarops runs list`")
        rows = self._read(select(runs).where(runs.c.run_id.startswith(run_id, autoescape=True)))
        if not rows:
            raise InputError(f"no run with id {run_id!r} in {self.shown_url}; list them with `lunarops runs list`")
        if len(rows) > 1:
            raise InputError(f"run id prefix {run_id!r} matches {len(rows)} runs; give more characters")
        return _record(rows[0])

    def resolve(self, run_ids: Sequence[str]) -> builtins.list[RunRecord]:
        """The runs named by ``run_ids`` (each an id or a unique prefix of one), in that order, without repeats;
        one InputError naming every id that matches no run or several."""
        found: dict[str, RunRecord] = {}
        unknown: builtins.list[str] = []
        ambiguous: builtins.list[str] = []
        for run_id in run_ids:
            if not isinstance(run_id, str) or not run_id:
                raise InputError(f"run id {run_id!r} must be a non-empty text; list them with `lunarops runs list`")
            exact = self._read(select(runs).where(runs.c.run_id == run_id))
            rows = exact or self._read(select(runs).where(runs.c.run_id.startswith(run_id, autoescape=True)).limit(2))
            if not rows:
                unknown.append(run_id)
            elif len(rows) > 1:
                ambiguous.append(run_id)
            else:
                found.setdefault(rows[0]["run_id"], _record(rows[0]))
        problems = []
        if unknown:
            problems.append(f"no run with id {', '.join(map(repr, unknown))} in {self.shown_url}")
        if ambiguous:
            problems.append(f"id prefix {', '.join(map(repr, ambiguous))} matches several runs (give more characters)")
        if problems:
            raise InputError("; ".join(problems) + "; list the runs with `lunarops runs list`")
        return builtins.list(found.values())

    def delete(self, run_ids: Sequence[str]) -> int:
        """Remove the records of these runs (exact ids), in one transaction; returns how many were removed.
        Their output folders are left as they are (``lunarops runs delete --files`` removes those)."""
        ids = builtins.list(dict.fromkeys(run_ids))
        try:
            with self.engine.begin() as connection:
                removed = 0
                for start in range(0, len(ids), 500):  # SQLite caps the parameters of one statement
                    result = connection.execute(delete(runs).where(runs.c.run_id.in_(ids[start : start + 500])))
                    removed += result.rowcount
        except SQLAlchemyError as error:
            raise StoreError(f"cannot write the run catalog at {self.shown_url}: {_message(error)}") from None
        return removed

    def select_runs(
        self, status: str | None = None, since: datetime | None = None, keep: Callable[[RunRecord], bool] | None = None
    ) -> builtins.list[RunRecord]:
        """Every run with this ``status``, started at or after ``since``, that ``keep`` accepts; newest first."""
        statement = select(runs)
        if status is not None:
            statement = statement.where(runs.c.status == status)
        if since is not None:
            statement = statement.where(runs.c.started_utc >= since)
        rows = self._read(statement.order_by(runs.c.started_utc.desc(), runs.c.run_id.desc()))
        records = map(_record, rows)
        return [r for r in records if keep is None or keep(r)]

    def later_in_folder(self, record: RunRecord) -> builtins.list[tuple[str, str]]:
        """(run_id, status) of the other runs recorded with the same output folder (compared resolved) that
        started at or after ``record`` or are running: a later run into the folder, perhaps unfinished (it writes
        its summary.json only at its end). A record whose path names the folder through a symbolic link of
        another name is not seen (the runner records resolved paths)."""
        folder = Path(record.out_dir)
        target = folder.resolve()
        forms = {str(folder), str(target)}
        names = {folder.name, target.name}
        statement = select(runs.c.run_id, runs.c.out_dir, runs.c.status).where(
            runs.c.run_id != record.run_id,
            (runs.c.started_utc >= record.started_utc) | (runs.c.status == "running"),
        )
        found = []
        for row in self._read(statement.order_by(runs.c.started_utc, runs.c.run_id)):
            out_dir = row["out_dir"] or ""
            if out_dir in forms or (Path(out_dir).name in names and Path(out_dir).resolve() == target):
                found.append((row["run_id"], row["status"]))
        return found

    def _execute(self, statement: Any) -> None:
        try:
            with self.engine.begin() as connection:
                connection.execute(statement)
        except SQLAlchemyError as error:
            raise StoreError(f"cannot write the run catalog at {self.shown_url}: {_message(error)}") from None

    def _read(self, statement: Any) -> builtins.list[Any]:
        """The rows of a query (as mappings); StoreError naming the catalog when the database fails."""
        try:
            with self.engine.connect() as connection:
                return list(connection.execute(statement).mappings().all())
        except SQLAlchemyError as error:
            raise StoreError(f"cannot read the run catalog at {self.shown_url}: {_message(error)}") from None



def _write_refused(error: SQLAlchemyError) -> bool:
    """Whether the database refused a write for lack of permission: SQLite's SQLITE_READONLY (a read-only file, or
    ``?mode=ro``), PostgreSQL's insufficient_privilege (SQLSTATE 42501)."""
    orig = getattr(error, "orig", None)
    if getattr(orig, "sqlstate", None) == "42501":
        return True
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF == 8:  # SQLITE_READONLY and its extended codes
        return True
    return "attempt to write a readonly database" in str(orig if orig is not None else error)


def _stored_version(connection: Connection) -> int | None:
    """The catalog's schema version: its lunarops_schema row; 1 for a table ``runs`` without it (written before
    catalogs were versioned); None for a database without either (a new catalog)."""
    names = set(inspect(connection).get_table_names())
    if schema_table.name in names:
        version = connection.execute(select(schema_table.c.version).where(schema_table.c.id == 1)).scalar()
        if version is not None:
            return int(version)
    return 1 if runs.name in names else None


def _record(row: Any) -> RunRecord:
    return RunRecord(
        run_id=row["run_id"],
        scenario_name=row["scenario_name"],
        scenario_sha256=row["scenario_sha256"],
        status=row["status"],
        started_utc=_utc(row["started_utc"]),
        finished_utc=_utc(row["finished_utc"]),
        elapsed_s=row["elapsed_s"],
        out_dir=row["out_dir"],
        summary=summary_from_text(row["summary_json"]) if row["summary_json"] else {},
        error=row["error"],
    )


#: the key of a stored summary that says which nulls are infinities ({stage: {key: "inf" | "-inf"}})
NON_FINITE = "non_finite"


def summary_text(summary: dict[str, Any]) -> str:
    """A run's summary as strict JSON (SQL's JSON functions and PostgreSQL's jsonb read it): NaN and +-inf as
    null, and the infinities named under ``non_finite``, as in the run's summary.json."""
    marks = non_finite_marks(summary)
    return json.dumps({**jsonable(summary), **({NON_FINITE: marks} if marks else {})}, allow_nan=False, default=str)


def summary_from_text(text: str) -> dict[str, Any]:
    """The summary ``summary_text`` wrote (or an older row's, with Infinity tokens), the infinities restored."""
    summary: dict[str, Any] = json.loads(text)
    marks = summary.pop(NON_FINITE, {}) if isinstance(summary.get(NON_FINITE), dict) else {}
    for stage, keys in marks.items():
        block = summary.get(stage)
        if isinstance(block, dict) and isinstance(keys, dict):
            for key, mark in keys.items():
                if key in block and block[key] is None:
                    block[key] = float(mark)
    return summary


#: the stages whose files a run writes (lunarops.runner.run.STAGES; a test keeps them equal)
RUN_STAGES = ("sky", "site", "orbits", "campaign", "operations")
#: what a run writes in its output folder, as (subfolder, file name patterns): lunarops.runner.run writes
#: results/STAGE-KEY.parquet (and STAGE-KEY_DIMS.parquet), .checkpoints/STAGE-KEY.pickle, provenance.json,
#: summary.json and report.html; a sweep member adds member.json. Each file also as write_atomic's temporary
#: (".NAME.XXXXXXXX.part"), left by a killed run. summary.json, naming the run, goes last.
RUN_OUTPUT_FILES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("results", tuple(f"{stage}-*.parquet" for stage in RUN_STAGES)),
    (".checkpoints", tuple(f"{stage}-*.pickle" for stage in RUN_STAGES)),
    ("", ("report.html", "provenance.json", "member.json", "summary.json")),
)


def removable_output(record: RunRecord, catalog: Catalog) -> tuple[Path | None, str]:
    """The run's output folder if its files may be removed: an absolute folder, not a symbolic link, whose
    summary.json names this run (what ``lunarops run`` and a sweep member write when they finish), and that no
    other run in ``catalog`` started later or still running uses (Catalog.later_in_folder); else None and why it
    is kept. Check again just before removing: a run may start there meanwhile."""
    folder = Path(record.out_dir)
    if not folder.is_absolute():
        return None, f"{record.out_dir} is not an absolute path"
    if folder.is_symlink():
        return None, f"{folder} is a symbolic link"
    if not folder.is_dir():
        return None, f"{folder} does not exist"
    state = record.output_state()
    if state != "here":
        why = "a later run's output" if state.startswith("replaced") else "no summary.json of this run"
        return None, f"{folder} holds {why} ({state})"
    others = catalog.later_in_folder(record)
    if others:
        shown = ", ".join(f"{run_id} ({status})" for run_id, status in others[:3])
        shown += ", ..." if len(others) > 3 else ""
        return None, f"{folder} is also the output folder of a later or running run: {shown}"
    return folder, ""


def remove_output(folder: Path) -> builtins.list[str]:
    """Remove the files a run writes in ``folder`` (RUN_OUTPUT_FILES; a symbolic link of such a name is unlinked,
    never followed; a subfolder that is a link is left), then each subfolder and the folder if left empty.
    Returns the entries kept (paths relative to ``folder``, e.g. "results/notes.ipynb"), sorted."""
    kept: builtins.list[str] = []
    for sub, patterns in RUN_OUTPUT_FILES:
        directory = folder / sub if sub else folder
        if sub and (directory.is_symlink() or not directory.is_dir()):
            continue  # none, or a link (not the runner's folder): listed below with the folder's other entries
        owned = patterns + tuple(f".{pattern}.*.part" for pattern in patterns)
        left = []
        with os.scandir(directory) as entries:
            for entry in entries:
                is_file = entry.is_symlink() or entry.is_file(follow_symlinks=False)
                if is_file and any(fnmatch.fnmatchcase(entry.name, pattern) for pattern in owned):
                    os.unlink(entry.path)
                elif sub:
                    left.append(f"{sub}/{entry.name}")
        if sub and not left:
            directory.rmdir()
        kept += left
    subs = {sub for sub, _ in RUN_OUTPUT_FILES if sub}
    for path in folder.iterdir():  # the folder's other entries (a kept subfolder's are listed above)
        if path.name not in subs or path.is_symlink() or not path.is_dir():
            kept.append(path.name)
    if not kept:
        folder.rmdir()
    return sorted(kept)


#: an export row's first columns: the record's (``summary_json`` is flattened after them, ``scenario_yaml`` left out)
EXPORT_COLUMNS = (
    "run_id", "scenario_name", "scenario_sha256", "status", "started_utc", "finished_utc", "elapsed_s", "out_dir",
    "error",
)
EXPORT_FORMATS = ("csv", "jsonl", "parquet")


def summary_figures(summary: dict[str, Any]) -> dict[str, Any]:
    """A summary's scalar values (numbers, text, booleans, nulls) under dotted keys ("operations.soc"; a sweep
    member's "sweep_member.parameters.PATH"); lists and the ``non_finite`` marks are left out."""
    figures: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key != NON_FINITE:
                    walk(f"{prefix}.{key}" if prefix else str(key), item)
        elif value is None or isinstance(value, bool | int | float | str):
            figures[f"summary.{prefix}" if prefix in EXPORT_COLUMNS else prefix] = value

    walk("", summary)
    return figures


def export_table(records: Sequence[RunRecord]) -> tuple[list[str], list[dict[str, Any]]]:
    """The columns (the record's, then every figure in order of first appearance) and one row per run."""
    columns: dict[str, None] = dict.fromkeys(EXPORT_COLUMNS)
    rows = []
    for record in records:
        row: dict[str, Any] = {name: getattr(record, name) for name in EXPORT_COLUMNS}
        figures = summary_figures(record.summary)
        columns.update(dict.fromkeys(figures))
        rows.append({**row, **figures})
    return list(columns), rows


def export_runs(records: Sequence[RunRecord], fmt: str, path: Path | None = None, stream: Any = None) -> int:
    """Write ``records`` as ``fmt`` (csv, jsonl or parquet) to ``path`` (atomically) or to the text ``stream``;
    returns the number of rows. +-inf: "inf"/"-inf" in CSV, a float in Parquet, null in JSON Lines with the
    column named under the row's ``non_finite`` ({column: "inf" | "-inf"}); times are ISO 8601 UTC."""
    from lunarops.atomic import write_atomic

    if fmt not in EXPORT_FORMATS:
        raise InputError(f"--format {fmt!r} is not an export format; use {', '.join(EXPORT_FORMATS)}")
    columns, rows = export_table(records)
    if fmt == "parquet":
        if path is None:
            raise InputError("--format parquet writes a binary file: give it with --out FILE")
        table = _arrow_table(columns, rows)
        import pyarrow.parquet as pq

        write_atomic(path, lambda tmp: pq.write_table(table, tmp))
        return len(rows)
    writer = _write_csv if fmt == "csv" else _write_jsonl
    if path is None:
        writer(columns, rows, stream)
    else:

        def write(tmp: Path) -> None:
            with tmp.open("w", encoding="utf-8", newline="") as file:
                writer(columns, rows, file)

        write_atomic(path, write)
    return len(rows)


def _export_text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value  # floats by repr: full precision, inf as "inf"


#: a text cell starting with one of these is a formula to a spreadsheet (OWASP "CSV Injection"): written after "'"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> Any:
    """A CSV cell: as _export_text, a text (not a number, not "-inf") that a spreadsheet would read as a
    formula prefixed with a single quote."""
    cell = _export_text(value)
    return "'" + cell if isinstance(value, str) and cell.startswith(_FORMULA_STARTS) else cell


def _write_csv(columns: list[str], rows: list[dict[str, Any]], stream: Any) -> None:
    import csv

    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([_csv_cell(name) for name in columns])
    for row in rows:
        writer.writerow([_csv_cell(row.get(name)) for name in columns])


def _write_jsonl(columns: list[str], rows: list[dict[str, Any]], stream: Any) -> None:
    for row in rows:
        line: dict[str, Any] = {}
        marks: dict[str, str] = {}
        for name in columns:
            if name not in row:
                continue
            value = row[name]
            if isinstance(value, float) and value != value:
                value = None
            elif isinstance(value, float) and value in (float("inf"), float("-inf")):
                marks[name] = "inf" if value > 0 else "-inf"
                value = None
            elif isinstance(value, datetime):
                value = value.isoformat()
            line[name] = value
        if marks:
            line[NON_FINITE] = marks
        stream.write(json.dumps(line, allow_nan=False, ensure_ascii=False) + "\n")


def _arrow_table(columns: list[str], rows: list[dict[str, Any]]) -> Any:
    """The rows as an Arrow table: each column typed by its values (ints with floats as float64; a column
    whose values mix numbers and text, or with an integer beyond int64, as text), times as timestamp[us, UTC]."""
    import pyarrow as pa

    arrays = []
    for name in columns:
        values = [row.get(name) for row in rows]
        if name in ("started_utc", "finished_utc"):
            arrays.append(pa.array(values, type=pa.timestamp("us", tz="UTC")))
            continue
        try:
            arrays.append(pa.array(values))
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):  # overflow: an int beyond int64
            arrays.append(pa.array([None if v is None else str(_export_text(v)) for v in values], type=pa.string()))
    return pa.Table.from_arrays(arrays, names=columns)


def _utc(value: Any) -> Any:
    """A stored time as timezone-aware UTC: SQLite gives back naive datetimes (written in UTC)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


_BACKGROUND = re.compile(r"\s*\(Background on this error at: [^)]*\)")


def _message(error: Exception) -> str:
    """SQLAlchemy's message without its "(Background on this error at: <link>)" tail."""
    return _BACKGROUND.sub("", str(error)).strip()


def _sqlite_hint(url: str, error: Exception) -> str:
    """The likely cause when SQLite cannot open its file: a relative path or a missing directory."""
    if not url.startswith("sqlite") or "unable to open database file" not in str(error):
        return ""
    try:
        database = make_url(url).database or ""
    except Exception:
        return ""
    path = Path(database)
    directory = path.absolute().parent
    if path.is_absolute():
        where = f"'{database}' is an absolute path (four slashes)"
    else:
        where = (
            f"three slashes make '{database}' relative to the working directory ({path.absolute()}); "
            "four give an absolute path (sqlite:////dir/file.sqlite)"
        )
    if not directory.is_dir():
        return f"; {where}; its directory '{directory}' does not exist (it is not created): mkdir it or fix the URL"
    return f"; {where}; check that '{directory}' is writable and the file, if any, is an SQLite database"


_SQLITE_BUSY_TIMEOUT_S = 10.0


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(_SQLITE_BUSY_TIMEOUT_S * 1000)}")
    # Switching a new file to WAL needs it to itself, and SQLite answers "locked" at once (no busy wait) while
    # another opener holds it: retried until the busy timeout. Once one opener has switched it, it is a no-op.
    deadline_s = time.monotonic() + _SQLITE_BUSY_TIMEOUT_S
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            break
        except Exception as error:
            if "readonly" in str(error):  # a read-only file keeps its journal mode (read as it is)
                break
            if "locked" not in str(error) or time.monotonic() > deadline_s:
                raise
            time.sleep(0.02)
    cursor.close()


def _without_password(url: str) -> str:
    """The URL as it may be shown: a password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a URL SQLAlchemy cannot parse is shown as given (it holds no parsed password)
        return url
