"""Standby (keep-alive) power of loads: drawn while a load does not run, cut only to keep a more essential load
running, unserved if even it does not fit.

Every expected energy is hand arithmetic on a constant source (no storage unless said): power x hours."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from lunarops.errors import InputError, ScenarioError
from lunarops.ops import engine
from lunarops.ops.inputs import LightSeries, build_inputs
from lunarops.ops.montecarlo import load_month_table, load_table, simulate
from lunarops.ops.station import Battery, ConstantSource, Load, Station
from lunarops.ops.uncertain import Uncertain
from lunarops.runner.stages.operations import station_from_section
from lunarops.scenario.load import parse_scenario

HOURS = 48
KWH_J = 3.6e6
START = np.datetime64("2030-01-01T00:00")


def _light(sun_up: np.ndarray) -> LightSeries:
    n = sun_up.size
    return LightSeries(np.where(sun_up, 0.2, -0.2), np.zeros(n), sun_up.astype(float), np.full(n, 1.496e11),
                       np.zeros(n, dtype=bool))


def _day_night() -> LightSeries:
    return _light((np.arange(HOURS) % 24) < 12)  # day: the first 12 h of each day


def _run(station: Station, light: LightSeries | None = None, runs: int = 2) -> Any:
    inputs = build_inputs(station, light or _day_night(), START, 3600.0)
    return simulate(station, inputs, runs=runs, seed=1).dataset


def _kwh(ds: Any, name: str) -> float:
    return float(ds[name].values[0]) / KWH_J


def test_a_load_off_half_the_time_draws_its_standby_then() -> None:
    # 4 kW, no storage; a day-only 2 kW rover with 0.5 kW standby: by hand over 48 h, 24 h running = 48 kWh and
    # 24 h off = 12 kWh of standby; demand and served 60 kWh, nothing unserved, 4 x 48 - 60 = 132 kWh curtailed
    station = Station(
        sources=(ConstantSource("source", 4e3),), loads=(Load("rover", 2e3, when="day", standby_w=0.5e3),)
    )
    ds = _run(station)
    assert _kwh(ds, "run_served_j") == pytest.approx(60.0, abs=1e-9)
    assert _kwh(ds, "run_demand_j") == pytest.approx(60.0, abs=1e-9)
    assert _kwh(ds, "run_unserved_j") == pytest.approx(0.0, abs=1e-9)
    assert _kwh(ds, "run_curtailed_j") == pytest.approx(132.0, abs=1e-9)
    table = load_table(ds).set_index("load")
    assert table.loc["rover", "served_mwh_mean"] == pytest.approx(0.048, abs=1e-12)
    assert table.loc["rover", "standby_mwh_mean"] == pytest.approx(0.012, abs=1e-12)
    assert table.loc["rover", "scheduled_h_mean"] == 24.0  # standby hours are not scheduled hours
    month = load_month_table(ds).set_index("load")
    assert month.loc["rover", "standby_mwh_mean"] == pytest.approx(0.012, abs=1e-12)


def test_standby_only_inside_the_window_and_once_online() -> None:
    # day-only 2 kW, 0.5 kW standby, from hour 6 to hour 30: by hand, running at hours 6-11 and 24-29 (12 h,
    # 24 kWh), standby at hours 12-23 (12 h, 6 kWh); nothing outside the window. A copy online only from hour 18:
    # running 24-29 (6 h, 12 kWh), standby 18-23 (6 h, 3 kWh)
    def rover(name: str, online_s: float) -> Load:
        return Load(name, 2e3, when="day", start_s=6 * 3600.0, end_s=30 * 3600.0, standby_w=0.5e3, online_s=online_s)

    loads = (rover("a", float("-inf")), rover("late", 18 * 3600.0))
    station = Station(sources=(ConstantSource("source", 10e3),), loads=loads)
    table = load_table(_run(station)).set_index("load")
    assert table.loc["a", "served_mwh_mean"] == pytest.approx(0.024, abs=1e-12)
    assert table.loc["a", "standby_mwh_mean"] == pytest.approx(0.006, abs=1e-12)
    assert table.loc["late", "served_mwh_mean"] == pytest.approx(0.012, abs=1e-12)
    assert table.loc["late", "standby_mwh_mean"] == pytest.approx(0.003, abs=1e-12)


def test_per_crew_standby_is_zero_without_crew() -> None:
    # 1 kW and 0.2 kW standby per crew member, by night (hours 12-23 of each day); 2 crew the first day, none
    # after: by hand day 1 runs 12 h x 2 kW = 24 kWh and idles 12 h x 0.4 kW = 4.8 kWh; day 2 draws nothing
    station = Station(
        sources=(ConstantSource("source", 10e3),),
        loads=(Load("habitat", 1e3, when="night", per_crew=True, standby_w=0.2e3),),
        crew_schedule=((0.0, 2), (86400.0, 0)),
    )
    ds = _run(station)
    table = load_table(ds).set_index("load")
    assert table.loc["habitat", "served_mwh_mean"] == pytest.approx(0.024, abs=1e-12)
    assert table.loc["habitat", "standby_mwh_mean"] == pytest.approx(0.0048, abs=1e-12)
    assert _kwh(ds, "run_served_j") == pytest.approx(28.8, abs=1e-9)


def test_a_shed_load_draws_its_standby() -> None:
    # 4 kW, no storage: essential 3 kW (priority 1) and science 2 kW (priority 5) with 0.4 kW standby. Both do not
    # fit (5 kW), science is shed and idles: 3.4 kW served, 5 - 3.4 = 1.6 kW unserved each hour; by hand over 48 h
    # 163.2 kWh served, 240 kWh asked, 76.8 kWh unserved, science 19.2 kWh standby
    station = Station(
        sources=(ConstantSource("source", 4e3),),
        loads=(Load("essential", 3e3, priority=1), Load("science", 2e3, priority=5, standby_w=0.4e3)),
    )
    ds = _run(station)
    assert _kwh(ds, "run_served_j") == pytest.approx(163.2, abs=1e-9)
    assert _kwh(ds, "run_demand_j") == pytest.approx(240.0, abs=1e-9)
    assert _kwh(ds, "run_unserved_j") == pytest.approx(76.8, abs=1e-9)
    assert _kwh(ds, "run_essential_unserved_j") == 0.0
    table = load_table(ds).set_index("load")
    assert table.loc["science", "shed_share_mean"] == 1.0
    assert table.loc["science", "served_mwh_mean"] == 0.0
    assert table.loc["science", "standby_mwh_mean"] == pytest.approx(0.0192, abs=1e-12)


def test_standby_of_a_less_essential_load_goes_before_an_essential_load() -> None:
    # as above with 1.2 kW standby: shedding science leaves 3 + 1.2 = 4.2 kW > 4 kW. Science's keep-alive power is
    # cut by the 0.2 kW missing before the essential load would go (session 19 review: the essential load used to
    # be shed while science came back). By hand each hour: 3 kW essential + 1.0 kW standby = 4 kW served, 5 kW
    # asked, 1 kW unserved (science's 2 - 1.2 kW running power shed and 0.2 kW of its standby cut), none essential;
    # over 48 h 192 kWh served, 48 kWh unserved, 48 kWh of standby got
    station = Station(
        sources=(ConstantSource("source", 4e3),),
        loads=(Load("essential", 3e3, priority=1), Load("science", 2e3, priority=5, standby_w=1.2e3)),
    )
    ds = _run(station)
    assert _kwh(ds, "run_served_j") == pytest.approx(4.0 * HOURS, abs=1e-9)
    assert _kwh(ds, "run_demand_j") == pytest.approx(5.0 * HOURS, abs=1e-9)
    assert _kwh(ds, "run_unserved_j") == pytest.approx(1.0 * HOURS, abs=1e-9)
    assert _kwh(ds, "run_essential_unserved_j") == 0.0
    assert float(ds["run_brownout_h"].values[0]) == 0.0
    assert float(ds["run_max_energy_residual_j"].values[0]) < 1e-3  # energy conserved to 1 mJ a step
    table = load_table(ds).set_index("load")
    assert table.loc["essential", "served_mwh_mean"] == pytest.approx(3.0 * HOURS / 1e3, abs=1e-12)
    assert table.loc["science", "standby_mwh_mean"] == pytest.approx(1.0 * HOURS / 1e3, abs=1e-12)


def test_standby_that_does_not_fit_is_unserved() -> None:
    # 1 kW, no storage; a 3 kW priority-1 instrument with 1.5 kW standby: it is shed (3 > 1) and its standby does
    # not fit either: by hand 1 kW served (all of it standby), 3 - 1 = 2 kW unserved (1.5 running + 0.5 standby),
    # all essential, each of the 48 h; 48 kWh of standby got
    station = Station(
        sources=(ConstantSource("source", 1e3),), loads=(Load("instrument", 3e3, priority=1, standby_w=1.5e3),)
    )
    ds = _run(station)
    assert _kwh(ds, "run_served_j") == pytest.approx(48.0, abs=1e-9)
    assert _kwh(ds, "run_unserved_j") == pytest.approx(96.0, abs=1e-9)
    assert _kwh(ds, "run_essential_unserved_j") == pytest.approx(96.0, abs=1e-9)
    assert _kwh(ds, "run_curtailed_j") == pytest.approx(0.0, abs=1e-9)
    assert float(ds["run_max_energy_residual_j"].values[0]) < 1e-3  # energy conserved to 1 mJ a step
    assert load_table(ds).set_index("load").loc["instrument", "standby_mwh_mean"] == pytest.approx(0.048, abs=1e-12)


def _mixed_station(standby_w: float) -> Station:
    """Storage, shedding, the reserve policy, day-only and per-crew loads, data: every path the standby touches."""
    return Station(
        sources=(ConstantSource("rtg", 2.5e3),),
        battery=Battery("battery", 20 * KWH_J, 0.8, Uncertain("fixed", 0.95), Uncertain("fixed", 0.95), 5e3, 5e3),
        loads=(
            Load("habitat", 1e3, priority=1, per_crew=True, standby_w=0.0),
            Load("rover", 2e3, priority=4, when="day", shed_below_reserve=True, standby_w=standby_w),
            Load("telescope", 1.5e3, priority=6, when="night", data_rate_bps=1e6, standby_w=standby_w),
        ),
        crew_schedule=((0.0, 2), (30 * 3600.0, 0)),
    )


def test_zero_standby_runs_the_engine_bit_for_bit_as_without(monkeypatch: pytest.MonkeyPatch) -> None:
    # the same station run (a) as usual (no standby rows: the engine without standby) and (b) with every load's
    # standby given as rows of zeros (the standby code path): every output bit for bit the same
    station = _mixed_station(0.0)
    plain = _run(station, runs=3)
    run_many = engine.run_many

    def with_zero_rows(*args: Any) -> None:
        args_list = list(args)
        demand = args_list[13]
        assert args_list[14].shape == (0, demand.shape[1])  # no standby: no rows
        args_list[14] = np.zeros_like(demand)
        run_many(*args_list)

    monkeypatch.setattr(engine, "run_many", with_zero_rows)
    zero_rows = _run(station, runs=3)
    for name in plain.data_vars:
        a, b = plain[name].values, zero_rows[name].values
        if a.dtype.kind == "f":
            assert np.array_equal(a.view(np.uint64), b.view(np.uint64)), name
        else:
            assert np.array_equal(a, b), name
    assert float(plain["run_unserved_j"].values[0]) > 0.0  # the station does shed: the test covers shedding
    assert plain["load_standby_j"].values.max() == 0.0


def test_standby_keeps_the_energy_balance() -> None:
    # with standby the residual of generated = served + stored + curtailed + losses stays at rounding, and served +
    # unserved = demand
    ds = _run(_mixed_station(0.3e3), runs=3)
    assert float(ds["run_max_energy_residual_j"].values.max()) < 1e-3
    np.testing.assert_allclose(
        ds["run_served_j"].values + ds["run_unserved_j"].values, ds["run_demand_j"].values, rtol=1e-12
    )
    assert ds["load_standby_j"].values.max() > 0.0


SCENARIO = """
schema_version: 1
name: standby
period: {start_utc: 2030-01-01T00:00:00Z, end_utc: 2030-01-03T00:00:00Z, step_hours: 1}
sites:
  - {name: Rim, latitude_deg: -85.0, longitude_deg: 30.0, mast_height_m: 10}
