"""CLI: `lunarops illumination`, `lunarops psr` and `lunarops sites rank`."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich import box
from rich.table import Table

from lunarops.cli.angles import LAT_FORMS, LATITUDE, LON_FORMS, LONGITUDE, parse_angle
from lunarops.cli.common import (
    HELP_MARKUP,
    check_output_file,
    check_range,
    console,
    err_console,
    handle_errors,
    print_json,
    progress_bar,
)
from lunarops.cli.terrain import check_height_options, check_inside_dem, check_site_options
from lunarops.errors import InputError, SiteError
from lunarops.numformat import format_lat_lon

DEFAULT_MAST_M = 10.0  # sites rank: the mast of --site and --search sites without --height-m [m]
CONNECTING_RIDGE = (-89.45, 222.69)  # sites rank --search: the default centre (Mazarico et al. 2011) [deg]

sites_app = typer.Typer(
    help="Candidate sites: rank them by light, darkness, Earth, slope and PSR distance.",
    no_args_is_help=True,
    rich_markup_mode=HELP_MARKUP,
)

TerrainOpt = Annotated[str, typer.Option("--terrain", help="none | south | north | global | DEM file path")]
HorizonModeOpt = Annotated[
    str,
    typer.Option(
        "--horizon-mode",
        help="map horizons: auto | sweep | sweep_fast (coarser, screening) | fast | accurate (docs/terrain.md)",
    ),
]
StepOpt = Annotated[str, typer.Option("--step", help="time step: 1h, 30min (or 30m: minutes), 1d, 600s")]
MinDistOpt = Annotated[
    float | None, typer.Option("--min-distance-m", help="ignore terrain nearer than this [m] (default one DEM pixel)")
]
MaxSlopeOpt = Annotated[
    float | None,
    typer.Option("--max-slope-deg", help="steepest slope the traverse to the nearest PSR may drive [deg] "
                 "[default: the scenario's terrain.ranking.traverse_max_slope_deg, else 20]"),
]


def register(app: typer.Typer) -> None:
    """Add `illumination`, `psr` and the `sites` group to the root app."""
    app.command("illumination")(illumination)
    app.command("psr")(psr)
    sites_app.command("rank")(rank)
    app.add_typer(sites_app, name="sites")


def illumination(
    lat: Annotated[float, typer.Option("--lat", parser=LATITUDE, help=f"latitude [deg], Moon ME: {LAT_FORMS}")],
    lon: Annotated[float, typer.Option("--lon", parser=LONGITUDE, help=f"east longitude [deg]: {LON_FORMS}")],
    start: Annotated[str, typer.Option("--start", help="start UTC, ISO 8601")],
    end: Annotated[str, typer.Option("--end", help="end UTC, ISO 8601 (exclusive)")],
    height_m: Annotated[float, typer.Option("--height-m", help="observer height over the ground (mast) [m]")] = 0.0,
    step: StepOpt = "1h",
    terrain: TerrainOpt = "south",
    min_distance_m: MinDistOpt = None,
    ground_height_m: Annotated[
        float | None, typer.Option("--ground-height-m", help="ground height over the 1737.4 km sphere (default DEM)")
    ] = None,
    n_azimuth: Annotated[int, typer.Option("--n-azimuth", help="horizon azimuth samples")] = 360,
    json_output: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Sunlight (visible solar-disk fraction) and Earth visibility at one site over a period."""
    from lunarops.illumination.site import GROUND_TOLERANCE_M, resolve_terrain, site_light
    from lunarops.illumination.timegrid import check_period, parse_step_s, period_times
    from lunarops.terrain.horizon import LIGHT_MIN_N_AZIMUTH, check_n_azimuth

    with handle_errors():
        check_site_options(lat, lon)
        check_height_options(height_m, min_distance_m)
        if ground_height_m is not None and not math.isfinite(ground_height_m):
            raise InputError(f"--ground-height-m = {ground_height_m!r} must be finite [m]; omit it for the DEM height")
        check_n_azimuth(n_azimuth, LIGHT_MIN_N_AZIMUTH, "--n-azimuth")
        step_s = parse_step_s(step, "--step")
        check_period(start, end, step_s, "--step")
        dem = resolve_terrain(terrain, "--terrain")
        if dem is not None:
            check_inside_dem(dem, lat, lon, "--terrain")
        if dem is not None and ground_height_m is not None and bool(dem.contains(lat, lon)):
            dem_ground = float(dem.height_at(lat, lon))
            if ground_height_m + height_m < dem_ground - GROUND_TOLERANCE_M:
                raise SiteError(
                    f"--ground-height-m = {ground_height_m:g} plus --height-m {height_m:g} puts the observer "
                    f"{dem_ground - ground_height_m - height_m:.2f} m below the DEM surface ({dem_ground:.2f} m at "
                    f"this site); omit --ground-height-m to use the DEM height"
                )
        t = period_times(start, end, step_s)
        light = site_light(lat, lon, t, step_s, height_m, dem, ground_height_m, min_distance_m, n_azimuth)
        summary = _with_period_end(light.summary(), end)
        summary = _after(summary, "longest_dark_hours", "longest_dark_truncated", light.longest_dark_truncated)
        summary["dem_pixel_size_m"] = None if dem is None else float(dem.pixel_size_m)
        # the convention in force (terrain nearer than this is ignored), as `horizon` echoes it; None: no DEM
        summary["min_distance_m"] = (None if dem is None else
                                     float(min_distance_m) if min_distance_m is not None else float(dem.pixel_size_m))
        notes = [] if dem is None else [_dark_note(dem)]
        edge = None if dem is None else _edge_note(dem, lat, lon, light.ground_height_m + light.mast_height_m,
                                                   option="--terrain")
        if edge is not None:
            notes.append(edge)
        if dem is not None and not bool(np.any(light.sun_disk_visible > 0)):  # in terrain's shadow all along
            notes.append(_never_lit_note(light))
        if light.longest_dark_truncated:
            notes.append("the longest dark spell runs to the start or end of the period (longest_dark_truncated): it "
                         "is cut by the period and lasts longer; widen --start/--end to see all of it")
        summary["notes"] = notes
        if json_output:
            print_json(summary)
            return
        table = Table(title=f"Light at ({_latlon_text(lat, lon)}), {height_m:g} m over the ground, "
                      f"terrain {light.terrain}")
        table.add_column("quantity")
        table.add_column("value", justify="right")
        for key, value in summary.items():
            if key not in ("dem_pixel_size_m", "notes"):  # said in the notes below the table
                label = key + (" (lower bound)" if key == "longest_dark_hours" and dem is not None else "")
                table.add_row(label, _fmt(value))
        console.print(table)
        if dem is not None:
            console.print(_resolution_note(dem))
        for note in notes:
            console.print(f"note: {note}")


