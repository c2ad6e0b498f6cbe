"""Sweeps: many variants of one scenario, run in parallel, summarised in one table.

A sweep is a grid over scenario fields named by dotted paths (``sites.0.mast_height_m``,
``operations.storage.battery.capacity_kwh``): every combination of the listed values is one member. Each value is
one YAML scalar (a number, ``1e3`` included, a boolean or a text); the values of a ``--param`` are split on ``,``,
so a list-valued field cannot be swept as a whole (sweep its elements, ``PATH.0=...``, instead). Members run the
whole main job (without an HTML report each) on an executor (local processes or Dask). Each member's summary is
written atomically to ``OUT/members/NNNNN/member.json``; rerunning the sweep skips finished members, and the
tasks of a killed worker are redone. Each finished member is recorded in the run catalog by this (the parent)
process as it completes, so SQLite is written by one process only; its run id is kept in ``member.json``, so a
rerun records only the members the catalog does not have yet.

Ctrl-C (SIGINT) or SIGTERM stops a sweep: queued members are cancelled, running ones ended (their workers
stopped), members already finished are written and recorded, and :class:`SweepInterrupted` says how many; the
same sweep rerun resumes. Summary values of +-inf stay floats in the table (``sweep.parquet``); JSON has no inf,
so ``member.json`` holds null there and names them under ``non_finite`` (``{stage: {key: "inf"}}``).
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import re
import shutil
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pydantic import ValidationError

from lunarops.atomic import write_text_atomic
from lunarops.errors import InputError, LunarOpsError, ScenarioError
from lunarops.jsonutil import non_finite_marks, to_json
from lunarops.numformat import format_number
from lunarops.runner.executors import stop_workers
from lunarops.runner.stage import ProgressCallback, no_progress
from lunarops.scenario import Scenario
from lunarops.scenario.changes import set_given_path
from lunarops.scenario.load import ScenarioLoader, validation_issues
from lunarops.store import Catalog, write_dataset

MAX_MEMBERS = 100_000
STAGE_CACHE_DIR = ".stage-cache"  # in the sweep's --out: the stage results members share
MAX_ATTEMPTS = 3
LIST_FIELDS_HINT = (
    "a value may be a list of plain values in brackets (e.g. operations.loads.7.when=[night,earth_hidden],night); "
    "lists of mappings cannot be swept: sweep their elements' fields (e.g. sites.0.mast_height_m=0,5) or make one "
    "base scenario per list"
)
# YAML 1.2 floats that YAML 1.1 (PyYAML) reads as text: 1e3, 2.5e3, -1E-3 (1.1 wants a dot and a signed exponent)
_EXPONENT_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)[eE][-+]?[0-9]+")


class SweepInterrupted(LunarOpsError):
    """A sweep stopped by Ctrl-C (SIGINT) or SIGTERM: the members finished by then are written and recorded,
    the others not run; rerunning the same sweep resumes. ``exit_code`` is 128 + the signal number."""

    def __init__(self, done: int, total: int, signum: int) -> None:
        self.done, self.total, self.signum = done, total, signum
        super().__init__(f"interrupted: {done} of {total} members done; rerun the same command to resume")

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


class _Signalled(BaseException):
    """SIGTERM, raised in the main thread as SIGINT raises KeyboardInterrupt."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@dataclass(frozen=True)
class Member:
    """One variant of the base scenario."""

    index: int
    overrides: dict[str, Any]
    scenario: Scenario


def parse_parameter(text: str) -> tuple[str, list[Any]]:
    """``path=v1,v2,...`` -> (path, values); values are split on ``,`` and each read as a YAML scalar (number,
    ``1e3`` included, boolean or text). InputError for a value that is not YAML or is a list or mapping."""
    if "=" not in text:
        raise InputError(f"--param {text!r} must look like path=v1,v2 (e.g. sites.0.mast_height_m=0,5,10)")
    path, _, raw = text.partition("=")
    values = [_parse_value(text, v.strip()) for v in _split_values(raw) if v.strip()]
    if not path.strip() or not values:
        raise InputError(f"--param {text!r} needs a field path and at least one value")
    return path.strip(), values


