"""CLI commands of the campaign group: `lunarops campaign solve FILE [--json]`.

FILE is either a campaign-only YAML (the fields of the scenario's `campaign:` section at the top level, e.g.
`src/lunarops/examples/campaigns/isaji2022-apollo.yaml`) or a full scenario with a `campaign:` section: a file
whose top level has `campaign` (or `schema_version`, `period`, `sites`) is read as a full scenario.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from lunarops.cli.common import console, handle_errors, print_json, progress_bar
from lunarops.errors import InputError
from lunarops.scenario.campaign import CampaignSection

campaign_app = typer.Typer(help="The campaign: roadmap, transport and the logistics plan.", no_args_is_help=True)
_SCENARIO_KEYS = {"campaign", "schema_version", "period", "sites"}


def load_campaign(path: Path) -> CampaignSection:
    """Read a campaign-only file or a full scenario and return its validated campaign section."""
    from lunarops.scenario.load import parse_scenario, parse_yaml_mapping, read_scenario_text, validate_mapping

    name = str(path)
    text = read_scenario_text(path)
    node, data = parse_yaml_mapping(text, name)
    if _SCENARIO_KEYS & set(data):
        scenario = parse_scenario(text, name)
        if scenario.campaign is None:
            raise InputError(f"{name}: the scenario has no `campaign:` section; add one")
        section: CampaignSection = scenario.campaign
        return section
    return validate_mapping(node, data, name, CampaignSection)


def _print_plan(summary: dict[str, Any], manifest: Any) -> None:
    table = Table(title="Campaign plan")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        table.add_row(key, f"{value:,.3f}" if isinstance(value, float) else str(value))
    console.print(table)
    flights = Table(title="Launch manifest")
    columns = [c for c in ("date_utc", "spacecraft", "route", "crew", "payload_kg", "propellant_loaded_kg",
                           "gross_mass_kg") if c in manifest.columns]
    for c in columns:
        flights.add_column(c)
    for row in manifest[columns].itertuples(index=False):
        flights.add_row(*[f"{v:,.1f}" if isinstance(v, float) else str(v) for v in row])
    console.print(flights)


@campaign_app.command("solve")
def solve_command(
    file: Annotated[Path, typer.Argument(help="campaign YAML or full scenario with a campaign section")],
    json_output: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="no progress bar")] = False,
) -> None:
    """Solve the logistics MILP of a campaign and print IMLEO, status, solve time and the manifest."""
    from lunarops.logistics import outputs
    from lunarops.logistics.model import solve

    with handle_errors():
        section = load_campaign(file)
        problem = section.problem()
        with progress_bar("campaign", enabled=not (quiet or json_output)) as update:
            plan = solve(problem, progress=update)
        epoch = section.epoch_utc
        manifest = outputs.manifest(plan, epoch)
        summary = plan.summary()
        if json_output:
            per_year = outputs.mass_per_year(plan, epoch)
            print_json(
                {
                    **summary,
                    "mass_per_year_kg": {str(int(y)): float(m) for y, m in zip(per_year["year"],
                                                                               per_year["launched_mass_kg"],
                                                                               strict=True)},
                    "manifest": manifest.to_dict(orient="records"),
                    "launches": outputs.launch_table(plan, epoch).to_dict(orient="records"),
                }
            )
        else:
            _print_plan(summary, manifest)


def register(app: typer.Typer) -> None:
    """Add this group's commands to the root app."""
    app.add_typer(campaign_app, name="campaign")
