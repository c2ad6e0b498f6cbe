"""Crew mass balance against NASA BVAD, and the engine's consumable accounting against the same numbers."""

from __future__ import annotations

import numpy as np
import pytest

from dark_station import dark_light
from lunarops.ops.inputs import build_inputs
from lunarops.ops.lifesupport import BVAD, LoopClosure
from lunarops.ops.montecarlo import simulate
from lunarops.ops.station import ConstantSource, Consumables, Load, Station

# NASA BVAD, Anderson et al., NASA/TP-2015-218570 Rev 2, Table 3-31, per crew-member-day.
BVAD_O2_KG = 0.895
BVAD_CO2_KG = 1.085
BVAD_WATER_KG = 3.217
BVAD_FOOD_KG = 0.800
BVAD_HEAT_W = 143.8


def test_bvad_rates_are_table_3_31() -> None:
    assert BVAD.o2_kg_per_day == BVAD_O2_KG
    assert BVAD.co2_kg_per_day == BVAD_CO2_KG
    assert BVAD.potable_water_kg_per_day == BVAD_WATER_KG
    assert BVAD.food_solids_kg_per_day == BVAD_FOOD_KG
    assert BVAD.metabolic_heat_w == BVAD_HEAT_W


def test_open_loop_4_crew_180_days() -> None:
    # 4 crew x 180 d x 0.895 kg = 644.4 kg O2 (BVAD Table 3-31 rate; the reference value)
    use = BVAD.open_loop_kg(crew=4, days=180)
    assert use["o2_kg"] == pytest.approx(644.4, abs=1e-9)
    assert use["water_kg"] == pytest.approx(4 * 180 * 3.217, abs=1e-9)
    # food as shipped (session 19: food counted as shipped mass): 4 x 180 x 1.82 kg ISS packaged food (NTRS
    # 20090006804); 576.0 kg as BVAD dry solids (0.800)
    assert use["food_kg"] == pytest.approx(1310.4, abs=1e-9)
    assert use["co2_kg"] == pytest.approx(781.2, abs=1e-9)
    # 143.8 W x 86400 s = 12.42 MJ per crew-day (BVAD Table 3-31 lists 12.43 MJ/CM-d; rounding of 143.8 W)
    assert use["metabolic_heat_j"] / 720 == pytest.approx(12.42e6, abs=0.01e6)


def _station(closure: LoopClosure) -> Station:
    return Station(
        sources=(ConstantSource("reactor", 10e3),),
        loads=(Load("habitat", 5e3),),
        crew_schedule=((0.0, 4),),
        closure=closure,
        consumables=Consumables(o2_kg=1000.0, water_kg=5000.0, food_kg=2000.0, reserve_days=0.0),
    )


def test_engine_open_loop_draws_bvad_mass() -> None:
    # 180 d hourly: the engine draws exactly the BVAD open-loop mass from the stores (second algorithm:
    # CrewRates.open_loop_kg above)
    n = 180 * 24
    station = _station(LoopClosure())
    inputs = build_inputs(station, dark_light(n), np.datetime64("2030-01-01T00:00"), 3600.0)
    ds = simulate(station, inputs, runs=1, seed=1).dataset.isel(run=0)
    assert 1000.0 - float(ds["o2_kg"][-1]) == pytest.approx(644.4, abs=1e-6)
    assert 5000.0 - float(ds["water_kg"][-1]) == pytest.approx(4 * 180 * 3.217, abs=1e-6)
    assert 2000.0 - float(ds["food_kg"][-1]) == pytest.approx(1310.4, abs=1e-6)  # shipped food, as above


def test_engine_closed_loop_matches_daily_balance() -> None:
    # water recovery, electrolysis O2 and Sabatier: the engine's stores move by LoopClosure.daily_net_use_kg
    closure = LoopClosure(water_recovery_fraction=0.9, oxygen_generation_fraction=1.0, sabatier_efficiency=0.9)
    n = 30 * 24
    station = _station(closure)
    inputs = build_inputs(station, dark_light(n), np.datetime64("2030-01-01T00:00"), 3600.0)
    ds = simulate(station, inputs, runs=1, seed=1).dataset.isel(run=0)
    expect = closure.daily_net_use_kg(4)
    assert expect["o2_kg"] == pytest.approx(0.0, abs=1e-12)
    # electrolysis of 0.895 kg O2 splits 1.0077 kg water (2 H2O -> 2 H2 + O2, IUPAC molar masses)
    split = 0.895 * 2 * 18.015 / 31.998
    sabatier = 0.9 * min(1.085 * 36.03 / 44.009, split * 2.016 / 18.015 * 36.03 / 8.064)
    assert closure.daily_net_use_kg(1)["water_kg"] == pytest.approx(3.217 * 0.1 + split - sabatier, abs=1e-9)
    assert 5000.0 - float(ds["water_kg"][-1]) == pytest.approx(30 * expect["water_kg"], abs=1e-6)
    assert 1000.0 - float(ds["o2_kg"][-1]) == pytest.approx(0.0, abs=1e-9)


def test_electrolysis_needs_water_at_hand() -> None:
    # A closed O2 loop with an empty water store: electrolysis has nothing to split, so the crew breathe the O2
    # store (open-loop rate, BVAD 0.895 kg per crew-day) until it is empty. Before, O2 was "made" from water that
    # was not there and the O2 store never moved.
    closure = LoopClosure(water_recovery_fraction=0.9, oxygen_generation_fraction=1.0, sabatier_efficiency=0.9)
    station = Station(
        sources=(ConstantSource("reactor", 10e3),),
        loads=(Load("habitat", 5e3),),
        crew_schedule=((0.0, 4),),
        closure=closure,
        consumables=Consumables(o2_kg=10.0, water_kg=0.0, food_kg=1000.0, reserve_days=0.0),
    )
    n = 5 * 24
    inputs = build_inputs(station, dark_light(n), np.datetime64("2030-01-01T00:00"), 3600.0)
    result = simulate(station, inputs, runs=1, seed=1)
    ds = result.dataset.isel(run=0)
    o2 = np.asarray(ds["o2_kg"])
    # 10 kg / (4 x 0.895 kg/d) = 2.79 d = 67.0 h: hourly draws of 4 x 0.895 / 24 = 0.149 kg
    assert o2[23] == pytest.approx(10.0 - 24 * 4 * 0.895 / 24, abs=1e-9)
    assert o2[66] > 0.0 and o2[67] == 0.0
    assert float(np.asarray(ds["water_kg"]).max()) == 0.0
    # with water at hand the loop closes again: 1 kg of water lets electrolysis make O2 for the ~7 h the water
    # lasts (net 0.146 kg/h of water at full electrolysis: 0.054 crew + 0.168 split - 0.076 Sabatier), so the O2
    # store holds about 7 h x 0.149 kg/h = 1.0 kg more after a day
    half = Station(
        sources=station.sources,
        loads=station.loads,
        crew_schedule=station.crew_schedule,
        closure=closure,
        consumables=Consumables(o2_kg=10.0, water_kg=1.0, food_kg=1000.0, reserve_days=0.0),
    )
    inputs_half = build_inputs(half, dark_light(n), np.datetime64("2030-01-01T00:00"), 3600.0)
    ds_half = simulate(half, inputs_half, runs=1, seed=1).dataset.isel(run=0)
    assert float(ds_half["o2_kg"][23]) - float(ds["o2_kg"][23]) == pytest.approx(1.0, abs=0.05)
