"""Sunlight and Earth visibility at sites: smooth sphere against SPICE, terrain against published values."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from lunarops.errors import InputError, SiteError
from lunarops.illumination.site import resolve_terrain, site_horizon, site_light
from lunarops.illumination.timegrid import period_times

HOUR = 3600.0


@pytest.fixture(scope="module")
def south():  # type: ignore[no-untyped-def]
    return resolve_terrain("south")


def test_smooth_sphere_south_pole_2026_against_spice() -> None:
    """Sun and Earth centre above the horizontal at the south pole, 2026, every 3 h.

    Independent oracle: CSPICE (spiceypy) spkcpo with the same kernels (DE421, moon_pa_de421_1900-2050.bpc,
    moon_080317.tf), aberration "LT+S", observer fixed at (0, 0, -1737.4 km) in MOON_ME.
    """
    import spiceypy as sp  # the SPICE oracle (test extra): its absence must fail the run, not skip it

    from lunarops.ephemeris.kernels import MOON_FRAMES_TF, MOON_PCK, de421_path

    t = period_times("2026-01-01", "2027-01-01", 3 * HOUR)
    light = site_light(-90.0, 0.0, t, 3 * HOUR, 0.0, None)
    for kernel in (de421_path(), MOON_PCK, MOON_FRAMES_TF):
        sp.furnsh(str(kernel))
    try:
        et = (np.asarray(t.tdb) - 2451545.0) * 86400.0
        elevation = {}
        for body in ("SUN", "EARTH"):
            sines = []
            for e in et:
                state, _ = sp.spkcpo(body, e, "MOON_ME", "OBSERVER", "LT+S", [0.0, 0.0, -1737.4], "MOON", "MOON_ME")
                v = np.asarray(state[:3])
                sines.append(-v[2] / np.linalg.norm(v))
            elevation[body] = np.degrees(np.arcsin(sines))
    finally:
        sp.kclear()
    assert np.abs(light.sun_elevation_deg - elevation["SUN"]).max() < 1e-3 / 3600  # 1 mas
    assert np.abs(light.earth_elevation_deg - elevation["EARTH"]).max() < 1e-3 / 3600
    summary = light.summary()
    # Bare sphere at 0 m: horizon = 0 deg exactly; the centre statistics then equal SPICE's sample for sample.
    assert summary["sun_center_visible_fraction"] == float(np.mean(elevation["SUN"] > 0))
    assert summary["earth_center_visible_fraction"] == float(np.mean(elevation["EARTH"] > 0))
    # DESIGN.md sanity numbers ("about" 52.6 % Sun, 43.9 % Earth for 2026). SPICE gives 51.4 % and 45.8 %;
    # the gap (1.2 and 1.9 points) is within the looseness of "about", so the design values are only checked
    # to 2.5 percentage points.
    assert summary["sun_center_visible_fraction"] == pytest.approx(0.526, abs=0.025)
    assert summary["earth_center_visible_fraction"] == pytest.approx(0.439, abs=0.025)


def test_smooth_sphere_mast_sees_more() -> None:
    # The bare sphere's dip at 10 m (0.194 deg) lowers the horizon: more Sun and more Earth than at 0 m.
    t = period_times("2026-01-01", "2026-07-01", 2 * HOUR)
    at_0 = site_light(-89.5, 30.0, t, 2 * HOUR, 0.0, None).summary()
    at_10 = site_light(-89.5, 30.0, t, 2 * HOUR, 10.0, None).summary()
    assert at_10["horizon_max_deg"] == pytest.approx(-math.degrees(math.sqrt(2 * 10 / 1_737_400.0)), rel=1e-4)
    assert at_10["sun_disk_visible_fraction"] > at_0["sun_disk_visible_fraction"]
    assert at_10["earth_center_visible_fraction"] >= at_0["earth_center_visible_fraction"]


def test_connecting_ridge_precession_cycle(south) -> None:  # type: ignore[no-untyped-def]
    """Connecting Ridge (89.45 S, 222.69 E) over a precession cycle (2030-01-01 .. 2048-08-01, 18.6 yr).

    References: Mazarico et al. 2011 (Icarus 211, 240 m DEM): 89.0 % at the surface, 93.1 % at 10 m;
    Glaser et al. 2014 (Icarus 243, 20 m DEM): up to 92.3 % at 2 m.
    Sampling every 6 h: the fractions change by < 0.1 point against hourly sampling (checked: 92.80 vs 92.79 %
    at 10 m), because the light statistics are averages over ~27,000 samples spread over 250 lunations.
    On the 1.6 km DEM with the conventions (bilinear height + mast, min_distance_m = one pixel) we get
    92.1 % at 0 m, 92.3 % at 2 m and 92.8 % at 10 m (docs/illumination.md shows how this moves with
    min_distance_m). Tolerances: at 10 m the terrain that matters is 10-100 km away, resolved by 1.6 km pixels:
    2 points. At 0-2 m nearby sub-kilometre relief (not in the DEM) shades the surface: the coarse DEM
    overestimates the light (data/README.md), so we assert the sign and bound the excess by 5 points.
    At 10 m the test follows Mazarico et al. 2011 (a 240 m DEM over the same kind of precession cycle, the closest
    to ours), not Glaser et al. 2014's 95.7 % at 10 m: that is the best point of the ridge on a 20 m DEM, lit
    through gaps between kilometre-scale features that a 1.6 km DEM cannot resolve.
    """
    t = period_times("2030-01-01", "2048-08-01", 6 * HOUR)
    at_10 = site_light(-89.45, 222.69, t, 6 * HOUR, 10.0, south).summary()
    at_2 = site_light(-89.45, 222.69, t, 6 * HOUR, 2.0, south).summary()
    at_0 = site_light(-89.45, 222.69, t, 6 * HOUR, 0.0, south).summary()
    assert at_10["sun_disk_visible_fraction"] == pytest.approx(0.931, abs=0.02)
    assert 0.923 - 0.01 <= at_2["sun_disk_visible_fraction"] <= 0.923 + 0.05
    assert 0.890 <= at_0["sun_disk_visible_fraction"] <= 0.890 + 0.05
    assert at_0["sun_disk_visible_fraction"] <= at_2["sun_disk_visible_fraction"] <= at_10["sun_disk_visible_fraction"]
    # Glaser et al. 2014: longest darkness at the best sites 3-5 days (20 m DEM); the smoother 1.6 km DEM can
    # only shorten it (it lowers the horizon), so at most 5 days; measured about 60 h (docs/illumination.md: a
    # lower bound for storage sizing). Floor one day: a site lit > 90 % of a cycle still has dark spells of days
    # (the Sun stays within 1.6 deg of the horizon for weeks near the solstices).
    assert 24.0 <= at_10["longest_dark_hours"] <= 5 * 24.0


def test_bussey_site_2020(south) -> None:  # type: ignore[no-untyped-def]
    """Bussey et al. 2010 (Icarus 208): the best-lit point near Shackleton, 88.74 S 124.5 E, lit 86 % of 2020.

    At 1.6 km the published point falls on the smoothed flank of the ridge (bilinear height 1403 m, the ridge
    cell 1586 m): 67 % there. Bussey's point is by definition the local maximum of light, so we compare the
    best-lit cell centre within 1.5 pixels (2.4 km: Kaguya-DEM position uncertainty plus the cell size):
    86.0 % on our grid; tolerance 5 points for the 1.6 km DEM against Bussey's Kaguya DEM.
    """
    from lunarops.illumination.maps import light_map, window_around

    t = period_times("2020-01-01", "2021-01-01", 2 * HOUR)
    window = window_around(south, -88.74, 124.5, 2400.0)
    lmap = light_map(south, t, 2 * HOUR, window, 0.0, earth=False)
    assert np.nanmax(lmap.sun_disk_visible_fraction) == pytest.approx(0.86, abs=0.05)


def test_min_distance_moves_ridge_light(south) -> None:  # type: ignore[no-untyped-def]
    # The convention the brief warns about: the bilinear surface inside the observer's own pixel can hide the Sun.
    # Counting terrain from 400 m (a quarter pixel) darkens the ridge; one pixel and more converge.
    t = period_times("2031-01-01", "2032-01-01", 6 * HOUR)
    values = {
        d: site_light(-89.45, 222.69, t, 6 * HOUR, 0.0, south, min_distance_m=d).summary()["sun_disk_visible_fraction"]
        for d in (400.0, 1600.0, 3200.0)
    }
    # Measured (lunarops, 2026-12-05): 0.658 at 400 m, 0.915 at 1,600 m, 0.920 at 3,200 m. The 400 m run loses
    # 0.257 of the year (about 2,250 h); 0.1 (876 h) keeps the direction and size of the effect with room for
    # DEM or ephemeris updates. One pixel and two agree to 0.005 (41 h); 0.02 (175 h) is four times that and
    # still far below the 0.257 effect above.
    assert values[400.0] < values[1600.0] - 0.1  # fraction of the year
    assert abs(values[3200.0] - values[1600.0]) < 0.02  # fraction of the year


def test_site_outside_dem(south) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SiteError, match="outside DEM 'south'"):
        site_horizon(0.0, 0.0, 10.0, south)


def test_ground_below_dem_rejected(south) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SiteError, match="ground_height_m"):
        site_horizon(-89.45, 222.69, 0.0, south, ground_height_m=0.0)
    dem_ground = float(south.height_at(-89.45, 222.69))
    with pytest.raises(SiteError, match=r"is 1\.50 m below the DEM surface"):
        site_horizon(-89.45, 222.69, 0.0, south, ground_height_m=dem_ground - 1.5)


def test_ground_within_a_metre_below_dem_stands_on_it(south) -> None:  # type: ignore[no-untyped-def]
    # A height copied from an output rounded to 0.1 m can lie below the bilinear DEM height; up to 1 m below
    # (LOLA's radial accuracy, Mazarico et al. 2012) the observer stands on the DEM surface: the same horizon.
    dem_ground = float(south.height_at(-89.45, 222.69))
    on_surface, _ = site_horizon(-89.45, 222.69, 0.0, south)
    below, ground = site_horizon(-89.45, 222.69, 0.0, south, ground_height_m=dem_ground - 0.2)
    assert ground == pytest.approx(dem_ground - 0.2, abs=1e-9)  # m: the given height is returned as given
    np.testing.assert_array_equal(below.elevation_rad, on_surface.elevation_rad)


@pytest.mark.parametrize("n_azimuth", [0, 4, 7])
def test_light_needs_eight_azimuths(south, n_azimuth: int) -> None:  # type: ignore[no-untyped-def]
    # the Sun's horizon is interpolated between the mask's azimuths: fewer than 8 (the scenario's minimum) were
    # accepted before and left octants of the horizon unseen
    with pytest.raises(InputError, match=rf"^n_azimuth = {n_azimuth} must be an integer in \[8, 100000\]"):
        site_horizon(-89.45, 222.69, 10.0, south, n_azimuth=n_azimuth)
    assert site_horizon(-89.45, 222.69, 10.0, south, n_azimuth=8)[0].elevation_rad.shape == (8,)


@pytest.mark.parametrize("name", ["bogus", "South Pole", "/no/such/file.tif"])
def test_bad_terrain_names(name: str) -> None:
    # the message names the field, the bad value and the accepted values (project standard: field, value, fix)
    with pytest.raises(InputError, match=rf"^terrain = {re.escape(repr(name))} is neither 'none', a shipped DEM"):
        resolve_terrain(name)
    with pytest.raises(InputError, match=rf"^--terrain = {re.escape(repr(name))} .*south, north, global"):
        resolve_terrain(name, field="--terrain")


def test_terrain_none_is_none() -> None:
    assert resolve_terrain("none") is None
    assert resolve_terrain("NONE") is None


def test_map_cell_agrees_with_site_at_its_centre(south) -> None:  # type: ignore[no-untyped-def]
    """Second algorithm: the map kernels (numba, geometric ME directions, per-cell parallax for the Earth,
    "fast" horizons) against the site path (sky_at_site apparent directions, "accurate" horizons) at the centres
    of a few cells around Connecting Ridge. Differences come only from the ray sampling and the 20 arcsec of
    aberration: a fraction of a percentage point."""
    from lunarops.illumination.maps import light_map, window_around

    t = period_times("2031-01-01", "2031-07-01", 3 * HOUR)
    window = window_around(south, -89.45, 222.69, 1600.0)
    lmap = light_map(south, t, 3 * HOUR, window, 10.0)
    for i, j in ((0, 0), (1, 1), (2, 1)):
        lat, lon = float(lmap.latitude_deg[i, j]), float(lmap.longitude_deg[i, j])
        site = site_light(lat, lon, t, 3 * HOUR, 10.0, south).summary()
        assert lmap.sun_disk_visible_fraction[i, j] == pytest.approx(site["sun_disk_visible_fraction"], abs=0.01)
        assert lmap.earth_center_visible_fraction[i, j] == pytest.approx(
            site["earth_center_visible_fraction"], abs=0.01
        )
        assert abs(lmap.longest_dark_hours[i, j] - site["longest_dark_hours"]) <= 2 * 3
