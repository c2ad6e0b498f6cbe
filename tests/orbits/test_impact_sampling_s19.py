"""Session 19: impacts and the lowest perilune found between samples (heyoka events), whatever the coverage step;
the STATION-KEEPING note and its delta-v estimate; the orbits stage's period-wide perilune table."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lunarops.orbits import KeplerOrbiter, NrhoOrbiter, compute_coverage
from lunarops.orbits.coverage import find_impact
from lunarops.orbits.ephemeris_model import EphemerisModel
from lunarops.orbits.functions import rotating_frame_basis
from lunarops.orbits.kepler import frozen_elliptical, initial_state_j2000
from lunarops.orbits.perilune import perilune_scans, scan_period, station_keeping_note
from lunarops.orbits.tracks import orbiter_tracks
from lunarops.runner.stage import RunContext
from lunarops.runner.stages.orbits import run_stage
from lunarops.scenario.load import parse_scenario
from lunarops.store import read_frame
from lunarops.store.parquet import write_dataset_files
from lunarops.timescale import parse_utc

R_KM = 1737.4  # IAU/NAIF mean lunar radius [km]
GM_MOON_KM3_S2 = 4902.800076  # DE421 lunar GM [km^3/s^2] (JPL IOM 343R-08-003, Folkner et al. 2008)
START = parse_utc("2030-01-01T00:00:00Z")


def _state0(model: EphemerisModel, orbiter: KeplerOrbiter) -> np.ndarray:
    eph = model.ephemeris
    axes = rotating_frame_basis(
        eph.position_wrt_moon_j2000_m("earth", model.epoch)[:, None],
        eph.velocity_wrt_moon_j2000_m_per_s("earth", model.epoch)[:, None],
    )[:, :, 0]
    return initial_state_j2000(orbiter.orbit, eph.rotation_j2000_to_me(model.epoch), axes)


def _fine_radius_km(model: EphemerisModel, orbiter: KeplerOrbiter, seconds: np.ndarray) -> np.ndarray:
    """Independent reference: the scalar propagator's dense output sampled on a fine grid (no events)."""
    track = model.propagate(_state0(model, orbiter), seconds)
    return np.linalg.norm(track.position_m, axis=0) / 1e3


def test_an_hourly_step_misses_the_impact_and_the_search_finds_it() -> None:
    # The review's case: frozen:200:16000:62.5:90 (RAAN 90 deg, not the frozen 270) from 2030-01-01: at 3,600 s
    # no sample is below the surface, at 120 s it goes below on day 102 (docs/orbits.md)
    relay = KeplerOrbiter("r", frozen_elliptical(200.0, 16000.0, 62.5, 90.0))
    days = 110.0
    coarse = compute_coverage([], [relay], START, days * 86400.0, 3600.0)
    assert find_impact("r", coarse.seconds, coarse.tracks[0].position_j2000_m) is None  # the grid alone misses it
    impact = coarse.impacts["r"]
    assert impact.impact_s is not None
    # fine-step reference: the same model's dense output every 5 s over days 100-104; first sample below 1737.4 km
    model = EphemerisModel(START, days * 86400.0, harmonics=True)
    fine_s = np.arange(100 * 86400.0, 104 * 86400.0, 5.0)
    below = np.flatnonzero(_fine_radius_km(model, relay, fine_s) < R_KM)
    assert below.size
    first_below_s = fine_s[below[0]]
    assert first_below_s - 5.0 <= impact.impact_s <= first_below_s + 1e-3  # within the 5 s reference step
    assert impact.impact_s / 86400.0 == pytest.approx(102.0, abs=0.5)  # "day 102" at 120 s (docs/orbits.md)
    # gone from the first hourly sample after the crossing: no Earth link from then on
    k = int(np.searchsorted(coarse.seconds, impact.impact_s))
    assert impact.first_below_s == coarse.seconds[k]
    assert not coarse.earth_links["r"].visible[k:].any()
    (note,) = [n for n in coarse.notes if n.startswith("IMPACT")]
    assert "between samples" in note and f"(day {impact.impact_s / 86400.0:.2f};" in note
    assert coarse.orbiter_rows()[0]["lowest_perilune_alt_km"] == 0.0  # reaches the sphere


