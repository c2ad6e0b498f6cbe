"""Maps of light over the LROC WAC basemap (matplotlib PNG) and GeoTIFF export of polar maps."""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from lunarops.errors import DataError, InputError
from lunarops.illumination.maps import Window
from lunarops.terrain import Dem, PolarStereographic, load_basemap


def window_extent_m(geo: PolarStereographic, window: Window) -> tuple[float, float, float, float]:
    """(x_left, x_right, y_bottom, y_top) map extent [m] of a window's cell edges."""
    r0, r1, c0, c1 = window
    x_left = geo.x_min_m + c0 * geo.pixel_width_m
    x_right = geo.x_min_m + c1 * geo.pixel_width_m
    y_top = geo.y_max_m - r0 * geo.pixel_height_m
    y_bottom = geo.y_max_m - r1 * geo.pixel_height_m
    return x_left, x_right, y_bottom, y_top


def light_map_png(
    dem: Dem,
    window: Window,
    values: NDArray[np.float64],
    label: str,
    sites: Sequence[tuple[str, float, float]] = (),
    psr: NDArray[np.bool_] | None = None,
    title: str = "",
    categories: tuple[str, str] | None = None,
    search_circle: tuple[float, float, float] | None = None,
) -> bytes:
    """PNG bytes: ``values`` (window-shaped, 0..1 fractions shown in percent) over the WAC basemap, with PSR
    outlines and labelled sites. Polar stereographic DEMs are drawn in map km; others in lon/lat.

    ``categories``: (label of 0, label of 1) for a yes/no map (values 0 or 1): two colours and a legend instead
    of a 0-100 colour bar. ``search_circle``: (latitude, longitude [deg], radius [km]) of a search, drawn as a
    dashed circle. Site labels sit next to their own markers (always to the upper right, left of markers in the
    right quarter); when markers are too close for their names, they are numbered and named in the legend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    legend_handles: list[object] = []
    colours = ListedColormap(["#1f3a93", "#f2e394"])  # categories: 0 dark blue, 1 pale yellow

    geo = dem.georeference
    ny, nx = np.shape(values)
    if isinstance(geo, PolarStereographic):
        x0, x1, y0, y1 = window_extent_m(geo, window)
        extent = (x0 / 1e3, x1 / 1e3, y0 / 1e3, y1 / 1e3)
        aspect = (y1 - y0) / (x1 - x0)
    else:
        aspect = ny / max(nx, 1)
    fig, ax = plt.subplots(figsize=_figure_size(aspect), dpi=110)
    if isinstance(geo, PolarStereographic):
        basemap = _polar_basemap(geo, x0, x1, y0, y1)
        if basemap is not None:
            crop, (bx0, bx1, by0, by1) = basemap
            ax.imshow(crop, cmap="gray", extent=(bx0 / 1e3, bx1 / 1e3, by0 / 1e3, by1 / 1e3), origin="upper")
        if categories is None:
            shown = ax.imshow(100 * values, cmap="inferno", vmin=0, vmax=100, alpha=0.6, extent=extent,
                              origin="upper")
        else:
            ax.imshow(values, cmap=colours, vmin=0, vmax=1, alpha=0.6, extent=extent, origin="upper",
                      interpolation="nearest")
        if psr is not None and psr.any():
            ax.contour(psr.astype(float), levels=[0.5], colors="cyan", linewidths=0.8, extent=extent, origin="upper")
        if search_circle is not None:
            clat, clon, radius_km = search_circle
            crow, ccol = (float(v) for v in dem.latlon_to_rowcol(clat, clon))
            cx, cy = (float(v) / 1e3 for v in geo.rowcol_to_xy(crow, ccol))
            k = float(geo.scale_factor)
            angle = np.linspace(0.0, 2.0 * np.pi, 181)
            # the radius on the sphere times the polar stereographic scale (1 / cos^2(colat / 2), Snyder 1987)
            scale = k / np.cos(np.radians(90.0 - abs(clat)) / 2.0) ** 2
            line = ax.plot(cx + radius_km * scale * np.cos(angle), cy + radius_km * scale * np.sin(angle),
                           color="white", linestyle="--", linewidth=0.9)[0]
            line.set_label(f"search radius {radius_km:g} km")
            legend_handles.append(line)
        _draw_latitude_circles(ax, dem, geo, extent)
        _draw_sites(ax, dem, geo, sites, extent, legend_handles)
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
        ax.set_xlabel("polar stereographic x [km]")
        ax.set_ylabel("polar stereographic y [km]")
    else:
        shown = ax.imshow(100 * values, cmap="inferno", vmin=0, vmax=100, origin="upper")
        ax.set_xlabel("column")
        ax.set_ylabel("row")
    if categories is None or not isinstance(geo, PolarStereographic):
        fig.colorbar(shown, ax=ax, label=label)
    else:
        legend_handles[:0] = [Patch(facecolor=colours(0), alpha=0.6, label=categories[0]),
                              Patch(facecolor=colours(1), alpha=0.6, label=categories[1])]
    if psr is not None:
        legend_handles.insert(0, ax.plot([], [], color="cyan", label="PSR outline")[0])
    if legend_handles:  # below the axes, where it hides no marker
        ax.legend(handles=legend_handles, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=7,
                  framealpha=0.8)
    # wrapped to the map's width: a long title ran over the colour bar and was cut at the figure's edge
    ax.set_title(textwrap.fill(title, 64), fontsize=10)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")  # legend and title inside the image
    plt.close(fig)
    return buffer.getvalue()


#: Markers closer than this fraction of the map's width get numbers (named in the legend) instead of names.
LABEL_CLEARANCE = 0.12


def _draw_sites(ax: object, dem: Dem, geo: PolarStereographic, sites: Sequence[tuple[str, float, float]],
                extent: tuple[float, float, float, float], legend_handles: list[object]) -> None:
    """Site markers, each labelled next to itself: to the upper right (upper left in the right quarter of the map,
    lower right near the top); numbered, with the names in the legend, when two markers are too close."""
    points = []
    for _, lat, lon in sites:
        row, col = (float(v) for v in dem.latlon_to_rowcol(lat, lon))
        points.append(tuple(float(v) / 1e3 for v in geo.rowcol_to_xy(row, col)))
    width = extent[1] - extent[0]
    crowded = any(
        math.hypot(points[i][0] - points[j][0], points[i][1] - points[j][1]) < LABEL_CLEARANCE * width
        for i in range(len(points)) for j in range(i + 1, len(points))
    )
    for i, ((name, _, _), (x, y)) in enumerate(zip(sites, points, strict=True), 1):
        marker = ax.plot(x, y, marker="^", color="lime", markeredgecolor="black", linestyle="none")[0]  # type: ignore[attr-defined]
        sx = -1 if x > extent[1] - 0.25 * width else 1  # left of markers in the map's right quarter
        sy = -1 if y > extent[3] - 0.1 * (extent[3] - extent[2]) else 1  # below markers near the top
        # the k-th marker close to an earlier one turns its label a quarter turn further, on a longer leader line
        k = sum(math.hypot(x - px, y - py) < LABEL_CLEARANCE * width for px, py in points[: i - 1])
        dx, dy = ((sx, sy), (-sx, sy), (-sx, -sy), (sx, -sy))[k % 4]
        length = 5.0 + 7.0 * (k > 0) + 6.0 * (k // 4)
        ax.annotate(str(i) if crowded else name, (x, y), color="white", fontsize=8,  # type: ignore[attr-defined]
                    xytext=(dx * length, dy * length), textcoords="offset points",
                    ha="left" if dx > 0 else "right", va="bottom" if dy > 0 else "top",
                    arrowprops={"arrowstyle": "-", "color": "white", "linewidth": 0.6})
        if crowded:
            marker.set_label(f"{i}: {name}")
            legend_handles.append(marker)


def _draw_latitude_circles(ax: object, dem: Dem, geo: PolarStereographic,
                           extent: tuple[float, float, float, float]) -> None:
    """Labelled circles of latitude (every 1 deg; 0.5 or 0.25 deg on small maps) and a mark at the pole, when in
    the map."""
    x0, x1, y0, y1 = extent
    pole_lat = -90.0 if geo.south else 90.0
    sign = -1.0 if geo.south else 1.0

    def xy(lat: NDArray[np.float64], lon: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        row, col = dem.latlon_to_rowcol(lat, lon)
        x, y = geo.rowcol_to_xy(row, col)
        return np.asarray(x, dtype=float) / 1e3, np.asarray(y, dtype=float) / 1e3

    px, py = (float(v[0]) for v in xy(np.array([pole_lat]), np.array([0.0])))
    corners_x = np.array([x0, x1, x0, x1, min(max(px, x0), x1)])
    corners_y = np.array([y0, y0, y1, y1, min(max(py, y0), y1)])
    rho = np.hypot(corners_x - px, corners_y - py)
    colat_km = 1737.4 * math.radians(1.0)  # about 30 km per degree of latitude near the pole
    near, far = float(rho.min()) / colat_km, float(rho.max()) / colat_km
    step = 1.0 if far - near >= 2.0 else 0.5 if far - near >= 1.0 else 0.25
    lon = np.linspace(0.0, 360.0, 721)
    inside_map = lambda x, y: (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)  # noqa: E731
    for colat in np.arange(step, min(far, 30.0) + step, step):
        lat = sign * (90.0 - colat)
        cx, cy = xy(np.full_like(lon, lat), lon)
        visible = inside_map(cx, cy)
        if not visible.any():
            continue
        ax.plot(cx, cy, color="white", linewidth=0.5, alpha=0.6, linestyle=":")  # type: ignore[attr-defined]
        k = int(np.flatnonzero(visible)[visible.sum() // 2])  # the middle of the visible arc
        ax.text(cx[k], cy[k], f"{abs(lat):g}° {'S' if geo.south else 'N'}",  # type: ignore[attr-defined]
                color="white", fontsize=6, alpha=0.9, ha="center", va="center")
    if x0 <= px <= x1 and y0 <= py <= y1:
        ax.plot(px, py, marker="+", color="white", markersize=9, linestyle="none")  # type: ignore[attr-defined]
        ax.text(px, py, f" {'south' if geo.south else 'north'} pole", color="white",  # type: ignore[attr-defined]
                fontsize=7, ha="left", va="top")


def _figure_size(aspect: float) -> tuple[float, float]:
    """(width, height) [in] of a figure whose map axes (height / width = ``aspect``) fill it: a wide window gets a
    short figure instead of a square one with empty bands above and below the map."""
    map_width_in = 5.6
    map_height_in = min(max(map_width_in * aspect, 2.4), 6.4)
    if map_height_in == 6.4:  # tall windows: narrower map, same height cap
        map_width_in = max(map_height_in / aspect, 2.4)
    return map_width_in + 1.9, map_height_in + 1.3


def basemap_text(dem: Dem) -> str:
    """What the light maps of ``dem`` are drawn over, for captions."""
    geo = dem.georeference
    if not isinstance(geo, PolarStereographic):
        return "no basemap (maps of non-polar DEMs are drawn in rows and columns)"
    if geo.south:
        return "LROC WAC south-polar mosaic basemap" if _south_basemap() else "no basemap (wac_south not installed)"
    return "LROC WAC global mosaic basemap (0.07 deg pixels), reprojected to the north polar grid"


#: Pixel of a north-polar basemap reprojected from the global WAC mosaic [m]; finer than its 2.1 km rows.
NORTH_BASEMAP_PIXEL_M = 400.0


def _polar_basemap(
    geo: PolarStereographic, x0: float, x1: float, y0: float, y1: float
) -> tuple[NDArray[np.uint8], tuple[float, float, float, float]] | None:
    """(image, its extent x0, x1, y0, y1 [m]) under a polar window: the south WAC mosaic's crop, or the global
    mosaic sampled (nearest pixel) on a polar grid of the window for the north, which has no mosaic of its own."""
    if geo.south:
        south = _south_basemap()
        if south is None:
            return None
        image, bgeo = south
        br0, bc0 = (int(np.floor(v)) for v in bgeo.xy_to_rowcol(x0, y1))
        br1, bc1 = (int(np.ceil(v)) + 1 for v in bgeo.xy_to_rowcol(x1, y0))
        br0, bc0 = max(br0, 0), max(bc0, 0)
        crop = image[br0:br1, bc0:bc1]
        bx0, bx1, by0, by1 = window_extent_m(bgeo, (br0, br0 + crop.shape[0], bc0, bc0 + crop.shape[1]))
        return crop, (bx0, bx1, by0, by1)
    return global_basemap_on(geo, x0, x1, y0, y1)


def global_basemap_on(
    geo: PolarStereographic, x0: float, x1: float, y0: float, y1: float
) -> tuple[NDArray[np.uint8], tuple[float, float, float, float]] | None:
    """The global WAC mosaic sampled (nearest pixel) on a polar grid over x0..x1, y0..y1 [m] of ``geo``, with the
    grid's extent; None when the installation lacks it."""
    try:
        image, ggeo = load_basemap("wac_global")
    except DataError:
        return None
    pixel_m = max(NORTH_BASEMAP_PIXEL_M, (x1 - x0) / 1500.0, (y1 - y0) / 1500.0)  # at most 1500 x 1500 pixels
    xs = x0 + (np.arange(int(np.ceil((x1 - x0) / pixel_m))) + 0.5) * pixel_m
    ys = y1 - (np.arange(int(np.ceil((y1 - y0) / pixel_m))) + 0.5) * pixel_m
    rows, cols = geo.xy_to_rowcol(*np.meshgrid(xs, ys))
    lat, lon = geo.rowcol_to_latlon(rows, cols)
    grow, gcol = ggeo.latlon_to_rowcol(lat, lon)
    r = np.clip(np.rint(grow).astype(np.int64), 0, image.shape[0] - 1)  # nearest pixel centre
    c = np.rint(gcol).astype(np.int64) % image.shape[1]
    return image[r, c], (x0, x0 + len(xs) * pixel_m, y1 - len(ys) * pixel_m, y1)


