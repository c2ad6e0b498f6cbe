"""Comms through orbital relays (``operations.comms.mode: direct_or_relay``).

Tiny hand-built stations on constant fission power (every load always fully served, no failures), so each
step's downlink is the hand arithmetic min(buffer, rate x dt) of the link of that step."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from lunarops.errors import ScenarioError
from lunarops.ops.inputs import LightSeries, build_inputs
from lunarops.ops.montecarlo import simulate
from lunarops.ops.station import CommLink, ConstantSource, Load, Station, When
from lunarops.scenario import default_scenario_path
from lunarops.scenario.load import parse_scenario
from scenario_edits import direct_to_earth, without_campaign

START = np.datetime64("2030-01-01T00:00")
DT = 3600.0
EARTH = np.array([1, 1, 0, 0, 0, 0, 1, 1, 0, 0], dtype=bool)
RELAY = np.array([0, 1, 1, 1, 0, 1, 0, 0, 1, 0], dtype=bool)
MADE = 2e6  # science data [bit/s]: 7.2e9 bits a step
DIRECT = 1e6  # 3.6e9 bits a step
VIA_RELAY = 0.5e6  # 1.8e9 bits a step


def _light(relay: np.ndarray | None) -> LightSeries:
    n = EARTH.size
    return LightSeries(
        np.full(n, 0.1), np.zeros(n), np.ones(n), np.full(n, 1.496e11), EARTH, source="test", relay_visible=relay
    )


def _station(buffer_bits: float, relay_bps: float = 0.0, comm_when: When = "comm_link") -> Station:
    return Station(
        sources=(ConstantSource("fission", 20e3),),
        loads=(
            Load("science", 1e3, 5, data_rate_bps=MADE),
            Load("comm", 0.1e3, 2, comm_when),
        ),
        comm=CommLink("link", DIRECT, buffer_bits, "comm", relay_bps),
    )


def _returned_dropped(station: Station, light: LightSeries) -> tuple[float, float, np.ndarray]:
    result = simulate(station, build_inputs(station, light, START, DT), runs=1, seed=1, record_steps=1)
    ds = result.dataset.isel(run=0)
    return (
        float(ds["run_data_returned_bits"].values),
        float(ds["run_data_dropped_bits"].values),
        np.asarray(ds["data_returned_bits"].values, dtype=np.float64),
    )


def _old_formula(buffer_bits: float) -> tuple[float, float]:
    """Direct to Earth as before relays: downlink = min(buffer, rate x dt x earth_visible), then overflow."""
    buf = returned = dropped = 0.0
    for visible in EARTH:
        buf += MADE * 1.0 * DT
        down = min(buf, DIRECT * DT * 1.0 * float(visible) * 1.0)
        buf -= down
        returned += down
        if buf > buffer_bits:
            dropped += buf - buffer_bits
            buf = buffer_bits
    return returned, dropped


@pytest.mark.parametrize("comm_when", ["earth_visible", "comm_link"])
@pytest.mark.parametrize("buffer_bits", [1e12, 1.0e10])
def test_direct_to_earth_unchanged(buffer_bits: float, comm_when: When) -> None:
    """No relay rate: 3.6e9 bits on each of the 4 Earth steps, whatever relay series the light carries; the
    same floats as the pre-relay formula (a dropping buffer included)."""
    for relay in (None, RELAY):
        returned, dropped, _ = _returned_dropped(_station(buffer_bits, comm_when=comm_when), _light(relay))
        assert (returned, dropped) == _old_formula(buffer_bits)
        if buffer_bits == 1e12:
            assert returned == 4 * 3.6e9 and dropped == 0.0


def test_relay_carries_relay_rate_while_earth_is_down() -> None:
    """Earth steps 0, 1, 6, 7 carry 3.6e9 bits; relay-only steps 2, 3, 5, 8 carry 0.5e6 x 3600 = 1.8e9."""
    returned, dropped, cumulative = _returned_dropped(_station(1e12, VIA_RELAY), _light(RELAY))
    per_step = np.diff(cumulative, prepend=0.0)
    expected = np.array([3.6e9, 3.6e9, 1.8e9, 1.8e9, 0.0, 1.8e9, 3.6e9, 3.6e9, 1.8e9, 0.0])
    np.testing.assert_allclose(per_step, expected, rtol=1e-6)
    assert returned == 4 * 3.6e9 + 4 * 1.8e9 and dropped == 0.0


def test_relay_needs_the_comm_load_powered() -> None:
    """A comm load gated on earth_visible is off while only a relay is up: the relay carries nothing."""
    returned, _, _ = _returned_dropped(_station(1e12, VIA_RELAY, "earth_visible"), _light(RELAY))
    assert returned == 4 * 3.6e9


def _example(days: int) -> dict:
    data = without_campaign(yaml.safe_load(default_scenario_path().read_text()))
    data.pop("terrain", None)
    data["period"] = {"start_utc": "2030-01-01T00:00:00Z", "end_utc": f"2030-01-{1 + days:02d}T00:00:00Z"}
    data["period"]["step_hours"] = 1
    data["operations"]["comms"]["mode"] = "direct_or_relay"
    data["operations"]["monte_carlo"]["runs"] = 2
    return data


def test_relay_mode_without_orbits_is_a_scenario_error() -> None:
    # refused when the file is read (lunarops validate), not years into a run
    data = _example(2)
    data.pop("orbits")
    with pytest.raises(ScenarioError, match=r"operations\.comms\.mode.*orbits section.*direct_to_earth"):
        parse_scenario(yaml.safe_dump(data))


def test_relay_only_fraction_matches_an_independent_coverage() -> None:
    """The operations summary's relay-only fraction = mean(relay path and not Earth) with the relay path from
    an independent compute_coverage of the base site (smooth sphere, ground + mast height) over the period."""
    from lunarops.orbits.coverage import SurfaceSite, compute_coverage
    from lunarops.runner.stages.operations import simulate_scenario, smooth_sphere_light
    from lunarops.runner.stages.orbits import orbiter_from_spec
    from lunarops.timescale import parse_utc

    scenario = parse_scenario(yaml.safe_dump(_example(10)))
    _, mc, notes = simulate_scenario(scenario)
    site = next(s for s in scenario.sites if s.name == scenario.operations.site)
    orbits = scenario.orbits
    height = (site.ground_height_m or 0.0) + site.mast_height_m
    coverage = compute_coverage(
        [SurfaceSite(site.name, site.latitude_deg, site.longitude_deg, height)],
        [orbiter_from_spec(spec) for spec in orbits.orbiters],
        parse_utc("2030-01-01T00:00:00Z"),
        10 * 86400.0,
        3600.0,
        orbits.coverage.min_elevation_deg,
        lunar_gravity=orbits.coverage.lunar_gravity,
    )
    relay = coverage.relay_links[site.name].visible
    assert relay.shape == (240,)
    mast = max([a.mast_height_m for a in scenario.operations.power.solar_arrays] + [site.mast_height_m])
    start, end = scenario.period.start_utc, scenario.period.end_utc
    earth = smooth_sphere_light(
        site.latitude_deg, site.longitude_deg, mast, site.ground_height_m or 0.0, start, end, 3600.0
    ).earth_visible
    # both links need a DSN complex to see the Moon (comms.ground_network: dsn, the default; checked against
    # spherical astronomy in tests/sky/test_ground_stations.py)
    from lunarops.sky.ground import network_sees_moon
    from lunarops.timescale import utc_period

    ground = network_sees_moon(utc_period(start, end, 3600.0))
    expected = float(np.mean(relay & ground & ~(earth & ground)))
    assert mc.summary["relay_only_link_fraction"] == pytest.approx(expected, abs=1e-12)
    assert any("ground network: the DSN" in note for note in notes)
    assert any("direct_or_relay" in note and "relay only" in note for note in notes)


def test_relayed_share_and_buffer_peak() -> None:
    """Hand arithmetic on the same 10 steps: relay-only steps 2, 3, 5, 8 carry 1.8e9 bits each (7.2e9 relayed of
    2.16e10 returned). The buffer gains 7.2e9 bits a step and loses what goes down: after step 0 it holds 3.6e9,
    then 7.2e9, 1.26e10, 1.80e10, 2.52e10 (step 4: no link), 3.06e10, 3.42e10, 3.78e10, 4.32e10, 5.04e10: the
    peak is the last step's 5.04e10 bits (10 x 7.2e9 made - 2.16e10 returned)."""
    station = _station(1e12, VIA_RELAY)
    result = simulate(station, build_inputs(station, _light(RELAY), START, DT), runs=1, seed=1, record_steps=1)
    ds = result.dataset.isel(run=0)
    assert float(ds["run_data_relayed_bits"].values) == pytest.approx(4 * 1.8e9, rel=1e-12)
    assert float(ds["run_max_data_buffer_bits"].values) == pytest.approx(10 * 7.2e9 - 2.16e10, rel=1e-12)
    assert result.summary["data_relayed_gb_p50"] == pytest.approx(4 * 1.8e9 / 8e9, rel=1e-12)
    assert result.summary["data_buffer_peak_gb_max"] == pytest.approx(5.04e10 / 8e9, rel=1e-12)


