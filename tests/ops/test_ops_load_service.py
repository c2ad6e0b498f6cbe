"""Per-load service over the Monte Carlo runs: hours scheduled and shed, energy asked and served, data made."""

from __future__ import annotations

import numpy as np
import pytest

from lunarops.ops.inputs import LightSeries, build_inputs
from lunarops.ops.montecarlo import load_table, simulate
from lunarops.ops.station import ConstantSource, Load, Station

HOURS = 48


def _light(sun_up: np.ndarray) -> LightSeries:
    n = sun_up.size
    return LightSeries(np.where(sun_up, 0.2, -0.2), np.zeros(n), sun_up.astype(float), np.full(n, 1.496e11),
                       np.zeros(n, dtype=bool))


def _three_loads() -> Station:
    """4 kW from a constant source, no storage: an essential 3 kW load, a 2 kW science load (priority 5, shed
    first: it does not fit), a 1 kW day-only camera making 10 Mbit/s (fits beside the 3 kW)."""
    return Station(
        sources=(ConstantSource("source", 4e3),),
        loads=(
            Load("essential", 3e3, priority=1),
            Load("science", 2e3, priority=5),
            Load("camera", 1e3, priority=2, when="day", data_rate_bps=10e6),
        ),
    )


def test_scheduled_shed_served_and_data_by_hand() -> None:
    # 4 kW from a constant source, no storage: the essential 3 kW load is served; the 2 kW science load
    # (priority 5, shed first) does not fit and is shed every hour; the 1 kW camera, scheduled by day (the first
    # 12 h of each day) and making 10 Mbit/s, fits beside the 3 kW. By hand over 48 h: essential 48 h scheduled,
    # 48 x 3 kWh = 144 kWh served; science 48 h scheduled and shed, 0 served of 96 kWh asked; camera 24 h
    # scheduled, 24 kWh served, 24 x 3600 s x 10 Mbit/s = 0.864 Tbit = 0.108 TB made.
    sun_up = (np.arange(HOURS) % 24) < 12
    station = _three_loads()
    inputs = build_inputs(station, _light(sun_up), np.datetime64("2030-01-01T00:00"), 3600.0)
    table = load_table(simulate(station, inputs, runs=3, seed=1).dataset).set_index("load")
    assert table.loc["essential", "scheduled_h_mean"] == 48.0
    assert table.loc["essential", "served_mwh_mean"] == pytest.approx(0.144, abs=1e-12)
    assert table.loc["essential", "shed_share_mean"] == 0.0
    assert table.loc["science", "scheduled_h_mean"] == 48.0
    assert table.loc["science", "shed_share_mean"] == 1.0
    assert table.loc["science", "served_energy_share_mean"] == 0.0
    assert table.loc["camera", "scheduled_h_mean"] == 24.0
    assert table.loc["camera", "served_energy_share_p05"] == 1.0
    assert table.loc["camera", "data_made_tb_mean"] == pytest.approx(0.108, abs=1e-12)


def test_a_load_before_it_is_online_is_not_scheduled() -> None:
    # online at hour 10 of 48: 38 h scheduled (by hand); never-scheduled loads have no shares ("-", NaN)
    station = Station(
        sources=(ConstantSource("source", 4e3),),
        loads=(Load("late", 1e3, online_s=10 * 3600.0), Load("never", 1e3, online_s=1e9)),
    )
    inputs = build_inputs(station, _light(np.ones(HOURS, dtype=bool)), np.datetime64("2030-01-01T00:00"), 3600.0)
    table = load_table(simulate(station, inputs, runs=2, seed=1).dataset).set_index("load")
    assert table.loc["late", "scheduled_h_mean"] == 38.0
    assert table.loc["late", "served_mwh_mean"] == pytest.approx(0.038, abs=1e-12)
    assert table.loc["never", "scheduled_h_mean"] == 0.0
    assert np.isnan(table.loc["never", "served_energy_share_mean"])


