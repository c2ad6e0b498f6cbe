"""Drivable traverses: the shortest path over a polar DEM that never climbs or descends steeper than a limit.

Graph: the cells of a window of a polar stereographic DEM, each joined to its 8 neighbours (cell centre to cell
centre). An edge's horizontal ground distance is its map length divided by the polar stereographic point scale
``k = k0 / cos^2(colat / 2)`` at the edge's midpoint (Snyder 1987, USGS PP 1395, eq. 21-4); its cost is the 3-D
length ``sqrt(ground^2 + dh^2)`` with ``dh`` the height difference of the two cells; an edge whose slope
``atan(|dh| / ground)`` exceeds ``max_slope_deg`` is left out (undrivable both ways). The shortest path from the
site's cell to any target cell is found with Dijkstra's algorithm (``scipy.sparse.csgraph.dijkstra``); the leg
from the site itself to its cell centre (at most half a cell diagonal) is added as a great-circle distance
combined with the height difference (its slope is not checked).

Limits (docs/illumination.md, "Traverses to the nearest PSR"):

- 8-connected moves: on flat ground the path is at most ``1 / cos(22.5 deg) - 1 = 8.2 %`` longer than the
  straight line (moves are multiples of 45 deg; the worst direction is 22.5 deg off a move).
- On a coarse DEM (1.6 km for the shipped polar DEMs) slopes are averages over one-cell baselines; local slopes
  (crater walls, boulders) are steeper, and smaller detours are not seen, so the distance is a lower bound and
  "reachable" is optimistic.
- Paths stay inside the window: a detour leaving it is not found (reported as none reachable).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from lunarops.checks import is_real_number
from lunarops.errors import InputError, SiteError
from lunarops.numformat import format_lat_lon
from lunarops.terrain.dem import Dem
from lunarops.terrain.functions import FloatArray
from lunarops.terrain.georef import PolarStereographic

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

DEFAULT_MAX_SLOPE_DEG = 20.0
"""Default slope limit [deg]: below the Apollo LRV's ~25 deg (docs/illumination.md), a margin for DEM smoothing."""
MAX_PATH_POINTS = 200
"""Paths returned as latitude/longitude points are thinned to at most this many points (ends kept)."""
IntArray = NDArray[np.integer]
#: The largest traverse window [cells]: 2000 x 2000 (a 40 km radius at 20 m per pixel is 4000 x 4000: too many)
MAX_WINDOW_CELLS = 4_000_000
EdgeSlopes = Callable[[IntArray, IntArray, IntArray, IntArray], FloatArray]
REACHED = "reached"
NO_TARGET = "no target cell within the window"
UNREACHABLE = "none reachable within the window"

# the 4 forward neighbour offsets (row, col); with their opposites they make the 8 neighbours
_OFFSETS = ((0, 1), (1, 0), (1, 1), (1, -1))


@dataclass(frozen=True)
class Traverse:
    """The shortest drivable path from a site to the nearest target cell (a PSR)."""

    distance_km: float
    """3-D path length [km]; inf when no target is reachable within the window."""
    max_slope_deg: float
    """Steepest edge of the path [deg] (NaN when none reachable; 0 when the site's cell is a target)."""
    status: str
    """``reached``, ``none reachable within the window`` or ``no target cell within the window``."""
    path_latlon_deg: FloatArray = field(default_factory=lambda: np.zeros((0, 2)))
    """(n, 2) latitude, east longitude [deg] of the path's cell centres, site first, thinned to at most
    :data:`MAX_PATH_POINTS` points (ends kept); empty when none reachable."""
    n_cells: int = 0
    """Number of cells on the full (unthinned) path."""

    @property
    def reachable(self) -> bool:
        """True when a target cell was reached."""
        return self.status == REACHED

    def as_dict(self, with_path: bool = True) -> dict[str, object]:
        """JSON-able dict (inf and NaN stay floats; the JSON writer prints them as null)."""
        out: dict[str, object] = {
            "psr_traverse_km": self.distance_km,
            "psr_traverse_max_slope_deg": self.max_slope_deg,
            "psr_traverse_status": self.status,
        }
        if with_path:
            out["psr_traverse_path"] = [[float(a), float(b)] for a, b in self.path_latlon_deg]
        return out


