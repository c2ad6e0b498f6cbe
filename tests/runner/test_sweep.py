"""Sweeps: grid expansion, parallel runs on processes and on Dask, resume, and redoing a killed worker's task."""

from __future__ import annotations

import json
import os
from datetime import datetime
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
        for key in ("sun_center_above_horizontal_fraction[pole]", "earth_center_above_horizontal_fraction[pole]"):
            assert row[f"sky.{key}"] == direct["sky"][key]


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


def _quick_member(scenario: Scenario, out_dir: str) -> dict[str, Any]:
    """A member that needs no stage: its latitude as an output, and an output every member shares."""
    return {"test": {"latitude_deg": scenario.sites[0].latitude_deg, "same": 1}}


def _catalog_runs(url: str) -> list[Any]:
    from lunarops.store import Catalog

    with Catalog(url) as catalog:
        return [catalog.get(r.run_id) for r in catalog.list(1000)]


def test_sweep_records_each_member_once(tmp_path: Path) -> None:
    members = expand(_base(), {"sites.0.latitude_deg": [-89.5, -88, -85]})
    url = f"sqlite:///{tmp_path / 'catalog.sqlite'}"
    # first two members finished by a sweep that did not record them (as a crash between member.json and
    # the catalog would leave them); the rerun records them with the run id kept in member.json, then the third
    run_sweep(members[:2], tmp_path / "s", lambda: make_executor(None, 1), member_function=_quick_member, record=False)
    assert _catalog_runs(url) == []
    run_sweep(members, tmp_path / "s", lambda: make_executor(None, 1), member_function=_quick_member, db_url=url)
    records = _catalog_runs(url)
    assert len(records) == 3 and {r.status for r in records} == {"done"}
    by_member = {r.summary["sweep_member"]["member"]: r for r in records}
    assert by_member[2].summary["sweep_member"]["parameters"] == {"sites.0.latitude_deg": -85}
    assert by_member[2].summary["test"] == {"latitude_deg": -85.0, "same": 1}
    assert "(sweep member 2 of 3)" in by_member[2].scenario_name and "latitude_deg=-85" in by_member[2].scenario_name
    assert by_member[2].elapsed_s is not None and by_member[2].out_dir.endswith("00002")
    member_json = json.loads((tmp_path / "s" / "members" / "00001" / "member.json").read_text())
    assert member_json["run"]["run_id"] == by_member[1].run_id
    # a rerun (all finished) records nothing again
    run_sweep(members, tmp_path / "s", lambda: make_executor(None, 1), member_function=_quick_member, db_url=url)
    assert sorted(r.run_id for r in _catalog_runs(url)) == sorted(r.run_id for r in records)
    # recorded later (the first two) or into another catalog: their own start and finish, from member.json,
    # not the time of recording (a data engineer's user study, session 18)
    other = f"sqlite:///{tmp_path / 'other.sqlite'}"
    run_sweep(members, tmp_path / "s", lambda: make_executor(None, 1), member_function=_quick_member, db_url=other)
    for record in _catalog_runs(other):
        run = json.loads((Path(record.out_dir) / "member.json").read_text())["run"]
        started = datetime.fromisoformat(run["started_utc"])
        assert record.started_utc == started
        assert abs((record.finished_utc - started).total_seconds() - run["elapsed_s"]) < 1e-3


def test_sweep_bad_db_fails_before_running(tmp_path: Path) -> None:
    members = expand(_base(), {"sites.0.latitude_deg": [-89.5]})
    with pytest.raises(InputError, match="not a supported database URL"):
        run_sweep(members, tmp_path / "s", lambda: make_executor(None, 1), db_url="mysql://x")
    assert not (tmp_path / "s" / "members").exists()


def _render(view: Any, n_columns: int, width: int = 80) -> list[str]:
    """The lines `lunarops sweep` prints for a view, on a terminal of ``width`` columns."""
    import io

    from rich.console import Console

    import lunarops.cli.main as cli_main

    out = io.StringIO()
    saved = cli_main.console
    cli_main.console = Console(file=out, width=width, emoji=False, color_system=None)
    try:
        cli_main._print_sweep_view(view, n_columns, Path("/tmp/sweep/sweep.parquet"))
    finally:
        cli_main.console = saved
    return out.getvalue().splitlines()


def _table(n_members: int, n_constant: int) -> Any:
    import pandas as pd

    rows = []
    for i in range(n_members):
        row: dict[str, Any] = {"member": i, "sites.0.mast_height_m": 10 * i}
        row.update({f"operations.constant_output_number_{k}[Connecting Ridge]": 1.5 for k in range(n_constant)})
        row["site.sun_disk_visible_fraction[Connecting Ridge]"] = 0.5 + 0.01 * i
        row["operations.unserved_energy_kwh_p95"] = 1234.5 * i
        row["campaign.status"] = "Optimal"
        rows.append(row)
    return pd.DataFrame(rows)


def test_sweep_table_shows_parameters_then_varying_outputs() -> None:
    from lunarops.runner.sweep import sweep_view

    table = _table(3, 76)
    view = sweep_view(table, ["sites.0.mast_height_m"], width=80)
    assert view.transposed and view.members_shown == 3 and len(view.constant) == 77
    assert view.header == ["member", "0", "1", "2"]
    assert [r[0] for r in view.rows] == [
        "sites.0.mast_height_m",
        "site.sun_disk_visible_fraction[Connecting Ridge]",
        "operations.unserved_energy_kwh_p95",
    ]
    assert view.rows[2][1:] == ["0", "1,234", "2,469"]
    lines = _render(view, len(table.columns))
    text = "\n".join(lines)
    assert max(len(line) for line in lines) <= 80, text
    assert "[Connecting" in text and "2,469" in text  # names with [...] are text, not markup
    assert "77 outputs are the same in every member" in text and "sweep.parquet" in text
    # few outputs: one row per member, the member, the parameter, then the varying outputs
    narrow = table[["member", "sites.0.mast_height_m", "operations.unserved_energy_kwh_p95", "campaign.status"]]
    wide = sweep_view(narrow, ["sites.0.mast_height_m"], width=80)
    assert not wide.transposed and wide.header == [
        "member",
        "sites.0.mast_height_m",
        "operations.unserved_energy_kwh_p95",
    ]
    assert wide.rows[1] == ["1", "10", "1,234"] and wide.constant == ["campaign.status"]


