"""Notes of the operations stage that a life-support engineer needs: a loop with no ECLSS load, O2 over the tank."""

from __future__ import annotations

from lunarops.runner.stages.operations import simulate_scenario
from lunarops.scenario.load import parse_scenario

BASE = """
schema_version: 1
name: notes
period: {start_utc: 2030-01-01T00:00:00Z, end_utc: 2030-01-11T00:00:00Z, step_hours: 1}
sites:
  - {name: Rim, latitude_deg: -85.0, longitude_deg: 30.0, mast_height_m: 10}
operations:
  power:
    fission_plants: [{name: reactor, power_kwe: 10, mass_kg: 1545}]
  loads: [{name: habitat, power_kw: 5}, {name: eclss, power_kw: 0.5}]
  consumables: {o2_kg: 50, water_kg: 1000, food_kg: 100, o2_tank_capacity_kg: 50}
  monte_carlo: {runs: 2, record_hours: 24}
"""


def _notes(text: str) -> list[str]:
    _hourly, _mc, notes = simulate_scenario(parse_scenario(text))
    return notes


def test_a_closed_loop_without_an_eclss_load_is_said() -> None:
    crewed = BASE.replace("  monte_carlo:", "  crew: [{from_utc: 2030-01-02T00:00:00Z, count: 2}]\n  monte_carlo:")
    notes = _notes(crewed)  # default loop: water recovery 0.9, O2 generation 1.0 (LifeSupportSpec)
    assert any("life_support.eclss_load is not set" in n and "water recovery 0.9" in n for n in notes)
    powered = crewed.replace("  monte_carlo:", "  life_support: {eclss_load: eclss}\n  monte_carlo:")
    assert not any("eclss_load is not set" in n for n in _notes(powered))
    assert not any("eclss_load is not set" in n for n in _notes(BASE))  # no crew: nothing to say


def test_o2_delivered_into_a_full_tank_is_said() -> None:
    # the 50 kg tank is full from the start and nobody breathes (no crew): the 30 kg delivered on 2030-01-06 go
    # to propellant whole, by hand 30 kg of 30
    text = BASE.replace(
        "  monte_carlo:", "  resupply: [{time_utc: 2030-01-06T00:00:00Z, commodity: o2_kg, amount: 30}]\n  monte_carlo:"
    )
    notes = _notes(text)
    note = next(n for n in notes if "beyond the O2 tank" in n)
    assert note.startswith("Run 0: 30 kg of O2 beyond the O2 tank (50 kg")
    assert "30 of 30 kg delivered on 2030-01-06" in note
    assert not any("beyond the O2 tank" in n for n in _notes(BASE))


def test_end_stores_in_the_summary() -> None:
    # no crew, no ISRU: the stores end as they started, plus the 30 kg of O2 beyond the full 50 kg tank as
    # propellant (by hand)
    text = BASE.replace(
        "  monte_carlo:", "  resupply: [{time_utc: 2030-01-06T00:00:00Z, commodity: o2_kg, amount: 30}]\n  monte_carlo:"
    )
    _hourly, mc, _notes = simulate_scenario(parse_scenario(text))
    assert mc.summary["end_o2_kg_p50"] == 50.0
    assert mc.summary["end_propellant_kg_p50"] == 30.0
    assert mc.summary["end_water_kg_p50"] == 1000.0
    assert mc.summary["end_food_kg_p50"] == 100.0


def test_uncertain_number_errors_read_as_written() -> None:
    # a number-or-distribution field: a distribution missing its bounds gets only the distribution's complaints,
    # at the field's own path (no ".float" branch, no "tagged-union[...]" parts); a word gets one message
    import pytest

    from lunarops.errors import ScenarioError

    arrays = "  power:\n    fission_plants:"
    bad = BASE.replace(
        arrays, "  power:\n    solar_arrays: [{name: pv, area_m2: 10, cell_efficiency: {kind: normal, mean: 0.3, "
        "sd: 0.01}}]\n    fission_plants:"
    )
    with pytest.raises(ScenarioError) as info:
        parse_scenario(bad)
    text = str(info.value)
    assert "operations.power.solar_arrays.0.cell_efficiency.low: Field required" in text
    assert "operations.power.solar_arrays.0.cell_efficiency.high: Field required" in text
    assert ".float" not in text and "tagged-union" not in text and "(2 problems)" in text
    with pytest.raises(ScenarioError) as info:
        parse_scenario(bad.replace("{kind: normal, mean: 0.3, sd: 0.01}", "abc"))
    text = str(info.value)
    assert "(1 problem)" in text and "cell_efficiency: Input should be a valid number" in text
    assert "or a distribution {kind: normal | uniform | triangular, ...}" in text


