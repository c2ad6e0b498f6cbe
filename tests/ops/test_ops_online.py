"""Elements that come online during the run (``online_utc`` / ``arrives_with`` a campaign mission).

Tiny hand-built stations on constant fission power and a dark site, so each step's generation, demand and
stored energy is hand arithmetic: an element is not there before its online step (no power, no demand, no
failures; a storage unit keeps its charge), and there from that step on."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import yaml

from lunarops.errors import InputError, ScenarioError
from lunarops.ops.inputs import LightSeries, build_inputs, online_steps
from lunarops.ops.montecarlo import draw_runs, event_log, run_batch, simulate
from lunarops.ops.station import Battery, Component, ConstantSource, Load, SolarArray, Station
from lunarops.ops.uncertain import Uncertain
from lunarops.runner.stages.operations import online_table, station_from_section
from lunarops.scenario import default_scenario_path
from lunarops.scenario.load import parse_scenario
from scenario_edits import direct_to_earth, without_campaign

START = np.datetime64("2030-01-01T00:00")
DT = 3600.0
N = 24


def _dark(n: int = N) -> LightSeries:
    """The Sun below the horizon at every step (no array output; irrelevant here: no arrays)."""
    return LightSeries(np.full(n, -0.1), np.zeros(n), np.zeros(n), np.full(n, 1.496e11), np.ones(n, dtype=bool))


def _run0(station: Station, n: int = N, runs: int = 1, seed: int = 1):  # type: ignore[no-untyped-def]
    inputs = build_inputs(station, _dark(n), START, DT)
    return simulate(station, inputs, runs=runs, seed=seed, record_steps=1, event_capacity=10_000)


def test_a_source_generates_from_its_online_step() -> None:
    # 10 kW fission online at 10 h; a 5 kW load there from the start: unserved 5 kW for 10 steps, then served
    station = Station(
        sources=(ConstantSource("reactor", 10e3, online_s=10 * DT),),
        loads=(Load("habitat", 5e3),),
    )
    result = _run0(station)
    ds = result.dataset.isel(run=0)
    gen = ds["generation_w"].values
    np.testing.assert_array_equal(gen[:10], 0.0)
    np.testing.assert_array_equal(gen[10:], 10e3)
    np.testing.assert_array_equal(ds["unserved_w"].values[:10], 5e3)
    np.testing.assert_array_equal(ds["unserved_w"].values[10:], 0.0)
    # hand arithmetic: 5 kW x 10 h unserved
    assert float(ds["run_unserved_j"].values) == pytest.approx(50.0 * 3.6e6, rel=1e-12)
    online = result.events[result.events["event"] == "element_online"]
    assert list(online["element"]) == ["reactor"]
    assert list(online["step"]) == [10]


def test_a_load_draws_nothing_before_it_is_online() -> None:
    station = Station(
        sources=(ConstantSource("reactor", 10e3),),
        loads=(Load("habitat", 2e3), Load("science", 3e3, 5, online_s=5.5 * DT)),  # online at the next step, 6
    )
    demand = _run0(station).dataset.isel(run=0)["demand_w"].values
    np.testing.assert_array_equal(demand[:6], 2e3)
    np.testing.assert_array_equal(demand[6:], 5e3)


def test_a_storage_unit_keeps_its_charge_until_online() -> None:
    # 0.5 kW source, 1 kW load: no battery until step 8 (the load, on or off as a whole, is shed: 1 kW
    # unserved; battery energy unchanged), then the battery covers the 0.5 kW deficit: 0.5 kW x 1 h / 0.9
    # (discharge efficiency) drawn from it each step
    battery = Battery(
        "battery", 100 * 3.6e6, 0.8, Uncertain.fixed(0.9), Uncertain.fixed(0.9), 1e6, 1e6, online_s=8 * DT
    )
    station = Station(sources=(ConstantSource("rtg", 0.5e3),), battery=battery, loads=(Load("habitat", 1e3),))
    ds = _run0(station).dataset.isel(run=0)
    energy = ds["battery_j"].values
    np.testing.assert_array_equal(energy[:8], 100 * 3.6e6)
    np.testing.assert_allclose(np.diff(energy[7:]), -0.5e3 * DT / 0.9, rtol=1e-12)
    np.testing.assert_array_equal(ds["unserved_w"].values[:8], 1e3)
    np.testing.assert_array_equal(ds["unserved_w"].values[8:], 0.0)
    assert float(ds["run_max_energy_residual_j"].values) < 1e-3


def _first_failure_steps(station: Station, runs: int) -> list[int]:
    """The step of each run's first failure, 300 hourly steps in the dark, seed 1."""
    inputs = build_inputs(station, _dark(300), START, DT)
    raw = run_batch(inputs, draw_runs(station, inputs, seed=1, runs=runs))
    logs = [event_log(inputs, raw, run) for run in range(runs)]
    return [int(log[log["event"] == "failure"]["step"].iloc[0]) for log in logs]


