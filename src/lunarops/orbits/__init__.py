"""Lunar orbits: NRHO/halo families (CR3BP), Keplerian/frozen/low orbits, the ephemeris model (heyoka), eclipses,
lines of sight and coverage, the delta-v ledger, CZML and plots. See docs/orbits.md."""

from lunarops.orbits.coverage import CoverageResult, SurfaceSite, compute_coverage
from lunarops.orbits.cr3bp import EARTH_MOON, CR3BPSystem
from lunarops.orbits.eclipse import EclipseTimeline, eclipse_timeline
from lunarops.orbits.ephemeris_model import EphemerisModel
from lunarops.orbits.families import PeriodicOrbit, halo_orbit, nrho, resonant_period_s
from lunarops.orbits.kepler import KeplerOrbit, frozen_elliptical, low_lunar_orbit
from lunarops.orbits.tracks import KeplerOrbiter, NrhoOrbiter, Track, orbiter_tracks
from lunarops.orbits.transfers import DeltaVLedger, Leg, default_ledger, nrho_llo_estimate

__all__ = [
    "EARTH_MOON",
    "CR3BPSystem",
    "CoverageResult",
    "DeltaVLedger",
    "EclipseTimeline",
    "EphemerisModel",
    "KeplerOrbit",
    "KeplerOrbiter",
    "Leg",
    "NrhoOrbiter",
    "PeriodicOrbit",
    "SurfaceSite",
    "Track",
    "compute_coverage",
    "default_ledger",
    "eclipse_timeline",
    "frozen_elliptical",
    "halo_orbit",
    "low_lunar_orbit",
    "nrho",
    "nrho_llo_estimate",
    "orbiter_tracks",
    "resonant_period_s",
]