def check_max_slope_deg(value: object, name: str = "max_slope_deg") -> float:
    """``value`` as a slope limit [deg]; InputError unless a finite number in (0, 90)."""
    if not (is_real_number(value) and math.isfinite(value) and 0 < value < 90):  # type: ignore[operator, arg-type]
        raise InputError(
            f"{name} = {value!r} must be a slope limit in (0, 90) [deg], e.g. {DEFAULT_MAX_SLOPE_DEG:g} (the default)"
        )
    return float(value)  # type: ignore[arg-type]


def traverse_to_targets(
    dem: Dem,
    window: tuple[int, int, int, int],
    targets: NDArray[np.bool_],
    latitude_deg: float,
    longitude_deg: float,
    max_slope_deg: float = DEFAULT_MAX_SLOPE_DEG,
) -> Traverse:
    """The shortest drivable path (module docstring) from a site to the nearest ``targets`` cell.

    ``window``: (row0, row1, col0, col1) of a polar stereographic ``dem``; ``targets``: bool mask of the window's
    shape (e.g. :attr:`lunarops.illumination.psr.PsrMap.psr`). The site must lie inside the window."""
    geo = dem.georeference
    if not isinstance(geo, PolarStereographic):
        raise InputError(
            f"traverses need a polar stereographic DEM ('south', 'north' or a polar file); '{dem.name}' is not one"
        )
    max_slope_deg = check_max_slope_deg(max_slope_deg)
    from lunarops.terrain.horizon import check_window

    r0, r1, c0, c1 = check_window(dem, window)
    mask = np.asarray(targets)
    if mask.shape != (r1 - r0, c1 - c0) or mask.dtype != np.bool_:
        raise InputError(
            f"targets must be a bool array of the window's shape {(r1 - r0, c1 - c0)}, got {mask.dtype} {mask.shape}"
        )
    row_f, col_f = (float(v) for v in dem.latlon_to_rowcol(latitude_deg, longitude_deg))
    row, col = round(row_f) - r0, round(col_f) - c0
    ny, nx = mask.shape
    if not (0 <= row < ny and 0 <= col < nx):
        raise SiteError(
            f"site ({format_lat_lon(latitude_deg, longitude_deg)}) is outside the traverse window {window} of DEM "
            f"'{dem.name}'"
        )
    if ny * nx > MAX_WINDOW_CELLS:
        raise InputError(
            f"the traverse window {window} of DEM '{dem.name}' has {ny * nx:,} cells, more than {MAX_WINDOW_CELLS:,} "
            "(about 200 B of graph per cell); search a smaller radius around the site (terrain.psr.search_radius_km, "
            "--psr-radius-km) or use a coarser DEM"
        )
    heights = np.asarray(dem.heights_m[r0:r1, c0:c1], dtype=np.float64)
    if not math.isfinite(heights[row, col]):
        where = format_lat_lon(latitude_deg, longitude_deg)
        raise SiteError(f"site ({where}) is on a no-data cell of DEM '{dem.name}'")
    if not mask.any():
        return Traverse(math.inf, math.nan, NO_TARGET)
    start = row * nx + col
    lead_m = _lead_m(dem, latitude_deg, longitude_deg, row + r0, col + c0)
    if mask[row, col]:
        lat, lon = dem.rowcol_to_latlon(row + r0, col + c0)
        return Traverse(lead_m / 1e3, 0.0, REACHED, np.array([[float(lat), float(lon) % 360.0]]), 1)
    graph, slope_of = _graph(geo, heights, r0, c0, max_slope_deg)
    from scipy.sparse.csgraph import dijkstra

    dist, pred = dijkstra(graph, directed=False, indices=start, return_predecessors=True)
    dist_t = np.where(mask.ravel(), dist, np.inf)
    end = int(np.argmin(dist_t))
    if not math.isfinite(dist_t[end]):
        return Traverse(math.inf, math.nan, UNREACHABLE)
    nodes = [end]
    while nodes[-1] != start:
        nodes.append(int(pred[nodes[-1]]))
    path = np.array(nodes[::-1])
    pr, pc = np.divmod(path, nx)
    slopes = slope_of(pr[:-1], pc[:-1], pr[1:], pc[1:])
    keep = np.unique(np.linspace(0, path.size - 1, min(path.size, MAX_PATH_POINTS)).round().astype(np.int64))
    lat, lon = dem.rowcol_to_latlon(pr[keep] + r0, pc[keep] + c0)
    return Traverse(
        (float(dist_t[end]) + lead_m) / 1e3,
        float(slopes.max()) if slopes.size else 0.0,
        REACHED,
        np.column_stack([lat, np.mod(lon, 360.0)]),
        int(path.size),
    )


