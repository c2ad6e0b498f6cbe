"""CLI: a polar scientist's findings on `horizon`, `illumination`, `psr` and `sites rank` (session 14).

Each test is named after the finding it covers; every refusal must name the option, the value and the fix,
before any work (no progress bar on stderr first).
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from lunarops.cli.main import app

runner = CliRunner()
# the shipped kernels' coverage as the ephemeris reports it (DE421 and moon_pa_de421_1900-2050.bpc, the
# intersection of their spans; the message of MoonEphemeris.check_coverage prints the same two instants)
COVERAGE = "1899-12-31T23:59:18Z .. 2050-12-31T23:58:51Z"
SITE = ["--lat", "-89.45", "--lon", "222.69"]  # Connecting Ridge (docs/illumination.md)


def _fails(args: list[str], *messages: str) -> str:
    result = runner.invoke(app, args)
    text = " ".join(result.output.split())
    assert result.exit_code == 2, result.output
    for message in messages:
        assert message in text, text
    assert "Traceback" not in result.output
    assert "%" not in text  # no progress bar was drawn before the refusal
    return text


# -- 1. psr --site outside the mapped region ---------------------------------------------------------------------


def test_psr_refuses_a_site_outside_the_region() -> None:
    # -85 N is 90 - 85 = 5 deg from the south pole, beyond --max-colatitude-deg 1: the nearest PSR would be
    # searched only within 1 deg of the pole (the old code printed 122 km with no warning)
    _fails(["psr", "--max-colatitude-deg", "1", "--site", "far,-85,0", "--quiet"],
           "--site far (85.0000 S, 0.0000 E) is 5.00 deg from the pole", "--max-colatitude-deg 1",
           "give --max-colatitude-deg 5 or more")


# -- 2. duplicate site names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["psr", "--max-colatitude-deg", "1"], ["sites", "rank"]])
def test_duplicate_site_names_are_refused(command: list[str]) -> None:
    _fails([*command, "--site", "A,-89.5,0", "--site", "A,-89.6,10", "--quiet"],
           "--site: the site name 'A' is given more than once", "give each site its own NAME")


# -- 3. kernel coverage named by option ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "period", "message"),
    [
        (["illumination", *SITE, "--step", "1d"], ["--start", "2049-12-01", "--end", "2052-01-01"],
         "--end = 2052-01-01 is past the kernels"),
        (["illumination", *SITE, "--step", "1d"], ["--start", "1800-01-01", "--end", "2030-01-01"],
         "--start = 1800-01-01 is outside the kernels"),
        (["sites", "rank", "--site", "A,-89.45,222.69"], ["--start", "2050-06-01", "--end", "2052-01-01"],
         "--end = 2052-01-01 is past the kernels"),
        (["psr", "--max-colatitude-deg", "1"], ["--start", "2032-01-01", "--end", "2052-01-01"],
         "--end = 2052-01-01 is past the kernels"),
    ],
)
def test_out_of_coverage_names_the_option(command: list[str], period: list[str], message: str) -> None:
    text = _fails([*command, *period, "--quiet"] if command[0] != "illumination" else [*command, *period],
                  message, COVERAGE)
    assert "2051-01-01" not in text  # the internal sample time the old message named


# -- 4. empty periods and too few samples -------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["illumination", *SITE], ["sites", "rank", "--site", "A,-89.45,222.69"]])
def test_empty_period_exits_2(command: list[str]) -> None:
    _fails([*command, "--start", "2031-01-01", "--end", "2031-01-01"],
           "--end = 2031-01-01 is equal to --start = 2031-01-01", "give an --end after --start")
    _fails([*command, "--start", "2031-01-02", "--end", "2031-01-01"], "is before --start")


@pytest.mark.parametrize("step", ["1d", "2d"])
def test_a_step_as_long_as_the_period_is_refused_naming_step(step: str) -> None:
    # 2031-01-01 .. 2031-01-02 is 24 h: a 1 d or 2 d step leaves the one sample at the start (the old code
    # answered "100 % lit" from it); 2 samples need a step of at most 24 / 2 = 12 h
    _fails(["illumination", *SITE, "--start", "2031-01-01", "--end", "2031-01-02", "--step", step],
           "leaves 1 sample", "use a --step of at most 12 h")


# -- 5. honesty about the coarse DEM -------------------------------------------------------------------------------


def test_longest_dark_truncated_property() -> None:
    from lunarops.illumination.site import site_light
    from lunarops.illumination.timegrid import period_times

    t = period_times("2031-01-01", "2031-01-01T05:00:00Z", 3600.0)  # 5 hourly samples
    light = site_light(-89.45, 222.69, t, 3600.0, 10.0, None)
    cases = [  # sun_disk_visible per sample -> longest dark spell cut by the period's start or end?
        ([1.0, 0.0, 0.0, 1.0, 0.0], False),  # longest run (2) inside the period; the run of 1 at the end is shorter
        ([0.0, 0.0, 1.0, 0.0, 1.0], True),  # longest run starts at the first sample
        ([1.0, 0.5, 1.0, 0.0, 0.0], True),  # longest run ends at the last sample
        ([0.0, 0.0, 0.0, 0.0, 0.0], True),  # dark all period
        ([1.0, 1.0, 0.2, 1.0, 1.0], False),  # never dark
    ]
    for disk, truncated in cases:
        case = dataclasses.replace(light, sun_disk_visible=np.array(disk))
        assert case.longest_dark_truncated is truncated, disk


def test_illumination_json_notes_the_lower_bound_and_truncation() -> None:
    # Shackleton's floor is PSR (Zuber et al. 2012; test_psr_cli_matches_api): dark in every sample, so the
    # longest dark spell is the whole 2-day period and is cut by both ends
    result = runner.invoke(app, ["illumination", "--lat", "-89.67", "--lon", "129.78", "--start", "2031-01-01",
                                 "--end", "2031-01-03", "--step", "6h", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["longest_dark_hours"] == 48.0  # 8 samples x 6 h
    assert out["longest_dark_truncated"] is True
    assert any("lower bound on the 1600 m DEM" in note for note in out["notes"])
    assert any("cut by the period" in note for note in out["notes"])
    assert out["dem_pixel_size_m"] == 1600.0  # the shipped south DEM (lunarops/data/terrain/PROVENANCE.md)
    text = " ".join(runner.invoke(app, ["illumination", "--lat", "-89.67", "--lon", "129.78", "--start",
                                        "2031-01-01", "--end", "2031-01-03", "--step", "6h"]).output.split())
    assert "longest_dark_hours (lower bound)" in text and "longest_dark_truncated" in text
    assert "89.6700 S, 129.7800 E" in text  # not "-89.67 N"


def test_psr_json_carries_the_resolution_note() -> None:
    result = runner.invoke(app, ["psr", "--max-colatitude-deg", "0.5", "--step-hours", "24", "--n-azimuth", "8",
                                 "--json", "--quiet"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    # Mazarico et al. 2011: 16,055 km2 poleward of 80 S on 240 m DEMs (docs/illumination.md)
    assert any("16,055 km2" in note and "240 m" in note and "1600 m" in note for note in out["notes"])
    assert out["dem_pixel_size_m"] == 1600.0  # the shipped south DEM (lunarops/data/terrain/PROVENANCE.md)


# -- 6. the region must be on the DEM -------------------------------------------------------------------------------


def test_polar_reach_of_the_south_dem() -> None:
    from lunarops.illumination.psr import polar_reach_deg
    from lunarops.illumination.site import resolve_terrain

    south = resolve_terrain("south")
    assert south is not None
    # a 762 x 762 square of 1600 m pixels (PROVENANCE.md): half-width 609.6 km; polar stereographic on the
    # 1737.4 km sphere, rho = 2 R tan(colat / 2) (Snyder 1987), so colat = 2 atan(609.6 / 3474.8) = 19.9008 deg
    assert polar_reach_deg(south) == pytest.approx(math.degrees(2 * math.atan(609.6 / 3474.8)), abs=1e-9)
    assert polar_reach_deg(south) == pytest.approx(19.9008, abs=1e-4)


def test_psr_region_beyond_the_dem_is_refused() -> None:
    # 25 deg > 19.90 deg, the reach of the shipped south square (test_polar_reach_of_the_south_dem)
    _fails(["psr", "--max-colatitude-deg", "25", "--step-hours", "24", "--n-azimuth", "8", "--quiet"],
           "--max-colatitude-deg = 25 reaches beyond DEM 'south'", "19.90 deg from the pole",
           "give --max-colatitude-deg 19.9 or less")


# -- 7. output files -----------------------------------------------------------------------------------------------


def test_rank_map_in_a_missing_directory_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "x.png"
    _fails(["sites", "rank", "--site", "A,-89.45,222.69", "--map", str(target), "--quiet"],
           f"--map = '{target}': the directory '{tmp_path / 'missing'}' does not exist", "mkdir -p")
    assert not (tmp_path / "missing").exists()  # nothing created


def test_rank_geotiff_without_search_says_where_it_went(tmp_path: Path) -> None:
    tif = tmp_path / "light.tif"
    result = runner.invoke(app, ["sites", "rank", "--site", "A,-89.45,222.69", "--start", "2031-01-01", "--end",
                                 "2031-01-03", "--step", "12h", "--geotiff", str(tif), "--quiet"])
    assert result.exit_code == 0, result.output
    assert tif.exists() and f"geotiff written to {tif}" in " ".join(result.output.split())


# -- 8. maps ---------------------------------------------------------------------------------------------------------


def _spy_map(monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> dict[str, list[Any]]:
    """Draw a map around Connecting Ridge with matplotlib's colorbar, annotate and legend recorded."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from lunarops.illumination.maps import window_around
    from lunarops.illumination.render import light_map_png
    from lunarops.illumination.site import resolve_terrain

    calls: dict[str, list[Any]] = {"colorbar": [], "annotate": [], "legend": []}
    for cls, name in ((Figure, "colorbar"), (Axes, "annotate"), (Axes, "legend")):
        original = getattr(cls, name)

        def spy(self: Any, *args: Any, _name: str = name, _original: Any = original, **kw: Any) -> Any:
            calls[_name].append((args, kw))
            return _original(self, *args, **kw)

        monkeypatch.setattr(cls, name, spy)
    south = resolve_terrain("south")
    assert south is not None
    window = window_around(south, -89.45, 222.69, 10e3)
    values = np.zeros((window[1] - window[0], window[3] - window[2]))
    png = light_map_png(south, window, values, "time lit [%]", **kwargs)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return calls