def test_loads_that_fit_after_a_large_one_is_shed_come_back() -> None:
    # 4 kW, no storage; asked: habitat 6 kW and heaters 3 kW (priority 1, heaters listed last: shed first of the
    # two), comms 0.5 kW (2), telescope 0.8 kW (5). Shedding telescope, comms, heaters leaves 6 kW > 4 kW, so the
    # habitat goes too; then what fits in 4 kW comes back, most essential first: heaters (3 kW), comms (3.5 kW);
    # the telescope would make 4.3 kW and stays off. By hand: served 3.5 kW, unserved 6.8 kW every hour, and a
    # brownout (the habitat, priority 1, is unserved); with no storage the 0.5 kW left over is curtailed
    station = Station(
        sources=(ConstantSource("source", 4e3),),
        loads=(
            Load("habitat", 6e3, priority=1),
            Load("heaters", 3e3, priority=1),
            Load("comms", 0.5e3, priority=2),
            Load("telescope", 0.8e3, priority=5),
        ),
    )
    sun_up = np.zeros(HOURS, dtype=bool)
    inputs = build_inputs(station, _light(sun_up), np.datetime64("2030-01-01T00:00"), 3600.0)
    result = simulate(station, inputs, runs=1, seed=1, record_steps=1)
    ds = result.dataset.isel(run=0)
    np.testing.assert_allclose(ds["served_w"].values, 3.5e3, rtol=1e-12)
    np.testing.assert_allclose(ds["unserved_w"].values, 6.8e3, rtol=1e-12)
    np.testing.assert_allclose(ds["curtailed_w"].values, 0.5e3, rtol=1e-12)
    assert float(ds["run_brownout_h"].values) == HOURS
    # the energy balance in the summary, by hand: 4 kW x 48 h generated, 3.5 kW served, 0.5 kW curtailed [MWh]
    assert result.summary["generated_mwh_p50"] == pytest.approx(0.192, abs=1e-12)
    assert result.summary["served_mwh_p50"] == pytest.approx(0.168, abs=1e-12)
    assert result.summary["curtailed_mwh_p50"] == pytest.approx(0.024, abs=1e-12)
    assert result.summary["storage_losses_mwh_p50"] == 0.0
    table = load_table(result.dataset).set_index("load")
    assert table.loc["heaters", "shed_share_mean"] == 0.0
    assert table.loc["comms", "shed_share_mean"] == 0.0
    assert table.loc["habitat", "shed_share_mean"] == 1.0
    assert table.loc["telescope", "shed_share_mean"] == 1.0


def test_a_load_with_several_conditions_runs_when_all_hold() -> None:
    # `when: [night, earth_hidden]` (radio-quiet observing): night = steps 12-23 of each day (_light), Earth
    # hidden = the first 30 h of the 48 (a hand-made visibility series). By hand: night and Earth hidden = steps
    # 12-23 (12 h); day 2's night (36-47) has the Earth up: 12 h scheduled in all, against 24 h of night
    sun_up = (np.arange(HOURS) % 24) < 12
    earth_up = np.arange(HOURS) >= 30
    light = LightSeries(np.where(sun_up, 0.2, -0.2), np.zeros(HOURS), sun_up.astype(float),
                        np.full(HOURS, 1.496e11), earth_up)
    station = Station(
        sources=(ConstantSource("source", 4e3),),
        loads=(Load("radio", 1e3, priority=5, when=("night", "earth_hidden")), Load("optical", 1e3, when="night")),
    )
    inputs = build_inputs(station, light, np.datetime64("2030-01-01T00:00"), 3600.0)
    table = load_table(simulate(station, inputs, runs=1, seed=1).dataset).set_index("load")
    assert table.loc["radio", "scheduled_h_mean"] == 12.0
    assert table.loc["optical", "scheduled_h_mean"] == 24.0
    expected = np.where(~sun_up & ~earth_up, 1e3, 0.0)
    np.testing.assert_array_equal(inputs.demand_w[0], expected)


def test_service_by_calendar_year() -> None:
    # 48 hourly steps from 2030-12-31 12:00 UTC: 12 in 2030, 36 in 2031. A 1 kW camera (day = first 12 h of
    # each 24 h of the series: steps 0-11 fall in 2030, 24-35 in 2031) and a 2 kW load that does not fit beside
    # the 3 kW essential one on 4 kW (shed every hour). By hand, per year: camera 12 h / 12 kWh in each; science
    # 12 h and 36 h scheduled, all shed, 0 served; the yearly values add up to the run's totals
    from lunarops.ops.montecarlo import load_year_table

    sun_up = (np.arange(HOURS) % 24) < 12
    station = _three_loads()
    inputs = build_inputs(station, _light(sun_up), np.datetime64("2030-12-31T12:00"), 3600.0)
    assert inputs.years == (2030, 2031)
    ds = simulate(station, inputs, runs=2, seed=1).dataset
    table = load_year_table(ds).set_index(["load", "year"])
    assert table.loc[("camera", 2030), "scheduled_h_mean"] == 12.0
    assert table.loc[("camera", 2031), "scheduled_h_mean"] == 12.0
    assert table.loc[("camera", 2031), "served_mwh_mean"] == pytest.approx(0.012, abs=1e-12)
    assert table.loc[("camera", 2030), "data_made_tb_mean"] == pytest.approx(12 * 3600 * 10e6 / 8e12, rel=1e-12)
    assert table.loc[("science", 2030), "shed_h_mean"] == 12.0
    assert table.loc[("science", 2031), "shed_h_mean"] == 36.0
    assert table.loc[("science", 2031), "served_mwh_mean"] == 0.0
    np.testing.assert_allclose(ds["load_year_served_j"].sum("year"), ds["load_served_j"], rtol=1e-12)


