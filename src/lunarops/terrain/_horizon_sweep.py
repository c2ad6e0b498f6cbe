"""Numba kernels of the line-sweep horizon map (internal; the API is :func:`lunarops.terrain.horizon.horizon_map`
with ``mode="sweep"``).

Method (after Stewart 1998, "Fast horizon computation at all points of a terrain with visibility and shading
applications", IEEE TVCG 4(1), and the line-sweep formulation of Timonen 2013, "Line-sweep ambient obscurance"): for
one grid direction, the DEM is cut by parallel straight map lines, ``lines_per_pixel`` per pixel. Along a line the
bilinear surface is sampled exactly at every crossing with the grid lines of cell centres (its kinks), so the
profile is the bilinear surface's own. Each sample gets its ground arc length ``S`` along the line (map length
divided by the stereographic point scale) and is placed in the exact 2-D plane of a great circle: (X, Y) = (R + h)
(sin S, cos S). The elevation of a point seen from an observer on the line, above the observer's local horizontal,
is then the angle of the vector to it plus the observer's own S: the maximum over the points ahead is the tangent
from the observer to the upper convex hull of those points (exact in that plane, no flat-Moon or parabolic
approximation). The line is swept from its far end backwards; the hull is a monotone stack and points are inserted
with a lag, so only points at least ``min_distance`` ahead are in it; each query finds the tangent vertex by walking
along the hull from the previous query's tangent (the angle along the hull is unimodal; successive queries move by
less than one vertex on average), and the queries are listed while the samples are built, so the backward sweep
visits only them.

Observers are the cell centres. A cell lies between two lines (perpendicular offset below one pixel); it is
queried on both at its own column (row) position with its own height, and the two results are interpolated
linearly in the offset. The horizon of a cell at a true azimuth comes from the two sweep directions that
bracket the grid direction of that azimuth at the cell (the meridian convergence, see :func:`grid_rotation_rad`),
interpolated linearly.

A direction and its opposite (beta + 180 deg) are the same map lines run both ways: each line's samples, arc
lengths and their sin/cos are built once and both backward hull sweeps run on them, the one towards -p on the
mirror image (sin S -> -sin S: the same hull and tangent tests). The near field (:func:`near_field_direction`)
runs on each cell's own line, the shared samples in float32.

Frames: the DEM is passed as ``a[q, p]`` where the sweep travels towards +p and lines are q = q0 + t p with
|t| <= 1 (``case`` says how (q, p) map back to (row, col): 0: (row, col); 1: (row, nx-1-col); 2: (col, row);
3: (col, ny-1-row)); the directions of cases 1 and 3 are swept, where paired, as the lines of cases 0 and 2 run
towards -p.
"""

from __future__ import annotations

import itertools
import math
from typing import NamedTuple

import numba
import numpy as np
from numpy.typing import NDArray

from lunarops.numba_tools import ix as _ix  # unsigned indices: about 10 % less CPU for the sweep lines


@numba.njit(cache=True, inline="always")
def _height(a: NDArray[np.float32], p: int, q: float) -> float:
    """Bilinear height on the column p (integer) at fractional q (linear between two cells)."""
    nq = a.shape[0]
    r0 = min(math.floor(q), nq - 2) if nq > 1 else 0
    r0 = max(r0, 0)
    r1 = min(r0 + 1, nq - 1)
    fr = q - r0
    h0 = a[_ix(r0), _ix(p)]
    return h0 + fr * (a[_ix(r1), _ix(p)] - h0)


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


_ATAN_C0 = 0.9999993329
_ATAN_C1 = -0.3332985605
_ATAN_C2 = 0.1994653599
_ATAN_C3 = -0.1390853351
_ATAN_C4 = 0.0964200441
_ATAN_C5 = -0.0559098861
_ATAN_C6 = 0.0218612288
_ATAN_C7 = -0.0040540580
"""Coefficients of atan(x) = x P(x^2) on [0, 1], |error| <= 2e-8 rad (Abramowitz & Stegun 4.4.49)."""

NEAR_MAX_SAMPLES_PER_PX = 8
"""Near-field steps per pixel of ``mode="sweep"`` within 2 pixels, falling as 16 / distance [px] to
``near_samples_per_px`` (see :func:`near_offsets`)."""

NEAR_BLOCK_PX = 64
"""Columns of the grid that share the first near-field sample of the fast sweep (:func:`near_field_direction`)."""

DIRECTIONS_PER_BATCH = 16
"""Sweep directions whose horizons are collected before they are written into the map (64 bytes per cell)."""

MAX_SUBDIVISIONS = 24
"""Most extra samples between two kinks of the bilinear surface along a line (where it bulges above the chord)."""


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
    row: int,
    col: int,
    pa: float,
    qa: float,
) -> int:
    """Appends sample (p, q, h) after the previous sample (pa, qa) (n > 0); before it, points of the stretch
    between them where the bilinear surface rises more than ``tol`` [m] above the chord, at spacings that keep
    the remaining bulge below ``tol`` (bulge at the midpoint / k^2 for k pieces). The stretch lies inside one
    cell (row, col) (row < 0: the cell of the stretch's midpoint), where the surface is the quadratic h = A +
    B fp + C fq + D fp fq: its bulge at the midpoint is -D dp dq / 4 (D the cell's twist a00 - a01 - a10 +
    a11), zero along the axes. The extra points' heights are bilinear in the same cell from the four corners
    read for the twist (as :func:`_bilinear_pq`, which finds the cell itself where a point is not inside it: a
    stretch that starts within 1e-9 px of a skipped crossing)."""
    if n > 0:
        dp = p - pa
        dq = q - qa
        if dp != 0.0 and dq != 0.0:
            if row < 0:
                nq = a.shape[0]
                row = max(min(math.floor(qa + 0.5 * dq), nq - 2), 0)
            a00 = a[_ix(row), _ix(col)]
            a01 = a[_ix(row), _ix(col + 1)]
            a10 = a[_ix(row + 1), _ix(col)]
            a11 = a[_ix(row + 1), _ix(col + 1)]
            bulge = -0.25 * dp * dq * (a00 - a01 - a10 + a11)
            if bulge > tol:
                k = min(math.ceil(math.sqrt(bulge / tol)), MAX_SUBDIVISIONS)
                fk = float(k)
                for i in range(1, k):
                    f = float(i) / fk
                    pp = pa + f * dp
                    qq = qa + f * dq
                    sp[_ix(n)] = pp
                    sq[_ix(n)] = qq
                    fq = qq - row
                    if 0.0 <= fq < 1.0:
                        fp = pp - col
                        h0 = a00 + fp * (a01 - a00)
                        h1 = a10 + fp * (a11 - a10)
                        sh[_ix(n)] = h0 + fq * (h1 - h0)
                    else:
                        sh[_ix(n)] = _bilinear_pq(a, pp, qq)
                    sint[_ix(n)] = -1
                    n += 1
    sp[_ix(n)] = p
    sq[_ix(n)] = q
    sh[_ix(n)] = h
    sint[_ix(n)] = tag
    return n + 1


@numba.njit(cache=True, inline="always")
def _higher(hx: NDArray[np.float64], hy: NDArray[np.float64], ox: float, oy: float, i: int) -> bool:
    """Is hull vertex i - 1 (farther) seen strictly higher than vertex i from (ox, oy)? (i >= 1)"""
    k = _ix(i)
    k1 = _ix(i - 1)
    ux = hx[k] - ox
    uy = hy[k] - oy
    vx = hx[k1] - ox
    vy = hy[k1] - oy
    return ux * vy - uy * vx > 0.0


