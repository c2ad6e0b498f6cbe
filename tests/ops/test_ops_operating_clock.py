"""Failure clocks on operating time (``clock: operating``).

A unit's time to failure (drawn, in whole steps) counts every step its element is online (``clock: online``),
or only the steps in which its target works (``clock: operating``): a load served, an array lit, a life-support
subsystem while the ECLSS load is served. Checked against each run's own draws and recorded steps: between a
unit's start (or repair) and its failure lie exactly (steps to failure - 1) working steps of its target."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from lunarops.errors import InputError
from lunarops.ops.inputs import LightSeries, build_inputs
from lunarops.ops.lifesupport import LoopClosure
from lunarops.ops.montecarlo import draw_runs, event_log, run_batch, simulate
from lunarops.ops.station import Component, ConstantSource, Delivery, Load, Station

START = np.datetime64("2030-01-01T00:00")
DT = 3600.0
N = 600


def _days(n: int = N, day_h: int = 12) -> LightSeries:
    """Days of ``day_h`` hours lit, then ``24 - day_h`` hours dark (the Sun 1 deg up or down)."""
    lit = (np.arange(n) % 24) < day_h
    return LightSeries(
        np.where(lit, 0.0175, -0.0175), np.zeros(n), lit.astype(float), np.full(n, 1.496e11), np.ones(n, dtype=bool)
    )


def _station(clock: str, when: str = "day", mtbf_h: float = 20.0) -> Station:
    return Station(
        sources=(ConstantSource("reactor", 10e3),),
        loads=(Load("rover", 1e3, when=when),),  # type: ignore[arg-type]
        components=(Component("drive", "rover", 1, mtbf_h=mtbf_h, repair_h=3.0, spares=1000, clock=clock),),  # type: ignore[arg-type]
    )


def _run(station: Station, light: LightSeries, seed: int):  # type: ignore[no-untyped-def]
    """One run's draws and result (its series at every step and its whole event log)."""
    inputs = build_inputs(station, light, START, DT)
    draws = draw_runs(station, inputs, seed=seed, runs=1)
    return draws, simulate(station, inputs, runs=1, seed=seed, record_steps=1, event_capacity=100_000)


def _mean_failures(station: Station, light: LightSeries, runs: int) -> float:
    inputs = build_inputs(station, light, START, DT)
    result = simulate(station, inputs, runs=runs, seed=1, record_steps=24, event_capacity=0)
    return float(result.dataset["run_failures"].mean())


def _intervals(log) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    """(start, failure step) of each of a one-unit component's failures: it starts at 0, then when repaired."""
    starts = [0] + [int(s) for s in log[log["event"] == "repair_done"]["step"]]
    fails = [int(s) for s in log[log["event"] == "failure"]["step"]]
    return list(zip(starts, fails, strict=False))


@pytest.mark.parametrize("clock", ["online", "operating"])
def test_a_unit_fails_after_its_drawn_steps_of_its_clock(clock: str) -> None:
    # a rover by day only (12 h of 24): served in lit steps while its drive works. Each failure k comes after
    # fail_steps[k] - 1 counted steps since the unit started or was repaired (the unit is down for the step in
    # which it fails): all steps with 'online', the steps in which the rover was served with 'operating'
    light = _days()
    n_checked = 0
    for seed in range(1, 9):
        draws, result = _run(_station(clock), light, seed)
        served = result.dataset.isel(run=0)["served_w"].values > 0.0
        steps_to_failure = draws.fail_steps[0, 0]
        intervals = _intervals(result.events)
        assert len(intervals) >= 5  # MTBF 20 h: about 14 failures in 600 h on operating time, 25 on calendar
        for k, (start, fail) in enumerate(intervals):
            counted = fail - start if clock == "online" else int(served[start:fail].sum())
            assert counted == steps_to_failure[k] - 1, (seed, k, start, fail)
            if clock == "operating" and steps_to_failure[k] > 1:
                assert served[fail - 1]  # it fails at the step after its last working step
            n_checked += 1
    assert n_checked >= 40


def test_an_always_served_load_ages_the_same_on_both_clocks() -> None:
    # served every step: operating time is online time, so the same draws give the same run, event for event
    light = _days()
    for seed in (1, 2):
        _, online = _run(_station("online", when="always"), light, seed)
        _, operating = _run(_station("operating", when="always"), light, seed)
        assert len(online.events) > 40
        assert online.events.equals(operating.events)
        np.testing.assert_array_equal(online.dataset["served_w"].values, operating.dataset["served_w"].values)


def test_a_day_only_load_fails_about_half_as_often_on_operating_time() -> None:
    # 12 h of 24 in use. Renewal theory (mean count ~ horizon / mean cycle): a time to failure X ~ Exp(20 h)
    # rounded up to whole steps has E[ceil X] = 1 / (1 - exp(-1/20)) = 20.5 h; the unit works ceil X - 1 steps,
    # then is down 3 steps (the failure step and the repair: 3 h). On calendar time a cycle is 19.5 + 3 = 22.5 h:
    # 600 / 22.5 = 26.7 failures. On operating time a cycle is 19.5 served (lit) steps plus the lit steps lost
    # while down: a failure comes right after a lit step, so its 3 down steps are lit unless night falls (about
    # 2.75 of 3 on 12 h days): 300 lit h / 22.25 = 13.5 failures
    fails_online = _mean_failures(_station("online"), _days(), runs=200)
    fails_operating = _mean_failures(_station("operating"), _days(), runs=200)
    # 200 runs: the standard error of the mean count is about 0.3 failures (spread of a renewal count, about
    # sqrt(count x var(cycle) / mean(cycle)^2) ~ 4.6 per run, / sqrt(200)); bound: 3 standard errors
    assert fails_online == pytest.approx(26.7, abs=1.0)
    assert fails_operating == pytest.approx(13.5, abs=1.0)


def test_life_support_hardware_does_not_age_while_uncrewed() -> None:
    # the water processor works while the ECLSS load is served, i.e. with crew (when: crewed); crew arrive at
    # step 300: on operating time no failure before 300 though the MTBF is 5 h; on calendar time many
    def first_failure(clock: str) -> int:
        station = Station(
            sources=(ConstantSource("reactor", 20e3),),
            loads=(Load("eclss", 1e3, when="crewed", per_crew=True),),
            eclss_load="eclss",
            closure=LoopClosure(),
            deliveries=(Delivery(300 * DT, "crew", 2),),
            components=(Component("wpa", "water_recovery", 1, mtbf_h=5.0, repair_h=1.0, spares=1000, clock=clock),),  # type: ignore[arg-type]
        )
        inputs = build_inputs(station, _days(), START, DT)
        raw = run_batch(inputs, draw_runs(station, inputs, seed=1, runs=1))
        log = event_log(inputs, raw, 0)
        return int(log[log["event"] == "failure"]["step"].iloc[0])

    assert first_failure("online") < 100  # P(no failure in 100 h at MTBF 5 h) = exp(-20)
    assert first_failure("operating") >= 300


def test_operating_clock_needs_the_load_the_subsystem_runs_on() -> None:
    station = Station(
        sources=(ConstantSource("reactor", 20e3),),
        loads=(Load("habitat", 1e3),),
        components=(Component("wpa", "water_recovery", 1, mtbf_h=500.0, repair_h=1.0, clock="operating"),),
    )
    with pytest.raises(InputError, match=r"'wpa'.*life_support.eclss_load is not set.*clock: online"):
        build_inputs(station, _days(), START, DT)
    # with the ECLSS load named it resolves
    build_inputs(replace(station, eclss_load="habitat"), _days(), START, DT)
