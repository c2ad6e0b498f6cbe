"""The Sun and the Earth seen from a lunar site: azimuth, elevation, distance, size, sub-points."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from skyfield.timelib import Time

from lunarops.checks import is_real_number
from lunarops.constants import (
    EARTH_EQUATORIAL_RADIUS_M,
    EARTH_SHADOW_ENLARGEMENT,
    EARTH_SHADOW_OBLATENESS,
    SPEED_OF_LIGHT_M_PER_S,
    SUN_RADIUS_M,
)
from lunarops.ephemeris.moon import DAY_S, MoonEphemeris, default_ephemeris
from lunarops.ephemeris.rotation import rotate, rotate_transposed
from lunarops.errors import InputError, SiteError
from lunarops.sky import functions

Correction = Literal["apparent", "geometric"]
CORRECTIONS: tuple[Correction, ...] = ("apparent", "geometric")
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class SkyTrack:
    """Sun and Earth at a site over time; every field is an array over the times (degrees, km, fractions).

    ``earth_phase_angle_deg`` is the angle at the Earth between the directions to the Sun and to the site
    (0 = full Earth, at new Moon); ``earth_illuminated_fraction`` = (1 + cos phase) / 2, the sunlit fraction of
    the Earth's disk (sphere); ``sun_earth_separation_deg`` is the angle between the Sun's and the Earth's centres
    seen from the site, with the same correction as the azimuths and elevations; ``sun_fraction_outside_earth``
    the share of the Sun's disk not behind the Earth (below 1 in a lunar eclipse; the Earth's disk scaled by
    0.998340 for its oblateness and enlarged by 1/85 for its atmosphere, as NASA's canon of lunar eclipses does).
    """

    sun_azimuth_deg: FloatArray
    sun_elevation_deg: FloatArray
    earth_azimuth_deg: FloatArray
    earth_elevation_deg: FloatArray
    sun_distance_km: FloatArray
    earth_distance_km: FloatArray
    sun_angular_radius_deg: FloatArray
    earth_angular_radius_deg: FloatArray
    subsolar_latitude_deg: FloatArray
    subsolar_longitude_deg: FloatArray
    subearth_latitude_deg: FloatArray
    subearth_longitude_deg: FloatArray
    earth_phase_angle_deg: FloatArray
    earth_illuminated_fraction: FloatArray
    sun_earth_separation_deg: FloatArray
    sun_fraction_outside_earth: FloatArray

    def as_dict(self) -> dict[str, FloatArray]:
        """The fields by name."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def normalize_longitude_deg(longitude_deg: float) -> float:
    """East longitude in [0, 360) from -180..180 or 0..360."""
    if not np.isfinite(longitude_deg) or not -180.0 <= longitude_deg <= 360.0:
        raise SiteError(
            f"longitude_deg (--lon) = {longitude_deg!r} must be an east longitude in -180..180 or 0..360 deg "
            "(west longitudes are negative)"
        )
    return float(np.mod(longitude_deg, 360.0))


def _require_scalar(name: str, value: object) -> None:
    if not is_real_number(value):
        raise SiteError(
            f"{name} = {value!r:.60} ({type(value).__name__}) must be one number; call once per site for many sites"
        )


def check_site(latitude_deg: float, longitude_deg: float, height_m: float) -> float:
    """Validate a site and return its longitude in [0, 360)."""
    for name, value in (("latitude_deg", latitude_deg), ("longitude_deg", longitude_deg), ("height_m", height_m)):
        _require_scalar(name, value)
    if not np.isfinite(latitude_deg) or not -90.0 <= latitude_deg <= 90.0:
        raise SiteError(
            f"latitude_deg (--lat) = {latitude_deg!r} must be in [-90, 90] deg (planetocentric; south is negative)"
        )
    if not np.isfinite(height_m) or not -20_000.0 <= height_m <= 1.0e6:
        raise SiteError(
            f"height_m (--height-m) = {height_m!r} must be in [-20000, 1e6] m over the 1737.4 km sphere "
            "(the south pole's ground is about +1.1 km)"
        )
    return normalize_longitude_deg(longitude_deg)


