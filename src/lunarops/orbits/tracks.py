"""Orbiters of a scenario and their tracks on a time grid, in Moon-centred J2000 and Moon ME coordinates.

Keplerian, frozen and low orbits are propagated in the ephemeris model (point-mass Moon, Earth, Sun; DE421).
Halo/NRHO orbiters use the periodic CR3BP solution placed on the real Earth-Moon line: the rotating frame at
each instant is the one of the DE421 Earth-Moon geometry and the length unit the instantaneous Earth-Moon
distance. That is the usual first step of an ephemeris NRHO design (before multiple shooting) and is good for
coverage and lighting statistics; it is not a flight trajectory.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from skyfield.timelib import Time

from lunarops.errors import InputError
from lunarops.orbits.cr3bp import propagate as propagate_cr3bp
from lunarops.orbits.ephemeris_model import EphemerisModel
from lunarops.orbits.families import PeriodicOrbit, nrho, nrho_period_s, parse_family
from lunarops.orbits.functions import (
    FloatArray,
    require_real,
    rotating_frame_basis,
    rotating_to_moon_ephemeris_frame,
)
from lunarops.orbits.kepler import KeplerOrbit, initial_state_j2000


@dataclass(frozen=True)
class NrhoOrbiter:
    """A spacecraft on a synodic-resonant NRHO; ``phase``: fraction of a period past apolune at the epoch.

    ``phase`` must be in [0, 1), as in the scenario file (``orbits.orbiters[].phase``): 1 or more would only
    wrap to the same place, so it is refused rather than wrapped silently. The resonance and family are checked
    here (cheap), the orbit itself is computed on demand (``orbit()``, which refuses an orbit whose perilune is
    at or below the lunar surface; ``compute_coverage`` calls it before any propagation).
    """

    name: str
    resonance: str = "9:2"
    family: str = "L2-south"
    phase: float = 0.0

    def __post_init__(self) -> None:
        _check_name(self.name)
        nrho_period_s(self.resonance)
        parse_family(self.family)
        require_real("phase", self.phase, "a fraction of the period past apolune such as 0.25")
        if not (math.isfinite(self.phase) and 0.0 <= self.phase < 1.0):
            raise InputError(
                f"orbiter {self.name!r}: phase = {self.phase!r} must be in [0, 1), the fraction of a period past "
                "apolune at the epoch; give e.g. 0.25 (a phase of 1 or more is the same point as its fraction)"
            )

    def orbit(self) -> PeriodicOrbit:
        """The periodic CR3BP orbit; the InputError of an unreachable or subsurface orbit names the orbiter."""
        try:
            return nrho(self.resonance, self.family)
        except InputError as error:
            error.args = (f"orbiter {self.name!r}: {error}", *error.args[1:])
            raise


@dataclass(frozen=True)
class KeplerOrbiter:
    """A spacecraft on a Keplerian/frozen/low lunar orbit whose elements hold at the epoch."""

    name: str
    orbit: KeplerOrbit

    def __post_init__(self) -> None:
        _check_name(self.name)
        if not isinstance(self.orbit, KeplerOrbit):
            raise InputError(
                f"orbiter {self.name!r}: orbit must be a KeplerOrbit, got {self.orbit!r} "
                f"({type(self.orbit).__name__}); build it with low_lunar_orbit(), frozen_elliptical() or KeplerOrbit()"
            )


def _check_name(name: object) -> None:
    if not isinstance(name, str) or not name:
        raise InputError(f"orbiter name must be a non-empty string, got {name!r}; give e.g. 'gateway'")


Orbiter = NrhoOrbiter | KeplerOrbiter


@dataclass(frozen=True)
class Track:
    """Positions of one orbiter on the grid: Moon-centred J2000 and Moon ME [m]."""

    name: str
    seconds: FloatArray
    position_j2000_m: FloatArray  # (3, N)
    position_me_m: FloatArray  # (3, N)


def nrho_positions_j2000_m(
    orbit: PeriodicOrbit, phase: float, seconds: FloatArray, earth_m: FloatArray, earth_m_per_s: FloatArray
) -> FloatArray:
    """Moon-centred J2000 positions (3, N) of a periodic CR3BP orbit on the DE421 Earth-Moon geometry."""
    t_nd = np.mod(phase * orbit.period_nd + np.asarray(seconds) / orbit.system.time_s, orbit.period_nd)
    unique, inverse = np.unique(t_nd, return_inverse=True)
    lead = 0 if unique[0] == 0.0 else 1
    grid = np.concatenate([[0.0], unique]) if lead else unique
    states = propagate_cr3bp(orbit.state0, grid, orbit.system.mu)[:, lead:]
    positions = states[:3, inverse.ravel()]
    return rotating_to_moon_ephemeris_frame(positions, orbit.system.mu, earth_m, earth_m_per_s)


def orbiter_tracks(
    orbiters: Sequence[Orbiter],
    model: EphemerisModel,
    seconds: FloatArray,
    progress: Callable[[float, str], None] | None = None,
) -> list[Track]:
    """Tracks of the orbiters on ``seconds`` (TDB seconds since ``model.epoch``)."""
    times: Time = model.times(seconds)
    eph = model.ephemeris
    rotation = eph.rotation_j2000_to_me(times)  # (3, 3, N)
    earth = eph.position_wrt_moon_j2000_m("earth", times)
    earth_v = eph.velocity_wrt_moon_j2000_m_per_s("earth", times)
    rotation0 = eph.rotation_j2000_to_me(model.epoch)
    lunar_orbit_axes0 = rotating_frame_basis(
        eph.position_wrt_moon_j2000_m("earth", model.epoch)[:, None],
        eph.velocity_wrt_moon_j2000_m_per_s("earth", model.epoch)[:, None],
    )[:, :, 0]
    keplerian = [o for o in orbiters if isinstance(o, KeplerOrbiter)]
    kepler_positions: dict[str, FloatArray] = {}
    if keplerian:
        if progress:
            progress(0.0, f"propagating {len(keplerian)} orbit(s) in the ephemeris model")
        states0 = np.stack(
            [initial_state_j2000(o.orbit, rotation0, lunar_orbit_axes0) for o in keplerian], axis=1
        )
        for spec, propagated in zip(keplerian, model.propagate_many(states0, seconds), strict=True):
            kepler_positions[spec.name] = propagated.position_m
    tracks = []
    for k, orbiter in enumerate(orbiters):
        if progress:
            progress(0.5 + 0.5 * k / max(len(orbiters), 1), f"track of {orbiter.name}")
        if isinstance(orbiter, NrhoOrbiter):
            pos = nrho_positions_j2000_m(orbiter.orbit(), orbiter.phase, seconds, earth, earth_v)
        else:
            pos = kepler_positions[orbiter.name]
        pos_me = np.einsum("ijn,jn->in", rotation, pos)
        tracks.append(Track(orbiter.name, np.asarray(seconds, dtype=float), pos, pos_me))
    return tracks
