"""Session 15 fixes: orbiters that impact the Moon, link windows on the CLI, windows clipped to the period,
CLI error wording (--days, --step-s, --min-elevation-deg, halo families) and the frozen-inclination note."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from lunarops.cli.main import app
from lunarops.orbits import KeplerOrbiter, SurfaceSite, compute_coverage
from lunarops.orbits.coverage import find_impact
from lunarops.orbits.functions import coverage_statistics
from lunarops.orbits.kepler import KeplerOrbit, frozen_elliptical, frozen_inclination_deg, frozen_inclination_note
from lunarops.orbits.visibility import LinkTimeline
from lunarops.runner.stage import RunContext
from lunarops.runner.stages.orbits import run_stage
from lunarops.scenario.load import parse_scenario
from lunarops.timescale import parse_utc

runner = CliRunner()
R_KM = 1737.4  # IAU/NAIF mean lunar radius [km]
GM_MOON_KM3_S2 = 4902.800076  # DE421 lunar GM [km^3/s^2] (JPL IOM 343R-08-003, Folkner et al. 2008)


# --- windows clipped to the period -------------------------------------------------------------------------


def test_statistics_clip_the_last_step_to_the_period() -> None:
    # 1 day sampled every 7000 s: samples 0, 7000, ..., 84000 (13 = ceil(86400 / 7000)); all visible.
    # By hand: one window from 0 to the period's end 86400 s = 24 h, not 13 x 7000 s = 25.28 h.
    t = np.arange(13) * 7000.0
    stats = coverage_statistics(np.ones(13, bool), t, end_s=86400.0)
    assert stats["mean_window_s"] == pytest.approx(86400.0)
    assert stats["n_windows"] == 1
    # without end_s, the old convention (last sample + one step): 13 x 7000 = 91000 s
    assert coverage_statistics(np.ones(13, bool), t)["mean_window_s"] == pytest.approx(91000.0)


def test_fraction_weighs_the_clipped_last_sample() -> None:
    # samples 0, 7000, ..., 84000, only the last visible: it stands for 86400 - 84000 = 2400 s of 86400 s
    t = np.arange(13) * 7000.0
    mask = np.zeros(13, bool)
    mask[-1] = True
    stats = coverage_statistics(mask, t, end_s=86400.0)
    assert stats["fraction_visible"] == pytest.approx(2400.0 / 86400.0)
    assert stats["longest_gap_s"] == pytest.approx(84000.0)  # 12 samples x 7000 s, all before the last one


def test_link_window_and_gap_spans() -> None:
    # step 60 s over [0, 300): visible at 60, 120 s and at 240 s; the last window ends at the period's end 300 s
    t = np.arange(5) * 60.0
    link = LinkTimeline("x", t, np.array([False, True, True, False, True]), None, 300.0)
    assert link.window_spans_s().tolist() == [[60.0, 180.0], [240.0, 300.0]]
    assert link.gap_spans_s().tolist() == [[0.0, 60.0], [180.0, 240.0]]


# --- impacts -----------------------------------------------------------------------------------------------


def test_find_impact_on_a_synthetic_track() -> None:
    # radii by hand [km]: above, above, 1737.0 (0.4 km below the 1737.4 km sphere), 1700.0, 1800.0
    radii_km = np.array([1800.0, 1750.0, 1737.0, 1700.0, 1800.0])
    positions = np.stack([radii_km * 1e3, np.zeros(5), np.zeros(5)])
    impact = find_impact("o", np.arange(5) * 60.0, positions)
    assert impact is not None
    assert impact.first_below_s == 120.0 and impact.last_above_s == 60.0
    assert impact.altitude_km == pytest.approx(-0.4)
    assert impact.lowest_altitude_km == pytest.approx(-37.4)
    assert find_impact("o", np.arange(2) * 60.0, positions[:, :2]) is None


@pytest.fixture(scope="module")
def crashing() -> tuple[object, KeplerOrbit]:
    # 15 x 3000 km at 40 deg: the engineer's `kepler:15:3000:40`, whose perilune decays into the surface in days
    orbit = KeplerOrbit(15.0, 3000.0, 40.0, 0.0, 90.0)
    site = SurfaceSite("b", -89.45, 222.69, 10.0)
    result = compute_coverage([site], [KeplerOrbiter("k", orbit)], parse_utc("2030-01-01"), 6 * 86400.0, 600.0)
    return result, orbit


def test_track_starts_on_the_keplerian_orbit(crashing: tuple[object, KeplerOrbit]) -> None:
    result, _ = crashing
    radius_km = np.linalg.norm(result.tracks[0].position_j2000_m, axis=0) / 1e3  # type: ignore[attr-defined]
    # mean anomaly 0: at perilune, r = 1737.4 + 15 = 1752.4 km (by hand)
    assert radius_km[0] == pytest.approx(R_KM + 15.0, abs=1e-6)
    # half a two-body period later: a = (1752.4 + 4737.4) / 2 = 3244.9 km, T/2 = pi sqrt(a^3 / GM) = 8,293 s;
    # the 600 s grid's sample 14 (8400 s) is 107 s past apolune 4737.4 km, where (vis-viva: v_a = sqrt(GM (2/r_a
    # - 1/a)) = 0.7476 km/s; r'' = v_a^2/r_a - GM/r_a^2 = -1.005e-4 km/s^2) r = r_a - 0.5 * 1.005e-4 * 107^2 =
    # r_a - 0.58 km; the perturbations (J2, C22, Earth) move it by a few km at most over one revolution
    a = (R_KM + 15.0 + R_KM + 3000.0) / 2.0
    half = math.pi * math.sqrt(a**3 / GM_MOON_KM3_S2)
    assert half == pytest.approx(8293.3, abs=1.0)
    assert radius_km[14] == pytest.approx(R_KM + 3000.0 - 0.58, abs=10.0)


def test_impact_ends_the_orbiters_links(crashing: tuple[object, KeplerOrbit]) -> None:
    result, _ = crashing
    radius_km = np.linalg.norm(result.tracks[0].position_j2000_m, axis=0) / 1e3  # type: ignore[attr-defined]
    below = np.flatnonzero(radius_km < R_KM)  # independent: the track's own radius against 1737.4 km
    assert below.size, "the 15 km perilune orbit is expected to reach the surface within 6 days"
    k = int(below[0])
    impact = result.impacts["k"]  # type: ignore[attr-defined]
    assert impact.first_below_s == result.seconds[k]  # type: ignore[attr-defined]
    assert impact.altitude_km == pytest.approx(radius_km[k] - R_KM)
    # gone from then on: no site, Earth or relay visibility at or after the impact sample
    assert not result.site_links[("b", "k")].visible[k:].any()  # type: ignore[attr-defined]
    assert not result.earth_links["k"].visible[k:].any()  # type: ignore[attr-defined]
    assert not result.relay_links["b"].visible[k:].any()  # type: ignore[attr-defined]
    (note,) = result.notes  # type: ignore[attr-defined]
    assert "IMPACT" in note and "'k'" in note and impact.record(result.epoch_utc)["impact_utc"] in note  # type: ignore[attr-defined]
    assert result.orbiter_rows()[0]["impact_utc"] == impact.record(result.epoch_utc)["impact_utc"]  # type: ignore[attr-defined]


def test_stage_reports_an_impact_as_a_note_not_an_error() -> None:
    text = """\
