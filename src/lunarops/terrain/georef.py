"""Georeferences of DEM grids: polar stereographic (metres) and equirectangular (degrees) on a sphere.

Row/column convention everywhere: ``row`` and ``col`` are 0-based and refer to cell CENTRES, i.e. the centre
of cell (i, j) is at (row, col) = (i, j); the cell spans [i - 0.5, i + 0.5]. Rows go from north/top (map +y)
down, columns from west/left (map -x) to the right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from lunarops.checks import is_real_number
from lunarops.constants import MOON_RADIUS_M
from lunarops.errors import DataError, InputError
from lunarops.terrain.functions import (
    FloatArray,
    polar_stereographic_forward,
    polar_stereographic_inverse,
    wrap_longitude_deg,
)


def _is_number(value: object) -> bool:
    """True for a finite real number (int, float or numpy scalar; not a bool)."""
    number = is_real_number(value)
    return number and math.isfinite(value)  # type: ignore[arg-type]


def _check_field(cls: str, field: str, value: object, ok: bool, rule: str) -> None:
    """InputError naming ``cls.field`` and showing ``value`` unless ``value`` is a finite number and ``ok``."""
    if not (_is_number(value) and ok):
        raise InputError(f"{cls}.{field} = {value!r} must be {rule}")


@dataclass(frozen=True)
class PolarStereographic:
    """Polar stereographic grid on a sphere.

    ``x_min_m`` is the map x of the LEFT edge of column 0 and ``y_max_m`` the map y of the TOP edge of row 0
    [m]; ``pixel_width_m``/``pixel_height_m`` the cell size [m]. ``south`` selects the pole. Formulas in
    :mod:`lunarops.terrain.functions`.
    """

    south: bool
    x_min_m: float
    y_max_m: float
    pixel_width_m: float
    pixel_height_m: float
    radius_m: float = MOON_RADIUS_M
    scale_factor: float = 1.0
    central_longitude_deg: float = 0.0

    kind = "polar_stereographic"

    def __post_init__(self) -> None:
        cls = "PolarStereographic"
        if not isinstance(self.south, bool | np.bool_):
            raise InputError(f"{cls}.south = {self.south!r} must be True (south pole) or False (north pole)")
        for field in ("x_min_m", "y_max_m"):
            value = getattr(self, field)
            _check_field(cls, field, value, True, "a finite map coordinate [m] (the grid's outer edge)")
        for field in ("pixel_width_m", "pixel_height_m"):
            value = getattr(self, field)
            _check_field(cls, field, value, _is_number(value) and value > 0, "a finite cell size > 0 [m], e.g. 1600.0")
        r = self.radius_m
        _check_field(cls, "radius_m", r, _is_number(r) and r > 0, "a finite sphere radius > 0 [m], e.g. 1737400.0")
        k = self.scale_factor
        _check_field(cls, "scale_factor", k, _is_number(k) and k > 0, "a finite scale factor > 0 (1.0 for LOLA)")
        _check_field(cls, "central_longitude_deg", self.central_longitude_deg, True, "a finite longitude [deg]")

    def rowcol_to_xy(self, row: ArrayLike, col: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Map coordinates (x, y) [m] of fractional (row, col) cell-centre indices."""
        x = self.x_min_m + (np.asarray(col, dtype=np.float64) + 0.5) * self.pixel_width_m
        y = self.y_max_m - (np.asarray(row, dtype=np.float64) + 0.5) * self.pixel_height_m
        return x, y

    def xy_to_rowcol(self, x_m: ArrayLike, y_m: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Fractional (row, col) of map coordinates (x, y) [m]."""
        col = (np.asarray(x_m, dtype=np.float64) - self.x_min_m) / self.pixel_width_m - 0.5
        row = (self.y_max_m - np.asarray(y_m, dtype=np.float64)) / self.pixel_height_m - 0.5
        return row, col

    def latlon_to_rowcol(self, latitude_deg: ArrayLike, longitude_deg: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Fractional (row, col) of points at latitude/longitude [deg]."""
        x, y = polar_stereographic_forward(
            latitude_deg, longitude_deg, self.south, self.radius_m, self.scale_factor, self.central_longitude_deg
        )
        return self.xy_to_rowcol(x, y)

    def rowcol_to_latlon(self, row: ArrayLike, col: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Latitude and longitude [deg] (longitude in [-180, 180)) of fractional (row, col)."""
        x, y = self.rowcol_to_xy(row, col)
        return polar_stereographic_inverse(
            x, y, self.south, self.radius_m, self.scale_factor, self.central_longitude_deg
        )

    def window(self, row0: int, col0: int) -> PolarStereographic:
        """The georeference of a sub-grid whose cell (0, 0) is this grid's cell (row0, col0)."""
        return PolarStereographic(
            self.south,
            self.x_min_m + col0 * self.pixel_width_m,
            self.y_max_m - row0 * self.pixel_height_m,
            self.pixel_width_m,
            self.pixel_height_m,
            self.radius_m,
            self.scale_factor,
            self.central_longitude_deg,
        )

    @property
    def nominal_pixel_size_m(self) -> float:
        """Nominal cell size [m] (true at the pole for scale factor 1)."""
        return float(math.sqrt(abs(self.pixel_width_m * self.pixel_height_m)) / self.scale_factor)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description (``kind`` plus the fields)."""
        return {
            "kind": self.kind,
            "south": self.south,
            "x_min_m": self.x_min_m,
            "y_max_m": self.y_max_m,
            "pixel_width_m": self.pixel_width_m,
            "pixel_height_m": self.pixel_height_m,
            "radius_m": self.radius_m,
            "scale_factor": self.scale_factor,
            "central_longitude_deg": self.central_longitude_deg,
        }


@dataclass(frozen=True)
class Equirectangular:
    """Equirectangular (simple cylindrical, plate carree) longitude/latitude grid on a sphere.

    ``lon_min_deg`` is the longitude of the WEST edge of column 0, ``lat_max_deg`` the latitude of the NORTH
    edge of row 0, ``pixel_width_deg``/``pixel_height_deg`` the cell size [deg]. Longitudes east-positive.
    A grid spanning 360 deg of longitude wraps around (``wraps``).
    """

    lon_min_deg: float
    lat_max_deg: float
    pixel_width_deg: float
    pixel_height_deg: float
    ncols: int
    radius_m: float = MOON_RADIUS_M

    kind = "equirectangular"

    def __post_init__(self) -> None:
        cls = "Equirectangular"
        _check_field(cls, "lon_min_deg", self.lon_min_deg, True, "a finite longitude [deg] (the west edge)")
        w, h = self.pixel_width_deg, self.pixel_height_deg
        _check_field(cls, "pixel_width_deg", w, _is_number(w) and 0 < w <= 360.0, "a cell width in (0, 360] [deg]")
        _check_field(cls, "pixel_height_deg", h, _is_number(h) and 0 < h <= 180.0, "a cell height in (0, 180] [deg]")
        # a grid registered on its cell centres (GeoTIFF PixelIsPoint, GMT gridline) puts row 0's centre on the
        # pole and its north edge half a cell beyond it: the centre must be a latitude, not the edge
        lat = self.lat_max_deg
        _check_field(cls, "lat_max_deg", lat, _is_number(lat) and -90.0 < lat <= 90.0 + h / 2 + 1e-6,
                     "the north edge of row 0 [deg], whose centre must lie within [-90, 90]")  # fmt: skip
        n = self.ncols
        if not (isinstance(n, int | np.integer) and not isinstance(n, bool) and n >= 1):
            raise InputError(f"{cls}.ncols = {n!r} must be an integer >= 1 (the number of columns of the grid)")
        r = self.radius_m
        _check_field(cls, "radius_m", r, _is_number(r) and r > 0, "a finite sphere radius > 0 [m], e.g. 1737400.0")

    @property
    def wraps(self) -> bool:
        """True when the columns span the full 360 deg of longitude."""
        return abs(self.ncols * self.pixel_width_deg - 360.0) < 1e-6 * 360.0

    def latlon_to_rowcol(self, latitude_deg: ArrayLike, longitude_deg: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Fractional (row, col) of points at latitude/longitude [deg]; longitudes are wrapped into the grid."""
        lat = np.asarray(latitude_deg, dtype=np.float64)
        lon = wrap_longitude_deg(longitude_deg, self.lon_min_deg)
        row = (self.lat_max_deg - lat) / self.pixel_height_deg - 0.5
        col = (lon - self.lon_min_deg) / self.pixel_width_deg - 0.5
        if self.wraps:
            # A point in the last half cell (east of the last centre) sits between the last and first columns.
            col = np.where(col < 0.0, col + self.ncols, col)
        return row, col

    def rowcol_to_latlon(self, row: ArrayLike, col: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Latitude and longitude [deg] (longitude in [-180, 180)) of fractional (row, col)."""
        lat = self.lat_max_deg - (np.asarray(row, dtype=np.float64) + 0.5) * self.pixel_height_deg
        lon = self.lon_min_deg + (np.asarray(col, dtype=np.float64) + 0.5) * self.pixel_width_deg
        return lat, wrap_longitude_deg(lon)

    def window(self, row0: int, col0: int, ncols: int) -> Equirectangular:
        """The georeference of a sub-grid whose cell (0, 0) is this grid's cell (row0, col0)."""
        return Equirectangular(
            self.lon_min_deg + col0 * self.pixel_width_deg,
            self.lat_max_deg - row0 * self.pixel_height_deg,
            self.pixel_width_deg,
            self.pixel_height_deg,
            ncols,
            self.radius_m,
        )

    @property
    def nominal_pixel_size_m(self) -> float:
        """Nominal cell size [m]: the north-south extent of a cell."""
        return float(self.radius_m * math.radians(self.pixel_height_deg))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description (``kind`` plus the fields)."""
        return {
            "kind": self.kind,
            "lon_min_deg": self.lon_min_deg,
            "lat_max_deg": self.lat_max_deg,
            "pixel_width_deg": self.pixel_width_deg,
            "pixel_height_deg": self.pixel_height_deg,
            "ncols": self.ncols,
            "radius_m": self.radius_m,
        }


Georeference = PolarStereographic | Equirectangular


def georeference_from_dict(data: dict[str, Any], source: str = "georeference") -> Georeference:
    """Rebuild a georeference from :meth:`to_dict` output; DataError naming ``source`` when malformed."""
    try:
        kind = data["kind"]
        fields = {k: v for k, v in data.items() if k != "kind"}
        if kind == PolarStereographic.kind:
            return PolarStereographic(**fields)
        if kind == Equirectangular.kind:
            return Equirectangular(**fields)
    except (KeyError, TypeError, AttributeError) as error:
        raise DataError(f"{source}: malformed georeference ({error}); regenerate the file") from None
    except InputError as error:
        raise DataError(f"{source}: georeference field {error}; fix or regenerate the file") from None
    raise DataError(
        f"{source}: georeference kind {data.get('kind')!r} is unknown; expected "
        f"'{PolarStereographic.kind}' or '{Equirectangular.kind}'"
    )
