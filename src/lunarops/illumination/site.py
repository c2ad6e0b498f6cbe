"""Sunlight and Earth visibility at one site over a period (layer 2: a frozen result object).

Definitions (docs/illumination.md):

- ``sun_disk_visible_fraction``: the mean over the samples of the visible fraction of the solar disk (true
  angular radius, exact segment area above the horizon line at the Sun's azimuth).
- ``sun_center_visible_fraction``: fraction of samples with the Sun's centre above the horizon.
- ``sun_any_visible_fraction``: fraction of samples with some part of the disk above the horizon.
- ``longest_dark_hours``: the longest run of consecutive samples with no part of the disk visible, times the
  step (a run cut by the start or end of the period counts as far as it is seen: a lower bound).
- ``earth_center_visible_fraction``: fraction of samples with the Earth's centre above the horizon.

Terrain: ``None`` is the smooth sphere; its horizon is the geometric dip of the bare sphere at the mast
height, ``-acos(R / (R + mast))`` (-0.194 deg at 10 m). With a DEM the horizon comes from
:func:`lunarops.terrain.horizon_at_site` (observer at the bilinear DEM height + mast, terrain nearer than
``min_distance_m`` ignored).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from skyfield.timelib import Time

from lunarops.constants import MOON_RADIUS_M
from lunarops.ephemeris import MoonEphemeris
from lunarops.errors import InputError, SiteError
from lunarops.illumination.functions import (
    bare_sphere_horizon_elevation_rad,
    disk_visible_fraction,
    longest_true_run,
)
from lunarops.illumination.timegrid import check_time_grid, is_real, shown
from lunarops.numformat import format_lat_lon
from lunarops.sky import sky_at_site
from lunarops.terrain import EMBEDDED_DEMS, Dem, HorizonMask, azimuth_grid_rad, horizon_at_site, load_dem
from lunarops.terrain.dem import SHIPPED_DEMS_HINT, check_latlon_deg
from lunarops.terrain.horizon import LIGHT_MIN_N_AZIMUTH, check_n_azimuth
from lunarops.timescale import to_datetime64

FloatArray = NDArray[np.float64]
TERRAIN_NONE = "none"
#: A given ground height at most this far below the DEM's bilinear height [m] puts the observer on the DEM surface:
#: LOLA's radial accuracy is about 1 m (Mazarico et al. 2012, J. Geodesy 86, 193-207), and heights are shown
#: rounded, so a height copied from an output must not be refused.
GROUND_TOLERANCE_M = 1.0


def resolve_terrain(terrain: str | Path | Dem | None, field: str = "terrain") -> Dem | None:
    """A Dem from "none" (None), "south", "north", "global", a DEM file path or a Dem.

    Raises InputError naming ``field`` for anything else.
    """
    if terrain is None or isinstance(terrain, Dem):
        return terrain
    text = str(terrain).strip()
    if text.lower() == TERRAIN_NONE:
        return None
    if text in EMBEDDED_DEMS or Path(text).exists():
        return load_dem(text)
    raise InputError(
        f"{field} = {text!r} is neither 'none', a shipped DEM ({', '.join(EMBEDDED_DEMS)}) nor an existing DEM "
        "file; give one of those names or the path of a GeoTIFF / PDS3 / .npz DEM"
    )


def check_dem(dem: object, field: str = "dem", optional: bool = True) -> Dem | None:
    """``dem`` when it is a Dem (or None, when ``optional``); else InputError naming ``field`` with the fix."""
    if isinstance(dem, Dem) or (optional and dem is None):
        return dem
    name = dem if isinstance(dem, str) else "south"
    raise InputError(
        f"{field} = {shown(dem)} must be a lunarops.terrain.Dem{' or None (no terrain)' if optional else ''}; "
        f"pass load_dem({name!r}) or resolve_terrain({name!r}) (lunarops.illumination.site), not a name or path"
    )


def check_site_numbers(latitude_deg: object, longitude_deg: object, what: str = "") -> None:
    """SiteError unless the latitude and longitude are real numbers (their range is checked where they are used);
    ``what`` prefixes the parameter names (e.g. ``center_``)."""
    if not is_real(latitude_deg):
        raise SiteError(
            f"{what}latitude_deg = {shown(latitude_deg)} must be a number [deg] in [-90, 90] (south is negative), "
            "e.g. -89.45"
        )
    if not is_real(longitude_deg):
        raise SiteError(
            f"{what}longitude_deg = {shown(longitude_deg)} must be a number [deg] (east longitude), e.g. 222.69"
        )


@dataclass(frozen=True, eq=False)
class SiteLight:
    """Sun and Earth visibility at one site; arrays are over the sample times. Angles in degrees."""

    latitude_deg: float
    longitude_deg: float
    ground_height_m: float
    """Ground height [m] above the 1737.4 km sphere (DEM bilinear height, the given value, or 0)."""
    mast_height_m: float
    terrain: str
    """DEM name or "none"."""
    step_s: float
    times: NDArray[np.datetime64]
    horizon: HorizonMask
    sun_azimuth_deg: FloatArray
    sun_elevation_deg: FloatArray
    sun_angular_radius_deg: FloatArray
    sun_horizon_deg: FloatArray
    """Horizon elevation at the Sun's azimuth [deg]."""
    sun_disk_visible: FloatArray
    """Visible fraction of the solar disk [0..1]."""
    earth_azimuth_deg: FloatArray
    earth_elevation_deg: FloatArray
    earth_horizon_deg: FloatArray
    earth_visible: NDArray[np.bool_]
    """Earth's centre above the horizon."""

    @property
    def longest_dark_hours(self) -> float:
        """Longest run of samples with no part of the solar disk visible, times the step. [h]"""
        return longest_true_run(self.sun_disk_visible <= 0.0) * self.step_s / 3600.0

    @property
    def longest_dark_truncated(self) -> bool:
        """True when a longest dark spell touches the first or last sample: the period cuts it, so
        ``longest_dark_hours`` is only what the period sees of it."""
        dark = np.asarray(self.sun_disk_visible <= 0.0, dtype=bool)
        longest = longest_true_run(dark)
        if longest == 0:
            return False
        lead = int(np.argmin(dark)) if not dark.all() else dark.size
        trail = int(np.argmin(dark[::-1])) if not dark.all() else dark.size
        return lead == longest or trail == longest

    @property
    def longest_earth_absence_hours(self) -> float:
        """Longest run of samples with the Earth's centre below the horizon, times the step. [h]"""
        return longest_true_run(~self.earth_visible) * self.step_s / 3600.0

    def summary(self) -> dict[str, Any]:
        """Headline statistics (JSON-able)."""
        return {
            "latitude_deg": self.latitude_deg,
            "longitude_deg": self.longitude_deg,
            "ground_height_m": self.ground_height_m,
            "mast_height_m": self.mast_height_m,
            "terrain": self.terrain,
            "n_samples": int(self.sun_disk_visible.size),
            "step_hours": self.step_s / 3600.0,
            "start_utc": str(self.times[0])[:19] + "Z",
            "last_sample_utc": str(self.times[-1])[:19] + "Z",
            "sun_disk_visible_fraction": float(self.sun_disk_visible.mean()),
            "sun_center_visible_fraction": float((self.sun_elevation_deg > self.sun_horizon_deg).mean()),
            "sun_any_visible_fraction": float((self.sun_disk_visible > 0).mean()),
            "longest_dark_hours": self.longest_dark_hours,
            "earth_center_visible_fraction": float(self.earth_visible.mean()),
            "longest_earth_absence_hours": self.longest_earth_absence_hours,
            "horizon_max_deg": float(self.horizon.elevation_deg.max()),
            "horizon_min_deg": float(self.horizon.elevation_deg.min()),
        }


