"""CLI: lunarops illumination, psr, sites rank (typer CliRunner on the root app)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lunarops.cli.main import app

runner = CliRunner()


def _json(args: list[str]) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_illumination_json_smooth_sphere() -> None:
    out = _json(["illumination", "--lat", "-89.45", "--lon", "222.69", "--height-m", "10", "--start", "2031-01-01",
                 "--end", "2031-03-01", "--step", "6h", "--terrain", "none", "--json"])
    for key in ("sun_disk_visible_fraction", "sun_center_visible_fraction", "longest_dark_hours",
                "earth_center_visible_fraction"):
        assert key in out
    assert out["terrain"] == "none"
    assert out["n_samples"] == 59 * 4
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


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--step", "1 fortnight"], "--step"),
        (["--step", "h1"], "--step"),
        (["--terrain", "mars"], "--terrain"),
        (["--lat", "10"], "outside DEM"),
        (["--start", "2060-01-01", "--end", "2060-02-01"], "coverage"),
        (["--start", "yesterday"], "ISO 8601"),
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
    png = tmp_path / "psr.png"
    tif = tmp_path / "psr.tif"
    out = _json(["psr", "--dem", "south", "--max-colatitude-deg", "1", "--site", "Shackleton,-89.67,129.78",
                 "--map", str(png), "--geotiff", str(tif), "--json"])
    assert out["psr_area_km2"] > 100  # Shackleton's floor alone is ~200 km2 on this grid
    assert out["psr_distance_km[Shackleton]"] < 1.6
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from lunarops.terrain import read_geotiff

    mask = read_geotiff(tif)
    assert float(mask.height_at(-89.67, 129.78)) == 1.0  # the GeoTIFF round-trips through the terrain reader


def test_psr_rejects_global_dem() -> None:
    result = runner.invoke(app, ["psr", "--dem", "global", "--json"])
    assert result.exit_code == 2
    assert "polar stereographic" in result.output


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
