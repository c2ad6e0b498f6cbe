"""Session 20's features inside the main job: a short variant of the example through ``lunarops.runner.run.run``
puts a heater's heat balance and the arrival slips in the summary (so in sweeps and the run catalog), in the
online table and in well-formed notes."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from lunarops.runner.run import run
from lunarops.scenario import default_scenario_path
from lunarops.scenario.load import parse_scenario
from scenario_edits import without_campaign

START, END = "2030-01-01T00:00:00Z", "2030-01-06T00:00:00Z"  # 5 days: 120 hourly steps
HOURS = 120.0
RUNS = 6
CREW = 2
# this test's heater: UA 20 W/K to 20 C, all of its view to space (no ground: the need is the same every step)
UA_W_PER_K, SETPOINT_K, INTERNAL_W, PER_CREW_W, CAPACITY_KW = 20.0, 293.15, 800.0, 143.8, 4.0
SPACE_K = 2.7  # the sink with ground_view_factor 0: the CMB, 2.725 K (Fixsen 2009), as docs/operations.md rounds it


def _variant() -> dict[str, Any]:
    """The example without campaign or terrain over 5 days, 2 crew aboard, a heater with a thermal block, the
    science lab dated a day in and slipped 10 days (past the period's end), the initial stores dated 12 h in
    and slipped 1 day."""
    data = without_campaign(yaml.safe_load(default_scenario_path().read_text()))
    data.pop("terrain", None)
    data["period"] = {"start_utc": START, "end_utc": END, "step_hours": 1}
    data["orbits"]["coverage"]["duration_days"] = 5
    ops = data["operations"]
    ops["components"] = []
    ops["crew"] = [{"from_utc": START, "count": CREW}]
    heaters = next(load for load in ops["loads"] if load["name"] == "survival heaters")
    heaters.pop("when", None)
    heaters["power_kw"] = CAPACITY_KW
    heaters["thermal"] = {
        "conductance_w_per_k": UA_W_PER_K, "setpoint_k": SETPOINT_K, "internal_heat_w": INTERNAL_W,
        "internal_heat_per_crew_w": PER_CREW_W, "ground_view_factor": 0.0,
    }
    lab = next(load for load in ops["loads"] if load["name"] == "science lab")
    lab["online_utc"] = "2030-01-02T00:00:00Z"
    ops["consumables"]["online_utc"] = "2030-01-01T12:00:00Z"
    ops["arrival_slips"] = {"science lab": 10, "initial stores": 1}
    ops["monte_carlo"] = {"runs": RUNS, "record_hours": 24}
    return data


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Any:
    scenario = parse_scenario(yaml.safe_dump(_variant()))
    return run(scenario, tmp_path_factory.mktemp("s20") / "out", record=False, report=False)


def test_heater_figures_in_the_summary(results: Any) -> None:
    ops = results.summary()["operations"]
    # independent computation of docs/operations.md's balance: P = UA (T_set - T_sink) - Q_int, T_sink = 2.7 K
    # with no ground in view; Q_int = 800 + 2 x 143.8 W (BVAD REV2 Table 3-31 metabolic heat): 20 x 290.45 - 1087.6
    # = 4721.4 W, above the 4 kW capacity on every step: it asks 4 kW, and 0.7214 kW x 120 h = 86.57 kWh is unmet
    need_w = UA_W_PER_K * (SETPOINT_K - SPACE_K) - (INTERNAL_W + CREW * PER_CREW_W)
    assert need_w == pytest.approx(4721.4, abs=0.05)
    assert ops["survival heaters: heater_mean_kw"] == pytest.approx(CAPACITY_KW, abs=1e-9)
    assert ops["survival heaters: heater_peak_kw"] == pytest.approx(CAPACITY_KW, abs=1e-9)
    assert ops["survival heaters: heater_capacity_kw"] == pytest.approx(CAPACITY_KW, abs=1e-9)  # its power_kw
    assert ops["survival heaters: heat_unmet_kwh"] == pytest.approx((need_w / 1e3 - CAPACITY_KW) * HOURS, abs=0.01)
    note = next(n for n in results.stages["operations"].notes if n.startswith("Heater 'survival heaters'"))
    assert f"{ops['survival heaters: heat_unmet_kwh']:.1f} kWh of heat unmet" in note  # the note's figure


def test_arrival_slips_in_the_summary_table_and_notes(results: Any) -> None:
    ops = results.summary()["operations"]
    # a fixed 10-day slip of a lab due on day 1 of 5: past the period's end in every run
    runs = results.table("operations-operations_monte_carlo_run")
    assert list(runs["run_elements_missed"]) == [1] * RUNS
    assert ops["probability_elements_missed"] == 1.0
    # Clopper-Pearson for 6 of 6: lower bound (0.05 / 2) ** (1 / 6) = 0.5407, upper 1
    low, high = ops["probability_elements_missed_ci95"]
    assert low == pytest.approx(0.025 ** (1 / RUNS), abs=1e-4)
    assert high == 1.0
    online = results.stages["operations"].tables
    table = next(t for t in online if t.title == "Elements coming online after the start").frame
    how = dict(zip(table["element"], table["how"], strict=True))
    assert "slips per run by operations.arrival_slips.science lab" in how["science lab"]
    notes = results.stages["operations"].notes
    assert any(n.startswith("Arrival slips (drawn per run") for n in notes)
    # only the initial stores slip as deliveries (no resupply entry slips): no empty "Resupply slips: ." list
    resupply = [n for n in notes if "run_deliveries_missed" in n and not n.startswith("Arrival slips")]
    assert resupply and all(": ." not in n for n in resupply)
    assert resupply[0].startswith("No resupply entry slips; 0.0% of the 6 runs")
