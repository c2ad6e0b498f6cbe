"""UTC input to skyfield Time (TT, TDB), offline.

Accepted times: ISO 8601 strings (``2030-01-01T00:00:00Z``, a bare date ``2030-01-01``, or with an offset),
timezone-aware or naive (taken as UTC) ``datetime`` objects, ``numpy.datetime64`` values, and lists or arrays
of any of these. Leap seconds and TT-TDB come from skyfield's built-in tables; nothing is downloaded.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import numpy as np
from skyfield.api import load
from skyfield.timelib import Time, Timescale

from lunarops.checks import is_real_number
from lunarops.errors import InputError, TimeFormatError


@lru_cache(maxsize=1)
def timescale() -> Timescale:
    """Skyfield's timescale with its built-in leap-second and Delta T tables (offline)."""
    return load.timescale(builtin=True)


def _parse_one(value: Any, index: int | None = None) -> datetime:
    where = "" if index is None else f" (element {index})"
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise TimeFormatError(f"time{where} is NaT (not a time); every time must be a valid UTC instant")
        value = value.astype("datetime64[us]").item()
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise TimeFormatError(
                f"time{where} {value!r} is not ISO 8601 UTC; write it like '2030-01-01T00:00:00Z' or '2030-01-01'"
            ) from None
        return _parse_one(parsed)
    raise TimeFormatError(
        f"time{where} {value!r} of type {type(value).__name__} is not a time; give an ISO 8601 string "
        "such as '2030-01-01T00:00:00Z' or a datetime"
    )


def parse_utc_datetime(value: Any, name: str) -> datetime:
    """One UTC time as an aware datetime; a TimeFormatError that names ``name`` (e.g. "--since") otherwise."""
    try:
        return _parse_one(value)
    except TimeFormatError as error:
        raise TimeFormatError(f"{name}: {error}") from None


def parse_utc(value: Any) -> Time:
    """A skyfield Time from one UTC time or a sequence of them (see module docstring)."""
    if isinstance(value, Time):
        return value
    ts = timescale()
    if isinstance(value, str | datetime | date | np.datetime64):
        return ts.from_datetime(_parse_one(value))
    if isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.datetime64):
        return _from_datetime64(value)
    if isinstance(value, Iterable):
        items = list(value)
        if not items:
            raise TimeFormatError("the list of times is empty; give at least one ISO 8601 UTC time")
        return ts.from_datetimes([_parse_one(item, i) for i, item in enumerate(items)])
    return ts.from_datetime(_parse_one(value))


def _from_datetime64(values: np.ndarray) -> Time:
    if np.isnat(values).any():
        first = int(np.flatnonzero(np.isnat(values))[0])
        raise TimeFormatError(f"time (element {first}) is NaT; every time must be a valid UTC instant")
    ns = values.astype("datetime64[ns]")
    days = ns.astype("datetime64[D]")
    seconds_of_day = (ns - days.astype("datetime64[ns]")) / np.timedelta64(1, "s")
    years = days.astype("datetime64[Y]")
    months = days.astype("datetime64[M]")
    year = years.astype(np.int64) + 1970
    month = (months - years.astype("datetime64[M]")).astype(np.int64) + 1
    day = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
    return timescale().utc(year, month, day, 0, 0, seconds_of_day.astype(np.float64))


def utc_range(start: Any, end: Any, step_s: float) -> Time:
    """Times from ``start`` to ``end`` (inclusive when it falls on a step) every ``step_s`` seconds."""
    t0, span_s, step = _span(start, end, step_s)
    return _steps(t0, int(np.floor(span_s / step + 1e-9)) + 1, step)


def utc_period(start: Any, end: Any, step_s: float) -> Time:
    """Samples ``start + k step`` with ``start <= t < end`` (half-open: each sample stands for one step).

    The count is that of the UTC calendar, ``ceil((end - start) / step)`` and at least 1: steps are SI seconds,
    so the samples after a leap second fall one second before the hour, and the leap second adds no sample
    (2016-12-31T12:00 to 2017-01-01T12:00 hourly: 24 samples, the last at 10:59:59).
    """
    t0, span_s, step = _span(start, end, step_s)
    return _steps(t0, half_open_count(span_s, step), step)


def half_open_count(span_s: float, step_s: float) -> int:
    """Samples ``k step`` with ``0 <= k step < span`` (at least 1): every period of lunarops counts this way."""
    return max(1, math.ceil(span_s / step_s - 1e-9))


def _span(start: Any, end: Any, step_s: float) -> tuple[datetime, float, float]:
    if not is_real_number(step_s):
        raise InputError(
            f"step_s = {step_s!r} must be a number of seconds, e.g. 3600 for hourly "
            "(lunarops.illumination.timegrid.parse_step_s reads text such as '1h')"
        )
    if not np.isfinite(step_s) or step_s <= 0:
        raise InputError(f"step_s must be a positive number of seconds, got {step_s!r}; e.g. 3600 for hourly")
    t0 = _parse_one(start)
    t1 = _parse_one(end)
    span_s = (t1 - t0).total_seconds()
    if span_s < 0:
        raise InputError(f"end {t1.isoformat()} is before start {t0.isoformat()}; swap them")
    return t0, span_s, float(step_s)


def _steps(t0: datetime, n: int, step_s: float) -> Time:
    if n > 50_000_000:
        raise InputError(f"{n:,} time steps is too many; use a larger step than {step_s} s or a shorter span")
    offsets_s = np.arange(n, dtype=np.float64) * step_s
    return timescale().utc(t0.year, t0.month, t0.day, t0.hour, t0.minute, t0.second + t0.microsecond * 1e-6 + offsets_s)


def utc_iso(t: Time) -> np.ndarray:
    """ISO 8601 UTC strings (``2030-01-01T00:00:00Z``) of a Time, as a numpy array of str."""
    return np.atleast_1d(np.asarray(t.utc_strftime("%Y-%m-%dT%H:%M:%SZ")))


def to_datetime64(t: Time) -> np.ndarray:
    """UTC as numpy datetime64[ns] for xarray/pandas indexes (a leap second folds into the next minute)."""
    year, month, day, hour, minute, second = (np.atleast_1d(np.asarray(c)) for c in t.utc)
    months = (year.astype(np.int64) - 1970).astype("datetime64[Y]").astype("datetime64[M]")
    days = (months + (month.astype(np.int64) - 1).astype("timedelta64[M]")).astype("datetime64[D]")
    days = days + (day.astype(np.int64) - 1).astype("timedelta64[D]")
    seconds = hour * 3600.0 + minute * 60.0 + second
    return days.astype("datetime64[ns]") + np.round(seconds * 1e9).astype("int64").astype("timedelta64[ns]")
