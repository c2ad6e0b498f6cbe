"""Campaign outputs: the launched-mass label by launch node, launcher payload rows of the manifest, Parquet tables."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from lunarops.cli.campaign import load_campaign
from lunarops.cli.main import app
from lunarops.logistics import outputs
from lunarops.logistics.model import solve
from lunarops.logistics.network import Arc, LaunchVehicle, Mission, Problem, SpacecraftDesign
from lunarops.runner.stage import RunContext
from lunarops.runner.stages.campaign import run_stage
from lunarops.scenario import load_scenario

# SMALL of test_campaign_cli_stage.py with the launch arc ending at TLI instead of LEO
TO_TLI = """
epoch_utc: 2031-01-01T00:00:00Z
logistics:
  nodes: [Earth, TLI, LLO]
  arcs:
    - {from: Earth, to: TLI, tof_days: 1, launch: true}
    - {from: TLI, to: LLO, dv_km_per_s: 1.0, tof_days: 3}
  fleet: [{spacecraft: isaji2022-fixed, copies: 1}]
  missions: [{name: m1, depart_day: 0, destination: LLO, deliver: {cargo: 500}}]
  maintenance_fraction_per_flight: 0.0
"""


def test_label_follows_the_launch_node(isaji_path: Path, tmp_path: Path) -> None:
    # Isaji et al. 2022: Earth -> LEO launch arcs, so the objective is IMLEO proper
    isaji = load_campaign(isaji_path).problem()
    assert outputs.launch_info(isaji) == {"launch_node": "LEO", "imleo_label": "IMLEO"}
    # the ILRS example launches on Long March 10 to TLI: the same sum is mass at TLI, not in LEO
    ilrs = load_scenario().campaign
    assert ilrs is not None
    assert outputs.launch_info(ilrs.problem()) == {"launch_node": "TLI", "imleo_label": "mass launched to TLI"}
    path = tmp_path / "tli.yaml"
    path.write_text(TO_TLI)
    runner = CliRunner()
    data = json.loads(runner.invoke(app, ["campaign", "solve", str(path), "--json"]).stdout)
    # the JSON key is kept for compatibility; launch_node says what it measures
    assert data["launch_node"] == "TLI" and data["imleo_label"] == "mass launched to TLI" and data["imleo_kg"] > 0
    text = runner.invoke(app, ["campaign", "solve", str(path), "--quiet"], env={"COLUMNS": "200"}).stdout
    assert "mass launched to TLI" in text and "IMLEO" not in text


def test_manifest_launch_rows_sum_to_launched_mass() -> None:
    """The default ILRS build-up (the reporter's case): launcher payload pooled outside the spacecraft, crew too."""
    result = run_stage(RunContext(scenario=load_scenario()))
    assert result is not None
    plan = result.products["plan"]
    scenario = load_scenario()
    assert scenario.campaign is not None
    epoch = scenario.campaign.epoch_utc
    manifest = {t.title: t.frame for t in result.tables}["Launch manifest"]
    launched = manifest[manifest["launch"]]
    # Independent sum: the mass launched per step as the plan reads it from its own launch-arc flows
    # (plan.mass_per_step, summed in model._read_plan over every copy's variables on launch arcs), dated as the
    # manifest dates; the manifest's launch rows (spacecraft + launcher payload) must add up to it, per date,
    # within the manifest's 0.1 kg rounding per row.
    per_step = plan.mass_per_step[plan.mass_per_step["launched_mass_kg"] > 1e-3]
    expected = {outputs._utc(epoch, d): m for d, m in zip(per_step["day"], per_step["launched_mass_kg"], strict=True)}
    got = launched.groupby("date_utc")["gross_mass_kg"].sum().to_dict()
    assert set(got) == set(expected)
    for date, mass in expected.items():
        assert got[date] == pytest.approx(mass, abs=0.1 * len(launched[launched["date_utc"] == date]) + 0.05)
    # and the year totals of the report's table are the same flows
    per_year = {t.title: t.frame for t in result.tables}["Mass launched per year"]
    assert float(launched["gross_mass_kg"].sum()) == pytest.approx(float(per_year["launched_mass_kg"].sum()), abs=2.0)
    # crew: the 2 crew of the 2034-10-01 visit (the scenario's mission) are on that date's launch rows, whichever
    # row (a spacecraft or the launcher's pooled payload) carries them; independent count: the crew leaving
    # TLI that date in the plan's own flights
    flights = plan.flights[~plan.flights["holdover"]]
    from_tli = flights[(flights["from"] == "TLI") & (flights["day"] == 1734.0)]
    assert outputs._utc(epoch, 1734.0) == "2034-10-01T00:00:00Z"
    assert int(from_tli["crew"].sum()) == 2
    assert int(launched.loc[launched["date_utc"] == "2034-10-01T00:00:00Z", "crew"].sum()) == 2
    # a launcher payload row's commodities (crew 100 kg each, the scenario's crew_mass_kg; elements by their
    # catalog masses) add up to its payload and propellant
    pooled = launched[launched["spacecraft"].str.startswith("launcher payload")]
    assert len(pooled) >= 1  # the crew above fly as a launcher payload: the loop below checks at least that row
    problem = scenario.campaign.problem()
    unit = {"crew": problem.crew_mass_kg, **problem.element_mass_kg}
    kg = [c for c in pooled.columns if c.endswith("_kg") and c not in
          ("dry_mass_kg", "payload_kg", "propellant_loaded_kg", "propellant_burned_kg", "gross_mass_kg")]
    for _, row in pooled.iterrows():
        parts = sum(float(row[q]) * m for q, m in unit.items() if q in row) + sum(float(row[c]) for c in kg)
        assert parts == pytest.approx(float(row["gross_mass_kg"]), abs=0.1 * (len(kg) + 2))
        assert float(row["dry_mass_kg"]) == 0.0


def _held_at_the_launch_node() -> Problem:
    # Earth -> LEO launch arc (1 d), LEO -> LLO (3 d), no delta-v, no maintenance; LEO is a holdover node. Two
    # copies of a 100 kg bus (payload 1,500 kg). One launch vehicle, 1,000 kg to LEO, at most 1 launch a campaign
    # year: day 0 (year 1) and day 400 (year 2) get one launch each. Missions: 500 kg of cargo to LLO on day 0,
    # 1,300 kg on day 400.
    arcs = (Arc("Earth", "LEO", 0.0, 1.0, launch=True), Arc("LEO", "LLO", 0.0, 3.0))
    design = SpacecraftDesign("bus", 1500.0, 100.0, 100.0, 400.0, 2)
    missions = (Mission("first", 0.0, "LLO", deliver={"cargo": 500.0}),
                Mission("second", 400.0, "LLO", deliver={"cargo": 1300.0}))
    vehicle = LaunchVehicle("lv", {"LEO": 1000.0}, max_per_year=1)
    return Problem(("Earth", "LEO", "LLO"), arcs, ("LEO",), (design,), missions, launch_vehicles=(vehicle,),
                   maintenance_fraction_per_flight=0.0)


def test_launcher_row_is_the_launch_arc_flow_when_a_holdover_enters_the_launch_node() -> None:
    """Cargo held at LEO leaves LEO beside what is launched that day: the launcher row is the launch arc's flow,
    not what leaves the launch node."""
    # By hand: 1,300 kg on day 400 exceeds one 1,000 kg launch, so h >= 300 kg must be launched on day 0 and held
    # at LEO; held cargo rides in a copy (holdovers have the payload capacity), so both copies launch on day 0
    # (one flies the 500 kg to LLO, one waits at LEO with h). Day 0's launch: 2 x 100 dry + 500 + h <= 1,000, so
    # h <= 300: h = 300 kg. Day 0 launches both copies (no launcher payload: every kg rides a flying copy); day
    # 400 launches 1,300 - 300 = 1,000 kg of cargo with no copy on the launch arc: the launcher row is cargo
    # 1,000 kg, while 1,300 kg of cargo leaves LEO that day (the 300 kg held + the 1,000 kg launched).
    problem = _held_at_the_launch_node()
    plan = solve(problem)
    assert plan.imleo_kg == pytest.approx(200.0 + 500.0 + 1300.0, abs=1e-6)  # dry 2 x 100 + all the cargo
    flights = plan.flights
    leaving = flights[(flights["day"] == 400.0) & (flights["from"] == "LEO") & ~flights["holdover"]]
    assert float(leaving["cargo_kg"].sum()) == pytest.approx(1300.0, abs=1e-6)
    held = flights[(flights["day"] == 0.0) & flights["holdover"]]
    assert float(held["cargo_kg"].sum()) == pytest.approx(300.0, abs=1e-6)
    # the solver's launch-arc flows, as the plan stores them: day 400 only, cargo 1,000 kg
    pooled = plan.launcher_payload
    assert pooled[["day", "from", "to", "commodity"]].to_dict(orient="records") == [
        {"day": 400.0, "from": "Earth", "to": "LEO", "commodity": "cargo"}
    ]
    assert float(pooled["amount"].iloc[0]) == pytest.approx(1000.0, abs=1e-6)
    assert float(pooled["mass_kg"].iloc[0]) == pytest.approx(1000.0, abs=1e-6)
    # the manifest's launcher row is that flow (not the 1,300 kg leaving LEO), and day 400's launch rows sum to
    # the launched mass
    epoch = datetime(2031, 1, 1)
    manifest = outputs.manifest(plan, epoch, problem)
    row = manifest[manifest["spacecraft"].str.startswith("launcher payload")]
    assert len(row) == 1
    assert row["spacecraft"].iloc[0] == "launcher payload (lv x1)"
    assert row["date_utc"].iloc[0] == outputs._utc(epoch, 400.0) and row["route"].iloc[0] == "Earth -> LEO"
    assert float(row["cargo_kg"].iloc[0]) == 1000.0
    assert float(row["payload_kg"].iloc[0]) == 1000.0 and float(row["gross_mass_kg"].iloc[0]) == 1000.0
    assert float(row["propellant_loaded_kg"].iloc[0]) == 0.0
    launched = dict(zip(plan.mass_per_step["day"], plan.mass_per_step["launched_mass_kg"], strict=True))
    assert launched[400.0] == pytest.approx(1000.0, abs=1e-6)
    assert launched[0.0] == pytest.approx(1000.0, abs=1e-6)
    day0 = manifest[manifest["launch"] & (manifest["date_utc"] == outputs._utc(epoch, 0.0))]
    assert float(day0["gross_mass_kg"].sum()) == pytest.approx(1000.0, abs=0.1)


def test_campaign_tables_are_written_as_parquet(tmp_path: Path) -> None:
    from lunarops.runner import run as run_module
    from lunarops.scenario.load import parse_scenario

    text = yaml.safe_dump(
        {
            "name": "t",
            "period": {"start_utc": "2031-01-01", "end_utc": "2031-01-05"},
            "sites": [{"name": "a", "latitude_deg": -89, "longitude_deg": 0}],
            "campaign": yaml.safe_load(TO_TLI),
        }
    )
    results = run_module.run(parse_scenario(text), tmp_path, record=False, report=False)
    stage = results.stages["campaign"]
    files = sorted(p.name for p in (tmp_path / "results").glob("campaign-*.parquet"))
    assert files == ["campaign-deliveries.parquet", "campaign-manifest.parquet", "campaign-mass_per_year.parquet"]
    tables = {t.title: t.frame for t in stage.tables}
    manifest = pd.read_parquet(tmp_path / "results" / "campaign-manifest.parquet")
    report_manifest = tables["Launch manifest"]
    # the report's ISO text dates are UTC datetimes in Parquet (pandas reads them without a to_datetime)
    assert str(manifest["date_utc"].dtype) == "datetime64[ns]"
    expected = report_manifest.assign(
        date_utc=pd.to_datetime(report_manifest["date_utc"], utc=True).dt.tz_localize(None),
        arrival_utc=pd.to_datetime(report_manifest["arrival_utc"], utc=True).dt.tz_localize(None),
    )
    assert manifest.drop(columns=["row"]).to_dict(orient="records") == expected.to_dict(orient="records")
    per_year = pd.read_parquet(tmp_path / "results" / "campaign-mass_per_year.parquet")
    assert per_year["launched_mass_kg"].sum() == pytest.approx(stage.summary["imleo_kg"], rel=1e-9)
