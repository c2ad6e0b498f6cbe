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
from lunarops.numba_tools import ix as _ix

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
    # clipped again: near x = -1 rounding gives -2.2e-16 (found by hypothesis)
    return np.asarray(np.clip(1.0 - (np.arccos(x) - x * np.sqrt(1.0 - x * x)) / math.pi, 0.0, 1.0))


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


_TAN_PI_8 = math.tan(math.pi / 8.0)


@numba.njit(cache=True, inline="always")
def _fast_azimuth(e: float, n: float) -> float:
    """atan2(e, n) mapped to [0, 2 pi), |error| < 1e-9 rad; branch-free (selects only), so loops over it
    vectorize. The argument is reduced to the first octant (min / max of |e|, |n|) and, above tan(pi / 8),
    by atan(x) = pi / 4 + atan((x - 1) / (x + 1)) (one division either way), then the Taylor series of atan to
    x^19 on |x| <= tan(pi / 8) (remainder below 0.4142^21 / 21 = 4e-10)."""
    ae = abs(e)
    an = abs(n)
    big = max(ae, an)
    small = min(ae, an)
    reduce = small > _TAN_PI_8 * big
    num = small - big if reduce else small
    den = small + big if reduce else big
    x = num / (den if den > 0.0 else 1.0)
    x2 = x * x
    p = -1.0 / 19.0
    p = p * x2 + 1.0 / 17.0
    p = p * x2 - 1.0 / 15.0
    p = p * x2 + 1.0 / 13.0
    p = p * x2 - 1.0 / 11.0
    p = p * x2 + 1.0 / 9.0
    p = p * x2 - 1.0 / 7.0
    p = p * x2 + 1.0 / 5.0
    p = p * x2 - 1.0 / 3.0
    a = x + x * x2 * p
    a = a + 0.25 * math.pi if reduce else a
    a = 0.5 * math.pi - a if ae > an else a
    a = math.pi - a if n < 0.0 else a
    return TWO_PI - a if e < 0.0 else a


@numba.njit(cache=True, inline="always")
def _fast_asin(u: float) -> float:
    """asin(u): Taylor series to u^9 for |u| <= 0.3 (|error| < 3e-7 rad), libm beyond."""
    if u > 0.3 or u < -0.3:
        return math.asin(min(1.0, max(-1.0, u)))
    u2 = u * u
    return u * (1.0 + u2 * (1.0 / 6.0 + u2 * (3.0 / 40.0 + u2 * (15.0 / 336.0 + u2 * (105.0 / 3456.0)))))


#: Cells per parallel task (scratch arrays are allocated once per task).
CELL_CHUNK = 256


@numba.njit(cache=True, inline="always")
def _lookup(row: NDArray[np.float32], azimuth: float) -> float:
    """Linear periodic interpolation of ``row`` at ``azimuth`` in [0, 2 pi] (no integer division)."""
    n = row.shape[0]
    position = azimuth * (n / TWO_PI)
    k0 = int(position)
    w = position - k0
    if k0 >= n:
        k0 -= n
    k1 = k0 + 1
    if k1 == n:
        k1 = 0
    return row[k0] * (1.0 - w) + row[k1] * w


#: Consecutive samples per chunk of the light kernel (a chunk is classified at once when it can be).
SUN_CHUNK = 24
#: Widest azimuth range (in horizon knots) a chunk's horizon band is looked up for; wider ranges use the
#: cell's whole-horizon band.
_MAX_BAND_KNOTS = 31
#: Half-width bound of the azimuth proxy (below) above which a cell uses the whole-horizon band. [rad]
_MAX_PROXY_ERROR_RAD = 0.2


@numba.njit(cache=True, inline="always")
def _sin_small(x: float) -> float:
    """sin(x) for x clipped to [-pi/2, pi/2] (Taylor to x^13, |error| < 7e-10; < 1e-15 for |x| < 0.6)."""
    x = min(max(x, -0.5 * math.pi), 0.5 * math.pi)
    x2 = x * x
    p = 1.0 / 6227020800.0
    p = p * x2 - 1.0 / 39916800.0
    p = p * x2 + 1.0 / 362880.0
    p = p * x2 - 1.0 / 5040.0
    p = p * x2 + 1.0 / 120.0
    p = p * x2 - 1.0 / 6.0
    return x + x * x2 * p


