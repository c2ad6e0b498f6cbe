"""Numba kernels of the line-sweep horizon map (internal; the API is :func:`lunarops.terrain.horizon.horizon_map`
with ``mode="sweep"``).

Method (after Stewart 1998, "Fast horizon computation at all points of a terrain with visibility and shading
applications", IEEE TVCG 4(1), and the line-sweep formulation of Timonen 2013, "Line-sweep ambient
obscurance"): for one grid direction, the DEM is cut by parallel straight map lines one pixel apart. Along a
line the bilinear surface is sampled exactly at every crossing with the grid lines of cell centres (its kinks),
so the profile is the bilinear surface's own. Each sample gets its ground arc length ``S`` along the line
(map length divided by the stereographic point scale) and is placed in the exact 2-D plane of a great circle:
(X, Y) = (R + h) (sin S, cos S). The elevation of a point seen from an observer on the line, above the
observer's local horizontal, is then the angle of the vector to it plus the observer's own S: the maximum
over the points ahead is the tangent from the observer to the upper convex hull of those points (exact in
that plane, no flat-Moon or parabolic approximation). The line is swept from its far end backwards; the hull
is a monotone stack and points are inserted with a lag, so only points at least ``min_distance`` ahead are in
it; each query is a binary search on the hull: O(n log n) per line.

Observers are the cell centres. A cell lies between two lines (perpendicular offset below one pixel); it is
queried on both at its own column (row) position with its own height, and the two results are interpolated
linearly in the offset. The horizon of a cell at a true azimuth comes from the two sweep directions that
bracket the grid direction of that azimuth at the cell (the meridian convergence, see :func:`grid_rotation_rad`),
interpolated linearly.

Frames: the DEM is passed as ``a[q, p]`` where the sweep travels towards +p and lines are q = q0 + t p with
|t| <= 1 (``case`` says how (q, p) map back to (row, col): 0: (row, col); 1: (row, nx-1-col); 2: (col, row);
3: (col, ny-1-row)).
"""

from __future__ import annotations

import itertools
import math

import numba
import numpy as np
from numpy.typing import NDArray


@numba.njit(cache=True, inline="always")
def _height(a: NDArray[np.float32], p: int, q: float) -> float:
    """Bilinear height on the column p (integer) at fractional q (linear between two cells)."""
    nq = a.shape[0]
    r0 = min(math.floor(q), nq - 2) if nq > 1 else 0
    r0 = max(r0, 0)
    r1 = min(r0 + 1, nq - 1)
    fr = q - r0
    return a[r0, p] + fr * (a[r1, p] - a[r0, p])


@numba.njit(cache=True, inline="always")
def _bilinear_pq(a: NDArray[np.float32], p: float, q: float) -> float:
    """Bilinear height at fractional (p, q) inside the grid."""
    nq, np_ = a.shape
    q0 = max(min(math.floor(q), nq - 2), 0)
    p0 = max(min(math.floor(p), np_ - 2), 0)
    fq = q - q0
    fp = p - p0
    h0 = a[q0, p0] + fp * (a[q0, p0 + 1] - a[q0, p0])
    h1 = a[q0 + 1, p0] + fp * (a[q0 + 1, p0 + 1] - a[q0 + 1, p0])
    return h0 + fq * (h1 - h0)


NEAR_SAMPLES_PER_PX = 8
"""Near-field samples per pixel of map length between the kinks of the bilinear surface (see near_offsets)."""

MAX_SUBDIVISIONS = 24
"""Most extra samples between two kinks of the bilinear surface along a line (where it bulges above the chord)."""


@numba.njit(cache=True, inline="always")
def _twist(a: NDArray[np.float32], p: float, q: float) -> float:
    """Cross term a00 - a01 - a10 + a11 of the bilinear cell that contains (p, q)."""
    nq, np_ = a.shape
    q0 = max(min(math.floor(q), nq - 2), 0)
    p0 = max(min(math.floor(p), np_ - 2), 0)
    return a[q0, p0] - a[q0, p0 + 1] - a[q0 + 1, p0] + a[q0 + 1, p0 + 1]