operations:
  power:
    fission_plants: [{name: reactor, power_kwe: 10, mass_kg: 1545}]
  loads: [LOAD]
  monte_carlo: {runs: 1, record_hours: 24}
"""


def test_the_scenario_field_reaches_the_engine() -> None:
    model = parse_scenario(SCENARIO.replace("LOAD", "{name: rover, power_kw: 2, standby_power_kw: 0.25}"))
    station = station_from_section(model.operations, model.period.start_utc)
    assert station.loads[0].standby_w == 250.0
    assert parse_scenario(SCENARIO.replace("LOAD", "{name: r, power_kw: 2}")).operations.loads[0].standby_power_kw == 0


def test_standby_above_the_running_power_or_negative_is_refused() -> None:
    with pytest.raises(ScenarioError, match=r"standby_power_kw = 3 exceeds power_kw = 2.*lower standby_power_kw"):
        parse_scenario(SCENARIO.replace("LOAD", "{name: rover, power_kw: 2, standby_power_kw: 3}"))
    with pytest.raises(ScenarioError, match="standby_power_kw"):
        parse_scenario(SCENARIO.replace("LOAD", "{name: rover, power_kw: 2, standby_power_kw: -0.1}"))
    light = _day_night()
    for bad in (3e3, -1.0, float("nan")):
        station = Station(sources=(ConstantSource("s", 4e3),), loads=(Load("rover", 2e3, standby_w=bad),))
        with pytest.raises(InputError, match=r"load 'rover': standby_w = .* must be a finite number from 0 to"):
            build_inputs(station, light, START, 3600.0)
