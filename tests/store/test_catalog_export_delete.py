"""`lunarops runs export` (CSV, JSON Lines, Parquet: one row per run, the summary's figures flattened, strict JSON)
and `lunarops runs delete` (records, and with --files only the output folders that hold the run's own output).
SQLite always; PostgreSQL when CI starts a server."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from lunarops.cli import runs as runs_cli
from lunarops.cli.main import app
from lunarops.store import Catalog

runner = CliRunner()




START = datetime(2030, 1, 1, tzinfo=UTC)


def _add(catalog: Catalog, run_id: str, name: str, status: str, day: int, summary: dict, out_dir: str = "/x") -> None:
    catalog.start(run_id, name, "0" * 64, out_dir, "name: x", started_utc=START + timedelta(days=day))
    catalog.finish(run_id, status, 2.5, summary, error="boom" if status == "failed" else None,
                   finished_utc=START + timedelta(days=day, seconds=2.5))


def _three_runs(url: str) -> None:
    with Catalog(url) as catalog:
        # an infinite reserve: a station whose consumables never run out (operations.md), stored as null + mark
        _add(catalog, "r0", "ILRS a", "done", 0,
             {"operations": {"consumables_reserve_days_p05": float("inf"), "soc": 0.4, "loads": [1, 2]},
              "sky": {"n_times": 48, "pole": "south"}})
        _add(catalog, "r1", "ILRS b", "failed", 1, {})
        _add(catalog, "r2", "base [k=1] (sweep member 0 of 2)", "done", 2,
             {"sweep_member": {"member": 0, "members": 2, "parameters": {"sites.0.mast_height_m": 10},
                               "sweep_dir": "/s", "non_finite": {"operations": {"x": "-inf"}}},
              "operations": {"soc": 0.5, "x": float("-inf")}})


def test_export_csv_jsonl_and_parquet_with_infinite_figures(url: str, tmp_path: Path) -> None:
    _three_runs(url)
    result = runner.invoke(app, ["runs", "export", "--db", url])  # csv to standard output
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["run_id"] for r in rows] == ["r2", "r1", "r0"]  # newest first, as runs list
    r0 = rows[2]
    assert r0["operations.consumables_reserve_days_p05"] == "inf" and float(r0["operations.soc"]) == 0.4
    assert r0["sky.n_times"] == "48" and r0["sky.pole"] == "south" and r0["status"] == "done"
    assert r0["started_utc"] == "2030-01-01T00:00:00+00:00" and float(r0["elapsed_s"]) == 2.5
    assert "operations.loads" not in r0  # a list is not a scalar figure
    assert rows[0]["sweep_member.parameters.sites.0.mast_height_m"] == "10" and rows[0]["operations.x"] == "-inf"
    assert not any(key.startswith("sweep_member.non_finite") for key in rows[0])
    assert rows[1]["error"] == "boom" and rows[1]["operations.soc"] == ""

    out = tmp_path / "runs.jsonl"
    result = runner.invoke(app, ["runs", "export", "--db", url, "--out", str(out)])  # format from the suffix
    assert result.exit_code == 0, result.output
    assert "3 runs exported" in result.output

    def strict(token: str) -> None:
        raise AssertionError(f"{token} in strict JSON")

    lines = [json.loads(line, parse_constant=strict) for line in out.read_text().splitlines()]
    assert lines[2]["operations.consumables_reserve_days_p05"] is None
    assert lines[2]["non_finite"] == {"operations.consumables_reserve_days_p05": "inf"}
    assert lines[0]["non_finite"] == {"operations.x": "-inf"} and "non_finite" not in lines[1]
    assert lines[2]["started_utc"] == "2030-01-01T00:00:00+00:00" and lines[2]["sky.n_times"] == 48

    parquet = tmp_path / "export.data"
    result = runner.invoke(app, ["runs", "export", "--db", url, "--format", "parquet", "--out", str(parquet)])
    assert result.exit_code == 0, result.output
    table = pq.read_table(parquet).to_pylist()
    assert table[2]["operations.consumables_reserve_days_p05"] == float("inf")
    assert table[0]["operations.x"] == float("-inf") and table[2]["sky.n_times"] == 48
    assert table[2]["started_utc"] == START
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_export_filters_as_runs_list_and_its_errors(url: str, tmp_path: Path) -> None:
    _three_runs(url)

    def ids(*options: str) -> list[str]:
        result = runner.invoke(app, ["runs", "export", "--db", url, "--format", "jsonl", *options])
        assert result.exit_code == 0, result.output
        return [json.loads(line)["run_id"] for line in result.stdout.splitlines()]

    assert ids("--scenario", "ILRS*") == ["r1", "r0"]
    assert ids("--status", "done") == ["r2", "r0"]
    assert ids("--since", "2030-01-02") == ["r2", "r1"]
    assert ids("--scenario", "nothing") == []
    for options, message in [
        (["--format", "parquet"], "give its name with --out"),
        (["--format", "xlsx"], "--format = 'xlsx' is not an export format"),
        (["--status", "ok"], "--status = 'ok' is not a run status"),
        (["--since", "yesterday"], "--since"),
        (["--out", str(tmp_path / "missing" / "x.csv")], "does not exist"),
    ]:
        result = runner.invoke(app, ["runs", "export", "--db", url, *options])
        assert result.exit_code == 2 and message in result.output, result.output
        assert "Traceback" not in result.output


def _run_folder(tmp_path: Path, name: str, run_id: str | None) -> Path:
    """A folder as `lunarops run` leaves it (the runner's own files: see test_delete_files_of_a_real_run)."""
    folder = tmp_path / name
    (folder / "results").mkdir(parents=True)
    (folder / "results" / "sky-sky.parquet").write_bytes(b"x")
    (folder / ".checkpoints").mkdir()
    (folder / "report.html").write_text("<html>")
    (folder / "provenance.json").write_text("{}")
    if run_id is not None:
        (folder / "summary.json").write_text(json.dumps({"run_id": run_id, "scenario": "s"}))
    return folder


def test_delete_records_and_with_files_only_the_runs_own_output(url: str, tmp_path: Path) -> None:
    mine = _run_folder(tmp_path, "mine", "20300101T000000Z-aaaaaaaa")
    shared = _run_folder(tmp_path, "shared", "20300102T000000Z-bbbbbbbb")
    (shared / "notes.txt").write_text("the user's own file")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("x")
    # a link of a result's name out of the folder: removed, not followed
    (shared / "results" / "sky-linked.parquet").symlink_to(outside)
    later = _run_folder(tmp_path, "later", "20300105T000000Z-ffffffff")  # a later run wrote over this one's
    with Catalog(url) as catalog:
        _add(catalog, "20300101T000000Z-aaaaaaaa", "a", "done", 0, {}, str(mine))
        _add(catalog, "20300102T000000Z-bbbbbbbb", "b", "done", 1, {}, str(shared))
        _add(catalog, "20300103T000000Z-cccccccc", "c", "done", 2, {}, str(later))
        _add(catalog, "20300104T000000Z-dddddddd", "d", "done", 3, {}, str(mine))

    # without --yes and no terminal: refused, nothing deleted
    result = runner.invoke(app, ["runs", "delete", "20300104T000000Z-dddddddd", "--db", url])
    assert result.exit_code == 2 and "add --yes" in result.output and "Traceback" not in result.output
    # without --files: the record only (a prefix is enough)
    result = runner.invoke(app, ["runs", "delete", "20300104", "--db", url, "--yes"])
    assert result.exit_code == 0 and "deleted 1 run record" in result.output, result.output
    assert mine.is_dir() and (mine / "summary.json").is_file()

    result = runner.invoke(app, ["runs", "delete", "20300101T000000Z-aaaaaaaa", "20300102T000000Z-bbbbbbbb",
                                 "20300103T000000Z-cccccccc", "--db", url, "--yes", "--files"])
    assert result.exit_code == 0, result.output
    assert "deleted 3 run records" in result.output
    assert not mine.exists()  # nothing else in it: the folder too
    assert sorted(p.name for p in shared.iterdir()) == ["notes.txt"]  # the user's file and the folder stay
    assert (outside / "keep.txt").is_file()
    assert (later / "summary.json").is_file() and (later / "results" / "sky-sky.parquet").is_file()
    assert "keep the folder" in result.output and "a later run's output" in result.output
    with Catalog(url) as catalog:
        assert catalog.list() == []


def test_delete_unknown_ids_are_named_and_nothing_is_deleted(url: str) -> None:
    with Catalog(url) as catalog:
        _add(catalog, "r0", "a", "done", 0, {})
        _add(catalog, "r1", "b", "done", 1, {})
    result = runner.invoke(app, ["runs", "delete", "r0", "nope", "gone", "r", "--db", url, "--yes"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    message = " ".join(result.output.split())
    assert "no run with id 'nope', 'gone'" in message and "'r' matches several runs" in message
    with Catalog(url) as catalog:
        assert {r.run_id for r in catalog.list()} == {"r0", "r1"}


def test_delete_asks_for_confirmation_on_a_terminal(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with Catalog(url) as catalog:
        _add(catalog, "r0", "a", "done", 0, {})
    monkeypatch.setattr(runs_cli, "_interactive", lambda: True)
    result = runner.invoke(app, ["runs", "delete", "r0", "--db", url], input="n\n")
    assert result.exit_code == 1 and "nothing deleted" in result.output
    with Catalog(url) as catalog:
        assert catalog.has("r0")
    result = runner.invoke(app, ["runs", "delete", "r0", "--db", url], input="y\n")
    assert result.exit_code == 0 and "deleted 1 run record" in result.output
    with Catalog(url) as catalog:
        assert not catalog.has("r0")


def test_delete_files_of_a_real_run(tmp_path: Path) -> None:
    """The marker is what the runner writes: a two-day sky-only run, then `runs delete --files` removes its
    folder whole; a second run into a folder holding the user's file removes only the run's own entries."""
    from lunarops.runner.run import run
    from lunarops.scenario.load import parse_scenario

    url = f"sqlite:///{tmp_path / 'c.sqlite'}"
    scenario = parse_scenario(
        "name: tiny\nperiod: {start_utc: 2030-01-01, end_utc: 2030-01-03}\n"
        "sites: [{name: a, latitude_deg: -89, longitude_deg: 0}]\n"
    )
    results = run(scenario, tmp_path / "out", db_url=url)
    (tmp_path / "out" / "my-notes.txt").write_text("mine")
    result = runner.invoke(app, ["runs", "delete", results.run_id, "--db", url, "--yes", "--files"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["my-notes.txt"]
    (tmp_path / "out" / "my-notes.txt").unlink()
    results = run(scenario, tmp_path / "out", db_url=url, report=False)
    result = runner.invoke(app, ["runs", "delete", results.run_id, "--db", url, "--yes", "--files"])
    assert result.exit_code == 0 and not (tmp_path / "out").exists(), result.output


def test_delete_files_keeps_a_folder_a_later_run_is_using(url: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A later run into the same folder writes summary.json only when it finishes: while it runs (or after it
    failed) the folder's summary.json still names the earlier run, whose `--files` must not take the later run's
    checkpoints. Checked when listed and again after the confirmation (a run may start meanwhile)."""
    folder = _run_folder(tmp_path, "out", "20300101T000000Z-aaaaaaaa")
    with Catalog(url) as catalog:
        _add(catalog, "20300101T000000Z-aaaaaaaa", "a", "done", 0, {}, str(folder))
        catalog.start("20300102T000000Z-bbbbbbbb", "b", "0" * 64, str(folder), "name: x",
                      started_utc=START + timedelta(days=1))  # recorded as running, in the same folder
    checkpoint = folder / ".checkpoints" / "sky-0123456789abcdef0123456789abcdef.pickle"
    checkpoint.write_bytes(b"b's finished stage")
    result = runner.invoke(app, ["runs", "delete", "20300101T000000Z-aaaaaaaa", "--db", url, "--yes", "--files"])
    assert result.exit_code == 0, result.output
    message = " ".join(result.output.split())
    assert "keep the folder" in message and "20300102T000000Z-bbbbbbbb (running)" in message
    assert checkpoint.is_file() and (folder / "results" / "sky-sky.parquet").is_file()

    # a run starting while the user answers the prompt: the check before removing sees it
    second = _run_folder(tmp_path, "out2", "20300103T000000Z-cccccccc")
    with Catalog(url) as catalog:
        _add(catalog, "20300103T000000Z-cccccccc", "c", "done", 2, {}, str(second))

    def start_a_run_then_confirm(text: str) -> bool:
        with Catalog(url) as catalog:
            catalog.start("20300104T000000Z-dddddddd", "d", "0" * 64, str(second), "name: x",
                          started_utc=START + timedelta(days=3))
        (second / ".checkpoints" / "site-0123456789abcdef0123456789abcdef.pickle").write_bytes(b"d's")
        return True

    monkeypatch.setattr(runs_cli, "_interactive", lambda: True)
    monkeypatch.setattr(runs_cli.typer, "confirm", start_a_run_then_confirm)
    result = runner.invoke(app, ["runs", "delete", "20300103T000000Z-cccccccc", "--db", url, "--files"])
    assert result.exit_code == 0, result.output
    message = " ".join(result.output.split())
    assert f"remove its files in {second}" in message  # as listed before the prompt
    assert f"kept {second}" in message and "20300104T000000Z-dddddddd (running)" in message
    assert (second / ".checkpoints" / "site-0123456789abcdef0123456789abcdef.pickle").is_file()
    assert (second / "summary.json").is_file()


def test_delete_files_removes_only_the_runs_own_files_in_its_subfolders(url: str, tmp_path: Path) -> None:
    """results/ and .checkpoints/ may hold the user's files (a notebook in a project folder): only the runner's
    file names go (lunarops.runner.run: STAGE-KEY.parquet and STAGE-KEY_DIMS.parquet, STAGE-KEY.pickle, and
    write_atomic's .NAME.XXXXXXXX.part), then each subfolder only if empty."""
    folder = _run_folder(tmp_path, "project", "20300101T000000Z-aaaaaaaa")
    results = folder / "results"
    (results / "operations-operations_monte_carlo_run_event.parquet").write_bytes(b"x")
    (results / ".operations-operations_run0_hourly.parquet.k3j9x0qa.part").write_bytes(b"x")  # a killed write
    (results / "notes.ipynb").write_text("the user's analysis")
    (folder / ".checkpoints" / "sky-0123456789abcdef0123456789abcdef.pickle").write_bytes(b"x")
    with Catalog(url) as catalog:
        _add(catalog, "20300101T000000Z-aaaaaaaa", "a", "done", 0, {}, str(folder))
    result = runner.invoke(app, ["runs", "delete", "20300101T000000Z-aaaaaaaa", "--db", url, "--yes", "--files"])
    assert result.exit_code == 0, result.output
    assert (results / "notes.ipynb").read_text() == "the user's analysis"
    assert [p.name for p in results.iterdir()] == ["notes.ipynb"]
    assert sorted(p.name for p in folder.iterdir()) == ["results"]  # .checkpoints/ emptied, so removed
    assert "kept what is not the run's: results/notes.ipynb" in " ".join(result.output.split())


def test_run_output_stages_are_the_runners() -> None:
    from lunarops.runner.run import STAGES
    from lunarops.store.catalog import RUN_STAGES

    assert RUN_STAGES == tuple(name for name, _ in STAGES)


def test_delete_refuses_a_running_run_unless_forced(url: str) -> None:
    with Catalog(url) as catalog:
        catalog.start("r0", "a", "0" * 64, "/x", "name: x", started_utc=START)
    result = runner.invoke(app, ["runs", "delete", "r0", "--db", url, "--yes"])
    message = " ".join(result.output.split())
    assert result.exit_code == 2 and "r0 is recorded as running" in message and "--force" in message
    assert "record its end in no row" in message and "Traceback" not in result.output
    with Catalog(url) as catalog:
        assert catalog.has("r0")
    result = runner.invoke(app, ["runs", "delete", "r0", "--db", url, "--yes", "--force"])
    assert result.exit_code == 0 and "deleted 1 run record" in result.output, result.output
    with Catalog(url) as catalog:
        assert not catalog.has("r0")


def test_export_integers_beyond_int64_and_formula_cells(url: str, tmp_path: Path) -> None:
    """2**70 does not fit Parquet's int64: that column is text (exact), the others keep their types. CSV cells of
    text starting with = + - @ are quoted with ' (OWASP CSV Injection); numbers, inf and -inf are not."""
    with Catalog(url) as catalog:
        _add(catalog, "r0", "=HYPERLINK(\"http://x\")", "done", 0,
             {"sky": {"big": 2**70, "n": 3, "pole": "-south", "at": "@SUM(A1)", "plus": "+1", "fine": "a=b",
                      "low": float("-inf"), "delta": -5}})
        _add(catalog, "r1", "b", "done", 1, {"sky": {"big": 1, "n": 4, "delta": -2.5}})
    out = tmp_path / "runs.parquet"
    result = runner.invoke(app, ["runs", "export", "--db", url, "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert str(table.schema.field("sky.big").type) == "string" and str(table.schema.field("sky.n").type) == "int64"
    rows = table.to_pylist()
    assert rows[1]["sky.big"] == "1180591620717411303424" and rows[0]["sky.big"] == "1"  # 2**70, exactly
    result = runner.invoke(app, ["runs", "export", "--db", url])
    assert result.exit_code == 0, result.output
    row = {r["run_id"]: r for r in csv.DictReader(io.StringIO(result.stdout))}["r0"]
    assert row["scenario_name"] == "'=HYPERLINK(\"http://x\")"
    assert (row["sky.pole"], row["sky.at"], row["sky.plus"], row["sky.fine"]) == ("'-south", "'@SUM(A1)", "'+1", "a=b")
    assert (row["sky.low"], row["sky.delta"], row["sky.big"]) == ("-inf", "-5", "1180591620717411303424")
