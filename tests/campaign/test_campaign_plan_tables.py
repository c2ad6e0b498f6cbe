"""Plan tables for a programme manager: each leg's arrival time, every calendar year of mass launched, the vehicles
launched per design, and the launches / mass per year in the text output of `campaign solve`."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from lunarops.cli.main import app
from lunarops.logistics import outputs
from lunarops.logistics.model import solve
from lunarops.logistics.network import Arc, Mission, Problem, SpacecraftDesign
from lunarops.scenario.load import default_scenario_path

EPOCH = datetime(2031, 1, 1)


def _round_trip() -> Problem:
    # Earth -> LEO (launch, 1 d) -> LLO (3 d) -> LS (1 d) and back LS -> LLO (1 d) -> LEO (3 d) -> Earth (1 d), the
    # times of flight of the Isaji et al. 2022 network, no delta-v, no maintenance; waits on LS. One crew member to
    # LS on day 0 for a 3-day stay: the return step is day 0 + 5 + 3 = 8.
    arcs = (Arc("Earth", "LEO", 0.0, 1.0, launch=True), Arc("LEO", "LLO", 0.0, 3.0), Arc("LLO", "LS", 0.0, 1.0),
            Arc("LS", "LLO", 0.0, 1.0), Arc("LLO", "LEO", 0.0, 3.0), Arc("LEO", "Earth", 0.0, 1.0))
    design = SpacecraftDesign("bus", 1500.0, 100.0, 100.0, 400.0, 1)
    mission = Mission("visit", 0.0, "LS", crew=1, stay_days=3.0, deliver={"cargo": 200.0})
    return Problem(("Earth", "LEO", "LLO", "LS"), arcs, ("LS",), (design,), (mission,),
                   maintenance_fraction_per_flight=0.0)


def test_manifest_arrival_is_the_step_plus_the_legs_flown_so_far() -> None:
    problem = _round_trip()
    plan = solve(problem)
    manifest = outputs.manifest(plan, EPOCH, problem)
    got = {(d, r): a for d, r, a in zip(manifest["date_utc"], manifest["route"], manifest["arrival_utc"], strict=True)}
    # by hand, days from 2031-01-01: out on day 0: LEO at 1, LLO at 1 + 3 = 4, LS at 4 + 1 = 5; back on day 8: LLO
    # at 8 + 1 = 9, LEO at 9 + 3 = 12, Earth at 12 + 1 = 13 (the 13-day mission)
    out, back = "2031-01-01T00:00:00Z", "2031-01-09T00:00:00Z"
    assert got == {
        (out, "Earth -> LEO"): "2031-01-02T00:00:00Z",
        (out, "LEO -> LLO"): "2031-01-05T00:00:00Z",
        (out, "LLO -> LS"): "2031-01-06T00:00:00Z",
        (back, "LS -> LLO"): "2031-01-10T00:00:00Z",
        (back, "LLO -> LEO"): "2031-01-13T00:00:00Z",
        (back, "LEO -> Earth"): "2031-01-14T00:00:00Z",
    }
    # second computation: the landing the operations stage dates the crew by (mission_arrivals, departure + the
    # shortest transit) is the arrival of the leg into LS
    landing = outputs.mission_arrivals(problem, EPOCH, "LS")["visit"]
    assert got[(out, "LLO -> LS")] == landing.strftime("%Y-%m-%dT%H:%M:%SZ")
    # the Parquet table (table_dataset) holds it as a UTC datetime, like date_utc
    frame = outputs.table_dataset(manifest).to_dataframe()
    assert str(frame["arrival_utc"].dtype) == "datetime64[ns]"
    assert frame["arrival_utc"].min() == pd.Timestamp("2031-01-02")
    # without the problem there are no times of flight: the column is there, empty
    assert set(outputs.manifest(plan, EPOCH)["arrival_utc"]) == {""}


# Two cargo missions to LLO 800 days apart (2031-01-01 and 2033-03-11: 365 + 366 = 731 days to 2033-01-01, +69 =
# March 11), nothing in 2032. One copy of a 100 kg bus; no holdover node, no way back: the copy left at LLO on day
# 0 cannot fly day 800, so the same copy is launched twice. A 1,000 kg launch vehicle to LEO.
TWO_YEARS_APART = """
epoch_utc: 2031-01-01T00:00:00Z
launch_vehicles: {lv: {payload_kg: {LEO: 1000}, max_per_year: 4, source: test}}
spacecraft:
  bus: {payload_capacity_kg: 2000, propellant_capacity_kg: 100, dry_mass_kg: 100, isp_s: 400, source: test}
