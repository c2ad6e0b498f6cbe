"""DEM readers: shipped DEMs, GeoTIFF and PDS3 georeferences, corrupt files, named errors.

Reference values: /work/shared/data/README.md ("Checks already made on these files"): global maximum near
5.4 N 201.4 E, minimum near 70.4 S 187.6 E; Shackleton a ~20 km wide, ~4.2 km deep depression (floor near
-2.8 km, rim +1.3 to +1.6 km) centred within one pixel of 89.67 S 129.78 E; the pole at about +1.09 km.
LDEM_4 label: PDS LOLA GDR LDEM_4 V3.0 (LRO-L-LOLA-4-GDR-V1.0), 4 px/deg, DN x 0.5 m.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest
import tifffile

from lunarops.errors import DataError, InputError, SiteError
from lunarops.terrain import (
    Dem,
    Equirectangular,
    PolarStereographic,
    load_basemap,
    load_dem,
    read_geotiff,
    read_npz,
    read_pds3,
    save_npz,
)
from lunarops.terrain.functions import polar_stereographic_inverse

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT.parent / "shared" / "data"
LDEM4 = SHARED / "ldem4_lunar_clean" / "LDEM_4.IMG"
SOUTH_TIF = SHARED / "lunar_toolkit_basemaps" / "lola_dem_south.tif"
R = 1_737_400.0


def _need(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"test data {path} is absent (tests-only file from ../shared/data)")


def _great_circle_m(lat1: float, lon1: float, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    p1, p2 = math.radians(lat1), np.radians(lat2)
    dl = np.radians(lon2 - lon1)
    c = math.sin(p1) * np.sin(p2) + math.cos(p1) * np.cos(p2) * np.cos(dl)
    return R * np.arccos(np.clip(c, -1, 1))


def test_shipped_dems_load_with_their_georeference() -> None:
    south, north, glob = load_dem("south"), load_dem("north"), load_dem("global")
    assert south.shape == north.shape == (762, 762)
    assert glob.shape == (720, 1440)
    assert isinstance(south.georeference, PolarStereographic) and south.georeference.south
    assert isinstance(north.georeference, PolarStereographic) and not north.georeference.south
    assert isinstance(glob.georeference, Equirectangular) and glob.wraps_longitude
    assert south.pixel_size_m == 1600.0
    # data README: global range about -8.9 to +10.6 km
    assert -9_500 < np.nanmin(glob.heights_m) < -8_000 and 10_000 < np.nanmax(glob.heights_m) < 11_000
    # the same object is returned (cached, read-only)
    assert load_dem("south") is south and not south.heights_m.flags.writeable


def test_georeference_round_trips_and_pole_positions() -> None:
    south = load_dem("south")
    lat, lon = south.latlon_grid()
    row, col = south.latlon_to_rowcol(lat, lon)
    rr, cc = np.meshgrid(np.arange(762), np.arange(762), indexing="ij")
    assert np.allclose(row, rr, atol=1e-6) and np.allclose(col, cc, atol=1e-6)
    # The pole is the corner shared by the four centre cells (x = y = 0, upper-left corner -609.6 km).
    assert south.latlon_to_rowcol(-90.0, 0.0) == pytest.approx((380.5, 380.5))
    # x = rho sin(lon), y = rho cos(lon) south: 0 E is toward +y (up, smaller rows), 90 E toward +x
    r0, c0 = south.latlon_to_rowcol(-89.0, 0.0)
    r90, c90 = south.latlon_to_rowcol(-89.0, 90.0)
    assert r0 < 380.5 and c0 == pytest.approx(380.5) and c90 > 380.5 and r90 == pytest.approx(380.5)
    north = load_dem("north")
    r0n, _ = north.latlon_to_rowcol(89.0, 0.0)
    assert r0n > 380.5  # north: y = -rho cos(lon), 0 E points down
    glob = load_dem("global")
    assert glob.latlon_to_rowcol(89.875, -179.875) == pytest.approx((0.0, 0.0))
    assert glob.latlon_to_rowcol(0.0, 180.0) == pytest.approx((359.5, 1439.5))  # between the seam columns


def test_pole_height_and_shackleton_depression() -> None:
    south = load_dem("south")
    assert south.height_at(-90.0, 0.0) == pytest.approx(1090.0, abs=60.0)  # data README: about +1.09 km
    lat, lon = south.latlon_grid()
    dist = _great_circle_m(-89.67, 129.78, lat, lon)
    near = dist < 15_000.0
    floor_idx = np.argmin(np.where(near, south.heights_m, np.inf))
    floor = float(south.heights_m.ravel()[floor_idx])
    assert floor == pytest.approx(-2_800.0, abs=300.0)  # README: floor near -2.8 km
    # centre of the depression (centroid in map x, y of the cells more than 1 km below the datum within
    # 15 km) lies within one pixel (1.6 km) of 89.67 S 129.78 E
    rows, cols = np.nonzero(near & (south.heights_m < -1_000.0))
    x, y = south.georeference.rowcol_to_xy(rows, cols)
    c_lat, c_lon = polar_stereographic_inverse(x.mean(), y.mean(), True, R)
    assert _great_circle_m(-89.67, 129.78, np.array(c_lat), np.array(c_lon)) <= 1_600.0
    # rim: highest point along 36 radial profiles out to 15 km from the floor; depth = median rim - floor
    f_lat, f_lon = float(lat.ravel()[floor_idx]), float(lon.ravel()[floor_idx])
    rims = []
    for az in np.radians(np.arange(0, 360, 10)):
        d = np.arange(0, 15_000, 100.0) / R
        p1 = math.radians(f_lat)
        p2 = np.arcsin(math.sin(p1) * np.cos(d) + math.cos(p1) * np.sin(d) * math.cos(az))
        l2 = math.radians(f_lon) + np.arctan2(
            math.sin(az) * np.sin(d) * math.cos(p1), np.cos(d) - math.sin(p1) * np.sin(p2)
        )
        rims.append(np.max(south.height_at(np.degrees(p2), np.degrees(l2))))
    rim = float(np.median(rims))
    assert 1_000.0 < rim < 1_900.0  # README: rim +1.3 to +1.6 km
    assert rim - floor == pytest.approx(4_200.0, abs=500.0)  # issue 3: 4.2 +- 0.5 km deep


def test_global_extremes_in_shipped_dem() -> None:
    # LOLA's global extremes (Smith et al. 2010, GRL 37, L18204, the LOLA topography; located by the LRO teams):
    # the highest point, 10,786 m, at 5.4125 N 158.6335 W = 201.3665 E on the rim of Engel'gardt (NASA/LROC
    # release of 2010-10-27), the lowest in a small crater inside Antoniadi near 70.4 S 187.4-187.6 E (the data
    # README, PROVENANCE.md: 70.4 S 187.6 E). Tolerance 0.3 deg: one cell of this 0.25 deg grid (its extreme is a
    # cell centre, e.g. 5.375 N 201.375 E) plus the 0.05 deg rounding of the reference to 0.1 deg.
    glob = load_dem("global")
    i = np.unravel_index(np.nanargmax(glob.heights_m), glob.shape)
    lat, lon = glob.rowcol_to_latlon(*i)
    assert abs(lat - 5.4) < 0.3 and abs((lon % 360) - 201.4) < 0.3
    i = np.unravel_index(np.nanargmin(glob.heights_m), glob.shape)
    lat, lon = glob.rowcol_to_latlon(*i)
    assert abs(lat + 70.4) < 0.3 and abs((lon % 360) - 187.6) < 0.3


def test_pds3_ldem4_matches_global_geotiff_and_extremes() -> None:
    _need(LDEM4)
    pds = read_pds3(LDEM4)
    assert pds.shape == (720, 1440)
    geo = pds.georeference
    assert isinstance(geo, Equirectangular)
    assert geo.lon_min_deg == 0.0 and geo.lat_max_deg == 90.0 and geo.pixel_width_deg == 0.25
    # extremes (data README): max near 5.4 N 201.4 E, min near 70.4 S 187.6 E
    i = np.unravel_index(np.nanargmax(pds.heights_m), pds.shape)
    lat, lon = pds.rowcol_to_latlon(*i)
    assert abs(lat - 5.4) < 0.3 and abs((lon % 360) - 201.4) < 0.3
    assert np.nanmax(pds.heights_m) == pytest.approx(21008 * 0.5)  # label MAXIMUM = 21008 DN x 0.5 m
    i = np.unravel_index(np.nanargmin(pds.heights_m), pds.shape)
    lat, lon = pds.rowcol_to_latlon(*i)
    assert abs(lat + 70.4) < 0.3 and abs((lon % 360) - 187.6) < 0.3
    # cell by cell against the shipped global GeoTIFF (an independent product of the same LOLA team, another
    # release): same cells at the same lat/lon; a one-cell (0.25 deg) misregistration triples the difference.
    glob = load_dem("global")
    lat_g, lon_g = glob.latlon_grid()
    diff = pds.height_at(lat_g, lon_g) - glob.heights_m
    assert np.median(np.abs(diff)) < 40.0
    shifted = pds.height_at(lat_g, lon_g + 0.25) - glob.heights_m
    assert np.median(np.abs(shifted)) > 2 * np.median(np.abs(diff))


# An LDEM-style product (same keyword layout as the LOLA GDR LDEM_4 label: UNCOMPRESSED_FILE wrapping IMAGE,
# SIMPLE CYLINDRICAL, 0..360 E) at 1 pixel/degree, written in tmp_path so the error paths need no shared data.
_SYNTH_LABEL = """PDS_VERSION_ID            = "PDS3"
PRODUCT_ID                = "SYNTH_1"
OBJECT                    = UNCOMPRESSED_FILE
FILE_NAME                 = "SYNTH_1.IMG"
RECORD_TYPE               = FIXED_LENGTH
FILE_RECORDS              = 180
RECORD_BYTES              = 720
^IMAGE                    = "SYNTH_1.IMG"
  OBJECT                  = IMAGE
    NAME                  = HEIGHT
    LINES                 = 180
    LINE_SAMPLES          = 360
    MAXIMUM               = 9259
    MINIMUM               = -9000
    SAMPLE_TYPE           = LSB_INTEGER
    SAMPLE_BITS           = 16
    UNIT                  = METER
    SCALING_FACTOR        = 0.5
    OFFSET                = 1737400.
  END_OBJECT              = IMAGE
