"""CLI commands of the terrain group: `lunarops horizon` and `lunarops data fetch NAME`."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.table import Table

from lunarops.cli.angles import LAT_FORMS, LATITUDE, LON_FORMS, LONGITUDE
from lunarops.cli.common import HELP_MARKUP, console, handle_errors, print_json, progress_bar
from lunarops.errors import InputError, SiteError
from lunarops.numformat import format_lat_lon

data_app = typer.Typer(
    help="Data products: download higher-resolution LOLA DEMs.", no_args_is_help=True, rich_markup_mode=HELP_MARKUP
)

CONVENTIONS = (
    "azimuth from north through east; elevation above the local horizontal (normal to the site's radius); "
    "observer at the bilinear DEM height + height_m; exact curvature on the 1737.4 km sphere; terrain closer "
    "than min_distance_m ignored; terrain beyond the DEM edge not seen"
)


def register(app: typer.Typer) -> None:
    """Add `lunarops horizon` and the `lunarops data` group."""
    app.command("horizon")(horizon)
    app.add_typer(data_app, name="data")


def check_site_options(lat: float, lon: float, lat_option: str = "--lat", lon_option: str = "--lon") -> None:
    """InputError naming the options unless the latitude is in [-90, 90] and the east longitude in -180..360."""
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise SiteError(f"{lat_option} = {lat!r} must be a latitude in [-90, 90] deg (south is negative)")
    if not (math.isfinite(lon) and -180.0 <= lon <= 360.0):
        raise SiteError(
            f"{lon_option} = {lon!r} must be an east longitude in -180..180 or 0..360 deg (west longitudes are "
            "negative)"
        )


def check_inside_dem(dem: Any, lat: float, lon: float, option: str, what: str = "the site") -> None:
    """SiteError when a site is outside a polar DEM, saying how far the DEM reaches: its map is a square around
    the pole, so the latitude it reaches depends on the longitude (``Dem.contains`` decides). Other DEMs are left
    to the computation's own message."""
    from lunarops.terrain import PolarStereographic

    if not isinstance(dem.georeference, PolarStereographic) or bool(dem.contains(lat, lon)):
        return
    sign = -1.0 if dem.georeference.south else 1.0
    here = _reach_deg(dem, np.array([float(lon)]), sign)[0]
    lons = np.arange(0.0, 360.0, 0.25)
    reach = _reach_deg(dem, lons, sign)
    hemi = "S" if sign < 0 else "N"
    # the stated limits are accepted: rounded poleward (up in |latitude|) to 0.01 deg
    every = math.ceil(float(reach.max()) * 100.0) / 100.0
    far = math.ceil(float(reach.min()) * 100.0) / 100.0
    corner_lons = lons[reach <= reach.min() + 0.01]  # the corners, to the nearest 5 deg of longitude
    corner_text = ", ".join(f"{v:g}" for v in sorted({float(5 * round(x / 5)) % 360.0 for x in corner_lons}))
    raise SiteError(
        f"{what} ({format_lat_lon(lat, lon)}) is outside DEM '{dem.name}': at {float(lon) % 360.0:.4f} E it reaches "
        f"{math.ceil(here * 100.0) / 100.0:.2f} {hemi} (sites poleward of that are inside); its map is a square "
        f"around the pole, so it covers every longitude poleward of {every:.2f} {hemi} and reaches {far:.2f} {hemi} "
        f"at its corners (near {corner_text} E); pick a site inside it or another DEM ({option} global: 7.6 km "
        "pixels, every latitude; or a DEM file)"
    )


def _reach_deg(dem: Any, lons: np.ndarray, sign: float) -> np.ndarray:
    """|latitude| [deg] of the DEM's edge along each longitude (bisection on ``Dem.contains``: inside near the
    pole, outside beyond the square's edge)."""
    inside = np.zeros_like(lons)  # colatitude known inside
    outside = np.full_like(lons, 90.0)  # colatitude known outside (or the equator)
    for _ in range(40):
        mid = 0.5 * (inside + outside)
        ok = np.asarray(dem.contains(sign * (90.0 - mid), lons), dtype=bool)
        inside = np.where(ok, mid, inside)
        outside = np.where(ok, outside, mid)
    return np.asarray(90.0 - inside)


def check_height_options(height_m: float, min_distance_m: float | None, max_distance_m: float | None = None) -> None:
    """InputError naming --height-m, --min-distance-m or --max-distance-m for values the horizon cannot use."""
    if not (math.isfinite(height_m) and 0.0 <= height_m < 100e3):
        raise InputError(f"--height-m = {height_m!r} must be a height over the ground >= 0 and < 100 km [m], e.g. 10")
    if min_distance_m is not None and not (math.isfinite(min_distance_m) and min_distance_m > 0):
        raise InputError(f"--min-distance-m = {min_distance_m!r} must be > 0 [m]; omit it for one DEM pixel")
    if max_distance_m is not None:
        low = min_distance_m if min_distance_m is not None else 0.0
        if not (math.isfinite(max_distance_m) and max_distance_m > low):
            after = f" --min-distance-m = {min_distance_m!r}" if min_distance_m is not None else " 0"
            raise InputError(
                f"--max-distance-m = {max_distance_m!r} must be finite and > {after.strip()} [m] (a ray length); omit "
                "it to use the whole DEM"
            )


