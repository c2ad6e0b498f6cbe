"""Which hemisphere an orbiter's apolune dwells over, and a note when it is not the one of a polar site it serves.

The defaults of lunarops serve the ILRS south-pole base: the NRHO family ``L2-south`` (apolune over the south,
perilune over the north: Zimovan-Spreen, Howell & Davis 2020, Celest. Mech. Dyn. Astron. 132:28; the southern
families have apolune z < 0, ``families.py``) and frozen orbits with omega = 90 deg, apolune over the south
(Queqiao-2 class; Ely 2005, J. Astronaut. Sci. 53(3)). A north-pole base (e.g. Peary crater rim, 89.66 N) served
by them sees each orbiter only near its perilune pass, about 1 % of the time: these notes say so and name the fix.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lunarops.orbits.coverage import SurfaceSite
    from lunarops.orbits.tracks import Orbiter
    from lunarops.orbits.visibility import LinkTimeline

POLAR_SITE_LATITUDE_DEG = 60.0
"""Sites at or beyond this |latitude| [deg] are 'polar' for the notes: the apolune of a frozen relay at its frozen
inclination (about 62.5 deg for 200 x 16,000 km) or of an NRHO (over the pole) dwells over their hemisphere."""
LOW_POLAR_COVERAGE = 0.10
"""Fraction visible below which an orbiter's coverage of a polar site gets a note (a relay serving a polar base
is designed for most of the time: the Queqiao-2 class frozen:200:16000:62.5 sees Connecting Ridge (89.45 S) 91 %
and the 9:2 L2-south NRHO 98 % of 7 days from 2030-01-01 at 600 s with the south DEM (``orbit coverage``), while
a 100 km polar LLO sees it 12 %)."""
MIN_ECCENTRICITY = 0.1
"""Below this eccentricity a Keplerian orbit has no apolune dwell worth naming a hemisphere for."""
MIN_APOLUNE_LATITUDE_DEG = 30.0
"""A Keplerian apolune nearer the equator than this [deg] (in the orbit's reference plane) has no hemisphere."""


def apolune_hemisphere(orbiter: Orbiter) -> str | None:
    """'south' or 'north': the hemisphere an orbiter's apolune is over; None when it has none (near-circular or
    low-inclination orbits, or an apolune within MIN_APOLUNE_LATITUDE_DEG of the equator).

    NRHO: the family's (southern families: apolune z < 0, lunarops.orbits.families). Keplerian/frozen: the
    apoapsis direction is minus the periapsis one, whose z-component in the reference plane is sin(i) sin(omega),
    so the apolune's latitude is asin(-sin i sin omega) (frozen omega = 90 deg: south; 270 deg: north)."""
    from lunarops.orbits.tracks import NrhoOrbiter

    if isinstance(orbiter, NrhoOrbiter):
        return "north" if orbiter.family.lower().endswith("north") else "south"
    orbit = orbiter.orbit
    if orbit.eccentricity < MIN_ECCENTRICITY:
        return None
    z = -math.sin(math.radians(orbit.inc_deg)) * math.sin(math.radians(orbit.argp_deg))
    if abs(z) < math.sin(math.radians(MIN_APOLUNE_LATITUDE_DEG)):
        return None
    return "north" if z > 0 else "south"


def hemisphere_fix(orbiter: Orbiter, hemisphere: str) -> str:
    """How to put the orbiter's apolune over ``hemisphere``: the scenario key and the CLI spec."""
    from lunarops.orbits.tracks import NrhoOrbiter

    if isinstance(orbiter, NrhoOrbiter):
        family = f"{orbiter.family.split('-')[0]}-{hemisphere}"
        phase = f":{orbiter.phase:g}" if orbiter.phase else ""
        return f"family: {family} (CLI --orbiter nrho:{orbiter.resonance}:{family}{phase})"
    orbit = orbiter.orbit
    if orbit.reference_plane == "lunar-orbit" and orbit.argp_deg in (90.0, 270.0):  # as frozen_elliptical builds
        spec = (
            f"frozen:{orbit.periapsis_alt_km:g}:{orbit.apoapsis_alt_km:g}:{orbit.inc_deg:g}:{orbit.raan_deg:g}:"
            f"{hemisphere}"
        )
        return f"apolune_over: {hemisphere} (kind frozen; CLI --orbiter {spec})"
    argp = (orbit.argp_deg + 180.0) % 360.0
    if orbit.reference_plane == "lunar-orbit":
        return f"argp_deg: {argp:g} (apolune over the other hemisphere)"
    spec = f"kepler:{orbit.periapsis_alt_km:g}:{orbit.apoapsis_alt_km:g}:{orbit.inc_deg:g}:{orbit.raan_deg:g}:{argp:g}"
    return f"argp_deg: {argp:g} (CLI --orbiter {spec})"


def polar_coverage_notes(
    sites: Sequence[SurfaceSite],
    orbiters: Sequence[Orbiter],
    site_links: dict[tuple[str, str], LinkTimeline],
    impacted: Sequence[str] = (),
) -> list[str]:
    """A note per (polar site, orbiter) whose apolune is over the other hemisphere than the site, or whose
    coverage of the site is below LOW_POLAR_COVERAGE, naming the fix. ``impacted`` orbiters get only the
    hemisphere note (their impact note explains the low coverage)."""
    notes = []
    for site in sites:
        if abs(site.latitude_deg) < POLAR_SITE_LATITUDE_DEG:
            continue
        side = "north" if site.latitude_deg > 0 else "south"
        where = f"{abs(site.latitude_deg):g} {'N' if side == 'north' else 'S'}"
        for orbiter in orbiters:
            link = site_links.get((site.name, orbiter.name))
            if link is None:
                continue
            stats = link.statistics()
            fraction = float(stats["fraction_visible"])
            seen = (
                f"it sees the site {100.0 * fraction:.1f} % of the time over this span (longest gap "
                f"{stats['longest_gap_s'] / 3600.0:.1f} h)"
            )
            hemisphere = apolune_hemisphere(orbiter)
            if hemisphere is not None and hemisphere != side:
                notes.append(
                    f"HEMISPHERE: orbiter {orbiter.name!r} has its apolune over the {hemisphere} hemisphere but site "
                    f"{site.name!r} ({where}) is in the {side}: {seen}. For a {side}-pole site put its apolune "
                    f"over the {side}: {hemisphere_fix(orbiter, side)}. The defaults (family L2-south, "
                    "apolune_over: south) serve the south pole."
                )
            elif fraction < LOW_POLAR_COVERAGE and orbiter.name not in impacted:
                notes.append(
                    f"LOW POLAR COVERAGE: orbiter {orbiter.name!r} covers polar site {site.name!r} ({where}) less "
                    f"than {100.0 * LOW_POLAR_COVERAGE:g} % of the time: {seen}. A relay for a {side}-pole base "
                    f"dwells at apolune over it: an NRHO with family: L2-{side} (CLI --orbiter nrho:9:2:L2-{side}) "
                    f"or a frozen orbit with apolune_over: {side} (CLI --orbiter frozen:200:16000:62.5:270:{side})."
                )
    return notes
