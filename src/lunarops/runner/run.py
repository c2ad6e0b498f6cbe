"""The main job: Scenario -> stages -> Results (Parquet, HTML report, catalog record).

Stages run in order (sky, site, orbits, campaign, operations); each sees the scenario fields and earlier results
it declares (lunarops.runner.inputs). A finished stage is checkpointed in ``OUT/.checkpoints/`` under the key of
its inputs, so ``resume=True`` after a crash or kill redoes only the stages that had not finished, and a rerun
after an edit redoes only the stages whose inputs changed. A ``StageCache`` shared by several runs (a sweep's
members) holds the results they have in common.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import pickle
import shutil
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lunarops import __version__
from lunarops.atomic import write_atomic, write_text_atomic
from lunarops.errors import InputError, LunarOpsError, StoreError
from lunarops.jsonutil import non_finite_marks, to_json
from lunarops.report import render_report
from lunarops.runner.headline import BaseSite, key_results
from lunarops.runner.inputs import STAGE_INPUTS, results_view, scenario_view, stage_keys
from lunarops.runner.provenance import library_versions, provenance, provenance_lines
from lunarops.runner.stage import ProgressCallback, RunContext, StageResult, no_progress
from lunarops.runner.stages import campaign, operations, orbits, site, sky
from lunarops.scenario import Scenario
from lunarops.store import Catalog
from lunarops.store.parquet import read_frame, write_dataset_files

if TYPE_CHECKING:
    import pandas as pd

StageFunction = Callable[[RunContext], StageResult | None]
STAGES: tuple[tuple[str, StageFunction], ...] = (
    ("sky", sky.run_stage),
    ("site", site.run_stage),
    ("orbits", orbits.run_stage),
    ("campaign", campaign.run_stage),
    ("operations", operations.run_stage),
)
assert tuple(STAGE_INPUTS) == tuple(name for name, _ in STAGES)
#: Rough relative cost of each stage, for the progress bar.
STAGE_WEIGHTS = {"sky": 1.0, "site": 3.0, "orbits": 2.0, "campaign": 2.0, "operations": 3.0}


@dataclass(frozen=True)
class Results:
    """What a run produced."""

    run_id: str
    scenario: Scenario
    stages: dict[str, StageResult]
    out_dir: Path
    report_path: Path
    elapsed_s: float

    def summary(self) -> dict[str, Any]:
        """Every stage's headline numbers, by stage name."""
        return {name: stage.summary for name, stage in self.stages.items()}

    def table_names(self) -> list[str]:
        """The results tables written to ``out_dir/results`` (docs/results.md): ``site-light``,
        ``operations-operations_run0_hourly``, ..."""
        return sorted(p.stem for p in (self.out_dir / "results").glob("*.parquet"))

    def table(self, name: str) -> pd.DataFrame:
        """One results table as a pandas DataFrame, e.g. ``results.table("site-light")``: a stage's dataset split
        by its dimensions as in ``out_dir/results`` (an xarray dataset's ``to_dataframe()`` would instead make a
        row for every combination of all its dimensions)."""
        names = self.table_names()
        if name not in names:
            raise InputError(f"no results table {name!r} in {self.out_dir / 'results'}; the tables: {names}")
        return read_frame(self.out_dir / "results" / f"{name}.parquet")


@dataclass(frozen=True)
class StageCache:
    """A directory of stage results shared by several runs (a sweep's members): results of the stages named in
    ``share`` are written there; any stage's result found there under its key is reused."""

    directory: Path
    share: frozenset[str] = frozenset()


def scenario_sha256(scenario: Scenario) -> str:
    """Hash of the validated scenario (what the checkpoints are keyed on)."""
    return hashlib.sha256(scenario.model_dump_json().encode()).hexdigest()


