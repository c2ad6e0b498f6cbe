"""The dashboard's view of the run catalog: it only reads one that exists (it never creates an empty one)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, make_url, select
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from lunarops.errors import InputError, StoreError
from lunarops.store import Catalog, RunRecord
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


def _visible_names(catalog: Catalog, may_see: Callable[[str], bool] | None) -> list[str] | None:
    """The scenario names ``may_see`` accepts (None: every run is visible). A request then reads only rows it may
    show, not the whole catalog (OWASP API4:2023, unrestricted resource consumption: another organization's
    100 000 runs used to cost a member ~90 s)."""
    if may_see is None:
        return None
    return [name for name in catalog.scenario_names() if may_see(name)]


def newest_visible(
    catalog: Catalog, may_see: Callable[[str], bool] | None, limit: int, prefix: str = ""
) -> list[RunRecord]:
    """The newest ``limit`` runs (whose id starts with ``prefix``; ``%`` and ``_`` literal) of the scenarios
    ``may_see`` accepts (None: every run), however old."""
    return catalog.newest_of(_visible_names(catalog, may_see), limit, prefix)


def visible_ids(catalog: Catalog, may_see: Callable[[str], bool] | None, prefix: str, limit: int) -> list[str]:
    """The ids (newest first, at most ``limit``) of the visible runs whose id is ``prefix`` or starts with it;
    only the ids are read (no summaries), so an ambiguous prefix costs little."""
    return catalog.newest_ids_of(_visible_names(catalog, may_see), limit, prefix)


def record_of(catalog: Catalog, run_id: str) -> RunRecord | None:
    """The run with exactly this id, or None."""
    return catalog.record(run_id)
