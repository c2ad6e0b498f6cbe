"""Site ranking: score candidate sites by light, darkness, Earth visibility, slope and PSR distance.

Each metric maps to a 0..1 score with a fixed physical scale (so a score means the same in every run):
sunlit = mean visible solar-disk fraction at mast height; darkness = 1 - min(longest dark / darkness scale, 1);
earth = Earth-centre visible fraction; slope = 1 - min(slope / slope limit, 1); psr = 1 - min(distance to the
nearest PSR / PSR scale, 1) (near ice is good; no PSR within the search radius scores 0). The score is the
weighted mean. Slopes come from the DEM gradient over one pixel on each side (central differences), with
map distances divided by the polar stereographic scale factor.

Beside the straight-line PSR distance, each site gets the drivable traverse to the nearest PSR
(:mod:`lunarops.terrain.traverse`: shortest 8-connected path over the same PSR map's window, no edge steeper than
``max_slope_deg``): ``psr_traverse_km``, its steepest edge and the path. It is reported, not scored.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields

import numpy as np
from numpy.typing import NDArray
from skyfield.timelib import Time

from lunarops.errors import InputError
from lunarops.illumination.maps import LightMap, Window, light_map, window_around
from lunarops.illumination.psr import PsrMap, SunEnvelope, check_envelope, psr_map
from lunarops.illumination.site import check_dem, check_site_numbers, site_light
from lunarops.illumination.timegrid import check_time_grid, is_real, shown
from lunarops.terrain import Dem, PolarStereographic
from lunarops.terrain.dem import check_latlon_deg
from lunarops.terrain.traverse import (
    DEFAULT_MAX_SLOPE_DEG,
    NO_TARGET,
    Traverse,
    check_max_slope_deg,
    traverse_to_targets,
)

FloatArray = NDArray[np.float64]
Progress = Callable[[float, str], None]
WEIGHTS = ("sunlit", "darkness", "earth", "slope", "psr_distance")
CANDIDATE_EXAMPLE = "e.g. [('A', -89.45, 222.69)]"


@dataclass(frozen=True)
class RankingScales:
    """Weights and scales of the site score (see the module docstring)."""

    sunlit: float = 0.4
    darkness: float = 0.2
    earth: float = 0.2
    slope: float = 0.1
    psr_distance: float = 0.1
    darkness_scale_hours: float = 354.4
    slope_limit_deg: float = 15.0
    psr_scale_km: float = 20.0

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not (is_real(value) and math.isfinite(value)):
                bound = ">= 0 (a weight)" if item.name in WEIGHTS else "> 0"
                raise InputError(f"ranking {item.name} = {shown(value)} must be a finite number {bound}")
        weights = (self.sunlit, self.darkness, self.earth, self.slope, self.psr_distance)
        if min(weights) < 0 or sum(weights) <= 0:
            raise InputError(f"ranking weights {weights} must be >= 0 with a positive sum")
        for name in ("darkness_scale_hours", "slope_limit_deg", "psr_scale_km"):
            if not getattr(self, name) > 0:
                raise InputError(f"ranking {name} = {getattr(self, name)!r} must be > 0")

    def score(
        self, sunlit: FloatArray | float, dark_h: FloatArray | float, earth: FloatArray | float,
        slope_deg: FloatArray | float, psr_km: FloatArray | float,
    ) -> FloatArray:
        """Weighted score in [0, 1] (vectorized)."""
        parts = (
            (self.sunlit, np.asarray(sunlit, dtype=float)),
            (self.darkness, 1.0 - np.minimum(np.asarray(dark_h, dtype=float) / self.darkness_scale_hours, 1.0)),
            (self.earth, np.asarray(earth, dtype=float)),
            (self.slope, 1.0 - np.minimum(np.asarray(slope_deg, dtype=float) / self.slope_limit_deg, 1.0)),
            (self.psr_distance, 1.0 - np.minimum(np.asarray(psr_km, dtype=float) / self.psr_scale_km, 1.0)),
        )
        total = sum(w for w, _ in parts)
        return np.asarray(sum(w * v for w, v in parts) / total)


def slope_map_deg(dem: Dem) -> FloatArray:
    """Surface slope [deg] of every cell from central differences of the DEM (one-sided at the edges)."""
    check_dem(dem, optional=False)
    if min(dem.shape) < 2:
        raise InputError(
            f"DEM '{dem.name}' is {dem.shape[0]} x {dem.shape[1]} cells; slopes need at least 2 x 2 (differences "
            "between neighbouring cells); use a larger DEM"
        )
    heights = np.asarray(dem.heights_m, dtype=np.float64)
    geo = dem.georeference
    if isinstance(geo, PolarStereographic):
        dz_dy, dz_dx = np.gradient(heights, geo.pixel_height_m, geo.pixel_width_m)
        ny, nx = dem.shape
        rows, cols = np.meshgrid(np.arange(ny, dtype=float), np.arange(nx, dtype=float), indexing="ij")
        lat, _ = dem.rowcol_to_latlon(rows, cols)
        k = 1.0 / np.cos(np.radians(90.0 - np.abs(lat)) / 2.0) ** 2 * geo.scale_factor
        return np.degrees(np.arctan(np.hypot(dz_dx, dz_dy) * k))
    lat, _ = dem.latlon_grid()
    dy_m = math.radians(abs(geo.pixel_height_deg)) * dem.radius_m
    dx_m = math.radians(abs(geo.pixel_width_deg)) * dem.radius_m * np.maximum(np.cos(np.radians(lat)), 1e-6)
    dz_dy = np.gradient(heights, axis=0) / dy_m
    dz_dx = np.gradient(heights, axis=1) / dx_m
    return np.degrees(np.arctan(np.hypot(dz_dx, dz_dy)))


def slope_at_deg(dem: Dem, latitude_deg: float, longitude_deg: float, slopes: FloatArray | None = None) -> float:
    """Slope [deg] of the cell nearest to a site."""
    grid = slope_map_deg(dem) if slopes is None else slopes
    row, col = (round(float(v)) for v in dem.latlon_to_rowcol(latitude_deg, longitude_deg))
    ny, nx = dem.shape
    return float(grid[min(max(row, 0), ny - 1), min(max(col, 0), nx - 1)])


@dataclass(frozen=True)
class RankedSite:
    """One candidate with its metrics and score."""

    name: str
    latitude_deg: float
    longitude_deg: float
    sun_disk_visible_fraction: float
    longest_dark_hours: float
    earth_center_visible_fraction: float
    slope_deg: float
    psr_distance_km: float
    score: float
    extra: dict[str, float] = field(default_factory=dict)
    mast_height_m: float = math.nan  # the observer height over the ground the light was computed at [m]
    traverse: Traverse | None = None
    """Drivable path to the nearest PSR (None: not computed, e.g. a DEM that is not polar)."""

    @property
    def psr_traverse_km(self) -> float:
        """Drivable distance to the nearest PSR [km]: inf when none is reachable, NaN when not computed."""
        return math.nan if self.traverse is None else self.traverse.distance_km

    @property
    def psr_traverse_max_slope_deg(self) -> float:
        """Steepest slope [deg] along that path (NaN when none)."""
        return math.nan if self.traverse is None else self.traverse.max_slope_deg

    @property
    def psr_traverse_status(self) -> str:
        """``reached``, ``none reachable within the window``, ``no target cell within the window`` or
        ``not computed``."""
        return "not computed" if self.traverse is None else self.traverse.status

    def as_dict(self) -> dict[str, float | str | list[list[float]]]:
        """Plain dict (JSON-able; inf PSR distances stay inf, printed as null)."""
        return {
            "name": self.name, "latitude_deg": self.latitude_deg, "longitude_deg": self.longitude_deg,
            "sun_disk_visible_fraction": self.sun_disk_visible_fraction,
            "longest_dark_hours": self.longest_dark_hours,
            "earth_center_visible_fraction": self.earth_center_visible_fraction,
            "slope_deg": self.slope_deg, "psr_distance_km": self.psr_distance_km,
            "psr_traverse_km": self.psr_traverse_km,
            "psr_traverse_max_slope_deg": self.psr_traverse_max_slope_deg,
            "psr_traverse_status": self.psr_traverse_status, "score": self.score,
            "mast_height_m": self.mast_height_m,
            "psr_traverse_path": ([] if self.traverse is None else
                                  [[float(a), float(b)] for a, b in self.traverse.path_latlon_deg]),
        }


def rank_sites(
    dem: Dem,
    sites: Sequence[tuple[str, float, float]],
    t: Time,
    step_s: float,
    mast_height_m: float | Sequence[float],
    scales: RankingScales,
    min_distance_m: float | None = None,
    psr_radius_km: float = 40.0,
    envelope: SunEnvelope | None = None,
    progress: Progress | None = None,
    horizon_mode: str = "auto",
    max_slope_deg: float = DEFAULT_MAX_SLOPE_DEG,
) -> list[RankedSite]:
    """Score a list of (name, lat, lon) sites with site-level light (bilinear height + mast), best first.
    ``mast_height_m``: one height [m] for every site, or a sequence of one height per site (in ``sites`` order).
    ``horizon_mode``: of the PSR maps around the sites (:func:`lunarops.illumination.maps.horizon_tiles`).
    ``max_slope_deg``: the steepest slope the traverse to the nearest PSR may drive [deg].
    ``t`` must be uniformly spaced by ``step_s`` (:func:`lunarops.illumination.timegrid.period_times`)."""
    check_dem(dem, optional=False)
    sites = _check_candidates(sites)
    masts = _check_masts(mast_height_m, len(sites))
    step_s = check_time_grid(t, step_s)
    _check_scales(scales)
    _check_km(psr_radius_km, "psr_radius_km", "the radius searched for PSRs around each site; 40 is the default")
    check_envelope(dem, envelope)
    max_slope_deg = check_max_slope_deg(max_slope_deg)
    slopes = slope_map_deg(dem)
    out = []
    for i, ((name, lat, lon), mast_m) in enumerate(zip(sites, masts, strict=True)):
        if progress is not None:
            progress(i / len(sites), f"ranking {name}")
        light = site_light(lat, lon, t, step_s, mast_m, dem, min_distance_m=min_distance_m).summary()
        access = psr_access(dem, lat, lon, psr_radius_km, envelope, min_distance_m, horizon_mode, max_slope_deg)
        psr_km = access.psr_distance_km
        slope = slope_at_deg(dem, lat, lon, slopes)
        score = float(scales.score(
            light["sun_disk_visible_fraction"], light["longest_dark_hours"], light["earth_center_visible_fraction"],
            slope, psr_km,
        ))
        out.append(RankedSite(
            name, float(lat), float(lon), light["sun_disk_visible_fraction"], light["longest_dark_hours"],
            light["earth_center_visible_fraction"], slope, psr_km, score, mast_height_m=float(mast_m),
            traverse=access.traverse,
        ))
    if progress is not None:
        progress(1.0, "ranked")
    return sorted(out, key=lambda s: -s.score)


def _check_candidates(sites: object) -> list[tuple[str, float, float]]:
    """The candidate sites as a list; InputError unless each is a (name, latitude_deg, longitude_deg) tuple."""
    if isinstance(sites, str | bytes | dict) or not isinstance(sites, Iterable):
        raise InputError(
            f"sites = {shown(sites)} must be a list of (name, latitude_deg, longitude_deg) tuples, {CANDIDATE_EXAMPLE}"
        )
    out = list(sites)
    if not out:
        raise InputError("no candidate sites to rank; give at least one --site NAME,LAT,LON or use --search")
    for i, site in enumerate(out):
        if not (isinstance(site, tuple | list) and len(site) == 3 and isinstance(site[0], str)
                and is_real(site[1]) and is_real(site[2])):
            raise InputError(
                f"sites[{i}] = {shown(site)} must be a (name, latitude_deg, longitude_deg) tuple: a str and two "
                f"numbers [deg]; sites is a list of them, {CANDIDATE_EXAMPLE}"
            )
        check_latlon_deg(site[1], site[2])
    return [(site[0], site[1], site[2]) for site in out]


def _check_masts(mast_height_m: object, n_sites: int) -> list[float]:
    """One mast height [m] per site: a single number is used for all; a sequence must give one per site.
    Each is checked by :func:`site_light` (a number >= 0); here only the shape, and the numbers of a sequence."""
    if is_real(mast_height_m):
        return [mast_height_m] * n_sites
    if isinstance(mast_height_m, str | bytes | dict) or not isinstance(mast_height_m, Iterable):
        raise InputError(
            f"mast_height_m = {shown(mast_height_m)} must be a height [m] for all sites or a list of one height per "
            "site, e.g. 10.0 or [10.0, 20.0]"
        )
    masts = list(mast_height_m)
    if len(masts) != n_sites:
        raise InputError(
            f"mast_height_m has {len(masts)} heights for {n_sites} sites; give one per site (in the sites' order) "
            "or a single number for all"
        )
    for i, mast in enumerate(masts):
        if not (is_real(mast) and math.isfinite(mast) and mast >= 0):
            raise InputError(f"mast_height_m[{i}] = {shown(mast)} must be a finite height >= 0 [m]")
    return masts


def _check_scales(scales: object) -> None:
    if not isinstance(scales, RankingScales):
        raise InputError(
            f"scales = {shown(scales)} must be a RankingScales, e.g. RankingScales() for the default weights and "
            "scales"
        )


def _check_km(value: object, name: str, what: str) -> None:
    if not (is_real(value) and math.isfinite(value) and value > 0):
        raise InputError(f"{name} = {shown(value)} must be a finite distance > 0 [km] ({what})")


@dataclass(frozen=True, eq=False)
class PsrAccess:
    """How far a site is from the nearest PSR: in a straight line and driving (one PSR map for both)."""

    psr_distance_km: float
    """Great-circle distance to the nearest PSR cell centre [km]; inf when none within the radius."""
    traverse: Traverse | None
    """Drivable path to the nearest PSR cell of the map's window; None for a DEM that is not polar."""
    psr: PsrMap | None