def _check_observer(
    latitude_deg: float, longitude_deg: float, mast_height_m: float, ground_height_m: float | None
) -> None:
    """InputError / SiteError for a mast height that is not a number >= 0, a ground height that is not finite or
    a latitude / longitude that is not a number on the Moon."""
    if not (is_real(mast_height_m) and np.isfinite(mast_height_m) and mast_height_m >= 0):
        got = "" if is_real(mast_height_m) else f" (got a {type(mast_height_m).__name__})"
        raise InputError(f"mast_height_m = {shown(mast_height_m)} must be one number >= 0 [m]{got}, e.g. 10.0; call "
                         "once per height for several")
    check_site_numbers(latitude_deg, longitude_deg)
    check_latlon_deg(latitude_deg, longitude_deg)
    if ground_height_m is not None and not (is_real(ground_height_m) and math.isfinite(ground_height_m)):
        raise InputError(
            f"ground_height_m = {shown(ground_height_m)} must be finite [m]; omit it to use the DEM height"
        )


def site_horizon(
    latitude_deg: float,
    longitude_deg: float,
    mast_height_m: float = 0.0,
    dem: Dem | None = None,
    ground_height_m: float | None = None,
    min_distance_m: float | None = None,
    n_azimuth: int = 360,
) -> tuple[HorizonMask, float]:
    """(horizon mask at the observer, ground height [m]) for a site with or without a DEM.

    Without a DEM the mask is the bare sphere's dip at ``mast_height_m``. With one, the observer stands at
    ``ground_height_m + mast_height_m`` over the sphere (ground from the DEM when not given); an observer more
    than ``GROUND_TOLERANCE_M`` below the DEM surface is a SiteError, one less far below stands on it.
    """
    _check_observer(latitude_deg, longitude_deg, mast_height_m, ground_height_m)
    check_n_azimuth(n_azimuth, LIGHT_MIN_N_AZIMUTH)
    check_dem(dem)
    if min_distance_m is not None and not (is_real(min_distance_m) and math.isfinite(min_distance_m)
                                           and min_distance_m > 0):
        raise InputError(f"min_distance_m = {shown(min_distance_m)} must be > 0 [m]; default is one DEM pixel")
    if dem is None:
        ground = 0.0 if ground_height_m is None else float(ground_height_m)
        dip = float(bare_sphere_horizon_elevation_rad(mast_height_m, MOON_RADIUS_M))
        az = azimuth_grid_rad(int(n_azimuth))
        mask = HorizonMask(az, np.full(az.shape, dip), latitude_deg, longitude_deg, ground + mast_height_m)
        return mask, ground
    if not bool(np.all(dem.contains(latitude_deg, longitude_deg))):
        raise SiteError(
            f"site ({format_lat_lon(latitude_deg, longitude_deg)}) is outside DEM '{dem.name}'; pick a site inside it, "
            f"another DEM ({SHIPPED_DEMS_HINT}; or a file) or terrain 'none'"
        )
    dem_ground = float(dem.height_at(latitude_deg, longitude_deg))
    ground = dem_ground if ground_height_m is None else float(ground_height_m)
    above_dem = ground + mast_height_m - dem_ground
    if above_dem < -GROUND_TOLERANCE_M:
        raise SiteError(
            f"ground_height_m = {ground:.2f} m plus the mast ({mast_height_m} m) is {-above_dem:.2f} m below the DEM "
            f"surface ({dem_ground:.2f} m at this site; {GROUND_TOLERANCE_M:g} m below it is taken as on it); omit "
            "ground_height_m to use the DEM height"
        )
    mask = horizon_at_site(
        dem, latitude_deg, longitude_deg, height_above_ground_m=max(above_dem, 0.0), n_azimuth=int(n_azimuth),
        min_distance_m=min_distance_m,
    )
    return mask, ground