@numba.njit(cache=True, inline="always")
def _small_sincos(d: float) -> tuple[float, float]:
    """sin d and cos d of a small angle d [rad] (one step along a line; series, error below 1e-17 for the
    steps of a few pixels used here)."""
    d2 = d * d
    return d * (1.0 - d2 / 6.0 * (1.0 - d2 / 20.0)), 1.0 - d2 / 2.0 * (1.0 - d2 / 12.0)


@numba.njit(cache=True, inline="always")
def _arc_rotations(
    ss: NDArray[np.float64],
    su: NDArray[np.float64],
    sv: NDArray[np.float64],
    n: int,
    sin_d: NDArray[np.float64],
    cos_d: NDArray[np.float64],
    sh: NDArray[np.float64],
    radius: float,
    gx: NDArray[np.float64],
    gy: NDArray[np.float64],
) -> None:
    """Turns the steps ss[1 .. n - 1] [rad] into the arc lengths ss[k] from sample 0 (ss[0] = 0), with su[k] =
    sin ss[k] and sv[k] = cos ss[k] by exact rotations by the small steps (:func:`_small_sincos`), and in the
    same (serial, latency-bound) loop each sample's point in the plane, gx = (R + h) sin S, gy = (R + h) cos S
    (h = sh[k]; NaN for no-data samples). The steps' sin and cos go first into the scratch arrays ``sin_d``,
    ``cos_d`` in a straight loop, so that only the rotations are serial."""
    for k in range(1, n):
        sin_d[k], cos_d[k] = _small_sincos(ss[k])
    ss[0] = 0.0
    su[0] = 0.0
    sv[0] = 1.0
    if n > 0:
        rr = radius + sh[0]
        gx[0] = rr * 0.0
        gy[0] = rr * 1.0
    s_acc = 0.0
    sn = 0.0
    cs = 1.0
    for k in range(1, n):
        s_acc = s_acc + ss[k]
        ss[k] = s_acc
        sd = sin_d[k]
        cd = cos_d[k]
        sn, cs = sn * cd + cs * sd, cs * cd - sn * sd
        su[k] = sn
        sv[k] = cs
        rr = radius + sh[k]
        gx[k] = rr * sn
        gy[k] = rr * cs


@numba.njit(cache=True, inline="always")
def _hull_insert(
    hx: NDArray[np.float64],
    hy: NDArray[np.float64],
    top: int,
    x: float,
    y: float,
    x1: float,
    y1: float,
    x2: float,
    y2: float,
) -> tuple[int, float, float, float, float]:
    """Pushes the point (x, y) onto the upper hull hx/hy[0 .. top - 1] (farthest first), popping the near
    vertices it hides; (x1, y1), (x2, y2) are vertices top - 1 and top - 2 (kept in registers). Returns the
    new top and the new (x1, y1, x2, y2)."""
    while top >= 2:
        ax = x1 - x
        ay = y1 - y
        bx = x2 - x
        by = y2 - y
        if ax * by - ay * bx >= 0.0:
            top -= 1
            x1 = x2
            y1 = y2
            if top >= 2:
                k = _ix(top - 2)
                x2 = hx[k]
                y2 = hy[k]
        else:
            break
    k = _ix(top)
    hx[k] = x
    hy[k] = y
    return top + 1, x, y, x1, y1


# the two backward sweeps are functions of their own, called by _line (measured: the same speed as inline, 0.99x)
@numba.njit(cache=True, error_model="numpy")
def _sweep_fwd(
    a: NDArray[np.float32],
    n: int,
    n_qry: int,
    radius: float,
    mast: float,
    min_s: float,
    edge_point: bool,
    sp: NDArray[np.float64],
    sq: NDArray[np.float64],
    sh: NDArray[np.float64],
    ss: NDArray[np.float64],
    sint: NDArray[np.int64],
    hx: NDArray[np.float64],
    hy: NDArray[np.float64],
    gx: NDArray[np.float64],
    gy: NDArray[np.float64],
    qj: NDArray[np.int64],
    qcode: NDArray[np.int64],
    out: NDArray[np.float32],
) -> None:
    """The backward hull sweep of a line's samples (built by :func:`_line`) towards +p, with its n_qry queries;
    writes tan(elevation) to out[side, q, p]."""
    # backward sweep over the queries (the hull gets every sample at least min_s ahead of the observer)
    tan_i = 0  # tangent vertex of the previous query
    top = 0  # hull size; hx/hy[0] is the farthest vertex, hx/hy[top - 1] the nearest
    ins = n - 1
    x1 = y1 = x2 = y2 = 0.0
    for e in range(n_qry - 1, -1, -1):
        j = qj[_ix(e)]
        p = sint[_ix(j)]
        s_obs = ss[_ix(j)]
        thr = s_obs + min_s
        while ins >= 0 and ss[_ix(ins)] >= thr:
            x = gx[_ix(ins)]
            if x == x:
                top, x1, y1, x2, y2 = _hull_insert(hx, hy, top, x, gy[_ix(ins)], x1, y1, x2, y2)
            ins -= 1
        qc = qcode[_ix(e)] >> 1
        side = qcode[_ix(e)] & 1
        hc = a[_ix(qc), _ix(p)]
        if hc != hc:
            continue
        cu = sp[_ix(j)]
        cf = sq[_ix(j)]
        ro = radius + hc + mast
        ox = ro * cu
        oy = ro * cf
        # best (up, forward) components in the observer's frame: up = (sin S, cos S), forward = (cos S,
        # -sin S); tan(elevation) = up / forward (forward > 0 ahead of the observer)
        up = -1.0
        fw = 0.0
        if edge_point and ins + 1 <= n - 1:
            # the point exactly at the minimum distance (linear between the samples around it)
            fb = (thr - ss[_ix(ins)]) / (ss[_ix(ins + 1)] - ss[_ix(ins)])
            hb = sh[_ix(ins)] + fb * (sh[_ix(ins + 1)] - sh[_ix(ins)])
            if hb == hb:
                # sin and cos of thr: the sample's, rotated by the small step to thr (series)
                sd, cd = _small_sincos(thr - ss[_ix(ins)])
                sb = sp[_ix(ins)] * cd + sq[_ix(ins)] * sd
                cb = sq[_ix(ins)] * cd - sp[_ix(ins)] * sd
                rb = radius + hb
                vx = rb * sb - ox
                vy = rb * cb - oy
                up = vx * cu + vy * cf
                fw = vx * cf - vy * cu
        if top > 0:
            # unimodal angle from the observer along the hull (nearest = top - 1 ... farthest = 0): the
            # tangent vertex is the first i with vertex i seen higher than vertex i + 1 (else top - 1). Walk
            # from the previous query's tangent (successive queries move little along the hull). Kept inline
            # here and in the fast sweep: as an inlined helper it made the fast sweep lines 1.3x slower
            # (numba 0.68).
            i = min(tan_i, top - 1)
            if i > 0 and _higher(hx, hy, ox, oy, i):
                i -= 1
                while i > 0 and _higher(hx, hy, ox, oy, i):
                    i -= 1
            else:
                while i + 1 < top and not _higher(hx, hy, ox, oy, i + 1):
                    i += 1
            tan_i = i
            vx = hx[_ix(i)] - ox
            vy = hy[_ix(i)] - oy
            up2 = vx * cu + vy * cf
            fw2 = vx * cf - vy * cu
            if fw <= 0.0 or up2 * fw > up * fw2:
                up = up2
                fw = fw2
        out[_ix(side), _ix(qc), _ix(p)] = up / fw if fw > 0.0 else -math.inf


