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


def test_slices_without_coordinates_and_along_the_second_dimension(tmp_path: Path) -> None:
    # review of session 15: a dimension with no coordinate kept its positions only in the first slice; one run with
    # many records was written as one slice. 2 x 40 rows in slices of 15: along "t" as well, 0-14, 15-29, 30-39
    ds = xr.Dataset({"x": (("run", "t"), np.arange(80.0).reshape(2, 40))})
    whole = pq.read_table(_write_table(ds, tmp_path / "whole.parquet")).to_pandas()
    sliced_file = _write_table(ds, tmp_path / "sliced.parquet", rows_per_slice=15)
    assert pq.ParquetFile(sliced_file).num_row_groups == 2 * 3
    pd.testing.assert_frame_equal(whole, pq.read_table(sliced_file).to_pandas())
    assert list(whole["run"]) == [0] * 40 + [1] * 40


def test_a_text_column_empty_in_one_slice(tmp_path: Path) -> None:
    names = np.array(["a", "b", None, None], dtype=object)
    ds = xr.Dataset({"name": (("run",), names), "v": (("run",), np.arange(4.0))}, coords={"run": np.arange(4)})
    whole = pq.read_table(_write_table(ds, tmp_path / "w.parquet")).to_pandas()
    sliced = pq.read_table(_write_table(ds, tmp_path / "s.parquet", rows_per_slice=2)).to_pandas()
    pd.testing.assert_frame_equal(whole, sliced)  # the second slice (all missing) cast to the first's text type
    assert list(sliced["name"][:2]) == ["a", "b"] and sliced["name"][2:].isna().all()


def test_a_text_column_empty_in_the_first_slice(tmp_path: Path) -> None:
    # review of session 15: the first slice's all-None column had Arrow type null and the later text could not be
    # cast to it; the file now opens with text there
    notes = np.array([None] * 5 + list("abcde"), dtype=object)
    ds = xr.Dataset({"v": (("row",), np.arange(10.0)), "note": (("row",), notes)}, coords={"row": np.arange(10)})
    sliced = pq.read_table(_write_table(ds, tmp_path / "s.parquet", rows_per_slice=4)).to_pandas()
    assert sliced["note"][:5].isna().all() and list(sliced["note"][5:]) == list("abcde")
    assert list(sliced["v"]) == list(np.arange(10.0))
