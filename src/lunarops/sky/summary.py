"""Span summaries of a SkyTrack: time above the local horizontal and elevation extremes of the Sun and Earth."""

from __future__ import annotations

import numpy as np

from lunarops.sky.track import SkyTrack


def span_summary(track: SkyTrack, step_s: float) -> dict[str, float]:
    """Fractions and hours of the samples with the Sun's / Earth's centre above the local horizontal (smooth
    sphere, no terrain) and the extremes of their elevations.

    Hours count each sample above as one step (``step_s``) of the half-open period, so they are
    ``fraction * n_times * step_s / 3600``: a sampled estimate, exact to about one step per rising or setting.
    """
    out: dict[str, float] = {}
    for body in ("sun", "earth"):
        elevation = np.asarray(getattr(track, f"{body}_elevation_deg"))
        up = elevation > 0.0
        out[f"{body}_center_above_horizontal_fraction"] = float(np.mean(up))
        out[f"{body}_center_above_horizontal_hours"] = float(np.count_nonzero(up) * step_s / 3600.0)
        out[f"{body}_elevation_min_deg"] = float(elevation.min())
        out[f"{body}_elevation_max_deg"] = float(elevation.max())
    return out
