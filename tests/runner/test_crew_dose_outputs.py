"""The crew dose through every path: the results file of the stays, `lunarops simulate --json`, a sweep table's
units, and a change into a section the scenario leaves out (an integration study's findings, session 21)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from lunarops.cli.main import app
from lunarops.errors import InputError
from lunarops.runner.run import run
from lunarops.scenario import default_scenario_path, load_scenario
from lunarops.scenario.load import parse_scenario
from lunarops.units import unit_of
from scenario_edits import direct_to_earth, without_campaign


def _short_crewed() -> dict:  # type: ignore[type-arg]
    # operations alone on smooth-sphere light, 4 days at 6 h steps; 2 residents from the start, 1 leaves on day 1
    # and the other on day 3 (operations.crew): first in, first out, two stays of 1 d and 3 d (both began with
    # the period)
    data = without_campaign(yaml.safe_load(default_scenario_path().read_text()))
    for section in ("orbits", "terrain"):
        data.pop(section, None)
    direct_to_earth(data)
    data["period"] = {"start_utc": "2030-01-01T00:00:00Z", "end_utc": "2030-01-05T00:00:00Z", "step_hours": 6}
    data["operations"]["monte_carlo"]["runs"] = 3
    data["operations"]["crew"] = [{"from_utc": "2030-01-01T00:00:00Z", "count": 2},
                                  {"from_utc": "2030-01-02T00:00:00Z", "count": 1},
                                  {"from_utc": "2030-01-04T00:00:00Z", "count": 0}]
    data["operations"]["radiation"] = {"habitat_dose_fraction": 0.5, "stay_limit_msv": 2.0}
    return data


def test_stays_are_a_results_file_and_simulate_reports_the_dose(tmp_path: Path) -> None:
    scenario = parse_scenario(yaml.safe_dump(_short_crewed()))
    results = run(scenario, tmp_path / "out", record=False)
    stays = results.table("operations-operations_crew_stays")
    # 1 d and 3 d at 1.369 x 0.5 mSv/day (Chang'E 4 LND, half in the habitat), no flights (residents)
    assert stays["crew_of"].tolist() == ["operations crew", "operations crew"]
    assert stays["days"].tolist() == pytest.approx([1.0, 3.0], abs=1e-9)
    assert stays["dose_msv"].tolist() == pytest.approx([0.6845, 2.0535], abs=1e-9)
    assert pd.api.types.is_datetime64_any_dtype(stays["start_utc"])  # times, not text
    assert stays["start_utc"].iloc[0] == pd.Timestamp("2030-01-01 00:00")
    summary = results.summary()["operations"]
    # the stay limit: 2.0535 > 2 mSv, one stay over it
    assert summary["crew_dose_stays_over_stay_limit"] == 1 and summary["crew_dose_stay_limit_msv"] == 2.0
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(_short_crewed()))
    out = CliRunner().invoke(app, ["simulate", str(path), "--runs", "2", "--json"])
    assert out.exit_code == 0, out.output
    printed = json.loads(out.output)
    assert printed["summary"]["crew_dose_worst_stay_msv"] == pytest.approx(2.0535, abs=1e-9)
    assert any(note.startswith("Crew radiation dose per crew member") for note in printed["notes"])


def test_sweep_table_names_keep_their_units() -> None:
    # a sweep's table prefixes each key with its stage ("campaign.launches"): the unit is the key's
    assert unit_of("campaign.launches") == unit_of("launches") == "count"
    assert unit_of("operations.probability_brownout") == "fraction (0-1)"
    assert unit_of("operations.crew_dose_collective_person_msv") == "person-mSv"


def test_a_change_into_a_left_out_section_says_how() -> None:
    scenario = load_scenario().with_changes({"operations.radiation": None})
    with pytest.raises(InputError, match=r"'operations.radiation' is not in the scenario \(null\).*`radiation: \{\}`"):
        scenario.with_changes({"operations.radiation.habitat_dose_fraction": 0.5})
    # setting the whole block works
    given = scenario.with_changes({"operations.radiation": {"habitat_dose_fraction": 0.5}})
    assert given.operations is not None and given.operations.radiation is not None
    assert given.operations.radiation.habitat_dose_fraction == 0.5
