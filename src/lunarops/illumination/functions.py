"""Layer 1 of illumination: pure, vectorized functions and numba kernels on SI floats (radians, metres).

Conventions (see docs/illumination.md):

- The Sun is a uniform disk of true angular radius ``r = asin(R_sun / d)``. The horizon at the Sun's azimuth is
  a horizontal line at elevation ``h``; the visible fraction of the disk is the area of the part of a circle
  of radius ``r`` whose centre is ``d = el - h`` above the line, divided by ``pi r^2`` (exact segment-area
  formula of plane geometry; the disk is 0.27 deg across, so the flat-sky error is below 1e-6).
- Azimuth from local north through east, radians in [0, 2 pi); elevation above the local horizontal plane
  (normal = radial direction of the Moon-centred sphere).
- A horizon mask is sampled at ``n_az`` azimuths ``k * 2 pi / n_az`` and interpolated linearly between them
  (periodic).
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

from lunarops.constants import MOON_RADIUS_M

FloatArray = NDArray[np.float64]
TWO_PI = 2.0 * math.pi


def angular_radius_rad(body_radius_m: ArrayLike, distance_m: ArrayLike) -> FloatArray:
    """True angular radius of a sphere of radius ``body_radius_m`` seen from ``distance_m``. [rad]"""
    return np.arcsin(np.asarray(body_radius_m, dtype=float) / np.asarray(distance_m, dtype=float))


def bare_sphere_horizon_elevation_rad(
    height_above_sphere_m: ArrayLike, radius_m: float = MOON_RADIUS_M
) -> FloatArray:
    """Elevation of the horizon of a bare sphere seen from ``height_above_sphere_m`` above it. [rad]

    The geometric dip ``-acos(R / (R + H))``: 0 at the surface, -0.194 deg at 10 m on the Moon. Heights
    below the sphere give 0 (the observer then sees the local horizontal plane).
    """
    height = np.maximum(np.asarray(height_above_sphere_m, dtype=float), 0.0)
    return -np.arccos(radius_m / (radius_m + height))


def disk_visible_fraction(
    center_elevation_rad: ArrayLike, horizon_elevation_rad: ArrayLike, angular_radius_rad: ArrayLike
) -> FloatArray:
    """Fraction of a disk's area above a horizontal horizon line. [0..1]

    With ``x = (el - h) / r`` clipped to [-1, 1] the fraction is ``1 - (acos(x) - x sqrt(1 - x^2)) / pi``:
    0 when the top limb is at or below the horizon, 1/2 when the horizon passes through the centre, 1 when the
    bottom limb is at or above it.
    """
    el = np.asarray(center_elevation_rad, dtype=float)
    h = np.asarray(horizon_elevation_rad, dtype=float)
    r = np.asarray(angular_radius_rad, dtype=float)
    x = np.clip((el - h) / r, -1.0, 1.0)
    return np.asarray(1.0 - (np.arccos(x) - x * np.sqrt(1.0 - x * x)) / math.pi)


def horizon_elevation_at(
    horizon_rad: ArrayLike, azimuth_rad: ArrayLike
) -> FloatArray:
    """Horizon elevation [rad] at ``azimuth_rad`` from a mask sampled at ``k 2 pi / n`` (linear, periodic)."""
    mask = np.asarray(horizon_rad, dtype=float)
    n = mask.shape[-1]
    position = np.mod(np.asarray(azimuth_rad, dtype=float), TWO_PI) * (n / TWO_PI)
    k0 = np.floor(position).astype(np.int64) % n
    weight = position - np.floor(position)
    k1 = (k0 + 1) % n
    return np.asarray(mask[..., k0] * (1.0 - weight) + mask[..., k1] * weight)


def longest_true_run(mask: ArrayLike) -> int:
    """Length (in samples) of the longest run of consecutive True values of a 1-D boolean array."""
    values = np.asarray(mask, dtype=bool).ravel()
    if values.size == 0 or not values.any():
        return 0
    padded = np.concatenate(([False], values, [False])).astype(np.int8)
    edges = np.diff(padded)
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    return int((ends - starts).max())


def local_basis_me(latitude_rad: ArrayLike, longitude_rad: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Unit vectors (up, east, north) in the Moon ME frame at planetocentric lat/lon, each (..., 3)."""
    lat = np.asarray(latitude_rad, dtype=float)
    lon = np.asarray(longitude_rad, dtype=float)
    clat, slat, clon, slon = np.cos(lat), np.sin(lat), np.cos(lon), np.sin(lon)
    up = np.stack([clat * clon, clat * slon, slat], axis=-1)
    east = np.stack([-slon, clon, np.zeros_like(lon)], axis=-1)
    north = np.stack([-slat * clon, -slat * slon, clat], axis=-1)
    return up, east, north


