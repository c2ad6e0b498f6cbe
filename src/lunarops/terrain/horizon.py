"""Terrain horizons: elevation of the skyline versus azimuth, for one site or for every cell of a DEM region.

Conventions (also in docs/terrain.md):
- Azimuth [rad] from local north through east, n_azimuth equally spaced values starting at 0.
  Elevation [rad] above the observer's local horizontal plane, the plane normal to the observer's own radius
  vector (each cell's own local vertical in maps, not a map-wide "up").
- Observer: at the bilinearly interpolated DEM height at the site (in maps, the cell-centre height) plus
  ``height_above_ground_m`` (a mast).
- The Moon's curvature: exact 3-D geometry on the 1737.4 km sphere; each terrain point at radius R + h on the
  great circle through the site at that azimuth (see :mod:`lunarops.terrain._horizon_kernels`).
- Terrain closer than ``min_distance_m`` (default: one DEM pixel) is ignored, so the slope of the bilinear
  surface inside the observer's own pixel does not hide the sky.
- Rays are sampled along the great circle at distances growing from ``min_distance_m`` with steps that start at
  a fraction of a pixel and grow with distance up to a cap of at most one pixel (see ``MODES``), plus at every
  crossing of the ray with the grid lines of cell centres (the kinks of the bilinear surface), with bilinear
  interpolation of the DEM; a ray ends where it leaves the DEM (terrain beyond the DEM edge is not seen), at
  ``max_distance_m`` (default: the whole DEM), or where even the DEM's highest point could not rise above the
  horizon found so far; stretches inside blocks too low to reach the horizon are skipped (exact bounds, not
  approximations).
- A ray with no terrain sample (it leaves the DEM before ``min_distance_m``) gives -90 deg (nothing blocks).
- ``horizon_map(mode="sweep")`` (the default for whole maps on polar stereographic grids) computes the same
  quantities by line sweeps with upper convex hulls instead of per-cell rays: straight map lines instead of
  great circles beyond the 8-pixel near field, see :mod:`lunarops.terrain._horizon_sweep` and docs/terrain.md for the
  method and its measured accuracy. ``mode="sweep_fast"``: the same sweep with fewer bearings and lines, at a
  coarser documented accuracy (:mod:`lunarops.terrain._horizon_sweep_fast`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lunarops.checks import is_real_number
from lunarops.errors import InputError
from lunarops.memory import available_memory_bytes
from lunarops.terrain._horizon_kernels import (
    PROJ_EQUIRECT,
    PROJ_POLAR_NORTH,
    PROJ_POLAR_SOUTH,
    block_max,
    horizon_rays,
)
from lunarops.terrain._horizon_sweep import sweep_map
from lunarops.terrain._horizon_sweep_fast import fast_sweep_map
from lunarops.terrain.dem import Dem, check_scalar_deg
from lunarops.terrain.functions import FloatArray, local_north_east, unit_vector
from lunarops.terrain.georef import PolarStereographic

Progress = Callable[[float, str], None]

# Ray sampling per mode, in DEM pixels: (first step, growth of the step with distance, largest step).
MODES: dict[str, tuple[float, float, float]] = {
    "fast": (0.5, 0.1, 1.0),
    "accurate": (0.125, 0.02, 0.5),
}


@dataclass(frozen=True, eq=False)
class HorizonMask:
    """Horizon elevation versus azimuth at one observer.

    ``azimuth_rad`` (n,): increasing azimuths [rad] in [0, 2 pi) from north through east;
    ``elevation_rad`` (n,): elevation [rad] of the terrain skyline above the local horizontal at each azimuth.
    """

    azimuth_rad: NDArray[np.float64]
    elevation_rad: NDArray[np.float64]
    latitude_deg: float = math.nan
    longitude_deg: float = math.nan
    observer_height_m: float = math.nan
    """Observer height [m] above the 1737.4 km sphere (ground + mast)."""

    def __post_init__(self) -> None:
        az = np.asarray(self.azimuth_rad)
        el = np.asarray(self.elevation_rad)
        if az.ndim != 1 or el.shape != az.shape or az.size == 0:
            raise InputError(
                f"HorizonMask needs 1-D azimuth_rad and elevation_rad of equal non-zero length, got shapes "
                f"{az.shape} and {el.shape}"
            )
        if np.any(np.diff(az) <= 0) or az[0] < 0 or az[-1] >= 2 * np.pi:
            raise InputError("HorizonMask.azimuth_rad must increase strictly within [0, 2 pi); sort and wrap it")

    def __repr__(self) -> str:
        el = np.asarray(self.elevation_deg)
        finite = el[np.isfinite(el)]
        span = f"[{finite.min():.3f}..{finite.max():.3f}]" if finite.size else "[no finite values]"
        return (
            f"HorizonMask(lat={float(self.latitude_deg):.4f} deg, lon={float(self.longitude_deg):.4f} deg, "
            f"observer_height_m={float(self.observer_height_m):.1f}, n_azimuth={el.size}, elevation_deg={span})"
        )

    @property
    def azimuth_deg(self) -> FloatArray:
        """Azimuths [deg]."""
        return np.degrees(self.azimuth_rad)

    @property
    def elevation_deg(self) -> FloatArray:
        """Horizon elevations [deg]."""
        return np.degrees(self.elevation_rad)

    def elevation_at(self, azimuth_rad: ArrayLike) -> FloatArray:
        """Horizon elevation [rad] at azimuths [rad] (vectorized), linear interpolation, periodic in 2 pi.

        Radians in, radians out; azimuths from north through east, wrapped modulo 2 pi. InputError for an azimuth
        outside [-2 pi, 4 pi] (beyond any wrap a radian caller makes: most likely degrees); for azimuths and
        elevations in degrees (``SkyTrack.sun_azimuth_deg``, ``SiteLight``) use :meth:`elevation_deg_at`.
        NaN azimuths give NaN.
        """
        az = np.asarray(azimuth_rad, dtype=np.float64)
        outside = (az < -2 * np.pi) | (az > 4 * np.pi)  # NaN passes (gives NaN), +-inf does not
        if np.any(outside):
            bad = float(az[outside].flat[0])
            raise InputError(
                f"HorizonMask.elevation_at: azimuth {bad!r} is outside [-2 pi, 4 pi] rad; it takes radians: "
                "convert degrees with np.radians(...), or use elevation_deg_at(azimuth_deg) (degrees in and out)"
            )
        az = np.mod(az, 2 * np.pi)
        return np.asarray(np.interp(az, self.azimuth_rad, self.elevation_rad, period=2 * np.pi), dtype=np.float64)

    def elevation_deg_at(self, azimuth_deg: ArrayLike) -> FloatArray:
        """Horizon elevation [deg] at azimuths [deg] (vectorized): degrees in, degrees out.

        Azimuths from north through east (as ``lunarops.sky``'s ``sun_azimuth_deg``), any finite value, wrapped
        modulo 360; linear interpolation in azimuth, as :meth:`elevation_at` (its radian twin). NaN gives NaN;
        InputError for an infinite azimuth.
        """
        az = np.asarray(azimuth_deg, dtype=np.float64)
        if np.any(np.isinf(az)):
            raise InputError(
                f"HorizonMask.elevation_deg_at: azimuth {float(az[np.isinf(az)].flat[0])!r} deg is not finite; "
                "give azimuths in degrees from north through east"
            )
        return np.degrees(self.elevation_at(np.radians(np.mod(az, 360.0))))


def azimuth_grid_rad(n_azimuth: int) -> FloatArray:
    """The n_azimuth equally spaced azimuths [rad] used by horizon maps and masks: 2 pi k / n.

    InputError unless ``n_azimuth`` is an integer in [1, 100000]."""
    check_n_azimuth(n_azimuth)
    return np.arange(n_azimuth, dtype=np.float64) * (2 * np.pi / n_azimuth)


def _kernel_projection(dem: Dem) -> tuple[int, NDArray[np.float64]]:
    geo = dem.georeference
    if isinstance(geo, PolarStereographic):
        lon0 = math.radians(geo.central_longitude_deg)
        params = [
            geo.x_min_m,
            geo.y_max_m,
            geo.pixel_width_m,
            geo.pixel_height_m,
            2.0 * geo.radius_m * geo.scale_factor,
            math.cos(lon0),
            math.sin(lon0),
        ]
        return (PROJ_POLAR_SOUTH if geo.south else PROJ_POLAR_NORTH), np.array(params, dtype=np.float64)
    dlon = math.radians(geo.pixel_width_deg)
    params = [
        math.radians(geo.lon_min_deg),
        math.radians(geo.lat_max_deg),
        dlon,
        math.radians(geo.pixel_height_deg),
        2 * math.pi / dlon,
    ]
    return PROJ_EQUIRECT, np.array(params, dtype=np.float64)


def default_max_distance_m(dem: Dem) -> float:
    """The whole DEM: its diagonal (map metres for polar grids; great-circle bound for lon/lat grids) [m]."""
    ny, nx = dem.shape
    geo = dem.georeference
    if isinstance(geo, PolarStereographic):
        return float(math.hypot(ny * geo.pixel_height_m, nx * geo.pixel_width_m))
    if dem.wraps_longitude:
        return float(math.pi * dem.radius_m * 0.999)
    ang = math.radians(math.hypot(ny * geo.pixel_height_deg, nx * geo.pixel_width_deg))
    return float(min(ang, math.pi * 0.999) * dem.radius_m)


def ray_schedule_rad(
    pixel_size_m: float, radius_m: float, min_distance_m: float, max_distance_m: float, mode: str
) -> FloatArray:
    """Central angles [rad] of the samples along every ray: from min_distance_m, steps growing with distance."""
    first, growth, largest = MODES[mode]
    step_min = first * pixel_size_m
    step_max = largest * pixel_size_m
    out = []
    d = min_distance_m
    while d <= max_distance_m:
        out.append(d)
        d += min(max(growth * d, step_min), step_max)
    return np.asarray(out, dtype=np.float64) / radius_m


MAP_MODES = ("auto", "sweep", "sweep_fast", *MODES)
"""Modes of :func:`horizon_map`: the ray-casting ``MODES``, the line sweep, its coarse fast variant and the
automatic choice."""

AUTO_SWEEP_MIN_CELLS = 1_500
"""``mode="auto"`` uses the sweep for windows of at least this many cells (smaller ones are ray cast): the sweep
was 1.25-1.7x faster than "fast" ray casting at 1,600 cells and 0.5-0.7x at 400, on grids of 762 and 3812 cells a
side (docs/terrain.md)."""

SWEEP_LINES_PER_PIXEL = 3
"""Sweep lines per pixel across the sweep direction (a cell is at most 1/6 pixel from its nearer line)."""

SWEEP_NEAR_FIELD_PX = 8.0
"""Distance [px] up to which ``mode="sweep"`` follows each cell's own line exactly (no line offset)."""

SWEEP_NEAR_SAMPLES_PER_PX = 2
"""Near-field steps per pixel of ``mode="sweep"`` between the kinks of the bilinear surface."""

SWEEP_BULGE_TOL_M = 8.0
"""Largest height [m] by which the bilinear surface may bulge above the sampled profile along a sweep line
(the lines only serve terrain beyond the near field: 8 m at 8 px of 1.6 km is at most 0.036 deg)."""

SWEEP_FAST_BEARINGS = 90
"""Sweep bearings of ``mode="sweep_fast"`` (every 4 deg; horizons interpolated linearly between them)."""

SWEEP_FAST_NEAR_FIELD_PX = 6.0
"""Distance [px] up to which ``mode="sweep_fast"`` follows each cell's own line exactly."""

SWEEP_FAST_NEAR_SAMPLES_PER_PX = 1
"""Near-field steps per pixel of ``mode="sweep_fast"`` between the kinks of the bilinear surface."""


def sweep_supported(dem: Dem) -> bool:
    """True when ``mode="sweep"`` can run on this DEM: polar stereographic with square pixels."""
    geo = dem.georeference
    return isinstance(geo, PolarStereographic) and abs(geo.pixel_width_m - geo.pixel_height_m) <= 1e-9 * abs(
        geo.pixel_width_m
    )


LIGHT_MIN_N_AZIMUTH = 8
"""Fewest horizon azimuths for sunlight and Earth visibility (the scenario's minimum): the Sun's and Earth's
horizon is interpolated between them, and fewer would leave whole octants of the horizon unseen."""


def check_n_azimuth(n_azimuth: object, minimum: int = 1, name: str = "n_azimuth") -> None:
    """InputError unless ``n_azimuth`` is an integer in [``minimum``, 100000]; ``name``: the parameter or CLI
    option to name in the message."""
    ok = isinstance(n_azimuth, int | np.integer) and not isinstance(n_azimuth, bool)
    if not (ok and minimum <= int(n_azimuth) <= 100_000):  # type: ignore[call-overload]
        why = "" if minimum == 1 else " (the horizon is interpolated between them for the Sun and the Earth)"
        raise InputError(
            f"{name} = {n_azimuth!r} must be an integer in [{minimum}, 100000]{why}; 360 is the default"
        )


def _check_max_distance(max_distance_m: float | None, min_d: float, dem: Dem) -> float:
    """The rays' end [m]: ``max_distance_m``, or the whole DEM when None; InputError unless beyond ``min_d``."""
    if max_distance_m is None:
        max_d = default_max_distance_m(dem)
        if not max_d > min_d:
            raise InputError(
                f"min_distance_m = {min_d} m reaches beyond DEM '{dem.name}' (at most {max_d:.0f} m across it); "
                "give a smaller min_distance_m"
            )
        return max_d
    max_d = float(max_distance_m) if _is_real(max_distance_m) else math.nan
    if not (math.isfinite(max_d) and max_d > min_d):
        raise InputError(
            f"max_distance_m = {max_distance_m!r} must be finite and > min_distance_m = {min_d} [m]; "
            "omit it to use the whole DEM"
        )
    return max_d


def _is_real(value: object) -> bool:
    """True for a real number (int, float or numpy scalar; not a bool or a string)."""
    return is_real_number(value)


def _check_common(
    dem: Dem,
    height_above_ground_m: float,
    n_azimuth: int,
    min_distance_m: float | None,
    mode: str,
    modes: tuple[str, ...] = tuple(MODES),
) -> float:
    if not isinstance(dem, Dem):
        raise InputError(f"dem must be a lunarops.terrain.Dem (use load_dem), got {type(dem).__name__}")
    check_n_azimuth(n_azimuth)
    if not (_is_real(height_above_ground_m) and math.isfinite(height_above_ground_m)
            and 0.0 <= height_above_ground_m < 1e5):  # fmt: skip
        raise InputError(
            f"height_above_ground_m = {height_above_ground_m!r} must be one finite number, >= 0 and < 100 km [m]; use "
            "e.g. 2.0 (call once per height for several)"
        )
    if mode not in modes:
        raise InputError(f"mode = {mode!r} must be one of {', '.join(modes)}")
    if min_distance_m is None:
        return dem.pixel_size_m
    if not (_is_real(min_distance_m) and math.isfinite(min_distance_m) and min_distance_m > 0):
        raise InputError(f"min_distance_m = {min_distance_m!r} must be > 0 [m]; default is one DEM pixel")
    return float(min_distance_m)


BLOCKS = (8, 64)
"""Block sizes [px] of the two max-height levels used to skip ray stretches that cannot reach the horizon."""


def _prepared(dem: Dem) -> tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.float32], float]:
    """float32 heights, block maxima and the skip scale [rad per map pixel] (0: no skipping), cached per Dem."""
    cached = _PREPARED.get(id(dem))
    if cached is not None and cached[0] is dem:
        return cached[1]
    heights = np.ascontiguousarray(dem.heights_m, dtype=np.float32)
    geo = dem.georeference
    skip = 0.0
    if isinstance(geo, PolarStereographic):
        ny, nx = dem.shape
        xs = [geo.x_min_m, geo.x_min_m + nx * geo.pixel_width_m]
        ys = [geo.y_max_m, geo.y_max_m - ny * geo.pixel_height_m]
        rho_max = max(math.hypot(x, y) for x in xs for y in ys)
        k0 = geo.scale_factor
        k_max = k0 * (1.0 + (rho_max / (2.0 * geo.radius_m * k0)) ** 2)  # stereographic point scale bound
        skip = min(geo.pixel_width_m, geo.pixel_height_m) / (k_max * geo.radius_m) * 0.999
    prepared = (heights, block_max(heights, BLOCKS[0]), block_max(heights, BLOCKS[1]), skip)
    _PREPARED.clear()
    _PREPARED[id(dem)] = (dem, prepared)
    return prepared


