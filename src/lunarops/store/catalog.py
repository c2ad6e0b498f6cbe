"""The run catalog: one row per run, in SQLite (default) or PostgreSQL, through SQLAlchemy Core."""

from __future__ import annotations

import builtins
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    insert,
    make_url,
    select,
    update,
)
from sqlalchemy.engine import Engine
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
            metadata.create_all(self.engine)
        except ModuleNotFoundError as error:
            raise StoreError(
                f"database driver missing for {self.shown_url}: {error}; pip install 'lunarops[postgres]'"
            ) from None
        except SQLAlchemyError as error:
            raise StoreError(
                f"cannot open the run catalog at {self.shown_url}: {error.__class__.__name__}: {_message(error)}"
                f"{_sqlite_hint(self.url, error)}"
            ) from None

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


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _without_password(url: str) -> str:
    """The URL as it may be shown: a password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a URL SQLAlchemy cannot parse is shown as given (it holds no parsed password)
        return url
