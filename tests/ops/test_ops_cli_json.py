"""`lunarops simulate --json` says which nulls are infinities."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from lunarops.cli.main import app

SCENARIO = """
schema_version: 1
name: no crew
period: {start_utc: 2030-01-01T00:00:00Z, end_utc: 2030-01-11T00:00:00Z, step_hours: 1}
sites:
  - {name: Rim, latitude_deg: -85.0, longitude_deg: 30.0, mast_height_m: 10}
operations:
  power:
    fission_plants: [{name: reactor, power_kwe: 10, mass_kg: 1545}]
  loads: [{name: habitat, power_kw: 5}]
  consumables: {o2_kg: 100, water_kg: 100, food_kg: 100}
  monte_carlo: {runs: 2, record_hours: 24}
"""


def test_simulate_json_names_infinite_values(tmp_path: Path) -> None:
    # no crew: nothing draws on the stores, so the days of reserve are infinite; JSON has no inf, so the value is
    # null and "non_finite" says it is +inf (as summary.json and `runs show` do)
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO)
    result = CliRunner().invoke(app, ["simulate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["summary"]["consumables_reserve_days_p05"] is None
    assert out["non_finite"]["consumables_reserve_days_p05"] == "inf"
    assert all(out["summary"][key] is None for key in out["non_finite"])
    # each load by calendar year: the habitat runs always, 10 days x 24 h = 240 h in 2030, 5 kW x 240 h = 1.2 MWh
    # (by hand; a fission plant never short of 10 kWe)
    (habitat,) = [row for row in out["loads_by_year"] if row["load"] == "habitat"]
    assert habitat["year"] == 2030 and habitat["scheduled_h_mean"] == 240 and habitat["shed_h_mean"] == 0
    assert abs(habitat["served_mwh_mean"] - 1.2) < 1e-9


def test_simulate_text_has_the_intervals_and_the_load_table(tmp_path: Path) -> None:
    # no crew, one load, 2 runs: nothing is ever short, so each probability is 0 with the exact interval
    # [0, 1 - 0.025^(1/2)] = [0, 0.842] (Clopper-Pearson with 0 of 2; scipy.stats.beta.ppf(0.975, 1, 2) = 0.8419)
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO)
    result = CliRunner(env={"COLUMNS": "120"}).invoke(app, ["simulate", str(path)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "P(any unserved energy (more than 1 J in the run)) = 0 (95 % CI 0 to 0.842)" in text
    assert "loads (means per run)" in text and "habitat" in text
