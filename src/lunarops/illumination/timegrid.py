"""Time steps written by people ("1h", "30min", "1d") and the sample grid of a period."""

from __future__ import annotations

import math
import re
from typing import Any, TypeGuard

import numpy as np
from skyfield.timelib import Time

from lunarops.checks import is_real_number
from lunarops.constants import DAY_S
from lunarops.errors import InputError
from lunarops.timescale import utc_period

_UNITS_S = {
    "s": 1.0, "sec": 1.0, "second": 1.0, "seconds": 1.0,
    "min": 60.0, "m": 60.0, "minute": 60.0, "minutes": 60.0,
    "h": 3600.0, "hr": 3600.0, "hour": 3600.0, "hours": 3600.0,
    "d": 86400.0, "day": 86400.0, "days": 86400.0,
}
_STEP = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([a-zA-Z]+)\s*$")


def parse_step_s(text: str, field: str = "--step") -> float:
    """Seconds in a step such as ``1h``, ``30min``, ``90s``, ``1d`` or ``2.5 hours``. [s]

    Raises InputError naming ``field`` when the text has no number and unit or the step is not positive.
    """
    match = _STEP.match(str(text))
    unit = match.group(2).lower() if match else ""
    if not match or unit not in _UNITS_S:
        raise InputError(
            f"{field} = {text!r} is not a time step; write a number and a unit: s, min, h or d (e.g. 1h, 30min, 1d)"
        )
    step_s = float(match.group(1)) * _UNITS_S[unit]
    if not math.isfinite(step_s) or step_s <= 0:
        raise InputError(f"{field} = {text!r} must be a positive time step (e.g. 1h)")
    return step_s


def period_times(start: Any, end: Any, step_s: float) -> Time:
    """Samples ``start + k step`` with ``start <= t < end`` (half-open, so each sample stands for one step).

    A period shorter than one step gives the single sample at ``start``; see :func:`lunarops.timescale.utc_period`.
    """
    return utc_period(start, end, step_s)


#: Largest difference [s] between ``step_s`` and the spacing of the samples, and between any two spacings.
STEP_TOLERANCE_S = 1e-3


def is_real(value: object) -> TypeGuard[float]:
    """True for a real number (int, float, numpy scalar), False for a bool, a string, None, an array..."""
    return is_real_number(value)