@numba.njit(cache=True, inline="always")
def _push(
    a: NDArray[np.float32],
    sp: NDArray[np.float64],
    sq: NDArray[np.float64],
    sh: NDArray[np.float64],
    sint: NDArray[np.int64],
    n: int,
    p: float,
    q: float,
    h: float,
    tag: int,
    tol: float,
) -> int:
    """Appends sample (p, q, h); before it, points of the stretch from the previous sample where the bilinear
    surface rises more than ``tol`` [m] above the chord, at spacings that keep the remaining bulge below
    ``tol`` (bulge at the midpoint / k^2 for k pieces). The stretch lies inside one cell, where the surface is
    the quadratic h = A + B fp + C fq + D fp fq: its bulge at the midpoint is -D dp dq / 4 (D the cell's
    twist), zero along the axes."""
    if n > 0:
        pa = sp[n - 1]
        qa = sq[n - 1]
        dp = p - pa
        dq = q - qa
        if dp != 0.0 and dq != 0.0:
            bulge = -0.25 * dp * dq * _twist(a, pa + 0.5 * dp, qa + 0.5 * dq)
            if bulge > tol:
                k = min(math.ceil(math.sqrt(bulge / tol)), MAX_SUBDIVISIONS)
                for i in range(1, k):
                    f = i / k
                    pp = pa + f * dp
                    qq = qa + f * dq
                    sp[n] = pp
                    sq[n] = qq
                    sh[n] = _bilinear_pq(a, pp, qq)
                    sint[n] = -1
                    n += 1
    sp[n] = p
    sq[n] = q
    sh[n] = h
    sint[n] = tag
    return n + 1