def site_light(
    latitude_deg: float,
    longitude_deg: float,
    t: Time,
    step_s: float,
    mast_height_m: float = 0.0,
    dem: Dem | None = None,
    ground_height_m: float | None = None,
    min_distance_m: float | None = None,
    n_azimuth: int = 360,
    correction: str = "apparent",
    ephemeris: MoonEphemeris | None = None,
    horizon: HorizonMask | None = None,
) -> SiteLight:
    """Sun-disk and Earth visibility at a site over the times ``t`` (sampled every ``step_s`` seconds).

    ``horizon`` (optional) replaces the computed mask (e.g. one measured on a finer DEM). ``t`` must be uniformly
    spaced by ``step_s`` (:func:`lunarops.illumination.timegrid.period_times`); InputError otherwise.
    """
    step_s = check_time_grid(t, step_s)
    check_dem(dem)
    if horizon is not None and not isinstance(horizon, HorizonMask):
        raise InputError(
            f"horizon = {shown(horizon)} must be a lunarops.terrain.HorizonMask (e.g. from "
            "lunarops.terrain.horizon_at_site) or None to compute it"
        )
    if horizon is None:
        horizon, ground = site_horizon(
            latitude_deg, longitude_deg, mast_height_m, dem, ground_height_m, min_distance_m, n_azimuth
        )
    else:
        _check_observer(latitude_deg, longitude_deg, mast_height_m, ground_height_m)
        ground = float(ground_height_m) if ground_height_m is not None else (
            float(dem.height_at(latitude_deg, longitude_deg)) if dem is not None else 0.0
        )
    sky = sky_at_site(latitude_deg, longitude_deg, ground + mast_height_m, t, correction, ephemeris)  # type: ignore[arg-type]
    sun_az = np.radians(sky.sun_azimuth_deg)
    sun_h = horizon.elevation_at(sun_az)
    # the part of the disk above the terrain, less the part behind the Earth in a lunar eclipse (taken as
    # independent: an eclipse that coincides with the Sun grazing the horizon is the only case where that matters)
    fraction = disk_visible_fraction(
        np.radians(sky.sun_elevation_deg), sun_h, np.radians(sky.sun_angular_radius_deg)
    ) * sky.sun_fraction_outside_earth
    earth_h = horizon.elevation_at(np.radians(sky.earth_azimuth_deg))
    earth_el = np.radians(sky.earth_elevation_deg)
    return SiteLight(
        latitude_deg=float(latitude_deg),
        longitude_deg=float(longitude_deg),
        ground_height_m=ground,
        mast_height_m=float(mast_height_m),
        terrain=TERRAIN_NONE if dem is None else dem.name,
        step_s=float(step_s),
        times=to_datetime64(t),
        horizon=horizon,
        sun_azimuth_deg=sky.sun_azimuth_deg,
        sun_elevation_deg=sky.sun_elevation_deg,
        sun_angular_radius_deg=sky.sun_angular_radius_deg,
        sun_horizon_deg=np.degrees(sun_h),
        sun_disk_visible=fraction,
        earth_azimuth_deg=sky.earth_azimuth_deg,
        earth_elevation_deg=sky.earth_elevation_deg,
        earth_horizon_deg=np.degrees(earth_h),
        earth_visible=np.asarray(earth_el > earth_h),
    )