def test_service_by_year_with_steps_longer_than_a_year() -> None:
    # review of session 15: 3 steps of 800 days from 2030-07-01 fall in 2030, 2032 and 2034; the years between
    # hold no step and get 0 (they had the running total subtracted). By hand: 19,200 h (800 d) in 2030, 2032, 2034
    from lunarops.ops.montecarlo import load_year_table

    station = Station(sources=(ConstantSource("s", 4e3),), loads=(Load("ess", 3e3, priority=1),))
    inputs = build_inputs(station, _light(np.zeros(3, dtype=bool)), np.datetime64("2030-07-01T00:00"), 800 * 86400.0)
    assert inputs.years == (2030, 2031, 2032, 2033, 2034)
    ds = simulate(station, inputs, runs=2, seed=1).dataset
    np.testing.assert_array_equal(ds["load_year_scheduled_h"].values[0, 0], [19200.0, 0.0, 19200.0, 0.0, 19200.0])
    assert list(load_year_table(ds)["year"]) == [2030, 2032, 2034]


def test_service_by_calendar_month() -> None:
    # the same 48 steps from 2030-12-31 12:00 UTC fall in 2030-12 (12) and 2031-01 (36): by month the hand count
    # is the year's (camera 12 h in each; science 12 h and 36 h shed); the months add up to the years and totals
    from lunarops.ops.montecarlo import load_month_table

    sun_up = (np.arange(HOURS) % 24) < 12
    station = _three_loads()
    inputs = build_inputs(station, _light(sun_up), np.datetime64("2030-12-31T12:00"), 3600.0)
    assert inputs.months == ("2030-12", "2031-01")
    ds = simulate(station, inputs, runs=2, seed=1).dataset
    table = load_month_table(ds).set_index(["load", "month"])
    assert table.loc[("camera", "2030-12"), "scheduled_h_mean"] == 12.0
    assert table.loc[("camera", "2031-01"), "scheduled_h_mean"] == 12.0
    assert table.loc[("science", "2030-12"), "shed_h_mean"] == 12.0
    assert table.loc[("science", "2031-01"), "shed_h_mean"] == 36.0
    np.testing.assert_array_equal(ds["load_month_served_j"].values, ds["load_year_served_j"].values)
    np.testing.assert_allclose(ds["load_month_data_bits"].sum("month"), ds["load_data_bits"], rtol=1e-12)


def test_service_by_month_over_a_year_with_a_gap_month() -> None:
    # hourly over 2030-01-15 .. 2031-02-10 with the camera's day the first 12 h of every 24: each calendar month's
    # scheduled hours are 12 per day the month has inside the span (an independent count by pandas); steps of
    # 50 days skip a month, which holds 0 (the running total is not subtracted twice)
    import pandas as pd

    from lunarops.ops.montecarlo import load_month_table

    start = np.datetime64("2030-01-15T00:00")
    n = int((np.datetime64("2031-02-10T00:00") - start) / np.timedelta64(1, "h"))
    sun_up = (np.arange(n) % 24) < 12
    station = Station(sources=(ConstantSource("s", 4e3),), loads=(Load("camera", 1e3, when="day"),))
    ds = simulate(station, build_inputs(station, _light(sun_up), start, 3600.0), runs=1, seed=1).dataset
    times = pd.date_range("2030-01-15", periods=n, freq="h")
    expected = pd.Series(sun_up.astype(float), index=times).groupby(times.strftime("%Y-%m")).sum()
    table = load_month_table(ds).set_index("month")
    assert list(table.index) == list(expected.index)  # 2030-01 .. 2031-02, 14 months
    np.testing.assert_array_equal(table["scheduled_h_mean"].values, expected.values)
    coarse = Station(sources=(ConstantSource("s", 4e3),), loads=(Load("ess", 1e3),))
    inputs = build_inputs(coarse, _light(np.zeros(3, dtype=bool)), np.datetime64("2030-01-01T00:00"), 50 * 86400.0)
    assert inputs.months == ("2030-01", "2030-02", "2030-03", "2030-04")
    hours = simulate(coarse, inputs, runs=1, seed=1).dataset["load_month_scheduled_h"].values[0, 0]
    np.testing.assert_array_equal(hours, [1200.0, 1200.0, 0.0, 1200.0])  # steps on Jan 1, Feb 20, Apr 11


