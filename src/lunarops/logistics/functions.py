"""Pure rocket-equation functions for the logistics model (SI floats or numpy arrays; no I/O)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: Standard gravity of the authors' model (Isaji, Takubo & Ho 2022, open model `SCParameters.g0 = 9.8`).
G0_ISAJI_M_PER_S2 = 9.8


def propellant_fraction(dv_m_per_s: ArrayLike, isp_s: ArrayLike, g0_m_per_s2: float) -> NDArray[np.float64]:
    """Propellant burned per unit initial mass for a burn of ``dv_m_per_s`` [-].

    Tsiolkovsky: m_final / m_initial = exp(-dv / (Isp g0)), so the burned fraction is
    ``1 - exp(-dv / (Isp g0))``.
    """
    dv = np.asarray(dv_m_per_s, dtype=float)
    isp = np.asarray(isp_s, dtype=float)
    return np.asarray(-np.expm1(-dv / (isp * g0_m_per_s2)), dtype=float)


def propellant_for_final_mass_kg(
    dv_m_per_s: ArrayLike, isp_s: ArrayLike, final_mass_kg: ArrayLike, g0_m_per_s2: float
) -> NDArray[np.float64]:
    """Propellant [kg] to give ``final_mass_kg`` (burnout mass) a velocity change ``dv_m_per_s``."""
    dv = np.asarray(dv_m_per_s, dtype=float)
    isp = np.asarray(isp_s, dtype=float)
    return np.asarray(np.asarray(final_mass_kg, dtype=float) * np.expm1(dv / (isp * g0_m_per_s2)), dtype=float)


def max_delta_v_m_per_s(
    dry_mass_kg: ArrayLike, propellant_kg: ArrayLike, payload_kg: ArrayLike, isp_s: ArrayLike, g0_m_per_s2: float
) -> NDArray[np.float64]:
    """Largest velocity change [m/s] of a stage of dry mass, propellant load and payload (all burned)."""
    dry = np.asarray(dry_mass_kg, dtype=float)
    prop = np.asarray(propellant_kg, dtype=float)
    pay = np.asarray(payload_kg, dtype=float)
    isp = np.asarray(isp_s, dtype=float)
    return np.asarray(isp * g0_m_per_s2 * np.log((dry + prop + pay) / (dry + pay)), dtype=float)


def oxidizer_share(oxidizer_to_fuel: ArrayLike) -> NDArray[np.float64]:
    """Mass share of oxidizer in a bipropellant load of mixture ratio O/F [-]."""
    ratio = np.asarray(oxidizer_to_fuel, dtype=float)
    return np.asarray(ratio / (1.0 + ratio), dtype=float)