@numba.njit(cache=True)
def _line(
    a: NDArray[np.float32],
    m: int,
    t: float,
    q0_start: float,
    ov: float,
    aff: NDArray[np.float64],
    radius: float,
    mast: float,
    min_s: float,
    tol: float,
    p_lo: int,
    p_hi: int,
    q_lo: int,
    q_hi: int,
    sp: NDArray[np.float64],
    sq: NDArray[np.float64],
    sh: NDArray[np.float64],
    ss: NDArray[np.float64],
    sint: NDArray[np.int64],
    hx: NDArray[np.float64],
    hy: NDArray[np.float64],
    out_lo: NDArray[np.float32],
    out_hi: NDArray[np.float32],
) -> None:
    """Sweep line m: samples, arc lengths, backward hull sweep with queries of the cells next to the line.
    ``aff``: map x = aff[0] + aff[1] p + aff[2] q, y = aff[3] + aff[4] p + aff[5] q [m], then k0 and
    1 / (4 R^2 k0^2) of the point scale, and the map length per unit p over R. Writes tan(elevation) (-inf:
    nothing ahead) to out_lo / out_hi."""
    nq, np_ = a.shape
    q0 = q0_start + m / ov
    # integer p range where the line is inside [0, nq - 1]
    if t > 0.0:
        pa = math.ceil(-q0 / t - 1e-9)
        pb = math.floor((nq - 1 - q0) / t + 1e-9)
    elif t < 0.0:
        pa = math.ceil((nq - 1 - q0) / t - 1e-9)
        pb = math.floor(-q0 / t + 1e-9)
    else:
        if q0 < 0.0 or q0 > nq - 1:
            return
        pa = 0
        pb = np_ - 1
    pa = max(pa, p_lo, 0)
    pb = min(pb, np_ - 1)
    if pa > pb:
        return
    # samples: integer p (sint = p), crossings of integer q in between (sint = -1), and points inside the
    # stretches between them where the bilinear surface bulges above the chord (sint = -1)
    n = 0
    for p in range(pa, pb + 1):
        q = q0 + t * p
        q = min(max(q, 0.0), nq - 1.0)
        n = _push(a, sp, sq, sh, sint, n, p, q, _height(a, p, q), p, tol)
        if p < pb and t != 0.0:
            qb = q0 + t * (p + 1)
            lo = min(q, qb)
            hi = max(q, qb)
            k = math.floor(hi)
            if k > lo and k < hi and 0 <= k <= nq - 1:
                f = (k - q) / (qb - q)
                n = _push(a, sp, sq, sh, sint, n, p + f, k, a[k, p] + f * (a[k, p + 1] - a[k, p]), -1, tol)
    # ground arc length S [rad] (map length / point scale at the midpoint of each step), and the sample's
    # sin S and cos S (stored over sp and sq once read) by exact rotations by the small steps (series to 1e-17)
    ss[0] = 0.0
    p_prev = sp[0]
    q_prev = sq[0]
    sn = 0.0
    cs = 1.0
    sp[0] = 0.0
    sq[0] = 1.0
    for j in range(1, n):
        pj = sp[j]
        qj = sq[j]
        pm = 0.5 * (pj + p_prev)
        qm = 0.5 * (qj + q_prev)
        x = aff[0] + aff[1] * pm + aff[2] * qm
        y = aff[3] + aff[4] * pm + aff[5] * qm
        d = (pj - p_prev) * aff[8] / (aff[6] * (1.0 + (x * x + y * y) * aff[7]))
        ss[j] = ss[j - 1] + d
        d2 = d * d
        sd = d * (1.0 - d2 / 6.0 * (1.0 - d2 / 20.0))
        cd = 1.0 - d2 / 2.0 * (1.0 - d2 / 12.0)
        sn, cs = sn * cd + cs * sd, cs * cd - sn * sd
        sp[j] = sn
        sq[j] = cs
        p_prev = pj
        q_prev = qj
    # backward sweep
    top = 0  # hull size; hx/hy[0] is the farthest vertex, hx/hy[top - 1] the nearest
    ins = n - 1
    for j in range(n - 1, -1, -1):
        p = sint[j]
        if p < 0 or p > p_hi:
            continue
        s_obs = ss[j]
        while ins >= 0 and ss[ins] >= s_obs + min_s:
            h = sh[ins]
            if h == h:
                rr = radius + h
                x = rr * sp[ins]
                y = rr * sq[ins]
                while top >= 2:
                    ax = hx[top - 1] - x
                    ay = hy[top - 1] - y
                    bx = hx[top - 2] - x
                    by = hy[top - 2] - y
                    if ax * by - ay * bx >= 0.0:
                        top -= 1
                    else:
                        break
                hx[top] = x
                hy[top] = y
                top += 1
            ins -= 1
        qline = q0 + t * p
        c_first = max(math.ceil(qline - 1.0 / ov - 1e-9), q_lo)
        c_last = min(math.floor(qline + 1.0 / ov + 1e-9), q_hi)
        if c_first > c_last:
            continue
        b_ok = False
        sb = 0.0
        cb = 1.0
        hb = 0.0
        if ins + 1 <= n - 1:
            thr = s_obs + min_s
            fb = (thr - ss[ins]) / (ss[ins + 1] - ss[ins])
            hb = sh[ins] + fb * (sh[ins + 1] - sh[ins])
            if hb == hb:
                b_ok = True
                # sin and cos of thr: the sample's, rotated by the small step to thr (series)
                dd = thr - ss[ins]
                d2 = dd * dd
                sd = dd * (1.0 - d2 / 6.0 * (1.0 - d2 / 20.0))
                cd = 1.0 - d2 / 2.0 * (1.0 - d2 / 12.0)
                sb = sp[ins] * cd + sq[ins] * sd
                cb = sq[ins] * cd - sp[ins] * sd
        cu = sp[j]
        cf = sq[j]
        for qc in range(c_first, c_last + 1):
            mf = (qc - t * p - q0_start) * ov
            mlo = math.floor(mf)
            if mlo != m and mlo + 1 != m:
                continue
            hc = a[qc, p]
            if hc != hc:
                continue
            ro = radius + hc + mast
            ox = ro * cu
            oy = ro * cf
            # best (up, forward) components in the observer's frame: up = (sin S, cos S), forward = (cos S,
            # -sin S); tan(elevation) = up / forward (forward > 0 ahead of the observer)
            up = -1.0
            fw = 0.0
            if b_ok:
                # the point exactly at the minimum distance (linear between the samples around it)
                rb = radius + hb
                vx = rb * sb - ox
                vy = rb * cb - oy
                up = vx * cu + vy * cf
                fw = vx * cf - vy * cu
            if top > 0:
                # unimodal angle from the observer along the hull (nearest = top - 1 ... farthest = 0)
                lo_i = 1
                hi_i = top
                while lo_i < hi_i:
                    mid = (lo_i + hi_i) // 2
                    # is vertex mid - 1 (farther) seen higher than vertex mid?
                    ux = hx[mid] - ox
                    uy = hy[mid] - oy
                    vx = hx[mid - 1] - ox
                    vy = hy[mid - 1] - oy
                    if ux * vy - uy * vx > 0.0:
                        hi_i = mid
                    else:
                        lo_i = mid + 1
                vx = hx[lo_i - 1] - ox
                vy = hy[lo_i - 1] - oy
                up2 = vx * cu + vy * cf
                fw2 = vx * cf - vy * cu
                if fw <= 0.0 or up2 * fw > up * fw2:
                    up = up2
                    fw = fw2
            val = up / fw if fw > 0.0 else -math.inf
            if mlo == m:
                out_lo[qc, p] = val
            else:
                out_hi[qc, p] = val


