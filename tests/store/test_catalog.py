"""The run catalog on SQLite (default) and PostgreSQL (when CI starts a server), and atomic Parquet writes."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from lunarops.errors import InputError, StoreError
from lunarops.store import Catalog, read_frame, write_dataset

POSTGRES_URL = os.environ.get("LUNAROPS_TEST_POSTGRES_URL")


def _roundtrip(catalog: Catalog) -> None:
    run_id = "test-" + uuid.uuid4().hex
    catalog.start(run_id, "scenario", "ab" * 32, "/tmp/out", "name: x")
    assert catalog.get(run_id).status == "running"
    catalog.finish(run_id, "done", 1.5, {"sky": {"n_times": 3, "fraction": 0.5}})
    record = catalog.get(run_id)
    assert record.status == "done" and record.summary["sky"]["n_times"] == 3 and record.elapsed_s == 1.5
    assert run_id in [r.run_id for r in catalog.list(1000)]
    catalog.close()


def test_sqlite_catalog(tmp_path: Path) -> None:
    _roundtrip(Catalog(f"sqlite:///{tmp_path / 'c.sqlite'}"))


def test_default_catalog_in_lunarops_home(tmp_path: Path) -> None:
    catalog = Catalog()
    assert str(tmp_path) in catalog.url  # LUNAROPS_HOME is set per test in conftest
    _roundtrip(catalog)


@pytest.mark.skipif(
    POSTGRES_URL is None, reason="needs a PostgreSQL server: set LUNAROPS_TEST_POSTGRES_URL (.ci/run does)"
)
def test_postgres_catalog() -> None:
    _roundtrip(Catalog(POSTGRES_URL))


def test_unknown_run_and_bad_url(tmp_path: Path) -> None:
    catalog = Catalog(f"sqlite:///{tmp_path / 'c.sqlite'}")
    with catalog, pytest.raises(InputError, match="no run with id"):
        catalog.get("nope")
    with pytest.raises(InputError, match="not a supported database URL"):
        Catalog("oracle://x")
    with pytest.raises(StoreError, match="cannot open the run catalog"):
        Catalog(f"sqlite:///{tmp_path / 'missing-dir' / 'deeper' / 'c.sqlite'}")


def test_parquet_roundtrip_atomic(tmp_path: Path) -> None:
    dataset = xr.Dataset(
        {"x": (("site", "time"), np.arange(6.0).reshape(2, 3))}, coords={"site": ["a", "b"], "time": [0, 1, 2]}
    )
    path = write_dataset(dataset, tmp_path / "r" / "x.parquet")
    frame = read_frame(path)
    assert list(frame.x) == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert [p.name for p in path.parent.iterdir()] == ["x.parquet"]  # no temporary file left behind


def test_parquet_groups_by_dimensions(tmp_path: Path) -> None:
    # an hourly series, per-run totals and per-run event counts: one table would broadcast them into each other
    # (the operations results had been 18x their size, every hour repeated for each of 18 event kinds)
    dataset = xr.Dataset(
        {
            "power_w": (("run", "time"), np.arange(6.0).reshape(2, 3)),
            "total_j": (("run",), np.array([10.0, 20.0])),
            "event_counts": (("run", "event"), np.arange(8).reshape(2, 4)),
            "seed": ((), 7),
        },
        coords={"run": [0, 1], "time": [0, 1, 2], "event": ["a", "b", "c", "d"]},
    )
    path = write_dataset(dataset, tmp_path / "ops.parquet")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ops.parquet", "ops_run.parquet", "ops_run_event.parquet", "ops_scalars.parquet"
    ]
    hourly = read_frame(path)
    assert list(hourly.columns) == ["run", "time", "power_w"] and len(hourly) == 6
    assert list(read_frame(tmp_path / "ops_run.parquet").total_j) == [10.0, 20.0]
    assert len(read_frame(tmp_path / "ops_run_event.parquet")) == 8
    assert read_frame(tmp_path / "ops_scalars.parquet").to_dict("records") == [{"seed": 7}]


@pytest.mark.skipif(
    POSTGRES_URL is None, reason="needs a PostgreSQL server: set LUNAROPS_TEST_POSTGRES_URL (.ci/run does)"
)
def test_run_recorded_in_postgres(tmp_path: Path) -> None:
    from lunarops.runner.run import run
    from lunarops.scenario.load import parse_scenario

    scenario = parse_scenario(
        "name: pg\nperiod: {start_utc: 2030-01-01, end_utc: 2030-01-03}\n"
        "sites: [{name: a, latitude_deg: -89, longitude_deg: 0}]\n"
    )
    results = run(scenario, tmp_path, db_url=POSTGRES_URL)
    with Catalog(POSTGRES_URL) as catalog:
        record = catalog.get(results.run_id)
    assert record.status == "done" and record.summary["sky"]["n_times"] == 48  # 2 days hourly, half-open


def test_output_state_says_whose_files_the_folder_holds(tmp_path: Path) -> None:
    import dataclasses
    import json as _json
    from datetime import UTC, datetime

    from lunarops.store.catalog import RunRecord

    folder = tmp_path / "out"
    folder.mkdir()
    record = RunRecord("20300101T000000Z-bbbbbbbb", "s", "0" * 64, "done", datetime(2030, 1, 1, tzinfo=UTC), None,
                       None, str(folder), {}, None)
    assert record.output_state() == "missing"  # no summary.json
    (folder / "summary.json").write_text(_json.dumps({"run_id": record.run_id}))
    assert record.output_state() == "here"
    # a later run into the same folder (ids start with the UTC start time): replaced
    (folder / "summary.json").write_text(_json.dumps({"run_id": "20300102T000000Z-cccccccc"}))
    assert record.output_state() == "replaced by 20300102T000000Z-cccccccc"
    # a run whose folder holds an earlier run's id (it failed or is still running, so it never wrote its own):
    # nothing replaced it; the id order decides, whatever the status
    earlier = dataclasses.replace(record, run_id="20300103T000000Z-dddddddd", status="failed")
    assert earlier.output_state() == "missing"
    (folder / "summary.json").write_text("not json")
    assert record.output_state() == "missing"


def test_newest_where_reads_past_the_newest_pages(tmp_path: Path) -> None:
    """A partner's run older than 25 newer runs of others is still found (the dashboard read only the newest
    10,000 runs, and a sweep records thousands): pages of 10 rows are read until enough runs match."""
    from datetime import UTC, datetime, timedelta

    catalog = Catalog(f"sqlite:///{tmp_path / 'c.sqlite'}")
    start = datetime(2030, 1, 1, tzinfo=UTC)
    catalog.start("partner-old", "partner study", "0" * 64, str(tmp_path), "name: x", started_utc=start)
    for i in range(25):
        catalog.start(f"other-{i:02d}", "other study", "0" * 64, str(tmp_path), "name: y",
                      started_utc=start + timedelta(hours=i + 1))
    mine = catalog.newest_where(lambda r: r.scenario_name == "partner study", 5, page=10)
    assert [r.run_id for r in mine] == ["partner-old"]
    newest = catalog.newest_where(lambda r: True, 3, page=10)
    assert [r.run_id for r in newest] == ["other-24", "other-23", "other-22"]
    assert [r.run_id for r in catalog.newest_where(lambda r: True, 50, prefix="other-1", page=4)] == [
        f"other-{i}" for i in range(19, 9, -1)
    ]


def test_summary_is_stored_as_strict_json_and_read_back_with_its_infinities(tmp_path: Path) -> None:
    """A data engineer's user study (session 18): the stored summary had bare Infinity and NaN tokens, which
    SQLite's json_extract and PostgreSQL's jsonb refuse. Now strict JSON with the infinities named under
    non_finite (as summary.json), and RunRecord.summary gives the infinities back; NaN comes back as None."""
    import sqlite3

    path = tmp_path / "c.sqlite"
    catalog = Catalog(f"sqlite:///{path}")
    catalog.start("r1", "s", "0" * 64, str(tmp_path), "name: s")
    summary = {"operations": {"consumables_reserve_days_p05": float("inf"), "share": float("nan"), "soc": 0.4}}
    catalog.finish("r1", "done", 1.0, summary)
    with sqlite3.connect(path) as connection:
        valid, soc, reserve, mark = connection.execute(
            "select json_valid(summary_json), json_extract(summary_json, '$.operations.soc'), "
            "json_extract(summary_json, '$.operations.consumables_reserve_days_p05'), "
            "json_extract(summary_json, '$.non_finite.operations.consumables_reserve_days_p05') from runs"
        ).fetchone()
    assert (valid, soc, reserve, mark) == (1, 0.4, None, "inf")
    back = catalog.get("r1").summary
    assert back["operations"]["consumables_reserve_days_p05"] == float("inf")
    assert back["operations"]["share"] is None and back["operations"]["soc"] == 0.4
    assert "non_finite" not in back


def test_runs_list_filters_by_scenario_status_and_start(tmp_path: Path) -> None:
    """`lunarops runs list --scenario/--status/--since` (a data engineer's user study, session 18: only --limit)."""
    import json
    from datetime import UTC, datetime, timedelta

    from typer.testing import CliRunner

    from lunarops.cli.main import app

    url = f"sqlite:///{tmp_path / 'c.sqlite'}"
    catalog = Catalog(url)
    start = datetime(2030, 1, 1, tzinfo=UTC)
    for i, (name, status) in enumerate([("ILRS a", "done"), ("ILRS b", "failed"), ("Artemis c", "done")]):
        catalog.start(f"r{i}", name, "0" * 64, str(tmp_path), "name: x", started_utc=start + timedelta(days=i))
        catalog.finish(f"r{i}", status, 1.0, {})

    def ids(*options: str) -> list[str]:
        result = CliRunner().invoke(app, ["runs", "list", "--db", url, "--json", *options])
        assert result.exit_code == 0, result.output
        return [row["run_id"] for row in json.loads(result.output)]

    assert ids("--scenario", "ILRS*") == ["r1", "r0"]
    assert ids("--scenario", "ILRS*", "--status", "done") == ["r0"]
    assert ids("--since", "2030-01-02") == ["r2", "r1"]
    bad = CliRunner().invoke(app, ["runs", "list", "--db", url, "--status", "ok"])
    assert bad.exit_code == 2 and "--status = 'ok' is not a run status" in bad.output
    bad = CliRunner().invoke(app, ["runs", "list", "--db", url, "--since", "yesterday"])
    assert bad.exit_code == 2 and "--since" in bad.output and "ISO 8601" in bad.output


def test_runs_relocate_points_moved_outputs_at_their_new_place(tmp_path: Path) -> None:
    """`lunarops runs relocate OLD NEW` (a data engineer's user study, session 18: moved outputs showed as
    missing and could not be re-pointed): runs under OLD get the same place under NEW, a sweep member's sweep_dir
    too; a folder that only shares a prefix ("run10" against "run1") is left alone; --dry-run changes nothing."""
    from typer.testing import CliRunner

    from lunarops.cli.main import app

    old, new = tmp_path / "old", tmp_path / "new"
    (new / "sweep" / "members" / "00000").mkdir(parents=True)
    (new / "run1").mkdir()
    url = f"sqlite:///{tmp_path / 'c.sqlite'}"
    catalog = Catalog(url)
    rows = {
        "a": (old / "run1", {}),
        "b": (old / "sweep" / "members" / "00000", {"sweep_member": {"member": 0, "sweep_dir": str(old / "sweep")}}),
        "c": (tmp_path / "old1" / "run", {}),  # shares the text "old" but is not under old/
    }
    for run_id, (folder, summary) in rows.items():
        catalog.start(run_id, "s", "0" * 64, str(folder), "name: s")
        catalog.finish(run_id, "done", 1.0, summary)
    dry = CliRunner().invoke(app, ["runs", "relocate", str(old), str(new), "--db", url, "--dry-run"])
    assert dry.exit_code == 0 and "2 runs would point" in dry.output
    assert catalog.get("a").out_dir == str(old / "run1")
    done = CliRunner().invoke(app, ["runs", "relocate", str(old), str(new), "--db", url])
    assert done.exit_code == 0, done.output
    assert catalog.get("a").out_dir == str(new / "run1")
    member = catalog.get("b")
    assert member.out_dir == str(new / "sweep" / "members" / "00000")
    assert member.summary["sweep_member"]["sweep_dir"] == str(new / "sweep")
    assert catalog.get("c").out_dir == str(tmp_path / "old1" / "run")
    missing = CliRunner().invoke(app, ["runs", "relocate", str(old), str(tmp_path / "nowhere"), "--db", url])
    assert missing.exit_code == 2 and "is not a folder here" in missing.output
