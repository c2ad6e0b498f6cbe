"""Text the CLI prints: units in brackets survive (rich markup would take "[deg]" or "[s]" for a tag and drop
it), and the run list fits a narrow terminal."""

from __future__ import annotations

from pathlib import Path

import click
import typer
from typer.testing import CliRunner

from lunarops.cli.main import app

runner = CliRunner()


def _all_commands() -> list[list[str]]:
    paths: list[list[str]] = []

    def walk(command: click.Command, path: list[str]) -> None:
        paths.append(path)
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return paths


def test_help_texts_keep_their_units() -> None:
    # each option's help as declared (click's own record) must appear in the rendered help with its "[unit]"
    missing = []
    for path in _all_commands():
        command = typer.main.get_command(app)
        for name in path:
            assert isinstance(command, click.Group)
            command = command.commands[name]
        rendered = " ".join(runner.invoke(app, [*path, "--help"], env={"COLUMNS": "400"}).output.split())
        for param in command.params:
            text = getattr(param, "help", None) or ""
            for unit in ("[deg]", "[m]", "[km]", "[kW]", "[d]", "[h]", "[s]", "[kg]"):
                if unit in text and unit not in rendered:
                    missing.append(f"{' '.join(path)} {param.name}: {unit}")
    assert not missing, missing
    # one checked by hand: `horizon --help` says the latitude is in degrees
    assert "latitude [deg]" in runner.invoke(app, ["horizon", "--help"], env={"COLUMNS": "200"}).output


def test_tables_keep_units_in_brackets() -> None:
    # the horizon table's headers (was "azimuth" / "elevation": the units were eaten as markup)
    result = runner.invoke(app, ["horizon", "--lat", "-89.45", "--lon", "222.69", "--n-azimuth", "4"])
    assert result.exit_code == 0, result.output
    assert "azimuth [deg]" in result.output and "elevation [deg]" in result.output


def test_runs_list_fits_80_columns(tmp_path: Path) -> None:
    from lunarops.store import Catalog

    db = f"sqlite:///{tmp_path / 'catalog.sqlite'}"
    name = "ILRS south-pole candidate region, 2030-2035 [sites.0.mast_height_m=10]"
    with Catalog(db) as catalog:
        run_id = "20261205T003733Z-73130767"
        catalog.start(run_id, name, "0" * 64, str(tmp_path / "a-long-output-folder" / "run"), "name: x\n")
        catalog.finish(run_id, "done", 12.5, {})
    narrow = runner.invoke(app, ["runs", "list", "--db", db], env={"COLUMNS": "80"})
    assert narrow.exit_code == 0, narrow.output
    lines = narrow.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert any(run_id in line for line in lines)  # the id is never cut: `runs show` needs it
    text = " ".join(narrow.output.split())
    assert "[sites.0.mast_height_m=10]" in text.replace(" ", "") or "mast_height_m" in text
    assert "elapsed [s]" in text and "runs show ID" in text
    wide = runner.invoke(app, ["runs", "list", "--db", db], env={"COLUMNS": "200"})
    assert "started (UTC)" in wide.output and "output" in wide.output
    with Catalog(db) as catalog:  # the day it was recorded (not today's: the test may cross midnight UTC)
        assert f"{catalog.get(run_id).started_utc:%Y-%m-%d}" in wide.output


def test_orbit_coverage_fits_80_columns() -> None:
    # one column per link: the orbiter specs stay readable at 80 columns (they were cut to "…" side by side)
    result = runner.invoke(
        app,
        ["orbit", "coverage", "--lat", "-89.45", "--lon", "222.69", "--orbiter", "nrho:9:2", "--orbiter",
         "frozen:200:16000:62.4", "--days", "2"],
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    assert "…" not in result.output
    for name in ("nrho:9:2", "frozen:200:16000:62.4", "relay to Earth"):
        assert name in result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80


def test_runs_list_of_an_empty_catalog_says_so(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    result = runner.invoke(app, ["runs", "list", "--db", db])
    assert result.exit_code == 0, result.output
    assert "no runs recorded yet in this catalog" in " ".join(result.output.split())