def psr(
    dem: Annotated[str, typer.Option("--dem", help="polar DEM: south | north | file path")] = "south",
    max_colatitude_deg: Annotated[
        float, typer.Option("--max-colatitude-deg", help="region: within this angle of the pole [deg]")
    ] = 10.0,
    start: Annotated[str, typer.Option("--start", help="first Sun sample (UTC)")] = "2030-01-01",
    end: Annotated[
        str, typer.Option("--end", help="end of the Sun sampling (UTC, not sampled); >= 18.6 yr after --start")
    ] = "2049-12-31",
    step_hours: Annotated[float, typer.Option("--step-hours", help="Sun sampling of the cycle [h]")] = 1.0,
    min_distance_m: MinDistOpt = None,
    n_azimuth: Annotated[int, typer.Option("--n-azimuth", help="horizon azimuth samples")] = 360,
    site: Annotated[
        list[str] | None, typer.Option("--site", help="NAME,LAT,LON: report its distance to the nearest PSR")
    ] = None,
    map_png: Annotated[Path | None, typer.Option("--map", help="write a PNG map of the PSRs")] = None,
    geotiff: Annotated[Path | None, typer.Option("--geotiff", help="write the PSR mask as GeoTIFF")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="no progress bar")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    horizon_mode: HorizonModeOpt = "auto",
    max_slope_deg: MaxSlopeOpt = None,
) -> None:
    """Permanently shadowed regions of a polar DEM over the lunar precession cycle, and their area."""
    from lunarops.atomic import write_atomic
    from lunarops.illumination.psr import (
        polar_colatitude_deg,
        polar_reach_deg,
        psr_map,
        shadow_range_m,
        sun_envelope,
    )
    from lunarops.illumination.ranking import psr_traverse
    from lunarops.illumination.render import light_map_png, write_geotiff
    from lunarops.illumination.site import resolve_terrain
    from lunarops.illumination.timegrid import check_period
    from lunarops.terrain import PolarStereographic
    from lunarops.terrain.horizon import LIGHT_MIN_N_AZIMUTH, check_n_azimuth
    from lunarops.terrain.traverse import DEFAULT_MAX_SLOPE_DEG, check_max_slope_deg

    with handle_errors():
        slope_limit = check_max_slope_deg(DEFAULT_MAX_SLOPE_DEG if max_slope_deg is None else max_slope_deg,
                                          "--max-slope-deg")
        sites = [_parse_site(text) for text in site or []]
        _check_unique_names([name for name, _, _ in sites], "--site")
        _check_horizon_mode(horizon_mode)
        check_output_file(map_png, "--map", (".png",))
        check_output_file(geotiff, "--geotiff", (".tif", ".tiff"))
        check_n_azimuth(n_azimuth, LIGHT_MIN_N_AZIMUTH, "--n-azimuth")
        check_range(max_colatitude_deg, "--max-colatitude-deg", 0.0, 30.0, "[deg]")
        if max_colatitude_deg == 0:
            raise InputError("--max-colatitude-deg = 0 maps nothing; give an angle from the pole > 0 [deg], e.g. 10")
        if not (math.isfinite(step_hours) and 0 < step_hours <= 24):
            raise InputError(f"--step-hours = {step_hours!r} must be in (0, 24] [h]; the Sun moves 12 deg/day in "
                             "longitude (1 is the default)")
        check_period(start, end, step_hours * 3600.0, "--step-hours")
        _check_min_distance(min_distance_m)
        grid = resolve_terrain(dem, "--dem")
        if grid is None or not isinstance(grid.georeference, PolarStereographic):
            raise InputError(f"--dem = {dem!r} must be a polar stereographic DEM (south, north or a polar file)")
        reach_deg = polar_reach_deg(grid)
        if max_colatitude_deg > reach_deg:
            raise InputError(
                f"--max-colatitude-deg = {max_colatitude_deg:g} reaches beyond DEM '{grid.name}': its map covers "
                f"every longitude only to {reach_deg:.2f} deg from the pole (beyond that, only its corners), so the "
                f"PSR area would miss the rest of the region; give --max-colatitude-deg {_floor1(reach_deg):g} or less"
            )
        for name, lat, lon in sites:
            if not bool(grid.contains(lat, lon)):
                raise SiteError(
                    f"--site {name} ({format_lat_lon(lat, lon)}) is outside DEM '{grid.name}': the distance to a "
                    "PSR is measured "
                    "within the DEM's map; use the DEM of its pole (--dem south or north)"
                )
            colat = polar_colatitude_deg(grid, lat)
            if colat > max_colatitude_deg:
                fix = (f"give --max-colatitude-deg {_ceil1(colat):g} or more" if _ceil1(colat) <= reach_deg else
                       f"DEM '{grid.name}' maps whole circles only to {reach_deg:.2f} deg, so pick a site nearer the "
                       "pole or a larger polar DEM (--dem FILE)")
                raise SiteError(
                    f"--site {name} ({format_lat_lon(lat, lon)}) is {colat:.2f} deg from the pole, outside the PSR "
                    f"region (--max-colatitude-deg {max_colatitude_deg:g}): only PSRs inside the region are mapped, so "
                    "its "
                    f"nearest-PSR distance would be wrong; {fix}"
                )
        envelope = sun_envelope(grid.georeference.south, start, end, step_hours)
        with progress_bar("PSR map", enabled=not quiet and not json_output) as update:
            result = psr_map(grid, None, max_colatitude_deg, envelope, min_distance_m, n_azimuth, progress=update,
                             horizon_mode=horizon_mode)
        summary: dict[str, Any] = result.summary()
        unreachable = []
        for name, lat, lon in sites:
            summary[f"psr_distance_km[{name}]"] = result.distance_km(lat, lon)
            traverse = psr_traverse(grid, result, lat, lon, slope_limit)
            summary[f"psr_traverse_km[{name}]"] = traverse.distance_km
            summary[f"psr_traverse_max_slope_deg[{name}]"] = traverse.max_slope_deg
            if json_output:
                summary[f"psr_traverse_path[{name}]"] = [[float(a), float(b)] for a, b in traverse.path_latlon_deg]
            # the nearest regions (connected PSR cells): distance, area, centroid
            near = result.regions(lat, lon)[:5]
            summary[f"nearest_psr_regions[{name}]"] = (
                [r.record() for r in near] if json_output
                else "; ".join(f"{r.distance_km:.1f} km: {r.area_km2:,.0f} km2" for r in near) or "none"
            )
            if not traverse.reachable:
                unreachable.append(f"{name}: {traverse.status}")
        summary["dem_pixel_size_m"] = float(grid.pixel_size_m)
        if sites:
            summary["traverse_max_slope_deg"] = slope_limit
        summary["notes"] = [_psr_resolution_note(grid)] + (
            ["psr_distance_km: to the nearest PSR cell centre within the region (--max-colatitude-deg)",
             _traverse_note(grid, slope_limit, "the region")] + [f"psr_traverse_km {u}" for u in unreachable]
            if sites else [])
        edge_km = (reach_deg - max_colatitude_deg) * math.pi / 180.0 * grid.radius_m / 1e3
        floor_m = float(np.nanmin(grid.heights_m))
        if edge_km * 1e3 < shadow_range_m(grid, floor_m):
            summary["notes"].append(
                f"the region comes within {edge_km:.0f} km of the DEM edge: horizons of its outer cells are cut at "
                "the edge (terrain beyond it is not seen), so PSRs there may be missed; a smaller "
                "--max-colatitude-deg keeps the region away from the edge")
        if map_png is not None:
            shaded = (~result.psr).astype(float)
            png = light_map_png(grid, result.window, shaded, "PSR", sites, result.psr,
                                f"PSRs of '{grid.name}': {result.area_km2:,.0f} km2", categories=("PSR", "not PSR"))
            write_atomic(map_png, lambda tmp: tmp.write_bytes(png))
            summary["map_png"] = str(map_png)
        if geotiff is not None:
            write_atomic(geotiff, lambda tmp: write_geotiff(tmp, grid, result.window, result.psr.astype(float)))
            summary["geotiff"] = str(geotiff)
        if json_output:
            print_json(summary)
            return
        table = Table(title=f"Permanently shadowed regions, DEM '{grid.name}'")
        table.add_column("quantity")
        table.add_column("value", justify="right")
        for key, value in summary.items():
            if key != "notes":
                table.add_row(key, _fmt(value))
        console.print(table)
        for note in summary["notes"]:
            console.print(f"note: {note}")


