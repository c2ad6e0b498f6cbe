"""JSON text of results: numpy values and arrays become plain JSON, NaN and inf become null."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from typing import Any

import numpy as np


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON types: numpy values and arrays as lists and numbers, NaN and +-inf as None, dates as
    ISO text."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def non_finite_marks(summary: Any) -> dict[str, dict[str, str]]:
    """``{stage: {key: "inf" | "-inf"}}`` for the infinite values of a summary ``{stage: {key: value}}``: JSON
    writes them as null, and these marks say which nulls are infinities (e.g. a consumables reserve with no
    crew drawing on it)."""
    marks: dict[str, dict[str, str]] = {}
    for stage, values in summary.items() if isinstance(summary, dict) else ():
        if isinstance(values, dict):
            for key, value in values.items():
                if isinstance(value, float | np.floating) and math.isinf(value):
                    marks.setdefault(str(stage), {})[str(key)] = repr(float(value))
    return marks


def to_json(obj: Any) -> str:
    """JSON text of dicts of numbers/arrays; NaN and inf become null."""
    return json.dumps(jsonable(obj), indent=2, allow_nan=False, default=str)
