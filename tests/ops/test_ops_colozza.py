"""Power sizing against Colozza 2020 (NASA/CR-2020-220368), base camp case.

28.05 kW continuous at 30 N, fixed array tilted 30 deg toward the equator, 708.33 h lunar cycle (about
354 h of night), 1,359 W/m2, 25 % array efficiency, 1.59 kg/m2 blanket + 0.55 kg/m2 structure; Li-ion
200 Wh/kg at 80 % depth of discharge; RFC with fuel cell 0.65 and electrolyser 0.85. Colozza's totals:
about 65.8 t (PV + Li-ion), 12.8 t (PV + RFC), 4,853 kg for three 10 kWe Kilopower units.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from lunarops.ops import functions as fn
from lunarops.ops.sizing import PowerTechnology, rfc_mass_kg, size_power

LOAD_W = 28.05e3
CYCLE_H = 708.33
DT_S = 900.0


def _irradiance() -> np.ndarray:
    # Sun on the 30 N site through three lunar cycles (declination 0: the Moon's 1.5 deg obliquity ignored,
    # as in Colozza's day/night split); starts at sunrise so storage starts full at the first sunset
    t = np.arange(int(3 * CYCLE_H * 3600 / DT_S)) * DT_S
    hour_angle = 2 * np.pi * t / (CYCLE_H * 3600) - np.pi / 2
    lat = np.radians(30.0)
    el = np.arcsin(np.cos(lat) * np.cos(hour_angle))
    az = np.arctan2(-np.sin(hour_angle), -np.cos(hour_angle) * np.sin(lat))
    cos_i = fn.cos_incidence_fixed(el, az, np.radians(30.0), np.pi)  # tilted 30 deg, facing south (equator)
    return 1359.0 * (el > 0) * cos_i


@pytest.fixture(scope="module")
def sky_nights_h() -> np.ndarray:
    """Night lengths at 30 N, 0 E through 2030 from lunarops's own sky code (DE421 + NAIF lunar frame):
    night = the Sun's centre below the horizon, sampled every 10 min; only nights with both ends inside."""
    from lunarops.sky import sky_at_site
    from lunarops.timescale import utc_range

    step_s = 600.0
    track = sky_at_site(30.0, 0.0, 0.0, utc_range("2030-01-01T00:00:00Z", "2031-01-01T00:00:00Z", step_s))
    change = np.diff((track.sun_elevation_deg > 0.0).astype(int))
    sets, rises = np.flatnonzero(change == -1), np.flatnonzero(change == 1)
    return np.array([(rises[rises > k][0] - k) * step_s / 3600 for k in sets if np.any(rises > k)])


def test_sky_nights_at_30n_match_colozza_354_h(sky_nights_h: np.ndarray) -> None:
    # Colozza 2020 (NASA/CR-2020-220368): 708.33 h lunar cycle, night = half = 354.17 h.
    colozza_night_h = 708.33 / 2
    assert sky_nights_h.size == 11  # 2030 holds 11 complete nights (12.4 synodic months)
    # Each night: the Sun's lunar declination (+-1.54 deg) changes the half-day arc at 30 N by
    # asin(tan 30 deg tan 1.54 deg) = 0.89 deg, i.e. +-2 x 0.89 / 360 x 708.7 h = +-3.5 h; the synodic month
    # varies 29.27-29.83 d, +-3.3 h on a half; 10-min sampling +-0.17 h: together 7.0 h
    assert np.all(np.abs(sky_nights_h - colozza_night_h) <= 7.0)
    # Their mean over a year: the declination and month-length terms largely cancel; left are the mean
    # synodic month (708.73 h, half 354.37 h, vs Colozza's 708.33 h: 0.2 h), the sampling (0.17 h) and the
    # incomplete cycles sampled by 11 nights (under 0.6 h): 1.0 h
    assert float(np.mean(sky_nights_h)) == pytest.approx(colozza_night_h, abs=1.0)


def test_idealised_cycle_night_matches_the_sky_code(sky_nights_h: np.ndarray) -> None:
    # the sizing tests below use _irradiance() (declination 0, Colozza's day/night split); its night must agree
    # with the real sky's mean night at 30 N within the 1.0 h budget of the test above
    irr = _irradiance()
    night_h = np.sum(irr[: int(CYCLE_H * 3600 / DT_S)] == 0) * DT_S / 3600
    assert night_h == pytest.approx(float(np.mean(sky_nights_h)), abs=1.0)
    assert night_h == pytest.approx(CYCLE_H / 2, abs=DT_S / 3600)  # half the 708.33 h cycle to one 15-min step


