"""A polar site with terrain light: the battery carries the station through the longest darkness the terrain
stage finds, or the event log says when it fails."""

from __future__ import annotations

import numpy as np
import pytest

from lunarops.ops.inputs import LightSeries, build_inputs
from lunarops.ops.montecarlo import simulate
from lunarops.ops.sizing import storage_drawdown_j
from lunarops.ops.station import Battery, Load, Policy, SolarArray, Station
from lunarops.ops.uncertain import Uncertain
from lunarops.scenario.load import parse_scenario

TEXT = """
schema_version: 1
name: polar terrain ops test
seed: 3
period: {start_utc: 2030-01-01T00:00:00Z, end_utc: 2030-05-01T00:00:00Z, step_hours: 1}
sites:
  - {name: Connecting Ridge, latitude_deg: -89.45, longitude_deg: 222.69, mast_height_m: 10}
terrain: {dem: south, min_distance_m: 1600, n_azimuth: 360}
"""


@pytest.fixture(scope="module")
def terrain_light() -> LightSeries:
    from lunarops.runner.stage import RunContext
    from lunarops.runner.stages.site import run_stage

    # the south DEM ships with the package (src/lunarops/data/terrain): a stage error fails the test
    scenario = parse_scenario(TEXT)
    result = run_stage(RunContext(scenario))
    assert result is not None, "the site stage returned None for a scenario with a terrain section"
    assert "sun_disk_visible_fraction" in result.products, sorted(result.products)
    p = result.products
    frac = np.asarray(p["sun_disk_visible_fraction"].sel(site="Connecting Ridge").values, dtype=float)
    el = np.radians(np.asarray(p["sun_elevation_deg"].sel(site="Connecting Ridge").values, dtype=float))
    az = np.radians(np.asarray(p["sun_azimuth_deg"].sel(site="Connecting Ridge").values, dtype=float))
    earth = np.asarray(p["earth_visible"].sel(site="Connecting Ridge").values).astype(bool)
    return LightSeries(el, az, np.clip(frac, 0, 1), np.full(frac.shape, 1.496e11), earth, "terrain")


def _longest_darkness(frac: np.ndarray) -> tuple[int, int]:
    best, start, run_start = 0, 0, None
    for i, dark in enumerate(np.append(frac <= 0.0, False)):
        if dark and run_start is None:
            run_start = i
        elif not dark and run_start is not None:
            if i - run_start > best:
                best, start = i - run_start, run_start
            run_start = None
    return start, best


def _station(battery_kwh: float) -> Station:
    return Station(
        solar_arrays=(SolarArray("pv", 120.0, Uncertain.fixed(0.3), tracking="vertical_single_axis"),),
        battery=Battery("battery", battery_kwh * 3.6e6, 1.0, Uncertain.fixed(1.0), Uncertain.fixed(1.0), 1e9, 1e9),
        loads=(Load("habitat", 5e3, 1),),
        policy=Policy(0.0, 0.0),
    )


def test_battery_carries_the_longest_darkness(terrain_light: LightSeries) -> None:
    _, hours = _longest_darkness(terrain_light.sun_visible_fraction)
    assert hours > 0, "the terrain stage found no darkness at this site in the period"
    station = _station(1.0)
    gen_w = 120.0 * 0.3 * terrain_light.irradiance_on_array_w_per_m2(station.solar_arrays[0])
    # the energy the battery must give: the deepest drop of the cumulative balance (second algorithm:
    # ops.sizing.storage_drawdown_j); it covers at least the longest full darkness at 5 kW
    need_j = float(storage_drawdown_j(gen_w, np.full(gen_w.shape, 5e3), 3600.0, 1.0, 1.0))
    assert need_j >= 5e3 * hours * 3600.0
    big = _station(need_j / 3.6e6 * 1.01)
    ok = simulate(big, build_inputs(big, terrain_light, np.datetime64("2030-01-01T00:00"), 3600.0), seed=1)
    assert ok.summary["probability_any_unserved_energy"] == 0.0
    assert "brownout" not in set(ok.events["event"])
    small = _station(need_j / 3.6e6 * 0.7)
    bad = simulate(small, build_inputs(small, terrain_light, np.datetime64("2030-01-01T00:00"), 3600.0), seed=1)
    brownouts = bad.events[bad.events["event"] == "brownout"]
    assert len(brownouts) >= 1
    # the log says when: a step where the arrays cannot carry the load
    first = int(brownouts["step"].iloc[0])
    assert gen_w[first] < 5e3
