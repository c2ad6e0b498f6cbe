"""Permanently shadowed regions (PSRs): cells where no part of the Sun's disk ever rises above the horizon.

How the precession cycle is sampled (docs/illumination.md): the Sun's direction in the Moon ME frame is sampled
every ``step_hours`` over ``start``..``end`` (default 2030-01-01..2049-12-31, more than the 18.6 yr nodal
cycle; the orientation kernel ends in 2050) and reduced to an *envelope*: for each bin of subsolar longitude
(0.25 deg) the sample with the subsolar latitude furthest toward the map's pole (about -1.54 deg at the south
pole). For a polar cell the Sun's elevation at a given subsolar longitude grows monotonically as the subsolar
latitude moves toward the cell's pole (d sin(el)/d delta = sin(phi) cos(delta) - cos(phi) sin(delta) cos(H),
dominated by sin(phi) for |phi| > 70 deg), so a cell that never sees the envelope's Sun never sees any Sun of
the cycle. The disk radius used is the largest of the cycle (perihelion). A cell is PSR when the visible disk
fraction is 0 for every envelope direction: 1,440 directions per cell instead of ~10^5 samples.

Areas: pixel areas on the sphere from the polar stereographic scale factor (``cell_area_polar_stereographic_m2``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from lunarops.constants import DAY_S, NODAL_PERIOD_S
from lunarops.ephemeris import MoonEphemeris, default_ephemeris
from lunarops.errors import InputError
from lunarops.illumination.functions import (
    cell_area_polar_stereographic_m2,
    great_circle_distance_m,
    sun_map_kernel,
)
from lunarops.illumination.maps import (
    DEFAULT_TILE_ROWS,
    Window,
    cell_frames,
    check_tile_rows,
    horizon_tiles,
    sun_directions_me,
)
from lunarops.illumination.site import check_dem
from lunarops.illumination.timegrid import is_real, period_times, shown
from lunarops.terrain import Dem, PolarStereographic
from lunarops.terrain.horizon import LIGHT_MIN_N_AZIMUTH, check_n_azimuth, check_window
from lunarops.timescale import parse_utc

FloatArray = NDArray[np.float64]
Progress = Callable[[float, str], None]
CYCLE_START_UTC = "2030-01-01"
CYCLE_END_UTC = "2049-12-31"


@dataclass(frozen=True)
class SunEnvelope:
    """The Sun's extreme directions over a period, one per subsolar-longitude bin."""

    unit_me: FloatArray
    """(n_bins, 3) unit vectors from the Moon's centre, ME frame."""
    max_angular_radius_rad: float
    extreme_subsolar_latitude_deg: float
    start_utc: str
    end_utc: str
    step_hours: float
    n_samples: int
    south: bool
    """True: the directions most toward the south pole (for a south polar DEM); False: the north pole."""

    def __repr__(self) -> str:
        return (
            f"SunEnvelope({'south' if self.south else 'north'}, {self.start_utc}..{self.end_utc}, "
            f"step_hours={self.step_hours:g}, n_samples={self.n_samples}, "
            f"directions={np.shape(self.unit_me)[0]})"
        )


