"""What a set of orbiters sees over a period: site links (terrain horizon), Earth links, eclipses."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from skyfield.timelib import Time

from lunarops.checks import is_real_number
from lunarops.constants import (
    EARTH_EQUATORIAL_RADIUS_M,
    GM_MOON_M3_PER_S2,
    KERNEL_FIRST_UTC,
    KERNEL_LAST_UTC,
    MOON_RADIUS_M,
    SUN_RADIUS_M,
)
from lunarops.errors import InputError
from lunarops.orbits.eclipse import EclipseEvent, EclipseTimeline, eclipse_timeline
from lunarops.orbits.ephemeris_model import EphemerisModel
from lunarops.orbits.functions import FloatArray, require_real, shadow_by_body
from lunarops.orbits.hemisphere import polar_coverage_notes
from lunarops.orbits.perilune import PeriluneScan, perilune_scans, station_keeping_note
from lunarops.orbits.tracks import KeplerOrbiter, NrhoOrbiter, Orbiter, Track, nrho_positions_j2000_m, orbiter_tracks
from lunarops.orbits.visibility import Horizon, LinkTimeline, orbiter_sees_earth, site_sees_orbiter
from lunarops.sky.functions import site_position_me_m
from lunarops.timescale import half_open_count

MAX_SAMPLES = 2_000_000
RELAY_NAME = "relayed to Earth by any orbiter"
"""The ``orbiter`` column of a site's relay-path row in ``CoverageResult.coverage_rows``."""

PHASE_GRID_STEP = 0.05
"""Step of the NRHO phases scanned for Earth eclipses (fraction of a period past apolune at the start)."""
PHASE_SCAN_MAX_SAMPLES = 20_000_000
"""Track positions one orbiter's phase scan may evaluate (phases x samples near the Earth's shadow; a year at 60 s
takes about 1 s here); past it the scan is dropped."""

_HEIGHT_NOT_GIVEN: float = float("nan")  # SurfaceSite's default height_m; told apart from a user's NaN by identity
HEIGHT_MISMATCH_TOL_M = 1.0
"""Largest difference [m] between SurfaceSite.height_m and its horizon mask's observer_height_m."""


@dataclass(frozen=True)
class SurfaceSite:
    """A surface terminal: position on the 1737.4 km sphere, observer height [m], optional terrain mask.

    ``height_m``: the observer's height above the 1737.4 km sphere (ground + mast), where link elevations are
    computed from. Not given: the ``horizon`` mask's ``observer_height_m`` (the observer the mask belongs to), or
    0.0 without a mask. Given with a mask, it must match the mask's observer height within 1 m (InputError
    otherwise). ``horizon``: a ``lunarops.terrain.HorizonMask`` (``lunarops.terrain.horizon_at_site``) or None
    (the smooth sphere's horizon).
    """

    name: str
    latitude_deg: float
    longitude_deg: float
    height_m: float = _HEIGHT_NOT_GIVEN
    horizon: Horizon | None = None

    def __repr__(self) -> str:
        mask = "None"
        if self.horizon is not None:
            n = np.size(getattr(self.horizon, "azimuth_rad", ()))
            mask = f"{type(self.horizon).__name__}(n_azimuth={n})"
        return (
            f"SurfaceSite(name={self.name!r}, lat={self.latitude_deg!r} deg, lon={self.longitude_deg!r} deg, "
            f"height_m={self.height_m!r}, horizon={mask})"
        )

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InputError(f"site name must be a non-empty string, got {self.name!r}; give e.g. 'shackleton'")
        self._check_horizon()
        require_real(f"site {self.name!r}: latitude_deg", self.latitude_deg, "in -90..90")
        require_real(f"site {self.name!r}: longitude_deg", self.longitude_deg, "east longitude in deg")
        require_real(f"site {self.name!r}: height_m", self.height_m, "height above the 1737.4 km sphere in m")
        if not -90.0 <= self.latitude_deg <= 90.0 or not math.isfinite(self.longitude_deg):
            raise InputError(
                f"site {self.name!r}: latitude {self.latitude_deg} deg / longitude {self.longitude_deg} deg "
                "is not on the Moon; give a latitude in -90..90 and a finite longitude"
            )
        if not (math.isfinite(self.height_m) and -20_000.0 <= self.height_m <= 1.0e6):
            raise InputError(
                f"site {self.name!r}: height {self.height_m} m (--height-m) must be in [-20000, 1e6] m, like the sky's"
            )

    def _check_horizon(self) -> None:
        """Refuse a horizon that is not a HorizonMask; take or check the mask's observer height."""
        if self.horizon is None:
            if self.height_m is _HEIGHT_NOT_GIVEN:
                object.__setattr__(self, "height_m", 0.0)
            return
        from lunarops.terrain.horizon import HorizonMask

        if not isinstance(self.horizon, HorizonMask):
            raise InputError(
                f"site {self.name!r}: horizon is a {type(self.horizon).__module__}.{type(self.horizon).__qualname__}, "
                "not a lunarops.terrain.HorizonMask; compute one with lunarops.terrain.horizon_at_site(dem, lat, lon, "
                "height_above_ground_m=...) or give horizon=None for the smooth sphere's horizon"
            )
        observer = float(self.horizon.observer_height_m)
        if self.height_m is _HEIGHT_NOT_GIVEN:
            if not math.isfinite(observer):
                raise InputError(
                    f"site {self.name!r}: the horizon mask has no observer_height_m ({observer}); give height_m "
                    "(the observer's height above the 1737.4 km sphere, ground + mast) [m]"
                )
            object.__setattr__(self, "height_m", observer)
        elif (
            is_real_number(self.height_m)
            and math.isfinite(observer)
            and abs(float(self.height_m) - observer) > HEIGHT_MISMATCH_TOL_M
        ):
            raise InputError(
                f"site {self.name!r}: height_m = {self.height_m} m differs from the horizon mask's observer_height_m "
                f"= {observer:.3f} m by more than {HEIGHT_MISMATCH_TOL_M:g} m; link elevations must come from the "
                "observer the mask belongs to: leave height_m out (it defaults to the mask's) or recompute the mask "
                "with lunarops.terrain.horizon_at_site for that height"
            )


