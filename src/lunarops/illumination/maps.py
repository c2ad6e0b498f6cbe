"""Sunlight and Earth visibility over a DEM region: percent-of-time-lit and Earth-visibility maps.

Each cell's horizon comes from :func:`lunarops.terrain.horizon_map` (:func:`horizon_tiles`: the line sweep where it
applies, over the whole window or bands of rows whose horizons fit in memory, else row tiles by ray casting); the
Sun's direction in the Moon ME frame is one series for all cells (a cell's parallax from the Moon's centre is
2.4 arcsec), the Earth's is taken from each cell's own position (parallax up to 0.26 deg). Positions are
DE421 geometric; the light-time and aberration terms (about 20 arcsec for the Sun) are below the 1 deg
azimuth step of the horizons. The numba kernels are in :mod:`lunarops.illumination.functions`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from skyfield.timelib import Time

from lunarops.constants import SUN_RADIUS_M
from lunarops.ephemeris import MoonEphemeris, default_ephemeris
from lunarops.errors import InputError, SiteError
from lunarops.illumination.functions import (
    local_basis_me,
    point_source_map_kernel,
    sun_map_kernel,
)
from lunarops.illumination.site import check_dem, check_site_numbers
from lunarops.illumination.timegrid import check_time_grid, is_real, shown
from lunarops.memory import available_memory_bytes
from lunarops.numformat import format_lat_lon
from lunarops.terrain import Dem, horizon_map
from lunarops.terrain.dem import SHIPPED_DEMS_HINT
from lunarops.terrain.horizon import (
    AUTO_SWEEP_MIN_CELLS,
    LIGHT_MIN_N_AZIMUTH,
    check_n_azimuth,
    check_window,
    sweep_supported,
)

FloatArray = NDArray[np.float64]
Progress = Callable[[float, str], None]
Window = tuple[int, int, int, int]


#: Largest horizon array [bytes] of one sweep where the memory available is unknown; else half of it, and at least
#: ``MIN_SWEEP_HORIZON_BYTES`` (:func:`sweep_horizon_bytes`).
MAX_WINDOW_HORIZON_BYTES = 2 * 1024**3
MIN_SWEEP_HORIZON_BYTES = 64 * 1024**2
#: ``mode="auto"`` ray-casts a window that would need more bands than this: K bands cost about (K + 1) / 2 sweeps of
#: the window, and ray casting a window big enough to need bands cost 32-43x one sweep (docs/terrain.md).
MAX_AUTO_SWEEP_BANDS = 32
#: Share of a map's progress given to the line sweep when it computes the window's horizons at once.
SWEEP_PROGRESS_SHARE = 0.8
#: Horizon modes that sweep whole lines, so a window is computed at once rather than per tile of rows.
SWEEP_MODES = ("sweep", "sweep_fast")
#: Rows of cells per horizon tile by default (:func:`horizon_tiles`).
DEFAULT_TILE_ROWS = 32


def check_tile_rows(tile_rows: object) -> int:
    """``tile_rows`` when it is an integer >= 1; else InputError."""
    if not (isinstance(tile_rows, int | np.integer) and not isinstance(tile_rows, bool) and tile_rows >= 1):
        raise InputError(
            f"tile_rows = {shown(tile_rows)} must be an integer >= 1 (rows of cells per horizon tile); "
            f"{DEFAULT_TILE_ROWS} is the default"
        )
    return int(tile_rows)


def horizon_tiles(
    dem: Dem,
    mast_height_m: float,
    n_azimuth: int,
    min_distance_m: float | None,
    window: Window,
    tile_rows: int,
    mode: str = "auto",
    progress: Progress | None = None,
) -> Iterator[tuple[int, int, NDArray[np.float32], float]]:
    """Yields (start row, stop row, horizons (cells, n_azimuth) [rad], fraction of the work done after this tile)
    over ``window`` in tiles of ``tile_rows`` rows.

    ``mode="auto"``: the line sweep when :func:`lunarops.terrain.horizon_map` would choose it (polar grid, at least
    ``AUTO_SWEEP_MIN_CELLS`` cells; about 3x faster than ray casting on the 80-90 S window of the 1.6 km DEM, 32x
    on a 1700 x 1700 window of a grid of the 240 m product's size, docs/terrain.md), else each tile by fast ray
    casting. ``mode="sweep"`` or ``"sweep_fast"``: that sweep. "fast" / "accurate": ray casting per tile.

    A sweep covers the whole window at once, or, when its horizon array would exceed :func:`sweep_horizon_bytes`,
    bands of rows that fit (each band sweeps every line that crosses it, so fewer, bigger bands cost less; K bands
    cost about (K + 1) / 2 sweeps of the window; "auto" ray-casts beyond ``MAX_AUTO_SWEEP_BANDS``). Besides its
    horizons, a sweep holds 16 bytes per cell of the whole grid (the heights in four layouts) and about 90 bytes
    per cell of its band (150 for ``"sweep"`` at 360 or more azimuths). ``progress`` gets the sweeps' progress
    (their share of the work) when a sweep runs.
    InputError for a window outside the DEM."""
    r0, r1, c0, c1 = check_window(dem, window)  # before any band is swept
    check_n_azimuth(n_azimuth, LIGHT_MIN_N_AZIMUTH)
    tile_rows = check_tile_rows(tile_rows)
    cells = (r1 - r0) * (c1 - c0)
    band_rows = max(1, min(r1 - r0, sweep_horizon_bytes() // ((c1 - c0) * n_azimuth * 4)))
    n_bands = math.ceil((r1 - r0) / band_rows)
    auto_sweep = mode == "auto" and sweep_supported(dem) and cells >= AUTO_SWEEP_MIN_CELLS
    auto_sweep = auto_sweep and n_bands <= MAX_AUTO_SWEEP_BANDS
    if not (auto_sweep or mode in SWEEP_MODES):
        for start in range(r0, r1, tile_rows):
            stop = min(start + tile_rows, r1)
            tile_mode = "fast" if mode == "auto" else mode
            horizons = horizon_map(dem, mast_height_m, n_azimuth, min_distance_m, (start, stop, c0, c1), tile_mode)
            yield start, stop, horizons.reshape(-1, n_azimuth), (stop - r0) / (r1 - r0)
        return
    sweep_mode = "sweep" if mode == "auto" else mode
    banded = n_bands > 1
    for b0 in range(r0, r1, band_rows):
        b1 = min(b0 + band_rows, r1)
        before = (b0 - r0) / (r1 - r0)  # work done before this band, as a fraction of the window's rows
        share = (b1 - b0) / (r1 - r0)
        sweep_progress = None
        if progress is not None:
            sweep_progress = functools.partial(_band_progress, progress, before, share * SWEEP_PROGRESS_SHARE)
        band = horizon_map(dem, mast_height_m, n_azimuth, min_distance_m, (b0, b1, c0, c1), sweep_mode, sweep_progress)
        for start in range(b0, b1, tile_rows):
            stop = min(start + tile_rows, b1)
            done = before + share * (SWEEP_PROGRESS_SHARE + (1.0 - SWEEP_PROGRESS_SHARE) * (stop - b0) / (b1 - b0))
            tile = band[start - b0 : stop - b0].reshape(-1, n_azimuth)
            # in bands, tiles are copies, so that a band's memory is freed before the next band is swept
            yield start, stop, tile.copy() if banded else tile, done
        del band, tile  # the tile view would keep the band alive


def sweep_horizon_bytes() -> int:
    """Largest horizon array [bytes] of one sweep: half the memory available now (at least
    ``MIN_SWEEP_HORIZON_BYTES``), or ``MAX_WINDOW_HORIZON_BYTES`` where that is unknown."""
    available = available_memory_bytes()
    if available is None:
        return MAX_WINDOW_HORIZON_BYTES
    return max(MIN_SWEEP_HORIZON_BYTES, available // 2)


def _band_progress(progress: Progress, before: float, share: float, fraction: float, message: str) -> None:
    """A band sweep's progress ``fraction`` of its own work, reported as a fraction of the whole window's."""
    progress(before + share * fraction, message)


def sun_directions_me(t: Time, ephemeris: MoonEphemeris | None = None) -> tuple[FloatArray, FloatArray]:
    """(unit vectors to the Sun from the Moon's centre in ME, (n, 3); true angular radius [rad], (n,))."""
    eph = ephemeris or default_ephemeris()
    sun = np.atleast_2d(eph.position_wrt_moon_me_m("sun", t).T)
    distance = np.linalg.norm(sun, axis=1)
    return np.ascontiguousarray(sun / distance[:, None]), np.arcsin(SUN_RADIUS_M / distance)


def window_around(dem: Dem, latitude_deg: float, longitude_deg: float, half_size_m: float) -> Window:
    """(row0, row1, col0, col1) of the cells within ``half_size_m`` [m] (map distance) of a site."""
    check_dem(dem, optional=False)
    check_site_numbers(latitude_deg, longitude_deg)
    if not bool(np.all(dem.contains(latitude_deg, longitude_deg))):
        raise SiteError(
            f"site ({format_lat_lon(latitude_deg, longitude_deg)}) is outside DEM '{dem.name}'; pick a site inside "
            "it or "
            f"use a DEM that covers it: {SHIPPED_DEMS_HINT}"
        )
    if not (is_real(half_size_m) and math.isfinite(half_size_m) and half_size_m > 0):
        raise InputError(f"map half size = {shown(half_size_m)} m must be > 0")
    row, col = (float(v) for v in dem.latlon_to_rowcol(latitude_deg, longitude_deg))
    half = max(1, math.ceil(half_size_m / dem.pixel_size_m))
    ny, nx = dem.shape
    return (max(0, round(row) - half), min(ny, round(row) + half + 1),
            max(0, round(col) - half), min(nx, round(col) + half + 1))


def cell_frames(dem: Dem, window: Window, height_above_ground_m: float) -> tuple[FloatArray, ...]:
    """Per-cell (lat_deg, lon_deg, up, east, north, position_m) over a window, flattened row-major."""
    r0, r1, c0, c1 = window
    rows, cols = np.meshgrid(np.arange(r0, r1), np.arange(c0, c1), indexing="ij")
    lat, lon = dem.rowcol_to_latlon(rows.ravel().astype(float), cols.ravel().astype(float))
    up, east, north = local_basis_me(np.radians(lat), np.radians(lon))
    ground = np.asarray(dem.heights_m[r0:r1, c0:c1], dtype=np.float64).ravel()
    position = up * (dem.radius_m + np.nan_to_num(ground) + height_above_ground_m)[:, None]
    return lat, lon, up, east, north, position


LIGHT_MAP_NAMES = (
    "sun_disk_visible_fraction",
    "sun_center_visible_fraction",
    "longest_dark_hours",
    "earth_center_visible_fraction",
    "longest_earth_absence_hours",
)
"""The maps of a :class:`LightMap` (the names :meth:`LightMap.value_at` takes)."""


@dataclass(frozen=True, eq=False)
class LightMap:
    """Light and Earth visibility of every cell of a DEM window; maps are (ny, nx), NaN on no-data cells.

    Each cell's values are for an observer at the cell centre's DEM height plus ``mast_height_m``, with the cell
    centre's horizon: a site inside the cell but off its centre sits at another height and sees another horizon,
    so :func:`lunarops.illumination.site_light` there can differ (e.g. Connecting Ridge, January 2030, 10 m mast:
    0.819 from the map, 0.923 from site_light). See docs/illumination.md.
    """

    dem_name: str
    window: Window
    latitude_deg: FloatArray
    longitude_deg: FloatArray
    mast_height_m: float
    step_s: float
    n_samples: int
    sun_disk_visible_fraction: FloatArray
    sun_center_visible_fraction: FloatArray
    longest_dark_hours: FloatArray
    earth_center_visible_fraction: FloatArray
    longest_earth_absence_hours: FloatArray

    def __repr__(self) -> str:
        ny, nx = np.shape(self.sun_disk_visible_fraction)
        return (
            f"LightMap(dem={self.dem_name!r}, window={tuple(self.window)}, shape=({ny}, {nx}), "
            f"mast_height_m={self.mast_height_m:g}, step_s={self.step_s:g}, n_samples={self.n_samples})"
        )

    def value_at(self, name: str, latitude_deg: float, longitude_deg: float, dem: Dem) -> float:
        """The map ``name`` (one of ``LIGHT_MAP_NAMES``) at the cell containing a site (nearest cell centre).

        The value is the cell's: for the cell centre's DEM height plus ``mast_height_m`` and the cell centre's
        horizon, not for the site's own position inside the cell, so it can differ from
        :func:`lunarops.illumination.site_light` at the site (e.g. Connecting Ridge, January 2030, 10 m mast:
        0.819 from the map, 0.923 from site_light); see docs/illumination.md. InputError for an unknown
        ``name``; SiteError for a site outside the map's window.
        """
        if not isinstance(name, str) or name not in LIGHT_MAP_NAMES:
            raise InputError(
                f"LightMap.value_at: unknown map name {name!r}; choose one of {', '.join(LIGHT_MAP_NAMES)}"
            )
        row, col = (round(float(v)) for v in dem.latlon_to_rowcol(latitude_deg, longitude_deg))
        r0, r1, c0, c1 = self.window
        if not (r0 <= row < r1 and c0 <= col < c1):
            where = format_lat_lon(latitude_deg, longitude_deg)
            raise SiteError(f"site ({where}) is outside the map window {self.window}")
        return float(getattr(self, name)[row - r0, col - c0])


def light_map(
    dem: Dem,
    t: Time,
    step_s: float,
    window: Window | None = None,
    mast_height_m: float = 0.0,
    min_distance_m: float | None = None,
    n_azimuth: int = 360,
    earth: bool = True,
    progress: Progress | None = None,
    ephemeris: MoonEphemeris | None = None,
    tile_rows: int = DEFAULT_TILE_ROWS,
    horizon_mode: str = "auto",
) -> LightMap:
    """Percent-of-time-lit (mean visible solar-disk fraction), Sun-centre, longest-darkness and Earth-centre
    maps over ``window`` (row0, row1, col0, col1; default the whole DEM) at ``mast_height_m`` [m] over each cell.

    ``progress(fraction, message)`` is called after each tile of rows (horizons are most of the time).
    ``horizon_mode``: see :func:`horizon_tiles` ("auto": the line sweep for big polar windows, else ray casting).
    ``t`` must be uniformly spaced by ``step_s`` (:func:`lunarops.illumination.timegrid.period_times`).
    """
    check_dem(dem, optional=False)
    step_s = check_time_grid(t, step_s)
    r0, r1, c0, c1 = check_window(dem, window)
    if not (is_real(mast_height_m) and math.isfinite(mast_height_m) and 0 <= mast_height_m < 1e5):
        raise InputError(f"mast_height_m = {shown(mast_height_m)} must be finite, >= 0 and < 100 km [m]; e.g. 2.0")
    check_n_azimuth(n_azimuth, LIGHT_MIN_N_AZIMUTH)
    check_tile_rows(tile_rows)
    eph = ephemeris or default_ephemeris()
    sun_unit, sun_radius = sun_directions_me(t, eph)
    earth_m = np.ascontiguousarray(np.atleast_2d(eph.position_wrt_moon_me_m("earth", t).T)) if earth else None
    shape = (r1 - r0, c1 - c0)
    maps = {name: np.full(shape, np.nan) for name in ("disk", "center", "dark", "earth", "absence")}
    tiles = horizon_tiles(dem, mast_height_m, n_azimuth, min_distance_m, (r0, r1, c0, c1), tile_rows,
                          horizon_mode, progress)  # fmt: skip
    for start, stop, horizons, done in tiles:
        tile: Window = (start, stop, c0, c1)
        _, _, up, east, north, position = cell_frames(dem, tile, mast_height_m)
        valid = np.all(np.isfinite(horizons), axis=1)
        h = np.ascontiguousarray(horizons[valid])
        u, e, n = (np.ascontiguousarray(a[valid]) for a in (up, east, north))
        rows = slice(start - r0, stop - r0)
        disk, center, dark = sun_map_kernel(h, u, e, n, sun_unit, sun_radius)
        _scatter(maps["disk"], rows, valid, disk)
        _scatter(maps["center"], rows, valid, center)
        _scatter(maps["dark"], rows, valid, dark * (step_s / 3600.0))
        if earth_m is not None:
            seen, hidden = point_source_map_kernel(h, np.ascontiguousarray(position[valid]), u, e, n, earth_m)
            _scatter(maps["earth"], rows, valid, seen)
            _scatter(maps["absence"], rows, valid, hidden * (step_s / 3600.0))
        if progress is not None:
            progress(done, f"light map rows {stop - r0}/{r1 - r0}")
    rows_idx, cols_idx = np.meshgrid(np.arange(r0, r1), np.arange(c0, c1), indexing="ij")
    lat, lon = dem.rowcol_to_latlon(rows_idx.astype(float), cols_idx.astype(float))
    return LightMap(
        dem_name=dem.name,
        window=(r0, r1, c0, c1),
        latitude_deg=lat,
        longitude_deg=lon,
        mast_height_m=float(mast_height_m),
        step_s=float(step_s),
        n_samples=int(sun_unit.shape[0]),
        sun_disk_visible_fraction=maps["disk"],
        sun_center_visible_fraction=maps["center"],
        longest_dark_hours=maps["dark"],
        earth_center_visible_fraction=maps["earth"],
        longest_earth_absence_hours=maps["absence"],
    )


def _scatter(target: FloatArray, rows: slice, valid: NDArray[np.bool_], values: NDArray[np.generic]) -> None:
    block = target[rows]
    flat = block.reshape(-1)
    flat[valid] = values
    target[rows] = flat.reshape(block.shape)
