"""A scenario shorter than a day of steps runs to its report (the daily figures had needed 24 steps)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from lunarops.errors import InputError
from lunarops.runner.run import run
from lunarops.scenario import default_scenario_path
from lunarops.scenario.load import parse_scenario
from scenario_edits import direct_to_earth, without_campaign


def test_two_days_at_six_hours_runs_operations(tmp_path: Path) -> None:
    data = without_campaign(yaml.safe_load(default_scenario_path().read_text()))
    for section in ("orbits", "terrain"):  # operations alone, on smooth-sphere light
        data.pop(section, None)
    direct_to_earth(data)  # its relays were the orbits section's orbiters
    data["period"] = {"start_utc": "2030-01-01T00:00:00Z", "end_utc": "2030-01-03T00:00:00Z", "step_hours": 6}
    data["operations"]["monte_carlo"]["runs"] = 5
    scenario = parse_scenario(yaml.safe_dump(data))
    # was: ValueError "zero-size array to reduction operation fmin" from coarsen(time=24) over 8 steps
    results = run(scenario, tmp_path / "out", record=False)
    assert results.report_path is not None and results.report_path.exists()
    assert results.summary()["sky"]["n_times"] == 8  # 2 days at 6 h, half-open
    assert "Consumables (run 0, daily)" in results.report_path.read_text()
    # no crew draws on the stores: an unbounded reserve, null in JSON and named under non_finite
    written = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert written["operations"]["consumables_reserve_days_p05"] is None
    assert written["non_finite"]["operations"]["consumables_reserve_days_p05"] == "inf"
    # the results tables from Python (README): the Parquet files, by name, as DataFrames
    names = results.table_names()
    assert "operations-operations_run0_hourly" in names and "sky-sky" in names
    hourly = results.table("operations-operations_run0_hourly")
    assert len(hourly) == 8  # one row per step of run 0 (8 steps above)
    with pytest.raises(InputError, match=r"no results table 'sky' in .*the tables: \['operations-"):
        results.table("sky")
