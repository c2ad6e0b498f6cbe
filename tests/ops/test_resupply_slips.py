"""Resupply slips drawn per run: a late food delivery against a hand computation, the draws against their
distribution, bit-identical runs without slips, bad input named."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from dark_station import START, assert_bit_identical, dark_light, run_dark
from lunarops.errors import InputError, ScenarioError
from lunarops.ops.inputs import build_inputs
from lunarops.ops.montecarlo import draw_runs
from lunarops.ops.station import Component, ConstantSource, Consumables, Delivery, Load, Station
from lunarops.ops.uncertain import Uncertain
from lunarops.runner.stages.operations import simulate_scenario
from lunarops.scenario.load import parse_scenario

H = 3600.0
DAY = 86400.0
#: ISS packaged food as shipped, 1.82 kg per crew member per day (NTRS 20090006804; BVAD.food_kg_per_day)
FOOD_KG_PER_DAY = 1.82
N = 30 * 24  # 30 days, hourly


def _station(slip: Uncertain | None, components: tuple[Component, ...] = ()) -> Station:
    """1 crew, 20 kg food (10.99 d), 100 kg food due on day 8; O2 and water for years (food sets the reserve)."""
    return Station(
        sources=(ConstantSource("reactor", 10e3),),
        loads=(Load("habitat", 5e3),),
        crew_schedule=((0.0, 1),),
        consumables=Consumables(o2_kg=1000.0, water_kg=5000.0, food_kg=20.0, reserve_days=0.0),
        deliveries=(
            Delivery(2 * DAY, "water_kg", 10.0),
            Delivery(8 * DAY, "food_kg", 100.0, slip_s=slip, name="resupply.1"),
        ),
        components=components,
    )


def _run(station: Station, runs: int = 1, seed: int = 3) -> xr.Dataset:
    return run_dark(station, N, runs, seed)


def test_a_fixed_slip_starves_the_crew_by_hand() -> None:
    on_time = _run(_station(None)).isel(run=0)
    late = _run(_station(Uncertain.fixed(5 * DAY))).isel(run=0)
    # on time (day 8): 8 d x 1.82 = 14.56 kg eaten of 20 kg, never short
    assert float(on_time["run_consumable_shortfall_kg"]) == 0.0
    # 5 days late it lands at 13 d = step 312; the crew need 312 h x 1.82/24 kg = 23.66 kg before it, 20 kg at
    # hand: 3.66 kg short (hand computation; the delivery lands at the start of its step, before that step's use)
    assert float(late["run_consumable_shortfall_kg"]) == pytest.approx(312 * FOOD_KG_PER_DAY / 24 - 20.0, abs=1e-9)
    # the food is gone after 20 / (1.82/24) = 263.7 steps: step 264 starts with 0 kg, 0 days of reserve
    assert float(late["run_min_reserve_days"]) == pytest.approx(0.0, abs=1e-12)
    assert int(late["run_min_reserve_store"]) == 2  # food
    assert float(late["run_min_reserve_time_s"]) == 264 * H
    # after the delivery: 100 kg less the (720 - 312) h eaten = 100 - 408 x 1.82/24 kg at the end
    assert float(late["food_kg"][-1]) == pytest.approx(100.0 - 408 * FOOD_KG_PER_DAY / 24, abs=1e-9)
    assert int(late["run_deliveries_missed"]) == 0


def test_drawn_slips_follow_their_distribution_and_miss_the_period() -> None:
    runs = 2000
    slip = Uncertain("triangular", 10 * DAY, 0.0, 0.0, 60 * DAY)
    ds = _run(_station(slip), runs=runs)
    drawn = ds["input_value"].sel(uncertain_input="resupply.1 food_kg: slip_s").values
    assert drawn.min() >= 0.0 and drawn.max() <= 60 * DAY
    # triangular(0, 10, 60) d: mean (0 + 10 + 60) / 3 = 23.33 d, sd sqrt((10^2 + 60^2 - 10 x 60) / 18) = 13.12 d;
    # 2000 runs: standard error 0.29 d, 4 of them allowed
    assert drawn.mean() / DAY == pytest.approx(70.0 / 3.0, abs=4 * 13.12 / np.sqrt(runs))
    # due at 192 h, it misses the period when it lands after the last step (719 h): a slip above 527 h;
    # P = (1440 - 527)^2 / (1440 x 1200) = 0.482 (the triangular CDF, hours); 4 standard errors of 0.011
    missed = ds["run_deliveries_missed"].values
    np.testing.assert_array_equal(missed, (drawn > 527 * H).astype(np.int64))
    assert missed.mean() == pytest.approx(913**2 / (1440 * 1200), abs=0.045)
    # a run that missed it eats its 20 kg and is short of the rest: 720 h x 1.82/24 - 20 = 34.6 kg
    short = ds["run_consumable_shortfall_kg"].values[missed == 1]
    np.testing.assert_allclose(short, 720 * FOOD_KG_PER_DAY / 24 - 20.0, atol=1e-9)


def test_without_slips_or_with_a_zero_slip_the_runs_are_bit_identical() -> None:
    # failures and a drawn unit make the stream matter: a zero slip changes nothing, a drawn one only follows
    pumps = (Component("pumps", "habitat", 2, 200.0, 24.0, 1),)
    base = _station(None, pumps)
    inputs = build_inputs(base, dark_light(N), START, H)
    assert draw_runs(base, inputs, 5, 8).del_step is None
    a = _run(base, runs=8)
    b = _run(_station(Uncertain.fixed(0.0), pumps), runs=8)
    assert_bit_identical(a, b)
    assert "run_deliveries_missed" not in a and "input_value" not in a


def test_bad_slips_are_named() -> None:
    with pytest.raises(InputError, match=r"resupply.1: slip_s can be -3600 s, below 0"):
        _station(Uncertain.fixed(-H))
    with pytest.raises(InputError, match="crew arrivals do not slip"):
        Delivery(DAY, "crew", 1.0, slip_s=Uncertain.fixed(DAY))


SCENARIO = """
schema_version: 1
name: slips
period: {start_utc: 2030-01-01T00:00:00Z, end_utc: 2030-01-31T00:00:00Z, step_hours: 1}
sites:
  - {name: Rim, latitude_deg: -85.0, longitude_deg: 30.0, mast_height_m: 10}
