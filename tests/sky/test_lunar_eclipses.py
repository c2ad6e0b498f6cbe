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


# Contact times of the Moon with the Earth's penumbra (P1, P4) and umbra (U1..U4), UTC, from NASA's Five Millennium
# Canon of Lunar Eclipses (Espenak & Meeus 2009, NASA/TP-2009-214172, Danjon's shadow enlargement), as the
# eclipses' Wikipedia articles list them. A point on the Moon is in the umbra (no Sun) at least between U2 and U3
# (the whole Moon is), at most between U1 and U4, and under any part of the Earth's disk within P1..P4.
TOTAL_ECLIPSES = {
    "2032-10-18": ("16:25:58", "17:25:43", "18:40:07", "19:27:13", "20:41:37", "21:41:22"),
    "2033-04-14": ("16:11:54", "17:25:03", "18:47:56", "19:37:09", "21:00:02", "22:13:05"),
    "2033-10-08": ("08:20:05", "09:15:11", "10:16:59", "11:35:47", "12:37:35", "13:32:41"),
}


def _seconds(clock: str) -> float:
    h, m, s = (int(part) for part in clock.split(":"))
    return h * 3600.0 + m * 60.0 + s


@pytest.mark.parametrize("day", sorted(TOTAL_ECLIPSES))
def test_the_sun_is_hidden_at_the_ridge_through_totality(day: str) -> None:
    p1, u1, u2, u3, u4, p4 = (_seconds(c) for c in TOTAL_ECLIPSES[day])
    t = utc_period(f"{day}T00:00:00Z", f"{day}T23:59:00Z", 60.0)  # every minute
    seconds = np.arange(len(t)) * 60.0
    hidden = sky_at_site(*RIDGE, t).sun_fraction_outside_earth
    # 2 min: the catalogue's Delta T prediction against skyfield's (about a minute for 2032-2033) and the sampling
    margin = 120.0
    dark = seconds[hidden == 0.0]
    assert dark.size and dark.min() >= u1 - margin and dark.max() <= u4 + margin
    totality = (seconds >= u2 + margin) & (seconds <= u3 - margin)
    assert np.all(hidden[totality] == 0.0)
    covered = seconds[hidden < 1.0]
    assert covered.min() >= p1 - margin and covered.max() <= p4 + margin
    assert np.all(hidden[(seconds < p1 - margin) | (seconds > p4 + margin)] == 1.0)


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