def run(
    scenario: Scenario | str | Path,
    out_dir: Path | str,
    *,
    db_url: str | None = None,
    progress: ProgressCallback = no_progress,
    resume: bool = True,
    scenario_text: str = "",
    record: bool = True,
    report: bool = True,
    cache: StageCache | None = None,
    keep_checkpoints: bool = True,
) -> Results:
    """Run every stage of ``scenario`` (a validated Scenario, or a scenario file's path), write results to
    ``out_dir`` and record the run in the catalog.

    With ``resume``, stages whose inputs are unchanged since a run into the same ``out_dir`` (or that ``cache``
    holds) are read back instead of computed. ``keep_checkpoints=False`` removes ``out_dir``'s checkpoints once
    the run has finished (a sweep member's: the sweep resumes by member)."""
    if isinstance(scenario, str | Path):
        from lunarops.scenario.load import load_scenario, read_scenario_text

        scenario_text = scenario_text or read_scenario_text(Path(scenario))
        scenario = load_scenario(scenario)
    elif not isinstance(scenario, Scenario):
        raise InputError(
            f"scenario = {repr(scenario)[:80]} is a {type(scenario).__name__}; give a scenario file's path or "
            "lunarops.scenario.load_scenario(path)"
        )
    if not isinstance(out_dir, str | Path):
        raise InputError(f"out_dir = {out_dir!r} must be a directory path (str or Path), e.g. 'lunarops-out'")
    from lunarops.runner.stages.operations import check_correlations

    check_correlations(scenario)  # before the stages: a bad name fails in a second, not after the orbits
    out_dir = Path(out_dir)
    catalog = Catalog(db_url) if record else None  # a bad --db fails before the output directory is made
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"cannot create the output directory {out_dir}: {error}; choose another --out") from None
    sha = scenario_sha256(scenario)
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8]
    if catalog is None:
        return _run_stages(run_id, scenario, out_dir, None, progress, resume, report, cache, keep_checkpoints)
    with _sigterm_raises():  # a SIGTERM (kill, a batch system's stop) is recorded, not left "running"
        text = scenario_text or scenario.model_dump_json(exclude_unset=True)  # as given: it validates again
        catalog.start(run_id, scenario.name, sha, str(out_dir.resolve()), text)
        return _run_stages(run_id, scenario, out_dir, catalog, progress, resume, report, cache, keep_checkpoints)


class RunTerminated(BaseException):
    """A SIGTERM during a run, raised by the handler ``run`` installs (so that the catalog records the run as
    failed); ``run`` then ends the process by the SIGTERM, as it would have ended without the handler."""


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While the block runs, a SIGTERM raises RunTerminated, so that the run is recorded as failed ("interrupted
    (SIGTERM)"); afterwards the previous handler is back and the signal is delivered again, so that the process
    ends as a SIGTERM ends it (exit status 143, or -15 seen by its parent). Only in the main thread (signal
    handlers can be set only there) and only where SIGTERM has its default action (a handler someone else set,
    or an ignored SIGTERM, is left alone). A second SIGTERM while the run is being recorded ends it at once."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) != signal.SIG_DFL:
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM ends the process at once
        raise RunTerminated("interrupted (SIGTERM)")

    signal.signal(signal.SIGTERM, handler)
    try:
        yield
    except RunTerminated:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.raise_signal(signal.SIGTERM)  # ends the process (default action)
        raise  # not reached
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _record(
    catalog: Catalog, run_id: str, status: str, elapsed_s: float, summary: dict[str, Any], error: str | None = None
) -> None:
    """The run's end in the catalog, with SIGTERM held back while it is written (a signal then is delivered
    after it: the record is never cut short, and the run's handler ends the process as SIGTERM would)."""
    hold = threading.current_thread() is threading.main_thread() and hasattr(signal, "pthread_sigmask")
    if hold:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        catalog.finish(run_id, status, elapsed_s, summary, error)
        catalog.close()
    finally:
        if hold:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})


def _interruption(error: BaseException) -> str:
    """The catalog's error text of a run ended by ``error``: "interrupted (Ctrl-C)" or "interrupted (SIGTERM)"
    for an interruption, else the exception's type and message."""
    if isinstance(error, KeyboardInterrupt):
        return "interrupted (Ctrl-C)"
    if isinstance(error, RunTerminated):
        return "interrupted (SIGTERM)"
    return f"{type(error).__name__}: {error}"


