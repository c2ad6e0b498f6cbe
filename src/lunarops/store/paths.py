"""Where lunarops keeps its catalog and caches: $LUNAROPS_HOME, else the platform's user data dir."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def home_dir() -> Path:
    """The lunarops data directory (created on demand)."""
    override = os.environ.get("LUNAROPS_HOME")
    path = Path(override) if override else Path(platformdirs.user_data_dir("lunarops", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_catalog_url() -> str:
    """SQLite catalog in the data directory."""
    return f"sqlite:///{home_dir() / 'catalog.sqlite'}"
