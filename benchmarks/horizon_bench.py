"""Benchmark of lunarops horizon maps (a script, not a test).

Cases (360 azimuths, observer on the ground, default min distance one pixel, rays over the whole DEM):
  1. the shipped south DEM, 762 x 762 cells at 1600 m;
  2. a 1000 x 1000 grid: the same +-609.6 km square resampled (bilinear) to 1219.2 m cells.
Each in "fast" and "accurate" mode (per-cell ray casting), "sweep" mode (line sweep with upper convex
hulls) and "sweep_fast" (its coarse variant); the sweeps are always timed on the whole grid, since a row window
re-sweeps whole lines. CPU time of the process is reported next to the wall time (the machine is shared).
Baselines:
  - the brute-force reference ray caster of tests/terrain/test_terrain_horizon.py (uniform fine steps, exact
    spherical trigonometry, scipy bilinear), timed on a few cells and scaled per cell;
  - HORAYZON_extpar (Embree ray tracing) when an interpreter that has it is given (``--horayzon-python``).
By default a sample of rows (spread over the grid) is computed and the time is scaled to the whole grid
(the printed numbers say so); ``--full`` computes every cell. Each grid and mode is timed in its own Python
process (as asv does), after its kernels were compiled there on a small DEM at 360 azimuths: a map is the
first large allocation of the process, as in a user's ``lunarops psr`` run, and no timing depends on what
an earlier case left in memory. "sweep_fast" is timed twice: the headline is a new map (its output freshly
allocated), then "reused_output_buffer" the same map written into the first map's array
(``horizon_map(..., out=...)``, no first-touch page faults of a new output). Goals (issue 3):
1 M cells x 360 azimuths in <= 5 s (fast) and <= 15 s (accurate) on 2 cores.
Memory: the peak resident memory of exactly the timed work (benchmarks/memory.py) of each case, of the reference
and of HORAYZON, also per cell computed at once (a whole-grid map holds all its cells, a sampled row window one row,
the reference one cell), so the ratios compare memory per cell; HORAYZON is compared with lunarops "fast" on the
same rows, each measured in a fresh process.

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
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from lunarops.terrain import Dem

REPO = Path(__file__).resolve().parents[1]


def _memory_module():  # type: ignore[no-untyped-def]
    """benchmarks/memory.py imported by path (stdlib only: also under the HORAYZON interpreter)."""
    path = Path(__file__).resolve().with_name("memory.py")
    spec = importlib.util.spec_from_file_location("benchmark_memory", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def release_freed_memory() -> None:
    """Return memory freed so far to the system (glibc ``malloc_trim``; a no-op elsewhere) before a peak is
    measured, so a measured block cannot reuse resident pages that earlier work freed and look smaller."""
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def kb_per_cell(peak_mb: float | None, cells: int) -> float | None:
    """Peak memory [MB] per cell computed at once, in kB per cell (None when not measured)."""
    return None if peak_mb is None else round(peak_mb * 1024.0 / cells, 3)


def rounded_mb(peak_mb: float | None) -> float | None:
    return None if peak_mb is None else round(peak_mb, 1)


def _reference_module():  # type: ignore[no-untyped-def]
    path = REPO / "tests" / "terrain" / "test_terrain_horizon.py"
    spec = importlib.util.spec_from_file_location("horizon_reference", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def grid_1000(south: Dem) -> Dem:
    """The south DEM's square resampled bilinearly to 1000 x 1000 cells."""
    from lunarops.terrain import Dem, PolarStereographic
    from lunarops.terrain.dem import bilinear

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


def time_map(
    dem: Dem, mode: str, rows: int, full: bool, out: np.ndarray | None = None
) -> tuple[float, int, float, np.ndarray | None, float | None, int]:
    """Wall seconds for the sampled rows (or the full grid), the number of cells computed, the CPU seconds, the
    whole-grid map (None when rows were sampled), the peak memory of the timed work [MB] (None: not measured)
    and the number of cells computed at once (the whole grid, or one row). ``out``: an output buffer to reuse
    (whole grid only)."""
    from lunarops.terrain import horizon_map

    ny, nx = dem.shape
    picks = range(ny) if full else np.linspace(0, ny - 1, rows).astype(int)
    whole = full or mode in ("sweep", "sweep_fast")
    cells = 0
    result = None
    release_freed_memory()
    with _memory_module().PeakMemory() as mem:
        t0 = time.perf_counter()
        c0 = time.process_time()
        if whole:
            result = horizon_map(dem, mode=mode, out=out)
            cells = ny * nx
        else:
            for r in picks:
                horizon_map(dem, mode=mode, window=(int(r), int(r) + 1, 0, nx))
                cells += nx
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return seconds, cells, cpu, result, mem.peak_mb, ny * nx if whole else nx


