"""The Earth-Moon circular restricted three-body problem, propagated with heyoka (Taylor, LLVM JIT).

Non-dimensional, barycentric rotating frame: the Earth at (-mu, 0, 0), the Moon at (1 - mu, 0, 0), unit
length the Earth-Moon distance, unit time 1/n (n the mean motion of the primaries). The compiled integrators
are built once per process (JIT takes about a second) and reused; the mass ratio is a runtime parameter.

Dimensional units (stated, not fitted): ``EARTH_MOON_LENGTH_M`` = 384,400 km, the mean Earth-Moon distance
used for the CR3BP by Zimovan-Spreen, Howell & Davis (2020, Celest. Mech. Dyn. Astron. 132:28) and the NASA
Gateway NRHO papers; the time unit follows from Kepler's third law with the DE421 masses,
t* = sqrt(l*^3 / (GM_Earth + GM_Moon)) = 375,190 s (4.3425 d).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import heyoka as hy
import numpy as np
from numpy.typing import ArrayLike, NDArray

from lunarops.constants import GM_EARTH_M3_PER_S2, GM_MOON_M3_PER_S2
from lunarops.errors import InputError
from lunarops.orbits.functions import require_real

#: Earth-Moon mass ratio of the CR3BP used by the NASA Gateway NRHO papers (Zimovan-Spreen et al. 2020).
EARTH_MOON_MU = 0.0121505856
#: Characteristic length: mean Earth-Moon distance [m].
EARTH_MOON_LENGTH_M = 384_400e3
#: Characteristic time t* = sqrt(l*^3 / (GM_E + GM_M)) with DE421 GMs [s].
EARTH_MOON_TIME_S = math.sqrt(EARTH_MOON_LENGTH_M**3 / (GM_EARTH_M3_PER_S2 + GM_MOON_M3_PER_S2))
#: Default relative/absolute tolerance of the Taylor integrators (machine epsilon: heyoka's default).
DEFAULT_TOL = 2.220446049250313e-16

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class CR3BPSystem:
    """A CR3BP with its dimensional units."""

    mu: float = EARTH_MOON_MU
    length_m: float = EARTH_MOON_LENGTH_M
    time_s: float = EARTH_MOON_TIME_S

    def __post_init__(self) -> None:
        require_real("mu", self.mu, f"e.g. {EARTH_MOON_MU} (Earth-Moon)")
        # mu is the smaller primary's mass fraction: 0 leaves no second body (no halo orbits), > 0.5 swaps the
        # primaries (the formulas put the larger one at -mu), and NaN stops heyoka mid-propagation.
        if not (math.isfinite(self.mu) and 0.0 < self.mu <= 0.5):
            raise InputError(
                f"mu = {self.mu!r} must be in (0, 0.5], the mass fraction of the smaller primary; "
                f"use e.g. {EARTH_MOON_MU} (Earth-Moon)"
            )
        for name, value in (("length_m", self.length_m), ("time_s", self.time_s)):
            require_real(name, value)
            if not (math.isfinite(value) and value > 0.0):
                raise InputError(f"{name} = {value!r} must be a finite positive unit; omit it for the Earth-Moon value")

    @property
    def velocity_m_per_s(self) -> float:
        """Velocity unit [m/s]."""
        return self.length_m / self.time_s

    @property
    def moon_position(self) -> FloatArray:
        """The Moon's position in the rotating frame [non-dimensional]."""
        return np.array([1.0 - self.mu, 0.0, 0.0])


EARTH_MOON = CR3BPSystem()


def _equations() -> list[tuple[Any, Any]]:
    x, y, z, vx, vy, vz = hy.make_vars("x", "y", "z", "vx", "vy", "vz")
    mu = hy.par[0]
    r1_3 = ((x + mu) ** 2 + y**2 + z**2) ** 1.5
    r2_3 = ((x - 1.0 + mu) ** 2 + y**2 + z**2) ** 1.5
    c1 = (1.0 - mu) / r1_3
    c2 = mu / r2_3
    return [
        (x, vx),
        (y, vy),
        (z, vz),
        (vx, 2.0 * vy + x - c1 * (x + mu) - c2 * (x - 1.0 + mu)),
        (vy, -2.0 * vx + y - (c1 + c2) * y),
        (vz, -(c1 + c2) * z),
    ]


