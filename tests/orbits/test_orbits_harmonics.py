"""The Moon's degree-2 field (unnormalized J2, C22; DE430 lunar values) in the heyoka ephemeris model."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from lunarops.constants import GM_MOON_M3_PER_S2
from lunarops.ephemeris import default_ephemeris
from lunarops.orbits.ephemeris_model import (
    GM_KM3_S2,
    LUNAR_C22,
    LUNAR_GRAVITY_RADIUS_KM,
    LUNAR_J2,
    EphemerisModel,
    _degree2_body_acceleration,
)
from lunarops.orbits.functions import state_to_elements
from lunarops.orbits.kepler import initial_state_j2000, low_lunar_orbit
from lunarops.timescale import parse_utc

DAYS = 10.0

# Pinned here, not read from the module: the Moon's degree-2 coefficients, UNNORMALIZED, principal-axis frame,
# reference radius 1738.0 km, as listed for JPL's DE430/DE431 (Folkner, Williams, Boggs, Park & Kuchynka 2014,
# "The Planetary and Lunar Ephemerides DE430 and DE431", IPN Progress Report 42-196, Table 11: J2 (undistorted)
# = 2.0321568464952570e-4, C22 = 2.2382740590560020e-5, R = 1738.0 km). The fully normalized equivalents are
# C20 = -J2 / sqrt(5) = -9.0881e-5 and C22 / sqrt(5/12) = 3.4675e-5; the nodal-regression test below uses the
# unnormalized J2 in Vallado's formula, so a normalized value (sqrt(5) smaller) would fail its 15 % tolerance.
# The module's comment used to credit LP165P (Konopliv et al. 2001, Icarus 150:1-18); those digits are DE430's.
J2_DE430 = 2.0321568464952570e-4
C22_DE430 = 2.2382740590560020e-5
RADIUS_DE430_KM = 1738.0
# DE421 lunar GM (Folkner, Williams & Boggs 2008/2009, IPN Progress Report 42-178, Table 8): 4902.800076 km^3/s^2.
GM_MOON_DE421_KM3_S2 = 4902.800076


def test_module_constants_are_the_published_ones() -> None:
    assert LUNAR_J2 == J2_DE430
    assert LUNAR_C22 == C22_DE430
    assert LUNAR_GRAVITY_RADIUS_KM == RADIUS_DE430_KM
    assert GM_KM3_S2["moon"] == pytest.approx(GM_MOON_DE421_KM3_S2, rel=1e-15)


def _potential(p: np.ndarray) -> float:
    # U2 = GM R^2 / r^3 [ -J2 (3 z^2 / r^2 - 1) / 2 + 3 C22 (x^2 - y^2) / r^2 ] (Kaula 1966, unnormalized)
    x, y, z = p
    r = math.sqrt(x * x + y * y + z * z)
    k = GM_MOON_DE421_KM3_S2 * RADIUS_DE430_KM**2 / r**3
    return k * (-J2_DE430 * (3 * z * z / (r * r) - 1) / 2 + 3 * C22_DE430 * (x * x - y * y) / (r * r))


@pytest.mark.parametrize("p", [(1900.0, 300.0, -200.0), (100.0, -1500.0, 1200.0), (-800.0, 900.0, 1600.0)])
def test_acceleration_is_the_gradient_of_the_potential(p: tuple[float, float, float]) -> None:
    # Second algorithm: central differences of the potential (step 1 m).
    point = np.array(p)
    h = 1e-3
    numerical = [(_potential(point + h * e) - _potential(point - h * e)) / (2 * h) for e in np.eye(3)]
    analytic = _degree2_body_acceleration(*point)
    assert np.allclose(analytic, numerical, rtol=1e-7, atol=1e-16)


@pytest.fixture(scope="module")
def models() -> tuple[EphemerisModel, EphemerisModel]:
    epoch = parse_utc("2030-03-01T00:00:00Z")
    return EphemerisModel(epoch, DAYS * 86400.0, harmonics=True), EphemerisModel(epoch, DAYS * 86400.0)


def test_heyoka_matches_dop853_with_harmonics(models: tuple[EphemerisModel, EphemerisModel]) -> None:
    # scipy DOP853 (rtol 1e-13) on the numba mirror of the same equations, 1 day of a 100 km LLO: measured
    # 1.7e-6 m over 2 days; bound 1 cm.
    harmonic, _ = models
    state0 = initial_state_j2000(low_lunar_orbit(100.0, 60.0), default_ephemeris().rotation_j2000_to_me(harmonic.epoch))
    grid = np.linspace(0.0, 86400.0, 97)
    track = harmonic.propagate(state0, grid)
    sol = solve_ivp(harmonic.acceleration_km_s2, (0.0, grid[-1]), state0 / 1e3, method="DOP853", rtol=1e-13,
                    atol=1e-13, t_eval=grid)
    assert np.max(np.abs(sol.y[:3] * 1e3 - track.position_m)) < 1e-2


def test_j2_nodal_regression(models: tuple[EphemerisModel, EphemerisModel]) -> None:
    # Secular J2 regression of the node, dOmega/dt = -3/2 n J2 (R/a)^2 cos i (Vallado 2013, eq. 9-41): for a
    # 100 km, 60 deg LLO, -0.105 rad in 10 days. Subtracting the point-mass run removes the Earth's and Sun's
    # share; C22 and the other harmonics and short-period terms, which the secular J2 formula leaves out, make the
    # measured drift -0.1119 rad, 0.0071 rad (7 %) beyond it; bound 0.015 rad (0.86 deg, about twice that).
    harmonic, point = models
    rotation0 = default_ephemeris().rotation_j2000_to_me(harmonic.epoch)
    state0 = initial_state_j2000(low_lunar_orbit(100.0, 60.0), rotation0)
    grid = np.array([0.0, DAYS * 86400.0])

    def node_drift(model: EphemerisModel) -> float:
        track = model.propagate(state0, grid)
        nodes = []
        for i in (0, -1):
            state = np.concatenate([rotation0 @ track.position_m[:, i], rotation0 @ track.velocity_m_per_s[:, i]])
            nodes.append(state_to_elements(state, GM_MOON_M3_PER_S2)["raan_rad"])
        return float(np.angle(np.exp(1j * (nodes[1] - nodes[0]))))

    a_km = 1737.4 + 100.0
    n = math.sqrt(GM_MOON_DE421_KM3_S2 / a_km**3)
    expected = -1.5 * n * J2_DE430 * (RADIUS_DE430_KM / a_km) ** 2 * math.cos(math.radians(60.0)) * DAYS * 86400
    assert node_drift(harmonic) - node_drift(point) == pytest.approx(expected, abs=0.015)  # rad
