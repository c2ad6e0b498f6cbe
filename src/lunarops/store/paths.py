"""Where lunarops keeps its catalog and caches: $LUNAROPS_HOME, else the platform's user data dir."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def home_path() -> Path:
    """The lunarops data directory: $LUNAROPS_HOME, else the user data directory (not created)."""
    override = os.environ.get("LUNAROPS_HOME")
    return Path(override) if override else Path(platformdirs.user_data_dir("lunarops", appauthor=False))


def home_dir() -> Path:
    """The lunarops data directory (created on demand)."""
    path = home_path()
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_catalog_url() -> str:
    """SQLite catalog in the data directory."""
    return f"sqlite:///{home_dir() / 'catalog.sqlite'}"
