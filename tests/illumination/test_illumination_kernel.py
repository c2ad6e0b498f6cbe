"""The chunked light kernel (sun_map_kernel) against a plain numpy computation of the same definitions.

Oracle: for every cell and sample, elevation = arcsin(up . s) and azimuth = arctan2(east . s, north . s) with
numpy's libm functions, the horizon interpolated linearly in azimuth (``horizon_elevation_at``) and the exact
circular-segment fraction (``disk_visible_fraction``); definitions in docs/illumination.md. Tolerances:
1e-5 of the time for the mean disk fraction (5 minutes a year, a twelfth of the 1 h step; the kernel's
segment fraction is good to 7e-9 per sample, its azimuth to 1e-9 rad and its arcsine to 3e-7 rad = 6e-5
solar radii),
1 sample for the Sun-centre count and the longest darkness (a sample within 1e-6 rad of the limb may flip).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from lunarops.ephemeris import default_ephemeris
from lunarops.illumination import functions as F
from lunarops.illumination.maps import cell_frames, sun_directions_me
from lunarops.illumination.timegrid import period_times
from lunarops.terrain import horizon_map, load_dem


def _reference(
    horizon: np.ndarray, up: np.ndarray, east: np.ndarray, north: np.ndarray, sun: np.ndarray, radius: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    el = np.arcsin(np.clip(up @ sun.T, -1.0, 1.0))
    az = np.mod(np.arctan2(east @ sun.T, north @ sun.T), 2 * np.pi)
    h = np.array([F.horizon_elevation_at(horizon[i].astype(float), az[i]) for i in range(horizon.shape[0])])
    disk = F.disk_visible_fraction(el, h, radius[None, :])
    dark = np.array([F.longest_true_run(row) for row in (el - h <= -radius[None, :])])
    return disk.mean(axis=1), (el > h).mean(axis=1), dark


def _assert_matches(
    horizon: np.ndarray, up: np.ndarray, east: np.ndarray, north: np.ndarray, sun: np.ndarray, radius: np.ndarray
) -> None:
    disk, center, dark = F.sun_map_kernel(horizon, up, east, north, sun, radius)
    ref_disk, ref_center, ref_dark = _reference(horizon, up, east, north, sun, radius)
    n_t = sun.shape[0]
    assert np.abs(disk - ref_disk).max() < 1e-5
    assert np.abs(center - ref_center).max() <= 1.0 / n_t + 1e-12
    assert np.abs(dark - ref_dark).max() <= 1
    # the light must vary across the cells, or the comparison would prove little
    assert ref_disk.max() - ref_disk.min() > 0.05
    assert ref_dark.max() > 24


@pytest.fixture(scope="module")
def year_2031() -> tuple[np.ndarray, np.ndarray]:
    return sun_directions_me(period_times("2031-01-01", "2032-01-01", 3600.0), default_ephemeris())


@pytest.mark.parametrize("window", [(361, 369, 361, 369), (100, 108, 361, 369)], ids=["pole", "80S"])
def test_kernel_matches_numpy_on_lola_horizons(window: tuple[int, int, int, int], year_2031) -> None:  # type: ignore[no-untyped-def]
    # Real LOLA horizons (shipped 1600 m south polar DEM) and the true cell frames, a year of hourly Sun.
    dem = load_dem("south")
    horizons = horizon_map(dem, 0.0, window=window, mode="fast").reshape(-1, 360)
    _, _, up, east, north, _ = cell_frames(dem, window, 0.0)
    valid = np.all(np.isfinite(horizons), axis=1)
    sun, radius = year_2031
    _assert_matches(np.ascontiguousarray(horizons[valid]), up[valid], east[valid], north[valid], sun, radius)


def _synthetic(lat_deg: np.ndarray, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    lat = np.radians(lat_deg)
    lon = np.radians(rng.uniform(0, 360, lat.size))
    up, east, north = F.local_basis_me(lat, lon)
    az = np.arange(90) * 2 * np.pi / 90  # 90 azimuths: a coarser mask than the maps use
    horizon = (
        np.radians(2.0)
        * np.sin(az[None, :] * rng.integers(1, 7, lat.size)[:, None] + rng.uniform(0, 6, lat.size)[:, None])
        + np.radians(rng.uniform(-1.0, 3.0, lat.size))[:, None]
    ).astype(np.float32)
    return horizon, up, east, north


def test_kernel_matches_numpy_north_and_low_latitudes() -> None:
    # North polar cells (the proxy azimuth is pi - D there), cells at 60 S .. 60 N (no proxy: exact arctangent
    # throughout) and cells 0.01 deg from either pole; Sun path of the lunar year with the 1.54 deg
    # inclination (as in test_illumination_functions), a radius varying by +-2 %.
    rng = np.random.default_rng(3)
    lat = np.concatenate([rng.uniform(70, 89.99, 120), rng.uniform(-60, 60, 60), [89.99, -89.99]])
    horizon, up, east, north = _synthetic(lat, 9)
    n = 3000
    lon = np.cumsum(np.full(n, math.radians(-0.508)))
    sun_lat = np.radians(1.54) * np.sin(np.arange(n) * 2 * np.pi / 8318)
    sun = np.stack([np.cos(sun_lat) * np.cos(lon), np.cos(sun_lat) * np.sin(lon), np.sin(sun_lat)], axis=1)
    radius = np.full(n, math.radians(0.2666)) * rng.uniform(0.98, 1.02, n)
    _assert_matches(horizon, up, east, north, sun, radius)


def test_azimuth_proxy_bound_holds_and_is_tight() -> None:
    # True azimuth (arctan2 in the local frame) against the proxy D = lambda - lon (south) or pi - D (north).
    rng = np.random.default_rng(1)
    lat = np.radians(np.concatenate([rng.uniform(-90, -30, 3000), rng.uniform(30, 90, 3000)]))
    lon = np.radians(rng.uniform(-180, 180, lat.size))
    _, east, north = F.local_basis_me(lat, lon)
    sun_lat = np.radians(rng.uniform(-1.6, 1.6, (lat.size, 64)))
    sun_lon = rng.uniform(-np.pi, np.pi, (lat.size, 64))
    s = np.stack([np.cos(sun_lat) * np.cos(sun_lon), np.cos(sun_lat) * np.sin(sun_lon), np.sin(sun_lat)], -1)
    true = np.arctan2(np.einsum("ck,ctk->ct", east, s), np.einsum("ck,ctk->ct", north, s))
    d = sun_lon - lon[:, None]
    proxy = np.where(lat[:, None] < 0, d, np.pi - d)
    error = np.abs(np.mod(true - proxy + np.pi, 2 * np.pi) - np.pi)
    qmax = math.tan(math.radians(1.6))
    bound = np.array([F.azimuth_proxy_error_bound(abs(math.sin(a)), math.cos(a), qmax) for a in lat])
    assert np.all(error.max(axis=1) <= bound)
    # not loose: around 60 deg (bound 4.1 + 0.9 deg) the largest of 64 random errors reaches most of it
    ring = np.abs(np.abs(np.degrees(lat)) - 60) < 5
    assert np.median(error.max(axis=1)[ring] / bound[ring]) > 0.5


def test_disk_fraction_polynomial_accuracy() -> None:
    # The kernel's segment fraction (acos from Abramowitz & Stegun 1964, eq. 4.4.46, |error| <= 2e-8 rad, so
    # the fraction is off by at most 2e-8 / pi = 6.4e-9) against the exact formula with numpy's arccos.
    x = np.linspace(-1.5, 1.5, 300_001)
    fast = np.array([F._disk_fraction_fast(v) for v in x])
    exact = F.disk_visible_fraction(x, 0.0, 1.0)
    assert np.abs(fast - exact).max() < 7e-9
    assert np.all(fast[x <= -1.0] == 0.0) and np.all(fast[x >= 1.0] == 1.0)  # "dark" is exactly zero


def test_band_windows_match_brute_force() -> None:
    # The horizon band of every window of knots (max of sin(h + r), min of sin(h - r) over a periodic knot
    # range), read from the sparse table, equals the brute-force max / min over the same knots, for every window
    # length up to the largest band and every start knot (the last, n_az, wraps to the first); the level-0
    # thresholds (float32) enclose numpy's sine (rounded outwards: never inside the band) and are within 3
    # float32 steps (2^-22 relative) of it.
    rng = np.random.default_rng(5)
    n_az = 360
    row = np.radians(rng.uniform(-3.0, 12.0, n_az)).astype(np.float32)
    radius = math.radians(0.27)
    thi = np.empty((F._BAND_LEVELS, n_az + F._MAX_BAND_KNOTS), dtype=np.float32)
    tlo = np.empty_like(thi)
    F._band_tables(row, radius, thi, tlo)
    h = row.astype(float)
    up, down = np.sin(h + radius), np.sin(h - radius)
    assert np.all(thi[0, :n_az] >= up) and np.all(tlo[0, :n_az] <= down)
    assert np.all(thi[0, :n_az] - up <= 2.0**-22 * np.abs(up) + 1e-30)
    assert np.all(down - tlo[0, :n_az] <= 2.0**-22 * np.abs(down) + 1e-30)
    whi, wlo = np.empty(n_az + 2), np.empty(n_az + 2)
    for length in range(1, F._MAX_BAND_KNOTS + 1):
        F._band_windows(thi, tlo, length, whi, wlo)
        knots = (np.arange(n_az + 1)[:, None] + np.arange(length)) % n_az
        np.testing.assert_array_equal(whi[: n_az + 1], thi[0, knots].max(axis=1))
        np.testing.assert_array_equal(wlo[: n_az + 1], tlo[0, knots].min(axis=1))
