"""Drivable traverses to the nearest PSR (lunarops.terrain.traverse, used by illumination.ranking).

Synthetic DEMs: a 41 x 41 south polar stereographic grid of 1000 m cells centred on the pole (cell (20, 20) is
the pole), so the point scale k = 1 + (rho / 2R)^2 differs from 1 by less than (29 km / 3475 km)^2 = 7e-5 over
the grid: hand-computed lengths in cells times 1000 m hold to 1e-4 (the tolerance used, relative).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from lunarops.errors import InputError
from lunarops.terrain import Dem, PolarStereographic
from lunarops.terrain.traverse import NO_TARGET, UNREACHABLE, check_max_slope_deg, traverse_to_targets

N = 41
PIXEL_M = 1000.0
WINDOW = (0, N, 0, N)
OCTILE_BOUND = 1.0 / math.cos(math.radians(22.5)) - 1.0  # 0.0824: 8-connected moves vs the straight line


def _grid(heights: np.ndarray) -> Dem:
    geo = PolarStereographic(True, -N * PIXEL_M / 2, N * PIXEL_M / 2, PIXEL_M, PIXEL_M)
    return Dem(heights.astype(np.float64), geo, "synthetic")


def _site(dem: Dem, row: int, col: int) -> tuple[float, float]:
    lat, lon = dem.rowcol_to_latlon(row, col)
    return float(lat), float(lon)


def _great_circle_km(dem: Dem, a: tuple[float, float], row: int, col: int) -> float:
    b = _site(dem, row, col)
    la1, lo1, la2, lo2 = (math.radians(v) for v in (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * dem.radius_m * math.asin(math.sqrt(h)) / 1e3


def test_flat_plane_traverse_is_the_straight_line_within_the_octile_bound() -> None:
    dem = _grid(np.zeros((N, N)))
    targets = np.zeros((N, N), dtype=bool)
    targets[33, 37] = True  # 13 rows, 17 columns from the site: 22.5 deg is not a move direction
    site = _site(dem, 20, 20)
    result = traverse_to_targets(dem, WINDOW, targets, *site)
    straight_km = _great_circle_km(dem, site, 33, 37)
    # expected: the octile distance 4 + 13 sqrt 2 cells (17 - 13 straight, 13 diagonal) = 22.385 km, between
    # the straight line (sqrt(13^2 + 17^2) = 21.401 km) and 1.0824 times it
    assert result.distance_km == pytest.approx((4 + 13 * math.sqrt(2)) * PIXEL_M / 1e3, rel=1e-4)
    assert straight_km <= result.distance_km <= (1 + OCTILE_BOUND) * straight_km
    assert straight_km == pytest.approx(math.hypot(13, 17), rel=1e-4)
    assert result.max_slope_deg == 0.0  # a flat plane
    assert result.path_latlon_deg[0] == pytest.approx([site[0], site[1] % 360.0])
    assert result.n_cells == 18  # 17 moves


def test_a_wall_steeper_than_the_limit_forces_a_detour_through_its_gap() -> None:
    heights = np.zeros((N, N))
    heights[:35, 20] = 1000.0  # a 1 km wall on column 20, rows 0..34: 45 deg against its 1 km cells
    dem = _grid(heights)
    targets = np.zeros((N, N), dtype=bool)
    targets[:, 30] = True  # the PSR: all of column 30
    site = _site(dem, 20, 10)
    blocked = traverse_to_targets(dem, WINDOW, targets, *site, max_slope_deg=20.0)
    # by hand, in cells: the path must cross column 20 in the gap (rows 35..40). Site (20, 10) -> (35, 20):
    # 15 rows and 10 columns = 10 diagonal + 5 straight moves = 5 + 10 sqrt 2; then 10 columns east to
    # column 30 (10 straight moves). Total 15 + 10 sqrt 2 = 29.142 km (straight line: 20 km)
    assert blocked.distance_km == pytest.approx((15 + 10 * math.sqrt(2)) * PIXEL_M / 1e3, rel=1e-4)
    assert blocked.max_slope_deg == 0.0
    assert all(row >= 35 for row, col in _rowcols(dem, blocked) if col == 20)
    # allowing 50 deg, the rover climbs the 45 deg wall: 9 + 9 flat cells and 2 edges sqrt(1^2 + 1^2) km each
    over = traverse_to_targets(dem, WINDOW, targets, *site, max_slope_deg=50.0)
    assert over.distance_km == pytest.approx((18 + 2 * math.sqrt(2)) * PIXEL_M / 1e3, rel=1e-4)
    assert over.max_slope_deg == pytest.approx(45.0, abs=0.01)  # atan(1000 m / 1000 m)


def test_no_psr_reachable_gives_a_clear_none() -> None:
    heights = np.zeros((N, N))
    heights[:, 20] = 1000.0  # the wall closes the whole window
    dem = _grid(heights)
    targets = np.zeros((N, N), dtype=bool)
    targets[:, 30] = True
    site = _site(dem, 20, 10)
    none = traverse_to_targets(dem, WINDOW, targets, *site)
    assert math.isinf(none.distance_km) and math.isnan(none.max_slope_deg)
    assert none.status == UNREACHABLE == "none reachable within the window"
    assert not none.reachable and none.path_latlon_deg.shape == (0, 2)
    empty = traverse_to_targets(dem, WINDOW, np.zeros((N, N), dtype=bool), *site)
    assert math.isinf(empty.distance_km) and empty.status == NO_TARGET


def test_site_on_a_psr_cell_and_bad_input() -> None:
    dem = _grid(np.zeros((N, N)))
    targets = np.zeros((N, N), dtype=bool)
    targets[20, 10] = True
    on = traverse_to_targets(dem, WINDOW, targets, *_site(dem, 20, 10))
    assert on.distance_km == pytest.approx(0.0, abs=1e-9) and on.max_slope_deg == 0.0 and on.reachable
    for bad in (0, 90, math.nan, "20", True):
        with pytest.raises(InputError, match="must be a slope limit in"):
            check_max_slope_deg(bad)
    with pytest.raises(InputError, match="window's shape"):
        traverse_to_targets(dem, WINDOW, np.zeros((3, 3), dtype=bool), *_site(dem, 20, 10))


def _rowcols(dem: Dem, traverse) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    rows, cols = dem.latlon_to_rowcol(traverse.path_latlon_deg[:, 0], traverse.path_latlon_deg[:, 1])
    return [(round(float(r)), round(float(c))) for r, c in zip(rows, cols, strict=True)]


SOUTH_DEM = Path(__file__).resolve().parents[2] / "src/lunarops/data/terrain/lola_dem_south.npz"


@pytest.mark.skipif(not SOUTH_DEM.exists(), reason=f"shipped south DEM {SOUTH_DEM} is absent")
def test_connecting_ridge_traverse_on_the_south_dem() -> None:
    from lunarops.illumination.maps import window_around
    from lunarops.illumination.psr import sun_envelope
    from lunarops.illumination.ranking import psr_access
    from lunarops.illumination.site import resolve_terrain

    dem = resolve_terrain("south")
    assert dem is not None
    lat, lon, radius_km = -89.45, 222.69, 40.0  # Connecting Ridge (docs/illumination.md); the default PSR radius
    envelope = sun_envelope(True)
    access = psr_access(dem, lat, lon, radius_km, envelope, None, "sweep_fast", max_slope_deg=20.0)
    # one PSR map for both distances: the map's window is the search window around the site
    assert access.psr is not None
    assert access.psr.window == window_around(dem, lat, lon, radius_km * 1e3)
    assert access.psr_distance_km == pytest.approx(access.psr.distance_km(lat, lon))
    traverse = access.traverse
    assert traverse is not None and traverse.reachable
    assert access.psr_distance_km <= traverse.distance_km <= radius_km
    assert traverse.max_slope_deg <= 20.0
    # measured (session 15, sweep_fast and auto horizons agree; docs/illumination.md "Traverses to the nearest
    # PSR"): straight line 12.101 km, drive 13.641 km over 8 cells with a 19.09 deg steepest edge
    assert access.psr_distance_km == pytest.approx(12.101, abs=0.01)
    assert traverse.distance_km == pytest.approx(13.641, abs=0.01)
    assert traverse.max_slope_deg == pytest.approx(19.09, abs=0.05)
    # a 15 deg limit (a more cautious rover) detours: 17.405 km (measured session 15); never shorter than at 20
    from lunarops.illumination.ranking import psr_traverse

    cautious = psr_traverse(dem, access.psr, lat, lon, 15.0)
    assert cautious.distance_km == pytest.approx(17.405, abs=0.01) and cautious.max_slope_deg <= 15.0
    print(f"Connecting Ridge: straight {access.psr_distance_km:.3f} km, traverse {traverse.distance_km:.3f} km, "
          f"max slope {traverse.max_slope_deg:.2f} deg, {traverse.n_cells} cells")


def test_a_window_too_large_for_the_graph_is_refused() -> None:
    # 2001 x 2001 cells > MAX_WINDOW_CELLS (4,000,000): refused with the fix before the graph is built (a 4000 x
    # 4000 window would need about 4 GB: review of session 15 measured 1.03 GB peak for 2000 x 2000)
    size = 2001
    geo = PolarStereographic(True, -size * 10.0, size * 10.0, 20.0, 20.0)
    dem = Dem(np.zeros((size, size)), geo, "big")
    targets = np.zeros((size, size), dtype=bool)
    targets[-1, -1] = True
    lat, lon = dem.rowcol_to_latlon(5, 5)
    with pytest.raises(InputError, match=r"4,004,001 cells, more than 4,000,000.*search_radius_km"):
        traverse_to_targets(dem, (0, size, 0, size), targets, float(lat), float(lon))


def test_psr_regions_near_connecting_ridge() -> None:
    """The PSR regions of Connecting Ridge's 40 km window (sweep_fast horizons, as above): they partition the PSR
    cells (areas and cells add up to the map's), the nearest region's distance is the map's nearest-cell
    distance (12.1 km, above), and one region is Shackleton's floor: its area-weighted centroid lies within one
    1.6 km pixel of the crater's centre, 89.67 S 129.78 E (../shared/data/README.md's check of the south DEM;
    IAU Gazetteer of Planetary Nomenclature: 89.67 S, 129.78 E)."""
    from lunarops.illumination.functions import great_circle_distance_m
    from lunarops.illumination.psr import sun_envelope
    from lunarops.illumination.ranking import psr_access
    from lunarops.illumination.site import resolve_terrain

    dem = resolve_terrain("south")
    assert dem is not None
    lat, lon = -89.45, 222.69
    access = psr_access(dem, lat, lon, 40.0, sun_envelope(True), None, "sweep_fast", max_slope_deg=20.0)
    assert access.psr is not None
    regions = access.psr.regions(lat, lon)
    assert sum(r.cells for r in regions) == int(access.psr.psr.sum())
    assert sum(r.area_km2 for r in regions) == pytest.approx(access.psr.area_km2, rel=1e-12)
    assert regions[0].distance_km == pytest.approx(access.psr_distance_km, abs=1e-9)
    assert [r.distance_km for r in regions] == sorted(r.distance_km for r in regions)
    shackleton = min(
        regions,
        key=lambda r: great_circle_distance_m(
            math.radians(-89.67), math.radians(129.78),
            math.radians(r.centroid_latitude_deg), math.radians(r.centroid_longitude_deg),
        ),
    )
    offset_m = great_circle_distance_m(
        math.radians(-89.67), math.radians(129.78),
        math.radians(shackleton.centroid_latitude_deg), math.radians(shackleton.centroid_longitude_deg),
    )
    assert offset_m < dem.pixel_size_m
    assert not shackleton.touches_window_edge and shackleton.cells > 10
    by_area = access.psr.regions()
    assert [r.area_km2 for r in by_area] == sorted((r.area_km2 for r in by_area), reverse=True)
    assert all(math.isnan(r.distance_km) for r in by_area)
