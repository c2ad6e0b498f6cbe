"""Bad input to the results store and the run entry point: StoreError / InputError naming what to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from lunarops.errors import InputError, StoreError
from lunarops.scenario import load_scenario
from lunarops.store import Catalog, query, read_frame


def test_read_frame_missing_directory_or_corrupt(tmp_path: Path) -> None:
    # had been FileNotFoundError / pyarrow ArrowInvalid
    with pytest.raises(StoreError, match="does not exist"):
        read_frame(tmp_path / "missing.parquet")
    with pytest.raises(StoreError, match="is a directory"):
        read_frame(tmp_path)
    corrupt = tmp_path / "cut.parquet"
    corrupt.write_bytes(b"PAR1 not really")
    with pytest.raises(StoreError, match="cannot be read as Parquet"):
        read_frame(corrupt)


def test_query_errors(tmp_path: Path) -> None:
    # had been duckdb's ParserException, CatalogException and an AttributeError for ''
    with pytest.raises(InputError, match="query refused: Parser Error"):
        query("SELEC x")
    with pytest.raises(InputError, match="query refused: Catalog Error"):
        query("SELECT * FROM no_such_table")
    with pytest.raises(InputError, match="sql = '' must be a SQL query"):
        query("")
    with pytest.raises(StoreError, match="could not read its files"):
        query(f"SELECT * FROM read_parquet('{tmp_path}/none/*.parquet')")
    assert query("SELECT 41 + 1 AS x")["x"].tolist() == [42]


def test_catalog_arguments(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"--db 5 \(int\) must be a database URL string"):
        Catalog(5)  # type: ignore[arg-type]
    catalog = Catalog(f"sqlite:///{tmp_path / 'c.sqlite'}")
    for limit in (0, -1, "x", 2.5):
        with pytest.raises(InputError, match=r"limit = .* must be a whole number in"):
            catalog.list(limit)  # type: ignore[arg-type]
    assert catalog.list(5) == []


def test_load_scenario_and_run_take_paths(tmp_path: Path) -> None:
    from lunarops.runner.run import run

    with pytest.raises(InputError, match=r"path = 5 \(int\) must be a scenario file's path"):
        load_scenario(5)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"scenario = .* is a dict; give a scenario file's path"):
        run({"name": "x"}, tmp_path)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="out_dir = 7 must be a directory path"):
        run(load_scenario(), 7)  # type: ignore[arg-type]


def test_run_takes_a_scenario_path(tmp_path: Path) -> None:
    from lunarops.runner.run import run

    path = tmp_path / "tiny.yaml"
    path.write_text(
        "name: tiny\nperiod: {start_utc: 2030-01-01, end_utc: 2030-01-03}\n"
        "sites: [{name: a, latitude_deg: -89, longitude_deg: 0}]\n"
    )
    # an earlier run's result in the same output directory (another scenario, another layout) must not stay
    stale = tmp_path / "out" / "results" / "operations-operations_monte_carlo.parquet"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"an earlier run")
    # run(path) had been an AttributeError ('str' object has no attribute 'model_dump_json')
    results = run(str(path), tmp_path / "out", db_url=f"sqlite:///{tmp_path / 'c.sqlite'}", report=False)
    assert results.scenario.name == "tiny"
    assert results.summary()["sky"]["n_times"] == 48  # 2 days hourly, half-open [start, end)
    assert sorted(p.name for p in stale.parent.iterdir()) == ["sky-sky.parquet"]
