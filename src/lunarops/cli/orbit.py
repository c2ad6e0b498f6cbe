"""`lunarops orbit`: NRHO/halo and Keplerian lunar orbits, coverage of a site, the delta-v ledger."""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from lunarops.cli.angles import LAT_FORMS, LATITUDE, LON_FORMS, LONGITUDE
from lunarops.cli.common import HELP_MARKUP, check_output_file, console, handle_errors, print_json, progress_bar
from lunarops.errors import InputError
from lunarops.numformat import format_number

MIN_STEP_S = 1.0
MAX_STEP_S = 3600.0
"""--step-s limits: those of the scenario's orbits.coverage.step_s (lunarops.scenario.orbits.CoverageOptions)."""
MAX_JSON_WINDOWS = 500
"""Windows listed per link in --json (n_windows counts all; --windows-out writes all)."""

orbit_app = typer.Typer(
    rich_markup_mode=HELP_MARKUP,
    help="Lunar orbits: NRHO/halo families, Keplerian and frozen orbits, coverage, delta-v ledger.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add `lunarops orbit ...`."""
    app.add_typer(orbit_app, name="orbit")


def _show(record: dict[str, Any], json_output: bool, title: str) -> None:
    if json_output:
        print_json(record)
        return
    table = Table(title=title)
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for key, value in record.items():
        if key == "stability_index_meaning":
            continue
        table.add_row(key, f"{value:.6g}" if isinstance(value, float) else str(value))
    console.print(table)
    if "stability_index_meaning" in record:
        console.print(f"{record['stability_index_meaning']}; altitudes above the 1737.4 km sphere", highlight=False)
        console.print(UNITS_NOTE, highlight=False)


STABILITY_NOTE = (
    "stability index nu = (|lambda_max| + 1/|lambda_max|)/2 of the monodromy matrix: nu = 1 is linearly stable, "
    "nu > 1 unstable, a small error growing about |lambda_max| times per revolution (so the station-keeping need)"
)
"""One line on what the stability index means (Zimovan-Spreen, Howell & Davis 2020, sec. 2)."""


UNITS_NOTE = (
    "radii from the Moon's centre, non-dimensional values in l* = length_unit_km, t* = time_unit_s: other CR3BP "
    "unit conventions (the JPL periodic-orbit database: l* = 389,703 km, t* = 382,981 s) give a different orbit "
    "the same period in days; compare orbits by period_nd and state0_rotating_nd (docs/orbits.md)"
)


def _periodic_record(orbit: Any) -> dict[str, Any]:
    from lunarops.constants import MOON_RADIUS_M

    return {
        "family": orbit.family,
        "period_days": orbit.period_days,
        "period_nd": orbit.period_nd,
        "perilune_radius_km": orbit.perilune_radius_m / 1e3,
        "apolune_radius_km": orbit.apolune_radius_m / 1e3,
        "perilune_altitude_km": (orbit.perilune_radius_m - MOON_RADIUS_M) / 1e3,
        "apolune_altitude_km": (orbit.apolune_radius_m - MOON_RADIUS_M) / 1e3,
        "closure_m": orbit.closure_m,
        "jacobi_constant": orbit.jacobi,
        "stability_index": orbit.stability_index,
        "stability_index_meaning": STABILITY_NOTE,
        "mu": orbit.system.mu,
        "length_unit_km": orbit.system.length_m / 1e3,
        "time_unit_s": orbit.system.time_s,
        "state0_rotating_nd": [float(v) for v in orbit.state0],
    }


def _check_html(plot: Path | None) -> None:
    """--plot writes an interactive HTML page: checked before the work, like any output."""
    check_output_file(plot, "--plot")
    if plot is not None and plot.suffix.lower() not in (".html", ".htm"):
        raise InputError(f"--plot = '{plot}' must end in .html (the plot is an interactive HTML page)")


def _write_html(fig: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.write_html(str(path), include_plotlyjs=True)


@orbit_app.command("nrho")
def nrho_command(
    resonance: Annotated[str, typer.Option("--resonance", help="p:q synodic resonance, e.g. 9:2")] = "9:2",
    family: Annotated[str, typer.Option("--family", help="L1-north, L1-south, L2-north or L2-south")] = "L2-south",
    plot: Annotated[Path | None, typer.Option("--plot", help="write an HTML plot (rotating frame)")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """A synodic-resonant near-rectilinear halo orbit of the Earth-Moon CR3BP (differential correction)."""
    with handle_errors():
        from lunarops.orbits.families import nrho

        _check_html(plot)
        orbit = nrho(resonance, family)
        record = {"resonance": resonance, **_periodic_record(orbit)}
        if plot is not None:
            from lunarops.orbits.plots import rotating_frame_figure

            _write_html(rotating_frame_figure([orbit]), plot)
        _show(record, json_output, f"{resonance} {family} NRHO")


@orbit_app.command("halo")
def halo_command(
    family: Annotated[str, typer.Option("--family", help="L1-north, L1-south, L2-north or L2-south")] = "L2-south",
    period_days: Annotated[float, typer.Option("--period-days", help="orbital period [d]")] = 8.0,
    json_output: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """A halo orbit of the given period, by continuation along its family."""
    with handle_errors():
        from lunarops.orbits.families import MAX_PERIOD_S, MIN_PERIOD_S, halo_orbit

        low, high = MIN_PERIOD_S / 86400.0, MAX_PERIOD_S / 86400.0
        if not math.isfinite(period_days):
            raise InputError(
                f"--period-days {period_days:g} must be a finite number of days in {low:g}..{high:g}, e.g. "
                "--period-days 8"
            )
        if not low <= period_days <= high:  # also nan; the API's message speaks of period_s in seconds
            raise InputError(
                f"--period-days {period_days:g} is outside {low:g}..{high:g} d, the range lunarops continues the "
                "Earth-Moon L1/L2 halo families over; choose a period in it, e.g. --period-days 8"
            )
        orbit = halo_orbit(family, period_days * 86400.0)
        _show(_periodic_record(orbit), json_output, f"{family} halo")


@orbit_app.command("kepler")
def kepler_command(
    periapsis_alt_km: Annotated[float, typer.Option("--periapsis-alt-km", help="periapsis altitude [km]")],
    apoapsis_alt_km: Annotated[float, typer.Option("--apoapsis-alt-km", help="apoapsis altitude [km]")],
    inc_deg: Annotated[float, typer.Option("--inc-deg", help="inclination [deg]")] = 90.0,
    raan_deg: Annotated[float, typer.Option("--raan-deg", help="right ascension of the node [deg]")] = 0.0,
    argp_deg: Annotated[float, typer.Option("--argp-deg", help="argument of periapsis [deg]")] = 90.0,
    json_output: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """A Keplerian lunar orbit from its apsis altitudes above the 1737.4 km sphere: period and shape."""
    with handle_errors():
        from lunarops.orbits.kepler import KeplerOrbit, terrain_clearance_note

        try:
            orbit = KeplerOrbit(periapsis_alt_km, apoapsis_alt_km, inc_deg, raan_deg, argp_deg)
        except InputError as error:  # the API names its arguments; the user typed options
            text = str(error)
            for field in ("periapsis_alt_km", "apoapsis_alt_km", "inc_deg", "raan_deg", "argp_deg"):
                text = re.sub(rf"(?<![-\w]){field}\b", "--" + field.replace("_", "-"), text)
            raise InputError(text) from None
        note = terrain_clearance_note(orbit, "--periapsis-alt-km")
        record: dict[str, Any] = {**orbit.summary(), "notes": [note] if note else []}
        if json_output:
            print_json(record)
            return
        _show(orbit.summary(), False, "Keplerian lunar orbit")
        if note:
            console.print(f"[yellow]note:[/yellow] {escape(note)}", markup=True, highlight=False)


def _fill(values: list[float]) -> tuple[float, float, float]:
    inc, raan, argp = [*values, *[90.0, 0.0, 90.0][len(values) :]][:3]
    return inc, raan, argp


def frozen_notes(orbiters: list[Any]) -> list[str]:
    """Notes for ``frozen:`` orbiters whose inclination is not a frozen one (``kepler.frozen_inclination_note``)."""
    from lunarops.orbits.kepler import frozen_inclination_note

    notes = []
    for o in orbiters:
        if str(o.name).lower().startswith("frozen:"):
            fields = [p for p in str(o.name).split(":") if p.strip().lower() not in HEMISPHERES]
            if len(fields) == 3:  # frozen:PERI:APO[:APOLUNE_OVER]
                notes.append(
                    f"--orbiter {o.name}: no inclination given: {o.orbit.inc_deg:g} deg, the frozen inclination of its "
                    f"eccentricity {o.orbit.eccentricity:.3f} (cos^2 i = 3/5 (1 - e^2), omega = {o.orbit.argp_deg:g} "
                    "deg, in the Moon's orbital plane; Ely 2005); give INC (frozen:PERI:APO:INC) to choose another."
                )
            note = frozen_inclination_note(o.orbit, f"--orbiter {o.name}")
            if note is not None:
                notes.append(note)
    return notes


ORBITER_FORMS = (
    "nrho[:P:Q[:FAMILY[:PHASE]]], frozen:PERI:APO[:INC[:RAAN]][:APOLUNE_OVER], kepler:PERI:APO[:INC[:RAAN[:ARGP]]] "
    "or llo:ALT[:INC] (altitudes km, angles deg, PHASE 0..1, APOLUNE_OVER south (default) or north), e.g. "
    "nrho:9:2:L2-south:0.25, frozen:200:16000:62.4, frozen:200:16000:62.5:270:north, kepler:100:3000:85 or "
    "llo:100:90"
)
HEMISPHERES = ("south", "north")
"""A frozen spec's optional last field: the hemisphere its apolune is over (the scenario's FrozenSpec.apolune_over,
lunarops.scenario.orbits; omega = 90 deg for south, 270 deg for north, Ely 2005)."""
_MAX_FIELDS = {"nrho": 5, "frozen": 5, "kepler": 6, "llo": 3}  # frozen: not counting a trailing APOLUNE_OVER
_FIELD_NAMES = {
    "nrho": ("nrho", "P", "Q", "FAMILY", "PHASE"),
    "frozen": ("frozen", "PERI", "APO", "INC", "RAAN"),
    "kepler": ("kepler", "PERI", "APO", "INC", "RAAN", "ARGP"),
    "llo": ("llo", "ALT", "INC"),
}


def terrain_notes(orbiters: list[Any]) -> list[str]:
    """Notes for Keplerian/frozen/low orbiters whose periapsis is below the highest lunar terrain."""
    from lunarops.orbits.kepler import terrain_clearance_note

    notes = []
    for o in orbiters:
        if hasattr(o, "orbit") and not callable(o.orbit):
            note = terrain_clearance_note(o.orbit, f"--orbiter {o.name}")
            if note is not None:
                notes.append(note)
    return notes


def parse_orbiter(spec: str, index: int) -> Any:
    """An orbiter from 'nrho[:P:Q[:FAMILY[:PHASE]]]', 'frozen:PERI:APO[:INC[:RAAN]][:APOLUNE_OVER]',
    'kepler:PERI:APO[:INC[:RAAN[:ARGP]]]' or 'llo:ALT[:INC]' (altitudes [km], angles [deg], PHASE the fraction
    of a period past apolune at the start, 0..1, APOLUNE_OVER 'south' (default) or 'north' as the scenario's
    ``apolune_over``). A frozen orbit without INC takes the frozen inclination of its eccentricity
    (``kepler.frozen_inclination_deg``)."""
    from lunarops.orbits.kepler import KeplerOrbit, frozen_elliptical, frozen_inclination_deg, low_lunar_orbit
    from lunarops.orbits.tracks import KeplerOrbiter, NrhoOrbiter

    parts = spec.split(":")
    kind = parts[0].lower()
    apolune_over = "south"
    if kind == "frozen" and len(parts) > 3 and parts[-1].strip().lower() in HEMISPHERES:
        apolune_over = parts.pop().strip().lower()
    name = f"{spec}"
    label = f"--orbiter {spec!r} (number {index + 1})"
    if kind == "frozen" and len(parts) == _MAX_FIELDS[kind] + 1 and apolune_over == "south":
        if not _is_number(parts[-1]):  # frozen:PERI:APO:INC:RAAN:<not a hemisphere>
            raise InputError(
                f"{label}: APOLUNE_OVER {parts[-1]!r} must be 'south' (the default) or 'north', the hemisphere the "
                f"apolune is over (the scenario's apolune_over); write {ORBITER_FORMS}"
            )
    if kind in _MAX_FIELDS and len(parts) > _MAX_FIELDS[kind]:
        extra = ":".join(parts[_MAX_FIELDS[kind]:])
        fields = ":".join(_FIELD_NAMES[kind]) + ("[:APOLUNE_OVER]" if kind == "frozen" else "")
        raise InputError(
            f"{label} has {len(parts) - _MAX_FIELDS[kind]} field(s) too many: '{extra}' after "
            f"{':'.join(parts[: _MAX_FIELDS[kind]])!r}; a {kind} orbiter takes at most {fields}. Accepted forms: "
            f"{ORBITER_FORMS}"
        )
    if any(p.strip() == "" for p in parts[1:]):
        raise InputError(f"{label} has an empty field (two ':' in a row or a trailing ':'); write {ORBITER_FORMS}")
    try:
        numbers = [float(p) for p in parts[1:]] if kind in ("frozen", "kepler", "llo") else []
    except ValueError:
        but = " (but a last APOLUNE_OVER, south or north)" if kind == "frozen" else ""
        raise InputError(
            f"{label}: the values after '{kind}:' must be numbers{but}; write {ORBITER_FORMS}"
        ) from None
    if kind == "nrho" and len(parts) in (1, 3, 4, 5):
        resonance = ":".join(parts[1:3]) if len(parts) >= 3 else "9:2"
        family = parts[3] if len(parts) >= 4 else "L2-south"
        phase = 0.0
        if len(parts) == 5:
            try:
                phase = float(parts[4])
            except ValueError:
                raise InputError(
                    f"{label}: PHASE {parts[4]!r} must be a number in [0, 1), the fraction of a period past apolune "
                    "at the start, e.g. nrho:9:2:L2-south:0.25"
                ) from None
        return NrhoOrbiter(name, resonance, family, phase)
    if kind == "frozen" and 2 <= len(numbers) <= 4:
        if len(numbers) == 2:  # no INC: the frozen inclination of this eccentricity (the note says so)
            e = KeplerOrbit(numbers[0], numbers[1]).eccentricity
            numbers.append(round(frozen_inclination_deg(e), 1))
        inc, raan = [*numbers[2:], 270.0][:2]
        return KeplerOrbiter(name, frozen_elliptical(numbers[0], numbers[1], inc, raan, apolune_over, name=name))
    if kind == "kepler" and 2 <= len(numbers) <= 5:
        inc, raan, argp = _fill(numbers[2:])
        return KeplerOrbiter(name, KeplerOrbit(numbers[0], numbers[1], inc, raan, argp, name=name))
    if kind == "llo" and 1 <= len(numbers) <= 2:
        inc = numbers[1] if len(numbers) == 2 else 90.0
        return KeplerOrbiter(name, low_lunar_orbit(numbers[0], inc, name=name))
    raise InputError(f"{label} is not understood; write {ORBITER_FORMS}")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@orbit_app.command("coverage")
def coverage_command(
    lat: Annotated[float, typer.Option("--lat", parser=LATITUDE, help=f"site latitude [deg], {LAT_FORMS}")],
    lon: Annotated[float, typer.Option("--lon", parser=LONGITUDE, help=f"site east longitude [deg], {LON_FORMS}")],
    orbiter: Annotated[
        list[str],
        typer.Option(
            "--orbiter",
            help=(
                "orbiter, repeatable: nrho[:P:Q[:FAMILY[:PHASE]]], frozen:PERI:APO[:INC[:RAAN]][:south|north] "
                "(apolune over the south, default, or the north), kepler:PERI:APO[:INC[:RAAN[:ARGP]]], "
                "llo:ALT[:INC]; e.g. nrho:9:2:L2-north, frozen:200:16000:62.5:270:north, llo:100"
            ),
        ),
    ],
    height_m: Annotated[
        float, typer.Option("--height-m", help="observer height [m]: over the sphere, or over the DEM with --dem")
    ] = 10.0,
    dem: Annotated[
        str | None, typer.Option("--dem", help="terrain horizon from a DEM: south, north, global or a file")
    ] = None,
    start: Annotated[str, typer.Option("--start", help="start, UTC ISO 8601")] = "2030-01-01T00:00:00Z",
    days: Annotated[float, typer.Option("--days", help="duration [d]")] = 30.0,
    step_s: Annotated[
        float, typer.Option("--step-s", help=f"time step [s], {MIN_STEP_S:g}..{MAX_STEP_S:g} (as the scenario's)")
    ] = 60.0,
    min_elevation_deg: Annotated[
        float | None, typer.Option("--min-elevation-deg", help="antenna minimum elevation [deg]")
    ] = None,
    lunar_gravity: Annotated[
        str, typer.Option("--lunar-gravity", help="point or degree2 (J2, C22) for Keplerian orbiters")
    ] = "degree2",
    czml: Annotated[Path | None, typer.Option("--czml", help="write CZML of the tracks (Moon-fixed)")] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="write an HTML link/eclipse timeline")] = None,
    windows_out: Annotated[
        Path | None,
        typer.Option(
            "--windows-out", help=(
                "write every line-of-sight window and eclipse as CSV (site, orbiter, start/end UTC, hours, event, "
                "body, shadow, umbra_hours)"
            ),
        ),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Line-of-sight windows from a site to orbiters and to the Earth, eclipses, coverage statistics.

    --json lists the windows of each link (the first 500; n_windows counts them all) and its longest gap;
    --windows-out writes all of them as CSV."""
    with handle_errors():
        from lunarops.orbits.coverage import RELAY_NAME, SurfaceSite, compute_coverage
        from lunarops.timescale import parse_utc

        _check_days_step(days, step_s)
        orbiters = [parse_orbiter(spec, k) for k, spec in enumerate(orbiter)]
        check_output_file(czml, "--czml")
        check_output_file(windows_out, "--windows-out", (".csv",))
        _check_html(plot)
        site = SurfaceSite("site", lat, lon, height_m)
        if dem is not None:
            from lunarops.terrain import horizon_at_site, load_dem

            mask = horizon_at_site(load_dem(dem), lat, lon, height_above_ground_m=height_m)
            site = SurfaceSite("site", lat, lon, float(mask.observer_height_m), mask)
        with progress_bar("coverage", enabled=not json_output) as update:
            result = compute_coverage(
                [site], orbiters, parse_utc(start), days * 86400.0, step_s, min_elevation_deg, update,
                lunar_gravity=lunar_gravity,
            )
        notes = [*result.notes, *frozen_notes(orbiters), *terrain_notes(orbiters)]
        record = {
            "site": {"latitude_deg": lat, "longitude_deg": lon, "height_m": site.height_m, "terrain": dem},
            "start_utc": start,
            "days": days,
            "step_s": step_s,
            "lunar_gravity": lunar_gravity,
            "coverage": result.coverage_rows(),
            "orbiters": result.orbiter_rows(),
            "ephemeris_interpolation_error_m": result.interpolation_error_m,
            "impacts": [impact.record(result.epoch_utc) for impact in result.impacts.values()],
            "links": result.window_records(MAX_JSON_WINDOWS),
            "eclipses": result.eclipse_records(),
            "phase_scans": [scan.record() for scan in result.phase_scans.values()],
            "notes": notes,
        }
        if windows_out is not None:
            _write_windows_csv(result, windows_out)
        if czml is not None:
            from lunarops.orbits.czml import tracks_to_czml

            czml.parent.mkdir(parents=True, exist_ok=True)
            czml.write_text(tracks_to_czml(result.tracks, result.epoch_utc))
        if plot is not None:
            from lunarops.orbits.plots import timeline_figure

            rows = [(link.name, link.visible) for link in result.site_links.values()]
            rows += [(f"{name} eclipse", e.sun_fraction < 1.0) for name, e in result.eclipses.items()]
            _write_html(timeline_figure(rows, result.seconds, result.epoch_utc, "Links and eclipses"), plot)
        if json_output:
            print_json(record)
            return
        # one column per link (site -> orbiter, or the relay path), one row per quantity: the link names are long
        # (orbiter specs), and side by side the rows did not fit 80 columns
        links = result.coverage_rows()
        several_sites = len({row["site"] for row in links}) > 1
        table = Table(title=f"Coverage, {days:g} d from {start} at {step_s:g} s")
        table.add_column("quantity", no_wrap=True)
        for row in links:
            name = "relay to Earth" if row["orbiter"] == RELAY_NAME else str(row["orbiter"])
            table.add_column(f"{row['site']}: {name}" if several_sites else name, justify="right")
        for column in table_columns()[2:]:
            table.add_row(column, *(_cell(row[column]) for row in links))
        console.print(table)
        if any(row["orbiter"] == RELAY_NAME for row in links):
            console.print("relay to Earth: the site reaches the Earth through some orbiter (it sees both)")
        # one column per orbiter, one row per quantity: eleven quantities side by side did not fit a terminal
        orbiter_rows = result.orbiter_rows()
        orbiters_table = Table(title="Orbiters", show_header=True)
        orbiters_table.add_column("quantity", no_wrap=True)
        for row in orbiter_rows:
            orbiters_table.add_column(str(row["orbiter"]), justify="right", no_wrap=True)
        for key in [k for k in orbiter_rows[0] if k != "orbiter"]:
            orbiters_table.add_row(key, *(_cell(row[key]) for row in orbiter_rows))
        console.print(orbiters_table)
        for note in notes:
            console.print(f"[yellow]note:[/yellow] {escape(note)}", markup=True, highlight=False)


def _cell(value: object) -> str:
    return format_number(value) if isinstance(value, float) else str(value)


def table_columns() -> tuple[str, ...]:
    """Columns of the coverage table."""
    return (
        "site",
        "orbiter",
        "fraction_visible",
        "longest_gap_hours",
        "n_windows",
        "mean_window_hours",
        "min_range_km",
        "max_range_km",
    )



def _check_days_step(days: float, step_s: float) -> None:
    """--days and --step-s named in their own units before any work."""
    if not (math.isfinite(days) and days > 0):
        raise InputError(f"--days {days:g} must be a positive number of days, e.g. --days 30")
    if not (math.isfinite(step_s) and MIN_STEP_S <= step_s <= MAX_STEP_S):
        raise InputError(
            f"--step-s {step_s:g} must be in {MIN_STEP_S:g}..{MAX_STEP_S:g} s (the limits of a scenario's "
            "orbits.coverage.step_s; coarser steps miss whole passes of low orbiters), e.g. --step-s 60"
        )
    if days * 86400.0 < step_s:
        raise InputError(
            f"--days {days:g} ({days * 86400.0:g} s) is shorter than one step (--step-s {step_s:g}); raise --days "
            "or lower --step-s"
        )


def _write_windows_csv(result: Any, path: Path) -> None:
    """Every window of every link as CSV (site, orbiter, start_utc, end_utc, hours, event, body, shadow), then
    every eclipse (site '(eclipse)', orbiter '<name> in the Earth's/Moon's shadow', event 'eclipse'), atomically."""
    import csv

    from lunarops.atomic import write_atomic

    def writer(tmp: Path) -> None:
        with tmp.open("w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(["site", "orbiter", "start_utc", "end_utc", "hours", "event", "body", "shadow", "umbra_hours"])
            for link in result.window_records():
                for w in link["windows"]:
                    out.writerow(
                        [link["site"], link["orbiter"], w["start_utc"], w["end_utc"], f"{w['hours']:.6f}",
                         "line-of-sight", "", "", ""]
                    )
            for e in result.eclipse_records():
                body = "Earth" if e["body"] == "earth" else "Moon"
                out.writerow(
                    ["(eclipse)", f"{e['orbiter']} in the {body}'s shadow", e["start_utc"], e["end_utc"],
                     f"{e['hours']:.6f}", "eclipse", e["body"], e["kind"], f"{e['umbra_hours']:.6f}"]
                )

    write_atomic(path, writer)


@orbit_app.command("ledger")
def ledger_command(
    path: Annotated[str, typer.Option("--path", help="comma-separated nodes")] = "LEO,TLI,NRHO,LLO,surface",
    final_mass_kg: Annotated[float, typer.Option("--final-mass-kg", help="mass arriving at the end [kg]")] = 10000.0,
    isp_s: Annotated[float, typer.Option("--isp-s", help="specific impulse [s]")] = 450.0,
    json_output: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Delta-v and propellant along a path of the ledger (Acta Astronautica 177 (2020), Table 4)."""
    with handle_errors():
        from lunarops.orbits.families import nrho
        from lunarops.orbits.transfers import TABLE4_LEG_NOTES, default_ledger, ledger_records, nrho_llo_estimate

        ledger = default_ledger()
        from lunarops.orbits.transfers import path_nodes

        nodes = path_nodes(path)
        steps = ledger.fly(nodes, final_mass_kg, isp_s)
        record = {
            "path": nodes,
            "total_dv_km_per_s": ledger.path_dv_m_per_s(nodes) / 1e3,
            "initial_mass_kg": steps[0].mass_before_kg,
            "propellant_kg": sum(s.propellant_kg for s in steps),
            "legs": ledger_records(steps),
            "computed_nrho_llo_100km_km_per_s": nrho_llo_estimate(nrho("9:2"), 100.0)["dv_total_m_per_s"] / 1e3,
            "notes": [
                f"{a} -> {b}: {TABLE4_LEG_NOTES[(a, b)]}"
                for a, b in itertools.pairwise(nodes)
                if (a, b) in TABLE4_LEG_NOTES
            ],
        }
        if json_output:
            print_json(record)
            return
        table = Table(title=f"delta-v ledger, Isp {isp_s:g} s")
        for column in ("from", "to", "dv_km_per_s", "mass_before_kg", "propellant_kg"):
            table.add_column(column)
        for leg in record["legs"]:  # type: ignore[attr-defined]
            table.add_row(leg["from"], leg["to"], f"{leg['dv_km_per_s']:.3f}", f"{leg['mass_before_kg']:.1f}",
                          f"{leg['propellant_kg']:.1f}")
        console.print(table)
        console.print(f"total {record['total_dv_km_per_s']:.3f} km/s, initial mass {record['initial_mass_kg']:.1f} kg")
        for note in record["notes"]:  # type: ignore[attr-defined]
            console.print(f"note: {note}", highlight=False, markup=False)