logistics:
  nodes: [Earth, LEO, LLO]
  arcs:
    - {from: Earth, to: LEO, tof_days: 1, launch: true}
    - {from: LEO, to: LLO, dv_km_per_s: 0.0, tof_days: 3}
  fleet: [{spacecraft: bus, copies: 1}]
  launch_vehicles: [lv]
  missions:
    - {name: m1, depart_day: 0, destination: LLO, deliver: {cargo: 1500}}
    - {name: m2, depart_day: 800, destination: LLO, deliver: {cargo: 500}}
  maintenance_fraction_per_flight: 0.0
"""


def test_json_lists_every_year_and_the_vehicles_launched(tmp_path: Path) -> None:
    path = tmp_path / "two.yaml"
    path.write_text(TWO_YEARS_APART)
    result = CliRunner().invoke(app, ["campaign", "solve", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # by hand (no delta-v): 2031: dry 100 + cargo 1,500 = 1,600 kg; 2032: no step, 0; 2033: 100 + 500 = 600 kg
    assert data["mass_per_year_kg"] == pytest.approx({"2031": 1600.0, "2032": 0.0, "2033": 600.0}, abs=1e-6)
    # one copy, launched on both days (2 launch-arc departures): 2 vehicles to build
    assert data["vehicles_launched"] == {"bus": 2}
    # second computation: the launch rows of the bus in the JSON manifest
    assert sum(1 for row in data["manifest"] if row["launch"] and row["spacecraft"].startswith("bus")) == 2
    # launches: ceil(1,600 / 1,000) = 2 on 2031-01-01, ceil(600 / 1,000) = 1 on 2033-03-11 (the objective's tie
    # break launches no empty vehicle)
    assert [(r["date_utc"], r["launches"]) for r in data["launches"]] == [
        ("2031-01-01T00:00:00Z", 2), ("2033-03-11T00:00:00Z", 1)]


def test_text_output_has_launches_mass_per_year_vehicles_and_arrivals(tmp_path: Path) -> None:
    path = tmp_path / "two.yaml"
    path.write_text(TWO_YEARS_APART)
    result = CliRunner(env={"COLUMNS": "80"}).invoke(app, ["campaign", "solve", str(path), "--quiet"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    rows = [line.replace("│", " ").split() for line in lines]
    # the launches table: date, vehicle, node, count (same hand numbers as the JSON test)
    assert ["2031-01-01", "00:00", "lv", "LEO", "2"] in rows
    assert ["2033-03-11", "00:00", "lv", "LEO", "1"] in rows
    # mass launched per year in t: 1.6, 0 (2032 has no step), 0.6
    assert ["2031", "1.600"] in rows and ["2032", "0.000"] in rows and ["2033", "0.600"] in rows
    assert "IMLEO, t" in result.stdout  # the per-year column says what is launched (LEO launches: IMLEO)
    # vehicles launched per design in the summary: 2 (one copy launched twice)
    assert ["vehicles_launched", "(bus)", "2"] in rows
    # the manifest's arrival column: LEO -> LLO of 2033-03-11 arrives 1 + 3 = 4 days later, on 03-15
    assert any(r[:4] == ["2033-03-11", "00:00", "03-15", "00:00"] and "LEO->LLO" in r for r in rows)


def test_default_scenario_manifest_shows_landings_and_returns() -> None:
    """The programme manager's case: the ILRS build-up in an 80-column terminal."""
    result = CliRunner(env={"COLUMNS": "80"}).invoke(app, ["campaign", "solve", str(default_scenario_path()),
                                                          "--quiet"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80 and "\u2026" not in result.stdout
    rows = [line.replace("│", " ").split() for line in lines]
    # a 2031-06-01 LLO -> surface leg lands 0.1 + 4.5 + 0.5 + 0.1 = 5.2 d later (the example's Earth->TLI, TLI->NRHO,
    # NRHO->LLO, LLO->surface times of flight): 2031-06-06 04:48
    landings = [r for r in rows if r[:2] == ["2031-06-01", "00:00"] and "LLO->surface" in r]
    assert landings and all(r[2:4] == ["06-06", "04:48"] for r in landings)
    # the crew's return step (2034-10-20 04:48) reaches Earth 0.1 + 0.5 + 5.0 = 5.6 d later: 2034-10-25 19:12
    returns = [r for r in rows if "NRHO->Earth" in r]
    assert returns and all(r[:4] == ["2034-10-20", "04:48", "10-25", "19:12"] for r in returns)
    # vehicles launched: every Earth->TLI row of a spacecraft copy ("A<n>"; "B" is the launcher's pooled payload)
    launched = sum(1 for r in rows if "Earth->TLI" in r and r[4].startswith("A"))
    summary = [r for r in rows if r[:1] == ["vehicles_launched"]]
    assert len(summary) == 1 and int(summary[0][-1]) == launched
    assert "Launches" in result.stdout and "Launched per year" in result.stdout


def test_manifest_names_each_vehicle_by_its_launch_and_its_propellant() -> None:
    # one tug copy flies two missions 800 days apart (the round trip problem twice): two vehicles in the same
    # slot bus#1, launched 2031-01-01 and 800 d later, 2033-03-11; each row names the one that flies (by its
    # launch date); each return is flown by the vehicle launched last before it
    from dataclasses import replace
    from datetime import timezone

    first = _round_trip()
    again = Mission("again", 800.0, "LS", crew=1, stay_days=3.0, deliver={"cargo": 200.0})
    problem = replace(first, missions=(*first.missions, again))
    plan = solve(problem)
    epoch = datetime(2031, 1, 1, tzinfo=timezone.utc)
    man = outputs.manifest(plan, epoch, problem)
    launches = man[man["route"].str.startswith("Earth ->")]
    # two launches of the one copy, six legs each (Earth -> LEO -> LLO -> LS and back), so the loops below run
    assert launches["date_utc"].tolist() == ["2031-01-01T00:00:00Z", "2033-03-11T00:00:00Z"]
    assert set(launches["spacecraft"]) == {"bus#1"} and len(man) == 12
    vehicles = man["vehicle"].value_counts().to_dict()
    assert vehicles == {"bus#1 (launched 2031-01-01)": 6, "bus#1 (launched 2033-03-11)": 6}
    for _, row in launches.iterrows():
        assert row["vehicle"] == f"{row['spacecraft']} (launched {row['date_utc'][:10]})"
    # every later row of a slot names the vehicle launched last before it (rows are in time order)
    last: dict[str, str] = {}
    for _, row in man.iterrows():
        if row["route"].startswith("Earth ->"):
            last[row["spacecraft"]] = row["date_utc"][:10]
        assert row["vehicle"] == f"{row['spacecraft']} (launched {last[row['spacecraft']]})"
    # the propellant commodities are named as propellant, not as cargo (the ILRS example loads oxygen and hydrogen)
    from lunarops.runner.stages.campaign import plan_campaign
    from lunarops.scenario import load_scenario

    scenario = load_scenario(default_scenario_path())
    assert scenario.campaign is not None
    solved = plan_campaign(scenario.campaign, scenario.operations, lambda f, m: None)
    ilrs = outputs.manifest(solved.plan, scenario.campaign.epoch_utc, solved.problem)
    assert {"propellant_oxygen_kg", "propellant_hydrogen_kg"} <= set(ilrs.columns)
    assert "oxygen_kg" not in ilrs.columns and "hydrogen_kg" not in ilrs.columns
    # oxygen + hydrogen loaded = propellant_loaded_kg on every row (the design's two propellants)
    both = ilrs["propellant_oxygen_kg"] + ilrs["propellant_hydrogen_kg"]
    assert (both - ilrs["propellant_loaded_kg"]).abs().max() <= 0.2  # rounded to 0.1 kg each
