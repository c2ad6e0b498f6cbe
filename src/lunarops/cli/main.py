"""The `lunarops` command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from lunarops import __version__
from lunarops.cli import campaign, light, ops, orbit, runs, sky, terrain, web
from lunarops.cli.common import (
    HELP_MARKUP,
    check_output_dir,
    check_output_file,
    console,
    err_console,
    handle_errors,
    print_json,
    progress_bar,
)
from lunarops.cli.runs import DB_HELP, ScenarioPattern, SinceFilter, StatusFilter
from lunarops.errors import InputError
from lunarops.numformat import format_value

app = typer.Typer(
    rich_markup_mode=HELP_MARKUP,
    name="lunarops",
    help="Plan and simulate a lunar research station on real ephemerides and terrain.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
runs_app = typer.Typer(
    help="The run catalog.", no_args_is_help=True, rich_markup_mode=HELP_MARKUP
)
app.add_typer(runs_app, name="runs")
runs.register(runs_app)  # runs export, runs delete

for group in (sky, terrain, light, orbit, campaign, ops, web):
    group.register(app)


def _version(value: bool) -> None:
    if value:
        console.print(f"lunarops {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="show the version")
    ] = False,
) -> None:
    """lunarops: where to build, what flies, and whether the station lives."""


@app.command()
def run(
    scenario: Annotated[Path | None, typer.Argument(help="scenario YAML; the embedded default when omitted")] = None,
    out: Annotated[Path, typer.Option("--out", help="output directory")] = Path("lunarops-out"),
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    fresh: Annotated[
        bool,
        typer.Option("--fresh", help="ignore earlier runs' checkpoints in --out (reused where a stage's inputs match)"),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="no progress bar")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
) -> None:
    """Run the main job: every stage of a scenario, then the report, the results and the catalog record."""
    from lunarops.runner.run import run as run_scenario
    from lunarops.scenario import default_scenario_path, load_scenario

    with handle_errors():
        path = scenario or default_scenario_path()
        model = load_scenario(path)
        check_output_dir(out, "--out")
        with progress_bar(f"lunarops run: {model.name}", enabled=not quiet and not json_output) as update:
            results = run_scenario(
                model, out, db_url=db, progress=update, resume=not fresh, scenario_text=path.read_text(encoding="utf-8")
            )
        if json_output:
            print_json({"run_id": results.run_id, "report": str(results.report_path), "summary": results.summary()})
            return
        console.print(f"[bold green]done[/] run {escape(results.run_id)} in {results.elapsed_s:.1f} s", markup=True)
        console.print(f"report:  {results.report_path}")
        console.print(f"results: {results.out_dir / 'results'}")
        for stage, summary in results.summary().items():
            table = Table(title=stage, show_header=False)
            items = list(summary.items())
            for key, value in items[:12]:
                table.add_row(str(key), format_value(value))
            if len(items) > 12:
                table.caption = f"first 12 of {len(items)}"
            console.print(table)
        console.print(f"every value: {results.out_dir / 'summary.json'} and the report")


@app.command()
def sweep(
    scenario: Annotated[
        Path | None, typer.Argument(help="base scenario YAML; the embedded default when omitted")
    ] = None,
    param: Annotated[
        list[str],
        typer.Option(
            "--param",
            help="path=v1,v2,... (one per path; repeat for a grid), e.g. sites.0.mast_height_m=0,5,10; values are "
            "split on ',' and read as YAML (1e3 is a number), so a list-valued field cannot be swept",
        ),
    ] = [],  # noqa: B006 - typer reads the default
    out: Annotated[Path, typer.Option("--out", help="output directory")] = Path("lunarops-sweep"),
    workers: Annotated[int, typer.Option("--workers", min=1, max=512, help="parallel workers")] = 2,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="'processes' (default), 'dask-local' or tcp://host:8786")
    ] = None,
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP + "; each finished member is recorded there")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="no progress bar")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="print the table as JSON")] = False,
) -> None:
    """Run a grid of variants of a scenario in parallel (local processes or Dask); resumable: Ctrl-C stops it,
    keeping the finished members, and the same command resumes. Each finished member is recorded in the run
    catalog (`lunarops runs list`)."""
    from lunarops.runner.executors import make_executor
    from lunarops.runner.sweep import (
        SweepInterrupted,
        expand,
        infinite_cells,
        parse_parameters,
        run_sweep,
        stage_sharing,
        sweep_reuse,
        sweep_view,
        write_sweep_table,
    )
    from lunarops.scenario import default_scenario_path, load_scenario

    with handle_errors():
        if scheduler not in (None, "processes", "dask-local") and not scheduler.startswith(("tcp://", "tls://")):
            from lunarops.errors import InputError

            raise InputError(f"--scheduler {scheduler!r}: use 'processes', 'dask-local' or tcp://host:8786")
        check_output_dir(out, "--out")
        base = load_scenario(scenario or default_scenario_path())
        grid = parse_parameters(param)
        members = expand(base, grid)
        sharing = stage_sharing(members)
        reuse = sweep_reuse(members, out, sharing)
        if not json_output:
            console.print(reuse.describe(), highlight=False, soft_wrap=False)
        try:
            with progress_bar(f"sweep of {len(members)} members", enabled=not quiet and not json_output) as update:
                table = run_sweep(
                    members, out, lambda: make_executor(scheduler, workers), progress=update, db_url=db,
                    sharing=sharing,
                )
        except SweepInterrupted as stop:
            err_console.print(str(stop), highlight=False, soft_wrap=True)
            raise typer.Exit(stop.exit_code) from None
        path = write_sweep_table(table, out / "sweep.parquet")
        if json_output:
            rows = table.to_dict(orient="records")
            # JSON has no inf: those cells are null in "rows" and listed here (sweep.parquet keeps the floats)
            print_json(
                {
                    "members": len(table),
                    "table": str(path),
                    "reused": {
                        "members_finished_earlier": reuse.finished,
                        "shared_stage_results": {k: {"results": n, "members": m} for k, (n, m) in reuse.shared.items()},
                        "stage_results_from_earlier_run": reuse.cached,
                    },
                    "rows": rows,
                    "infinite": infinite_cells(table),
                }
            )
            return
        console.print(f"[bold green]done[/] {len(table)} members; table: {escape(str(path))}", markup=True)
        console.print(_catalog_hint(db), highlight=False)
        _print_sweep_view(sweep_view(table, list(grid), console.width), len(table.columns), path)


def _catalog_hint(db: str | None) -> str:
    """Where the sweep's members are recorded, as the command that lists them."""
    import shlex

    if db is None:
        return "each member is recorded in the run catalog: lunarops runs list"
    if db.rstrip("/") in ("sqlite:", "sqlite:/") or db.startswith("sqlite:///:memory:") or "mode=memory" in db:
        return f"the run catalog {db} is in memory: its records of the members are gone now that the sweep has ended"
    return f"each member is recorded in the run catalog: lunarops runs list --db {shlex.quote(db)}"


