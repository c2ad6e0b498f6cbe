"""Stage inputs: each stage's result is keyed by what it reads, reused when that is unchanged (a rerun after an
edit, the members of a sweep), and a stage cannot read what it does not declare."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from lunarops.runner import run as run_module
from lunarops.runner.executors import make_executor
from lunarops.runner.inputs import STAGE_INPUTS, UndeclaredInput, results_view, scenario_view, stage_keys
from lunarops.runner.sweep import expand, run_sweep, stage_sharing
from lunarops.scenario import default_scenario_path
from lunarops.scenario.load import load_scenario, parse_scenario
from scenario_edits import direct_to_earth, without_campaign, without_orbits_and_terrain


def _edited(path: str, value: Any) -> Any:
    data = yaml.safe_load(default_scenario_path().read_text())
    node = data
    *parents, last = path.split(".")
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    node[last] = value
    return parse_scenario(yaml.safe_dump(data))


def _changed(path: str, value: Any) -> set[str]:
    before = stage_keys(load_scenario(), "code")
    after = stage_keys(_edited(path, value), "code")
    return {name for name in before if before[name] != after[name]}


@pytest.mark.parametrize(
    "path,value,stages",
    [
        ("operations.storage.battery.capacity_kwh", 600, {"operations"}),
        ("operations.life_support.water_recovery_fraction", 0.9, {"campaign", "operations"}),
        ("sites.0.mast_height_m", 5, {"sky", "site", "orbits", "operations"}),
        # the campaign reads the sites' names and latitudes (which is the base, is it polar: its ISRU note)
        ("sites.0.latitude_deg", -89.4, {"sky", "site", "orbits", "campaign", "operations"}),
        ("name", "renamed", set()),
        ("description", "other words", set()),
        ("seed", 7, {"operations"}),
    ],
)
def test_an_edit_changes_the_keys_of_the_stages_that_read_it(path: str, value: Any, stages: set[str]) -> None:
    assert _changed(path, value) == stages


def test_keys_cover_the_code() -> None:
    scenario = load_scenario()
    assert stage_keys(scenario, "code") == stage_keys(scenario, "code")  # deterministic
    assert set(stage_keys(scenario, "code").values()).isdisjoint(stage_keys(scenario, "other code").values())


def test_a_stage_reads_only_what_it_declares() -> None:
    scenario = load_scenario()
    view = scenario_view(scenario, "campaign")
    assert view.campaign is scenario.campaign
    assert view.operations.life_support is scenario.operations.life_support
    with pytest.raises(UndeclaredInput, match=r"the campaign stage read scenario\.operations\.storage"):
        _ = view.operations.storage
    with pytest.raises(UndeclaredInput, match=r"scenario\.period"):
        getattr(view, "period", None)  # a default does not hide it: the error is not an AttributeError
    with pytest.raises(AttributeError, match="read-only"):
        view.seed = 3
    results = results_view({"site": "S", "sky": "K"}, "orbits")
    assert results.get("site") == "S"
    with pytest.raises(UndeclaredInput, match="the orbits stage read the sky stage's results"):
        results.get("sky")
    assert tuple(STAGE_INPUTS) == tuple(name for name, _ in run_module.STAGES)


def _small() -> Any:
    """The example's operations on smooth-sphere light, two days at 6 h (as tests/runner/test_run_short_period)."""
    data = without_campaign(yaml.safe_load(default_scenario_path().read_text()))
    for section in ("orbits", "terrain"):
        data.pop(section, None)
    direct_to_earth(data)
    data["period"] = {"start_utc": "2030-01-01T00:00:00Z", "end_utc": "2030-01-03T00:00:00Z", "step_hours": 6}
    data["operations"]["monte_carlo"]["runs"] = 5
    return data


def test_a_rerun_after_an_edit_redoes_only_the_stages_that_read_it(tmp_path: Path, monkeypatch: Any) -> None:
    data = _small()
    run_module.run(parse_scenario(yaml.safe_dump(data)), tmp_path / "out", record=False, report=False)
    data["operations"]["storage"]["battery"]["capacity_kwh"] = 900
    edited = parse_scenario(yaml.safe_dump(data))
    calls: list[str] = []
    original = run_module.STAGES

    def spy(name: str, function: Any) -> Any:
        return lambda ctx: calls.append(name) or function(ctx)

    monkeypatch.setattr(run_module, "STAGES", tuple((n, spy(n, f)) for n, f in original))
    again = run_module.run(edited, tmp_path / "out", record=False, report=False)
    assert calls == ["operations"]
    # the same numbers as a run of the edited scenario from scratch
    fresh = run_module.run(edited, tmp_path / "fresh", record=False, report=False)
    assert json.dumps(again.summary(), default=str) == json.dumps(fresh.summary(), default=str)
    # one checkpoint per stage is kept: the edit's, not the first run's
    kept = sorted(p.name for p in (tmp_path / "out" / ".checkpoints").glob("*.pickle"))
    keys = stage_keys(edited, run_module.code_fingerprint())
    assert kept == sorted(f"{name}-{key[:32]}.pickle" for name, key in keys.items())