@numba.njit(cache=True, parallel=True)
def sweep_direction(
    a: NDArray[np.float32],
    t: float,
    q0_start: float,
    ov: float,
    m_first: int,
    m_last: int,
    aff: NDArray[np.float64],
    radius: float,
    mast: float,
    min_s: float,
    tol: float,
    p_lo: int,
    p_hi: int,
    q_lo: int,
    q_hi: int,
    out_lo: NDArray[np.float32],
    out_hi: NDArray[np.float32],
) -> None:
    """All lines m_first..m_last of one direction (parallel over chunks of lines); fills out_lo/out_hi[q, p]
    (tan of the elevation) for the cells of the window (q_lo..q_hi, p_lo..p_hi) from their lower and upper
    lines; ``aff`` as in :func:`_line`."""
    _nq, np_ = a.shape
    size = 2 * np_ * MAX_SUBDIVISIONS + 4
    n_lines = m_last - m_first + 1
    n_chunks = min(n_lines, 64)
    for ch in numba.prange(n_chunks):
        sp = np.empty(size, np.float64)
        sq = np.empty(size, np.float64)
        sh = np.empty(size, np.float64)
        ss = np.empty(size, np.float64)
        sint = np.empty(size, np.int64)
        hx = np.empty(size, np.float64)
        hy = np.empty(size, np.float64)
        for m in range(m_first + ch, m_last + 1, n_chunks):
            _line(
                a, m, t, q0_start, ov, aff, radius, mast, min_s, tol, p_lo, p_hi, q_lo, q_hi,
                sp, sq, sh, ss, sint, hx, hy, out_lo, out_hi,
            )  # fmt: skip


def near_offsets(t: float, u_lo: float, u_hi: float, per_px: int) -> NDArray[np.float64]:
    """Sample positions u (units of p) along the line q = t u from a lattice point, shared by every cell: the
    kinks of the bilinear surface (integer u, integer t u) in [u_lo, u_hi] and, between them, equal steps of at
    most 1 / per_px pixel of map length (inside a cell the surface is a quadratic along the line)."""
    knots = [u_lo, u_hi]
    knots += [float(k) for k in range(math.ceil(u_lo), math.floor(u_hi) + 1)]
    if t != 0.0:
        k_lo, k_hi = sorted((t * u_lo, t * u_hi))
        knots += [k / t for k in range(math.ceil(k_lo), math.floor(k_hi) + 1)]
    knots_arr = np.unique(np.asarray(knots))
    step = 1.0 / (per_px * math.sqrt(1.0 + t * t))
    pieces = [knots_arr[:1]]
    for u0, u1 in itertools.pairwise(knots_arr):
        n = max(1, math.ceil((u1 - u0) / step - 1e-9))
        pieces.append(u0 + (u1 - u0) * np.arange(1, n + 1) / n)
    return np.concatenate(pieces)