def _south_basemap() -> tuple[NDArray[np.uint8], PolarStereographic] | None:
    """The WAC south-polar mosaic, or None when the installation lacks it (the map is drawn without it)."""
    try:
        image, geo = load_basemap("wac_south")
    except DataError:
        return None
    return (image, geo) if isinstance(geo, PolarStereographic) else None


def write_geotiff(path: str | Path, dem: Dem, window: Window, values: NDArray[np.float64]) -> Path:
    """Write a window-shaped float32 map as a GeoTIFF in the DEM's polar stereographic grid (sphere R).

    GeoKeys (GeoTIFF 1.0 spec, sec. 6): user-defined projected CRS, CT_PolarStereographic (15) with the natural
    origin at the pole, the sphere's radius as both axes; pixel-is-area tie point at the window's corner.
    """
    import tifffile

    geo = dem.georeference
    if not isinstance(geo, PolarStereographic):
        raise InputError(f"GeoTIFF export needs a polar stereographic DEM; '{dem.name}' is not one")
    x0, _, _, y1 = window_extent_m(geo, window)
    doubles = (
        -90.0 if geo.south else 90.0,  # ProjNatOriginLat
        geo.central_longitude_deg,  # ProjStraightVertPoleLong
        geo.scale_factor,  # ProjScaleAtNatOrigin
        0.0, 0.0,  # false easting / northing
        geo.radius_m, geo.radius_m,  # semi-major / semi-minor axes
    )
    keys = [
        1, 1, 0, 12,
        1024, 0, 1, 1,  # GTModelType = projected
        1025, 0, 1, 1,  # GTRasterType = PixelIsArea
        2048, 0, 1, 32767,  # GeographicType = user-defined
        2057, 34736, 1, 5,  # GeogSemiMajorAxis
        2058, 34736, 1, 6,  # GeogSemiMinorAxis
        3072, 0, 1, 32767,  # ProjectedCSType = user-defined
        3074, 0, 1, 32767,  # Projection = user-defined
        3075, 0, 1, 15,  # ProjCoordTrans = CT_PolarStereographic
        3076, 0, 1, 9001,  # ProjLinearUnits = metre
        3081, 34736, 1, 0,  # ProjNatOriginLat
        3092, 34736, 1, 2,  # ProjScaleAtNatOrigin
        3095, 34736, 1, 1,  # ProjStraightVertPoleLong
    ]
    out = Path(path)
    tifffile.imwrite(
        out,
        np.asarray(values, dtype=np.float32),
        extratags=[
            (33550, "d", 3, (geo.pixel_width_m, geo.pixel_height_m, 0.0), True),
            (33922, "d", 6, (0.0, 0.0, 0.0, x0, y1, 0.0), True),
            (34735, "H", len(keys), tuple(keys), True),
            (34736, "d", len(doubles), doubles, True),
        ],
    )
    return out
