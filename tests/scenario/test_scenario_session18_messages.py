"""Session 18 user study: schedule words, an ISRU plant's `when`, and the operations section's cross-checks are
reported at the field with the fix."""

from __future__ import annotations

import pytest

from lunarops.errors import ScenarioError, ScenarioIssue
from lunarops.scenario import default_scenario_path, scenario_json_schema
from lunarops.scenario.load import parse_scenario

EXAMPLE = default_scenario_path().read_text(encoding="utf-8")
ROVERS = "{name: rovers, power_kw: 3.0, when: day,"


def _issue(old: str, new: str) -> tuple[ScenarioIssue, str]:
    """The one issue of the example with ``old`` replaced by ``new``, and the changed text."""
    assert old in EXAMPLE
    text = EXAMPLE.replace(old, new, 1)
    with pytest.raises(ScenarioError) as error:
        parse_scenario(text, "ex.yaml")
    assert len(error.value.issues) == 1, str(error.value)
    return error.value.issues[0], text


def _line(text: str, fragment: str) -> int:
    """1-based line of the first line holding ``fragment``."""
    return next(i for i, line in enumerate(text.splitlines(), start=1) if fragment in line)


@pytest.mark.parametrize("when", ['"battery > 50%"', "{soc: 0.5}", "state_of_charge_above_0.3", "reserve"])
def test_a_charge_threshold_points_to_the_reserve_policy(when: str) -> None:
    issue, _ = _issue(ROVERS, f"{{name: rovers, power_kw: 3.0, when: {when},")
    assert issue.path == "operations.loads.4.when"
    assert "not a schedule word" in issue.message
    assert "shed_below_reserve: true" in issue.message
    assert "operations.policy.reserve_state_of_charge" in issue.message
    assert "operations.daylight_min_sun_fraction" in issue.message
    assert "some of the Sun's disk" not in issue.message


def test_a_sun_threshold_names_the_daylight_fraction_not_the_reserve() -> None:
    issue, _ = _issue(ROVERS, "{name: rovers, power_kw: 3.0, when: 'sun_elevation > 5',")
    assert "Thresholds (a Sun elevation above X deg, twilight)" in issue.message
    assert "day means more than operations.daylight_min_sun_fraction of the Sun's disk" in issue.message
    assert "some of the Sun's disk" not in issue.message
    assert "shed_below_reserve" not in issue.message


def test_the_schema_says_day_follows_the_daylight_fraction() -> None:
    description = scenario_json_schema()["$defs"]["LoadSpec"]["properties"]["when"]["description"]
    assert "operations.daylight_min_sun_fraction" in description
    assert "some of the solar disk" not in description
    assert "shed_below_reserve" in description


@pytest.mark.parametrize("when", ["day and earth_visible", "day & earth_visible", "day && earth_visible",
                                  "day,earth_visible", "Day AND earth_visible"])
def test_conditions_joined_in_one_text_suggest_the_list(when: str) -> None:
    issue, _ = _issue(ROVERS, f"{{name: rovers, power_kw: 3.0, when: '{when}',")
    assert issue.path == "operations.loads.4.when"
    assert "when: [day, earth_visible]" in issue.message
    assert "did you mean" not in issue.message


def test_an_unknown_word_joined_with_and_still_gets_the_general_message() -> None:
    issue, _ = _issue(ROVERS, "{name: rovers, power_kw: 3.0, when: 'day and battery_ok',")
    assert "not a schedule word" in issue.message
    assert "when: [" not in issue.message


def test_an_isru_plant_given_when_is_told_about_daylight_only() -> None:
    issue, text = _issue("      power_kw: 8\n", "      power_kw: 8\n      when: day\n")
    assert issue.path == "operations.isru.1.when"
    assert issue.line == _line(text, "      when: day")
    assert issue.message.startswith("Extra inputs are not permitted; an ISRU plant has no `when`")
    assert "daylight_only" in issue.message and "shed_below_reserve" in issue.message


def test_an_unknown_component_target_is_reported_at_the_target() -> None:
    issue, text = _issue("target: battery,", "target: batery,")
    assert issue.path == "operations.components.1.target"
    assert issue.line == _line(text, "target: batery,")
    assert issue.value == "batery"
    assert issue.message.startswith("'battery modules' targets 'batery', which is not an element; choose one of")


def test_a_repeated_component_name_is_reported_at_the_second_one() -> None:
    issue, text = _issue("{name: reactor 2 pmad,", "{name: reactor 1 pmad,")
    assert issue.path == "operations.components.4.name"
    assert issue.line == _line(text, "{name: reactor 1 pmad, target: kilopower 2")
    assert "['reactor 1 pmad'] repeat: rename them" in issue.message
    assert "operations.components.3" in issue.message


def test_spares_for_an_unknown_component_are_reported_at_the_delivery() -> None:
    old = "{time_utc: 2034-01-01T00:00:00Z, commodity: spares, amount: 4}"
    issue, text = _issue(old, old[:-1] + ", component: pumps}")
    assert issue.path == "operations.resupply.1.component"
    assert issue.line == _line(text, "component: pumps")
    assert issue.value == "pumps"
    assert issue.message.startswith("spares for component 'pumps', which is not a component")
    assert str(issue).startswith(f"ex.yaml:{issue.line}: operations.resupply.1.component: spares for")
