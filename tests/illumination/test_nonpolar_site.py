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
    assert "outside DEM 'south'" in result.output and "--dem global: 7.6 km pixels, every latitude" in result.output


def test_the_north_basemap_is_the_global_mosaic_in_place() -> None:
    """North maps have no WAC mosaic of their own: the global one is reprojected. Checked where both exist: on the
    south grid the reprojected global mosaic matches the south-polar mosaic (correlation 0.94 here; 0.74 when
    shifted by 5 pixels = 2 km, so a misplaced basemap would fail)."""
    import numpy as np

    from lunarops.illumination.render import basemap_text, global_basemap_on
    from lunarops.terrain import load_basemap, load_dem

    south, sgeo = load_basemap("wac_south")
    reprojected = global_basemap_on(sgeo, -100e3, 100e3, -100e3, 100e3)
    assert reprojected is not None
    image, (x0, x1, y0, y1) = reprojected
    assert (x0, x1, y0, y1) == (-100e3, 100e3, -100e3, 100e3) and image.shape == (500, 500)  # 400 m pixels
    xs = x0 + (np.arange(500) + 0.5) * 400.0
    rows, cols = sgeo.xy_to_rowcol(*np.meshgrid(xs, xs[::-1]))
    mosaic = south[np.rint(rows).astype(int), np.rint(cols).astype(int)]
    assert np.corrcoef(image.ravel(), mosaic.ravel())[0, 1] > 0.85
    assert np.corrcoef(image[:, :-5].ravel(), mosaic[:, 5:].ravel())[0, 1] < 0.85
    assert "reprojected" in basemap_text(load_dem("north")) and "south-polar" in basemap_text(load_dem("south"))
    assert basemap_text(load_dem("global")).startswith("no basemap")


def test_a_scenario_search_is_centred_on_its_first_site(tmp_path: object) -> None:
    import json
    from pathlib import Path

    scenario = Path(str(tmp_path)) / "peary.yaml"
    scenario.write_text(
        "name: peary\nperiod: {start_utc: 2032-01-01, end_utc: 2032-01-03}\n"
        "sites: [{name: Peary rim, latitude_deg: 89.656, longitude_deg: -32.471}]\nterrain: {dem: north}\n"
    )
    args = ["sites", "rank", "--scenario", str(scenario), "--search", "--radius-km", "3", "--n-best", "1",
            "--end", "2031-01-03", "--step", "12h", "--json", "--quiet"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    search = json.loads(result.stdout)["search"]
    assert (search["center_latitude_deg"], search["center_longitude_deg"]) == (89.656, -32.471)
    # without a scenario the default centre is the south's Connecting Ridge: named, with the options to give
    result = CliRunner().invoke(app, ["sites", "rank", "--dem", "north", "--search", "--quiet"])
    assert result.exit_code == 2
    assert "from the default centre, Connecting Ridge (give --center-lat / --center-lon)" in result.output
