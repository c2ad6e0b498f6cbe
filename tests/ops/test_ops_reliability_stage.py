"""The operations stage's component reliability table, its Parquet results and the probabilities' intervals."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from lunarops.runner.stage import RunContext
from lunarops.runner.stages.operations import run_stage
from lunarops.scenario.load import parse_scenario
from lunarops.store.parquet import write_dataset_files

SCENARIO = """
schema_version: 1
name: reliability
seed: 3
period: {start_utc: 2030-01-01T00:00:00Z, end_utc: 2030-02-01T00:00:00Z, step_hours: 1}
sites:
  - {name: Rim, latitude_deg: -85.0, longitude_deg: 30.0, mast_height_m: 10}
operations:
  site: Rim
  power:
    fission_plants: [{name: reactor, power_kwe: 20, mass_kg: 1545}]
  loads:
    - {name: habitat, power_kw: 8}
  components:
    - {name: pumps, target: habitat, units: 2, mtbf_h: 100, repair_h: 10, spares: 1000}
    - {name: core, target: reactor, units: 1, mtbf_h: 5000, repair_h: 24, spares: 0}
  monte_carlo: {runs: 12, record_hours: 24}
"""


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    out = run_stage(RunContext(parse_scenario(SCENARIO)))
    assert out is not None
    return out


def test_reliability_table_sorted_by_failures(result) -> None:  # type: ignore[no-untyped-def]
    table = next(t for t in result.tables if t.title.startswith("Component reliability over 12 runs"))
    frame = table.frame
    assert list(frame.component) == ["pumps", "core"]  # 744 h / (100 + 10) h x 2 units = 13.5 vs < 1 per run
    ds = result.datasets["operations_monte_carlo"]
    fail = ds["component_failures"].sel(component="pumps").values
    row = frame.set_index("component").loc["pumps"]
    # a second route to the same numbers: the per-run counts of the Monte Carlo dataset
    assert row.failures_mean == pytest.approx(fail.mean(), abs=1e-12)
    # p95 by nearest rank: the ceil(0.95 x 12) = 12th smallest of the 12 runs' counts, a whole number
    assert row.failures_p95 == np.sort(fail)[math.ceil(0.95 * fail.size) - 1]
    assert row.spares_used_mean == pytest.approx(fail.mean(), abs=1e-12)  # 1000 spares: every failure gets one
    assert abs(fail.mean() - 744 / 110 * 2) < 5.0  # 13.5 per run; 12 runs: SE about 1, so 5 failures is > 3 SE
    assert "components" not in set(result.tables[0].frame.quantity)  # the summary table stays one number a row
    assert result.summary["components"]["core"][0] == pytest.approx(
        frame.set_index("component").loc["core"].failures_mean, abs=1e-4
    )


def test_reliability_written_to_parquet(result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    files = write_dataset_files(result.datasets["operations_components"], tmp_path / "operations-components.parquet")
    frame = pd.read_parquet(files[0])
    assert list(frame.component) == ["pumps", "core"]
    assert {"failures_mean", "failures_p95", "spares_used_mean", "hours_down_mean", "down_at_end_mean"} <= set(
        frame.columns
    )
    assert "probability_waits_for_spare" in frame.columns


def test_probabilities_stated_with_intervals_and_runs(result) -> None:  # type: ignore[no-untyped-def]
    s = result.summary
    note = next(n for n in result.notes if n.startswith("Monte Carlo probabilities over 12 runs"))
    k = round(s["probability_any_unserved_energy"] * 12)
    ci = stats.binomtest(k, 12).proportion_ci(method="exact")  # second algorithm for the interval
    assert s["probability_any_unserved_energy_ci95"] == pytest.approx([ci.low, ci.high], abs=1e-9)
    assert f"P(any unserved energy (more than 1 J in the run)) = {s['probability_any_unserved_energy']:.3g} (95 % CI " \
        f"{ci.low:.3g} to " in note
    assert "P(a consumable shortfall (more than 0 kg short))" in note and "P(any data dropped)" in note
    assert "P(a brownout (a priority-1 load unserved))" in note
    # 12 runs: a p05 has no lower bound (0.95^12 > 0.025) and lies below the 3rd lowest run (binomial(12, 0.05)'s
    # 97.5 % quantile is 2: P(X <= 1) = 0.882, P(X <= 2) = 0.980)
    assert "a p05 from 12 runs lies below the 3rd lowest run, with no lower bound" in note


def test_percentile_intervals_are_order_statistics() -> None:
    """The distribution-free 95 % interval of a percentile from n runs (Hahn & Meeker 1991, sec. 5.2): 200 runs
    bound a p05 by their 4th and 17th lowest and a median by the 86th and 115th; 50 runs give no lower bound for a
    p05 and the 7th lowest as its upper one (the binomial quantiles, scipy.stats.binom.ppf). Second computation:
    the coverage P(l <= X < u), X ~ binomial(n, p), is at least 95 %."""
    from lunarops.ops.montecarlo import percentile_interval, percentile_ranks

    assert percentile_ranks(200, 5) == (4, 17) and percentile_ranks(200, 50) == (86, 115)
    assert percentile_ranks(50, 5) == (None, 7) and percentile_ranks(1000, 5) == (37, 65)
    for n, p in ((200, 0.05), (200, 0.5), (1000, 0.05), (1000, 0.95)):
        low, high = percentile_ranks(n, 100 * p)
        assert low is not None and high is not None
        coverage = stats.binom.cdf(high - 1, n, p) - stats.binom.cdf(low - 1, n, p)
        assert coverage >= 0.95
    values = np.arange(200.0, 0.0, -1.0)  # 200 .. 1, unsorted: the function sorts
    assert percentile_interval(values, 5) == (4.0, 17.0)


def test_cli_simulate_refuses_runs_that_do_not_fit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """1000 runs keep 2000 events each (1000 x 2000 x 32 B = 64 MB) and 31 daily records of 21 float32 series
    (1000 x 31 x 21 x 4 B = 2.6 MB), with the per-run counters (components, loads by month and year): about 68 MB,
    refused with 30 MB available (the hourly run 0, 200,000 events x 32 B = 6.4 MB, fits); an InputError (exit 2)
    naming the runs, not a MemoryError traceback."""
    from typer.testing import CliRunner

    from lunarops.cli.main import app
    from lunarops.ops import montecarlo

    path = tmp_path / "rel.yaml"
    path.write_text(SCENARIO)
    monkeypatch.setattr(montecarlo, "available_memory_bytes", lambda: 30_000_000)
    out = CliRunner().invoke(app, ["simulate", str(path), "--runs", "1000", "--json"])
    assert out.exit_code == 2, out.output
    assert "runs = 1000 needs about 68 MB" in out.output and "Traceback" not in out.output
    assert "record_hours" in out.output and "fewer runs" in out.output