def test_direct_link_antenna_mask_and_link_gap() -> None:
    """comms.min_elevation_deg: the direct link also needs the Earth's centre above the mask. Independent check:
    the Earth's elevation from lunarops.sky (itself tested against SPICE, tests/sky) over the same 10 days; the
    Earth-visible share in the run's note = mean(terrain-free visibility and elevation > mask), the longest gap
    = the longest run of steps with neither the Earth above both nor a relay."""
    from lunarops.runner.stages.operations import simulate_scenario, smooth_sphere_light
    from lunarops.sky import sky_at_site
    from lunarops.timescale import utc_period

    data = _example(10)
    direct_to_earth(data)
    data["operations"]["comms"]["min_elevation_deg"] = 2.0
    data["operations"]["comms"]["ground_network"] = "none"  # the lunar end alone (the DSN: test_ground_network_*)
    scenario = parse_scenario(yaml.safe_dump(data))
    _, mc, notes = simulate_scenario(scenario)
    site = next(s for s in scenario.sites if s.name == scenario.operations.site)
    start, end = scenario.period.start_utc, scenario.period.end_utc
    mast = max([a.mast_height_m for a in scenario.operations.power.solar_arrays] + [site.mast_height_m])
    dipped = smooth_sphere_light(
        site.latitude_deg, site.longitude_deg, mast, site.ground_height_m or 0.0, start, end, 3600.0
    ).earth_visible
    height = (site.ground_height_m or 0.0) + site.mast_height_m
    el = sky_at_site(site.latitude_deg, site.longitude_deg, height, utc_period(start, end, 3600.0)).earth_elevation_deg
    up = dipped & (el > 2.0)
    assert 0 < up.sum() < dipped.sum()  # the mask removes some but not all of the Earth's hours
    note = next(n for n in notes if n.startswith("Comms mode direct_to_earth"))
    assert f"direct link (Earth visible) {np.mean(up):.1%} of steps" in note
    assert "2 deg antenna mask" in note
    # the mask is the link's: a load scheduled while the Earth is up (the earth camera) keeps the plain horizon
    camera = mc.inputs.load_names.index("earth camera")
    np.testing.assert_array_equal(mc.inputs.demand_w[camera] > 0, dipped)
    runs = np.diff(np.flatnonzero(np.diff(np.concatenate([[1], up.astype(int), [1]])) != 0))[::2]
    assert mc.summary["longest_link_gap_h"] == float(runs.max())


