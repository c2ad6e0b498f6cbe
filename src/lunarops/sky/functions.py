"""Pure, vectorized geometry of the sky at a lunar site. SI units; vectors are (3, ...) with time last."""

from __future__ import annotations

import math

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

from lunarops.constants import MOON_RADIUS_M, SPEED_OF_LIGHT_M_PER_S
from lunarops.errors import InputError

FloatArray = NDArray[np.float64]


def site_position_me_m(latitude_rad: ArrayLike, longitude_rad: ArrayLike, height_m: ArrayLike) -> FloatArray:
    """Position of a point at ``height_m`` over the 1737.4 km sphere, Moon ME frame. (3, ...) [m]"""
    lat = np.asarray(latitude_rad, dtype=np.float64)
    lon = np.asarray(longitude_rad, dtype=np.float64)
    radius = MOON_RADIUS_M + np.asarray(height_m, dtype=np.float64)
    return np.stack(
        np.broadcast_arrays(
            radius * np.cos(lat) * np.cos(lon), radius * np.cos(lat) * np.sin(lon), radius * np.sin(lat)
        )
    )


def east_north_up(latitude_rad: ArrayLike, longitude_rad: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Unit vectors east, north and up (radial) of a point on a sphere, each (3, ...).

    At the poles, where north is undefined, "north" points along the 180 deg E meridian at the south pole and the
    0 deg meridian at the north pole, so that the limits from any direction give a consistent frame.
    """
    lat = np.asarray(latitude_rad, dtype=np.float64)
    lon = np.asarray(longitude_rad, dtype=np.float64)
    slat, clat, slon, clon = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    east = np.stack(np.broadcast_arrays(-slon, clon, np.zeros_like(lon)))
    north = np.stack(np.broadcast_arrays(-slat * clon, -slat * slon, clat))
    up = np.stack(np.broadcast_arrays(clat * clon, clat * slon, slat))
    return east, north, up


def local_azimuth_elevation_rad(
    vectors_me: ArrayLike, latitude_rad: ArrayLike, longitude_rad: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Azimuth (from north through east, [0, 2 pi)) and elevation of direction vectors seen from a point.

    ``vectors_me`` (3, ...) are directions in the Moon ME frame; the local vertical is the sphere's radial
    direction at (latitude, longitude). Broadcasts over the trailing axes. [rad]
    """
    v = np.asarray(vectors_me, dtype=np.float64)
    east, north, up = east_north_up(latitude_rad, longitude_rad)
    e = v[0] * east[0] + v[1] * east[1] + v[2] * east[2]
    n = v[0] * north[0] + v[1] * north[1] + v[2] * north[2]
    u = v[0] * up[0] + v[1] * up[1] + v[2] * up[2]
    azimuth = np.mod(np.arctan2(e, n), 2.0 * np.pi)
    elevation = np.arctan2(u, np.hypot(e, n))
    return azimuth, elevation


def stellar_aberration(position_m: FloatArray, observer_velocity_m_per_s: FloatArray) -> FloatArray:
    """Apparent direction after stellar aberration, first order in v/c (SPICE ``stelab``'s algorithm).

    The position is rotated toward the observer's velocity by asin(|u x v/c|), about u x v/c; its length is
    kept. (3, N) [m]
    """
    p = np.ascontiguousarray(position_m, dtype=np.float64)
    v = np.ascontiguousarray(observer_velocity_m_per_s, dtype=np.float64)
    p, v = np.broadcast_arrays(p, v)
    return _stellar_aberration(np.ascontiguousarray(p), np.ascontiguousarray(v))


@numba.njit(cache=True, parallel=True)
def _stellar_aberration(p: FloatArray, v: FloatArray) -> FloatArray:  # pragma: no cover - compiled
    out = np.empty_like(p)
    for k in numba.prange(p.shape[1]):
        px, py, pz = p[0, k], p[1, k], p[2, k]
        norm = math.sqrt(px * px + py * py + pz * pz)
        ux, uy, uz = px / norm, py / norm, pz / norm
        bx = v[0, k] / SPEED_OF_LIGHT_M_PER_S
        by = v[1, k] / SPEED_OF_LIGHT_M_PER_S
        bz = v[2, k] / SPEED_OF_LIGHT_M_PER_S
        hx, hy, hz = uy * bz - uz * by, uz * bx - ux * bz, ux * by - uy * bx
        sin_phi = math.sqrt(hx * hx + hy * hy + hz * hz)
        if sin_phi == 0.0:
            out[0, k], out[1, k], out[2, k] = px, py, pz
            continue
        phi = math.asin(min(sin_phi, 1.0))
        kx, ky, kz = hx / sin_phi, hy / sin_phi, hz / sin_phi
        c, s = math.cos(phi), math.sin(phi)
        k_dot_p = kx * px + ky * py + kz * pz
        out[0, k] = px * c + (ky * pz - kz * py) * s + kx * k_dot_p * (1.0 - c)
        out[1, k] = py * c + (kz * px - kx * pz) * s + ky * k_dot_p * (1.0 - c)
        out[2, k] = pz * c + (kx * py - ky * px) * s + kz * k_dot_p * (1.0 - c)
    return out


def planetocentric_latitude_longitude_rad(vectors: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Latitude in [-pi/2, pi/2] and east longitude in [0, 2 pi) of vectors (3, ...). [rad]"""
    v = np.asarray(vectors, dtype=np.float64)
    latitude = np.arctan2(v[2], np.hypot(v[0], v[1]))
    longitude = np.mod(np.arctan2(v[1], v[0]), 2.0 * np.pi)
    return latitude, longitude


def angular_radius_rad(body_radius_m: float, distance_m: ArrayLike) -> FloatArray:
    """Apparent angular radius of a sphere of ``body_radius_m`` at ``distance_m`` from its centre. [rad]"""
    return np.arcsin(np.clip(body_radius_m / np.asarray(distance_m, dtype=np.float64), -1.0, 1.0))


def angle_between_rad(a: ArrayLike, b: ArrayLike) -> FloatArray:
    """Angle between vectors ``a`` and ``b`` (3, ...), in [0, pi]: atan2(|a x b|, a . b), accurate near 0 and pi
    (arccos of the normalised dot product loses half the digits there). [rad]"""
    u = np.asarray(a, dtype=np.float64)
    v = np.asarray(b, dtype=np.float64)
    cx = u[1] * v[2] - u[2] * v[1]  # component-wise: np.cross(axis=0) copies to the last axis, 4x slower
    cy = u[2] * v[0] - u[0] * v[2]
    cz = u[0] * v[1] - u[1] * v[0]
    dot = u[0] * v[0] + u[1] * v[1] + u[2] * v[2]
    return np.arctan2(np.sqrt(cx * cx + cy * cy + cz * cz), dot)


def sky_fraction_ever_above_horizon(latitude_deg: ArrayLike, horizon_elevation_deg: ArrayLike = 0.0) -> FloatArray:
    """Fraction of the celestial sphere that rises above ``horizon_elevation_deg`` at some time during one full
    rotation, seen from planetocentric latitude ``latitude_deg`` on a spinning sphere. Broadcasts. [0..1]

    Geometry. Declination delta is measured from the body's equator (its rotation axis is the pole). Over one
    rotation the site sees a fixed direction at every hour angle; the direction comes closest to the zenith at
    upper culmination, where its zenith distance is |phi - delta|, so its highest elevation is
    ``90 - |phi - delta|`` deg. It ever rises above the horizon elevation h iff 90 - |phi - delta| > h, i.e.

        phi - (90 - h) < delta < phi + (90 - h),   clipped to [-90, 90].

    The sphere's area between declinations a < b is 2 pi (sin b - sin a) out of 4 pi, so the fraction is
    ``(sin b - sin a) / 2`` with a = max(-90, phi - 90 + h) and b = min(90, phi + 90 - h) (0 when a >= b).
    Cases: the south pole (phi = -90) sees delta < -h: (1 - sin h) / 2, exactly the southern hemisphere (0.5)
    for h = 0; the equator sees |delta| < 90 - h: cos h, the whole sky (1) for h = 0; a site at latitude phi
    with h = 0 sees (1 + cos phi) / 2. A negative h (a depressed horizon, e.g. an elevated site) widens the band.

    A single horizon elevation for all azimuths: terrain (an azimuth-dependent horizon mask) is not included.
    For the Moon the axis is the Moon's spin axis (Moon ME / PA z axis); it precesses about the ecliptic pole in
    18.6 years at 1.54 deg from it (Cassini's laws), so which stars are in the band shifts by at most about
    1.5 deg of declination over that cycle, while the fraction itself depends only on phi and h.
    """
    phi = np.asarray(latitude_deg, dtype=np.float64)
    h = np.asarray(horizon_elevation_deg, dtype=np.float64)
    if not np.all(np.isfinite(phi)) or np.any(np.abs(phi) > 90.0):
        raise InputError(f"latitude_deg = {latitude_deg!r:.60} must be in [-90, 90] deg")
    if not np.all(np.isfinite(h)) or np.any(np.abs(h) > 90.0):
        raise InputError(f"horizon_elevation_deg = {horizon_elevation_deg!r:.60} must be in [-90, 90] deg")
    low = np.radians(np.maximum(-90.0, phi - 90.0 + h))
    high = np.radians(np.minimum(90.0, phi + 90.0 - h))
    return np.clip((np.sin(high) - np.sin(low)) / 2.0, 0.0, 1.0)


def disk_fraction_outside_disk(
    separation_rad: ArrayLike, radius_rad: ArrayLike, cover_radius_rad: ArrayLike
) -> FloatArray:
    """The fraction of a disk of angular radius ``radius_rad`` not covered by a second disk (``cover_radius_rad``)
    whose centre is ``separation_rad`` away [0..1]: 1 - (area of the lens where they overlap) / (pi r^2), in the
    small-angle (flat) approximation, exact to (radius)^2 ~ 1e-4 relative for the Sun and Earth from the Moon."""
    d = np.asarray(separation_rad, dtype=float)
    r = np.broadcast_to(np.asarray(radius_rad, dtype=float), d.shape)
    c = np.broadcast_to(np.asarray(cover_radius_rad, dtype=float), d.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        a = np.arccos(np.clip((d * d + r * r - c * c) / (2.0 * d * r), -1.0, 1.0))
        b = np.arccos(np.clip((d * d + c * c - r * r) / (2.0 * d * c), -1.0, 1.0))
        kite = (-d + r + c) * (d + r - c) * (d - r + c) * (d + r + c)
        lens = r * r * a + c * c * b - 0.5 * np.sqrt(np.maximum(kite, 0.0))
    outside = np.where(d <= r - c, 1.0 - (c / r) ** 2, 1.0 - lens / (np.pi * r * r))  # cover inside the disk
    outside = np.where(d <= c - r, 0.0, outside)  # the disk wholly behind the cover: exactly 0
    return np.asarray(np.clip(np.where(d >= r + c, 1.0, outside), 0.0, 1.0))
