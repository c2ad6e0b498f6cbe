"""One number style for the report and the console (lunarops.numformat.format_number)."""

from __future__ import annotations

import math

import pytest

from lunarops.numformat import format_number


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (71221.4, "71,221"),  # whole and grouped from 1,000 on (was 7.122e+04)
        (999.94, "999.9"),  # 4 significant digits below 1,000
        (0.0012345, "0.001234"),
        (-0.0, "0"),  # no negative zero
        (2.5e9, "2.5e+09"),  # 1e9 and up: 4 significant digits
        (math.inf, "inf"),  # unbounded: e.g. reserve days without crew (was "n/a", while simulate printed inf)
        (-math.inf, "-inf"),
        (math.nan, "n/a"),  # not computed
    ],
)
def test_format_number(value: float, text: str) -> None:
    assert format_number(value) == text
