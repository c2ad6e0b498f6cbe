"""Benchmark of lunarops horizon maps (a script, not a test).

Cases (360 azimuths, observer on the ground, default min distance one pixel, rays over the whole DEM):
  1. the shipped south DEM, 762 x 762 cells at 1600 m;
  2. a 1000 x 1000 grid: the same +-609.6 km square resampled (bilinear) to 1219.2 m cells.
Each in "fast" and "accurate" mode. Baselines:
  - the brute-force reference ray caster of tests/terrain/test_terrain_horizon.py (uniform fine steps, exact
    spherical trigonometry, scipy bilinear), timed on a few cells and scaled per cell;
  - HORAYZON_extpar (Embree ray tracing) when it is installed in the running interpreter.
By default a sample of rows (spread over the grid) is computed and the time is scaled to the whole grid
(the printed numbers say so); ``--full`` computes every cell. Goals (issue 3): 1 M cells x 360 azimuths in
<= 5 s (fast) and <= 15 s (accurate) on 2 cores.

Usage: python benchmarks/horizon_bench.py [--rows 6] [--full] [--reference-cells 3] [--threads N]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

import numba
import numpy as np

from lunarops.terrain import Dem, PolarStereographic, azimuth_grid_rad, horizon_map, load_dem
from lunarops.terrain.dem import bilinear

REPO = Path(__file__).resolve().parents[1]


def _reference_module():  # type: ignore[no-untyped-def]
    path = REPO / "tests" / "terrain" / "test_terrain_horizon.py"
    spec = importlib.util.spec_from_file_location("horizon_reference", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def grid_1000(south: Dem) -> Dem:
    """The south DEM's square resampled bilinearly to 1000 x 1000 cells."""
    geo = south.georeference
    assert isinstance(geo, PolarStereographic)
    n = 1000
    px = 2 * 609_600.0 / n
    new = PolarStereographic(True, -609_600.0, 609_600.0, px, px)
    centres = -609_600.0 + (np.arange(n) + 0.5) * px
    x, y = np.meshgrid(centres, -centres)
    row, col = geo.xy_to_rowcol(x, y)
    h = bilinear(south.heights_m, np.clip(row, 0, 761), np.clip(col, 0, 761), False)
    return Dem(h.astype(np.float32), new, "south-1000")


def time_map(dem: Dem, mode: str, rows: int, full: bool) -> tuple[float, int]:
    """Seconds for the sampled rows (or the full grid) and the number of cells computed."""
    ny, nx = dem.shape
    picks = range(ny) if full else np.linspace(0, ny - 1, rows).astype(int)
    t0 = time.perf_counter()
    cells = 0
    if full:
        horizon_map(dem, mode=mode)
        cells = ny * nx
    else:
        for r in picks:
            horizon_map(dem, mode=mode, window=(int(r), int(r) + 1, 0, nx))
            cells += nx
    return time.perf_counter() - t0, cells


def time_reference(dem: Dem, n_cells: int) -> float:
    """Seconds per cell of the brute-force reference (360 azimuths, whole-DEM rays)."""
    ref = _reference_module()
    ny, nx = dem.shape
    rng = np.random.default_rng(1)
    az = azimuth_grid_rad(360)
    t0 = time.perf_counter()
    for _ in range(n_cells):
        r, c = int(rng.integers(ny // 4, 3 * ny // 4)), int(rng.integers(nx // 4, 3 * nx // 4))
        lat, lon = dem.rowcol_to_latlon(r, c)
        # rays limited to the distance to the nearest DEM edge, which the reference requires
        edge_px = min(r, c, ny - 1 - r, nx - 1 - c)
        ref.reference_horizon_deg(dem, float(lat), float(lon), 0.0, az, dem.pixel_size_m, edge_px * dem.pixel_size_m)
    return (time.perf_counter() - t0) / n_cells


def horayzon_status() -> str:
    if importlib.util.find_spec("horayzon_extpar") is None and importlib.util.find_spec("horayzon") is None:
        return "not installed in this interpreter (see docs/terrain.md for the install attempt)"
    return "installed, but no adapter for its ICON-grid interface is written here (see docs/terrain.md)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=6, help="rows sampled per grid (scaled to the whole grid)")
    parser.add_argument("--full", action="store_true", help="compute every cell (slow)")
    parser.add_argument("--reference-cells", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.threads:
        numba.set_num_threads(args.threads)
    south = load_dem("south")
    horizon_map(south, window=(380, 381, 380, 381))  # compile / load the numba cache outside the timings
    results = []
    ref_s_per_cell = time_reference(south, args.reference_cells)
    for dem in (south, grid_1000(south)):
        ny, nx = dem.shape
        for mode in ("fast", "accurate"):
            seconds, cells = time_map(dem, mode, args.rows, args.full)
            per_cell = seconds / cells
            whole = per_cell * ny * nx
            per_million = per_cell * 1e6
            goal = 5.0 if mode == "fast" else 15.0
            results.append(
                {
                    "grid": f"{dem.name} {ny}x{nx}",
                    "mode": mode,
                    "cells_timed": cells,
                    "scaled": not args.full,
                    "s_whole_grid": round(whole, 1),
                    "s_per_1M_cells": round(per_million, 1),
                    "goal_s_per_1M": goal,
                    "ratio_to_goal": round(per_million / goal, 1),
                    "speedup_vs_brute_force_reference": round(ref_s_per_cell / per_cell, 1),
                }
            )
            print(json.dumps(results[-1]), flush=True)
    print(
        json.dumps(
            {
                "brute_force_reference_s_per_cell_360az": round(ref_s_per_cell, 3),
                "threads": numba.get_num_threads(),
                "cpus": os.cpu_count(),
                "load_average_1min": round(os.getloadavg()[0], 2),
                "horayzon_extpar": horayzon_status(),
                "python": sys.version.split()[0],
            }
        )
    )


if __name__ == "__main__":
    main()