def test_pv_li_ion_about_65_8_t() -> None:
    # Tolerance 2,000 kg (3 % of 65.8 t): the brief gives the mass figures but not Colozza's PMAD/charge
    # efficiencies (taken as 1); the battery (about 97 % of the mass) is set by the 354 h night x 28.05 kW /
    # (200 Wh/kg x 0.8) = 62.1 t, so an unstated 0.97 on its path would add about 1,900 kg. Measured 65,828 kg.
    r = size_power(_irradiance(), LOAD_W, DT_S, "pv_battery")
    assert r.total_mass_kg == pytest.approx(65_800, abs=2_000.0)  # kg
    night_kwh = LOAD_W * 354.17 / 1e3
    assert night_kwh <= r.storage_delivered_j / 3.6e6 <= 1.1 * night_kwh  # dawn/dusk adds a little


def _longest_deficit_j(gen_w: np.ndarray, load_w: float) -> float:
    """Energy of the longest complete run of steps with generation below the load (a second algorithm for
    the storage an RFC needs when the cycles are identical and storage starts full). [J]"""
    short = gen_w < load_w
    edges = np.flatnonzero(np.diff(short.astype(int)))
    best = 0.0
    for a, b in itertools.pairwise(edges):
        if short[a + 1]:
            best = max(best, float(np.sum(load_w - gen_w[a + 1 : b + 1]) * DT_S))
    return best


def test_pv_rfc_reactants_by_hand_and_total_about_12_8_t() -> None:
    r = size_power(_irradiance(), LOAD_W, DT_S, "pv_rfc")
    # Hand calculation from Colozza's inputs (NASA/CR-2020-220368): the night, 28.05 kW x 708.33 h / 2 =
    # 9,934.3 kWh, delivered by the fuel cell at 0.65 on the HIGHER heating value of hydrogen, 285.83 kJ/mol
    # (NIST-JANAF, liquid water) / 2.016 g/mol = 39.38 kWh per kg H2 (the HHV, not the LHV of 33.3 kWh/kg).
    # H2 = 9,934.3 / (0.65 x 39.38) = 388.1 kg; H2 + O2 = H2 x 18.015 / 2.016 (1 H2 + 1/2 O2 -> H2O) = 3,468 kg
    hhv_h2_j_per_kg = 285.83e3 / 2.016e-3
    night_j = LOAD_W * CYCLE_H / 2 * 3600

    def reactants_kg(energy_j: float) -> float:
        return energy_j / (0.65 * hhv_h2_j_per_kg) * 18.015 / 2.016

    # the code's RFC reactant mass for the night against the hand figure above (1 kg: its rounding; measured
    # 3,467.80 kg) and against the hand formula to float precision (1e-6 kg)
    night_reactants_kg = rfc_mass_kg(night_j, 0.0, 0.0, PowerTechnology())["rfc_reactants"]
    assert night_reactants_kg == pytest.approx(3_468.0, abs=1.0)  # kg
    assert night_reactants_kg == pytest.approx(reactants_kg(night_j), abs=1e-6)  # kg
    # The sized system stores the night plus the dawn and dusk hours when the array gives less than the load:
    # the longest deficit of the chosen array, found by a second algorithm, and the reactants for exactly that
    gen_w = r.array_area_m2 * 0.25 * _irradiance()
    deficit_j = _longest_deficit_j(gen_w, LOAD_W)
    assert r.storage_delivered_j == pytest.approx(deficit_j, rel=1e-9)
    assert r.masses_kg["rfc_reactants"] == pytest.approx(reactants_kg(deficit_j), abs=1e-6)  # kg
    assert deficit_j >= night_j
    # Tolerance 1,300 kg (10 % of 12.8 t) on the total: reactants (3.6 t) follow from the inputs above, but the
    # tank and stack specific masses (8.1 t here) are this module's assumptions (PowerTechnology docstring), not
    # Colozza's: 1,300 kg is a 16 % change of those 8.1 t. Measured 12,991 kg.
    assert r.total_mass_kg == pytest.approx(12_800, abs=1_300.0)  # kg


def test_kilopower_three_units() -> None:
    # 28.05 kW / 10 kWe per unit -> 3 units. Unit mass 1,545 kg: Colozza 2020 (NASA/CR-2020-220368), the
    # Kilopower 10 kWe unit (../shared/DESIGN.md: "Kilopower 10 kWe 1,545 kg"). The total is exactly
    # 3 x 1,545 = 4,635 kg. Documented residual (docs/operations.md): Colozza's fission total is 4,853 kg,
    # 218 kg (4.5 %) more, for the cabling and power management that this sizing does not model.
    r = size_power(_irradiance(), LOAD_W, DT_S, "fission")
    assert r.fission_units == 3
    assert r.total_mass_kg == 3 * 1_545.0
    assert r.masses_kg == {"fission": 4_635.0}


def test_li_ion_heavier_than_rfc_heavier_than_fission() -> None:
    irr = _irradiance()
    masses = [size_power(irr, LOAD_W, DT_S, o).total_mass_kg for o in ("pv_battery", "pv_rfc", "fission")]
    assert masses[0] > masses[1] > masses[2]
