"""Life support against NASA BVAD REV2 Table 3-31: the mass balance, waste, reserve days, crew handovers and
uncrewed spells, checked in closed form and through the engine.

Source of every BVAD figure: Anderson, Ewert & Keener, "Life Support Baseline Values and Assumptions Document",
NASA/TP-2015-218570/REV2 (2022), Table 3-31 "Summary of Nominal Human Metabolic Interface Values", per
crew-member-day (CM-d), 82 kg reference crewmember. Molar masses: IUPAC (O2 31.998, CO2 44.009, H2O 18.015,
H2 2.016 g/mol), as lunarops.ops.functions.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import ValidationError

from lunarops.errors import InputError
from lunarops.ops.inputs import LightSeries, build_inputs
from lunarops.ops.lifesupport import BVAD, LoopClosure, reserve_days
from lunarops.ops.montecarlo import simulate
from lunarops.ops.station import ConstantSource, Consumables, Delivery, Load, Station
from lunarops.scenario.operations import LifeSupportSpec

DAY = 86400.0
# BVAD Table 3-31 [kg/CM-d]
O2 = 0.895
CO2 = 1.085
POTABLE = 3.217  # food preparation 0.5 + drinking 2.00 + 0.717 (exercise / balance)
FOOD = 0.800  # dry solids
# the food stores' default draw, as shipped (session 19: food counted as shipped mass): ISS packaged food,
# M. Cooper et al., "Food Mass Reduction Trade Study", NTRS 20090006804: "1.82 kg per person per day"
FOOD_PACKAGED = 1.82
FOOD_WATER = 0.760
METABOLIC_WATER = 0.490
CONDENSATE = 2.946  # respiration and perspiration water
URINE_WATER = 1.420
FECAL_WATER = 0.101
FECAL_SOLIDS = 0.032
HEAT_J = 12.426e6  # metabolic heat [J/CM-d]
# electrolysis 2 H2O -> 2 H2 + O2: water split per kg O2 (independent of lunarops.ops.functions)
SPLIT_PER_O2 = 2 * 18.015 / 31.998
# Sabatier CO2 + 4 H2 -> CH4 + 2 H2O limited by the electrolyser's H2: water back per kg water split
SAB_PER_SPLIT = (2.016 / 18.015) * (2 * 18.015) / (4 * 2.016)  # = 0.5 exactly


def test_rates_and_table_3_31_outputs() -> None:
    assert (BVAD.o2_kg_per_day, BVAD.co2_kg_per_day) == (O2, CO2)
    assert (BVAD.potable_water_kg_per_day, BVAD.food_solids_kg_per_day) == (POTABLE, FOOD)
    assert BVAD.food_water_kg_per_day == FOOD_WATER
    assert BVAD.metabolic_water_kg_per_day == METABOLIC_WATER
    assert BVAD.respiration_perspiration_water_kg_per_day == CONDENSATE
    assert BVAD.urine_water_kg_per_day == URINE_WATER
    assert (BVAD.fecal_water_kg_per_day, BVAD.fecal_solids_kg_per_day) == (FECAL_WATER, FECAL_SOLIDS)


def test_water_in_equals_water_out() -> None:
    # Table 3-31 body water: in 3.217 + 0.760 + 0.490 = 4.467 kg, out 2.946 + 1.420 + 0.101 = 4.467 kg
    assert POTABLE + FOOD_WATER + METABOLIC_WATER == pytest.approx(4.467, abs=1e-9)
    assert CONDENSATE + URINE_WATER + FECAL_WATER == pytest.approx(4.467, abs=1e-9)
    assert BVAD.water_balance_kg_per_day() == pytest.approx(0.0, abs=1e-9)


def test_respiratory_quotient_and_heat() -> None:
    # (1.085 / 44.009) / (0.895 / 31.998) = 24.654 / 27.970 mol = 0.8814: the daily RQ of Table 3-31's O2 and
    # CO2 (BVAD's nominal, non-exercise RQ is 0.86; the daily figure includes the exercise periods)
    assert BVAD.respiratory_quotient == pytest.approx(0.8814, abs=1e-4)
    # 143.8 W x 86,400 s = 12.424 MJ against Table 3-31's 12.426 MJ/CM-d (143.82 W): within 0.01 MJ
    assert BVAD.metabolic_heat_j_per_day == pytest.approx(HEAT_J, abs=0.01e6)


def test_waste_of_4_crew_180_days() -> None:
    # 720 CM-d x the Table 3-31 outputs
    waste = BVAD.waste_kg(crew=4, days=180)
    assert waste["co2_kg"] == pytest.approx(720 * 1.085, abs=1e-9)  # 781.2 kg
    assert waste["urine_water_kg"] == pytest.approx(720 * 1.420, abs=1e-9)  # 1,022.4 kg
    assert waste["condensate_kg"] == pytest.approx(720 * 2.946, abs=1e-9)  # 2,121.12 kg
    assert waste["fecal_solids_kg"] == pytest.approx(720 * 0.032, abs=1e-9)  # 23.04 kg
    assert waste["other_wastewater_kg"] == 0.0  # BVAD rates alone: no hygiene water


def _closed() -> LoopClosure:
    # the example's loop: ISS WRS before brine processing (0.93), all O2 by electrolysis, Sabatier at 0.9
    return LoopClosure(water_recovery_fraction=0.93, oxygen_generation_fraction=1.0, sabatier_efficiency=0.9)


def test_reserve_days_closed_form() -> None:
    stores = {"o2_kg": 1000.0, "water_kg": 5000.0, "food_kg": 10000.0}
    # water per CM-d: unrecovered 3.217 x 0.07 + electrolysis 0.895 x 1.1260 - Sabatier 0.9 x 0.5 x that
    water = POTABLE * (1 - 0.93) + O2 * SPLIT_PER_O2 * (1 - 0.9 * SAB_PER_SPLIT)  # 0.7794 kg
    days = reserve_days(stores, crew=4, closure=_closed())
    assert days["o2_kg"] == math.inf  # electrolysis makes all of it
    assert days["water_kg"] == pytest.approx(5000 / (4 * water), abs=1e-6)  # 1,603.7 d
    assert days["food_kg"] == pytest.approx(10000 / (4 * FOOD_PACKAGED), abs=1e-9)  # 1,373.6 d as shipped
    # contingency (loop failed, open): 1000 / (4 x 0.895) = 279.3 d of O2, 5000 / (4 x 3.217) = 388.6 d of water
    open_days = reserve_days(stores, crew=4)
    assert open_days["o2_kg"] == pytest.approx(1000 / (4 * O2), abs=1e-9)
    assert open_days["water_kg"] == pytest.approx(5000 / (4 * POTABLE), abs=1e-9)
    assert reserve_days(stores, crew=0)["o2_kg"] == math.inf  # uncrewed: nothing drawn


def test_reserve_days_bad_input() -> None:
    with pytest.raises(InputError, match="food_kg"):
        reserve_days({"o2_kg": 1.0, "water_kg": 1.0}, crew=2)
    with pytest.raises(InputError, match="water_kg"):
        reserve_days({"o2_kg": 1.0, "water_kg": -5.0, "food_kg": 1.0}, crew=2)
    with pytest.raises(InputError, match="crew"):
        reserve_days({"o2_kg": 1.0, "water_kg": 1.0, "food_kg": 1.0}, crew=float("nan"))


def _dark(n: int) -> LightSeries:
    zeros = np.zeros(n)
    return LightSeries(zeros - 0.1, zeros, zeros, np.full(n, 1.496e11), np.zeros(n, dtype=bool))


def _run(station: Station, days: int):  # type: ignore[no-untyped-def]
    inputs = build_inputs(station, _dark(days * 24), np.datetime64("2030-01-01T00:00"), 3600.0)
    return simulate(station, inputs, runs=1, seed=1).dataset.isel(run=0)


def test_engine_reserve_days_is_the_closed_form() -> None:
    # the engine's hourly reserve_days at the first step = the lowest of reserve_days() for the full stores
    consumables = Consumables(o2_kg=1000.0, water_kg=5000.0, food_kg=10000.0, reserve_days=0.0)
    station = Station(
        sources=(ConstantSource("reactor", 10e3),),
        loads=(Load("habitat", 5e3),),
        crew_schedule=((0.0, 4),),
        closure=_closed(),
        consumables=consumables,
    )
    ds = _run(station, 3)
    stores = {"o2_kg": 1000.0, "water_kg": 5000.0, "food_kg": 10000.0}
    assert float(ds["reserve_days"][0]) == pytest.approx(min(reserve_days(stores, 4, _closed()).values()), rel=1e-5)


def test_handover_and_uncrewed_spell_open_loop() -> None:
    # 2 crew from day 0; their relief (+2) lands on day 10 and the first crew (-2) leaves on day 17: 4 aboard for
    # 7 days; all leave on day 20 (uncrewed to day 30). Open loop: 2 x 10 + 4 x 7 + 2 x 3 = 54 CM-d drawn.
    deliveries = (
        Delivery(10 * DAY, "crew", 2),
        Delivery(17 * DAY, "crew", -2),
        Delivery(20 * DAY, "crew", -2),
    )
    station = Station(
        sources=(ConstantSource("reactor", 10e3),),
        loads=(Load("habitat", 5e3),),
        crew_schedule=((0.0, 2),),
        consumables=Consumables(o2_kg=1000.0, water_kg=5000.0, food_kg=1000.0, reserve_days=0.0),
        deliveries=deliveries,
    )
    ds = _run(station, 30)
    crew = ds["crew"].values
    assert crew[5 * 24] == 2 and crew[12 * 24] == 4 and crew[18 * 24] == 2 and crew[25 * 24] == 0
    assert 1000.0 - float(ds["o2_kg"][-1]) == pytest.approx(54 * O2, abs=1e-6)  # 48.33 kg
    assert 5000.0 - float(ds["water_kg"][-1]) == pytest.approx(54 * POTABLE, abs=1e-6)
    assert 1000.0 - float(ds["food_kg"][-1]) == pytest.approx(54 * FOOD_PACKAGED, abs=1e-6)  # 98.28 kg shipped
    # the lowest reserve is during the handover (4 aboard): shipped food then lasts (1000 - 20 x 1.82) / (4 x 1.82) d
    # (O2 274.3 d; food limits since session 19 counts food as shipped mass)
    days = ds["reserve_days"].values
    assert int(np.argmin(days)) // 24 == 16
    assert float(days[10 * 24]) == pytest.approx((1000 - 20 * FOOD_PACKAGED) / (4 * FOOD_PACKAGED), rel=1e-5)  # 132.4
    assert np.isinf(days[25 * 24])  # uncrewed: no draw, no finite reserve


def test_life_support_spec_rejects_ambiguous_co2_handling() -> None:
    with pytest.raises(ValidationError, match="co2_handling is vent"):
        LifeSupportSpec(sabatier_efficiency=0.8)
    with pytest.raises(ValidationError, match="H2"):
        LifeSupportSpec(co2_handling="sabatier", oxygen_generation_fraction=0.0)
    assert LifeSupportSpec(co2_handling="sabatier", sabatier_efficiency=0.8).sabatier_efficiency == 0.8
    with pytest.raises(ValidationError, match="other_water_kg_per_crew_day"):
        LifeSupportSpec(other_water_kg_per_crew_day=500.0)
