"""The Dem object: a grid of heights above the 1737.4 km sphere with its georeference."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lunarops.checks import is_real_number
from lunarops.errors import InputError, SiteError
from lunarops.numformat import format_lat_lon
from lunarops.terrain.functions import FloatArray
from lunarops.terrain.georef import Equirectangular, Georeference, PolarStereographic


def check_latlon_deg(latitude_deg: float, longitude_deg: float, what: str = "site") -> None:
    """SiteError unless the latitude is in [-90, 90] and the longitude finite [deg]; ``what`` names the input."""
    if not (math.isfinite(latitude_deg) and -90.0 <= latitude_deg <= 90.0):
        raise SiteError(f"{what}: latitude {latitude_deg} deg must be in [-90, 90] (south is negative)")
    if not math.isfinite(longitude_deg):
        raise SiteError(f"{what}: longitude {longitude_deg} deg must be a finite east longitude, e.g. 222.69")


def _short(value: object) -> str:
    """repr of a value for a message, cut to 80 characters."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def degrees_array(value: ArrayLike, name: str) -> FloatArray:
    """``value`` as a float64 array [deg]; SiteError naming ``name`` unless it holds real numbers."""
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):  # ragged nested sequences
        arr = np.asarray(None)
    if arr.dtype.kind not in "iuf":
        raise SiteError(f"{name} = {_short(value)} must be a number or an array of numbers [deg], e.g. -89.45")
    return np.asarray(arr, dtype=np.float64)


