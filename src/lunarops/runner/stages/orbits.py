"""The orbits stage of `lunarops run`: the scenario's orbiters, their coverage of the sites, eclipses, transfers."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from lunarops.errors import InputError
from lunarops.orbits.coverage import CoverageResult, SurfaceSite, compute_coverage
from lunarops.orbits.czml import tracks_to_czml
from lunarops.orbits.families import nrho
from lunarops.orbits.kepler import (
    KeplerOrbit,
    frozen_elliptical,
    frozen_inclination_deg,
    frozen_inclination_note,
    low_lunar_orbit,
    terrain_clearance_note,
)
from lunarops.orbits.perilune import PeriluneScan, scan_period, station_keeping_estimate_m_per_s, station_keeping_note
from lunarops.orbits.plots import moon_fixed_figure, rotating_frame_figure, timeline_figure
from lunarops.orbits.tracks import KeplerOrbiter, NrhoOrbiter, Orbiter
from lunarops.orbits.transfers import default_ledger, ledger_records, nrho_llo_estimate
from lunarops.runner.stage import Figure, RunContext, StageResult, Table
from lunarops.timescale import parse_utc


def orbiter_from_spec(spec: Any) -> Orbiter:
    """The orbiter of one ``orbits.orbiters`` entry of a scenario."""
    if spec.kind == "nrho":
        return NrhoOrbiter(spec.name, spec.resonance.replace(" ", ""), spec.family, spec.phase)
    if spec.kind == "frozen":
        orbit = frozen_elliptical(
            spec.periapsis_alt_km,
            spec.apoapsis_alt_km,
            _frozen_inc_deg(spec),
            spec.raan_deg,
            spec.apolune_over,
            spec.mean_anomaly_deg,
            spec.name,
        )
        return KeplerOrbiter(spec.name, orbit)
    if spec.kind == "llo":
        return KeplerOrbiter(spec.name, low_lunar_orbit(spec.alt_km, spec.inc_deg, spec.raan_deg, spec.name))
    return KeplerOrbiter(
        spec.name,
        KeplerOrbit(
            spec.periapsis_alt_km,
            spec.apoapsis_alt_km,
            spec.inc_deg,
            spec.raan_deg,
            spec.argp_deg,
            spec.mean_anomaly_deg,
            spec.name,
            spec.reference_plane,
        ),
    )


def _frozen_inc_deg(spec: Any) -> float:
    """A frozen orbiter's inclination: the spec's inc_deg, or when it is None the frozen inclination of its
    eccentricity (cos^2 i = 3/5 (1 - e^2), Ely 2005) rounded to 0.1 deg, as the CLI's bare frozen:PERI:APO (the
    scenario's default, lunarops.scenario.orbits.FrozenSpec)."""
    if spec.inc_deg is not None:
        return float(spec.inc_deg)
    return round(frozen_inclination_deg(KeplerOrbit(spec.periapsis_alt_km, spec.apoapsis_alt_km).eccentricity), 1)


def _sites(ctx: RunContext) -> list[SurfaceSite]:
    section = ctx.scenario.orbits
    wanted = section.coverage.sites
    by_name = {site.name: site for site in ctx.scenario.sites}
    if wanted is not None:
        unknown = [name for name in wanted if name not in by_name]
        if unknown:
            raise InputError(
                f"orbits.coverage.sites names {unknown}, which are not in sites ({sorted(by_name)}); fix the names"
            )
    chosen = [by_name[name] for name in wanted] if wanted is not None else list(ctx.scenario.sites)
    site_stage = ctx.results.get("site")
    site_products = site_stage.products if site_stage is not None else None
    return [surface_site(site, site_products) for site in chosen]


def surface_site(site: Any, site_products: dict[str, Any] | None) -> SurfaceSite:
    """The coverage terminal of a scenario site: its terrain horizon mask from the site stage's products
    (``site_light[name].horizon``) when present, observer at the mask's height, else ground + mast on the smooth
    sphere."""
    lights = site_products.get("site_light", {}) if site_products is not None else {}
    light = lights.get(site.name) if isinstance(lights, dict) else None
    mask = getattr(light, "horizon", None)
    height = (site.ground_height_m or 0.0) + site.mast_height_m
    observer = getattr(mask, "observer_height_m", float("nan"))
    if mask is not None and np.isfinite(observer):
        height = float(observer)
    return SurfaceSite(site.name, site.latitude_deg, site.longitude_deg, height, mask)