@numba.njit(cache=True, parallel=True)
def near_field_direction(
    a: NDArray[np.float32],
    t: float,
    u_samples: NDArray[np.float64],
    rpp: NDArray[np.float64],
    s_min: float,
    radius: float,
    mast: float,
    q_lo: int,
    q_hi: int,
    p_lo: int,
    p_hi: int,
    out: NDArray[np.float64],
) -> None:
    """Largest tan(elevation) over the near field of each cell (q, p) of the window, along its own line
    q' = q + t (p' - p), p' >= p: the point exactly at the ground angle ``s_min`` [rad] and the shared samples
    ``u_samples`` (:func:`near_offsets`) beyond it. ``rpp[q, p]``: ground angle per unit p at the cell. The
    samples are the same offsets for every cell, so the inner loop runs over a row of cells (vectorized)."""
    nq, np_ = a.shape
    n_s = u_samples.shape[0]
    for q in numba.prange(q_lo, q_hi + 1):
        for p in range(p_lo, p_hi + 1):
            out[q, p] = -math.inf
            h0 = a[q, p]
            if h0 != h0:
                continue
            u = s_min / rpp[q, p]
            pp = p + u
            qq = q + t * u
            if pp > np_ - 1 or qq < 0.0 or qq > nq - 1:
                continue
            hb = _bilinear_pq(a, pp, qq)
            s = s_min
            rt = radius + hb
            cs = 1.0 - 0.5 * s * s
            sn = s - s * s * s / 6.0
            val = (rt * cs - (radius + h0 + mast)) / (rt * sn)
            if val > out[q, p]:
                out[q, p] = val
        best = out[q]
        r_obs = np.empty(np_)
        for p in range(p_lo, p_hi + 1):
            r_obs[p] = radius + a[q, p] + mast
        rpp_row = rpp[q]
        for k in range(n_s):
            u = u_samples[k]
            ip = math.floor(u)
            fp = u - ip
            v = t * u
            iq = math.floor(v)
            fq = v - iq
            q0 = q + iq
            if q0 < 0 or q0 > nq - 1 or (fq > 0.0 and q0 + 1 > nq - 1):
                continue
            row0 = a[q0]
            row1 = a[q0 + 1] if fq > 0.0 else a[q0]
            dp = 1 if fp > 0.0 else 0
            last = np_ - 1 - ip - dp
            for p in range(p_lo, min(p_hi, last) + 1):
                c = p + ip
                h_a = row0[c] + fp * (row0[c + dp] - row0[c])
                h_b = row1[c] + fp * (row1[c + dp] - row1[c])
                rt = radius + (h_a + fq * (h_b - h_a))
                s = u * rpp_row[p]
                s2 = s * s
                val = (rt * (1.0 - 0.5 * s2) - r_obs[p]) / (rt * s * (1.0 - s2 / 6.0))
                b = best[p]
                best[p] = val if (s >= s_min and val > b) else b