def sun_envelope(
    south: bool,
    start_utc: str = CYCLE_START_UTC,
    end_utc: str = CYCLE_END_UTC,
    step_hours: float = 1.0,
    lon_bin_deg: float = 0.25,
    ephemeris: MoonEphemeris | None = None,
) -> SunEnvelope:
    """The envelope of Sun directions (see the module docstring) toward the south (``south=True``) or north pole.

    ``lon_bin_deg``: width of the subsolar-longitude bins, in (0, 360] [deg] (one direction is kept per bin).
    """
    if not isinstance(south, bool | np.bool_):
        raise InputError(
            f"south = {shown(south)} must be True (south pole) or False (north pole); for a polar DEM pass "
            "dem.georeference.south"
        )
    if not (is_real(step_hours) and math.isfinite(step_hours) and 0 < step_hours <= 24):
        raise InputError(
            f"step_hours = {shown(step_hours)} must be in (0, 24]; the Sun moves 12 deg/day in longitude"
        )
    if not (is_real(lon_bin_deg) and math.isfinite(lon_bin_deg) and 0 < lon_bin_deg <= 360):
        raise InputError(
            f"lon_bin_deg = {shown(lon_bin_deg)} must be a finite number in (0, 360] [deg] (width of the subsolar "
            "longitude bins); 0.25 is the default"
        )
    span_days = float(parse_utc(end_utc).tt - parse_utc(start_utc).tt)
    if span_days * DAY_S < NODAL_PERIOD_S:
        raise InputError(
            f"the Sun's envelope {start_utc}..{end_utc} spans {span_days:.2f} days, less than the nodal precession "
            f"cycle a permanent shadow must last ({NODAL_PERIOD_S / DAY_S} days, 18.61 yr; --start/--end, or "
            f"terrain.psr.cycle_start_utc/cycle_end_utc in a scenario); e.g. {CYCLE_START_UTC}..{CYCLE_END_UTC}"
        )
    t = period_times(start_utc, end_utc, step_hours * 3600.0)
    unit, radius = sun_directions_me(t, ephemeris or default_ephemeris())
    lat = np.degrees(np.arcsin(np.clip(unit[:, 2], -1, 1)))
    lon = np.degrees(np.arctan2(unit[:, 1], unit[:, 0])) % 360.0
    n_bins = round(360.0 / lon_bin_deg)
    bins = np.minimum((lon / 360.0 * n_bins).astype(np.int64), n_bins - 1)
    key = lat if south else -lat  # the most poleward sample wins the bin
    order = np.lexsort((key, bins))
    first = np.unique(bins[order], return_index=True)[1]
    chosen = order[first]
    return SunEnvelope(
        unit_me=np.ascontiguousarray(unit[chosen]),
        max_angular_radius_rad=float(radius.max()),
        extreme_subsolar_latitude_deg=float(lat[chosen].min() if south else lat[chosen].max()),
        start_utc=str(start_utc),
        end_utc=str(end_utc),
        step_hours=float(step_hours),
        n_samples=int(unit.shape[0]),
        south=bool(south),
    )


@dataclass(frozen=True, eq=False)
class PsrRegion:
    """One connected permanently shadowed region of a PSR map (``PsrMap.regions``)."""

    area_km2: float
    cells: int
    centroid_latitude_deg: float
    centroid_longitude_deg: float  # east, [0, 360)
    touches_window_edge: bool  # it may extend beyond the window: its area is then a lower bound
    distance_km: float  # from the point asked for to its nearest cell centre (NaN: no point)

    def record(self) -> dict[str, Any]:
        """JSON-able."""
        return {
            "distance_km": self.distance_km,
            "area_km2": self.area_km2,
            "cells": self.cells,
            "centroid_latitude_deg": self.centroid_latitude_deg,
            "centroid_longitude_deg": self.centroid_longitude_deg,
            "touches_window_edge": self.touches_window_edge,
        }