def _horizon_source(ctx: RunContext, site: SurfaceSite) -> str:
    """What a site's link horizon is, for the notes: the site stage's terrain (named) or the smooth sphere."""
    site_stage = ctx.results.get("site")
    lights = site_stage.products.get("site_light", {}) if site_stage is not None else {}
    terrain = getattr(lights.get(site.name), "terrain", "none") if site.horizon is not None else "none"
    if terrain == "none":
        return "smooth sphere (no terrain)"
    return f"terrain mask from the site stage ({terrain} DEM)"


def _dataset(result: CoverageResult) -> xr.Dataset:
    times = np.array(
        [result.epoch_utc.replace(tzinfo=None) + timedelta(seconds=float(s)) for s in result.seconds],
        dtype="datetime64[ns]",
    )
    orbiters = [t.name for t in result.tracks]
    sites = sorted({site for site, _ in result.site_links})
    visible = np.array([[result.site_links[(s, o)].visible for o in orbiters] for s in sites])
    return xr.Dataset(
        {
            "site_visible": (("site", "orbiter", "time"), visible),
            "earth_visible": (("orbiter", "time"), np.array([result.earth_links[o].visible for o in orbiters])),
            "sun_fraction": (("orbiter", "time"), np.array([result.eclipses[o].sun_fraction for o in orbiters])),
            "relay_to_earth": (("site", "time"), np.array([result.relay_links[s].visible for s in sites])),
        },
        coords={"time": times, "orbiter": orbiters, "site": sites},
    )


def _perilune_rows(
    scans: dict[str, PeriluneScan], orbiters: list[Orbiter], epoch: datetime, notes: list[str]
) -> list[dict[str, Any]]:
    """One row per orbiter: its lowest perilune over the whole period (search between samples), whether it needs
    station-keeping and the delta-v estimate (NaN: none needed or none sound); appends the STATION-KEEPING notes.
    Times are naive UTC datetimes at full precision (``impact_utc`` None: no impact)."""
    rows = []
    label = epoch.strftime("%Y-%m-%dT%H:%M:%SZ")
    start = epoch.replace(tzinfo=None)
    for o in orbiters:
        scan = scans[o.name]
        note = station_keeping_note(o, scan, label)
        if note is not None:
            notes.append(note)
        dv = station_keeping_estimate_m_per_s(o, scan)
        rows.append(
            {
                "orbiter": o.name,
                "n_perilunes": int(scan.perilune_s.size),
                "lowest_perilune_alt_km": scan.lowest_altitude_km,
                "lowest_perilune_above_terrain_km": scan.lowest_above_terrain_km,
                "lowest_perilune_utc": start + timedelta(seconds=scan.lowest_s),
                "impact_utc": None if scan.impact_s is None else start + timedelta(seconds=scan.impact_s),
                "needs_station_keeping": note is not None,
                "station_keeping_dv_m_per_s": math.nan if dv is None else dv,
            }
        )
    return rows


def _iso_utc(moment: datetime | None) -> str | None:
    """A naive UTC datetime as ISO 8601 text to the second ("2030-01-03T04:05:06Z"); None stays None."""
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _perilune_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The report's perilune table: times as ISO text, "none" for no impact."""
    frame = pd.DataFrame(rows)
    for column in ("lowest_perilune_utc", "impact_utc"):
        frame[column] = [_iso_utc(row[column]) or "none" for row in rows]
    return frame


def _perilune_dataset(rows: list[dict[str, Any]]) -> xr.Dataset:
    """The perilune rows as a Dataset over one ``row`` dimension (results/orbits-perilunes.parquet), as
    ``logistics.outputs.table_dataset``: times as datetime64[ns] UTC at full precision (NaT: no impact)."""
    frame = pd.DataFrame(rows)
    for column in ("lowest_perilune_utc", "impact_utc"):
        frame[column] = pd.to_datetime(pd.Series([row[column] for row in rows], dtype=object)).astype("datetime64[ns]")
    frame.index.name = "row"
    return xr.Dataset.from_dataframe(frame)