@numba.njit(cache=True, parallel=True)
def accumulate_direction(
    a: NDArray[np.float32],
    out_lo: NDArray[np.float32],
    out_hi: NDArray[np.float32],
    near: NDArray[np.float64],
    case: int,
    t: float,
    q0_start: float,
    ov: float,
    row0: int,
    col0: int,
    ny: int,
    nx: int,
    beta: float,
    dbeta: float,
    gamma: NDArray[np.float64],
    result: NDArray[np.float32],
) -> None:
    """Adds this direction's horizon (grid bearing ``beta`` [rad]) to ``result[i, j, k]`` with the linear
    weight of the true-azimuth bin k: the cell's grid bearing of azimuth k is az_k + gamma[i, j]. The horizon
    is the larger of the near field (``near[q, p]``: tan of its elevation, from :func:`near_field_direction`)
    and the far field interpolated between the cell's two sweep lines."""
    wy, wx, n_az = result.shape
    daz = 2.0 * math.pi / n_az
    for i in numba.prange(wy):
        row = row0 + i
        for j in range(wx):
            col = col0 + j
            if case == 0:
                q, p = row, col
            elif case == 1:
                q, p = row, nx - 1 - col
            elif case == 2:
                q, p = col, row
            else:
                q, p = col, ny - 1 - row
            h0 = a[q, p]
            if h0 != h0:
                continue
            lo = out_lo[q, p]
            hi = out_hi[q, p]
            mf = (q - t * p - q0_start) * ov
            f = mf - math.floor(mf)
            if lo == lo and hi == hi:
                # tan(elevation) linear in the offset between the lines (-inf: a line sees nothing ahead)
                v = lo + f * (hi - lo) if lo > -math.inf and hi > -math.inf else max(lo, hi)
            elif lo == lo:
                v = lo
            elif hi == hi:
                v = hi
            else:
                v = -math.inf
            v = math.atan(max(v, near[q, p]))
            x = (beta - gamma[i, j]) / daz
            x = x - math.floor(x / n_az) * n_az
            k0 = math.floor(x)
            for k in (k0, k0 + 1):
                w = 1.0 - abs(x - k) * daz / dbeta
                if w > 0.0:
                    result[i, j, k % n_az] += np.float32(w * v)


def grid_rotation_rad(south: bool, x_m: NDArray[np.float64], y_m: NDArray[np.float64]) -> NDArray[np.float64]:
    """Grid bearing [rad] (clockwise from map +y) of true north at map points (x, y) [m] of a polar
    stereographic grid: the bearing of true azimuth az there is az + this. South: north points away from the
    pole, bearing atan2(x, y) = lon - lon0; north: towards the pole, bearing -atan2(x, -y) = -(lon - lon0)."""
    if south:
        return np.asarray(np.arctan2(x_m, y_m), dtype=np.float64)
    return np.asarray(-np.arctan2(x_m, -y_m), dtype=np.float64)


def _map_affine(case: int, geo: NDArray[np.float64], ny: int, nx: int) -> tuple[float, ...]:
    """Map x, y [m] of the point (p, q) of the array of ``case``: x = c0 + c1 p + c2 q, y = c3 + c4 p + c5 q."""
    x0, y0, px = geo[0] + 0.5 * geo[2], geo[1] - 0.5 * geo[2], geo[2]
    if case == 0:  # (row, col) = (q, p)
        return x0, px, 0.0, y0, 0.0, -px
    if case == 1:  # (q, nx - 1 - p)
        return x0 + (nx - 1) * px, -px, 0.0, y0, 0.0, -px
    if case == 2:  # (p, q)
        return x0, 0.0, px, y0, -px, 0.0
    return x0, 0.0, px, y0 - (ny - 1) * px, px, 0.0  # (ny - 1 - p, q)