_PREPARED: dict[int, tuple[Dem, tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.float32], float]]] = {}


def _run_kernel(
    dem: Dem,
    lat_deg: FloatArray,
    lon_deg: FloatArray,
    observer_radius_m: FloatArray,
    n_azimuth: int,
    s: FloatArray,
    out: NDArray[np.float32],
) -> None:
    proj, params = _kernel_projection(dem)
    lat = np.radians(lat_deg)
    lon = np.radians(lon_deg)
    unit = np.ascontiguousarray(unit_vector(lat, lon).T)
    north, east = local_north_east(lat, lon)
    az = azimuth_grid_rad(n_azimuth)
    heights, bmax1, bmax2, skip = _prepared(dem)
    r_max = dem.radius_m + float(np.nanmax(heights))
    horizon_rays(
        heights,
        bmax1,
        bmax2,
        BLOCKS[0],
        BLOCKS[1],
        skip,
        proj,
        params,
        dem.wraps_longitude,
        unit,
        np.ascontiguousarray(north.T),
        np.ascontiguousarray(east.T),
        np.ascontiguousarray(observer_radius_m, dtype=np.float64),
        np.cos(az),
        np.sin(az),
        np.cos(s),
        np.sin(s),
        s,
        dem.radius_m,
        r_max,
        out,
    )


