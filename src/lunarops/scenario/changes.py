"""Changed copies of a scenario from Python: fields set by dotted path, validated as a scenario file is.

Scenarios are frozen once validated (every stage keys its results on them); change one with
``scenario.with_changes({"operations.storage.battery.capacity_kwh": 800})`` or build one from a mapping with
:func:`scenario_from_dict`. Mistakes raise ScenarioError with the field, the value and the fix, as `validate` does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from lunarops.errors import InputError

if TYPE_CHECKING:
    from lunarops.scenario.model import Scenario


def scenario_from_dict(data: Mapping[str, Any], source: str = "<dict>") -> Scenario:
    """Validate a scenario given as a mapping (e.g. an edited ``scenario.model_dump(mode="json")``); every problem
    is listed with its field and fix (ScenarioError), as for a file."""
    from lunarops.scenario.load import validate_mapping
    from lunarops.scenario.model import Scenario

    if not isinstance(data, Mapping):
        raise InputError(
            f"scenario data = {repr(data)[:80]} is a {type(data).__name__}; give a mapping of the scenario's fields "
            "(as a scenario file holds them), e.g. load_scenario().model_dump(mode='json')"
        )
    return validate_mapping(None, json.loads(json.dumps(dict(data), default=str)), source, Scenario)


def with_changes(scenario: Scenario, changes: Mapping[str, Any], source: str = "<changes>") -> Scenario:
    """A copy of ``scenario`` with fields set by dotted path (``{"sites.0.mast_height_m": 10,
    "operations.crew.0.count": 6}``: list items by index), validated as a file is."""
    if not isinstance(changes, Mapping) or not all(isinstance(k, str) for k in changes):
        raise InputError(
            f"changes = {repr(changes)[:80]} must be a mapping of dotted field paths to values, e.g. "
            "{'operations.storage.battery.capacity_kwh': 800}"
        )
    full = json.loads(scenario.model_dump_json())
    given = given_fields(scenario)
    for path, value in changes.items():
        set_given_path(given, full, path, value)
    return scenario_from_dict(given, source)


def given_fields(scenario: Scenario) -> dict[str, Any]:
    """The scenario's fields as its file gives them (JSON values; defaults it left out are left out): validated
    again, the same scenario. A full dump would not always validate: some checks refuse two fields given together
    (food_kg_per_crew_day with food_basis, ground_min_elevation_deg with ground_network: none), and a full dump
    gives every default."""
    data: dict[str, Any] = json.loads(scenario.model_dump_json(exclude_unset=True))
    return data


def set_given_path(given: dict[str, Any], full: dict[str, Any], path: str, value: Any, what: str = "path") -> None:
    """Set ``path`` in ``given`` (a scenario's given fields, :func:`given_fields`); the path is checked against
    ``full`` (every field, defaults included: InputError naming what is not there), and a section or item the file
    leaves out is added on the way (a section empty: its defaults)."""
    set_path(json.loads(json.dumps(full)), path, value, what)
    node: Any = given
    ref: Any = full
    parts = path.split(".")
    for part in parts[:-1]:
        key: Any = int(part) if isinstance(ref, list) else part
        if isinstance(node, dict) and key not in node:
            node[key] = {} if isinstance(ref[key], dict) else json.loads(json.dumps(ref[key]))
        node, ref = node[key], ref[key]
    node[int(parts[-1]) if isinstance(node, list) else parts[-1]] = value


def set_path(data: Any, path: str, value: Any, what: str = "path") -> None:
    """Set the field ``path`` (dotted; list items by index) of scenario data in place; InputError naming the part
    of the path that is not there, with the fields that are."""
    parts = path.split(".")
    node = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        where = ".".join(parts[: depth + 1])
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise InputError(f"{what} {path!r}: {where!r} is not an index of a list of {len(node)}")
            key: Any = int(part)
        elif isinstance(node, dict):
            if part not in node:
                fields = sorted(node)
                raise InputError(f"{what} {path!r}: {where!r} is not a field of the scenario; fields here: {fields}")
            key = part
        else:
            parent = ".".join(parts[:depth])
            if node is None:  # an optional section left out (e.g. operations.radiation, a load's thermal)
                raise InputError(
                    f"{what} {path!r}: {parent!r} is not in the scenario (null), so it has no {part!r} to set; add "
                    f"the section to the scenario first (e.g. `{parts[depth - 1]}: {{}}` for its defaults), or set "
                    f"{parent!r} whole"
                )
            raise InputError(
                f"{what} {path!r}: {where!r} goes inside {parent!r} = {node!r}, a value that has no fields"
            )
        if last:
            node[key] = value
        else:
            node = node[key]
