"""Peak memory of writing a large Monte Carlo dataset to Parquet: sliced (lunarops) against one table at once.

Baseline: the same long table converted in one go (``rows_per_slice`` above the table's size), as lunarops did
before session 15. The dataset is what ``lunarops run`` writes for `--runs 1000` over 5 years at 24 h records:
1000 runs x 1,827 records x 20 float32 series (146 MB). Usage: ``python benchmarks/parquet_bench.py``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import xarray as xr

sys.path.insert(0, str(Path(__file__).parent))
from memory import PeakMemory, ratio_text, shown_mb

from lunarops.store.parquet import ROWS_PER_SLICE, _write_table


def _dataset(runs: int, records: int, series: int) -> xr.Dataset:
    rng = np.random.default_rng(1)
    time_ns = np.datetime64("2030-01-01T00:00", "ns") + np.arange(records) * np.timedelta64(24, "h")
    data = {f"series_{k}": (("run", "time"), rng.random((runs, records), dtype=np.float32)) for k in range(series)}
    return xr.Dataset(data, coords={"run": np.arange(runs), "time": time_ns})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--records", type=int, default=1827)
    args = parser.parse_args()
    ds = _dataset(args.runs, args.records, 20)
    print(f"dataset: {args.runs} runs x {args.records} records x 20 series, {ds.nbytes / 1e6:,.0f} MB")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, rows in (("whole table (baseline)", 10**12), (f"slices of {ROWS_PER_SLICE:,} rows", ROWS_PER_SLICE)):
            _write_table(ds.isel(run=slice(0, 2)), Path(tmp) / "warm.parquet", rows)  # warm-up
            with PeakMemory() as mem:
                t0 = time.perf_counter()
                _write_table(ds, Path(tmp) / "out.parquet", rows)
                seconds = time.perf_counter() - t0
            results[label] = mem.peak_mb
            print(f"{label}: {seconds:.1f} s, peak memory above the start {shown_mb(mem.peak_mb)}")
    base, sliced = results.values()
    print(f"peak memory ratio, baseline / sliced: {ratio_text(base, sliced)}")


if __name__ == "__main__":
    main()
