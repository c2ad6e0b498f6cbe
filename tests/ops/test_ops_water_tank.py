"""A water tank of finite size (``consumables.water_tank_capacity_kg``): ice plants pause while it is full and
resume below 95 % of it; water beyond it is lost and counted. Hand arithmetic on constant fission power."""

from __future__ import annotations

import numpy as np
import pytest

from lunarops.ops.inputs import LightSeries, build_inputs
from lunarops.ops.montecarlo import simulate
from lunarops.ops.station import ConstantSource, Consumables, Delivery, IsruPlant, Station
from lunarops.ops.uncertain import Uncertain

START = np.datetime64("2030-01-01T00:00")
DT = 3600.0
N = 48
# 10 kW into a plant at 1 kWh per kg of water (regolith 0.05 kWh/kg at 5 % ice): 10 kg of water an hour
PLANT = IsruPlant(
    "ice plant",
    "ice_extraction",
    10e3,
    daylight_only=False,
    ice_mass_fraction=Uncertain.fixed(0.05),
    regolith_energy_j_per_kg=Uncertain.fixed(0.05 * 3.6e6),
)


def _run(capacity_kg: float, deliveries: tuple[Delivery, ...] = ()):  # type: ignore[no-untyped-def]
    station = Station(
        sources=(ConstantSource("reactor", 20e3),),
        isru=(PLANT,),
        consumables=Consumables(water_kg=0.0, water_capacity_kg=capacity_kg),
        deliveries=deliveries,
    )
    light = LightSeries(np.full(N, 0.1), np.zeros(N), np.ones(N), np.full(N, 1.496e11), np.ones(N, dtype=bool))
    return simulate(station, build_inputs(station, light, START, DT), runs=1, seed=1, record_steps=1)


def test_ice_plant_pauses_when_the_tank_is_full() -> None:
    # 10 kg an hour into a 95 kg tank: 10, 20, ..., 90 after steps 0-8, 100 -> 95 at step 9 (5 kg lost), then
    # paused (nobody uses water, so it stays full): 95 kg made... 100 kg made, 5 kg lost, the plant idle after
    result = _run(95.0)
    ds = result.dataset.isel(run=0)
    water = ds["water_kg"].values
    np.testing.assert_allclose(water[:9], 10.0 * np.arange(1, 10), rtol=1e-12)
    np.testing.assert_allclose(water[9:], 95.0, rtol=1e-12)
    assert float(ds["run_isru_water_kg"].values) == pytest.approx(100.0, rel=1e-12)
    assert float(ds["run_water_overflow_kg"].values) == pytest.approx(5.0, rel=1e-12)
    # paused from step 10 on: it draws no power (demand 0) and it is not counted as shed
    np.testing.assert_allclose(ds["demand_w"].values[:10], 10e3)
    np.testing.assert_allclose(ds["demand_w"].values[10:], 0.0)
    assert float(ds["run_unserved_j"].values) == 0.0
    events = result.events
    assert list(events.loc[events["event"] == "policy_water_full_pause", "step"]) == [10]


def test_water_delivered_into_a_full_tank_is_lost() -> None:
    # the tank of 95 kg is full from step 9; 30 kg delivered at step 20 find no room: 5 + 30 kg lost
    result = _run(95.0, (Delivery(20 * DT, "water_kg", 30.0),))
    ds = result.dataset.isel(run=0)
    assert float(ds["run_water_overflow_kg"].values) == pytest.approx(35.0, rel=1e-12)
    assert result.summary["water_overflow_kg_p50"] == pytest.approx(35.0, rel=1e-12)


def test_an_unlimited_tank_changes_nothing() -> None:
    ds = _run(float("inf")).dataset.isel(run=0)
    np.testing.assert_allclose(ds["water_kg"].values, 10.0 * np.arange(1, N + 1), rtol=1e-12)
    assert float(ds["run_water_overflow_kg"].values) == 0.0


def test_the_plant_resumes_below_95_percent_of_the_tank() -> None:
    # 24 crew on an open loop drink 24 x 3.217 kg/d (BVAD potable water, CrewRates) = 3.217 kg an hour; the
    # plant adds 10 kg an hour while running. Reference: the same rule stepped by hand: the plant pauses once the
    # tank has filled (in the hour before, though the crew drank since) and resumes below 0.95 x 95 = 90.25 kg;
    # each hour water is made first, then drunk
    from lunarops.ops.lifesupport import LoopClosure

    station = Station(
        sources=(ConstantSource("reactor", 20e3),),
        isru=(PLANT,),
        crew_schedule=((0.0, 24),),
        closure=LoopClosure(),
        consumables=Consumables(o2_kg=1e4, water_kg=0.0, food_kg=1e4, water_capacity_kg=95.0),
    )
    light = LightSeries(np.full(N, 0.1), np.zeros(N), np.ones(N), np.full(N, 1.496e11), np.ones(N, dtype=bool))
    result = simulate(station, build_inputs(station, light, START, DT), runs=1, seed=1, record_steps=1)
    drink = 24 * 3.217 / 24.0
    water, paused, hit, lost, pauses, expected = 0.0, False, False, 0.0, [], []
    for step in range(N):
        if not paused and (hit or water >= 95.0):
            paused = True
            pauses.append(step)
        elif paused and water < 0.95 * 95.0:
            paused = False
        hit = False
        if not paused:
            water += 10.0
            if water >= 95.0:
                lost += water - 95.0
                water, hit = 95.0, True
        water -= drink
        expected.append(water)
    ds = result.dataset.isel(run=0)
    np.testing.assert_allclose(ds["water_kg"].values, expected, rtol=1e-9, atol=1e-9)
    events = result.events
    assert list(events.loc[events["event"] == "policy_water_full_pause", "step"]) == pauses
    assert len(pauses) >= 3  # it cycles: filled, paused, resumed, filled again
    assert float(ds["run_water_overflow_kg"].values) == pytest.approx(lost, abs=1e-9)
    assert lost < 10.0 * len(pauses)  # at most one hour's output lost per fill


def test_a_tank_full_before_the_plant_arrives() -> None:
    # the tank starts full (95 kg), the plant comes online at step 10 and nobody drinks: it pauses at once when it
    # arrives (logged then, not before: there was no plant to pause), makes nothing and loses nothing
    plant = IsruPlant(
        "ice plant", "ice_extraction", 10e3, daylight_only=False, ice_mass_fraction=Uncertain.fixed(0.05),
        regolith_energy_j_per_kg=Uncertain.fixed(0.05 * 3.6e6), online_s=10 * DT,
    )
    station = Station(
        sources=(ConstantSource("reactor", 20e3),),
        isru=(plant,),
        consumables=Consumables(water_kg=95.0, water_capacity_kg=95.0),
    )
    light = LightSeries(np.full(N, 0.1), np.zeros(N), np.ones(N), np.full(N, 1.496e11), np.ones(N, dtype=bool))
    result = simulate(station, build_inputs(station, light, START, DT), runs=1, seed=1, record_steps=1)
    events = result.events
    assert list(events.loc[events["event"] == "policy_water_full_pause", "step"]) == [10]
    assert not (events["event"] == "policy_water_full_resume").any()
    ds = result.dataset.isel(run=0)
    assert float(ds["run_isru_water_kg"].values) == 0.0
    assert float(ds["run_water_overflow_kg"].values) == 0.0