def _print_sweep_view(view: Any, n_columns: int, path: Path) -> None:
    """The swept parameters, then the outputs that differ between members (lunarops.runner.sweep.SweepView)."""
    table = Table(show_header=True)
    if view.transposed:
        table.add_column(view.header[0], overflow="fold")
        for member in view.header[1:]:
            table.add_column(member, justify="right", no_wrap=True)
    else:
        for name in view.header:
            table.add_column(name, justify="right", no_wrap=True)
    for i, row in enumerate(view.rows):  # the console has no markup: "[pole]" in a name is text
        table.add_row(*row, end_section=view.transposed and i == view.n_parameters - 1)
    if view.rows or not view.transposed:
        console.print(table)
    if not view.rows or (view.transposed and len(view.rows) == view.n_parameters):
        console.print("no output differs between the members")
    if view.members_shown < view.members:
        console.print(
            f"members 0..{view.members_shown - 1} of {view.members} shown (the terminal is too narrow); "
            f"all members: {path}",
            soft_wrap=False,
        )
    if view.constant:
        console.print(
            f"{len(view.constant)} outputs are the same in every member and not shown; "
            f"all {n_columns} columns: {path}"
        )


@app.command()
def validate(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML to check")],
) -> None:
    """Check a scenario file; list every problem with its line, field, value and fix."""
    from lunarops.scenario import load_scenario

    with handle_errors():
        model = load_scenario(scenario)
        from lunarops.runner.stages.operations import check_correlations

        check_correlations(model)  # the correlations' input names need the station's drawn inputs
        _check_dem_file(model, scenario)
        console.print(
            f"[green]valid[/]: {escape(str(scenario))} ({escape(model.name)}, {len(model.sites)} sites, "
            f"{model.period.n_steps:,} steps)",
            markup=True,
        )