operations:
  power:
    fission_plants: [{name: reactor, power_kwe: 10, mass_kg: 1545}]
  loads: [{name: habitat, power_kw: 5}, {name: eclss, power_kw: 0.5}]
  crew: [{from_utc: 2030-01-01T00:00:00Z, count: 1}]
  consumables: {o2_kg: 1000, water_kg: 5000, food_kg: 20}
  resupply:
    - {time_utc: 2030-01-09T00:00:00Z, commodity: food_kg, amount: 100, SLIP}
  monte_carlo: {runs: 50, record_hours: 24}
"""


@pytest.mark.parametrize(
    ("slip", "words"),
    [
        ("slip_days: -2", "operations.resupply.0"),
        ("slip_days: {kind: uniform, low: -1, high: 5}", "slip_days must lie in [0.0, inf]"),
    ],
)
def test_bad_scenario_slips_are_named(slip: str, words: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(SCENARIO.replace("SLIP", slip))
    assert words in str(info.value) and "slip_days" in str(info.value)


def test_a_crew_delivery_cannot_slip() -> None:
    text = SCENARIO.replace("commodity: food_kg, amount: 100, SLIP", "commodity: crew, amount: 1, slip_days: 3")
    with pytest.raises(ScenarioError, match=r"operations.resupply.0[\s\S]*crew arrivals do not slip"):
        parse_scenario(text)


def test_the_scenario_draws_slips_and_notes_them() -> None:
    text = SCENARIO.replace("SLIP", "slip_days: {kind: triangular, low: 0, mode: 10, high: 60}")
    _hourly, mc, notes = simulate_scenario(parse_scenario(text))
    drawn = mc.dataset["input_value"].sel(uncertain_input="resupply.0 food_kg: slip_s").values
    assert drawn.min() >= 0.0 and drawn.max() <= 60 * DAY
    note = next(n for n in notes if n.startswith("Resupply slips"))
    p50 = np.percentile(drawn / DAY, 50.0)
    assert "resupply.0 (100 food_kg): slip 5/50/95th percentile" in note and f"/{p50:.1f}/" in note
    # due at 192 h of a 720 h period: missed when the slip exceeds 527 h (as the engine test above)
    share = float(np.mean(drawn > 527 * H))
    assert f"P(slips past the period's end) {share:.1%}" in note
    assert np.array_equal(mc.dataset["run_deliveries_missed"].values, (drawn > 527 * H).astype(np.int64))
