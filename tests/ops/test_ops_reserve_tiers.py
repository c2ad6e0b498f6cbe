"""Tiered load shedding: each load's own reserve threshold (``reserve_state_of_charge`` on a load or ISRU plant)
with the policy's hysteresis (a surface-operations planner's user study, session 18)."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from lunarops.errors import ScenarioError
from lunarops.ops.inputs import LightSeries, build_inputs, reserve_thresholds
from lunarops.ops.montecarlo import simulate
from lunarops.ops.station import Battery, ConstantSource, Load, Policy, Station
from lunarops.ops.uncertain import Uncertain
from lunarops.scenario import default_scenario_path
from lunarops.scenario.load import parse_scenario
from scenario_edits import without_campaign

START = np.datetime64("2030-01-01T00:00")
HOURS = 96
HYSTERESIS = 0.05


def _light(n: int) -> LightSeries:
    return LightSeries(np.full(n, 0.1), np.zeros(n), np.ones(n), np.full(n, 1.496e11), np.ones(n, dtype=bool))


def _station(ice_threshold: float | None, rover_threshold: float | None) -> Station:
    """1.5 kW constant, a 10 kWh battery (80 % usable); a 0.8 kW habitat never shed, a 1 kW ice plant and 1 kW of
    rovers shed by the reserve policy: together they drain the battery (2.8 kW asked), without the ice plant
    slowly (1.8 kW), without both it charges (0.8 kW)."""
    return Station(
        sources=(ConstantSource("rtg", 1.5e3),),
        battery=Battery("battery", 10 * 3.6e6, 0.8, Uncertain.fixed(0.95), Uncertain.fixed(0.95), 5e3, 5e3),
        loads=(
            Load("hab", 0.8e3, 1),
            Load("ice plant", 1e3, 3, shed_below_reserve=True, reserve_state_of_charge=ice_threshold),
            Load("rovers", 1e3, 4, shed_below_reserve=True, reserve_state_of_charge=rover_threshold),
        ),
        policy=Policy(0.25, HYSTERESIS),
    )


def _policy_states(frac_prev: np.ndarray, threshold: float) -> np.ndarray:
    """A second implementation of the rule, on the engine's recorded storage: shed from the first step that
    starts below the threshold until one starts above it + the hysteresis."""
    on, states = False, []
    for frac in frac_prev:
        if not on and frac < threshold:
            on = True
        elif on and frac > threshold + HYSTERESIS:
            on = False
        states.append(on)
    return np.array(states)


def _shed_by_policy(events, name: str) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Each step's reserve-policy state of a load from its load_shed (value 2) / load_restored events."""
    shed = np.zeros(HOURS, dtype=bool)
    rows = events[(events.element == name) & events.event.isin(["load_shed", "load_restored"])]
    state, last = False, 0
    for step, event, value in zip(rows.step, rows.event, rows.value, strict=True):
        shed[last:step] = state
        state, last = event == "load_shed" and value == 2.0, step
    shed[last:] = state
    return shed


def test_each_load_is_shed_at_its_own_threshold() -> None:
    """The ice plant goes at 40 % of usable storage, the rovers at the policy's 25 %; each one's shed steps are
    those of the rule replayed on the recorded storage (the storage at the end of a step is the next one's start)."""
    station = _station(0.40, None)
    result = simulate(station, build_inputs(station, _light(HOURS), START, 3600.0), runs=1, record_steps=1)
    frac = result.dataset["storage_fraction"].values[0]
    frac_prev = np.concatenate([[1.0], frac[:-1]])
    ice = _shed_by_policy(result.events, "ice plant")
    rovers = _shed_by_policy(result.events, "rovers")
    np.testing.assert_array_equal(ice, _policy_states(frac_prev, 0.40))
    np.testing.assert_array_equal(rovers, _policy_states(frac_prev, 0.25))
    first_ice, first_rovers = int(np.argmax(ice)), int(np.argmax(rovers))
    assert 0 < first_ice < first_rovers  # the ice plant first: a tier
    assert frac_prev[first_ice] < 0.40 <= frac_prev[first_ice - 1]
    assert rovers.sum() < ice.sum()
    # the episode's events: one policy_reserve_shed at the ice plant's first shed step
    logged = result.events[result.events.event == "policy_reserve_shed"]
    assert logged.step.tolist()[0] == first_ice


def test_the_policy_threshold_alone_is_unchanged() -> None:
    """Without own thresholds both go together at 25 %, as a single reserve did."""
    station = _station(None, None)
    result = simulate(station, build_inputs(station, _light(HOURS), START, 3600.0), runs=1, record_steps=1)
    np.testing.assert_array_equal(_shed_by_policy(result.events, "ice plant"), _shed_by_policy(result.events, "rovers"))
    frac = result.dataset["storage_fraction"].values[0]
    expected = _policy_states(np.concatenate([[1.0], frac[:-1]]), 0.25)  # the rule replayed at the policy's 25 %
    assert expected.any() and not expected.all()
    np.testing.assert_array_equal(_shed_by_policy(result.events, "rovers"), expected)
    assert reserve_thresholds(station).tolist() == [-1.0, 0.25, 0.25]
    assert reserve_thresholds(_station(0.4, 0.3)).tolist() == [-1.0, 0.4, 0.3]


def _example() -> dict:  # type: ignore[type-arg]
    return without_campaign(yaml.safe_load(default_scenario_path().read_text()))


def test_scenario_thresholds_on_loads_and_plants() -> None:
    from lunarops.runner.stages.operations import station_from_section

    data = _example()
    loads = {ld["name"]: ld for ld in data["operations"]["loads"]}
    loads["rovers"]["reserve_state_of_charge"] = 0.3
    loads["science lab"].pop("shed_below_reserve")
    loads["science lab"]["reserve_state_of_charge"] = 0.5  # implies shed_below_reserve
    data["operations"]["isru"][0]["reserve_state_of_charge"] = 0.4
    scenario = parse_scenario(yaml.safe_dump(data))
    station = station_from_section(scenario.operations, scenario.period.start_utc)
    thresholds = dict(zip([ld.name for ld in station.all_loads], reserve_thresholds(station), strict=True))
    assert thresholds["rovers"] == 0.3 and thresholds["science lab"] == 0.5
    assert thresholds[data["operations"]["isru"][0]["name"]] == 0.4
    assert thresholds["solar observatory"] == pytest.approx(0.25)  # the example's policy
    data["operations"]["loads"][0]["shed_below_reserve"] = False
    data["operations"]["loads"][0]["reserve_state_of_charge"] = 0.3
    with pytest.raises(ScenarioError, match=r"reserve_state_of_charge = 0.3 sheds it.*shed_below_reserve is false"):
        parse_scenario(yaml.safe_dump(data))


def test_a_threshold_that_could_never_release_is_refused() -> None:
    # released above threshold + hysteresis (the example's 0.05): 0.96 + 0.05 > 1, storage never gets there
    data = _example()
    data["operations"]["loads"][1]["reserve_state_of_charge"] = 0.96
    with pytest.raises(ScenarioError, match=r"operations\.loads\.1\.reserve_state_of_charge.*never come back on"):
        parse_scenario(yaml.safe_dump(data))