@lru_cache(maxsize=4)
def _integrator(tol: float) -> Any:
    return hy.taylor_adaptive(_equations(), [1.0, 0, 0, 0, 0, 0], pars=[EARTH_MOON_MU], tol=tol)


@lru_cache(maxsize=4)
def _stm_integrator(tol: float) -> Any:
    sys = hy.var_ode_sys(_equations(), hy.var_args.vars, order=1)
    return hy.taylor_adaptive(sys, [1.0, 0, 0, 0, 0, 0], pars=[EARTH_MOON_MU], tol=tol, compact_mode=True)


@lru_cache(maxsize=4)
def _batch_integrator(tol: float, batch_size: int) -> Any:
    state = np.zeros((6, batch_size))
    state[0] = 1.0
    pars = np.full((1, batch_size), EARTH_MOON_MU)
    return hy.taylor_adaptive_batch(_equations(), state, pars=pars, tol=tol)


def _check_outcome(outcome: Any, what: str) -> None:
    if outcome not in (hy.taylor_outcome.time_limit, hy.taylor_outcome.success):
        raise RuntimeError(f"heyoka stopped early while {what}: {outcome}")


def propagate(
    state0: ArrayLike, t_eval_nd: ArrayLike, mu: float = EARTH_MOON_MU, tol: float = DEFAULT_TOL
) -> FloatArray:
    """CR3BP states (6, M) at increasing non-dimensional times ``t_eval_nd`` >= 0 of one state (6,) at 0."""
    t_eval = np.atleast_1d(np.asarray(t_eval_nd, dtype=float))
    ta = _integrator(tol)
    ta.time = 0.0
    ta.state[:] = np.asarray(state0, dtype=float)
    ta.pars[0] = mu
    if t_eval[-1] == 0.0:
        return np.repeat(ta.state.copy()[:, None], t_eval.size, axis=1)
    lead = 0 if t_eval[0] == 0.0 else 1  # heyoka's grid must start at the current time
    grid = np.concatenate([[0.0], t_eval]) if lead else t_eval
    result = ta.propagate_grid(grid)
    _check_outcome(result[0], "propagating a CR3BP orbit")
    return np.asarray(result[-1]).T[:, lead:].copy()


def propagate_with_stm(
    state0: ArrayLike, t_nd: float, mu: float = EARTH_MOON_MU, tol: float = DEFAULT_TOL
) -> tuple[FloatArray, FloatArray]:
    """Final state (6,) and state transition matrix (6, 6) after ``t_nd`` (row i, column j: dx_i/dx0_j)."""
    ta = _stm_integrator(tol)
    ta.time = 0.0
    ta.state[:6] = np.asarray(state0, dtype=float)
    ta.state[6:] = np.eye(6).ravel()
    ta.pars[0] = mu
    outcome = ta.propagate_until(float(t_nd))[0]
    _check_outcome(outcome, "propagating the CR3BP state transition matrix")
    return ta.state[:6].copy(), ta.state[6:].reshape(6, 6).copy()


def propagate_many(
    states0: ArrayLike,
    t_final_nd: ArrayLike,
    mu: float = EARTH_MOON_MU,
    tol: float = DEFAULT_TOL,
    batch_size: int | None = None,
) -> FloatArray:
    """Final states (6, N) of N orbits (6, N) each propagated to its own final time (N,) or a common one.

    Uses heyoka's SIMD batch integrator (``hy.recommended_simd_size()`` orbits per lane group).
    """
    s0 = np.asarray(states0, dtype=float)
    n = s0.shape[1]
    tf = np.broadcast_to(np.asarray(t_final_nd, dtype=float), (n,))
    size = batch_size or hy.recommended_simd_size()
    ta = _batch_integrator(tol, size)
    out = np.empty_like(s0)
    for start in range(0, n, size):
        stop = min(start + size, n)
        k = stop - start
        chunk = np.zeros((6, size))
        chunk[0] = 2.0  # harmless filler state for unused lanes
        chunk[:, :k] = s0[:, start:stop]
        tf_chunk = np.full(size, tf[start])
        tf_chunk[:k] = tf[start:stop]
        ta.set_time(np.zeros(size))
        ta.state[:] = chunk
        ta.pars[:] = mu
        ta.propagate_until(tf_chunk)
        for outcome in ta.propagate_res:
            _check_outcome(outcome[0], "propagating a batch of CR3BP orbits")
        out[:, start:stop] = ta.state[:, :k]
    return out
