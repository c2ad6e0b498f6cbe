"""Numba kernels of the coarse line-sweep horizon map (internal; the API is
:func:`lunarops.terrain.horizon.horizon_map` with ``mode="sweep_fast"``).

Same method as :mod:`lunarops.terrain._horizon_sweep` (upper convex hulls along parallel straight map lines,
after Stewart 1998 and Timonen 2013; each sample placed exactly in the plane of a great circle, (R + h)
(sin S, cos S) with S its ground arc length along the line; a short exact near field on each cell's own
line), with less work per cell and direction, at a documented coarser accuracy (docs/terrain.md, "Horizons:
the fast sweep"):

- fewer sweep bearings (``n_bearings``, default 90: every 4 deg instead of 360); a cell's horizon at a true
  azimuth is interpolated linearly between the two bearings around its grid bearing (meridian convergence);
- one sweep line per pixel (instead of 4), sampled only where it crosses the columns (rows) of cell centres,
  linear between the two cells (no kink or bulge points); the hull is a monotone stack as in the accurate
  sweep;
- each cell is queried on its two lines (at most one pixel away) and the two tan(elevation) interpolated
  linearly in its offset;
- a bearing and its opposite (beta + 180 deg) are the same map lines run both ways: each line's samples, arc
  lengths and their sin/cos are built once and the two backward hull sweeps run on them (the one towards -p
  on the mirror image, sin S -> -sin S);
- the near field (``min_distance_m`` to ``near_field_px``, default 6 pixels) on the cell's own line with the
  exact elevation formula, sampled at the kinks of the bilinear surface and at most ``near_samples_per_px``
  steps per pixel between them (the accurate sweep's :func:`near_field_direction` with ``row_first_sample``:
  the first sample, at the minimum distance, is shared by a row of cells too);
  the near field is evaluated in float32 (height difference first, no rounded difference of two radii);
- the tan(elevation) of a block of bearings is kept in float32 and written to the output bins once per block
  (contiguous runs of bins per cell instead of one read-modify-write pass over the output per bearing); with
  one block of every bearing (360 azimuths) it is kept at the start of each row of the output itself (no
  second buffer to first-touch) and the bins are written, not added, so a caller's buffer can be reused
  (``horizon_map(..., out=...)``).
"""

from __future__ import annotations

import math
import mmap

import numba
import numpy as np
from numpy.typing import NDArray

from lunarops.terrain._horizon_sweep import (
    _ATAN_C0,
    _ATAN_C1,
    _ATAN_C2,
    _ATAN_C3,
    _ATAN_C4,
    _ATAN_C5,
    _ATAN_C6,
    _ATAN_C7,
    _arc_rotations,
    _higher,
    _hull_insert,
    _ix,
    _map_affine,
    line_direction,
    near_field_direction,
    near_offsets,
    sweep_grid,
)

SMALL_PAGES_MIN_BYTES = 64 * 2**20
"""New map outputs from this size on are mapped in small pages (see :func:`new_map_array`)."""


def new_map_array(shape: tuple[int, int, int]) -> NDArray[np.float32]:
    """A new zero-filled float32 array of ``shape`` for a map; from ``SMALL_PAGES_MIN_BYTES`` on, its own
    anonymous memory mapping in small (4 kB) pages where the platform has them, else ``np.zeros``.

    numpy asks Linux for transparent huge pages for large arrays. On the project's virtual machine the first
    touch of fresh huge pages costs 3-6x more than that of small pages (1.44 GB written by 2 threads: 1.7-2.9 s
    against 0.45 s; a new 1 M-cell sweep_fast map 6.1-6.6 s against 4.7-5.7 s; docs/terrain.md), which is more
    than the small pages' extra TLB misses cost afterwards."""
    n_bytes = math.prod(shape) * np.dtype(np.float32).itemsize
    flags = getattr(mmap, "MAP_PRIVATE", None), getattr(mmap, "MAP_ANONYMOUS", None)
    if n_bytes < SMALL_PAGES_MIN_BYTES or None in flags:
        return np.zeros(shape, np.float32)
    memory = mmap.mmap(-1, n_bytes, flags=flags[0] | flags[1])  # type: ignore[operator]
    if hasattr(mmap, "MADV_NOHUGEPAGE"):
        memory.madvise(mmap.MADV_NOHUGEPAGE)  # also where transparent huge pages are "always" on
    return np.frombuffer(memory, np.float32).reshape(shape)


