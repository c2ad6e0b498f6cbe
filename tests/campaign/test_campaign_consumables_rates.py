"""Crew consumables of the plan: transits at the campaign's open-loop rate, stays at the base's (operations) rate;
`lunarops campaign solve` and `lunarops run` build the same problem and solve the same plan; no -0.0 in the JSON."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lunarops.cli.main import app
from lunarops.errors import InputError
from lunarops.logistics.network import Arc, Mission, Problem, SpacecraftDesign
from lunarops.runner.stage import RunContext, StageResult
from lunarops.runner.stages.campaign import run_stage
from lunarops.scenario import default_scenario_path, load_scenario

# NASA BVAD (NASA/TP-2015-218570 Rev 2, Table 3-31), open loop, per crew-member-day: O2 0.895 + potable water
# 3.217 kg + packaged food as shipped 1.82 kg (ISS, NTRS 20090006804; session 19: food counted as shipped mass);
# the example's campaign.logistics.consumables_kg_per_crew_day
FOOD_SHIPPED = 1.82
OPEN_LOOP = 0.895 + 3.217 + FOOD_SHIPPED  # 5.932 kg
# The example's operations loop (water recovery 0.93, all O2 by electrolysis, Sabatier at 0.9), worked by hand
# in tests/campaign/test_campaign_cli_stage.py::test_default_scenario_stage_products: 2.5995 kg per crew-day
# (1.5795 with dry food before session 19)
_ELECTROLYSED = 0.895 * 2 * 18.015 / 31.998
_SABATIER = 0.9 * min(_ELECTROLYSED * 2.016 / 18.015 * 2 * 18.015 / (4 * 2.016), 1.085 * 2 * 18.015 / 44.009)
BASE_LOOP = FOOD_SHIPPED + 3.217 * (1 - 0.93) + _ELECTROLYSED - _SABATIER
# The example's crewed visit: 2 crew, 14 days on the surface; times of flight of its arcs (examples/
# ilrs-south-pole.yaml: TLI->NRHO 4.5 d, NRHO<->LLO 0.5 d, LLO<->surface 0.1 d, NRHO->Earth 5.0 d)
CREW, STAY_DAYS = 2, 14.0
TOF = {("TLI", "NRHO"): 4.5, ("NRHO", "LLO"): 0.5, ("LLO", "surface"): 0.1, ("surface", "LLO"): 0.1,
       ("LLO", "NRHO"): 0.5, ("NRHO", "Earth"): 5.0}


@pytest.fixture(scope="module")
def stage() -> StageResult:
    result = run_stage(RunContext(scenario=load_scenario()))
    assert result is not None
    return result


@pytest.fixture(scope="module")
def cli_json_text() -> str:
    result = CliRunner().invoke(app, ["campaign", "solve", str(default_scenario_path()), "--json"])
    assert result.exit_code == 0, result.output
    return str(result.stdout)


def test_rates_of_the_example() -> None:
    # the code's rates against NASA BVAD (NASA/TP-2015-218570 Rev 2, Table 3-31) and the hand-worked BASE_LOOP
    from lunarops.ops.lifesupport import BVAD
    from lunarops.runner.stages.campaign import consumables_problem

    # open loop: lunarops' BVAD rates for 1 crew-member-day, O2 + water + food = 0.895 + 3.217 + 1.82 kg shipped
    day = BVAD.open_loop_kg(1.0, 1.0)
    assert day["o2_kg"] + day["water_kg"] + day["food_kg"] == pytest.approx(5.932, abs=1e-9)  # kg per crew-day
    scenario = load_scenario()
    assert scenario.campaign is not None
    problem, split, _notes = consumables_problem(scenario.campaign, scenario.operations)
    # transits: the example's consumables_kg_per_crew_day, the BVAD open-loop rate above
    assert problem.consumables_kg_per_crew_day == pytest.approx(OPEN_LOOP, abs=1e-9)  # kg per crew-day
    # stays: the operations loop's daily net use (LoopClosure.daily_net_use_kg), against the hand calculation
    # BASE_LOOP (2.5995 kg, test_campaign_cli_stage.py::test_default_scenario_stage_products); 0.1 g per crew-day
    # covers the rounding of the molar masses in the hand calculation (measured difference 3e-5 kg)
    assert problem.stay_consumables_kg_per_crew_day == pytest.approx(BASE_LOOP, abs=1e-4)  # kg per crew-day
    # all the O2 is made by electrolysis, so none is resupplied; food is the shipped 1.82 kg untouched by the loop
    assert split["o2_kg"] == 0.0 and split["food_kg"] == pytest.approx(FOOD_SHIPPED, abs=1e-9)  # kg per crew-day


def test_cli_and_run_stage_solve_the_same_plan(stage: StageResult, cli_json_text: str) -> None:
    data = json.loads(cli_json_text)
    # same problem (stay rate from the operations section, transits at 5.932) -> the same plan
    assert data["imleo_kg"] == pytest.approx(float(stage.summary["imleo_kg"]), abs=1.0)
    assert data["n_flights"] == stage.summary["n_flights"]
    # the CLI prints the run stage's consumables note, which names both rates
    note = next(n for n in stage.notes if n.startswith("Consumables per crew-day of the stays"))
    assert note in data["notes"]
    assert f"{BASE_LOOP:.3f} kg" in note and f"{OPEN_LOOP:.3f} kg per crew-day" in note


def test_transits_at_the_open_loop_rate_and_the_stay_at_the_base_rate(stage: StageResult) -> None:
    flights = stage.products["plan"].flights
    crewed = flights[(flights["crew"] > 0) & ~flights["holdover"] & ~flights["launch"]]
    by_leg = {(str(f), str(t)): float(kg) for f, t, kg in zip(crewed["from"], crewed["to"], crewed["consumables_kg"],
                                                               strict=True)}
    assert set(by_leg) == set(TOF)  # one crewed flight per leg, out and back
    # what a leg burns = consumables carried out of its origin - carried out of its destination on the next leg
    # (nothing else lands consumables at NRHO or LLO: no holdovers there); the last leg of each way ends with 0
    chains = [[("TLI", "NRHO"), ("NRHO", "LLO"), ("LLO", "surface")],
              [("surface", "LLO"), ("LLO", "NRHO"), ("NRHO", "Earth")]]
    for chain in chains:
        for leg, after in zip(chain, [*chain[1:], None], strict=True):
            burned = by_leg[leg] - (by_leg[after] if after is not None else 0.0)
            expected = CREW * TOF[leg] * OPEN_LOOP  # e.g. TLI->NRHO: 2 crew x 4.5 d x 5.932 = 53.388 kg
            if leg == ("LLO", "surface"):  # what the lander carries beyond its burn stays at the base (the plan
                assert burned >= expected - 0.01, leg  # may land the stay's consumables with the crew)
                continue
            assert burned == pytest.approx(expected, abs=0.01), leg
    # the 5-day return leg: 2 x 5.0 x 5.932 = 59.32 kg (49.12 with dry food before session 19)
    assert by_leg["NRHO", "Earth"] == pytest.approx(59.32, abs=0.01)
    # the stay: what stays at the surface is 2 crew x 14 d x 2.5995 = 72.79 kg, at the base's rate
    d = stage.products["plan"].deliveries
    stay = d[(d["node"] == "surface") & (d["commodity"] == "consumables")]["amount"].sum()
    assert stay == pytest.approx(CREW * STAY_DAYS * BASE_LOOP, abs=0.01)


def _floats(node: Any) -> list[float]:
    if isinstance(node, float):
        return [node]
    if isinstance(node, dict):
        return [x for v in node.values() for x in _floats(v)]
    if isinstance(node, list):
        return [x for v in node for x in _floats(v)]
    return []


def test_no_negative_zero_in_the_json(cli_json_text: str) -> None:
    assert not re.search(r"-0\.0(?![0-9]*[1-9])", cli_json_text)
    values = _floats(json.loads(cli_json_text))
    assert values and not [v for v in values if v == 0.0 and math.copysign(1.0, v) < 0]


def test_text_manifest_fits_80_columns() -> None:
    result = CliRunner(env={"COLUMNS": "80"}).invoke(
        app, ["campaign", "solve", str(default_scenario_path()), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "\u2026" not in result.stdout  # nothing cut to "spacecra…"
    assert any(line.lstrip().startswith("2034-10-20 04:48") for line in lines)  # dates to the minute
    assert "Note: Consumables per crew-day of the stays" in " ".join(result.stdout.split())


def _one_leg(stay: float | None) -> Problem:
    # launch Earth -> LEO (1 d), LEO -> LLO (3 d) and LLO -> Earth (3 d), no delta-v; the copy waits at LLO;
    # 1 crew for a 10-day stay at LLO: the stay rate sets only the stay's demand
    arcs = (Arc("Earth", "LEO", 0.0, 1.0, launch=True), Arc("LEO", "LLO", 0.0, 3.0), Arc("LLO", "Earth", 0.0, 3.0))
    design = SpacecraftDesign("bus", 5000.0, 1000.0, 1000.0, 400.0, 1)
    mission = Mission("visit", 0.0, "LLO", crew=1, stay_days=10.0)
    return Problem(("Earth", "LEO", "LLO"), arcs, ("LLO",), (design,), (mission,),
                   consumables_kg_per_crew_day=OPEN_LOOP, maintenance_fraction_per_flight=0.0,
                   stay_consumables_kg_per_crew_day=stay)


def test_stay_rate_defaults_to_the_transit_rate_and_is_validated() -> None:
    assert _one_leg(None).stay_rate_kg_per_crew_day == OPEN_LOOP  # Isaji et al. 2022: one rate everywhere
    assert _one_leg(1.5).stay_rate_kg_per_crew_day == 1.5
    with pytest.raises(InputError, match="stay_consumables_kg_per_crew_day"):
        _one_leg(-1.0)


def test_stay_and_transit_rates_in_a_tiny_plan() -> None:
    from lunarops.logistics.model import solve

    # no delta-v, no maintenance: IMLEO = what is launched = dry 1,000 + crew 100 + every kg of consumables, all
    # from Earth: transits 1 crew x (1 + 3 out, 3 back) d x 5.932 + the stay 1 crew x 10 d x the stay rate
    for stay, rate in ((None, OPEN_LOOP), (1.5, 1.5)):
        plan = solve(_one_leg(stay))
        assert plan.imleo_kg == pytest.approx(1000.0 + 100.0 + 7.0 * OPEN_LOOP + 10.0 * rate, abs=1e-6)


def test_isaji_campaign_file_has_no_operations(isaji_path: Path) -> None:
    # the Isaji et al. 2022 reproduction (694,264.42 kg, test_campaign_isaji.py) is a campaign-only file: one rate
    from lunarops.cli.campaign import load_campaign_and_operations
    from lunarops.runner.stages.campaign import consumables_problem

    section, operations = load_campaign_and_operations(isaji_path)
    assert operations is None
    # 8.655 kg per crew-day: the consumables rate of the Isaji et al. 2022 open model
    # (MissionParameters.consumption_cost; myamazum/space-logistics-optimization), which the campaign file keeps
    # and lunarops' Problem takes as its default (src/lunarops/logistics/network.py, consumables_kg_per_crew_day)
    problem, _split, notes = consumables_problem(section, operations)
    assert problem.stay_consumables_kg_per_crew_day is None and problem.consumables_kg_per_crew_day == 8.655
    assert notes == [] or notes[0].startswith("consumables_from_operations is set")
