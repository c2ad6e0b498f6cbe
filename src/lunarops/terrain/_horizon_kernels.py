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
CHUNK = 8
"""Observers per work item of the parallel loop (rays of neighbouring cells run together)."""


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
        c0 = math.floor(col)
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
def _tan_elev(rt: float, c: float, sn: float, r_obs: float) -> float:
    return (rt * c - r_obs) / (rt * sn)


@numba.njit(cache=True)
def block_max(heights: NDArray[np.float32], block: int) -> NDArray[np.float32]:
    """Max height of each block of ``block`` x ``block`` cells plus the next row and column (so it bounds the
    bilinear surface over the block's square of cell-centre indices); -inf for all-no-data blocks."""
    ny, nx = heights.shape
    nby = (ny + block - 1) // block
    nbx = (nx + block - 1) // block
    out = np.full((nby, nbx), -np.inf, dtype=np.float32)
    for i in range(ny):
        bi = i // block
        bi_prev = (i - 1) // block if i > 0 and i % block == 0 else -1
        for j in range(nx):
            h = heights[i, j]
            if h != h:
                continue
            bj = j // block
            bj_prev = (j - 1) // block if j > 0 and j % block == 0 else -1
            if h > out[bi, bj]:
                out[bi, bj] = h
            if bi_prev >= 0 and h > out[bi_prev, bj]:
                out[bi_prev, bj] = h
            if bj_prev >= 0 and h > out[bi, bj_prev]:
                out[bi, bj_prev] = h
            if bi_prev >= 0 and bj_prev >= 0 and h > out[bi_prev, bj_prev]:
                out[bi_prev, bj_prev] = h
    return out


