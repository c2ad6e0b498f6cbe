"""Cabin leakage and EVA consumables: drawn from the O2 and water stores while crew are aboard, not by the loop.

Sources: ISS cabin air loss about 0.064 kg/d (2004) rising to 0.227 kg/d (Q1 2011), NTRS 20110012997 (ICES 2011);
dry sea-level air O2 mole fraction 0.2095 (US Standard Atmosphere 1976); IUPAC molar masses O2 31.998, N2 28.014
g/mol. EVA: the EMU's design average metabolic rate 1000 Btu/h (= 293.07 W; ISS EVA 23 Water Intrusion Mishap
Investigation Report, NASA 2013); BVAD REV2 Table 3-31: 0.895 kg O2 per 143.8 W day; latent heat of sublimation of
ice 2.834 MJ/kg (CRC Handbook). Every expected number is worked by hand below.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import yaml

from lunarops.errors import InputError
from lunarops.ops.inputs import LightSeries, build_inputs
from lunarops.ops.lifesupport import (
    BVAD,
    CrewRates,
    LoopClosure,
    eva_o2_kg_per_hour_estimate,
    eva_water_kg_per_hour_estimate,
    o2_mass_fraction,
    reserve_days,
)
from lunarops.ops.montecarlo import simulate
from lunarops.ops.station import ConstantSource, Consumables, Load, Station
from lunarops.runner.stages.operations import life_support_losses_note, life_support_model
from lunarops.scenario.load import parse_scenario
from lunarops.scenario.operations import OperationsSection

LEAK_AIR = 0.227  # ISS 2011 [kg air/d], NTRS 20110012997
W_O2 = 0.2095 * 31.998 / (0.2095 * 31.998 + 0.7905 * 28.014)  # = 0.23237 O2 mass share of sea-level air
EVA_H_WEEK = 8.0  # e.g. one 8 h EVA per crew member per week
EVA_O2, EVA_W = 0.076, 0.372  # [kg/h]: 293.07 W x 3600 s x 0.895 / (143.8 x 86400) J; 293.07 x 3600 / 2.834e6
CREW, HOURS = 2, 48
EXAMPLE = Path(__file__).parents[2] / "examples" / "ilrs-south-pole.yaml"


def _section(**fields: float) -> OperationsSection:
    return OperationsSection.model_validate({"life_support": fields})


def _run(rates: CrewRates, closure: LoopClosure) -> object:
    station = Station(
        sources=(ConstantSource("reactor", 10e3),),
        loads=(Load("habitat", 5e3),),
        crew_schedule=((0.0, CREW),),
        closure=closure,
        consumables=Consumables(o2_kg=1000.0, water_kg=5000.0, food_kg=2000.0, reserve_days=0.0),
        crew_rates=rates,
    )
    zeros = np.zeros(HOURS)
    light = LightSeries(zeros - 0.1, zeros, zeros, np.full(HOURS, 1.496e11), np.zeros(HOURS, dtype=bool))
    inputs = build_inputs(station, light, np.datetime64("2030-01-01T00:00"), 3600.0)
    return simulate(station, inputs, runs=1, seed=1).dataset.isel(run=0)


def test_estimates_and_the_o2_share() -> None:
    assert eva_o2_kg_per_hour_estimate() == pytest.approx(293.07107 * 3600 * 0.895 / (143.8 * 86400), rel=1e-12)
    assert eva_o2_kg_per_hour_estimate() == pytest.approx(EVA_O2, abs=5e-4)
    assert eva_water_kg_per_hour_estimate() == pytest.approx(EVA_W, abs=5e-4)
    assert o2_mass_fraction(0.2095) == pytest.approx(W_O2, rel=1e-12)
    assert W_O2 == pytest.approx(0.23237, abs=1e-5)
    # the scenario's defaults are the estimates, rounded
    ls = OperationsSection().life_support
    assert ls.eva_o2_kg_per_hour == round(eva_o2_kg_per_hour_estimate(), 3)
    assert ls.eva_water_kg_per_hour == round(eva_water_kg_per_hour_estimate(), 3)


def test_closed_form_and_engine_draws_by_hand() -> None:
    closure = LoopClosure(water_recovery_fraction=0.93, oxygen_generation_fraction=1.0, sabatier_efficiency=0.9)
    _, rates = life_support_model(
        _section(cabin_leak_air_kg_per_day=LEAK_AIR, eva_hours_per_crew_week=EVA_H_WEEK)
    )
    # per crew member per day: EVA O2 0.076 x 8 / 7 = 0.086857 kg, water 0.372 x 8 / 7 = 0.425143 kg;
    # the habitat's leaked O2 0.227 x 0.23237 = 0.052748 kg/d
    assert rates.eva_o2_kg_per_day == pytest.approx(0.076 * 8 / 7, rel=1e-12)
    assert rates.eva_water_kg_per_day == pytest.approx(0.372 * 8 / 7, rel=1e-12)
    assert rates.cabin_leak_o2_kg_per_day == pytest.approx(LEAK_AIR * W_O2, rel=1e-12)
    # on EVA the suit supplies O2 and scrubs CO2: the cabin's share of BVAD's day is 1 - (8 / 7) / 24 = 0.952381
    cabin = 1.0 - (8 / 7) / 24
    assert rates.o2_kg_per_day == pytest.approx(0.895 * cabin, rel=1e-12)
    assert rates.co2_kg_per_day == pytest.approx(1.085 * cabin, rel=1e-12)
    use = closure.daily_net_use_kg(CREW, rates)
    # the same cabin rates without the EVA and leak terms: what the loop alone asks
    loop_only = closure.daily_net_use_kg(
        CREW, CrewRates(**{**BVAD.__dict__, "o2_kg_per_day": 0.895 * cabin, "co2_kg_per_day": 1.085 * cabin})
    )
    # all crew O2 is electrolysed: the O2 store loses only EVA and leakage, 2 x 0.086857 + 0.052748 = 0.226463 kg/d
    o2_day = CREW * 0.076 * 8 / 7 + LEAK_AIR * W_O2
    assert loop_only["o2_kg"] == 0.0 and use["o2_kg"] == pytest.approx(o2_day, rel=1e-12)
    assert use["water_kg"] - loop_only["water_kg"] == pytest.approx(CREW * 0.372 * 8 / 7, rel=1e-12)
    # 1000 kg O2 last 1000 / 0.226463 = 4,415.7 d; contingency (loop open): 1000 / (2 x 0.895 x 0.952381 + 0.226463)
    assert reserve_days({"o2_kg": 1000.0, "water_kg": 5000.0, "food_kg": 2000.0}, CREW, closure, rates)[
        "o2_kg"
    ] == pytest.approx(1000.0 / o2_day, rel=1e-12)
    assert reserve_days({"o2_kg": 1000.0, "water_kg": 5000.0, "food_kg": 2000.0}, CREW, None, rates)[
        "o2_kg"
    ] == pytest.approx(1000.0 / (CREW * 0.895 * cabin + o2_day), rel=1e-12)
    # the engine over 48 h (2 d): O2 2 x 0.226463 = 0.452925 kg; water twice the closed form's day
    ds = _run(rates, closure)
    assert 1000.0 - float(ds["o2_kg"][-1]) == pytest.approx(2 * o2_day, abs=1e-9)  # type: ignore[index]
    assert 5000.0 - float(ds["water_kg"][-1]) == pytest.approx(2 * use["water_kg"], abs=1e-9)  # type: ignore[index]
    # open loop: the crew's cabin O2, 2 x 0.895 x 0.952381 kg/d, too
    ds = _run(rates, LoopClosure())
    assert 1000.0 - float(ds["o2_kg"][-1]) == pytest.approx(  # type: ignore[index]
        2 * (CREW * 0.895 * cabin + o2_day), abs=1e-9
    )


def test_uncrewed_draws_nothing() -> None:
    _, rates = life_support_model(_section(cabin_leak_air_kg_per_day=LEAK_AIR, eva_hours_per_crew_week=EVA_H_WEEK))
    use = LoopClosure().daily_net_use_kg(0.0, rates)
    assert use == {"o2_kg": 0.0, "water_kg": 0.0, "food_kg": 0.0}
    assert math.isinf(reserve_days({"o2_kg": 1.0, "water_kg": 1.0, "food_kg": 1.0}, 0.0, rates=rates)["o2_kg"])


def test_zero_fields_are_identical_to_no_fields() -> None:
    closure = LoopClosure(water_recovery_fraction=0.93, oxygen_generation_fraction=1.0, sabatier_efficiency=0.9)
    _, plain = life_support_model(_section())
    _, zero = life_support_model(
        _section(cabin_leak_air_kg_per_day=0.0, eva_hours_per_crew_week=0.0, eva_o2_kg_per_hour=0.0)
    )
    assert plain == zero == BVAD
    assert life_support_losses_note(_section(), Station(sources=(ConstantSource("r", 1.0),), crew_rates=zero)) == []
    ds0, ds = _run(BVAD, closure), _run(zero, closure)
    for name in ("o2_kg", "water_kg", "food_kg", "reserve_days"):
        assert np.array_equal(np.asarray(ds0[name]), np.asarray(ds[name]))  # type: ignore[index]


def test_note_has_the_numbers() -> None:
    section = _section(cabin_leak_air_kg_per_day=LEAK_AIR, eva_hours_per_crew_week=EVA_H_WEEK)
    _, rates = life_support_model(section)
    (note,) = life_support_losses_note(section, Station(sources=(ConstantSource("r", 1.0),), crew_rates=rates))
    assert "EVA 8 h per crew member per week" in note and "0.08686 kg O2" in note and "0.4251 kg water" in note
    assert "cabin leakage 0.227 kg air per day" in note and "0.05275 kg O2 per day" in note
    assert "0.1743 kg N2 per day is not tracked" in note  # 0.227 x (1 - 0.23237)


@pytest.mark.parametrize(
    ("field", "value", "fix"),
    [
        ("cabin_leak_air_kg_per_day", -0.2, "greater than or equal to 0"),
        ("cabin_leak_air_kg_per_day", ".nan", "finite"),
        ("eva_hours_per_crew_week", -1, "greater than or equal to 0"),
        ("eva_hours_per_crew_week", ".inf", "finite"),
        ("eva_o2_kg_per_hour", -0.076, "greater than or equal to 0"),
        ("eva_water_kg_per_hour", ".nan", "finite"),
        ("cabin_o2_mole_fraction", 0, "greater than 0"),
        ("cabin_o2_mole_fraction", 1.5, "less than or equal to 1"),
    ],
)
def test_bad_values_are_named(field: str, value: object, fix: str) -> None:
    text = EXAMPLE.read_text()
    data = yaml.safe_load(text)
    data["operations"]["life_support"][field] = value
    bad = yaml.safe_dump(data).replace(f"{field}: '{value}'", f"{field}: {value}")
    with pytest.raises(InputError) as error:
        parse_scenario(bad, "bad.yaml")
    message = str(error.value)
    assert f"operations.life_support.{field}" in message and fix in message


def test_crew_rates_refuse_bad_values() -> None:
    with pytest.raises(InputError, match="cabin_leak_o2_kg_per_day = nan"):
        CrewRates(cabin_leak_o2_kg_per_day=float("nan"))
    with pytest.raises(InputError, match="eva_water_kg_per_day = -1"):
        CrewRates(eva_water_kg_per_day=-1.0)


def test_campaign_stay_rate_counts_the_leak_per_crew_day_and_says_so() -> None:
    # the campaign's stays take the operations loop's net use per crew-day; the example makes all its cabin O2,
    # so the stay's O2 is the leak alone: 0.227 x 0.23237 = 0.052748 kg per crew-day, and the note says so
    from lunarops.runner.stages.campaign import consumables_problem
    from lunarops.scenario.load import load_scenario

    scenario = load_scenario()
    leaky = scenario.with_changes({"operations.life_support.cabin_leak_air_kg_per_day": LEAK_AIR})
    assert leaky.campaign is not None
    _, split, (note,) = consumables_problem(leaky.campaign, leaky.operations)
    assert split["o2_kg"] == pytest.approx(LEAK_AIR * W_O2, rel=1e-9)
    assert "cabin leak, 0.05275 kg per day for the whole habitat, counted per crew-day" in note
