"""Pure map-projection and sphere geometry functions (layer 1: numpy in, numpy out, SI/degree floats, no I/O).

Conventions:
- The reference body is a sphere of radius ``radius_m`` (LOLA: 1737.4 km). Heights are above that sphere.
- Moon-fixed Cartesian axes (Moon ME frame, LOLA's frame): x toward (0 N, 0 E), y toward (0 N, 90 E), z north.
- Polar stereographic on the sphere, true scale ``scale_factor`` at the pole (LOLA polar products: 1):
  rho = 2 R k0 tan(colat / 2), colat measured from the projection pole;
  south: x = rho sin(lon - lon0), y = +rho cos(lon - lon0); north: x = rho sin(lon - lon0), y = -rho cos(lon - lon0).
  (LOLA PDS polar product labels: LON = ATAN2(X, Y) south, ATAN2(X, -Y) north; R = 1737.4 km.)
- Azimuth from local north through east; elevation above the local horizontal plane (normal to the radius).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def polar_stereographic_forward(
    latitude_deg: ArrayLike,
    longitude_deg: ArrayLike,
    south: bool,
    radius_m: float,
    scale_factor: float = 1.0,
    central_longitude_deg: float = 0.0,
) -> tuple[FloatArray, FloatArray]:
    """Map coordinates (x, y) [m] of points given by latitude/longitude [deg] in polar stereographic."""
    lat = np.radians(np.asarray(latitude_deg, dtype=np.float64))
    dlon = np.radians(np.asarray(longitude_deg, dtype=np.float64) - central_longitude_deg)
    colat = (np.pi / 2 + lat) if south else (np.pi / 2 - lat)
    rho = 2.0 * radius_m * scale_factor * np.tan(colat / 2.0)
    x = rho * np.sin(dlon)
    y = rho * np.cos(dlon) if south else -rho * np.cos(dlon)
    return x, y


def polar_stereographic_inverse(
    x_m: ArrayLike,
    y_m: ArrayLike,
    south: bool,
    radius_m: float,
    scale_factor: float = 1.0,
    central_longitude_deg: float = 0.0,
) -> tuple[FloatArray, FloatArray]:
    """Latitude and longitude [deg] (longitude in [-180, 180)) of polar stereographic map points (x, y) [m]."""
    x = np.asarray(x_m, dtype=np.float64)
    y = np.asarray(y_m, dtype=np.float64)
    rho = np.hypot(x, y)
    colat = 2.0 * np.arctan(rho / (2.0 * radius_m * scale_factor))
    if south:
        lat = -np.pi / 2 + colat
        lon = np.arctan2(x, y)
    else:
        lat = np.pi / 2 - colat
        lon = np.arctan2(x, -y)
    lon_deg = np.degrees(lon) + central_longitude_deg
    return np.degrees(lat), wrap_longitude_deg(lon_deg)


def wrap_longitude_deg(longitude_deg: ArrayLike, west_deg: float = -180.0) -> FloatArray:
    """Longitude [deg] wrapped into [west_deg, west_deg + 360)."""
    lon = np.asarray(longitude_deg, dtype=np.float64)
    return np.asarray((lon - west_deg) % 360.0 + west_deg, dtype=np.float64)


def unit_vector(latitude_rad: ArrayLike, longitude_rad: ArrayLike) -> FloatArray:
    """Unit radial vector(s), shape (3, ...), of points at latitude/longitude [rad] in the Moon-fixed frame."""
    lat = np.asarray(latitude_rad, dtype=np.float64)
    lon = np.asarray(longitude_rad, dtype=np.float64)
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def local_north_east(latitude_rad: ArrayLike, longitude_rad: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Local unit north and east vectors, each (3, ...), at latitude/longitude [rad].

    At a pole the longitude still fixes the frame: north is the direction of increasing latitude along
    the meridian ``longitude_rad`` (the limit approaching the pole along that meridian).
    """
    lat = np.asarray(latitude_rad, dtype=np.float64)
    lon = np.asarray(longitude_rad, dtype=np.float64)
    north = np.stack([-np.sin(lat) * np.cos(lon), -np.sin(lat) * np.sin(lon), np.cos(lat)])
    east = np.stack([-np.sin(lon), np.cos(lon), np.zeros_like(lat * lon)])
    return north, east


def elevation_angle_rad(
    observer_radius_m: ArrayLike, target_radius_m: ArrayLike, central_angle_rad: ArrayLike
) -> FloatArray:
    """Exact elevation [rad] of a target seen from an observer on a sphere, both on one great-circle plane.

    The observer is at distance ``observer_radius_m`` from the Moon's centre, the target at
    ``target_radius_m``, separated by the central angle ``central_angle_rad``. The elevation is the angle
    of the observer->target vector above the plane normal to the observer's radius (3-D exact, no flat-Moon
    approximation): atan2(r_t cos(s) - r_o, r_t sin(s)).
    """
    r_o = np.asarray(observer_radius_m, dtype=np.float64)
    r_t = np.asarray(target_radius_m, dtype=np.float64)
    s = np.asarray(central_angle_rad, dtype=np.float64)
    return np.asarray(np.arctan2(r_t * np.cos(s) - r_o, r_t * np.sin(s)), dtype=np.float64)


def smooth_sphere_horizon_rad(radius_m: float, height_m: ArrayLike) -> FloatArray:
    """Elevation [rad] of the horizon of a smooth sphere seen from ``height_m`` above it: -acos(R / (R + h))."""
    h = np.asarray(height_m, dtype=np.float64)
    return np.asarray(-np.arccos(radius_m / (radius_m + h)), dtype=np.float64)