@dataclass(frozen=True)
class OrbiterImpact:
    """Where an orbiter first goes below the lunar surface (radius < 1737.4 km, the Moon's mean radius, IAU/NAIF).

    ``impact_s``: the crossing time from the perilune search between samples (``perilune.PeriluneScan``), None
    when only the grid found it (``find_impact``); ``first_below_s``: the first grid sample at or after the impact,
    from which the orbiter counts as gone (its track, propagated on through the Moon, may be above the sphere
    there when the grid missed a grazing pass)."""

    orbiter: str
    first_below_s: float  # first sample from which it is gone [s since the epoch]
    last_above_s: float | None  # the sample before it (None: gone from the first sample)
    altitude_km: float  # track altitude at first_below_s
    lowest_altitude_km: float  # lowest altitude of the track afterwards
    impact_s: float | None = None  # crossing time [s since the epoch] (perilune search), None: grid only

    @property
    def gone_s(self) -> float:
        """When the orbiter hits the Moon [s]: the crossing time when known, else the first sample below."""
        return self.first_below_s if self.impact_s is None else self.impact_s

    def record(self, epoch_utc: datetime) -> dict[str, float | str | None]:
        """JSON-able description: times as UTC ISO strings and days since the epoch."""
        last = None if self.last_above_s is None else _iso(epoch_utc + timedelta(seconds=self.last_above_s))
        return {
            "orbiter": self.orbiter,
            "impact_utc": _iso(epoch_utc + timedelta(seconds=self.gone_s)),
            "impact_day": self.gone_s / 86400.0,
            "impact_found": "between samples (perilune search)" if self.impact_s is not None else "on the grid",
            "last_above_surface_utc": last,
            "altitude_km_at_impact_sample": self.altitude_km,
            "lowest_altitude_km": self.lowest_altitude_km,
        }

    def note(self, epoch_utc: datetime) -> str:
        """A sentence for reports: the orbiter, the impact date and the altitude."""
        rec = self.record(epoch_utc)
        if self.impact_s is not None:
            first = _iso(epoch_utc + timedelta(seconds=self.first_below_s))
            how = (
                f"the crossing of the 1737.4 km sphere found by a search of the radius between samples; the grid's "
                f"next sample, {first}, has the track {self.altitude_km:.2f} km up"
            )
        else:
            between = (
                f"between {rec['last_above_surface_utc']} and {rec['impact_utc']}"
                if rec["last_above_surface_utc"] is not None
                else f"before {rec['impact_utc']}"
            )
            how = (
                f"altitude {self.altitude_km:.2f} km at that sample, {self.lowest_altitude_km:.2f} km at the lowest: "
                f"it has impacted {between} (the coverage step)"
            )
        return (
            f"IMPACT: orbiter {self.orbiter!r} goes below the lunar surface (radius < 1737.4 km, the Moon's mean "
            f"radius) at {rec['impact_utc']} (day {self.gone_s / 86400.0:.2f}; {how}). It is counted as gone from "
            "then on: no site, Earth or relay visibility after it; its radii and eclipses after that time are not "
            "physical."
        )


def impact_from_scan(name: str, seconds: FloatArray, position_m: FloatArray, impact_s: float) -> OrbiterImpact:
    """The OrbiterImpact of a crossing at ``impact_s`` [s] found between samples, placed on the grid: gone from
    the first sample at or after it."""
    radius = np.linalg.norm(np.asarray(position_m, dtype=float), axis=0)
    k = int(np.searchsorted(seconds, impact_s, side="left"))
    if k >= seconds.size:  # after the last sample (inside its step)
        return OrbiterImpact(name, impact_s, float(seconds[-1]), 0.0, 0.0, impact_s)
    return OrbiterImpact(
        orbiter=name,
        first_below_s=float(seconds[k]),
        last_above_s=float(seconds[k - 1]) if k > 0 else None,
        altitude_km=float((radius[k] - MOON_RADIUS_M) / 1e3),
        lowest_altitude_km=float((radius[k:].min() - MOON_RADIUS_M) / 1e3),
        impact_s=impact_s,
    )


def find_impact(name: str, seconds: FloatArray, position_m: FloatArray) -> OrbiterImpact | None:
    """The first sample of a track (3, N) [m, Moon-centred] below the 1737.4 km sphere, or None."""
    radius = np.linalg.norm(np.asarray(position_m, dtype=float), axis=0)
    below = np.flatnonzero(radius < MOON_RADIUS_M)
    if not below.size:
        return None
    k = int(below[0])
    return OrbiterImpact(
        orbiter=name,
        first_below_s=float(seconds[k]),
        last_above_s=float(seconds[k - 1]) if k > 0 else None,
        altitude_km=float((radius[k] - MOON_RADIUS_M) / 1e3),
        lowest_altitude_km=float((radius[k:].min() - MOON_RADIUS_M) / 1e3),
    )


PERILUNE_MISS_TOL_KM = 1.0
"""Sampling error of the perilune [km] that ``perilune_sampling_step_s`` sizes a step for."""


