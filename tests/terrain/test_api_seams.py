"""Seams between the API's pieces: degrees vs radians in horizon masks, a site's height vs its mask's observer,
plain-Python summaries, LightMap names, and one-line reprs of array-holding results."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest

from lunarops.errors import InputError
from lunarops.illumination.maps import LIGHT_MAP_NAMES, LightMap
from lunarops.illumination.psr import PsrMap, SunEnvelope
from lunarops.orbits.coverage import SurfaceSite
from lunarops.orbits.kepler import frozen_elliptical
from lunarops.store.catalog import RunRecord
from lunarops.terrain import horizon_at_site, load_dem
from lunarops.terrain.horizon import HorizonMask, azimuth_grid_rad

CR_LAT, CR_LON = -89.45, 222.69  # Connecting Ridge, as in the report that found these seams


@pytest.fixture(scope="module")
def cr_mask() -> HorizonMask:
    return horizon_at_site(load_dem("south"), CR_LAT, CR_LON, height_above_ground_m=10.0)


def _mask(observer_height_m: float = 1860.2, n: int = 360) -> HorizonMask:
    az = azimuth_grid_rad(n)
    return HorizonMask(az, np.radians(2.0 * np.sin(az)), CR_LAT, CR_LON, observer_height_m)


# 1. HorizonMask: radians vs degrees


def test_elevation_deg_at_is_elevation_at_in_degrees(cr_mask: HorizonMask) -> None:
    # source: the radian method at the same azimuths, converted by numpy (the report's pi/2 -> -0.0223 rad)
    radian = float(cr_mask.elevation_at(math.pi / 2))
    assert float(cr_mask.elevation_deg_at(90.0)) == pytest.approx(math.degrees(radian))
    assert float(cr_mask.elevation_at(math.pi / 2)) == pytest.approx(-0.0223, abs=5e-5)
    az_deg = np.array([0.0, 45.5, 90.0, 222.69, 359.9])
    np.testing.assert_allclose(
        cr_mask.elevation_deg_at(az_deg), np.degrees(cr_mask.elevation_at(np.radians(az_deg))), rtol=0, atol=1e-12
    )
    # source: the tabulated skyline itself (1-deg grid, so every whole degree is a node)
    np.testing.assert_allclose(cr_mask.elevation_deg_at(cr_mask.azimuth_deg), cr_mask.elevation_deg, atol=1e-9)
    # wraps modulo 360 deg
    np.testing.assert_allclose(cr_mask.elevation_deg_at([450.0, -270.0, 720.0]),
                               cr_mask.elevation_deg_at([90.0, 90.0, 0.0]), atol=1e-9)  # fmt: skip


def test_elevation_at_refuses_degrees(cr_mask: HorizonMask) -> None:
    with pytest.raises(InputError, match=r"azimuth 90\.0 .*radians.*np\.radians.*elevation_deg_at"):
        cr_mask.elevation_at(90.0)
    with pytest.raises(InputError, match=r"azimuth 222\.69"):
        cr_mask.elevation_at(np.array([0.1, 222.69, 1.0]))
    for bad in (-7.0, math.inf, -math.inf):
        with pytest.raises(InputError, match="elevation_deg_at"):
            cr_mask.elevation_at(bad)
    with pytest.raises(InputError, match="not finite"):
        cr_mask.elevation_deg_at(math.inf)


def test_elevation_at_keeps_radian_wraps(cr_mask: HorizonMask) -> None:
    # the range's ends and a NaN still work: -2 pi and 4 pi are 0 mod 2 pi, NaN stays NaN
    e0 = float(cr_mask.elevation_at(0.0))
    assert float(cr_mask.elevation_at(-2 * math.pi)) == pytest.approx(e0, abs=1e-12)
    assert float(cr_mask.elevation_at(4 * math.pi)) == pytest.approx(e0, abs=1e-12)
    assert float(cr_mask.elevation_at(-math.pi / 2)) == pytest.approx(float(cr_mask.elevation_at(1.5 * math.pi)))
    assert math.isnan(float(cr_mask.elevation_at(math.nan)))


# 2. SurfaceSite: height vs the mask's observer; horizon type


def test_surface_site_takes_the_masks_observer_height(cr_mask: HorizonMask) -> None:
    site = SurfaceSite("CR", CR_LAT, CR_LON, horizon=cr_mask)
    assert site.height_m == cr_mask.observer_height_m  # source: the mask's own field (~1860 m at CR + 10 m mast)
    assert 1800.0 < site.height_m < 1900.0
    # an explicit height within 1 m of the mask's observer is kept
    near = SurfaceSite("CR", CR_LAT, CR_LON, cr_mask.observer_height_m + 0.5, cr_mask)
    assert near.height_m == cr_mask.observer_height_m + 0.5
    # as the CLI and the run stage pass it
    assert SurfaceSite("CR", CR_LAT, CR_LON, float(cr_mask.observer_height_m), cr_mask) == site
    # without a mask the default is still 0.0
    assert SurfaceSite("s", 0.0, 0.0).height_m == 0.0
    assert SurfaceSite("s", 0.0, 0.0) == SurfaceSite("s", 0.0, 0.0, 0.0)


def test_surface_site_refuses_a_height_far_from_the_masks() -> None:
    mask = _mask(1860.2)
    with pytest.raises(InputError, match=r"height_m = 0\.0 m differs .*observer_height_m = 1860\.200 m"):
        SurfaceSite("CR", CR_LAT, CR_LON, 0.0, mask)
    with pytest.raises(InputError, match=r"height_m = 1862\.0 m"):
        SurfaceSite("CR", CR_LAT, CR_LON, 1862.0, mask)
    # a mask without an observer height (built by hand): the height must be given, and is then used
    bare = _mask(math.nan)
    with pytest.raises(InputError, match=r"no observer_height_m.*give height_m"):
        SurfaceSite("CR", CR_LAT, CR_LON, horizon=bare)
    assert SurfaceSite("CR", CR_LAT, CR_LON, 12.0, bare).height_m == 12.0
    with pytest.raises(InputError, match="must be in"):  # an explicit NaN is still refused, not the default
        SurfaceSite("s", 0.0, 0.0, math.nan)


def test_surface_site_refuses_a_horizon_that_is_not_a_mask() -> None:
    with pytest.raises(InputError, match=r"horizon is a numpy\.ndarray, not a lunarops\.terrain\.HorizonMask.*"
                       r"horizon_at_site"):  # fmt: skip
        SurfaceSite("CR", CR_LAT, CR_LON, horizon=np.full(360, 5.0))  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"horizon is a builtins\.list"):
        SurfaceSite("CR", CR_LAT, CR_LON, 10.0, horizon=[5.0] * 360)  # type: ignore[arg-type]


# 3. Kepler summary: plain Python values


def test_frozen_summary_values_are_plain_python() -> None:
    apo: float = np.int64(16000)  # type: ignore[assignment]  # a NumPy integer, as from an array of altitudes
    numpy_in = frozen_elliptical(np.float64(200.0), apo, inc_deg=np.float64(62.4)).summary()
    plain_in = frozen_elliptical(200.0, 16000.0, inc_deg=62.4).summary()
    assert {k: type(v) for k, v in numpy_in.items()} == dict.fromkeys(plain_in, float)
    assert numpy_in == pytest.approx(plain_in)  # source: the same orbit from plain floats
    assert all(type(v) is float for v in plain_in.values())


# 4. LightMap.value_at names; the cell-centre note


def _light_map() -> tuple[LightMap, object]:
    dem = load_dem("south")
    r, c = (round(float(v)) for v in dem.latlon_to_rowcol(CR_LAT, CR_LON))
    shape = (3, 3)
    maps = {name: np.arange(9.0).reshape(shape) + k * 10 for k, name in enumerate(LIGHT_MAP_NAMES)}
    lm = LightMap(dem_name="south", window=(r - 1, r + 2, c - 1, c + 2), latitude_deg=np.zeros(shape),
                  longitude_deg=np.zeros(shape), mast_height_m=10.0, step_s=3600.0, n_samples=744,
                  **maps)  # fmt: skip
    return lm, dem


def test_light_map_value_at_names() -> None:
    lm, dem = _light_map()
    with pytest.raises(InputError, match=r"unknown map name 'lit'; choose one of sun_disk_visible_fraction, .*"
                       r"longest_earth_absence_hours"):  # fmt: skip
        lm.value_at("lit", CR_LAT, CR_LON, dem)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="unknown map name 'mast_height_m'"):
        lm.value_at("mast_height_m", CR_LAT, CR_LON, dem)  # type: ignore[arg-type]
    # source: the synthetic maps' centre cell (index 4 of arange(9)) plus 10 per map
    assert [lm.value_at(n, CR_LAT, CR_LON, dem) for n in LIGHT_MAP_NAMES] == [4.0, 14.0, 24.0, 34.0, 44.0]  # type: ignore[arg-type]


def test_light_map_docs_say_values_are_for_the_cell_centre() -> None:
    for doc in (LightMap.__doc__, LightMap.value_at.__doc__):
        assert doc is not None
        assert "cell centre" in doc and "site_light" in doc and "docs/illumination.md" in doc


# 5. One-line reprs, equality kept


def _one_line(obj: object, *parts: str) -> str:
    text = repr(obj)
    assert "\n" not in text and len(text) < 300, text
    for part in parts:
        assert part in text, text
    return text


def test_short_reprs(cr_mask: HorizonMask) -> None:
    _one_line(cr_mask, "HorizonMask(", "n_azimuth=360", "observer_height_m=1860")
    _one_line(SurfaceSite("CR", CR_LAT, CR_LON, horizon=cr_mask), "SurfaceSite(", "HorizonMask(n_azimuth=360)")
    envelope = SunEnvelope(np.tile([1.0, 0.0, 0.0], (1440, 1)), 0.0047, -1.6, "2030-01-01", "2049-12-31", 1.0,
                           175_000, True)  # fmt: skip
    _one_line(envelope, "SunEnvelope(south", "directions=1440")
    psr = np.zeros((200, 300), dtype=bool)
    psr[:10, :5] = True  # 50 cells of 0.25 km2
    pm = PsrMap("south", (0, 200, 0, 300), np.zeros((200, 300)), np.zeros((200, 300)), psr,
                np.full((200, 300), 0.25), 10.0, envelope)  # fmt: skip
    _one_line(pm, "PsrMap(", "shape=(200, 300)", "psr_cells=50", "area_km2=12.500", "directions=1440")
    lm, _ = _light_map()
    _one_line(lm, "LightMap(", "shape=(3, 3)")
    record = RunRecord("r1", "demo", "ab" * 32, "ok", datetime(2030, 1, 1, tzinfo=UTC), None, 12.34, "/tmp/x",
                       {f"k{i}": list(range(100)) for i in range(50)}, "x" * 500)  # fmt: skip
    _one_line(record, "RunRecord(run_id='r1'", "summary_keys=50", "elapsed=12.3s")


def test_reprs_keep_dataclass_equality(cr_mask: HorizonMask) -> None:
    a = RunRecord("r1", "demo", "s", "ok", datetime(2030, 1, 1, tzinfo=UTC), None, None, "/x", {"a": 1}, None)
    b = RunRecord("r1", "demo", "s", "ok", datetime(2030, 1, 1, tzinfo=UTC), None, None, "/x", {"a": 1}, None)
    assert a == b and a != RunRecord("r2", "demo", "s", "ok", a.started_utc, None, None, "/x", {"a": 1}, None)
    assert SurfaceSite("CR", CR_LAT, CR_LON, horizon=cr_mask) == SurfaceSite("CR", CR_LAT, CR_LON, horizon=cr_mask)
    assert SurfaceSite("a", 0.0, 0.0) != SurfaceSite("b", 0.0, 0.0)
    # eq=False: identity, as before. Two masks built separately from the same inputs hold equal arrays, yet
    # compare unequal (no elementwise array ==, which would raise in a bool context); a mask differs from another
    first, second = _mask(), _mask()
    np.testing.assert_array_equal(first.elevation_rad, second.elevation_rad)
    assert first != second and not (first == second)
    assert cr_mask != _mask()