@dataclass(frozen=True, eq=False)
class PsrMap:
    """PSR cells of a DEM window (polar stereographic), with each cell's area on the sphere."""

    dem_name: str
    window: Window
    latitude_deg: FloatArray
    longitude_deg: FloatArray
    psr: NDArray[np.bool_]
    """True where the cell is permanently shadowed (inside ``max_colatitude_deg``)."""
    cell_area_km2: FloatArray
    max_colatitude_deg: float
    envelope: SunEnvelope

    def __repr__(self) -> str:
        return (
            f"PsrMap(dem={self.dem_name!r}, window={tuple(self.window)}, shape={tuple(np.shape(self.psr))}, "
            f"max_colatitude_deg={self.max_colatitude_deg:g}, psr_cells={int(np.sum(self.psr))}, "
            f"area_km2={self.area_km2:.3f}, envelope={self.envelope!r})"
        )

    @property
    def area_km2(self) -> float:
        """Total PSR area [km2]."""
        return float(self.cell_area_km2[self.psr].sum())

    def distance_km(self, latitude_deg: float, longitude_deg: float) -> float:
        """Great-circle distance [km] from a point to the nearest PSR cell centre (inf when none)."""
        if not self.psr.any():
            return math.inf
        d = great_circle_distance_m(
            math.radians(latitude_deg),
            math.radians(longitude_deg),
            np.radians(self.latitude_deg[self.psr]),
            np.radians(self.longitude_deg[self.psr]),
        )
        return float(d.min() / 1000.0)

    def regions(self, latitude_deg: float | None = None, longitude_deg: float | None = None) -> list[PsrRegion]:
        """The PSR regions of the window: 8-connected groups of PSR cells (the traverse's neighbours), each with
        its area, cell count, area-weighted centroid and whether it touches the window's edge (it may extend
        beyond: its area is then a lower bound); with a point, the great-circle distance from it to each
        region's nearest cell centre, nearest first, else largest first."""
        from scipy import ndimage

        labels, count = ndimage.label(self.psr, structure=np.ones((3, 3), dtype=bool))
        if count == 0:
            return []
        lat = np.radians(self.latitude_deg)
        lon = np.radians(self.longitude_deg)
        unit = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
        edge = np.zeros_like(self.psr)
        edge[0, :] = edge[-1, :] = edge[:, 0] = edge[:, -1] = True
        regions = []
        for k, cells in enumerate(ndimage.find_objects(labels), start=1):
            mask = labels[cells] == k
            area = self.cell_area_km2[cells][mask]
            weighted = (unit[:, cells[0], cells[1]][:, mask] * area).sum(axis=1)
            distance = math.nan
            if latitude_deg is not None and longitude_deg is not None:
                distance = float(
                    great_circle_distance_m(
                        math.radians(latitude_deg), math.radians(longitude_deg), lat[cells][mask], lon[cells][mask]
                    ).min()
                    / 1000.0
                )
            regions.append(
                PsrRegion(
                    area_km2=float(area.sum()),
                    cells=int(mask.sum()),
                    centroid_latitude_deg=math.degrees(math.atan2(weighted[2], math.hypot(weighted[0], weighted[1]))),
                    centroid_longitude_deg=math.degrees(math.atan2(weighted[1], weighted[0])) % 360.0,
                    touches_window_edge=bool(edge[cells][mask].any()),
                    distance_km=distance,
                )
            )
        if latitude_deg is not None and longitude_deg is not None:
            return sorted(regions, key=lambda r: r.distance_km)
        return sorted(regions, key=lambda r: -r.area_km2)

    def summary(self) -> dict[str, Any]:
        """Headline numbers (JSON-able)."""
        return {
            "dem": self.dem_name,
            "psr_area_km2": self.area_km2,
            "psr_cells": int(self.psr.sum()),
            "max_colatitude_deg": self.max_colatitude_deg,
            "cycle_start_utc": self.envelope.start_utc,
            "cycle_end_utc": self.envelope.end_utc,
            "cycle_step_hours": self.envelope.step_hours,
            "sun_samples": self.envelope.n_samples,
            "envelope_directions": int(self.envelope.unit_me.shape[0]),
            "extreme_subsolar_latitude_deg": self.envelope.extreme_subsolar_latitude_deg,
            "max_sun_angular_radius_deg": math.degrees(self.envelope.max_angular_radius_rad),
        }


