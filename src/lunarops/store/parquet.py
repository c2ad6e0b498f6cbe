"""Results datasets to Parquet (zstd) and back; queried with DuckDB."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import xarray as xr

from lunarops.atomic import write_atomic
from lunarops.errors import InputError, StoreError
from lunarops.jsonutil import to_json
from lunarops.units import unit_of


def write_dataset(dataset: xr.Dataset, path: Path) -> Path:
    """Write an xarray Dataset as a long table (one column per dimension and variable) in Parquet.

    Variables over different dimensions are not broadcast into one table (a per-run total would repeat on every
    hour, an hourly value on every event kind): the time series (else the variables over the most cells) go to
    ``path``, each other group to ``<stem>_<its dimensions>.parquet`` beside it (``_scalars`` for variables
    without one). Returns ``path``; :func:`write_dataset_files` returns every file written."""
    write_dataset_files(dataset, path)
    return path


def write_dataset_files(dataset: xr.Dataset, path: Path) -> list[Path]:
    """As :func:`write_dataset`; returns every file written, ``path`` first."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for name, variable in dataset.data_vars.items():
        groups.setdefault(tuple(str(d) for d in variable.dims), []).append(str(name))
    if len(groups) <= 1:
        return [_write_table(dataset, path)]
    main = max(groups, key=lambda dims: ("time" in dims, int(dataset[groups[dims][0]].size), len(dims)))
    written = [path]
    for dims, names in groups.items():
        part = dataset[names]
        part = part.drop_vars([c for c in part.coords if not set(part[c].dims) <= set(dims)])
        if dims == main:
            _write_table(part, path)
        else:
            written.append(
                _write_table(part, path.with_name(f"{path.stem}_{'_'.join(dims) or 'scalars'}{path.suffix}"))
            )
    return written


#: Rows of the long table converted at a time: a large dataset (e.g. 1000 Monte Carlo runs at a fine
#: record_hours) is written in slices along its first dimension, so that the pandas and Arrow copies of the
#: table never hold more than about this many rows (peak memory bounded; the file is the same table).
ROWS_PER_SLICE = 500_000


#: File metadata keys (JSON text): the dataset's attributes, and {column: its variable's attributes} for the
#: columns that have any (units, description, reduction, ...); each such column's Arrow field also carries its
#: own attributes under ATTRS_KEY. Read them with :func:`read_attrs`.
ATTRS_KEY = b"lunarops_attrs"
VARIABLES_KEY = b"lunarops_variables"


def _json_attrs(attrs: Mapping[Any, Any]) -> str:
    """Attributes as JSON text: numbers stay numbers (numpy scalars and arrays as plain JSON), other values
    their text; NaN and inf as null."""
    return to_json({str(k): v for k, v in attrs.items()})


