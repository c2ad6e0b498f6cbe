"""Lines of sight from orbiters to a surface site (with its terrain horizon) and to the Earth; coverage.

A site sees an orbiter when the orbiter's elevation, seen from the site, is above the site's horizon: the
terrain mask of ``lunarops.terrain.horizon_at_site`` when given (``elevation_at(azimuth_rad)``), otherwise
the smooth sphere's geometric horizon for the observer's height, plus an optional minimum elevation for the
antenna. An orbiter sees the Earth when the segment to the Earth's centre does not cross the 1737.4 km lunar
sphere. Azimuths follow ``lunarops.sky`` (from north through east; radial local vertical).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lunarops.constants import MOON_RADIUS_M
from lunarops.orbits.functions import (
    FloatArray,
    coverage_statistics,
    intervals_from_mask,
    segment_clears_sphere,
    sphere_horizon_dip_rad,
)
from lunarops.sky.functions import local_azimuth_elevation_rad, site_position_me_m


class Horizon(Protocol):
    """Anything with a horizon elevation per azimuth (``lunarops.terrain.HorizonMask``)."""

    def elevation_at(self, azimuth_rad: ArrayLike) -> FloatArray: ...


@dataclass(frozen=True)
class LinkTimeline:
    """Visibility of one link on a uniform time grid."""

    name: str
    seconds: FloatArray  # (N,)
    visible: NDArray[np.bool_]  # (N,)
    elevation_rad: FloatArray | None = None  # (N,) for site links
    end_s: float | None = None  # end of the period [s since the epoch]; None: last sample + one step
    range_m: FloatArray | None = None  # (N,) site links: site to orbiter; relay paths: to the nearest relay (NaN: none)

    def windows_s(self) -> FloatArray:
        """Start and end (K, 2) of the visibility windows [s since the grid's epoch]: first to last sample."""
        return intervals_from_mask(self.visible, self.seconds)

    def _step_s(self) -> float:
        t = np.asarray(self.seconds, dtype=float)
        if t.size > 1:
            return float(t[1] - t[0])
        return float(self.end_s - t[0]) if self.end_s is not None and t.size else 0.0

    def _spans(self, mask: NDArray[np.bool_]) -> FloatArray:
        runs = intervals_from_mask(mask, self.seconds)
        if not runs.size:
            return np.zeros((0, 2))
        step = self._step_s()
        end = float(self.seconds[-1]) + step if self.end_s is None else float(self.end_s)
        return np.stack([runs[:, 0], np.minimum(runs[:, 1] + step, end)], axis=1)

    def window_spans_s(self) -> FloatArray:
        """Start and end (K, 2) of the windows as time spans [s since the epoch]: each sample stands for the
        step that starts at it, the last one clipped to the period's end (``end_s``), as in ``statistics``."""
        return self._spans(np.asarray(self.visible, dtype=bool))

    def gap_spans_s(self) -> FloatArray:
        """Start and end (K, 2) of the gaps (no line of sight) as time spans, like ``window_spans_s``."""
        return self._spans(~np.asarray(self.visible, dtype=bool))

    def statistics(self) -> dict[str, float]:
        """Fraction visible, longest and mean gap [s], window count and mean window [s] (samples x step,
        clipped to the period's end ``end_s``)."""
        return coverage_statistics(self.visible, self.seconds, self.end_s)


def site_sees_orbiter(
    orbiter_me_m: FloatArray,
    latitude_deg: float,
    longitude_deg: float,
    height_m: float = 0.0,
    horizon: Horizon | None = None,
    min_elevation_deg: float | None = None,
) -> tuple[NDArray[np.bool_], FloatArray, FloatArray]:
    """Visibility, azimuth and elevation [rad] of orbiter positions (3, N) in the Moon ME frame from a site.

    ``height_m`` is the observer's height above the 1737.4 km sphere (ground + mast); ``min_elevation_deg``
    (optional) raises the horizon to an antenna's minimum elevation.
    """
    lat, lon = math.radians(latitude_deg), math.radians(longitude_deg)
    site = site_position_me_m(lat, lon, height_m)
    azimuth, elevation = local_azimuth_elevation_rad(np.asarray(orbiter_me_m) - site[:, None], lat, lon)
    if horizon is not None:
        limit = np.asarray(horizon.elevation_at(azimuth), dtype=float)
    else:
        limit = np.full(azimuth.shape, float(sphere_horizon_dip_rad(MOON_RADIUS_M, height_m)))
    if min_elevation_deg is not None:
        limit = np.maximum(limit, math.radians(min_elevation_deg))
    return elevation > limit, azimuth, elevation


def orbiter_sees_earth(orbiter_m: FloatArray, earth_m: FloatArray) -> NDArray[np.bool_]:
    """True where the line from orbiters (3, N) to the Earth's centre (3, N) [m] clears the Moon."""
    return segment_clears_sphere(orbiter_m, earth_m, MOON_RADIUS_M)