@numba.njit(cache=True, error_model="numpy")
def _sweep_rev(
    a: NDArray[np.float32],
    n: int,
    n_qry: int,
    radius: float,
    mast: float,
    min_s: float,
    edge_point: bool,
    sp: NDArray[np.float64],
    sq: NDArray[np.float64],
    sh: NDArray[np.float64],
    ss: NDArray[np.float64],
    sint: NDArray[np.int64],
    hx: NDArray[np.float64],
    hy: NDArray[np.float64],
    gx: NDArray[np.float64],
    gy: NDArray[np.float64],
    qj: NDArray[np.int64],
    qcode: NDArray[np.int64],
    out: NDArray[np.float32],
) -> None:
    """The same towards -p (on the mirror image); writes out[side, q, np - 1 - p]."""
    np_ = a.shape[1]
    # the same towards -p on the mirror image (sin S -> -sin S: the same hull and tangent tests), the
    # queries in increasing p, the hull getting every sample at least min_s behind (in p) the observer
    tan_i = 0
    top = 0
    ins = 0
    x1 = y1 = x2 = y2 = 0.0
    for e in range(n_qry):
        j = qj[_ix(e)]
        p = sint[_ix(j)]
        s_obs = ss[_ix(j)]
        thr = s_obs - min_s
        while ins < n and ss[_ix(ins)] <= thr:
            x = gx[_ix(ins)]
            if x == x:
                top, x1, y1, x2, y2 = _hull_insert(hx, hy, top, -x, gy[_ix(ins)], x1, y1, x2, y2)
            ins += 1
        qc = qcode[_ix(e)] >> 1
        side = qcode[_ix(e)] & 1
        hc = a[_ix(qc), _ix(p)]
        if hc != hc:
            continue
        cu = -sp[_ix(j)]
        cf = sq[_ix(j)]
        ro = radius + hc + mast
        ox = ro * cu
        oy = ro * cf
        up = -1.0
        fw = 0.0
        if edge_point and ins >= 1 and ins <= n - 1:
            # the point exactly at the minimum distance (linear between the samples around it)
            fb = (ss[_ix(ins)] - thr) / (ss[_ix(ins)] - ss[_ix(ins - 1)])
            hb = sh[_ix(ins)] + fb * (sh[_ix(ins - 1)] - sh[_ix(ins)])
            if hb == hb:
                sd, cd = _small_sincos(ss[_ix(ins)] - thr)
                su_i = -sp[_ix(ins)]
                sb = su_i * cd + sq[_ix(ins)] * sd
                cb = sq[_ix(ins)] * cd - su_i * sd
                rb = radius + hb
                vx = rb * sb - ox
                vy = rb * cb - oy
                up = vx * cu + vy * cf
                fw = vx * cf - vy * cu
        if top > 0:
            i = min(tan_i, top - 1)
            if i > 0 and _higher(hx, hy, ox, oy, i):
                i -= 1
                while i > 0 and _higher(hx, hy, ox, oy, i):
                    i -= 1
            else:
                while i + 1 < top and not _higher(hx, hy, ox, oy, i + 1):
                    i += 1
            tan_i = i
            vx = hx[_ix(i)] - ox
            vy = hy[_ix(i)] - oy
            up2 = vx * cu + vy * cf
            fw2 = vx * cf - vy * cu
            if fw <= 0.0 or up2 * fw > up * fw2:
                up = up2
                fw = fw2
        out[_ix(side), _ix(qc), _ix(np_ - 1 - p)] = up / fw if fw > 0.0 else -math.inf