def _lead_m(dem: Dem, latitude_deg: float, longitude_deg: float, row: int, col: int) -> float:
    """3-D distance [m] from the site (bilinear height) to the centre of its cell (the cell's height)."""
    lat, lon = dem.rowcol_to_latlon(row, col)
    a1, o1, a2, o2 = (math.radians(float(v)) for v in (latitude_deg, longitude_deg, lat, lon))
    h = math.sin((a2 - a1) / 2) ** 2 + math.cos(a1) * math.cos(a2) * math.sin((o2 - o1) / 2) ** 2
    ground = 2.0 * dem.radius_m * math.asin(math.sqrt(min(max(h, 0.0), 1.0)))
    dh = float(dem.heights_m[row, col]) - float(dem.height_at(latitude_deg, longitude_deg))
    return math.hypot(ground, dh) if math.isfinite(dh) else ground


def _point_scale(geo: PolarStereographic, row: FloatArray, col: FloatArray) -> FloatArray:
    """Polar stereographic point scale ``k0 / cos^2(colat / 2) = k0 (1 + (rho / (2 R k0))^2)`` at (row, col)."""
    x, y = geo.rowcol_to_xy(row, col)
    t = np.hypot(x, y) / (2.0 * geo.radius_m * geo.scale_factor)  # tan(colat / 2)
    return np.asarray(geo.scale_factor * (1.0 + t * t))


def _graph(
    geo: PolarStereographic, heights: FloatArray, r0: int, c0: int, max_slope_deg: float
) -> tuple[csr_matrix, EdgeSlopes]:
    """The window's drivable edges as an upper-triangular CSR matrix of 3-D lengths [m], and a function giving
    the slope [deg] of the edges between cells (r_a, c_a) and (r_b, c_b) of the window."""
    from scipy.sparse import coo_matrix

    ny, nx = heights.shape
    tan_max = math.tan(math.radians(max_slope_deg))

    def edge(ra: IntArray, ca: IntArray, rb: IntArray, cb: IntArray) -> tuple[FloatArray, FloatArray]:
        map_m = np.hypot((rb - ra) * geo.pixel_height_m, (cb - ca) * geo.pixel_width_m)
        k = _point_scale(geo, (ra + rb) / 2.0 + r0, (ca + cb) / 2.0 + c0)
        ground = map_m / k
        dh = heights[rb, cb] - heights[ra, ca]
        return ground, dh

    rows_a, rows_b, costs = [], [], []
    for dr, dc in _OFFSETS:  # cell indices in int32 (a window has at most MAX_WINDOW_CELLS)
        grid_r, grid_c = np.meshgrid(
            np.arange(0, ny - dr, dtype=np.int32), np.arange(max(0, -dc), nx - max(0, dc), dtype=np.int32),
            indexing="ij",
        )
        ra, ca = grid_r.ravel(), grid_c.ravel()
        del grid_r, grid_c
        rb, cb = ra + dr, ca + dc
        ground, dh = edge(ra, ca, rb, cb)
        ok = np.isfinite(dh) & (np.abs(dh) <= tan_max * ground)
        rows_a.append(ra[ok] * np.int32(nx) + ca[ok])
        rows_b.append(rb[ok] * np.int32(nx) + cb[ok])
        costs.append(np.hypot(ground[ok], dh[ok]))
    n = ny * nx
    edges = (np.concatenate(costs), (np.concatenate(rows_a), np.concatenate(rows_b)))
    graph = coo_matrix(edges, shape=(n, n)).tocsr()

    def slope_of(ra: IntArray, ca: IntArray, rb: IntArray, cb: IntArray) -> FloatArray:
        ground, dh = edge(ra, ca, rb, cb)
        return np.asarray(np.degrees(np.arctan2(np.abs(dh), ground)))

    return graph, slope_of
