"""The sky stage: Sun and Earth azimuth, elevation and distance at every site, hourly over the period."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import xarray as xr

from lunarops.runner.plotdata import compact, time_axis
from lunarops.runner.stage import Figure, RunContext, StageResult, Table
from lunarops.sky import sky_at_site, sky_fraction_ever_above_horizon, span_summary
from lunarops.timescale import to_datetime64, utc_period

PLOT_POINTS = 4000


def site_ground_height_m(ctx: RunContext, site: object) -> float:
    """The site's ground height over the 1737.4 km sphere: given, else from the scenario's DEM, else 0."""
    given = getattr(site, "ground_height_m", None)
    if given is not None:
        return float(given)
    terrain = ctx.scenario.terrain
    dem_name = getattr(terrain, "dem", None) if terrain is not None else None
    if dem_name in (None, "none"):
        return 0.0
    from lunarops.terrain import load_dem

    return float(load_dem(dem_name).height_at(site.latitude_deg, site.longitude_deg))  # type: ignore[attr-defined]


_SUMMARY_KEYS = (
    "sun_center_above_horizontal_fraction",
    "earth_center_above_horizontal_fraction",
    "sun_center_above_horizontal_hours",
    "earth_center_above_horizontal_hours",
    "sun_elevation_min_deg",
    "sun_elevation_max_deg",
    "earth_elevation_min_deg",
    "earth_elevation_max_deg",
    "sky_fraction_ever_above_horizon",
)


def run_stage(ctx: RunContext) -> StageResult:
    """Sky time series at each scenario site."""
    scenario = ctx.scenario
    period = scenario.period
    t = utc_period(period.start_utc, period.end_utc, period.step_s)
    times = to_datetime64(t)
    names = [site.name for site in scenario.sites]
    tracks = []
    heights = []
    for i, site in enumerate(scenario.sites):
        ctx.progress(i / len(scenario.sites), f"sky at {site.name}")
        height_m = site_ground_height_m(ctx, site) + site.mast_height_m
        heights.append(height_m)
        tracks.append(
            sky_at_site(site.latitude_deg, site.longitude_deg, height_m, t, correction=scenario.sky.correction)
        )
    variables = {
        key: (("site", "time"), np.stack([getattr(track, key) for track in tracks])) for key in tracks[0].as_dict()
    }
    dataset = xr.Dataset(
        variables,
        coords={"site": names, "time": times, "observer_height_m": ("site", np.asarray(heights))},
        attrs={
            "correction": scenario.sky.correction,
            "frame": "MOON_ME (DE421)",
            "ephemeris": "JPL DE421",
            "step_hours": period.step_hours,
        },
    )
    rows = []
    for name, track, site in zip(names, tracks, scenario.sites, strict=True):
        rows.append(
            {
                "site": name,
                **span_summary(track, period.step_s),
                # at a 0 deg horizon on the smooth sphere: no terrain, no horizon dip of an elevated site
                "sky_fraction_ever_above_horizon": float(sky_fraction_ever_above_horizon(site.latitude_deg)),
            }
        )
    import pandas as pd

    table = pd.DataFrame(rows)
    summary = {
        "n_times": len(times),
        "correction": scenario.sky.correction,
        **{f"{key}[{r['site']}]": r[key] for key in _SUMMARY_KEYS for r in rows},
    }
    ctx.progress(1.0, "sky done")
    return StageResult(
        name="sky",
        title="The lunar sky at the sites",
        summary=summary,
        datasets={"sky": dataset},
        figures=[_elevation_figure(dataset), *_earth_phase_figure(dataset)],
        tables=[Table("Sun and Earth above the local horizontal (smooth sphere, no terrain)", table)],
        notes=[
            "Azimuth from north through east; elevation above the local horizontal of the 1737.4 km sphere. "
            f"Correction: {scenario.sky.correction} (apparent = light time + stellar aberration, as SPICE LT+S). "
            "JPL DE421 and the NAIF Moon ME frame (moon_pa_de421_1900-2050.bpc + moon_080317.tf).",
            "The '..._center_above_horizontal_fraction' figures count the samples with the body's centre above the "
            "local horizontal plane, without terrain: sky geometry, not the light at the site (the site stage's "
            "sun_center_visible_fraction, with terrain, when the scenario has a terrain section).",
            "'..._hours' count each sample above the horizontal as one time step. 'sky_fraction_ever_above_horizon' "
            "is the fraction of the celestial sphere (declinations about the Moon's spin axis) that culminates above "
            "a 0 deg horizon at the site's latitude during a lunar rotation, (1 + cos latitude) / 2, without terrain. "
            "The time series also give the Earth's phase angle and illuminated fraction seen from the site and the "
            "Sun-Earth angular separation.",
        ],
        products={"times": t},
    )


def _earth_phase_figure(dataset: xr.Dataset, days: float = 60.0) -> list[Figure]:
    """The Earth's illuminated fraction seen from the first site over the first ``days`` (two lunations): what
    an Earth camera sees (full at new Moon), solid while the Earth's centre is above the horizontal."""
    if "earth_illuminated_fraction" not in dataset or dataset.sizes["time"] < 2:
        return []
    site = dataset.site.values[0]
    one = dataset.sel(site=site)
    times = one.time.values
    first = one.isel(time=times < times[0] + np.timedelta64(int(days * 86400), "s"))
    lit = first["earth_illuminated_fraction"].values
    up = first["earth_elevation_deg"].values > 0.0
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=first.time.values, y=lit, mode="lines", name="illuminated fraction",
                                line={"width": 1, "dash": "dot", "color": "#1f77b4"}))
    figure.add_trace(go.Scatter(x=first.time.values, y=np.where(up, lit, np.nan), mode="lines",
                                name="while the Earth is above the horizontal", line={"width": 3, "color": "#1f77b4"}))
    figure.update_yaxes(title_text="Earth illuminated fraction", range=[0, 1])
    figure.update_xaxes(title_text="time (UTC)")
    figure.update_layout(height=320, margin={"l": 60, "r": 20, "t": 30, "b": 40}, legend={"orientation": "h"})
    return [Figure(
        f"The Earth's phase seen from {site}",
        plotly=figure,
        caption=f"first {days:g} days of the period; 1 = full Earth (new Moon), 0 = new Earth; thick while the "
        "Earth's centre is above the local horizontal (no terrain)",
    )]


