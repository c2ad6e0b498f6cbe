"""Sweeps: many variants of one scenario, run in parallel, summarised in one table.

A sweep is a grid over scenario fields named by dotted paths (``sites.0.mast_height_m``,
``operations.battery.capacity_kwh``): every combination of the listed values is one member. Members run the
whole main job (without an HTML report each) on an executor (local processes or Dask). Each member's summary is
written atomically to ``OUT/members/NNNNN/summary.json``; rerunning the sweep skips finished members, and the
tasks of a killed worker are redone.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import ValidationError

from lunarops.atomic import write_text_atomic
from lunarops.errors import InputError, LunarOpsError, ScenarioError, ScenarioIssue
from lunarops.runner.stage import ProgressCallback, no_progress
from lunarops.scenario import Scenario
from lunarops.store import write_dataset

MAX_MEMBERS = 100_000
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Member:
    """One variant of the base scenario."""

    index: int
    overrides: dict[str, Any]
    scenario: Scenario


def parse_parameter(text: str) -> tuple[str, list[Any]]:
    """``path=v1,v2,...`` -> (path, values); values are read as YAML scalars (numbers, strings, booleans)."""
    if "=" not in text:
        raise InputError(f"--param {text!r} must look like path=v1,v2 (e.g. sites.0.mast_height_m=0,5,10)")
    path, _, raw = text.partition("=")
    values = [yaml.safe_load(v) for v in raw.split(",") if v.strip()]
    if not path.strip() or not values:
        raise InputError(f"--param {text!r} needs a field path and at least one value")
    return path.strip(), values


def expand(base: Scenario, grid: Mapping[str, Sequence[Any]]) -> list[Member]:
    """Every combination of the grid's values applied to ``base``; each member validated like a file."""
    if not grid:
        raise InputError("a sweep needs at least one --param path=v1,v2")
    paths = list(grid)
    combos = list(itertools.product(*(grid[p] for p in paths)))
    if len(combos) > MAX_MEMBERS:
        raise InputError(f"the grid has {len(combos):,} members, more than {MAX_MEMBERS:,}; use fewer values")
    data = base.model_dump(mode="json")
    members = []
    for index, combo in enumerate(combos):
        overrides = dict(zip(paths, combo, strict=True))
        variant = json.loads(json.dumps(data))
        for path, value in overrides.items():
            _set_path(variant, path, value)
        variant["name"] = f"{base.name} [{', '.join(f'{k}={v}' for k, v in overrides.items())}]"[:200]
        try:
            scenario = Scenario.model_validate(variant)
        except ValidationError as error:
            issues = [
                ScenarioIssue(
                    "<sweep>", None, ".".join(str(p) for p in item["loc"]), item.get("input"), str(item["msg"])
                )
                for item in error.errors(include_url=False)
            ]
            raise ScenarioError(issues) from None
        members.append(Member(index, overrides, scenario))
    return members


def _set_path(data: Any, path: str, value: Any) -> None:
    parts = path.split(".")
    node = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        where = ".".join(parts[: depth + 1])
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise InputError(f"sweep path {path!r}: {where!r} is not an index of a list of {len(node)}")
            key: Any = int(part)
        elif isinstance(node, dict):
            if part not in node:
                raise InputError(
                    f"sweep path {path!r}: {where!r} is not a field of the scenario; fields here: {sorted(node)}"
                )
            key = part
        else:
            raise InputError(f"sweep path {path!r}: {where!r} goes inside a value that has no fields")
        if last:
            node[key] = value
        else:
            node = node[key]


MemberFunction = Callable[[Scenario, str], dict[str, Any]]


def run_member(scenario: Scenario, out_dir: str) -> dict[str, Any]:
    """Run one member (in a worker process) and return its summary."""
    from lunarops.runner.run import run

    results = run(scenario, Path(out_dir), record=False, report=False)
    return results.summary()


def run_sweep(
    members: Sequence[Member],
    out_dir: Path,
    executor_factory: Callable[[], Any],
    *,
    member_function: MemberFunction = run_member,
    progress: ProgressCallback = no_progress,
) -> pd.DataFrame:
    """Run the members not yet finished in ``out_dir``; return one row per member (overrides + summary)."""
    out_dir = Path(out_dir)
    summaries: dict[int, dict[str, Any]] = {}
    pending = []
    for member in members:
        done = _read_member(out_dir, member)
        if done is None:
            pending.append(member)
        else:
            summaries[member.index] = done
    for attempt in range(1, MAX_ATTEMPTS + 1):
        if not pending:
            break
        with executor_factory() as executor:
            pending = _submit_all(executor, pending, out_dir, member_function, summaries, len(members), progress)
        if pending and attempt == MAX_ATTEMPTS:
            raise LunarOpsError(
                f"{len(pending)} sweep members failed {MAX_ATTEMPTS} times (workers died); "
                f"first: member {pending[0].index}; rerun the sweep to retry them"
            )
    rows = []
    for member in members:
        row: dict[str, Any] = {"member": member.index, **member.overrides}
        for stage, summary in summaries[member.index].items():
            for key, value in summary.items():
                if isinstance(value, int | float | str | bool) or value is None:
                    row[f"{stage}.{key}"] = value
        rows.append(row)
    table = pd.DataFrame(rows)
    return table


def write_sweep_table(table: pd.DataFrame, path: Path) -> Path:
    """The sweep's table as Parquet (one row per member)."""
    import xarray as xr

    return write_dataset(xr.Dataset.from_dataframe(table.set_index("member")), path)


def _member_dir(out_dir: Path, member: Member) -> Path:
    return out_dir / "members" / f"{member.index:05d}"


def _read_member(out_dir: Path, member: Member) -> dict[str, Any] | None:
    path = _member_dir(out_dir, member) / "member.json"
    if not path.is_file():
        return None
    try:
        payload = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None
    if payload.get("scenario") != member.scenario.model_dump(mode="json"):
        return None  # a different sweep wrote here
    summary: dict[str, Any] = payload["summary"]
    return summary


def _submit_all(
    executor: Executor,
    members: Sequence[Member],
    out_dir: Path,
    member_function: MemberFunction,
    summaries: dict[int, dict[str, Any]],
    total: int,
    progress: ProgressCallback,
) -> list[Member]:
    futures: dict[Future[dict[str, Any]], Member] = {
        executor.submit(member_function, m.scenario, str(_member_dir(out_dir, m))): m for m in members
    }
    failed: list[Member] = []
    from concurrent.futures import as_completed

    for future in as_completed(futures):
        member = futures[future]
        try:
            summary = future.result()
        except BrokenProcessPool:
            failed.append(member)  # the worker died: redo it in a fresh pool
            continue
        except LunarOpsError:
            raise
        payload = {"scenario": member.scenario.model_dump(mode="json"), "summary": summary}
        from lunarops.jsonutil import to_json

        write_text_atomic(_member_dir(out_dir, member) / "member.json", to_json(payload))
        summaries[member.index] = json.loads(to_json(summary))
        progress(len(summaries) / total, f"member {member.index} done")
    return failed