def polar_window(dem: Dem, max_colatitude_deg: float) -> Window:
    """The smallest window of a polar stereographic DEM holding every cell within ``max_colatitude_deg``."""
    geo = _polar(dem)
    rho = 2.0 * geo.radius_m * geo.scale_factor * math.tan(math.radians(max_colatitude_deg) / 2.0)
    rows_x = np.array([-rho, rho])
    r_lo, c_lo = geo.xy_to_rowcol(rows_x[0], rows_x[1])
    r_hi, c_hi = geo.xy_to_rowcol(rows_x[1], rows_x[0])
    ny, nx = dem.shape
    r0, r1 = sorted((float(r_lo), float(r_hi)))
    c0, c1 = sorted((float(c_lo), float(c_hi)))
    return (max(0, math.floor(r0)), min(ny, math.ceil(r1) + 1), max(0, math.floor(c0)), min(nx, math.ceil(c1) + 1))


def polar_reach_deg(dem: Dem) -> float:
    """The largest colatitude [deg] whose whole circle around the pole lies inside a polar stereographic DEM: the
    circle inscribed in its map rectangle (19.9 deg for the shipped 1219.2 km south square). Beyond it only the
    corners are mapped, so a region ``max_colatitude_deg`` larger than this is not all on the DEM."""
    geo = _polar(dem)
    ny, nx = dem.shape
    x0 = geo.x_min_m
    x1 = x0 + nx * geo.pixel_width_m
    y1 = geo.y_max_m
    y0 = y1 - ny * geo.pixel_height_m
    rho = min(-x0, x1, -y0, y1)
    if not rho > 0:
        return 0.0
    return math.degrees(2.0 * math.atan(rho / (2.0 * geo.radius_m * geo.scale_factor)))


def edge_distance_m(dem: Dem, latitude_deg: float, longitude_deg: float) -> float:
    """Map distance [m] from a point to the nearest edge of a polar stereographic DEM (inf for other grids, which
    cover the whole Moon or are not checked)."""
    geo = dem.georeference
    if not isinstance(geo, PolarStereographic):
        return math.inf
    ny, nx = dem.shape
    row, col = (float(v) for v in dem.latlon_to_rowcol(latitude_deg, longitude_deg))
    x, y = (float(v) for v in geo.rowcol_to_xy(row, col))
    x0 = geo.x_min_m
    x1 = x0 + nx * geo.pixel_width_m
    y1 = geo.y_max_m
    y0 = y1 - ny * geo.pixel_height_m
    return max(0.0, min(x - x0, x1 - x, y - y0, y1 - y))


def shadow_range_m(dem: Dem, observer_height_m: float) -> float:
    """How far [m] the DEM's highest point can still rise above an observer's horizontal plane on the sphere,
    ``sqrt(2 R (h_max - h_obs))`` (a point at distance d and height h sits (h - h_obs)/d - d/(2R) rad above it):
    terrain beyond cannot cast a shadow at a Sun elevation >= 0. Heights over the reference sphere [m]."""
    h_max = float(np.nanmax(dem.heights_m))
    rise = max(h_max - observer_height_m, 0.0)
    return math.sqrt(2.0 * dem.radius_m * rise)


def polar_colatitude_deg(dem: Dem, latitude_deg: float) -> float:
    """Angle [deg] from the pole of a polar stereographic DEM to a latitude (90 + lat in the south)."""
    return 90.0 + latitude_deg if _polar(dem).south else 90.0 - latitude_deg


