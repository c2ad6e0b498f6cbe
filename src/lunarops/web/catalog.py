"""The dashboard's view of the run catalog: it only reads one that exists (it never creates an empty one)."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import func, make_url, select
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from lunarops.errors import InputError, StoreError
from lunarops.store import Catalog
from lunarops.store.catalog import runs
from lunarops.store.paths import home_path


def default_catalog_path() -> Path:
    """Where the catalog is by default: catalog.sqlite in $LUNAROPS_HOME, else in the user data directory (the
    same place as ``lunarops run`` records runs; found without creating the directory)."""
    return home_path() / "catalog.sqlite"


def check_catalog_exists(url: str | None) -> str:
    """The catalog URL (None: the default one), after checking that an SQLite catalog's file exists; InputError
    naming the path and the fix. Other databases are checked when they are opened."""
    if url is None:
        path = default_catalog_path()
        if not path.is_file():
            home = os.environ.get("LUNAROPS_HOME")
            where = f"LUNAROPS_HOME={home}" if home else "the user data directory (LUNAROPS_HOME is not set)"
            raise InputError(
                f"no run catalog at {path} (the default catalog, in {where}); the dashboard only reads a catalog: "
                "give the one `lunarops run` records into with --db sqlite:////PATH/catalog.sqlite (or "
                "postgresql://...), or set LUNAROPS_HOME to the directory that holds catalog.sqlite"
            )
        return f"sqlite:///{path}"
    if not url.startswith("sqlite"):
        return url
    try:
        database = make_url(url).database
    except ArgumentError:
        return url  # Catalog says what is wrong with the URL
    if not database or database == ":memory:" or database.startswith("file:"):
        return url
    path = Path(database)
    if not path.is_file():
        slashes = (
            "" if path.is_absolute()
            else f" (three slashes: relative to the working directory, {path.absolute()}; four for an absolute path)"
        )
        what = "is a directory" if path.is_dir() else "does not exist"
        raise InputError(
            f"--db {url}: the catalog file {database}{slashes} {what}; the dashboard only reads a catalog: give the "
            "catalog.sqlite that `lunarops run` records into (--db sqlite:////PATH/catalog.sqlite), or leave out "
            "--db and set LUNAROPS_HOME to its directory"
        )
    return url


def catalog_overview(catalog: Catalog) -> tuple[int, list[str]]:
    """The number of runs in the catalog and the distinct scenario names."""
    try:
        with catalog.engine.connect() as connection:
            count = connection.execute(select(func.count()).select_from(runs)).scalar_one()
            names = [row[0] for row in connection.execute(select(runs.c.scenario_name).distinct())]
    except SQLAlchemyError as error:
        raise StoreError(f"cannot read the run catalog at {catalog.shown_url}: {error.__class__.__name__}") from None
    return int(count), names
