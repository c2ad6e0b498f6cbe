"""Report tables show every time in one format, 'YYYY-MM-DD HH:MM:SS' (UTC)."""

from __future__ import annotations

import pandas as pd

from lunarops.report.html import _readable_times


def test_times_in_one_format() -> None:
    frame = pd.DataFrame(
        {
            # the campaign's ISO texts with Z, the orbits' with +00:00, the operations' datetimes
            "start_utc": ["2031-06-01T00:00:00Z", "2030-01-10T21:03:00+00:00"],
            "time_utc": pd.to_datetime(["2030-10-05 00:00:00", "2031-01-01 12:30:00"]),
            "note_utc": ["n/a", "2030-01-01"],  # not every value a time: left as it is
            "name": ["2030-01-01T00:00:00Z", "b"],  # not a ..._utc column: left as it is
        }
    )
    shown = _readable_times(frame)
    assert list(shown["start_utc"]) == ["2031-06-01 00:00:00", "2030-01-10 21:03:00"]
    assert list(shown["time_utc"]) == ["2030-10-05 00:00:00", "2031-01-01 12:30:00"]
    assert list(shown["note_utc"]) == ["n/a", "2030-01-01"]
    assert list(shown["name"]) == ["2030-01-01T00:00:00Z", "b"]
    assert list(frame["start_utc"]) == ["2031-06-01T00:00:00Z", "2030-01-10T21:03:00+00:00"]  # input untouched
