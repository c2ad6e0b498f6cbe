"""Halo and near-rectilinear halo orbits of the Earth-Moon CR3BP by differential correction and continuation.

Every orbit of the L1/L2 halo families crosses the x-z plane perpendicularly twice per revolution (at apolune
and at perilune, with respect to the Moon). A symmetric periodic orbit is therefore fixed by the apolune state
(x0, 0, z0, 0, vy0, 0) whose half-period state has y = vx = vz = 0 (Howell 1984, Celest. Mech. 32:53). The
correction is Newton's method on those three residuals with the state transition matrix from heyoka's
variational equations; the family is followed by natural-parameter continuation in the period, from a halo
near the libration point (seed states below, corrected before use) to the requested period.

A p:q synodic resonance means p revolutions in q synodic months: period = q * 29.530589 d / p (the 9:2 NRHO of
NASA's Gateway: 6.562 d; Zimovan-Spreen, Howell & Davis 2020, Celest. Mech. Dyn. Astron. 132:28).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from lunarops.constants import MOON_RADIUS_M, SYNODIC_MONTH_S
from lunarops.errors import InputError
from lunarops.orbits.cr3bp import EARTH_MOON, CR3BPSystem, propagate, propagate_with_stm
from lunarops.orbits.functions import FloatArray, cr3bp_acceleration, jacobi_constant, require_real

FAMILIES = ("L1-north", "L1-south", "L2-north", "L2-south")

# Seed apolune states (x0, z0, vy0) of one member of each southern family, for the continuation only: each is
# corrected before use and the answer does not depend on it beyond picking the family. Northern = z0 mirrored.
_SEEDS: dict[int, tuple[float, float, float]] = {
    2: (1.03, -0.19, -0.14),
    1: (0.86, -0.15, 0.28),
}
_SEED_HALF_PERIOD = {2: 0.85, 1: 1.093}
MIN_PERIOD_S = 4.0 * 86400.0
MAX_PERIOD_S = 16.0 * 86400.0


class ConvergenceError(InputError):
    """Differential correction did not converge (the requested orbit is outside the reachable family)."""


class FamilyEndError(ConvergenceError):
    """The continuation along a family stopped before the requested period (non-dimensional periods kept)."""

    def __init__(self, seed_nd: float, reached_nd: float, failed_nd: float) -> None:
        super().__init__(f"halo continuation stopped at period {reached_nd:.6f}, failed at {failed_nd:.6f} (non-dim.)")
        self.seed_nd = seed_nd
        self.reached_nd = reached_nd
        self.failed_nd = failed_nd


class SubsurfaceOrbitError(InputError):
    """The orbit's perilune radius is at or below the Moon's mean radius: it would hit the Moon."""

    def __init__(self, message: str, perilune_radius_m: float = math.nan, period_s: float = math.nan) -> None:
        super().__init__(message)
        self.perilune_radius_m = perilune_radius_m
        self.period_s = period_s


@dataclass(frozen=True)
class PeriodicOrbit:
    """A periodic CR3BP orbit: its apolune state and period, and its shape in physical units."""

    family: str
    state0: FloatArray  # (6,) non-dimensional apolune state in the rotating frame
    period_nd: float
    system: CR3BPSystem
    perilune_radius_m: float
    apolune_radius_m: float
    jacobi: float
    stability_index: float
    closure_m: float  # position error after one period, from an independent full-period propagation

    @property
    def period_s(self) -> float:
        """Period [s]."""
        return self.period_nd * self.system.time_s

    @property
    def period_days(self) -> float:
        """Period [d]."""
        return self.period_s / 86400.0

    def sample(self, n: int = 2000, revolutions: float = 1.0) -> tuple[FloatArray, FloatArray]:
        """Times (n,) [non-dimensional] and rotating-frame states (6, n) over ``revolutions`` periods."""
        t = np.linspace(0.0, revolutions * self.period_nd, n)
        return t, propagate(self.state0, t, self.system.mu)


def resonant_period_s(resonance: str) -> float:
    """Period of a p:q synodic-resonant orbit (p revolutions per q synodic months) [s]."""
    if not isinstance(resonance, str):
        raise InputError(
            f"resonance must be a string 'p:q' (p revolutions in q synodic months), got {resonance!r} "
            f"({type(resonance).__name__}); write e.g. '9:2'"
        )
    try:
        p_text, q_text = resonance.split(":")
        p, q = int(p_text), int(q_text)
    except ValueError:
        raise InputError(
            f"resonance {resonance!r} is not of the form 'p:q' (p revolutions in q synodic months); "
            "write e.g. '9:2'"
        ) from None
    if p <= 0 or q <= 0:
        raise InputError(f"resonance {resonance!r} needs positive integers p and q; write e.g. '9:2'")
    common = math.gcd(p, q)
    if common > 1:  # 18:4 is the same orbit as 9:2: refused, not reduced silently
        raise InputError(
            f"resonance {resonance!r} is not in lowest terms: p and q share the factor {common}, so it is the "
            f"{p // common}:{q // common} resonance (the same period, {q * SYNODIC_MONTH_S / p / 86400.0:.3f} d); "
            f"write '{p // common}:{q // common}'"
        )
    return q * SYNODIC_MONTH_S / p


def check_halo_period_s(period_s: float) -> None:
    """InputError unless ``period_s`` is a number inside the period range the halo families are continued over."""
    require_real("period_s", period_s, "a halo period in seconds such as 8 * 86400.0")
    if not np.isfinite(period_s):
        raise InputError(
            f"halo period_s = {period_s} must be a finite number of seconds in {MIN_PERIOD_S:.0f}..{MAX_PERIOD_S:.0f}"
            " s, e.g. 8 * 86400.0 for 8 days"
        )
    if not np.isfinite(period_s) or not MIN_PERIOD_S <= period_s <= MAX_PERIOD_S:
        low, high = MIN_PERIOD_S / 86400.0, MAX_PERIOD_S / 86400.0
        if np.isfinite(period_s) and low <= period_s <= high:
            fix = f"for {period_s:g} days give period_s = {period_s:g} * 86400.0"
        else:
            fix = "e.g. 8 * 86400.0 for 8 days"
        raise InputError(
            f"halo period_s = {period_s:.6g} s ({period_s / 86400.0:.4g} d) is outside {low:g}..{high:g} d, the "
            "range lunarops continues the Earth-Moon L1/L2 halo families over; period_s is in seconds: choose a "
            f"period in {MIN_PERIOD_S:.0f}..{MAX_PERIOD_S:.0f} s, {fix}"
        )


def nrho_period_s(resonance: str) -> float:
    """Period [s] of a p:q resonance, InputError naming the resonance unless it lies in the halo period range."""
    period_s = resonant_period_s(resonance)
    if not MIN_PERIOD_S <= period_s <= MAX_PERIOD_S:
        raise InputError(
            f"resonance {resonance!r} gives a period of {period_s / 86400.0:.4g} d (q/p x 29.53 d), outside "
            f"{MIN_PERIOD_S / 86400:g}..{MAX_PERIOD_S / 86400:g} d, the range lunarops continues the Earth-Moon "
            "L1/L2 halo families over; choose a resonance p:q whose period is in it, e.g. 9:2 (6.56 d) or 4:1 "
            "(7.38 d) for L2, 3:1 (9.84 d) for L1"
        )
    return period_s


def parse_family(family: str) -> tuple[int, float]:
    """(libration point 1/2, sign of the apolune z) of a family name; InputError for an unknown one."""
    if not isinstance(family, str) or family not in FAMILIES:
        raise InputError(f"unknown orbit family {family!r}; choose one of {', '.join(FAMILIES)}")
    point = int(family[1])
    # Southern families spend most of their time south of the Earth-Moon plane: apolune z < 0.
    sign = 1.0 if family.endswith("north") else -1.0
    return point, sign


def _residual_and_jacobian(
    x0: float, z0: float, vy0: float, half_nd: float, mu: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    state0 = np.array([x0, 0.0, z0, 0.0, vy0, 0.0])
    final, stm = propagate_with_stm(state0, half_nd, mu)
    residual = final[[1, 3, 5]]
    rates = cr3bp_acceleration(final, mu)[[1, 3, 5]]
    return residual, stm[np.ix_([1, 3, 5], [0, 2, 4])], rates


def correct_free_period(
    guess: tuple[float, float, float], half_nd: float, mu: float, fixed: str = "z0", max_iter: int = 40
) -> tuple[FloatArray, float]:
    """Newton on (x0 or z0, vy0, half period), ``fixed`` ('z0'/'x0') held; returns ((x0, z0, vy0), half)."""
    x0, z0, vy0 = guess
    half = half_nd
    for _ in range(max_iter):
        residual, jac, rates = _residual_and_jacobian(x0, z0, vy0, half, mu)
        if np.max(np.abs(residual)) < 1e-12:
            return np.array([x0, z0, vy0]), half
        free_col = 1 if fixed == "x0" else 0
        matrix = np.column_stack([jac[:, free_col], jac[:, 2], rates])
        step = np.linalg.lstsq(matrix, -residual, rcond=None)[0]
        scale = min(1.0, 0.05 / max(np.max(np.abs(step)), 1e-300))
        step *= scale
        if fixed == "x0":
            z0 += step[0]
        else:
            x0 += step[0]
        vy0 += step[1]
        half += step[2]
    raise ConvergenceError(f"halo correction did not converge from the seed {guess} (residual {residual})")


def correct_fixed_period(
    guess: FloatArray, half_nd: float, mu: float, max_iter: int = 30, tol: float = 1e-13
) -> FloatArray:
    """Newton on (x0, z0, vy0) for the symmetric orbit of half period ``half_nd``; returns (x0, z0, vy0)."""
    v = np.array(guess, dtype=float)
    residual = np.full(3, np.inf)
    for _ in range(max_iter):
        residual, jac, _ = _residual_and_jacobian(v[0], v[1], v[2], half_nd, mu)
        if np.max(np.abs(residual)) < tol:
            return v
        step = np.linalg.lstsq(jac, -residual, rcond=None)[0]
        limit = 0.02
        if np.max(np.abs(step)) > limit:
            step *= limit / np.max(np.abs(step))
        v = v + step
    raise ConvergenceError(
        f"halo correction at period {2 * half_nd:.6f} (non-dimensional) did not converge (residual {residual}): "
        "the family does not reach that period smoothly; choose a period nearer 6-8 d (NRHOs) or 10-14 d"
    )


@lru_cache(maxsize=32)
def _continue_to_period(
    point: int, sign: float, period_nd: float, mu: float, step_nd: float
) -> tuple[float, float, float]:
    seed = _SEEDS[point]
    seed_guess = (seed[0], sign * abs(seed[1]), seed[2])
    # The seeds are apolune states; a rough half period for the free-period correction to start from.
    solution, half = correct_free_period(seed_guess, _SEED_HALF_PERIOD[point], mu, fixed="x0")
    periods = [2.0 * half]
    solutions = [solution]
    n_steps = max(1, int(np.ceil(abs(period_nd - periods[0]) / step_nd)))
    for k in range(1, n_steps + 1):
        target = periods[0] + (period_nd - periods[0]) * k / n_steps
        guess = solutions[-1]
        if len(solutions) > 1:  # secant predictor along the family
            slope = (solutions[-1] - solutions[-2]) / (periods[-1] - periods[-2])
            guess = solutions[-1] + slope * (target - periods[-1])
        try:
            solutions.append(correct_fixed_period(guess, target / 2.0, mu))
        except ConvergenceError:
            raise FamilyEndError(periods[0], periods[-1], target) from None
        periods.append(target)
    final = solutions[-1]
    return float(final[0]), float(final[1]), float(final[2])


def halo_orbit(
    family: str,
    period_s: float,
    system: CR3BPSystem = EARTH_MOON,
    progress: Callable[[float, str], None] | None = None,
) -> PeriodicOrbit:
    """The halo orbit of ``family`` ('L2-south', ...) with the given period, by continuation from near L1/L2.

    Raises InputError for an unknown family, ConvergenceError for a period outside the family's range.
    """
    point, sign = parse_family(family)
    check_halo_period_s(period_s)
    if not isinstance(system, CR3BPSystem):
        raise InputError(
            f"system must be a CR3BPSystem, got {system!r} ({type(system).__name__}); omit it for the Earth-Moon "
            "system or pass CR3BPSystem(mu=...)"
        )
    period_nd = period_s / system.time_s
    if progress:
        progress(0.1, f"continuing the {family} halo family")
    try:
        x0, z0, vy0 = _continue_to_period(point, sign, round(period_nd, 14), system.mu, 0.05)
    except FamilyEndError as stop:
        days = system.time_s / 86400.0
        reached = stop.reached_nd * days
        # The continuation walks from the seed towards the requested period in equal steps (<= 0.05 non-dim.,
        # about 0.2 d), so where it stops depends on the step and varies a little with the requested period: the
        # message gives the last converged period rounded away from the unreachable side, as "about".
        side = "above" if period_nd < stop.reached_nd else "below"
        raise ConvergenceError(
            f"the {family} halo family has no orbit of period {period_s / 86400.0:.2f} d within reach: its "
            f"continuation from the {stop.seed_nd * days:.2f} d orbit stops at about {reached:.1f} d (the exact "
            f"point depends on the continuation step), where the family turns or ends; choose a period {side} "
            f"about {reached:.1f} d or another family ({', '.join(f for f in FAMILIES if f != family)})"
        ) from None
    state0 = np.array([x0, 0.0, z0, 0.0, vy0, 0.0])
    if progress:
        progress(0.7, "checking periodicity")
    orbit = _describe(family, state0, period_nd, system)
    _check_above_surface(orbit)
    return orbit


def _check_above_surface(orbit: PeriodicOrbit) -> None:
    """SubsurfaceOrbitError when the orbit's perilune radius is at or below the Moon's mean radius (1737.4 km)."""
    if orbit.perilune_radius_m > MOON_RADIUS_M:
        return
    perilune_km, surface_km = orbit.perilune_radius_m / 1e3, MOON_RADIUS_M / 1e3
    raise SubsurfaceOrbitError(
        f"the {orbit.family} halo orbit of period {orbit.period_days:.2f} d has a perilune radius of "
        f"{perilune_km:.1f} km, at or below the Moon's mean radius of {surface_km:.1f} km "
        f"({surface_km - perilune_km:.1f} km underground): it would hit the Moon; choose a longer period (the "
        "perilune rises with the period), e.g. 9:2 (6.56 d, perilune radius 3,249 km) or 4:1 (7.38 d)",
        perilune_radius_m=orbit.perilune_radius_m,
        period_s=orbit.period_s,
    )


def nrho(resonance: str = "9:2", family: str = "L2-south", system: CR3BPSystem = EARTH_MOON) -> PeriodicOrbit:
    """The p:q synodic-resonant NRHO of ``family`` (default: the Gateway 9:2 L2 south).

    InputError naming the resonance when its period is outside 4..16 d, ConvergenceError when the family does
    not reach it, SubsurfaceOrbitError when the orbit's perilune is at or below the lunar surface.
    """
    period_s = nrho_period_s(resonance)
    try:
        return halo_orbit(family, period_s, system)
    except ConvergenceError as error:
        hint = "e.g. 9:2 (6.56 d) for L2, 3:1 (9.84 d) for L1"
        raise ConvergenceError(f"resonance {resonance}: {error}; {hint}") from None
    except SubsurfaceOrbitError as error:  # the same fix, by resonance: p:q with a longer period q/p x 29.53 d
        message = str(error).replace("choose a longer period", "choose a resonance with a longer period")
        raise SubsurfaceOrbitError(
            f"resonance {resonance} ({family}, period {period_s / 86400.0:.2f} d): {message}",
            perilune_radius_m=error.perilune_radius_m,
            period_s=period_s,
        ) from None


def _describe(family: str, state0: FloatArray, period_nd: float, system: CR3BPSystem) -> PeriodicOrbit:
    grid = np.linspace(0.0, period_nd, 4001)
    track = propagate(state0, grid, system.mu)
    moon_distance = np.linalg.norm(track[:3] - system.moon_position[:, None], axis=0)
    # The apses with respect to the Moon are the perpendicular x-z plane crossings (t = 0 and T/2), where
    # d|r - r_moon|/dt = 0 exactly; the dense grid confirms that they are the extremes.
    half_state = propagate(state0, np.array([0.0, period_nd / 2.0]), system.mu)[:, -1]
    r_half = float(np.linalg.norm(half_state[:3] - system.moon_position))
    r_zero = float(np.linalg.norm(state0[:3] - system.moon_position))
    perilune = min(r_half, r_zero, float(moon_distance.min()))
    apolune = max(r_half, r_zero, float(moon_distance.max()))
    final, monodromy = propagate_with_stm(state0, period_nd, system.mu)
    closure_m = float(np.linalg.norm(final[:3] - state0[:3])) * system.length_m
    eigenvalues = np.linalg.eigvals(monodromy)
    largest = float(np.max(np.abs(eigenvalues)))
    stability = 0.5 * (largest + 1.0 / largest)
    return PeriodicOrbit(
        family=family,
        state0=state0,
        period_nd=period_nd,
        system=system,
        perilune_radius_m=perilune * system.length_m,
        apolune_radius_m=apolune * system.length_m,
        jacobi=float(jacobi_constant(state0, system.mu)),
        stability_index=stability,
        closure_m=closure_m,
    )