def test_close_sites_get_numbers_fanned_out(monkeypatch: pytest.MonkeyPatch) -> None:
    # 0.01 deg of latitude apart (~0.3 km) on a ~20 km wide map: far closer than the names are long
    sites = [("Ridge A", -89.45, 222.69), ("Ridge B", -89.44, 222.8)]
    calls = _spy_map(monkeypatch, sites=sites)
    texts = [args[0] for args, _ in calls["annotate"]]
    offsets = [kw["xytext"] for _, kw in calls["annotate"]]
    assert texts == ["1", "2"]  # numbered markers ...
    labels = [h.get_label() for h in calls["legend"][-1][1]["handles"]]
    assert "1: Ridge A" in labels and "2: Ridge B" in labels  # ... named in the legend
    assert np.sign(offsets[0][0]) != np.sign(offsets[1][0])  # the second label turns away from the first


def test_psr_map_has_a_categorical_legend(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _spy_map(monkeypatch, categories=("PSR", "not PSR"))
    assert calls["colorbar"] == []  # no 0-100 colour bar for a yes/no mask
    labels = [h.get_label() for h in calls["legend"][-1][1]["handles"]]
    assert labels[:2] == ["PSR", "not PSR"]


def test_search_map_draws_the_radius(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _spy_map(monkeypatch, search_circle=(-89.45, 222.69, 8.0))
    labels = [h.get_label() for h in calls["legend"][-1][1]["handles"]]
    assert "search radius 8 km" in labels


# -- 9. smaller ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["horizon", "--lat", "-89.45", "--lon", "582.69"], "--lon = 582.69 must be an east longitude"),
        (["horizon", *SITE, "--height-m", "-1"], "--height-m = -1.0 must be"),
        (["horizon", *SITE, "--max-distance-m", "-5"], "--max-distance-m = -5.0 must be"),
        (["horizon", *SITE, "--min-distance-m", "0"], "--min-distance-m = 0.0 must be > 0"),
        (["illumination", "--lat", "-95", "--lon", "0", "--start", "2031-01-01", "--end", "2031-01-02"],
         "--lat = -95.0 must be a latitude"),
        (["illumination", *SITE, "--start", "2031-01-01", "--end", "2031-01-02", "--ground-height-m", "-9000"],
         "--ground-height-m = -9000 plus --height-m 0 puts the observer"),
        (["psr", "--max-colatitude-deg", "0"], "--max-colatitude-deg = 0 maps nothing"),
        (["psr", "--step-hours", "25"], "--step-hours = 25.0 must be in (0, 24]"),
        (["sites", "rank", "--search", "--n-best", "0"], "--n-best = 0 must be >= 1"),
    ],
)
def test_errors_name_the_option(args: list[str], message: str) -> None:
    _fails([*args, "--quiet"] if args[0] in ("psr", "sites") else args, message)


