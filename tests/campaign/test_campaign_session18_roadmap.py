"""Session 18 review of the ILRS-like roadmap: Queqiao flown on its own, Chang'e-6's Chang'e-5 heritage, the Russian
dates as reported in 2025, joint ILRS-1..5, a `basis` for every mission, neutral outcomes, and launch vehicles
whose cost is not public listed as such (never free)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from lunarops.cli.main import app
from lunarops.errors import InputError
from lunarops.logistics import catalogs
from lunarops.logistics.roadmap import Phase, Roadmap, RoadmapMission
from lunarops.scenario import default_scenario_path, load_scenario
from lunarops.scenario.campaign import CampaignSection, RoadmapMissionSpec

runner = CliRunner()
FLOWN = ("Queqiao", "Chang'e-4", "Chang'e-5", "Luna-25", "Chang'e-6")


def _roadmap() -> Roadmap:
    campaign = load_scenario().campaign
    assert campaign is not None and campaign.roadmap is not None
    return campaign.roadmap.roadmap()


def _missions() -> dict[str, RoadmapMission]:
    return {m.name: m for m in _roadmap().missions}


def _campaign_data() -> dict[str, Any]:
    data = yaml.safe_load(default_scenario_path().read_text())
    return dict(data["campaign"])


def test_queqiao_flew_on_its_own() -> None:
    # CNSA: Queqiao launched 2018-05-20 (UTC) on a Long March 4C; Chang'e-4 on 2018-12-07 on a Long March 3B
    m = _missions()
    assert (m["Queqiao"].start, m["Queqiao"].launcher) == (date(2018, 5, 20), "Long March 4C")
    assert not any("Queqiao" in c for c in m["Chang'e-4"].contents)
    assert m["Chang'e-4"].depends_on == ("Queqiao",)
    assert (m["Chang'e-4"].start, m["Chang'e-4"].launcher) == (date(2018, 12, 7), "Long March 3B")


def test_change6_heritage_is_change5() -> None:
    # CNSA: Chang'e-6 was built as Chang'e-5's backup; Chang'e-5 launched 2020-11-23 on a Long March 5 and
    # returned its samples 2020-12-16 (UTC)
    m = _missions()
    assert m["Chang'e-6"].depends_on == ("Chang'e-5",)
    c5 = m["Chang'e-5"]
    assert (c5.start, c5.end, c5.launcher) == (date(2020, 11, 23), date(2020, 12, 16), "Long March 5")


def test_russian_dates_as_reported_in_2025() -> None:
    # as reported by Izvestia 2025-08-22 (RAS president Krasnikov): Luna-26 2028, Luna-27 (two landers)
    # 2029-2030, Luna-28 about 2033
    m = _missions()
    assert m["Luna-26"].start.year == 2028
    assert (m["Luna-27"].start.year, m["Luna-27"].end.year) == (2029, 2030)
    assert m["Luna-28"].start.year == 2033
    for name in ("Luna-26", "Luna-27", "Luna-28"):
        assert "Izvestia 2025-08-22" in m[name].source and "reported" in m[name].source, name
    assert "Luna-28" not in m["ILRS-1"].depends_on  # ILRS-1 (2031) cannot wait for Luna-28 (about 2033)


def test_ilrs_missions_joint_and_launcher_wording() -> None:
    m = _missions()
    for i in range(1, 6):
        assert m[f"ILRS-{i}"].agency == "CNSA/Roscosmos (joint; split not public)"
    # Long March 10 (27 t to TLI, 70 t to LEO) is not in Long March 9's class
    assert "9 / 10" not in m["ILRS-1"].launcher and "Long March 9 class" in m["ILRS-1"].launcher


def test_every_mission_has_a_basis_and_placeholders_are_assumed() -> None:
    table = _roadmap().table()
    assert "basis" in table.columns and set(table["basis"]) == {"published", "assumed"}
    for m in _roadmap().missions:
        if m.name in FLOWN:
            assert m.basis == "published", m.name
        elif m.start.day == 1:
            assert m.basis == "assumed", m.name  # placeholder days of "in YYYY" (YYYY-06-01, 2031-01-01, ...)
    assert table.set_index("mission").loc["ILRS utilization", "basis"] == "assumed"  # end 2040 assumed


def test_basis_defaults_to_assumed_and_is_checked() -> None:
    spec = RoadmapMissionSpec.model_validate({"name": "x", "phase": "p", "start": "2030-01-01"})
    assert spec.basis == "assumed"
    with pytest.raises(ValueError, match="basis"):
        RoadmapMissionSpec.model_validate({"name": "x", "phase": "p", "start": "2030-01-01", "basis": "rumoured"})
    bad = Roadmap(
        phases=(Phase("p", date(2030, 1, 1), date(2031, 1, 1)),),
        missions=(RoadmapMission("x", "p", date(2030, 1, 1), date(2030, 1, 1), basis="rumoured"),),  # type: ignore[arg-type]
    )
    with pytest.raises(InputError, match="basis = 'rumoured'"):
        bad.check()


def test_every_flown_mission_has_one_neutral_outcome() -> None:
    m = _missions()
    for name in FLOWN:
        outcomes = [c for c in m[name].contents if c.startswith("outcome: ")]
        assert len(outcomes) == 1, name
    assert "2019-01-03" in " ".join(m["Chang'e-4"].contents)
    assert "2024-06-25" in " ".join(m["Chang'e-6"].contents)
    # planned missions have none
    assert not any(c.startswith("outcome") for c in m["ILRS-1"].contents)


def test_description_and_phases_say_what_the_scenario_is() -> None:
    scenario = load_scenario()
    assert "not a CNSA/Roscosmos plan" in " ".join(scenario.description.split())
    text = default_scenario_path().read_text()
    assert "16 June 2021" in text and "14 June 2021" not in text
    assert "about 2035" in text and "about 2050" in text  # the 2024 update, as reported
    phases = {p.name: p for p in _roadmap().phases}
    assert "assumption" in phases["utilization"].source


def test_launch_vehicles_without_public_cost_have_none() -> None:
    lv = catalogs.catalog("launch_vehicles")
    for name in ("long-march-5", "long-march-10", "long-march-9"):
        assert "cost_musd" not in lv[name], name
        assert "not public" in lv[name]["source"], name
    assert lv["sls-block-1"]["cost_musd"] == 2200.0  # NASA OIG IG-22-003
    for name, entry in lv.items():
        assert f"max_per_year {entry['max_per_year']}: assumed" in " ".join(entry["source"].split()), name
    source = " ".join(lv["long-march-9"]["source"].split())
    assert "it is not the source of these figures" in source  # the ILRS Guide names only "super-heavy" launchers
    assert "approximate" in source


def test_catalog_prints_not_public() -> None:
    result = runner.invoke(app, ["campaign", "catalog"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.strip().startswith("long-march-10"))
    assert "not public" in line and " 0 " not in line
    result = runner.invoke(app, ["campaign", "catalog", "--json"])
    rows = {row["name"]: row for row in json.loads(result.stdout)["launch_vehicles"]}
    assert rows["long-march-10"]["cost_musd"] is None
    assert rows["sls-block-1"]["cost_musd"] == 2200.0


def test_cost_objective_refuses_a_vehicle_without_cost() -> None:
    data = _campaign_data()
    data["logistics"]["objective"] = "cost"
    with pytest.raises(ValueError, match=r"\['long-march-10'\] is not public"):
        CampaignSection.model_validate(data)
    # a cost given by the scenario (an assumption) is used as before
    data["launch_vehicles"] = {"long-march-10": {"cost_musd": 100.0}}
    # session 19: a spacecraft without a unit cost is refused too (the optimizer would take it as free)
    with pytest.raises(ValueError, match=r"spacecraft \['isaji2022-fixed'\] have no unit_cost_musd"):
        CampaignSection.model_validate(data)
    data["spacecraft"] = {"isaji2022-fixed": {"unit_cost_musd": 500.0}}
    problem = CampaignSection.model_validate(data).problem()
    assert problem.launch_vehicles[0].cost_musd == 100.0
    assert problem.designs[0].unit_cost_musd == 500.0


def test_imleo_objective_keeps_the_unpriced_vehicle() -> None:
    campaign = load_scenario().campaign
    assert campaign is not None
    problem = campaign.problem()
    assert problem.objective == "imleo" and problem.launch_vehicles[0].name == "long-march-10"


def test_a_plan_launching_an_unpriced_vehicle_has_no_cost() -> None:
    """A reviewer's finding (session 18): a fleet of Long March 10 (cost not public) and SLS (2,200 M$ a launch,
    the catalog) reported 8,800 M$, the 4 SLS launches alone. Now the cost is unknown, with a note that names the
    unpriced vehicle and the priced items' sum."""
    from dataclasses import dataclass

    import pandas as pd

    from lunarops.runner.stages.campaign import unpriced_cost
    from lunarops.scenario import default_scenario_path, load_scenario

    @dataclass(frozen=True)
    class FakePlan:
        launches: pd.DataFrame
        cost_musd: float | None

    section = load_scenario(default_scenario_path()).campaign
    mixed = FakePlan(pd.DataFrame({"launch_vehicle": ["long-march-10", "sls-block-1"]}), 8800.0)
    plan, notes = unpriced_cost(section, mixed)
    assert plan.cost_musd is None
    assert "['long-march-10']" in notes[0] and "8,800 M$" in notes[0]
    priced = FakePlan(pd.DataFrame({"launch_vehicle": ["sls-block-1"]}), 8800.0)
    same, notes = unpriced_cost(section, priced)
    # the launches are priced; the example's spacecraft (Isaji et al.'s vehicle) has no unit cost: said
    assert same is priced and len(notes) == 1 and "counts the launches only" in notes[0]
    unknown = FakePlan(pd.DataFrame({"launch_vehicle": ["long-march-10"]}), None)
    assert unpriced_cost(section, unknown) == (unknown, [])
