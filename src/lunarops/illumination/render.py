"""Maps of light over the LROC WAC basemap (matplotlib PNG) and GeoTIFF export of polar maps."""

from __future__ import annotations

import io
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
) -> bytes:
    """PNG bytes: ``values`` (window-shaped, 0..1 fractions shown in percent) over the WAC basemap, with PSR
    outlines and labelled sites. Polar stereographic DEMs are drawn in map km; others in lon/lat."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
        basemap = _south_basemap() if geo.south else None
        if basemap is not None:
            image, bgeo = basemap
            br0, bc0 = (int(np.floor(v)) for v in bgeo.xy_to_rowcol(x0, y1))
            br1, bc1 = (int(np.ceil(v)) + 1 for v in bgeo.xy_to_rowcol(x1, y0))
            br0, bc0 = max(br0, 0), max(bc0, 0)
            crop = image[br0:br1, bc0:bc1]
            bx0, bx1, by0, by1 = window_extent_m(bgeo, (br0, br0 + crop.shape[0], bc0, bc0 + crop.shape[1]))
            ax.imshow(crop, cmap="gray", extent=(bx0 / 1e3, bx1 / 1e3, by0 / 1e3, by1 / 1e3), origin="upper")
        shown = ax.imshow(100 * values, cmap="inferno", vmin=0, vmax=100, alpha=0.6, extent=extent, origin="upper")
        if psr is not None and psr.any():
            ax.contour(psr.astype(float), levels=[0.5], colors="cyan", linewidths=0.8, extent=extent, origin="upper")
        for name, lat, lon in sites:
            row, col = (float(v) for v in dem.latlon_to_rowcol(lat, lon))
            x, y = (float(v) / 1e3 for v in geo.rowcol_to_xy(row, col))
            ax.plot(x, y, marker="^", color="lime", markeredgecolor="black")
            # labels stay inside the axes: to the left of sites in the right half, below sites near the top
            right = x > (extent[0] + extent[1]) / 2
            top = y > extent[3] - 0.1 * (extent[3] - extent[2])
            ax.annotate(name, (x, y), color="white", fontsize=8, xytext=(-4 if right else 4, -4 if top else 4),
                        textcoords="offset points", ha="right" if right else "left", va="top" if top else "bottom")
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
        ax.set_xlabel("polar stereographic x [km]")
        ax.set_ylabel("polar stereographic y [km]")
    else:
        shown = ax.imshow(100 * values, cmap="inferno", vmin=0, vmax=100, origin="upper")
        ax.set_xlabel("column")
        ax.set_ylabel("row")
    fig.colorbar(shown, ax=ax, label=label)
    if psr is not None:
        ax.plot([], [], color="cyan", label="PSR outline")
        ax.legend(loc="lower right", fontsize=8)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def _figure_size(aspect: float) -> tuple[float, float]:
    """(width, height) [in] of a figure whose map axes (height / width = ``aspect``) fill it: a wide window gets a
    short figure instead of a square one with empty bands above and below the map."""
    map_width_in = 5.6
    map_height_in = min(max(map_width_in * aspect, 2.4), 6.4)
    if map_height_in == 6.4:  # tall windows: narrower map, same height cap
        map_width_in = max(map_height_in / aspect, 2.4)
    return map_width_in + 1.9, map_height_in + 1.3


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
