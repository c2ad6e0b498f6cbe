"""What the campaign's ISRU makes, and the note that sets it beside the station's own ISRU plants."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pandas as pd
import pytest

from lunarops.logistics.network import IsruOptions
from lunarops.logistics.outputs import isru_production_kg, isru_production_steps
from lunarops.runner.stages.operations import isru_models_note

EPOCH = datetime(2030, 1, 1, tzinfo=UTC)


def test_isru_production_by_hand() -> None:
    # holdovers at the ISRU node: 1,000 kg of plant over days 0-365 and 900 kg over 365-730, 5 kg per kg per year,
    # oxygen 0.8 / hydrogen 0.2: oxygen 1000 x 5 x 0.8 + 900 x 5 x 0.8 = 7,600 kg, hydrogen 1,900 kg (by hand);
    # a holdover elsewhere and a transport flight make nothing
    isru = IsruOptions("surface", 5.0, {"oxygen": 0.8, "hydrogen": 0.2})
    flights = pd.DataFrame(
        {
            "day": [0.0, 365.0, 0.0, 0.0],
            "from": ["surface", "surface", "LLO", "LLO"],
            "holdover": [True, True, True, False],
            "isru_plant_kg": [1000.0, 900.0, 5000.0, 5000.0],
        }
    )
    plan = SimpleNamespace(flights=flights, steps=SimpleNamespace(days=(0.0, 365.0, 730.0)))
    problem = SimpleNamespace(isru=isru)
    made = isru_production_kg(plan, problem, EPOCH)  # type: ignore[arg-type]
    assert made == pytest.approx({"oxygen": 7600.0, "hydrogen": 1900.0}, abs=1e-9)
    assert isru_production_kg(plan, SimpleNamespace(isru=None), EPOCH) == {}  # type: ignore[arg-type]
    steps = isru_production_steps(plan, problem, EPOCH)  # type: ignore[arg-type]
    assert list(steps["plant_kg"]) == [1000.0, 900.0]
    assert list(steps["oxygen_kg"]) == pytest.approx([4000.0, 3600.0], abs=1e-9)
    assert steps["start_utc"].iloc[1] == pd.Timestamp("2031-01-01T00:00Z")  # 2030-01-01 + 365 d (by hand)


def _two_years_of_isru() -> pd.DataFrame:
    # 1,000 kg of plant over 2030 and 900 kg over 2031 (the test above): 4,000 + 3,600 kg O2, 1,000 + 900 kg H2
    return pd.DataFrame({
        "start_utc": pd.to_datetime(["2030-01-01", "2031-01-01"], utc=True),
        "end_utc": pd.to_datetime(["2031-01-01", "2032-01-01"], utc=True),
        "plant_kg": [1000.0, 900.0], "oxygen_kg": [4000.0, 3600.0], "hydrogen_kg": [1000.0, 900.0],
    })


def test_the_note_sets_both_models_side_by_side() -> None:
    # 9 t of water hold 9 x 15.999 / 18.015 = 7.99 t of O2 and 9 x 2.016 / 18.015 = 1.01 t of H2 (molar masses)
    isru = IsruOptions("surface", 5.0, {"oxygen": 0.8, "hydrogen": 0.2})
    # the station's plant online 2031-01-01: the whole first year's 5.0 t made before it (by hand)
    online = datetime(2031, 1, 1, tzinfo=UTC)
    note = isru_models_note(isru, _two_years_of_isru(), {"isru_water_kg_p50": 9000.0, "isru_o2_kg_p50": 2500.0},
                            online)
    assert "The plan counts on its plants making 7.6 t of oxygen and 1.9 t of hydrogen" in note
    assert "from 2030-01-01 (1,000 kg of plant; at most 1,000 kg)" in note
    assert "5.0 t of it is made before the station's first ISRU plant comes online (2031-01-01)" in note
    assert "make 2.5 t of O2 and 9.0 t of water" in note
    assert "8.0 t of O2 and 1.0 t of H2, if electrolysed" in note


def test_the_note_splits_a_step_at_the_plant_online_date() -> None:
    # online 2030-07-02 12:00, 182.5 of 2030's 365 days: half the first step's 5,000 kg, 2.5 t (by hand)
    isru = IsruOptions("surface", 5.0, {"oxygen": 0.8, "hydrogen": 0.2})
    note = isru_models_note(isru, _two_years_of_isru(), {}, datetime(2030, 7, 2, 12, tzinfo=UTC))
    assert "2.5 t of it is made before" in note
    # a station plant online from the start: nothing made before it; no station plant at all: said
    assert "made before" not in isru_models_note(isru, _two_years_of_isru(), {}, datetime(2029, 1, 1, tzinfo=UTC))
    assert "The operations have no ISRU plant to make it" in isru_models_note(isru, _two_years_of_isru(), {}, None)


def test_the_isru_facility_arrives_with_a_mission_to_its_node() -> None:
    from lunarops.errors import ScenarioError
    from lunarops.scenario import default_scenario_path
    from lunarops.scenario.load import parse_scenario

    text = default_scenario_path().read_text()
    assert "arrives_with: ILRS-3                 # the ISRU facilities" in text  # the example's choice
    scenario = parse_scenario(text)
    # ILRS-3 departs 2033-06-01 (the example's roadmap): its day from the campaign epoch is the plants' start day.
    # A modelling choice: the logistics model books a mission's cargo at its departure step (it lands about 5 d
    # later), so the plants are counted from the step it departs in (docs/campaign.md)
    problem = scenario.campaign.problem()  # type: ignore[union-attr]
    ilrs3 = next(m for m in problem.missions if m.name == "ILRS-3")
    assert problem.isru is not None and problem.isru.start_day == ilrs3.depart_day > 0.0
    line = 1 + text[: text.index("arrives_with: ILRS-3                 #")].count("\n")  # the field's own line
    with pytest.raises(ScenarioError, match=rf"<string>:{line}: campaign\.logistics\.isru\.arrives_with: .*'ILRS-9' "
                                            r"is not a mission to the ISRU node 'surface'; missions that go there: "
                                            r"\['ILRS-1'"):
        parse_scenario(text.replace("arrives_with: ILRS-3                 #", "arrives_with: ILRS-9 #"))
