"""Every perilune of an orbiter over a period, found between samples, and the exact time it hits the Moon.

A coverage grid only samples r(t): at a coarse step the lowest sample can lie far above the true perilune, and an
orbit can pass below the surface between two samples (``coverage.perilune_sampling_miss_km``). This module does
not sample:

- Keplerian orbiters are propagated in the same ephemeris model (heyoka, same equations and tolerance) with two
  events: r . v = 0 crossing upwards (a local minimum of r: each perilune, located by heyoka's root finding on the
  step's Taylor polynomial to machine precision) and |r|^2 = R^2 crossing downwards (terminal: the impact, R the
  1737.4 km mean radius). The step is heyoka's own, which resolves the perilune whatever the coverage step.
- NRHO orbiters are the periodic CR3BP orbit scaled by the instantaneous Earth-Moon distance (``tracks``): their
  perilunes come at the CR3BP perilune time of each revolution; the track is evaluated on a 10 s grid over
  +-15 min around each and the lowest point kept (a 10 s grid misses a 3,000 km perilune by < 1 m, two-body
  bound; the distance's drift moves the minimum by < 1 s).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import heyoka as hy
import numpy as np

from lunarops.constants import GM_MOON_M3_PER_S2, MOON_RADIUS_M
from lunarops.orbits.ephemeris_model import DEFAULT_TOL, KM, EphemerisModel, _equations, _n_pars
from lunarops.orbits.functions import FloatArray, rotating_frame_basis
from lunarops.orbits.kepler import HIGHEST_TERRAIN_KM, initial_state_j2000
from lunarops.orbits.tracks import KeplerOrbiter, NrhoOrbiter, Orbiter, nrho_positions_j2000_m

TERRAIN_MARGIN_KM = 20.0
"""A lowest perilune less than this above the highest terrain (10.8 km) gets the station-keeping note."""
NRHO_WINDOW_S = 900.0
NRHO_FINE_STEP_S = 10.0


@dataclass(frozen=True)
class PeriluneScan:
    """The perilunes of one orbiter over [0, duration_s] [s since the epoch], without station-keeping.

    ``lowest_radius_m``/``lowest_s``: the least radius over the period up to the impact (the perilunes and the
    period's two ends); ``impact_s``: when the orbit first crosses the 1737.4 km sphere downwards (None: never)."""

    orbiter: str
    duration_s: float
    perilune_s: FloatArray  # (n,) times of the perilunes (local minima of r)
    perilune_radius_m: FloatArray  # (n,)
    lowest_s: float
    lowest_radius_m: float
    impact_s: float | None
    method: str  # "events" (Keplerian) or "nrho" (CR3BP track)
    elapsed_s: float

    @property
    def lowest_altitude_km(self) -> float:
        """Least altitude [km] above the 1737.4 km sphere (the Moon's mean radius)."""
        return (self.lowest_radius_m - MOON_RADIUS_M) / 1e3

    @property
    def lowest_above_terrain_km(self) -> float:
        """Least altitude [km] above the highest lunar terrain (10.8 km above the sphere; LOLA, Smith et al. 2010)."""
        return self.lowest_altitude_km - HIGHEST_TERRAIN_KM


class _Perilunes:
    """nt_event callback: records the time and radius [km] of each minimum of r."""

    def __init__(self) -> None:
        self.found: list[tuple[float, float]] = []

    def __call__(self, ta: Any, t: float, d_sgn: int) -> None:
        ta.update_d_output(t)
        self.found.append((float(t), float(np.linalg.norm(ta.d_output[:3]))))


@lru_cache(maxsize=4)
def _event_integrator(degree: int, tol: float, harmonics: bool) -> Any:
    x, y, z, vx, vy, vz = hy.make_vars("x", "y", "z", "vx", "vy", "vz")
    r_km = MOON_RADIUS_M / KM
    perilune = hy.nt_event(x * vx + y * vy + z * vz, _Perilunes(), direction=hy.event_direction.positive)
    impact = hy.t_event(x * x + y * y + z * z - r_km * r_km, direction=hy.event_direction.negative)
    pars = np.zeros(_n_pars(degree, harmonics))
    pars[1] = 1.0
    return hy.taylor_adaptive(
        _equations(degree, harmonics), [2000.0, 0, 0, 0, 1.6, 0], pars=pars, tol=tol, compact_mode=True,
        nt_events=[perilune], t_events=[impact],
    )


def kepler_perilune_scan(
    name: str, state0_m: FloatArray, model: EphemerisModel, duration_s: float, tol: float = DEFAULT_TOL
) -> PeriluneScan:
    """Perilunes and impact of a Moon-centred J2000 state (6,) [m, m/s] at t = 0 over [0, duration_s]."""
    began = time.perf_counter()
    end_s = min(float(duration_s), model.n_segments * model.segment_s)
    ta = _event_integrator(model.degree, tol, model.harmonics)
    recorder: _Perilunes = ta.nt_events[0].callback
    recorder.found = []
    ta.time = 0.0
    ta.state[:] = np.asarray(state0_m, dtype=float) / KM
    ends = [float(np.linalg.norm(state0_m[:3])) / KM]  # r at the two ends of the period [km]
    impact_s = None
    for s in range(model.n_segments):
        seg_end = min((s + 1) * model.segment_s, end_s)
        if seg_end <= ta.time:
            break
        ta.pars[:] = model._segment_pars(s)
        outcome = ta.propagate_until(seg_end)[0]
        if outcome == hy.taylor_outcome.time_limit:
            continue
        if -(2**32) < int(outcome) < 0:  # -1 - index of the terminal event that stopped it: the impact
            impact_s = float(ta.time)
            break
        raise RuntimeError(f"heyoka stopped early in the perilune search: {outcome}")  # not expected
    if impact_s is None:
        ends.append(float(np.linalg.norm(ta.state[:3])))
    found = np.array(recorder.found, dtype=float).reshape(-1, 2)
    times, radii_km = found[:, 0], found[:, 1]
    candidates_s = np.concatenate([times, [0.0], [] if impact_s is not None else [end_s]])
    candidates_km = np.concatenate([radii_km, ends])
    k = int(np.argmin(candidates_km))
    lowest_s, lowest_m = float(candidates_s[k]), float(candidates_km[k] * KM)
    if impact_s is not None:
        lowest_s, lowest_m = impact_s, MOON_RADIUS_M  # it reaches the sphere; below it nothing is physical
    return PeriluneScan(
        name, end_s, times, radii_km * KM, lowest_s, lowest_m, impact_s, "events", time.perf_counter() - began
    )


def nrho_perilune_scan(orbiter: NrhoOrbiter, model: EphemerisModel, duration_s: float) -> PeriluneScan:
    """Perilunes of an NRHO track (``tracks.nrho_positions_j2000_m``) over [0, duration_s]."""
    began = time.perf_counter()
    orbit = orbiter.orbit()
    t_nd, states = orbit.sample(4001)
    rho = np.linalg.norm(states[:3] - np.array([1.0 - orbit.system.mu, 0.0, 0.0])[:, None], axis=0)
    tau_p_s = float(t_nd[int(np.argmin(rho))]) * orbit.system.time_s  # CR3BP perilune, one sample = 142 s
    period_s = orbit.period_s
    first_s = (tau_p_s - orbiter.phase * period_s) % period_s
    centres = np.arange(first_s, duration_s + NRHO_WINDOW_S, period_s)
    offsets = np.arange(-NRHO_WINDOW_S, NRHO_WINDOW_S + NRHO_FINE_STEP_S / 2, NRHO_FINE_STEP_S)
    grid = np.clip(centres[:, None] + offsets[None, :], 0.0, duration_s)
    flat = np.unique(np.concatenate([grid.ravel(), [0.0, float(duration_s)]]))
    times = model.times(flat)
    earth = model.ephemeris.position_wrt_moon_j2000_m("earth", times)
    earth_v = model.ephemeris.velocity_wrt_moon_j2000_m_per_s("earth", times)
    radius = np.linalg.norm(nrho_positions_j2000_m(orbit, orbiter.phase, flat, earth, earth_v), axis=0)
    index = np.searchsorted(flat, grid)
    per_pass = radius[index]
    best = np.argmin(per_pass, axis=1)
    rows = np.arange(grid.shape[0])
    peri_s, peri_m = grid[rows, best], per_pass[rows, best]
    inside = (peri_s > 0.0) & (peri_s < duration_s)  # a minimum at an end is not a perilune
    k = int(np.argmin(radius))
    return PeriluneScan(
        orbiter.name, float(duration_s), peri_s[inside], peri_m[inside], float(flat[k]), float(radius[k]), None,
        "nrho", time.perf_counter() - began,
    )


def perilune_scans(
    orbiters: Sequence[Orbiter], model: EphemerisModel, duration_s: float
) -> dict[str, PeriluneScan]:
    """``PeriluneScan`` of each orbiter over [0, duration_s] of ``model`` (its epoch and lunar gravity)."""
    eph = model.ephemeris
    rotation0 = eph.rotation_j2000_to_me(model.epoch)
    axes0 = rotating_frame_basis(
        eph.position_wrt_moon_j2000_m("earth", model.epoch)[:, None],
        eph.velocity_wrt_moon_j2000_m_per_s("earth", model.epoch)[:, None],
    )[:, :, 0]
    scans = {}
    for orbiter in orbiters:
        if isinstance(orbiter, KeplerOrbiter):
            state0 = initial_state_j2000(orbiter.orbit, rotation0, axes0)
            scans[orbiter.name] = kepler_perilune_scan(orbiter.name, state0, model, duration_s)
        else:
            scans[orbiter.name] = nrho_perilune_scan(orbiter, model, duration_s)
    return scans


def apoapsis_speed_m_per_s(periapsis_radius_m: float, apoapsis_radius_m: float) -> float:
    """Two-body speed at apoapsis [m/s] (vis-viva: v^2 = GM (2/r_a - 1/a), a = (r_p + r_a)/2)."""
    a = 0.5 * (periapsis_radius_m + apoapsis_radius_m)
    return math.sqrt(GM_MOON_M3_PER_S2 * (2.0 / apoapsis_radius_m - 1.0 / a))


def station_keeping_dv_m_per_s(lowest_radius_m: float, floor_radius_m: float, apoapsis_radius_m: float) -> float:
    """Least delta-v [m/s] that keeps the perilune at or above ``floor_radius_m`` over the period: tangential
    burns at apoapsis raising the periapsis by floor - lowest in all (vis-viva; Vallado 2013, Fundamentals of
    Astrodynamics and Applications, 4th ed., sec. 6.3), assuming the raises leave the perturbations' effect on the
    perilune unchanged (first order: they change e by < 1 % here). 0 when the lowest is above the floor."""
    if lowest_radius_m >= floor_radius_m:
        return 0.0
    low = max(lowest_radius_m, 1.0)
    return apoapsis_speed_m_per_s(floor_radius_m, apoapsis_radius_m) - apoapsis_speed_m_per_s(low, apoapsis_radius_m)


def station_keeping_estimate_m_per_s(orbiter: Orbiter, scan: PeriluneScan) -> float | None:
    """``station_keeping_dv_m_per_s`` of a Keplerian orbiter whose lowest perilune over the scan comes within
    TERRAIN_MARGIN_KM of the highest terrain (floor: 10.8 + 20 km); None when it does not, or when it impacts
    (no sound estimate: the perilune's fall past the impact is unknown)."""
    if (
        not isinstance(orbiter, KeplerOrbiter)
        or scan.impact_s is not None
        or scan.lowest_above_terrain_km >= TERRAIN_MARGIN_KM
    ):
        return None
    floor_m = MOON_RADIUS_M + (HIGHEST_TERRAIN_KM + TERRAIN_MARGIN_KM) * 1e3
    # the perturbations keep the semi-major axis (no secular change to first order), so the apolune rises as the
    # perilune falls: r_a = 2 a - r_p at the lowest perilune
    r_a = 2.0 * orbiter.orbit.semi_major_axis_m - scan.lowest_radius_m
    return station_keeping_dv_m_per_s(scan.lowest_radius_m, floor_m, r_a)


def station_keeping_note(orbiter: Orbiter, scan: PeriluneScan, epoch_label: str) -> str | None:
    """A STATION-KEEPING note when a Keplerian orbiter's lowest perilune over the period comes within
    TERRAIN_MARGIN_KM of the highest terrain (or it impacts); None otherwise."""
    if not isinstance(orbiter, KeplerOrbiter) or scan.lowest_above_terrain_km >= TERRAIN_MARGIN_KM:
        return None
    floor_km = HIGHEST_TERRAIN_KM + TERRAIN_MARGIN_KM
    head = f"STATION-KEEPING: orbiter {orbiter.name!r} without station-keeping "
    where = (
        f"over the {scan.duration_s / 86400.0:g} d from {epoch_label} (perilune search between samples, "
        f"{scan.perilune_s.size} perilunes)"
    )
    terrain = (
        f"the highest lunar terrain ({HIGHEST_TERRAIN_KM:g} km above the 1737.4 km sphere; LOLA, Smith et al. 2010)"
    )
    if scan.impact_s is not None:
        return (
            f"{head}hits the Moon on day {scan.impact_s / 86400.0:.2f} {where}: it needs station-keeping (or "
            "another orbit). No delta-v estimate: the perilune's fall past the impact is not known."
        )
    dv = station_keeping_estimate_m_per_s(orbiter, scan) or 0.0
    return (
        f"{head}comes down to {scan.lowest_altitude_km:.1f} km above the 1737.4 km sphere on day "
        f"{scan.lowest_s / 86400.0:.1f} {where}, {scan.lowest_above_terrain_km:.1f} km above {terrain}, within "
        f"{TERRAIN_MARGIN_KM:g} km of it: it needs station-keeping. Holding the perilune at or above {floor_km:g} "
        f"km takes at least about {dv:.1f} m/s over the period (tangential burns at apolune raising the perilune "
        "by the deficit in all, vis-viva; a first-order estimate that takes the perturbations' drift of the "
        "perilune as unchanged by the burns, not a manoeuvre plan)."
    )


def scan_period(
    orbiters: Sequence[Orbiter], start: Any, duration_s: float, lunar_gravity: str = "degree2"
) -> dict[str, PeriluneScan]:
    """``perilune_scans`` over [start, start + duration_s] in its own ephemeris model (``lunar_gravity``:
    "point" or "degree2", as ``compute_coverage``); ``start``: a skyfield Time."""
    model = EphemerisModel(start, float(duration_s), harmonics=lunar_gravity == "degree2")
    return perilune_scans(orbiters, model, float(duration_s))
