"""Session 19's features inside the main job: a short variant of the example through ``lunarops.runner.run.run``
shows each one in the summary, the notes and the results files; a sweep over a new field validates its members
as their file would be and carries the per-load figures (standby energy) in its table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import yaml

from lunarops.runner.executors import make_executor
from lunarops.runner.run import run
from lunarops.runner.sweep import expand, run_sweep
from lunarops.scenario import default_scenario_path
from lunarops.scenario.load import parse_scenario
from scenario_edits import without_campaign

START, END = "2030-01-01T00:00:00Z", "2030-01-06T00:00:00Z"  # 5 days: 120 hourly steps
HOURS = 120.0
STANDBY_KW = {"survival heaters": 0.5, "rovers": 0.3}  # keep-alive draws while off (this test's values)


def _variant() -> dict[str, Any]:
    """The example without campaign or terrain over 5 days, with every session-19 field set."""
    data = without_campaign(yaml.safe_load(default_scenario_path().read_text()))
    data.pop("terrain", None)
    data["period"] = {"start_utc": START, "end_utc": END, "step_hours": 1}
    data["orbits"]["coverage"]["duration_days"] = 5
    ops = data["operations"]
    ops["components"] = []  # no failures and no ISRU: the stores and standby below follow from the schedule alone
    plants = {plant["name"] for plant in ops["isru"]}
    ops["isru"] = []
    ops["policy"]["shed_order"] = [n for n in ops["policy"]["shed_order"] if n not in plants]
    for load in ops["loads"]:
        if load["name"] in STANDBY_KW:
            load["standby_power_kw"] = STANDBY_KW[load["name"]]
        if load["name"] == "survival heaters":  # a fixed night schedule, off by day (not the example's heat balance)
            load.pop("thermal", None)
            load["when"] = "night"
    ops["crew"] = [{"from_utc": START, "count": 2}]
    ops["comms"]["relay_link_budget"]["rates_mbps"] = [10, 25, 50, 100]
    # a small X-band trunk (docs/operations.md): 8.45 GHz, EIRP 38 dBW to G/T 40 dB/K, about 55 Mbps at 384,400 km
    ops["comms"]["relay_trunk_link_budget"] = {
        "frequency_ghz": 8.45, "eirp_dbw": 38, "g_over_t_db_per_k": 40, "required_eb_n0_db": 2.5, "margin_db": 3,
        "losses_db": 1, "rates_mbps": [2, 10, 25, 50],
    }
    ops["comms"]["relay_trunk_data_rate_mbps"] = 50
    life = ops["life_support"]
    life["water_recovery_fraction"] = {"kind": "triangular", "low": 0.87, "mode": 0.935, "high": 0.98}
    life["oxygen_generation_fraction"] = {"kind": "uniform", "low": 0.9, "high": 1.0}
    life["food_kg_per_crew_day"] = 1.14  # the Orion packaged-food target (NTRS 20090006804)
    ops["monte_carlo"] = {
        "runs": 6,
        "record_hours": 24,
        "correlations": [
            {"inputs": ["mast arrays: cell_efficiency", "battery: charge_efficiency"], "rank_correlation": 0.6},
            {
                "inputs": ["life_support: water_recovery_fraction", "life_support: oxygen_generation_fraction"],
                "rank_correlation": 0.5,
            },
        ],
    }
    return data


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Any:
    scenario = parse_scenario(yaml.safe_dump(_variant()))
    return run(scenario, tmp_path_factory.mktemp("s19") / "out", record=False, report=False)


def test_life_support_figures_in_the_summary(results: Any) -> None:
    ops = results.summary()["operations"]
    # contingency (loop failed): the 200 kg O2 store at BVAD's 0.895 kg/CM-d for 2 crew = 111.73 d
    # (NASA/TP-2015-218570 REV2 Table 3-31); O2 sets it (water: 800 / (2 x 3.217) = 124 d). The loop making
    # 90-100 % of the O2 draws at most 5 d x 2 x 0.895 x 0.1 = 0.895 kg of it by the end: 111.23 d at the least
    assert 200 / (2 * 0.895) - 0.895 / (2 * 0.895) - 0.01 <= ops["consumables_contingency_days_p05"]
    assert ops["consumables_contingency_days_p05"] <= 200 / (2 * 0.895) + 0.01
    # reserve (loop working): food sets it, 300 kg at 1.14 kg/CM-d for 2 crew, less 5 days of eating:
    # (300 - 2 x 1.14 x 5) / (2 x 1.14) = 126.6 d; within one hour's draw (0.042 d) or so of the last step
    assert ops["consumables_reserve_days_p05"] == pytest.approx((300 - 2 * 1.14 * 5) / (2 * 1.14), abs=0.1)
    assert ops["consumables_reserve_limiting_store"] == "food_kg"
    assert START[:10] <= ops["consumables_reserve_min_utc"][:10] <= END[:10]
    run_file = results.table("operations-operations_monte_carlo_run")
    assert {"run_min_contingency_days", "run_min_reserve_time_s", "run_min_reserve_store"} <= set(run_file.columns)
    assert set(run_file["run_min_reserve_store"]) == {2}  # 0 O2, 1 water, 2 food (docs/results.md)


def test_standby_energy_follows_the_schedule(results: Any) -> None:
    ops = results.summary()["operations"]
    columns = ops["loads_columns"]
    for name, standby_kw in STANDBY_KW.items():
        row = dict(zip(columns, ops["loads"][name], strict=True))
        if row["shed_share_mean"] == 0:  # never shed: standby on every step its `when` is off
            # kW x hours off / 1000 = MWh
            assert row["standby_mwh_mean"] == pytest.approx(standby_kw * (HOURS - row["scheduled_h_mean"]) / 1e3,
                                                            abs=1e-6)
    heaters = dict(zip(columns, ops["loads"]["survival heaters"], strict=True))
    rovers = dict(zip(columns, ops["loads"]["rovers"], strict=True))
    assert heaters["standby_mwh_mean"] + rovers["standby_mwh_mean"] > 0  # day or night, one of them is off


def test_trunk_and_discrete_rates_in_the_summary_and_notes(results: Any) -> None:
    ops = results.summary()["operations"]
    # the relayed rate is a listed trunk rate at most the 50 Mbps cap (the median of two of them at most)
    assert 10.0 <= ops["relay_trunk_rate_mbps_median"] <= 50.0
    assert ops["relay_rate_mbps_median"] <= ops["relay_trunk_rate_mbps_median"]
    notes = results.stages["operations"].notes
    comms = next(n for n in notes if n.startswith("Comms mode direct_or_relay"))
    assert "The relay trunk (the relaying orbiter to Earth) gives" in comms


def test_correlations_in_the_notes_and_the_input_file(results: Any) -> None:
    notes = results.stages["operations"].notes
    note = next(n for n in notes if n.startswith("Correlated uncertain inputs"))
    assert "'mast arrays: cell_efficiency' ~ 'battery: charge_efficiency' 0.6 (over these runs" in note
    inputs = results.table("operations-operations_monte_carlo_run_uncertain_input")
    assert {"life_support: water_recovery_fraction", "life_support: oxygen_generation_fraction"} <= set(
        inputs["uncertain_input"]
    )
    path = results.out_dir / "results" / "operations-operations_monte_carlo_run_uncertain_input.parquet"
    metadata = json.loads(pq.read_schema(path).metadata[b"lunarops_variables"])
    assert "battery: charge_efficiency: 0.6" in metadata["input_value"]["rank_correlations"]


def test_lowest_perilune_in_the_orbits_summary(results: Any) -> None:
    orbits = results.summary()["orbits"]
    for orbiter in ("ILRS station", "Queqiao-2 class relay"):
        assert f"{orbiter}: lowest_perilune_alt_km" in orbits
        assert f"{orbiter}: lowest_perilune_above_terrain_km" in orbits
    # the 9:2 NRHO's perilune radius 3,018-3,437 km over the ephemeris (docs/orbits.md) less 1737.4 km
    assert 1200.0 < orbits["ILRS station: lowest_perilune_alt_km"] < 1750.0


def _food_scenario() -> Any:
    data = _variant()
    data["operations"]["comms"]["ground_network"] = "none"  # a field-presence check too (no ground mask)
    return parse_scenario(yaml.safe_dump(data))


def test_sweep_members_validate_as_their_file() -> None:
    """Members were validated from the base's every field, defaults included, so checks on which fields a file
    gives refused them: food_kg_per_crew_day "and food_basis = packaged both set the food draw"."""
    base = _food_scenario()
    grid = {"operations.loads.2.standby_power_kw": [0.0, 0.5], "operations.policy.reserve_hysteresis": [0.05]}
    members = expand(base, grid)
    assert [m.scenario.operations.loads[2].standby_power_kw for m in members] == [0.0, 0.5]
    assert all(m.scenario.operations.life_support.food_kg_per_crew_day == 1.14 for m in members)
    # nothing else changed: the base's every field with the swept ones set
    expected = base.model_dump(mode="json")
    expected["operations"]["loads"][2]["standby_power_kw"] = 0.5
    expected["operations"]["policy"]["reserve_hysteresis"] = 0.05
    assert members[1].scenario.model_dump(mode="json") == {**expected, "name": members[1].scenario.name}
    # the catalog's text of a member (the fields as given) validates again as a file
    text = yaml.safe_dump(members[1].scenario.model_dump(mode="json", exclude_unset=True), sort_keys=False)
    assert parse_scenario(text).operations.loads[2].standby_power_kw == 0.5


def test_a_section_the_file_leaves_out_can_be_swept() -> None:
    data = _variant()
    data["operations"].pop("policy", None)  # its defaults
    members = expand(parse_scenario(yaml.safe_dump(data)), {"operations.policy.reserve_hysteresis": [0.02, 0.1]})
    assert [m.scenario.operations.policy.reserve_hysteresis for m in members] == [0.02, 0.1]
    assert members[0].scenario.operations.policy.reserve_state_of_charge == pytest.approx(
        parse_scenario(yaml.safe_dump(data)).operations.policy.reserve_state_of_charge
    )


def _member_with_loads(scenario: Any, out_dir: str) -> dict[str, Any]:
    standby = scenario.operations.loads[2].standby_power_kw
    return {
        "operations": {
            "runs": 1,
            "loads_columns": ["scheduled_h_mean", "standby_mwh_mean"],
            "loads": {"survival heaters": [100.0, standby * 20 / 1e3]},
            "percentile_ci95": {"x_p05": [0.0, 1.0]},  # not a table: left out
        }
    }


def test_sweep_table_has_the_per_load_columns(tmp_path: Path) -> None:
    members = expand(_food_scenario(), {"operations.loads.2.standby_power_kw": [0.0, 0.5]})
    table = run_sweep(
        members, tmp_path, lambda: make_executor(None, 1), member_function=_member_with_loads, record=False
    )
    column = "operations.loads.survival heaters.standby_mwh_mean"
    assert list(table[column]) == [0.0, 0.5 * 20 / 1e3]  # kW x 20 h / 1000 = MWh, as the fake member gives it
    assert "operations.loads.survival heaters.scheduled_h_mean" in table.columns
    assert not any(c.startswith("operations.percentile_ci95") for c in table.columns)
    assert list(table["operations.runs"]) == [1, 1]


def test_validate_and_run_check_the_correlation_names_first(tmp_path: Path) -> None:
    # session 19 integration check: an unknown input name passed `validate` and failed `run` only after the earlier
    # stages; both now refuse it at once, naming the field and the inputs that are drawn
    from typer.testing import CliRunner

    from lunarops.cli.main import app
    from lunarops.errors import InputError
    from lunarops.runner.run import run as run_scenario

    data = yaml.safe_load(default_scenario_path().read_text())
    data["operations"]["monte_carlo"]["correlations"] = [
        {"inputs": ["mast arrays: cell_efficiency", "no such input"], "rank_correlation": 0.5}
    ]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "operations.monte_carlo.correlations" in result.output and "no such input" in result.output
    with pytest.raises(InputError, match=r"operations\.monte_carlo\.correlations"):
        run_scenario(path, tmp_path / "out", record=False, report=False)
    assert not (tmp_path / "out" / "results").exists()  # nothing ran