END_OBJECT                = UNCOMPRESSED_FILE
OBJECT                    = IMAGE_MAP_PROJECTION
 MAP_PROJECTION_TYPE          = "SIMPLE CYLINDRICAL"
 MAP_RESOLUTION               = 1 <pix/deg>
 A_AXIS_RADIUS                = 1737.4 <km>
 CENTER_LATITUDE              = 0 <deg>
 CENTER_LONGITUDE             = 180 <deg>
 MAXIMUM_LATITUDE             = 90 <deg>
 MINIMUM_LATITUDE             = -90 <deg>
 WESTERNMOST_LONGITUDE        = 0 <deg>
 EASTERNMOST_LONGITUDE        = 360 <deg>
 LINE_PROJECTION_OFFSET       = 89.5 <pix>
 SAMPLE_PROJECTION_OFFSET     = 179.5 <pix>
END_OBJECT                    = IMAGE_MAP_PROJECTION
END
"""


def _synthetic_ldem(tmp_path: Path) -> tuple[Path, Path, np.ndarray]:
    """SYNTH_1.IMG (180 x 360 LSB int16 DN, 129,600 bytes) + SYNTH_1.LBL; returns the DN grid too."""
    rows, cols = np.meshgrid(np.arange(180), np.arange(360), indexing="ij")
    # distinct values (a transposed or shifted read shows up); DN range -9000..9259 as the label's MINIMUM/MAXIMUM
    dn = ((rows - 90) * 100 + cols).astype("<i2")
    img = tmp_path / "SYNTH_1.IMG"
    lbl = tmp_path / "SYNTH_1.LBL"
    img.write_bytes(dn.tobytes())
    lbl.write_text(_SYNTH_LABEL, encoding="latin-1")
    return img, lbl, dn


def test_pds3_synthetic_product_reads_back(tmp_path: Path) -> None:
    img, lbl, dn = _synthetic_ldem(tmp_path)
    for path in (img, lbl):
        dem = read_pds3(path)
        assert isinstance(dem.georeference, Equirectangular)
        assert np.array_equal(dem.heights_m, dn * 0.5)  # label: HEIGHT = DN * SCALING_FACTOR
        # label: lat = 0 - (0 - 89.5) / 1 = 89.5; lon = 180 + (0 - 179.5) / 1 = 0.5
        assert dem.rowcol_to_latlon(0, 0) == pytest.approx((89.5, 0.5))
        lat, lon = dem.rowcol_to_latlon(179, 359)
        assert (lat, lon % 360.0) == pytest.approx((-89.5, 359.5))


def test_pds3_truncated_and_wrong_labels_raise_data_errors(tmp_path: Path) -> None:
    img, lbl, _ = _synthetic_ldem(tmp_path)
    text = lbl.read_text(encoding="latin-1")
    data = img.read_bytes()
    img.write_bytes(data[:100_000])
    # 180 lines x 360 samples x 2 bytes = 129,600 bytes expected
    with pytest.raises(DataError, match=r"SYNTH_1.IMG: file is 100000 bytes .* truncated"):
        read_pds3(img)
    img.write_bytes(data)
    lbl.write_text(text.replace("LINE_SAMPLES          = 360", "LINE_SAMPLES          = 359"), encoding="latin-1")
    # 359 samples at 1 pix/deg end at 359 E, not at the label's EASTERNMOST_LONGITUDE = 360
    with pytest.raises(DataError, match=r"EASTERNMOST_LONGITUDE = 360(\.0)? disagrees .*\(359\.0+\)"):
        read_pds3(lbl)
    lbl.write_text(text.replace("LSB_INTEGER", "MSB_INTEGER"), encoding="latin-1")
    # byte-swapped DN no longer span the label's MINIMUM..MAXIMUM = -9000..9259
    with pytest.raises(DataError, match=r"label says MAXIMUM = 9259.*byte order"):
        read_pds3(img)
    _assert_label_errors(img, lbl, text)


def _assert_label_errors(img: Path, lbl: Path, text: str) -> None:
    """Label faults every PDS3 product must report by name: projection, sample bits, a cut label, no label."""
    lbl.write_text(text.replace('"SIMPLE CYLINDRICAL"', '"MERCATOR"'), encoding="latin-1")
    with pytest.raises(DataError, match="MAP_PROJECTION_TYPE = 'MERCATOR' is not supported"):
        read_pds3(img)
    lbl.write_text(text.replace("SAMPLE_BITS           = 16", "SAMPLE_BITS           = 12"), encoding="latin-1")
    with pytest.raises(DataError, match="SAMPLE_BITS = 12"):
        read_pds3(img)
    lbl.write_text(text.replace("  END_OBJECT              = IMAGE\n", ""), encoding="latin-1")
    with pytest.raises(DataError, match=r"truncated|END_OBJECT"):
        read_pds3(img)
    lbl.unlink()
    with pytest.raises(DataError, match="no PDS3 label"):
        read_pds3(img)


def _copy_ldem4(tmp_path: Path) -> tuple[Path, Path]:
    _need(LDEM4)
    img = tmp_path / "LDEM_4.IMG"
    lbl = tmp_path / "LDEM_4.LBL"
    shutil.copy(LDEM4, img)
    shutil.copy(LDEM4.with_suffix(".LBL"), lbl)
    img.chmod(0o644)
    lbl.chmod(0o644)
    return img, lbl


def test_pds3_ldem4_copy_truncated_and_wrong_labels(tmp_path: Path) -> None:
    # the same error paths on a copy of the real product (skips without ../shared/data; see the synthetic test)
    img, lbl = _copy_ldem4(tmp_path)
    text = lbl.read_text(encoding="latin-1")
    data = img.read_bytes()
    img.write_bytes(data[:100_000])
    with pytest.raises(DataError, match=r"LDEM_4.IMG: file is 100000 bytes .* truncated"):
        read_pds3(img)
    img.write_bytes(data)
    lbl.write_text(text.replace("LINE_SAMPLES          = 1440", "LINE_SAMPLES          = 1439"), encoding="latin-1")
    with pytest.raises(DataError, match="EASTERNMOST_LONGITUDE"):
        read_pds3(lbl)
    lbl.write_text(text.replace("LSB_INTEGER", "MSB_INTEGER"), encoding="latin-1")
    with pytest.raises(DataError, match="byte order"):
        read_pds3(img)
    _assert_label_errors(img, lbl, text)


def test_pds3_polar_stereographic_label(tmp_path: Path) -> None:
    # A LOLA-style polar product (LDEM_80S_*M labels): x = (c - SAMPLE_PROJECTION_OFFSET) * MAP_SCALE,
    # y = (LINE_PROJECTION_OFFSET - r) * MAP_SCALE, heights float32 km relative to 1737.4 km; written here from
    # a window of the shipped south DEM, then read back: same heights at the same lat/lon.
    south = load_dem("south")
    sub = south.subset(300, 340, 350, 400)
    heights_km = (np.asarray(sub.heights_m, dtype=np.float32) / 1000.0).astype("<f4")
    (tmp_path / "POLAR.IMG").write_bytes(heights_km.tobytes())
    geo = sub.georeference
    assert isinstance(geo, PolarStereographic)
    spo = -geo.x_min_m / 1600.0 - 0.5
    lpo = geo.y_max_m / 1600.0 - 0.5
    label = f"""PDS_VERSION_ID = PDS3
