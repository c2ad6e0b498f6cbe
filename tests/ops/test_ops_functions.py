"""Layer-1 formulas: values from geometry and stoichiometry, and broadcasting."""

from __future__ import annotations

import numpy as np
import pytest

from lunarops.ops import functions as fn


def test_disk_fraction_values_and_broadcast() -> None:
    r = np.radians(0.2666)  # mean solar angular radius from 1 AU (959.6 arcsec)
    # centre on the horizon: half the disk; one radius above: all; one radius below: none
    assert fn.solar_disk_visible_fraction(0.0, 0.0, r) == pytest.approx(0.5, abs=1e-15)
    assert fn.solar_disk_visible_fraction(r, 0.0, r) == 1.0
    assert fn.solar_disk_visible_fraction(-r, 0.0, r) == 0.0
    # circular segment of height r/2 (x = -0.5): (acos(-1/2) - ... ) -> 1 - (2pi/3 + sqrt(3)/4) / pi
    assert fn.solar_disk_visible_fraction(-0.5 * r, 0.0, r) == pytest.approx(
        1 - (2 * np.pi / 3 + np.sqrt(3) / 4) / np.pi, abs=1e-12
    )
    out = fn.solar_disk_visible_fraction(np.linspace(-r, r, 5)[:, None], np.zeros(3), r)
    assert out.shape == (5, 3)
    assert np.all(np.diff(out[:, 0]) > 0)
    assert np.isnan(fn.solar_disk_visible_fraction(np.nan, 0.0, r))


def test_horizon_dip_of_a_10_m_mast() -> None:
    # small-angle dip sqrt(2 h / R) for h = 10 m on the 1737.4 km sphere: 3.393e-3 rad (0.194 deg)
    assert fn.horizon_dip_rad(10.0) == pytest.approx(np.sqrt(2 * 10.0 / 1_737_400.0), rel=1e-5)
    assert fn.horizon_dip_rad(0.0) == 0.0


def test_incidence() -> None:
    # a panel tilted 30 deg facing south sees a Sun at elevation 60 deg due south face-on
    assert fn.cos_incidence_fixed(np.radians(60), np.pi, np.radians(30), np.pi) == pytest.approx(1.0, abs=1e-15)
    # Sun behind the panel: clipped to 0
    assert fn.cos_incidence_fixed(np.radians(5), 0.0, np.radians(90), np.pi) == 0.0
    assert fn.cos_incidence_vertical_tracking(np.radians(60)) == pytest.approx(0.5, abs=1e-15)
    assert fn.cos_incidence_vertical_tracking(np.zeros((2, 3))).shape == (2, 3)


def test_flux_decay_ice_and_stoichiometry() -> None:
    # total solar irradiance at 1 au, 1360.8 W/m2 (Kopp & Lean 2011, GRL 38, L01706); 1 au = 149,597,870,700 m
    # exactly (IAU 2012 Resolution B2); inverse square at 2 au. 1e-9 W/m2 is float rounding.
    assert fn.solar_flux_w_per_m2(1.495978707e11) == pytest.approx(1360.8, abs=1e-9)  # W/m2
    assert fn.solar_flux_w_per_m2(2 * 1.495978707e11) == pytest.approx(1360.8 / 4, abs=1e-9)  # W/m2
    assert fn.radioisotope_power_w(100.0, fn.PU238_HALF_LIFE_S) == pytest.approx(50.0, abs=1e-12)
    # 5 wt % ice: 20 kg regolith per kg water
    assert fn.ice_extraction_energy_j_per_kg(0.05, 1e5, 3e6) == pytest.approx(20 * 1e5 + 3e6, rel=1e-15)
    # 2 H2O -> 2 H2 + O2: 36.03 kg water per 32.00 kg O2; 2.016 kg H2 per 18.015 kg water
    assert fn.electrolysis_water_per_o2() == pytest.approx(36.03 / 31.998, rel=1e-12)
    assert fn.electrolysis_h2_per_water() == pytest.approx(2.016 / 18.015, rel=1e-12)
    # CO2 + 4 H2 -> CH4 + 2 H2O: CO2-limited vs H2-limited
    assert fn.sabatier_water_kg(44.009, 100.0, 1.0) == pytest.approx(36.03, rel=1e-12)
    assert fn.sabatier_water_kg(1000.0, 8.064, 1.0) == pytest.approx(36.03, rel=1e-12)
    np.testing.assert_array_equal(fn.steps_to_failure([0.2, 1.0, 1.5, 3.0], 1.0), [1, 1, 2, 3])