@numba.njit(cache=True, inline="always")
def _margin(row: float, col: float, block: int) -> float:
    """L-infinity distance [px] from (row, col) to the edge of its block's square of cell-centre indices."""
    i0 = (int(row) // block) * block
    j0 = (int(col) // block) * block
    return min(row - i0, i0 + block - row, col - j0, j0 + block - col)


@numba.njit(cache=True, inline="always")
def _one_ray(
    heights: NDArray[np.float32],
    bmax1: NDArray[np.float32],
    bmax2: NDArray[np.float32],
    block1: int,
    block2: int,
    skip_rad_per_px: float,
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
    """Maximum tan(elevation) along one ray (-inf when no terrain sample).

    Besides the scheduled samples, the ray is evaluated where it crosses the grid lines of cell centres
    (rows and columns), i.e. at every kink of the bilinear surface along the path, found by linear
    interpolation between consecutive samples (the path is straight to 1e-4 px over one step).
    Stretches of the ray inside a block whose highest point cannot reach the current horizon are skipped
    (exact: the height needed to rise above the horizon grows with distance there; ``skip_rad_per_px`` is
    a lower bound of the central angle per map pixel, 0 disables skipping).
    """
    ny, nx = heights.shape
    n = cos_s.shape[0]
    best = -math.inf
    prev_row = math.nan
    prev_col = math.nan
    k = 0
    while k < n:
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
        if not (row >= 0.0 and row <= ny - 1):
            break  # left the DEM
        if not wrap and not (col >= 0.0 and col <= nx - 1):
            break
        h = _bilinear(heights, row, col, wrap)
        if h == h:  # not NaN (no-data cells are skipped)
            rt = radius + h
            if rt * c - r_obs > best * rt * sn:
                best = (rt * c - r_obs) / (rt * sn)
        if k > 0 and prev_row == prev_row:
            ds = s[k] - s[k - 1]
            c0 = cos_s[k - 1]
            s0 = sin_s[k - 1]
            dr = row - prev_row
            dc = col - prev_col
            if wrap and abs(dc) > nx / 2:
                dc = dc - nx if dc > 0 else dc + nx
            # row-line crossings, then column-line crossings, between the previous sample and this one
            for axis in range(2):
                a0 = prev_row if axis == 0 else prev_col
                da = dr if axis == 0 else dc
                lo = math.floor(min(a0, a0 + da))
                hi = math.floor(max(a0, a0 + da))
                line = lo + 1
                while line <= hi and da != 0.0:
                    t = (line - a0) / da
                    line += 1
                    if not (t > 0.0 and t < 1.0):
                        continue
                    rr = prev_row + t * dr
                    cc = prev_col + t * dc
                    if wrap:
                        cc = cc - math.floor(cc / nx) * nx
                    hx = _bilinear(heights, rr, cc, wrap)
                    if hx == hx:
                        d = t * ds
                        cd = 1.0 - 0.5 * d * d
                        sd = d - d * d * d / 6.0
                        cx = c0 * cd - s0 * sd
                        sx = s0 * cd + c0 * sd
                        rt = radius + hx
                        if rt * cx - r_obs > best * rt * sx:
                            best = (rt * cx - r_obs) / (rt * sx)
        prev_row = row
        prev_col = col
        k += 1
        if skip_rad_per_px > 0.0 and best > -math.inf:
            # tan(e) > best needs (R + h) g(s) > R + h0 with g(s) = cos s - best sin s, i.e. h above
            # h_need(s) = (R + h0) / g(s) - R. Over [s1, s2], g is largest at an end or at tan s = -best.
            g1 = c - best * sn
            if g1 <= 0.0 and sn + best * c > 0.0:
                break  # g <= 0 and decreasing: nothing further along the ray can rise above the horizon
            # Upper bound of g beyond s1 (no trig): g itself where g decreases (tan s > -best), else the global
            # maximum sqrt(1 + best^2) of g (reached at tan s = -best).
            gmax = g1 if sn + best * c > 0.0 else math.sqrt(1.0 + best * best)
            h_need = r_obs / gmax - radius if gmax > 0.0 else math.inf
            margin = 0.0
            if bmax2[int(row) // block2, int(col) // block2] < h_need:
                margin = _margin(row, col, block2)
            if margin <= 1.0 and bmax1[int(row) // block1, int(col) // block1] < h_need:
                margin = _margin(row, col, block1)
            if margin > 1.0:
                target = s[k - 1] + margin * skip_rad_per_px
                # first schedule index m >= k with s[m] >= target (binary search)
                lo = k
                hi = n
                while lo < hi:
                    mid = (lo + hi) // 2
                    if s[mid] < target:
                        lo = mid + 1
                    else:
                        hi = mid
                m = lo
                if m - 1 > k - 1:
                    # samples k-1 .. m-1 lie inside the block: resume from m-1 as position only
                    j = m - 1
                    x = cos_s[j] * ux + sin_s[j] * tx
                    y = cos_s[j] * uy + sin_s[j] * ty
                    z = cos_s[j] * uz + sin_s[j] * tz
                    prev_row, prev_col = _map_rowcol(proj, params, x, y, z)
                    k = m
    return best


@numba.njit(cache=True, parallel=True)
def horizon_rays(
    heights: NDArray[np.float32],
    bmax1: NDArray[np.float32],
    bmax2: NDArray[np.float32],
    block1: int,
    block2: int,
    skip_rad_per_px: float,
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
    # Chunks of CHUNK consecutive observers (neighbouring cells); within a chunk the azimuth loop is outside,
    # so consecutive rays run side by side through the same DEM memory (cache reuse).
    n_chunks = (n_obs + CHUNK - 1) // CHUNK
    for ch in numba.prange(n_chunks):
        i0 = ch * CHUNK
        i1 = min(i0 + CHUNK, n_obs)
        for a in range(n_az):
            ca = cos_az[a]
            sa = sin_az[a]
            for i in range(i0, i1):
                k_bound = r_obs[i] / r_max
                s_bound = math.acos(1.0 / k_bound) if k_bound > 1.0 else 0.0
                tx = ca * north[i, 0] + sa * east[i, 0]
                ty = ca * north[i, 1] + sa * east[i, 1]
                tz = ca * north[i, 2] + sa * east[i, 2]
                best = _one_ray(
                    heights,
                    bmax1,
                    bmax2,
                    block1,
                    block2,
                    skip_rad_per_px,
                    proj,
                    params,
                    wrap,
                    unit[i, 0],
                    unit[i, 1],
                    unit[i, 2],
                    tx,
                    ty,
                    tz,
                    r_obs[i],
                    k_bound,
                    s_bound,
                    cos_s,
                    sin_s,
                    s,
                    radius,
                )
                out[i, a] = math.atan(best) if best > -math.inf else -math.pi / 2
