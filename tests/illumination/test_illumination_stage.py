"""The site stage of `lunarops run` and the `terrain:` scenario section."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from lunarops.errors import InputError, ScenarioError
from lunarops.illumination.site import resolve_terrain, site_light
from lunarops.runner.stage import RunContext
from lunarops.runner.stages import site as site_stage
from lunarops.scenario import load_scenario
from lunarops.scenario.load import parse_scenario
from lunarops.timescale import utc_period

SCENARIO = """
name: light test
period: {start_utc: 2031-01-01T00:00:00Z, end_utc: 2031-02-01T00:00:00Z, step_hours: 2}
sites:
  - {name: Connecting Ridge, latitude_deg: -89.45, longitude_deg: 222.69, mast_height_m: 10}
  - {name: Shackleton floor, latitude_deg: -89.67, longitude_deg: 129.78, mast_height_m: 2}
terrain:
  dem: DEM
  psr: {search_radius_km: 12}
  map: {half_size_km: 4, step_hours: 24, max_days: 30}
"""


def _run(dem: str = "south") -> object:
    scenario = parse_scenario(SCENARIO.replace("DEM", dem))
    calls: list[float] = []
    ctx = RunContext(scenario, progress=lambda f, m: calls.append(f))
    result = site_stage.run_stage(ctx)
    assert calls and calls[-1] == 1.0 and calls == sorted(calls)
    return result


def test_site_stage_products_and_datasets() -> None:
    result = _run()
    assert result is not None
    products = result.products  # type: ignore[attr-defined]
    times = utc_period("2031-01-01", "2031-02-01", 7200.0)
    for key in ("sun_disk_visible_fraction", "sun_elevation_deg", "sun_azimuth_deg", "earth_visible"):
        array = products[key]
        assert isinstance(array, xr.DataArray)
        assert array.dims == ("site", "time")
        assert array.shape == (2, len(times.tt))  # same time axis as the sky stage
    # the stage's numbers are the API's numbers
    api = site_light(-89.45, 222.69, times, 7200.0, 10.0, resolve_terrain("south"), min_distance_m=None)
    np.testing.assert_allclose(products["sun_disk_visible_fraction"].sel(site="Connecting Ridge"), api.sun_disk_visible)
    summary = result.summary  # type: ignore[attr-defined]
    assert summary["sun_disk_visible_fraction[Shackleton floor]"] == 0.0  # PSR floor (Zuber et al. 2012)
    assert summary["psr_distance_km[Shackleton floor]"] < 1.6
    assert summary["psr_distance_km[Connecting Ridge]"] is None or summary["psr_distance_km[Connecting Ridge]"] > 1.6
    assert set(result.datasets) == {"light", "horizon", "psr_regions"}  # type: ignore[attr-defined]
    # the Shackleton floor site lies in a PSR region: its nearest region is 0 km away (its own cell)
    regions = result.datasets["psr_regions"].to_dataframe().reset_index()  # type: ignore[attr-defined]
    first = regions[(regions.site == "Shackleton floor") & (regions["rank"] == 1)].iloc[0]
    assert first.distance_km == pytest.approx(summary["psr_distance_km[Shackleton floor]"], abs=1e-9)
    titles = [f.title for f in result.figures]  # type: ignore[attr-defined]
    assert titles[0] == "Illumination map around the sites"
    assert result.figures[0].png[:4] == b"\x89PNG"  # type: ignore[attr-defined]
    assert len(titles) == 3
    # the report says how the map horizons were computed (terrain.horizon_mode, default "auto")
    assert "horizons: line sweep for windows of at least 1,500 cells" in result.figures[0].caption  # type: ignore[attr-defined]
    assert any("Map horizons: line sweep" in note for note in result.notes)  # type: ignore[attr-defined]


def test_site_stage_smooth_sphere() -> None:
    result = _run("none")
    assert result is not None
    summary = result.summary  # type: ignore[attr-defined]
    assert summary["terrain"] == "none"
    # no DEM: ground 0 and no PSR search
    assert summary["ground_height_m[Connecting Ridge]"] == 0.0


def test_site_stage_none_without_section() -> None:
    scenario = parse_scenario(SCENARIO.split("terrain:")[0])
    assert site_stage.run_stage(RunContext(scenario)) is None


def test_site_stage_bad_dem_name() -> None:
    with pytest.raises(InputError, match=r"terrain\.dem"):
        _run("moon_south_v2")


def test_terrain_section_validation() -> None:
    bad = SCENARIO.replace("psr: {search_radius_km: 12}", "psr: {search_radius_km: -1}")
    with pytest.raises(ScenarioError, match="search_radius_km"):
        parse_scenario(bad.replace("DEM", "south"))
    bad = SCENARIO.replace("psr: {search_radius_km: 12}", "ranking: {weights: {sunlit: 0, darkness: 0, earth: 0, "
                           "slope: 0, psr_distance: 0}}")
    with pytest.raises(ScenarioError, match="weights"):
        parse_scenario(bad.replace("DEM", "south"))
    bad = SCENARIO.replace("psr: {search_radius_km: 12}", "horizon_mode: raytrace")
    with pytest.raises(ScenarioError, match=r"terrain\.horizon_mode: .*sweep_fast.*got .raytrace"):
        parse_scenario(bad.replace("DEM", "south"))
    good = SCENARIO.replace("psr: {search_radius_km: 12}", "horizon_mode: sweep")
    terrain = parse_scenario(good.replace("DEM", "south")).terrain
    assert terrain is not None and terrain.horizon_mode == "sweep"


def test_default_scenario_has_terrain() -> None:
    scenario = load_scenario()
    assert scenario.terrain is not None
    assert scenario.terrain.dem == "south"


def test_an_unreachable_psr_is_inf_in_the_summary() -> None:
    # a 1 deg slope limit: no rover path from the ridge (measured 19 deg on its way down at 1.6 km) reaches a PSR
    # within 20 km: the traverse is inf (not None: sweeps and the run's JSON keep inf and mark it), the straight line
    # 12.1 km (tests/illumination/test_traverse.py)
    scenario = parse_scenario(
        SCENARIO.replace("DEM", "south").replace(
            "  psr: {search_radius_km: 12}", "  psr: {search_radius_km: 20}\n  ranking: {traverse_max_slope_deg: 1}"
        )
    )
    result = site_stage.run_stage(RunContext(scenario))
    assert result is not None
    assert result.summary["psr_traverse_km[Connecting Ridge]"] == float("inf")
    assert result.summary["psr_traverse_status[Connecting Ridge]"] == "none reachable within the window"
    assert np.isfinite(result.summary["psr_distance_km[Connecting Ridge]"])
