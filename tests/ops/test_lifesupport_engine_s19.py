"""Session 19 life support: food drawn as shipped (packaged) mass, the open-loop contingency reserve per run, and
when / by which store the reserve is lowest. Every expected number is worked by hand below.

Sources: NASA BVAD REV2 (Anderson, Ewert & Keener, NASA/TP-2015-218570/REV2, 2022) Table 3-31 per crew-member-day
(CM-d): O2 0.895, potable water 3.217, food solids 0.800 kg. ISS packaged food as shipped 1.82 kg per person per
day: M. Cooper et al., "Food Mass Reduction Trade Study", NTRS 20090006804 (abstract: "reduce the mass of the
packaged food from 1.82 kg per person per day to 1.14 kg per person per day"). Electrolysis 2 H2O -> 2 H2 + O2 and
Sabatier CO2 + 4 H2 -> CH4 + 2 H2O with IUPAC molar masses (H2O 18.015, O2 31.998, H2 2.016 g/mol).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import ValidationError

from lunarops.errors import InputError
from lunarops.ops.inputs import LightSeries, build_inputs
from lunarops.ops.lifesupport import BVAD, CrewRates, LoopClosure, reserve_days
from lunarops.ops.montecarlo import reserve_minimum, simulate
from lunarops.ops.station import ConstantSource, Consumables, Load, Station
from lunarops.scenario.operations import LifeSupportSpec

O2, POTABLE, FOOD_DRY = 0.895, 3.217, 0.800  # BVAD Table 3-31 [kg/CM-d]
FOOD_SHIPPED = 1.82  # NTRS 20090006804 [kg/CM-d]
SPLIT_PER_O2 = 2 * 18.015 / 31.998  # water electrolysed per kg O2
SAB_PER_SPLIT = 0.5  # H2-limited Sabatier: 2 H2O back per 4 H2 = half the water split
CREW = 4
STORES = {"o2_kg": 1000.0, "water_kg": 5000.0, "food_kg": 10000.0}


def _closed() -> LoopClosure:
    # the example's loop: water recovery 0.93, all O2 by electrolysis, Sabatier at 0.9
    return LoopClosure(water_recovery_fraction=0.93, oxygen_generation_fraction=1.0, sabatier_efficiency=0.9)


def _run(station: Station, hours: int):  # type: ignore[no-untyped-def]
    zeros = np.zeros(hours)
    light = LightSeries(zeros - 0.1, zeros, zeros, np.full(hours, 1.496e11), np.zeros(hours, dtype=bool))
    inputs = build_inputs(station, light, np.datetime64("2030-01-01T00:00"), 3600.0)
    return simulate(station, inputs, runs=1, seed=1).dataset


def _station(crew: int, rates: CrewRates = BVAD) -> Station:
    return Station(
        sources=(ConstantSource("reactor", 10e3),),
        loads=(Load("habitat", 5e3),),
        crew_schedule=((0.0, crew),),
        closure=_closed(),
        consumables=Consumables(**STORES, reserve_days=0.0),
        crew_rates=rates,
    )


def test_food_drawn_as_shipped_by_default() -> None:
    assert BVAD.food_kg_per_day == FOOD_SHIPPED
    assert CrewRates(food_basis="dry").food_kg_per_day == FOOD_DRY
    # 10,000 kg of shipped food for 4: 10000 / (4 x 1.82) = 1,373.6 d (3,125 d as dry solids)
    assert reserve_days(STORES, CREW)["food_kg"] == pytest.approx(10000 / (4 * FOOD_SHIPPED), abs=1e-9)
    assert reserve_days(STORES, CREW, rates=CrewRates(food_basis="dry"))["food_kg"] == pytest.approx(3125.0)
    with pytest.raises(InputError, match="food_basis"):
        CrewRates(food_basis="wet")


def test_life_support_spec_food_fields() -> None:
    from lunarops.runner.stages.operations import life_support_model
    from lunarops.scenario.operations import OperationsSection

    assert LifeSupportSpec().food_basis == "packaged"
    with pytest.raises(ValidationError, match="food_kg_per_crew_day"):
        LifeSupportSpec(food_basis="dry", food_kg_per_crew_day=1.14)
    section = OperationsSection.model_validate({"life_support": {"food_kg_per_crew_day": 1.14}})
    assert life_support_model(section)[1].food_kg_per_day == 1.14  # the Orion target, NTRS 20090006804
    section = OperationsSection.model_validate({"life_support": {"food_basis": "dry"}})
    assert life_support_model(section)[1].food_kg_per_day == FOOD_DRY


def test_engine_contingency_and_the_reserve_minimum() -> None:
    ds = _run(_station(CREW), 72)
    # contingency (loop failed): the O2 is never drawn with the loop working (all electrolysed), so the open-loop
    # O2 days stay 1000 / (4 x 0.895) = 279.33 d, fewer than water (~388 d) and food (~1,370 d)
    assert float(ds["run_min_contingency_days"][0]) == pytest.approx(1000 / (CREW * O2), rel=1e-9)
    # the closed-loop reserve: water 0.7794 kg/CM-d (1,604 d at the start) vs shipped food 1.82 kg/CM-d: food
    # limits; lowest at the last step (t = 71 h), after 71 h of 4 x 1.82 kg/d: (10000 - 71/24 x 7.28) / 7.28 d
    water = POTABLE * (1 - 0.93) + O2 * SPLIT_PER_O2 * (1 - 0.9 * SAB_PER_SPLIT)
    assert 5000 / (CREW * water) > 10000 / (CREW * FOOD_SHIPPED)
    food_left = 10000 - 71 / 24 * CREW * FOOD_SHIPPED
    assert float(ds["run_min_reserve_days"][0]) == pytest.approx(food_left / (CREW * FOOD_SHIPPED), rel=1e-9)
    assert float(ds["run_min_reserve_time_s"][0]) == 71 * 3600.0
    assert float(ds["run_min_reserve_store"][0]) == 2.0  # food
    # 2030-01-01T00:00 + 71 h
    assert reserve_minimum(ds) == {
        "consumables_reserve_min_utc": "2030-01-03T23:00:00Z",
        "consumables_reserve_limiting_store": "food_kg",
    }


def test_uncrewed_run_has_no_minimum() -> None:
    ds = _run(_station(0), 24)
    assert math.isinf(float(ds["run_min_contingency_days"][0]))
    assert float(ds["run_min_reserve_time_s"][0]) == -1.0 and float(ds["run_min_reserve_store"][0]) == -1.0
    assert reserve_minimum(ds) == {"consumables_reserve_min_utc": None, "consumables_reserve_limiting_store": None}


def test_departure_before_arrival_is_named() -> None:
    from datetime import UTC, datetime

    from lunarops.ops.inputs import crew_below_zero
    from lunarops.ops.station import Delivery
    from lunarops.runner.stages.operations import crew_below_zero_notes

    day_s = 86400.0
    # 2 crew from day 0; a departure of 3 on day 5 (one more than aboard: -1), an arrival of 1 on day 10 (0 again)
    station = Station(
        sources=(ConstantSource("reactor", 10e3),),
        crew_schedule=((0.0, 2),),
        deliveries=(Delivery(5 * day_s, "crew", -3), Delivery(10 * day_s, "crew", 1)),
    )
    assert crew_below_zero(station) == [(5 * day_s, -1.0, "delivery")]
    (note,) = crew_below_zero_notes(station, datetime(2030, 1, 1, tzinfo=UTC))
    assert "crew delivery at 2030-01-06T00:00Z" in note and "would be -1" in note and "held at 0" in note
    # the schedule ends the stay on day 3 (0 aboard), then a departure of 2 on day 5: -2, named as that delivery
    station = Station(
        sources=(ConstantSource("reactor", 10e3),),
        crew_schedule=((0.0, 2), (3 * day_s, 0)),
        deliveries=(Delivery(5 * day_s, "crew", -2),),
    )
    assert crew_below_zero(station) == [(5 * day_s, -2.0, "delivery")]
    # a schedule alone (counts >= 0) never goes below 0
    assert crew_below_zero(Station(sources=(ConstantSource("r", 1.0),), crew_schedule=((0.0, 2), (day_s, 0)))) == []


def test_water_recovery_drawn_per_run() -> None:
    from lunarops.ops.uncertain import Uncertain
    from lunarops.runner.stages.operations import life_support_model
    from lunarops.scenario.operations import OperationsSection

    # the scenario: a uniform 0.8-1.0 recovery is drawn per run, its midpoint 0.9 is the closed-form value
    section = OperationsSection.model_validate(
        {"life_support": {"water_recovery_fraction": {"kind": "uniform", "low": 0.8, "high": 1.0}}}
    )
    closure = life_support_model(section)[0]
    assert closure.water_recovery_fraction == pytest.approx(0.9)
    assert [name for name, _ in closure.drawn] == ["water_recovery_fraction"]
    with pytest.raises(ValidationError, match="water_recovery_fraction"):
        LifeSupportSpec(water_recovery_fraction={"kind": "uniform", "low": 0.8, "high": 1.2})
    # the engine: 4 crew, no O2 generation, 24 h: each run's water drawn = 4 x 3.217 x (1 - its drawn recovery)
    drawn = LoopClosure(0.9, 0.0, 0.0, drawn=(("water_recovery_fraction", Uncertain("uniform", 0.9, 0.0, 0.8, 1.0)),))
    station = Station(
        sources=(ConstantSource("reactor", 10e3),),
        loads=(Load("habitat", 5e3),),
        crew_schedule=((0.0, CREW),),
        closure=drawn,
        consumables=Consumables(**STORES, reserve_days=0.0),
    )
    zeros = np.zeros(24)
    light = LightSeries(zeros - 0.1, zeros, zeros, np.full(24, 1.496e11), np.zeros(24, dtype=bool))
    inputs = build_inputs(station, light, np.datetime64("2030-01-01T00:00"), 3600.0)
    ds = simulate(station, inputs, runs=8, seed=3).dataset
    r = ds["input_value"].sel(uncertain_input="life_support: water_recovery_fraction").values
    assert np.all((r >= 0.8) & (r <= 1.0)) and np.ptp(r) > 0.0  # drawn, and not all the same
    used = 5000.0 - ds["water_kg"].isel(time=-1).values
    # kg over one day; 1 g: the Monte Carlo records are float32 (ulp of 5000 kg is 0.49 g)
    np.testing.assert_allclose(used, CREW * POTABLE * (1 - r), atol=1e-3)


def test_the_reserve_minimum_comes_from_the_5th_percentile_run() -> None:
    # 40 runs whose lowest reserves are 40, 39, ..., 1 d: the 5th percentile by nearest rank is the
    # ceil(0.05 x 40) = 2nd lowest, 2 d, run 38; its time (38 h) and store (water, 1) are reported
    import numpy as np
    import xarray as xr

    n = 40
    ds = xr.Dataset(
        {
            "run_min_reserve_days": ("run", np.arange(n, 0, -1, dtype=float)),
            "run_min_reserve_time_s": ("run", np.arange(n) * 3600.0),
            "run_min_reserve_store": ("run", np.where(np.arange(n) == 38, 1.0, 2.0)),
        },
        coords={"time": np.array(["2030-01-01T00:00"], dtype="datetime64[ns]")},
    )
    assert reserve_minimum(ds) == {
        "consumables_reserve_min_utc": "2030-01-02T14:00:00Z",
        "consumables_reserve_limiting_store": "water_kg",
    }