def _check_dem_file(model: Any, scenario: Path) -> None:
    """InputError when terrain.dem names a DEM file that `lunarops run` could not read: missing (as the run checks
    it before any stage) or of an unknown kind. The file is not read here (it may be large)."""
    from lunarops.runner.inputs import dem_files
    from lunarops.terrain.readers import DEM_SUFFIXES

    try:
        files = dem_files(model)
    except InputError as error:
        raise InputError(f"{scenario}: {error}") from None
    dem = model.terrain.dem if files else ""
    if files and Path(dem).suffix.lower() not in DEM_SUFFIXES:
        raise InputError(
            f"{scenario}: terrain.dem = {dem!r} has an unknown extension {Path(dem).suffix!r}; give a GeoTIFF "
            "(.tif/.tiff), PDS3 (.img/.lbl) or .npz DEM, or 'south', 'north', 'global', 'none'"
        )


@app.command()
def schema(
    out: Annotated[Path | None, typer.Option("--out", help="write to a file instead of standard output")] = None,
) -> None:
    """Print the JSON Schema of scenario files."""
    from lunarops.atomic import write_text_atomic
    from lunarops.scenario import scenario_json_schema

    with handle_errors():
        check_output_file(out, "--out")
        text = json.dumps(scenario_json_schema(), indent=2)
        if out is None:
            typer.echo(text)
        else:
            write_text_atomic(out, text + "\n")
            err_console.print(f"schema written to {out}")


@runs_app.command("list")
def runs_list(
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000)] = 50,
    json_output: Annotated[bool, typer.Option("--json")] = False,
    scenario: ScenarioPattern = None,
    status: StatusFilter = None,
    since: SinceFilter = None,
) -> None:
    """List recorded runs, newest first (filtered by --scenario, --status and --since)."""
    import fnmatch

    from lunarops.store import Catalog

    with handle_errors():
        from lunarops.errors import InputError
        from lunarops.timescale import parse_utc_datetime

        if status is not None and status not in ("running", "done", "failed"):
            raise InputError(f"--status = {status!r} is not a run status; use running, done or failed")
        after = parse_utc_datetime(since, "--since") if since is not None else None
        with Catalog(db) as catalog:
            records = catalog.newest_where(
                lambda r: (scenario is None or fnmatch.fnmatchcase(r.scenario_name, scenario))
                and (status is None or r.status == status)
                and (after is None or r.started_utc >= after),
                limit,
            )
        if json_output:
            print_json(
                [
                    {
                        "run_id": r.run_id,
                        "scenario": r.scenario_name,
                        "status": r.status,
                        "started_utc": r.started_utc,
                        "elapsed_s": r.elapsed_s,
                        "out_dir": r.out_dir,
                        "output": r.output_state(),
                    }
                    for r in records
                ]
            )
            return
        if not records:
            console.print("no runs recorded yet in this catalog (`lunarops run` and `lunarops sweep --db` record "
                          "them; --db names another catalog)")
            return
        # a narrow terminal gets the id, scenario, status and elapsed time (the id starts with the start time in
        # UTC); the start time and output folder need >= 130 columns, `runs show ID` or --json
        wide = console.width >= 130
        headers = ["run id", "scenario", "status"] + (["started (UTC)"] if wide else []) + ["elapsed [s]"]
        table = Table(*headers, *(["output"] if wide else []))
        table.columns[0].no_wrap = True  # `runs show` needs the id: never cut it
        table.columns[1].overflow = "fold"  # a long word (a parameter path) is folded, not cut with "..."
        if not wide:
            table.caption = "started (UTC): the run id's first part; output folder: lunarops runs show ID, or --json"
        for r in records:
            started = [f"{r.started_utc:%Y-%m-%d %H:%M:%S}"] if wide else []
            table.add_row(
                r.run_id,
                _listed_name(r.scenario_name, r.summary),  # text, not markup ("[sites.0.mast_height_m=10]")
                _listed_status(r),
                *started,
                f"{r.elapsed_s:.1f}" if r.elapsed_s is not None else "",
                *([r.out_dir] if wide else []),
            )
        console.print(table)


