"""Pure functions and numba kernels of lunarops.illumination.functions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lunarops.errors import InputError
from lunarops.illumination import functions as F
from lunarops.illumination.timegrid import parse_step_s, period_times
from lunarops.timescale import utc_iso

R_SUN = math.radians(0.2666)  # mean solar angular radius seen from 1 AU: 959.6 arcsec (IAU nominal radius / AU)


def test_disk_fraction_analytic_values() -> None:
    # Plane geometry of a circle cut by a chord (circular segment area, e.g. CRC Standard Math Tables):
    # centre on the line -> 1/2; line tangent below/above -> 1/0; chord at half the radius above the centre ->
    # segment below = r^2 (acos(1/2) - (1/2) sqrt(3/4)) = r^2 (pi/3 - sqrt(3)/4), visible = 1 - that / pi.
    r = R_SUN
    assert F.disk_visible_fraction(0.0, 0.0, r) == pytest.approx(0.5, abs=1e-15)
    assert F.disk_visible_fraction(r, 0.0, r) == pytest.approx(1.0, abs=1e-15)
    assert F.disk_visible_fraction(-r, 0.0, r) == pytest.approx(0.0, abs=1e-15)
    expected = 1.0 - (math.pi / 3 - math.sqrt(3) / 4) / math.pi
    assert F.disk_visible_fraction(0.5 * r, 0.0, r) == pytest.approx(expected, abs=1e-14)
    assert F.disk_visible_fraction(-0.5 * r, 0.0, r) == pytest.approx(1 - expected, abs=1e-14)


def test_disk_fraction_matches_monte_carlo_area() -> None:
    # Independent check: the fraction of uniformly spread points of the unit disk lying above the line.
    rng = np.random.default_rng(7)
    radius = np.sqrt(rng.uniform(0, 1, 400_000))
    angle = rng.uniform(0, 2 * np.pi, radius.size)
    y = radius * np.sin(angle)
    for d in (-0.8, -0.3, 0.1, 0.6):
        counted = float(np.mean(y > -d))  # line at -d in units of r below the centre
        assert F.disk_visible_fraction(d * R_SUN, 0.0, R_SUN) == pytest.approx(counted, abs=3e-3)


@settings(max_examples=200, deadline=None)
@given(el=st.floats(-0.1, 0.1), h1=st.floats(-0.1, 0.1), h2=st.floats(-0.1, 0.1), r=st.floats(1e-4, 0.02))
def test_disk_fraction_bounded_and_monotone_in_horizon(el: float, h1: float, h2: float, r: float) -> None:
    f1 = float(F.disk_visible_fraction(el, h1, r))
    f2 = float(F.disk_visible_fraction(el, h2, r))
    assert 0.0 <= f1 <= 1.0
    low_horizon, high_horizon = (f1, f2) if h1 <= h2 else (f2, f1)
    assert low_horizon >= high_horizon - 1e-12  # the higher horizon never shows more of the disk


@settings(max_examples=100, deadline=None)
@given(x=st.floats(-1.0, 1.0))
def test_disk_fraction_symmetry(x: float) -> None:
    # f(d) + f(-d) = 1: what the line hides at +d it shows at -d (mirror symmetry of the disk).
    f = F.disk_visible_fraction(x * R_SUN, 0.0, R_SUN) + F.disk_visible_fraction(-x * R_SUN, 0.0, R_SUN)
    assert f == pytest.approx(1.0, abs=1e-12)


def test_bare_sphere_dip() -> None:
    # Dip of the horizon = acos(R / (R + h)) ~ sqrt(2 h / R): 10 m on the 1737.4 km sphere -> 0.19440 deg.
    assert math.degrees(-float(F.bare_sphere_horizon_elevation_rad(10.0))) == pytest.approx(
        math.degrees(math.sqrt(2 * 10.0 / 1_737_400.0)), rel=1e-5
    )
    assert float(F.bare_sphere_horizon_elevation_rad(0.0)) == 0.0


def test_longest_true_run() -> None:
    assert F.longest_true_run([]) == 0
    assert F.longest_true_run([False, False]) == 0
    assert F.longest_true_run([True, False, True, True, True, False, True, True]) == 3
    assert F.longest_true_run([True] * 5) == 5


def test_cell_area_matches_spherical_cap() -> None:
    # Sum of pixel areas of a fine polar stereographic grid within colatitude c equals the cap area
    # 2 pi R^2 (1 - cos c) (exact for the conformal projection; Snyder 1987 eq. 21-4).
    radius = 1_737_400.0
    pixel = 1000.0
    half = 400
    xs = (np.arange(-half, half) + 0.5) * pixel
    x, y = np.meshgrid(xs, xs)
    colat = 2 * np.arctan(np.hypot(x, y) / (2 * radius))
    cap = math.radians(10.0)
    area = F.cell_area_polar_stereographic_m2(colat, pixel)[colat <= cap].sum()
    # The exact cap is 2 pi R^2 (1 - cos 10 deg) = 288,139 km2. Whole 1 km2 cells in or out of the cap: the
    # ~1,900 cells on its ~300 km radius edge err by up to +-1 km2 each but cancel on average; measured +20 km2.
    # Bound 100 km2 (3.5e-4 of the cap): a 0.05 % error in the cell-area formula (144 km2) would fail it.
    assert area == pytest.approx(2 * math.pi * radius**2 * (1 - math.cos(cap)), abs=100e6)  # m2


def test_fast_azimuth_and_asin_accuracy() -> None:
    # Azimuth: octant and pi/8 reduction, then the Taylor series of atan to x^19 (remainder below
    # tan(pi/8)^21 / 21 = 4e-10 rad); asin series bound 3e-7 rad below |u| = 0.3.
    rng = np.random.default_rng(3)
    e, n = rng.normal(size=(2, 20_000))
    fast = np.array([F._fast_azimuth(a, b) for a, b in zip(e, n, strict=True)])
    exact = np.mod(np.arctan2(e, n), 2 * np.pi)
    diff = np.angle(np.exp(1j * (fast - exact)))
    assert np.abs(diff).max() < 1e-9
    # the axes and the octant boundaries (north, east, south, west clockwise from north; 45 deg at e = n)
    for (e1, n1), az in {(0.0, 1.0): 0.0, (1.0, 0.0): 90.0, (0.0, -1.0): 180.0, (-1.0, 0.0): 270.0,
                         (2.0, 2.0): 45.0, (-3.0, -3.0): 225.0}.items():
        assert math.degrees(F._fast_azimuth(e1, n1)) == pytest.approx(az, abs=1e-9)
    u = np.linspace(-0.99, 0.99, 5001)
    assert np.abs(np.array([F._fast_asin(v) for v in u]) - np.arcsin(u)).max() < 3e-7


def _random_cells(n: int, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    lat = np.radians(-90 + rng.uniform(0.05, 8, n))
    lon = np.radians(rng.uniform(0, 360, n))
    up, east, north = F.local_basis_me(lat, lon)
    az = np.arange(360) * np.pi / 180
    horizon = (
        np.radians(1.5) * np.sin(az[None, :] * rng.integers(1, 6, n)[:, None] + rng.uniform(0, 6, n)[:, None])
        + np.radians(rng.uniform(-1.5, 1.5, n))[:, None]
    ).astype(np.float32)
    return horizon, up, east, north


def test_sun_kernel_matches_plain_numpy() -> None:
    # The numba kernel (chunk classification, tabulated disk fraction) against the straightforward numpy computation.
    horizon, up, east, north = _random_cells(300, 11)
    rng = np.random.default_rng(5)
    lon = np.cumsum(np.full(2000, math.radians(0.508)))  # the Sun's hourly motion in lunar longitude
    lat = np.radians(1.54) * np.sin(np.arange(2000) * 2 * np.pi / 8318)
    sun = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=1)
    radius = np.full(2000, R_SUN) * rng.uniform(0.98, 1.02, 2000)
    disk, center, dark = F.sun_map_kernel(horizon, up, east, north, sun, radius)
    baseline = F.sun_map_numpy_baseline(horizon, up, east, north, sun, radius)
    assert np.abs(disk - baseline).max() < 1e-5
    # centre and longest dark against numpy too
    u = up @ sun.T
    el = np.arcsin(u)
    az = np.mod(np.arctan2(east @ sun.T, north @ sun.T), 2 * np.pi)
    h = np.array([F.horizon_elevation_at(horizon[i].astype(float), az[i]) for i in range(horizon.shape[0])])
    assert np.abs(center - (el > h).mean(axis=1)).max() <= 2 / 2000
    fraction = F.disk_visible_fraction(el, h, radius[None, :])
    longest = np.array([F.longest_true_run(row <= 0) for row in fraction])
    assert np.abs(dark - longest).max() <= 2


def test_point_source_kernel_parallax() -> None:
    # A source 10 Moon radii straight above the equator point (0, 0): visible from (0, 0) and from 80 deg away,
    # hidden at 95 deg away (beyond the tangent: acos(1/10) = 84.3 deg); flat horizon at 0.
    lat = np.radians([0.0, 0.0, 0.0])
    lon = np.radians([0.0, 80.0, 95.0])
    up, east, north = F.local_basis_me(lat, lon)
    position = up * 1_737_400.0
    source = np.array([[10 * 1_737_400.0, 0.0, 0.0]])
    horizon = np.zeros((3, 360), dtype=np.float32)
    seen, hidden = F.point_source_map_kernel(horizon, position, up, east, north, source)
    assert list(seen) == [1.0, 1.0, 0.0]
    assert list(hidden) == [0, 0, 1]


@pytest.mark.parametrize(
    ("text", "seconds"), [("1h", 3600), ("30min", 1800), ("1d", 86400), ("90s", 90), ("2.5 hours", 9000)]
)
def test_parse_step(text: str, seconds: float) -> None:
    assert parse_step_s(text) == seconds


@pytest.mark.parametrize("text", ["", "h", "1x", "-1h", "0h", "1 fortnight", "abc"])
def test_parse_step_rejects(text: str) -> None:
    with pytest.raises(InputError, match="--step"):
        parse_step_s(text)


def test_period_times_half_open() -> None:
    t = period_times("2031-01-01", "2031-01-02", 3600.0)
    assert len(t.tt) == 24
    # IERS Bulletin C 52: a leap second at 2016-12-31T23:59:60. Steps are SI seconds, so the samples after it fall
    # one second before the hour; the count stays the UTC calendar's (24 hours). It was 25 before session 12.
    t = period_times("2016-12-31T12:00", "2017-01-01T12:00", 3600.0)
    assert len(t.tt) == 24
    assert utc_iso(t)[-1] == "2017-01-01T10:59:59Z"
    # a whole year: 8,784 h in 2016 (leap year), 8,760 h in 2031
    assert len(period_times("2016-01-01", "2017-01-01", 3600.0).tt) == 8_784
    assert len(period_times("2031-01-01", "2032-01-01", 3600.0).tt) == 8_760
