"""Bad input to the sky functions and time helpers: named errors, never a raw TypeError or AttributeError."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from lunarops.errors import InputError, SiteError
from lunarops.sky import sky_at_site
from lunarops.timescale import utc_range

T = utc_range("2030-01-01", "2030-01-01T03:00:00Z", 3600.0)


@pytest.mark.parametrize(
    ("call", "error", "fragment"),
    [
        # text steps belong to parse_step_s: utc_range had raised "ufunc 'isfinite' not supported"
        (lambda: utc_range("2030-01-01", "2030-01-02", "1h"), InputError, "step_s = '1h' must be a number of seconds"),
        (lambda: utc_range("2030-01-01", "2030-01-02", None), InputError, "step_s = None must be a number"),
        (lambda: sky_at_site("-89", 0.0, 0.0, T), SiteError, "latitude_deg = '-89' (str) must be one number"),
        (lambda: sky_at_site(np.array([-89.0, -88.0]), 0.0, 0.0, T), SiteError, "must be one number"),
        (lambda: sky_at_site(-89.0, None, 0.0, T), SiteError, "longitude_deg = None (NoneType) must be one number"),
        (lambda: sky_at_site(-89.0, 0.0, 0.0, "2030-01-01"), InputError, "t = '2030-01-01' (str) must be a skyfield"),
        (lambda: sky_at_site(-89.0, 0.0, 0.0, T, ephemeris="de421"), InputError, "ephemeris = 'de421' must be"),
        (lambda: sky_at_site(-99.0, 0.0, 0.0, T), SiteError, "latitude_deg (--lat) = -99.0 must be in [-90, 90] deg"),
    ],
)
def test_sky_bad_input_is_named(call: Callable[[], Any], error: type[Exception], fragment: str) -> None:
    with pytest.raises(error) as info:
        call()
    assert fragment in str(info.value)


def test_numpy_scalars_are_numbers() -> None:
    # numpy scalars (as read from a table) are accepted like floats, with the same result
    a = sky_at_site(np.float64(-89.45), np.int64(222), np.float32(10.0), T)
    b = sky_at_site(-89.45, 222.0, 10.0, T)
    assert np.array_equal(a.sun_elevation_deg, b.sun_elevation_deg)


def test_zero_d_arrays_from_lunarops_itself_are_numbers() -> None:
    # Dem.rowcol_to_latlon and Dem.height_at return 0-d arrays for one site: passing them on had been refused
    # ("longitude_deg = array(88.53) (ndarray) must be one number") by the checks of session 11
    from lunarops.terrain import load_dem

    dem = load_dem("south")
    lat, lon = dem.rowcol_to_latlon(380, 400)
    ground_m = dem.height_at(-89.45, 222.69)
    assert np.ndim(lon) == 0 and np.ndim(ground_m) == 0
    a = sky_at_site(lat, lon, ground_m, T)
    b = sky_at_site(float(lat), float(lon), float(ground_m), T)
    assert np.array_equal(a.sun_elevation_deg, b.sun_elevation_deg)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, True), (1.5, True), (np.float32(2.0), True), (np.int64(3), True), (np.array(4.0), True),
        (float("nan"), True),  # a number: the range checks refuse it, naming the range
        (True, False), (np.bool_(True), False), ("1", False), (None, False), (np.array([1.0]), False),
        (np.array("x"), False), ([1.0], False),
    ],
)
def test_is_real_number(value: object, expected: bool) -> None:
    from lunarops.checks import is_real_number

    assert is_real_number(value) is expected