def sweep_map(
    heights: NDArray[np.float32],
    south: bool,
    geo: NDArray[np.float64],
    radius_m: float,
    mast_m: float,
    n_azimuth: int,
    min_distance_m: float,
    window: tuple[int, int, int, int],
    directions_per_azimuth: int = 1,
    lines_per_pixel: int = 4,
    near_field_px: float = 2.0,
    bulge_tol_m: float = 1.0,
    progress: object = None,
) -> NDArray[np.float32]:
    """Horizon [rad] (wy, wx, n_azimuth) of the window's cells by line sweeps in
    ``directions_per_azimuth * n_azimuth`` grid directions; geo = x_min, y_max, pixel, k0, 1 / (4 R^2 k0^2).
    ``progress(fraction, message)`` after each direction when given."""
    ny, nx = heights.shape
    row0, row1, col0, col1 = window
    arrays = (
        np.ascontiguousarray(heights),
        np.ascontiguousarray(heights[:, ::-1]),
        np.ascontiguousarray(heights.T),
        np.ascontiguousarray(heights.T[:, ::-1]),
    )
    cols = geo[0] + (np.arange(col0, col1) + 0.5) * geo[2]
    rows = geo[1] - (np.arange(row0, row1) + 0.5) * geo[2]
    xx, yy = np.meshgrid(cols, rows)
    gamma = grid_rotation_rad(south, xx, yy)
    result = np.zeros((row1 - row0, col1 - col0, n_azimuth), dtype=np.float32)
    n_dir = directions_per_azimuth * n_azimuth
    dbeta = 2.0 * math.pi / n_dir
    min_s = min_distance_m / radius_m
    s_near = near_field_px * geo[2] / radius_m
    s_far = max(min_s, s_near)
    all_x = geo[0] + (np.arange(nx) + 0.5) * geo[2]
    all_y = geo[1] - (np.arange(ny) + 0.5) * geo[2]
    inv_k = 1.0 / (geo[3] * (1.0 + np.add.outer(all_y**2, all_x**2) * geo[4]))  # 1 / point scale, whole grid
    inv_k_pq = (
        inv_k,
        np.ascontiguousarray(inv_k[:, ::-1]),
        np.ascontiguousarray(inv_k.T),
        np.ascontiguousarray(inv_k.T[:, ::-1]),
    )
    buffers = {}
    near_buffers = {}
    for d in range(n_dir):
        beta = d * dbeta
        dc = math.sin(beta)
        dr = -math.cos(beta)
        if abs(dc) >= abs(dr):
            case = 0 if dc > 0 else 1
            t = dr / abs(dc)
        else:
            case = 2 if dr > 0 else 3
            t = dc / abs(dr)
        a = arrays[case]
        ov = float(lines_per_pixel)  # lines per unit of q (a cell is at most 1 / (2 ov) px from a line in q)
        _nq, np_ = a.shape
        if case == 0:
            qr, pr = (row0, row1 - 1), (col0, col1 - 1)
        elif case == 1:
            qr, pr = (row0, row1 - 1), (nx - col1, nx - 1 - col0)
        elif case == 2:
            qr, pr = (col0, col1 - 1), (row0, row1 - 1)
        else:
            qr, pr = (col0, col1 - 1), (ny - row1, ny - 1 - row0)
        q0_start = (-t * (np_ - 1) if t > 0 else 0.0) - 1.0
        corners = [q - t * p for q in qr for p in pr]
        m_first = max(math.floor((min(corners) - q0_start) * ov) - 1, 0)
        m_last = math.floor((max(corners) - q0_start) * ov) + 2
        key = a.shape
        if key not in buffers:
            buffers[key] = (np.empty(key, np.float32), np.empty(key, np.float32))
            near_buffers[key] = np.empty(key, np.float64)
        out_lo, out_hi = buffers[key]
        out_lo[qr[0] : qr[1] + 1, pr[0] : pr[1] + 1] = np.nan
        out_hi[qr[0] : qr[1] + 1, pr[0] : pr[1] + 1] = np.nan
        aff = np.array([*_map_affine(case, geo, ny, nx), geo[3], geo[4], math.sqrt(1.0 + t * t) * geo[2] / radius_m])
        sweep_direction(
            a, t, q0_start, ov, m_first, m_last, aff, radius_m, mast_m, s_far, bulge_tol_m,
            pr[0], pr[1], qr[0], qr[1], out_lo, out_hi,
        )  # fmt: skip
        rpp = (math.sqrt(1.0 + t * t) * geo[2] / radius_m) * inv_k_pq[case]  # ground angle per unit p
        near = near_buffers[key]
        if s_near > min_s:
            u_samples = near_offsets(t, min_s / rpp.max(), s_near / rpp.min(), NEAR_SAMPLES_PER_PX)
            near_field_direction(a, t, u_samples, rpp, min_s, radius_m, mast_m, qr[0], qr[1], pr[0], pr[1], near)
        else:
            near[:] = -np.inf
        accumulate_direction(
            a, out_lo, out_hi, near, case, t, q0_start, ov, row0, col0, ny, nx, beta, dbeta, gamma, result,
        )  # fmt: skip
        if progress is not None:
            progress((d + 1) / n_dir, f"horizon sweep directions {d + 1}/{n_dir}")  # type: ignore[operator]
    result[~np.isfinite(heights[row0:row1, col0:col1])] = np.nan
    return result
