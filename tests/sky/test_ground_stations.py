"""The Moon seen from the DSN's complexes (lunarops.sky.ground) against spherical astronomy, and the network's
share of time with the Moon in view, in the operations' link notes."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from lunarops.errors import InputError, ScenarioError
from lunarops.sky.ground import DSN_STATIONS, _planets, moon_elevation_deg, network_sees_moon
from lunarops.timescale import utc_period

CANBERRA = DSN_STATIONS[1]


def _meeus_elevation_deg(station, t):  # type: ignore[no-untyped-def]
    """A second algorithm: the Moon's geocentric apparent right ascension and declination of date and the
    Greenwich apparent sidereal time, then the hour angle, the geocentric altitude (Meeus, Astronomical
    Algorithms, 2nd ed., eq. 13.6) and the parallax in altitude for a spherical Earth (p ~ asin(R / distance),
    altitude lowered by p cos(altitude); Meeus ch. 40 to first order). No Earth-fixed frame rotation of 3-D
    vectors, unlike skyfield's topocentric path."""
    planets = _planets()
    apparent = planets["earth"].at(t).observe(planets["moon"]).apparent()
    ra, dec, distance = apparent.radec(epoch="date")
    lat = np.radians(station.latitude_deg)
    hour_angle = np.radians(t.gast * 15.0 + station.longitude_deg) - ra.radians
    sin_alt = np.sin(lat) * np.sin(dec.radians) + np.cos(lat) * np.cos(dec.radians) * np.cos(hour_angle)
    altitude = np.arcsin(sin_alt)
    parallax = np.arcsin(6371.0 / distance.km)
    return np.degrees(altitude - parallax * np.cos(altitude))


def test_moon_elevation_agrees_with_spherical_astronomy() -> None:
    # 500 hourly samples spread over 2030-2034 at Canberra: the second algorithm's parallax is that of a spherical
    # Earth of 6371 km seen along the geodetic vertical (the station is 6372 km from the centre, its geocentric
    # latitude 0.19 deg lower: a parallax error of up to 0.95 deg x 0.0033 rad = 0.003 deg, plus the first-order
    # formula's 1e-4 rad): 0.011 deg at most measured; bound 0.03 deg, mean 0.01 deg
    t = utc_period("2030-01-01", "2035-01-01", 3600.0)[::88]
    ours = moon_elevation_deg(CANBERRA, t)
    second = _meeus_elevation_deg(CANBERRA, t)
    assert np.max(np.abs(ours - second)) < 0.03
    assert np.mean(np.abs(ours - second)) < 0.01


def test_each_complex_sees_the_moon_as_long_as_its_diurnal_arc_says() -> None:
    # over 2030-2034, hourly: the share of hours with the Moon above 10 deg at one complex equals the mean over
    # the hours of the half-arc H0 / 180 deg where cos H0 = (sin(10 deg + parallax) - sin(lat) sin(dec)) /
    # (cos(lat) cos(dec)) (the diurnal arc above a mask; Meeus eq. 15.1 with h0 = mask + parallax), from the
    # Moon's declination alone; within 0.002 (hourly sampling of arcs 10 h long; 0.0003 measured)
    t = utc_period("2030-01-01", "2035-01-01", 3600.0)
    planets = _planets()
    _, dec, distance = planets["earth"].at(t).observe(planets["moon"]).apparent().radec(epoch="date")
    for station in DSN_STATIONS:
        lat = np.radians(station.latitude_deg)
        h0 = np.radians(10.0) + np.arcsin(6371.0 / distance.km)
        cos_h = (np.sin(h0) - np.sin(lat) * np.sin(dec.radians)) / (np.cos(lat) * np.cos(dec.radians))
        expected = float(np.mean(np.arccos(np.clip(cos_h, -1.0, 1.0)) / np.pi))
        observed = float(np.mean(moon_elevation_deg(station, t) > 10.0))
        assert observed == pytest.approx(expected, abs=0.002), station.name


def test_the_network_has_gaps_and_a_higher_mask_widens_them() -> None:
    # three complexes 120 deg apart see the Moon most of the time but not always: an independent computation
    # (SPICE's apparent Moon from DE421, IAU 1976 precession and IAU 1982 GMST, WGS84 geodetic vertical, no
    # nutation: 0.0026 deg from lunarops's elevations at most over 300 epochs; session 17's audit) gives 0.99172
    # of 2030-2034's hours above 10 deg, and 0.8936 above 20 deg
    t = utc_period("2030-01-01", "2035-01-01", 3600.0)
    at_10 = network_sees_moon(t)
    assert float(np.mean(at_10)) == pytest.approx(0.99172, abs=0.0005)  # 22 of 43,824 hours
    assert float(np.mean(network_sees_moon(t, min_elevation_deg=20.0))) == pytest.approx(0.8936, abs=0.0005)
    assert float(np.mean(network_sees_moon(t, min_elevation_deg=20.0))) < float(np.mean(at_10)) - 0.02
    with pytest.raises(InputError, match=r"min_elevation_deg = 95 must be in \[0, 90\)"):
        network_sees_moon(t[:3], min_elevation_deg=95)
    with pytest.raises(InputError, match="stations is empty"):
        network_sees_moon(t[:3], stations=())


def test_ground_network_in_the_scenario() -> None:
    from lunarops.runner.stages.operations import simulate_scenario
    from lunarops.scenario import default_scenario_path
    from lunarops.scenario.load import parse_scenario
    from scenario_edits import direct_to_earth, without_campaign

    data = without_campaign(yaml.safe_load(default_scenario_path().read_text()))
    for section in ("orbits", "terrain"):
        data.pop(section, None)
    direct_to_earth(data)
    data["period"] = {"start_utc": "2031-03-01T00:00:00Z", "end_utc": "2031-04-01T00:00:00Z", "step_hours": 1}
    data["operations"]["monte_carlo"]["runs"] = 2
    _, _, notes = simulate_scenario(parse_scenario(yaml.safe_dump(data)))
    ground = network_sees_moon(utc_period("2031-03-01", "2031-04-01", 3600.0))
    note = next(n for n in notes if "ground network: the DSN" in n)
    assert f"sees the Moon above 10 deg at {float(np.mean(ground)):.1%} of steps" in note
    data["operations"]["comms"]["ground_network"] = "none"
    data["operations"]["comms"]["ground_min_elevation_deg"] = 5
    with pytest.raises(ScenarioError, match="ground_min_elevation_deg applies to a ground network"):
        parse_scenario(yaml.safe_dump(data))