@numba.njit(cache=True)
def _fast_line(
    a: NDArray[np.float32],
    m: int,
    t: float,
    q0_start: float,
    aff: NDArray[np.float64],
    radius: float,
    mast: float,
    lag_s: float,
    p_lo: int,
    p_hi: int,
    q_lo: int,
    q_hi: int,
    do_fwd: bool,
    do_rev: bool,
    sh: NDArray[np.float64],
    ss: NDArray[np.float64],
    su: NDArray[np.float64],
    sv: NDArray[np.float64],
    hx: NDArray[np.float64],
    hy: NDArray[np.float64],
    gx: NDArray[np.float64],
    gy: NDArray[np.float64],
    qj: NDArray[np.int64],
    qq: NDArray[np.int64],
    out: NDArray[np.float32],
    out_rev: NDArray[np.float32],
) -> None:
    """Sweep line m (q = q0_start + m + t p, one line per pixel): samples at the integer p, arc lengths, then
    the backward hull sweep towards +p (``do_fwd``) and/or towards -p (``do_rev``) on the same samples, with
    queries of the cells next to the line. ``aff`` as in the accurate sweep (map x, y of (p, q), k0, 1 / (4
    R^2 k0^2), map length per unit p over R). Writes tan(elevation) (-inf: nothing ahead) to out[0, q, p] (the
    cell's lower line) / out[1, q, p] (its upper line) towards +p, and to out_rev[side, q, np - 1 - p] (the
    p-reversed array of the opposite bearing, whose lines are the same with q0 + t (np - 1)) towards -p."""
    nq, np_ = a.shape
    q0 = q0_start + m
    # integer p range where the line is within one line spacing (one pixel) of [0, nq - 1]
    if t > 0.0:
        pa = math.ceil((-1.0 - q0) / t - 1e-9)
        pb = math.floor((nq - q0) / t + 1e-9)
    elif t < 0.0:
        pa = math.ceil((nq - q0) / t - 1e-9)
        pb = math.floor((-1.0 - q0) / t + 1e-9)
    else:
        if q0 < -1.0 or q0 > nq:
            return
        pa = 0
        pb = np_ - 1
    # samples needed: ahead of the window's cells in each direction swept
    pa = max(pa, 0 if do_rev else p_lo, 0)
    pb = min(pb, np_ - 1 if do_fwd else p_hi, np_ - 1)
    if pa > pb:
        return
    n = pb - pa + 1
    # heights (linear in q between the two cells around the line; NaN off the grid) and the queries,
    # listed without branches: the cells floor(q) (this is its upper line, or its own line when q is an
    # integer) and floor(q) + 1 (this is its lower line) at each p
    n_qry = 0
    for k in range(n):
        p = pa + k
        qline = q0 + t * p
        c0 = math.floor(qline)
        frac = qline - c0
        r0 = min(max(c0, 0), nq - 2)
        f = min(max(qline - r0, 0.0), 1.0)
        h = a[r0, p] + f * (a[r0 + 1, p] - a[r0, p])
        sh[k] = h if 0.0 <= qline <= nq - 1.0 else math.nan  # no terrain off the grid
        in_p = p_lo <= p <= p_hi
        qj[n_qry] = k
        qq[n_qry] = 2 * c0 + (1 if frac > 0.0 else 0)
        n_qry += 1 if (in_p and q_lo <= c0 <= q_hi) else 0
        qj[n_qry] = k
        qq[n_qry] = 2 * c0 + 2
        n_qry += 1 if (in_p and frac > 0.0 and q_lo <= c0 + 1 <= q_hi) else 0
    if n_qry == 0:
        return
    # ground arc length S [rad] (map step / point scale at its midpoint), then sin S, cos S by rotations
    for k in range(1, n):
        pm = pa + k - 0.5
        qm = q0 + t * pm
        x = aff[0] + aff[1] * pm + aff[2] * qm
        y = aff[3] + aff[4] * pm + aff[5] * qm
        ss[k] = aff[8] / (aff[6] * (1.0 + (x * x + y * y) * aff[7]))
    _arc_rotations(ss, su, sv, n, hx, hy, sh, radius, gx, gy)  # the hull arrays are free until the sweeps
    # backward sweeps (the hull gets every sample at least lag_s ahead of the observer); towards -p on the
    # mirror image (sin S -> -sin S: the same hull and tangent tests); the tangent walk of each side starts
    # from the previous tangent of the same side (the cells just above the line form one smooth sequence,
    # those just below another)
    if do_fwd:
        tan_lo = 0
        tan_hi = 0
        top = 0
        ins = n - 1
        x1 = y1 = x2 = y2 = 0.0
        for e in range(n_qry - 1, -1, -1):
            k = qj[_ix(e)]
            thr = ss[_ix(k)] + lag_s
            while ins >= 0 and ss[_ix(ins)] >= thr:
                if sh[_ix(ins)] == sh[_ix(ins)]:
                    top, x1, y1, x2, y2 = _hull_insert(hx, hy, top, gx[_ix(ins)], gy[_ix(ins)], x1, y1, x2, y2)
                ins -= 1
            qc = qq[_ix(e)] >> 1
            side = qq[_ix(e)] & 1
            p = pa + k
            hc = a[_ix(qc), _ix(p)]
            if hc != hc:
                continue
            cu = su[_ix(k)]
            cf = sv[_ix(k)]
            ro = radius + hc + mast
            ox = ro * cu
            oy = ro * cf
            val = -math.inf
            if top > 0:
                # tangent walk as in the accurate sweep (kept inline: as a shared helper it cost 1.3x here)
                ii = min(tan_hi if side else tan_lo, top - 1)
                if ii > 0 and _higher(hx, hy, ox, oy, ii):
                    ii -= 1
                    while ii > 0 and _higher(hx, hy, ox, oy, ii):
                        ii -= 1
                else:
                    while ii + 1 < top and not _higher(hx, hy, ox, oy, ii + 1):
                        ii += 1
                if side:
                    tan_hi = ii
                else:
                    tan_lo = ii
                vx = hx[_ix(ii)] - ox
                vy = hy[_ix(ii)] - oy
                up = vx * cu + vy * cf
                fw = vx * cf - vy * cu
                if fw > 0.0:
                    val = up / fw
            out[_ix(side), _ix(qc), _ix(p)] = val
    if do_rev:
        tan_lo = 0
        tan_hi = 0
        top = 0
        ins = 0
        x1 = y1 = x2 = y2 = 0.0
        for e in range(n_qry):
            k = qj[_ix(e)]
            thr = ss[_ix(k)] - lag_s
            while ins < n and ss[_ix(ins)] <= thr:
                if sh[_ix(ins)] == sh[_ix(ins)]:
                    top, x1, y1, x2, y2 = _hull_insert(hx, hy, top, -gx[_ix(ins)], gy[_ix(ins)], x1, y1, x2, y2)
                ins += 1
            qc = qq[_ix(e)] >> 1
            side = qq[_ix(e)] & 1
            p = pa + k
            hc = a[_ix(qc), _ix(p)]
            if hc != hc:
                continue
            cu = -su[_ix(k)]
            cf = sv[_ix(k)]
            ro = radius + hc + mast
            ox = ro * cu
            oy = ro * cf
            val = -math.inf
            if top > 0:
                # tangent walk as in the accurate sweep (kept inline: as a shared helper it cost 1.3x here)
                ii = min(tan_hi if side else tan_lo, top - 1)
                if ii > 0 and _higher(hx, hy, ox, oy, ii):
                    ii -= 1
                    while ii > 0 and _higher(hx, hy, ox, oy, ii):
                        ii -= 1
                else:
                    while ii + 1 < top and not _higher(hx, hy, ox, oy, ii + 1):
                        ii += 1
                if side:
                    tan_hi = ii
                else:
                    tan_lo = ii
                vx = hx[_ix(ii)] - ox
                vy = hy[_ix(ii)] - oy
                up = vx * cu + vy * cf
                fw = vx * cf - vy * cu
                if fw > 0.0:
                    val = up / fw
            out_rev[_ix(side), _ix(qc), _ix(np_ - 1 - p)] = val