def _listed_status(record: Any) -> str:
    """A run's status as `runs list` shows it: a finished run whose folder a later run wrote over says so."""
    if record.status == "done" and record.output_state().startswith("replaced"):
        return "done (output replaced)"
    return str(record.status)


def _listed_name(name: str, summary: dict[str, Any]) -> str:
    """A run's scenario name as `runs list` shows it: a sweep member's name ("BASE [k=v, ...] (sweep member i of
    N)", cut at 200 characters) becomes the base name, "member i/N:" and what varies, a line per "k=v", with
    the parameters' paths shortened ("operations.components.7.clock" -> "components.7.clock")."""
    member = summary.get("sweep_member") if isinstance(summary, dict) else None
    if not isinstance(member, dict) or not isinstance(member.get("parameters"), dict):
        return name
    parameters: dict[str, Any] = member["parameters"]
    base = name.split(" (sweep member ")[0]
    mark = base.rfind(" [")
    base = base[:mark] if mark > 0 else base
    keys = [str(k) for k in parameters]
    short = [_short_path(k) for k in keys]
    if len(set(short)) < len(short):  # two paths ending alike: keep them whole
        short = keys
    varying = "".join(f"\n{s}={v}" for s, v in zip(short, parameters.values(), strict=True))
    return f"{base}\nmember {member.get('member', '?')}/{member.get('members', '?')}:{varying or ' no parameters'}"


def _short_path(path: str) -> str:
    """A parameter path without its section: its last name, with the list it indexes ("components.7.clock")."""
    parts = path.split(".")
    start = len(parts) - 1
    while start > 0 and (parts[start].isdigit() or parts[start - 1].isdigit()):
        start -= 1
    return ".".join(parts[start:])


@runs_app.command("relocate")
def runs_relocate(
    old_dir: Annotated[Path, typer.Argument(help="where the runs' output folders were (a folder above them)")],
    new_dir: Annotated[Path, typer.Argument(help="where they are now (the same layout below it)")],
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="list what would change, change nothing")] = False,
) -> None:
    """Point the catalog's runs at their output folders after a move (or a copy to another machine's catalog):
    every run whose folder is OLD_DIR or lies under it gets the same place under NEW_DIR."""
    from lunarops.errors import InputError
    from lunarops.store import Catalog

    with handle_errors():
        new_abs = new_dir.expanduser().resolve()
        if not dry_run and not new_abs.is_dir():
            raise InputError(f"NEW_DIR {str(new_dir)!r} is not a folder here; move the outputs first, or --dry-run")
        with Catalog(db) as catalog:
            changes = catalog.relocate(str(old_dir.expanduser().absolute()), str(new_abs), dry_run)
        verb = "would point" if dry_run else "now point"
        for run_id, before, after in changes:
            console.print(f"{run_id}: {before} -> {after}", highlight=False, soft_wrap=True)
        console.print(f"{len(changes)} runs {verb} under {new_abs}" if changes else
                      f"no run in this catalog has its output under {old_dir}", highlight=False)


@runs_app.command("show")
def runs_show(
    run_id: Annotated[str, typer.Argument(help="run id or a unique prefix")],
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
) -> None:
    """Show one run: status, output directory and summary (infinite values: null, named under non_finite)."""
    from lunarops.jsonutil import non_finite_marks
    from lunarops.store import Catalog

    with handle_errors():
        with Catalog(db) as catalog:
            r = catalog.get(run_id)
        print_json(
            {
                "run_id": r.run_id,
                "scenario": r.scenario_name,
                "scenario_sha256": r.scenario_sha256,
                "status": r.status,
                "started_utc": r.started_utc,
                "finished_utc": r.finished_utc,
                "elapsed_s": r.elapsed_s,
                "out_dir": r.out_dir,
                "output": r.output_state(),  # "here", "missing" or "replaced by RUN_ID" (a later run's --out)
                "error": r.error,
                "summary": r.summary,
                **({"non_finite": non_finite_marks(r.summary)} if non_finite_marks(r.summary) else {}),
            }
        )


if __name__ == "__main__":  # `python -m lunarops.cli.main ...` as `lunarops ...`
    app(prog_name="lunarops")
