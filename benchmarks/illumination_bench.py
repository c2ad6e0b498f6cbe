"""Benchmark: a year of hourly Sun light over map cells (lunarops.illumination.functions.sun_map_kernel).

Goal (issue 3): 8,760 hourly Sun directions over 1,000,000 cells in <= 5 s on 2 cores.
Baseline: the same computation in plain numpy over (cell, time) arrays (``sun_map_numpy_baseline``), run on a
subset and scaled per cell-sample.

Cells: positions spread uniformly over the south polar DEM's square (+-609.6 km, 70-90 S) like a full map;
horizons: real LOLA horizons (lunarops.terrain.horizon_map) of two 40 x 40 windows (near the pole and near
80 S) assigned to the cells at random (the kernel's cost depends on the horizon/Sun geometry, not on which
cell a horizon came from). Horizon computation itself is benchmarked in benchmarks/horizon_bench.py.

Reported: wall and CPU time of the kernel calls (CPU summed over numba's threads; the machine may be shared, so
the load average before and after is printed too), and the differences to the numpy baseline in percent of time.
Memory (benchmarks/memory.py, each after the same warm-up): the peak resident memory above the start of the kernel
over all cells in chunks (with each chunk's input copies; the cells' arrays made before are not counted) and, as
memory does not scale with cells like time, of the kernel and of the numpy baseline each on the baseline's cells,
with their ratio numpy / lunarops.

Run: python benchmarks/illumination_bench.py [--cells 1000000] [--baseline-cells 2000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from memory import PeakMemory, ratio_text, shown_mb

from lunarops.ephemeris import default_ephemeris
from lunarops.illumination.functions import local_basis_me, sun_map_kernel, sun_map_numpy_baseline
from lunarops.illumination.maps import sun_directions_me
from lunarops.illumination.timegrid import period_times
from lunarops.terrain import horizon_map, load_dem


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=1_000_000)
    parser.add_argument("--baseline-cells", type=int, default=2_000)
    parser.add_argument("--chunk", type=int, default=100_000)
    args = parser.parse_args()

    t = period_times("2031-01-01", "2032-01-01", 3600.0)
    sun, radius = sun_directions_me(t, default_ephemeris())
    dem = load_dem("south")
    started = time.perf_counter()
    real = np.concatenate([
        horizon_map(dem, 0.0, window=(361, 401, 361, 401)).reshape(-1, 360),
        horizon_map(dem, 0.0, window=(100, 140, 361, 401)).reshape(-1, 360),
    ])
    print(f"real horizons: {real.shape[0]} cells in {time.perf_counter() - started:.1f} s (not part of the timing)")

    rng = np.random.default_rng(42)
    x, y = rng.uniform(-609_600.0, 609_600.0, (2, args.cells))
    colat = 2.0 * np.arctan(np.hypot(x, y) / (2.0 * 1_737_400.0))
    lat = -np.pi / 2 + colat
    lon = np.arctan2(x, y)
    up, east, north = local_basis_me(lat, lon)
    pick = rng.integers(0, real.shape[0], args.cells)

    sun_map_kernel(real[:8], up[:8], east[:8], north[:8], sun, radius)  # compile / load cache
    load_before = os.getloadavg()
    kernel_s = 0.0
    kernel_cpu_s = 0.0
    mean_lit = 0.0
    with PeakMemory() as kernel_mem:
        for start in range(0, args.cells, args.chunk):
            stop = min(start + args.chunk, args.cells)
            h = np.ascontiguousarray(real[pick[start:stop]])
            u, e, n = (np.ascontiguousarray(a[start:stop]) for a in (up, east, north))
            t0 = time.perf_counter()
            c0 = time.process_time()
            disk, _, _ = sun_map_kernel(h, u, e, n, sun, radius)
            kernel_cpu_s += time.process_time() - c0
            kernel_s += time.perf_counter() - t0
            mean_lit += float(disk.sum())
    m = args.baseline_cells
    with PeakMemory() as base_mem:
        t0 = time.perf_counter()
        base = sun_map_numpy_baseline(np.ascontiguousarray(real[pick[:m]]), up[:m], east[:m], north[:m], sun, radius)
        baseline_s = (time.perf_counter() - t0) * args.cells / m
    load_after = os.getloadavg()
    with PeakMemory() as check_mem:
        check, _, _ = sun_map_kernel(np.ascontiguousarray(real[pick[:m]]), up[:m], east[:m], north[:m], sun, radius)
    samples = args.cells * sun.shape[0]
    print(f"cells {args.cells:,} x hourly samples {sun.shape[0]:,} = {samples:.3g} cell-samples, "
          f"numba threads {numba.get_num_threads()}")
    print(f"numba kernel:           {kernel_s:8.2f} s  ({kernel_s / samples * 1e9:.2f} ns per cell-sample), "
          f"CPU {kernel_cpu_s:.2f} s")
    print("load average (1, 5, 15 min) before: {:.2f} {:.2f} {:.2f}, after: {:.2f} {:.2f} {:.2f}".format(
        *load_before, *load_after))
    print(f"numpy baseline (scaled): {baseline_s:8.2f} s  (measured on {m:,} cells)")
    print(f"ratio numpy / numba:    {baseline_s / kernel_s:8.1f}x")
    print(f"peak memory on {m:,} cells: lunarops {shown_mb(check_mem.peak_mb)}, numpy {shown_mb(base_mem.peak_mb)}, "
          f"ratio numpy / lunarops {ratio_text(base_mem.peak_mb, check_mem.peak_mb)}")
    print(f"peak memory on {args.cells:,} cells (chunks of {args.chunk:,}): lunarops {shown_mb(kernel_mem.peak_mb)}")
    print(f"goal 1 M cells x 1 yr hourly <= 5 s: {kernel_s * 1_000_000 / args.cells:.2f} s per 1 M cells")
    diff = np.abs(check - base) * 100.0
    print(f"|kernel - numpy| on the baseline cells: max {diff.max():.2e} %, mean {diff.mean():.2e} % of time; "
          f"mean lit fraction {mean_lit / args.cells:.3f}")


if __name__ == "__main__":
    main()
