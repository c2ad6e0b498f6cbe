"""Benchmark: horizons of a map window on a large polar grid (a script, not a test).

The higher-resolution LOLA polar products (``lunarops data fetch``: LDEM_75S_240M is 3812 x 3812 cells, the
80 m and 40 m products about 7600 x 7600) give map windows whose horizons (1.44 kB per cell at 360 azimuths)
no longer fit in memory at once. ``lunarops.illumination.maps.horizon_tiles`` then sweeps bands of rows that fit
``sweep_horizon_bytes()`` (half the memory available) instead of ray casting each tile (each band sweeps the lines
that cross it, so K bands cost about (K + 1) / 2 sweeps of the window).

Grid: the shipped south DEM's +-609.6 km square resampled bilinearly to ``--grid`` cells a side (default 3812,
the 240 m product's size; the terrain is the 1.6 km DEM's, so there are fewer bulge points than on real 240 m
terrain). Window: ``--window`` cells a side around the pole (default 1700: 2.9 M cells, 4.2 GB of horizons).
Timed, each in a fresh process after compiling the kernels on the shipped DEM:
  - ``auto``: ``horizon_tiles`` over the window in auto mode (the line sweep, in bands of half the memory
    available), every tile consumed;
  - ``bands``: the same with bands of at most ``--band-gb`` GB of horizons (default 2: two bands);
  - ``ray cast``: the fallback before (``"fast"`` per tile), on ``--ray-rows`` rows spread over the window,
    scaled to the window;
  - ``one band``: one sweep of the whole window's lines for a single band (the cost of a band).
Reported: wall and CPU seconds, per 1 M cells, peak resident memory, and the ratio ray cast / bands.

Usage: python benchmarks/large_grid_bench.py [--grid 3812] [--window 1700] [--ray-rows 3] [--band-gb 2]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np


def resampled_south(n: int):  # type: ignore[no-untyped-def]
    """The south DEM's square resampled bilinearly to n x n cells (in row blocks, to bound memory)."""
    from lunarops.terrain import Dem, PolarStereographic, load_dem
    from lunarops.terrain.dem import bilinear

    south = load_dem("south")
    geo = south.georeference
    assert isinstance(geo, PolarStereographic)
    px = 2 * 609_600.0 / n
    centres = -609_600.0 + (np.arange(n) + 0.5) * px
    h = np.empty((n, n), np.float32)
    last = south.shape[0] - 1
    for r0 in range(0, n, 512):
        x, y = np.meshgrid(centres, -centres[r0 : r0 + 512])
        row, col = geo.xy_to_rowcol(x, y)
        h[r0 : r0 + 512] = bilinear(south.heights_m, np.clip(row, 0, last), np.clip(col, 0, last), False)
    return Dem(h, PolarStereographic(True, -609_600.0, 609_600.0, px, px), f"south-{n}"), south


def run_case(case: str, grid: int, window: int, ray_rows: int, band_gb: float) -> dict[str, float | str]:
    import lunarops.illumination.maps as maps
    from lunarops.terrain import horizon_map

    band_bytes = int(band_gb * 1024**3)
    if case != "auto":
        maps.sweep_horizon_bytes = lambda: band_bytes  # type: ignore[assignment]

    dem, south = resampled_south(grid)
    horizon_map(south, 0.0, 360, window=(370, 470, 370, 470), mode="sweep")  # compile / load the cache
    horizon_map(south, 0.0, 360, window=(370, 371, 370, 470), mode="fast")
    r0 = c0 = grid // 2 - window // 2
    win = (r0, r0 + window, c0, c0 + window)
    band_rows = min(window, maps.sweep_horizon_bytes() // (window * 360 * 4))
    t0, cpu0 = time.perf_counter(), time.process_time()
    if case in ("auto", "bands"):
        cells = 0
        for _start, _stop, h, _ in maps.horizon_tiles(dem, 0.0, 360, None, win, 32):
            cells += h.shape[0]
    elif case == "one band":
        horizon_map(dem, 0.0, 360, None, (r0, r0 + band_rows, c0, c0 + window), "sweep")
        cells = band_rows * window
    else:
        cells = 0
        for r in np.linspace(r0, r0 + window - 1, ray_rows).astype(int):
            horizon_map(dem, 0.0, 360, None, (int(r), int(r) + 1, c0, c0 + window), "fast")
            cells += window
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    scale = 1.0 if case == "one band" else window * window / cells  # one band: its own time
    return {
        "case": case,
        "cells_computed": cells,
        "wall_s_window": wall * scale,
        "cpu_s_window": cpu * scale,
        "wall_s_per_1m_cells": wall / cells * 1e6,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "band_rows": band_rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=3812)
    parser.add_argument("--window", type=int, default=1700)
    parser.add_argument("--ray-rows", type=int, default=3)
    parser.add_argument("--band-gb", type=float, default=2.0)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.grid, args.window, args.ray_rows, args.band_gb)))
        return
    results = {}
    for case in ("one band", "bands", "auto", "ray cast"):
        cmd = [sys.executable, __file__, "--case", case, "--grid", str(args.grid), "--window", str(args.window),
               "--ray-rows", str(args.ray_rows), "--band-gb", str(args.band_gb)]  # fmt: skip
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        results[case] = json.loads(out.strip().splitlines()[-1])
        r = results[case]
        side = args.window
        what = f"{r['band_rows']} x {side} band" if case == "one band" else f"{side} x {side} window"
        scaled = case == "ray cast" and r["cells_computed"] < args.window**2
        note = f" (scaled from {r['cells_computed']:,} cells)" if scaled else ""
        print(
            f"{case:9s} {r['wall_s_window']:8.1f} s wall, {r['cpu_s_window']:8.1f} s CPU for the {what}, "
            f"{r['wall_s_per_1m_cells']:6.1f} s per 1 M cells, peak RSS {r['peak_rss_mb']:,.0f} MB{note}"
        )
    for case in ("bands", "auto"):
        ratio = results["ray cast"]["wall_s_window"] / results[case]["wall_s_window"]
        rows = results[case]["band_rows"]
        print(f"grid {args.grid} x {args.grid}, {case}, bands of {rows} rows: ray cast / {case} = {ratio:.1f}x")


if __name__ == "__main__":
    main()
