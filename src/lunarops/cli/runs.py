"""`lunarops runs export` and `lunarops runs delete` (the other `runs` commands are in lunarops.cli.main)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from lunarops.cli.common import check_output_file, console, err_console, handle_errors
from lunarops.errors import InputError

DB_HELP = (
    "catalog URL: sqlite:///PATH or postgresql://USER@HOST/DB; default: catalog.sqlite in $LUNAROPS_HOME, "
    "else in the user data directory"
)
STATUSES = ("running", "done", "failed")
#: the filters `runs list` and `runs export` share
ScenarioPattern = Annotated[
    str | None, typer.Option("--scenario", help="only runs whose scenario name matches this pattern (* and ?)")
]
StatusFilter = Annotated[str | None, typer.Option("--status", help="only runs with this status: running, done, failed")]
SinceFilter = Annotated[
    str | None, typer.Option("--since", help="only runs started at or after this UTC time, e.g. 2031-01-01")
]


def register(runs_app: typer.Typer) -> None:
    runs_app.command("export")(runs_export)
    runs_app.command("delete")(runs_delete)


def runs_export(
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="csv, jsonl or parquet; default: from --out's suffix, else csv"),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="file to write (atomically); csv and jsonl: standard output without")
    ] = None,
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    scenario: ScenarioPattern = None,
    status: StatusFilter = None,
    since: SinceFilter = None,
) -> None:
    """Export the catalog's runs, newest first: one row per run, its record's columns, then its summary's scalar
    figures as `stage.key` columns (filtered as `runs list`: --scenario, --status, --since)."""
    import fnmatch

    from lunarops.store import Catalog
    from lunarops.store.catalog import EXPORT_FORMATS, export_runs

    with handle_errors():
        if fmt is None:
            suffix = out.suffix.lower().lstrip(".") if out is not None else ""
            fmt = suffix if suffix in EXPORT_FORMATS else "csv"
        if fmt not in EXPORT_FORMATS:
            raise InputError(f"--format = {fmt!r} is not an export format; use csv, jsonl or parquet")
        if fmt == "parquet" and out is None:
            raise InputError("--format parquet writes a binary file: give its name with --out, e.g. --out runs.parquet")
        check_output_file(out, "--out")
        after = _since(status, since)
        with Catalog(db) as catalog:
            records = catalog.select_runs(
                status, after, None if scenario is None else lambda r: fnmatch.fnmatchcase(r.scenario_name, scenario)
            )
        n = export_runs(records, fmt, out, sys.stdout)
        if out is not None:
            err_console.print(f"{n} runs exported to {out} ({fmt})", highlight=False)
        else:
            sys.stdout.flush()


def _since(status: str | None, since: str | None) -> Any:
    """The filters' checks (as `runs list`'s): the status, and --since as a UTC datetime (None when not given)."""
    from lunarops.timescale import parse_utc_datetime

    if status is not None and status not in STATUSES:
        raise InputError(f"--status = {status!r} is not a run status; use running, done or failed")
    return parse_utc_datetime(since, "--since") if since is not None else None


def runs_delete(
    run_ids: Annotated[list[str], typer.Argument(help="run ids (or unique prefixes) to delete", show_default=False)],
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    yes: Annotated[bool, typer.Option("--yes", help="do not ask for confirmation (needed when not on a terminal)")] = (
        False
    ),
    files: Annotated[
        bool,
        typer.Option(
            "--files",
            help="also remove each run's own files in its output folder (then the folder if empty), only where "
            "its summary.json names that run and no later or running run uses the folder; other files are kept",
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="also delete runs recorded as running (their end would then update no record)"
        ),
    ] = False,
) -> None:
    """Delete runs from the catalog (and with --files their output folders). A sweep member is one run: its
    record (and folder) goes, the sweep's other members and sweep.parquet stay."""
    from lunarops.store import Catalog
    from lunarops.store.catalog import removable_output, remove_output

    with handle_errors():
        with Catalog(db) as catalog:
            records = catalog.resolve(run_ids)
            running = [r.run_id for r in records if r.status == "running"]
            if running and not force:
                raise InputError(
                    f"runs delete: {', '.join(running)} {'is' if len(running) == 1 else 'are'} recorded as running: "
                    "a run still going would record its end in no row (and a --files removal could hit its "
                    "output); wait for it to end, or add --force for a run that was killed without being recorded"
                )
            plan = [(r, *(removable_output(r, catalog) if files else (None, ""))) for r in records]
            for record, folder, why in plan:
                line = f"{record.run_id}  {record.scenario_name.splitlines()[0]}  {record.status}"
                if files:
                    line += f"\n  remove its files in {folder}" if folder is not None else f"\n  keep the folder: {why}"
                console.print(line, highlight=False, soft_wrap=True)
            what = f"{len(records)} run{'s' if len(records) != 1 else ''} from {catalog.shown_url}"
            if not yes:
                if not _interactive():
                    raise InputError(
                        f"runs delete: not deleting {what} without confirmation (standard input is not a "
                        "terminal); add --yes"
                    )
                if not typer.confirm(f"delete {what}{' and the files marked remove' if files else ''}?"):
                    err_console.print("nothing deleted", highlight=False)
                    raise typer.Exit(1)
            removed = catalog.delete([r.run_id for r in records])
            console.print(f"deleted {removed} run record{'s' if removed != 1 else ''}", highlight=False)
            failed = []
            for record, planned, _ in plan:
                if planned is None:
                    continue
                folder, why = removable_output(record, catalog)  # again: a run may have started there meanwhile
                if folder is None:
                    console.print(f"kept {planned}: {why}", highlight=False, soft_wrap=True)
                    continue
                try:
                    kept = remove_output(folder)
                except OSError as error:
                    failed.append(f"{folder}: {error}")
                    continue
                if kept:
                    shown = ", ".join(kept[:5]) + (", ..." if len(kept) > 5 else "")
                    console.print(f"removed {record.run_id}'s files from {folder}; kept what is not the run's: "
                                  f"{shown}", highlight=False, soft_wrap=True)
                else:
                    console.print(f"removed {folder}", highlight=False, soft_wrap=True)
        if failed:
            err_console.print("could not remove: " + "; ".join(failed), highlight=False, soft_wrap=True)
            raise typer.Exit(3)


def _interactive() -> bool:
    """Whether a person can answer the confirmation: standard input is a terminal."""
    return sys.stdin.isatty()