def test_units_do_not_fail_before_their_element_is_online() -> None:
    # MTBF 5 h: with the element there from the start, a unit fails within the first 100 h in every run
    # (P(no failure in 100 h) = exp(-20) per run); online at step 100, no run fails before it, and every run's
    # first failure comes the same number of operating steps after the start of operation (same seed)
    def first_failures(online_s: float) -> list[int]:
        return _first_failure_steps(Station(
            sources=(ConstantSource("reactor", 10e3, online_s=online_s),),
            loads=(Load("habitat", 1e3),),
            components=(Component("pmad", "reactor", 1, mtbf_h=5.0, repair_h=1.0, spares=100),),
        ), runs=20)

    from_start = first_failures(float("-inf"))
    from_100 = first_failures(100 * DT)
    assert max(from_start) < 100
    assert min(from_100) >= 100
    assert [s + 100 for s in from_start] == from_100


def test_online_steps_rounds_up_and_refuses_nan() -> None:
    names = ("a", "b", "c", "d", "e")
    steps = online_steps(names, (float("-inf"), -5.0, 1.0, 7200.0, 1e9), 3600.0, 24)
    # -inf and times before the start: 0; 1 s: the next step (1); exactly 2 h: step 2; after the end: 24 (never)
    assert list(steps) == [0, 0, 1, 2, 24]
    with pytest.raises(InputError, match=r"'b': online_s = nan"):
        online_steps(("a", "b"), (0.0, float("nan")), 3600.0, 24)


def _example() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(default_scenario_path().read_text())


def test_the_example_station_grows_with_the_campaign() -> None:
    # mast arrays, kilopower 1, storage, the base loads and the link arrive with ILRS-1, rovers and science with
    # ILRS-2, kilopower 2 and the ISRU plants with ILRS-3 (the example's operations section); each lands at the
    # mission's roadmap date + the outbound transit Earth->TLI->NRHO->LLO->surface, 0.1 + 4.5 + 0.5 + 0.1 d
    scenario = parse_scenario(yaml.safe_dump(_example()))
    start = scenario.period.start_utc
    landing = {
        name: datetime(year, 6, 1, tzinfo=UTC) + timedelta(days=5.2)
        for name, year in (("ILRS-1", 2031), ("ILRS-2", 2032), ("ILRS-3", 2033), ("ILRS-4", 2034), ("ILRS-5", 2035))
    }
    table = online_table(scenario.operations, start, landing, 3600.0)
    by_name = dict(zip(table["element"], table["how"], strict=True))
    assert by_name["kilopower 1"] == "arrives with ILRS-1 (its landing date 2031-06-06 04:48 UTC)"
    # ILRS-3 slips per run (the example's operations.arrival_slips): the table keeps the scheduled date
    assert by_name["kilopower 2"] == (
        "arrives with ILRS-3 (its landing date 2033-06-06 04:48 UTC); slips per run by "
        "operations.arrival_slips.ILRS-3 (the note 'Arrival slips'), scheduled date shown"
    )
    assert by_name["psr ice plant"].startswith("arrives with ILRS-3")
    # the loop's hardware with the ECLSS load (as the engine brings it online)
    assert by_name["water_recovery"] == "with the ECLSS load 'eclss'"
    # online at the first hourly step at or after the landing (the engine's step)
    online = dict(zip(table["element"], table["online_utc"].astype(str), strict=True))
    assert online["kilopower 1"] == "2031-06-06 05:00:00"
    station = station_from_section(scenario.operations, start, arrivals=landing)
    assert station.sources[0].online_s == pytest.approx((landing["ILRS-1"] - start).total_seconds())
    assert station.battery is not None and station.battery.online_s == station.sources[0].online_s
    # the initial stores land with ILRS-4 (the example: O2 200, water 800, food 300 kg): deliveries, not stores
    assert station.consumables.o2_kg == 0.0 and station.consumables.food_kg == 0.0
    ilrs4_s = (landing["ILRS-4"] - start).total_seconds()
    landed = {(d.commodity, d.amount) for d in station.deliveries if d.time_s == ilrs4_s}
    assert landed == {("o2_kg", 200.0), ("water_kg", 800.0), ("food_kg", 300.0)}
    whole = station_from_section(scenario.operations, start, all_online=True)
    assert all(t == float("-inf") for t in whole.element_online_s)
    with pytest.raises(InputError, match="arrives_with 'ILRS-1', but no campaign plan"):
        station_from_section(scenario.operations, start)


