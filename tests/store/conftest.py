"""Fixtures of the store tests."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

#: a PostgreSQL server for the catalog's server option (.ci/run starts one); its tests skip without it
POSTGRES_URL = os.environ.get("LUNAROPS_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty catalog database: an SQLite file, or a schema of its own on the CI's PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'c.sqlite'}"
        return
    if POSTGRES_URL is None:
        pytest.skip("needs a PostgreSQL server: set LUNAROPS_TEST_POSTGRES_URL (.ci/run does)")
    schema = "lunarops_test_" + uuid.uuid4().hex[:12]
    engine = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()
