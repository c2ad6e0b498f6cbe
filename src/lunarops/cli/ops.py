"""CLI commands of the ops group: `lunarops simulate` and `lunarops power size`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.table import Table

from lunarops.cli.common import HELP_MARKUP, check_range, console, handle_errors, print_json, progress_bar
from lunarops.numformat import format_value

power_app = typer.Typer(
    help="Power-system sizing.", no_args_is_help=True, rich_markup_mode=HELP_MARKUP
)


def _table(title: str, rows: dict[str, Any]) -> Table:
    table = Table(title=title)
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for key, value in rows.items():
        table.add_row(key, format_value(value))
    return table


#: short headers of the per-load and per-component tables, so that they fit 80 columns (the report's keep the names)
SHORT_HEADERS = {
    "scheduled_h_mean": "sched h",
    "shed_share_mean": "shed",
    "served_energy_share_mean": "served",
    "served_energy_share_p05": "served p05",
    "served_mwh_mean": "MWh",
    "standby_mwh_mean": "stby MWh",
    "data_made_tb_mean": "TB",
    "failures_mean": "fail",
    "failures_p95": "fail p95",
    "spares_used_mean": "spares",
    "hours_down_mean": "h down",
    "down_at_end_mean": "down end",
    "probability_waits_for_spare": "P(wait)",
    "spares_used_p95": "p95",
}


def _terminal_components(frame: Any) -> Any:
    """The component table in 80 columns: the waiting probability with its interval in one text column."""
    if not len(frame):
        return frame
    shown = frame[["component", "failures_mean", "failures_p95", "spares_used_mean", "spares_used_p95",
                   "hours_down_mean"]].copy()
    shown["P(wait)"] = [
        f"{format_value(p)} ({format_value(low)}-{format_value(high)})"
        for p, low, high in zip(
            frame["probability_waits_for_spare"],
            frame["probability_waits_for_spare_ci95_low"],
            frame["probability_waits_for_spare_ci95_high"],
            strict=True,
        )
    ]
    return shown


def _frame_table(title: str, frame: Any, caption: str) -> Table:
    """A DataFrame as a rich table: the first column as row names, numbers as the report writes them."""
    table = Table(title=title, caption=caption)
    for i, column in enumerate(frame.columns):
        header = SHORT_HEADERS.get(str(column), str(column))
        table.add_column(header, justify="left" if i == 0 else "right", no_wrap=True)
    for row in frame.itertuples(index=False, name=None):
        table.add_row(*(format_value(v) for v in row))
    return table


def scenario_site_products(model: Any) -> dict[str, Any] | None:
    """The site stage's products of a loaded scenario (terrain light at its sites), or None without terrain.

    `simulate` and `power size --scenario` both pass these to ``light_for_scenario`` so that they use the
    same light as `lunarops run` (terrain horizon when the scenario has a terrain section)."""
    if model.terrain is None:
        return None

    from lunarops.runner.stage import RunContext
    from lunarops.runner.stages.site import run_stage as site_stage

    site = site_stage(RunContext(model))
    return site.products if site is not None else None


def simulate(
    scenario: Annotated[
        Path | None, typer.Argument(help="scenario YAML with an operations section; the embedded default when omitted")
    ] = None,
    runs: Annotated[
        int | None, typer.Option("--runs", min=1, max=100_000, help="Monte Carlo runs (default: the scenario's)")
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", min=0, help="root seed (default: the scenario's)")] = None,
    events: Annotated[int, typer.Option("--events", min=0, help="print the first N events of run 0")] = 0,
    json_output: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
) -> None:
    """Simulate station operations (hourly, Monte Carlo) and print the summary."""
    with handle_errors():
        from lunarops.jsonutil import non_finite_marks
        from lunarops.runner.stages.operations import TABLE_KEYS, probability_note, simulate_scenario
        from lunarops.scenario import load_scenario

        model = load_scenario(scenario)
        # the site and campaign stages as `lunarops run` runs them, so that simulate runs the same station and
        # gives the same notes (PSR distances, what each mission lands, the campaign's ISRU)
        site = None
        if model.terrain is not None:
            from lunarops.runner.stage import RunContext
            from lunarops.runner.stages.site import run_stage as site_stage

            site = site_stage(RunContext(model))
        with progress_bar("lunarops simulate", enabled=not json_output) as update:
            solved = None
            campaign = getattr(model, "campaign", None)
            if campaign is not None and campaign.logistics is not None and model.operations is not None:
                from lunarops.runner.stages.campaign import plan_campaign

                solved = plan_campaign(campaign, model.operations, lambda f, m: update(0.3 * f, f"campaign: {m}"))
            share = 0.3 if solved is not None else 0.0  # of the bar the campaign took
            hourly, mc, notes = simulate_scenario(
                model,
                runs=runs,
                seed=seed,
                site_products=site.products if site is not None else None,
                campaign_deliveries=solved.deliveries if solved is not None else None,
                progress=lambda f, m: update(share + (1.0 - share) * f, m),
                arrivals=solved.arrivals if solved is not None else None,
                payload_kg=solved.payload_kg if solved is not None else None,
                campaign_isru_steps=solved.isru_steps if solved is not None else None,
                site_summary=site.summary if site is not None else None,
            )
        summary: dict[str, Any] = dict(mc.summary)
        summary["seed"] = model.seed if seed is None else seed
        from lunarops.runner.stages.crew_dose import crew_dose

        dose_summary, _, dose_notes = crew_dose(
            model, solved.deliveries if solved is not None else None, solved.arrivals if solved is not None else None
        )
        summary.update(dose_summary)
        notes = [*notes, *dose_notes, probability_note(summary)]
        if json_output:
            from lunarops.ops.montecarlo import data_month_table, load_month_table, load_year_table, storage_month_table

            out: dict[str, Any] = {"summary": summary, "notes": notes}
            # each load's hours, energy and data by calendar year (as the run's loads_by_year results file)
            out["loads_by_year"] = load_year_table(mc.dataset).to_dict(orient="records")
            # and by calendar month, every load and month (as the run's loads_by_month and data_by_month files)
            out["loads_by_month"] = load_month_table(mc.dataset).to_dict(orient="records")
            out["data_by_month"] = data_month_table(mc.dataset).to_dict(orient="records")
            out["storage_by_month"] = storage_month_table(mc.dataset).to_dict(orient="records")
            marks = non_finite_marks({"summary": summary})  # JSON writes inf as null: say which nulls are inf
            if marks:
                out["non_finite"] = marks["summary"]
            if events:
                frame = hourly.events.head(events)
                out["events"] = [
                    {"time_utc": str(r.time_utc), "event": r.event, "element": r.element, "value": r.value}
                    for r in frame.itertuples(index=False)
                ]
            print_json(out)
            return
        from lunarops.ops.montecarlo import component_table, load_table

        console.print(_table(f"operations: {model.name}", {k: v for k, v in summary.items() if k not in TABLE_KEYS}))
        for title, frame, caption in (
            (
                "loads (means per run)",
                load_table(mc.dataset),
                "sched h: hours scheduled by `when` while online; shed: share of them shed; served: energy served / "
                "asked (shedding and failed units lower it), and its p05 over the runs; MWh served; TB of data made",
            ),
            (
                "components (per run)",
                _terminal_components(component_table(mc.dataset)),
                "fail: failures (mean, p95); spares used (mean, p95: 95 % of runs stay within it); unit-hours down; "
                "P(wait): share of runs in which a failure waited for a spare (its 95 % interval); units down at "
                "the end in --json",
            ),
        ):
            if len(frame):
                console.print(_frame_table(title, frame, caption))
        for note in notes:
            console.print(f"note: {note}")
        if events:
            shown = hourly.events.head(events)
            console.print(shown.to_string(index=False) if len(shown) else "no events in run 0")


def technology_from_operations(operations: Any) -> tuple[Any, list[str], list[str]]:
    """PowerTechnology from a scenario's operations section (its first solar array, battery and fuel cell),
    with the figures it does not give at the defaults; also the (scenario, default) descriptions of each figure.

    Uncertain figures are taken at their nominal value (fixed value, mean, mode or midpoint). A figure the
    scenario's spec leaves out but the scenario schema defaults (e.g. battery charge_efficiency 0.97) is the
    schema's, as `lunarops simulate` uses it; a figure of a spec the scenario does not have is the
    PowerTechnology default (Colozza 2020, NASA/CR-2020-220368, where it gives one)."""
    from dataclasses import replace

    from lunarops.ops.sizing import DEFAULT_SOURCES, PowerTechnology
    from lunarops.runner.stages.operations import uncertain

    base = PowerTechnology()
    fields: dict[str, float] = {}
    from_scenario: list[str] = []
    defaults: list[str] = []

    def take(spec: Any, where: str, key: str, field: str, label: str, value: float, unit: str = "") -> None:
        fields[field] = value
        how = "" if key in spec.model_fields_set else ", schema default"
        from_scenario.append(f"{label} {value:g}{unit} ({where}.{key}{how})")

    def default(label: str, value: float, unit: str = "") -> None:
        defaults.append(f"{label} {value:g}{unit} ({DEFAULT_SOURCES[label]})")

    arrays = operations.power.solar_arrays
    if arrays:
        a = arrays[0]
        where = f"solar array {a.name!r}"
        take(a, where, "cell_efficiency", "array_efficiency", "array_efficiency", uncertain(a.cell_efficiency).nominal)
        take(a, where, "degradation_per_year", "array_degradation_per_year", "array_degradation_per_year",
             uncertain(a.degradation_per_year).nominal)
        sm = float(a.specific_mass_kg_per_m2)
        total = base.array_blanket_kg_per_m2 + base.array_structure_kg_per_m2
        fields["array_blanket_kg_per_m2"] = sm * base.array_blanket_kg_per_m2 / total
        fields["array_structure_kg_per_m2"] = sm * base.array_structure_kg_per_m2 / total
        how = "" if "specific_mass_kg_per_m2" in a.model_fields_set else ", schema default"
        from_scenario.append(f"array_specific_mass {sm:g} kg/m2 ({where}.specific_mass_kg_per_m2{how})")
    else:
        default("array_efficiency", base.array_efficiency)
        default("array_specific_mass", base.array_blanket_kg_per_m2 + base.array_structure_kg_per_m2, " kg/m2")
        default("array_degradation_per_year", 0.0)
    b = operations.storage.battery
    if b is not None:
        take(b, "battery", "specific_energy_wh_per_kg", "battery_specific_energy_j_per_kg",
             "battery_specific_energy_wh_per_kg", float(b.specific_energy_wh_per_kg), " Wh/kg")
        fields["battery_specific_energy_j_per_kg"] *= 3600.0
        take(b, "battery", "depth_of_discharge", "battery_depth_of_discharge", "battery_depth_of_discharge",
             float(b.depth_of_discharge))
        take(b, "battery", "charge_efficiency", "battery_charge_efficiency", "battery_charge_efficiency",
             uncertain(b.charge_efficiency).nominal)
        take(b, "battery", "discharge_efficiency", "battery_discharge_efficiency", "battery_discharge_efficiency",
             uncertain(b.discharge_efficiency).nominal)
        take(b, "battery", "capacity_fade_per_year", "battery_fade_per_year", "battery_fade_per_year",
             float(b.capacity_fade_per_year))
    else:
        default("battery_specific_energy_wh_per_kg", base.battery_specific_energy_j_per_kg / 3600.0, " Wh/kg")
        default("battery_depth_of_discharge", base.battery_depth_of_discharge)
        default("battery_charge_efficiency", base.battery_charge_efficiency)
        default("battery_discharge_efficiency", base.battery_discharge_efficiency)
        default("battery_fade_per_year", 0.0)
    r = operations.storage.fuel_cell
    if r is not None:
        take(r, "fuel_cell", "fuel_cell_efficiency", "fuel_cell_efficiency", "fuel_cell_efficiency",
             uncertain(r.fuel_cell_efficiency).nominal)
        take(r, "fuel_cell", "electrolyser_efficiency", "electrolyser_efficiency", "electrolyser_efficiency",
             uncertain(r.electrolyser_efficiency).nominal)
    else:
        default("fuel_cell_efficiency", base.fuel_cell_efficiency)
        default("electrolyser_efficiency", base.electrolyser_efficiency)
    return replace(base, **fields), from_scenario, defaults


def _crewed_load_notes(model: Any, crew: Any) -> list[str]:
    """Notes on the loads that depend on the crew (``when: crewed`` or ``per_crew``): `power size` counts the
    crew of the operations section's own schedule (operations.crew and its crew resupply), not the crew that
    the campaign plan brings (solving the campaign is too costly here)."""
    import numpy as np

    loads = [ld for ld in model.operations.loads if "crewed" in ([ld.when] if isinstance(ld.when, str) else ld.when)
             or ld.per_crew]
    if not loads:
        return []
    listed = ", ".join(
        f"{ld.name} {ld.power_kw:g} kW{' per crew' if ld.per_crew else ''} "
        f"(when {ld.when if isinstance(ld.when, str) else ' and '.join(ld.when)})"
        for ld in loads
    )
    campaign = getattr(model, "campaign", None)
    from_campaign = campaign is not None and campaign.logistics is not None
    peak_crew = float(np.max(crew)) if np.size(crew) else 0.0
    if peak_crew <= 0:
        why = (
            "the crew come from the campaign plan, which `power size` does not solve (`lunarops simulate` and "
            "`lunarops run` do)"
            if from_campaign
            else "the scenario's operations section schedules no crew (operations.crew)"
        )
        return [
            f"crewed loads left out of the load profile: {listed}; {why}. Add them by hand (e.g. through "
            "--margin, or size with --load-kw at the total) for the crew you plan"
        ]
    extra = "; crew that the campaign plan brings are not counted (it is not solved here)" if from_campaign else ""
    return [
        f"crewed loads counted at the operations section's own crew schedule (up to {peak_crew:g} crew): "
        f"{listed}{extra}"
    ]


def size(
    load_kw: Annotated[float | None, typer.Option("--load-kw", help="continuous load to carry [kW]")] = None,
    scenario: Annotated[
        Path | None,
        typer.Option(
            "--scenario",
            help="take the load profile (every load's schedule), site and period from this scenario's "
            "operations section instead of --load-kw and the site options, on the scenario's light (its "
            "terrain horizon when it has a terrain section, as in `lunarops simulate`)",
        ),
    ] = None,
    latitude_deg: Annotated[
        float | None, typer.Option("--latitude-deg", help="with --load-kw [default: -89.45]")
    ] = None,
    longitude_deg: Annotated[
        float | None, typer.Option("--longitude-deg", help="with --load-kw [default: 222.69]")
    ] = None,
    mast_height_m: Annotated[
        float | None, typer.Option("--mast-height-m", help="array height, with --load-kw [m] [default: 10]")
    ] = None,
    start: Annotated[
        str | None, typer.Option("--start", help="UTC start of the light series, with --load-kw [default: 2030-01-01]")
    ] = None,
    days: Annotated[
        float | None,
        typer.Option(
            "--days",
            help="period to size for, with --load-kw; sized on the whole lunations (synodic months, 29.530589 d) "
            "that fit in it, at least one [default: 365.25, i.e. 12 lunations = 354.367 d]",
        ),
    ] = None,
    tracking: Annotated[
        str | None,
        typer.Option(
            "--tracking",
            help="fixed | vertical_single_axis | two_axis (default: the scenario's first array, else "
            "vertical_single_axis)",
        ),
    ] = None,
    tilt_deg: Annotated[
        float | None, typer.Option("--tilt-deg", help="fixed arrays' tilt (default: the scenario's, else 90)")
    ] = None,
    azimuth_deg: Annotated[
        float | None, typer.Option("--azimuth-deg", help="fixed arrays' azimuth (default: the scenario's, else 0)")
    ] = None,
    margin: Annotated[float, typer.Option("--margin", help="load margin, e.g. 0.2")] = 0.0,
    json_output: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
) -> None:
    """Smallest array + Li-ion, array + RFC, or fission plant that carries a load at a site.

    Light: a smooth sphere at the site options with --load-kw; with --scenario, the scenario's site, period and
    light as in `lunarops simulate` (its terrain horizon at the site's mast when it has a terrain section) and,
    unless --tracking / --tilt-deg / --azimuth-deg are given, the orientation of its first solar array."""
    from lunarops.errors import InputError

    with handle_errors():
        site_options = {
            "--latitude-deg": latitude_deg, "--longitude-deg": longitude_deg, "--mast-height-m": mast_height_m,
            "--start": start, "--days": days,
        }
        given_site_options = [name for name, value in site_options.items() if value is not None]
        if scenario is not None and given_site_options:
            raise InputError(
                f"{', '.join(given_site_options)} apply with --load-kw; with --scenario the site, period and light "
                "(at the site's mast) are the scenario's: drop them or edit the scenario"
            )
        latitude_deg = -89.45 if latitude_deg is None else latitude_deg
        longitude_deg = 222.69 if longitude_deg is None else longitude_deg
        start = "2030-01-01T00:00:00Z" if start is None else start
        days = 365.25 if days is None else days
        for value, name, low, high, unit in (
            (latitude_deg, "--latitude-deg", -90.0, 90.0, "deg"),
            (longitude_deg, "--longitude-deg", -180.0, 360.0, "deg"),
            *([(mast_height_m, "--mast-height-m", 0.0, 1000.0, "m")] if mast_height_m is not None else []),
            (days, "--days", 1.0, 20 * 365.25, "d"),
            *([(tilt_deg, "--tilt-deg", 0.0, 90.0, "deg")] if tilt_deg is not None else []),
            *([(azimuth_deg, "--azimuth-deg", 0.0, 360.0, "deg")] if azimuth_deg is not None else []),
            (margin, "--margin", 0.0, 10.0, ""),
            *([(load_kw, "--load-kw", 0.0, 1e6, "kW")] if load_kw is not None else []),
        ):
            check_range(value, name, low, high, unit)
        if load_kw is not None and scenario is not None:
            raise InputError(
                f"got both --load-kw {load_kw:g} and --scenario {scenario}: give either --load-kw (a constant load) "
                "or --scenario (its load profile), not both"
            )
        if load_kw is None and scenario is None:
            raise InputError("give either --load-kw (a constant load) or --scenario (its load profile)")
        if load_kw is not None and load_kw <= 0:
            raise InputError(f"--load-kw = {load_kw:g} must be > 0 kW: there is nothing to size for no load")
        from datetime import timedelta

        import numpy as np

        from lunarops.errors import InfeasibleError
        from lunarops.ops.sizing import (
            ECLIPSE_YEAR_D,
            SYNODIC_MONTH_D,
            PowerTechnology,
            longest_dark_spell,
            lunation_window,
            size_power,
        )
        from lunarops.ops.station import SolarArray
        from lunarops.ops.uncertain import Uncertain
        from lunarops.runner.stages.operations import smooth_sphere_light
        from lunarops.timescale import parse_utc

        if scenario is None and lunation_window(days, 3600.0).lunations == 0:
            raise InputError(
                f"--days {days:g} is shorter than one lunar day and night (the synodic month, {SYNODIC_MONTH_D} d): "
                "the sizing closes cyclically (the window's end joins its start), which only holds over a window "
                "that repeats, i.e. whole lunations; inside one lunation the window may even lie wholly in one "
                f"night. Give --days {SYNODIC_MONTH_D} or more (it is rounded down to whole lunations; "
                f"12 = {12 * SYNODIC_MONTH_D:.3f} d, what the default 365.25 sizes on)"
            )
        if tracking is not None and tracking not in ("fixed", "vertical_single_axis", "two_axis"):
            raise InputError(f"--tracking {tracking!r} is not known; use fixed, vertical_single_axis or two_axis")
        geometry: dict[str, Any] = {
            "tracking": "vertical_single_axis", "tilt_deg": 90.0, "azimuth_deg": 0.0, "mast_height_m": 10.0
        }
        geometry_source = "options" if scenario is None else "defaults (the scenario has no solar array)"
        step_s = 3600.0
        window = lunation_window(days, step_s)  # the --load-kw window; the scenario's below
        load_w: Any = (load_kw or 0.0) * 1e3
        source = "constant load"
        tech = PowerTechnology()
        tech_notes: list[str] = [
            "technology: the PowerTechnology defaults (Colozza 2020, NASA/CR-2020-220368): array efficiency "
            f"{tech.array_efficiency:g}, {tech.array_blanket_kg_per_m2 + tech.array_structure_kg_per_m2:g} kg/m2; "
            f"Li-ion {tech.battery_specific_energy_j_per_kg / 3600:g} Wh/kg at depth of discharge "
            f"{tech.battery_depth_of_discharge:g}, charge and discharge efficiency 1.0 (the reference gives none: "
            "lossless, optimistic; real Li-ion is about 0.95-0.97 each way); RFC fuel cell "
            f"{tech.fuel_cell_efficiency:g}, electrolyser {tech.electrolyser_efficiency:g}; no array degradation "
            "or battery fade. Give --scenario to size with a scenario's figures"
        ]
        crew_notes: list[str] = []
        if scenario is not None:
            from lunarops.ops.inputs import build_inputs
            from lunarops.runner.stages.operations import base_site, light_for_scenario, station_from_section
            from lunarops.scenario import load_scenario

            model = load_scenario(scenario)
            if model.operations is None:
                raise InputError(f"--scenario {scenario}: the scenario has no operations section to size for")
            tech, tech_given, tech_defaults = technology_from_operations(model.operations)
            tech_notes = [f"technology from the scenario: {'; '.join(tech_given)}"] if tech_given else []
            if tech_defaults:
                tech_notes.append(
                    "technology not in the scenario, at the defaults: " + "; ".join(tech_defaults)
                    + " (Colozza 2020 = NASA/CR-2020-220368)"
                )
            site = base_site(model)
            latitude_deg, longitude_deg = site.latitude_deg, site.longitude_deg
            if model.operations.power.solar_arrays:
                first = model.operations.power.solar_arrays[0]
                geometry = {key: getattr(first, key) for key in geometry}
                geometry_source = f"the scenario's solar array {first.name!r}"
            # the scenario's light, as in `simulate` and `lunarops run`: terrain horizon when it has a terrain section
            light, light_note = light_for_scenario(model, scenario_site_products(model))
            # the whole station: every load as if online from the start (arrives_with / online_utc not applied)
            station = station_from_section(model.operations, model.period.start_utc, all_online=True)
            x = build_inputs(
                station, light, np.datetime64(model.period.start_utc.replace(tzinfo=None), "us"), model.period.step_s,
                model.operations.daylight_min_sun_fraction,
            )
            demand = x.demand_w * np.where((x.load_daylight[:, None] == 1) & (x.daylight[None, :] < 0.5), 0.0, 1.0)
            # a load that is not running draws its standby (keep-alive) power, as in the engine
            demand = np.where(demand > 0.0, demand, x.standby_w)
            load_w = demand.sum(axis=0)
            step_s = model.period.step_s
            period_s = (model.period.end_utc - model.period.start_utc).total_seconds()
            window = lunation_window(period_s / 86400.0, step_s)
            if window.lunations == 0:
                raise InputError(
                    f"--scenario {scenario}: its period ({model.period.start_utc:%Y-%m-%dT%H:%MZ} to "
                    f"{model.period.end_utc:%Y-%m-%dT%H:%MZ}, {period_s / 86400.0:g} d) is shorter than one lunar day "
                    f"and night (the synodic month, {SYNODIC_MONTH_D} d): the sizing closes cyclically, which only "
                    "holds over whole lunations; lengthen the scenario's period (period.end_utc) to at least "
                    f"{SYNODIC_MONTH_D} d after its start, or size a constant load with --load-kw and --days"
                )
            crew_notes = _crewed_load_notes(model, x.crew)
            load_kw = float(load_w.mean()) / 1e3
            source = (
                f"load profile of {scenario} at {site.name!r} (mean {load_kw:.2f} kW, peak "
                f"{float(load_w.max()) / 1e3:.2f} kW)"
            )
        else:
            t0 = parse_utc(start).utc_datetime()
            t1 = t0 + timedelta(days=window.window_days)  # whole lunations (lunation_window)
            mast_m = float(geometry["mast_height_m"]) if mast_height_m is None else mast_height_m
            light = smooth_sphere_light(latitude_deg, longitude_deg, mast_m, 0.0, t0, t1, step_s)
            light_note = (
                f"light at ({latitude_deg:g}, {longitude_deg:g}) deg on a smooth sphere (disk above the horizon "
                f"dipped for a {mast_m:g} m mast); give --scenario with a terrain section for real horizons"
            )
        given: dict[str, Any] = {
            "tracking": tracking, "tilt_deg": tilt_deg, "azimuth_deg": azimuth_deg, "mast_height_m": mast_height_m
        }
        overridden = [f"--{key.replace('_', '-')}" for key, value in given.items() if value is not None]
        geometry.update({key: value for key, value in given.items() if value is not None})
        if geometry["tracking"] != "fixed":
            for name, angle in (("--tilt-deg", tilt_deg), ("--azimuth-deg", azimuth_deg)):
                if angle is not None:
                    raise InputError(
                        f"{name} {angle:g} applies to fixed arrays only; the array tracks "
                        f"({geometry['tracking']}), which sets its own orientation: drop {name}, or give "
                        "--tracking fixed"
                    )
        if overridden and scenario is not None:
            geometry_source += f", with {', '.join(overridden)} from the command line"
        kind: Literal["fixed", "vertical_single_axis", "two_axis"] = geometry["tracking"]
        array = SolarArray(
            "array",
            1.0,
            Uncertain.fixed(0.25),
            tracking=kind,
            tilt_rad=np.radians(float(geometry["tilt_deg"])),
            azimuth_rad=np.radians(float(geometry["azimuth_deg"])),
            mast_height_m=float(geometry["mast_height_m"]),
        )
        mast_text = "" if scenario is not None else f", mast {float(geometry['mast_height_m']):g} m"  # light's mast
        orientation = (
            f", tilt {float(geometry['tilt_deg']):g} deg, azimuth {float(geometry['azimuth_deg']):g} deg"
            if kind == "fixed"
            else ""
        )
        array_note = f"array: {kind}{orientation}{mast_text} ({geometry_source})"
        irradiance = light.irradiance_on_array_w_per_m2(array)
        t_start = model.period.start_utc if scenario is not None else parse_utc(start).utc_datetime()

        def utc_at(step: int) -> str:
            return (t_start + timedelta(seconds=step * step_s)).strftime("%Y-%m-%dT%H:%MZ")

        # size on the window of whole lunations: cyclic closure joins its end to its start at the same phase of
        # the lunar day (a partial lunation would stitch two part-nights into one fake night); the light and a
        # scenario's load profile are cut to it (the load's mean in the header stays the scenario period's)
        n_steps = min(window.steps, int(np.asarray(irradiance).shape[0]))
        irradiance = np.asarray(irradiance)[:n_steps]
        if np.ndim(load_w) == 1:
            load_w = np.asarray(load_w)[:n_steps]
        period_days = window.requested_days
        window_days = n_steps * step_s / 86400.0
        dark_first, dark_steps = longest_dark_spell(irradiance)
        dark_spell = (
            {"start_utc": utc_at(dark_first), "hours": dark_steps * step_s / 3600.0} if dark_steps else None
        )
        results: dict[str, Any] = {}
        for option in ("pv_battery", "pv_rfc", "fission"):
            try:
                r = size_power(irradiance, load_w, step_s, option, margin, tech=tech, life_years=period_days / 365.25)
            except InfeasibleError as error:
                results[option] = {"feasible": False, "reason": str(error)}
                continue
            res: dict[str, Any] = {
                "feasible": True,
                "array_area_m2": r.array_area_m2,
                "array_peak_kw_bol": r.array_peak_w_bol / 1e3,
                "array_peak_kw_eol": r.array_peak_w_eol / 1e3,
                "storage_delivered_kwh": r.storage_delivered_j / 3.6e6,
                "fission_units": r.fission_units,
                "total_mass_kg": r.total_mass_kg,
                "masses_kg": r.masses_kg,
            }
            if option == "pv_battery":
                res["battery_nameplate_kwh_bol"] = r.storage_nameplate_j / 3.6e6
                res["battery_nameplate_kwh_eol"] = r.storage_nameplate_j * r.storage_eol_factor / 3.6e6
            if option != "fission":
                res["array_eol_factor"] = r.array_eol_factor
                res["period_balance_kwh"] = r.period_balance_j / 3.6e6
                if r.drawdown_start_step >= 0:
                    res["deepest_drawdown_from_utc"] = utc_at(r.drawdown_start_step)
                    res["deepest_drawdown_to_utc"] = utc_at(r.drawdown_end_step)
            results[option] = res
        notes = [light_note, array_note, *tech_notes, *crew_notes]
        notes.append(
            f"window: {window.lunations} whole lunations = {window.window_days:.3f} d from {utc_at(0)} "
            f"({n_steps} steps = {window_days:.3f} d, window_days), the "
            f"{period_days:g}-day period rounded down to whole synodic months of {SYNODIC_MONTH_D} d (mean, Meeus / "
            "Astronomical Almanac): the sizing closes cyclically (the window's end joins its start), which holds "
            "only over a window that repeats, so the join must fall at the same phase of the lunar day; a part "
            "lunation would stitch two part-nights into one fake night (or cut a day short) and size the storage on "
            f"it. Rounded down so the window stays inside the period asked for (a scenario's load and light); "
            f"{window.dropped_days:.2f} d dropped (part of another lunar day and night)"
        )
        notes.append(
            "sizing: cyclic closure over the window (energy generated covers the load plus storage losses, "
            "storage ends no lower than it starts, so the design repeats lunation after lunation); storage = the "
            "deepest drawdown of the wrapped energy balance (deepest_drawdown_from/to_utc); end of life: array "
            "output x (1 - degradation_per_year) ^ years and battery capacity x (1 - fade) ^ years over the "
            f"{period_days / 365.25:.2f}-year period asked for (array_eol_factor; battery_nameplate_kwh_bol is what "
            "to fly)"
        )
        if abs(latitude_deg) > 80.0:
            seasons = (
                f"it holds a whole year of seasons, its end joining the season cycle "
                f"{window_days - ECLIPSE_YEAR_D * np.floor(window_days / ECLIPSE_YEAR_D):.1f} d past its start"
                if window.covers_eclipse_year
                else f"it is shorter than that year and misses part of the seasons (the deepest polar darkness may "
                f"not be in it): give --days {12 * SYNODIC_MONTH_D:.3f} (12 lunations) or more"
            )
            notes.append(
                f"polar site (latitude {latitude_deg:g} deg): the Sun circles the horizon once a lunation while its "
                f"elevation swings +-1.54 deg over the eclipse year ({ECLIPSE_YEAR_D:.2f} d, the lunar seasons); no "
                "short window repeats both (223 lunations = 19 eclipse years, 18 years), so the window is whole "
                f"lunations (the Sun's azimuth joins at the seam) and {window.lunations} lunations = "
                f"{window_days:.2f} d: {seasons}"
            )
        if abs(latitude_deg) > 80.0 and period_days <= 366.0:
            notes.append(
                f"polar site (latitude {latitude_deg:g} deg) sized on {period_days:g} days "
                f"({window.lunations} lunations, {window_days:.2f} d): the darkness at the poles "
                "changes from year to year over an 18-year cycle (223 lunations), so other years have longer nights "
                "than this window (and coarse-DEM darkness is itself a lower bound, docs/illumination.md); size on a "
                "multi-year window (several years of that cycle) or add --margin"
            )
        if json_output:
            print_json(
                {
                    "load_kw": load_kw,
                    "load": source,
                    "margin": margin,
                    "light": light.source,
                    "notes": notes,
                    "latitude_deg": latitude_deg,
                    "longitude_deg": longitude_deg,
                    "period_days": period_days,
                    "window_days": window_days,
                    "lunations": window.lunations,
                    "longest_dark_spell": dark_spell,
                    "options": results,
                }
            )
            return
        for option, res in results.items():
            flat = {k: v for k, v in res.items() if k != "masses_kg"}
            flat.update({f"mass {k} [kg]": v for k, v in res.get("masses_kg", {}).items()})
            console.print(_table(f"{option}: {source} x (1 + {margin:g}), {light.source} light", flat))
        if dark_spell is not None:
            console.print(
                f"longest dark spell on the array: {dark_spell['hours']:g} h from {dark_spell['start_utc']}"
            )
        for note in notes:
            console.print(f"note: {note}")


def register(app: typer.Typer) -> None:
    """Add this group's commands to the root app."""
    app.command("simulate")(simulate)
    power_app.command("size")(size)
    app.add_typer(power_app, name="power")