def test_horizon_title_says_south() -> None:
    result = runner.invoke(app, ["horizon", *SITE, "--n-azimuth", "8"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "89.4500 S, 222.6900 E" in result.output and "-89.4500 N" not in result.output


def test_rank_json_echoes_the_period_and_the_search() -> None:
    result = runner.invoke(app, ["sites", "rank", "--search", "--radius-km", "2", "--n-best", "1", "--start",
                                 "2031-01-01", "--end", "2031-01-03", "--step", "12h", "--json", "--quiet"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["start_utc"] == "2031-01-01T00:00:00Z" and out["end_utc"] == "2031-01-03T00:00:00Z"  # normalised
    assert out["step_hours"] == 12.0
    assert out["search"]["center_latitude_deg"] == -89.45 and out["search"]["radius_km"] == 2.0  # the defaults
    assert "dem_pixel_size_m" in out and "dem_pixel_m" not in out  # one key name across the commands
    assert any("lower bound" in note for note in out["notes"])


def test_a_site_near_the_dem_edge_gets_a_note() -> None:
    # 72 S 0 E: rho = 2 x 1737.4 km x tan(18 deg / 2) = 550.35 km from the pole on the 609.6 km half-width square
    # (PROVENANCE.md), so 59 km from its edge; the DEM's top (6907 m) can shade out to sqrt(2 R dh) > 130 km
    result = runner.invoke(app, ["illumination", "--lat", "-72", "--lon", "0", "--start", "2031-01-01", "--end",
                                 "2031-01-03", "--step", "6h", "--json"])
    assert result.exit_code == 0, result.output
    notes = json.loads(result.stdout)["notes"]
    assert any("59 km from the edge of DEM 'south'" in note for note in notes), notes
    # Connecting Ridge is ~597 km from the edge: no note
    result = runner.invoke(app, ["illumination", *SITE, "--start", "2031-01-01", "--end", "2031-01-03", "--step",
                                 "6h", "--json"])
    assert not any("edge" in note for note in json.loads(result.stdout)["notes"])


def test_psr_region_near_the_dem_edge_gets_a_note() -> None:
    # 19 deg is inside the 19.90 deg reach but (19.90 - 19) deg x 30.32 km/deg = 27 km from the edge
    result = runner.invoke(app, ["psr", "--max-colatitude-deg", "19", "--step-hours", "24", "--n-azimuth", "8",
                                 "--horizon-mode", "sweep_fast", "--json", "--quiet"])
    assert result.exit_code == 0, result.output
    notes = json.loads(result.stdout)["notes"]
    assert any("the region comes within 27 km of the DEM edge" in note for note in notes), notes
