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