def test_errors_inside_an_isru_plant_name_the_field_and_its_line() -> None:
    # an ISRU plant is a discriminated union (kind: ice_extraction): its tag is not a field, so the path is
    # operations.isru.0.ice_wt_pct, at the line of ice_wt_pct (was operations.isru.0.ice_extraction.ice_wt_pct at
    # the list item's line)
    import pytest

    from lunarops.errors import ScenarioError

    text = BASE.replace(
        "  monte_carlo:",
        "  isru:\n    - kind: ice_extraction\n      name: ice\n      power_kw: 5\n      ice_wt_pct: abc\n"
        "      regolith_energy_kwh_per_kg: 0.1\n      water_energy_kwh_per_kg: 1.0\n  monte_carlo:",
    )
    line = text.splitlines().index("      ice_wt_pct: abc") + 1
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text)
    assert f"<string>:{line}: operations.isru.0.ice_wt_pct: Input should be a valid number" in str(info.value)
    assert "(1 problem)" in str(info.value)


def test_o2_overflow_shared_by_the_deliveries_of_a_step() -> None:
    # 100 kg of room (50 kg in a 150 kg tank), two 300 kg deliveries in the same hour, no crew, no ISRU: 500 kg
    # overflow, shared in proportion to the amounts, 250 kg each (by hand); no ISRU is blamed
    text = BASE.replace("o2_tank_capacity_kg: 50", "o2_tank_capacity_kg: 150").replace(
        "  monte_carlo:",
        "  resupply:\n    - {time_utc: 2030-01-06T00:00:00Z, commodity: o2_kg, amount: 300}\n"
        "    - {time_utc: 2030-01-06T00:00:00Z, commodity: o2_kg, amount: 300}\n  monte_carlo:",
    )
    note = next(n for n in _notes(text) if "beyond the O2 tank" in n)
    assert note.startswith("Run 0: 500 kg of O2 beyond the O2 tank (150 kg")
    assert note.count("250 of 300 kg delivered on 2030-01-06") == 2
    assert "ISRU" not in note


def test_failure_clock_note_names_each_components_clock() -> None:
    text = BASE.replace(
        "  monte_carlo:",
        "  components:\n"
        "    - {name: pmad, target: reactor, mtbf_h: 50000, repair_h: 10, clock: operating}\n"
        "    - {name: fans, target: habitat, mtbf_h: 50000, repair_h: 10, clock: operating}\n"
        "    - {name: pumps, target: eclss, mtbf_h: 50000, repair_h: 10}\n"
        "  monte_carlo:",
    )
    note = next(n for n in _notes(text) if n.startswith("Failure clocks"))
    assert "operating time for fans (while habitat is served)" in note
    assert "every online hour for pmad, pumps (power units and storage work whenever online)" in note
    assert not any(n.startswith("Failure clocks") for n in _notes(BASE))  # none on operating time: no note


def test_fixed_array_angles_on_a_tracking_array_are_refused() -> None:
    import pytest

    from lunarops.errors import ScenarioError

    arrays = "    solar_arrays: [{name: mast, area_m2: 10, cell_efficiency: 0.3, tracking: two_axis, tilt_deg: 30}]\n"
    text = BASE.replace("    fission_plants:", arrays + "    fission_plants:")
    with pytest.raises(ScenarioError, match=r"solar array 'mast': tilt_deg apply to tracking: fixed only.*two_axis"):
        parse_scenario(text)
    parse_scenario(text.replace("two_axis", "fixed"))  # a fixed array takes them


def test_a_discharge_power_limit_is_said() -> None:
    # a 5 kW reactor, 5 + 0.5 kW of loads and a full 100 kWh battery that may give only 0.2 kW: every hour the
    # 0.5 kW deficit exceeds the battery's 0.2 kW, so a load is shed (loads are served whole) while the battery
    # stays nearly full (hand arithmetic: 240 h, the whole period)
    text = BASE.replace("power_kwe: 10", "power_kwe: 5").replace(
        "  loads:",
        "  storage:\n    battery: {name: battery, capacity_kwh: 100, max_discharge_kw: 0.2}\n  loads:",
    )
    note = next(n for n in _notes(text) if "lack of power" in n)
    assert note.startswith("Run 0: loads were shed for lack of power during 240 h")
    assert "battery max_discharge_kw 0.2 kW" in note
    assert not any("lack of power" in n for n in _notes(BASE))  # no storage: nothing to say


