"""UTC input to TT and TDB, offline."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from lunarops.errors import InputError, TimeFormatError
from lunarops.timescale import parse_utc, to_datetime64, utc_iso, utc_range


def test_tt_minus_utc_2026() -> None:
    # TT - UTC = 32.184 s + 37 leap seconds since 2017-01-01 (IERS Bulletin C 70: no leap second to 2026-06).
    t = parse_utc("2026-01-01T00:00:00Z")
    tt_minus_utc_s = (float(t.whole) - 2461041.5) * 86400.0 + float(t.tt_fraction) * 86400.0
    assert tt_minus_utc_s == pytest.approx(69.184, abs=1e-5)
    # TDB - TT stays within +-1.7 ms (Fairhead & Bretagnon 1990, periodic terms; USNO Circular 179 eq. 2.6).
    assert abs((t.tdb - t.tt) * 86400.0) < 1.7e-3


@pytest.mark.parametrize(
    "value",
    [
        "2030-01-01T12:00:00Z",
        "2030-01-01T12:00:00+00:00",
        "2030-01-01T13:00:00+01:00",
        datetime(2030, 1, 1, 12, tzinfo=timezone.utc),
        datetime(2030, 1, 1, 12),  # naive: UTC
        np.datetime64("2030-01-01T12:00:00"),
    ],
)
def test_equivalent_inputs(value: object) -> None:
    assert parse_utc(value).tt == pytest.approx(parse_utc("2030-01-01T12:00:00Z").tt, abs=1e-9 / 86400)


def test_arrays_of_times() -> None:
    strings = ["2030-01-01", "2030-01-02T00:00:00Z", datetime(2030, 1, 3, tzinfo=timezone.utc)]
    t = parse_utc(strings)
    assert np.diff(t.tt) == pytest.approx([1.0, 1.0], abs=1e-9)
    assert list(utc_iso(t)) == ["2030-01-01T00:00:00Z", "2030-01-02T00:00:00Z", "2030-01-03T00:00:00Z"]
    array = np.array(["2030-01-01T00:00", "2030-06-01T06:30"], dtype="datetime64[ns]")
    assert list(to_datetime64(parse_utc(array))) == list(array)


def test_range_steps_and_end() -> None:
    t = utc_range("2030-01-01", "2030-01-02", 3600.0)
    assert len(t.tt) == 25
    assert to_datetime64(t)[-1] == np.datetime64(datetime(2030, 1, 1) + timedelta(days=1), "ns")
    with pytest.raises(InputError, match="step_s"):
        utc_range("2030-01-01", "2030-01-02", 0.0)
    with pytest.raises(InputError, match="before start"):
        utc_range("2030-01-02", "2030-01-01", 60.0)


@pytest.mark.parametrize(
    "bad,fragment",
    [
        ("", "'' is not ISO 8601"),
        ("2030-01-32", "'2030-01-32' is not ISO 8601"),
        ("noon", "'noon' is not ISO 8601"),
        (12345, "12345 of type int is not a time"),
        (["2030-01-01", "x"], "(element 1) 'x' is not ISO 8601"),
        ([], "list of times is empty"),
        (np.datetime64("NaT"), "NaT"),
    ],
)
def test_bad_times(bad: object, fragment: str) -> None:
    with pytest.raises(TimeFormatError) as info:
        parse_utc(bad)
    assert fragment in str(info.value)
