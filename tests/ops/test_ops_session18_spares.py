"""Deliveries dated outside the period and the campaign's spares (a reliability engineer's user study,
session 18): what the notes say matches what the engine does, and spares in kg become whole units."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
import yaml

from lunarops.ops.inputs import build_inputs
from lunarops.runner.stages.operations import (
    _campaign_outside_notes,
    _campaign_spares_note,
    _resupply_outside_notes,
    smooth_sphere_light,
    station_from_section,
)
from lunarops.scenario import default_scenario_path
from lunarops.scenario.load import parse_scenario
from scenario_edits import without_campaign

START = datetime(2034, 1, 1, tzinfo=UTC)


def _scenario(**operations: object):  # type: ignore[no-untyped-def]
    data = without_campaign(yaml.safe_load(default_scenario_path().read_text()))
    data.pop("terrain", None)
    data["period"] = {"start_utc": "2034-01-01T00:00:00Z", "end_utc": "2034-02-01T00:00:00Z", "step_hours": 1}
    data["operations"].update(operations)
    return parse_scenario(yaml.safe_dump(data))


def test_a_resupply_before_the_period_is_delivered_at_its_start_and_said_so() -> None:
    """The example keeps its 2032-01-01 and 2034-01-01 spares resupplies (4 units each); a period from 2034-01-01
    gets both at step 0, and the note says the earlier one was delivered then (it said "not simulated")."""
    scenario = _scenario()
    section = scenario.operations
    station = station_from_section(section, START)
    light = smooth_sphere_light(-89.45, 222.69, 10.0, 0.0, START, datetime(2034, 1, 3, tzinfo=UTC), 3600.0)
    inputs = build_inputs(station, light, np.datetime64("2034-01-01T00:00"), 3600.0)
    spares = [d for d in station.deliveries if d.commodity == "spares"]
    assert sorted(d.amount for d in spares) == [4.0, 4.0]
    assert all(step == 0 for step in inputs.del_step[: len(spares)])
    notes = _resupply_outside_notes(section.resupply, scenario.period)
    assert len(notes) == 1
    assert notes[0].startswith("1 resupply deliveries are dated before the period 2034-01-01..2034-02-01 and were "
                               "delivered at its start (first: 2032-01-01")


def test_campaign_deliveries_before_and_after_the_period_are_told_apart() -> None:
    period = _scenario().period
    frame = pd.DataFrame(
        {
            "time_utc": [datetime(2033, 6, 1, tzinfo=UTC), datetime(2034, 1, 10, tzinfo=UTC),
                         datetime(2035, 1, 1, tzinfo=UTC)],
            "commodity": ["food_kg", "water_kg", "crew"],
            "amount": [20.0, 10.0, 2.0],
        }
    )
    before, after = _campaign_outside_notes(frame, period)
    assert "1 campaign deliveries to the base fall outside the operations period 2034-01-01..2034-02-01" in before
    assert "delivered at its start" in before and "food_kg; first 2033-06-01" in before
    assert "set period.start_utc earlier" in before
    assert "not simulated" in after and "crew arriving or leaving" in after and "extend period.end_utc" in after


def _spares_frame(*kg: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "time_utc": [datetime(2034, 1, 2 + i, tzinfo=UTC) for i in range(len(kg))],
            "commodity": ["spares"] * len(kg),
            "amount": list(kg),
        }
    )


def test_campaign_spares_in_kg_become_whole_pooled_units() -> None:
    """8.4 kg (0.3 kg per crew-day x 2 crew x 14 d) was counted as 8.4 spare units. With 2.5 kg units: 3.0 kg
    gives 1 unit, then 3.0 more (6.0 kg) 1 more, then 2.4 more (8.4 kg) 1 more: floor(8.4 / 2.5) = 3 in all,
    each on the day its mass completes a unit; without a unit mass none go in the pool and the note says so."""
    frame = _spares_frame(3.0, 3.0, 2.4)
    with_mass = station_from_section(_scenario(spare_unit_mass_kg=2.5).operations, START, frame)
    pooled = [(d.time_s / 86400.0, d.amount) for d in with_mass.deliveries if d.commodity == "spares"
              and d.component is None and d.time_s > 0]
    assert pooled == [(1.0, 1.0), (2.0, 1.0), (3.0, 1.0)]
    end = datetime(2034, 2, 1, tzinfo=UTC)
    note = _campaign_spares_note(frame, 2.5, end)
    assert note == [
        "The campaign's 8.4 kg of spares are 3 pooled spare units of 2.5 kg (operations.spare_unit_mass_kg); the "
        "remaining 0.9 kg, less than a unit, is left out"
    ]
    without = station_from_section(_scenario().operations, START, frame)
    assert not [d for d in without.deliveries if d.commodity == "spares" and d.time_s > 0]
    (note,) = _campaign_spares_note(frame, None, end)
    # deliveries after the period's end (here the third, on Jan 4) are not simulated: not counted
    assert _campaign_spares_note(frame, 2.5, datetime(2034, 1, 3, 12, tzinfo=UTC)) == [
        "The campaign's 6.0 kg of spares are 2 pooled spare units of 2.5 kg (operations.spare_unit_mass_kg); the "
        "remaining 1.0 kg, less than a unit, is left out"
    ]
    assert "8.4 kg of spares" in note and "left out of the spares pool" in note
    assert "operations.spare_unit_mass_kg" in note


def test_spare_unit_mass_must_be_positive() -> None:
    from lunarops.errors import ScenarioError

    with pytest.raises(ScenarioError, match=r"operations\.spare_unit_mass_kg"):
        _scenario(spare_unit_mass_kg=0)


def test_component_table_gives_whole_count_percentiles_and_intervals() -> None:
    """50 runs of one component: failures 0 (40 runs), 1 (7), 2 (2), 5 (1); spares used the same; 3 runs waited.
    Nearest rank: the 48th smallest count (ceil(0.95 x 50)) is 2, where linear interpolation gave 1.55, a
    fraction of a failure (3.0499999999999545 in a user's JSON). The waiting probability's interval is checked
    against the binomial tails it is defined by (a second computation): P(X >= 3 | low) = P(X <= 3 | high)
    = 0.025, X ~ Binomial(50, p)."""
    import xarray as xr
    from scipy import stats

    from lunarops.ops.montecarlo import component_table

    fail = np.array([0] * 40 + [1] * 7 + [2] * 2 + [5], dtype=np.float64)
    waited = np.array([1] * 3 + [0] * 47, dtype=np.float64)
    ds = xr.Dataset(
        {
            name: (("run", "component"), values[:, None])
            for name, values in {
                "component_failures": fail,
                "component_spares_used": fail,
                "component_hours_down": fail * 24,
                "component_down_at_end": np.zeros(50),
                "component_waited_for_spare": waited,
                "component_reduced_h": fail * 24,
                "component_out_h": np.zeros(50),
            }.items()
        },
        coords={"component": ["pump"]},
    )
    row = component_table(ds).iloc[0]
    assert row.failures_p95 == 2.0 and row.spares_used_p95 == 2.0
    assert row.probability_waits_for_spare == pytest.approx(0.06, abs=1e-12)
    low, high = row.probability_waits_for_spare_ci95_low, row.probability_waits_for_spare_ci95_high
    assert stats.binom.sf(2, 50, low) == pytest.approx(0.025, abs=1e-9)
    assert stats.binom.cdf(3, 50, high) == pytest.approx(0.025, abs=1e-9)
    assert 0.0125 < low < 0.0126 and 0.1654 < high < 0.1655  # so the exact interval of 3 / 50 is (0.0125, 0.1655)


def test_isru_inputs_that_make_something_from_nothing_are_refused() -> None:
    """An ISRU engineer's user study (session 18): an ice plant with both energies 0 made infinite water (1 / 0);
    a campaign plant split its product half into hydrogen, which water holds 11.2 % of by mass (2.016 / 18.015,
    IUPAC atomic weights)."""
    from lunarops.errors import ScenarioError

    data = without_campaign(yaml.safe_load(default_scenario_path().read_text()))
    plant = next(p for p in data["operations"]["isru"] if p["kind"] == "ice_extraction")
    plant["regolith_energy_kwh_per_kg"] = 0
    plant["water_energy_kwh_per_kg"] = 0
    with pytest.raises(ScenarioError, match=r"can both be 0, which would make water for no energy"):
        parse_scenario(yaml.safe_dump(data))
    data = yaml.safe_load(default_scenario_path().read_text())
    data["campaign"]["logistics"]["isru"]["products"] = {"oxygen": 0.5, "hydrogen": 0.5}
    with pytest.raises(ScenarioError, match=r"hydrogen 0.5 of each kg made exceeds the 0.1119 kg of H2"):
        parse_scenario(yaml.safe_dump(data))
    data["campaign"]["logistics"]["isru"]["products"] = {"oxygen": 8 / 9, "hydrogen": 1 / 9}  # the default: fine
    parse_scenario(yaml.safe_dump(data))


def test_an_ice_plant_without_energies_is_refused_in_the_python_api() -> None:
    from lunarops.errors import InputError
    from lunarops.ops.inputs import LightSeries
    from lunarops.ops.montecarlo import simulate
    from lunarops.ops.station import ConstantSource, IsruPlant, Station

    station = Station(sources=(ConstantSource("s", 20e3),), isru=(IsruPlant("ice", "ice_extraction", 10e3),))
    n = 24
    light = LightSeries(np.full(n, 0.1), np.zeros(n), np.ones(n), np.full(n, 1.496e11), np.ones(n, dtype=bool))
    inputs = build_inputs(station, light, np.datetime64("2030-01-01T00:00"), 3600.0)
    with pytest.raises(InputError, match=r"ISRU plant 'ice': its energy per kg of product can be 0 J"):
        simulate(station, inputs, runs=1)