# Abramowitz & Stegun (1964), Handbook of Mathematical Functions, eq. 4.4.46: acos(x) = sqrt(1 - x) P(x) on
# [0, 1], |error| <= 2e-8 rad.
_ACOS_C = (1.5707963050, -0.2145988016, 0.0889789874, -0.0501743046,
           0.0308918810, -0.0170881256, 0.0066700901, -0.0012624911)


@numba.njit(cache=True, inline="always")
def _disk_fraction_fast(x: float) -> float:
    """Visible fraction of a disk whose centre is x radii above a horizontal line (x clipped to [-1, 1]):
    1 - (acos(x) - x sqrt(1 - x^2)) / pi with A&S 4.4.46 for acos (|error| <= 7e-9 of the disk; exactly 0
    at x <= -1 and 1 at x >= 1). Branch-free, so loops over it vectorize."""
    x = min(max(x, -1.0), 1.0)
    ax = abs(x)
    p = _ACOS_C[7]
    p = p * ax + _ACOS_C[6]
    p = p * ax + _ACOS_C[5]
    p = p * ax + _ACOS_C[4]
    p = p * ax + _ACOS_C[3]
    p = p * ax + _ACOS_C[2]
    p = p * ax + _ACOS_C[1]
    p = p * ax + _ACOS_C[0]
    acos = p * math.sqrt(1.0 - ax)
    acos = math.pi - acos if x < 0.0 else acos
    f = 1.0 - (acos - x * math.sqrt(1.0 - x * x)) * (1.0 / math.pi)
    return min(max(f, 0.0), 1.0)


def sun_chunks(sun_unit: FloatArray, sun_radius_rad: FloatArray, chunk_len: int = SUN_CHUNK) -> tuple[FloatArray, ...]:
    """Per-chunk geometry of a Sun series (n_t, 3) for :func:`sun_map_kernel` (chunks of ``chunk_len`` samples).

    Returns ``(chunk, qmax)``: ``chunk`` (n_chunk, 9) = mean vector (x, y, z), bound on |s_xy - mean_xy| and
    on |s_z - mean_z| over the chunk, lowest and highest Sun longitude in ME (atan2(y, x), unwrapped within
    the chunk, NaN when the chunk spans more than 90 deg), largest angular radius, and the number of samples;
    ``qmax`` (1,) the largest |s_z| / |s_xy| of the series.
    """
    n_t = sun_unit.shape[0]
    n_ch = (n_t + chunk_len - 1) // chunk_len
    chunk = np.zeros((n_ch, 9))
    if n_t == 0:
        return chunk, np.array([0.0])
    rho = np.hypot(sun_unit[:, 0], sun_unit[:, 1])
    with np.errstate(divide="ignore"):
        qmax = float(np.max(np.abs(sun_unit[:, 2]) / rho))
    # the series padded with NaN to whole chunks, as (chunk, sample) arrays; NaN-aware reductions per chunk
    pad = n_ch * chunk_len - n_t
    s = np.concatenate([sun_unit, np.full((pad, 3), np.nan)]).reshape(n_ch, chunk_len, 3)
    mean = np.nanmean(s, axis=1)
    chunk[:, :3] = mean
    chunk[:, 3] = np.nanmax(np.hypot(s[..., 0] - mean[:, None, 0], s[..., 1] - mean[:, None, 1]), axis=1)
    chunk[:, 4] = np.nanmax(np.abs(s[..., 2] - mean[:, None, 2]), axis=1)
    chunk[:, 3:5] = chunk[:, 3:5] * (1 + 1e-12) + 1e-15
    lam = np.arctan2(s[..., 1], s[..., 0])
    rel = np.mod(lam - lam[:, :1] + math.pi, TWO_PI) - math.pi  # longitudes unwrapped from each chunk's first
    lo = lam[:, 0] + np.nanmin(rel, axis=1)
    hi = lam[:, 0] + np.nanmax(rel, axis=1)
    wide = hi - lo > 0.5 * math.pi
    chunk[:, 5] = np.where(wide, np.nan, lo)
    chunk[:, 6] = np.where(wide, np.nan, hi)
    radius = np.concatenate([np.asarray(sun_radius_rad, dtype=np.float64), np.full(pad, -np.inf)])
    chunk[:, 7] = radius.reshape(n_ch, chunk_len).max(axis=1)
    chunk[:, 8] = chunk_len
    chunk[-1, 8] = chunk_len - pad
    return chunk, np.array([qmax])