def psr_access(
    dem: Dem,
    lat: float,
    lon: float,
    radius_km: float,
    envelope: SunEnvelope | None,
    min_distance_m: float | None,
    horizon_mode: str,
    max_slope_deg: float = DEFAULT_MAX_SLOPE_DEG,
    n_azimuth: int = 360,
) -> PsrAccess:
    """The PSR map within ``radius_km`` (map distance) of a site, the straight-line distance to its nearest PSR
    cell (inf beyond ``radius_km``) and the drivable traverse to the nearest PSR cell of the same window
    (:func:`lunarops.terrain.traverse.traverse_to_targets`, no edge steeper than ``max_slope_deg``)."""
    if not isinstance(dem.georeference, PolarStereographic):
        return PsrAccess(math.inf, None, None)
    max_slope_deg = check_max_slope_deg(max_slope_deg)
    window = window_around(dem, lat, lon, radius_km * 1e3)
    psr = psr_map(dem, window=window, max_colatitude_deg=30.0, envelope=envelope, min_distance_m=min_distance_m,
                  n_azimuth=n_azimuth, horizon_mode=horizon_mode)
    distance = psr.distance_km(lat, lon)
    return PsrAccess(distance if distance <= radius_km else math.inf, psr_traverse(dem, psr, lat, lon, max_slope_deg),
                     psr)