def horizon_at_site(
    dem: Dem,
    latitude_deg: float,
    longitude_deg: float,
    height_above_ground_m: float = 0.0,
    n_azimuth: int = 360,
    min_distance_m: float | None = None,
    max_distance_m: float | None = None,
    mode: str = "accurate",
) -> HorizonMask:
    """Terrain horizon at one site [rad], observer at the bilinear DEM height + ``height_above_ground_m`` [m].

    ``min_distance_m`` (default one DEM pixel) [m]: nearer terrain is ignored. ``max_distance_m`` (default the
    whole DEM) [m]. Raises SiteError when the site is outside the DEM, InputError on bad arguments. See the
    module docstring for the conventions (exact curvature, local vertical, ray sampling).
    """
    min_d = _check_common(dem, height_above_ground_m, n_azimuth, min_distance_m, mode)
    max_d = _check_max_distance(max_distance_m, min_d, dem)
    check_scalar_deg(latitude_deg, "latitude_deg")
    check_scalar_deg(longitude_deg, "longitude_deg")
    ground = float(dem.height_at(latitude_deg, longitude_deg))
    s = ray_schedule_rad(dem.pixel_size_m, dem.radius_m, min_d, min(max_d, math.pi * dem.radius_m * 0.999), mode)
    out = np.empty((1, int(n_azimuth)), dtype=np.float32)
    _run_kernel(
        dem,
        np.array([float(latitude_deg)]),
        np.array([float(longitude_deg)]),
        np.array([dem.radius_m + ground + height_above_ground_m]),
        int(n_azimuth),
        s,
        out,
    )
    return HorizonMask(
        azimuth_grid_rad(int(n_azimuth)),
        out[0].astype(np.float64),
        float(latitude_deg),
        float(longitude_deg),
        ground + height_above_ground_m,
    )