def horizon(
    lat: Annotated[float, typer.Option("--lat", parser=LATITUDE, help=f"latitude [deg], -90..90, {LAT_FORMS}")],
    lon: Annotated[float, typer.Option("--lon", parser=LONGITUDE, help=f"east longitude [deg], {LON_FORMS}")],
    height_m: Annotated[float, typer.Option("--height-m", help="observer height above the ground [m]")] = 0.0,
    dem: Annotated[
        str, typer.Option("--dem", help="south | north | global | path to a GeoTIFF or PDS3 file")
    ] = "south",
    n_azimuth: Annotated[int, typer.Option("--n-azimuth", help="number of azimuths (equally spaced)")] = 360,
    min_distance_m: Annotated[
        float | None, typer.Option("--min-distance-m", help="ignore terrain closer than this [m]; default 1 px")
    ] = None,
    max_distance_m: Annotated[
        float | None, typer.Option("--max-distance-m", help="ray length [m]; default the whole DEM")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Terrain horizon (elevation versus azimuth) at a site, from a height above the ground."""
    from lunarops.terrain import horizon_at_site, load_dem
    from lunarops.terrain.horizon import check_n_azimuth

    with handle_errors():
        check_site_options(lat, lon)
        check_height_options(height_m, min_distance_m, max_distance_m)
        check_n_azimuth(n_azimuth, 1, "--n-azimuth")
        if dem.strip().lower() == "none":
            raise InputError(
                "--dem none: a horizon needs terrain; 'none' is the smooth sphere, whose horizon is the local "
                "horizontal (0 deg at every azimuth); give a DEM (south, north, global or a file), or use "
                "`lunarops illumination --terrain none` for smooth-sphere light"
            )
        model = load_dem(dem)
        check_inside_dem(model, lat, lon, "--dem")
        if max_distance_m is not None and min_distance_m is None and not max_distance_m > model.pixel_size_m:
            raise InputError(
                f"--max-distance-m = {max_distance_m!r} must be longer than --min-distance-m (default one DEM pixel, "
                f"{model.pixel_size_m:g} m); omit it to use the whole DEM"
            )
        mask = horizon_at_site(model, lat, lon, height_m, n_azimuth, min_distance_m, max_distance_m)
        if json_output:
            print_json(
                {
                    "dem": model.name,
                    "dem_pixel_size_m": model.pixel_size_m,
                    "latitude_deg": lat,
                    "longitude_deg": lon,
                    "height_above_ground_m": height_m,
                    "observer_height_m": mask.observer_height_m,
                    "min_distance_m": min_distance_m if min_distance_m is not None else model.pixel_size_m,
                    "conventions": CONVENTIONS,
                    "azimuth_deg": np.round(mask.azimuth_deg, 6),
                    "elevation_deg": np.round(mask.elevation_deg, 6),
                }
            )
            return
        where = format_lat_lon(lat, lon)
        table = Table(title=f"horizon at {where}, {height_m:g} m above ground, DEM {model.name}")
        table.add_column("azimuth [deg]", justify="right")
        table.add_column("elevation [deg]", justify="right")
        step = max(1, len(mask.azimuth_deg) // 24)
        for az, el in zip(mask.azimuth_deg[::step], mask.elevation_deg[::step], strict=True):
            table.add_row(f"{az:.1f}", f"{el:.3f}")
        console.print(table)
        console.print(
            f"observer at {mask.observer_height_m:.1f} m above the 1737.4 km sphere; max horizon "
            f"{mask.elevation_deg.max():.3f} deg at azimuth {mask.azimuth_deg[np.argmax(mask.elevation_deg)]:.1f} deg"
        )


@data_app.command("fetch")
def fetch(
    name: Annotated[str, typer.Argument(help="product name, see `lunarops data list`")],
    cache_dir: Annotated[Path | None, typer.Option("--cache-dir", help="download directory")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="no progress bar")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Download a LOLA DEM product (resumable, verified) into the cache; prints its path."""
    from lunarops.terrain.fetch import default_cache_dir, find_product
    from lunarops.terrain.fetch import fetch as fetch_product

    with handle_errors():
        find_product(name)  # an unknown name fails before the progress bar appears
        directory = cache_dir if cache_dir is not None else default_cache_dir()
        with progress_bar(f"fetch {name}", enabled=not quiet and not json_output) as update:
            path = fetch_product(name, directory, progress=update)
        if json_output:
            print_json({"name": name, "path": str(path), "cache_dir": str(directory)})
        else:
            console.print(str(path))


@data_app.command("list")
def list_products(json_output: Annotated[bool, typer.Option("--json", help="print JSON")] = False) -> None:
    """The products `lunarops data fetch` knows, with their pinned files."""
    from lunarops.terrain.fetch import REGISTRY

    with handle_errors():
        if json_output:
            print_json(
                {
                    name: {
                        "description": p.description,
                        "files": [{"url": f.url, "size_bytes": f.size_bytes, "sha256": f.sha256} for f in p.files],
                    }
                    for name, p in REGISTRY.items()
                }
            )
            return
        table = Table(title="LOLA DEM products")
        table.add_column("name")
        table.add_column("description")
        table.add_column("size [MB]", justify="right")
        for name, p in REGISTRY.items():
            size = p.files[0].size_bytes
            table.add_row(name, p.description, f"{size / 1e6:.1f}" if size else "?")
        console.print(table)
