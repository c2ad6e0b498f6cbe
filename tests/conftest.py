"""Shared test fixtures: paths to the repo and to ../shared/data (tests-only data)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


def shared_data_file(relative: str) -> Path:
    """A file under ../shared/data, or skip the test naming the missing file."""
    path = SHARED_DATA / relative
    if not path.is_file():
        pytest.skip(f"needs ../shared/data/{relative} (tests-only data, not shipped); it is absent here")
    return path


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the catalog and caches of every test inside its tmp dir."""
    monkeypatch.setenv("LUNAROPS_HOME", str(tmp_path / "lunarops-home"))