def _run_stages(
    run_id: str,
    scenario: Scenario,
    out_dir: Path,
    catalog: Catalog | None,
    progress: ProgressCallback,
    resume: bool,
    report: bool,
    cache: StageCache | None,
    keep_checkpoints: bool,
) -> Results:
    """The stages, outputs and catalog record of ``run`` (the run recorded as started in ``catalog``)."""
    start = time.perf_counter()
    keys = stage_keys(scenario, code_fingerprint())
    own = out_dir / ".checkpoints"
    finished: dict[str, StageResult] = {}
    total = sum(STAGE_WEIGHTS.values())
    done = 0.0
    stage_seconds: dict[str, float] = {}
    try:
        for name, function in STAGES:
            weight = STAGE_WEIGHTS[name]
            base = done

            def stage_progress(fraction: float, message: str, base: float = base, weight: float = weight) -> None:
                progress((base + weight * min(max(fraction, 0.0), 1.0)) / total, message)

            shared = cache is not None and name in cache.share
            found = False
            if resume:
                places = [own] + ([cache.directory] if cache is not None else [])
                found, result = _load_checkpoint(places, name, keys[name])
            if not found:
                stage_progress(0.0, f"{name}: running")
                stage_start = time.perf_counter()
                ctx = RunContext(scenario_view(scenario, name), stage_progress, results_view(finished, name))
                result = function(ctx)
                stage_seconds[name] = time.perf_counter() - stage_start
                if _reusable(result):
                    where = cache.directory if shared and cache is not None else own
                    _save_checkpoint(where, name, keys[name], result)
            else:
                stage_seconds[name] = 0.0
            if result is not None:
                finished[name] = result
            done += weight
            progress(done / total, f"{name}: done")
        shared_files = {
            name: cache.directory / f"{name}-{keys[name][:32]}.results"
            for name in finished
            if cache is not None and name in cache.share and _reusable(finished[name])
        }
        results = _write_outputs(
            run_id, scenario, finished, out_dir, time.perf_counter() - start, report, stage_seconds, shared_files
        )
        _tidy_checkpoints(own, keys if keep_checkpoints else {})
    except LunarOpsError as error:
        if catalog is not None:
            _record(catalog, run_id, "failed", time.perf_counter() - start, {}, str(error))
        raise
    except BaseException as error:
        if catalog is not None:
            _record(catalog, run_id, "failed", time.perf_counter() - start, {}, _interruption(error))
        raise
    if catalog is not None:
        _record(catalog, run_id, "done", results.elapsed_s, results.summary())
    return results


def _write_outputs(
    run_id: str,
    scenario: Scenario,
    stages: dict[str, StageResult],
    out_dir: Path,
    elapsed_s: float,
    report: bool,
    stage_seconds: dict[str, float],
    shared_files: dict[str, Path] | None = None,
) -> Results:
    written: set[Path] = set()
    for stage in stages.values():
        if shared_files and stage.name in shared_files:  # the same files as other runs': one copy, linked
            written.update(_link_shared_files(stage, shared_files[stage.name], out_dir / "results"))
            continue
        for key, dataset in stage.datasets.items():
            written.update(write_dataset_files(dataset, out_dir / "results" / f"{stage.name}-{key}.parquet"))
    # an earlier run's results in the same directory (a stage's files only: a user's own Parquet files there stay)
    ours = tuple(f"{name}-" for name, _ in STAGES)
    for stale in (out_dir / "results").glob("*.parquet"):
        if stale not in written and stale.name.startswith(ours):
            stale.unlink()
    record = provenance(
        scenario, scenario_sha256(scenario), code_fingerprint(), run_id=run_id, elapsed_s=elapsed_s,
        stage_seconds=stage_seconds,
    )
    write_text_atomic(out_dir / "provenance.json", to_json(record))
    summary = {name: stage.summary for name, stage in stages.items()}
    marks = non_finite_marks(summary)  # JSON writes inf as null: say which nulls are infinities
    document = {"run_id": run_id, "scenario": scenario.name, **summary, **({"non_finite": marks} if marks else {})}
    write_text_atomic(out_dir / "summary.json", to_json(document))
    period = scenario.period
    run_info = {
        "run id": run_id,
        "scenario": scenario.name,
        "period (UTC)": f"{period.start_utc:%Y-%m-%d %H:%M} .. {period.end_utc:%Y-%m-%d %H:%M}",
        "time step": f"{period.step_hours} h",
        "sites": ", ".join(f"{s.name} ({s.latitude_deg:.3f}, {s.longitude_deg:.3f} E)" for s in scenario.sites),
        "stages": ", ".join(stages),
        "elapsed": f"{elapsed_s:.1f} s ("
        + ", ".join(f"{k} {v:.1f} s" if v else f"{k} from checkpoint" for k, v in stage_seconds.items())
        + ")",
        "lunarops": __version__,
        **provenance_lines(record),
    }
    report_path = out_dir / "report.html"
    if report:
        base = operations.base_site(scenario) if scenario.sites else None
        headline = key_results(stages, BaseSite(base.name, base.latitude_deg, base.longitude_deg) if base else None)
        render_report(
            report_path, scenario.name, scenario.description.strip(), list(stages.values()), run_info, headline
        )
    return Results(run_id, scenario, dict(stages), out_dir, report_path, elapsed_s)


