"""Lunar eclipses seen from the surface: the Sun's disk behind the Earth's (lunarops.sky), and the site light that
carries it (site_light)."""

from __future__ import annotations

import numpy as np
import pytest

from lunarops.sky import sky_at_site
from lunarops.sky.functions import disk_fraction_outside_disk
from lunarops.timescale import utc_period

# Connecting Ridge (Mazarico et al. 2011) at its LOLA ground height 1,850 m plus a 10 m mast
RIDGE = (-89.45, 222.69, 1860.0)


def _monte_carlo_outside(separation: float, radius: float, cover: float, n: int = 400) -> float:
    """The share of a grid of n x n points over the disk of ``radius`` that lies outside the covering disk: a
    numerical area integral, independent of the lens formula."""
    axis = (np.arange(n) + 0.5) / n * 2.0 - 1.0
    x, y = np.meshgrid(axis * radius, axis * radius)
    inside = x * x + y * y <= radius * radius
    outside = (x - separation) ** 2 + y * y > cover * cover
    return float(np.sum(inside & outside) / np.sum(inside))


@pytest.mark.parametrize(
    ("separation", "radius", "cover"),
    [
        (0.010, 0.00465, 0.01669),  # Sun (0.267 deg) wholly behind the Earth (0.956 deg) seen from the Moon
        (0.018, 0.00465, 0.01669),  # partial: the Sun's limb behind the Earth's
        (0.0205, 0.00465, 0.01669),  # a sliver
        (0.030, 0.00465, 0.01669),  # clear of it
        (0.002, 0.010, 0.004),  # a small disk inside a larger one (the Earth seen from far away)
        (0.009, 0.010, 0.004),
    ],
)
def test_disk_overlap_against_a_numerical_area(separation: float, radius: float, cover: float) -> None:
    # the grid's error is ~ the perimeter x cell / area: 2 / n ~ 0.5 % of the disk at n = 400
    expected = _monte_carlo_outside(separation, radius, cover)
    assert float(disk_fraction_outside_disk(separation, radius, cover)) == pytest.approx(expected, abs=0.006)


# Contact times of the Moon with the Earth's penumbra (P1, P4) and umbra (U1..U4) from NASA's Five Millennium Canon
# of Lunar Eclipses (Espenak & Meeus 2009, NASA/TP-2009-214172, Danjon's shadow enlargement), as the eclipses'
# Wikipedia articles list them: in TD (dynamical time) for 2032-10-18 and 2033-10-08 (their U2/U3 midpoints are
# the canon's TD of greatest eclipse, 19:03:40 and 10:56:23), less the canon's Delta T (79 s in 2032, 80 s in 2033)
# for UTC; in UT for 2033-04-14. A point on the Moon is in the umbra (no Sun) at least between U2 and U3 (the whole
# Moon is), at most between U1 and U4, and under any part of the Earth's disk within P1..P4.
TOTAL_ECLIPSES = {  # day: (contacts, seconds to subtract for UTC)
    "2032-10-18": (("16:25:58", "17:25:43", "18:40:07", "19:27:13", "20:41:37", "21:41:22"), 79.0),
    "2033-04-14": (("16:11:54", "17:25:03", "18:47:56", "19:37:09", "21:00:02", "22:13:05"), 0.0),
    "2033-10-08": (("08:20:05", "09:15:11", "10:16:59", "11:35:47", "12:37:35", "13:32:41"), 80.0),
}


def _seconds(clock: str) -> float:
    h, m, s = (int(part) for part in clock.split(":"))
    return h * 3600.0 + m * 60.0 + s