def test_sweep_members_share_the_stages_they_have_in_common(tmp_path: Path) -> None:
    base = parse_scenario(yaml.safe_dump(_small()))
    members = expand(base, {"operations.storage.battery.capacity_kwh": [300, 900]})
    sharing = stage_sharing(members)
    assert sharing.share[0] == sharing.share[1] == ("sky", "site", "orbits", "campaign")
    waves = sharing.waves(members)
    assert [[m.index for m in wave] for wave in waves] == [[0], [1]]  # one computes the shared stages first
    table = run_sweep(members, tmp_path / "sw", lambda: make_executor(None, 1), record=False)
    cached = sorted(p.name.split("-")[0] for p in (tmp_path / "sw" / ".stage-cache").glob("*.pickle"))
    assert cached == ["campaign", "orbits", "site", "sky"]  # written once, by member 0
    for index in (0, 1):  # a finished member keeps its results, not its checkpoints
        member = tmp_path / "sw" / "members" / f"{index:05d}"
        assert (member / "results" / "sky-sky.parquet").is_file() and not (member / ".checkpoints").exists()
    # the shared stages' files are one copy on disk, linked into each member's results; the others are each its own
    first, second = (tmp_path / "sw" / "members" / f"{i:05d}" / "results" for i in (0, 1))
    assert (first / "sky-sky.parquet").stat().st_ino == (second / "sky-sky.parquet").stat().st_ino
    ops = "operations-operations_monte_carlo.parquet"
    assert (first / ops).stat().st_ino != (second / ops).stat().st_ino
    assert pd.read_parquet(second / "sky-sky.parquet").equals(pd.read_parquet(first / "sky-sky.parquet"))
    # each member's numbers are those of its scenario run alone
    alone = run_module.run(members[1].scenario, tmp_path / "alone", record=False, report=False)
    row = table.set_index("member").loc[1]
    for key, value in alone.summary()["operations"].items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            assert row[f"operations.{key}"] == pytest.approx(value, rel=0, abs=0, nan_ok=True), key


def test_a_dem_file_is_keyed_by_its_contents_and_must_exist(tmp_path: Path) -> None:
    import os

    import numpy as np

    from lunarops.errors import InputError
    from lunarops.runner.provenance import provenance
    from lunarops.terrain.readers import Dem, embedded_dem_path, read_npz, save_npz

    south = read_npz(embedded_dem_path("south"))
    path = tmp_path / "my-dem.npz"

    def write(scale: float, mtime_ns: int) -> None:
        heights = (np.asarray(south.heights_m) * scale).astype(np.float32)
        save_npz(Dem(heights, south.georeference, "mine"), path, source="test")
        os.utime(path, ns=(mtime_ns, mtime_ns))

    data = _small()
    data["terrain"] = {"dem": str(path)}
    scenario = parse_scenario(yaml.safe_dump(data))
    write(1.0, 1_000_000_000_000)
    before = stage_keys(scenario, "code")
    sha_before = provenance(scenario, "s", "c")["data"]["dem"]["sha256"]
    write(0.0, 2_000_000_000_000)  # flat terrain now, under the same name
    after = stage_keys(scenario, "code")
    # the stages that read the terrain are computed again, and orbits (it reads the site stage's masks); the
    # campaign (no terrain) is reused
    assert {n for n in before if before[n] != after[n]} == {"sky", "site", "orbits", "operations"}
    assert provenance(scenario, "s", "c")["data"]["dem"]["sha256"] != sha_before  # the record follows the file
    path.unlink()
    with pytest.raises(InputError, match=r"terrain\.dem = '.*my-dem\.npz' is not a file"):
        run_module.run(scenario, tmp_path / "out", record=False)  # before any stage is reused or computed


def test_waves_compute_each_shared_stage_once() -> None:
    # battery x water recovery: sky, site and orbits are shared by all four members, the campaign (which reads
    # operations.life_support) by two pairs: member 0 computes sky..campaign(0.8), member 1 only campaign(0.9)
    base = parse_scenario(yaml.safe_dump(_small()))
    members = expand(base, {"operations.storage.battery.capacity_kwh": [300, 900],
                            "operations.life_support.water_recovery_fraction": [0.8, 0.9]})
    waves = stage_sharing(members).waves(members)
    assert [[m.index for m in wave] for wave in waves] == [[0], [1], [2, 3]]


def test_a_view_is_not_kept_and_a_time_limited_plan_is_not_reused() -> None:
    import pickle

    from lunarops.runner.run import _reusable
    from lunarops.runner.stage import StageResult

    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(scenario_view(load_scenario(), "campaign"))
    # HiGHS status strings (highspy modelStatusToString)
    assert not _reusable(StageResult("campaign", "Campaign", summary={"status": "Time limit reached"}))
    assert _reusable(StageResult("campaign", "Campaign", summary={"status": "Optimal"})) and _reusable(None)


def test_a_swept_name_is_the_members_own_and_a_changed_code_is_refused(tmp_path: Path) -> None:
    from lunarops.errors import LunarOpsError
    from lunarops.runner.sweep import run_member

    base = parse_scenario(yaml.safe_dump(_small()))
    members = expand(base, {"name": ["Alpha", "Beta"]})
    assert members[1].scenario.name == "Beta [name=Beta]"
    # a worker whose code differs from the sweep's when it started refuses (one sweep, one code)
    with pytest.raises(LunarOpsError, match=r"code or data changed while the sweep ran \(fingerprint 0123456789ab"):
        run_member(members[0].scenario, str(tmp_path / "m"), fingerprint="0123456789abcdef")


def test_elements_that_never_come_online_are_noted(tmp_path: Path) -> None:
    # the example's elements all arrive with ILRS-1..5 (2031 on): a run of Jan-Feb 2030 has none of them
    data = without_orbits_and_terrain(
        yaml.safe_load(default_scenario_path().read_text()), "2030-01-01T00:00:00Z", "2030-03-01T00:00:00Z", 6, 3
    )
    results = run_module.run(parse_scenario(yaml.safe_dump(data)), tmp_path / "out", record=False, report=False)
    notes = results.stages["operations"].notes
    assert any("never come online in this run" in n and "that is every element" in n for n in notes)