def test_lowest_perilune_against_a_fine_step_propagation() -> None:
    # The example's relay (62.4 deg, RAAN 270) and the 9:2 NRHO over 30 d: the search's lowest radius against a
    # 5 s (relay) / 10 s (NRHO) sampled track. Two-body miss bound GM e dt^2 / (8 r_p^2): 0.003 km at 5 s for
    # 200 x 16,000 km; 0.0002 km at 10 s for the NRHO (e ~ 0.9, r_p ~ 3,100 km): agreement to 0.01 km
    days = 30.0
    relay = KeplerOrbiter("relay", frozen_elliptical(200.0, 16000.0, 62.4, 270.0))
    station = NrhoOrbiter("station")
    model = EphemerisModel(START, days * 86400.0, harmonics=True)
    scans = perilune_scans([relay, station], model, days * 86400.0)
    fine_s = np.arange(0.0, days * 86400.0, 5.0)
    relay_km = _fine_radius_km(model, relay, fine_s)
    assert scans["relay"].lowest_radius_m / 1e3 == pytest.approx(relay_km.min(), abs=0.01)
    assert scans["relay"].lowest_radius_m / 1e3 <= relay_km.min() + 1e-6  # never above a sample
    assert scans["relay"].impact_s is None
    # one perilune per revolution: 30 d / 24.32 h (Queqiao-2 class period, docs/orbits.md) = 29.6
    assert scans["relay"].perilune_s.size in (29, 30)
    # the coverage's own hourly samples sit far above it (miss bound 47 km at 600 s, more at 3,600 s)
    nrho_s = np.arange(0.0, days * 86400.0, 10.0)
    (track,) = orbiter_tracks([station], model, nrho_s)
    nrho_km = np.linalg.norm(track.position_j2000_m, axis=0) / 1e3
    assert scans["station"].lowest_radius_m / 1e3 == pytest.approx(nrho_km.min(), abs=0.01)
    # 9:2 NRHO perilunes over the first 30 d: 3,119-3,386 km radius at 60 s (docs/orbits.md)
    assert 3100.0 < scans["station"].lowest_radius_m / 1e3 < 3130.0


@pytest.fixture(scope="module")
def five_years() -> dict[str, object]:
    relay = KeplerOrbiter("relay", frozen_elliptical(200.0, 16000.0, 62.4, 270.0))
    return {"relay": relay, "scan": scan_period([relay], START, 1826 * 86400.0)["relay"]}


def test_example_relay_over_five_years_and_the_station_keeping_note(five_years: dict[str, object]) -> None:
    relay, scan = five_years["relay"], five_years["scan"]
    assert isinstance(relay, KeplerOrbiter)
    # 5 years: no impact; the lowest perilune ~16 km above the sphere (the review's 16.9 km is a 120 s sample,
    # which lies up to 0.47 x 4 = 1.9 km above the perilune)
    assert scan.impact_s is None  # type: ignore[attr-defined]
    low_km = scan.lowest_radius_m / 1e3  # type: ignore[attr-defined]
    assert low_km - R_KM == pytest.approx(16.9, abs=1.9)
    # independent: 5 s samples over the 2 days around that perilune, from the scalar propagator
    day = scan.lowest_s / 86400.0  # type: ignore[attr-defined]
    model = EphemerisModel(START, 1826 * 86400.0, harmonics=True)
    around = np.arange((day - 0.5) * 86400.0, (day + 0.5) * 86400.0, 5.0)
    assert low_km == pytest.approx(_fine_radius_km(model, relay, around).min(), abs=0.01)
    note = station_keeping_note(relay, scan, "2030-01-01T00:00:00Z")  # type: ignore[arg-type]
    assert note is not None and note.startswith("STATION-KEEPING: orbiter 'relay'") and "needs station-keeping" in note
    # delta-v by hand (vis-viva at apoapsis, v_a = sqrt(2 GM r_p / (r_a (r_a + r_p))); Vallado 2013 sec. 6.3):
    # raise the perilune from the lowest radius to 1737.4 + 10.8 + 20 = 1768.2 km; the semi-major axis is kept by
    # the perturbations (to first order), so the apolune is 2 a - r_low with 2 a = (R + 200) + (R + 16,000)
    r_a = (R_KM + 200.0) + (R_KM + 16000.0) - low_km

    def v_a(r_p: float) -> float:
        return math.sqrt(2.0 * GM_MOON_KM3_S2 * r_p / (r_a * (r_a + r_p)))

    dv_m_s = (v_a(R_KM + 30.8) - v_a(low_km)) * 1e3
    assert 0.3 < dv_m_s < 1.5  # about 0.05 m/s per km of perilune raise at 200 x 16,000 km
    assert f"at least about {dv_m_s:.1f} m/s" in note