def test_when_lists_are_read_and_an_empty_list_is_refused() -> None:
    import pytest

    from lunarops.errors import ScenarioError

    text = BASE.replace("{name: eclss, power_kw: 0.5}", "{name: radio, power_kw: 0.5, when: [night, earth_hidden]}")
    assert parse_scenario(text).operations.loads[1].when == ["night", "earth_hidden"]
    with pytest.raises(ScenarioError, match=r"when = \[\] names no condition"):
        parse_scenario(BASE.replace("{name: eclss, power_kw: 0.5}", "{name: radio, power_kw: 0.5, when: []}"))
    with pytest.raises(ScenarioError, match=r"is one text; several conditions are a YAML list: when: \[night, day\]"):
        parse_scenario(BASE.replace("{name: eclss, power_kw: 0.5}", "{name: r, power_kw: 0.5, when: 'night, day'}"))
    with pytest.raises(ScenarioError, match=r"asks for day and night at once, which never holds"):
        parse_scenario(BASE.replace("{name: eclss, power_kw: 0.5}", "{name: r, power_kw: 0.5, when: [night, day]}"))
    # one problem each, at the field as written (not the union's branches "literal[...]" / "list[...]")
    for when, field in (("dusk", "operations.loads.1.when"), ("[night, dusk]", "operations.loads.1.when.1")):
        with pytest.raises(ScenarioError) as caught:
            parse_scenario(BASE.replace("{name: eclss, power_kw: 0.5}", f"{{name: r, power_kw: 0.5, when: {when}}}"))
        assert [issue.path for issue in caught.value.issues] == [field]
        assert "earth_hidden" in str(caught.value)  # the message lists the conditions


def test_the_worst_data_drop_is_explained() -> None:
    # a 1 GB buffer, 50 Mbit/s made, a 10 Mbit/s link whose one radio fails after about 40 h and is never repaired
    # (no spare): data drop in every run, most in the run whose radio failed first. The note names that run, its
    # drop (from the dataset) and the radio's hours down in it when far above the mean
    text = BASE.replace("{name: eclss, power_kw: 0.5}", "{name: lab, power_kw: 0.5, data_rate_mbps: 50}").replace(
        "  monte_carlo: {runs: 2,",
        "  comms: {name: link, data_rate_mbps: 10, buffer_gb: 1}\n"
        "  components: [{name: radio, target: link, mtbf_h: 40, repair_h: 10}]\n"
        "  monte_carlo: {runs: 8,",
    )
    _hourly, mc, notes = simulate_scenario(parse_scenario(text))
    dropped = mc.dataset["run_data_dropped_bits"].values
    worst = int(dropped.argmax())
    note = next(n for n in notes if n.startswith("The most data dropped in one run"))
    assert f"{dropped[worst] / 8e12:,.2f} TB (run {worst}, counting from 0, of 8" in note
    down = mc.dataset["component_hours_down"].values[:, 0]
    assert ("radio" in note) == bool(down[worst] > 2.0 * down.mean())


def test_reserve_policy_shedding_is_not_called_a_power_limit() -> None:
    # a 2 kW reactor and a 10 kWh battery that may give 1 MW: the 5 kW load (shed_below_reserve) drains it,
    # the reserve policy (25 % + 5 %) sheds the load, the battery recharges, and so on. Power never limits (the
    # battery could give 1 MW): every shed is the policy's, so no "lack of power" note (review of session 15)
    import numpy as np

    from lunarops.ops.inputs import LightSeries, build_inputs
    from lunarops.ops.montecarlo import simulate
    from lunarops.ops.station import Battery, ConstantSource, Load, Policy, Station
    from lunarops.ops.uncertain import Uncertain
    from lunarops.runner.stages.operations import _power_limited

    n = 200
    light = LightSeries(np.full(n, -0.1), np.zeros(n), np.zeros(n), np.full(n, 1.496e11), np.ones(n, dtype=bool))
    station = Station(
        sources=(ConstantSource("reactor", 2e3),),
        battery=Battery("battery", 10e3 * 3600, 1.0, Uncertain.fixed(1.0), Uncertain.fixed(1.0), 1e6, 1e6),
        loads=(Load("a", 5e3, priority=5, shed_below_reserve=True),),
        policy=Policy(0.25, 0.05, ()),
    )
    result = simulate(station, build_inputs(station, light, np.datetime64("2030-01-01T00:00"), 3600.0), runs=1)
    assert float(result.dataset["run_unserved_j"].values[0]) > 0.0  # the policy did shed
    assert _power_limited(result, station) == []


def test_an_unlimited_water_store_that_grows_is_said() -> None:
    # 1,000 kg of water at the start and 2,000 kg delivered, nobody drinks: by hand the store holds 3.0 t; with
    # no water_tank_capacity_kg the note says so (more than 1 t of growth)
    text = BASE.replace(
        "  monte_carlo:",
        "  resupply: [{time_utc: 2030-01-06T00:00:00Z, commodity: water_kg, amount: 2000}]\n  monte_carlo:",
    )
    note = next(n for n in _notes(text) if "water store grows" in n)
    assert note.startswith("Run 0: the water store grows to 3.0 t (from 1.0 t;")
    assert not any("water store grows" in n for n in _notes(BASE))