def psr_traverse(dem: Dem, psr: PsrMap, lat: float, lon: float, max_slope_deg: float = DEFAULT_MAX_SLOPE_DEG,
                 ) -> Traverse:
    """The drivable traverse from a site to the nearest PSR cell of an existing PSR map (over its window)."""
    if not psr.psr.any():
        return Traverse(math.inf, math.nan, NO_TARGET)
    return traverse_to_targets(dem, psr.window, psr.psr, lat, lon, max_slope_deg)


@dataclass(frozen=True, eq=False)
class SiteSearch:
    """The best cells of a region, with the maps they were picked from."""

    sites: list[RankedSite]
    light: LightMap
    psr: PsrMap | None
    slope_deg: FloatArray
    score: FloatArray


def search_sites(
    dem: Dem,
    center_latitude_deg: float,
    center_longitude_deg: float,
    radius_km: float,
    t: Time,
    step_s: float,
    mast_height_m: float,
    scales: RankingScales,
    n_best: int = 5,
    min_separation_km: float = 5.0,
    min_distance_m: float | None = None,
    envelope: SunEnvelope | None = None,
    progress: Progress | None = None,
    horizon_mode: str = "auto",
    max_slope_deg: float = DEFAULT_MAX_SLOPE_DEG,
) -> SiteSearch:
    """Score every cell within ``radius_km`` of a centre (map cells: cell-centre height + mast) and return the
    ``n_best`` best cells at least ``min_separation_km`` apart; map horizons in ``horizon_mode``. Each picked
    cell's traverse to the nearest PSR (no slope above ``max_slope_deg``) runs over the search window.
    ``t`` must be uniformly spaced by ``step_s`` (:func:`lunarops.illumination.timegrid.period_times`)."""
    check_dem(dem, optional=False)
    check_site_numbers(center_latitude_deg, center_longitude_deg, "center_")
    _check_km(radius_km, "radius_km", "the search radius around the centre")
    step_s = check_time_grid(t, step_s)
    _check_scales(scales)
    if not (isinstance(n_best, int | np.integer) and not isinstance(n_best, bool) and 1 <= n_best <= 100):
        raise InputError(f"n_best = {shown(n_best)} must be an integer in 1..100")
    if not (is_real(min_separation_km) and math.isfinite(min_separation_km) and min_separation_km >= 0):
        raise InputError(
            f"min_separation_km = {shown(min_separation_km)} must be a distance >= 0 [km]; 0 keeps any cells"
        )
    check_envelope(dem, envelope)
    max_slope_deg = check_max_slope_deg(max_slope_deg)
    window: Window = window_around(dem, center_latitude_deg, center_longitude_deg, radius_km * 1e3)
    step = progress or (lambda fraction, message: None)
    light = light_map(dem, t, step_s, window, mast_height_m, min_distance_m,
                      progress=lambda f, m: step(0.7 * f, m), horizon_mode=horizon_mode)
    psr: PsrMap | None = None
    r0, r1, c0, c1 = window
    psr_km = np.full(light.latitude_deg.shape, math.inf)
    if isinstance(dem.georeference, PolarStereographic):
        psr = psr_map(dem, window=window, max_colatitude_deg=30.0, envelope=envelope, min_distance_m=min_distance_m,
                      progress=lambda f, m: step(0.7 + 0.25 * f, m), horizon_mode=horizon_mode)
        if psr.psr.any():
            from scipy.ndimage import distance_transform_edt

            # map distance in pixels to the nearest PSR cell, converted with the local scale factor
            pixels = distance_transform_edt(~psr.psr)
            k = 1.0 / np.cos(np.radians(90.0 - np.abs(light.latitude_deg)) / 2.0) ** 2
            psr_km = pixels * dem.pixel_size_m / k / 1e3
    slopes = slope_map_deg(dem)[r0:r1, c0:c1]
    score = scales.score(light.sun_disk_visible_fraction, light.longest_dark_hours,
                         light.earth_center_visible_fraction, slopes, psr_km)
    # the search is a disc: the square window's corners (up to radius x sqrt 2 away) are left out
    from lunarops.illumination.functions import great_circle_distance_m

    lat_rad, lon_rad = np.radians(light.latitude_deg), np.radians(light.longitude_deg)
    center = np.radians([center_latitude_deg, center_longitude_deg])
    within = great_circle_distance_m(lat_rad, lon_rad, center[0], center[1]) <= radius_km * 1e3
    score = np.where(np.isfinite(light.sun_disk_visible_fraction) & within, score, -np.inf)
    chosen: list[RankedSite] = []
    order = np.argsort(-score, axis=None)
    for flat in order:
        if len(chosen) >= n_best or not np.isfinite(score.flat[flat]):
            break
        lat = float(light.latitude_deg.flat[flat])
        lon = float(light.longitude_deg.flat[flat]) % 360.0
        if any(_distance_km(lat, lon, s.latitude_deg, s.longitude_deg) < min_separation_km for s in chosen):
            continue
        chosen.append(RankedSite(
            f"cell {len(chosen) + 1}", lat, lon, float(light.sun_disk_visible_fraction.flat[flat]),
            float(light.longest_dark_hours.flat[flat]), float(light.earth_center_visible_fraction.flat[flat]),
            float(slopes.flat[flat]), float(psr_km.flat[flat]), float(score.flat[flat]),
            mast_height_m=float(mast_height_m),
            traverse=None if psr is None else psr_traverse(dem, psr, lat, lon, max_slope_deg),
        ))
    step(1.0, "search done")
    return SiteSearch(chosen, light, psr, slopes, score)


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    from lunarops.illumination.functions import great_circle_distance_m

    return float(great_circle_distance_m(*np.radians([lat1, lon1, lat2, lon2]))) / 1e3