@numba.njit(cache=True)
def azimuth_proxy_error_bound(abs_sin_lat: float, cos_lat: float, qmax: float) -> float:
    """Bound [rad] on |true azimuth of the Sun - proxy| at a cell (inf when the bound does not apply).

    With D = lambda - lon (Sun's ME longitude minus the cell's), the Sun's east and north components at the
    cell are rho sin D and rho (k cos D + q) south of the equator (k = |sin lat|, q = cos(lat) s_z / rho,
    rho = |s_xy|), so the true azimuth is atan2(sin D, k cos D + q); north of it, pi - atan2(sin D, k cos D - q).
    The proxy is D (south) or pi - D (north). |atan2(sin D, k cos D) - D| peaks at tan D = sqrt(k) with
    atan((1 - k) / (2 sqrt(k))); adding q (|q| <= cos(lat) qmax, qmax = max |s_z| / rho) turns a vector at
    least k long by at most asin(|q| / k). Applies for k > 1/2 and |q| < k / 2; 1e-9 rad is added for
    rounding.
    """
    k = abs_sin_lat
    if not (k > 0.5 and cos_lat * qmax < 0.5 * k):
        return math.inf
    return math.atan((1.0 - k) / (2.0 * math.sqrt(k))) + math.asin(cos_lat * qmax / k) + 1e-9


#: Levels of the sparse table of the horizon band: windows of 1, 2, 4, ..., _MAX_BAND_KNOTS knots.
_BAND_LEVELS = 5
#: Sparse-table level for a band of n knots: floor(log2(n)).
_BAND_LEVEL = np.array([0] + [n.bit_length() - 1 for n in range(1, _MAX_BAND_KNOTS + 1)], dtype=np.int64)


#: Relative widening of a threshold before it is rounded to float32 (2^-23: twice the rounding error).
_F32_WIDEN = 2.0**-23


@numba.njit(cache=True, inline="always")
def _band_tables(row: NDArray[np.float32], radius: float, thi: NDArray[np.float32], tlo: NDArray[np.float32]) -> None:
    """Thresholds on sin(elevation) from a horizon row: ``thi[0, k] >= sin(h_k + radius)``, ``tlo[0, k] <=
    sin(h_k - radius)`` (periodic extension; float32, rounded outwards: widened by 2^-23 of the value, which
    exceeds the rounding error, so the band only grows), and ``thi[l, k]`` / ``tlo[l, k]`` their max / min over
    the 2**l knots from k (sparse table)."""
    n_az = row.shape[0]
    n_ext = thi.shape[1]
    for i in range(n_az):
        v = np.float64(row[i])
        a = _sin_small(v + radius)
        b = _sin_small(v - radius)
        thi[0, i] = np.float32(a + abs(a) * _F32_WIDEN + 1e-37)
        tlo[0, i] = np.float32(b - abs(b) * _F32_WIDEN - 1e-37)
    for i in range(n_az, n_ext):
        thi[0, i] = thi[0, i - n_az]
        tlo[0, i] = tlo[0, i - n_az]
    half = 1
    for lv in range(1, _BAND_LEVELS):  # a compile-time count: LLVM unrolls it and vectorizes the loops
        for i in range(n_ext - 2 * half + 1):
            thi[lv, i] = max(thi[lv - 1, i], thi[lv - 1, i + half])
        for i in range(n_ext - 2 * half + 1):
            tlo[lv, i] = min(tlo[lv - 1, i], tlo[lv - 1, i + half])
        half *= 2