# error_model="numpy": no zero-division checks (the divisions here have nonzero divisors), which let LLVM vectorize
# the arc-length loop; the results are the same IEEE values
@numba.njit(cache=True, error_model="numpy")
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
    edge_point: bool,
    tol: float,
    p_lo: int,
    p_hi: int,
    q_lo: int,
    q_hi: int,
    do_fwd: bool,
    do_rev: bool,
    sp: NDArray[np.float64],
    sq: NDArray[np.float64],
    sh: NDArray[np.float64],
    ss: NDArray[np.float64],
    sint: NDArray[np.int64],
    hx: NDArray[np.float64],
    hy: NDArray[np.float64],
    gx: NDArray[np.float64],
    gy: NDArray[np.float64],
    qj: NDArray[np.int64],
    qcode: NDArray[np.int64],
    out: NDArray[np.float32],
    out_rev: NDArray[np.float32],
) -> None:
    """Sweep line m: samples, arc lengths, then the backward hull sweep towards +p (``do_fwd``) and/or towards
    -p (``do_rev``) on the same samples, with queries of the cells next to the line.
    ``aff``: map x = aff[0] + aff[1] p + aff[2] q, y = aff[3] + aff[4] p + aff[5] q [m], then k0 and
    1 / (4 R^2 k0^2) of the point scale, and the map length per unit p over R. ``edge_point``: each query also
    sees its line's point at exactly ``min_s`` ahead (interpolated between the samples around it); else the
    terrain from the first sample at least ``min_s`` ahead. Writes tan(elevation) (-inf:
    nothing ahead) to out[0, q, p] (the cell's lower line) / out[1, q, p] (its upper line) towards +p, and to
    out_rev[side, q, np - 1 - p] (the p-reversed array of the opposite bearing, whose lines are the same)
    towards -p."""
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
    # samples needed: ahead of the window's cells in each direction swept
    pa = max(pa, 0 if do_rev else p_lo, 0)
    pb = min(pb, np_ - 1 if do_fwd else p_hi, np_ - 1)
    if pa > pb:
        return
    # samples: integer p (sint = p), crossings of integer q in between (sint = -1), and points inside the
    # stretches between them where the bilinear surface bulges above the chord (sint = -1). Queries: the cell
    # (at most one) within 1 / ov of the line at each integer p, with its sample index and which of its two
    # lines this is (recorded without branches; the lines are 1 / ov apart, so at most one cell per p).
    n = 0
    n_qry = 0
    prev_p = 0.0
    prev_q = 0.0
    row_after = -1  # cell row of the stretch from a crossing of integer q to the next integer p
    for p in range(pa, pb + 1):
        q = q0 + t * p
        q = min(max(q, 0.0), nq - 1.0)
        n = _push(a, sp, sq, sh, sint, n, p, q, _height(a, p, q), p, tol, row_after, p - 1, prev_p, prev_q)
        prev_p = float(p)
        prev_q = q
        row_after = -1
        qline = q0 + t * p
        c_first = max(math.ceil(qline - 1.0 / ov - 1e-9), q_lo)
        qc = min(math.floor(qline + 1.0 / ov + 1e-9), q_hi)
        mlo = math.floor((qc - t * p - q0_start) * ov)
        ok = c_first <= qc and p_lo <= p <= p_hi and (mlo == m or mlo + 1 == m)
        qj[_ix(n_qry)] = n - 1
        qcode[_ix(n_qry)] = 2 * qc + (0 if mlo == m else 1)
        n_qry += 1 if ok else 0
        if p < pb and t != 0.0:
            qb = q0 + t * (p + 1)
            lo = min(q, qb)
            hi = max(q, qb)
            k = math.floor(hi)
            if k > lo and k < hi and 0 <= k <= nq - 1:
                f = (k - q) / (qb - q)
                # not within 1e-9 px of an integer-p sample (the same point: nearly coincident hull vertices
                # are seen at equal angles up to rounding, which breaks the unimodal tangent search)
                if 1e-9 < f < 1.0 - 1e-9:
                    # the stretch from p to the crossing lies in cell row k - 1 (t > 0) or k (t < 0), the one from
                    # the crossing to p + 1 in row k or k - 1
                    ak = a[_ix(k), _ix(p)]
                    n = _push(
                        a, sp, sq, sh, sint, n, p + f, k, ak + f * (a[_ix(k), _ix(p + 1)] - ak), -1, tol,
                        k - 1 if t > 0.0 else k, p, prev_p, prev_q,
                    )  # fmt: skip
                    prev_p = p + f
                    prev_q = float(k)
                    row_after = k if t > 0.0 else k - 1
    if n_qry == 0:
        return
    # ground arc length S [rad] (map length / point scale at the midpoint of each step: the steps first, in a
    # straight loop), and the sample's sin S and cos S (stored over sp and sq once read) by exact rotations
    # by the small steps (series to 1e-17)
    c0, c1, c2, c3, c4, c5, k0, c7, c8 = aff[0], aff[1], aff[2], aff[3], aff[4], aff[5], aff[6], aff[7], aff[8]
    for j in range(1, n):
        pm = 0.5 * (sp[j] + sp[j - 1])
        qm = 0.5 * (sq[j] + sq[j - 1])
        x = c0 + c1 * pm + c2 * qm
        y = c3 + c4 * pm + c5 * qm
        ss[j] = (sp[j] - sp[j - 1]) * c8 / (k0 * (1.0 + (x * x + y * y) * c7))
    _arc_rotations(ss, sp, sq, n, hx, hy, sh, radius, gx, gy)  # the hull arrays are free until the sweeps
    if do_fwd:
        _sweep_fwd(
            a, n, n_qry, radius, mast, min_s, edge_point, sp, sq, sh, ss, sint, hx, hy, gx, gy, qj, qcode, out
        )  # fmt: skip
    if do_rev:
        _sweep_rev(
            a, n, n_qry, radius, mast, min_s, edge_point, sp, sq, sh, ss, sint, hx, hy, gx, gy, qj, qcode, out_rev
        )  # fmt: skip


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
    edge_point: bool,
    tol: float,
    p_lo: int,
    p_hi: int,
    q_lo: int,
    q_hi: int,
    do_fwd: bool,
    do_rev: bool,
    out: NDArray[np.float32],
    out_rev: NDArray[np.float32],
) -> None:
    """All lines m_first..m_last of one direction (towards +p, ``do_fwd``) and/or of the opposite direction (the
    same lines towards -p, ``do_rev``), parallel over blocks of consecutive lines, which read the same heights;
    fills out[0 / 1, q, p] (tan of the elevation from the cell's lower / upper line) and out_rev[0 / 1, q,
    np - 1 - p] for the cells of the window (q_lo..q_hi, p_lo..p_hi); ``aff`` as in :func:`_line`."""
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
        gx = np.empty(size, np.float64)
        gy = np.empty(size, np.float64)
        qj = np.empty(np_ + 1, np.int64)
        qcode = np.empty(np_ + 1, np.int64)
        per = (n_lines + n_chunks - 1) // n_chunks
        for m in range(m_first + ch * per, min(m_first + (ch + 1) * per, m_last + 1)):
            _line(
                a, m, t, q0_start, ov, aff, radius, mast, min_s, edge_point, tol, p_lo, p_hi, q_lo, q_hi, do_fwd,
                do_rev, sp, sq, sh, ss, sint, hx, hy, gx, gy, qj, qcode, out, out_rev,
            )  # fmt: skip


def near_offsets(
    t: float, u_lo: float, u_hi: float, per_px: int, max_per_px: int | None = None
) -> NDArray[np.float64]:
    """Sample positions u (units of p) along the line q = t u from a lattice point, shared by every cell: the
    kinks of the bilinear surface (integer u, integer t u) in [u_lo, u_hi] and, between them, equal steps of at
    most 1 / n pixel of map length (inside a cell the surface is a quadratic along the line). n = ``per_px``;
    with ``max_per_px``, n = max(per_px, min(max_per_px, 2 max_per_px / d)) at d pixels from the cell: finer
    close in. A crest missed between two steps lies at most |twist| / (8 n^2) above the chord (|twist| =
    |a00 - a01 - a10 + a11| of its cell), so it is seen under at most |twist| d / (32 max_per_px^2 pixel) rad
    for 2 <= d <= 2 max_per_px / per_px and |twist| / (8 max_per_px^2 d pixel) rad for d < 2 (d in pixels of map
    length; over the ground, larger by the point scale k, at most 6 % on the LOLA polar grids)."""
    knots = [u_lo, u_hi]
    knots += [float(k) for k in range(math.ceil(u_lo), math.floor(u_hi) + 1)]
    if t != 0.0:
        k_lo, k_hi = sorted((t * u_lo, t * u_hi))
        knots += [k / t for k in range(math.ceil(k_lo), math.floor(k_hi) + 1)]
    knots_arr = np.unique(np.asarray(knots))
    px_per_u = math.sqrt(1.0 + t * t)  # map length [px] per unit of u
    pieces = [knots_arr[:1]]
    for u0, u1 in itertools.pairwise(knots_arr):
        n_per_px = float(per_px)
        if max_per_px is not None:
            n_per_px = max(n_per_px, min(float(max_per_px), 2.0 * max_per_px / max(u0 * px_per_u, 1e-9)))
        step = 1.0 / (n_per_px * px_per_u)
        n = max(1, math.ceil((u1 - u0) / step - 1e-9))
        pieces.append(u0 + (u1 - u0) * np.arange(1, n + 1) / n)
    return np.concatenate(pieces)


@numba.njit(cache=True, inline="always")
def _near_run(
    ra: NDArray[np.float32],
    rb: NDArray[np.float32],
    rc: NDArray[np.float32],
    rd: NDArray[np.float32],
    fp: float,
    fq: float,
    u: float,
    rpp_row: NDArray[np.float32],
    h_obs: NDArray[np.float32],
    best: NDArray[np.float32],
    radius: float,
    s_min: float,
) -> None:
    """One shared near-field sample for a run of cells (straight loop over contiguous rows: vectorized), in
    float32 (twice the vector width of float64) with the height difference taken first, tan = ((h - h_obs) -
    s^2 (R + h) / 2) / ((R + h) s (1 - s^2 / 6)), so that no difference of two radii is rounded (relative error
    about 1e-7 of the tan); ``h_obs``: the observer's height above the DEM datum (ground + mast); s >= ``s_min``
    tested in float32 less 1e-6 of it (1.6 mm at 1.6 km: float32 rounding of s must not drop a sample that is
    at s_min)."""
    one = np.float32(1.0)
    half = np.float32(0.5)
    sixth = np.float32(1.0 / 6.0)
    fp32 = np.float32(fp)
    fq32 = np.float32(fq)
    u32 = np.float32(u)
    r32 = np.float32(radius)
    smin32 = np.float32(s_min * (1.0 - 1e-6))
    for i in range(best.shape[0]):
        h_a = ra[i] + fp32 * (rb[i] - ra[i])
        h_b = rc[i] + fp32 * (rd[i] - rc[i])
        ht = h_a + fq32 * (h_b - h_a)
        rt = r32 + ht
        sv = u32 * rpp_row[i]
        s2 = sv * sv
        val = ((ht - h_obs[i]) - half * s2 * rt) / (rt * sv * (one - s2 * sixth))
        b = best[i]
        best[i] = val if (sv >= smin32 and val > b) else b


