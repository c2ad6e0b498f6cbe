"""CLI: lunarops illumination, psr, sites rank (typer CliRunner on the root app)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from lunarops.cli.main import app

runner = CliRunner()


def _json(args: list[str]) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_illumination_json_smooth_sphere() -> None:
    """CLI equals API: the JSON of `lunarops illumination --terrain none` against site_light(..., dem=None)."""
    from lunarops.illumination.site import site_light
    from lunarops.illumination.timegrid import period_times

    out = _json(["illumination", "--lat", "-89.45", "--lon", "222.69", "--height-m", "10", "--start", "2031-01-01",
                 "--end", "2031-03-01", "--step", "6h", "--terrain", "none", "--json"])
    assert out["terrain"] == "none"
    assert out["n_samples"] == 59 * 4  # 59 days (Jan + Feb 2031) at 6 h, end exclusive
    t = period_times("2031-01-01", "2031-03-01", 6 * 3600.0)
    api = site_light(-89.45, 222.69, t, 6 * 3600.0, 10.0, None).summary()
    # the CLI echoes the period's (exclusive) end as end_utc; both give the last sample as last_sample_utc
    assert out.pop("end_utc") == "2031-03-01T00:00:00Z"
    assert out.pop("last_sample_utc") == api.pop("last_sample_utc") == "2031-02-28T18:00:00Z"
    assert out.pop("dem_pixel_size_m") is None  # no DEM
    assert out.pop("min_distance_m") is None  # no DEM: no terrain to ignore
    # CLI only: whether the longest dark spell is cut by the period's ends (SiteLight.longest_dark_truncated)
    truncated = site_light(-89.45, 222.69, t, 6 * 3600.0, 10.0, None).longest_dark_truncated
    assert out.pop("longest_dark_truncated") is truncated
    notes = out.pop("notes")  # no DEM: no lower-bound note on the darkness; the truncation note when truncated
    assert len(notes) == int(truncated) and not any("lower bound" in note for note in notes)
    assert set(out) == set(api)
    for key, value in api.items():
        if isinstance(value, float):
            assert out[key] == pytest.approx(value, abs=1e-12), key  # same numbers through JSON
        else:
            assert out[key] == value, key
    assert 0.0 <= out["sun_disk_visible_fraction"] <= 1.0


def test_illumination_json_terrain_matches_api() -> None:
    from lunarops.illumination.site import resolve_terrain, site_light
    from lunarops.illumination.timegrid import period_times

    out = _json(["illumination", "--lat", "-89.45", "--lon", "222.69", "--height-m", "10", "--start", "2031-01-01",
                 "--end", "2031-02-01", "--step", "1h", "--terrain", "south", "--min-distance-m", "1600", "--json"])
    t = period_times("2031-01-01", "2031-02-01", 3600.0)
    api = site_light(-89.45, 222.69, t, 3600.0, 10.0, resolve_terrain("south"), min_distance_m=1600.0).summary()
    assert out["sun_disk_visible_fraction"] == pytest.approx(api["sun_disk_visible_fraction"], abs=1e-12)
    assert out["longest_dark_hours"] == api["longest_dark_hours"]
    assert out["dem_pixel_size_m"] == 1600.0  # the shipped south DEM: 1600 m (lunarops/data/terrain/PROVENANCE.md)
    assert out["min_distance_m"] == 1600.0  # the option as given [m]


def test_illumination_end_is_the_period_end_not_the_last_sample() -> None:
    """--end is exclusive: end_utc echoes it, and the last sample (one step before) is last_sample_utc."""
    out = _json(["illumination", "--lat", "-89.45", "--lon", "222.69", "--start", "2031-12-31T12:00",
                 "--end", "2032-01-01", "--step", "1h", "--terrain", "none", "--json"])
    assert out["start_utc"] == "2031-12-31T12:00:00Z"
    assert out["end_utc"] == "2032-01-01T00:00:00Z"
    assert out["last_sample_utc"] == "2031-12-31T23:00:00Z"
    assert out["n_samples"] == 12


@pytest.mark.parametrize(("terrain", "note"), [("south", True), ("none", False)])
def test_illumination_text_names_the_dem_resolution(terrain: str, note: bool) -> None:
    """After the table: the DEM's pixel size and the pointer to docs/illumination.md (none without a DEM)."""
    result = runner.invoke(app, ["illumination", "--lat", "-89.45", "--lon", "222.69", "--start", "2031-01-01",
                                 "--end", "2031-01-03", "--step", "6h", "--terrain", terrain])
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert ("1600 m DEM pixels" in text and "docs/illumination.md" in text) is note
    assert re.search(r"last_sample_utc\W+2031-01-02T18:00:00Z", text)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--step", "1 fortnight"], "--step"),
        (["--step", "h1"], "--step"),
        (["--terrain", "mars"], "--terrain"),
        (["--lat", "10"], "outside DEM"),
        (["--start", "2060-01-01", "--end", "2060-02-01"], "coverage"),
        (["--start", "yesterday"], "ISO 8601"),
        (["--terrain", "none", "--n-azimuth", "0"], "--n-azimuth = 0 must be an integer in [8, 100000]"),
        # the scenario's minimum: 4 azimuths had been accepted, leaving octants of the horizon unseen
        (["--n-azimuth", "4"], "--n-azimuth = 4 must be an integer in [8, 100000]"),
        (["--terrain", "none", "--min-distance-m", "-5"], "--min-distance-m = -5.0 must be > 0 [m]"),
        (["--ground-height-m", "nan"], "--ground-height-m = nan must be finite"),
        (["--lon", "nan"], "--lon = nan must be an east longitude"),
    ],
)
def test_illumination_bad_input_exit_2(args: list[str], message: str) -> None:
    base = {"--lat": "-89.45", "--lon": "222.69", "--start": "2031-01-01", "--end": "2031-01-03", "--step": "1h",
            "--terrain": "south"}
    for key, value in zip(args[::2], args[1::2], strict=True):
        base[key] = value
    result = runner.invoke(app, ["illumination", *[x for kv in base.items() for x in kv]])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_psr_json_small_cap(tmp_path: Path) -> None:
    """CLI equals API: `lunarops psr` within 1 deg of the south pole against psr_map on the same inputs, cell by
    cell through the GeoTIFF mask; then Shackleton's floor against Zuber et al. 2012 (Nature 486, 378).

    Zuber et al. 2012: Shackleton (21 km diameter) has a floor about 6.6 km across (area pi 3.3^2 = 34.2 km2),
    permanently shadowed. Resolution caveat: the DEM's 1.6 km cells resolve the floor with ~13 cells, and its
    centre (89.67 S, 129.78 E, data/README.md) is known to one pixel, so the PSR area of the cells whose centres
    lie within 3.3 km of it is compared with 34.2 km2 give or take one ring of half-pixels along the floor's edge
    (2 pi 3.3 km x 0.8 km = 16.6 km2).
    """
    from lunarops.illumination.functions import great_circle_distance_m
    from lunarops.illumination.psr import psr_map, sun_envelope
    from lunarops.illumination.site import resolve_terrain
    from lunarops.terrain import read_geotiff

    png = tmp_path / "psr.png"
    tif = tmp_path / "psr.tif"
    out = _json(["psr", "--dem", "south", "--max-colatitude-deg", "1", "--site", "Shackleton,-89.67,129.78",
                 "--map", str(png), "--geotiff", str(tif), "--json"])
    south = resolve_terrain("south")
    assert south is not None
    api = psr_map(south, max_colatitude_deg=1.0, envelope=sun_envelope(True))
    assert out["psr_cells"] == int(api.psr.sum()) > 0
    assert out["psr_area_km2"] == pytest.approx(api.area_km2, abs=1e-9)
    assert out["psr_distance_km[Shackleton]"] == pytest.approx(api.distance_km(-89.67, 129.78), abs=1e-12)
    assert out["psr_distance_km[Shackleton]"] < 1.6  # within one pixel of a PSR cell centre
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    mask = read_geotiff(tif)  # the GeoTIFF round-trips through the terrain reader, cell by cell
    assert np.array_equal(np.asarray(mask.heights_m) == 1.0, api.psr)
    assert float(mask.height_at(-89.67, 129.78)) == 1.0
    # Shackleton's floor (Zuber et al. 2012): every cell centred on it is PSR, and their area matches
    d_km = great_circle_distance_m(math.radians(-89.67), math.radians(129.78), np.radians(api.latitude_deg),
                                   np.radians(api.longitude_deg)) / 1000.0
    floor = d_km <= 3.3
    assert floor.sum() >= 10 and bool(np.all(api.psr[floor]))
    assert float(api.cell_area_km2[floor].sum()) == pytest.approx(math.pi * 3.3**2, abs=16.6)
    assert out["psr_area_km2"] >= float(api.cell_area_km2[floor].sum())