@numba.njit(cache=True, inline="always")
def _band_windows(
    thi: NDArray[np.float32], tlo: NDArray[np.float32], length: int, whi: FloatArray, wlo: FloatArray
) -> None:
    """The band of every window of ``length`` knots (1 <= length <= _MAX_BAND_KNOTS) from the sparse table of
    :func:`_band_tables`: ``whi[k]`` / ``wlo[k]`` = max of thi[0] / min of tlo[0] over the knots k .. k + length
    - 1 for k = 0 .. n_az (periodic; ``whi[n_az] = whi[0]``): any window of up to 31 knots is covered by two
    overlapping windows of the largest power of two <= length, read at every start knot in straight loops that
    vectorize."""
    n_az = thi.shape[1] - _MAX_BAND_KNOTS
    lv = _BAND_LEVEL[length]
    shift = length - (1 << lv)
    for k in range(n_az):
        whi[k] = max(thi[lv, k], thi[lv, k + shift])
    for k in range(n_az):
        wlo[k] = min(tlo[lv, k], tlo[lv, k + shift])
    whi[n_az] = whi[0]
    wlo[n_az] = wlo[0]


@numba.njit(cache=True, fastmath={"reassoc", "nsz"})
def _sum_reassociated(values: FloatArray, n: int) -> float:
    """Sum of values[:n], reassociated so that it vectorizes (a different order of the additions only)."""
    total = 0.0
    for i in range(n):
        total += values[i]
    return total


