"""Properties of the sky functions over random inputs (Hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lunarops.sky import sky_at_site
from lunarops.sky.functions import east_north_up, local_azimuth_elevation_rad, stellar_aberration
from lunarops.timescale import timescale

latitudes = st.floats(-90, 90)
longitudes = st.floats(-180, 360)


@settings(max_examples=60, deadline=None)
@given(latitudes, longitudes, st.floats(-5000, 5000), st.floats(0, 8000))
def test_sky_ranges(lat: float, lon: float, height: float, days: float) -> None:
    t = timescale().tdb_jd(2461041.5 + days)
    track = sky_at_site(lat, lon, height, t)
    for body in ("sun", "earth"):
        az = getattr(track, f"{body}_azimuth_deg")
        el = getattr(track, f"{body}_elevation_deg")
        assert np.all((0 <= az) & (az < 360)) and np.all((-90 <= el) & (el <= 90))
    # The Sun's elevation and the sub-solar point agree: sin(el) ~ n . s (parallax of 1737 km is < 0.001 deg).
    lat_r, lon_r = np.radians(lat), np.radians(lon)
    sub_lat, sub_lon = np.radians(track.subsolar_latitude_deg), np.radians(track.subsolar_longitude_deg)
    cos_zenith = np.sin(lat_r) * np.sin(sub_lat) + np.cos(lat_r) * np.cos(sub_lat) * np.cos(sub_lon - lon_r)
    assert np.degrees(abs(np.arcsin(np.clip(cos_zenith, -1, 1)) - np.radians(track.sun_elevation_deg))) < 0.01


@settings(max_examples=100, deadline=None)
@given(latitudes, longitudes)
def test_local_frame_orthonormal(lat: float, lon: float) -> None:
    east, north, up = east_north_up(np.radians(lat), np.radians(lon))
    basis = np.stack([east, north, up])
    assert np.allclose(basis @ basis.T, np.eye(3), atol=1e-12)
    assert np.allclose(np.cross(east, north), up, atol=1e-12)  # right-handed
    _, el = local_azimuth_elevation_rad(up, np.radians(lat), np.radians(lon))
    assert np.degrees(el) > 89.999999


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-1e12, 1e12), min_size=3, max_size=3), st.lists(st.floats(-5e4, 5e4), min_size=3, max_size=3))
def test_aberration_keeps_length_and_is_small(p: list[float], v: list[float]) -> None:
    position = np.array(p, dtype=float)[:, None]
    assume(np.linalg.norm(position) >= 1.0)
    shifted = stellar_aberration(position, np.array(v, dtype=float)[:, None])
    assert np.isclose(np.linalg.norm(shifted), np.linalg.norm(position), rtol=1e-12)
    angle = np.arctan2(np.linalg.norm(np.cross(shifted[:, 0], position[:, 0])), float(np.sum(shifted * position)))
    assert angle <= np.linalg.norm(v) / 299_792_458.0 * 1.000001 + 1e-12
