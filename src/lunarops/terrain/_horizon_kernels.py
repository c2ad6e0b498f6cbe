"""Numba kernels of the horizon ray caster (internal; the API is :mod:`lunarops.terrain.horizon`).

Geometry (exact, 3-D): a ray leaves the observer's unit radial u0 along the great circle with unit tangent
t = cos(az) north + sin(az) east; the point at central angle s is u(s) = cos(s) u0 + sin(s) t. A terrain point
of height h there is at (R + h) u(s); seen from the observer at (R + h0) u0 its elevation satisfies
tan(e) = ((R + h) cos s - (R + h0)) / ((R + h) sin s), which is exact (the point lies in the plane of u0 and t,
so its azimuth is exactly ``az``). The map position of u(s) comes from the exact projection formulas
(polar stereographic in rational form: x = 2 R k0 Y / (1 - Z) ... ; equirectangular via asin/atan2) and the
height from bilinear interpolation of the DEM. The central angles s_k (a schedule shared by all rays) start at
the minimum distance and grow with distance; the ray stops where it leaves the DEM or where even the DEM's
highest point could no longer rise above the current horizon (exact bound, since tan(e) grows with h).
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numpy.typing import NDArray

PROJ_POLAR_SOUTH = 0
PROJ_POLAR_NORTH = 1
PROJ_EQUIRECT = 2


@numba.njit(cache=True, inline="always")
def _map_rowcol(proj: int, params: NDArray[np.float64], x: float, y: float, z: float) -> tuple[float, float]:
    """Fractional (row, col) of unit vector (x, y, z) on the DEM grid."""
    if proj == PROJ_EQUIRECT:
        # params: lon_min_rad, lat_max_rad, dlon_rad, dlat_rad
        lat = math.asin(min(1.0, max(-1.0, z)))
        lon = math.atan2(y, x)
        col = (lon - params[0]) / params[2]
        col = col - math.floor(col / params[4]) * params[4] - 0.5  # params[4]: 2 pi / dlon (columns per turn)
        row = (params[1] - lat) / params[3] - 0.5
        return row, col
    # params: x_min_m, y_max_m, pixel_w_m, pixel_h_m, 2 R k0, cos(lon0), sin(lon0)
    if proj == PROJ_POLAR_SOUTH:
        f = params[4] / (1.0 - z)
        # rotate by the central longitude: lon' = lon - lon0
        xr = x * params[5] + y * params[6]
        yr = y * params[5] - x * params[6]
        mx = f * yr
        my = f * xr
    else:
        f = params[4] / (1.0 + z)
        xr = x * params[5] + y * params[6]
        yr = y * params[5] - x * params[6]
        mx = f * yr
        my = -f * xr
    col = (mx - params[0]) / params[2] - 0.5
    row = (params[1] - my) / params[3] - 0.5
    return row, col


@numba.njit(cache=True, inline="always")
def _bilinear(heights: NDArray[np.float32], row: float, col: float, wrap: bool) -> float:
    """Bilinear height at fractional (row, col); NaN when outside (rows always bounded, cols unless ``wrap``)."""
    ny, nx = heights.shape
    if not (row >= 0.0 and row <= ny - 1):
        return math.nan
    if wrap:
        if not (col >= -1.0 and col < nx):
            return math.nan
        c0 = int(math.floor(col))
        fc = col - c0
        c1 = c0 + 1
        if c0 < 0:
            c0 += nx
        if c1 >= nx:
            c1 -= nx
    else:
        if not (col >= 0.0 and col <= nx - 1):
            return math.nan
        c0 = min(int(col), nx - 2) if nx > 1 else 0
        c1 = min(c0 + 1, nx - 1)
        fc = col - c0
    r0 = min(int(row), ny - 2) if ny > 1 else 0
    r1 = min(r0 + 1, ny - 1)
    fr = row - r0
    a = heights[r0, c0] + fc * (heights[r0, c1] - heights[r0, c0])
    b = heights[r1, c0] + fc * (heights[r1, c1] - heights[r1, c0])
    return a + fr * (b - a)


@numba.njit(cache=True, inline="always")
def _one_ray(
    heights: NDArray[np.float32],
    proj: int,
    params: NDArray[np.float64],
    wrap: bool,
    ux: float,
    uy: float,
    uz: float,
    tx: float,
    ty: float,
    tz: float,
    r_obs: float,
    k_bound: float,
    s_bound: float,
    cos_s: NDArray[np.float64],
    sin_s: NDArray[np.float64],
    s: NDArray[np.float64],
    radius: float,
) -> float:
    """Maximum tan(elevation) along one ray (-inf when no terrain sample)."""
    best = -math.inf
    for k in range(cos_s.shape[0]):
        c = cos_s[k]
        sn = sin_s[k]
        # Beyond s_bound the bound tan(e) <= (cos s - (R + h0)/(R + hmax)) / sin s decreases with s: stop once
        # even the DEM's highest point could not rise above the current horizon.
        if s[k] > s_bound and (c - k_bound) <= best * sn:
            break
        x = c * ux + sn * tx
        y = c * uy + sn * ty
        z = c * uz + sn * tz
        row, col = _map_rowcol(proj, params, x, y, z)
        h = _bilinear(heights, row, col, wrap)
        if math.isnan(h):
            ny, nx = heights.shape
            if not (row >= 0.0 and row <= ny - 1) or (not wrap and not (col >= 0.0 and col <= nx - 1)):
                break  # left the DEM
            continue  # a no-data cell: skip
        rt = radius + h
        vert = rt * c - r_obs
        horiz = rt * sn
        if vert > best * horiz:
            best = vert / horiz
    return best


@numba.njit(cache=True, parallel=True)
def horizon_rays(
    heights: NDArray[np.float32],
    proj: int,
    params: NDArray[np.float64],
    wrap: bool,
    unit: NDArray[np.float64],
    north: NDArray[np.float64],
    east: NDArray[np.float64],
    r_obs: NDArray[np.float64],
    cos_az: NDArray[np.float64],
    sin_az: NDArray[np.float64],
    cos_s: NDArray[np.float64],
    sin_s: NDArray[np.float64],
    s: NDArray[np.float64],
    radius: float,
    r_max: float,
    out: NDArray[np.float32],
) -> None:
    """Horizon elevation [rad] for observers i (unit (n, 3), north/east (n, 3), radius r_obs (n,) [m]) at
    azimuths (cos_az, sin_az) along the shared schedule of central angles ``s``; writes out[i, k] (float32)."""
    n_obs = unit.shape[0]
    n_az = cos_az.shape[0]
    for i in numba.prange(n_obs):
        ux, uy, uz = unit[i, 0], unit[i, 1], unit[i, 2]
        k_bound = r_obs[i] / r_max
        s_bound = math.acos(min(1.0, 1.0 / k_bound)) if k_bound > 1.0 else 0.0
        for a in range(n_az):
            ca = cos_az[a]
            sa = sin_az[a]
            tx = ca * north[i, 0] + sa * east[i, 0]
            ty = ca * north[i, 1] + sa * east[i, 1]
            tz = ca * north[i, 2] + sa * east[i, 2]
            best = _one_ray(
                heights, proj, params, wrap, ux, uy, uz, tx, ty, tz, r_obs[i], k_bound, s_bound, cos_s, sin_s, s, radius
            )
            out[i, a] = math.atan(best) if best > -math.inf else -math.pi / 2
