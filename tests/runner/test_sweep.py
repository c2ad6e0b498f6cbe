"""Sweeps: grid expansion, parallel runs on processes and on Dask, resume, and redoing a killed worker's task."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lunarops.cli.main import app
from lunarops.errors import InputError, ScenarioError
from lunarops.runner.executors import make_executor
from lunarops.runner.sweep import expand, parse_parameter, run_sweep
from lunarops.scenario import Scenario
from lunarops.scenario.load import parse_scenario

BASE = """\
name: sweep base
period: {start_utc: 2030-01-01, end_utc: 2030-01-03, step_hours: 6}
sites: [{name: pole, latitude_deg: -89.5, longitude_deg: 0}]
"""


def _base() -> Scenario:
    return parse_scenario(BASE)


def test_expand_grid() -> None:
    members = expand(_base(), {"sites.0.mast_height_m": [0, 10], "sites.0.latitude_deg": [-89.5, -88, -85]})
    assert len(members) == 6
    assert members[5].overrides == {"sites.0.mast_height_m": 10, "sites.0.latitude_deg": -85}
    assert members[5].scenario.sites[0].latitude_deg == -85


@pytest.mark.parametrize(
    "path,fragment",
    [("sites.3.mast_height_m", "not an index"), ("sites.0.colour", "not a field"), ("name.x", "no fields")],
)
def test_bad_paths(path: str, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment):
        expand(_base(), {path: [1]})


def test_invalid_values_are_scenario_errors() -> None:
    with pytest.raises(ScenarioError, match=r"sites\.0\.latitude_deg"):
        expand(_base(), {"sites.0.latitude_deg": [-95]})
    with pytest.raises(InputError, match="path=v1,v2"):
        parse_parameter("sites.0.mast_height_m")


def _die_once(scenario: Scenario, out_dir: str) -> dict[str, Any]:
    """Kill the worker process the first time each member runs; succeed afterwards."""
    marker = Path(out_dir) / "attempted"
    if not marker.exists():
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text("1")
        os._exit(1)
    return {"test": {"latitude_deg": scenario.sites[0].latitude_deg}}


def test_killed_worker_tasks_are_redone(tmp_path: Path) -> None:
    members = expand(_base(), {"sites.0.latitude_deg": [-89.5, -88]})
    table = run_sweep(members, tmp_path, lambda: make_executor(None, 1), member_function=_die_once)
    assert list(table["test.latitude_deg"]) == [-89.5, -88]


def test_sweep_on_processes_then_resume(tmp_path: Path) -> None:
    members = expand(_base(), {"sites.0.mast_height_m": [0, 100]})
    table = run_sweep(members, tmp_path, lambda: make_executor(None, 2))
    assert len(table) == 2 and table["sky.n_times"].tolist() == [8, 8]  # 2 days / 6 h, half-open
    calls: list[str] = []

    def never(scenario: Scenario, out_dir: str) -> dict[str, Any]:
        calls.append(out_dir)
        raise AssertionError("finished members must not run again")

    again = run_sweep(members, tmp_path, lambda: make_executor(None, 1), member_function=never)
    assert calls == [] and again.equals(table)


def test_sweep_on_dask(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    members = expand(_base(), {"sites.0.latitude_deg": [-89.5, -80]})
    table = run_sweep(members, tmp_path / "dask", lambda: make_executor("dask-local", 1))
    assert table["sites.0.latitude_deg"].tolist() == [-89.5, -80]
    # The same members run directly in this process (no executor) give the same summaries.
    from lunarops.runner.run import run

    for member in members:
        direct = run(member.scenario, tmp_path / f"direct{member.index}", record=False, report=False).summary()
        row = table.iloc[member.index]
        assert row["sky.sun_centre_up_fraction[pole]"] == direct["sky"]["sun_centre_up_fraction[pole]"]
        assert row["sky.earth_centre_up_fraction[pole]"] == direct["sky"]["earth_centre_up_fraction[pole]"]


def test_sweep_cli(tmp_path: Path) -> None:
    scenario = tmp_path / "base.yaml"
    scenario.write_text(BASE)
    result = CliRunner().invoke(
        app,
        [
            "sweep",
            str(scenario),
            "--param",
            "sites.0.mast_height_m=0,50",
            "--out",
            str(tmp_path / "o"),
            "--workers",
            "1",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["members"] == 2 and Path(payload["table"]).is_file()
    bad = CliRunner().invoke(app, ["sweep", str(scenario), "--param", "sites.0.nope=1", "--out", str(tmp_path / "b")])
    assert bad.exit_code == 2 and "not a field" in bad.output
