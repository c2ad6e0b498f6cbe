"""Element arrivals slipping per run (operations.arrival_slips): a late ISRU plant and lab against a hand
computation, the draws against their distribution, bit-identical runs without slips, bad input named."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from dark_station import START, assert_bit_identical, dark_light, run_dark
from lunarops.errors import InputError, ScenarioError
from lunarops.ops.inputs import build_inputs
from lunarops.ops.montecarlo import draw_runs
from lunarops.ops.station import ArrivalSlip, Component, ConstantSource, IsruPlant, Load, Station
from lunarops.ops.uncertain import Uncertain
from lunarops.runner.stages.operations import check_correlations, simulate_scenario
from lunarops.scenario.load import parse_scenario

H = 3600.0
DAY = 86400.0
KWH = 3.6e6
N = 30 * 24  # 30 days, hourly
O2_J_PER_KG = 24.0 * KWH  # a round ilmenite-reduction energy (above the 4.12 kWh/kg electrolysis floor)


def _station(slip: Uncertain | None, components: tuple[Component, ...] = ()) -> Station:
    """A 10 kW reactor from the start; mission "cargo-1" due on day 8 brings a 2 kW ilmenite plant (running
    day and night) and a 1 kW lab."""
    return Station(
        sources=(ConstantSource("reactor", 10e3),),
        loads=(Load("habitat", 5e3), Load("lab", 1e3, online_s=8 * DAY)),
        isru=(
            IsruPlant(
                "ilmenite", "ilmenite_reduction", 2e3, daylight_only=False, shed_below_reserve=False,
                o2_energy_j_per_kg=Uncertain.fixed(O2_J_PER_KG), online_s=8 * DAY,
            ),
        ),
        components=components,
        arrival_slips=() if slip is None else (ArrivalSlip("cargo-1", slip, ("lab", "ilmenite")),),
    )


def _run(station: Station, runs: int = 1, seed: int = 3) -> xr.Dataset:
    return run_dark(station, N, runs, seed)


def test_a_fixed_slip_delays_the_plant_and_the_lab_by_hand() -> None:
    on_time = _run(_station(None)).isel(run=0)
    late = _run(_station(Uncertain.fixed(5 * DAY))).isel(run=0)
    # on time both come online at step 192 (day 8): 720 - 192 = 528 h of the plant's 2 kW at 24 kWh/kg
    # = 44.0 kg O2 (hand computation: 528 x 2 / 24); 5 days late, step 312: 408 x 2 / 24 = 34.0 kg
    assert float(on_time["run_isru_o2_kg"]) == pytest.approx(528 * 2.0 / 24.0, abs=1e-9)
    assert float(late["run_isru_o2_kg"]) == pytest.approx(408 * 2.0 / 24.0, abs=1e-9)
    # served energy: 120 h x (2 + 1) kW less (both on the same mission) = 1296 MJ
    diff_j = float(on_time["run_served_j"]) - float(late["run_served_j"])
    assert diff_j == pytest.approx(120 * 3.0 * KWH, abs=1e-3)
    assert int(late["run_elements_missed"]) == 0
    # the same as dating them 5 days later
    moved = Station(
        sources=(ConstantSource("reactor", 10e3),),
        loads=(Load("habitat", 5e3), Load("lab", 1e3, online_s=13 * DAY)),
        isru=(
            IsruPlant(
                "ilmenite", "ilmenite_reduction", 2e3, daylight_only=False, shed_below_reserve=False,
                o2_energy_j_per_kg=Uncertain.fixed(O2_J_PER_KG), online_s=13 * DAY,
            ),
        ),
    )
    again = _run(moved).isel(run=0)
    for name in ("run_isru_o2_kg", "run_served_j", "demand_w", "served_w"):
        np.testing.assert_array_equal(again[name].values, late[name].values, err_msg=name)


def test_drawn_slips_follow_their_distribution_and_miss_the_period() -> None:
    runs = 2000
    slip = Uncertain("triangular", 10 * DAY, 0.0, 0.0, 60 * DAY)
    ds = _run(_station(slip), runs=runs)
    drawn = ds["input_value"].sel(uncertain_input="cargo-1: arrival_slip_s").values
    assert drawn.min() >= 0.0 and drawn.max() <= 60 * DAY
    # triangular(0, 10, 60) d: mean (0 + 10 + 60) / 3 = 23.33 d, sd sqrt((10^2 + 60^2 - 10 x 60) / 18) = 13.12 d;
    # 2000 runs: standard error 0.29 d, 4 of them allowed
    assert drawn.mean() / DAY == pytest.approx(70.0 / 3.0, abs=4 * 13.12 / np.sqrt(runs))
    # due at 192 h, they miss the period when they come online after the last step (719 h): a slip above 527 h;
    # P = (1440 - 527)^2 / (1440 x 1200) = 0.482 (the triangular CDF, hours); 4 standard errors of 0.011
    missed = ds["run_elements_missed"].values
    np.testing.assert_array_equal(missed, 2 * (drawn > 527 * H).astype(np.int64))  # the plant and the lab
    assert (missed > 0).mean() == pytest.approx(913**2 / (1440 * 1200), abs=0.045)
    # a run that missed them makes no O2; the others make (720 - online step) x 2 / 24 kg
    o2 = ds["run_isru_o2_kg"].values
    np.testing.assert_array_equal(o2[missed > 0], 0.0)
    online = np.ceil((192 * H + drawn) / H - 1e-9)
    np.testing.assert_allclose(o2[missed == 0], ((720 - online) * 2.0 / 24.0)[missed == 0], atol=1e-9)


def test_without_slips_or_with_a_zero_slip_the_runs_are_bit_identical() -> None:
    # failures make the stream matter: a zero slip changes nothing
    pumps = (Component("pumps", "habitat", 2, 200.0, 24.0, 1),)
    base = _station(None, pumps)
    inputs = build_inputs(base, dark_light(N), START, H)
    assert draw_runs(base, inputs, 5, 8).elem_online is None
    a = _run(base, runs=8)
    b = _run(_station(Uncertain.fixed(0.0), pumps), runs=8)
    assert_bit_identical(a, b)
    assert "run_elements_missed" not in a and "input_value" not in a


def test_bad_slips_are_named() -> None:
    with pytest.raises(InputError, match=r"arrival slip 'cargo-1': slip_s can be -3600 s, below 0"):
        _station(Uncertain.fixed(-H))
    station = Station(
        sources=(ConstantSource("reactor", 10e3),),
        loads=(Load("habitat", 5e3),),
        arrival_slips=(ArrivalSlip("cargo-1", Uncertain.fixed(DAY), ("habitat",)),),
    )
    with pytest.raises(InputError, match=r"'habitat' is there from the start"):
        build_inputs(station, dark_light(N), START, H)


SCENARIO = """
schema_version: 1
name: arrival slips
period: {start_utc: 2030-01-01T00:00:00Z, end_utc: 2030-01-31T00:00:00Z, step_hours: 1}
sites:
  - {name: Rim, latitude_deg: -85.0, longitude_deg: 30.0, mast_height_m: 10}