@numba.njit(cache=True, parallel=True)
def fast_sweep_direction(
    a: NDArray[np.float32],
    t: float,
    q0_start: float,
    m_first: int,
    m_last: int,
    aff: NDArray[np.float64],
    radius: float,
    mast: float,
    lag_s: float,
    p_lo: int,
    p_hi: int,
    q_lo: int,
    q_hi: int,
    do_fwd: bool,
    do_rev: bool,
    out: NDArray[np.float32],
    out_rev: NDArray[np.float32],
) -> None:
    """All lines m_first..m_last of one bearing (towards +p, ``do_fwd``) and/or of the opposite bearing (the
    same lines towards -p, ``do_rev``), parallel over blocks of consecutive lines."""
    _nq, np_ = a.shape
    size = np_ + 2
    n_lines = m_last - m_first + 1
    n_chunks = min(n_lines, 64)
    for ch in numba.prange(n_chunks):
        sh = np.empty(size, np.float64)
        ss = np.empty(size, np.float64)
        su = np.empty(size, np.float64)
        sv = np.empty(size, np.float64)
        hx = np.empty(size, np.float64)
        hy = np.empty(size, np.float64)
        gx = np.empty(size, np.float64)
        gy = np.empty(size, np.float64)
        qj = np.empty(2 * size, np.int64)
        qq = np.empty(2 * size, np.int64)
        per = (n_lines + n_chunks - 1) // n_chunks
        for m in range(m_first + ch * per, min(m_first + (ch + 1) * per, m_last + 1)):
            _fast_line(
                a, m, t, q0_start, aff, radius, mast, lag_s, p_lo, p_hi, q_lo, q_hi, do_fwd, do_rev, sh, ss, su, sv,
                hx, hy, gx, gy, qj, qq, out, out_rev,
            )  # fmt: skip


