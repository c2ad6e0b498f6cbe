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


# Abramowitz & Stegun (1964), Handbook of Mathematical Functions, eq. 4.4.49: atan(x) on [0, 1] as
# x * P(x^2) with |error| <= 2e-8 rad. Used instead of libm's atan2 in the inner loop (5x fewer cycles).
_ATAN_C = (0.9999993329, -0.3332985605, 0.1994653599, -0.1390853351,
           0.0964200441, -0.0559098861, 0.0218612288, -0.0040540580)


@numba.njit(cache=True, inline="always")
def _fast_azimuth(e: float, n: float) -> float:
    """atan2(e, n) mapped to [0, 2 pi), |error| < 5e-8 rad (A&S 4.4.49 with octant reduction)."""
    ae = abs(e)
    an = abs(n)
    if ae == 0.0 and an == 0.0:
        return 0.0
    swap = ae > an
    x = an / ae if swap else ae / an
    x2 = x * x
    p = _ATAN_C[7]
    p = p * x2 + _ATAN_C[6]
    p = p * x2 + _ATAN_C[5]
    p = p * x2 + _ATAN_C[4]
    p = p * x2 + _ATAN_C[3]
    p = p * x2 + _ATAN_C[2]
    p = p * x2 + _ATAN_C[1]
    p = p * x2 + _ATAN_C[0]
    a = x * p
    if swap:
        a = 0.5 * math.pi - a
    if n < 0.0:
        a = math.pi - a
    if e < 0.0:
        a = TWO_PI - a
    return a


@numba.njit(cache=True, inline="always")
def _fast_asin(u: float) -> float:
    """asin(u): Taylor series to u^9 for |u| <= 0.3 (|error| < 3e-7 rad), libm beyond."""
    if u > 0.3 or u < -0.3:
        return math.asin(min(1.0, max(-1.0, u)))
    u2 = u * u
    return u * (1.0 + u2 * (1.0 / 6.0 + u2 * (3.0 / 40.0 + u2 * (15.0 / 336.0 + u2 * (105.0 / 3456.0)))))


#: Azimuth sectors of the per-cell horizon bounds used to classify whole blocks of samples at once.
N_SECTORS = 64
#: Cells per parallel task (scratch arrays are allocated once per task).
CELL_CHUNK = 256


@numba.njit(cache=True, inline="always")
def _sector_bounds(row: NDArray[np.float32], sec_max: FloatArray, sec_min: FloatArray) -> None:
    """Max and min of a linearly interpolated periodic mask over each of N_SECTORS equal azimuth sectors."""
    n = row.shape[0]
    for j in range(N_SECTORS):
        k0 = (j * n) // N_SECTORS
        k1 = ((j + 1) * n + N_SECTORS - 1) // N_SECTORS  # knot at or after the sector's end
        mx = -10.0
        mn = 10.0
        for k in range(k0, k1 + 1):
            v = row[k % n]
            if v > mx:
                mx = v
            if v < mn:
                mn = v
        sec_max[j] = mx
        sec_min[j] = mn


@numba.njit(cache=True, inline="always")
def _band(sec_max: FloatArray, sec_min: FloatArray, azimuth: float, half_width: float) -> tuple[float, float]:
    """(min, max) of the horizon over azimuths within ``half_width`` of ``azimuth`` (sector resolution)."""
    if half_width >= math.pi:
        return sec_min.min(), sec_max.max()
    width = TWO_PI / N_SECTORS
    j0 = math.floor((azimuth - half_width) / width)
    j1 = math.floor((azimuth + half_width) / width)
    lo = 10.0
    hi = -10.0
    for j in range(j0, j1 + 1):
        jj = j % N_SECTORS
        if sec_min[jj] < lo:
            lo = sec_min[jj]
        if sec_max[jj] > hi:
            hi = sec_max[jj]
    return lo, hi


@numba.njit(cache=True, inline="always")
def _lookup(row: NDArray[np.float32], azimuth: float) -> float:
    n = row.shape[0]
    position = azimuth * (n / TWO_PI)
    k0 = math.floor(position)
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


def time_blocks(unit_vectors: FloatArray, max_block_len: int = 6) -> tuple[NDArray[np.int64], FloatArray, FloatArray]:
    """Split a time series of unit vectors (n_t, 3) into consecutive blocks of at most ``max_block_len``.

    Returns (starts (n_b + 1,) sample indices, block centre unit vectors (n_b, 3), block angular radius
    [rad]: the largest angle between the centre and any member). The map kernels classify a whole block at
    once when the cone around its centre is entirely above or below a cell's horizon band.
    """
    n_t = unit_vectors.shape[0]
    starts = np.arange(0, n_t + max_block_len, max_block_len)
    starts[-1] = n_t
    starts = np.unique(np.minimum(starts, n_t))
    counts = np.diff(starts)
    block_id = np.repeat(np.arange(counts.size), counts)
    sums = np.zeros((counts.size, 3))
    np.add.at(sums, block_id, unit_vectors)
    centres = sums / np.linalg.norm(sums, axis=1, keepdims=True)
    cosines = np.clip(np.einsum("ij,ij->i", unit_vectors, centres[block_id]), -1.0, 1.0)
    radius = np.zeros(counts.size)
    np.maximum.at(radius, block_id, np.arccos(cosines))
    return starts.astype(np.int64), centres, radius + 1e-9