@pytest.mark.parametrize("day", sorted(TOTAL_ECLIPSES))
def test_the_sun_is_hidden_at_the_ridge_through_totality(day: str) -> None:
    clocks, delta_t_s = TOTAL_ECLIPSES[day]
    p1, u1, u2, u3, u4, p4 = (_seconds(c) - delta_t_s for c in clocks)
    t = utc_period(f"{day}T00:00:00Z", f"{day}T23:59:00Z", 60.0)  # every minute
    seconds = np.arange(len(t)) * 60.0
    hidden = sky_at_site(*RIDGE, t).sun_fraction_outside_earth
    # 2 min: the canon's ephemeris against DE421 (its contacts come 33-43 s later from DE421, session 17's audit),
    # its Delta T against skyfield's (under 10 s for 2032-2033) and the minute sampling
    margin = 120.0
    dark = seconds[hidden == 0.0]
    assert dark.size and dark.min() >= u1 - margin and dark.max() <= u4 + margin
    totality = (seconds >= u2 + margin) & (seconds <= u3 - margin)
    assert np.all(hidden[totality] == 0.0)
    covered = seconds[hidden < 1.0]
    assert covered.min() >= p1 - margin and covered.max() <= p4 + margin
    assert np.all(hidden[(seconds < p1 - margin) | (seconds > p4 + margin)] == 1.0)


@pytest.mark.parametrize("day", ["2032-04-25", "2032-10-18", "2033-04-14", "2033-10-08"])
def test_the_ridges_own_eclipse_windows_match_spice(kernels: None, day: str) -> None:
    """The site's own windows (no Sun; some of it behind the Earth), minute by minute over the eclipse day, from
    SPICE: spkcpo of the Sun and the Earth from the ridge (constant-position observer in MOON_ME, LT+S), their
    separation (vsep) and angular radii (asin(R / d); the Earth's R as the canon scales it, 0.998340 x 6,378.137
    km x (1 + 1/85)); no Sun while separation <= R_earth - r_sun, some of it hidden while separation <
    R_earth + r_sun. Session 17's audit found these windows 1.43, 2.58, 2.80 and 1.74 h long."""
    import spiceypy as spice

    from lunarops.sky.functions import site_position_me_m

    t = utc_period(f"{day}T00:00:00Z", f"{day}T23:59:00Z", 60.0)
    hidden = sky_at_site(*RIDGE, t).sun_fraction_outside_earth
    site_km = site_position_me_m(np.radians(RIDGE[0]), np.radians(RIDGE[1]), RIDGE[2]) / 1000.0
    earth_km = 6378.137 * 0.998340 * (1.0 + 1.0 / 85.0)
    dark, part = [], []
    for et in (np.asarray(t.tdb) - 2451545.0) * 86400.0:  # TDB seconds past J2000 (SPICE's ET)
        sun, _ = spice.spkcpo("SUN", et, "J2000", "OBSERVER", "LT+S", site_km, "MOON", "MOON_ME")
        earth, _ = spice.spkcpo("EARTH", et, "J2000", "OBSERVER", "LT+S", site_km, "MOON", "MOON_ME")
        separation = spice.vsep(sun[:3], earth[:3])
        r_sun = np.arcsin(695700.0 / np.linalg.norm(sun[:3]))
        r_earth = np.arcsin(earth_km / np.linalg.norm(earth[:3]))
        dark.append(separation <= r_earth - r_sun)
        part.append(separation < r_earth + r_sun)
    # the same minutes (none differ, measured), but for a sample within a few seconds of a contact, where float
    # rounding may decide
    assert np.sum(np.asarray(dark) != (hidden == 0.0)) <= 1
    assert np.sum(np.asarray(part) != (hidden < 1.0)) <= 1
    assert 1.4 <= np.sum(dark) / 60.0 <= 2.9  # docs/illumination.md: 1.4-2.8 h of no Sun in each


def test_site_light_goes_dark_in_an_eclipse_at_a_lit_ridge() -> None:
    # the terrain light at the ridge (shipped LOLA south DEM, 10 m mast): the whole Sun is seen there on 2033-10-08
    # before and after the eclipse (P1 08:20, P4 13:33 UTC, above), and during its totality (10:17-11:36) none of it
    from lunarops.illumination import site_light
    from lunarops.terrain import load_dem

    t = utc_period("2033-10-08T00:00:00Z", "2033-10-09T00:00:00Z", 600.0)
    light = site_light(RIDGE[0], RIDGE[1], t, 600.0, 10.0, load_dem("south"))
    minutes = np.arange(len(t)) * 10.0
    assert np.all(light.sun_disk_visible[(minutes >= 10 * 60 + 20) & (minutes <= 11 * 60 + 30)] == 0.0)
    assert np.all(light.sun_disk_visible[(minutes < 8 * 60) | (minutes > 14 * 60)] == 1.0)
