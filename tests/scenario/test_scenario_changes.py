"""Changed copies of a scenario from Python (Scenario.with_changes, scenario_from_dict): validated as a file is,
with the field, the value and the fix in every error."""

from __future__ import annotations

import pytest

from lunarops.errors import InputError, ScenarioError
from lunarops.scenario import load_scenario, scenario_from_dict


def test_with_changes_sets_fields_by_dotted_path_and_leaves_the_original() -> None:
    base = load_scenario()
    battery_kwh = base.operations.storage.battery.capacity_kwh  # type: ignore[union-attr]
    changed = base.with_changes({"operations.storage.battery.capacity_kwh": battery_kwh + 300.0,
                                 "sites.0.mast_height_m": 5})
    assert changed.operations.storage.battery.capacity_kwh == battery_kwh + 300.0  # type: ignore[union-attr]
    assert changed.sites[0].mast_height_m == 5.0
    assert base.operations.storage.battery.capacity_kwh == battery_kwh  # type: ignore[union-attr]
    assert changed.name == base.name and changed.period == base.period


def test_fields_cannot_be_assigned_and_the_error_says_how_to_change_them() -> None:
    battery = load_scenario().operations.storage.battery  # type: ignore[union-attr]
    with pytest.raises(InputError, match=r"BatterySpec\.capacity_kwh cannot be set.*with_changes"):
        battery.capacity_kwh = 800  # type: ignore[misc]


@pytest.mark.parametrize(
    ("changes", "fragments"),
    [
        ({"operations.storage.battery.capacity_kwhh": 800},
         ["'operations.storage.battery.capacity_kwhh' is not a field", "capacity_kwh"]),
        ({"sites.7.mast_height_m": 5}, ["'sites.7' is not an index of a list of 2"]),
        ({"operations.storage.battery.capacity_kwh": [500]},
         ["operations.storage.battery.capacity_kwh", "give one number, not a list"]),
        ({"period.start_utc": "01/01/2031"}, ["period.start_utc", "not an ISO 8601 time", "'01/01/2031'"]),
        ({"operations.storage.battery.capacity_kwh": -5}, ["capacity_kwh", "give a value"]),
    ],
)
def test_mistakes_name_the_field_the_value_and_the_fix(changes: dict[str, object], fragments: list[str]) -> None:
    with pytest.raises(InputError) as error:
        load_scenario().with_changes(changes)
    for fragment in fragments:
        assert fragment in str(error.value)


def test_a_scenario_from_a_mapping() -> None:
    data = load_scenario().model_dump(mode="json")
    assert scenario_from_dict(data) == load_scenario()
    with pytest.raises(ScenarioError, match=r"<dict>: operation: .*unknown field"):
        scenario_from_dict({**data, "operation": 1})
    with pytest.raises(InputError, match="give a mapping"):
        scenario_from_dict(["not", "a", "mapping"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("when", "fragments"),
    [  # what a science lead types for a schedule (session 17 study) and what the message must say
        ("sun_elevation > 5", ["not a schedule word", "Thresholds (a Sun elevation above X deg", "day means"]),
        ("sun_up", ["did you mean day?"]),
        ("nigth", ["did you mean night?"]),
        (["night", "earth_down"], ["did you mean earth_hidden?"]),
        ({"sun_elevation_min_deg": 5}, ["not a schedule word"]),
        (["always", "night"], ["always in a list adds nothing"]),
    ],
)
def test_schedule_words_name_the_nearest_and_what_cannot_be_written(when: object, fragments: list[str]) -> None:
    base = load_scenario()
    index = next(i for i, load in enumerate(base.operations.loads) if load.name == "sky telescope")  # type: ignore[union-attr]
    with pytest.raises(ScenarioError) as error:
        base.with_changes({f"operations.loads.{index}.when": when})
    for fragment in fragments:
        assert fragment in str(error.value)
    assert f"operations.loads.{index}.when" in str(error.value)