def sky_at_site(
    latitude_deg: float,
    longitude_deg: float,
    height_m: float,
    t: Time,
    correction: Correction = "apparent",
    ephemeris: MoonEphemeris | None = None,
) -> SkyTrack:
    """Sun and Earth seen from a site fixed on the Moon (Moon ME frame) at times ``t``.

    ``apparent`` corrects for one-way light time (one iteration, as SPICE's "LT") and stellar aberration from
    the site's barycentric velocity, Moon rotation included (SPICE "LT+S" for a constant-position observer,
    frame evaluated at the observer epoch); ``geometric`` uses instantaneous positions. Elevation is from the
    local horizontal of the 1737.4 km sphere; azimuth from north through east. Sub-points are the directions
    of the Sun and Earth from the Moon's centre with the same correction. Arrays come back even for a scalar t.

    The Earth's phase angle uses the site at t, the Earth where the site sees it (at t - light time for
    ``apparent``, at t for ``geometric``) and the Sun's geometric position at t (it moves < 20 m relative to the
    barycentre in the 1.3 s light time; the Sun's own light time to the Earth is not applied: < 0.01 arcsec).
    Aberration does not enter the phase angle, which is a property of the three positions; the Sun-Earth
    separation is between the two directions as seen (aberrated for ``apparent``).
    """
    if correction not in CORRECTIONS:
        raise InputError(f"correction must be one of {CORRECTIONS}, got {correction!r}")
    lon_deg = check_site(latitude_deg, longitude_deg, height_m)
    if not isinstance(t, Time):
        raise InputError(
            f"t = {t!r:.60} ({type(t).__name__}) must be a skyfield Time; make one with "
            "lunarops.timescale.utc_period(start, end, step_s) (half-open, as every period) or parse_utc(text)"
        )
    if ephemeris is not None and not isinstance(ephemeris, MoonEphemeris):
        raise InputError(
            f"ephemeris = {ephemeris!r:.60} must be a lunarops MoonEphemeris or None (the shipped DE421 kernels)"
        )
    eph = ephemeris or default_ephemeris()
    eph.check_coverage(t)
    whole = np.atleast_1d(np.asarray(t.whole, dtype=np.float64))
    fraction = np.atleast_1d(np.asarray(t.tdb_fraction, dtype=np.float64))
    whole, fraction = np.broadcast_arrays(whole, fraction)
    lat = np.radians(latitude_deg)
    lon = np.radians(lon_deg)
    site_me = functions.site_position_me_m(lat, lon, height_m)

    rotation, rate = eph.rotation_and_rate_j2000_to_me(t)
    if rotation.ndim == 2:
        rotation, rate = rotation[:, :, None], rate[:, :, None]
    # Site in J2000: r = R^T s; v = dR^T/dt s (the site is fixed in ME).
    site_j2000 = rotate_transposed(rotation, site_me)
    site_velocity_j2000 = rotate_transposed(rate, site_me)
    moon_p, moon_v, earth_p, sun_p = eph.moon_state_earth_sun_m(whole, fraction)
    observer_p = moon_p + site_j2000
    observer_v = moon_v + site_velocity_j2000

    out: dict[str, FloatArray] = {}
    seen_me: dict[str, FloatArray] = {}
    earth_position_p = earth_p
    for body, radius_m, body_p in (("sun", SUN_RADIUS_M, sun_p), ("earth", EARTH_EQUATORIAL_RADIUS_M, earth_p)):
        from_site = body_p - observer_p
        if correction == "apparent":
            # The body at t - lt (one iteration, as SPICE's "LT"); the Moon's centre sees it at that same emission
            # time to within 6 ms of light time (< 0.1 arcsec on a sub-point, which is all it is used for).
            light_time_s = np.linalg.norm(from_site, axis=0) / SPEED_OF_LIGHT_M_PER_S
            emitted_p = eph.ssb_position_m(body, whole, fraction - light_time_s / DAY_S)
            if body == "earth":
                earth_position_p = emitted_p
            from_site = functions.stellar_aberration(emitted_p - observer_p, observer_v)
            from_centre = functions.stellar_aberration(emitted_p - moon_p, moon_v)
        else:
            from_centre = body_p - moon_p
        vec_me = rotate(rotation, from_site)
        centre_me = rotate(rotation, from_centre)
        seen_me[body] = vec_me
        azimuth, elevation = functions.local_azimuth_elevation_rad(vec_me, lat, lon)
        distance = np.linalg.norm(vec_me, axis=0)
        sub_lat, sub_lon = functions.planetocentric_latitude_longitude_rad(centre_me)
        out[f"{body}_azimuth_deg"] = np.degrees(azimuth)
        out[f"{body}_elevation_deg"] = np.degrees(elevation)
        out[f"{body}_distance_km"] = distance / 1000.0
        out[f"{body}_angular_radius_deg"] = np.degrees(functions.angular_radius_rad(radius_m, distance))
        prefix = "subsolar" if body == "sun" else "subearth"
        out[f"{prefix}_latitude_deg"] = np.degrees(sub_lat)
        out[f"{prefix}_longitude_deg"] = np.degrees(sub_lon)
    phase = functions.angle_between_rad(sun_p - earth_position_p, observer_p - earth_position_p)
    out["earth_phase_angle_deg"] = np.degrees(phase)
    out["earth_illuminated_fraction"] = (1.0 + np.cos(phase)) / 2.0
    separation = functions.angle_between_rad(seen_me["sun"], seen_me["earth"])
    out["sun_earth_separation_deg"] = np.degrees(separation)
    # a lunar eclipse seen from the site: the Earth's disk, enlarged by its atmosphere (Danjon), before the Sun's
    out["sun_fraction_outside_earth"] = functions.disk_fraction_outside_disk(
        separation,
        np.radians(out["sun_angular_radius_deg"]),
        np.radians(out["earth_angular_radius_deg"]) * EARTH_SHADOW_OBLATENESS * (1.0 + EARTH_SHADOW_ENLARGEMENT),
    )
    return SkyTrack(**out)
