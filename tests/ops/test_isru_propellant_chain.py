"""The propellant chain: a water_electrolysis plant splits stored water into O2 and H2, liquefies both into its
LOX and LH2 stores, which boil off passively.

Expected numbers are hand arithmetic: the water higher heating value 285.83 kJ/mol (CODATA Key Values for
Thermodynamics, Cox et al. 1989; NIST-JANAF) over 18.015 g/mol = 4.40728 kWh/kg; 2 H2O -> 2 H2 + O2 gives
15.999 / 18.015 = 0.888093 kg O2 and 2.016 / 18.015 = 0.111907 kg H2 per kg water; boil-off compounds per step."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import TypeAdapter, ValidationError

from lunarops.errors import InputError, ScenarioError
from lunarops.logistics.network import IsruOptions
from lunarops.ops import engine
from lunarops.ops.inputs import LightSeries, build_inputs
from lunarops.ops.montecarlo import simulate
from lunarops.ops.station import (
    Battery,
    ConstantSource,
    Consumables,
    Delivery,
    IsruPlant,
    Load,
    SolarArray,
    Station,
)
from lunarops.ops.uncertain import Uncertain
from lunarops.runner.stages.operations import isru_models_note, station_from_section
from lunarops.scenario.load import parse_scenario
from lunarops.scenario.operations import WATER_HHV_KWH_PER_KG, IsruSpec, WaterElectrolysisSpec

KWH_J = 3.6e6
START = np.datetime64("2030-01-01T00:00")
O2_PER_WATER = 15.999 / 18.015  # 0.888093 kg O2 per kg water (stoichiometry)
HHV_KWH_PER_KG = 285.83e3 / 0.018015 / 3.6e6  # 4.40728 kWh per kg water (CODATA / NIST-JANAF)


def _light(hours: int, sun_up: np.ndarray | None = None) -> LightSeries:
    up = np.ones(hours, dtype=bool) if sun_up is None else sun_up
    return LightSeries(np.where(up, 0.2, -0.2), np.zeros(hours), up.astype(float), np.full(hours, 1.496e11),
                       np.zeros(hours, dtype=bool))


def _run(station: Station, hours: int, light: LightSeries | None = None, runs: int = 1) -> Any:
    inputs = build_inputs(station, light or _light(hours), START, 3600.0)
    return simulate(station, inputs, runs=runs, seed=1)


def _kwh_per_kg(efficiency: float, liq_o2: float, liq_h2: float) -> float:
    return HHV_KWH_PER_KG / efficiency + O2_PER_WATER * liq_o2 + (1.0 - O2_PER_WATER) * liq_h2


def _plant(rate_kg_h: float = 2.0, **kw: Any) -> IsruPlant:
    e = _kwh_per_kg(0.65, 1.0, 10.0)  # PEM at 0.65 of the HHV; 1 kWh/kg O2, 10 kWh/kg H2 liquefaction
    args: dict[str, Any] = {"daylight_only": False, "energy_j_per_kg_water": e * KWH_J}
    args.update(kw)
    return IsruPlant("splitter", "water_electrolysis", rate_kg_h * args["energy_j_per_kg_water"] / 3600.0, **args)


def _station(plant: IsruPlant, water_kg: float = 500.0, **kw: Any) -> Station:
    return Station(sources=(ConstantSource("reactor", 100e3),), isru=(plant,),
                   consumables=Consumables(water_kg=water_kg), **kw)


def test_mass_is_conserved_and_split_by_stoichiometry() -> None:
    # 2 kg/h for 48 h with water enough: 96 kg split, 85.257 kg O2 and 10.743 kg H2 made; made = boiled + stored
    plant = _plant(lox_boil_off_fraction_per_day=0.01, lh2_boil_off_fraction_per_day=0.05)
    ds = _run(_station(plant), 48).dataset
    s = {name: float(ds[f"run_{name}"].values[0]) for name in engine.SCALAR_VARS}
    assert s["electrolysed_water_kg"] == pytest.approx(96.0, abs=1e-9)
    assert s["lox_made_kg"] == pytest.approx(96.0 * O2_PER_WATER, abs=1e-9)
    assert s["lh2_made_kg"] == pytest.approx(96.0 * 2.016 / 18.015, abs=1e-9)
    water_in = 500.0 - float(ds["water_kg"].values[0, -1])
    out = s["lox_boiled_off_kg"] + s["lh2_boiled_off_kg"] + s["lox_stored_kg"] + s["lh2_stored_kg"]
    assert water_in == pytest.approx(out, abs=1e-6)
    assert s["lox_made_kg"] == pytest.approx(s["lox_boiled_off_kg"] + s["lox_stored_kg"], abs=1e-6)
    assert float(ds["lox_kg"].values[0, -1]) == s["lox_stored_kg"]
    assert s["lox_boiled_off_kg"] > 0.0 and s["lh2_boiled_off_kg"] > 0.0


def test_energy_is_the_hhv_over_the_efficiency_plus_liquefaction() -> None:
    # by hand per kg water: 4.40728 / 0.65 = 6.78044 kWh electrolysis + 0.888093 x 1 + 0.111907 x 10 kWh
    # liquefaction = 8.78760 kWh; 96 kg -> 843.610 kWh served to the plant
    per_kg = 4.40728405341228 / 0.65 + 0.8880932556203164 * 1.0 + 0.11190674437968359 * 10.0
    ds = _run(_station(_plant()), 48).dataset
    served_kwh = float(ds["load_served_j"].sel(load="splitter").values[0]) / KWH_J
    assert served_kwh == pytest.approx(96.0 * per_kg, abs=1e-6)
    # the scenario class: the default energy is the HHV (4.41 kWh/kg) over the stated efficiency
    spec = WaterElectrolysisSpec(kind="water_electrolysis", name="s", water_kg_per_hour=2.0, efficiency=0.65,
                                 liquefaction_kwh_per_kg_o2=1.0, liquefaction_kwh_per_kg_h2=10.0)
    assert WATER_HHV_KWH_PER_KG == pytest.approx(4.40728, abs=1e-5)
    assert spec.kwh_per_kg_water == pytest.approx(per_kg, rel=1e-12)
    assert spec.power_kw == pytest.approx(2.0 * per_kg, rel=1e-12)


def test_boil_off_follows_the_closed_form() -> None:
    # the store gains p each step, then keeps q = (1 - f)^(1 h / 24 h) of itself: m_N = p q (1 - q^N) / (1 - q)
    f_lox, f_lh2, hours = 0.02, 0.10, 240
    plant = _plant(lox_boil_off_fraction_per_day=f_lox, lh2_boil_off_fraction_per_day=f_lh2)
    ds = _run(_station(plant, water_kg=1000.0), hours).dataset
    for store, f, share in (("lox", f_lox, O2_PER_WATER), ("lh2", f_lh2, 1.0 - O2_PER_WATER)):
        p = 2.0 * share
        q = (1.0 - f) ** (1.0 / 24.0)
        closed = p * q * (1.0 - q**hours) / (1.0 - q)
        assert float(ds[f"run_{store}_stored_kg"].values[0]) == pytest.approx(closed, abs=1e-9)
        # and the continuous decay dm/dt = P - k m, k = -ln(1 - f) per day: m = P / k (1 - exp(-k t)), to O(k dt)
        k = -np.log(1.0 - f) / 24.0
        ode = p / k * (1.0 - np.exp(-k * hours))
        assert float(ds[f"run_{store}_stored_kg"].values[0]) == pytest.approx(ode, rel=k)
    # with no production a store only decays: none here without the plant; boil-off 0 keeps all
    ds0 = _run(_station(_plant(), water_kg=1000.0), hours).dataset
    assert float(ds0["run_lox_boiled_off_kg"].values[0]) == 0.0


def test_full_tanks_and_the_water_floor_stop_the_plant() -> None:
    # LOX tank 10 kg: it splits 10 / 0.888093 = 11.2600 kg water and stops; water floor 480 of 500 kg: 20 kg
    ds = _run(_station(_plant(lox_capacity_kg=10.0)), 48).dataset
    assert float(ds["run_lox_stored_kg"].values[0]) == pytest.approx(10.0, abs=1e-9)
    assert float(ds["run_electrolysed_water_kg"].values[0]) == pytest.approx(10.0 / O2_PER_WATER, abs=1e-9)
    ds = _run(_station(_plant(min_water_kg=480.0)), 48).dataset
    assert float(ds["run_electrolysed_water_kg"].values[0]) == pytest.approx(20.0, abs=1e-9)
    assert float(ds["water_kg"].values[0, -1]) == pytest.approx(480.0, abs=1e-9)
    # served energy only for the water split: 20 kg x 8.78760 kWh
    served = float(ds["load_served_j"].sel(load="splitter").values[0]) / KWH_J
    assert served == pytest.approx(20.0 * _kwh_per_kg(0.65, 1.0, 10.0), abs=1e-6)


def test_the_plant_is_shed_below_its_reserve() -> None:
    # 3 kW source, 100 kWh battery (80 % depth of discharge) at 30 %: usable share (0.3 - 0.2) / 0.8 = 0.125, and
    # 6 h of charging at 3 kW x 0.95 adds at most 17.1 kWh (share 0.34): below the plant's 0.5 all along, so shed
    eta = Uncertain("fixed", 0.95)

    def station(soc0: float) -> Station:
        battery = Battery("battery", 100 * KWH_J, 0.8, eta, eta, 20e3, 20e3, initial_state_of_charge=soc0)
        return Station(sources=(ConstantSource("rtg", 3e3),), battery=battery, consumables=Consumables(water_kg=500.0),
                       isru=(_plant(reserve_state_of_charge=0.5),))

    ds = _run(station(0.3), 6).dataset
    assert float(ds["run_electrolysed_water_kg"].values[0]) == 0.0
    assert float(ds["load_shed_h"].sel(load="splitter").values[0]) == 6.0
    assert int(ds["event_counts"].sel(event="policy_reserve_shed").values[0]) == 1
    full = _run(station(1.0), 6).dataset
    assert float(full["run_electrolysed_water_kg"].values[0]) > 0.0


def _rich_station(extra: tuple[IsruPlant, ...] = ()) -> Station:
    eta = Uncertain("normal", 0.95, 0.01, 0.9, 0.99)
    ice = IsruPlant("ice", "ice_extraction", 5e3, ice_mass_fraction=Uncertain("uniform", 0.05, 0.0, 0.03, 0.07),
                    regolith_energy_j_per_kg=Uncertain("fixed", 0.1 * KWH_J),
                    water_energy_j_per_kg=Uncertain("fixed", 0.8 * KWH_J))
    ilm = IsruPlant("ilm", "ilmenite_reduction", 3e3, o2_energy_j_per_kg=Uncertain("fixed", 24.3 * KWH_J))
    return Station(
        solar_arrays=(SolarArray("pv", 60.0, Uncertain("normal", 0.3, 0.01, 0.25, 0.35)),),
        battery=Battery("battery", 50 * KWH_J, 0.8, eta, eta, 10e3, 10e3, initial_state_of_charge=0.6),
        loads=(Load("habitat", 4e3, 1), Load("rover", 3e3, 5, when="day", shed_below_reserve=True)),
        isru=(ice, ilm, *extra),
        consumables=Consumables(water_kg=200.0, o2_kg=100.0, food_kg=100.0),
        crew_schedule=((0.0, 4),),
        deliveries=(Delivery(30 * 3600.0, "water_kg", 50.0),),
    )


def test_without_the_plant_results_are_bit_identical() -> None:
    # a plant that never comes online within the period adds no step, no power and no product: every series and
    # run figure of the station without it is the same to the bit (the new figures are 0)
    hours = 96
    light = _light(hours, (np.arange(hours) % 24) < 14)
    late = _plant(online_s=1e9)
    a = _run(_rich_station(), hours, light, runs=3).dataset
    b = _run(_rich_station((late,)), hours, light, runs=3).dataset
    for name in engine.RECORD_VARS:
        assert np.array_equal(a[name].values, b[name].values), name
    for name in engine.SCALAR_VARS:
        assert np.array_equal(a[f"run_{name}"].values, b[f"run_{name}"].values), name
    assert np.array_equal(a["event_counts"].values, b["event_counts"].values)
    for name in engine.SCALAR_VARS[-7:]:
        assert not b[f"run_{name}"].values.any(), name
    # and the summary gets the chain's percentiles (0 here)
    summary = _run(_rich_station(), hours, light, runs=3).summary
    assert summary["lox_stored_kg_p50"] == 0.0 and summary["lh2_made_kg_p95"] == 0.0


def _spec(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"kind": "water_electrolysis", "name": "s", "water_kg_per_hour": 2.0, "efficiency": 0.65,
                            "liquefaction_kwh_per_kg_o2": 1.0, "liquefaction_kwh_per_kg_h2": 10.0}
    base.update(kw)
    return {k: v for k, v in base.items() if v is not None}


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"efficiency": 1.2}, ["efficiency = 1.2", "(0, 1]"]),
        ({"efficiency": 0.0}, ["efficiency = 0.0", "(0, 1]"]),
        ({"efficiency": None}, ["give one of efficiency", "energy_kwh_per_kg_water"]),
        ({"energy_kwh_per_kg_water": 5.0}, ["not both", "efficiency = 0.65"]),
        ({"efficiency": None, "energy_kwh_per_kg_water": 3.0}, ["energy_kwh_per_kg_water = 3.0", "3.656"]),
        ({"water_kg_per_hour": -1.0}, ["water_kg_per_hour = -1.0", "above 0"]),
        ({"liquefaction_kwh_per_kg_h2": -2.0}, ["liquefaction_kwh_per_kg_h2 = -2.0", "0 or more"]),
        ({"lox_boil_off_fraction_per_day": 1.0}, ["lox_boil_off_fraction_per_day = 1.0", "[0, 1)"]),
        ({"lh2_capacity_kg": 0.0}, ["lh2_capacity_kg = 0.0", "above 0"]),
    ],
)
def test_bad_input_names_the_field_the_value_and_the_fix(change: dict[str, Any], words: list[str]) -> None:
    with pytest.raises(ValidationError) as err:
        TypeAdapter(IsruSpec).validate_python(_spec(**change))
    for word in words:
        assert word in str(err.value)


def test_no_water_source_and_two_plants_are_refused() -> None:
    with pytest.raises(InputError, match="no water to split"):
        build_inputs(_station(_plant(), water_kg=0.0), _light(4), START, 3600.0)
    two = dataclasses.replace(_station(_plant()), isru=(_plant(), dataclasses.replace(_plant(), name="other")))
    with pytest.raises(InputError, match="2 water_electrolysis plants"):
        build_inputs(two, _light(4), START, 3600.0)
    with pytest.raises(InputError, match=r"lox_boil_off_fraction_per_day = 1\.5"):
        build_inputs(_station(_plant(lox_boil_off_fraction_per_day=1.5)), _light(4), START, 3600.0)
    # water delivered later is a source
    delivered = dataclasses.replace(_station(_plant(), water_kg=0.0), deliveries=(Delivery(7200.0, "water_kg", 10.0),))
    ds = _run(delivered, 8).dataset
    assert float(ds["run_electrolysed_water_kg"].values[0]) == pytest.approx(10.0, abs=1e-9)


SCENARIO = """
schema_version: 1
name: propellant
period: {start_utc: 2030-01-01T00:00:00Z, end_utc: 2030-01-03T00:00:00Z, step_hours: 1}
sites:
  - {name: Rim, latitude_deg: -85.0, longitude_deg: 30.0, mast_height_m: 10}