def run_stage(ctx: RunContext) -> StageResult | None:
    """Run the orbits stage; None when the scenario has no section for it."""
    section = ctx.scenario.orbits
    if section is None:
        return None
    ctx.progress(0.0, "orbits: designing orbits")
    orbiters = [orbiter_from_spec(spec) for spec in section.orbiters]
    sites = _sites(ctx)
    start = parse_utc(ctx.scenario.period.start_utc)
    options = section.coverage
    period = ctx.scenario.period
    period_days = (period.end_utc - period.start_utc).total_seconds() / 86400.0
    window_days = min(float(options.duration_days), period_days)  # never past the period's end
    result = compute_coverage(
        sites,
        orbiters,
        start,
        window_days * 86400.0,
        options.step_s,
        options.min_elevation_deg,
        lambda f, m: ctx.progress(0.05 + 0.85 * f, f"orbits: {m}"),
        lunar_gravity=options.lunar_gravity,
    )
    # every perilune over the whole period, found between samples (the coverage above is its first window only)
    ctx.progress(0.9, "orbits: perilunes over the period")
    scans = scan_period(orbiters, start, period_days * 86400.0, options.lunar_gravity)
    keeping_notes: list[str] = []
    perilune_rows = _perilune_rows(scans, orbiters, start.utc_datetime(), keeping_notes)
    periodic = {o.name: o.orbit() for o in orbiters if isinstance(o, NrhoOrbiter)}
    summary: dict[str, Any] = {}
    for name, orbit in periodic.items():
        summary[f"{name}: period_days"] = orbit.period_days
        summary[f"{name}: perilune_radius_km"] = orbit.perilune_radius_m / 1e3
        summary[f"{name}: apolune_radius_km"] = orbit.apolune_radius_m / 1e3
        summary[f"{name}: closure_m"] = orbit.closure_m
    for o in orbiters:
        if isinstance(o, KeplerOrbiter):
            summary[f"{o.name}: period_hours"] = o.orbit.period_s / 3600.0
    for name, impact in result.impacts.items():
        summary[f"{name}: IMPACT (below the surface) utc"] = impact.record(result.epoch_utc)["impact_utc"]
    for row in perilune_rows:
        summary[f"{row['orbiter']}: lowest_perilune_alt_km"] = row["lowest_perilune_alt_km"]
        summary[f"{row['orbiter']}: lowest_perilune_above_terrain_km"] = row["lowest_perilune_above_terrain_km"]
        summary[f"{row['orbiter']}: lowest_perilune_utc"] = _iso_utc(row["lowest_perilune_utc"])
        summary[f"{row['orbiter']}: impact_utc"] = _iso_utc(row["impact_utc"])  # over the whole period; None: none
        if row["needs_station_keeping"]:
            summary[f"{row['orbiter']}: station_keeping_dv_m_per_s"] = row["station_keeping_dv_m_per_s"]
    for row in result.orbiter_rows():
        if row["n_earth_eclipses"]:
            summary[f"{row['orbiter']}: n_earth_eclipses"] = row["n_earth_eclipses"]
            summary[f"{row['orbiter']}: longest_earth_eclipse_hours"] = row["longest_earth_eclipse_hours"]
    for name, scan in result.phase_scans.items():
        free = scan.free_phases()
        summary[f"{name}: phases free of Earth eclipses"] = ", ".join(f"{p:.2f}" for p in free) or "none"
    frozen_notes = [
        frozen_inclination_note(o.orbit, f"orbiter {spec.name!r} (kind frozen)")
        for spec, o in zip(section.orbiters, orbiters, strict=True)
        if spec.kind == "frozen" and isinstance(o, KeplerOrbiter)
    ]
    frozen_notes += [
        f"orbiter {spec.name!r} (kind frozen): no inc_deg given: {o.orbit.inc_deg:g} deg, the frozen "
        f"inclination of its eccentricity {o.orbit.eccentricity:.3f} (cos^2 i = 3/5 (1 - e^2), omega = 90/270 deg "
        "in the Moon's orbital plane; Ely 2005); give inc_deg to choose another."
        for spec, o in zip(section.orbiters, orbiters, strict=True)
        if spec.kind == "frozen" and isinstance(o, KeplerOrbiter) and spec.inc_deg is None
    ]
    frozen_notes += [
        terrain_clearance_note(o.orbit, f"orbiter {o.name!r}") for o in orbiters if isinstance(o, KeplerOrbiter)
    ]
    coverage_rows = result.coverage_rows()
    # the coverage keys below cover only orbits.coverage.duration_days from the period's start at its step, not the
    # whole period (the operations stage's relay links do): say the window next to them (user study, session 16)
    summary["coverage_window_days"] = window_days
    summary["coverage_step_s"] = float(options.step_s)
    for row in coverage_rows:
        summary[f"{row['site']} <- {row['orbiter']}: fraction_visible"] = row["fraction_visible"]
        summary[f"{row['site']} <- {row['orbiter']}: longest_gap_hours"] = row["longest_gap_hours"]
    transfers = section.transfers
    ledger = default_ledger()
    steps = ledger.fly(transfers.path, transfers.final_mass_kg, transfers.isp_s,
                       labels=("orbits.transfers.final_mass_kg", "orbits.transfers.isp_s"))
    summary["ledger path"] = " -> ".join(transfers.path)
    summary["ledger total_dv_km_per_s"] = ledger.path_dv_m_per_s(transfers.path) / 1e3
    summary["ledger propellant_kg"] = sum(s.propellant_kg for s in steps)
    estimate = nrho_llo_estimate(next(iter(periodic.values())) if periodic else nrho("9:2"), transfers.llo_alt_km)
    summary["computed NRHO->LLO two-impulse dv_km_per_s"] = estimate["dv_total_m_per_s"] / 1e3

    ledger_frame = pd.DataFrame(ledger_records(steps))
    events = [
        {
            "orbiter": name,
            "body": e.body,
            # an event is the whole shadow pass (penumbra included): its deepest shadow, then its hours in any
            # shadow and in the umbra alone (the orbiters table's shadow_hours and umbra_hours, per event)
            "deepest_shadow": e.kind,
            "start_utc": (result.epoch_utc + timedelta(seconds=e.start_s)).isoformat(),
            "shadow_hours": (e.duration_s + options.step_s) / 3600.0,
            "umbra_hours": e.umbra_s / 3600.0,
        }
        for name, timeline in result.eclipses.items()
        for e in timeline.events
    ]
    rows = [(link.name, link.visible) for link in result.site_links.values()]
    rows += [(link.name, link.visible) for link in result.relay_links.values()]
    rows += [(f"{name} -> Earth", link.visible) for name, link in result.earth_links.items()]
    eclipse_rows = [(f"{name} in shadow", e.sun_fraction < 1.0) for name, e in result.eclipses.items()]
    figures = [
        Figure(
            "Link windows (site -> orbiter, orbiter -> Earth)",
            timeline_figure(rows, result.seconds, result.epoch_utc, "Link windows", "link"),
            caption=(
                "One row per link; a bar where the link is up at the coverage step: the site sees the orbiter above "
                "its horizon mask, the relay row where some orbiter sees the site and the Earth at once, and each "
                "orbiter's own view of the Earth. Gaps are the hours to plan around"
            ),
        ),
        Figure(
            "Eclipses of the orbiters",
            timeline_figure(eclipse_rows, result.seconds, result.epoch_utc, "Eclipses", "orbiter"),
            caption=(
                "One row per orbiter; a bar while any part of the Sun's disk is hidden from it by the Moon or the "
                "Earth (penumbra included). Bar lengths are the battery's eclipse durations (the eclipses table lists "
                "them)"
            ),
        ),
        Figure(
            "Orbiters, Moon-fixed frame",
            moon_fixed_figure(result.tracks),
            caption=(
                "Each orbiter's path over the coverage period around the Moon (sphere of 1737.4 km), in the Moon-fixed "
                "frame [km]: the south pole is at the bottom (-z); the orbiters table gives the numbers"
            ),
        ),
    ]
    if periodic:
        figures.append(Figure(
            "Halo orbits, Earth-Moon rotating frame",
            rotating_frame_figure(list(periodic.values())),
            caption="The periodic CR3BP orbits, Moon-centred, x pointing away from the Earth [km]; an NRHO's perilune "
            "is the point nearest the Moon",
        ))
    gravity_text = {
        "point": "a point mass",
        "degree2": "a degree-2 field (J2, C22 of DE430: Folkner et al. 2014, IPN PR 42-196, Table 11)",
    }
    # impacts first: an orbiter that hits the Moon within the coverage span is the headline of the stage
    notes = [
        *(note for note in result.notes if not note.startswith("STATION-KEEPING")),  # the period's, below
        *keeping_notes,
        *(note for note in frozen_notes if note is not None),
        "NRHO orbiters: periodic Earth-Moon CR3BP solution (mu = 0.0121505856, l* = 384,400 km) placed on the "
        "DE421 Earth-Moon line with the instantaneous distance as length unit; Keplerian orbiters propagated with "
        f"heyoka with the Earth and Sun (DE421) and the Moon as {gravity_text[options.lunar_gravity]}.",
        f"Ephemeris interpolation error (Chebyshev fit of DE421 in the propagator): "
        f"{result.interpolation_error_m * 1000:.3f} mm.",
        "Delta-v ledger: Acta Astronautica 177 (2020) 351-372, Table 4.",
        f"Coverage, link windows and eclipses here: the first {window_days:g} days of the period "
        + (
            f"(orbits.coverage.duration_days; its {options.duration_days:g} d would pass the period's end: cut to it) "
            if window_days < options.duration_days
            else "(orbits.coverage.duration_days) "
        )
        + f"at the coverage step ({options.step_s:g} s), as geometry (the orbiters "
        "are taken to be there, whatever the roadmap's dates); the summary's '<site> <- <orbiter>' fractions and "
        "longest gaps (relay included) are for that window only (coverage_window_days, coverage_step_s). The "
        "'relayed to Earth by any orbiter' rows are geometry only: an orbiter sees the site and the Earth, with "
        "no ground network (no DSN complex need see the Moon). The operations stage's comms note applies the "
        "ground network (operations comms.ground_network: the DSN, a complex seeing the Moon, by default) over "
        "its whole period at its own step, so its link fractions differ.",
        f"Ledger propellant: landing {transfers.final_mass_kg:,.0f} kg along {' -> '.join(transfers.path)} at Isp "
        f"{transfers.isp_s:g} s (orbits.transfers).",
        "Sites' horizons for the links: " + "; ".join(f"{site.name}: {_horizon_source(ctx, site)}" for site in sites)
        + (
            "." if options.min_elevation_deg is None
            else f"; antenna minimum elevation {options.min_elevation_deg:g} deg (orbits.coverage.min_elevation_deg)."
        ),
        f"The NRHO->LLO two-impulse figure ({estimate['dv_total_m_per_s'] / 1e3:.3f} km/s) is this tool's own check: "
        "an apse-lowering burn at perilune and a circularization, two-body Moon; the ledger's NRHO->LLO leg is the "
        "published optimized transfer, which is cheaper.",
        "Eclipses are counted on the time grid: umbra_hours sums the samples in a total shadow; shadow_hours, the "
        "eclipse events and longest_eclipse_hours include the penumbra around it; sunlit_fraction weighs the "
        "partial sunlight of the penumbra. n_earth_eclipses/n_moon_eclipses and longest_earth/moon_eclipse_hours "
        "split them by the shadowing body (the table 'Eclipse events' lists each one: deepest_shadow is the "
        "deepest shadow the pass reaches (umbra, or penumbra only), shadow_hours its whole pass with the "
        "penumbra, umbra_hours the part of it in the umbra).",
        "Perilune and apolune radii in the summary are those of the CR3BP solution (l* = 384,400 km); the table "
        "'Orbiters: Earth visibility and eclipses' gives them over the run's ephemeris, scaled by the instantaneous "
        "Earth-Moon distance.",
    ]
    coverage_title = (
        f"Coverage of the sites: the first {window_days:g} days of the period at {options.step_s:g} s "
        f"(orbits.coverage.duration_days, step_s; not the whole period)"
    )
    return StageResult(
        name="orbits",
        title="Orbital segment: station, relays, links, eclipses, transfers",
        summary=summary,
        datasets={"orbits": _dataset(result), "perilunes": _perilune_dataset(perilune_rows)},
        figures=figures,
        tables=[
            Table(coverage_title, pd.DataFrame(coverage_rows)),
            Table("Orbiters: Earth visibility and eclipses", pd.DataFrame(result.orbiter_rows())),
            Table(
                f"Orbiters: lowest perilune over the whole period ({period_days:g} d, searched between samples; "
                "altitudes above the 1737.4 km sphere and above the highest terrain, 10.8 km)",
                _perilune_table(perilune_rows),
            ),
            Table("Eclipse events", pd.DataFrame(events)),
            Table("Delta-v ledger", ledger_frame),
        ],
        notes=notes,
        products={
            "coverage": result,
            "czml": tracks_to_czml(result.tracks, result.epoch_utc),
            "periodic_orbits": periodic,
        },
    )