name: impact test
period:
  start_utc: 2030-01-01T00:00:00Z
  end_utc: 2030-01-08T00:00:00Z
sites:
  - name: pole
    latitude_deg: -89.45
    longitude_deg: 222.69
orbits:
  orbiters:
    - {kind: kepler, name: decaying, periapsis_alt_km: 15, apoapsis_alt_km: 3000, inc_deg: 40, raan_deg: 0}
    - {kind: frozen, name: unfrozen, periapsis_alt_km: 200, apoapsis_alt_km: 16000, inc_deg: 10}
  coverage: {duration_days: 6, step_s: 600}
"""
    stage = run_stage(RunContext(scenario=parse_scenario(text)))
    assert stage is not None
    assert stage.notes[0].startswith("IMPACT: orbiter 'decaying'")
    assert any("'unfrozen'" in n and "not frozen" in n for n in stage.notes)
    assert "decaying: IMPACT (below the surface) utc" in stage.summary


# --- frozen inclination --------------------------------------------------------------------------------------


def test_frozen_inclination_and_note() -> None:
    # e of 200 x 16,000 km: (17737.4 - 1937.4) / (17737.4 + 1937.4) = 15800 / 19674.8 = 0.80306;
    # cos^2 i = 0.6 (1 - 0.80306^2) = 0.21306 -> i = acos(0.46158) = 62.51 deg (Ely 2005 condition)
    assert frozen_inclination_deg(15800.0 / 19674.8) == pytest.approx(62.51, abs=0.01)
    assert frozen_inclination_note(frozen_elliptical(200.0, 16000.0, 62.4), "x") is None  # Queqiao-2
    note = frozen_inclination_note(frozen_elliptical(200.0, 16000.0, 10.0), "x")
    assert note is not None and "52.5 deg from the frozen inclination 62.5 deg" in note


# --- CLI ------------------------------------------------------------------------------------------------------

COVER = ["orbit", "coverage", "--lat", "-89.45", "--lon", "222.69"]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--orbiter", "llo:100", "--days", "-1"], "--days -1 must be a positive number of days"),
        (["--orbiter", "llo:100", "--days", "1", "--step-s", "7000"], "--step-s 7000 must be in 1..3600 s"),
        (["--orbiter", "llo:100", "--days", "1", "--min-elevation-deg", "100"], "smooth sphere's horizon"),
    ],
)
def test_cli_coverage_errors_name_the_option(args: list[str], fragment: str) -> None:
    result = runner.invoke(app, [*COVER, *args])
    assert result.exit_code == 2, result.output
    assert fragment in " ".join(result.output.split())
    assert "86400" not in result.output


def test_cli_halo_family_error_suggests_the_other_families() -> None:
    result = runner.invoke(app, ["orbit", "halo", "--family", "L1-north", "--period-days", "15"])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "another family (L1-south, L2-north, L2-south)" in text


def test_cli_windows_json_and_csv(tmp_path: Path) -> None:
    out = tmp_path / "w.csv"
    # 0.99 d at 3600 s: 24 samples (ceil(85536 / 3600)), the last standing for 85536 - 82800 = 2736 s
    args = [*COVER, "--orbiter", "llo:100:90", "--orbiter", "frozen:200:16000:10", "--days", "0.99",
            "--step-s", "3600", "--json", "--windows-out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert any("not frozen" in n for n in record["notes"])
    assert record["impacts"] == []
    links = {(link["site"], link["orbiter"]): link for link in record["links"]}
    assert len(links) == 3  # two orbiters and the relay path
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in record["coverage"]:
        link = links[(row["site"], row["orbiter"])]
        assert link["n_windows"] == row["n_windows"] == link["windows_listed"]
        hours = [w["hours"] for w in link["windows"]]
        assert all(h <= 0.99 * 24 + 1e-9 for h in hours)  # clipped to the 23.76 h period
        if hours:
            assert np.mean(hours) == pytest.approx(row["mean_window_hours"])
            assert link["windows"][-1]["end_utc"] <= "2030-01-01T23:45:36Z"  # start + 0.99 d
        assert sum(1 for r in rows if r["orbiter"] == row["orbiter"]) == row["n_windows"]
        if link["longest_gap"] is not None:
            assert link["longest_gap"]["hours"] == pytest.approx(row["longest_gap_hours"])


def test_cli_windows_out_refuses_a_missing_directory(tmp_path: Path) -> None:
    result = runner.invoke(
        app, [*COVER, "--orbiter", "llo:100", "--days", "1", "--windows-out", str(tmp_path / "no" / "w.csv")]
    )
    assert result.exit_code == 2, result.output
    assert "does not exist" in " ".join(result.output.split())