def rank(
    site: Annotated[list[str] | None, typer.Option("--site", help="NAME,LAT,LON (repeat)")] = None,
    scenario: Annotated[
        Path | None, typer.Option("--scenario", help="take sites, mast heights and weights from a scenario file")
    ] = None,
    search: Annotated[bool, typer.Option("--search", help="search the DEM around --center-lat/--center-lon")] = False,
    center_lat: Annotated[
        float | None,
        typer.Option("--center-lat", parser=LATITUDE,
                     help=f"search centre latitude [deg], {LAT_FORMS} [default: a scenario's 1st site, else -89.45]"),
    ] = None,
    center_lon: Annotated[
        float | None,
        typer.Option("--center-lon", parser=LONGITUDE,
                     help=f"search centre east longitude [deg], {LON_FORMS} [default: as --center-lat, else 222.69]"),
    ] = None,
    radius_km: Annotated[float, typer.Option("--radius-km", help="search radius [km]")] = 20.0,
    n_best: Annotated[int, typer.Option("--n-best", help="number of cells returned by --search")] = 5,
    min_separation_km: Annotated[
        float, typer.Option("--min-separation-km", help="--search: keep picked cells this far apart [km]")
    ] = 5.0,
    psr_radius_km: Annotated[float, typer.Option("--psr-radius-km", help="PSR search radius per site [km]")] = 40.0,
    dem: Annotated[
        str | None,
        typer.Option("--dem", help="south | north | global | DEM file path [default: the scenario's, else south]"),
    ] = None,
    start: Annotated[str, typer.Option("--start", help="start UTC")] = "2031-01-01",
    end: Annotated[str, typer.Option("--end", help="end UTC (exclusive)")] = "2032-01-01",
    step: StepOpt = "1h",
    height_m: Annotated[
        float | None,
        typer.Option("--height-m", help="mast height [m] for every site [default: a scenario site's own, else 10]"),
    ] = None,
    min_distance_m: MinDistOpt = None,
    map_png: Annotated[
        Path | None, typer.Option("--map", help="write a PNG map (light over the LROC WAC basemap of polar DEMs)")
    ] = None,
    geotiff: Annotated[
        Path | None,
        typer.Option("--geotiff", help="write the light map as GeoTIFF: the --search map, else a map around the sites"),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="no progress bar")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    horizon_mode: HorizonModeOpt = "auto",
    max_slope_deg: MaxSlopeOpt = None,
) -> None:
    """Rank candidate sites (a list, a scenario's sites, or a search over the DEM) and draw them on a map."""
    from lunarops.atomic import write_atomic
    from lunarops.illumination.maps import light_map
    from lunarops.illumination.psr import sun_envelope
    from lunarops.illumination.ranking import RankingScales, rank_sites, search_sites
    from lunarops.illumination.render import light_map_png, write_geotiff
    from lunarops.illumination.site import resolve_terrain
    from lunarops.illumination.timegrid import check_period, parse_step_s, period_times
    from lunarops.terrain import PolarStereographic
    from lunarops.terrain.dem import check_latlon_deg
    from lunarops.terrain.traverse import DEFAULT_MAX_SLOPE_DEG, check_max_slope_deg

    with handle_errors():
        if max_slope_deg is not None:
            check_max_slope_deg(max_slope_deg, "--max-slope-deg")
        slope_limit = DEFAULT_MAX_SLOPE_DEG if max_slope_deg is None else max_slope_deg
        step_s = parse_step_s(step, "--step")
        check_period(start, end, step_s, "--step")
        _check_horizon_mode(horizon_mode)
        candidates = [_parse_site(text) for text in site or []]
        if height_m is not None and not (math.isfinite(height_m) and height_m >= 0):
            raise InputError(f"--height-m = {height_m} must be a mast height >= 0 [m]")
        option_mast_m = DEFAULT_MAST_M if height_m is None else height_m  # --site and --search
        masts = [option_mast_m] * len(candidates)
        check_output_file(map_png, "--map", (".png",))
        check_output_file(geotiff, "--geotiff", (".tif", ".tiff"))
        _check_positive_km(psr_radius_km, "--psr-radius-km")
        _check_positive_km(radius_km, "--radius-km")  # also the map's half size around the best site
        if not (math.isfinite(min_separation_km) and min_separation_km >= 0):
            raise InputError(f"--min-separation-km = {min_separation_km} must be a distance >= 0 [km]")
        if search and (center_lat is not None or center_lon is not None):
            check_latlon_deg(
                0.0 if center_lat is None else center_lat, 0.0 if center_lon is None else center_lon,
                "--center-lat / --center-lon",
            )
        if (center_lat is None) != (center_lon is None):
            raise InputError("give --center-lat and --center-lon together (the search centre), or neither")
        center_source = "--center-lat / --center-lon"
        if search:
            if n_best < 1:
                raise InputError(f"--n-best = {n_best} must be >= 1 (the number of cells --search returns)")
        _check_min_distance(min_distance_m)
        scales = RankingScales()
        terrain_name = "south" if dem is None else dem
        if scenario is not None:
            from lunarops.scenario import load_scenario

            loaded = load_scenario(scenario)
            candidates += [(s.name, s.latitude_deg, s.longitude_deg) for s in loaded.sites]
            # each scenario site at its own mast height, unless --height-m is given (then it applies to all)
            masts += [s.mast_height_m if height_m is None else height_m for s in loaded.sites]
            if loaded.terrain is not None:
                r = loaded.terrain.ranking
                scales = RankingScales(**r.weights.model_dump(), darkness_scale_hours=r.darkness_scale_hours,
                                       slope_limit_deg=r.slope_limit_deg, psr_scale_km=r.psr_scale_km)
                if dem is None:  # the command line wins over the scenario
                    terrain_name = loaded.terrain.dem
                if horizon_mode == "auto":  # the command line wins over the scenario
                    horizon_mode = loaded.terrain.horizon_mode
                if max_slope_deg is None:  # the command line wins over the scenario
                    slope_limit = r.traverse_max_slope_deg
        if center_lat is None or center_lon is None:
            if scenario is not None:
                first = loaded.sites[0]
                center_lat, center_lon = first.latitude_deg, first.longitude_deg
                center_source = f"the scenario's first site, {first.name} (give --center-lat / --center-lon)"
            else:
                center_lat, center_lon = CONNECTING_RIDGE
                center_source = "the default centre, Connecting Ridge (give --center-lat / --center-lon)"
        if not candidates and not search:
            raise InputError("give candidate sites (--site NAME,LAT,LON or --scenario FILE) or --search")
        _check_unique_names([name for name, _, _ in candidates],
                            "--site" if scenario is None else "--site / --scenario sites")
        grid = resolve_terrain(terrain_name, "--dem")
        if grid is None:
            raise InputError("site ranking needs terrain (slope, PSRs); --dem none is not allowed here")
        for name, lat, lon in candidates:
            check_inside_dem(grid, lat, lon, "--dem", f"--site {name}")
        t = period_times(start, end, step_s)
        envelope = (sun_envelope(grid.georeference.south)
                    if isinstance(grid.georeference, PolarStereographic) else None)
        ranked = []
        found_sites: list[Any] = []
        window = None
        values = None
        psr_mask = None
        with progress_bar("ranking sites", enabled=not quiet and not json_output) as update:
            if candidates:
                ranked += rank_sites(grid, candidates, t, step_s, masts, scales, min_distance_m,
                                     psr_radius_km=psr_radius_km, envelope=envelope, progress=update,
                                     horizon_mode=horizon_mode, max_slope_deg=slope_limit)
            if search:
                if not bool(grid.contains(center_lat, center_lon)):
                    raise SiteError(
                        f"the search centre ({center_lat:g}, {center_lon:g} E), from {center_source}, is outside DEM "
                        f"'{grid.name}': centre the search inside it or choose the DEM that covers it (--dem)"
                    )
                found = search_sites(grid, center_lat, center_lon, radius_km, t, step_s, option_mast_m, scales, n_best,
                                     min_separation_km=min_separation_km, min_distance_m=min_distance_m,
                                     envelope=envelope, progress=update, horizon_mode=horizon_mode,
                                     max_slope_deg=slope_limit)
                ranked += found.sites
                found_sites = found.sites
                window, values = found.light.window, found.light.sun_disk_visible_fraction
                psr_mask = found.psr.psr if found.psr is not None else None
        ranked.sort(key=lambda s: -s.score)
        heights = sorted({s.mast_height_m for s in ranked})
        common_mast_m = heights[0] if len(heights) == 1 else None
        mast_source = "--height-m" if height_m is not None else "scenario" if scenario is not None else "default"
        start_utc, end_utc = _utc_text(start), _utc_text(end)
        site_dicts = [{**s.as_dict(), "ground_height_m": float(grid.height_at(s.latitude_deg, s.longitude_deg))}
                      for s in ranked]  # the DEM's bilinear height, as illumination reports it
        output: dict[str, Any] = {"sites": site_dicts, "mast_height_m": common_mast_m,
                                  "mast_height_source": mast_source, "terrain": grid.name,
                                  "dem_pixel_size_m": float(grid.pixel_size_m), "start_utc": start_utc,
                                  "end_utc": end_utc, "step_hours": step_s / 3600.0,
                                  "traverse_max_slope_deg": slope_limit}
        if search:
            output["search"] = {"center_latitude_deg": center_lat, "center_longitude_deg": center_lon,
                                "radius_km": radius_km, "n_best": n_best, "min_separation_km": min_separation_km}
        output["notes"] = [_dark_note(grid)]
        if isinstance(grid.georeference, PolarStereographic):
            traverse_window = ("the --search window (--radius-km) for search cells, --psr-radius-km around each "
                               "listed site" if search and candidates else
                               "the --search window (--radius-km)" if search else "--psr-radius-km around each site")
            output["notes"].append(_traverse_note(grid, slope_limit, traverse_window))
        searched = {id(s) for s in found_sites}
        for s in ranked:
            if s.traverse is not None and not s.traverse.reachable:
                output["notes"].append(_unreachable_note(s, slope_limit, id(s) in searched, radius_km, psr_radius_km))
        for s in ranked:
            if s.sun_disk_visible_fraction <= 0.0:
                output["notes"].append(
                    f"{s.name} is never lit over this period (the Sun's disk is never seen at {s.mast_height_m:g} m): "
                    "it lies in shadow over this period (a crater floor or wall, or a PSR)")
            if s.slope_deg > scales.slope_limit_deg:
                output["notes"].append(
                    f"{s.name}: its slope, {s.slope_deg:.1f} deg, is steeper than the ranking's slope limit "
                    f"{scales.slope_limit_deg:g} deg (terrain.ranking.slope_limit_deg), so its slope score is 0")
        for s in ranked:
            edge = _edge_note(grid, s.latitude_deg, s.longitude_deg,
                              float(grid.height_at(s.latitude_deg, s.longitude_deg)) + s.mast_height_m, s.name)
            if edge is not None:
                output["notes"].append(edge)
        # the map's mast: the search's (its map) or --height-m, else the sites' common mast, else the best site's
        map_mast_text = f"{option_mast_m:g} m"
        map_mast_m = option_mast_m
        if not search and height_m is None and ranked:
            map_mast_m = ranked[0].mast_height_m if common_mast_m is None else common_mast_m
            map_mast_text = f"{map_mast_m:g} m" + ("" if common_mast_m is not None else f" (mast of {ranked[0].name})")
        if (map_png is not None or geotiff is not None) and window is None:
            window = _sites_window(grid, ranked, radius_km)
            with progress_bar("light map", enabled=not quiet and not json_output) as update:
                values = light_map(grid, t, step_s, window, map_mast_m, min_distance_m, earth=False,
                                   progress=update, horizon_mode=horizon_mode).sun_disk_visible_fraction
        if map_png is not None and window is not None and values is not None:
            png = light_map_png(
                grid, window, values, "time lit [%]", [(s.name, s.latitude_deg, s.longitude_deg) for s in ranked],
                psr_mask, f"Candidate sites, light at {map_mast_text}, {start}..{end}",
                search_circle=(center_lat, center_lon, radius_km) if search else None)
            write_atomic(map_png, lambda tmp: tmp.write_bytes(png))
            output["map_png"] = str(map_png)
        if geotiff is not None and window is not None and values is not None:
            light = values
            write_atomic(geotiff, lambda tmp: write_geotiff(tmp, grid, window, light))
            output["geotiff"] = str(geotiff)
        if json_output:
            print_json(output)
            return
        table = Table(
            title=f"Candidate sites ({grid.name} DEM, {_mast_title(common_mast_m, mast_source)}, {start}..{end})",
            caption="lit%: time the Sun's disk is seen; dark h: longest darkness in hours; Earth%: time the Earth's "
            "centre is up; slope in deg; PSR km: distance to the nearest PSR; drive km (in the table, or below it "
            f"on a narrow terminal): drivable traverse to the nearest PSR with no slope above {slope_limit:g} deg, "
            "max sl: its steepest slope in deg; mast in m",
            box=box.SIMPLE_HEAD,
            pad_edge=False,
            collapse_padding=True,
            padding=(0, 1) if console.width >= 100 else (0, 0),  # 80 columns: one space apart, site names whole
        )
        # the traverse columns need 16 more characters: below 100 columns they are listed under the table instead
        wide = console.width >= 100
        columns = ["#", "site", "lat", "lon", "mast", "lit%", "dark h", "Earth%", "slope", "PSR km"]
        for column in [*columns, *(["drive km", "max sl"] if wide else []), "score"]:
            # numbers never wrap (a narrow terminal had cut the coordinates to '-89.…'); the site name may
            table.add_column(column, justify="left" if column == "site" else "right", no_wrap=column != "site")
        drives = []
        for i, s in enumerate(ranked, 1):
            drive = ("-" if not math.isfinite(s.psr_traverse_km) else f"{s.psr_traverse_km:.1f}",
                     "-" if not math.isfinite(s.psr_traverse_max_slope_deg) else f"{s.psr_traverse_max_slope_deg:.0f}")
            drives.append(f"{s.name}: drive km {drive[0]}, max sl {drive[1]}")
            table.add_row(str(i), s.name, f"{s.latitude_deg:.3f}", f"{s.longitude_deg:.3f}", f"{s.mast_height_m:g}",
                          f"{100 * s.sun_disk_visible_fraction:.1f}", f"{s.longest_dark_hours:.0f}",
                          f"{100 * s.earth_center_visible_fraction:.1f}", f"{s.slope_deg:.1f}",
                          "-" if not math.isfinite(s.psr_distance_km) else f"{s.psr_distance_km:.1f}",
                          *(drive if wide else ()), f"{s.score:.3f}")
        console.print(table)
        if not wide:
            console.print("traverses to the nearest PSR: " + "; ".join(drives))
        console.print(_resolution_note(grid))
        for note in output["notes"]:
            console.print(f"note: {note}")
        if "map_png" in output:
            err_console.print(f"map written to {output['map_png']}")
        if "geotiff" in output:
            err_console.print(f"geotiff written to {output['geotiff']}")


