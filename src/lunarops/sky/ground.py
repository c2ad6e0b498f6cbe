"""The Moon from Earth's ground stations: when a network of stations can hold a link with the lunar surface.

A link from the Moon needs an Earth station that sees the Moon. The NASA Deep Space Network's three complexes,
about 120 deg apart in longitude, see it most of the time, but not always: when the Moon stands far south,
Goldstone and Madrid see it low, and between Canberra's set and the next rise there can be a gap (more so at a
high mask). Elevations are those of the Moon's centre, apparent (light time and aberration), over the WGS84
ellipsoid, with no refraction; a base or relay near the Moon differs from its centre by at most its distance
from it over 384,400 km (0.26 deg for the surface, up to 11 deg for an NRHO relay at apolune).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray
from skyfield.api import load_file, wgs84
from skyfield.nutationlib import iau2000b_radians
from skyfield.timelib import Time

from lunarops.ephemeris.kernels import de421_path
from lunarops.errors import InputError


@dataclass(frozen=True)
class GroundStation:
    """An Earth station: geodetic latitude and east longitude [deg] and height [m] over the WGS84 ellipsoid."""

    name: str
    latitude_deg: float
    longitude_deg: float
    height_m: float


#: The DSN's 70-m antennas, one per complex: geodetic coordinates of NAIF's DSN topocentric frame kernel
#: earth_topo_201023.tf (from DSN No. 810-005, module 301 "Coverage and Geometry", station locations of epoch
#: 2003.0 moved to 2020-10-23 by plate motion; WGS84 ellipsoid).
DSN_STATIONS = (
    GroundStation("DSS-14 Goldstone", 35.4259001525718, -116.8895419347303, 1001.385765773),
    GroundStation("DSS-43 Canberra", -35.4024166339779, 148.9812713832932, 688.8490972130),
    GroundStation("DSS-63 Madrid", 40.4312128778313, -4.2480036330327, 864.8381805445),
)
#: Elevation mask of the ground stations [deg]: a usual planning value for deep-space links (low elevations
#: cost atmospheric loss and noise); a scenario can set another.
DSN_MIN_ELEVATION_DEG = 10.0


@lru_cache(maxsize=1)
def _planets() -> Any:
    return load_file(str(de421_path()))


def moon_elevation_deg(station: GroundStation, t: Time) -> NDArray[np.float64]:
    """The apparent elevation [deg] of the Moon's centre above ``station``'s horizon at times ``t`` (skyfield)."""
    planets = _planets()
    place = planets["earth"] + wgs84.latlon(station.latitude_deg, station.longitude_deg, elevation_m=station.height_m)
    altitude, _azimuth, _distance = place.at(t).observe(planets["moon"]).apparent().altaz()
    return np.atleast_1d(np.asarray(altitude.degrees, dtype=np.float64))


def network_sees_moon(
    t: Time,
    stations: tuple[GroundStation, ...] = DSN_STATIONS,
    min_elevation_deg: float = DSN_MIN_ELEVATION_DEG,
) -> NDArray[np.bool_]:
    """Whether at least one of ``stations`` sees the Moon's centre above ``min_elevation_deg`` at times ``t`` (sets
    skyfield's IAU 2000B nutation on ``t`` unless it has its nutation already: 1 mas, a third of the time)."""
    if not stations:
        raise InputError("stations is empty: give at least one GroundStation (e.g. DSN_STATIONS)")
    if not (isinstance(min_elevation_deg, int | float) and 0.0 <= min_elevation_deg < 90.0):
        raise InputError(f"min_elevation_deg = {min_elevation_deg!r} must be in [0, 90) deg, e.g. 10")
    if "_nutation_angles_radians" not in vars(t):  # skyfield's IAU 2000B nutation (1 mas): 3x faster than 2000A
        t._nutation_angles_radians = iau2000b_radians(t)
    seen = np.zeros(np.atleast_1d(t.tt).shape, dtype=bool)
    for station in stations:
        seen |= moon_elevation_deg(station, t) > min_elevation_deg
    return seen