RECORD_TYPE = FIXED_LENGTH
RECORD_BYTES = {50 * 4}
FILE_RECORDS = 40
^IMAGE = "POLAR.IMG"
OBJECT = IMAGE
  LINES = 40
  LINE_SAMPLES = 50
  SAMPLE_TYPE = PC_REAL
  SAMPLE_BITS = 32
  UNIT = KILOMETER
  SCALING_FACTOR = 1
  OFFSET = 1737.4
  MISSING_CONSTANT = 16#FF7FFFFB#
END_OBJECT = IMAGE
OBJECT = IMAGE_MAP_PROJECTION
  MAP_PROJECTION_TYPE = "POLAR STEREOGRAPHIC"
  A_AXIS_RADIUS = 1737.4 <KM>
  CENTER_LATITUDE = -90.0 <DEG>
  CENTER_LONGITUDE = 0.0 <DEG>
  LINE_PROJECTION_OFFSET = {lpo} <PIXEL>
  SAMPLE_PROJECTION_OFFSET = {spo} <PIXEL>
  MAP_SCALE = 1.6 <KM/PIXEL>
END_OBJECT = IMAGE_MAP_PROJECTION
END
"""
    (tmp_path / "POLAR.LBL").write_text(label)
    dem = read_pds3(tmp_path / "POLAR.IMG")
    lat, lon = sub.latlon_grid()
    assert np.allclose(dem.height_at(lat[1:-1, 1:-1], lon[1:-1, 1:-1]), sub.heights_m[1:-1, 1:-1], atol=0.01)


def test_geotiff_reader_matches_shipped_and_rejects_bad_files(tmp_path: Path) -> None:
    _need(SOUTH_TIF)
    dem = read_geotiff(SOUTH_TIF)
    assert np.array_equal(dem.heights_m, load_dem("south").heights_m)
    assert dem.georeference == load_dem("south").georeference
    bad = tmp_path / "cut.tif"
    bad.write_bytes(SOUTH_TIF.read_bytes()[:20_000])
    with pytest.raises(DataError, match=r"cut.tif: .*(corrupt|truncated)"):
        load_dem(bad)
    plain = tmp_path / "plain.tif"
    tifffile.imwrite(plain, np.zeros((4, 4), dtype=np.int16))
    with pytest.raises(DataError, match=r"GeoKeyDirectory|georeferenced"):
        read_geotiff(plain)


def _write_polar_geotiff(path: Path, dem: Dem) -> None:
    """A south polar stereographic GeoTIFF of ``dem`` written with tifffile (GeoTIFF 1.1, OGC 19-008r4: keys
    1024 GTModelType, 1025 GTRasterType, 2057/2058 sphere axes, 3075 ProjCoordTrans = 15, 3076 metres,
    3081 ProjNatOriginLat, 3095 ProjStraightVertPoleLong; ModelPixelScale 33550, ModelTiepoint 33922)."""
    geo = dem.georeference
    assert isinstance(geo, PolarStereographic)
    doubles = (-90.0, geo.central_longitude_deg, geo.radius_m, geo.radius_m)
    keys = (1, 1, 0, 8,
            1024, 0, 1, 1, 1025, 0, 1, 1,
            2057, 34736, 1, 2, 2058, 34736, 1, 3,
            3072, 0, 1, 32767, 3075, 0, 1, 15, 3076, 0, 1, 9001,
            3081, 34736, 1, 0, 3095, 34736, 1, 1)
    tifffile.imwrite(
        path,
        np.asarray(dem.heights_m, dtype=np.float32),
        extratags=[
            (33550, "d", 3, (geo.pixel_width_m, geo.pixel_height_m, 0.0), True),
            (33922, "d", 6, (0.0, 0.0, 0.0, geo.x_min_m, geo.y_max_m, 0.0), True),
            (34735, "H", len(keys), keys, True),
            (34736, "d", len(doubles), doubles, True),
        ],
    )


def test_geotiff_synthetic_round_trip_and_corruption(tmp_path: Path) -> None:
    # Written here from a window of the shipped south DEM, so the corrupt-file paths need no shared data.
    sub = load_dem("south").subset(300, 400, 300, 420, name="piece")
    good = tmp_path / "piece.tif"
    _write_polar_geotiff(good, sub)
    dem = read_geotiff(good)
    assert dem.georeference == sub.georeference  # same grid: corner, pixel size, sphere, pole
    assert np.array_equal(dem.heights_m, np.asarray(sub.heights_m, dtype=np.float32))
    data = good.read_bytes()
    assert len(data) > 100 * 120 * 4  # float32 pixels, so cutting at 20,000 bytes loses most of them
    bad = tmp_path / "cut.tif"
    bad.write_bytes(data[:20_000])
    with pytest.raises(DataError, match=r"cut.tif: .*(corrupt|truncated)"):
        load_dem(bad)
    noise = tmp_path / "noise.tif"
    noise.write_bytes(b"II*\x00" + bytes(range(256)) * 8)  # TIFF magic, then garbage IFD offsets
    with pytest.raises(DataError, match=r"noise.tif: .*(corrupt|truncated)"):
        read_geotiff(noise)
    plain = tmp_path / "plain.tif"
    tifffile.imwrite(plain, np.zeros((4, 4), dtype=np.int16))
    with pytest.raises(DataError, match=r"plain.tif: no GeoTIFF tags \(GeoKeyDirectory\)"):
        read_geotiff(plain)


def test_npz_round_trip_and_unknown_names(tmp_path: Path) -> None:
    south = load_dem("south").subset(10, 20, 30, 45, name="piece")
    save_npz(south, tmp_path / "piece.npz")
    back = read_npz(tmp_path / "piece.npz")
    assert back.name == "piece" and back.georeference == south.georeference
    assert np.array_equal(back.heights_m, south.heights_m)
    data = (tmp_path / "piece.npz").read_bytes()
    (tmp_path / "piece.npz").write_bytes(data[: len(data) // 2])  # truncated: not a zip archive any more
    with pytest.raises(DataError, match=r"piece\.npz: cannot read the DEM"):
        read_npz(tmp_path / "piece.npz")
    with pytest.raises(InputError, match="neither a shipped DEM"):
        load_dem("moon")
    (tmp_path / "x.xyz").write_text("1")
    with pytest.raises(InputError, match="unknown extension"):
        load_dem(tmp_path / "x.xyz")


def test_sites_outside_dem_and_subsets() -> None:
    # a latitude beyond the pole is in no DEM (the polar projection folds -95 S back onto -85 S)
    assert not load_dem("south").contains(-95.0, 0.0) and load_dem("south").contains(-85.0, 180.0)
    south = load_dem("south")
    with pytest.raises(SiteError, match=r"outside DEM 'south'.*pick a site inside"):
        south.height_at(-60.0, 0.0)
    # the south DEM is 762 x 762 (test_shipped_dems_load_with_their_georeference): row1 = 800 is outside
    with pytest.raises(SiteError, match=r"\(row0=0, row1=800, col0=0, col1=10\) is not inside DEM 'south'.*<= 762"):
        south.subset(0, 800, 0, 10)
    win = south.window_around(-89.45, 222.69, 10_000.0)
    assert win.height_at(-89.45, 222.69) == pytest.approx(float(south.height_at(-89.45, 222.69)), abs=1e-3)
    assert isinstance(win, Dem) and win.shape[0] <= 16


def test_basemaps_load_with_georeference() -> None:
    image, geo = load_basemap("wac_south")
    assert image.shape == (3048, 3048) and image.dtype == np.uint8
    # 400 m pixels of the shipped LROC WAC south polar mosaic (data/basemaps/PROVENANCE.md: 3048 px over
    # [-609,600, 609,600] m = 1,219,200 m / 3048 = 400 m); 1e-6 m: float rounding
    assert isinstance(geo, PolarStereographic) and geo.pixel_width_m == pytest.approx(400.0, abs=1e-6)  # m
    image, geo = load_basemap("wac_global")
    assert image.shape == (2560, 5120) and isinstance(geo, Equirectangular)
    with pytest.raises(InputError, match="basemap"):
        load_basemap("wac_mars")


def test_pds3_attached_label_with_record_pointer(tmp_path: Path) -> None:
    # PDS3 attached label (PDS Standards Reference ch. 5): ^IMAGE = n counts RECORD_BYTES records from 1.
    heights = (np.arange(12, dtype="<i2").reshape(3, 4) * 10).astype("<i2")
    record = 8  # one line of 4 int16 samples
    label = (
        "PDS_VERSION_ID = PDS3\r\nRECORD_TYPE = FIXED_LENGTH\r\nRECORD_BYTES = 8\r\n^IMAGE = {start}\r\n"
        "OBJECT = IMAGE\r\n  LINES = 3\r\n  LINE_SAMPLES = 4\r\n  SAMPLE_TYPE = LSB_INTEGER\r\n"
        "  SAMPLE_BITS = 16\r\n  SCALING_FACTOR = 0.5\r\n  OFFSET = 1737400.0\r\nEND_OBJECT = IMAGE\r\n"
        'OBJECT = IMAGE_MAP_PROJECTION\r\n  MAP_PROJECTION_TYPE = "SIMPLE CYLINDRICAL"\r\n'
        "  A_AXIS_RADIUS = 1737.4 <KM>\r\n  CENTER_LATITUDE = 0.0\r\n  CENTER_LONGITUDE = 0.0\r\n"
        "  LINE_PROJECTION_OFFSET = -10.5\r\n  SAMPLE_PROJECTION_OFFSET = -20.5\r\n  MAP_RESOLUTION = 1 <PIX/DEG>\r\n"
        "END_OBJECT = IMAGE_MAP_PROJECTION\r\nEND\r\n"
    )
    text = label.format(start=99)
    n_records = -(-len(text) // record)
    text = label.format(start=n_records + 1).ljust(n_records * record)
    (tmp_path / "ATT.IMG").write_bytes(text.encode("ascii") + heights.tobytes())
    dem = read_pds3(tmp_path / "ATT.IMG")
    assert np.array_equal(dem.heights_m, heights * 0.5)
    # lat of row 0 = CENTER_LAT - (0 - LINE_PROJECTION_OFFSET) / res = -10.5; lon of col 0 = 20.5
    assert dem.rowcol_to_latlon(0, 0) == pytest.approx((-10.5, 20.5))