def shown(value: object, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters for messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_time_grid(t: object, step_s: object) -> float:
    """``step_s`` [s] checked against the samples ``t``: InputError unless ``t`` is a skyfield Time with at least one
    sample, ``step_s`` a finite number > 0 and, for two or more samples, ``t`` is increasing, uniformly spaced and
    its spacing is ``step_s`` (to ``STEP_TOLERANCE_S``; the spacing is in TT seconds, as :func:`period_times`
    steps). Results that count samples (longest dark hours) multiply by ``step_s``, so a wrong one is a wrong
    answer, not a slower one."""
    if not isinstance(t, Time):
        raise InputError(
            f"t = {shown(t)} must be a skyfield Time of the sample times; build it with "
            "lunarops.illumination.timegrid.period_times(start, end, step_s) or "
            "lunarops.timescale.utc_period(start, end, step_s), the same samples"
        )
    if not (is_real(step_s) and math.isfinite(step_s) and step_s > 0):
        raise InputError(f"step_s = {shown(step_s)} must be a finite number > 0 [s]; the spacing of t, e.g. 3600.0")
    step = float(step_s)
    tt = np.atleast_1d(np.asarray(t.tt, dtype=np.float64))
    if tt.size == 0:
        raise InputError(
            "t has no samples; build it with lunarops.illumination.timegrid.period_times(start, end, step_s)"
        )
    if tt.size < 2:
        return step
    spacing_s = np.diff(tt) * DAY_S
    low, high = float(spacing_s.min()), float(spacing_s.max())
    if not low > 0:
        raise InputError(
            f"t must be in increasing time order (found a step of {low:.3f} s between samples); build it with "
            "lunarops.illumination.timegrid.period_times(start, end, step_s)"
        )
    if high - low > STEP_TOLERANCE_S:
        raise InputError(
            f"t is not uniformly spaced (steps of {low:.3f} to {high:.3f} s between samples) and durations count "
            f"samples times step_s = {step!r} s; build t with "
            f"lunarops.illumination.timegrid.period_times(start, end, {step!r})"
        )
    spacing = (float(tt[-1]) - float(tt[0])) * DAY_S / (tt.size - 1)
    if abs(spacing - step) > STEP_TOLERANCE_S:
        raise InputError(
            f"step_s = {step!r} s does not match the spacing of t ({round(spacing, 3)!r} s between samples); "
            f"pass step_s = {round(spacing, 3)!r}, or build t with "
            f"lunarops.illumination.timegrid.period_times(start, end, {step!r})"
        )
    return step


def check_period(
    start: Any,
    end: Any,
    step_s: float,
    step_option: str = "--step",
    min_samples: int = 2,
    start_option: str = "--start",
    end_option: str = "--end",
) -> None:
    """InputError naming the command-line option, before any work, unless ``start < end``, the period holds at
    least ``min_samples`` samples of ``step_s`` [s], and its samples (``start`` .. the last one before ``end``)
    lie inside the coverage of the shipped ephemeris and Moon orientation kernels."""
    from lunarops.ephemeris import default_ephemeris
    from lunarops.errors import TimeFormatError
    from lunarops.timescale import half_open_count, parse_utc, timescale, utc_iso

    times = []
    for option, value in ((start_option, start), (end_option, end)):
        try:
            times.append(parse_utc(value))
        except TimeFormatError as error:
            raise InputError(f"{option} = {value!r}: {error}") from None
    t0, t1 = times
    span_s = float(t1.tt - t0.tt) * DAY_S
    if not span_s > 0:
        raise InputError(
            f"{end_option} = {end} is {'equal to' if span_s == 0 else 'before'} {start_option} = {start}: the period "
            f"is empty ({end_option} is excluded); give an {end_option} after {start_option}"
        )
    n = half_open_count(span_s, step_s)
    if n < min_samples:
        raise InputError(
            f"{step_option} ({step_s / 3600.0:g} h) leaves {n} sample in {start_option} {start} .. {end_option} {end} "
            f"({span_s / 3600.0:g} h); statistics need at least {min_samples} samples: use a {step_option} of at most "
            f"{span_s / 3600.0 / min_samples:g} h or a longer period"
        )
    ephemeris = default_ephemeris()
    ts = timescale()
    first, last = ts.tdb_jd(ephemeris.start_tdb_jd), ts.tdb_jd(ephemeris.end_tdb_jd)
    allowed = (f"the samples must lie in {utc_iso(first)[0]} .. {utc_iso(last)[0]}, the coverage of the ephemeris "
               "and Moon orientation kernels (DE421, moon_pa_de421_1900-2050.bpc)")
    if not float(t0.tdb) >= ephemeris.start_tdb_jd or not float(t0.tdb) <= ephemeris.end_tdb_jd:
        raise InputError(
            f"{start_option} = {start} is outside the kernels: {allowed}; give a {start_option} of "
            f"{utc_iso(ts.tdb_jd(ephemeris.start_tdb_jd + 1.0))[0][:10]} or later"
        )
    last_sample_tdb = float(t0.tdb) + (n - 1) * step_s / DAY_S
    if not last_sample_tdb <= ephemeris.end_tdb_jd:
        raise InputError(
            f"{end_option} = {end} is past the kernels (the last sample, before {end_option}, would be at "
            f"{utc_iso(ts.tdb_jd(last_sample_tdb))[0]}): {allowed}; give an {end_option} of "
            f"{utc_iso(last)[0][:10]} or earlier"
        )