@numba.njit(cache=True, parallel=True)
def combine_direction(
    out: NDArray[np.float32],
    near: NDArray[np.float32],
    use_near: bool,
    t: float,
    q0_start: float,
    p_flip: int,
    q_lo: int,
    q_hi: int,
    p_lo: int,
    p_hi: int,
    ij: NDArray[np.int64],
    slot: int,
    buf: NDArray[np.float32],
) -> None:
    """tan(elevation) of one bearing for every window cell (q, p) into buf[i, slot, j] ((i, j) = (ij[0] +
    ij[1] q + ij[2] p, ij[3] + ij[4] q + ij[5] p)): the far field interpolated linearly (in tan) between the
    cell's two lines, then the larger of it and the near field. Runs over (q, p) so that the reads are
    contiguous. ``p_flip`` >= 0: the lines q = q0_start + m + t p' are those of the p-reversed array, p' =
    p_flip - p (the offset is computed as in the sweep kernel that wrote ``out``, so that both round alike)."""
    for q in numba.prange(q_lo, q_hi + 1):
        for p in range(p_lo, p_hi + 1):
            lo = out[0, q, p]
            hi = out[1, q, p]
            mf = q - t * (p if p_flip < 0 else p_flip - p) - q0_start
            f = mf - math.floor(mf)
            if lo == lo and hi == hi:
                v = lo + f * (hi - lo) if lo > -math.inf and hi > -math.inf else max(lo, hi)
            elif lo == lo:
                v = lo
            elif hi == hi:
                v = hi
            else:
                v = math.nan
            if use_near and v == v:
                v = max(v, near[q, p])
            buf[_ix(ij[0] + ij[1] * q + ij[2] * p), _ix(slot), _ix(ij[3] + ij[4] * q + ij[5] * p)] = np.float32(v)