def test_mission_arrivals_match_the_deliveries_dates() -> None:
    # the crewed visit's crew delivery (operations_deliveries) and its landing (mission_arrivals) are one time
    from lunarops.runner.stages.campaign import plan_campaign

    scenario = parse_scenario(yaml.safe_dump(_example()))
    solved = plan_campaign(scenario.campaign, scenario.operations, lambda f, m: None)
    crew = solved.deliveries[(solved.deliveries["commodity"] == "crew") & (solved.deliveries["amount"] > 0)]
    landed = solved.arrivals["crewed visit (assumed)"]
    assert str(crew["time_utc"].iloc[0]) == landed.strftime("%Y-%m-%dT%H:%M:%SZ")
    # depart 2034-10-01 + 5.2 d transit (the example's arcs)
    assert landed == datetime(2034, 10, 1, tzinfo=UTC) + timedelta(days=5.2)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda d: d["operations"]["loads"][0].update(arrives_with="ILRS-9"),
            r"operations\.loads\.0\.arrives_with: operations element 'habitat base load': not a campaign\.logistics "
            r"mission.*\(got 'ILRS-9'\)",
        ),
        (lambda d: d.pop("campaign"), r"arrives_with needs a campaign\.logistics section .* give online_utc"),
        (
            lambda d: d["operations"]["loads"][0].update(online_utc="2031-01-01T00:00:00Z"),
            "gives both online_utc and arrives_with",
        ),
    ],
)
def test_bad_arrivals_are_named(edit, message: str) -> None:  # type: ignore[no-untyped-def]
    data = _example()
    edit(data)
    with pytest.raises(ScenarioError, match=message):
        parse_scenario(yaml.safe_dump(data))


def test_online_utc_without_a_campaign() -> None:
    data = without_campaign(_example())
    ops = data["operations"]
    ops["power"]["fission_plants"][1]["online_utc"] = "2030-03-01T00:00:00Z"
    scenario = parse_scenario(yaml.safe_dump(data))
    table = online_table(scenario.operations, scenario.period.start_utc, None, 3600.0)
    assert list(table["element"]) == ["kilopower 2"]
    assert list(table["how"]) == ["online_utc"]
    assert str(table["online_utc"].iloc[0]) == "2030-03-01 00:00:00"


