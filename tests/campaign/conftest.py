"""Shared helpers of the campaign tests."""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "lunarops" / "examples"


@pytest.fixture
def isaji_path() -> Path:
    return EXAMPLES / "campaigns" / "isaji2022-apollo.yaml"
