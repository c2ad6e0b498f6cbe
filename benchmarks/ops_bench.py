"""Benchmark of the operations engine (numba) against the same model in SimPy (benchmarks/ops_simpy_baseline.py).

Goals on 2 cores (issue 4): one 10-year hourly run <= 0.1 s after compilation; 1,000 Monte Carlo runs <= 10 s;
>= 10x faster than the SimPy baseline on the same scenario, with identical results on a shared seed.
Memory (benchmarks/memory.py): the peak resident memory above the start of the one-year numba runs and of the
one-year SimPy run (the engine keeps hourly records, the SimPy model only its scalars), each after the same
warm-up, with their ratio SimPy / lunarops, and of the Monte Carlo runs (no baseline).
Run: .venv/bin/python benchmarks/ops_bench.py [--years 10] [--runs 1000] (smaller values for a quick check: the
goals apply to the defaults; the SimPy comparison covers the first year, or all of a shorter period).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from memory import PeakMemory, ratio_text, shown_mb
from ops_simpy_baseline import run_simpy

from lunarops.ops import engine
from lunarops.ops.inputs import build_inputs
from lunarops.ops.montecarlo import draw_runs, run_batch, simulate
from lunarops.runner.stages.operations import smooth_sphere_light, station_from_section
from lunarops.scenario import load_scenario


def load_average() -> str:
    """The 1-minute load average (the machine may be shared: timings vary with it)."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10, help="length of the hourly runs [years]")
    parser.add_argument("--runs", type=int, default=1000, help="number of Monte Carlo runs")
    args = parser.parse_args()
    print(f"load average at start: {load_average()}")
    scenario = load_scenario()
    start = datetime(2030, 1, 1, tzinfo=timezone.utc)
    end = datetime(2030 + args.years, 1, 1, tzinfo=timezone.utc)
    span = f"{args.years} year{'s' if args.years != 1 else ''}"
    section = scenario.operations
    light = smooth_sphere_light(-89.45, 222.69, 10.0, 0.0, start, end, 3600.0)
    station = station_from_section(section, start, all_online=True)  # the whole station from the start
    inputs = build_inputs(station, light, np.datetime64("2030-01-01T00:00"), 3600.0)
    print(f"scenario: default ILRS station, {inputs.n_steps} hourly steps ({span}), smooth-sphere light")

    draws = draw_runs(station, inputs, seed=1, runs=1)
    run_batch(inputs, draws)  # compile / load the cache
    times, cpu = [], []
    for _ in range(5):
        t0, c0 = time.perf_counter(), time.process_time()
        run_batch(inputs, draws)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    print(
        f"one {args.years}-year hourly run (engine, hourly records): {min(times) * 1e3:.1f} ms wall, "
        f"{min(cpu) * 1e3:.1f} ms CPU (goal <= 100 ms)"
    )

    simulate(station, inputs, runs=2, seed=1, record_steps=24)  # compile / load the float32-records kernel
    with PeakMemory() as mc_mem:
        t0, c0 = time.perf_counter(), time.process_time()
        result = simulate(station, inputs, runs=args.runs, seed=1, record_steps=24)
        mc, mc_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"{args.runs:,} Monte Carlo runs of {span} (draws + engine + Dataset): {mc:.2f} s wall, {mc_cpu:.2f} s CPU "
        f"(= {mc_cpu / 2:.2f} s on 2 idle cores; goal <= 10 s); "
        f"P(unserved) = {result.summary['probability_any_unserved_energy']:.3f}; load average {load_average()}"
    )
    print(f"peak memory of the {args.runs:,} Monte Carlo runs: lunarops {shown_mb(mc_mem.peak_mb)} (no baseline)")

    # SimPy baseline: the first year, same inputs and draws; the baseline models failure clocks on calendar time
    # (clock: online), so the comparison runs every component on that clock
    station = replace(station, components=tuple(replace(c, clock="online") for c in station.components))
    year = build_inputs(
        station,
        type(light)(
            *(
                getattr(light, f)[:8766]
                for f in (
                    "sun_elevation_rad",
                    "sun_azimuth_rad",
                    "sun_visible_fraction",
                    "sun_distance_m",
                    "earth_visible",
                )
            )
        ),
        np.datetime64("2030-01-01T00:00"),
        3600.0,
    )
    yd = draw_runs(station, year, seed=1, runs=1)
    raw = run_batch(year, yd)
    with PeakMemory() as numba_mem:
        t0 = time.perf_counter()
        for _ in range(10):
            raw = run_batch(year, yd)
        numba_s = (time.perf_counter() - t0) / 10
    with PeakMemory() as simpy_mem:
        t0 = time.perf_counter()
        base = run_simpy(year, yd)
        simpy_s = time.perf_counter() - t0
    print(
        f"one year ({year.n_steps} hourly steps): numba {numba_s * 1e3:.2f} ms, SimPy {simpy_s * 1e3:.0f} ms: "
        f"ratio {simpy_s / numba_s:.0f}x (goal >= 10x)"
    )
    print(
        f"peak memory of the year: lunarops {shown_mb(numba_mem.peak_mb)}, SimPy {shown_mb(simpy_mem.peak_mb)}, "
        f"ratio SimPy / lunarops {ratio_text(simpy_mem.peak_mb, numba_mem.peak_mb)}"
    )
    worst = 0.0
    for k, name in enumerate(engine.SCALAR_VARS):
        if name in ("events", "max_energy_residual_j"):
            continue
        a, b = float(raw.scalars[0, k]), float(base[name])
        rel = 0.0 if a == b else abs(a - b) / max(abs(a), abs(b), 1e-300)
        worst = max(worst, rel)
        if rel > 1e-12:
            print(f"  differs: {name}: numba {a!r} SimPy {b!r}")
    print(
        f"same seed, same results: largest relative difference {worst:.2e} over {len(engine.SCALAR_VARS) - 2} scalars"
    )


if __name__ == "__main__":
    main()