def test_sweep_table_with_many_members_fits_80_columns() -> None:
    from lunarops.runner.sweep import sweep_view

    table = _table(40, 5)
    view = sweep_view(table, ["sites.0.mast_height_m"], width=80)
    assert view.transposed and 1 <= view.members_shown < 40
    lines = _render(view, len(table.columns))
    assert max(len(line) for line in lines) <= 80, "\n".join(lines)
    assert any("of 40 shown" in line for line in lines)


def test_sweep_cli_table_and_catalog(tmp_path: Path) -> None:
    scenario = tmp_path / "base.yaml"
    scenario.write_text(BASE)
    db = f"sqlite:///{tmp_path / 'runs.sqlite'}"
    args = ["sweep", str(scenario), "--param", "sites.0.latitude_deg=-89.5,-80", "--workers", "1", "--quiet"]
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "o"), "--db", db])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80, result.stdout
    assert "sites.0.latitude_deg" in result.stdout and "-89.5" in result.stdout
    assert "outputs are the same in every member" in result.stdout and "sky.n_times" not in result.stdout
    listed = CliRunner().invoke(app, ["runs", "list", "--db", db, "--json"])
    assert listed.exit_code == 0, listed.output
    runs = json.loads(listed.stdout)
    assert len(runs) == 2 and all(r["status"] == "done" for r in runs)
    assert any("latitude_deg=-80]" in r["scenario"] and "sweep member 1 of 2" in r["scenario"] for r in runs)
    shown = CliRunner().invoke(app, ["runs", "show", runs[0]["run_id"], "--db", db])
    assert shown.exit_code == 0, shown.output
    member = json.loads(shown.stdout)["summary"]["sweep_member"]
    assert member["members"] == 2 and list(member["parameters"]) == ["sites.0.latitude_deg"]
    # the first run says what it will run and share (every stage of this base reads the latitude: nothing)
    assert "2 of 2 members to run; no stage is the same in two members" in result.stdout
    # the rerun finds every member finished and recorded: nothing is recorded twice
    again = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "o"), "--db", db])
    assert again.exit_code == 0, again.output
    assert len(_catalog_runs(db)) == 2
    assert "all 2 members were finished by an earlier run of this sweep" in again.stdout
    # after an edit of the base the members run again into the same folders: the older records say their output
    # was replaced (by the new run of the same member), in `runs show` and `runs list`
    scenario.write_text(BASE.replace("name: sweep base", "name: sweep base\ndescription: edited"))
    edited = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "o"), "--db", db, "--json"])
    assert edited.exit_code == 0, edited.output
    assert json.loads(edited.stdout)["reused"]["members_finished_earlier"] == 0
    records = _catalog_runs(db)
    assert len(records) == 4
    old = {r["run_id"] for r in runs}
    new_by_dir = {r.out_dir: r.run_id for r in records if r.run_id not in old}
    for record in records:
        state = record.output_state()
        assert state == "here" if record.run_id not in old else state == f"replaced by {new_by_dir[record.out_dir]}"
    listed_json = json.loads(CliRunner().invoke(app, ["runs", "list", "--db", db, "--json"]).stdout)
    assert sorted(r["output"] for r in listed_json)[:2] == ["here", "here"]
    table = CliRunner().invoke(app, ["runs", "list", "--db", db], env={"COLUMNS": "80"}).stdout
    assert table.count("done (output") == 2 and table.count("replaced)") == 2
    assert "LUNAROPS_HOME" in CliRunner().invoke(app, ["sweep", "--help"], env={"COLUMNS": "200"}).stdout


def test_sweep_reuse_says_what_is_shared_and_what_an_earlier_run_left(tmp_path: Path) -> None:
    from lunarops.runner.sweep import STAGE_CACHE_DIR, stage_sharing, sweep_reuse
    from lunarops.scenario import load_scenario

    # a sweep over the battery: only operations reads it, so sky, site, orbits and the campaign are one result each
    # for both members (runner/inputs.py STAGE_INPUTS)
    members = expand(load_scenario(), {"operations.storage.battery.capacity_kwh": [300, 800]})
    reuse = sweep_reuse(members, tmp_path)
    assert reuse.finished == 0 and reuse.cached == 0
    assert reuse.shared == {"sky": (1, 2), "site": (1, 2), "orbits": (1, 2), "campaign": (1, 2)}
    assert "2 of 2 members to run; stage results shared, each computed once: sky 1 for 2 members" in reuse.describe()
    # an earlier run left the sky's result in the stage cache: counted
    sharing = stage_sharing(members)
    key = dict(zip(sharing.share[0], sharing.keys[0], strict=True))["sky"]
    (tmp_path / STAGE_CACHE_DIR).mkdir()
    (tmp_path / STAGE_CACHE_DIR / f"sky-{key[:32]}.pickle").write_bytes(b"")
    assert sweep_reuse(members, tmp_path, sharing).cached == 1
    assert "1 of them already computed by an earlier run" in sweep_reuse(members, tmp_path).describe()