def cell_area_polar_stereographic_m2(
    colatitude_rad: ArrayLike, pixel_size_m: float
) -> FloatArray:
    """True area [m2] of a pixel of a polar stereographic grid (true scale at the pole, k0 = 1).

    The projection ``rho = 2 R tan(colat / 2)`` is conformal with scale factor ``k = 1 / cos^2(colat / 2)``
    (Snyder 1987, USGS PP 1395, eq. 21-4 with k0 = 1), so a pixel of side ``s`` covers ``(s / k)^2`` on the
    sphere.
    """
    k = 1.0 / np.cos(np.asarray(colatitude_rad, dtype=float) / 2.0) ** 2
    return np.asarray((pixel_size_m / k) ** 2)


def great_circle_distance_m(
    lat1_rad: ArrayLike, lon1_rad: ArrayLike, lat2_rad: ArrayLike, lon2_rad: ArrayLike,
    radius_m: float = MOON_RADIUS_M,
) -> FloatArray:
    """Great-circle distance on the sphere (haversine). [m]"""
    lat1, lon1 = np.asarray(lat1_rad, dtype=float), np.asarray(lon1_rad, dtype=float)
    lat2, lon2 = np.asarray(lat2_rad, dtype=float), np.asarray(lon2_rad, dtype=float)
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return np.asarray(2.0 * radius_m * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


# ---------------------------------------------------------------------------------------------------------
# numba kernels over map cells (parallel over cells, serial over time)
# ---------------------------------------------------------------------------------------------------------


@numba.njit(cache=True, inline="always")
def _lookup(row: NDArray[np.float32], azimuth: float) -> float:
    n = row.shape[0]
    position = azimuth * (n / TWO_PI)
    k0 = int(math.floor(position))
    w = position - k0
    k0 = k0 % n
    k1 = k0 + 1
    if k1 == n:
        k1 = 0
    return row[k0] * (1.0 - w) + row[k1] * w


@numba.njit(cache=True, inline="always")
def _disk_fraction_scalar(d: float, r: float) -> float:
    x = d / r
    if x >= 1.0:
        return 1.0
    if x <= -1.0:
        return 0.0
    return 1.0 - (math.acos(x) - x * math.sqrt(1.0 - x * x)) / math.pi


@numba.njit(cache=True, parallel=True)
def sun_map_kernel(
    horizon_rad: NDArray[np.float32],
    up: FloatArray,
    east: FloatArray,
    north: FloatArray,
    sun_unit: FloatArray,
    sun_radius_rad: FloatArray,
) -> tuple[FloatArray, FloatArray, NDArray[np.int64]]:
    """Sun light over map cells.

    horizon_rad (n_cell, n_az) float32; up/east/north (n_cell, 3) local unit vectors in the Moon ME frame;
    sun_unit (n_t, 3) unit vectors to the Sun in ME (same for every cell: the parallax of a cell 1,737 km
    from the Moon's centre is 2.4 arcsec); sun_radius_rad (n_t,).
    Returns (mean visible disk fraction, fraction of samples with the centre up, longest run of samples with
    no part of the disk visible), each (n_cell,).

    Each cell first compares sin(el) with sin(max horizon + r) and sin(min horizon - r): only samples between
    the two need the azimuth (atan2) and the mask lookup.
    """
    n_cell = horizon_rad.shape[0]
    n_t = sun_unit.shape[0]
    sin_r = np.sin(sun_radius_rad)
    cos_r = np.cos(sun_radius_rad)
    disk_mean = np.zeros(n_cell)
    center_mean = np.zeros(n_cell)
    longest_dark = np.zeros(n_cell, dtype=np.int64)
    for c in numba.prange(n_cell):
        row = horizon_rad[c]
        hmax = -10.0
        hmin = 10.0
        for k in range(row.shape[0]):
            if row[k] > hmax:
                hmax = row[k]
            if row[k] < hmin:
                hmin = row[k]
        s_hi, c_hi = math.sin(hmax), math.cos(hmax)
        s_lo, c_lo = math.sin(hmin), math.cos(hmin)
        ux, uy, uz = up[c, 0], up[c, 1], up[c, 2]
        ex, ey, ez = east[c, 0], east[c, 1], east[c, 2]
        nx, ny, nz = north[c, 0], north[c, 1], north[c, 2]
        disk = 0.0
        center = 0
        run = 0
        best = 0
        for t in range(n_t):
            sx, sy, sz = sun_unit[t, 0], sun_unit[t, 1], sun_unit[t, 2]
            u = ux * sx + uy * sy + uz * sz
            f = 0.0
            if u >= s_hi * cos_r[t] + c_hi * sin_r[t]:  # bottom limb above the highest horizon
                f = 1.0
                center += 1
            elif u > s_lo * cos_r[t] - c_lo * sin_r[t]:  # top limb above the lowest horizon: look up
                e = ex * sx + ey * sy + ez * sz
                n = nx * sx + ny * sy + nz * sz
                az = math.atan2(e, n)
                if az < 0.0:
                    az += TWO_PI
                el = math.asin(min(1.0, max(-1.0, u)))
                d = el - _lookup(row, az)
                if d > 0.0:
                    center += 1
                f = _disk_fraction_scalar(d, sun_radius_rad[t])
            disk += f
            if f > 0.0:
                run = 0
            else:
                run += 1
                if run > best:
                    best = run
        disk_mean[c] = disk / n_t
        center_mean[c] = center / n_t
        longest_dark[c] = best
    return disk_mean, center_mean, longest_dark


@numba.njit(cache=True, parallel=True)
def point_source_map_kernel(
    horizon_rad: NDArray[np.float32],
    position_m: FloatArray,
    up: FloatArray,
    east: FloatArray,
    north: FloatArray,
    source_m: FloatArray,
) -> tuple[FloatArray, NDArray[np.int64]]:
    """Visibility of a nearby point source (the Earth's centre) over map cells, with parallax.

    position_m (n_cell, 3) cell observer positions in ME [m]; source_m (n_t, 3) source positions relative
    to the Moon's centre in ME [m]. Returns (fraction of samples with the source above the horizon,
    longest run of samples with it below), each (n_cell,).
    """
    n_cell = horizon_rad.shape[0]
    n_t = source_m.shape[0]
    visible_mean = np.zeros(n_cell)
    longest_hidden = np.zeros(n_cell, dtype=np.int64)
    for c in numba.prange(n_cell):
        row = horizon_rad[c]
        hmax = -10.0
        hmin = 10.0
        for k in range(row.shape[0]):
            if row[k] > hmax:
                hmax = row[k]
            if row[k] < hmin:
                hmin = row[k]
        s_hi = math.sin(hmax)
        s_lo = math.sin(hmin)
        px, py, pz = position_m[c, 0], position_m[c, 1], position_m[c, 2]
        visible = 0
        run = 0
        best = 0
        for t in range(n_t):
            dx = source_m[t, 0] - px
            dy = source_m[t, 1] - py
            dz = source_m[t, 2] - pz
            norm = math.sqrt(dx * dx + dy * dy + dz * dz)
            dx /= norm
            dy /= norm
            dz /= norm
            u = up[c, 0] * dx + up[c, 1] * dy + up[c, 2] * dz
            seen = False
            if u > s_hi:
                seen = True
            elif u > s_lo:
                e = east[c, 0] * dx + east[c, 1] * dy + east[c, 2] * dz
                n = north[c, 0] * dx + north[c, 1] * dy + north[c, 2] * dz
                az = math.atan2(e, n)
                if az < 0.0:
                    az += TWO_PI
                el = math.asin(min(1.0, max(-1.0, u)))
                seen = el > _lookup(row, az)
            if seen:
                visible += 1
                run = 0
            else:
                run += 1
                if run > best:
                    best = run
        visible_mean[c] = visible / n_t
        longest_hidden[c] = best
    return visible_mean, longest_hidden


def sun_map_numpy_baseline(
    horizon_rad: NDArray[np.float32],
    up: FloatArray,
    east: FloatArray,
    north: FloatArray,
    sun_unit: FloatArray,
    sun_radius_rad: FloatArray,
) -> FloatArray:
    """Mean visible disk fraction per cell, plain numpy over (cell, time): the benchmark's baseline."""
    u = up @ sun_unit.T
    e = east @ sun_unit.T
    n = north @ sun_unit.T
    az = np.mod(np.arctan2(e, n), TWO_PI)
    el = np.arcsin(np.clip(u, -1.0, 1.0))
    n_az = horizon_rad.shape[1]
    position = az * (n_az / TWO_PI)
    k0 = np.floor(position).astype(np.int64) % n_az
    w = position - np.floor(position)
    rows = np.arange(horizon_rad.shape[0])[:, None]
    h = horizon_rad[rows, k0] * (1 - w) + horizon_rad[rows, (k0 + 1) % n_az] * w
    return np.asarray(disk_visible_fraction(el, h, sun_radius_rad[None, :]).mean(axis=1))
