"""Key results that check one stage against another, or qualify a figure (a plausibility audit's findings)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd
import pytest

from lunarops.runner.headline import BaseSite, key_results
from lunarops.runner.stage import StageResult

BASE = BaseSite("Connecting Ridge", -89.45, 222.69)
PLAN_VS_STATION = "Plan's ISRU propellant vs the station's plants"


def _rows(campaign: dict[str, Any], operations: dict[str, Any]) -> dict[str, str]:
    stages = [StageResult("campaign", "Campaign", summary=campaign),
              StageResult("operations", "Operations", summary=operations)]
    return {r.item: r.value for r in key_results(stages, BASE)}


#: figures from a run of the code (the default scenario's summary.json, session 21), rounded; the tests check the
#: row's wording and arithmetic, the percentages worked by hand in each comment
STATION = {"isru_water_kg_p50": 51351.4, "lox_stored_kg_p50": 3888.2, "lh2_stored_kg_p50": 114.6,
           "lh2_made_kg_p50": 626.3, "lh2_boiled_off_kg_p50": 511.7}


def test_plan_isru_by_the_period_end_that_the_station_does_not_make_is_flagged() -> None:
    # a plan whose ISRU runs past the period's end, 9 t O2 and 1.125 t H2 made by then (test figures; the default
    # run's plan makes all its 12.7 t and 1.59 t before the end), against the station's stores at the end:
    # 3,888.2 / 9,000 = 43 %, 114.6 / 1,125 = 10 %; boil-off 511.7 / 626.3 = 82 % of the LH2 made (>= half)
    ops = {**STATION, "plan_isru_oxygen_by_period_end_kg": 9000.0, "plan_isru_hydrogen_by_period_end_kg": 1125.0}
    # the whole campaign's ISRU (12.7 t O2) is not what the row compares: it runs past the period's end
    value = _rows({"isru_oxygen_made_kg": 12688.3, "isru_hydrogen_made_kg": 1586.0}, ops)[PLAN_VS_STATION]
    assert value.startswith("LOX 3.89 t = 43 % of the plan's 9.0 t oxygen; LH2 0.11 t = 10 % of the plan's 1.1 t "
                            "hydrogen (the plan's made by the period's end, the station's in store then, p50)")
    assert "do not make the plan's propellant" in value
    assert value.endswith("boil-off takes 82 % of the LH2 made: the LH2 store levels off where boil-off matches "
                          "production, so lower the boil-off before sizing the plant")
    # boil-off under half of what is made (300 / 626.3 = 48 %): no boil-off advice
    value = _rows({}, {**ops, "lh2_boiled_off_kg_p50": 300.0})[PLAN_VS_STATION]
    assert "boil-off" not in value and value.endswith("or plan less ISRU")


def test_plan_isru_by_period_end_prorates_the_straddling_step() -> None:
    from lunarops.runner.stages.operations import plan_isru_by_period_end_kg

    # three 10-day steps from 2035-12-12 (isru_production_steps' columns); the period ends 2035-12-27: the first
    # step whole, half of the second (5 of its 10 days), none of the third: 800 + 400 = 1,200 kg O2, 100 + 50 =
    # 150 kg H2
    starts = pd.to_datetime(["2035-12-12", "2035-12-22", "2036-01-01"], utc=True)
    steps = pd.DataFrame({"start_utc": starts, "end_utc": starts + pd.Timedelta(days=10), "plant_kg": 500.0,
                          "oxygen_kg": 800.0, "hydrogen_kg": 100.0})
    made = plan_isru_by_period_end_kg(steps, datetime(2035, 12, 27, tzinfo=UTC))
    assert made == {"plan_isru_oxygen_by_period_end_kg": pytest.approx(1200.0, abs=1e-6),
                    "plan_isru_hydrogen_by_period_end_kg": pytest.approx(150.0, abs=1e-6)}
    assert plan_isru_by_period_end_kg(steps.iloc[:0], datetime(2035, 12, 27, tzinfo=UTC)) == {}  # no ISRU steps


def test_plan_isru_covered_and_absent_sides() -> None:
    # 13 t of LOX against 12.7 t planned by the period's end, 2 t of LH2 against 1.59 t: covered
    covered = _rows({}, {"lox_stored_kg_p50": 13000.0, "lh2_stored_kg_p50": 2000.0,
                         "plan_isru_oxygen_by_period_end_kg": 12688.3, "plan_isru_hydrogen_by_period_end_kg": 1586.0})
    assert covered[PLAN_VS_STATION].endswith("the station's plants cover it")
    # no propellant plant in operations (no lox_stored_kg_p50), or no plan figure by the period's end: no row
    assert PLAN_VS_STATION not in _rows({}, {"plan_isru_oxygen_by_period_end_kg": 12688.3})
    assert PLAN_VS_STATION not in _rows({"isru_oxygen_made_kg": 12688.3}, {"lox_stored_kg_p50": 3888.2})


def test_plan_isru_row_follows_the_operations_isru_water_row() -> None:
    ops = {**STATION, "plan_isru_oxygen_by_period_end_kg": 9000.0, "element_mass_not_landed_kg": 0.0,
           "consumables_reserve_days_p05": 188.0}
    items = list(_rows({"imleo_kg": 256000.0}, ops))
    at = items.index("ISRU water made (p50)")
    assert items[at + 1] == PLAN_VS_STATION
    assert items[at + 2:] == ["Element mass the campaign does not land", "Consumables reserve (p05)"]


def test_longest_darkness_on_a_dem_is_called_likely_understated() -> None:
    # 60 h at 10 m on the 1.6 km south DEM against 3-5 days at 20 m (Glaser et al. 2014, Icarus 243): docs/
    # illumination.md; on the smooth sphere (terrain none) there is no sub-pixel relief to miss
    summary = {"longest_dark_hours[Connecting Ridge]": 60.0, "terrain": "south"}
    rows = {r.item: r.value for r in key_results([StageResult("site", "Site", summary=summary)], BASE)}
    assert rows["Longest darkness"] == ("60 h (on the 'south' DEM, likely understated: relief finer than the DEM's "
                                        "pixels lengthens the nights; docs/illumination.md)")
    assert "lower bound" not in rows["Longest darkness"]
    summary["terrain"] = "none"
    rows = {r.item: r.value for r in key_results([StageResult("site", "Site", summary=summary)], BASE)}
    assert rows["Longest darkness"] == "60 h"


def test_element_mass_not_landed_row_names_the_massless_fuel_cell() -> None:
    # the default scenario's regenerative fuel cell (3,000 kWh, no mass_kg) arrives with ILRS-1: 3,688.9 kg by the
    # RFC model (the operations note); ILRS-1 lands 4,745 kg for 4,687 kg of other elements: 4,687 + 3,688.9 -
    # 4,745 = 3,630.9 kg short (tests/ops/test_ops_online.py), less than the cell's mass: short "once" it counts
    cell = {"massless_fuel_cell": "rfc", "massless_fuel_cell_arrives_with": "ILRS-1",
            "massless_fuel_cell_rfc_model_kg": 3688.9}
    rows = _rows({}, {"element_mass_not_landed_kg": 3630.9,
                      "element_mass_not_landed_by_mission_kg": {"ILRS-1": 3630.9}, **cell})
    assert rows["Element mass the campaign does not land"] == (
        "3.63 t: what ILRS-1 lands falls short of its elements once the fuel cell store 'rfc' (no mass_kg) is "
        "counted at the RFC model's 3,689 kg; set storage.fuel_cell.mass_kg, raise ILRS-1's deliver"
    )
    assert "missions to raise" not in rows["Element mass the campaign does not land"]
    # ILRS-1 cut to 2,545 kg: 5,830.9 kg short, more than the cell; another mission 500 kg short besides
    rows = _rows({}, {"element_mass_not_landed_kg": 6330.9,
                      "element_mass_not_landed_by_mission_kg": {"ILRS-1": 5830.9, "ILRS-2": 500.0}, **cell})
    assert rows["Element mass the campaign does not land"] == (
        "6.33 t: what ILRS-1 lands falls short of its elements (the fuel cell store 'rfc' (no mass_kg) counted "
        "among them at the RFC model's 3,689 kg); set storage.fuel_cell.mass_kg, raise ILRS-1's deliver; ILRS-2 "
        "lands less than the elements arriving with it: raise its deliver or lighten the elements (the "
        "operations notes name them)"
    )
    rows = _rows({}, {"element_mass_not_landed_kg": 0.0, "element_mass_not_landed_by_mission_kg": {}})
    assert rows["Element mass the campaign does not land"].startswith("none")


def test_heater_row_states_the_peak_against_the_capacity() -> None:
    # the summary's figures as given (formatting only); heater_capacity_kw is read when the summary has it
    ops = {"survival heaters: heater_mean_kw": 1.9302, "survival heaters: heater_peak_kw": 2.8781,
           "survival heaters: heat_unmet_kwh": 0.0}
    assert _rows({}, ops)["Heater 'survival heaters' (heat balance)"] == (
        "1.93 kW mean while online, 2.88 kW peak (demand before any shedding); heat beyond capacity 0 kWh")
    ops["survival heaters: heater_capacity_kw"] = 3.0
    assert _rows({}, ops)["Heater 'survival heaters' (heat balance)"] == (
        "1.93 kW mean while online, 2.88 kW peak against its 3 kW capacity (demand before any shedding); heat "
        "beyond capacity 0 kWh")


def test_plan_first_isru_draw_against_the_station_then() -> None:
    # the plan's flights: a holdover at the surface (no departure), a departure before ISRU starts (not a draw), and
    # the crew's ascent on day 1753.2 loading 14,078.5 kg O2 and 2,559.7 kg H2 (the default plan's manifest row 29);
    # ISRU from 2033-06-01. Epoch 2030-01-01: day 1753.2 is 2034-10-20 04:48 UTC
    import types
    from datetime import UTC, datetime

    import numpy as np
    import pandas as pd
    import xarray as xr

    from lunarops.runner.stages.operations import plan_isru_draw, plan_isru_draw_summary

    flights = pd.DataFrame({
        "day": [1300.0, 1000.0, 1753.2], "from": ["surface", "surface", "surface"], "holdover": [True, False, False],
        "oxygen_kg": [0.0, 500.0, 14078.5], "hydrogen_kg": [0.0, 60.0, 2559.7],
    })
    steps = pd.DataFrame({"start_utc": [pd.Timestamp("2033-06-01", tz="UTC")],
                          "end_utc": [pd.Timestamp("2034-10-20", tz="UTC")], "plant_kg": [2120.0],
                          "oxygen_kg": [12688.3], "hydrogen_kg": [1586.0]})
    plan = types.SimpleNamespace(flights=flights)
    epoch = datetime(2030, 1, 1, tzinfo=UTC)
    when, loaded = plan_isru_draw(plan, "surface", epoch, steps)  # type: ignore[misc]
    assert when == pd.Timestamp("2034-10-20 04:48") and loaded == {"oxygen": 14078.5, "hydrogen": 2559.7}
    # the station's stores, hourly in run 0: the draw at 04:48 reads the 04:00 step (the last at or before it)
    times = pd.date_range("2034-10-20 00:00", periods=12, freq="h")
    ds = xr.Dataset({"lox_kg": (("run", "time"), np.arange(12.0)[None, :] * 1000.0),
                     "lh2_kg": (("run", "time"), np.arange(12.0)[None, :] * 10.0)}, coords={"time": times})
    campaign = types.SimpleNamespace(logistics=types.SimpleNamespace(isru=types.SimpleNamespace(node="surface")),
                                     epoch_utc=epoch)
    scenario = types.SimpleNamespace(campaign=campaign)
    summary = plan_isru_draw_summary(scenario, {"plan": plan, "isru_production_steps": steps},
                                     types.SimpleNamespace(dataset=ds))
    assert summary["plan_isru_first_draw_utc"] == "2034-10-20T04:48Z"
    assert (summary["run0_lox_kg_at_plan_draw"], summary["run0_lh2_kg_at_plan_draw"]) == (4000.0, 40.0)
    # in the key results: 14,078.5 kg = 14.08 t O2, 2,559.7 kg = 2.56 t H2; 4.00 t LOX and 0.04 t LH2
    rows = _rows({}, {"plan_isru_oxygen_by_period_end_kg": 12688.3, "plan_isru_hydrogen_by_period_end_kg": 1586.0,
                      "lox_stored_kg_p50": 3888.2, "lh2_stored_kg_p50": 114.6, **summary})
    value = rows["Plan's ISRU propellant vs the station's plants"]
    assert value.endswith("The plan first draws it on 2034-10-20, loading 14.08 t oxygen and 2.56 t hydrogen at its "
                          "ISRU node (some may come from Earth); the station then held 4.00 t LOX and 0.04 t LH2 "
                          "(run 0)")
    # a plan whose ISRU draw falls after the period's stores (beyond the last step): no keys
    late = flights.iloc[[2]].assign(day=1800.0)  # 2034-12-06, past the hourly stores above
    assert plan_isru_draw_summary(scenario, {"plan": types.SimpleNamespace(flights=late),
                                             "isru_production_steps": steps}, types.SimpleNamespace(dataset=ds)) == {}
