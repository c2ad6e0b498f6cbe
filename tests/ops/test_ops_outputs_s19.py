"""Operations outputs of session 19: the summary's standby energy, the reserve's store code as an integer with its
codes in the results file's metadata, and the comms note's sentence on a modem's rate list.

Energies are hand arithmetic on a constant source (power x hours), as in test_standby_power.py; link rates are
the hand table of test_relay_trunk.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest

from lunarops.ops.inputs import LightSeries, build_inputs
from lunarops.ops.montecarlo import simulate, summarize
from lunarops.ops.station import CommLink, ConstantSource, LinkBudget, Load, Station
from lunarops.runner.stages.operations import _link_note
from lunarops.scenario.operations import CommSpec, LinkBudgetSpec
from lunarops.store import read_attrs, read_frame
from lunarops.store.parquet import write_dataset_files

HOURS = 48
START = np.datetime64("2030-01-01T00:00")
MWH_J = 3.6e9


def _day_night(n: int = HOURS) -> LightSeries:
    sun_up = (np.arange(n) % 24) < 12  # day: the first 12 h of each day
    return LightSeries(np.where(sun_up, 0.2, -0.2), np.zeros(n), sun_up.astype(float), np.full(n, 1.496e11),
                       np.zeros(n, dtype=bool))


def _standby_run(runs: int = 3) -> Any:
    # 4 kW constant; a day-only 2 kW rover with 0.5 kW standby and a night-only 1 kW heater with 0.25 kW standby
    # (day: 2 + 0.25 kW, night: 1 + 0.5 kW: all fits, nothing shed)
    station = Station(
        sources=(ConstantSource("source", 4e3),),
        loads=(Load("rover", 2e3, when="day", standby_w=0.5e3), Load("heater", 1e3, when="night", standby_w=0.25e3)),
    )
    inputs = build_inputs(station, _day_night(), START, 3600.0)
    return simulate(station, inputs, runs=runs, seed=1).dataset


def test_standby_energy_in_the_summary_against_a_hand_sum() -> None:
    # by hand over 48 h: the rover off 24 h x 0.5 kW = 12 kWh, the heater off 24 h x 0.25 kW = 6 kWh: 18 kWh =
    # 0.018 MWh in every run (no uncertainty), so p50 = 0.018 MWh
    ds = _standby_run()
    np.testing.assert_allclose(ds["run_standby_j"].values / MWH_J, 0.018, rtol=0.0, atol=1e-12)
    summary = summarize(ds)
    assert summary["standby_energy_mwh_p50"] == pytest.approx(0.018, abs=1e-12)
    low, high = summary["percentile_ci95"]["standby_energy_mwh_p50"]
    assert low is None or low == pytest.approx(0.018, abs=1e-12)  # 3 runs: too few for the low bound
    assert high is None or high == pytest.approx(0.018, abs=1e-12)
    # standby is part of the served energy: rover 24 h x 2 kW + heater 24 h x 1 kW = 72 kWh running, + 18 kWh
    assert summary["served_mwh_p50"] == pytest.approx(0.090, abs=1e-12)


def test_standby_energy_of_a_dataset_written_before_it() -> None:
    ds = _standby_run()
    # before run_standby_j: the sum over loads of load_standby_j; before standby power at all: 0
    assert summarize(ds.drop_vars("run_standby_j"))["standby_energy_mwh_p50"] == pytest.approx(0.018, abs=1e-12)
    old = ds.drop_vars([name for name in ds.data_vars if "standby" in str(name)])
    assert summarize(old)["standby_energy_mwh_p50"] == 0.0


def test_reserve_store_is_an_integer_code_described_in_the_file(tmp_path: Path) -> None:
    ds = _standby_run(runs=2)
    assert ds["run_min_reserve_store"].dtype == np.int8
    assert set(ds["run_min_reserve_store"].values.tolist()) == {-1}  # no crew aboard: never crewed
    files = write_dataset_files(ds, tmp_path / "mc.parquet")
    run_file = next(f for f in files if f.name == "mc_run.parquet")
    assert str(pq.read_schema(run_file).field("run_min_reserve_store").type) == "int8"
    assert read_frame(run_file)["run_min_reserve_store"].tolist() == [-1, -1]
    attrs = read_attrs(run_file)["variables"]["run_min_reserve_store"]
    assert "0 o2_kg, 1 water_kg, 2 food_kg; -1 never crewed" in attrs["description"]
    assert attrs["flag_values"] == [-1, 0, 1, 2]
    assert attrs["flag_meanings"].split() == ["never_crewed", "o2_kg", "water_kg", "food_kg"]


#: test_relay_trunk.py's hand table for the example's relay budget (26 GHz, 53.7 dBW EIRP, G/T 20.1 dB/K, Eb/N0
#: 2.5 dB, 3 dB margin, 2 dB losses), used here as a direct link: with rates 1-100 Mbps, 5,000 km -> 100,
#: 71,000 km -> 50, 300,000 km -> 2, 1,000,000 km -> none
RATES_MBPS: list[float] = [1, 2, 5, 10, 20, 50, 100]
BUDGET = LinkBudgetSpec(frequency_ghz=26, eirp_dbw=53.7, g_over_t_db_per_k=20.1, required_eb_n0_db=2.5, margin_db=3.0,
                        losses_db=2.0, rates_mbps=RATES_MBPS)


def test_the_comms_note_says_which_listed_rates_ran() -> None:
    # 8 steps, the Earth up on 5 of them at 5,000, 71,000, 71,000, 300,000 and 1,000,000 km: by the hand table
    # 100 Mbps on 1 of 5 (20 %), 50 on 2 (40 %), 2 on 1 (20 %), no rate closes on 1 (20 %)
    earth = np.array([1, 1, 1, 0, 0, 1, 1, 0], dtype=bool)
    distance_m = np.array([5.0e6, 7.1e7, 7.1e7, 3.8e8, 3.8e8, 3.0e8, 1.0e9, 3.8e8])
    n = earth.size
    light = LightSeries(np.full(n, 0.1), np.zeros(n), np.ones(n), np.full(n, 1.496e11), earth,
                        earth_distance_m=distance_m)
    spec = CommSpec(name="link", data_rate_mbps=100, direct_link_budget=BUDGET, buffer_gb=100, load="comm")
    budget = LinkBudget(26e9, 53.7, 20.1, 2.5, 3.0, 2.0, tuple(r * 1e6 for r in RATES_MBPS))
    station = Station(
        sources=(ConstantSource("fission", 20e3),),
        loads=(Load("science", 1e3, 5, data_rate_bps=1e6), Load("comm", 0.1e3, 2, "comm_link")),
        comm=CommLink("link", 100e6, 800e9, "comm", direct_budget=budget),
    )
    inputs = build_inputs(station, light, START, 3600.0)
    np.testing.assert_array_equal(inputs.link_bps[earth] / 1e6, [100, 50, 50, 2, 0])  # the engine agrees
    note = _link_note(spec, light, inputs, {})
    assert (
        " The direct link's modem (rates 1, 2, 5, 10, 20, 50, 100 Mbps) ran at 100 Mbps on 20.0%, 50 Mbps on 40.0%, "
        "2 Mbps on 20.0% of its 5 steps; no listed rate closes on 20.0% of them (the link then carries nothing)."
    ) in note
    # all closing: no "carries nothing"
    near = LightSeries(np.full(n, 0.1), np.zeros(n), np.ones(n), np.full(n, 1.496e11), earth,
                       earth_distance_m=np.full(n, 5.0e6))
    note = _link_note(spec, near, build_inputs(station, near, START, 3600.0), {})
    assert "ran at 100 Mbps on 100.0% of its 5 steps; no listed rate closes on 0.0% of them." in note


def test_the_comms_note_gives_the_trunk_modems_rates() -> None:
    # test_relay_trunk.py's relayed steps 2 and 3 with a 1/10/45 Mbps modem on the weak X-band trunk: 40.3 Mbps
    # closes at 450,000 km -> 10, about 75 at 330,000 km -> 45 (test_discrete_rates_through_the_engine)
    n = 6
    earth = np.array([1, 1, 0, 0, 0, 1], dtype=bool)
    light = LightSeries(np.full(n, 0.1), np.zeros(n), np.ones(n), np.full(n, 1.496e11), earth,
                        relay_visible=np.array([0, 1, 1, 1, 0, 0], dtype=bool),
                        relay_range_m=np.array([np.nan, 5.0e6, 3.0e7, 7.1e7, np.nan, np.nan]),
                        relay_earth_distance_m=np.array([np.nan, 4.5e8, 4.5e8, 3.3e8, np.nan, np.nan]))
    relay = BUDGET.model_copy(update={"rates_mbps": None})
    trunk = LinkBudgetSpec(frequency_ghz=8.45, eirp_dbw=38, g_over_t_db_per_k=40, required_eb_n0_db=2.5, losses_db=1,
                           rates_mbps=[1.0, 10.0, 45.0])
    spec = CommSpec(name="link", mode="direct_or_relay", data_rate_mbps=100, relay_link_budget=relay,
                    relay_trunk_link_budget=trunk, buffer_gb=100, load="comm")
    comm = CommLink("link", 100e6, 800e9, "comm", 100e6, relay_budget=LinkBudget(26e9, 53.7, 20.1, 2.5, 3.0, 2.0),
                    trunk_budget=LinkBudget(8.45e9, 38.0, 40.0, 2.5, 3.0, 1.0, (1e6, 10e6, 45e6)))
    station = Station(sources=(ConstantSource("fission", 20e3),), loads=(Load("comm", 0.1e3, 2, "comm_link"),),
                      comm=comm)
    note = _link_note(spec, light, build_inputs(station, light, START, 3600.0), {})
    assert (
        " The relay trunk's modem (rates 1, 10, 45 Mbps) ran at 45 Mbps on 50.0%, 10 Mbps on 50.0% of its 2 steps; "
        "no listed rate closes on 0.0% of them."
    ) in note
    assert "relay link's modem" not in note  # the base-to-relay budget has no rate list
