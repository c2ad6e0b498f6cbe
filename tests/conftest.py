"""Shared test fixtures: paths to the repo and to ../shared/data (tests-only data)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run (CI must not go red by the luck of a draw); set
# LUNAROPS_HYPOTHESIS=explore for fresh random examples (a failure found that way is then replayed from the
# local .hypothesis database until fixed).
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile("explore" if os.environ.get("LUNAROPS_HYPOTHESIS") == "explore" else "ci")

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