def perilune_sampling_miss_km(perilune_radius_m: float, semi_major_axis_m: float, step_s: float) -> float:
    """How far [km] above the true perilune the lowest sample of a step_s grid can lie (two-body estimate).

    Near perilune r(t) = r_p + (GM e / r_p^2) t^2 / 2 (the radial acceleration v_p^2/r_p - GM/r_p^2 with
    v_p^2 = GM (1 + e) / r_p); the nearest sample is at most step_s / 2 away, so the miss is at most
    GM e step_s^2 / (8 r_p^2), e = 1 - r_p / a. 0.47 km for 200 x 16,000 km at 60 s, 47 km at 600 s; past
    about a tenth of the period the parabola no longer holds and the miss is larger still (up to r_a - r_p)."""
    e = max(0.0, 1.0 - perilune_radius_m / semi_major_axis_m)
    return GM_MOON_M3_PER_S2 * e * step_s**2 / (8.0 * perilune_radius_m**2) / 1e3


def perilune_sampling_step_s(perilune_radius_m: float, semi_major_axis_m: float) -> float:
    """The step [s] at which ``perilune_sampling_miss_km`` is PERILUNE_MISS_TOL_KM (1 km)."""
    e = max(1.0 - perilune_radius_m / semi_major_axis_m, 1e-9)
    return math.sqrt(8.0 * perilune_radius_m**2 * PERILUNE_MISS_TOL_KM * 1e3 / (GM_MOON_M3_PER_S2 * e))


def missed_impact_notes(
    orbiters: Sequence[Orbiter],
    tracks: Sequence[Track],
    step_s: float,
    impacts: dict[str, OrbiterImpact],
    perilunes: dict[str, PeriluneScan] | None = None,
) -> list[str]:
    """SAMPLING notes for Keplerian orbiters with no impact whose lowest sample is closer to the 1737.4 km sphere
    plus the highest terrain (10.8 km) than the perilune can hide between samples. With ``perilunes`` (the
    search between samples, which finds any impact) the note gives the true lowest perilune; without, it says
    the orbiter may hit the Moon between samples."""
    from lunarops.orbits.kepler import HIGHEST_TERRAIN_KM

    by_name = {track.name: track for track in tracks}
    notes = []
    for orbiter in orbiters:
        if not isinstance(orbiter, KeplerOrbiter) or orbiter.name in impacts:
            continue
        r_min_m = float(np.linalg.norm(by_name[orbiter.name].position_j2000_m, axis=0).min())
        a_m = orbiter.orbit.semi_major_axis_m
        # past the parabola's range the bound is the whole apse-to-apse span
        miss_km = min(perilune_sampling_miss_km(r_min_m, a_m, step_s), (2.0 * a_m - 2.0 * r_min_m) / 1e3)
        alt_km = (r_min_m - MOON_RADIUS_M) / 1e3
        if alt_km - miss_km > HIGHEST_TERRAIN_KM:
            continue
        scan = (perilunes or {}).get(orbiter.name)
        if scan is not None:
            notes.append(
                f"SAMPLING: orbiter {orbiter.name!r} comes down to {alt_km:.1f} km above the 1737.4 km sphere at its "
                f"lowest sample, but at step {step_s:g} s a perilune can fall up to about {miss_km:,.0f} km below the "
                f"lowest sample (two-body estimate): the search between samples finds its lowest perilune "
                f"{scan.lowest_altitude_km:.1f} km up, and no impact within the coverage span. Radii (min_radius_km), "
                "links and eclipses come from the samples; rerun with a step of "
                f"{perilune_sampling_step_s(r_min_m, a_m):.0f} s or less "
                "(a perilune missed by at most 1 km) to resolve the perilune passes."
            )
            continue
        notes.append(
            f"SAMPLING: orbiter {orbiter.name!r} comes down to {alt_km:.1f} km above the 1737.4 km sphere at its "
            f"lowest sample, but at step {step_s:g} s a perilune can fall up to about {miss_km:,.0f} km below the "
            f"lowest sample (two-body estimate; the highest terrain is {HIGHEST_TERRAIN_KM:g} km): it may hit the "
            "Moon between samples, which this grid cannot show (no IMPACT is reported); rerun with a step of "
            f"{perilune_sampling_step_s(r_min_m, a_m):.0f} s or less (a perilune missed by at most 1 km)."
        )
    return notes


