"""Plotly figures: orbits (Moon-centred rotating frame, Moon-fixed frame) and link/eclipse timelines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np
import plotly.graph_objects as go

from lunarops.constants import MOON_RADIUS_M
from lunarops.orbits.families import PeriodicOrbit
from lunarops.orbits.functions import FloatArray, intervals_from_mask
from lunarops.orbits.tracks import Track

KM = 1000.0


def _moon_surface(n: int = 24) -> go.Surface:
    u, v = np.meshgrid(np.linspace(0, 2 * np.pi, n), np.linspace(0, np.pi, n // 2))
    r = MOON_RADIUS_M / KM
    return go.Surface(
        x=r * np.cos(u) * np.sin(v),
        y=r * np.sin(u) * np.sin(v),
        z=r * np.cos(v),
        showscale=False,
        colorscale=[[0, "#888"], [1, "#bbb"]],
        opacity=0.9,
        name="Moon",
        hoverinfo="skip",
    )


def rotating_frame_figure(orbits: Sequence[PeriodicOrbit], n: int = 1500) -> go.Figure:
    """Periodic CR3BP orbits in the Moon-centred Earth-Moon rotating frame [km] (x away from the Earth)."""
    fig = go.Figure([_moon_surface()])
    for orbit in orbits:
        _, states = orbit.sample(n)
        rel = (states[:3] - orbit.system.moon_position[:, None]) * orbit.system.length_m / KM
        fig.add_trace(
            go.Scatter3d(
                x=rel[0], y=rel[1], z=rel[2], mode="lines", name=f"{orbit.family} {orbit.period_days:.3f} d"
            )
        )
    fig.update_layout(
        title="Orbits in the Earth-Moon rotating frame, Moon-centred [km]",
        scene={"aspectmode": "data", "xaxis_title": "x [km]", "yaxis_title": "y [km]", "zaxis_title": "z [km]"},
    )
    return fig


def moon_fixed_figure(tracks: Sequence[Track], max_points: int = 2000) -> go.Figure:
    """Orbiter tracks in the Moon ME (Moon-fixed) frame [km], decimated to ``max_points`` each."""
    fig = go.Figure([_moon_surface()])
    for track in tracks:
        stride = max(1, track.seconds.size // max_points)
        p = track.position_me_m[:, ::stride] / KM
        fig.add_trace(go.Scatter3d(x=p[0], y=p[1], z=p[2], mode="lines", name=track.name))
    fig.update_layout(
        title="Orbiter tracks, Moon-fixed (ME) frame [km]",
        scene={"aspectmode": "data", "xaxis_title": "x [km]", "yaxis_title": "y [km]", "zaxis_title": "z [km]"},
    )
    return fig


def timeline_figure(
    rows: Sequence[tuple[str, np.ndarray]], seconds: FloatArray, epoch_utc: datetime, title: str, row_title: str = ""
) -> go.Figure:
    """Horizontal bars where each row's boolean mask (N,) is True, against UTC time."""
    fig = go.Figure()
    step = float(seconds[1] - seconds[0]) if seconds.size > 1 else 0.0
    for k, (label, mask) in enumerate(rows):
        xs: list[datetime | None] = []
        ys: list[float | None] = []
        for start, end in intervals_from_mask(mask, seconds):
            xs += [epoch_utc + timedelta(seconds=float(start))]
            xs += [epoch_utc + timedelta(seconds=float(end + step)), None]
            ys += [k, k, None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"width": 10}, name=label))
    fig.update_layout(
        title=title,
        yaxis={"tickmode": "array", "tickvals": list(range(len(rows))), "ticktext": [r[0] for r in rows],
               "title": row_title},
        xaxis_title="date (UTC)",
        showlegend=False,
        height=120 + 40 * len(rows),
    )
    return fig
