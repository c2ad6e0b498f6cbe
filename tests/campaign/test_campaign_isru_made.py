"""What the campaign's ISRU makes, and the note that sets it beside the station's own ISRU plants."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from lunarops.logistics.network import IsruOptions
from lunarops.logistics.outputs import isru_production_kg
from lunarops.runner.stages.operations import isru_models_note


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
    made = isru_production_kg(plan, problem)  # type: ignore[arg-type]
    assert made == pytest.approx({"oxygen": 7600.0, "hydrogen": 1900.0}, abs=1e-9)
    assert isru_production_kg(plan, SimpleNamespace(isru=None)) == {}  # type: ignore[arg-type]


def test_the_note_sets_both_models_side_by_side() -> None:
    # 9 t of water hold 9 x 15.999 / 18.015 = 7.99 t of O2 and 9 x 2.016 / 18.015 = 1.01 t of H2 (molar masses)
    isru = IsruOptions("surface", 5.0, {"oxygen": 0.8, "hydrogen": 0.2})
    note = isru_models_note(isru, {"oxygen": 7600.0, "hydrogen": 1900.0},
                            {"isru_water_kg_p50": 9000.0, "isru_o2_kg_p50": 2500.0})
    assert "The plan counts on its plants making 7.6 t of oxygen and 1.9 t of hydrogen" in note
    assert "make 2.5 t of O2 and 9.0 t of water" in note
    assert "8.0 t of O2 and 1.0 t of H2, if electrolysed" in note
