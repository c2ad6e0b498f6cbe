"""Lines of sight (site <-> orbiter with a terrain horizon, orbiter <-> Earth), shadow geometry, statistics."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lunarops.constants import MOON_RADIUS_M
from lunarops.orbits.functions import coverage_statistics, disk_overlap_fraction, intervals_from_mask
from lunarops.orbits.visibility import orbiter_sees_earth, site_sees_orbiter
from lunarops.terrain.horizon import HorizonMask


def _orbiter_at(central_angle_rad: float, radius_m: float) -> np.ndarray:
    """An orbiter above the meridian 0, ``central_angle`` north of a site at (0 N, 0 E)."""
    return np.array([[radius_m * math.cos(central_angle_rad)], [0.0], [radius_m * math.sin(central_angle_rad)]])


@pytest.mark.parametrize("theta_deg", [0.0, 5.0, 20.0, 40.0, 60.0])
def test_elevation_matches_spherical_trigonometry(theta_deg: float) -> None:
    # Elevation of a satellite at radius r seen from the surface at central angle theta (e.g. Vallado 2013,
    # sec. 11.2): tan(el) = (cos theta - R / r) / sin theta.
    r = MOON_RADIUS_M + 3000e3
    theta = math.radians(theta_deg)
    _, azimuth, elevation = site_sees_orbiter(_orbiter_at(theta, r), 0.0, 0.0)
    expected = math.pi / 2 if theta == 0 else math.atan2(math.cos(theta) - MOON_RADIUS_M / r, math.sin(theta))
    assert float(elevation[0]) == pytest.approx(expected, abs=1e-12)
    if theta_deg > 0:
        assert float(azimuth[0]) == pytest.approx(0.0, abs=1e-12)  # due north


def test_smooth_horizon_versus_terrain_mask() -> None:
    r = MOON_RADIUS_M + 3000e3
    # the smooth-sphere horizon: visible exactly while the elevation is above the dip of a 10 m mast
    theta_horizon = math.acos(MOON_RADIUS_M / r)
    seen_before, _, _ = site_sees_orbiter(_orbiter_at(theta_horizon - 0.01, r), 0.0, 0.0, 10.0)
    seen_after, _, _ = site_sees_orbiter(_orbiter_at(theta_horizon + 0.01, r), 0.0, 0.0, 10.0)
    assert seen_before[0] and not seen_after[0]
    # a 30 deg ridge to the north hides an orbiter at 20 deg elevation but not one at 40 deg
    azimuths = np.linspace(0.0, 2 * np.pi, 36, endpoint=False)
    mask = HorizonMask(azimuths, np.where(np.abs(np.sin(azimuths / 2)) < 0.3, math.radians(30.0), 0.0))
    for elevation_deg, expected in ((20.0, False), (40.0, True)):
        el = math.radians(elevation_deg)
        # central angle for this elevation: theta = acos(R cos(el) / r) - el
        theta = math.acos(MOON_RADIUS_M * math.cos(el) / r) - el
        seen, _, elevation = site_sees_orbiter(_orbiter_at(theta, r), 0.0, 0.0, 0.0, mask)
        assert float(elevation[0]) == pytest.approx(el, abs=1e-9)
        assert bool(seen[0]) is expected
    # and a minimum antenna elevation of 45 deg hides an orbiter at 39 deg that the terrain lets through
    seen, _, _ = site_sees_orbiter(_orbiter_at(0.6, r), 0.0, 0.0, 0.0, mask, min_elevation_deg=45.0)  # el 39 deg
    assert not seen[0]


def test_earth_link_blocked_by_the_moon() -> None:
    earth = np.array([[384400e3, 384400e3], [0.0, 0.0], [0.0, 0.0]])
    orbiters = np.array([[-3000e3, 0.0], [0.0, 3000e3], [0.0, 0.0]])  # behind the Moon / beside it
    assert orbiter_sees_earth(orbiters, earth).tolist() == [False, True]


def test_intervals_and_statistics() -> None:
    t = np.arange(10.0) * 60.0
    mask = np.array([1, 1, 0, 0, 0, 1, 1, 1, 0, 1], dtype=bool)
    assert intervals_from_mask(mask, t).tolist() == [[0.0, 60.0], [300.0, 420.0], [540.0, 540.0]]
    stats = coverage_statistics(mask, t)
    assert stats["fraction_visible"] == pytest.approx(0.6)  # 6 of 10 samples
    # Convention (coverage_statistics' docstring): a gap or window lasts (number of its samples) x step, each sample
    # standing for the step that starts at it. The longest gap has 3 false samples (t = 120, 180, 240 s): 3 x 60 s
    # = 180 s, not the 240 s span between the last visible sample (60 s) and the next one (300 s).
    assert stats["longest_gap_s"] == pytest.approx(180.0)
    assert stats["mean_gap_s"] == pytest.approx((3 * 60.0 + 1 * 60.0) / 2)  # gaps of 3 and 1 samples
    assert stats["mean_window_s"] == pytest.approx((2 + 3 + 1) * 60.0 / 3)  # windows of 2, 3 and 1 samples
    assert stats["n_windows"] == 3


@settings(max_examples=40, deadline=None)
@given(a=st.floats(0.2, 1.0), b=st.floats(0.2, 1.5), c=st.floats(0.0, 2.6))
def test_disk_overlap_matches_numerical_area(a: float, b: float, c: float) -> None:
    # Second algorithm: count points of a fine grid over the Sun's disk that fall inside the body's disk.
    n = 600
    x, y = np.meshgrid(np.linspace(-a, a, n), np.linspace(-a, a, n))
    inside_sun = x**2 + y**2 <= a**2
    hidden = inside_sun & ((x - c) ** 2 + y**2 <= b**2)
    numerical = hidden.sum() / inside_sun.sum()
    assert float(disk_overlap_fraction(a, b, c)) == pytest.approx(numerical, abs=0.01)