def _psr_or_rank_fails(args: list[str], message: str) -> None:
    result = runner.invoke(app, [*args, "--json", "--quiet"])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--map", "{tmp}/a_file/dir/psr.png"], "--map = '{tmp}/a_file/dir/psr.png': '{tmp}/a_file' is a file"),
        (["--geotiff", "{tmp}"], "--geotiff = '{tmp}' is a directory"),
        (["--n-azimuth", "3"], "--n-azimuth = 3 must be an integer in [8, 100000]"),
        (["--site", "A,-95,0"], "latitude -95.0 deg must be in [-90, 90]"),
        (["--site", "A,-89.5,inf"], "longitude inf deg must be a finite east longitude"),
        (["--start", "2031-01-01", "--end", "2031-02-01"], "spans 31.00 days, less than the nodal precession cycle"),
        (["--map", "{tmp}/psr.jpg"], "--map = '{tmp}/psr.jpg' must end in .png"),
        (["--map", "/proc/psr.png"], "--map = '/proc/psr.png': cannot write in '/proc'"),
        (["--dem", "north", "--site", "A,-89.45,222.69"], "--site A (89.4500 S, 222.6900 E) is outside DEM 'north'"),
    ],
)
def test_psr_bad_input_fails_before_the_work(args: list[str], message: str, tmp_path: Path) -> None:
    """Each is refused at once (before the map is computed) with the option, the value and the fix."""
    (tmp_path / "a_file").write_text("not a directory")
    _psr_or_rank_fails(["psr", "--dem", "south", *[a.format(tmp=tmp_path) for a in args]], message.format(tmp=tmp_path))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--site", "A,-89.45,222.69", "--psr-radius-km", "-5"], "--psr-radius-km = -5.0 must be a distance > 0 [km]"),
        (["--search", "--radius-km", "0"], "--radius-km = 0.0 must be a distance > 0"),
        (["--search", "--center-lat", "-95"], "latitude -95.0 deg must be in [-90, 90]"),
        (["--search", "--min-separation-km", "-1"], "--min-separation-km = -1.0 must be a distance >= 0 [km]"),
        (["--site", "A,-89.45,222.69", "--map", "{tmp}/a_file/x.png"], "'{tmp}/a_file' is a file, not a directory"),
        # an explicit --dem wins over the scenario's terrain.dem (it was silently replaced by it)
        (["--scenario", "{scenario}", "--dem", "mars"], "--dem = 'mars' is neither"),
    ],
)
def test_sites_rank_bad_input_fails_before_the_work(args: list[str], message: str, tmp_path: Path) -> None:
    from lunarops.scenario import default_scenario_path

    fill = {"tmp": tmp_path, "scenario": default_scenario_path()}
    (tmp_path / "a_file").write_text("not a directory")
    _psr_or_rank_fails(["sites", "rank", *[a.format(**fill) for a in args]], message.format(**fill))