@numba.njit(cache=True, parallel=True)
def accumulate_block(
    buf: NDArray[np.float32],
    n_used: int,
    d_first: int,
    dbeta: float,
    gamma: NDArray[np.float64],
    result: NDArray[np.float32],
    assign: bool,
) -> None:
    """Adds the bearings d_first .. d_first + n_used - 1 (tan of the elevation in buf[:, 0 .. n_used - 1]) to the
    true-azimuth bins of ``result``: bin k (true azimuth k daz, grid bearing k daz + gamma at the cell) is
    interpolated linearly between the two bearings around its grid bearing; the bins whose two bearings are
    not both in this block get the part from the bearing that is (the next block adds the rest). ``assign``
    (a block of every bearing, whose bins cover all n_az bins of a cell): the first n_az bins of each cell are
    written instead of added (``result`` need not be zeroed; the bins where the block wraps are added). ``buf``
    may be a view of the start of each row of ``result`` (each row's part is copied before the row is written)."""
    wy, wx, n_az = result.shape
    daz = 2.0 * math.pi / n_az
    step = daz / dbeta
    # bins repeat their offsets between bearings with a period: every period_bins bins span period_bearings
    n_bearings = round(2.0 * math.pi / dbeta)
    period_bins = n_az // math.gcd(n_az, n_bearings)
    period_bearings = n_bearings // math.gcd(n_az, n_bearings)
    n_loc = math.ceil((n_used + 1) * dbeta / daz) + 3
    for i in numba.prange(wy):
        # elevations of the row's bearings (a straight loop over contiguous values), el[j, d + 1] for bearing
        # d_first + d of cell j; el[j, 0] and el[j, n_used + 1] stay 0 (bearings outside the block)
        brow = buf[i, :n_used].copy()
        el = np.zeros((wx, n_used + 2), np.float64)
        for d in range(n_used):
            for j in range(wx):
                # arctan (A&S 4.4.49, |error| <= 2e-8 rad; -inf gives -pi / 2)
                v = np.float64(brow[d, j])
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
                e = x * pl
                e = 0.5 * math.pi - e if big else e
                el[j, d + 1] = -e if v < 0.0 else e
        loc = np.empty(n_loc, np.float64)
        for j in range(wx):
            vals = el[j]
            if vals[1] != vals[1]:  # no-data cell (NaN for every bearing; set to NaN by the caller)
                if assign:
                    result[i, j, :] = 0.0  # as a zeroed output (not left as the buffer's old contents)
                continue
            g = gamma[i, j]
            # bins k whose bearing position y = (k daz + g) / dbeta - d_first lies in (-1, n_used), first into
            # loc (contiguous); bin b = r + period_bins m is at y0 + r step + m period_bearings, so each r has
            # one interpolation weight and reads the bearings at a constant stride
            k_first = math.floor(((d_first - 1) * dbeta - g) / daz) + 1
            k_last = math.ceil(((d_first + n_used) * dbeta - g) / daz) - 1
            n_k = k_last - k_first + 1
            y0 = (k_first * daz + g) / dbeta - d_first
            for r in range(min(period_bins, n_k)):
                y = y0 + r * step
                d0 = math.floor(y)
                f = y - d0
                for m in range((n_k - 1 - r) // period_bins + 1):
                    dd = min(max(d0 + m * period_bearings, -1), n_used - 1)
                    loc[_ix(r + period_bins * m)] = (1.0 - f) * vals[_ix(dd + 1)] + f * vals[_ix(dd + 2)]
            # added in contiguous runs, wrapping at n_az (a block of every bearing wraps onto its first bins)
            start = k_first % n_az
            b = 0
            row = result[i, j]
            while b < n_k:
                run = min(n_k - b, n_az - start)
                n_set = max(min(run, n_az - b), 0) if assign else 0  # bins not yet written for this cell
                for c in range(n_set):
                    row[_ix(start + c)] = np.float32(loc[_ix(b + c)])
                for c in range(n_set, run):
                    row[_ix(start + c)] += np.float32(loc[_ix(b + c)])
                b += run
                start = 0


def fast_sweep_map(
    heights: NDArray[np.float32],
    south: bool,
    geo: NDArray[np.float64],
    radius_m: float,
    mast_m: float,
    n_azimuth: int,
    min_distance_m: float,
    window: tuple[int, int, int, int],
    n_bearings: int = 90,
    near_field_px: float = 6.0,
    near_samples_per_px: int = 1,
    block: int | None = None,
    progress: object = None,
    result: NDArray[np.float32] | None = None,
) -> NDArray[np.float32]:
    """Horizon [rad] (wy, wx, n_azimuth) of the window's cells by line sweeps along ``n_bearings`` grid
    bearings (one line per pixel); geo = x_min, y_max, pixel, k0, 1 / (4 R^2 k0^2). ``block``: bearings whose
    tan(elevation) is kept before it is added to the output (default max(8, n_azimuth // 3): at 360 azimuths
    all 90 bearings in one block, a buffer of a quarter of the output). ``progress(fraction, message)`` after
    each block when given. ``result``: an existing float32 C-contiguous (wy, wx, n_azimuth) array to write
    into (its contents are overwritten; a reused buffer skips the first-touch page faults of a new one);
    default a new one from :func:`new_map_array`."""
    ny, nx = heights.shape
    row0, row1, col0, col1 = window
    wy, wx = row1 - row0, col1 - col0
    grid = sweep_grid(heights, south, geo, window)
    arrays, inv_k_pq, win_qp, gamma = grid.arrays, grid.inv_k_pq, grid.win_qp, grid.gamma
    block = max(8, n_azimuth // 3) if block is None else int(block)
    block = max(1, min(block, n_bearings))
    one_block = block >= n_bearings
    if result is None:
        result = new_map_array((wy, wx, n_azimuth))  # zero-filled
    elif not one_block:
        result.fill(0.0)
    dbeta = 2.0 * math.pi / n_bearings
    min_s = min_distance_m / radius_m
    s_near = near_field_px * geo[2] / radius_m
    use_near = s_near > min_s
    lag_s = max(min_s, s_near)
    if one_block and n_bearings <= n_azimuth:
        # the tan(elevation) of all bearings kept at the start of each row of the output (no second buffer: its
        # first touch would cost page faults too); accumulate_block copies a row's part before writing the row
        buf = result.reshape(wy, wx * n_azimuth)[:, : n_bearings * wx].reshape(wy, n_bearings, wx)
    else:
        buf = np.empty((wy, block, wx), np.float32)
    near_buffers: dict[int, NDArray[np.float32]] = {}
    out_buffers: dict[int, NDArray[np.float32]] = {}
    # (i, j) of the window from (q, p) per case: i = c0 + c1 q + c2 p, j = c3 + c4 q + c5 p
    ij_maps = (
        np.array([-row0, 1, 0, -col0, 0, 1], np.int64),
        np.array([-row0, 1, 0, nx - 1 - col0, 0, -1], np.int64),
        np.array([-row0, 0, 1, -col0, 1, 0], np.int64),
        np.array([ny - 1 - row0, 0, -1, -col0, 1, 0], np.int64),
    )
    def buffers(case: int) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        if case not in out_buffers:
            shape = arrays[case].shape
            near_buffers[case] = np.empty(shape, np.float32)
            out_buffers[case] = np.empty((2, *shape), np.float32)
        return near_buffers[case], out_buffers[case]

    for d_first in range(0, n_bearings, block):
        n_used = min(block, n_bearings - d_first)
        paired: set[int] = set()
        for slot in range(n_used):
            if slot in paired:
                continue
            d = d_first + slot
            case, t = line_direction(d, dbeta)
            # the lines of a bearing towards -p (cases 1, 3) are swept as the lines of the +p array (cases 0, 2)
            # run backwards; a bearing and its opposite in the same block share their lines' samples
            d_opp = (d + n_bearings // 2) % n_bearings
            c_opp, t_opp = line_direction(d_opp, dbeta)
            pair = (
                n_bearings % 2 == 0
                and d_first <= d_opp < d_first + n_used
                and c_opp == case + (1 if case in (0, 2) else -1)
                and abs(t_opp + t) < 1e-9
            )
            if case in (0, 2):
                base, tf = case, t
                slots = [(case, slot)]
                if pair:
                    slots.append((c_opp, d_opp - d_first))
                    paired.add(d_opp - d_first)
            elif pair:
                continue  # swept with its opposite bearing (before or later in this block)
            else:
                base, tf = case - 1, -t
                slots = [(case, slot)]
            a = arrays[base]
            _nq, np_ = a.shape
            qr, pr = win_qp[base]
            # lines q = q0_start + m + t p; q0_start an integer, so the lines of t = 0 pass through cells
            q0_start = float(math.floor(-tf * (np_ - 1)) if tf > 0 else 0) - 1.0
            corners = [q - tf * p for q in qr for p in pr]
            m_first = max(math.floor(min(corners) - q0_start) - 1, 0)
            m_last = math.floor(max(corners) - q0_start) + 2
            aff = np.array(
                [*_map_affine(base, geo, ny, nx), geo[3], geo[4], math.sqrt(1.0 + tf * tf) * geo[2] / radius_m]
            )
            do = [False, False]
            for c, _s in slots:
                near, out = buffers(c)
                do[c - base] = True
                qc, pc = win_qp[c]
                out[:, qc[0] : qc[1] + 1, pc[0] : pc[1] + 1] = np.nan
                if use_near:
                    tc = tf if c == base else -tf
                    rpp_scale = math.sqrt(1.0 + tc * tc) * geo[2] / radius_m
                    u_lo = min_s / (rpp_scale * grid.inv_k_max)
                    u_samples = near_offsets(tc, u_lo, s_near / (rpp_scale * grid.inv_k_min), near_samples_per_px)
                    near_field_direction(
                        a if c == base else arrays[c], tc, u_samples, inv_k_pq[c], grid.inv_k_block_min[c], rpp_scale,
                        min_s, radius_m, mast_m, qc[0], qc[1], pc[0], pc[1], near, True,
                    )  # fmt: skip
            out_f = buffers(base)[1] if do[0] else buffers(base + 1)[1]
            out_r = buffers(base + 1)[1] if do[1] else out_f
            fast_sweep_direction(
                a, tf, q0_start, m_first, m_last, aff, radius_m, mast_m, lag_s, pr[0], pr[1], qr[0], qr[1], do[0],
                do[1], out_f, out_r,
            )  # fmt: skip
            for c, s_c in slots:
                near, out = buffers(c)
                qc, pc = win_qp[c]
                # the opposite bearing: the same lines in its p-reversed array, p = np - 1 - p'
                p_flip = -1 if c == base else np_ - 1
                combine_direction(
                    out, near, use_near, tf, q0_start, p_flip, qc[0], qc[1], pc[0], pc[1], ij_maps[c], s_c, buf
                )
        accumulate_block(buf, n_used, d_first, dbeta, gamma, result, one_block)
        if progress is not None:
            done = d_first + n_used
            progress(done / n_bearings, f"horizon sweep bearings {done}/{n_bearings}")  # type: ignore[operator]
    result[~np.isfinite(heights[row0:row1, col0:col1])] = np.nan
    return result