def _elevation_figure(dataset: xr.Dataset) -> Figure:
    from plotly.subplots import make_subplots

    stride = max(1, dataset.sizes["time"] // PLOT_POINTS)
    thin = dataset.isel(time=slice(None, None, stride))
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.06, subplot_titles=("Sun", "Earth"))
    for site in thin.site.values:
        one = thin.sel(site=site)
        for row, body in ((1, "sun"), (2, "earth")):
            figure.add_trace(
                go.Scattergl(
                    **time_axis(one.time.values),  # evenly spaced: a start and a step, no date per point
                    y=compact(one[f"{body}_elevation_deg"].values),  # float32: half the bytes of float64
                    name=str(site),
                    legendgroup=str(site),
                    showlegend=row == 1,
                    mode="lines",
                    line={"width": 1},
                ),
                row=row,
                col=1,
            )
    figure.add_hline(y=0.0, line={"color": "#888", "width": 1, "dash": "dot"})
    figure.update_yaxes(title_text="elevation [deg]")
    figure.update_xaxes(type="date")
    figure.update_xaxes(title_text="time (UTC)", row=2, col=1)
    figure.update_layout(height=520, margin={"l": 60, "r": 20, "t": 30, "b": 40}, legend={"orientation": "h"})
    hours = float(dataset.attrs.get("step_hours", 1.0)) * stride
    return Figure(
        "Sun and Earth elevation over time",
        plotly=figure,
        caption=f"centre of the disk over the local horizontal of the sphere (no terrain); one point every {hours:g} h",
    )