def _check_out(out: object, shape: tuple[int, int, int]) -> None:
    """InputError unless ``out`` can take a horizon map of ``shape``."""
    if not isinstance(out, np.ndarray):
        raise InputError(f"out must be a numpy array of shape {shape} and dtype float32, got {type(out).__name__}")
    if out.dtype != np.float32:
        raise InputError(f"out has dtype {out.dtype}; it must be float32 (the dtype of horizon maps)")
    if out.shape != shape:
        raise InputError(f"out has shape {out.shape}; it must be {shape} (window rows, window columns, n_azimuth)")
    if not out.flags.c_contiguous or not out.flags.writeable:
        raise InputError("out must be a writeable C-contiguous array (e.g. from np.empty); got a view or read-only")


def check_window(dem: Dem, window: tuple[int, int, int, int] | None) -> tuple[int, int, int, int]:
    """The window (row0, row1, col0, col1) of a map of ``dem`` (None: the whole DEM), checked: InputError
    naming it and the DEM's shape unless 0 <= row0 < row1 <= ny and 0 <= col0 < col1 <= nx."""
    ny, nx = dem.shape
    try:
        row0, row1, col0, col1 = (_integer(v) for v in window) if window is not None else (0, ny, 0, nx)
    except (TypeError, ValueError):
        row0 = row1 = col0 = col1 = -1
    if not (0 <= row0 < row1 <= ny and 0 <= col0 < col1 <= nx):
        raise InputError(
            f"window = {window!r} must be (row0, row1, col0, col1) integers with 0 <= row0 < row1 <= {ny} and "
            f"0 <= col0 < col1 <= {nx} (DEM '{dem.name}' is {ny} x {nx})"
        )
    return row0, row1, col0, col1


