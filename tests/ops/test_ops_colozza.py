"""Power sizing against Colozza 2020 (NASA/CR-2020-220368), base camp case.

28.05 kW continuous at 30 N, fixed array tilted 30 deg toward the equator, 708.33 h lunar cycle (about
354 h of night), 1,359 W/m2, 25 % array efficiency, 1.59 kg/m2 blanket + 0.55 kg/m2 structure; Li-ion
200 Wh/kg at 80 % depth of discharge; RFC with fuel cell 0.65 and electrolyser 0.85. Colozza's totals:
about 65.8 t (PV + Li-ion), 12.8 t (PV + RFC), 4,853 kg for three 10 kWe Kilopower units.
"""

from __future__ import annotations

import numpy as np
import pytest

from lunarops.ops import functions as fn
from lunarops.ops.sizing import size_power

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


def test_cycle_has_about_354_hours_of_night() -> None:
    irr = _irradiance()
    night_h = np.sum(irr[: int(CYCLE_H * 3600 / DT_S)] == 0) * DT_S / 3600
    assert night_h == pytest.approx(354.0, abs=1.0)


def test_pv_li_ion_about_65_8_t() -> None:
    # Tolerance 3 %: the brief gives the mass figures but not Colozza's PMAD/charge efficiencies (taken as 1);
    # the battery (about 97 % of the mass) is set by the 354 h night x 28.05 kW / (200 Wh/kg x 0.8)
    r = size_power(_irradiance(), LOAD_W, DT_S, "pv_battery")
    assert r.total_mass_kg == pytest.approx(65_800, rel=0.03)
    night_kwh = LOAD_W * 354.17 / 1e3
    assert night_kwh <= r.storage_delivered_j / 3.6e6 <= 1.1 * night_kwh  # dawn/dusk adds a little


def test_pv_rfc_about_12_8_t() -> None:
    # Tolerance 10 %: reactant mass follows from the HHV and the 0.65 fuel-cell efficiency, but the tank and
    # stack specific masses are this module's assumptions (PowerTechnology docstring), not Colozza's figures
    r = size_power(_irradiance(), LOAD_W, DT_S, "pv_rfc")
    assert r.total_mass_kg == pytest.approx(12_800, rel=0.10)
    assert r.masses_kg["rfc_reactants"] == pytest.approx(
        r.storage_delivered_j / (0.65 * 285.83e3 / 18.015e-3), rel=1e-12
    )


def test_kilopower_three_units() -> None:
    # 3 x 1,545 kg = 4,635 kg vs Colozza's 4,853 kg: within 5 %, the difference being the cabling and power
    # management Colozza adds and this sizing does not model
    r = size_power(_irradiance(), LOAD_W, DT_S, "fission")
    assert r.fission_units == 3
    assert r.total_mass_kg == pytest.approx(4_853, rel=0.05)


def test_li_ion_heavier_than_rfc_heavier_than_fission() -> None:
    irr = _irradiance()
    masses = [size_power(irr, LOAD_W, DT_S, o).total_mass_kg for o in ("pv_battery", "pv_rfc", "fission")]
    assert masses[0] > masses[1] > masses[2]