@numba.njit(cache=True, inline="always")
def _near_sample(
    u: float, t: float, q: int, nq: int, np_: int, p_lo: int, p_hi: int
) -> tuple[int, int, int, int, int, float, float]:
    """Where the shared near-field sample at offset u (units of p) along the lines q' = q + t u from the cells
    (q, p_lo .. p_hi) falls: n_run (how many cells from p_lo have it inside the grid; <= 0: none), the rows q0,
    q1 and the column c (for cell p_lo; c + dp the next) of its bilinear cell, and its fractions fp, fq."""
    ip = math.floor(u)
    fp = u - ip
    v = t * u
    iq = math.floor(v)
    fq = v - iq
    q0 = q + iq
    if q0 < 0 or q0 > nq - 1 or (fq > 0.0 and q0 + 1 > nq - 1):
        return 0, q0, q0, p_lo, 0, fp, fq
    q1 = q0 + 1 if fq > 0.0 else q0
    dp = 1 if fp > 0.0 else 0
    return min(p_hi, np_ - 1 - ip - dp) - p_lo + 1, q0, q1, p_lo + ip, dp, fp, fq


@numba.njit(cache=True, inline="always")
def _first_samples(
    a: NDArray[np.float32],
    q: int,
    t: float,
    p_lo: int,
    u_cell: NDArray[np.float64],
    r_obs: NDArray[np.float64],
    s_min: float,
    radius: float,
    best: NDArray[np.float32],
) -> None:
    """Each cell's own point at exactly the minimum distance (ground angle ``s_min``) along its line q' = q + t u,
    p' = p + u, at u = ``u_cell[i]`` for the cell p = p_lo + i (float64, bilinear as :func:`_bilinear_pq`),
    into ``best`` (the first near-field value). The offsets differ a little from cell to cell (the point scale), so
    the cells are taken per stretch of u between two kinks of the bilinear surface (integer u or t u), inside which
    every point lies in the same cell relative to its observer: contiguous reads, a straight loop over the row
    (vectorized), instead of a gather per cell. Points outside the grid are skipped, as are those exactly on the
    last column (integer u there: the point at the grid's edge line)."""
    nq, np_ = a.shape
    n_p = u_cell.shape[0]
    u_lo = u_cell.min()
    u_hi = u_cell.max()
    if not u_lo == u_lo:  # no finite offset (cannot happen: the point scale is finite and positive)
        return
    cs = 1.0 - 0.5 * s_min * s_min
    sn = s_min - s_min * s_min * s_min / 6.0
    ua = u_lo
    while True:
        # the stretch [ua, ub]: up to the next integer u or integer t u, or the row's largest offset
        # (a knot that rounds to ua itself, when ua is the last knot, is stepped over: the loop always advances)
        ub = min(math.floor(ua) + 1.0, u_hi)
        if t != 0.0:
            k_next = math.floor(t * ua) + 1.0 if t > 0.0 else math.ceil(t * ua) - 1.0
            u_next = k_next / t
            if u_next <= ua:
                u_next = (k_next + (1.0 if t > 0.0 else -1.0)) / t
            ub = min(ub, u_next)
        mid = 0.5 * (ua + ub)
        dp0 = math.floor(mid)
        r0 = max(min(q + math.floor(t * mid), nq - 2), 0)
        i_end = min(n_p, np_ - 1 - dp0 - p_lo)  # cells whose bilinear cell (p + dp0, p + dp0 + 1) is in the grid
        for i in range(max(i_end, 0)):
            u = u_cell[i]
            p = p_lo + i
            pp = p + u
            qq = q + t * u
            c0 = p + dp0
            fp = pp - c0
            fq = qq - r0
            a00 = a[_ix(r0), _ix(c0)]
            a01 = a[_ix(r0), _ix(c0 + 1)]
            a10 = a[_ix(r0 + 1), _ix(c0)]
            a11 = a[_ix(r0 + 1), _ix(c0 + 1)]
            h0 = a00 + fp * (a01 - a00)
            h1 = a10 + fp * (a11 - a10)
            rt = radius + (h0 + fq * (h1 - h0))
            val = (rt * cs - r_obs[i]) / (rt * sn)
            ok = ua <= u <= ub and 0.0 <= qq <= nq - 1 and pp <= np_ - 1 and val > best[i]
            best[i] = np.float32(val) if ok else best[i]
        if ub >= u_hi:
            return
        ua = ub