def parse_parameters(texts: Sequence[str]) -> dict[str, list[Any]]:
    """The grid of several ``--param`` options; InputError when a path is given twice (the later values would
    replace the earlier)."""
    grid: dict[str, list[Any]] = {}
    given: dict[str, str] = {}
    for text in texts:
        path, values = parse_parameter(text)
        if path in grid:
            both = f"{given[path].partition('=')[2]},{text.partition('=')[2]}".replace(",,", ",").strip(",")
            raise InputError(
                f"--param {path} is given twice ({given[path]!r} and {text!r}); give all its values in one "
                f"--param, e.g. --param '{path}={both}'"
            )
        grid[path], given[path] = values, text
    return grid


def _split_values(raw: str) -> list[str]:
    """``raw`` split on the commas outside brackets and quotes: ``[night,earth_hidden],night`` is two values."""
    parts, depth, quote, start = [], 0, "", 0
    for i, char in enumerate(raw):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"" and not raw[start:i].strip():  # a quote opens only a value (Bob's is plain text)
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth = max(depth - 1, 0)
        elif char == "," and depth == 0:
            parts.append(raw[start:i])
            start = i + 1
    parts.append(raw[start:])
    return parts


def _parse_value(text: str, item: str) -> Any:
    if _EXPONENT_FLOAT.fullmatch(item):
        return float(item)
    try:
        value = yaml.load(item, Loader=ScenarioLoader)  # safe; 2030-13-01 stays text for the field to name it
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise InputError(
            f"--param {text!r}: value {item!r} is not a valid YAML value ({problem}); the values are split on ',' "
            f"and each must be a number, true/false or a text (quote a text that starts with @, [, {{ or similar: "
            f"\"'@x'\"); {LIST_FIELDS_HINT}"
        ) from None
    if isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, list | dict) for v in value)):
        raise InputError(f"--param {text!r}: value {item!r} is a {type(value).__name__}; {LIST_FIELDS_HINT}")
    return value


def expand(base: Scenario, grid: Mapping[str, Sequence[Any]]) -> list[Member]:
    """Every combination of the grid's values applied to ``base``; each member validated like a file."""
    if not grid:
        raise InputError("a sweep needs at least one --param path=v1,v2")
    paths = list(grid)
    combos = list(itertools.product(*(grid[p] for p in paths)))
    if len(combos) > MAX_MEMBERS:
        raise InputError(f"the grid has {len(combos):,} members, more than {MAX_MEMBERS:,}; use fewer values")
    full = base.model_dump(mode="json")
    # the base as its file gives it, so that a member is validated as its file would be (changes.given_fields)
    given = base.model_dump(mode="json", exclude_unset=True)
    members = []
    for index, combo in enumerate(combos):
        overrides = dict(zip(paths, combo, strict=True))
        variant = json.loads(json.dumps(given))
        for path, value in overrides.items():
            set_given_path(variant, full, path, value, "sweep path")
        name = str(overrides.get("name", base.name))  # a swept name is the member's own
        variant["name"] = f"{name} [{', '.join(f'{k}={v}' for k, v in overrides.items())}]"[:200]
        try:
            scenario = Scenario.model_validate(variant)
        except ValidationError as error:
            member = ", ".join(f"{k}={v}" for k, v in overrides.items())
            raise ScenarioError(validation_issues(error, variant, f"<sweep member {index}: {member}>")) from None
        members.append(Member(index, overrides, scenario))
    return members


MemberFunction = Callable[[Scenario, str], dict[str, Any]]


def run_member(
    scenario: Scenario,
    out_dir: str,
    cache_dir: str | None = None,
    share: tuple[str, ...] = (),
    fingerprint: str | None = None,
) -> dict[str, Any]:
    """Run one member (in a worker process) and return its summary. Stages found in ``cache_dir`` are reused, and
    those named in ``share`` (their inputs are the same in other members) are written there; the member's own
    checkpoints are removed once it has finished (the sweep resumes by member). With ``fingerprint`` (the sweep's
    code_fingerprint when it started), a worker whose lunarops differs refuses: one sweep, one code."""
    from lunarops.runner.run import StageCache, code_fingerprint, run

    if fingerprint is not None and code_fingerprint() != fingerprint:
        raise LunarOpsError(
            f"lunarops's code or data changed while the sweep ran (fingerprint {fingerprint[:12]} when it started, "
            f"{code_fingerprint()[:12]} in this worker): its members would mix two versions; rerun the sweep"
        )

    cache = StageCache(Path(cache_dir), frozenset(share)) if cache_dir is not None else None
    results = run(scenario, Path(out_dir), record=False, report=False, cache=cache, keep_checkpoints=False)
    return results.summary()