def time_reference(dem: Dem, n_cells: int) -> tuple[float, float | None]:
    """Seconds per cell of the brute-force reference (360 azimuths, whole-DEM rays) and its peak memory over
    those cells [MB] (None: not measured); it computes one cell at a time, so that peak is per cell."""
    from lunarops.terrain import azimuth_grid_rad

    ref = _reference_module()
    ny, nx = dem.shape
    rng = np.random.default_rng(1)
    az = azimuth_grid_rad(360)
    release_freed_memory()
    with _memory_module().PeakMemory() as mem:
        t0 = time.perf_counter()
        for _ in range(n_cells):
            r, c = int(rng.integers(ny // 4, 3 * ny // 4)), int(rng.integers(nx // 4, 3 * nx // 4))
            lat, lon = dem.rowcol_to_latlon(r, c)
            # rays limited to the distance to the nearest DEM edge, which the reference requires
            edge_px = 0.8 * min(r, c, ny - 1 - r, nx - 1 - c)  # ground distance < map distance (scale k >= 1)
            max_d = edge_px * dem.pixel_size_m
            ref.reference_horizon_deg(dem, float(lat), float(lon), 0.0, az, dem.pixel_size_m, max_d)
        seconds = time.perf_counter() - t0
    return seconds / n_cells, mem.peak_mb


def horayzon_worker(npz: str, rows: list[int], n_az: int) -> None:
    """Runs under an interpreter that has horayzon_extpar (numpy only, no lunarops): builds the triangle mesh
    of the DEM (vertices at cell centres, exact 3-D positions (R + h) u, two triangles per grid square) and
    times Terrain.horizon_vertex for every vertex of the given rows (and measures the peak memory of that timed
    work, and separately of building the mesh and Embree scene); prints JSON."""
    import horayzon_extpar

    memory = _memory_module()
    setup = memory.PeakMemory()
    setup.__enter__()
    meta = json.loads(Path(npz).with_suffix(".json").read_text())
    geo = meta["georeference"]
    h = np.load(npz)["heights_m"].astype(np.float64)
    ny, nx = h.shape
    radius = geo["radius_m"]
    x = geo["x_min_m"] + (np.arange(nx) + 0.5) * geo["pixel_width_m"]
    y = geo["y_max_m"] - (np.arange(ny) + 0.5) * geo["pixel_height_m"]
    xx, yy = np.meshgrid(x, y)
    rho = np.hypot(xx, yy)
    colat = 2 * np.arctan(rho / (2 * radius))
    lat = -np.pi / 2 + colat
    lon = np.arctan2(xx, yy)
    r = radius + h
    vert = np.stack([r * np.cos(lat) * np.cos(lon), r * np.cos(lat) * np.sin(lon), r * np.sin(lat)], -1)
    vert = np.ascontiguousarray(vert.reshape(-1, 3), dtype=np.float32)
    idx = np.arange(ny * nx, dtype=np.uint32).reshape(ny, nx)
    a, b, c, d = idx[:-1, :-1], idx[:-1, 1:], idx[1:, :-1], idx[1:, 1:]
    faces = np.concatenate([np.stack([a, c, b], -1).reshape(-1, 3), np.stack([b, c, d], -1).reshape(-1, 3)])
    v = vert.astype(np.float64)
    normal = np.cross(v[faces[0, 1]] - v[faces[0, 0]], v[faces[0, 2]] - v[faces[0, 0]])
    if np.dot(normal, v[faces[0, 0]]) < 0:
        faces = faces[:, ::-1]
    faces = np.ascontiguousarray(faces, dtype=np.uint32)
    terrain = horayzon_extpar.Terrain()
    terrain.initialise(vert, faces, np.zeros(3, np.float32), np.array([0, 0, radius], np.float32))
    setup.__exit__(None, None, None)
    out = []
    release_freed_memory()
    with memory.PeakMemory() as mem:
        t0 = time.perf_counter()
        for row in rows:
            loc = np.array([row * nx, (row + 1) * nx], dtype=np.uint32)
            out.append(terrain.horizon_vertex(n_az, 0.0, loc, 800_000.0, 10.0, 0.01, -15.0))
        seconds = time.perf_counter() - t0
    np.save(Path(npz).with_name("horayzon_rows.npy"), np.concatenate(out))
    print(
        json.dumps(
            {"seconds": seconds, "cells": len(rows) * nx, "peak_mb": mem.peak_mb, "setup_peak_mb": setup.peak_mb}
        )
    )


def lunarops_rows_worker(rows: list[int], mode: str, threads: int | None) -> None:
    """Runs in a fresh process (this script with ``--rows-worker``), the lunarops side of the HORAYZON
    comparison: compile on a small DEM, then time ``mode`` on one row window per row of the south DEM, keeping
    each row's map as the HORAYZON worker does, and measure the peak memory of that timed work; prints JSON."""
    import numba

    from lunarops.terrain import horizon_map, load_dem

    if threads:
        numba.set_num_threads(threads)
    south = load_dem("south")
    horizon_map(small_dem(south), mode=mode, n_azimuth=360)  # compile / load the numba caches
    nx = south.shape[1]
    out = []
    release_freed_memory()
    with _memory_module().PeakMemory() as mem:
        t0 = time.perf_counter()
        for r in rows:
            out.append(horizon_map(south, mode=mode, window=(r, r + 1, 0, nx)))
        seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "cells": len(rows) * nx, "peak_mb": mem.peak_mb}))


