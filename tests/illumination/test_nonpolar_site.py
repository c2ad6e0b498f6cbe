"""A non-polar site: the run's terrain note names the DEM's own pixels, and errors for a site outside a DEM name
the shipped DEMs that do cover it."""

from __future__ import annotations

from typer.testing import CliRunner

from lunarops.cli.main import app
from lunarops.runner.stage import RunContext
from lunarops.runner.stages import site as site_stage
from lunarops.scenario.load import parse_scenario

# Chang'e-3's landing site in Mare Imbrium (44.12 N, 340.49 E; Xiao et al. 2015, Science 347, 1226)
CHANGE3 = """\
name: mare outpost
period: {start_utc: 2031-01-01, end_utc: 2031-01-03, step_hours: 6}
sites: [{name: Chang'e-3, latitude_deg: 44.12, longitude_deg: 340.49, mast_height_m: 2}]
terrain: {dem: global, map: {enabled: false}}
"""


def test_terrain_note_names_the_global_dems_pixels() -> None:
    result = site_stage.run_stage(RunContext(parse_scenario(CHANGE3)))
    assert result is not None
    note = next(n for n in result.notes if n.startswith("Terrain: LOLA DEM 'global'"))
    # the global DEM's pixels: 360 deg / 1440 columns of the 1737.4 km sphere's equator = 7.58 km
    assert "7.6 km pixels" in note
    assert "Connecting Ridge" not in note and "1.6 km" not in note  # the polar examples belong to the south DEM


def test_a_site_outside_the_south_dem_is_pointed_to_the_global_one() -> None:
    result = CliRunner().invoke(app, ["horizon", "--lat", "44.12", "--lon", "340.49"])
    assert result.exit_code == 2, result.output
    assert "outside DEM 'south'" in result.output and "'global' (7.6 km pixels, every latitude)" in result.output
