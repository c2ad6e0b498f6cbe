"""CLI commands of the campaign group: `lunarops campaign solve FILE [--json]`, `lunarops campaign catalog
[FILE] [--json]`.

FILE is either a campaign-only YAML (the fields of the scenario's `campaign:` section at the top level, e.g.
`src/lunarops/examples/campaigns/isaji2022-apollo.yaml`) or a full scenario with a `campaign:` section: a file
whose top level has `campaign` (or `schema_version`, `period`, `sites`) is read as a full scenario. With
`consumables_from_operations: true`, a full scenario's `operations:` section sets the consumables of the stays
as in `lunarops run` (the same function builds the problem, so both solve the same plan).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from lunarops.cli.common import HELP_MARKUP, console, handle_errors, print_json, progress_bar
from lunarops.errors import InputError
from lunarops.scenario.campaign import CampaignSection

campaign_app = typer.Typer(
    help="The campaign: roadmap, transport and the logistics plan.", no_args_is_help=True, rich_markup_mode=HELP_MARKUP
)
_SCENARIO_KEYS = {"campaign", "schema_version", "period", "sites"}


def load_campaign(path: Path) -> CampaignSection:
    """Read a campaign-only file or a full scenario and return its validated campaign section."""
    return load_campaign_and_operations(path)[0]


def load_campaign_and_operations(path: Path) -> tuple[CampaignSection, Any]:
    """The validated campaign section of a campaign-only file or a full scenario, and the scenario's operations
    section (None for a campaign-only file or a scenario without one)."""
    section, operations, _scenario = _load_campaign_scenario(path)
    return section, operations


def _load_campaign_scenario(path: Path) -> tuple[CampaignSection, Any, Any]:
    """load_campaign_and_operations, and the whole scenario (None for a campaign-only file)."""
    from lunarops.scenario.load import parse_scenario, parse_yaml_mapping, read_scenario_text, validate_mapping

    name = str(path)
    text = read_scenario_text(path)
    node, data = parse_yaml_mapping(text, name)
    if _SCENARIO_KEYS & set(data):
        scenario = parse_scenario(text, name)
        if scenario.campaign is None:
            raise InputError(f"{name}: the scenario has no `campaign:` section; add one")
        section: CampaignSection = scenario.campaign
        return section, getattr(scenario, "operations", None), scenario
    return validate_mapping(node, data, name, CampaignSection), None, None


def _print_plan(
    summary: dict[str, Any], manifest: Any, notes: list[str], launches: Any = None, per_year: Any = None
) -> None:
    table = Table(title="Campaign plan")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        if key == "imleo_label":
            continue
        if isinstance(value, dict):  # vehicles_launched: one row per design
            for name, count in value.items():
                table.add_row(f"{key} ({name})", str(count))
            continue
        label = f"{summary['imleo_label']}, kg (imleo_kg)" if key == "imleo_kg" and "imleo_label" in summary else key
        table.add_row(label, f"{value:,.3f}" if isinstance(value, float) else str(value))
    console.print(table)
    # eight short columns fit an 80-column terminal: the step's date to the minute, the leg's arrival as month-day
    # and time (the year is the date's or the next), each copy as a short label (legend in the caption), masses in
    # tonnes; --json has every column, in kg, and arrival_utc in full
    labels, legend = _craft_labels([str(v) for v in manifest["spacecraft"]] if len(manifest) else [])
    caption = f"craft: {legend}; masses in t (--json: kg)" if legend else "masses in t (--json: kg)"
    flights = Table(title="Launch manifest", caption=caption, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                    collapse_padding=True)
    flights.add_column("date UTC", no_wrap=True)
    flights.add_column("arrives", no_wrap=True)
    flights.add_column("craft", no_wrap=True)
    flights.add_column("route")
    for header in ("crew", "payload", "prop", "gross"):
        flights.add_column(header, justify="right", no_wrap=True)

    def cell(column: str, i: int) -> str:
        if column not in manifest.columns:
            return "0" if column == "crew" else "-"
        value = manifest[column].iloc[i]
        return str(int(value)) if column == "crew" else f"{float(value) / 1000.0:,.2f}"

    for i in range(len(manifest)):
        when = str(manifest["date_utc"].iloc[i]).replace("T", " ")[:16]
        arrival = str(manifest["arrival_utc"].iloc[i]) if "arrival_utc" in manifest.columns else ""
        arrives = arrival.replace("T", " ")[5:16] if arrival else "-"
        route = str(manifest["route"].iloc[i]).replace(" -> ", "->")
        flights.add_row(when, arrives, labels[i], route,
                        *(cell(c, i) for c in ("crew", "payload_kg", "propellant_loaded_kg", "gross_mass_kg")))
    console.print(flights)
    if launches is not None and len(launches):
        table = Table(title="Launches", show_edge=False)
        for header in ("date UTC", "launch vehicle", "to", "launches"):
            table.add_column(header, justify="right" if header == "launches" else "left", no_wrap=True)
        for when, vehicle, node, count in zip(launches["date_utc"], launches["launch_vehicle"], launches["to"],
                                              launches["launches"], strict=True):
            table.add_row(str(when).replace("T", " ")[:16], str(vehicle), str(node), str(int(count)))
        console.print(table)
    if per_year is not None and len(per_year):
        table = Table(title="Launched per year", show_edge=False)
        table.add_column("year")
        table.add_column(f"{summary.get('imleo_label', 'mass launched')}, t", justify="right")
        for year, mass in zip(per_year["year"], per_year["launched_mass_kg"], strict=True):
            table.add_row(str(int(year)), f"{float(mass) / 1000.0:,.3f}")
        console.print(table)
    for note in notes:
        console.print(f"Note: {note}")


def _craft_labels(names: list[str]) -> tuple[list[str], str]:
    """Short labels of the manifest's spacecraft ("isaji2022-fixed#2" -> "A2"; a name without a copy number,
    e.g. the launcher's own payload, gets a letter of its own) and the legend of the letters."""
    letters: dict[str, str] = {}
    labels = []
    for name in names:
        base, sep, copy = name.rpartition("#")
        if not sep:
            base, copy = name, ""
        key = letters.setdefault(base, chr(ord("A") + len(letters)) if len(letters) < 26 else f"{len(letters)}.")
        labels.append(f"{key}{copy}")
    return labels, ", ".join(f"{key} = {base}" for base, key in letters.items())