@numba.njit(cache=True, parallel=True)
def sun_map_kernel(
    horizon_rad: NDArray[np.float32],
    up: FloatArray,
    east: FloatArray,
    north: FloatArray,
    sun_unit: FloatArray,
    sun_radius_rad: FloatArray,
    block_starts: NDArray[np.int64],
    block_centres: FloatArray,
    block_radius_rad: FloatArray,
) -> tuple[FloatArray, FloatArray, NDArray[np.int64]]:
    """Sun light over map cells.

    horizon_rad (n_cell, n_az) float32; up/east/north (n_cell, 3) local unit vectors in the Moon ME frame;
    sun_unit (n_t, 3) unit vectors to the Sun in ME (same for every cell: the parallax of a cell 1,737 km
    from the Moon's centre is 2.4 arcsec); sun_radius_rad (n_t,); the blocks from :func:`time_blocks`.
    Returns (mean visible disk fraction, fraction of samples with the centre up, longest run of samples with
    no part of the disk visible), each (n_cell,).

    A block whose cone (spread + largest solar radius) lies wholly above the cell's highest horizon is lit, one
    wholly below its lowest horizon dark; only the other samples need the azimuth and the mask lookup.
    """
    n_cell = horizon_rad.shape[0]
    n_t = sun_unit.shape[0]
    n_b = block_centres.shape[0]
    block_reach = np.empty(n_b)
    for b in range(n_b):
        r_max = 0.0
        for t in range(block_starts[b], block_starts[b + 1]):
            r_max = max(r_max, sun_radius_rad[t])
        block_reach[b] = block_radius_rad[b] + r_max
    disk_mean = np.zeros(n_cell)
    center_mean = np.zeros(n_cell)
    longest_dark = np.zeros(n_cell, dtype=np.int64)
    n_chunk = (n_cell + CELL_CHUNK - 1) // CELL_CHUNK
    for chunk in numba.prange(n_chunk):
        sec_max = np.empty(N_SECTORS)
        sec_min = np.empty(N_SECTORS)
        for c in range(chunk * CELL_CHUNK, min(n_cell, (chunk + 1) * CELL_CHUNK)):
            row = horizon_rad[c]
            _sector_bounds(row, sec_max, sec_min)
            hmax = sec_max.max()
            hmin = sec_min.min()
            ux, uy, uz = up[c, 0], up[c, 1], up[c, 2]
            ex, ey, ez = east[c, 0], east[c, 1], east[c, 2]
            nx, ny, nz = north[c, 0], north[c, 1], north[c, 2]
            disk = 0.0
            center = 0
            run = 0
            best = 0
            for b in range(n_b):
                t0 = block_starts[b]
                t1 = block_starts[b + 1]
                bx, by, bz = block_centres[b, 0], block_centres[b, 1], block_centres[b, 2]
                reach = block_reach[b]
                el_c = _fast_asin(ux * bx + uy * by + uz * bz)
                lo = hmin
                hi = hmax
                if el_c - reach < hmax and el_c + reach > hmin and abs(el_c) + reach < 1.0:
                    # narrow the horizon band to the sectors the block's cone can reach in azimuth
                    a_c = _fast_azimuth(ex * bx + ey * by + ez * bz, nx * bx + ny * by + nz * bz)
                    half_width = reach / math.cos(abs(el_c) + reach)
                    lo, hi = _band(sec_max, sec_min, a_c, half_width)
                if el_c - reach >= hi:
                    disk += t1 - t0
                    center += t1 - t0
                    run = 0
                    continue
                if el_c + reach <= lo:
                    run += t1 - t0
                    if run > best:
                        best = run
                    continue
                for t in range(t0, t1):
                    sx, sy, sz = sun_unit[t, 0], sun_unit[t, 1], sun_unit[t, 2]
                    el = _fast_asin(ux * sx + uy * sy + uz * sz)
                    r = sun_radius_rad[t]
                    f = 0.0
                    if el - r >= hi:
                        f = 1.0
                        center += 1
                    elif el + r > lo:
                        e = ex * sx + ey * sy + ez * sz
                        n = nx * sx + ny * sy + nz * sz
                        d = el - _lookup(row, _fast_azimuth(e, n))
                        if d > 0.0:
                            center += 1
                        f = _disk_fraction_scalar(d, r)
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
                az = _fast_azimuth(e, n)
                el = _fast_asin(u)
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
