"""Scenario files: pydantic v2 models, YAML loading with line numbers, JSON Schema."""

from lunarops.scenario.changes import scenario_from_dict
from lunarops.scenario.load import default_scenario_path, load_scenario, parse_scenario, scenario_json_schema
from lunarops.scenario.model import Scenario

__all__ = [
    "Scenario",
    "default_scenario_path",
    "load_scenario",
    "parse_scenario",
    "scenario_from_dict",
    "scenario_json_schema",
]
