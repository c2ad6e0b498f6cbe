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


def test_format_value_of_summaries() -> None:
    from lunarops.numformat import format_value

    # a confidence interval as the report writes its numbers (4 significant digits), not 17-digit floats
    assert format_value([0.00012658102786701836, 0.02754189845720562]) == "[0.0001266, 0.02754]"
    assert format_value(31315.2) == "31,315" and format_value(7) == "7" and format_value(12345) == "12,345"
    assert format_value(True) == "True" and format_value("Optimal") == "Optimal"


def test_places_are_written_one_way() -> None:
    from lunarops.numformat import format_lat_lon

    # Connecting Ridge given as 137.31 W: the same place as 222.69 E (360 - 137.31, by hand)
    assert format_lat_lon(-89.45, -137.31) == "89.4500 S, 222.6900 E"
    assert format_lat_lon(-89.45, 222.69) == "89.4500 S, 222.6900 E"
    assert format_lat_lon(44.12, 340.49, digits=2) == "44.12 N, 340.49 E"
    assert format_lat_lon(-86.0, -1e-9) == "86.0000 S, 0.0000 E"  # not "360.0000 E"
    assert format_lat_lon(-86.0, 360.0) == "86.0000 S, 0.0000 E"