operations:
  power:
    fission_plants: [{name: reactor, power_kwe: 10, mass_kg: 1545}]
  loads:
    - {name: habitat, power_kw: 5}
    - {name: lab, power_kw: 1, online_utc: 2030-01-09T00:00:00Z}
  consumables: {o2_kg: 1000, water_kg: 5000, food_kg: 200}
  SLIPS
  monte_carlo: {runs: 50, record_hours: 24}
"""


@pytest.mark.parametrize(
    ("slips", "words"),
    [
        ("arrival_slips: {lab: -2}", "operations.arrival_slips.lab (slip_days) must lie in [0.0, inf]"),
        ("arrival_slips: {lab: {kind: uniform, low: -1, high: 5}}", "must lie in [0.0, inf]"),
        ("arrival_slips: {lander-9: 3}", "'lander-9' is neither a mission an element arrives_with"),
        ("arrival_slips: {habitat: 3}", "'habitat' is there from the period's start"),
    ],
)
def test_bad_scenario_slips_are_named(slips: str, words: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(SCENARIO.replace("SLIPS", slips))
    assert words in str(info.value) and "arrival_slips" in str(info.value)


def test_the_scenario_draws_slips_and_notes_them() -> None:
    text = SCENARIO.replace("SLIPS", "arrival_slips: {lab: {kind: triangular, low: 0, mode: 10, high: 60}}")
    _hourly, mc, notes = simulate_scenario(parse_scenario(text))
    drawn = mc.dataset["input_value"].sel(uncertain_input="lab: arrival_slip_s").values
    assert drawn.min() >= 0.0 and drawn.max() <= 60 * DAY
    note = next(n for n in notes if n.startswith("Arrival slips"))
    p50 = np.percentile(drawn / DAY, 50.0)
    assert "lab (lab): slip 5/50/95th percentile" in note and f"/{p50:.1f}/" in note
    # due at 192 h of a 720 h period: missed when the slip exceeds 527 h (as the engine test above)
    share = float(np.mean(drawn > 527 * H))
    assert f"P(slips past the period's end) {share:.1%}" in note
    assert np.array_equal(mc.dataset["run_elements_missed"].values, (drawn > 527 * H).astype(np.int64))


def test_an_arrival_slip_can_be_correlated_with_a_resupply_slip() -> None:
    # one launcher late for both: Spearman 0.9 asked; 300 runs give a sample rank correlation within ~0.03 of it
    # (its standard error (1 - rho^2) / sqrt(n - 1) = 0.011 for rho = 0.9, the Fisher-transform approximation)
    text = SCENARIO.replace(
        "SLIPS",
        "arrival_slips: {lab: {kind: uniform, low: 0, high: 20}}\n"
        "  resupply:\n"
        "    - {time_utc: 2030-01-09T00:00:00Z, commodity: food_kg, amount: 100,"
        " slip_days: {kind: uniform, low: 0, high: 20}}",
    ).replace(
        "monte_carlo: {runs: 50, record_hours: 24}",
        "monte_carlo: {runs: 300, record_hours: 24, correlations: [{inputs: ['lab: arrival_slip_s', "
        "'resupply.0 food_kg: slip_s'], rank_correlation: 0.9}]}",
    )
    scenario = parse_scenario(text)
    check_correlations(scenario)
    _hourly, mc, _notes = simulate_scenario(scenario)
    values = mc.dataset["input_value"]
    a = values.sel(uncertain_input="lab: arrival_slip_s").values
    b = values.sel(uncertain_input="resupply.0 food_kg: slip_s").values
    rho = float(np.corrcoef(np.argsort(np.argsort(a)), np.argsort(np.argsort(b)))[0, 1])
    assert rho == pytest.approx(0.9, abs=0.045)


@pytest.mark.parametrize("landing_day", [1.0, 0.0, -1.0])
def test_initial_stores_slip_with_their_mission_even_when_it_lands_before_the_start(landing_day: float) -> None:
    # review case: a mission landing at or before the period's start left its stores in the step-0 stores while
    # its elements slipped; now they are a delivery at the landing time that slips with the mission
    from datetime import timedelta

    from lunarops.runner.stages.operations import station_from_section
    from lunarops.scenario.load import load_scenario

    scenario = load_scenario().with_changes(
        {"operations.consumables.arrives_with": "ILRS-1", "operations.arrival_slips": {"ILRS-1": 10}}
    )
    assert scenario.operations is not None
    start = scenario.period.start_utc
    arrivals = {m: start + timedelta(days=landing_day) for m in ("ILRS-1", "ILRS-2", "ILRS-3", "ILRS-4")}
    station = station_from_section(scenario.operations, start, None, arrivals)
    stores = [d for d in station.deliveries if d.commodity in ("o2_kg", "water_kg", "food_kg")]
    assert station.consumables.o2_kg == 0.0 and len(stores) == 3
    assert all(d.arrival == "ILRS-1" and d.time_s == landing_day * 86400.0 for d in stores)
    # without the slip, stores landing by the start are there at step 0 (no delivery)
    plain = load_scenario().with_changes({"operations.consumables.arrives_with": "ILRS-1"})
    assert plain.operations is not None
    station = station_from_section(plain.operations, start, None, arrivals)
    landed = [d for d in station.deliveries if d.commodity in ("o2_kg", "water_kg", "food_kg")]
    assert (station.consumables.o2_kg > 0.0 and not landed) if landing_day <= 0.0 else len(landed) == 3
