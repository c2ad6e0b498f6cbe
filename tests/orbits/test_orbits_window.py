"""The orbits stage's coverage window never passes the period's end (a docs reader found 30 days of orbit
samples, and "the first 30 days of the period", in a run of 7 days)."""

from __future__ import annotations

import numpy as np

from lunarops.runner.stage import RunContext
from lunarops.runner.stages.orbits import run_stage
from lunarops.scenario.load import parse_scenario

SCENARIO = """\
name: short
period: {start_utc: 2030-01-01, end_utc: 2030-01-03}
sites: [{name: pole, latitude_deg: -89.45, longitude_deg: 222.69}]
orbits:
  orbiters: [{kind: frozen, name: relay, periapsis_alt_km: 200, apoapsis_alt_km: 16000}]
  coverage: {duration_days: 30, step_s: 600}
"""


def test_the_coverage_window_is_cut_to_the_period() -> None:
    stage = run_stage(RunContext(parse_scenario(SCENARIO)))
    assert stage is not None
    assert stage.summary["coverage_window_days"] == 2.0  # 2030-01-01..03, not the 30 d asked
    times = stage.datasets["orbits"]["time"].values
    # half-open [start, start + 2 d) at 600 s: 288 samples, the last 2030-01-02T23:50
    assert times.size == 288 and times.max() == np.datetime64("2030-01-02T23:50")
    assert any("its 30 d would pass the period's end: cut to it" in n for n in stage.notes)