def _reusable(result: StageResult | None) -> bool:
    """Whether a stage result may be reused by later runs: not when a solver stopped at its time limit (the
    plan depends on the machine's speed and load; a rerun may find a better one)."""
    status = result.summary.get("status") if result is not None else None
    return not (isinstance(status, str) and "time limit" in status.lower())


def _link_shared_files(stage: StageResult, directory: Path, results_dir: Path) -> list[Path]:
    """The stage's Parquet files in ``results_dir`` as hard links to one copy in ``directory`` (written there by
    the first run that needs it, as a whole directory renamed into place; a copy where links are not possible)."""
    if not directory.is_dir():
        staging = directory.with_name(f"{directory.name}.{uuid.uuid4().hex[:8]}.tmp")
        for key, dataset in stage.datasets.items():
            write_dataset_files(dataset, staging / f"{stage.name}-{key}.parquet")
        staging.mkdir(parents=True, exist_ok=True)  # a stage without datasets
        try:
            staging.rename(directory)
        except OSError:  # another run was first: its files are the same
            shutil.rmtree(staging, ignore_errors=True)
    results_dir.mkdir(parents=True, exist_ok=True)
    linked = []
    for source in sorted(directory.glob("*.parquet")):
        target = results_dir / source.name
        target.unlink(missing_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)
        linked.append(target)
    return linked


def _checkpoint_path(directory: Path, name: str, key: str) -> Path:
    return directory / f"{name}-{key[:32]}.pickle"


def _tidy_checkpoints(directory: Path, keys: dict[str, str]) -> None:
    """Remove the checkpoints in ``directory`` that are not the given stages' (an earlier edit's, or all of
    them when ``keys`` is empty)."""
    if not directory.is_dir():
        return
    keep = {_checkpoint_path(directory, name, key).name for name, key in keys.items()}
    for path in directory.glob("*.pickle"):
        if path.name not in keep:
            path.unlink(missing_ok=True)
    if not keys:
        with contextlib.suppress(OSError):
            directory.rmdir()


@functools.cache
def code_fingerprint() -> str:
    """SHA-256 of the package's files (Python sources and packaged data: catalogs, kernels, DEMs; about 11 MB, once
    per process): a checkpoint is reused only by the code and data that wrote it (a changed or upgraded lunarops
    redoes its stages even when the version string did not change), and the versions of the numerical libraries
    (an upgraded numpy, numba or skyfield-data, which ships DE421, redoes them too)."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(json.dumps(library_versions(), sort_keys=True).encode())
    for path in sorted(root.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix in (".pyc", ".nbi", ".nbc"):
            continue
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _save_checkpoint(directory: Path, name: str, key: str, result: StageResult | None) -> None:
    payload = pickle.dumps({"key": key, "result": result}, protocol=pickle.HIGHEST_PROTOCOL)
    write_atomic(_checkpoint_path(directory, name, key), lambda tmp: tmp.write_bytes(payload))


def _load_checkpoint(directories: list[Path], name: str, key: str) -> tuple[bool, StageResult | None]:
    """(found, result) of the stage ``name`` with inputs ``key`` in the first directory that holds it. The key
    covers the package's code and data (code_fingerprint), so a changed lunarops never reads an older result."""
    for directory in directories:
        path = _checkpoint_path(directory, name, key)
        if not path.is_file():
            continue
        try:
            payload = pickle.loads(path.read_bytes())  # our own file, written atomically by this function's twin
        except Exception:
            continue  # unreadable checkpoint: redo the stage
        if isinstance(payload, dict) and payload.get("key") == key:
            return True, payload.get("result")
    return False, None