def test_orbits_stage_reports_the_lowest_perilune_over_the_period(tmp_path: Path) -> None:
    # the 15 x 3,000 km orbit decays into the surface within 6 days (tests/orbits/test_orbits_session15.py); the
    # coverage window (1 d) ends before it, the period-wide search does not
    text = """\
name: perilune test
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
    - {kind: nrho, name: station, resonance: "9:2"}
  coverage: {duration_days: 1, step_s: 600}
"""
    stage = run_stage(RunContext(scenario=parse_scenario(text)))
    assert stage is not None
    assert stage.summary["decaying: lowest_perilune_alt_km"] == 0.0  # reaches the 1737.4 km sphere
    assert stage.summary["station: lowest_perilune_alt_km"] > 1000.0
    table = next(t.frame for t in stage.tables if t.title.startswith("Orbiters: lowest perilune"))
    row = table.set_index("orbiter").loc["decaying"].to_dict()
    assert row["impact_utc"] != "none" and bool(row["needs_station_keeping"])
    assert math.isnan(row["station_keeping_dv_m_per_s"])  # no sound estimate past an impact
    assert any(n.startswith("STATION-KEEPING: orbiter 'decaying'") and "hits the Moon" in n for n in stage.notes)
    # the table's times in the summary (ISO 8601 UTC; impact null when none) and in results/orbits-perilunes.parquet
    by_orbiter = table.set_index("orbiter")
    for name in ("decaying", "station"):
        assert stage.summary[f"{name}: lowest_perilune_utc"] == by_orbiter.loc[name, "lowest_perilune_utc"]
    assert stage.summary["decaying: impact_utc"] == row["impact_utc"]
    assert stage.summary["station: impact_utc"] is None and by_orbiter.loc["station", "impact_utc"] == "none"
    # the impact is the lowest point (the sphere) and comes before the period's end (2030-01-08)
    assert row["lowest_perilune_utc"] == row["impact_utc"] < "2030-01-08T00:00:00Z"
    written = write_dataset_files(stage.datasets["perilunes"], tmp_path / "orbits-perilunes.parquet")
    assert [p.name for p in written] == ["orbits-perilunes.parquet"]  # one table
    frame = read_frame(written[0])
    assert list(frame.columns) == [
        "row", "orbiter", "n_perilunes", "lowest_perilune_alt_km", "lowest_perilune_above_terrain_km",
        "lowest_perilune_utc", "impact_utc", "needs_station_keeping", "station_keeping_dv_m_per_s",
    ]
    assert list(frame["orbiter"]) == list(table["orbiter"])
    for column in ("n_perilunes", "lowest_perilune_alt_km", "lowest_perilune_above_terrain_km",
                   "needs_station_keeping", "station_keeping_dv_m_per_s"):
        np.testing.assert_array_equal(frame[column].to_numpy(), table[column].to_numpy(), err_msg=column)
    # times: datetime64 at full precision; the table's text is the same time cut to the second; NaT: no impact
    for column in ("lowest_perilune_utc", "impact_utc"):
        assert pd.api.types.is_datetime64_any_dtype(frame[column])
        text = frame[column].dt.floor("s").dt.strftime("%Y-%m-%dT%H:%M:%SZ").fillna("none")
        assert list(text) == list(table[column]), column
    assert frame["impact_utc"].isna().tolist() == [False, True]