@dataclass(frozen=True)
class Sharing:
    """Which stages the members of a sweep have in common: ``share[i]`` names the stages of member ``i`` whose
    inputs (lunarops.runner.inputs.stage_keys) are the same in another member; ``keys[i]`` their keys."""

    share: dict[int, tuple[str, ...]]
    keys: dict[int, tuple[str, ...]]

    def waves(self, pending: Sequence[Member]) -> list[list[Member]]:
        """``pending`` in waves, so that each shared stage result is computed once: stage by stage (sky first),
        one member for each of that stage's shared results no earlier wave computes; then all the others (they
        read them). One wave when nothing is shared."""
        by_member = {m.index: dict(zip(self.share.get(m.index, ()), self.keys.get(m.index, ()), strict=True))
                     for m in pending}
        stages = list(dict.fromkeys(stage for keys in by_member.values() for stage in keys))
        covered: set[str] = set()
        scheduled: set[int] = set()
        waves: list[list[Member]] = []
        for stage in stages:
            wave = []
            for member in pending:
                key = by_member[member.index].get(stage)
                if member.index in scheduled or key is None or key in covered:
                    continue
                wave.append(member)
                scheduled.add(member.index)
                covered.update(by_member[member.index].values())
            if wave:
                waves.append(wave)
        rest = [m for m in pending if m.index not in scheduled]
        return [*waves, rest] if rest else waves


def stage_sharing(members: Sequence[Member]) -> Sharing:
    """The stages whose results the members can share (see Sharing)."""
    from lunarops.runner.inputs import stage_keys
    from lunarops.runner.run import code_fingerprint

    fingerprint = code_fingerprint()
    keys = {m.index: stage_keys(m.scenario, fingerprint) for m in members}
    counts: dict[str, int] = {}
    for member_keys in keys.values():
        for key in member_keys.values():
            counts[key] = counts.get(key, 0) + 1
    share = {i: tuple(name for name, key in k.items() if counts[key] > 1) for i, k in keys.items()}
    return Sharing(share, {i: tuple(keys[i][name] for name in share[i]) for i in keys})


@dataclass(frozen=True)
class SweepReuse:
    """What a sweep run can reuse before it starts: ``finished`` members written by an earlier run of the same
    sweep (kept, not run again) of ``members``; ``shared[stage]`` = (distinct results, members that read them) for
    each stage that members have in common (each result computed once); ``cached`` of those results already in
    ``OUT/.stage-cache`` from an earlier run."""

    members: int
    finished: int
    shared: dict[str, tuple[int, int]]
    cached: int

    def describe(self) -> str:
        """One line for the CLI."""
        if self.finished == self.members:
            return f"all {self.members} members were finished by an earlier run of this sweep: nothing to run"
        parts = [f"{self.members - self.finished} of {self.members} members to run"]
        if self.finished:
            parts[0] += f" ({self.finished} finished by an earlier run, kept)"
        if self.shared:
            shared = ", ".join(f"{stage} {n} for {m} members" for stage, (n, m) in self.shared.items())
            parts.append(f"stage results shared, each computed once: {shared}")
            if self.cached:
                parts.append(f"{self.cached} of them already computed by an earlier run")
        else:
            parts.append("no stage is the same in two members: each member runs every stage")
        return "; ".join(parts)