operations:
  power:
    fission_plants: [{name: reactor, power_kwe: 40, mass_kg: 1545}]
  consumables: {water_kg: 500}
  isru:
    - {kind: water_electrolysis, name: splitter, water_kg_per_hour: 2, efficiency: 0.65, daylight_only: false,
       liquefaction_kwh_per_kg_o2: 1, liquefaction_kwh_per_kg_h2: 10, lox_capacity_kg: 50,
       lh2_boil_off_fraction_per_day: 0.05, reserve_state_of_charge: 0.4, PLANT}
  monte_carlo: {runs: 1, record_hours: 24}
"""


def test_the_scenario_plant_reaches_the_engine() -> None:
    model = parse_scenario(SCENARIO.replace(", PLANT", ""))
    plant = station_from_section(model.operations, model.period.start_utc).isru[0]
    # 2 kg/h x 8.78760 kWh/kg (the hand sum of test_energy_...) = 17.5752 kW
    assert plant.kind == "water_electrolysis"
    assert plant.power_w == pytest.approx(2.0 * _kwh_per_kg(0.65, 1.0, 10.0) * 1e3, rel=1e-12)
    assert plant.energy_j_per_kg_water == pytest.approx(_kwh_per_kg(0.65, 1.0, 10.0) * KWH_J, rel=1e-12)
    assert plant.lox_capacity_kg == 50.0 and plant.lh2_capacity_kg == float("inf")
    assert plant.lh2_boil_off_fraction_per_day == 0.05 and plant.reserve_state_of_charge == 0.4
    assert plant.shed_below_reserve
    with pytest.raises(ScenarioError, match=r"efficiency = 1\.5"):
        parse_scenario(SCENARIO.replace("efficiency: 0.65", "efficiency: 1.5").replace(", PLANT", ""))


def test_the_isru_note_compares_the_propellant_with_the_plan() -> None:
    # the plan: 4.0 + 3.6 = 7.6 t of oxygen and 1.9 t of hydrogen (tests/campaign/test_campaign_isru_made.py);
    # the station: 3.8 t of LOX and 0.19 t of LH2 in store: 50 % and 10 % of them (by hand)
    steps = pd.DataFrame({
        "start_utc": pd.to_datetime(["2030-01-01", "2031-01-01"], utc=True),
        "end_utc": pd.to_datetime(["2031-01-01", "2032-01-01"], utc=True),
        "plant_kg": [1000.0, 900.0], "oxygen_kg": [4000.0, 3600.0], "hydrogen_kg": [1000.0, 900.0],
    })
    summary = {"isru_water_kg_p50": 9000.0, "electrolysed_water_kg_p50": 5000.0, "lox_made_kg_p50": 4440.0,
               "lh2_made_kg_p50": 560.0, "lox_boiled_off_kg_p50": 640.0, "lh2_boiled_off_kg_p50": 370.0,
               "lox_stored_kg_p50": 3800.0, "lh2_stored_kg_p50": 190.0}
    note = isru_models_note(IsruOptions("surface", 5.0, {"oxygen": 0.8, "hydrogen": 0.2}), steps, summary,
                            datetime(2030, 1, 1, tzinfo=UTC))
    assert "split 5.00 t of it into 4.44 t of LOX and 0.56 t of LH2" in note
    assert "3.80 t of LOX and 0.19 t of LH2 in store at the end" in note
    assert "50% of the plan's 7.6 t of oxygen and 10% of the plan's 1.9 t of hydrogen" in note
    assert "if electrolysed" not in note