def _mast_title(common_mast_m: float | None, source: str) -> str:
    """The mast part of the ranking table's title: one height for all, or 'per-site masts'."""
    if common_mast_m is None:
        return "per-site masts (scenario)"
    if source == "--height-m":
        return f"{common_mast_m:g} m mast for all sites (--height-m)"
    return f"{common_mast_m:g} m mast" + (" (scenario)" if source == "scenario" else "")


def _with_period_end(summary: dict[str, Any], end: str) -> dict[str, Any]:
    """The summary with ``end_utc``, the period's (exclusive) end as given, after ``last_sample_utc``."""
    from lunarops.timescale import parse_utc, utc_iso

    out: dict[str, Any] = {}
    for key, value in summary.items():
        out[key] = value
        if key == "last_sample_utc":
            out["end_utc"] = str(utc_iso(parse_utc(end))[0])
    return out


def _resolution_note(dem: Any) -> str:
    """One line after a light table: the DEM's pixel size and where the resolution effect is explained."""
    return f"{dem.pixel_size_m:.0f} m DEM pixels: ridge light can be off by several % (docs/illumination.md)"


def _sites_window(grid: Any, ranked: list[Any], radius_km: float) -> tuple[int, int, int, int]:
    """A window holding every ranked site with a 5 km margin; around the best site alone when that is too big."""
    from lunarops.illumination.maps import window_around

    boxes = [window_around(grid, s.latitude_deg, s.longitude_deg, 5e3) for s in ranked]
    window = (min(b[0] for b in boxes), max(b[1] for b in boxes), min(b[2] for b in boxes), max(b[3] for b in boxes))
    if (window[1] - window[0]) * (window[3] - window[2]) > 250 * 250:
        window = window_around(grid, ranked[0].latitude_deg, ranked[0].longitude_deg, radius_km * 1e3)
    return window