def test_data_by_month_adds_up_to_the_run_totals() -> None:
    # the relay comm test's 10 steps repeated over 2 months of hourly steps: each month's returned and relayed
    # data are differences of running totals, so the months add up to the runs' totals (means over the runs)
    from lunarops.ops.montecarlo import data_month_table
    from lunarops.ops.station import CommLink

    n = 59 * 24  # 2030-01-01 .. 2030-03-01
    earth = (np.arange(n) % 10) < 4
    relay = (np.arange(n) % 10) >= 6
    light = LightSeries(np.full(n, 0.1), np.zeros(n), np.ones(n), np.full(n, 1.496e11), earth, relay_visible=relay)
    station = Station(
        sources=(ConstantSource("s", 20e3),),
        loads=(Load("science", 1e3, 5, data_rate_bps=2e6), Load("comm", 0.1e3, 2, "comm_link")),
        comm=CommLink("link", 1e6, 1e13, "comm", 0.5e6),
    )
    ds = simulate(station, build_inputs(station, light, np.datetime64("2030-01-01T00:00"), 3600.0), runs=2,
                  seed=1, record_steps=24).dataset
    table = data_month_table(ds)
    assert list(table["month"]) == ["2030-01", "2030-02"]
    # the records are float32 (1e-7 relative), the run totals float64
    assert table["returned_tb_mean"].sum() == pytest.approx(float(ds["run_data_returned_bits"].mean()) / 8e12, rel=1e-6)
    assert table["relayed_tb_mean"].sum() == pytest.approx(float(ds["run_data_relayed_bits"].mean()) / 8e12, rel=1e-6)
    # by hand: January's 744 steps, 4 in 10 direct at 1 Mbit/s, 4 in 10 (steps 6-9) relayed at 0.5 Mbit/s
    direct = np.count_nonzero(earth[:744]) * 3600 * 1e6
    relayed = np.count_nonzero(relay[:744] & ~earth[:744]) * 3600 * 0.5e6
    assert table["relayed_tb_mean"][0] == pytest.approx(relayed / 8e12, rel=1e-6)
    assert table["returned_tb_mean"][0] == pytest.approx((direct + relayed) / 8e12, rel=1e-6)


def test_storage_by_month_is_each_runs_monthly_minimum() -> None:
    # 3 runs of daily records over 2030-01-01 .. 2030-02-28: run r's storage is 0.9 - 0.1 r except one dip to
    # 0.2 + 0.1 r on January 10 and to 0.5 on February 3. By hand: January minima 0.2, 0.3, 0.4; February 0.5,
    # 0.5, 0.5 (run 0's 0.9 and the dip: 0.5; run 1: 0.8 vs 0.5; run 2: 0.7 vs 0.5); numpy's linear percentiles:
    # January p50 0.3, p05 0.2 + 0.1 x 0.1 = 0.21
    import pandas as pd
    import xarray as xr

    from lunarops.ops.montecarlo import storage_month_table

    days = pd.date_range("2030-01-01", "2030-02-28", freq="D")
    values = np.array([np.full(days.size, 0.9 - 0.1 * r) for r in range(3)])
    values[:, 9] = [0.2, 0.3, 0.4]
    values[:, 33] = 0.5
    ds = xr.Dataset({"storage_fraction": (("run", "time"), values)}, coords={"time": days.values})
    table = storage_month_table(ds).set_index("month")
    assert list(table.index) == ["2030-01", "2030-02"]
    assert table.loc["2030-01", "min_storage_fraction_p50"] == pytest.approx(0.3, abs=1e-12)
    assert table.loc["2030-01", "min_storage_fraction_p05"] == pytest.approx(0.21, abs=1e-12)
    assert table.loc["2030-02", "min_storage_fraction_p05"] == pytest.approx(0.5, abs=1e-12)


def test_every_schedule_word_has_a_gate() -> None:
    # one list of words (lunarops.schedules) for the schema and the engine: a load on each word builds (a word
    # without a gate was a KeyError at run time); `always` is scheduled every step, `day` the sun-up ones
    from lunarops.schedules import WHEN_WORDS

    sun_up = (np.arange(HOURS) % 24) < 12
    station = Station(
        sources=(ConstantSource("source", 40e3),),
        loads=tuple(Load(f"load {word}", 1e3, 2, word) for word in WHEN_WORDS),  # type: ignore[arg-type]
    )
    inputs = build_inputs(station, _light(sun_up), np.datetime64("2030-01-01T00:00"), 3600.0)
    scheduled = dict(zip(WHEN_WORDS, (inputs.demand_w > 0).sum(axis=1), strict=True))
    assert scheduled["always"] == HOURS and scheduled["day"] == 24 and scheduled["night"] == 24