def test_psr_rejects_global_dem() -> None:
    result = runner.invoke(app, ["psr", "--dem", "global", "--json"])
    assert result.exit_code == 2
    assert "polar stereographic" in result.output


@pytest.mark.parametrize("command", [["psr", "--dem", "south"], ["sites", "rank", "--site", "A,-89.45,222.69"]])
def test_bad_horizon_mode_is_named(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--horizon-mode", "raytrace", "--json", "--quiet"])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "--horizon-mode = 'raytrace'" in text and "sweep_fast" in text  # the field, the value and the fix
    assert "Traceback" not in result.output


def test_sites_rank_list_and_map(tmp_path: Path) -> None:
    png = tmp_path / "rank.png"
    out = _json(["sites", "rank", "--site", "Connecting Ridge,-89.45,222.69",
                 "--site", "Shackleton floor,-89.67,129.78", "--start", "2031-01-01", "--end", "2031-03-01",
                 "--step", "12h", "--radius-km", "8", "--psr-radius-km", "15", "--map", str(png), "--json", "--quiet"])
    names = [s["name"] for s in out["sites"]]
    assert names == ["Connecting Ridge", "Shackleton floor"]  # the lit ridge beats the shadowed floor
    floor = out["sites"][1]
    assert floor["sun_disk_visible_fraction"] == 0.0
    assert png.stat().st_size > 10_000


def test_sites_rank_table_and_bad_site() -> None:
    result = runner.invoke(app, ["sites", "rank", "--site", "nowhere", "--quiet"])
    assert result.exit_code == 2
    assert "NAME,LAT,LON" in result.output
    result = runner.invoke(app, ["sites", "rank", "--quiet"])
    assert result.exit_code == 2
    assert "--search" in result.output


def test_sites_search_finds_lit_cells() -> None:
    out = _json(["sites", "rank", "--search", "--center-lat", "-89.45", "--center-lon", "222.69", "--radius-km", "6",
                 "--n-best", "3", "--start", "2031-01-01", "--end", "2031-04-01", "--step", "12h", "--json", "--quiet"])
    assert 1 <= len(out["sites"]) <= 3
    scores = [s["score"] for s in out["sites"]]
    assert scores == sorted(scores, reverse=True)
    assert out["sites"][0]["sun_disk_visible_fraction"] > 0.5  # the ridge region is well lit
    # the search is a disc of --radius-km around the centre (the square window's corners reach 6 x sqrt 2 km)
    from lunarops.illumination.functions import great_circle_distance_m

    for site in out["sites"]:
        angles = np.radians([site["latitude_deg"], site["longitude_deg"], -89.45, 222.69])
        assert great_circle_distance_m(*angles) <= 6e3