@dataclass(frozen=True)
class PhaseScan:
    """Earth-shadow hours of an NRHO orbiter at each phase of a grid over the coverage period (eclipse geometry
    only: the same track placement and conical shadow as the coverage, penumbra included)."""

    orbiter: str
    resonance: str
    family: str
    phase: float  # the orbiter's own phase
    phases: tuple[float, ...]
    earth_shadow_hours: tuple[float, ...]  # per phase
    elapsed_s: float

    def free_phases(self) -> list[float]:
        """The scanned phases with no sample in the Earth's shadow over the period."""
        return [p for p, h in zip(self.phases, self.earth_shadow_hours, strict=True) if h == 0.0]

    def safest_free_phase(self) -> float | None:
        """The middle of the widest run of consecutive eclipse-free phases on the (cyclic) grid: a phase next to a
        shadowed one may meet the shadow with a slightly different start or model."""
        free = [h == 0.0 for h in self.earth_shadow_hours]
        n = len(free)
        if not any(free):
            return None
        if all(free):
            return self.phases[0]
        start = next(i for i in range(n) if not free[i])  # walk from a shadowed phase so runs do not wrap
        best: tuple[int, int] = (0, 0)  # (length, first index)
        length = 0
        for k in range(1, n + 1):
            i = (start + k) % n
            if free[i]:
                length += 1
                if length > best[0]:
                    best = (length, (i - length + 1) % n)
            else:
                length = 0
        return self.phases[(best[1] + (best[0] - 1) // 2) % n]

    def record(self) -> dict[str, object]:
        """JSON-able: the grid, the Earth-shadow hours per phase and the eclipse-free phases."""
        return {
            "orbiter": self.orbiter,
            "phase": self.phase,
            "phases": list(self.phases),
            "earth_shadow_hours": list(self.earth_shadow_hours),
            "earth_eclipse_free_phases": self.free_phases(),
            "safest_free_phase": self.safest_free_phase(),
        }


def _range_km(link: LinkTimeline) -> dict[str, float]:
    """The least and greatest range [km] of a link while it is up (site to orbiter; a relay path: to the
    nearest relay), NaN when it is never up or carries no ranges."""
    if link.range_m is None or not np.any(link.visible):
        return {"min_range_km": math.nan, "max_range_km": math.nan}
    up = np.asarray(link.range_m)[np.asarray(link.visible, dtype=bool)] / 1e3
    return {"min_range_km": float(np.min(up)), "max_range_km": float(np.max(up))}


def _trunk_range_km(link: LinkTimeline, earth_range_m: FloatArray) -> dict[str, float]:
    """A relay path's trunk: the least and greatest distance [km] from the relaying orbiter to the Earth's centre
    while the path is up (NaN when it never is)."""
    up = np.asarray(link.visible, dtype=bool)
    if not up.any():
        return {"min_trunk_range_km": math.nan, "max_trunk_range_km": math.nan}
    km = np.asarray(earth_range_m)[up] / 1e3
    return {"min_trunk_range_km": float(np.min(km)), "max_trunk_range_km": float(np.max(km))}


@dataclass(frozen=True)
class CoverageResult:
    """Tracks, links and eclipses of the orbiters over one grid."""

    epoch_utc: datetime
    seconds: FloatArray
    tracks: tuple[Track, ...]
    site_links: dict[tuple[str, str], LinkTimeline]  # (site, orbiter)
    earth_links: dict[str, LinkTimeline]  # orbiter
    eclipses: dict[str, EclipseTimeline]  # orbiter
    relay_links: dict[str, LinkTimeline]  # site: some orbiter sees the site and the Earth at once
    interpolation_error_m: float = 0.0
    notes: list[str] = field(default_factory=list)
    impacts: dict[str, OrbiterImpact] = field(default_factory=dict)  # orbiter: first sample below the surface
    phase_scans: dict[str, PhaseScan] = field(default_factory=dict)  # NRHO orbiter in the Earth's shadow: phases
    # site: the Earth-centre distance [m] of the relay path's orbiter (the nearest relaying one; NaN: none relays)
    relay_earth_range_m: dict[str, FloatArray] = field(default_factory=dict)
    # site: per orbiter (rows in ``tracks`` order) x step, its range to the site and its Earth-centre distance [m],
    # NaN where that orbiter does not relay (does not see both the site and the Earth)
    relay_orbiter_range_m: dict[str, FloatArray] = field(default_factory=dict)
    relay_orbiter_earth_range_m: dict[str, FloatArray] = field(default_factory=dict)
    # orbiter: its perilunes over the span, searched between samples (lowest, impact)
    perilunes: dict[str, PeriluneScan] = field(default_factory=dict)

    def links(self) -> list[tuple[str, str, LinkTimeline]]:
        """(site, orbiter, link) of every site -> orbiter link and of each site's relay path, as coverage_rows."""
        relays = [(site, RELAY_NAME, link) for site, link in self.relay_links.items()]
        return [*((site, orbiter, link) for (site, orbiter), link in self.site_links.items()), *relays]

    def window_records(self, max_per_link: int | None = None) -> list[dict[str, object]]:
        """Per link: its line-of-sight windows (start/end UTC, hours) and its longest gap (start/end UTC, hours).

        ``max_per_link``: list at most that many windows per link (the first ones; ``n_windows`` gives the
        count, ``windows_listed`` how many are listed). Windows and gaps are time spans on the grid (each sample
        stands for one step), clipped to the period's end."""
        records: list[dict[str, object]] = []
        for site, orbiter, link in self.links():
            spans = link.window_spans_s()
            listed = spans if max_per_link is None else spans[:max_per_link]
            gaps = link.gap_spans_s()
            longest: dict[str, object] | None = None
            if gaps.size:
                g = int(np.argmax(gaps[:, 1] - gaps[:, 0]))
                longest = self._span_record(gaps[g])
            records.append(
                {
                    "site": site,
                    "orbiter": orbiter,
                    "n_windows": int(spans.shape[0]),
                    "windows_listed": int(listed.shape[0]),
                    "windows": [self._span_record(w) for w in listed],
                    "longest_gap": longest,
                }
            )
        return records

    def _span_record(self, span: FloatArray) -> dict[str, object]:
        return {
            "start_utc": _iso(self.epoch_utc + timedelta(seconds=float(span[0]))),
            "end_utc": _iso(self.epoch_utc + timedelta(seconds=float(span[1]))),
            "hours": float(span[1] - span[0]) / 3600.0,
        }

    def coverage_rows(self) -> list[dict[str, float | int | str]]:
        """One row per (site, orbiter) and per site relay: fraction visible, longest gap [h], windows (int), the
        range while up [km]; a relay row also its trunk's (relaying orbiter to the Earth's centre) range [km]."""
        rows: list[dict[str, float | int | str]] = []
        for site, orbiter, link in self.links():
            stats = link.statistics()
            trunk = self.relay_earth_range_m.get(site) if orbiter == RELAY_NAME else None
            rows.append(
                {
                    "site": site,
                    "orbiter": orbiter,
                    "fraction_visible": stats["fraction_visible"],
                    "longest_gap_hours": stats["longest_gap_s"] / 3600.0,
                    "n_windows": int(stats["n_windows"]),
                    "mean_window_hours": stats["mean_window_s"] / 3600.0,
                    **_range_km(link),
                    **({} if trunk is None else _trunk_range_km(link, trunk)),
                }
            )
        return rows

    def eclipse_records(self) -> list[dict[str, object]]:
        """Every eclipse of every orbiter: orbiter, body (earth/moon), kind (umbra/penumbra), start/end UTC, hours.

        Spans on the grid as the windows' (each sample stands for one step, clipped to the period's end); an
        orbiter's eclipses after its impact are left out (not physical)."""
        records: list[dict[str, object]] = []
        end_s = float(self.seconds[-1] + (self.seconds[1] - self.seconds[0])) if self.seconds.size > 1 else 0.0
        for name, timeline in self.eclipses.items():
            step = float(timeline.seconds[1] - timeline.seconds[0]) if timeline.seconds.size > 1 else 0.0
            impact = self.impacts.get(name)
            for event in timeline.events:
                if impact is not None and event.start_s >= impact.gone_s:
                    continue
                span = np.array([event.start_s, min(event.end_s + step, end_s) if end_s else event.end_s + step])
                records.append({
                    "orbiter": name, "body": event.body, "kind": event.kind, **self._span_record(span),
                    "umbra_hours": event.umbra_s / 3600.0,
                })
        return records

    def _impact_utc(self, orbiter: str) -> str:
        impact = self.impacts.get(orbiter)
        return "none" if impact is None else _iso(self.epoch_utc + timedelta(seconds=impact.gone_s))

    def _lowest(self, orbiter: str) -> dict[str, float | str]:
        scan = self.perilunes.get(orbiter)
        if scan is None:
            return {"lowest_perilune_alt_km": math.nan, "lowest_perilune_utc": "n/a"}
        when = _iso(self.epoch_utc + timedelta(seconds=scan.lowest_s))
        return {"lowest_perilune_alt_km": scan.lowest_altitude_km, "lowest_perilune_utc": when}

    def orbiter_rows(self) -> list[dict[str, float | int | str]]:
        """One row per orbiter: Earth visibility and eclipses (n_eclipses an int)."""
        rows: list[dict[str, float | int | str]] = []
        for track in self.tracks:
            earth = self.earth_links[track.name].statistics()
            ecl = self.eclipses[track.name].summary()
            radius = np.linalg.norm(track.position_j2000_m, axis=0)
            rows.append(
                {
                    "orbiter": track.name,
                    "min_radius_km": float(radius.min() / 1e3),
                    "max_radius_km": float(radius.max() / 1e3),
                    **self._lowest(track.name),
                    "earth_visible_fraction": earth["fraction_visible"],
                    "earth_longest_gap_hours": earth["longest_gap_s"] / 3600.0,
                    "sunlit_fraction": ecl["sunlit_fraction"],
                    "umbra_hours": ecl["umbra_hours"],
                    "shadow_hours": ecl["shadow_hours"],
                    "longest_eclipse_hours": ecl["longest_eclipse_hours"],
                    "n_eclipses": int(ecl["n_eclipses"]),
                    "n_earth_eclipses": int(ecl["n_earth_eclipses"]),
                    "longest_earth_eclipse_hours": ecl["longest_earth_eclipse_hours"],
                    "n_moon_eclipses": int(ecl["n_moon_eclipses"]),
                    "longest_moon_eclipse_hours": ecl["longest_moon_eclipse_hours"],
                    "impact_utc": self._impact_utc(track.name),
                }
            )
        return rows


def compute_coverage(
    sites: Sequence[SurfaceSite],
    orbiters: Sequence[Orbiter],
    start: Time,
    duration_s: float,
    step_s: float = 60.0,
    min_elevation_deg: float | None = None,
    progress: Callable[[float, str], None] | None = None,
    ephemeris: object = None,
    lunar_gravity: str = "degree2",
) -> CoverageResult:
    """Propagate the orbiters from ``start`` over ``duration_s`` [s] on a ``step_s`` grid; evaluate links.

    Samples ``start + k step_s`` before ``start + duration_s`` (half-open: each sample stands for one step).

    ``lunar_gravity``: "point" (point-mass Moon) or "degree2" (adds J2 and C22) for the Keplerian orbiters.
    ``sites``: a list of SurfaceSite (may be empty); ``orbiters``: a list of NrhoOrbiter/KeplerOrbiter; ``start``:
    one skyfield Time (``lunarops.timescale.parse_utc``). InputError for anything else.
    """
    _check_start(start)
    _check_sites(sites)
    _check_orbiters(orbiters)
    require_real("step_s", step_s, "e.g. 60")
    require_real("duration_s", duration_s, "e.g. 86400 for a day")
    if min_elevation_deg is not None:
        require_real("min_elevation_deg (--min-elevation-deg)", min_elevation_deg, "or omit it")
    if lunar_gravity not in ("point", "degree2"):
        raise InputError(f"lunar_gravity = {lunar_gravity!r}; choose 'point' or 'degree2'")
    if not orbiters:
        raise InputError("coverage needs at least one orbiter; add one (e.g. --orbiter nrho:9:2)")
    names = [o.name for o in orbiters]
    if len(set(names)) != len(names):
        raise InputError(f"orbiter names must be unique, got {names}; rename them")
    if not (math.isfinite(step_s) and step_s > 0):
        raise InputError(f"step_s must be a positive number of seconds, got {step_s}")
    if min_elevation_deg is not None and not (math.isfinite(min_elevation_deg) and -90 <= min_elevation_deg < 90):
        raise InputError(
            f"min_elevation_deg (--min-elevation-deg) = {min_elevation_deg} must be in [-90, 90) deg; omit it to use "
            "the terrain horizon (without a terrain mask: the smooth sphere's horizon, which dips below 0 deg by "
            "the observer's height)"
        )
    if not (math.isfinite(duration_s) and duration_s >= step_s):
        raise InputError(
            f"duration_s = {duration_s} must be at least one step ({step_s} s); it is in seconds: 7 days is "
            "7 * 86400"
        )
    _check_span(start, duration_s)
    n = half_open_count(duration_s, step_s)  # half-open [start, start + duration), as the run's other stages
    if n > MAX_SAMPLES:
        raise InputError(f"{n:,} samples exceed {MAX_SAMPLES:,}; raise step_s or shorten the duration")
    seconds = np.asarray(np.arange(n) * float(step_s), dtype=np.float64)
    report = progress or (lambda fraction, message: None)
    for orbiter in orbiters:  # NRHO/halo orbits first: an unreachable or subsurface one fails before the ephemerides
        if isinstance(orbiter, NrhoOrbiter):
            orbiter.orbit()
    report(0.0, "fitting Earth and Sun ephemerides")
    model = EphemerisModel(
        start, float(seconds[-1]) + step_s, ephemeris=ephemeris, harmonics=lunar_gravity == "degree2"
    )
    tracks = orbiter_tracks(orbiters, model, seconds, lambda f, m: report(0.05 + 0.6 * f, m))
    times = model.times(seconds)
    end_s = float(duration_s)
    # every perilune between the samples (heyoka events): the lowest, and any impact the grid would miss
    report(0.65, "perilunes between samples")
    perilunes = perilune_scans(orbiters, model, float(duration_s))
    impacts = {}
    for track in tracks:
        impact = find_impact(track.name, seconds, track.position_j2000_m)
        crossing_s = perilunes[track.name].impact_s
        if crossing_s is not None and (impact is None or crossing_s <= impact.first_below_s):
            impact = impact_from_scan(track.name, seconds, track.position_j2000_m, crossing_s)
        if impact is not None:
            impacts[track.name] = impact
    sun = model.ephemeris.position_wrt_moon_j2000_m("sun", times)
    earth = model.ephemeris.position_wrt_moon_j2000_m("earth", times)
    report(0.7, "links and eclipses")
    site_links: dict[tuple[str, str], LinkTimeline] = {}
    earth_links: dict[str, LinkTimeline] = {}
    eclipses: dict[str, EclipseTimeline] = {}
    for track in tracks:
        # an orbiter that has impacted is gone: no link from its first sample below the surface on
        alive = seconds < impacts[track.name].gone_s if track.name in impacts else np.ones(seconds.size, bool)
        earth_links[track.name] = LinkTimeline(
            f"{track.name} -> Earth", seconds, orbiter_sees_earth(track.position_j2000_m, earth) & alive, None, end_s
        )
        eclipses[track.name] = eclipse_timeline(seconds, track.position_j2000_m, sun, earth)
        for site in sites:
            visible, _, elevation = site_sees_orbiter(
                track.position_me_m, site.latitude_deg, site.longitude_deg, site.height_m, site.horizon,
                min_elevation_deg,
            )
            where = site_position_me_m(
                math.radians(site.latitude_deg), math.radians(site.longitude_deg), site.height_m
            )
            distance = np.linalg.norm(track.position_me_m - where[:, None], axis=0)
            site_links[(site.name, track.name)] = LinkTimeline(
                f"{site.name} -> {track.name}", seconds, visible & alive, elevation, end_s, distance
            )
    relay_links = {}
    relay_earth_range_m: dict[str, FloatArray] = {}
    relay_orbiter_range_m: dict[str, FloatArray] = {}
    relay_orbiter_earth_range_m: dict[str, FloatArray] = {}
    # each orbiter's distance to the Earth's centre (the relay's own link to Earth) [m]
    earth_range_m = {track.name: np.linalg.norm(earth - track.position_j2000_m, axis=0) for track in tracks}
    for site in sites:
        relay = np.zeros(seconds.size, dtype=bool)
        nearest = np.full(seconds.size, np.inf)
        nearest_earth = np.full(seconds.size, np.nan)
        each_range = np.full((len(tracks), seconds.size), np.nan)
        each_earth = np.full((len(tracks), seconds.size), np.nan)
        for k, track in enumerate(tracks):
            link = site_links[(site.name, track.name)]
            relays = link.visible & earth_links[track.name].visible
            each_range[k, relays] = np.asarray(link.range_m)[relays]
            each_earth[k, relays] = earth_range_m[track.name][relays]
            relay |= relays
            closer = relays & (link.range_m < nearest)
            nearest_earth = np.where(closer, earth_range_m[track.name], nearest_earth)
            nearest = np.where(relays, np.minimum(nearest, link.range_m), nearest)  # type: ignore[arg-type]
        nearest[~relay] = np.nan
        relay_links[site.name] = LinkTimeline(f"{site.name} -> relay -> Earth", seconds, relay, None, end_s, nearest)
        relay_earth_range_m[site.name] = nearest_earth
        relay_orbiter_range_m[site.name] = each_range
        relay_orbiter_earth_range_m[site.name] = each_earth
    epoch = start.utc_datetime()
    notes = [impact.note(epoch) for impact in impacts.values()]
    notes += missed_impact_notes(orbiters, tracks, float(step_s), impacts, perilunes)
    notes += [  # an impact has its own note
        note
        for o in orbiters
        if o.name not in impacts and (note := station_keeping_note(o, perilunes[o.name], _iso(epoch))) is not None
    ]
    # an orbiter whose apolune is over the other hemisphere than a polar site it serves (or that covers it < 10 %)
    notes += polar_coverage_notes(sites, orbiters, site_links, tuple(impacts))
    scans: dict[str, PhaseScan] = {}
    for orbiter in orbiters:
        timeline = eclipses[orbiter.name]
        impact = impacts.get(orbiter.name)
        earth_events = [
            e for e in timeline.events if e.body == "earth" and (impact is None or e.start_s < impact.gone_s)
        ]
        if not earth_events:
            continue
        scan = None
        if isinstance(orbiter, NrhoOrbiter):
            report(0.9, f"phases of {orbiter.name} free of Earth eclipses")
            earth_v = model.ephemeris.velocity_wrt_moon_j2000_m_per_s("earth", times)
            scan = scan_nrho_phases(orbiter, seconds, sun, earth, earth_v)
            if scan is not None:
                scans[orbiter.name] = scan
        notes.append(earth_eclipse_note(orbiter, earth_events, seconds, epoch, duration_s, scan))
    report(1.0, "done")
    return CoverageResult(
        epoch_utc=epoch,
        seconds=seconds,
        tracks=tuple(tracks),
        site_links=site_links,
        earth_links=earth_links,
        eclipses=eclipses,
        relay_links=relay_links,
        relay_earth_range_m=relay_earth_range_m,
        relay_orbiter_range_m=relay_orbiter_range_m,
        relay_orbiter_earth_range_m=relay_orbiter_earth_range_m,
        interpolation_error_m=model.interpolation_error_m,
        notes=notes,
        impacts=impacts,
        phase_scans=scans,
        perilunes=perilunes,
    )


def scan_nrho_phases(
    orbiter: NrhoOrbiter,
    seconds: FloatArray,
    sun_m: FloatArray,
    earth_m: FloatArray,
    earth_m_per_s: FloatArray,
    step: float = PHASE_GRID_STEP,
    max_samples: int = PHASE_SCAN_MAX_SAMPLES,
) -> PhaseScan | None:
    """Hours in the Earth's shadow of ``orbiter`` at each phase 0, step, 2 step, ... < 1 over ``seconds``.

    Eclipse geometry only, on the samples where the Earth's shadow can reach the orbit at all (the Moon within
    the penumbra's radius plus the orbit's largest radius of the anti-Sun axis behind the Earth: an NRHO only
    meets the Earth's shadow near a lunar eclipse). None when that would take more than ``max_samples`` track
    positions (a count, not a time: the result must not depend on the machine's speed)."""
    began = time.perf_counter()
    orbit = orbiter.orbit()
    grid_step = float(seconds[1] - seconds[0]) if seconds.size > 1 else 0.0
    earth_to_moon = -earth_m
    sun_to_earth = earth_m - sun_m
    sun_distance = np.linalg.norm(sun_to_earth, axis=0)
    axis = sun_to_earth / sun_distance
    along = np.sum(earth_to_moon * axis, axis=0)
    across = np.linalg.norm(earth_to_moon - along * axis, axis=0)
    # largest distance of the orbit from the Moon, scaled to the largest instantaneous Earth-Moon distance
    reach = orbit.apolune_radius_m * float(np.linalg.norm(earth_m, axis=0).max()) / orbit.system.length_m * 1.05
    penumbra = EARTH_EQUATORIAL_RADIUS_M + (along + reach) * (SUN_RADIUS_M + EARTH_EQUATORIAL_RADIUS_M) / sun_distance
    near = np.flatnonzero((along + reach > 0.0) & (across < penumbra + reach))
    phases = tuple(round(k * step, 10) for k in range(round(1.0 / step)))
    hours: list[float] = []
    if near.size * len(phases) > max_samples:
        return None
    for phase in phases:
        shadow = 0
        if near.size:
            r = nrho_positions_j2000_m(orbit, phase, seconds[near], earth_m[:, near], earth_m_per_s[:, near])
            _, kind = shadow_by_body(r, sun_m[:, near], earth_m[:, near], SUN_RADIUS_M, EARTH_EQUATORIAL_RADIUS_M)
            shadow = int(np.count_nonzero(kind > 0))
        hours.append(shadow * grid_step / 3600.0)
    return PhaseScan(
        orbiter.name, orbiter.resonance, orbiter.family, float(orbiter.phase), phases, tuple(hours),
        time.perf_counter() - began,
    )


def earth_eclipse_note(
    orbiter: Orbiter,
    earth_events: Sequence[EclipseEvent],
    seconds: FloatArray,
    epoch_utc: datetime,
    duration_s: float,
    scan: PhaseScan | None,
) -> str:
    """A sentence for reports: the orbiter passes through the Earth's shadow (count, longest, date), and for an
    NRHO the phases on the scan's grid that avoid it over the period."""
    step = float(seconds[1] - seconds[0]) if seconds.size > 1 else 0.0
    longest = max(earth_events, key=lambda e: e.duration_s)
    hours = (longest.duration_s + step) / 3600.0
    when = _iso(epoch_utc + timedelta(seconds=longest.start_s))
    text = (
        f"EARTH ECLIPSE: orbiter {orbiter.name!r} passes through the Earth's shadow {len(earth_events)} time(s) in "
        f"the {duration_s / 86400.0:g} d from {_iso(epoch_utc)}; the longest lasts {hours:.2f} h in its shadow "
        f"({longest.umbra_s / 3600.0:.2f} h of it in the umbra, the rest in the penumbra) from {when}."
    )
    if not isinstance(orbiter, NrhoOrbiter):
        return text
    text += (
        " An operational NRHO is phased to avoid the Earth's shadow (the Gateway-class 9:2 NRHO: Zimovan-Spreen, "
        "Howell & Davis 2020, Celest. Mech. Dyn. Astron. 132:28; Whitley & Martinez 2016, IEEE Aerospace). The "
        f"phase is the fraction of a period past apolune at the period's start (now {orbiter.phase:g}), so the "
        "eclipse-free phases change with the start."
    )
    if scan is None:
        return text + (
            f" The phase scan was skipped: it would evaluate over {PHASE_SCAN_MAX_SAMPLES:,} track positions (a "
            "coarser coverage step or a shorter period scans)."
        )
    free = scan.free_phases()
    spec = f"nrho:{scan.resonance}:{scan.family}"
    if free:
        listed = ", ".join(f"{p:.2f}" for p in free)
        return text + (
            f" Phases on a {PHASE_GRID_STEP:g} grid free of Earth eclipses over this period: {listed}. A phase next to "
            "a shadowed one has little margin: the middle of the widest free band is "
            f"{scan.safest_free_phase():.2f} (--orbiter {spec}:{scan.safest_free_phase():.2f}, or a scenario's "
            "orbits.orbiters[].phase)."
        )
    best = int(np.argmin(scan.earth_shadow_hours))
    return text + (
        f" No phase on a {PHASE_GRID_STEP:g} grid avoids the Earth's shadow over this period; the least shadow is at "
        f"phase {scan.phases[best]:.2f} ({scan.earth_shadow_hours[best]:.2f} h): --orbiter {spec}:"
        f"{scan.phases[best]:.2f}."
    )


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_span(start: Time, duration_s: float) -> None:
    """InputError naming start (--start) and duration (--days) unless [start, start + duration] lies in the span
    of the shipped kernels less a day at each end (KERNEL_FIRST_UTC..KERNEL_LAST_UTC): the ephemeris model pads
    the requested span to whole 2-day segments, which that day of margin absorbs."""
    first = start.utc_datetime()
    allowed = f"{_iso(KERNEL_FIRST_UTC)}..{_iso(KERNEL_LAST_UTC)}"
    why = "the shipped ephemeris and lunar orientation kernels' coverage less a day at each end"
    given = (
        f"the coverage span from start = {_iso(first)} (--start) over duration_s = {duration_s:g} s = "
        f"{duration_s / 86400.0:g} d (--days)"
    )
    if not KERNEL_FIRST_UTC <= first <= KERNEL_LAST_UTC:
        raise InputError(f"{given} starts outside {allowed} ({why}); choose a start inside it")
    room_s = (KERNEL_LAST_UTC - first).total_seconds()
    if duration_s > room_s:
        huge = duration_s >= 1e10  # past any datetime arithmetic; the span is 151 years (4.8e9 s)
        end = "far beyond 2050" if huge else "at " + _iso(first + timedelta(seconds=duration_s))
        fixes = []
        if not huge and KERNEL_LAST_UTC - timedelta(seconds=duration_s) >= KERNEL_FIRST_UTC:
            fixes.append(f"start by {_iso(KERNEL_LAST_UTC - timedelta(seconds=duration_s))}")
        if room_s > 0:
            fixes.append(f"shorten the duration to at most {room_s / 86400.0:.4g} d")
        fix = " or ".join(fixes) or "choose a start and duration inside it"
        raise InputError(f"{given} ends {end}, outside {allowed} ({why}); {fix}")


def _check_start(start: object) -> None:
    if not isinstance(start, Time):
        raise InputError(
            f"start must be a skyfield Time, got {start!r} ({type(start).__name__}); convert it with "
            "lunarops.timescale.parse_utc, e.g. parse_utc('2030-01-01T00:00:00Z')"
        )
    if start.shape != ():
        raise InputError(
            f"start must be a single time, got an array of {np.size(start.tt)} times (e.g. from utc_range); "
            "pass one of them, e.g. times[0], or parse_utc('2030-01-01T00:00:00Z')"
        )


def _check_sites(sites: object) -> None:
    if isinstance(sites, SurfaceSite | str) or not isinstance(sites, Sequence):
        raise InputError(
            f"sites must be a list of SurfaceSite, got {type(sites).__name__}; wrap a single site: [site]"
        )
    for k, site in enumerate(sites):
        if not isinstance(site, SurfaceSite):
            raise InputError(
                f"sites[{k}] = {site!r} is a {type(site).__name__}, not a SurfaceSite; build it with "
                "SurfaceSite(name, latitude_deg, longitude_deg)"
            )
    names = [site.name for site in sites]
    if len(set(names)) != len(names):
        raise InputError(f"site names must be unique (results are keyed by name), got {names}; rename them")


def _check_orbiters(orbiters: object) -> None:
    if isinstance(orbiters, NrhoOrbiter | KeplerOrbiter | str) or not isinstance(orbiters, Sequence):
        raise InputError(
            f"orbiters must be a list of NrhoOrbiter/KeplerOrbiter, got {type(orbiters).__name__}; wrap a single "
            "orbiter: [orbiter]"
        )
    for k, orbiter in enumerate(orbiters):
        if not isinstance(orbiter, NrhoOrbiter | KeplerOrbiter):
            raise InputError(
                f"orbiters[{k}] = {orbiter!r} is a {type(orbiter).__name__}, not an orbiter; pass "
                "NrhoOrbiter(name, resonance, family, phase) or KeplerOrbiter(name, low_lunar_orbit(...)) objects "
                "(spec strings such as 'nrho:9:2' are for the CLI's --orbiter)"
            )