@campaign_app.command("solve")
def solve_command(
    file: Annotated[Path, typer.Argument(help="campaign YAML or full scenario with a campaign section")],
    json_output: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="no progress bar")] = False,
) -> None:
    """Solve the logistics MILP of a campaign and print the launched mass (IMLEO when launches go to LEO), status,
    solve time, vehicles launched per design, the manifest (each leg's step date and arrival), the launches per
    date and the mass launched per year."""
    from lunarops.logistics import outputs

    with handle_errors():
        section, operations, scenario = _load_campaign_scenario(file)
        # the run stage's own function: the same consumables rates (stays from the operations life support with
        # consumables_from_operations, transits at consumables_kg_per_crew_day) and the same notes
        from lunarops.runner.stages.campaign import (
            consumables_problem,
            isru_site_notes,
            missions_flown_early,
            roadmap_notes,
            single_launch_notes,
            solve_campaign,
        )

        problem, _split, notes = consumables_problem(section, operations)
        epoch = section.epoch_utc
        with progress_bar("campaign", enabled=not (quiet or json_output)) as update:
            plan = solve_campaign(problem, epoch, update)
        notes = notes + missions_flown_early(problem, plan, epoch)
        notes += single_launch_notes(problem) + isru_site_notes(section, scenario)
        if section.roadmap is not None:
            notes += roadmap_notes(section.roadmap.roadmap())
        manifest = outputs.manifest(plan, epoch, problem)
        summary = {**plan.summary(), "vehicles_launched": outputs.vehicles_launched(plan),
                   **outputs.launch_info(problem)}
        # what the plan's ISRU makes, as `lunarops run` gives it (campaign summary)
        made = outputs.isru_production_kg(plan, problem, epoch)
        summary.update({f"isru_{product}_made_kg": kg for product, kg in made.items()})
        per_year = outputs.mass_per_year(plan, epoch)
        launches = outputs.launch_table(plan, epoch)
        if json_output:
            print_json(
                {
                    **summary,
                    "mass_per_year_kg": {str(int(y)): float(m) for y, m in zip(per_year["year"],
                                                                               per_year["launched_mass_kg"],
                                                                               strict=True)},
                    "manifest": manifest.to_dict(orient="records"),
                    "launches": launches.to_dict(orient="records"),
                    "notes": notes,
                }
            )
        else:
            _print_plan(summary, manifest, notes, launches, per_year)


