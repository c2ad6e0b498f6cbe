"""Large datasets are written to Parquet in slices along their first dimension: the same table as at once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import xarray as xr

from lunarops.store.parquet import _write_table


def _dataset() -> xr.Dataset:
    rng = np.random.default_rng(4)
    runs, times = 7, 50
    time = np.datetime64("2030-01-01T00:00", "ns") + np.arange(times) * np.timedelta64(1, "h")
    return xr.Dataset(
        {
            "served_w": (("run", "time"), rng.random((runs, times)).astype(np.float32)),
            "battery_j": (("run", "time"), rng.random((runs, times))),
        },
        coords={"run": np.arange(runs), "time": time},
        attrs={"reduction": "mean over 1 step(s)"},
    )


def test_sliced_write_is_the_same_table(tmp_path: Path) -> None:
    ds = _dataset()
    whole = _write_table(ds, tmp_path / "whole.parquet")
    # 350 rows in slices of at most 60 rows: 60 // 50 = 1 run per slice, 7 slices (uneven on purpose: 3 x 50 = 150
    # rows would not divide either)
    sliced = _write_table(ds, tmp_path / "sliced.parquet", rows_per_slice=60)
    assert pq.ParquetFile(sliced).num_row_groups == 7
    a, b = pq.read_table(whole), pq.read_table(sliced)
    assert a.schema.equals(b.schema, check_metadata=True)
    pd.testing.assert_frame_equal(a.to_pandas(), b.to_pandas())
    assert len(b) == 7 * 50