def check_latlon_arrays(lat_deg: ArrayLike, lon_deg: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Latitudes and longitudes [deg] as float64 arrays; SiteError unless numbers of broadcastable shapes, the
    latitudes in [-90, 90] and the longitudes finite."""
    lat = degrees_array(lat_deg, "latitude")
    lon = degrees_array(lon_deg, "longitude")
    try:
        np.broadcast(lat, lon)
    except ValueError:
        raise SiteError(
            f"latitude shape {lat.shape} and longitude shape {lon.shape} do not match; give one longitude per "
            "latitude (or a single number for either)"
        ) from None
    if np.any(np.abs(lat) > 90.0) or not np.all(np.isfinite(lat)):
        bad = lat if lat.ndim == 0 else lat.ravel()[np.argmax(~(np.abs(lat.ravel()) <= 90.0))]
        raise SiteError(f"latitude {float(bad)} deg is not a finite value in [-90, 90]; give a valid latitude")
    if not np.all(np.isfinite(lon)):
        bad = lon if lon.ndim == 0 else lon.ravel()[np.argmax(~np.isfinite(lon.ravel()))]
        raise SiteError(f"longitude {float(bad)} deg must be a finite east longitude, e.g. 222.69")
    return lat, lon


def check_scalar_deg(value: object, name: str) -> float:
    """``value`` as one float [deg]; SiteError naming ``name`` unless it is a single real number (NaN allowed:
    the range checks come later)."""
    if not is_real_number(value):
        raise SiteError(
            f"{name} = {_short(value)} must be one number [deg], e.g. -89.45; for several sites call once per site"
        )
    return float(value)  # type: ignore[arg-type]


def bilinear(heights: NDArray[np.floating], row: FloatArray, col: FloatArray, wrap_cols: bool) -> FloatArray:
    """Bilinear interpolation of ``heights`` at fractional cell-centre indices (NaN outside the grid)."""
    ny, nx = heights.shape
    row = np.asarray(row, dtype=np.float64)
    col = np.asarray(col, dtype=np.float64)
    out = np.full(np.broadcast(row, col).shape, np.nan)
    row, col = np.broadcast_arrays(row, col)
    if wrap_cols:
        col = np.mod(col, nx)
        inside = (row >= 0) & (row <= ny - 1) & np.isfinite(col)
    else:
        inside = (row >= 0) & (row <= ny - 1) & (col >= 0) & (col <= nx - 1)
    r = row[inside]
    c = col[inside]
    r0 = np.minimum(np.floor(r).astype(np.int64), max(ny - 2, 0))
    c0 = np.floor(c).astype(np.int64)
    if not wrap_cols:
        c0 = np.minimum(c0, max(nx - 2, 0))
    fr = r - r0
    fc = c - c0
    r1 = np.minimum(r0 + 1, ny - 1)
    c1 = (c0 + 1) % nx if wrap_cols else np.minimum(c0 + 1, nx - 1)
    h = np.asarray(heights, dtype=np.float64)
    out[inside] = (1 - fr) * ((1 - fc) * h[r0, c0] + fc * h[r0, c1]) + fr * ((1 - fc) * h[r1, c0] + fc * h[r1, c1])
    return out


#: What to choose when a site is outside a DEM: the DEMs shipped with lunarops and where they reach.
SHIPPED_DEMS_HINT = (
    "the shipped DEMs are 'south' and 'north' (1.6 km pixels, everywhere poleward of 70.2 deg) and 'global' "
    "(7.6 km pixels, every latitude)"
)


@dataclass(frozen=True, eq=False)
class Dem:
    """A digital elevation model.

    ``heights_m`` (ny, nx): heights [m] above the reference sphere (LOLA: 1737.4 km), NaN where no data.
    ``georeference``: :class:`PolarStereographic` (map metres) or :class:`Equirectangular` (degrees).
    ``name``: a short label ("south", a file name...). Row/col indices refer to cell centres (see georef).
    """

    heights_m: NDArray[np.floating]
    georeference: Georeference
    name: str = "dem"

    def __post_init__(self) -> None:
        h = self.heights_m
        if not isinstance(h, np.ndarray) or h.dtype.kind not in "iuf":
            what = type(h).__name__ if not isinstance(h, np.ndarray) else f"an array of dtype {h.dtype}"
            raise InputError(
                f"Dem.heights_m must be a 2-D numpy array of heights [m] (float, NaN for no data), got {what}; "
                "use np.asarray(heights, dtype=np.float32)"
            )
        if h.ndim != 2 or h.shape[0] < 1 or h.shape[1] < 1:
            raise InputError(
                f"Dem.heights_m must be 2-D, got shape {h.shape}; give a (rows, columns) grid of at least 1 x 1 cells"
            )
        geo = self.georeference
        if not isinstance(geo, PolarStereographic | Equirectangular):
            raise InputError(
                f"Dem.georeference must be a PolarStereographic or Equirectangular, got {type(geo).__name__}"
            )
        if isinstance(geo, Equirectangular) and int(geo.ncols) != h.shape[1]:
            raise InputError(
                f"Dem.georeference.ncols = {geo.ncols} differs from the {h.shape[1]} columns of heights_m; give "
                "the grid's own column count"
            )

    @property
    def shape(self) -> tuple[int, int]:
        """(ny, nx)."""
        ny, nx = self.heights_m.shape
        return int(ny), int(nx)

    @property
    def radius_m(self) -> float:
        """Radius of the reference sphere [m]."""
        return float(self.georeference.radius_m)

    @property
    def pixel_size_m(self) -> float:
        """Nominal cell size [m] (polar stereographic: at the pole; equirectangular: north-south extent)."""
        return self.georeference.nominal_pixel_size_m

    @property
    def wraps_longitude(self) -> bool:
        """True for a global equirectangular grid whose columns wrap around in longitude."""
        return isinstance(self.georeference, Equirectangular) and self.georeference.wraps

    def latlon_to_rowcol(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Fractional (row, col) cell-centre indices of latitude/longitude [deg] (vectorized; rows/cols outside the
        grid are not checked). SiteError for a latitude outside [-90, 90], a non-finite or non-numeric value."""
        lat, lon = check_latlon_arrays(lat_deg, lon_deg)
        return self.georeference.latlon_to_rowcol(lat, lon)

    def rowcol_to_latlon(self, row: ArrayLike, col: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Latitude and longitude [deg] (longitude in [-180, 180)) of fractional (row, col) (vectorized)."""
        return self.georeference.rowcol_to_latlon(row, col)

    def contains(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> NDArray[np.bool_]:
        """True where the point lies inside the area covered by bilinear interpolation (between cell centres);
        False for a latitude outside [-90, 90] or a NaN. SiteError for non-numeric input."""
        lat = degrees_array(lat_deg, "latitude")
        lon = degrees_array(lon_deg, "longitude")
        row, col = self.georeference.latlon_to_rowcol(lat, lon)
        ny, nx = self.shape
        ok = (np.abs(lat) <= 90.0) & (row >= 0) & (row <= ny - 1)
        if not self.wraps_longitude:
            ok &= (col >= 0) & (col <= nx - 1)
        return np.asarray(ok & np.isfinite(row) & np.isfinite(col))

    def height_at(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> FloatArray:
        """Bilinearly interpolated height [m] above the sphere at latitude/longitude [deg] (vectorized).

        Raises SiteError naming the first point outside the DEM (or on a no-data cell).
        """
        lat, lon = check_latlon_arrays(lat_deg, lon_deg)
        row, col = self.georeference.latlon_to_rowcol(lat, lon)
        h = bilinear(self.heights_m, row, col, self.wraps_longitude)
        if not np.all(np.isfinite(h)):
            flat = np.argmax(~np.isfinite(np.atleast_1d(h).ravel()))
            la = float(np.broadcast_to(lat, h.shape).ravel()[flat])
            lo = float(np.broadcast_to(lon, h.shape).ravel()[flat])
            raise SiteError(
                f"site ({format_lat_lon(la, lo)}) is outside DEM '{self.name}' or on a no-data cell "
                f"({self._extent_text()}); pick a site inside the DEM or use a DEM that covers it: {SHIPPED_DEMS_HINT}"
            )
        return h

    def latlon_grid(self) -> tuple[FloatArray, FloatArray]:
        """(lat_deg, lon_deg) arrays (ny, nx) of the cell centres."""
        ny, nx = self.shape
        rows, cols = np.meshgrid(np.arange(ny, dtype=np.float64), np.arange(nx, dtype=np.float64), indexing="ij")
        return self.rowcol_to_latlon(rows, cols)

    def subset(self, row0: int, row1: int, col0: int, col1: int, name: str | None = None) -> Dem:
        """The sub-DEM of rows [row0, row1) and columns [col0, col1) with its shifted georeference."""
        ny, nx = self.shape
        indices = (row0, row1, col0, col1)
        if not all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in indices):
            raise InputError(
                f"window (row0={row0!r}, row1={row1!r}, col0={col0!r}, col1={col1!r}) must be integer cell indices; "
                f"use 0 <= row0 < row1 <= {ny} and 0 <= col0 < col1 <= {nx}"
            )
        if not (0 <= row0 < row1 <= ny and 0 <= col0 < col1 <= nx):
            raise SiteError(
                f"window (row0={row0}, row1={row1}, col0={col0}, col1={col1}) is not inside DEM "
                f"'{self.name}' of shape ({ny}, {nx}); use 0 <= row0 < row1 <= {ny} and 0 <= col0 < col1 <= {nx}"
            )
        geo = self.georeference
        new_geo: Georeference
        if isinstance(geo, PolarStereographic):
            new_geo = geo.window(row0, col0)
        else:
            new_geo = geo.window(row0, col0, col1 - col0)
        return Dem(self.heights_m[row0:row1, col0:col1], new_geo, name if name is not None else self.name)

    def window_around(self, lat_deg: float, lon_deg: float, half_size_m: float, name: str | None = None) -> Dem:
        """The sub-DEM of cells within ``half_size_m`` [m] (map distance, at least one cell) of a site."""
        lat = check_scalar_deg(lat_deg, "latitude_deg")
        lon = check_scalar_deg(lon_deg, "longitude_deg")
        ok = is_real_number(half_size_m)
        if not (ok and math.isfinite(half_size_m) and half_size_m > 0):
            raise InputError(
                f"half_size_m = {half_size_m!r} m must be a finite distance > 0 (the window reaches that far from "
                "the site on each side), e.g. 5000.0"
            )
        self.height_at(lat, lon)  # raises SiteError when outside
        row, col = (float(v) for v in self.latlon_to_rowcol(lat, lon))
        half_px = max(1, int(np.ceil(half_size_m / self.pixel_size_m)))
        ny, nx = self.shape
        r0, r1 = max(0, int(np.floor(row)) - half_px), min(ny, int(np.floor(row)) + half_px + 2)
        c0, c1 = max(0, int(np.floor(col)) - half_px), min(nx, int(np.floor(col)) + half_px + 2)
        return self.subset(r0, r1, c0, c1, name)

    def _extent_text(self) -> str:
        geo = self.georeference
        ny, nx = self.shape
        if isinstance(geo, PolarStereographic):
            pole = "south" if geo.south else "north"
            x0, x1 = geo.x_min_m / 1e3, (geo.x_min_m + nx * geo.pixel_width_m) / 1e3
            y0, y1 = (geo.y_max_m - ny * geo.pixel_height_m) / 1e3, geo.y_max_m / 1e3
            return f"{pole} polar stereographic, x {x0:.1f}..{x1:.1f} km, y {y0:.1f}..{y1:.1f} km"
        return (
            f"lat {geo.lat_max_deg - ny * geo.pixel_height_deg:.3f}..{geo.lat_max_deg:.3f} deg, "
            f"lon {geo.lon_min_deg:.3f}..{geo.lon_min_deg + nx * geo.pixel_width_deg:.3f} deg"
        )
