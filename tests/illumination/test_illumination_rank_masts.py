"""Site ranking at per-site mast heights: rank_sites with one height per site, and `lunarops sites rank
--scenario` ranking each scenario site at its own mast_height_m unless --height-m is given."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lunarops.cli.main import app
from lunarops.errors import InputError
from lunarops.illumination.psr import SunEnvelope, sun_envelope
from lunarops.illumination.ranking import RankingScales, rank_sites
from lunarops.illumination.site import resolve_terrain, site_light
from lunarops.illumination.timegrid import period_times
from lunarops.terrain import Dem

runner = CliRunner()
RIDGE = ("Connecting Ridge", -89.45, 222.69)
BUSSEY = ("Bussey 2010 point B", -88.74, 124.5)
START, END, STEP_S = "2031-01-01", "2031-02-01", 12 * 3600.0


@cache
def south() -> Dem:
    dem = resolve_terrain("south")
    assert dem is not None
    return dem


@cache
def envelope() -> SunEnvelope:
    return sun_envelope(True, step_hours=24.0)


def _lit(site: tuple[str, float, float], mast_m: float) -> float:
    """Independent value: site_light of one site at one mast height, on the same samples as the ranking."""
    t = period_times(START, END, STEP_S)
    return float(site_light(site[1], site[2], t, STEP_S, mast_m, south()).summary()["sun_disk_visible_fraction"])


def _rank(masts: Any) -> Any:
    return rank_sites(south(), [RIDGE, BUSSEY], period_times(START, END, STEP_S), STEP_S, masts, RankingScales(),
                      psr_radius_km=5.0, envelope=envelope())


def test_rank_sites_one_mast_per_site() -> None:
    by_name = {s.name: s for s in _rank([20.0, 0.0])}
    assert by_name[RIDGE[0]].mast_height_m == 20.0 and by_name[BUSSEY[0]].mast_height_m == 0.0
    # each site's light is site_light's at its own mast (the ridge at 20 m sees more Sun than at 0 m)
    assert by_name[RIDGE[0]].sun_disk_visible_fraction == pytest.approx(_lit(RIDGE, 20.0), abs=1e-12)
    assert by_name[BUSSEY[0]].sun_disk_visible_fraction == pytest.approx(_lit(BUSSEY, 0.0), abs=1e-12)
    assert _lit(RIDGE, 20.0) > _lit(RIDGE, 0.0)
    assert by_name[RIDGE[0]].as_dict()["mast_height_m"] == 20.0


def test_rank_sites_single_mast_still_works() -> None:
    ranked = _rank(10.0)
    assert [s.mast_height_m for s in ranked] == [10.0, 10.0]
    by_name = {s.name: s for s in ranked}
    assert by_name[RIDGE[0]].sun_disk_visible_fraction == pytest.approx(_lit(RIDGE, 10.0), abs=1e-12)


@pytest.mark.parametrize(
    ("masts", "message"),
    [
        ([10.0], r"^mast_height_m has 1 heights for 2 sites; give one per site"),
        ([10.0, -1.0], r"^mast_height_m\[1\] = -1.0 must be a finite height >= 0 \[m\]"),
        ([10.0, float("nan")], r"^mast_height_m\[1\] = nan must be"),
        ("10", r"^mast_height_m = '10' must be a height \[m\] for all sites or a list"),
    ],
)
def test_rank_sites_bad_masts(masts: Any, message: str) -> None:
    with pytest.raises(InputError, match=message):
        _rank(masts)


def _scenario(tmp_path: Path) -> Path:
    """The shipped scenario with Connecting Ridge's mast raised from 10 to 20 m (Bussey point B stays at 10 m)."""
    from lunarops.scenario import default_scenario_path

    text = default_scenario_path().read_text()
    old = "    longitude_deg: 222.69\n    mast_height_m: 10\n"
    assert text.count(old) == 1
    path = tmp_path / "mast20.yaml"
    path.write_text(text.replace(old, "    longitude_deg: 222.69\n    mast_height_m: 20\n"))
    return path


def _cli(args: list[str]) -> Any:
    result = runner.invoke(app, ["sites", "rank", "--start", START, "--end", END, "--step", "12h",
                                 "--psr-radius-km", "5", "--quiet", *args])
    assert result.exit_code == 0, result.output
    return result


def test_cli_scenario_sites_at_their_own_masts(tmp_path: Path) -> None:
    out = json.loads(_cli(["--scenario", str(_scenario(tmp_path)), "--json"]).stdout)
    by_name = {s["name"]: s for s in out["sites"]}
    assert by_name[RIDGE[0]]["mast_height_m"] == 20.0 and by_name[BUSSEY[0]]["mast_height_m"] == 10.0
    assert by_name[RIDGE[0]]["sun_disk_visible_fraction"] == pytest.approx(_lit(RIDGE, 20.0), abs=1e-12)
    assert by_name[BUSSEY[0]]["sun_disk_visible_fraction"] == pytest.approx(_lit(BUSSEY, 10.0), abs=1e-12)
    assert out["mast_height_m"] is None and out["mast_height_source"] == "scenario"
    assert out["dem_pixel_size_m"] == pytest.approx(south().pixel_size_m)


def test_cli_height_option_overrides_scenario_masts(tmp_path: Path) -> None:
    scenario = str(_scenario(tmp_path))
    out = json.loads(_cli(["--scenario", scenario, "--height-m", "5", "--json"]).stdout)
    assert [s["mast_height_m"] for s in out["sites"]] == [5.0, 5.0]
    assert out["mast_height_m"] == 5.0 and out["mast_height_source"] == "--height-m"
    ridge = next(s for s in out["sites"] if s["name"] == RIDGE[0])
    assert ridge["sun_disk_visible_fraction"] == pytest.approx(_lit(RIDGE, 5.0), abs=1e-12)
    text = " ".join(_cli(["--scenario", scenario, "--height-m", "5"]).stdout.split())
    assert "5 m mast for all sites (--height-m)" in text
    assert "1600 m DEM pixels" in text and "docs/illumination.md" in text  # the resolution note


def test_cli_site_option_uses_default_mast() -> None:
    """--site sites without --height-m: the 10 m default, shown in the table's mast column."""
    out = json.loads(_cli(["--site", "Connecting Ridge,-89.45,222.69", "--json"]).stdout)
    assert out["sites"][0]["mast_height_m"] == 10.0 and out["mast_height_source"] == "default"
    text = _cli(["--site", "Connecting Ridge,-89.45,222.69"]).stdout
    assert "10 m mast" in text and re.search(r"#\s+site\s+lat\s+lon\s+mast\s+lit%", text)  # title, header
