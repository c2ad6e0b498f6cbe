"""Keplerian lunar orbits, two-body relations, impulsive transfers and the rocket equation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lunarops.constants import G0_M_PER_S2, GM_MOON_M3_PER_S2
from lunarops.errors import InputError
from lunarops.orbits.functions import (
    bielliptic_dv_m_per_s,
    elements_to_state,
    hohmann_dv_m_per_s,
    kepler_propagate,
    propellant_mass_kg,
    state_to_elements,
)
from lunarops.orbits.kepler import KeplerOrbit, frozen_elliptical, low_lunar_orbit


def test_queqiao2_period() -> None:
    # Queqiao-2 relay orbit, 200 x 16,000 km altitude, 62.4 deg, "24-hour" elliptical frozen orbit (CNSA mission
    # description, March-April 2024). The exact two-body period follows from Kepler's third law,
    # T = 2 pi sqrt(a^3 / mu), a = 1737.4 + (200 + 16000) / 2 = 9837.4 km (R = 1737.4 km, IAU/LOLA mean radius),
    # mu = GM_Moon of DE421 = 4902.800076 km^3/s^2 (Folkner et al. 2008, IPN PR 42-178, Table 8):
    # 87,554 s = 24.32 h, which the published "24 h" rounds.
    orbit = frozen_elliptical(200.0, 16000.0, 62.4)
    assert orbit.period_s / 3600.0 == pytest.approx(24.3, abs=0.05)
    a_km = 1737.4 + (200.0 + 16000.0) / 2.0
    kepler_s = 2.0 * math.pi * math.sqrt(a_km**3 / 4902.800076)
    assert orbit.period_s == pytest.approx(kepler_s, abs=1.0)  # [s]


def test_frozen_inclination_condition() -> None:
    # The averaged third-body frozen condition cos^2 i = 3/5 (1 - e^2) (Ely 2005, J. Astronaut. Sci. 53) gives
    # Queqiao-2's published 62.4 deg for its eccentricity to within 0.2 deg.
    e = frozen_elliptical(200.0, 16000.0).eccentricity
    assert math.degrees(math.acos(math.sqrt(0.6 * (1 - e * e)))) == pytest.approx(62.4, abs=0.2)


def test_llo_period() -> None:
    # 100 km circular LLO: about 118 min (2 pi sqrt(1837.4^3 / 4902.8) s; e.g. LRO's mapping orbit ~113-118 min).
    assert low_lunar_orbit(100.0).period_s / 60.0 == pytest.approx(117.7, abs=0.3)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"periapsis_alt_km": 200.0, "apoapsis_alt_km": 100.0}, "below periapsis"),
        ({"periapsis_alt_km": -5.0, "apoapsis_alt_km": 100.0}, "below the lunar surface"),
        ({"periapsis_alt_km": 0.0, "apoapsis_alt_km": 100.0}, "below the lunar surface"),
        ({"periapsis_alt_km": 100.0, "apoapsis_alt_km": 100.0, "inc_deg": 200.0}, "inc_deg"),
        ({"periapsis_alt_km": 100.0, "apoapsis_alt_km": 90000.0}, "Hill sphere"),
        ({"periapsis_alt_km": float("nan"), "apoapsis_alt_km": 100.0}, "finite"),
    ],
)
def test_non_physical_orbits_are_named_errors(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(InputError, match=match):
        KeplerOrbit(**kwargs)  # type: ignore[arg-type]


def test_unknown_reference_plane() -> None:
    with pytest.raises(InputError, match="reference_plane"):
        KeplerOrbit(100.0, 200.0, reference_plane="ecliptic")


@settings(max_examples=60, deadline=None)
@given(
    a_km=st.floats(1800.0, 50000.0),
    e=st.floats(0.01, 0.9),  # argp and nu are undefined for circular orbits
    inc=st.floats(0.01, 3.13),
    raan=st.floats(0.0, 6.28),
    argp=st.floats(0.0, 6.28),
    nu=st.floats(0.0, 6.28),
)
def test_elements_round_trip(a_km: float, e: float, inc: float, raan: float, argp: float, nu: float) -> None:
    state = elements_to_state(a_km * 1e3, e, inc, raan, argp, nu, GM_MOON_M3_PER_S2)
    back = state_to_elements(state, GM_MOON_M3_PER_S2)
    again = elements_to_state(back["a_m"], back["e"], back["i_rad"], back["raan_rad"], back["argp_rad"],
                              back["nu_rad"], GM_MOON_M3_PER_S2)
    assert back["a_m"] == pytest.approx(a_km * 1e3, rel=1e-9)
    assert np.allclose(again[:3], state[:3], atol=1e-3)  # [m]


def test_kepler_propagation_closes_after_one_period() -> None:
    orbit = KeplerOrbit(200.0, 16000.0, 62.4)
    state = orbit.state_me()
    out = kepler_propagate(state, [0.0, orbit.period_s / 2, orbit.period_s], GM_MOON_M3_PER_S2)
    assert np.linalg.norm(out[:3, -1] - state[:3]) < 1e-3  # [m]
    assert np.linalg.norm(out[:3, 1]) == pytest.approx(orbit.apoapsis_radius_m, rel=1e-12)  # M = pi: apoapsis


def test_hohmann_bielliptic_crossover() -> None:
    # Hoelker & Silber (1961): with an infinitely distant intermediate apoapsis, the bi-elliptic transfer beats
    # the Hohmann transfer for r2/r1 > 11.94 (the limit "parabolic" bi-elliptic costs (sqrt(2) - 1)(1 + sqrt(r1/r2))
    # in units of the initial circular speed).
    r1 = 2000e3
    for ratio, hohmann_cheaper in ((11.0, True), (13.0, False)):
        hohmann = float(hohmann_dv_m_per_s(r1, ratio * r1, GM_MOON_M3_PER_S2))
        limit = float(bielliptic_dv_m_per_s(r1, ratio * r1, 1e6 * r1, GM_MOON_M3_PER_S2))
        assert (hohmann < limit) == hohmann_cheaper


def test_hohmann_cost_peaks_at_ratio_15_58() -> None:
    # The Hohmann delta-v (in units of v1) is largest, 0.536, at r2/r1 = 15.58 (Vallado, Fundamentals of
    # Astrodynamics and Applications, 4th ed., sec. 6.3).
    r1 = 2000e3
    v1 = math.sqrt(GM_MOON_M3_PER_S2 / r1)
    ratios = np.linspace(5.0, 40.0, 3501)
    dv = hohmann_dv_m_per_s(r1, ratios * r1, GM_MOON_M3_PER_S2) / v1
    assert ratios[np.argmax(dv)] == pytest.approx(15.58, abs=0.02)
    assert dv.max() == pytest.approx(0.536, abs=0.001)


def test_rocket_equation_identity() -> None:
    # Tsiolkovsky: dv = Isp g0 ln 2 doubles the mass, so the propellant equals the final mass.
    isp = 450.0
    assert float(propellant_mass_kg(1000.0, isp * G0_M_PER_S2 * math.log(2.0), isp, G0_M_PER_S2)) == pytest.approx(
        1000.0, rel=1e-12
    )
