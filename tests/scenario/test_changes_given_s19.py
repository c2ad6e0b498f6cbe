"""Changed copies and dumps of a scenario validate as its file does (session 19 integration check): checks that
refuse two fields given together (food_kg_per_crew_day with food_basis, ground_min_elevation_deg with
ground_network: none, sabatier_efficiency with co2_handling: vent) must not see every default as given."""

from __future__ import annotations

import json

import yaml

from lunarops.runner.run import scenario_sha256
from lunarops.scenario import default_scenario_path
from lunarops.scenario.changes import given_fields, scenario_from_dict, with_changes


def _variant() -> dict:
    data = yaml.safe_load(default_scenario_path().read_text())
    data["operations"]["life_support"]["food_kg_per_crew_day"] = 1.14  # a lighter food system (NTRS 20090006804)
    data["operations"]["comms"]["ground_network"] = "none"
    return data


def test_with_changes_on_a_scenario_with_field_presence_checks() -> None:
    scenario = scenario_from_dict(_variant())
    changed = with_changes(scenario, {"operations.storage.battery.capacity_kwh": 900, "orbits.coverage.step_s": 120})
    assert changed.operations.storage.battery is not None and changed.operations.storage.battery.capacity_kwh == 900
    assert changed.operations.life_support.food_kg_per_crew_day == 1.14
    assert changed.operations.life_support.food_basis == scenario.operations.life_support.food_basis


def test_the_given_fields_validate_back_to_the_same_scenario() -> None:
    scenario = scenario_from_dict(_variant())
    again = scenario_from_dict(json.loads(json.dumps(given_fields(scenario))))
    assert scenario_sha256(again) == scenario_sha256(scenario)