@numba.njit(cache=True, parallel=True)
def near_field_direction(
    a: NDArray[np.float32],
    t: float,
    u_samples: NDArray[np.float64],
    inv_k: NDArray[np.float64],
    block_inv_k_min: NDArray[np.float64],
    rpp_scale: float,
    s_min: float,
    radius: float,
    mast: float,
    q_lo: int,
    q_hi: int,
    p_lo: int,
    p_hi: int,
    out: NDArray[np.float32],
    row_first_sample: bool = False,
) -> None:
    """Largest tan(elevation) over the near field of each cell (q, p) of the window, along its own line
    q' = q + t (p' - p), p' >= p: the point exactly at the ground angle ``s_min`` [rad] (per cell, float64)
    and the shared samples ``u_samples`` (:func:`near_offsets`) beyond it (float32, :func:`_near_run`).
    ``rpp_scale * inv_k[q - q_lo, p - p_lo]``: ground angle per unit p at the cell (``inv_k``: 1 / point scale
    over the window). The
    samples are the same offsets for every cell, so the inner loop runs over a row of cells (vectorized).
    ``row_first_sample`` (the fast sweep): the sample at the minimum distance is shared by the cells of a block
    of ``NEAR_BLOCK_PX`` columns p of the grid (``block_inv_k_min[q - q_lo, p // NEAR_BLOCK_PX]``: the smallest
    1 / point scale in the block's cells of the whole grid row), taken at the offset where all of them are at
    least ``s_min`` away (beyond s_min by at most the spread of the point scale over the block, below 1 % on the
    LOLA polar grids); the later samples start where every cell of the grid row is at least ``s_min`` away. So
    the near field vectorizes like the others (1.6x faster on this kernel) and does not depend on the window
    (blocks and rows are the grid's). Else ``block_inv_k_min`` is not read."""
    nq, np_ = a.shape
    n_s = u_samples.shape[0]
    n_p = p_hi - p_lo + 1
    for q in numba.prange(q_lo, q_hi + 1):
        best = out[q, p_lo : p_hi + 1]
        h_obs = np.empty(n_p, np.float32)
        rpp_row = np.empty(n_p, np.float32)
        u_cell = np.empty(n_p)  # offset of each cell's own point at the minimum distance
        r_obs = np.empty(n_p)  # R + observer's height [m]
        for i in range(n_p):
            p = p_lo + i
            h0 = a[q, p]
            h_obs[i] = np.float32(h0 + mast)
            ik = inv_k[_ix(q - q_lo), _ix(i)]
            rpp_row[i] = np.float32(rpp_scale * ik)
            best[i] = -np.inf
            u_cell[i] = s_min / (rpp_scale * ik)
            r_obs[i] = radius + h0 + mast  # NaN for a no-data cell: its values stay -inf
        if not row_first_sample:
            _first_samples(a, q, t, p_lo, u_cell, r_obs, s_min, radius, best)
        u_row = 0.0
        if row_first_sample:
            blocks = block_inv_k_min[_ix(q - q_lo)]
            u_row = s_min / (rpp_scale * blocks.min())  # every cell of the grid row is s_min away from here on
            for b in range(p_lo // NEAR_BLOCK_PX, p_hi // NEAR_BLOCK_PX + 1):
                s0 = max(p_lo, b * NEAR_BLOCK_PX)
                s1 = min(p_hi, b * NEAR_BLOCK_PX + NEAR_BLOCK_PX - 1)
                u = s_min / (rpp_scale * blocks[_ix(b)])
                n_run, q0, q1, c, dp, fp, fq = _near_sample(u, t, q, nq, np_, s0, s1)
                if n_run <= 0:
                    continue
                i0 = s0 - p_lo
                _near_run(
                    a[q0, c : c + n_run], a[q0, c + dp : c + dp + n_run], a[q1, c : c + n_run],
                    a[q1, c + dp : c + dp + n_run], fp, fq, u, rpp_row[i0 : i0 + n_run], h_obs[i0 : i0 + n_run],
                    best[i0 : i0 + n_run], radius, s_min,
                )  # fmt: skip
        for k in range(n_s):
            u = u_samples[k]
            if row_first_sample and u < u_row:
                continue
            n_run, q0, q1, c, dp, fp, fq = _near_sample(u, t, q, nq, np_, p_lo, p_hi)
            if n_run <= 0:
                continue
            _near_run(
                a[q0, c : c + n_run], a[q0, c + dp : c + dp + n_run], a[q1, c : c + n_run],
                a[q1, c + dp : c + dp + n_run], fp, fq, u, rpp_row[:n_run], h_obs[:n_run], best[:n_run],
                radius, s_min,
            )  # fmt: skip


@numba.njit(cache=True, inline="always")
def _cell_tan(
    out_lo: NDArray[np.float32],
    out_hi: NDArray[np.float32],
    near: NDArray[np.float32],
    q: int,
    p: int,
    t: float,
    q0_start: float,
    ov: float,
    p_flip: int,
) -> float:
    """tan(elevation) of cell (q, p) for one direction: the far field interpolated linearly in the cell's offset
    between its two sweep lines (a NaN line: the other one; -inf: the line sees nothing ahead), or the near field
    where that is higher. ``p_flip`` as in :func:`accumulate_direction`."""
    lo = out_lo[_ix(q), _ix(p)]
    hi = out_hi[_ix(q), _ix(p)]
    mf = (q - t * (p if p_flip < 0 else p_flip - p) - q0_start) * ov
    f = mf - math.floor(mf)
    if lo == lo and hi == hi:
        v = lo + f * (hi - lo) if lo > -math.inf and hi > -math.inf else max(lo, hi)
    elif lo == lo:
        v = lo
    elif hi == hi:
        v = hi
    else:
        v = -math.inf
    return max(v, near[_ix(q), _ix(p)])


@numba.njit(cache=True, inline="always")
def _atan_row(vrow: NDArray[np.float64]) -> None:
    """vrow <- arctan(vrow) in place, in a straight loop (A&S 4.4.49 on [0, 1], |error| <= 2e-8 rad, and
    pi / 2 - atan(1 / x) beyond; -inf gives -pi / 2, NaN stays NaN)."""
    for j in range(vrow.shape[0]):
        v = vrow[_ix(j)]
        av = abs(v)
        big = av > 1.0
        x = 1.0 / av if big else av
        x2 = x * x
        pl = _ATAN_C7
        pl = pl * x2 + _ATAN_C6
        pl = pl * x2 + _ATAN_C5
        pl = pl * x2 + _ATAN_C4
        pl = pl * x2 + _ATAN_C3
        pl = pl * x2 + _ATAN_C2
        pl = pl * x2 + _ATAN_C1
        pl = pl * x2 + _ATAN_C0
        r = x * pl
        r = 0.5 * math.pi - r if big else r
        vrow[_ix(j)] = -r if v < 0.0 else r


@numba.njit(cache=True, parallel=True)
def accumulate_direction(
    a: NDArray[np.float32],
    out_lo: NDArray[np.float32],
    out_hi: NDArray[np.float32],
    near: NDArray[np.float32],
    case: int,
    t: float,
    q0_start: float,
    ov: float,
    p_flip: int,
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
    and the far field interpolated between the cell's two sweep lines. ``p_flip`` >= 0: the lines
    q = q0_start + m / ov + t p' are those of the p-reversed array, p' = p_flip - p (the offset is computed as in
    the sweep kernel that wrote ``out_lo`` / ``out_hi``, so that both round alike)."""
    wy, wx, n_az = result.shape
    daz = 2.0 * math.pi / n_az
    for i in numba.prange(wy):
        row = row0 + i
        vrow = np.empty(wx)
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
            h0 = a[_ix(q), _ix(p)]
            if h0 != h0:
                vrow[_ix(j)] = math.nan
                continue
            vrow[_ix(j)] = _cell_tan(out_lo, out_hi, near, q, p, t, q0_start, ov, p_flip)
        _atan_row(vrow)
        for j in range(wx):
            v = vrow[_ix(j)]
            if v != v:
                continue
            x = (beta - gamma[_ix(i), _ix(j)]) / daz
            x = x - math.floor(x / n_az) * n_az
            k0 = math.floor(x)
            for k in (k0, k0 + 1):
                w = 1.0 - abs(x - k) * daz / dbeta
                if w > 0.0:
                    kk = k if k < n_az else k - n_az
                    result[_ix(i), _ix(j), _ix(kk)] += np.float32(w * v)


@numba.njit(cache=True, parallel=True)
def store_direction(
    out_lo: NDArray[np.float32],
    out_hi: NDArray[np.float32],
    near: NDArray[np.float32],
    case: int,
    t: float,
    q0_start: float,
    ov: float,
    p_flip: int,
    window_qp: tuple[int, int, int, int],
    row0: int,
    col0: int,
    ny: int,
    nx: int,
    slot: int,
    batch: NDArray[np.float32],
) -> None:
    """Writes this direction's horizon elevation [rad] to ``batch[slot, i, j]`` (a sweep direction, not yet an
    azimuth bin: :func:`write_directions` moves a batch of directions into the map, and :func:`blend_directions`
    turns them into bins once all are in). Same horizon as :func:`accumulate_direction`, the cells visited in the
    order of the case's array (``window_qp`` = q_lo, q_hi, p_lo, p_hi) so that the line values and the near
    field are read contiguously."""
    q_lo, q_hi, p_lo, p_hi = window_qp
    n_p = p_hi - p_lo + 1
    for q in numba.prange(q_lo, q_hi + 1):
        vrow = np.empty(n_p)
        for k in range(n_p):
            p = p_lo + k
            vrow[_ix(k)] = _cell_tan(out_lo, out_hi, near, q, p, t, q0_start, ov, p_flip)
        _atan_row(vrow)
        for k in range(n_p):
            p = p_lo + k
            if case == 0:
                row, col = q, p
            elif case == 1:
                row, col = q, nx - 1 - p
            elif case == 2:
                row, col = p, q
            else:
                row, col = ny - 1 - p, q
            batch[_ix(slot), _ix(row - row0), _ix(col - col0)] = np.float32(vrow[_ix(k)])


@numba.njit(cache=True, parallel=True)
def write_directions(batch: NDArray[np.float32], directions: NDArray[np.int64], result: NDArray[np.float32]) -> None:
    """result[i, j, directions[k]] = batch[k, i, j] for the k < len(directions) directions of a batch (each
    cell's slots of the batch's directions in one pass: a few cache lines per cell instead of one per
    direction)."""
    wy, wx, _n = result.shape
    n_used = directions.shape[0]
    for i in numba.prange(wy):
        for j in range(wx):
            for k in range(n_used):
                result[_ix(i), _ix(j), _ix(directions[_ix(k)])] = batch[_ix(k), _ix(i), _ix(j)]


@numba.njit(cache=True, parallel=True)
def blend_directions(gamma: NDArray[np.float64], result: NDArray[np.float32]) -> None:
    """Turns ``result[i, j, d]`` (sweep direction d at grid bearing 2 pi d / n) into azimuth bins in place: the
    cell's grid bearing of azimuth k is az_k + gamma[i, j], so bin k is the linear interpolation between the
    directions k + G and k + G + 1, G + f = gamma / (2 pi / n) (the weights of :func:`accumulate_direction`
    with one direction per azimuth)."""
    wy, wx, n = result.shape
    for i in numba.prange(wy):
        v = np.empty(n, np.float32)
        for j in range(wx):
            g = gamma[_ix(i), _ix(j)] * n / (2.0 * math.pi)
            g_floor = math.floor(g)
            f = np.float32(g - g_floor)
            shift = int(g_floor) % n
            v[:] = result[i, j, :]
            for k in range(n):
                k0 = k + shift
                k0 = k0 - n if k0 >= n else k0
                k1 = k0 + 1
                k1 = k1 - n if k1 >= n else k1
                result[_ix(i), _ix(j), _ix(k)] = v[_ix(k0)] + f * (v[_ix(k1)] - v[_ix(k0)])


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


def line_direction(d: int, dbeta: float) -> tuple[int, float]:
    """Array case and slope t of sweep bearing d dbeta (clockwise from map +y): case 0 / 1 sweeps towards +p of
    the grid / of its p-reversed copy (p the column), 2 / 3 the same for the transposed grid; the lines are
    q = q0 + t p. t is snapped to 0 or +-1 within 1e-12 (sin pi is 1.2e-16): the lines of the axis and diagonal
    bearings then pass exactly through the cells and a bearing and its opposite have exactly opposite slopes
    (without it the lines of bearing 180 deg were 1e-13 px off the cells and the one along the grid's edge was
    lost, and at bearing 90 deg the end of a line's p range overflowed)."""
    beta = d * dbeta
    dc = math.sin(beta)
    dr = -math.cos(beta)
    if abs(dc) >= abs(dr):
        case, t = (0 if dc > 0 else 1), dr / abs(dc)
    else:
        case, t = (2 if dr > 0 else 3), dc / abs(dr)
    if abs(t) < 1e-12:
        t = 0.0
    elif abs(abs(t) - 1.0) < 1e-12:
        t = math.copysign(1.0, t)
    return case, t


class SweepGrid(NamedTuple):
    """What both sweeps need of a grid and a window: the heights as the four arrays of the line cases (grid,
    p-reversed, transposed, transposed and p-reversed), 1 / point scale over the window in the same four layouts
    (``inv_k_pq[case][q - q_lo, p - p_lo]``), its smallest value in each block of ``NEAR_BLOCK_PX`` columns p of the
    whole grid, for the window's rows q (``inv_k_block_min[case][q - q_lo, p // NEAR_BLOCK_PX]``), its extremes over
    the whole grid, the window's (q, p) ranges per case and the grid bearing of north at the window's cells."""

    arrays: tuple[NDArray[np.float32], ...]
    inv_k_pq: tuple[NDArray[np.float64], ...]
    inv_k_block_min: tuple[NDArray[np.float64], ...]
    inv_k_max: float
    inv_k_min: float
    win_qp: tuple[tuple[tuple[int, int], tuple[int, int]], ...]
    gamma: NDArray[np.float64]


def sweep_grid(
    heights: NDArray[np.float32], south: bool, geo: NDArray[np.float64], window: tuple[int, int, int, int]
) -> SweepGrid:
    """The :class:`SweepGrid` of ``heights`` (geo = x_min, y_max, pixel, k0, 1 / (4 R^2 k0^2)) and ``window``.
    Memory: the four height layouts (16 bytes per cell of the grid) and window-sized arrays."""
    ny, nx = heights.shape
    row0, row1, col0, col1 = window
    cols = geo[0] + (np.arange(col0, col1) + 0.5) * geo[2]
    rows = geo[1] - (np.arange(row0, row1) + 0.5) * geo[2]
    xx, yy = np.meshgrid(cols, rows)

    def inv_k(y2: NDArray[np.float64], x2: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.asarray(1.0 / (geo[3] * (1.0 + np.add.outer(y2, x2) * geo[4])), dtype=np.float64)

    inv_k_win = inv_k(rows**2, cols**2)  # 1 / point scale of the window's cells
    # its extremes over the whole grid: it falls with x^2 + y^2, so they come from the extreme squares
    # (the same floating-point operations as the grid's own elements there)
    x2 = (geo[0] + (np.arange(nx) + 0.5) * geo[2]) ** 2
    y2 = (geo[1] - (np.arange(ny) + 0.5) * geo[2]) ** 2

    def block_max(v2: NDArray[np.float64]) -> NDArray[np.float64]:  # largest square in each block of columns p
        return np.asarray(np.maximum.reduceat(v2, np.arange(0, v2.size, NEAR_BLOCK_PX)), dtype=np.float64)

    # smallest 1 / point scale per block of a grid row: at the block's largest x^2 (rows) or y^2 (columns)
    block_min = (
        inv_k(rows**2, block_max(x2)),  # case 0: q = row, p = column
        inv_k(rows**2, block_max(x2[::-1])),  # case 1: p = nx - 1 - column
        inv_k(cols**2, block_max(y2)),  # case 2: q = column, p = row
        inv_k(cols**2, block_max(y2[::-1])),  # case 3: p = ny - 1 - row
    )
    return SweepGrid(
        arrays=(
            np.ascontiguousarray(heights),
            np.ascontiguousarray(heights[:, ::-1]),
            np.ascontiguousarray(heights.T),
            np.ascontiguousarray(heights.T[:, ::-1]),
        ),
        inv_k_pq=(
            inv_k_win,
            np.ascontiguousarray(inv_k_win[:, ::-1]),
            np.ascontiguousarray(inv_k_win.T),
            np.ascontiguousarray(inv_k_win.T[:, ::-1]),
        ),
        inv_k_block_min=block_min,
        inv_k_max=float(inv_k(y2[[y2.argmin()]], x2[[x2.argmin()]])[0, 0]),
        inv_k_min=float(inv_k(y2[[y2.argmax()]], x2[[x2.argmax()]])[0, 0]),
        win_qp=(
            ((row0, row1 - 1), (col0, col1 - 1)),
            ((row0, row1 - 1), (nx - col1, nx - 1 - col0)),
            ((col0, col1 - 1), (row0, row1 - 1)),
            ((col0, col1 - 1), (ny - row1, ny - 1 - row0)),
        ),
        gamma=grid_rotation_rad(south, xx, yy),
    )


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
    lines_per_pixel: int = 3,
    near_field_px: float = 8.0,
    near_samples_per_px: int = 2,
    bulge_tol_m: float = 8.0,
    progress: object = None,
    result: NDArray[np.float32] | None = None,
) -> NDArray[np.float32]:
    """Horizon [rad] (wy, wx, n_azimuth) of the window's cells by line sweeps in
    ``directions_per_azimuth * n_azimuth`` grid directions; geo = x_min, y_max, pixel, k0, 1 / (4 R^2 k0^2).
    ``progress(fraction, message)`` after each direction when given. ``result``: a float32 array of that shape to
    write into (checked by the caller), else a new one."""
    if not bulge_tol_m > 0.0:  # the line kernel divides by it without a zero check (error_model="numpy")
        raise ValueError(f"bulge_tol_m = {bulge_tol_m!r} must be > 0 [m]")
    ny, nx = heights.shape
    row0, row1, col0, col1 = window
    grid = sweep_grid(heights, south, geo, window)
    arrays, inv_k_pq, win_qp, gamma = grid.arrays, grid.inv_k_pq, grid.win_qp, grid.gamma
    if result is None:
        result = np.zeros((row1 - row0, col1 - col0, n_azimuth), dtype=np.float32)
    else:
        result.fill(0.0)  # the bin accumulation adds to it
    n_dir = directions_per_azimuth * n_azimuth
    dbeta = 2.0 * math.pi / n_dir
    min_s = min_distance_m / radius_m
    # the near field reaches near_field_px pixels, and at least half of that beyond the minimum distance: the lines
    # alone, from up to 1 / (2 ov) px beside the cell, miss the requirement where the horizon is set by terrain
    # within a few pixels of where they start (minimum distance 13 km on the 1.6 km grid: mean 0.0111 deg; with
    # this 0.0062 deg)
    s_near = max(near_field_px, min_distance_m / geo[2] + 0.5 * near_field_px) * geo[2] / radius_m
    s_far = max(min_s, s_near)
    # the lines' point exactly at s_far (interpolated) only where no near field covers that distance: elsewhere
    # the near field has it on the cell's own line, and the line's point, up to 1 / (2 ov) px beside the cell,
    # only added errors (accuracy table unchanged without it, 10 % less CPU for the lines; docs/terrain.md)
    edge_point = not s_near > min_s
    out_buffers: dict[int, NDArray[np.float32]] = {}
    near_buffers: dict[int, NDArray[np.float32]] = {}

    def buffers(case: int) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        if case not in out_buffers:
            shape = arrays[case].shape
            out_buffers[case] = np.empty((2, *shape), np.float32)
            near_buffers[case] = np.empty(shape, np.float32)
        return out_buffers[case], near_buffers[case]

    # one direction per azimuth: each direction's horizon is stored in its own slot and the slots are blended
    # into azimuth bins at the end (cheaper than adding every direction into two bins)
    by_direction = n_dir == n_azimuth
    # the directions' horizons go to the map in batches (one pass over the map per batch, not per direction)
    batch = np.empty((DIRECTIONS_PER_BATCH if by_direction else 0, row1 - row0, col1 - col0), np.float32)
    batch_dirs: list[int] = []
    ov = float(lines_per_pixel)  # lines per unit of q (a cell is at most 1 / (2 ov) px from a line in q)
    n_done = 0
    for d in range(n_dir):
        case, t = line_direction(d, dbeta)
        # a direction towards +p (cases 0, 2) and its opposite (beta + 180 deg, the p-reversed array of case + 1
        # with slope -t) are the same map lines run both ways: swept together on the same line samples
        d_opp = (d + n_dir // 2) % n_dir
        c_opp, t_opp = line_direction(d_opp, dbeta)
        pair = n_dir % 2 == 0 and abs(t_opp + t) < 1e-9
        if case in (1, 3) and pair and c_opp == case - 1:
            continue  # swept with its opposite direction
        pair = pair and case in (0, 2) and c_opp == case + 1
        a = arrays[case]
        _nq, np_ = a.shape
        qr, pr = win_qp[case]
        q0_start = (-t * (np_ - 1) if t > 0 else 0.0) - 1.0
        corners = [q - t * p for q in qr for p in pr]
        m_first = max(math.floor((min(corners) - q0_start) * ov) - 1, 0)
        m_last = math.floor((max(corners) - q0_start) * ov) + 2
        aff = np.array([*_map_affine(case, geo, ny, nx), geo[3], geo[4], math.sqrt(1.0 + t * t) * geo[2] / radius_m])
        todo = [(d, case, t)] + ([(d_opp, c_opp, t_opp)] if pair else [])
        for _dd, c, _tc in todo:
            qc, pc = win_qp[c]
            buffers(c)[0][:, qc[0] : qc[1] + 1, pc[0] : pc[1] + 1] = np.nan
        out = buffers(case)[0]
        out_rev = buffers(c_opp)[0] if pair else out
        sweep_direction(
            a, t, q0_start, ov, m_first, m_last, aff, radius_m, mast_m, s_far, edge_point, bulge_tol_m,
            pr[0], pr[1], qr[0], qr[1], True, pair, out, out_rev,
        )  # fmt: skip
        for dd, c, tc in todo:
            out_c, near = buffers(c)
            qc, pc = win_qp[c]
            # near field on each cell's own line, with the direction's own slope tc (-t up to rounding)
            rpp_scale = math.sqrt(1.0 + tc * tc) * geo[2] / radius_m  # ground angle per unit p: rpp_scale / k
            if s_near > min_s:
                u_lo = min_s / (rpp_scale * grid.inv_k_max)
                u_hi = s_near / (rpp_scale * grid.inv_k_min)
                u_samples = near_offsets(tc, u_lo, u_hi, near_samples_per_px, NEAR_MAX_SAMPLES_PER_PX)
                near_field_direction(
                    arrays[c], tc, u_samples, inv_k_pq[c], grid.inv_k_block_min[c], rpp_scale, min_s, radius_m,
                    mast_m, qc[0], qc[1], pc[0], pc[1], near,
                )  # fmt: skip
            else:
                near[qc[0] : qc[1] + 1, pc[0] : pc[1] + 1] = -np.inf
            # the opposite direction: the same lines in its p-reversed array, p = np - 1 - p'
            p_flip = -1 if c == case else np_ - 1
            if by_direction:
                window_qp = (qc[0], qc[1], pc[0], pc[1])
                store_direction(
                    out_c[0], out_c[1], near, c, t, q0_start, ov, p_flip, window_qp, row0, col0, ny, nx,
                    len(batch_dirs), batch,
                )  # fmt: skip
                batch_dirs.append(dd)
                if len(batch_dirs) == DIRECTIONS_PER_BATCH:
                    write_directions(batch, np.array(batch_dirs, np.int64), result)
                    batch_dirs.clear()
            else:
                accumulate_direction(
                    arrays[c], out_c[0], out_c[1], near, c, t, q0_start, ov, p_flip, row0, col0, ny, nx,
                    dd * dbeta, dbeta, gamma, result,
                )  # fmt: skip
            n_done += 1
            if progress is not None:
                progress(n_done / n_dir, f"horizon sweep directions {n_done}/{n_dir}")  # type: ignore[operator]
    if by_direction:
        if batch_dirs:
            write_directions(batch, np.array(batch_dirs, np.int64), result)
        blend_directions(gamma, result)
    result[~np.isfinite(heights[row0:row1, col0:col1])] = np.nan
    return result