def _write_table(dataset: xr.Dataset, path: Path, rows_per_slice: int = ROWS_PER_SLICE) -> Path:
    dataset_attrs = _json_attrs(dataset.attrs).encode()
    variables = {}
    for name in [*dataset.coords, *dataset.data_vars]:
        attrs = dict(dataset[name].attrs)
        unit = unit_of(str(name))  # the unit its name carries, unless the variable says its own
        if unit and "units" not in attrs:
            attrs["units"] = unit
        if attrs:
            variables[str(name)] = attrs
    variables_json = to_json(variables).encode()

    def arrow(part: xr.Dataset) -> pa.Table:
        if part.sizes:
            frame = part.to_dataframe().reset_index()
        else:  # scalars: one row
            frame = pd.DataFrame({str(name): [variable.item()] for name, variable in part.data_vars.items()})
        table = pa.Table.from_pandas(frame, preserve_index=False)
        fields = [
            f.with_metadata({ATTRS_KEY: _json_attrs(variables[f.name]).encode()}) if f.name in variables else f
            for f in table.schema
        ]
        meta = {**(table.schema.metadata or {}), ATTRS_KEY: dataset_attrs, VARIABLES_KEY: variables_json}
        return table.cast(pa.schema(fields, metadata=meta))

    rows = 1
    for size in dataset.sizes.values():
        rows *= int(size)
    if not dataset.sizes or rows <= rows_per_slice:
        table = arrow(dataset)
        return write_atomic(path, lambda tmp: pq.write_table(table, tmp, compression="zstd"))
    # slices along the outer dimensions of to_dataframe's index (its row order): the first one, and the second as
    # well when one element of the first holds more rows than a slice; a dimension without a coordinate gets its
    # positions, which a slice's own to_dataframe would restart from 0
    dims = list(dataset.dims)
    dataset = dataset.assign_coords({d: np.arange(dataset.sizes[d]) for d in dims[:2] if d not in dataset.coords})
    outer = dims[0]
    per_outer = rows // int(dataset.sizes[outer])
    if per_outer > rows_per_slice and len(dims) > 1:
        inner = dims[1]
        per_inner = per_outer // int(dataset.sizes[inner])
        slices = [
            {outer: slice(i, i + 1), inner: slice(j, j + max(1, rows_per_slice // max(per_inner, 1)))}
            for i in range(int(dataset.sizes[outer]))
            for j in range(0, int(dataset.sizes[inner]), max(1, rows_per_slice // max(per_inner, 1)))
        ]
    else:
        step = max(1, rows_per_slice // max(per_outer, 1))
        slices = [{outer: slice(i, i + step)} for i in range(0, int(dataset.sizes[outer]), step)]

    def write(tmp: Path) -> None:
        writer = None
        try:
            for where in slices:
                table = arrow(dataset.isel(where))
                if writer is None:
                    # a column empty in the first slice has Arrow type null: open the file with text there, which
                    # the later slices' values (text) and the first slice's nulls both cast to
                    schema = pa.schema(
                        [f.with_type(pa.large_string()) if pa.types.is_null(f.type) else f for f in table.schema],
                        metadata=table.schema.metadata,
                    )
                    table = table.cast(schema)
                    writer = pq.ParquetWriter(tmp, schema, compression="zstd")
                elif not table.schema.equals(writer.schema, check_metadata=False):
                    table = table.cast(writer.schema)  # e.g. a text column that is all None in this slice
                writer.write_table(table)
        finally:
            if writer is not None:
                writer.close()

    return write_atomic(path, write)


def read_attrs(path: Path | str) -> dict[str, Any]:
    """The attributes a results file keeps: ``{"dataset": {...}, "variables": {column: {...}}}`` (e.g. the units,
    description or ``reduction`` of a column), from the file's JSON metadata; empty for a file without them."""
    metadata = pq.read_schema(Path(path)).metadata or {}
    return {
        "dataset": json.loads(metadata.get(ATTRS_KEY, b"{}")),
        "variables": json.loads(metadata.get(VARIABLES_KEY, b"{}")),
    }


def read_frame(path: Path | str) -> pd.DataFrame:
    """A Parquet results file as a pandas DataFrame; StoreError when it is missing or not Parquet."""
    file = Path(path)
    if not file.is_file():
        what = "is a directory" if file.is_dir() else "does not exist"
        raise StoreError(f"results file {file} {what}; give a .parquet file of a run's results/ directory")
    try:
        return pq.read_table(file).to_pandas()
    except (pa.ArrowException, OSError) as error:
        raise StoreError(f"results file {file} cannot be read as Parquet ({error}); it may be truncated") from None


def query(sql: str) -> pd.DataFrame:
    """Run SQL over Parquet files with an in-memory DuckDB (``read_parquet('path/*.parquet')``); InputError for
    SQL that DuckDB refuses (its message kept), StoreError when a file cannot be read."""
    if not isinstance(sql, str) or not sql.strip():
        example = "SELECT * FROM read_parquet('out/results/*.parquet')"
        raise InputError(f"sql = {sql!r} must be a SQL query, e.g. {example!r}")
    with duckdb.connect(":memory:") as connection:
        try:
            return connection.execute(sql).df()
        except duckdb.IOException as error:
            raise StoreError(f"query could not read its files: {error}") from None
        except duckdb.Error as error:
            raise InputError(f"query refused: {error}") from None
