"""Time steps written by people ("1h", "30min", "1d") and the sample grid of a period."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
from skyfield.timelib import Time

from lunarops.errors import InputError
from lunarops.timescale import parse_utc, utc_range

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

    A period shorter than one step gives the single sample at ``start``.
    """
    t = utc_range(start, end, step_s)
    tt = np.atleast_1d(t.tt)
    if tt.size > 1 and abs(float(tt[-1]) - float(parse_utc(end).tt)) * 86400.0 < 1e-3:
        t = t[: tt.size - 1]
    return t
