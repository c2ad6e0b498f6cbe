"""Compact data for the report's plotly charts: the results files keep every value, a chart needs far fewer bytes.

A date string per point costs ~30 bytes in the figure's JSON, a float64 ~10.7 (base64): evenly spaced times
become a start and a step (plotly's ``x0``/``dx``: on a date axis ``dx`` is in milliseconds) and values float32
(~7 significant digits, far below what a chart shows).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: points kept per series of a multi-year chart (5 years of daily points: 1,827)
MAX_POINTS = 2000


def time_axis(times: ArrayLike, axis: str = "x") -> dict[str, Any]:
    """Trace keywords for the times: ``{axis}0`` and ``d{axis}`` [ms] when evenly spaced, else the times as
    ISO 8601 texts to the second. Times are UTC ``datetime64`` values."""
    t = np.asarray(times, dtype="datetime64[ms]")
    if t.size == 1:
        return {f"{axis}0": str(t[0])}
    if t.size > 1:
        step = np.diff(t)
        if np.all(step == step[0]) and step[0] > np.timedelta64(0, "ms"):
            return {f"{axis}0": str(t[0]), f"d{axis}": int(step[0] / np.timedelta64(1, "ms"))}
    return {axis: np.datetime_as_string(t, unit="s").tolist()}


def compact(values: ArrayLike, scale: float = 1.0) -> NDArray[np.float32]:
    """Values (times ``scale``) as float32 for a chart; NaN stays NaN (a gap)."""
    return (np.asarray(values, dtype=np.float64) * scale).astype(np.float32)


def block_factor(n: int, max_points: int = MAX_POINTS) -> int:
    """Samples per plotted point so that ``n`` samples give at most ``max_points`` points."""
    return max(1, -(-n // max_points))


def reduce_blocks(values: ArrayLike, factor: int, how: str) -> NDArray[np.float64]:
    """Blocks of ``factor`` samples along the last axis reduced to one: ``how`` is "mean", "min", "max" or "last"
    (NaN ignored; the last block may be shorter)."""
    v = np.asarray(values, dtype=np.float64)
    if factor <= 1:
        return v
    if how == "last":
        idx = np.append(np.arange(factor - 1, v.shape[-1], factor), v.shape[-1] - 1)
        return v[..., np.unique(idx)]
    n = v.shape[-1]
    blocks = -(-n // factor)
    padded = np.concatenate([v, np.full((*v.shape[:-1], blocks * factor - n), np.nan)], axis=-1)
    shaped = padded.reshape(*v.shape[:-1], blocks, factor)
    if how not in ("mean", "min", "max"):
        raise ValueError(f"reduce_blocks: how = {how!r}; use mean, min, max or last")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN block: NaN, a gap
        if how == "mean":
            return np.asarray(np.nanmean(shaped, axis=-1))
        return np.asarray(np.nanmin(shaped, axis=-1) if how == "min" else np.nanmax(shaped, axis=-1))