def test_simulate_runs_the_station_run_builds(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # `lunarops simulate` solves the campaign as `lunarops run` does: ILRS-1 lands 2031-06-01 + 5.2 d =
    # 2031-06-06T04:48Z (the example's arcs), so its elements come online at the next hourly step, 05:00
    import json

    from typer.testing import CliRunner

    from lunarops.cli.main import app

    data = _example()
    data.pop("terrain")  # smooth-sphere light: the test is about the arrivals, not the horizon
    data["period"] = {"start_utc": "2031-06-01T00:00:00Z", "end_utc": "2031-06-11T00:00:00Z", "step_hours": 1}
    data["operations"]["monte_carlo"]["runs"] = 2
    path = tmp_path / "short.yaml"
    path.write_text(yaml.safe_dump(data))
    result = CliRunner().invoke(app, ["simulate", str(path), "--json", "--events", "100"])
    assert result.exit_code == 0, result.output
    events = json.loads(result.output)["events"]
    online = {e["element"]: e["time_utc"] for e in events if e["event"] == "element_online"}
    assert online["mast arrays"].startswith("2031-06-06 05:00:00")
    assert online["kilopower 1"] == online["mast arrays"]
    assert online["comm link"] == online["mast arrays"]  # all of ILRS-1 at once
    assert "rovers" not in online  # ILRS-2 lands 2032-06-06, after this period: never online, no event
    # the crewed visit lands 2034-10-01 + 5.2 d = 2034-10-06 (crew and their stay's consumables): after this
    # period, so said in the notes rather than dropped silently
    notes = " ".join(json.loads(result.output)["notes"])
    assert "campaign deliveries to the base fall outside the operations period 2031-06-01..2031-06-11" in notes
    assert "(crew, " in notes and "first 2034-10-06" in notes


def test_ageing_starts_when_an_element_comes_online() -> None:
    # capacity fade 50 %/year and array degradation 50 %/year: an element arriving at step 10 arrives new, so its
    # first online step equals step 0 of the same element there from the start (the factors start at 1)
    battery = Battery(
        "battery", 10 * 3.6e6, 0.8, Uncertain.fixed(1.0), Uncertain.fixed(1.0), 1e6, 1e6,
        capacity_fade_per_year=0.5, online_s=10 * DT,
    )
    array = SolarArray("array", 10.0, Uncertain.fixed(0.3), Uncertain.fixed(0.5), online_s=10 * DT)
    lit = LightSeries(np.full(N, 0.1), np.zeros(N), np.ones(N), np.full(N, 1.496e11), np.ones(N, dtype=bool))

    def series(bat: Battery, arr: SolarArray) -> tuple[np.ndarray, np.ndarray]:
        station = Station(solar_arrays=(arr,), sources=(ConstantSource("rtg", 1e3),), battery=bat,
                          loads=(Load("habitat", 0.5e3),))
        ds = simulate(station, build_inputs(station, lit, START, DT), runs=1, seed=1).dataset.isel(run=0)
        return ds["battery_j"].values, ds["generation_w"].values

    energy, gen = series(battery, array)
    energy0, gen0 = series(replace(battery, online_s=float("-inf")), replace(array, online_s=float("-inf")))
    np.testing.assert_array_equal(energy[:10], 10 * 3.6e6)  # no fade while not there (it keeps its charge)
    assert energy[10] == energy0[0]
    assert gen[10] == gen0[0]
    assert gen0[10] < gen0[0]  # the one there from the start has aged


def test_life_support_hardware_comes_online_with_its_eclss_load() -> None:
    # a water processor with MTBF 5 h fails within 100 h of operation in every run (P(none) = exp(-20));
    # its loop comes online with the ECLSS load at step 100, so no failure before it
    station = Station(
        sources=(ConstantSource("reactor", 10e3),),
        loads=(Load("eclss", 1e3, online_s=100 * DT),),
        eclss_load="eclss",
        components=(Component("water processor", "water_recovery", 1, mtbf_h=5.0, repair_h=1.0, spares=100),),
    )
    assert min(_first_failure_steps(station, runs=10)) >= 100


def test_a_mission_too_light_for_its_elements_is_noted() -> None:
    # the example: mast arrays 300 m2 x 2.14 kg/m2 = 642 kg, kilopower 1 1,545 kg (Colozza 2020) and the battery
    # 500 kWh / 200 Wh/kg = 2,500 kg arrive with ILRS-1: 4,687 kg; its deliver lands kilopower-10kwe 1 x 1,545 kg
    # + 3,200 kg cargo = 4,745 kg (enough); ILRS-3 lands 1,545 + 1,000 kg for kilopower 2 (1,545 kg)
    from lunarops.logistics import outputs
    from lunarops.runner.stages.campaign import consumables_problem
    from lunarops.runner.stages.operations import carried_mass_notes

    scenario = parse_scenario(yaml.safe_dump(_example()))
    problem, _, _ = consumables_problem(scenario.campaign, scenario.operations)
    payload = outputs.mission_payload_kg(problem)
    assert payload["ILRS-1"] == pytest.approx(1545.0 + 3200.0, abs=1e-9)
    start = scenario.period.start_utc
    assert carried_mass_notes(scenario.operations, start, payload) == []
    light = {**payload, "ILRS-1": 2545.0}
    (note,) = carried_mass_notes(scenario.operations, start, light)
    assert note.startswith("The operations elements that arrive with ILRS-1 weigh 4,687 kg (mast arrays 642, "
                           "kilopower 1 1,545, battery 2,500), but the campaign's ILRS-1 lands 2,545 kg")


def test_storage_not_yet_online_does_not_count_in_the_reserve() -> None:
    # a 10 kW reactor carries a 2 kW load flagged shed_below_reserve; the battery (5 % state of charge, below the
    # 20 % reserve) arrives at step 12: before it there is no storage, usable fraction 1, nothing shed
    battery = Battery("battery", 100 * 3.6e6, 0.95, Uncertain.fixed(1.0), Uncertain.fixed(1.0), 1e3, 1e3,
                      initial_state_of_charge=0.1, online_s=12 * DT)
    station = Station(sources=(ConstantSource("reactor", 10e3),), battery=battery,
                      loads=(Load("science", 2e3, 5, shed_below_reserve=True),))
    result = _run0(station)
    ds = result.dataset.isel(run=0)
    np.testing.assert_array_equal(ds["unserved_w"].values[:12], 0.0)
    np.testing.assert_array_equal(ds["storage_fraction"].values[:12], 1.0)
    shed = result.events[result.events["event"] == "policy_reserve_shed"]
    assert list(shed["step"]) == [12]  # at arrival: (0.1 - 0.05) / 0.95 = 5.3 % usable, below 20 %


def test_no_comm_buffer_before_the_link_is_online() -> None:
    # science makes 1 Mbit/s = 3.6e9 bits a step from the start; the link (10 Mbit/s, 1e10-bit buffer) comes online
    # at step 6: the 6 steps before are dropped (2.16e10 bits), the rest is returned as it is made
    from lunarops.ops.station import CommLink

    station = Station(
        sources=(ConstantSource("reactor", 10e3),),
        loads=(Load("science", 1e3, 5, data_rate_bps=1e6),),
        comm=CommLink("link", 10e6, 1e10, online_s=6 * DT),
    )
    ds = _run0(station).dataset.isel(run=0)
    np.testing.assert_array_equal(ds["data_buffer_bits"].values[:6], 0.0)
    assert float(ds["run_data_dropped_bits"].values) == pytest.approx(6 * 3.6e9, rel=1e-12)
    assert float(ds["run_data_returned_bits"].values) == pytest.approx((N - 6) * 3.6e9, rel=1e-12)


def test_an_element_online_after_the_period_is_said_to_be_never_online() -> None:
    data = without_campaign(_example())
    data["operations"]["power"]["fission_plants"][1]["online_utc"] = "2040-01-01T00:00:00Z"
    scenario = parse_scenario(yaml.safe_dump(data))
    period = scenario.period
    table = online_table(scenario.operations, period.start_utc, None, 3600.0, period.end_utc)
    assert table["how"].iloc[0] == "online_utc; after the period's end (2035-01-01): never online in this run"


def test_arrives_with_a_mission_elsewhere_is_refused() -> None:
    data = _example()
    missions = data["campaign"]["logistics"]["missions"]
    missions.append({"name": "gateway cargo", "depart_utc": "2031-01-01T00:00:00Z", "destination": "NRHO",
                     "deliver": {"cargo": 100}})
    data["operations"]["power"]["fission_plants"][1]["arrives_with"] = "gateway cargo"
    with pytest.raises(ScenarioError, match=r"fission_plants\.1\.arrives_with: .*a mission to NRHO, not to the base "
                       r"\(surface\).*\(got 'gateway cargo'\)"):
        parse_scenario(yaml.safe_dump(data))


def test_crew_before_the_eclss_is_noted() -> None:
    from lunarops.runner.stages.operations import simulate_scenario

    data = without_campaign(_example())
    for section in ("orbits", "terrain"):
        data.pop(section)
    direct_to_earth(data)
    data["period"] = {"start_utc": "2030-01-01T00:00:00Z", "end_utc": "2030-01-03T00:00:00Z", "step_hours": 1}
    data["operations"]["monte_carlo"]["runs"] = 2
    data["operations"]["crew"] = [{"from_utc": "2030-01-01T00:00:00Z", "count": 2}]
    eclss = next(ld for ld in data["operations"]["loads"] if ld["name"] == "eclss")
    eclss["online_utc"] = "2030-01-02T00:00:00Z"
    _, _, notes = simulate_scenario(parse_scenario(yaml.safe_dump(data)))
    assert any(n.startswith("Crew are aboard from 2030-01-01T00:00 UTC, before the ECLSS load 'eclss' comes online "
                            "(2030-01-02T00:00 UTC)") for n in notes), notes


def test_element_mass_not_landed_sums_shortfalls_and_a_massless_fuel_cell() -> None:
    # the example's hand sums (test_a_mission_too_light_for_its_elements_is_noted): ILRS-1 lands 4,745 kg for
    # 4,687 kg of elements; the regenerative fuel cell arrives with ILRS-1 without mass_kg: 3,688.9 kg by the RFC
    # model (tests/ops/test_ops_api_bad_input.py), counted among ILRS-1's elements: 4,687 + 3,688.9 - 4,745 =
    # 3,630.9 kg short; ILRS-1 cut to 2,545 kg: 4,687 + 3,688.9 - 2,545 = 5,830.9 kg
    from lunarops.logistics import outputs
    from lunarops.runner.stages.campaign import consumables_problem
    from lunarops.runner.stages.operations import element_mass_not_landed_kg, element_mass_not_landed_summary

    scenario = parse_scenario(yaml.safe_dump(_example()))
    problem, _, _ = consumables_problem(scenario.campaign, scenario.operations)
    payload = outputs.mission_payload_kg(problem)
    start = scenario.period.start_utc
    assert scenario.operations.storage.fuel_cell.arrives_with == "ILRS-1"
    assert element_mass_not_landed_kg(scenario.operations, start, payload) == pytest.approx(3630.9, abs=0.1)
    summary = element_mass_not_landed_summary(scenario.operations, start, payload)
    assert summary["element_mass_not_landed_by_mission_kg"] == {"ILRS-1": pytest.approx(3630.9, abs=0.1)}
    assert summary["massless_fuel_cell_arrives_with"] == "ILRS-1"
    assert summary["massless_fuel_cell_rfc_model_kg"] == pytest.approx(3688.9, abs=0.1)
    light = {**payload, "ILRS-1": 2545.0}
    assert element_mass_not_landed_kg(scenario.operations, start, light) == pytest.approx(5830.9, abs=0.1)
    # ILRS-1 landing 3,630.9 kg more carries the fuel cell too: nothing short
    roomy = {**payload, "ILRS-1": payload["ILRS-1"] + 3631.0}
    assert element_mass_not_landed_kg(scenario.operations, start, roomy) == 0.0
    given = scenario.with_changes({"operations.storage.fuel_cell.mass_kg": 1000})
    # a stated 1,000 kg joins ILRS-1's elements: 4,687 + 1,000 = 5,687 kg against 4,745 landed, 942 kg short
    short_kg = element_mass_not_landed_kg(given.operations, start, payload)
    assert short_kg == pytest.approx(942.0, abs=0.1)
    assert "massless_fuel_cell" not in element_mass_not_landed_summary(given.operations, start, payload)
    # a rounding residue (landed 1e-12 below the need, relative) is not a shortfall, as in carried_mass_notes
    need = payload["ILRS-1"] + short_kg
    exact = {**payload, "ILRS-1": need * (1.0 - 1e-12)}
    assert element_mass_not_landed_kg(given.operations, start, exact) == 0.0
    assert element_mass_not_landed_kg(scenario.operations, start, None) is None  # no campaign: nothing to check