def run_horayzon(python: str, dem: Dem, rows: list[int], ours: np.ndarray) -> dict[str, object]:
    """Time HORAYZON_extpar in ``python`` on the same rows and compare with our horizons [deg]."""
    import subprocess
    import tempfile

    from lunarops.terrain import save_npz

    if not Path(python).is_file():
        return {"status": f"not run: --horayzon-python {python} does not exist (an interpreter with HORAYZON_extpar)"}
    with tempfile.TemporaryDirectory() as tmp:
        npz = Path(tmp) / "dem.npz"
        save_npz(dem, npz)
        done = subprocess.run(
            [python, __file__, "--horayzon-worker", str(npz), "--rows-list", ",".join(map(str, rows))],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            return {"status": "failed", "stderr": done.stderr[-2000:]}
        timing = dict(json.loads(done.stdout.strip().splitlines()[-1]))
        theirs = np.load(Path(tmp) / "horayzon_rows.npy")
    best: dict[str, object] = {}
    for name, conv in (
        ("clockwise from north", theirs),
        ("counter-clockwise from north", np.roll(theirs[:, ::-1], 1, axis=1)),
        ("counter-clockwise from east", np.roll(theirs[:, ::-1], 91, axis=1)),
    ):
        diff = np.abs(conv - ours)
        if not best or float(np.mean(diff)) < float(best["mean_abs_diff_deg"]):  # type: ignore[arg-type]
            best = {
                "azimuth_convention_matched": name,
                "mean_abs_diff_deg": round(float(np.mean(diff)), 4),
                "p99_abs_diff_deg": round(float(np.percentile(diff, 99)), 4),
            }
    return {
        "status": "ok",
        "s_per_cell": timing["seconds"] / timing["cells"],
        "peak_mb_rows": rounded_mb(timing.get("peak_mb")),
        "peak_mb_mesh_and_scene_setup_untimed": rounded_mb(timing.get("setup_peak_mb")),
        **best,
    }


def run_lunarops_rows(rows: list[int], mode: str, threads: int | None) -> dict[str, object]:
    """:func:`lunarops_rows_worker` in a fresh interpreter (the same footing as the HORAYZON worker)."""
    import subprocess

    command = [sys.executable, __file__, "--rows-worker", mode, "--rows-list", ",".join(map(str, rows))]
    command += ["--threads", str(threads)] if threads else []
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"lunarops rows for the HORAYZON comparison failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def small_dem(south: Dem) -> Dem:
    """A 40 x 40 window of the south DEM around the pole (compiles the map kernels in a second or two)."""
    from dataclasses import replace

    from lunarops.terrain import Dem, PolarStereographic

    geo = south.georeference
    assert isinstance(geo, PolarStereographic)
    r0 = c0 = 361
    sub = replace(geo, x_min_m=geo.x_min_m + c0 * geo.pixel_width_m, y_max_m=geo.y_max_m - r0 * geo.pixel_height_m)
    return Dem(np.ascontiguousarray(south.heights_m[r0 : r0 + 40, c0 : c0 + 40]), sub, "south-40")


def run_case(grid: str, mode: str, rows: int, full: bool, threads: int | None) -> dict[str, object]:
    """Times one grid and mode in this (fresh) process: compile on a small DEM, then the map (and for
    "sweep_fast" the same map into the first map's array)."""
    import numba

    from lunarops.terrain import horizon_map, load_dem

    if threads:
        numba.set_num_threads(threads)
    south = load_dem("south")
    horizon_map(small_dem(south), mode=mode, n_azimuth=360)  # compile / load the numba caches
    dem = south if grid == "south" else grid_1000(south)
    ny, nx = dem.shape
    load_before = os.getloadavg()[0]
    seconds, cells, cpu, result, peak_mb, at_once = time_map(dem, mode, rows, full)
    per_million = seconds / cells * 1e6
    goal = 5.0 if mode in ("fast", "sweep_fast") else 15.0  # issue 3: fast modes 5 s, accurate-quality 15 s
    case: dict[str, object] = {
        "grid": f"{dem.name} {ny}x{nx}",
        "mode": mode,
        "cells_timed": cells,
        "scaled": cells < ny * nx,
        "s_whole_grid": round(per_million * ny * nx / 1e6, 1),
        "s_per_1M_cells": round(per_million, 1),
        "cpu_s_per_1M_cells": round(cpu / cells * 1e6, 1),
        "goal_s_per_1M": goal,
        "ratio_to_goal": round(per_million / goal, 2),
        "load_average_1min_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "peak_mb": rounded_mb(peak_mb),
        "peak_memory_of": "the whole-grid map" if at_once == ny * nx else f"one row window of {nx} cells at a time",
        "peak_kB_per_cell": kb_per_cell(peak_mb, at_once),
    }
    if mode == "sweep_fast" and result is not None:
        # the same map again into the first map's array (horizon_map(..., out=...)): what repeated maps
        # (several masts, scenario sweeps) cost without the first touch of a new output
        load_reuse = os.getloadavg()[0]
        seconds_r, cells_r, cpu_r, _, peak_r, at_once_r = time_map(dem, mode, rows, full, out=result)
        case["reused_output_buffer"] = {
            "s_per_1M_cells": round(seconds_r / cells_r * 1e6, 1),
            "cpu_s_per_1M_cells": round(cpu_r / cells_r * 1e6, 1),
            "load_average_1min_before_after": [round(load_reuse, 2), round(os.getloadavg()[0], 2)],
            "peak_mb": rounded_mb(peak_r),
            "peak_kB_per_cell": kb_per_cell(peak_r, at_once_r),
        }
    return case


def run_case_process(grid: str, mode: str, args: argparse.Namespace) -> dict[str, object]:
    """:func:`run_case` in a fresh interpreter (this script with ``--case``)."""
    import subprocess

    command = [sys.executable, __file__, "--case", f"{grid}:{mode}", "--rows", str(args.rows)]
    command += ["--full"] if args.full else []
    command += ["--threads", str(args.threads)] if args.threads else []
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"benchmark case {grid}:{mode} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=6, help="rows sampled per grid (scaled to the whole grid)")
    parser.add_argument("--full", action="store_true", help="compute every cell (slow)")
    parser.add_argument("--reference-cells", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--modes", default="fast,accurate,sweep", help="comma-separated horizon_map modes")
    parser.add_argument("--horayzon-python", default=None, help="interpreter with horayzon_extpar installed")
    parser.add_argument("--horayzon-worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--rows-list", default="", help=argparse.SUPPRESS)
    parser.add_argument("--case", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--rows-worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.horayzon_worker:
        horayzon_worker(args.horayzon_worker, [int(r) for r in args.rows_list.split(",")], 360)
        return
    if args.rows_worker:
        lunarops_rows_worker([int(r) for r in args.rows_list.split(",")], args.rows_worker, args.threads)
        return
    if args.case:
        grid, mode = args.case.split(":")
        print(json.dumps(run_case(grid, mode, args.rows, args.full, args.threads)))
        return
    import numba

    from lunarops.terrain import horizon_map, load_dem

    if args.threads:
        numba.set_num_threads(args.threads)
    south = load_dem("south")
    horizon_map(south, window=(380, 381, 380, 381), mode="fast")  # compile / load the numba caches
    results = []
    ref_s_per_cell, ref_peak_mb = time_reference(south, args.reference_cells)
    ref_kb_per_cell = kb_per_cell(ref_peak_mb, 1)  # one cell at a time
    ratio_text = _memory_module().ratio_text
    for grid in ("south", "south-1000"):
        per_cell_by_mode: dict[str, float] = {}
        for mode in args.modes.split(","):
            case = run_case_process(grid, mode, args)
            per_cell = float(case["s_per_1M_cells"]) / 1e6  # type: ignore[arg-type]
            per_cell_by_mode[mode] = per_cell
            case["speedup_vs_brute_force_reference"] = round(ref_s_per_cell / per_cell, 1)
            # per cell computed at once: the reference holds one cell, the map its whole grid (or one row)
            case["memory_per_cell_brute_force_reference_over_lunarops"] = ratio_text(
                ref_kb_per_cell, case["peak_kB_per_cell"]
            )
            if mode != "fast" and "fast" in per_cell_by_mode:
                case["speedup_vs_fast"] = round(per_cell_by_mode["fast"] / per_cell, 2)
            results.append(case)
            print(json.dumps(case), flush=True)
    horayzon: dict[str, object] = {"status": "not run: give --horayzon-python (see docs/terrain.md)"}
    if args.horayzon_python:
        rows = [int(r) for r in np.linspace(100, 661, max(1, args.rows // 2)).astype(int)]
        ours = np.concatenate(
            [np.degrees(horizon_map(south, mode="accurate", window=(r, r + 1, 0, 762)))[0] for r in rows]
        )
        # lunarops "fast" on exactly these rows, time and peak memory, in a fresh process like HORAYZON's
        fast_rows = run_lunarops_rows(rows, "fast", args.threads)
        fast_per_cell = float(fast_rows["seconds"]) / float(fast_rows["cells"])  # type: ignore[arg-type]
        horayzon = run_horayzon(args.horayzon_python, south, rows, ours)
        if horayzon.get("status") == "ok":
            horayzon["lunarops_fast_s_per_cell"] = fast_per_cell
            horayzon["speedup_lunarops_fast_vs_horayzon"] = round(float(horayzon["s_per_cell"]) / fast_per_cell, 2)  # type: ignore[arg-type]
            horayzon["lunarops_fast_peak_mb_rows"] = rounded_mb(fast_rows["peak_mb"])  # type: ignore[arg-type]
            # the same rows (same cells, outputs kept) on both sides: the ratio of peaks is the ratio per cell
            horayzon["memory_horayzon_over_lunarops_fast_same_rows"] = ratio_text(
                horayzon["peak_mb_rows"], fast_rows["peak_mb"]
            )
            for sweep_mode in ("sweep", "sweep_fast"):
                sweeps = [r for r in results if r["mode"] == sweep_mode and str(r["grid"]).startswith(south.name)]
                if sweeps:  # the sweep's time per cell on the whole south grid, same machine and run
                    sweep_per_cell = float(sweeps[0]["s_per_1M_cells"]) / 1e6  # type: ignore[arg-type]
                    horayzon[f"lunarops_{sweep_mode}_s_per_cell"] = sweep_per_cell
                    ratio = float(horayzon["s_per_cell"]) / sweep_per_cell  # type: ignore[arg-type]
                    horayzon[f"speedup_lunarops_{sweep_mode}_vs_horayzon"] = round(ratio, 1)
    print(
        json.dumps(
            {
                "horayzon_extpar": horayzon,
                "brute_force_reference_s_per_cell_360az": round(ref_s_per_cell, 3),
                "brute_force_reference_peak_mb_one_cell_at_a_time": rounded_mb(ref_peak_mb),
                "brute_force_reference_peak_kB_per_cell": ref_kb_per_cell,
                "threads": numba.get_num_threads(),
                "cpus": os.cpu_count(),
                "load_average_1min": round(os.getloadavg()[0], 2),
                "python": sys.version.split()[0],
            }
        )
    )


if __name__ == "__main__":
    main()
