"""Layer 1 of lunarops.ops: pure, vectorized formulas on SI floats (no I/O, no pydantic).

Angles in radians, powers in W, energies in J, masses in kg, times in s unless the name says otherwise.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lunarops.constants import AU_M, MOON_RADIUS_M, SPEED_OF_LIGHT_M_PER_S

#: Total solar irradiance at 1 AU (Kopp & Lean 2011, GRL 38, L01706: 1360.8 +- 0.5 W/m2). [W/m2]
SOLAR_CONSTANT_W_PER_M2 = 1360.8
#: Pu-238 half-life (NNDC / ENSDF: 87.7 y). [s]
PU238_HALF_LIFE_S = 87.7 * 365.25 * 86400.0
#: Molar masses (IUPAC 2021 standard atomic weights). [kg/mol]
M_H2O_KG_PER_MOL = 18.015e-3
M_O2_KG_PER_MOL = 31.998e-3
M_H2_KG_PER_MOL = 2.016e-3
M_CO2_KG_PER_MOL = 44.009e-3
#: Boltzmann constant (CODATA 2018, exact: 1.380649e-23 J/K) in dB: 10 log10(k) = -228.60 dBW/(K Hz).
BOLTZMANN_DBW_PER_K_HZ = 10.0 * float(np.log10(1.380649e-23))


def horizon_dip_rad(height_m: ArrayLike, radius_m: float = MOON_RADIUS_M) -> NDArray[np.float64]:
    """Dip of the geometric horizon seen from ``height_m`` above a smooth sphere: arccos(R / (R + h)). [rad]"""
    h = np.asarray(height_m, dtype=np.float64)
    return np.arccos(radius_m / (radius_m + np.maximum(h, 0.0)))


def solar_disk_visible_fraction(
    sun_elevation_rad: ArrayLike, horizon_elevation_rad: ArrayLike, sun_angular_radius_rad: ArrayLike
) -> NDArray[np.float64]:
    """Fraction of the solar disk (area) above a straight horizon at ``horizon_elevation_rad``. [-]

    The disk is a circle of angular radius r whose centre is d = elevation - horizon above the line; the
    visible area is a circular segment, A/(pi r^2) = 1 - (acos(x) - x sqrt(1 - x^2)) / pi with x = d / r
    clipped to [-1, 1]. Inputs broadcast.
    """
    el = np.asarray(sun_elevation_rad, dtype=np.float64)
    hor = np.asarray(horizon_elevation_rad, dtype=np.float64)
    r = np.asarray(sun_angular_radius_rad, dtype=np.float64)
    x = np.clip((el - hor) / r, -1.0, 1.0)
    return np.asarray(1.0 - (np.arccos(x) - x * np.sqrt(1.0 - x * x)) / np.pi, dtype=np.float64)


def cos_incidence_fixed(
    sun_elevation_rad: ArrayLike, sun_azimuth_rad: ArrayLike, tilt_rad: float, panel_azimuth_rad: float
) -> NDArray[np.float64]:
    """Cosine of the incidence angle on a fixed flat panel, clipped at 0 (Sun behind the panel). [-]

    ``tilt_rad`` is the panel's tilt from horizontal and ``panel_azimuth_rad`` the azimuth its normal faces
    (from north through east): cos i = sin(el) cos(tilt) + cos(el) sin(tilt) cos(az - az_panel).
    """
    el = np.asarray(sun_elevation_rad, dtype=np.float64)
    az = np.asarray(sun_azimuth_rad, dtype=np.float64)
    c = np.sin(el) * np.cos(tilt_rad) + np.cos(el) * np.sin(tilt_rad) * np.cos(az - panel_azimuth_rad)
    return np.asarray(np.maximum(c, 0.0), dtype=np.float64)


def cos_incidence_vertical_tracking(sun_elevation_rad: ArrayLike) -> NDArray[np.float64]:
    """Cosine of incidence on a vertical panel turned about the local vertical to face the Sun: cos(el). [-]"""
    el = np.asarray(sun_elevation_rad, dtype=np.float64)
    return np.asarray(np.maximum(np.cos(el), 0.0), dtype=np.float64)


def solar_flux_w_per_m2(
    sun_distance_m: ArrayLike, solar_constant_w_per_m2: float = SOLAR_CONSTANT_W_PER_M2
) -> NDArray[np.float64]:
    """Solar irradiance at distance ``sun_distance_m`` from the Sun (inverse square from 1 AU). [W/m2]"""
    r = np.asarray(sun_distance_m, dtype=np.float64)
    return np.asarray(solar_constant_w_per_m2 * (AU_M / r) ** 2, dtype=np.float64)


def radioisotope_power_w(
    power_bol_w: ArrayLike, elapsed_s: ArrayLike, half_life_s: float = PU238_HALF_LIFE_S
) -> NDArray[np.float64]:
    """Electric power of a Pu-238 unit after ``elapsed_s``, decaying with the fuel's half-life. [W]

    Thermocouple degradation is not included here; the operations engine adds a unit's own
    ``degradation_per_year`` (``ConstantSource``) as a second exponential loss.
    """
    p = np.asarray(power_bol_w, dtype=np.float64)
    t = np.asarray(elapsed_s, dtype=np.float64)
    return np.asarray(p * np.exp(-np.log(2.0) * t / half_life_s), dtype=np.float64)


def ice_extraction_energy_j_per_kg(
    ice_mass_fraction: ArrayLike, regolith_energy_j_per_kg: ArrayLike, water_energy_j_per_kg: ArrayLike
) -> NDArray[np.float64]:
    """Energy to win 1 kg of water from icy regolith: regolith handled per kg water times its cost, plus the
    per-kg-water cost (sublimation, capture, purification). [J/kg]

    e = e_regolith / f_ice + e_water: the excavation and heating cost scales with 1 / ice mass fraction.
    """
    f = np.asarray(ice_mass_fraction, dtype=np.float64)
    return np.asarray(np.asarray(regolith_energy_j_per_kg) / f + np.asarray(water_energy_j_per_kg), dtype=np.float64)


def electrolysis_water_per_o2() -> float:
    """Mass of water split per mass of O2 made (2 H2O -> 2 H2 + O2). [kg/kg]"""
    return 2.0 * M_H2O_KG_PER_MOL / M_O2_KG_PER_MOL


def electrolysis_h2_per_water() -> float:
    """Mass of H2 released per mass of water split (H2O -> H2 + 1/2 O2). [kg/kg]"""
    return M_H2_KG_PER_MOL / M_H2O_KG_PER_MOL


def sabatier_water_kg(co2_kg: ArrayLike, h2_kg: ArrayLike, efficiency: ArrayLike) -> NDArray[np.float64]:
    """Water recovered by the Sabatier reaction CO2 + 4 H2 -> CH4 + 2 H2O, limited by CO2 or H2. [kg]"""
    co2 = np.asarray(co2_kg, dtype=np.float64)
    h2 = np.asarray(h2_kg, dtype=np.float64)
    from_co2 = co2 * 2.0 * M_H2O_KG_PER_MOL / M_CO2_KG_PER_MOL
    from_h2 = h2 * 2.0 * M_H2O_KG_PER_MOL / (4.0 * M_H2_KG_PER_MOL)
    return np.asarray(np.asarray(efficiency) * np.minimum(from_co2, from_h2), dtype=np.float64)


def steps_to_failure(time_to_failure_h: ArrayLike, step_h: float) -> NDArray[np.int64]:
    """Operating time to failure as a whole number of steps, at least 1 (a failure is seen at the step
    whose cumulative operating time first reaches it); capped at 2**60 steps (never, in any run) so that the
    int64 cast cannot overflow. [steps]"""
    t = np.asarray(time_to_failure_h, dtype=np.float64)
    return np.clip(np.ceil(t / step_h - 1e-9), 1.0, 2.0**60).astype(np.int64)


def free_space_path_loss_db(range_m: ArrayLike, frequency_hz: float) -> NDArray[np.float64]:
    """Free-space path loss 20 log10(4 pi d f / c) between isotropic antennas (ITU-R P.525). [dB]"""
    d = np.asarray(range_m, dtype=np.float64)
    return 20.0 * np.log10(4.0 * np.pi * d * frequency_hz / SPEED_OF_LIGHT_M_PER_S)


def link_rate_bps(
    range_m: ArrayLike,
    frequency_hz: float,
    eirp_dbw: float,
    g_over_t_db_per_k: float,
    required_eb_n0_db: float,
    margin_db: float = 0.0,
    losses_db: float = 0.0,
) -> NDArray[np.float64]:
    """The highest data rate that closes a link at ``range_m`` with ``margin_db`` to spare. [bit/s]

    Eb/N0 = EIRP + G/T - L_fs - L - k - 10 log10(R) (the link equation: Wertz & Larson, SMAD, 3rd ed., sec.
    13.3), solved for R at the required Eb/N0 plus the margin; L other losses (pointing, polarization,
    atmosphere, implementation).
    """
    rate_db = (
        eirp_dbw
        + g_over_t_db_per_k
        - free_space_path_loss_db(range_m, frequency_hz)
        - losses_db
        - BOLTZMANN_DBW_PER_K_HZ
        - required_eb_n0_db
        - margin_db
    )
    return np.asarray(10.0 ** (rate_db / 10.0), dtype=np.float64)


def modem_rate_bps(closing_rate_bps: ArrayLike, rates_bps: ArrayLike) -> NDArray[np.float64]:
    """The highest of a modem's discrete rates (increasing) at or below the rate that closes the link (its
    required Eb/N0 plus margin met), 0 where none does. [bit/s]"""
    closing = np.asarray(closing_rate_bps, dtype=np.float64)
    rates = np.asarray(rates_bps, dtype=np.float64)
    index = np.searchsorted(rates, closing, side="right") - 1
    picked = rates[np.clip(index, 0, max(rates.size - 1, 0))] if rates.size else np.zeros_like(closing)
    return np.asarray(np.where(index >= 0, picked, 0.0), dtype=np.float64)