def _after(summary: dict[str, Any], key: str, new_key: str, value: Any) -> dict[str, Any]:
    """``summary`` with ``new_key: value`` right after ``key``."""
    out: dict[str, Any] = {}
    for k, v in summary.items():
        out[k] = v
        if k == key:
            out[new_key] = value
    return out


def _latlon_text(lat: float, lon: float) -> str:
    """``89.4500 S, 222.6900 E``: a latitude with its hemisphere letter, not '-89.4500 N'."""
    return format_lat_lon(lat, lon)


def _utc_text(value: str) -> str:
    """An option's UTC time as ISO 8601 with seconds and Z (``2031-01-01`` -> ``2031-01-01T00:00:00Z``)."""
    from lunarops.timescale import parse_utc, utc_iso

    return str(utc_iso(parse_utc(value))[0])


def _dark_note(dem: Any) -> str:
    """The note on longest_dark_hours: a lower bound on a coarse DEM, and cut by the period's ends."""
    return (
        f"longest_dark_hours is a lower bound on the {dem.pixel_size_m:.0f} m DEM: relief smaller than a pixel, "
        "smoothed away, lengthens the nights (docs/illumination.md); a dark spell at the start or end of the period "
        "counts only as far as it is seen"
    )


def _edge_note(dem: Any, lat: float, lon: float, observer_height_m: float, name: str = "the site",
               option: str = "--dem") -> str | None:
    """A note when the DEM's edge is nearer than the terrain that could still shade the site: its horizon is cut
    there (terrain beyond the edge is not seen), so it may be lit too much; None otherwise."""
    from lunarops.illumination.psr import edge_distance_m, shadow_range_m

    edge_m = edge_distance_m(dem, lat, lon)
    reach_m = shadow_range_m(dem, observer_height_m)
    if edge_m >= reach_m:
        return None
    return (f"{name} is {edge_m / 1e3:.0f} km from the edge of DEM '{dem.name}', nearer than the {reach_m / 1e3:.0f} "
            "km out to which the DEM's highest point could still shade it: its horizon is cut at the edge (terrain "
            f"beyond is not seen), so its light may be too high; use a larger DEM ({option} FILE)")


