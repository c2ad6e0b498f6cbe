"""Results datasets to Parquet (zstd) and back; queried with DuckDB."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import xarray as xr

from lunarops.store.atomic import write_atomic


def write_dataset(dataset: xr.Dataset, path: Path) -> Path:
    """Write an xarray Dataset as a long table (one column per dimension and variable) in Parquet."""
    frame = dataset.to_dataframe().reset_index()
    table = pa.Table.from_pandas(frame, preserve_index=False)
    attrs = {k: str(v) for k, v in dataset.attrs.items()}
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), b"lunarops_attrs": repr(attrs).encode()})
    return write_atomic(path, lambda tmp: pq.write_table(table, tmp, compression="zstd"))


def read_frame(path: Path) -> pd.DataFrame:
    """A Parquet results file as a pandas DataFrame."""
    return pq.read_table(path).to_pandas()


def query(sql: str) -> pd.DataFrame:
    """Run SQL over Parquet files with an in-memory DuckDB (``read_parquet('path/*.parquet')``)."""
    with duckdb.connect(":memory:") as connection:
        return connection.execute(sql).df()