def test_a_relay_that_hits_the_moon_is_noted_and_relays_nothing_after() -> None:
    """The frozen relay at RAAN 0 instead of 270 deg: the Earth's pull lowers its perilune below the surface
    within days (compute_coverage's impact, tests/orbits/test_orbits_session15.py checks the track's own radius);
    the operations light note says so, and no step after the impact counts a relay path through it."""
    from lunarops.runner.stages.operations import light_for_scenario

    data = _example(10)
    data["orbits"]["orbiters"] = [o for o in data["orbits"]["orbiters"] if o["kind"] == "frozen"]
    data["orbits"]["orbiters"][0]["raan_deg"] = 0
    scenario = parse_scenario(yaml.safe_dump(data))
    light, note = light_for_scenario(scenario, None)
    assert "relays: IMPACT: orbiter 'Queqiao-2 class relay' goes below the lunar surface" in note
    assert light.relay_visible is not None
    import re

    day = float(re.search(r"\(day (\d+\.\d+);", note).group(1))  # type: ignore[union-attr]
    assert 0.0 < day < 10.0
    assert not light.relay_visible[int(np.ceil(day * 24)) :].any()
    assert light.relay_visible[: int(day * 24)].any()  # it did relay before


def test_direct_link_schedule_is_the_direct_link_only() -> None:
    """`when: direct_link` (teleoperation from Earth) runs while the direct link is up: the Earth above the
    horizon and the antenna mask (direct_link_visible), not while only a relay is up (comm_link), and not while the
    Earth is above the horizon but below the mask (earth_visible). By hand on the 10 steps: the mask drops step 7."""
    from lunarops.ops.montecarlo import load_table

    direct = EARTH.copy()
    direct[7] = False
    light = LightSeries(
        np.full(EARTH.size, 0.1), np.zeros(EARTH.size), np.ones(EARTH.size), np.full(EARTH.size, 1.496e11), EARTH,
        source="test", relay_visible=RELAY, direct_link_visible=direct,
    )
    station = Station(
        sources=(ConstantSource("fission", 20e3),),
        loads=(
            Load("teleop rover", 1e3, 3, "direct_link"),
            Load("earth cam", 1e3, 3, "earth_visible"),
            Load("comm", 0.1e3, 2, "comm_link"),
        ),
        comm=CommLink("link", DIRECT, 1e12, "comm", VIA_RELAY),
    )
    table = load_table(simulate(station, build_inputs(station, light, START, DT), runs=1, seed=1).dataset)
    hours = dict(zip(table["load"], table["scheduled_h_mean"], strict=True))
    # direct: steps 0, 1, 6; Earth up: also 7 (below the mask); a link: direct or relay (2, 3, 5, 8)
    assert hours == {"teleop rover": 3.0, "earth cam": 4.0, "comm": 7.0}
