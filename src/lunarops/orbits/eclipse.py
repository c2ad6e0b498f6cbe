"""Eclipses of a spacecraft by the Moon and by the Earth: umbra, penumbra, antumbra, with durations.

Conical shadows of spherical bodies (Sun 695,700 km, Moon 1737.4 km, Earth 6378.137 km): the hidden fraction
of the solar disk is the overlap of the two apparent disks (Montenbruck & Gill 2000, sec. 3.4.2). Geometric
positions (no light-time), the convention of SPICE's ``occult`` with aberration correction 'NONE'.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from lunarops.constants import EARTH_EQUATORIAL_RADIUS_M, MOON_RADIUS_M, SUN_RADIUS_M
from lunarops.errors import InputError
from lunarops.orbits.functions import FloatArray, intervals_from_mask, shadow_by_body

KIND_NAMES = {0: "sunlit", 1: "penumbra", 2: "umbra", 3: "antumbra"}


@dataclass(frozen=True)
class EclipseEvent:
    """One contiguous eclipse interval by one body."""

    body: str  # "moon" or "earth"
    kind: str  # "umbra" (some part total) or "penumbra" (partial/annular only)
    start_s: float
    end_s: float
    umbra_s: float = 0.0  # of it in the umbra (total): samples in the umbra times the step [s]

    @property
    def duration_s(self) -> float:
        """Length of the interval [s] (sample-resolution)."""
        return self.end_s - self.start_s


@dataclass(frozen=True)
class EclipseTimeline:
    """Sunlight of one spacecraft on a uniform time grid."""

    seconds: FloatArray  # (N,)
    sun_fraction: FloatArray  # (N,) visible fraction of the solar disk, 0..1
    moon_kind: NDArray[np.int8]  # (N,) 0 sunlit, 1 penumbra, 2 umbra, 3 antumbra
    earth_kind: NDArray[np.int8]
    events: tuple[EclipseEvent, ...]

    def summary(self) -> dict[str, float]:
        """Totals and extremes [h] and the sunlit fraction."""
        step = float(self.seconds[1] - self.seconds[0]) if self.seconds.size > 1 else 0.0
        umbra = (self.moon_kind == 2) | (self.earth_kind == 2)
        any_shadow = (self.moon_kind > 0) | (self.earth_kind > 0)
        longest = max((e.duration_s + step for e in self.events), default=0.0)
        by_body: dict[str, float] = {}
        for body in ("earth", "moon"):
            events = [e for e in self.events if e.body == body]
            by_body[f"n_{body}_eclipses"] = float(len(events))
            by_body[f"longest_{body}_eclipse_hours"] = max((e.duration_s + step for e in events), default=0.0) / 3600.0
        return {
            "sunlit_fraction": float(np.mean(self.sun_fraction)),
            "umbra_hours": float(umbra.sum() * step / 3600.0),
            "shadow_hours": float(any_shadow.sum() * step / 3600.0),
            "longest_eclipse_hours": float(longest) / 3600.0,
            "n_eclipses": float(len(self.events)),
            **by_body,
        }

    def longest_event(self, body: str) -> EclipseEvent | None:
        """The longest eclipse event by ``body`` ("earth" or "moon"), None when there is none."""
        events = [e for e in self.events if e.body == body]
        return max(events, key=lambda e: e.duration_s) if events else None


def eclipse_timeline(
    seconds: FloatArray,
    spacecraft_m: FloatArray,
    sun_m: FloatArray,
    earth_m: FloatArray,
) -> EclipseTimeline:
    """Eclipses of a spacecraft at Moon-centred positions (3, N) [m], given Sun and Earth (3, N) [m].

    ``seconds`` (N,): N >= 1 finite, strictly increasing times [s]; every position array has shape (3, N)
    (components on the first axis) and finite values. InputError otherwise.
    """
    t = _check_seconds(seconds)
    r = _check_positions("spacecraft_m", spacecraft_m, t.size)
    sun_m = _check_positions("sun_m", sun_m, t.size)
    earth_m = _check_positions("earth_m", earth_m, t.size)
    moon_hidden, moon_kind = shadow_by_body(r, sun_m, np.zeros_like(r), SUN_RADIUS_M, MOON_RADIUS_M)
    earth_hidden, earth_kind = shadow_by_body(r, sun_m, earth_m, SUN_RADIUS_M, EARTH_EQUATORIAL_RADIUS_M)
    fraction = np.clip(1.0 - moon_hidden - earth_hidden, 0.0, 1.0)
    events: list[EclipseEvent] = []
    step = float(t[1] - t[0]) if t.size > 1 else 0.0
    for body, kind in (("moon", moon_kind), ("earth", earth_kind)):
        for start, end in intervals_from_mask(kind > 0, t):
            inside = (t >= start) & (t <= end)
            total = int(np.count_nonzero(kind[inside] == 2))
            label = "umbra" if total else "penumbra"
            events.append(EclipseEvent(body, label, float(start), float(end), total * step))
    events.sort(key=lambda e: e.start_s)
    return EclipseTimeline(t, fraction, moon_kind, earth_kind, tuple(events))


def _check_seconds(seconds: FloatArray) -> FloatArray:
    try:
        t = np.asarray(seconds, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"seconds must be an array of times [s], got {seconds!r}; give a 1-D float array") from None
    if t.ndim != 1 or t.size == 0:
        raise InputError(
            f"seconds must be a non-empty 1-D array of times [s], got shape {t.shape}; give at least one time"
        )
    if not np.all(np.isfinite(t)):
        raise InputError(f"seconds has {int(np.sum(~np.isfinite(t)))} non-finite value(s) (NaN/inf); give finite times")
    if t.size > 1 and np.any(np.diff(t) <= 0):
        raise InputError("seconds must increase strictly (one column of the positions per time); sort them")
    return t


def _check_positions(name: str, positions: FloatArray, n: int) -> FloatArray:
    try:
        r = np.asarray(positions, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be an array of positions [m], got {positions!r}") from None
    if r.shape != (3, n):
        hint = "; transpose it (components on the first axis)" if r.shape == (n, 3) else ""
        raise InputError(
            f"{name} must have shape (3, N) = (3, {n}) (x, y, z rows, one column per time in seconds), "
            f"got shape {r.shape}{hint}"
        )
    if not np.all(np.isfinite(r)):
        bad = int(np.sum(~np.all(np.isfinite(r), axis=0)))
        raise InputError(f"{name} has non-finite (NaN/inf) positions at {bad} of {n} times; give finite positions [m]")
    return r
