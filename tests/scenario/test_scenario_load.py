"""Scenario files: the default validates; every error names file, line, field, value and fix."""

from __future__ import annotations

import pytest

from lunarops.errors import ScenarioError
from lunarops.scenario import default_scenario_path, load_scenario, scenario_json_schema
from lunarops.scenario.load import parse_scenario

GOOD = """\
name: test
period:
  start_utc: 2030-01-01T00:00:00Z
  end_utc: 2030-02-01T00:00:00Z
  step_hours: 1
sites:
  - name: pole
    latitude_deg: -90
    longitude_deg: 0
"""


def test_default_scenario_validates() -> None:
    scenario = load_scenario(default_scenario_path())
    assert scenario.sites and scenario.period.n_steps > 40_000
    assert load_scenario(None) == scenario


def test_minimal_scenario() -> None:
    scenario = parse_scenario(GOOD)
    assert scenario.period.n_steps == 31 * 24  # January hourly, half-open [start, end)
    assert scenario.sky.correction == "apparent"


def _issues(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "s.yaml")
    return [str(issue) for issue in info.value.issues]


def test_unknown_field_located() -> None:
    issues = _issues(GOOD + "    crew_size: 4\n")
    assert issues == [
        "s.yaml:10: sites.0.crew_size: Extra inputs are not permitted; unknown field: remove it or check its "
        "spelling against `lunarops schema` (got 4)"
    ]


def test_every_error_reported_with_line() -> None:
    text = GOOD.replace("latitude_deg: -90", "latitude_deg: -95").replace("step_hours: 1", "step_hours: -1")
    issues = _issues(text)
    assert len(issues) == 2
    assert issues[0].startswith("s.yaml:5: period.step_hours: Input should be greater than 0")
    assert issues[1].startswith(
        "s.yaml:8: sites.0.latitude_deg: Input should be greater than or equal to -90; give a value >= -90"
    )


def test_period_checks() -> None:
    issues = _issues(GOOD.replace("end_utc: 2030-02-01T00:00:00Z", "end_utc: 2029-02-01"))
    assert "must be after start_utc" in issues[0] and issues[0].startswith("s.yaml:2: period")
    issues = _issues(GOOD.replace("end_utc: 2030-02-01T00:00:00Z", "end_utc: 2060-01-01"))
    assert "coverage" in issues[0]
    issues = _issues(GOOD.replace("start_utc: 2030-01-01T00:00:00Z", "start_utc: next tuesday"))
    assert "ISO 8601" in issues[0]


def test_campaign_file_and_section_errors() -> None:
    issues = _issues(GOOD + "logistics: {missions: []}\n")
    assert any("a campaign file's top level: solve it with `lunarops campaign solve FILE`" in i for i in issues)
    issues = _issues(GOOD.replace("sites:\n", "sites: {}\nx:\n"))
    assert not any("(got {" in i for i in issues)  # a whole section is not quoted as the value


def test_duplicate_site_names() -> None:
    text = GOOD + "  - name: pole\n    latitude_deg: -89\n    longitude_deg: 10\n"
    assert "unique" in _issues(text)[0]


@pytest.mark.parametrize(
    "text,fragment",
    [("name: [unclosed", "not valid YAML"), ("- a\n- b\n", "mapping"), ("", "mapping"), ("name: x\n", "required")],
)
def test_not_a_scenario(text: str, fragment: str) -> None:
    assert any(fragment in issue for issue in _issues(text))


def test_missing_file(tmp_path: object) -> None:
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario("/nonexistent/scenario.yaml")
    with pytest.raises(ScenarioError, match="is a directory; give a scenario file"):
        load_scenario(tmp_path)  # type: ignore[arg-type]


def test_non_finite_numbers_and_psr_cycle() -> None:
    nan = _issues(GOOD.replace("latitude_deg: -90", "latitude_deg: .nan"))
    assert any("finite number" in issue and "no .nan or .inf" in issue for issue in nan)
    psr = "terrain:\n  dem: south\n  psr:\n    cycle_start_utc: {}\n    cycle_end_utc: {}\n"
    issues = _issues(GOOD + psr.format("2031-01-01", "2031-02-01"))
    assert any("spans 31.00 days, less than the nodal precession cycle" in issue for issue in issues)
    assert any("'soon' is not an ISO 8601 time" in issue for issue in _issues(GOOD + psr.format("soon", "2049-12-31")))
    parse_scenario(GOOD + psr.format("2030-01-01", "2049-12-31"))  # the default cycle, 20 yr


def test_json_schema_has_sections() -> None:
    schema = scenario_json_schema()
    assert {"name", "period", "sites", "sky"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False


def test_a_dumped_scenario_reads_back() -> None:
    # sweeps, the catalog and member.json dump a scenario with every default filled in and read it back: the
    # checks must accept what they themselves produced (session 15: a tracking array's default tilt was refused)
    from lunarops.scenario import Scenario, default_scenario_path, load_scenario

    scenario = load_scenario(default_scenario_path())
    again = Scenario.model_validate(scenario.model_dump(mode="json"))
    assert again.model_dump(mode="json") == scenario.model_dump(mode="json")