def sweep_reuse(members: Sequence[Member], out_dir: Path, sharing: Sharing | None = None) -> SweepReuse:
    """What a run of ``members`` into ``out_dir`` will reuse (see SweepReuse); reads, writes nothing."""
    sharing = stage_sharing(members) if sharing is None else sharing
    pending = [m for m in members if _read_member(Path(out_dir), m) is None]
    readers: dict[tuple[str, str], int] = {}
    for member in pending:
        for stage, key in zip(sharing.share.get(member.index, ()), sharing.keys.get(member.index, ()), strict=True):
            readers[stage, key] = readers.get((stage, key), 0) + 1
    from lunarops.runner.run import _checkpoint_path

    cache_dir = Path(out_dir) / STAGE_CACHE_DIR
    in_cache = {(stage, key) for stage, key in readers if _checkpoint_path(cache_dir, stage, key).is_file()}
    shared: dict[str, tuple[int, int]] = {}
    for (stage, key), count in readers.items():
        if count > 1 or (stage, key) in in_cache:  # one reader of a result not computed yet: nothing shared
            n, m = shared.get(stage, (0, 0))
            shared[stage] = (n + 1, m + count)
    cached = len(in_cache)
    return SweepReuse(len(members), len(members) - len(pending), shared, cached)


def run_sweep(
    members: Sequence[Member],
    out_dir: Path,
    executor_factory: Callable[[], Any],
    *,
    member_function: MemberFunction = run_member,
    progress: ProgressCallback = no_progress,
    db_url: str | None = None,
    record: bool = True,
    sharing: Sharing | None = None,
) -> pd.DataFrame:
    """Run the members not yet finished in ``out_dir``; return one row per member (overrides + summary).

    With ``record`` (the default), every finished member is recorded in the run catalog at ``db_url`` (the
    default catalog when None), as ``lunarops run`` records a run; members finished by an earlier call and not yet
    in that catalog are recorded too, and none is recorded twice. ``sharing``: the members' stage_sharing, when
    the caller has it already (sweep_reuse)."""
    out_dir = Path(out_dir)
    catalog = Catalog(db_url) if record else None  # a bad --db fails before any member runs
    summaries: dict[int, dict[str, Any]] = {}
    started = time.time()
    if sharing is None:
        sharing = stage_sharing(members) if member_function is run_member else Sharing({}, {})
    from lunarops.runner.run import code_fingerprint

    fingerprint = code_fingerprint()
    cache_dir = out_dir / STAGE_CACHE_DIR

    def function_for(member: Member) -> MemberFunction:
        if member_function is not run_member:
            return member_function
        return functools.partial(
            run_member, cache_dir=str(cache_dir), share=sharing.share.get(member.index, ()), fingerprint=fingerprint
        )
    try:
        with _sigterm_raises():
            pending = []
            for member in members:
                done = _read_member(out_dir, member)
                if done is None:
                    pending.append(member)
                    continue
                summaries[member.index] = done["summary"]
                if catalog is not None:
                    _record_finished(catalog, out_dir, member, len(members), done)
            for attempt in range(1, MAX_ATTEMPTS + 1):
                if not pending:
                    break
                failed: list[Member] = []
                with executor_factory() as executor:  # stops its workers when interrupted
                    for wave in sharing.waves(pending) if sharing.keys else [pending]:
                        if failed:  # the pool broke: the next attempt's fresh pool runs this wave
                            failed += wave
                            continue
                        failed += _submit_all(
                            executor, wave, out_dir, function_for, summaries, len(members), progress, catalog
                        )
                pending = failed
                if pending and attempt == MAX_ATTEMPTS:
                    raise LunarOpsError(
                        f"{len(pending)} sweep members failed {MAX_ATTEMPTS} times (workers died); "
                        f"first: member {pending[0].index}; rerun the sweep to retry them. From a Python script, "
                        "call run_sweep under `if __name__ == \"__main__\":` (the workers are new processes that "
                        "import the script; without it each worker dies starting its own sweep)"
                    )
        _tidy_stage_cache(cache_dir, sharing, started)
    except KeyboardInterrupt:
        raise SweepInterrupted(len(summaries), len(members), int(signal.SIGINT)) from None
    except _Signalled as stop:
        raise SweepInterrupted(len(summaries), len(members), stop.signum) from None
    finally:
        if catalog is not None:
            catalog.close()
    rows = []
    for member in members:
        row: dict[str, Any] = {"member": member.index, **_row_values(member.overrides)}
        for stage, summary in summaries[member.index].items():
            for key, value in summary.items():
                if isinstance(value, int | float | str | bool) or value is None:
                    row[f"{stage}.{key}"] = value
                else:
                    row.update(_table_cells(f"{stage}.{key}", value, summary.get(f"{key}_columns")))
        rows.append(row)
    table = pd.DataFrame(rows)
    return table


