"""Plotly figures of the campaign: roadmap Gantt, mass launched per year, time-expanded network flows."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import plotly.graph_objects as go

from lunarops.logistics.roadmap import Roadmap

#: Okabe & Ito (2008) colour-blind-safe palette (the phases stay apart for red-green colour blindness)
_PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")


def roadmap_gantt(roadmap: Roadmap) -> go.Figure:
    """Phases as shaded bands and missions as bars, one row per mission, in time order."""
    fig = go.Figure()
    missions = sorted(roadmap.missions, key=lambda m: (m.start, m.name))
    phases = {p.name: i for i, p in enumerate(roadmap.phases)}
    for p in roadmap.phases:
        fig.add_vrect(
            x0=p.start.isoformat(), x1=p.end.isoformat(), fillcolor=_PALETTE[phases[p.name] % len(_PALETTE)],
            opacity=0.08, line_width=0, annotation_text=p.name, annotation_position="top left",
        )
    for phase_name, index in phases.items():
        rows = [m for m in missions if m.phase == phase_name]
        if not rows:
            continue
        fig.add_trace(
            go.Bar(
                y=[m.name for m in rows],
                x=[max((m.end - m.start).days, 20) * 86400000.0 for m in rows],
                base=[m.start.isoformat() for m in rows],
                orientation="h",
                name=phase_name,
                marker_color=_PALETTE[index % len(_PALETTE)],
                # assumed missions (placeholder dates, inferred dependencies) hatched, published ones solid
                marker_pattern_shape=["/" if m.basis == "assumed" else "" for m in rows],
                customdata=[[m.agency, m.launcher, ", ".join(m.contents), m.basis] for m in rows],
                hovertemplate="%{y} (%{customdata[3]})<br>%{base|%Y-%m-%d}<br>%{customdata[0]} %{customdata[1]}"
                "<br>%{customdata[2]}<extra></extra>",
            )
        )
    # dependencies: an arrow from the end of each mission depended on to the start of the mission that needs it
    by_name = {m.name: m for m in missions}
    for m in missions:
        for dep in m.depends_on:
            before = by_name.get(dep)
            if before is None:
                continue
            # from the visible end of the earlier bar (bars are drawn at least 20 days long)
            tail = max(before.end, before.start + timedelta(days=20))
            fig.add_annotation(
                x=m.start.isoformat(), y=m.name, ax=tail.isoformat(), ay=before.name, xref="x", yref="y",
                axref="x", ayref="y", showarrow=True, arrowhead=2, arrowwidth=1, arrowcolor="#555", opacity=0.6,
                text="",
            )
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=[m.name for m in missions])
    fig.update_xaxes(type="date", title="date (UTC)")
    arrows = " (arrows: depends on)" if any(m.depends_on for m in missions) else ""
    if any(m.basis == "assumed" for m in missions):
        arrows += "; hatched: assumed (the scenario's dates or dependencies)"
    fig.update_layout(title=f"Roadmap{arrows}", barmode="overlay", height=max(320, 24 * len(missions) + 120))
    return fig


def mass_per_year_bar(mass_per_year: pd.DataFrame, launch_node: str | None = None) -> go.Figure:
    """Mass launched per calendar year [t], to ``launch_node`` (the launch arcs' destination) when given."""
    fig = go.Figure(
        go.Bar(x=mass_per_year["year"], y=mass_per_year["launched_mass_kg"] / 1000.0, name="launched mass")
    )
    where = launch_node or "orbit"
    fig.update_layout(title=f"Mass launched to {where} per year", xaxis_title="year",
                      yaxis_title=f"mass to {where} [t]")
    return fig


def network_flow_figure(flights: pd.DataFrame, nodes: tuple[str, ...], epoch: datetime) -> go.Figure:
    """The time-expanded network: nodes on the vertical axis, steps on the time axis, one line per flight
    (transport) or parked spacecraft (holdover), coloured by spacecraft copy, width by gross mass."""
    fig = go.Figure()
    level = {n: i for i, n in enumerate(nodes)}
    if len(flights) == 0:
        return fig
    days = sorted(set(flights["day"]))
    nxt = {d: (days[i + 1] if i + 1 < len(days) else d + 30.0) for i, d in enumerate(days)}
    copies = sorted(set(flights["spacecraft"]))
    colour = {c: _PALETTE[i % len(_PALETTE)] for i, c in enumerate(copies)}
    gross_max = max(float(flights["gross_mass_kg"].max()), 1.0)
    for copy in copies:
        xs: list[datetime | None] = []
        ys: list[float | None] = []
        for _, row in flights[flights["spacecraft"] == copy].iterrows():
            day = float(row["day"])
            t0 = epoch + timedelta(days=day)
            origin, destination = level[str(row["from"])], level[str(row["to"])]
            if bool(row["holdover"]):
                xs += [t0, epoch + timedelta(days=float(nxt[day])), None]
                ys += [origin, origin, None]
            else:
                # the legs of one step are drawn as a ladder, one day per leg, so that the route stays readable
                top = len(level) - 1
                a, b = (origin, destination) if destination > origin else (top - origin, top - destination)
                xs += [t0 + timedelta(days=a), t0 + timedelta(days=b), None]
                ys += [origin, destination, None]
        fig.add_trace(
            go.Scatter(x=xs, y=ys, mode="lines+markers", name=copy, line={"color": colour[copy], "width": 2})
        )
    fig.update_yaxes(tickvals=list(level.values()), ticktext=list(level), title="node")
    fig.update_xaxes(type="date", title="date (UTC)")
    fig.update_layout(
        title=f"Time-expanded network flows (line per flight or holdover; heaviest stack {gross_max / 1000:.0f} t)"
    )
    return fig