@numba.njit(cache=True, parallel=True, fastmath={"contract"})
def _sun_map_chunked(
    horizon_rad: NDArray[np.float32],
    up: FloatArray,
    east: FloatArray,
    north: FloatArray,
    sun_x: FloatArray,
    sun_y: FloatArray,
    sun_z: FloatArray,
    inv_radius: FloatArray,
    r_all: float,
    chunk: FloatArray,
    qmax: float,
) -> tuple[FloatArray, FloatArray, NDArray[np.int64]]:
    """The kernel of :func:`sun_map_kernel`; sun_x/y/z and inv_radius (1 / angular radius) are padded with NaN
    / 0 to whole chunks of SUN_CHUNK samples, ``r_all`` is the largest angular radius of the series.

    Compiled with fastmath "contract" only: a * b + c may be fused into one FMA, which rounds once instead of
    twice (no reassociation, no NaN or infinity assumptions), so every rounding bound of the method holds as
    before; the chunk spreads (relative 1e-12) and the float32 thresholds (relative 2^-23) leave margins far
    above the 1e-16 rounding of a dot product."""
    n_cell = horizon_rad.shape[0]
    n_az = horizon_rad.shape[1]
    n_ch = chunk.shape[0]
    n_pad = n_ch * SUN_CHUNK
    c_x = np.ascontiguousarray(chunk[:, 0])
    c_y = np.ascontiguousarray(chunk[:, 1])
    c_z = np.ascontiguousarray(chunk[:, 2])
    c_sxy = np.ascontiguousarray(chunk[:, 3])
    c_sz = np.ascontiguousarray(chunk[:, 4])
    c_lo = np.ascontiguousarray(chunk[:, 5])
    c_hi = np.ascontiguousarray(chunk[:, 6])
    c_m = np.empty(n_ch, dtype=np.int64)
    n_t = 0
    for ch in range(n_ch):
        c_m[ch] = int(chunk[ch, 8])
        n_t += c_m[ch]
    neg_lo = -c_lo
    neg_hi = -c_hi
    knots_per_rad = n_az / TWO_PI
    inv_n_az = 1.0 / n_az
    fn_az = float(n_az)
    n_ext = n_az + _MAX_BAND_KNOTS
    max_knots = min(_MAX_BAND_KNOTS, n_az)
    span_max = 0.0  # widest Sun longitude range of a chunk (NaN ranges, over 90 deg, are skipped)
    for ch in range(n_ch):
        if c_hi[ch] - c_lo[ch] > span_max:
            span_max = c_hi[ch] - c_lo[ch]
    disk_mean = np.zeros(n_cell)
    center_mean = np.zeros(n_cell)
    longest_dark = np.zeros(n_cell, dtype=np.int64)
    n_task = (n_cell + CELL_CHUNK - 1) // CELL_CHUNK
    for task in numba.prange(n_task):
        # extended periodic horizon thresholds and their max/min over windows of 2**l knots (sparse table)
        thi = np.empty((_BAND_LEVELS, n_ext), dtype=np.float32)
        tlo = np.empty((_BAND_LEVELS, n_ext), dtype=np.float32)
        row_ext = np.empty(n_az + 1)
        # the band of the window of n_win knots from each start knot (n_az + 1 entries, periodic) and, at
        # n_az + 1, the cell's whole band; each chunk's index into it
        whi = np.empty(n_az + 2)
        wlo = np.empty(n_az + 2)
        band_k = np.empty(n_ch)
        buf = np.empty(SUN_CHUNK)
        verdicts = np.empty(n_ch, dtype=np.int64)
        und = np.empty(n_ch, dtype=np.int64)
        cmin = np.empty(n_ch)
        cmax = np.empty(n_ch)
        fcell = np.empty(n_pad)
        open_t = np.empty(n_pad, dtype=np.int64)
        osin = np.empty(n_pad)
        ox = np.empty(n_pad)
        oy = np.empty(n_pad)
        oz = np.empty(n_pad)
        orad = np.empty(n_pad)
        od = np.empty(n_pad)
        for c in range(task * CELL_CHUNK, min(n_cell, (task + 1) * CELL_CHUNK)):
            row = horizon_rad[c]
            hmax = -10.0
            hmin = 10.0
            for k in range(n_az):
                v = np.float64(row[k])
                row_ext[k] = v
                hmax = max(hmax, v)
                hmin = min(hmin, v)
            row_ext[n_az] = row_ext[0]
            g_hi = _sin_small(hmax + r_all)
            g_lo = _sin_small(hmin - r_all)
            ux, uy, uz = up[c, 0], up[c, 1], up[c, 2]
            ex, ey, ez = east[c, 0], east[c, 1], east[c, 2]
            nx, ny, nz = north[c, 0], north[c, 1], north[c, 2]
            uxy = math.sqrt(ux * ux + uy * uy)
            auz = abs(uz)
            # Azimuth proxy (azimuth_proxy_error_bound): the Sun's ME longitude minus the cell's (south), pi minus
            # that (north), within proxy_error of the true azimuth; it needs the standard frame east = z x up.
            proxy_error = azimuth_proxy_error_bound(auz, uxy, qmax)
            lon = math.atan2(uy, ux)
            south = uz < 0.0
            # the chunk's proxy azimuths a0..a1 = lo_arr + off0 .. hi_arr + off1: lambda - lon (south),
            # pi - (lambda - lon) (north), widened by the proxy error
            lo_arr = c_lo if south else neg_hi
            hi_arr = c_hi if south else neg_lo
            off0 = (-lon if south else math.pi + lon) - proxy_error
            off1 = (-lon if south else math.pi + lon) + proxy_error
            use_band = (proxy_error < _MAX_PROXY_ERROR_RAD and uxy > 1e-12 and abs(ex + uy / uxy) < 1e-9
                        and abs(ey - ux / uxy) < 1e-9 and abs(ez) < 1e-9)
            center = 0
            run = 0
            best = 0
            n_open = 0
            # The band of each chunk: the window of n_win knots from the first knot its proxy azimuths can reach.
            # A chunk reaches floor(a1 k) + 2 - floor(a0 k) knots (k knots per radian, a1 - a0 <= span_max + 2
            # proxy_error; floor(b) - floor(a) <= floor(b - a) + 1), so n_win covers every chunk; one whose range
            # is still longer (rounding), or NaN, or a cell without the proxy, takes the whole band.
            n_win = 1
            if use_band:
                n_win = min(max_knots, int((span_max + 2.0 * proxy_error) * knots_per_rad) + 3)
                _band_tables(row, r_all, thi, tlo)
                _band_windows(thi, tlo, n_win, whi, wlo)
            whi[n_az + 1] = g_hi
            wlo[n_az + 1] = g_lo
            fn_win = float(n_win) if use_band else -1.0
            # sin(el) bounds of every chunk and its window's start knot, in one straight loop (floats only, so it
            # vectorizes): the start knot floor(a0 k) reduced to [0, n_az] (an integer-valued float: f - n_az
            # floor(f / n_az) is f modulo n_az, or n_az for a multiple of n_az when the quotient rounds down;
            # whi[n_az] = whi[0]); the clip only guards the index
            for ch in range(n_ch):
                dc = ux * c_x[ch] + uy * c_y[ch] + uz * c_z[ch]
                spread = uxy * c_sxy[ch] + auz * c_sz[ch]
                cmin[ch] = dc - spread
                cmax[ch] = dc + spread
                f0 = np.floor((lo_arr[ch] + off0) * knots_per_rad)
                f1 = np.floor((hi_arr[ch] + off1) * knots_per_rad)
                ok = f1 + 2.0 - f0 <= fn_win  # False for NaN: the chunk spans more than 90 deg of longitude
                f0 = min(max(f0 - fn_az * np.floor(f0 * inv_n_az), 0.0), fn_az)
                band_k[ch] = f0 if ok else fn_az + 1.0
            # verdicts against the chunk's band (1 lit, -1 dark, 0 undecided) and the list of undecided chunks
            n_open_ch = 0
            for ch in range(n_ch):
                kw = _ix(int(band_k[ch]))
                verdict = (cmin[ch] >= whi[kw]) * 1 - (cmax[ch] <= wlo[kw]) * 1
                verdicts[ch] = verdict
                und[_ix(n_open_ch)] = ch
                n_open_ch += verdict == 0
            # then sample by sample against the chunk's band
            for q in range(n_open_ch):
                ch = und[q]
                m = c_m[_ix(ch)]
                t0 = ch * SUN_CHUNK
                s_hi = whi[_ix(int(band_k[_ix(ch)]))]
                s_lo = wlo[_ix(int(band_k[_ix(ch)]))]
                # sample by sample against the chunk's band (a loop of constant length over the padded
                # series: padding samples are NaN, neither lit nor dark nor open); the samples left open
                # are queued for the cell
                xs = sun_x[t0 : t0 + SUN_CHUNK]
                ys = sun_y[t0 : t0 + SUN_CHUNK]
                zs = sun_z[t0 : t0 + SUN_CHUNK]
                fs = fcell[t0 : t0 + SUN_CHUNK]
                n_lit = 0
                n_dark = 0
                for j in range(SUN_CHUNK):
                    s = ux * xs[j] + uy * ys[j] + uz * zs[j]
                    buf[j] = s
                    lit = s >= s_hi
                    fs[j] = 1.0 if lit else 0.0
                    n_lit += lit
                    n_dark += s <= s_lo
                verdict = 1 if n_lit == m else (-1 if n_dark == m else 0)
                if verdict == 0:
                    center += n_lit
                    for j in range(SUN_CHUNK):
                        open_t[_ix(n_open)] = t0 + j
                        osin[_ix(n_open)] = buf[j]
                        n_open += (buf[j] > s_lo) & (buf[j] < s_hi)
                verdicts[ch] = verdict
            n_lit_open = center  # lit samples of the chunks still open
            # (indices that are never negative go through _ix, unsigned: 1.05x)
            # the open samples (disk may touch the horizon) of the whole cell: exact azimuth, elevation, horizon
            # and segment fraction in straight loops over contiguous buffers (all but the look-ups vectorize)
            for i in range(n_open):
                t = _ix(open_t[i])
                ox[i] = sun_x[t]
                oy[i] = sun_y[t]
                oz[i] = sun_z[t]
                orad[i] = inv_radius[t]
            for i in range(n_open):
                sx, sy, sz = ox[i], oy[i], oz[i]
                od[i] = _fast_azimuth(ex * sx + ey * sy + ez * sz, nx * sx + ny * sy + nz * sz) * knots_per_rad
            # horizon interpolated at the azimuth (as _lookup, on the row extended by its first knot)
            for i in range(n_open):
                position = od[i]
                k0 = np.uint32(position)
                w = position - k0
                k0 = k0 - n_az if k0 >= n_az else k0
                h0 = row_ext[k0]
                od[i] = h0 + w * (row_ext[k0 + 1] - h0)
            # elevation minus horizon: the arcsine series of _fast_asin (libm beyond |sin el| = 0.3, below)
            for i in range(n_open):
                u = osin[i]
                u2 = u * u
                ox[i] = u * (1.0 + u2 * (1.0 / 6.0 + u2 * (3.0 / 40.0 + u2 * (15.0 / 336.0 + u2 * (105.0 / 3456.0)))))
            for i in range(n_open):
                u = osin[i]
                if u > 0.3 or u < -0.3:
                    ox[i] = math.asin(min(1.0, max(-1.0, u)))
            for i in range(n_open):
                d = ox[i] - od[i]
                center += d > 0.0
                oy[i] = _disk_fraction_fast(d * orad[i])
            for i in range(n_open):
                fcell[_ix(open_t[i])] = oy[i]
            # the light: whole lit chunks, lit samples of the open chunks, fractions of the open samples
            # (integer counts and one vectorized sum); in time order, the longest darkness
            n_lit = 0
            for ch in range(n_ch):
                m = c_m[ch]
                verdict = verdicts[ch]
                if verdict == 1:
                    n_lit += m
                    run = 0
                elif verdict == -1:
                    run += m
                    best = max(best, run)
                else:
                    t0 = ch * SUN_CHUNK
                    for j in range(m):
                        run = run + 1 if fcell[_ix(t0 + j)] <= 0.0 else 0
                        best = max(best, run)
            disk = n_lit + n_lit_open + _sum_reassociated(oy, n_open)
            center += n_lit
            disk_mean[c] = disk / n_t
            center_mean[c] = center / n_t
            longest_dark[c] = best
    return disk_mean, center_mean, longest_dark


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
    from the Moon's centre is 2.4 arcsec); sun_radius_rad (n_t,). Returns (mean visible disk fraction,
    fraction of samples with the centre up, longest run of samples with no part of the disk visible), each
    (n_cell,).

    Method (docs/illumination.md, "Speed"): the samples are cut into chunks of SUN_CHUNK consecutive
    samples. sin(elevation) = up . s is linear in the Sun vector, so over a chunk it lies within
    up . mean +- (|up_xy| spread_xy + |up_z| spread_z). The horizon band of a chunk covers the azimuths it can
    reach (Sun longitude minus cell longitude, widened by a rigorous bound on the difference to the true
    azimuth, :func:`azimuth_proxy_error_bound`): the window of knots from the chunk's first knot, as long as the
    widest chunk of the cell needs, read from a per-cell table of all windows (:func:`_band_windows`; the whole
    horizon where the proxy does not apply). A chunk wholly above the band's highest horizon plus the solar
    radius is lit, one wholly below its lowest minus the radius dark; otherwise sample by sample against the
    chunk's band. The
    samples whose disk may still touch the horizon are queued for the whole cell and evaluated together in
    straight loops over contiguous buffers that vectorize: azimuth (:func:`_fast_azimuth`, 1e-9 rad),
    interpolated horizon and circular-segment fraction (:func:`_disk_fraction_fast`, 7e-9 of the disk); a
    last pass in time order sums the light and finds the longest darkness. Every classification is
    conservative (largest solar radius of the series, float32 thresholds rounded outwards), so the result is
    that of the sample-by-sample computation.
    """
    sun = np.ascontiguousarray(sun_unit, dtype=np.float64)
    radius = np.ascontiguousarray(sun_radius_rad, dtype=np.float64)
    chunk, qmax = sun_chunks(sun, radius, SUN_CHUNK)
    n_t = sun.shape[0]
    n_pad = chunk.shape[0] * SUN_CHUNK
    padded = np.full((4, n_pad), np.nan)
    padded[:3, :n_t] = sun.T
    padded[3] = 0.0
    padded[3, :n_t] = 1.0 / radius
    return _sun_map_chunked(
        np.ascontiguousarray(horizon_rad, dtype=np.float32),
        np.ascontiguousarray(up, dtype=np.float64),
        np.ascontiguousarray(east, dtype=np.float64),
        np.ascontiguousarray(north, dtype=np.float64),
        padded[0], padded[1], padded[2], padded[3], float(radius.max(initial=0.0)), chunk, float(qmax[0]),
    )


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