def _table_cells(prefix: str, table: Any, columns: Any) -> dict[str, Any]:
    """A summary's small table (``loads``: ``{name: [values]}`` in the order of ``loads_columns``) as columns
    ``stage.loads.NAME.COLUMN`` of the sweep's table, so a sweep shows per-load and per-component figures (a load's
    standby energy, a component's failures); nothing for other values (lists, mappings)."""
    if not isinstance(table, dict) or not isinstance(columns, list):
        return {}
    cells = {}
    for name, values in table.items():
        if isinstance(values, list) and len(values) == len(columns):
            for column, value in zip(columns, values, strict=True):
                if isinstance(value, int | float | str | bool) or value is None:
                    cells[f"{prefix}.{name}.{column}"] = value
    return cells


def infinite_cells(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The cells of a sweep's table that hold +-inf (JSON shows them as null): ``{member, column, value}``."""
    cells = []
    for column in table.columns:
        if column == "member" or not pd.api.types.is_float_dtype(table[column]):
            continue
        for member, value in zip(table["member"], table[column], strict=True):
            if np.isinf(value):
                cells.append({"member": int(member), "column": str(column), "value": repr(float(value))})
    return cells


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    """Within: SIGTERM raises _Signalled in the main thread, so that the sweep stops its workers and keeps what
    finished, as on Ctrl-C. Elsewhere (not the main thread) nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, _frame: Any) -> None:
        raise _Signalled(signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _signals_ignored() -> Iterator[None]:
    """Within: SIGINT and SIGTERM wait (ignored), so that a second Ctrl-C does not cut the recording short."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _restore_non_finite(summary: dict[str, Any], marks: Any) -> dict[str, Any]:
    """The summary of a member.json with the infinite values it names under ``non_finite`` back in place."""
    if not isinstance(marks, dict):
        return summary
    for stage, keys in marks.items():
        values = summary.get(stage)
        if isinstance(values, dict) and isinstance(keys, dict):
            for key, text in keys.items():
                if values.get(key) is None and text in ("inf", "-inf"):
                    values[key] = float(text)
    return summary


def _row_values(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A member's parameter values for its table row: a list as its YAML text ("[night, earth_hidden]"), so that a
    column of lists and plain values is one type."""
    return {k: "[" + ", ".join(str(x) for x in v) + "]" if isinstance(v, list) else v for k, v in overrides.items()}


def write_sweep_table(table: pd.DataFrame, path: Path) -> Path:
    """The sweep's table as Parquet (one row per member); a column of mixed types (e.g. `x=1,abc`) as text."""
    import xarray as xr

    table = table.copy()
    for column in table.columns:
        kinds = {type(v) for v in table[column] if v is not None and not (isinstance(v, float) and math.isnan(v))}
        if len(kinds) > 1 and not kinds <= {int, float, bool}:
            table[column] = [None if v is None else str(v) for v in table[column]]
    return write_dataset(xr.Dataset.from_dataframe(table.set_index("member")), path)


@dataclass(frozen=True)
class SweepView:
    """The sweep's table cut for a terminal: the swept parameters, then the outputs that differ between members.

    ``transposed``: one row per parameter or output and one column per member (``header`` = "member" and the
    member indices), used when one row per member would not fit the width. ``members_shown`` of ``members`` are
    in it (all of them unless even the transposed table is too wide); ``constant`` outputs are left out."""

    header: list[str]
    rows: list[list[str]]
    transposed: bool
    n_parameters: int
    constant: list[str]
    members_shown: int
    members: int


def sweep_view(table: pd.DataFrame, parameters: Sequence[str], width: int = 80) -> SweepView:
    """What the terminal shows of a sweep's table (see SweepView), to fit ``width`` characters of a rich table
    with borders. Outputs are compared as they are printed: an output whose printed value is the same in every
    member is constant."""
    parameters = [p for p in parameters if p in table.columns]
    cells = {c: [_cell(v) for v in table[c]] for c in table.columns}
    outputs = [c for c in table.columns if c != "member" and c not in parameters]
    varying = [c for c in outputs if len(set(cells[c])) > 1]
    varying.sort(key=lambda c: c.endswith("_seconds"))  # compute timings (solve_seconds...) after the results
    constant = [c for c in outputs if c not in varying]
    shown = [*parameters, *varying]
    n = len(table)
    # a rich table with borders takes each column's widest cell + 3 (padding and a rule), + 1 for the last rule
    wide_columns = ["member", *shown]
    wide = sum(max(len(c), *(len(v) for v in cells[c])) + 3 for c in wide_columns) + 1 if n else 0
    if wide <= width:
        rows = [[cells[c][i] for c in wide_columns] for i in range(n)]
        return SweepView(wide_columns, rows, False, len(parameters), constant, n, n)
    members = cells["member"]
    name_width = min(max((len(c) for c in shown), default=6), max(16, width // 3))
    fit, used = 0, name_width + 3 + 1
    for i in range(n):
        column = max(len(members[i]), *(len(cells[c][i]) for c in shown)) + 3 if shown else len(members[i]) + 3
        if used + column > width and fit > 0:
            break
        used += column
        fit += 1
    rows = [[c, *cells[c][:fit]] for c in shown]
    return SweepView(["member", *members[:fit]], rows, True, len(parameters), constant, fit, n)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format_number(value)
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars from the DataFrame
        return _cell(value.item())
    return str(value)


def _tidy_stage_cache(cache_dir: Path, sharing: Sharing, started: float) -> None:
    """Remove the shared stage results that no member of the finished sweep uses and that this sweep did not
    write (an older lunarops's, or members since dropped from the grid)."""
    if not cache_dir.is_dir():
        return
    used = {key[:32] for keys in sharing.keys.values() for key in keys}
    for path in cache_dir.iterdir():
        if path.name.partition(".")[0].rpartition("-")[2] in used and path.suffix in (".pickle", ".results"):
            continue
        if path.stat().st_mtime >= started:
            continue  # written by a member of this sweep under its own key
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _member_dir(out_dir: Path, member: Member) -> Path:
    return out_dir / "members" / f"{member.index:05d}"


def _read_member(out_dir: Path, member: Member) -> dict[str, Any] | None:
    """The finished member's ``member.json`` (scenario, summary and, since run ids are kept, run), or None."""
    path = _member_dir(out_dir, member) / "member.json"
    if not path.is_file():
        return None
    try:
        payload: dict[str, Any] = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None
    if payload.get("scenario") != member.scenario.model_dump(mode="json") or not isinstance(
        payload.get("summary"), dict
    ):
        return None  # a different sweep wrote here
    _restore_non_finite(payload["summary"], payload.get("non_finite"))
    return payload


def _call_member(function: MemberFunction, scenario: Scenario, out_dir: str) -> dict[str, Any]:
    """Run one member in a worker and time it; the run id is the one ``run`` wrote to the member's
    summary.json, when it wrote one during this call."""
    started = datetime.now(UTC)
    clock = time.perf_counter()
    summary = function(scenario, out_dir)
    elapsed_s = time.perf_counter() - clock
    run_id = None
    written = Path(out_dir) / "summary.json"
    try:
        if written.stat().st_mtime >= started.timestamp() - 1.0:
            run_id = json.loads(written.read_text()).get("run_id")
    except (OSError, ValueError, AttributeError):
        pass
    if not isinstance(run_id, str) or not run_id:
        run_id = _new_run_id()
    else:  # the run's own start, as its id gives it: ids then sort as the start times (RunRecord.output_state)
        try:
            started = datetime.strptime(run_id[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            pass
    return {"summary": summary, "run": {"run_id": run_id, "started_utc": started.isoformat(), "elapsed_s": elapsed_s}}


def _new_run_id() -> str:
    """A run id in the format of ``lunarops run``'s."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8]


def _record_finished(catalog: Catalog, out_dir: Path, member: Member, total: int, payload: dict[str, Any]) -> None:
    """Record a finished member in the catalog unless its run id is there already. A member.json without a run
    (written before sweeps recorded their members) gets one, written back so that the next rerun skips it."""
    from lunarops.runner.run import scenario_sha256

    run = payload.get("run")
    if not isinstance(run, dict) or not isinstance(run.get("run_id"), str):
        run = {"run_id": _new_run_id(), "started_utc": None, "elapsed_s": None}
        payload = {**payload, "run": run}
        write_text_atomic(_member_dir(out_dir, member) / "member.json", to_json(payload))
    run_id: str = run["run_id"]
    if catalog.has(run_id):
        return
    try:
        started = datetime.fromisoformat(run["started_utc"]) if run.get("started_utc") else None
    except (TypeError, ValueError):
        started = None
    label = f" (sweep member {member.index} of {total})"
    name = member.scenario.name[: 200 - len(label)] + label
    sweep_member: dict[str, Any] = {
        "member": member.index,
        "members": total,
        "parameters": member.overrides,
        "sweep_dir": str(out_dir.resolve()),
    }
    non_finite = non_finite_marks(payload["summary"])
    if non_finite:  # the catalog keeps inf; `runs show` prints JSON, where it becomes null
        sweep_member["non_finite"] = non_finite
    summary = {"sweep_member": sweep_member, **payload["summary"]}
    # the fields as given (defaults left out): the text validates again as a file (lunarops run on it)
    given = member.scenario.model_dump(mode="json", exclude_unset=True)
    scenario_yaml = yaml.safe_dump(given, sort_keys=False, allow_unicode=True)
    member_dir = str(_member_dir(out_dir, member).resolve())
    catalog.start(run_id, name, scenario_sha256(member.scenario), member_dir, scenario_yaml, started_utc=started)
    elapsed = float(run["elapsed_s"]) if isinstance(run.get("elapsed_s"), int | float) else None
    finished = started + timedelta(seconds=elapsed) if started is not None and elapsed is not None else None
    catalog.finish(run_id, "done", elapsed, summary, finished_utc=finished)


def _submit_all(
    executor: Executor,
    members: Sequence[Member],
    out_dir: Path,
    function_for: Callable[[Member], MemberFunction],
    summaries: dict[int, dict[str, Any]],
    total: int,
    progress: ProgressCallback,
    catalog: Catalog | None = None,
) -> list[Member]:
    futures: dict[Future[dict[str, Any]], Member] = {
        executor.submit(_call_member, function_for(m), m.scenario, str(_member_dir(out_dir, m))): m for m in members
    }
    failed: list[Member] = []
    from concurrent.futures import as_completed

    def keep(member: Member, outcome: dict[str, Any]) -> None:
        non_finite = non_finite_marks(outcome["summary"])
        document: dict[str, Any] = {
            "scenario": member.scenario.model_dump(mode="json"),
            "summary": outcome["summary"],
            "run": outcome["run"],
        }
        if non_finite:
            document["non_finite"] = non_finite
        payload = json.loads(to_json(document))
        _restore_non_finite(payload["summary"], non_finite)
        # member.json first, then the catalog: a crash between the two is mended by the rerun (run id kept)
        write_text_atomic(_member_dir(out_dir, member) / "member.json", to_json(payload))
        summaries[member.index] = payload["summary"]
        if catalog is not None:
            _record_finished(catalog, out_dir, member, total, payload)

    try:
        for future in as_completed(futures):
            member = futures[future]
            try:
                outcome = future.result()
            except BrokenProcessPool:
                failed.append(member)  # the worker died: redo it in a fresh pool
                continue
            except LunarOpsError:
                raise
            keep(member, outcome)
            progress(len(summaries) / total, f"member {member.index} done")
    except (KeyboardInterrupt, _Signalled):
        # stop now: cancel the queued members, end the running ones, keep those that finished meanwhile
        with _signals_ignored():
            stop_workers(executor)
            for future, member in futures.items():
                if member.index in summaries or not future.done() or future.cancelled():
                    continue
                if future.exception() is None:
                    keep(member, future.result())
        raise
    return failed
