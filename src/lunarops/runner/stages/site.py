"""The site stage of `lunarops run`: terrain horizons, sunlight, Earth visibility and PSR distance per site.

Runs when the scenario has a ``terrain:`` section (``dem: none`` gives the smooth sphere). Time axis: the same
samples as the sky stage (``utc_period(period.start_utc, period.end_utc, period.step_s)``).

``products`` for later stages (the operations engine), all ``xarray.DataArray`` with dims ("site", "time"):

- ``"sun_disk_visible_fraction"``: visible fraction of the solar disk above the terrain horizon [0..1]
- ``"sun_elevation_deg"``: apparent elevation of the Sun's centre above the local horizontal [deg]
- ``"sun_azimuth_deg"``: azimuth of the Sun from north through east [deg]
- ``"sun_horizon_deg"``: terrain horizon elevation at the Sun's azimuth [deg]
- ``"earth_visible"``: Earth's centre above the terrain horizon [bool]
- ``"earth_elevation_deg"``: Earth's elevation above the local horizontal [deg]

and ``"site_light"``: dict site name -> :class:`lunarops.illumination.site.SiteLight`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import xarray as xr

from lunarops.illumination.maps import light_map, window_around
from lunarops.illumination.psr import sun_envelope
from lunarops.illumination.ranking import psr_access
from lunarops.illumination.render import basemap_text, light_map_png
from lunarops.illumination.site import SiteLight, resolve_terrain, site_light
from lunarops.illumination.timegrid import period_times
from lunarops.runner.stage import Figure, RunContext, StageResult, Table
from lunarops.terrain import Dem, PolarStereographic
from lunarops.terrain.horizon import AUTO_SWEEP_MIN_CELLS
from lunarops.terrain.traverse import Traverse
from lunarops.timescale import utc_period

PLOT_POINTS = 3000


def run_stage(ctx: RunContext) -> StageResult | None:
    """Light and Earth visibility at each scenario site; None when the scenario has no terrain section."""
    scenario = ctx.scenario
    section = scenario.terrain
    if section is None:
        return None
    dem = resolve_terrain(section.dem, "terrain.dem")
    period = scenario.period
    t = utc_period(period.start_utc, period.end_utc, period.step_s)
    n_sites = len(scenario.sites)
    lights: dict[str, SiteLight] = {}
    for i, site in enumerate(scenario.sites):
        ctx.progress(0.4 * i / n_sites, f"horizon and light at {site.name}")
        lights[site.name] = site_light(
            site.latitude_deg,
            site.longitude_deg,
            t,
            period.step_s,
            site.mast_height_m,
            dem,
            ground_height_m=site.ground_height_m,
            min_distance_m=section.min_distance_m,
            n_azimuth=section.n_azimuth,
            correction=scenario.sky.correction,
        )
    psr_km, traverses, psr_note, regions = _psr_distances(ctx, dem, section, lights)
    rows = []
    for name, light in lights.items():
        site_summary = light.summary()
        rows.append(
            {
                "site": name,
                **{k: v for k, v in site_summary.items() if k not in ("start_utc", "last_sample_utc")},
                "psr_distance_km": psr_km.get(name, math.nan),
                "psr_traverse_km": traverses[name].distance_km if name in traverses else math.nan,
                "psr_traverse_max_slope_deg": traverses[name].max_slope_deg if name in traverses else math.nan,
            }
        )
    table = pd.DataFrame(rows)
    names = list(lights)
    times = next(iter(lights.values())).times

    def stack(attribute: str) -> xr.DataArray:
        values = np.stack([np.asarray(getattr(lights[n], attribute)) for n in names])
        return xr.DataArray(values, dims=("site", "time"), coords={"site": names, "time": times})

    products: dict[str, Any] = {
        "sun_disk_visible_fraction": stack("sun_disk_visible"),
        "sun_elevation_deg": stack("sun_elevation_deg"),
        "sun_azimuth_deg": stack("sun_azimuth_deg"),
        "sun_horizon_deg": stack("sun_horizon_deg"),
        "earth_visible": stack("earth_visible"),
        "earth_elevation_deg": stack("earth_elevation_deg"),
        "site_light": lights,
    }
    light_ds = xr.Dataset({k: v for k, v in products.items() if isinstance(v, xr.DataArray)})
    light_ds.attrs = {
        "terrain": lights[names[0]].terrain,
        "step_hours": period.step_hours,
        "min_distance_m": section.min_distance_m or (dem.pixel_size_m if dem is not None else 0.0),
    }
    first = lights[names[0]]
    horizon_ds = xr.Dataset(
        {
            "horizon_elevation_deg": (
                ("site", "azimuth_deg"),
                np.stack([lights[n].horizon.elevation_deg for n in names]),
            )
        },
        coords={"site": names, "azimuth_deg": first.horizon.azimuth_deg},
    )
    summary: dict[str, Any] = {"terrain": first.terrain, "n_times": len(times)}
    for name, traverse in traverses.items():
        summary[f"psr_traverse_status[{name}]"] = traverse.status
    for row in rows:
        for key in (
            "sun_disk_visible_fraction",
            "sun_center_visible_fraction",
            "longest_dark_hours",
            "earth_center_visible_fraction",
            "ground_height_m",
            "psr_distance_km",
            "psr_traverse_km",
            "psr_traverse_max_slope_deg",
        ):
            value = row[key]
            # NaN (nothing to measure) -> None; inf (e.g. no PSR reachable by a rover) stays inf: the run's JSON
            # marks it under non_finite, sweep.parquet keeps it
            summary[f"{key}[{row['site']}]"] = None if isinstance(value, float) and math.isnan(value) else value
    figures = [_horizon_figure(lights), _timeline_figure(lights)]
    notes = [
        "Visible fraction of the solar disk: exact area of the disk (true angular radius) above the horizon line "
        "at the Sun's azimuth; Sun-centre and Earth-centre visibility: centre above the horizon. Longest darkness: "
        "longest run of samples with no part of the disk visible, times the step (runs cut by the period's ends "
        "are lower bounds).",
        (
            f"Terrain: LOLA DEM '{first.terrain}'; observer at the bilinear DEM height + mast; terrain nearer than "
            f"{light_ds.attrs['min_distance_m']:.0f} m ignored. A DEM of {dem.pixel_size_m / 1e3:.1f} km pixels "
            "smooths the relief: at ground level it can over- or underestimate a site's light against finer DEMs"
            + (
                " (on the 1.6 km south DEM against 20-240 m DEMs: Connecting Ridge over, Bussey 2010's point B under; "
                "docs/illumination.md)."
                if first.terrain == "south"
                else "."
            )
        )
        if dem is not None
        else "Terrain: none (smooth sphere); the horizon is the bare sphere's dip at the mast height.",
    ]
    if psr_note:
        notes.append(psr_note)
    if dem is not None and section.map.enabled:
        ctx.progress(0.7, "illumination map around the sites")
        figure = _map_figure(dem, scenario, section, lights)
        if figure is not None:
            figures.insert(0, figure)
    ctx.progress(1.0, "site stage done")
    return StageResult(
        name="site",
        title="Light, Earth visibility and shadowed regions at the sites",
        summary=summary,
        datasets={"light": light_ds, "horizon": horizon_ds, **_psr_region_dataset(regions)},
        figures=figures,
        tables=[Table("Light and Earth visibility over the period", table), *_psr_region_table(regions, section)],
        notes=notes,
        products=products,
    )


#: PSR regions listed per site in the site stage's table (nearest first)
NEAREST_PSR_REGIONS = 5


def _psr_distances(
    ctx: RunContext, dem: Dem | None, section: Any, lights: dict[str, SiteLight]
) -> tuple[dict[str, float], dict[str, Traverse], str, pd.DataFrame]:
    """Per site: the straight-line distance to the nearest PSR and the drivable traverse to it (one PSR map), and
    the nearest PSR regions within the search radius (a table: site, rank, distance, area, centroid)."""
    none = pd.DataFrame()
    if dem is None or not section.psr.enabled:
        return {}, {}, "", none
    geo = dem.georeference
    if not isinstance(geo, PolarStereographic):
        return {}, {}, "PSR distances need a polar stereographic DEM; none computed.", none
    ctx.progress(0.45, "Sun envelope over the precession cycle")
    options = section.psr
    envelope = sun_envelope(geo.south, options.cycle_start_utc, options.cycle_end_utc, options.cycle_step_hours)
    out: dict[str, float] = {}
    traverses: dict[str, Traverse] = {}
    rows: list[dict[str, Any]] = []
    max_slope_deg = section.ranking.traverse_max_slope_deg
    for i, (name, light) in enumerate(lights.items()):
        ctx.progress(0.5 + 0.2 * i / len(lights), f"PSRs near {name}")
        access = psr_access(
            dem,
            light.latitude_deg,
            light.longitude_deg,
            options.search_radius_km,
            envelope,
            section.min_distance_m,
            section.horizon_mode,
            max_slope_deg=max_slope_deg,
            n_azimuth=section.n_azimuth,
        )
        out[name] = access.psr_distance_km
        if access.traverse is not None:
            traverses[name] = access.traverse
        if access.psr is not None:
            near = [r for r in access.psr.regions(light.latitude_deg, light.longitude_deg)
                    if r.distance_km <= options.search_radius_km]
            rows += [{"site": name, "rank": k + 1, **r.record()} for k, r in enumerate(near[:NEAREST_PSR_REGIONS])]
    unreachable = [f"{name} ({t.status})" for name, t in traverses.items() if not t.reachable]
    note = (
        f"PSR: cells where no part of the Sun's disk rises above the ground-level horizon for any Sun direction "
        f"of {options.cycle_start_utc}..{options.cycle_end_utc} (envelope of {envelope.n_samples:,} samples); "
        f"distance to the nearest PSR cell centre within {options.search_radius_km:g} km (blank: none within). "
        f"Map horizons: {HORIZON_MODE_TEXT[section.horizon_mode]}. psr_traverse_km: shortest drive over the "
        f"{dem.pixel_size_m:.0f} m DEM cells (8 neighbours, 3-D length) within the same window to the nearest PSR "
        f"cell, no slope above {max_slope_deg:g} deg (terrain.ranking.traverse_max_slope_deg), with its steepest "
        "slope; DEM slopes are averages over a cell, so real slopes are steeper and the drive longer: a lower "
        "bound (docs/illumination.md)."
        + (f" No drivable path within the window: {', '.join(unreachable)}." if unreachable else "")
    )
    return out, traverses, note, pd.DataFrame(rows)


def _horizon_figure(lights: dict[str, SiteLight]) -> Figure:
    figure = go.Figure()
    for name, light in lights.items():
        figure.add_trace(
            go.Scatter(
                x=light.horizon.azimuth_deg, y=light.horizon.elevation_deg, name=f"horizon, {name}", mode="lines"
            )
        )
        stride = max(1, -(-light.sun_azimuth_deg.size // PLOT_POINTS))  # ceiling: at most PLOT_POINTS
        figure.add_trace(
            go.Scattergl(
                x=light.sun_azimuth_deg[::stride],
                y=light.sun_elevation_deg[::stride],
                name=f"Sun, {name}",
                mode="markers",
                marker={"size": 3, "symbol": "circle"},
            )
        )
        figure.add_trace(
            go.Scattergl(
                x=light.earth_azimuth_deg[::stride],
                y=light.earth_elevation_deg[::stride],
                name=f"Earth, {name}",
                mode="markers",
                marker={"size": 4, "symbol": "x-thin", "line": {"width": 1}},
            )
        )
    # the Sun and Earth tracks near the horizon, none of them cut off below
    low = min((float(np.nanmin(v)) for light in lights.values()
               for v in (light.sun_elevation_deg, light.earth_elevation_deg) if v.size), default=-5.0) - 0.5
    figure.update_layout(
        xaxis_title="azimuth from north through east [deg]",
        yaxis_title="elevation [deg]",
        yaxis_range=[min(-5.0, low), 10],
        height=420,
        margin={"l": 60, "r": 20, "t": 30, "b": 40},
        legend={"orientation": "h"},
    )
    return Figure(
        "Horizon at mast height with the Sun's and the Earth's paths",
        plotly=figure,
        caption=(
            "The line is the terrain horizon seen from the mast (one per site); dots are the Sun's centre, crosses "
            "the Earth's centre over the period. A body is in view where its marks lie above its site's line and "
            f"hidden by terrain where they lie below it. At most {PLOT_POINTS} samples per body and site"
        ),
    )


def _timeline_figure(lights: dict[str, SiteLight]) -> Figure:
    figure = go.Figure()
    sun_dashes, earth_dashes = ("solid", "dash", "longdash"), ("dot", "dashdot", "longdashdot")
    for index, (name, light) in enumerate(lights.items()):
        frame = pd.DataFrame(
            {"sun": light.sun_disk_visible, "earth": light.earth_visible.astype(float)},
            index=pd.DatetimeIndex(light.times),
        )
        daily = frame.resample("1D").mean()
        figure.add_trace(
            go.Scatter(
                x=daily.index, y=100 * daily["sun"], name=f"Sun disk visible, {name}", mode="lines",
                line={"dash": sun_dashes[index % len(sun_dashes)]},
            )
        )
        figure.add_trace(
            go.Scatter(
                x=daily.index, y=100 * daily["earth"], name=f"Earth visible, {name}", mode="lines",
                line={"dash": earth_dashes[index % len(earth_dashes)]},
            )
        )
    figure.update_layout(
        xaxis_title="date (UTC)",
        yaxis_title="daily mean [%]",
        height=380,
        margin={"l": 60, "r": 20, "t": 30, "b": 40},
        legend={"orientation": "h"},
    )
    return Figure(
        "Sunlight and Earth visibility over time (daily means)",
        plotly=figure,
        caption=(
            "Share of each day the Sun's disk is seen above the terrain horizon (the visible fraction of the disk, "
            "averaged) and share of the day the Earth's centre is up. Dips of the Sun line are the lunar nights and "
            "the horizon's notches; the Earth line follows the libration (0 % = Earth below the horizon all day)"
        ),
    )


#: How each ``terrain.horizon_mode`` computes map horizons, for the report (docs/terrain.md).
HORIZON_MODE_TEXT = {
    "auto": f"line sweep for windows of at least {AUTO_SWEEP_MIN_CELLS:,} cells, else ray casting",
    "sweep": "line sweep",
    "sweep_fast": "fast line sweep (screening accuracy, docs/terrain.md)",
    "fast": "ray casting (fast steps)",
    "accurate": "ray casting (accurate steps)",
}


def _map_figure(dem: Dem, scenario: Any, section: Any, lights: dict[str, SiteLight]) -> Figure | None:
    if not isinstance(dem.georeference, PolarStereographic):
        return None
    rows, cols = [], []
    for light in lights.values():
        r0, r1, c0, c1 = window_around(dem, light.latitude_deg, light.longitude_deg, section.map.half_size_km * 1e3)
        rows += [r0, r1]
        cols += [c0, c1]
    window = (min(rows), max(rows), min(cols), max(cols))
    if (window[1] - window[0]) * (window[3] - window[2]) > 40_000:
        return None  # sites too far apart for one map; the per-site numbers stand
    period = scenario.period
    step_s = section.map.step_hours * 3600.0
    end = min(period.end_utc, period.start_utc + pd.Timedelta(days=section.map.max_days).to_pytimedelta())
    t = period_times(period.start_utc, end, step_s)
    mast = max(light.mast_height_m for light in lights.values())
    lmap = light_map(dem, t, step_s, window, mast, section.min_distance_m, section.n_azimuth, earth=False,
                     horizon_mode=section.horizon_mode)
    sites = [(name, light.latitude_deg, light.longitude_deg) for name, light in lights.items()]
    png = light_map_png(
        dem,
        window,
        lmap.sun_disk_visible_fraction,
        "time lit [%] (mean visible disk fraction)",
        sites,
        None,
        f"Light at {mast:g} m over the cells, {period.start_utc.date()}..{end.date()}",
    )
    return Figure(
        "Illumination map around the sites",
        png=png,
        caption=(
            f"LOLA DEM '{dem.name}', Sun every {section.map.step_hours:g} h over {period.start_utc.date()}.."
            f"{end.date()} (terrain.map.max_days; the site table covers the whole period); horizons: "
            f"{HORIZON_MODE_TEXT[section.horizon_mode]}; {basemap_text(dem)}"
        ),
    )


def _psr_region_table(regions: pd.DataFrame, section: Any) -> list[Table]:
    """The report's table of the PSR regions nearest each site (none without regions)."""
    if regions.empty:
        return []
    return [
        Table(
            f"Permanently shadowed regions nearest each site (up to {NEAREST_PSR_REGIONS} within "
            f"{section.psr.search_radius_km:g} km, terrain.psr.search_radius_km): distance to the region's nearest "
            "cell [km], area [km2], cells, area-weighted centroid; a region touching the search window's edge may "
            "extend beyond it (its area a lower bound)",
            regions,
        )
    ]


def _psr_region_dataset(regions: pd.DataFrame) -> dict[str, xr.Dataset]:
    """The results file of the PSR regions nearest each site."""
    if regions.empty:
        return {}
    # one row per (site, region): a flat index (a site x rank grid would pad sites with fewer regions with NaN)
    return {"psr_regions": xr.Dataset.from_dataframe(regions.rename_axis("row"))}
