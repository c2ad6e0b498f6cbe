"""Every results file of the default run, and every column of it, is described in docs/results.md.

The default scenario is run shortened (a week at 6 h steps, 5 Monte Carlo runs, as in
tests/runner/test_run_short_period.py, with a resident crew for 3 days) with its terrain, orbits and campaign
kept, so that it writes the same files with the same columns as the full run (checked by hand against a full
`lunarops run --out DIR` of session 16: 26 files, the same names and columns, plus the event log)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
import yaml

from lunarops.runner.run import run
from lunarops.scenario import default_scenario_path
from lunarops.scenario.load import parse_scenario
from lunarops.store import read_attrs, read_frame

DOC = Path(__file__).resolve().parents[2] / "docs" / "results.md"


@pytest.fixture(scope="module")
def short_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = yaml.safe_load(default_scenario_path().read_text())
    data["period"] = {"start_utc": "2030-01-01T00:00:00Z", "end_utc": "2030-01-08T00:00:00Z", "step_hours": 6}
    data["operations"]["monte_carlo"]["runs"] = 5
    # a resident crew for 3 days, so that the crew dose writes its stays file as the full run's crewed visit does
    data["operations"]["crew"] = [{"from_utc": "2030-01-02T00:00:00Z", "count": 2},
                                  {"from_utc": "2030-01-05T00:00:00Z", "count": 0}]
    out = tmp_path_factory.mktemp("short") / "out"
    run(parse_scenario(yaml.safe_dump(data)), out, record=False, report=False)
    return out


def _mentioned(text: str) -> set[str]:
    """The names written as `code` in the document."""
    return set(re.findall(r"`([^`\n]+)`", text))


def test_every_results_file_and_column_is_documented(short_run: Path) -> None:
    names = _mentioned(DOC.read_text())
    files = sorted((short_run / "results").glob("*.parquet"))
    assert len(files) >= 20
    missing = []
    for file in files:
        if file.name not in names:
            missing.append(file.name)
        missing += [f"{file.name}: {column}" for column in pq.read_schema(file).names if column not in names]
    assert not missing, f"not in docs/results.md: {missing}"
    # and the other way: the files the document lists (those of the full default run) are all written
    listed = {name for name in names if name.endswith(".parquet") and "<" not in name and "/" not in name}
    assert listed == {file.name for file in files}


def test_event_log_is_written_and_matches_the_summary(short_run: Path) -> None:
    events = read_frame(short_run / "results" / "operations-operations_run0_events.parquet")
    assert list(events.columns) == ["row", "time_utc", "step", "event", "element", "value"]
    summary = json.loads((short_run / "summary.json").read_text())
    assert len(events) == summary["operations"]["run0_events"]
    # the per-run event counts of run 0 (the run0_hourly file) are the counts of the log, kind by kind
    counts = read_frame(short_run / "results" / "operations-operations_run0_hourly_run_event.parquet")
    by_kind = events["event"].value_counts()
    for kind, count in zip(counts["event"], counts["event_counts"], strict=True):
        assert int(by_kind.get(kind, 0)) == int(count), kind


def test_metadata_is_json_with_variable_attributes(short_run: Path) -> None:
    results = short_run / "results"
    mc = read_attrs(results / "operations-operations_monte_carlo.parquet")
    # montecarlo.to_dataset: o2_kg is a "last" record over record_hours = 24 h / 6 h steps = 4 steps of 21600 s
    assert mc["variables"]["o2_kg"]["reduction"] == "last over 4 step(s) of 21600 s"
    assert "description" in mc["variables"]["rfc_j"]
    field = pq.read_schema(results / "operations-operations_monte_carlo.parquet").field("rfc_j")
    assert json.loads(field.metadata[b"lunarops_attrs"]) == mc["variables"]["rfc_j"]
    for file in results.glob("*.parquet"):
        raw = pq.read_schema(file).metadata[b"lunarops_attrs"]
        assert isinstance(json.loads(raw), dict), file.name  # was a Python repr: {'correction': 'apparent'}


def test_loads_by_year_has_every_load_and_year(short_run: Path) -> None:
    results = short_run / "results"
    per_run = read_frame(results / "operations-operations_monte_carlo_run_load_year.parquet")
    by_year = read_frame(results / "operations-operations_loads_by_year.parquet")
    assert len(by_year) == per_run.groupby(["load", "year"]).ngroups  # every (load, year), none all-NaN
    assert not by_year[["scheduled_h_mean", "shed_h_mean", "served_mwh_mean", "data_made_tb_mean"]].isna().any().any()
    # independently: the mean over the runs of the per-run file, J -> MWh by / 3.6e9
    mean = per_run.groupby(["load", "year"])["load_year_served_j"].mean() / 3.6e9
    got = by_year.set_index(["load", "year"])["served_mwh_mean"]
    np.testing.assert_allclose(got.loc[mean.index].to_numpy(), mean.to_numpy(), rtol=1e-12, atol=0.0)


def test_data_are_full_precision(short_run: Path) -> None:
    results = short_run / "results"
    summary = json.loads((short_run / "summary.json").read_text())
    # summary.json's loads block is the loads file, value for value (was rounded to 4 decimals: 2.3e-07 -> 0.0)
    loads = read_frame(results / "operations-operations_loads.parquet").set_index("load")
    for name, values in summary["operations"]["loads"].items():
        expected = loads.loc[name, summary["operations"]["loads_columns"]].to_numpy(dtype=float)
        np.testing.assert_array_equal(np.array(values, dtype=float), expected)
    # the manifest's launch rows sum to the mass launched (outputs.manifest's docstring), now to float rounding
    # (with the 0.1 kg rounding per row they missed imleo_kg by up to 0.05 kg per row)
    manifest = read_frame(results / "campaign-manifest.parquet")
    launched = float(manifest.loc[manifest["launch"], "gross_mass_kg"].sum())
    assert launched == pytest.approx(summary["campaign"]["imleo_kg"], rel=1e-12, abs=1e-6)
