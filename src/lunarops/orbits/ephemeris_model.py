"""A Moon-centred ephemeris model propagated with heyoka: point-mass Moon, Earth and Sun from JPL DE421.

Equations (Moon-centred J2000/ICRF, km and TDB seconds since the model epoch)::

    r'' = -GM_moon r / |r|^3 + sum_b GM_b [ (r_b - r) / |r_b - r|^3 - r_b / |r_b|^3 ],   b in {Earth, Sun}

with r_b(t) the DE421 position of body b relative to the Moon. Those positions enter heyoka's expression
system as Chebyshev series in time, one series per segment (default 2 days, degree 14): the coefficients are
runtime parameters, refitted at each segment boundary, so one compiled integrator serves every epoch. The
fit interpolates DE421 at the Chebyshev nodes; ``interpolation_errors_m`` reports its largest error at
off-node points: below 1 mm for the Earth and about 2 cm for the Sun, where the DE421 reference itself
jitters at that level (float64 TDB seconds). The Sun's 2 cm at 1 AU changes its pull on a lunar orbiter by a
relative 1e-13. Optionally (``harmonics=True``) the Moon's degree-2 field, unnormalized J2 and C22 of JPL's DE430
(Folkner et al. 2014, Table 11; see ``LUNAR_J2``); no higher-degree field is shipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import heyoka as hy
import numba
import numpy as np
from numpy.polynomial import chebyshev as cheb
from skyfield.timelib import Time

from lunarops.constants import GM_EARTH_M3_PER_S2, GM_MOON_M3_PER_S2, GM_SUN_M3_PER_S2
from lunarops.ephemeris import default_ephemeris
from lunarops.errors import InputError
from lunarops.orbits.functions import FloatArray, require_int, require_real

KM = 1000.0
BODIES = ("earth", "sun")
GM_KM3_S2 = {
    "moon": GM_MOON_M3_PER_S2 / 1e9,
    "earth": GM_EARTH_M3_PER_S2 / 1e9,
    "sun": GM_SUN_M3_PER_S2 / 1e9,
}
DEFAULT_SEGMENT_S = 2 * 86400.0
DEFAULT_DEGREE = 14
#: Accepted Chebyshev degrees. Degree 0 would hold the Earth and the Sun still over a whole segment (the Earth
#: moves about 170,000 km relative to the Moon in the default 2 days), which is no interpolation at all; above 30
#: the compiled expression grows (6 (degree + 1) series terms) with no gain: degree 14 already reaches the DE421
#: reference's own jitter (module docstring).
MIN_DEGREE, MAX_DEGREE = 1, 30
#: Most Chebyshev segments one model may hold (150 years of DE421 at the default 2-day segments is 27,400).
MAX_SEGMENTS = 100_000
DEFAULT_TOL = 2.220446049250313e-16
#: Degree-2 lunar gravity, unnormalized J2 and C22 in the principal axis frame, reference radius 1738.0 km: the
#: lunar values of JPL's DE430/DE431 (Folkner et al. 2014, IPN Progress Report 42-196, Table 11; formerly credited
#: here to LP165P, Konopliv et al. 2001, whose normalized coefficients could not be checked offline). Normalized
#: equivalents: C20 = -J2 / sqrt(5), C22_norm = C22 / sqrt(5/12). Applied in the Moon ME frame (ME and PA differ
#: by 0.03 deg, which moves the degree-2 acceleration by a relative 5e-4 of an already 1e-3 perturbation).
LUNAR_J2 = 2.0321568464952570e-4
LUNAR_C22 = 2.2382740590560020e-5
LUNAR_GRAVITY_RADIUS_KM = 1738.0


def _n_pars(degree: int, harmonics: bool = False) -> int:
    return 2 + len(BODIES) * 3 * (degree + 1) + (9 * (degree + 1) if harmonics else 0)


def _degree2_body_acceleration(px: Any, py: Any, pz: Any) -> tuple[Any, Any, Any]:
    """J2 + C22 acceleration [km/s^2] at body-fixed position (km); works on heyoka expressions and floats."""
    r2 = px * px + py * py + pz * pz
    r5 = r2 * r2 * r2**0.5
    k2 = GM_KM3_S2["moon"] * LUNAR_GRAVITY_RADIUS_KM**2
    j2 = -1.5 * LUNAR_J2 * k2 / r5
    zz = 5.0 * pz * pz / r2
    c22 = 3.0 * LUNAR_C22 * k2 / r5
    w = 5.0 * (px * px - py * py) / r2
    ax = j2 * px * (1.0 - zz) + c22 * px * (2.0 - w)
    ay = j2 * py * (1.0 - zz) + c22 * py * (-2.0 - w)
    az = j2 * pz * (3.0 - zz) + c22 * pz * (-w)
    return ax, ay, az


def _equations(degree: int, harmonics: bool = False) -> list[tuple[Any, Any]]:
    x, y, z, vx, vy, vz = hy.make_vars("x", "y", "z", "vx", "vy", "vz")
    # Chebyshev argument on the current segment: par[0] = segment start [s], par[1] = segment length [s].
    u = 2.0 * (hy.time - hy.par[0]) / hy.par[1] - 1.0
    basis = [hy.expression(1.0), u]
    for _ in range(2, degree + 1):
        basis.append(2.0 * u * basis[-1] - basis[-2])
    r2 = x**2 + y**2 + z**2
    ax = -GM_KM3_S2["moon"] * x / r2**1.5
    ay = -GM_KM3_S2["moon"] * y / r2**1.5
    az = -GM_KM3_S2["moon"] * z / r2**1.5
    for b, body in enumerate(BODIES):
        comps = []
        for i in range(3):
            offset = 2 + (b * 3 + i) * (degree + 1)
            comps.append(hy.sum([hy.par[offset + k] * basis[k] for k in range(degree + 1)]))
        bx, by, bz = comps
        d3 = ((bx - x) ** 2 + (by - y) ** 2 + (bz - z) ** 2) ** 1.5
        b3 = (bx**2 + by**2 + bz**2) ** 1.5
        gm = GM_KM3_S2[body]
        ax = ax + gm * ((bx - x) / d3 - bx / b3)
        ay = ay + gm * ((by - y) / d3 - by / b3)
        az = az + gm * ((bz - z) / d3 - bz / b3)
    if harmonics:
        # J2000 -> ME rotation matrix elements, Chebyshev series in the same segment parameters
        base = 2 + len(BODIES) * 3 * (degree + 1)
        rot = [
            [hy.sum([hy.par[base + (3 * i + j) * (degree + 1) + k] * basis[k] for k in range(degree + 1)])
             for j in range(3)]
            for i in range(3)
        ]
        p = [rot[i][0] * x + rot[i][1] * y + rot[i][2] * z for i in range(3)]
        gb = _degree2_body_acceleration(p[0], p[1], p[2])
        ax = ax + rot[0][0] * gb[0] + rot[1][0] * gb[1] + rot[2][0] * gb[2]
        ay = ay + rot[0][1] * gb[0] + rot[1][1] * gb[1] + rot[2][1] * gb[2]
        az = az + rot[0][2] * gb[0] + rot[1][2] * gb[1] + rot[2][2] * gb[2]
    return [(x, vx), (y, vy), (z, vz), (vx, ax), (vy, ay), (vz, az)]


@lru_cache(maxsize=8)
def _integrator(degree: int, tol: float, harmonics: bool = False) -> Any:
    pars = np.zeros(_n_pars(degree, harmonics))
    pars[1] = 1.0
    return hy.taylor_adaptive(
        _equations(degree, harmonics), [2000.0, 0, 0, 0, 1.6, 0], pars=pars, tol=tol, compact_mode=True
    )


@lru_cache(maxsize=8)
def _batch_integrator(degree: int, tol: float, batch_size: int, harmonics: bool = False) -> Any:
    pars = np.zeros((_n_pars(degree, harmonics), batch_size))
    pars[1] = 1.0
    state = np.tile(np.array([2000.0, 0, 0, 0, 1.6, 0])[:, None], (1, batch_size))
    return hy.taylor_adaptive_batch(
        _equations(degree, harmonics), state, pars=pars, tol=tol, compact_mode=True
    )


@dataclass(frozen=True)
class PropagatedTrack:
    """States of one orbit on a time grid: Moon-centred J2000 positions [m] and velocities [m/s]."""

    seconds: FloatArray  # (N,) TDB seconds since the model epoch
    position_m: FloatArray  # (3, N)
    velocity_m_per_s: FloatArray  # (3, N)


class EphemerisModel:
    """Earth and Sun relative to the Moon over a span, as Chebyshev segments, and the propagator.

    ``epoch`` is a skyfield Time (scalar); ``duration_s`` the span [s] the model covers. ``harmonics=True`` adds
    the Moon's degree-2 field (J2, C22; see ``LUNAR_J2``) in the Moon ME frame, whose orientation enters as Chebyshev
    series of the nine rotation-matrix elements.
    """

    def __init__(
        self,
        epoch: Time,
        duration_s: float,
        segment_s: float = DEFAULT_SEGMENT_S,
        degree: int = DEFAULT_DEGREE,
        ephemeris: Any = None,
        harmonics: bool = False,
    ) -> None:
        if not isinstance(epoch, Time) or epoch.shape != ():
            raise InputError(
                f"epoch must be one skyfield Time, got {epoch!r} ({type(epoch).__name__}); convert it with "
                "lunarops.timescale.parse_utc, e.g. parse_utc('2030-01-01T00:00:00Z')"
            )
        require_real("duration_s", duration_s, "e.g. 86400 for a day")
        if not np.isfinite(duration_s) or duration_s <= 0:
            raise InputError(f"duration_s must be a positive number of seconds, got {duration_s!r}")
        require_real("segment_s", segment_s, f"e.g. {DEFAULT_SEGMENT_S:g} (the default)")
        if not np.isfinite(segment_s) or segment_s <= 0:
            raise InputError(
                f"segment_s must be a positive number of seconds, got {segment_s!r}; omit it for "
                f"{DEFAULT_SEGMENT_S:g} s (2 days)"
            )
        if duration_s / segment_s > MAX_SEGMENTS:
            raise InputError(
                f"segment_s = {segment_s!r} s cuts duration_s = {duration_s!r} s into more than {MAX_SEGMENTS:,} "
                f"segments; use segment_s >= {duration_s / MAX_SEGMENTS:.6g} s (default {DEFAULT_SEGMENT_S:g})"
            )
        require_int("degree", degree, f"e.g. {DEFAULT_DEGREE} (the default)")
        if not MIN_DEGREE <= degree <= MAX_DEGREE:
            raise InputError(
                f"degree = {degree!r} must be in {MIN_DEGREE}..{MAX_DEGREE} (Chebyshev degree per segment; 0 holds the "
                f"Earth and Sun still); omit it for {DEFAULT_DEGREE}"
            )
        self.epoch = epoch
        self.ephemeris = ephemeris or default_ephemeris()
        self.degree = degree
        self.n_segments = max(1, int(np.ceil(duration_s / segment_s)))
        self.segment_s = float(segment_s)
        self.duration_s = float(duration_s)
        nodes = np.cos(np.pi * (np.arange(degree + 1) + 0.5) / (degree + 1))  # Chebyshev points in [-1, 1]
        starts = np.arange(self.n_segments) * self.segment_s
        seconds = (starts[:, None] + (nodes[None, :] + 1.0) * 0.5 * self.segment_s).ravel()
        times = self.times(seconds)
        # coefficients[b, i, s, k]: body b, component i, segment s, order k [km]
        self.coefficients = np.empty((len(BODIES), 3, self.n_segments, degree + 1))
        for b, body in enumerate(BODIES):
            pos_km = self.ephemeris.position_wrt_moon_j2000_m(body, times) / KM
            values = pos_km.reshape(3, self.n_segments, degree + 1)
            for s in range(self.n_segments):
                self.coefficients[b, :, s, :] = cheb.chebfit(nodes, values[:, s, :].T, degree).T
        self.harmonics = bool(harmonics)
        # rotation_coefficients[i, j, s, k]: element (i, j) of the J2000 -> ME matrix
        self.rotation_coefficients = np.zeros((3, 3, self.n_segments, degree + 1))
        if self.harmonics:
            rotation = self.ephemeris.rotation_j2000_to_me(times).reshape(9, self.n_segments, degree + 1)
            for s in range(self.n_segments):
                fitted = cheb.chebfit(nodes, rotation[:, s, :].T, degree).T  # (9, degree+1)
                self.rotation_coefficients[:, :, s, :] = fitted.reshape(3, 3, degree + 1)

    def times(self, seconds: FloatArray) -> Time:
        """Skyfield Times of TDB seconds since the epoch."""
        ts = self.epoch.ts
        fraction = self.epoch.tdb_fraction + np.asarray(seconds, dtype=float) / 86400.0
        return ts.tdb_jd(self.epoch.whole, fraction)

    def body_position_km(self, body: str, seconds: FloatArray) -> FloatArray:
        """Interpolated position (3, N) of 'earth' or 'sun' relative to the Moon [km]."""
        b = BODIES.index(body)
        s = np.clip(np.asarray(seconds, dtype=float), 0.0, self.n_segments * self.segment_s)
        seg = np.minimum((s // self.segment_s).astype(int), self.n_segments - 1)
        u = 2.0 * (s - seg * self.segment_s) / self.segment_s - 1.0
        out = np.empty((3, s.size))
        for i in range(3):
            coeffs = self.coefficients[b, i][seg]  # (N, degree+1)
            basis = cheb.chebvander(u, self.degree)  # (N, degree+1)
            out[i] = np.sum(coeffs * basis, axis=1)
        return out

    @cached_property
    def interpolation_errors_m(self) -> dict[str, float]:
        """Largest position error of the Chebyshev fit against DE421 at off-node points, per body [m].

        For the Sun this is bounded below by the reference itself: DE421 evaluated at TDB seconds past J2000 in
        one float64 (0.12 us resolution in 2030) jitters by millimetres at the Sun's 30 km/s relative speed.
        """
        offsets = np.linspace(0.013, 0.987, 2 * self.degree + 1)
        probe = np.arange(self.n_segments)[:, None] + offsets[None, :]
        seconds = (probe * self.segment_s).ravel()
        seconds = seconds[seconds <= self.duration_s]
        if seconds.size == 0:  # a span shorter than 1.3 % of a segment: probe inside the span itself
            seconds = offsets * self.duration_s
        times = self.times(seconds)
        errors = {}
        for body in BODIES:
            truth = self.ephemeris.position_wrt_moon_j2000_m(body, times)
            fit = self.body_position_km(body, seconds) * KM
            errors[body] = float(np.max(np.linalg.norm(truth - fit, axis=0)))
        return errors

    @property
    def interpolation_error_m(self) -> float:
        """Largest Earth/Sun interpolation error [m] (see ``interpolation_errors_m``)."""
        return max(self.interpolation_errors_m.values())

    def _segment_pars(self, s: int) -> FloatArray:
        pars = np.empty(_n_pars(self.degree, self.harmonics))
        pars[0] = s * self.segment_s
        pars[1] = self.segment_s
        n_bodies = self.coefficients[:, :, s, :].size
        pars[2 : 2 + n_bodies] = self.coefficients[:, :, s, :].ravel()
        if self.harmonics:
            pars[2 + n_bodies :] = self.rotation_coefficients[:, :, s, :].ravel()
        return pars

    def propagate(
        self,
        state0_m: FloatArray,
        seconds: FloatArray,
        tol: float = DEFAULT_TOL,
        progress: Callable[[float, str], None] | None = None,
    ) -> PropagatedTrack:
        """Propagate a Moon-centred J2000 state (6,) [m, m/s] at t = 0 to sorted ``seconds`` (N,)."""
        grid = self._check_grid(seconds)
        ta = _integrator(self.degree, tol, self.harmonics)
        ta.time = 0.0
        ta.state[:3] = np.asarray(state0_m[:3], dtype=float) / KM
        ta.state[3:] = np.asarray(state0_m[3:], dtype=float) / KM
        out = np.empty((6, grid.size))
        end_segment = min(self.n_segments - 1, int(grid[-1] // self.segment_s))
        for s in range(end_segment + 1):
            ta.pars[:] = self._segment_pars(s)
            seg_end = min((s + 1) * self.segment_s, grid[-1])
            lo = np.searchsorted(grid, s * self.segment_s, side="left")
            hi = np.searchsorted(grid, seg_end, side="right") if s == end_segment else np.searchsorted(
                grid, seg_end, side="left"
            )
            if seg_end > ta.time:
                result = ta.propagate_until(seg_end, c_output=True)
                if result[0] != hy.taylor_outcome.time_limit:
                    raise RuntimeError(f"heyoka stopped early in the ephemeris model: {result[0]}")
                if hi > lo:
                    out[:, lo:hi] = np.asarray(result[4](grid[lo:hi])).T
            elif hi > lo:
                out[:, lo:hi] = ta.state[:, None]
            if progress:
                progress((s + 1) / (end_segment + 1), f"segment {s + 1}/{end_segment + 1}")
        return PropagatedTrack(grid, out[:3] * KM, out[3:] * KM)

    def propagate_many(
        self, states0_m: FloatArray, seconds: FloatArray, tol: float = DEFAULT_TOL
    ) -> list[PropagatedTrack]:
        """Propagate several states (6, M) to the same grid with heyoka's SIMD batch integrator.

        Orbits go in lane groups of ``hy.recommended_simd_size()``; every lane shares the segment's Earth/Sun
        coefficients.
        """
        states = np.asarray(states0_m, dtype=float)
        grid = self._check_grid(seconds)
        size = hy.recommended_simd_size()
        ta = _batch_integrator(self.degree, tol, size, self.harmonics)
        n_orbits = states.shape[1]
        out = np.empty((6, n_orbits, grid.size))
        end_segment = min(self.n_segments - 1, int(grid[-1] // self.segment_s))
        for first in range(0, n_orbits, size):
            k = min(size, n_orbits - first)
            lanes = np.repeat(states[:, first : first + 1], size, axis=1)
            lanes[:, :k] = states[:, first : first + k]
            ta.set_time(np.zeros(size))
            ta.state[:] = lanes / KM
            now = 0.0
            lo = 0  # first grid index not yet written
            for s in range(end_segment + 1):
                ta.pars[:] = self._segment_pars(s)[:, None]
                seg_end = min((s + 1) * self.segment_s, grid[-1])
                last = s == end_segment
                hi = int(np.searchsorted(grid, seg_end, side="right" if last else "left"))
                if hi > lo:
                    times = grid[lo:hi]
                    lead = 0 if times[0] == now else 1
                    points = np.concatenate([[now], times]) if lead else times
                    result = ta.propagate_grid(np.repeat(points[:, None], size, axis=1))
                    for outcome in ta.propagate_res:
                        if outcome[0] != hy.taylor_outcome.time_limit:
                            raise RuntimeError(f"heyoka stopped early in the ephemeris model: {outcome[0]}")
                    values = np.asarray(result[-1])[lead:]  # (n_times, 6, size)
                    out[:, first : first + k, lo:hi] = np.transpose(values[:, :, :k], (1, 2, 0))
                    now = float(points[-1])
                    lo = hi
                if seg_end > now:
                    ta.propagate_until(np.full(size, seg_end))
                    now = seg_end
        return [PropagatedTrack(grid, out[:3, j] * KM, out[3:, j] * KM) for j in range(n_orbits)]

    def _check_grid(self, seconds: FloatArray) -> FloatArray:
        grid = np.asarray(seconds, dtype=float)
        if grid.size == 0 or grid[0] < 0 or np.any(np.diff(grid) <= 0) or grid[-1] > self.duration_s + 1e-6:
            raise InputError(
                f"propagation times must increase strictly inside 0..{self.duration_s} s of the model; "
                "build the EphemerisModel over the whole span"
            )
        return grid

    def acceleration_km_s2(self, seconds: float, state_km: FloatArray) -> FloatArray:
        """The same equations in numba (for the scipy cross-check): d(state)/dt [km, km/s]."""
        return _rhs(
            float(seconds), np.asarray(state_km, dtype=np.float64), self.coefficients, self.rotation_coefficients,
            self.segment_s, GM_KM3_S2["moon"], GM_KM3_S2["earth"], GM_KM3_S2["sun"], self.harmonics,
        )


@numba.njit(cache=True)
def _rhs(
    t: float, y: FloatArray, coefficients: FloatArray, rotation_coefficients: FloatArray, segment_s: float,
    gm_moon: float, gm_earth: float, gm_sun: float, harmonics: bool,
) -> FloatArray:  # pragma: no cover - compiled
    n_segments = coefficients.shape[2]
    degree = coefficients.shape[3] - 1
    seg = min(max(int(t // segment_s), 0), n_segments - 1)
    u = 2.0 * (t - seg * segment_s) / segment_s - 1.0
    basis = np.empty(degree + 1)
    basis[0] = 1.0
    if degree > 0:
        basis[1] = u
    for k in range(2, degree + 1):
        basis[k] = 2.0 * u * basis[k - 1] - basis[k - 2]
    out = np.empty(6)
    out[0], out[1], out[2] = y[3], y[4], y[5]
    r3 = (y[0] * y[0] + y[1] * y[1] + y[2] * y[2]) ** 1.5
    acc = np.array([-gm_moon * y[0] / r3, -gm_moon * y[1] / r3, -gm_moon * y[2] / r3])
    for b in range(2):
        gm = gm_earth if b == 0 else gm_sun
        rb = np.zeros(3)
        for i in range(3):
            for k in range(degree + 1):
                rb[i] += coefficients[b, i, seg, k] * basis[k]
        d = rb - y[:3]
        d3 = (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]) ** 1.5
        b3 = (rb[0] * rb[0] + rb[1] * rb[1] + rb[2] * rb[2]) ** 1.5
        for i in range(3):
            acc[i] += gm * (d[i] / d3 - rb[i] / b3)
    if harmonics:
        rot = np.zeros((3, 3))
        for i in range(3):
            for j in range(3):
                for k in range(degree + 1):
                    rot[i, j] += rotation_coefficients[i, j, seg, k] * basis[k]
        p = rot @ y[:3]
        r2 = p[0] * p[0] + p[1] * p[1] + p[2] * p[2]
        r5 = r2 * r2 * np.sqrt(r2)
        k2 = gm_moon * LUNAR_GRAVITY_RADIUS_KM**2
        j2 = -1.5 * LUNAR_J2 * k2 / r5
        zz = 5.0 * p[2] * p[2] / r2
        c22 = 3.0 * LUNAR_C22 * k2 / r5
        w = 5.0 * (p[0] * p[0] - p[1] * p[1]) / r2
        gb = np.array([
            j2 * p[0] * (1.0 - zz) + c22 * p[0] * (2.0 - w),
            j2 * p[1] * (1.0 - zz) + c22 * p[1] * (-2.0 - w),
            j2 * p[2] * (3.0 - zz) + c22 * p[2] * (-w),
        ])
        acc += rot.T @ gb
    out[3], out[4], out[5] = acc[0], acc[1], acc[2]
    return out
