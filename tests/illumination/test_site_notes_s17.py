"""A polar site scientist's findings on `illumination`, `horizon` and `sites rank` notes (session 17, 2-8)."""

from __future__ import annotations

import json
from typing import Any

import matplotlib
import pytest
from typer.testing import CliRunner

from lunarops.cli.main import app
from lunarops.terrain import load_dem

runner = CliRunner()
SHACKLETON = ["--lat", "-89.68", "--lon", "166.0"]  # inside Shackleton crater (the brief's example)


def _json(args: list[str]) -> Any:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_never_lit_site_gets_a_shadow_note() -> None:
    out = _json(["illumination", *SHACKLETON, "--height-m", "10", "--start", "2031-01-01", "--end", "2031-03-01",
                 "--step", "6h", "--json"])
    assert out["sun_any_visible_fraction"] == 0.0
    note = next(n for n in out["notes"] if "never seen" in n)
    assert "in shadow over this period" in note
    # the highest horizon is the summary's horizon_max_deg (same mask), shown to 0.1 deg
    assert f"{out['horizon_max_deg']:.1f} deg, at azimuth" in note


def test_lit_site_gets_no_shadow_note() -> None:
    out = _json(["illumination", "--lat", "-89.45", "--lon", "222.69", "--height-m", "10", "--start", "2031-01-01",
                 "--end", "2031-01-05", "--step", "6h", "--json"])
    assert not any("never seen" in n for n in out["notes"])


def test_edge_note_names_the_terrain_option() -> None:
    out = _json(["illumination", "--lat", "-65", "--lon", "45", "--start", "2031-01-01", "--end", "2031-01-02",
                 "--json"])
    edge = next(n for n in out["notes"] if "edge of DEM" in n)
    assert "(--terrain FILE)" in edge and "--dem" not in edge


def _rank(*extra: str) -> Any:
    return _json(["sites", "rank", "--start", "2031-01-01", "--end", "2031-01-03", "--step", "12h", "--json",
                  "--quiet", *extra])


def test_search_note_names_radius_km_not_psr_radius() -> None:
    # around Connecting Ridge an 8 km search window holds no PSR cell (seen in the run: status "no target cell")
    out = _rank("--search", "--radius-km", "8", "--n-best", "1")
    notes = [n for n in out["notes"] if n.startswith("cell 1: psr_traverse_km")]
    assert out["sites"][0]["psr_traverse_status"] == "no target cell within the window"
    assert notes and "a larger --radius-km" in notes[0]
    assert "--psr-radius-km" not in notes[0] and "slopes <=" not in notes[0]  # no contradiction


def test_rank_notes_never_lit_and_steep_sites_and_gives_ground_height() -> None:
    out = _rank("--site", "floor,-89.68,166.0", "--site", "CR,-89.45,222.69", "--psr-radius-km", "5")
    floor = next(s for s in out["sites"] if s["name"] == "floor")
    assert floor["sun_disk_visible_fraction"] == 0.0
    assert any(n.startswith("floor is never lit") for n in out["notes"])
    dem = load_dem("south")
    for s in out["sites"]:  # independent: the DEM's bilinear height, as illumination's ground_height_m
        assert s["ground_height_m"] == pytest.approx(float(dem.height_at(s["latitude_deg"], s["longitude_deg"])))
        steep = s["slope_deg"] > 15.0  # RankingScales.slope_limit_deg default
        assert steep == any(n.startswith(f"{s['name']}: its slope") for n in out["notes"])


def test_horizon_dem_none_explains_and_json_has_no_negative_zero() -> None:
    result = runner.invoke(app, ["horizon", "--lat", "-89", "--lon", "0", "--dem", "none"])
    text = " ".join(result.output.split())
    assert result.exit_code == 2
    assert "a horizon needs terrain" in text and "illumination --terrain none" in text
    out = runner.invoke(app, ["horizon", *SHACKLETON, "--n-azimuth", "16", "--json"])
    assert out.exit_code == 0 and "-0.0," not in out.stdout and "-0.0\n" not in out.stdout


def test_print_json_writes_no_negative_zero(capsys: pytest.CaptureFixture[str]) -> None:
    import numpy as np

    from lunarops.cli.common import print_json

    print_json({"a": -0.0, "b": [np.float64(-0.0)], "c": np.array([-0.0, 1.0])})
    assert "-0" not in capsys.readouterr().out


@pytest.mark.parametrize(("lat", "lon", "inside"), [(-70.15, 0.0, True), (-70.1, 0.0, False), (-62.2, 45.0, True)])
def test_outside_dem_limit_matches_contains(lat: float, lon: float, inside: bool) -> None:
    # the south DEM is a square of 762 x 762 pixels of 1,600 m in the polar stereographic map; its outer pixel
    # centres are (762 - 1) / 2 x 1,600 = 608,800 m from the pole, so along a meridian of the grid's axes
    # (0 E) it reaches colatitude 2 atan(608,800 / (2 x 1,737,400)) = 19.875 deg, 70.125 S, and at its corners
    # (45 E) 2 atan(sqrt(2) x 608,800 / 3,474,800) = 27.833 deg, 62.167 S (by hand): -70.15 is inside, -70.1 not,
    # -62.2 at 45 E inside
    assert bool(load_dem("south").contains(lat, lon)) == inside
    result = runner.invoke(app, ["illumination", "--lat", str(lat), "--lon", str(lon), "--start", "2031-01-01",
                                 "--end", "2031-01-01T03:00", "--json"])
    if inside:
        assert result.exit_code == 0, result.output
        return
    text = " ".join(result.output.split())
    assert result.exit_code == 2, text
    stated = float(text.split("it reaches ")[1].split(" S")[0])
    assert stated > abs(lat)  # the site is equatorward of the stated limit ...
    assert bool(load_dem("south").contains(-stated, lon))  # ... and the limit itself is accepted
    assert "every longitude poleward of" in text and "corners" in text


def test_rank_map_legend_is_outside_the_axes(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figures: list[Any] = []
    real_close = plt.close
    monkeypatch.setattr(plt, "close", lambda fig=None: figures.append(fig))
    png = tmp_path / "map.png"
    try:
        result = runner.invoke(app, ["sites", "rank", "--search", "--radius-km", "4", "--n-best", "2", "--start",
                                     "2031-01-01", "--end", "2031-01-02", "--step", "12h", "--quiet", "--map",
                                     str(png), "--site", "A,-89.45,222.69", "--site", "B,-89.46,222.5"])
    finally:
        monkeypatch.setattr(plt, "close", real_close)
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    fig = figures[-1]
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    legend_box = ax.get_legend().get_window_extent(renderer)
    axes_box = ax.get_window_extent(renderer)
    assert not legend_box.overlaps(axes_box)  # no marker can hide under it
    texts = [t.get_text() for t in ax.texts]
    assert any(t.endswith("° S") for t in texts)  # labelled latitude circles
    real_close(fig)