def _integer(value: object) -> int:
    """``value`` as an int; TypeError unless it is an integer (not a float or a bool)."""
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return int(value)
    raise TypeError(f"{value!r} is not an integer")


def _check_memory(shape: tuple[int, int, int], window: tuple[int, int, int, int] | None) -> None:
    """InputError when a new map of ``shape`` (float32) would not fit in the memory available now (instead of a
    MemoryError, or the process killed by the system part-way through a long run). ``MemAvailable`` counts
    neither swap nor a container's memory limit (not visible in /proc/meminfo), so in a container the check can
    pass and the process still run out of memory."""
    n_bytes = math.prod(shape) * 4
    available = available_memory_bytes()
    if available is not None and n_bytes > available:
        what = "the whole DEM" if window is None else f"window = {window!r}"
        raise InputError(
            f"a horizon map of {what} ({shape[0]} x {shape[1]} cells x {shape[2]} azimuths) needs "
            f"{n_bytes / 1e6:,.0f} MB, more than the {available / 1e6:,.0f} MB of memory available; compute it in "
            "windows of rows (lunarops.illumination.maps.horizon_tiles does, for light and PSR maps), with fewer "
            "azimuths, or into an existing array (out=..., e.g. a numpy.memmap on disk)"
        )


def horizon_map(
    dem: Dem,
    height_above_ground_m: float = 0.0,
    n_azimuth: int = 360,
    min_distance_m: float | None = None,
    window: tuple[int, int, int, int] | None = None,
    mode: str = "auto",
    progress: Progress | None = None,
    max_distance_m: float | None = None,
    tile_rows: int = 16,
    out: NDArray[np.float32] | None = None,
) -> NDArray[np.float32]:
    """Horizon elevation [rad] of every cell of a DEM region, shape (ny, nx, n_azimuth) float32.

    ``window`` = (row0, row1, col0, col1) (half-open, default the whole DEM) selects the observer cells; rays
    still use the whole DEM. Observer at each cell centre: the cell's height + ``height_above_ground_m`` [m];
    each cell's own local vertical. Azimuths: :func:`azimuth_grid_rad` (n_azimuth). ``mode``: "fast" or
    "accurate" (per-cell ray casting, see ``MODES``), "sweep" (line sweep with upper convex hulls, polar
    stereographic DEMs with square pixels only, no ``max_distance_m``; see
    :mod:`lunarops.terrain._horizon_sweep` and docs/terrain.md), "sweep_fast" (the same sweep with less work
    per cell at a coarser accuracy, same restrictions; :mod:`lunarops.terrain._horizon_sweep_fast`; never
    chosen by "auto"), or "auto" (default: "sweep" where it applies
    and the window has at least ``AUTO_SWEEP_MIN_CELLS`` cells, else "fast"). ``progress(fraction, message)``
    is called after each tile of ``tile_rows`` rows (sweep: after each sweep direction; sweep_fast: after each
    block of directions). No-data cells give NaN.

    ``out``: an existing C-contiguous float32 array of the result's shape (window rows, window columns,
    n_azimuth) to write into and return (InputError otherwise); repeated maps (several mast heights, scenario
    sweeps) then reuse its memory instead of a new 1.44 kB per cell whose first touch costs page faults
    (the sweeps and ray casting write into it directly).
    """
    min_d = _check_common(dem, height_above_ground_m, n_azimuth, min_distance_m, mode, MAP_MODES)
    row0, row1, col0, col1 = check_window(dem, window)
    if not (isinstance(tile_rows, int | np.integer) and not isinstance(tile_rows, bool) and tile_rows >= 1):
        raise InputError(f"tile_rows = {tile_rows!r} must be an integer >= 1 (rows per ray-casting tile); default 16")
    shape = (row1 - row0, col1 - col0, int(n_azimuth))
    if out is not None:
        _check_out(out, shape)
    else:
        _check_memory(shape, window)
    if mode == "auto":
        big = (row1 - row0) * (col1 - col0) >= AUTO_SWEEP_MIN_CELLS
        mode = "sweep" if big and sweep_supported(dem) and max_distance_m is None else "fast"
    if mode in ("sweep", "sweep_fast"):
        swept = _sweep(dem, height_above_ground_m, int(n_azimuth), min_d, (row0, row1, col0, col1), max_distance_m,
                       progress, fast=mode == "sweep_fast", out=out)  # fmt: skip
        if out is not None and swept is not out:
            out[...] = swept
            return out
        return swept
    max_d = _check_max_distance(max_distance_m, min_d, dem)
    s = ray_schedule_rad(dem.pixel_size_m, dem.radius_m, min_d, min(max_d, math.pi * dem.radius_m * 0.999), mode)
    n_az = int(n_azimuth)
    if out is None:
        result = np.full((row1 - row0, col1 - col0, n_az), np.nan, dtype=np.float32)
    else:
        result = out
        result.fill(np.nan)
    cols = np.arange(col0, col1)
    tile_rows = int(tile_rows)
    buffer = np.empty(((min(tile_rows, row1 - row0)) * (col1 - col0), n_az), dtype=np.float32)
    for start in range(row0, row1, tile_rows):
        stop = min(start + tile_rows, row1)
        rr, cc = np.meshgrid(np.arange(start, stop), cols, indexing="ij")
        ground = np.asarray(dem.heights_m[rr, cc], dtype=np.float64).ravel()
        valid = np.isfinite(ground)
        lat, lon = dem.rowcol_to_latlon(rr.ravel()[valid], cc.ravel()[valid])
        n = int(valid.sum())
        if n:
            out = buffer[:n]
            _run_kernel(dem, lat, lon, dem.radius_m + ground[valid] + height_above_ground_m, n_az, s, out)
            tile = result[start - row0 : stop - row0].reshape(-1, n_az)
            tile[valid] = out
        if progress is not None:
            progress((stop - row0) / (row1 - row0), f"horizon rows {stop - row0}/{row1 - row0}")
    return result