def _never_lit_note(light: Any) -> str:
    """The note for a site whose Sun's disk is never seen over the period: where its horizon is highest."""
    n = int(light.sun_disk_visible.size)
    sun_top = float(np.max(light.sun_elevation_deg))
    el = np.asarray(light.horizon.elevation_deg)
    k = int(np.argmax(el))
    return (f"the Sun's disk is never seen over this period (0 of {n} samples): the site lies in shadow over this "
            f"period (a crater floor or wall, or a PSR); its horizon is highest, {float(el[k]) + 0.0:.1f} deg, at "
            f"azimuth {float(light.horizon.azimuth_deg[k]) + 0.0:.0f} deg (from north through east), while the Sun's "
            f"elevation peaks at {sun_top + 0.0:.2f} deg")


def _unreachable_note(site: Any, slope_limit: float, searched: bool, radius_km: float, psr_radius_km: float) -> str:
    """Why a ranked site has no traverse to a PSR, and the option that widens its window: a --search cell's
    traverse runs over the search window (--radius-km around the centre), a listed site's over --psr-radius-km
    around it."""
    from lunarops.terrain.traverse import NO_TARGET

    window, option = ((f"the search window (--radius-km {radius_km:g} around the centre)", "--radius-km") if searched
                      else (f"--psr-radius-km {psr_radius_km:g} around the site", "--psr-radius-km"))
    if site.traverse.status == NO_TARGET:
        return (f"{site.name}: psr_traverse_km has no PSR cell to drive to within {window}; a larger {option} may "
                "find one")
    return (f"{site.name}: psr_traverse_km: PSR cells lie within {window} but no path reaches them with slopes <= "
            f"{slope_limit:g} deg; a larger --max-slope-deg or {option} may find one")


