"""Bad input to the lunarops.terrain Python API: a named InputError / SiteError / DataError, never a raw
numpy / Key / Attribute / Type / ZeroDivision / FileNotFound error or a silently wrong result."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tifffile

from lunarops.errors import DataError, InputError, SiteError
from lunarops.terrain import (
    Dem,
    Equirectangular,
    PolarStereographic,
    azimuth_grid_rad,
    horizon_at_site,
    horizon_map,
    load_basemap,
    load_dem,
    read_npz,
    save_npz,
)

SITE = (-89.45, 222.69)
WINDOW = (370, 373, 370, 373)


@pytest.fixture(scope="module")
def south() -> Dem:
    return load_dem("south")


def _small(south: Dem) -> Dem:
    return south.subset(370, 380, 370, 380)


# --- azimuth_grid_rad ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, -3, 2.5, "360", None, True])
def test_azimuth_grid_rejects_bad_counts(n: Any) -> None:
    with pytest.raises(InputError, match=r"n_azimuth = .* must be an integer in \[1, 100000\]"):
        azimuth_grid_rad(n)


def test_azimuth_grid_valid_is_unchanged() -> None:
    az = azimuth_grid_rad(4)
    assert np.array_equal(az, np.arange(4, dtype=np.float64) * (2 * np.pi / 4))
    assert azimuth_grid_rad(np.int64(360)).shape == (360,)


# --- Dem.window_around ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("half", [-1000.0, 0.0, math.nan, math.inf, "5000", None])
def test_window_around_rejects_bad_half_size(south: Dem, half: Any) -> None:
    with pytest.raises(InputError, match=r"half_size_m = .* must be a finite distance > 0"):
        south.window_around(*SITE, half)


@pytest.mark.parametrize(
    ("lat", "lon", "message"),
    [
        (np.array([-89.45, -89.0]), 222.69, "latitude_deg = .* must be one number"),
        ("-89.45", 222.69, "latitude_deg = '-89.45' must be one number"),
        (-89.45, None, "longitude_deg = None must be one number"),
        (-95.0, 222.69, r"latitude -95.0 deg is not a finite value in \[-90, 90\]"),
        (10.0, 0.0, "outside DEM 'south'"),
    ],
)
def test_window_around_rejects_bad_sites(south: Dem, lat: Any, lon: Any, message: str) -> None:
    with pytest.raises(SiteError, match=message):
        south.window_around(lat, lon, 5000.0)


def test_window_around_valid(south: Dem) -> None:
    window = south.window_around(*SITE, 5000.0)
    assert window.shape == (10, 10)  # ceil(5000 / 1600) = 4 cells each side of the site's cell
    assert window.window_around(*SITE, 1.0).shape[0] >= 2


# --- load_dem ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, 5, "", "   ", ["south"]])
def test_load_dem_rejects_non_names(value: Any) -> None:
    with pytest.raises(InputError, match=r"must be a shipped DEM name \(south, north, global\) or a path"):
        load_dem(value)


def test_load_dem_accepts_names_and_paths(south: Dem, tmp_path: Path) -> None:
    assert south.shape == (762, 762)
    save_npz(_small(south), tmp_path / "piece.npz")
    assert load_dem(tmp_path / "piece.npz").shape == (10, 10)
    assert load_dem(str(tmp_path / "piece.npz")).shape == (10, 10)


# --- .npz + .json files ---------------------------------------------------------------------------------------


def _write_pair(tmp_path: Path, south: Dem, edit: Any) -> Path:
    path = tmp_path / "dem.npz"
    save_npz(_small(south), path)
    meta_path = path.with_suffix(".json")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta_path.write_text(json.dumps(edit(meta)), encoding="utf-8")
    return path


def _drop(key: str) -> Any:
    return lambda meta: {k: v for k, v in meta.items() if k != key}


def _geo(field: str, value: Any) -> Any:
    def edit(meta: dict[str, Any]) -> dict[str, Any]:
        meta["georeference"][field] = value
        return meta

    return edit


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_drop("georeference"), r"dem\.json: field 'georeference' is missing"),
        (_drop("shape"), r"dem\.json: field 'shape' is missing"),
        (lambda meta: [meta], r"dem\.json: holds a JSON list"),
        (_geo("pixel_width_m", -1600.0), r"dem\.json: georeference field PolarStereographic\.pixel_width_m = -1600"),
        (_geo("pixel_width_m", math.nan), r"dem\.json: georeference field PolarStereographic\.pixel_width_m = nan"),
        (_geo("pixel_height_m", 0), r"dem\.json: georeference field PolarStereographic\.pixel_height_m = 0 "),
        (_geo("radius_m", "1737400"), r"dem\.json: georeference field PolarStereographic\.radius_m = '1737400'"),
        (_geo("south", "yes"), r"dem\.json: georeference field PolarStereographic\.south = 'yes'"),
        (_geo("x_min_m", None), r"dem\.json: georeference field PolarStereographic\.x_min_m = None"),
        (_geo("kind", "mercator"), r"dem\.json: georeference kind 'mercator' is unknown"),
        (lambda meta: {**meta, "georeference": "polar"}, r"dem\.json: malformed georeference"),
    ],
)
def test_corrupt_npz_sidecar_is_a_named_data_error(south: Dem, tmp_path: Path, edit: Any, message: str) -> None:
    path = _write_pair(tmp_path, south, edit)
    with pytest.raises(DataError, match=message):
        load_dem(path)
    with pytest.raises(DataError, match=message):
        read_npz(path)


def test_npz_round_trip_is_exact(south: Dem, tmp_path: Path) -> None:
    piece = _small(south)
    path = tmp_path / "deep" / "er" / "piece.npz"  # missing parent directories are created
    save_npz(piece, path)
    back = read_npz(path)
    assert np.array_equal(back.heights_m, piece.heights_m, equal_nan=True)
    assert back.georeference == piece.georeference
    assert sorted(p.name for p in path.parent.iterdir()) == ["piece.json", "piece.npz"]  # no temporary files


# --- save_npz -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dem", "name", "message"),
    [
        ("south", "x.npz", r"dem must be a lunarops\.terrain\.Dem .*got str"),
        (None, "x.npz", r"dem must be a lunarops\.terrain\.Dem .*got NoneType"),
        ("DEM", "x.dem", r"path = '.*x\.dem' must end in \.npz"),
        ("DEM", None, r"path = None must be a file path ending in \.npz"),
    ],
)
def test_save_npz_rejects_bad_arguments(south: Dem, tmp_path: Path, dem: Any, name: Any, message: str) -> None:
    target = tmp_path / name if name is not None else None
    with pytest.raises(InputError, match=message):
        save_npz(_small(south) if dem == "DEM" else dem, target)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_save_npz_unwritable_path_is_named(south: Dem, tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory", encoding="utf-8")
    with pytest.raises(InputError, match=r"cannot write the DEM to '.*a_file/x\.npz' .*choose a writable path"):
        save_npz(_small(south), blocker / "x.npz")


# --- georeference classes and Dem construction -----------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"pixel_width_m": 0.0}, r"PolarStereographic\.pixel_width_m = 0\.0 must be a finite cell size > 0"),
        ({"pixel_width_m": -100.0}, r"PolarStereographic\.pixel_width_m = -100\.0"),
        ({"pixel_height_m": math.nan}, r"PolarStereographic\.pixel_height_m = nan"),
        ({"x_min_m": math.inf}, r"PolarStereographic\.x_min_m = inf must be a finite map coordinate"),
        ({"radius_m": 0.0}, r"PolarStereographic\.radius_m = 0\.0 must be a finite sphere radius > 0"),
        ({"scale_factor": -1.0}, r"PolarStereographic\.scale_factor = -1\.0"),
        ({"central_longitude_deg": math.nan}, r"PolarStereographic\.central_longitude_deg = nan"),
        ({"south": "south"}, r"PolarStereographic\.south = 'south' must be True \(south pole\) or False"),
    ],
)
def test_polar_stereographic_validates_fields(kwargs: dict[str, Any], message: str) -> None:
    fields: dict[str, Any] = {"south": True, "x_min_m": 0.0, "y_max_m": 0.0, "pixel_width_m": 100.0,
                              "pixel_height_m": 100.0} | kwargs  # fmt: skip
    with pytest.raises(InputError, match=message):
        PolarStereographic(**fields)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lat_max_deg": 100.0}, r"Equirectangular\.lat_max_deg = 100\.0 must be the north edge of row 0"),
        ({"lat_max_deg": 90.6}, r"Equirectangular\.lat_max_deg = 90\.6 .* centre must lie within \[-90, 90\]"),
        ({"lat_max_deg": -90.0}, r"Equirectangular\.lat_max_deg = -90\.0"),
        ({"pixel_width_deg": 0.0}, r"Equirectangular\.pixel_width_deg = 0\.0 must be a cell width in \(0, 360\]"),
        ({"pixel_height_deg": -1.0}, r"Equirectangular\.pixel_height_deg = -1\.0"),
        ({"ncols": 0}, r"Equirectangular\.ncols = 0 must be an integer >= 1"),
        ({"ncols": 10.0}, r"Equirectangular\.ncols = 10\.0 must be an integer >= 1"),
        ({"lon_min_deg": math.nan}, r"Equirectangular\.lon_min_deg = nan"),
        ({"radius_m": -5.0}, r"Equirectangular\.radius_m = -5\.0"),
    ],
)
def test_equirectangular_validates_fields(kwargs: dict[str, Any], message: str) -> None:
    fields: dict[str, Any] = {"lon_min_deg": 0.0, "lat_max_deg": 90.0, "pixel_width_deg": 1.0,
                              "pixel_height_deg": 1.0, "ncols": 10} | kwargs  # fmt: skip
    with pytest.raises(InputError, match=message):
        Equirectangular(**fields)


def test_valid_georeferences_still_build(south: Dem) -> None:
    geo = Equirectangular(-180.0, 90.0, 0.25, 0.25, 1440)
    assert geo.wraps
    # registered on cell centres (PixelIsPoint, GMT gridline): row 0 centred on the pole, its edge at 90.5
    assert Equirectangular(-180.5, 90.5, 1.0, 1.0, 360).rowcol_to_latlon(0, 180)[0] == 90.0


def test_pixel_is_point_global_geotiff_loads(tmp_path: Path) -> None:
    # a 181 x 360 global grid registered on cell centres (GeoTIFF 1.1 raster type PixelIsPoint, OGC 19-008r4
    # 7.1.5): row 0 lies on the north pole, its north edge half a cell beyond; refused by a check of the edge
    radius = 1_737_400.0
    keys = (1, 1, 0, 4, 1024, 0, 1, 2, 1025, 0, 1, 2, 2057, 34736, 1, 0, 2058, 34736, 1, 1)
    path = tmp_path / "gridline.tif"
    tifffile.imwrite(
        path, np.zeros((181, 360), dtype=np.float32),
        extratags=[(33550, "d", 3, (1.0, 1.0, 0.0), True), (33922, "d", 6, (0, 0, 0, -180.0, 90.0, 0), True),
                   (34735, "H", len(keys), keys, True), (34736, "d", 2, (radius, radius), True)],
    )  # fmt: skip
    dem = load_dem(str(path))
    assert dem.georeference.lat_max_deg == pytest.approx(90.5)
    assert dem.height_at(-89.0, 10.0) == 0.0
    assert Equirectangular(0.0, 90.0, 1.0, 1.0, np.int64(10)).ncols == 10
    assert PolarStereographic(np.bool_(True), 0, 0, 100, 100).nominal_pixel_size_m == 100.0
    assert load_dem("global").wraps_longitude


@pytest.mark.parametrize(
    ("heights", "geo", "message"),
    [
        (np.zeros((0, 0)), "polar", r"Dem\.heights_m must be 2-D, got shape \(0, 0\)"),
        (np.zeros((3, 0)), "polar", r"Dem\.heights_m must be 2-D, got shape \(3, 0\)"),
        (np.zeros(5), "polar", r"Dem\.heights_m must be 2-D, got shape \(5,\)"),
        ([[1.0, 2.0], [3.0, 4.0]], "polar", r"Dem\.heights_m must be a 2-D numpy array .*got list"),
        (np.array([["a", "b"]]), "polar", r"Dem\.heights_m must be a 2-D numpy array .*dtype <U1"),
        (np.zeros((2, 2)), None, r"Dem\.georeference must be a PolarStereographic or Equirectangular, got NoneType"),
        (np.zeros((2, 3)), "equi", r"Dem\.georeference\.ncols = 10 differs from the 3 columns"),
    ],
)
def test_dem_construction_is_checked(south: Dem, heights: Any, geo: Any, message: str) -> None:
    georef = {"polar": south.georeference, "equi": Equirectangular(0.0, 90.0, 1.0, 1.0, 10), None: None}[geo]
    with pytest.raises(InputError, match=message):
        Dem(heights, georef)  # type: ignore[arg-type]


def test_dem_accepts_valid_grids(south: Dem) -> None:
    assert Dem(np.zeros((1, 4)), south.georeference).shape == (1, 4)
    assert Dem(np.zeros((2, 3), dtype=np.int16), Equirectangular(0.0, 90.0, 1.0, 1.0, 3)).shape == (2, 3)


# --- Dem methods ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon", "message"),
    [
        ("x", 0.0, "latitude = 'x' must be a number or an array of numbers"),
        (-89.0, "east", "longitude = 'east' must be a number"),
        (-89.0, None, "longitude = None must be a number"),
        ([[-89.0], [-89.0, -88.0]], 0.0, "latitude = .* must be a number"),
        (np.array([-89.0, -88.0]), np.array([0.0, 1.0, 2.0]), r"latitude shape \(2,\) and longitude shape \(3,\)"),
        (-91.0, 0.0, r"latitude -91.0 deg is not a finite value in \[-90, 90\]"),
        (math.nan, 0.0, "latitude nan deg"),
        (-89.0, math.inf, "longitude inf deg must be a finite east longitude"),
    ],
)
@pytest.mark.parametrize("method", ["height_at", "latlon_to_rowcol"])
def test_latlon_methods_reject_bad_points(south: Dem, method: str, lat: Any, lon: Any, message: str) -> None:
    with pytest.raises(SiteError, match=message):
        getattr(south, method)(lat, lon)


def test_latlon_methods_valid(south: Dem) -> None:
    row, col = south.latlon_to_rowcol(np.array([-89.45, -88.0]), 222.69)
    assert row.shape == col.shape == (2,)
    assert np.all(np.isfinite(south.height_at([-89.45, -88.0], [222.69, 10.0])))
    assert float(south.height_at(np.float32(-89.5), 0)) == float(south.height_at(-89.5, 0.0))
    assert not bool(south.contains(-91.0, 0.0))  # contains answers False, it does not raise
    assert not bool(south.contains(math.nan, 0.0))
    with pytest.raises(SiteError, match="latitude = 'x'"):
        south.contains("x", 0.0)


@pytest.mark.parametrize(
    "indices", [(1.5, 10, 0, 10), (0, 10.0, 0, 10), (0, 10, "0", 10), (0, 10, 0, None), (True, 10, 0, 10)]
)
def test_subset_needs_integer_indices(south: Dem, indices: Any) -> None:
    with pytest.raises(InputError, match=r"window \(row0=.*\) must be integer cell indices; use 0 <= row0 < row1"):
        south.subset(*indices)


def test_subset_out_of_range_message_kept(south: Dem) -> None:
    with pytest.raises(SiteError, match=r"\(row0=0, row1=800, col0=0, col1=10\) is not inside DEM 'south'.*<= 762"):
        south.subset(0, 800, 0, 10)
    assert south.subset(np.int64(0), np.int64(5), 0, 5).shape == (5, 5)


# --- horizon_at_site / horizon_map -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"latitude_deg": np.array([-89.45, -89.0])}, SiteError, r"latitude_deg = array\(.*must be one number"),
        ({"latitude_deg": "-89.45"}, SiteError, "latitude_deg = '-89.45' must be one number"),
        ({"longitude_deg": [222.69]}, SiteError, r"longitude_deg = \[222.69\] must be one number"),
        ({"height_above_ground_m": "2"}, InputError, "height_above_ground_m = '2' must be one finite number"),
        ({"min_distance_m": "100"}, InputError, "min_distance_m = '100' must be > 0"),
        ({"max_distance_m": "5e4"}, InputError, "max_distance_m = '5e4' must be finite"),
    ],
)
def test_horizon_at_site_rejects_bad_arguments(south: Dem, kwargs: dict[str, Any], error: type, message: str) -> None:
    args: dict[str, Any] = {"latitude_deg": SITE[0], "longitude_deg": SITE[1], "n_azimuth": 8} | kwargs
    with pytest.raises(error, match=message):
        horizon_at_site(south, **args)


def test_horizon_at_site_accepts_numpy_scalars(south: Dem) -> None:
    plain = horizon_at_site(south, *SITE, n_azimuth=16, mode="fast")
    numpy = horizon_at_site(south, np.float64(SITE[0]), np.array(SITE[1]), n_azimuth=np.int64(16), mode="fast")
    assert np.array_equal(plain.elevation_rad, numpy.elevation_rad)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"window": (370.5, 373, 370, 373)}, r"window = \(370.5, 373, 370, 373\) must be \(row0, .*\) integers"),
        ({"window": (370, 373, 370, "373")}, "window = .* integers with 0 <= row0"),
        ({"window": (True, 373, 370, 373)}, "window = .* integers"),
        ({"tile_rows": 0}, "tile_rows = 0 must be an integer >= 1"),
        ({"tile_rows": -1}, "tile_rows = -1 must be an integer >= 1"),
        ({"tile_rows": 2.5}, "tile_rows = 2.5 must be an integer >= 1"),
        ({"tile_rows": None}, "tile_rows = None must be an integer >= 1"),
    ],
)
def test_horizon_map_rejects_bad_window_and_tiles(south: Dem, kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"window": WINDOW, "n_azimuth": 8, "mode": "fast"} | kwargs
    with pytest.raises(InputError, match=message):
        horizon_map(south, **args)


def test_horizon_map_valid_tiles_agree(south: Dem) -> None:
    one = horizon_map(south, n_azimuth=8, window=WINDOW, mode="fast", tile_rows=1)
    many = horizon_map(south, n_azimuth=8, window=(np.int64(370), 373, 370, 373), mode="fast", tile_rows=16)
    assert one.shape == (3, 3, 8)
    assert np.array_equal(one, many)
    site = horizon_at_site(south, *south.rowcol_to_latlon(371.0, 371.0), n_azimuth=8, mode="fast")
    assert np.all(np.isfinite(site.elevation_rad))


# --- basemaps ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [None, ["wac_south"], 5, "wac_north"])
def test_load_basemap_rejects_unknown_names(name: Any) -> None:
    with pytest.raises(InputError, match=r"basemap .* is unknown; choose one of wac_south"):
        load_basemap(name)