def psr_map(
    dem: Dem,
    window: Window | None = None,
    max_colatitude_deg: float = 10.0,
    envelope: SunEnvelope | None = None,
    min_distance_m: float | None = None,
    n_azimuth: int = 360,
    progress: Progress | None = None,
    ephemeris: MoonEphemeris | None = None,
    tile_rows: int = DEFAULT_TILE_ROWS,
    horizon_mode: str = "auto",
) -> PsrMap:
    """PSR map of a polar DEM within ``max_colatitude_deg`` of its pole (default 10: poleward of 80 deg, the
    region of Mazarico et al. 2011), or over ``window``. Horizons at the ground (no mast), computed in
    ``horizon_mode`` (:func:`lunarops.illumination.maps.horizon_tiles`)."""
    check_dem(dem, optional=False)
    geo = _polar(dem)
    if not (is_real(max_colatitude_deg) and math.isfinite(max_colatitude_deg) and 0 < max_colatitude_deg <= 30):
        raise InputError(f"max_colatitude_deg = {shown(max_colatitude_deg)} must be in (0, 30]")
    r0, r1, c0, c1 = check_window(dem, window) if window is not None else polar_window(dem, max_colatitude_deg)
    check_n_azimuth(n_azimuth, LIGHT_MIN_N_AZIMUTH)
    check_tile_rows(tile_rows)
    check_envelope(dem, envelope)
    env = envelope or sun_envelope(bool(geo.south), ephemeris=ephemeris)
    radius = np.full(env.unit_me.shape[0], env.max_angular_radius_rad)
    shape = (r1 - r0, c1 - c0)
    lit = np.full(shape, np.nan)
    for start, stop, horizons, done in horizon_tiles(dem, 0.0, n_azimuth, min_distance_m, (r0, r1, c0, c1),
                                                     tile_rows, horizon_mode, progress):  # fmt: skip
        tile: Window = (start, stop, c0, c1)
        _, _, up, east, north, _ = cell_frames(dem, tile, 0.0)
        valid = np.all(np.isfinite(horizons), axis=1)
        u, e, n = (np.ascontiguousarray(a[valid]) for a in (up, east, north))
        disk, _, _ = sun_map_kernel(np.ascontiguousarray(horizons[valid]), u, e, n, env.unit_me, radius)
        flat = np.full(horizons.shape[0], np.nan)
        flat[valid] = disk
        lit[start - r0 : stop - r0] = flat.reshape(stop - start, c1 - c0)
        if progress is not None:
            progress(done, f"PSR rows {stop - r0}/{r1 - r0}")
    rows, cols = np.meshgrid(np.arange(r0, r1, dtype=float), np.arange(c0, c1, dtype=float), indexing="ij")
    lat, lon = dem.rowcol_to_latlon(rows, cols)
    colat = np.radians(90.0 - np.abs(lat))
    inside = np.degrees(colat) <= max_colatitude_deg
    area = cell_area_polar_stereographic_m2(colat, 1.0) * (geo.pixel_width_m * geo.pixel_height_m) / 1e6
    return PsrMap(
        dem_name=dem.name,
        window=(r0, r1, c0, c1),
        latitude_deg=lat,
        longitude_deg=lon,
        psr=np.asarray(inside & (lit == 0.0)),
        cell_area_km2=area / geo.scale_factor**2,
        max_colatitude_deg=float(max_colatitude_deg),
        envelope=env,
    )


def check_envelope(dem: Dem, envelope: object) -> None:
    """InputError unless ``envelope`` is None or a SunEnvelope toward the pole of ``dem`` (when it is polar)."""
    if envelope is None:
        return
    if not isinstance(envelope, SunEnvelope):
        raise InputError(
            f"envelope = {shown(envelope)} must be a SunEnvelope from lunarops.illumination.sun_envelope(south), "
            "or None to compute it for the DEM's pole"
        )
    geo = dem.georeference
    if isinstance(geo, PolarStereographic) and bool(geo.south) != envelope.south:
        pole = {True: "south", False: "north"}
        raise InputError(
            f"envelope (south={envelope.south}) is toward the {pole[envelope.south]} pole but DEM '{dem.name}' is a "
            f"{pole[bool(geo.south)]} polar grid, so its permanent shadows would be wrong; pass "
            f"envelope=sun_envelope({bool(geo.south)}) (sun_envelope(dem.georeference.south)) or None"
        )


def _polar(dem: Dem) -> PolarStereographic:
    geo = dem.georeference
    if not isinstance(geo, PolarStereographic):
        raise InputError(
            f"PSR maps need a polar stereographic DEM ('south', 'north' or a polar file); '{dem.name}' is not one"
        )
    return geo