def _psr_resolution_note(dem: Any) -> str:
    """The note under a PSR result: its area depends on the DEM's resolution."""
    return (
        f"PSR area depends on the DEM resolution: on {dem.pixel_size_m:.0f} m pixels craters narrower than a few "
        "pixels vanish, so the area is low (poleward of 80 S: 12,739 km2 at 1600 m vs 16,055 km2 at 240 m, "
        "Mazarico et al. 2011; docs/illumination.md)"
    )


def _traverse_note(dem: Any, max_slope_deg: float, window: str) -> str:
    """The note on psr_traverse_km: a shortest path on the DEM's cells, a lower bound."""
    return (
        f"psr_traverse_km: shortest 8-connected drive over the {dem.pixel_size_m:.0f} m DEM cells within {window} to "
        f"the nearest PSR cell, no slope above {max_slope_deg:g} deg (--max-slope-deg); slopes are averaged over a "
        "cell, so real slopes are steeper and the real drive longer: a lower bound (docs/illumination.md)"
    )


def _check_unique_names(names: list[str], option: str) -> None:
    """InputError when two sites share a name: their results would be keyed by it and collapse into one."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InputError(
                f"{option}: the site name {name!r} is given more than once; results are listed by name, so give each "
                f"site its own NAME (e.g. '{name} 2')"
            )
        seen.add(name)


def _check_min_distance(min_distance_m: float | None) -> None:
    if min_distance_m is not None and not (math.isfinite(min_distance_m) and min_distance_m > 0):
        raise InputError(f"--min-distance-m = {min_distance_m!r} must be > 0 [m]; omit it for one DEM pixel")


def _floor1(value: float) -> float:
    return math.floor(value * 10.0) / 10.0


def _ceil1(value: float) -> float:
    return math.ceil(value * 10.0 - 1e-9) / 10.0


def _check_horizon_mode(mode: str) -> None:
    from lunarops.terrain.horizon import MAP_MODES

    if mode not in MAP_MODES:
        raise InputError(f"--horizon-mode = {mode!r} is not a horizon mode; use one of {', '.join(MAP_MODES)}")


def _parse_site(text: str) -> tuple[str, float, float]:
    parts = [p.strip() for p in str(text).split(",")]
    if len(parts) != 3:
        raise InputError(f"--site = {text!r} must be NAME,LAT,LON, e.g. 'Connecting Ridge,-89.45,222.69' or "
                         "'Connecting Ridge,89.45S,137.31W'")
    try:
        name, lat, lon = parts[0], parse_angle(parts[1], "lat"), parse_angle(parts[2], "lon")
    except ValueError as error:  # the angle's own message: the value and the accepted forms
        raise InputError(f"--site = {text!r}: {error}") from None
    from lunarops.terrain.dem import check_latlon_deg

    check_latlon_deg(lat, lon, f"--site = {text!r}")
    return name, lat, lon


def _check_positive_km(value_km: float, option: str) -> None:
    if not (math.isfinite(value_km) and value_km > 0):
        raise InputError(f"{option} = {value_km} must be a distance > 0 [km]")


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return "-" if not math.isfinite(value) else f"{value + 0.0:.6g}"  # + 0.0: no negative zero
    return str(value)