_CATALOG_TITLES = {
    "launch_vehicles": "Launch vehicles (payload per launch to each launch node; logistics.launch_vehicles)",
    "spacecraft": "Spacecraft and landers (logistics.fleet; payload = the most one copy carries on an in-space leg)",
    "elements": "Elements (logistics.missions.*.deliver; each travels whole in one spacecraft)",
    "delta_v": "Delta-v legs (arcs without dv_km_per_s; the orbits stage's ledger comes first)",
}


def _catalog_cell(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {_catalog_cell(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            return f"{value:,.3f}".rstrip("0")  # as the catalog holds it, to the gram (kg) or m/s (km/s)
        return f"{value:,.0f}"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())[:10]
    return str(value)


@campaign_app.command("catalog")
def catalog_command(
    file: Annotated[
        Path | None,
        typer.Argument(help="optional campaign YAML or full scenario: list the catalogs with its overrides merged"),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="print the catalogs as JSON")] = False,
) -> None:
    """List the catalogs a campaign picks names from: launch vehicles (payload per launch node, cost per launch or
    "not public", cadence, first flight), spacecraft and landers (payload, propellant and dry mass, Isp,
    propellants), elements (mass) and the delta-v legs, each with its source. With FILE, the scenario's
    campaign.launch_vehicles, .spacecraft and .elements overrides are merged in, as `campaign solve` merges
    them."""
    from lunarops.logistics.catalogs import LISTING_FIELDS, NOT_PUBLIC, listing

    with handle_errors():
        overrides: dict[str, dict[str, dict[str, Any]]] = {}
        if file is not None:
            section = load_campaign(file)
            overrides = {
                "launch_vehicles": {k: v.model_dump() for k, v in section.launch_vehicles.items()},
                "spacecraft": {k: v.model_dump() for k, v in section.spacecraft.items()},
                "elements": {k: v.model_dump() for k, v in section.elements.items()},
            }
        rows = listing(overrides)
        if json_output:
            print_json(rows)
            return
        for name, entries in rows.items():
            fields = [f for f in LISTING_FIELDS[name] if any(f in row for row in entries)]
            table = Table(title=_CATALOG_TITLES[name], box=box.SIMPLE_HEAD, show_edge=False)
            table.add_column("name", no_wrap=True)
            for field in fields:
                table.add_column(field, justify="left" if field in ("payload_kg", "kind", "oxidizer", "fuel",
                                                                    "sizing") else "right")
            table.add_column("source")
            for row in entries:
                cells = [
                    (NOT_PUBLIC if f == "cost_musd" else "-") if row.get(f) is None else _catalog_cell(row[f])
                    for f in fields
                ]
                table.add_row(row["name"], *cells, row["source"])
            console.print(table)


def register(app: typer.Typer) -> None:
    """Add this group's commands to the root app."""
    app.add_typer(campaign_app, name="campaign")