def _sweep(
    dem: Dem,
    height_above_ground_m: float,
    n_azimuth: int,
    min_d: float,
    window: tuple[int, int, int, int],
    max_distance_m: float | None,
    progress: Progress | None,
    fast: bool = False,
    out: NDArray[np.float32] | None = None,
) -> NDArray[np.float32]:
    geo = dem.georeference
    name = "sweep_fast" if fast else "sweep"
    if not sweep_supported(dem) or not isinstance(geo, PolarStereographic):
        raise InputError(
            f"mode = '{name}' needs a polar stereographic DEM with square pixels; DEM '{dem.name}' has a "
            f"{geo.kind} grid; use mode='fast' or 'accurate'"
        )
    if max_distance_m is not None:
        raise InputError(
            f"max_distance_m = {max_distance_m!r} is not supported by mode = '{name}' (its rays always run to the "
            "DEM edge); drop max_distance_m or use mode='fast' or 'accurate'"
        )
    if fast and min(dem.shape) < 2:
        raise InputError(
            f"mode = 'sweep_fast' needs a DEM of at least 2 x 2 cells; DEM '{dem.name}' is {dem.shape}; use "
            "mode='fast' or 'accurate'"
        )
    k0 = geo.scale_factor
    params = np.array(
        [geo.x_min_m, geo.y_max_m, geo.pixel_width_m, k0, 1.0 / (4.0 * geo.radius_m**2 * k0**2)], dtype=np.float64
    )
    heights, _, _, _ = _prepared(dem)
    mast_m = float(height_above_ground_m)
    grid_and_observer = (heights, geo.south, params, dem.radius_m, mast_m, n_azimuth, min_d, window)
    if fast:
        return fast_sweep_map(
            *grid_and_observer,
            n_bearings=SWEEP_FAST_BEARINGS,
            near_field_px=SWEEP_FAST_NEAR_FIELD_PX,
            near_samples_per_px=SWEEP_FAST_NEAR_SAMPLES_PER_PX,
            progress=progress,
            result=out,
        )
    return sweep_map(
        *grid_and_observer,
        # at least 360 sweep bearings: a cell's horizon at an azimuth is interpolated between two of them
        directions_per_azimuth=max(1, math.ceil(360 / n_azimuth)),
        lines_per_pixel=SWEEP_LINES_PER_PIXEL,
        near_field_px=SWEEP_NEAR_FIELD_PX,
        near_samples_per_px=SWEEP_NEAR_SAMPLES_PER_PX,
        bulge_tol_m=SWEEP_BULGE_TOL_M,
        progress=progress,
        result=out,
    )
