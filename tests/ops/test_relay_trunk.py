"""The relay's own link to Earth (the trunk: ``comms.relay_trunk_link_budget``, ``relay_trunk_data_rate_mbps``)
and discrete modem rates (``rates_mbps`` on a link budget)."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from link_reference import RELAY, TRUNK, linear_rate_bps, relay_inputs, relay_light
from lunarops.errors import InputError, ScenarioError
from lunarops.ops import functions as fn
from lunarops.ops.inputs import LightSeries, build_inputs
from lunarops.ops.station import CommLink, LinkBudget
from lunarops.scenario import default_scenario_path
from lunarops.scenario.load import parse_scenario
from scenario_edits import without_campaign

N = 6
EARTH = np.array([1, 1, 0, 0, 0, 1], dtype=bool)
RELAY_UP = np.array([0, 1, 1, 1, 0, 0], dtype=bool)
RELAY_RANGE_M = np.array([np.nan, 5.0e6, 3.0e7, 7.1e7, np.nan, np.nan])
TRUNK_RANGE_M = np.array([np.nan, 4.5e8, 4.5e8, 3.3e8, np.nan, np.nan])


def _light(**overrides: object) -> LightSeries:
    fields: dict[str, object] = {
        "relay_visible": RELAY_UP,
        "relay_range_m": RELAY_RANGE_M,
        "relay_earth_distance_m": TRUNK_RANGE_M,
    }
    fields.update(overrides)
    return relay_light(EARTH, fields)


def test_relayed_rate_is_the_lower_of_the_two_hops() -> None:
    """Relay-only steps 2 and 3: min(100 Mbps cap, base-to-relay rate, trunk rate), each rate from the linear link
    equation. Step 2: the trunk at 450,000 km (about 40 Mbps) binds, the base hop at 30,000 km closes 2.9 Gbps;
    step 3: the base hop at 71,000 km (51.6 Mbps) binds, the trunk at 330,000 km closes about 75 Mbps."""
    comm = CommLink("link", 100e6, 1e12, "comm", 100e6, relay_budget=RELAY, trunk_budget=TRUNK)
    rate = relay_inputs(comm, _light()).link_bps
    base = linear_rate_bps(RELAY_RANGE_M[2:4], 26e9, 53.7, 20.1, 2.0)
    trunk = linear_rate_bps(TRUNK_RANGE_M[2:4], 8.45e9, 38.0, 40.0, 1.0)
    assert trunk[0] < base[0] and base[1] < trunk[1]  # each hop binds once
    np.testing.assert_allclose(rate[2:4], np.minimum(100e6, np.minimum(base, trunk)), rtol=1e-9)
    assert trunk[0] == pytest.approx(40.3e6, rel=0.01)  # the docstring's figures, to 1 %
    assert rate[4] == 0.0 and rate[1] == 100e6  # no link; step 1 goes direct (the Earth is up)


def test_a_trunk_cap_alone_caps_the_relayed_rate() -> None:
    comm = CommLink("link", 100e6, 1e12, "comm", 100e6, relay_budget=RELAY, trunk_bps=20e6)
    rate = relay_inputs(comm, _light(relay_earth_distance_m=None)).link_bps
    # steps 2, 3: the base hop closes 100 Mbps (capped) and 51.6 Mbps, the trunk is fixed at 20 Mbps
    np.testing.assert_array_equal(rate, [100e6, 100e6, 20e6, 20e6, 0.0, 100e6])


def test_modem_rate_picks_the_highest_listed_rate_that_closes() -> None:
    # hand table: rates 1 and 2 Mbps; a closing rate exactly at a listed rate closes it (Eb/N0 = required + margin)
    closing = np.array([0.5e6, 1.0e6, 1.5e6, 2.0e6, 1.0e9])
    np.testing.assert_array_equal(fn.modem_rate_bps(closing, [1e6, 2e6]), [0.0, 1e6, 1e6, 2e6, 2e6])


def test_discrete_rates_on_a_budget_against_a_hand_table() -> None:
    """The example's relay budget closes 51.6 Mbps at 71,000 km (test_ops_link_budget.py) and the rate goes as
    1/d^2, so: 5,000 km: 10.4 Gbps -> 100; 71,000 km: 51.6 -> 50; 100,000 km: 51.6 (0.71)^2 = 26.0 -> 20;
    300,000 km: 51.6 (7.1/30)^2 = 2.89 -> 2; 1,000,000 km: 0.26 -> none (0). With a 60 Mbps cap, 5,000 km -> 50."""
    rates_mbps = (1, 2, 5, 10, 20, 50, 100)
    budget = LinkBudget(26e9, 53.7, 20.1, 2.5, 3.0, 2.0, tuple(r * 1e6 for r in rates_mbps))
    d_m = np.array([5.0e6, 7.1e7, 1.0e8, 3.0e8, 1.0e9])
    closing = linear_rate_bps(d_m, 26e9, 53.7, 20.1, 2.0)
    np.testing.assert_allclose(closing / 1e6, [10_400, 51.6, 26.0, 2.89, 0.26], rtol=0.01)
    np.testing.assert_array_equal(budget.rate_bps(d_m) / 1e6, [100, 50, 20, 2, 0])
    np.testing.assert_array_equal(budget.rate_bps(d_m, 60e6) / 1e6, [50, 50, 20, 2, 0])


def test_discrete_rates_through_the_engine() -> None:
    """Relay steps with a modem of 1, 10 and 45 Mbps on the trunk: step 2 (trunk 40.3 Mbps closes) -> 10; step 3
    (trunk 75 Mbps, base 51.6) -> 45; the comm load is off where no rate closes (0 bps)."""
    trunk = LinkBudget(8.45e9, 38.0, 40.0, 2.5, 3.0, 1.0, (1e6, 10e6, 45e6))
    comm = CommLink("link", 100e6, 1e12, "comm", 100e6, relay_budget=RELAY, trunk_budget=trunk)
    rate = relay_inputs(comm, _light()).link_bps
    np.testing.assert_array_equal(rate[2:4], [10e6, 45e6])
    far = _light(relay_earth_distance_m=np.array([np.nan, 4.5e8, 4.5e9, 3.3e8, np.nan, np.nan]))
    inputs = relay_inputs(comm, far)
    assert inputs.link_bps[2] == 0.0  # 4.5e9 m: 0.4 Mbps closes, below 1 Mbps
    comm_load = list(inputs.load_names).index("comm")
    np.testing.assert_array_equal(inputs.demand_w[comm_load], [100.0, 100.0, 0.0, 100.0, 0.0, 100.0])


def test_engine_errors_name_the_field_and_the_fix() -> None:
    with pytest.raises(InputError, match=r"rates_bps .* must increase strictly; give \(1000000.0, 2000000.0\)"):
        LinkBudget(26e9, 53.7, 20.1, 2.5, rates_bps=(2e6, 1e6, 2e6))
    with pytest.raises(InputError, match=r"rates_bps .* finite rates > 0"):
        LinkBudget(26e9, 53.7, 20.1, 2.5, rates_bps=(0.0, 1e6))
    with pytest.raises(InputError, match=r"rates_bps .* finite rates > 0"):
        LinkBudget(26e9, 53.7, 20.1, 2.5, rates_bps=(1e6, float("nan")))
    with pytest.raises(InputError, match=r"relay trunk .* but no relay .* give relay_bps > 0 or drop the trunk"):
        CommLink("link", 100e6, 1e12, "comm", trunk_budget=TRUNK)
    comm = CommLink("link", 100e6, 1e12, "comm", 100e6, trunk_budget=TRUNK)
    with pytest.raises(InputError, match=r"relay trunk link budget but the light series has no relay_earth_distance"):
        relay_inputs(comm, _light(relay_earth_distance_m=None))
    with pytest.raises(InputError, match=r"relay_earth_distance_m .* NaN where no relay is up"):
        _light(relay_earth_distance_m=np.full(N, -1.0))
    with pytest.raises(InputError, match=r"relay_earth_distance_m .* wherever relay_visible is True"):
        _light(relay_earth_distance_m=np.full(N, np.nan))
    high = CommLink(
        "link", 100e6, 1e12, "comm", 100e6, relay_budget=LinkBudget(26e9, 53.7, 20.1, 2.5, 3.0, 2.0, (2e8,))
    )
    with pytest.raises(InputError, match=r"lowest rate, 2e\+08 bps, is above the leg's fixed rate 1e\+08 bps"):
        relay_inputs(high, _light())


def _example() -> dict:
    return without_campaign(yaml.safe_load(default_scenario_path().read_text()))


def test_scenario_errors_name_the_field_and_the_fix() -> None:
    data = _example()
    data["operations"]["comms"]["relay_link_budget"]["rates_mbps"] = [10, 5, 10]
    with pytest.raises(
        ScenarioError,
        match=r"rates_mbps = \[10.0, 5.0, 10.0\] must increase with no repeats; give "
        r"\[5.0, 10.0\]",
    ):
        parse_scenario(yaml.safe_dump(data))
    data["operations"]["comms"]["relay_link_budget"]["rates_mbps"] = [0, 5]
    with pytest.raises(ScenarioError, match=r"rates_mbps = \[0.0, 5.0\] must list one or more rates > 0"):
        parse_scenario(yaml.safe_dump(data))
    data["operations"]["comms"]["relay_link_budget"]["rates_mbps"] = [200, 400]
    with pytest.raises(
        ScenarioError,
        match=r"relay_link_budget.rates_mbps starts at 200 Mbps, above "
        r"relay_data_rate_mbps",
    ):
        parse_scenario(yaml.safe_dump(data))
    data = _example()
    data["operations"]["comms"]["relay_trunk_link_budget"] = {
        "frequency_ghz": 26,
        "eirp_dbw": 61,
        "g_over_t_db_per_k": 59,
        "required_eb_n0_db": 2.5,
        "rates_mbps": [500],
    }
    data["operations"]["comms"]["relay_trunk_data_rate_mbps"] = 300
    with pytest.raises(
        ScenarioError,
        match=r"relay_trunk_link_budget.rates_mbps starts at 500 Mbps, above "
        r"relay_trunk_data_rate_mbps = 300",
    ):
        parse_scenario(yaml.safe_dump(data))
    data["operations"]["comms"]["mode"] = "direct_to_earth"
    data["operations"]["comms"].pop("relay_link_budget")
    with pytest.raises(
        ScenarioError,
        match=r"relay_trunk_link_budget \(the relay orbiters' link to Earth\) applies "
        r"to mode: direct_or_relay",
    ):
        parse_scenario(yaml.safe_dump(data))


def test_a_trunk_without_relay_orbiters_is_refused() -> None:
    data = _example()
    data.pop("orbits")
    data["operations"]["comms"]["relay_trunk_data_rate_mbps"] = 50
    with pytest.raises(ScenarioError, match=r"needs relays, the orbits section's orbiters, and the scenario has none"):
        parse_scenario(yaml.safe_dump(data))


def test_trunk_range_is_the_nearest_relaying_orbiters_distance_to_the_earth() -> None:
    """compute_coverage's relay_earth_range_m against a second computation: the Earth's position from skyfield's
    own reading of DE421 (not lunarops' ephemeris reader), the orbiter's distance to it by the law of cosines from
    the two radii and the angle between the Moon-centred vectors; the orbiter taken is the nearest relaying one."""
    from skyfield.api import load_file

    from lunarops.ephemeris.kernels import de421_path
    from lunarops.orbits.coverage import SurfaceSite, compute_coverage
    from lunarops.runner.stages.orbits import orbiter_from_spec
    from lunarops.timescale import parse_utc

    scenario = parse_scenario(yaml.safe_dump(_example()))
    assert scenario.orbits is not None
    site = scenario.sites[0]
    height_m = (site.ground_height_m or 0.0) + site.mast_height_m
    start = parse_utc("2030-01-01T00:00:00Z")
    coverage = compute_coverage(
        [SurfaceSite(site.name, site.latitude_deg, site.longitude_deg, height_m)],
        [orbiter_from_spec(spec) for spec in scenario.orbits.orbiters],
        start,
        7 * 86400.0,
        3600.0,
        5.0,
    )
    eph = load_file(str(de421_path()))
    ts = start.ts
    times = ts.tt_jd(start.tt + coverage.seconds / 86400.0)
    try:
        earth_m = (eph["earth"] - eph["moon"]).at(times).position.m  # ICRF, Moon-centred (3, N)
    finally:
        eph.close()
    r_earth = np.linalg.norm(earth_m, axis=0)
    ranges, trunks = [], []
    for track in coverage.tracks:
        r_orbiter = np.linalg.norm(track.position_j2000_m, axis=0)
        cos_angle = np.sum(track.position_j2000_m * earth_m, axis=0) / (r_orbiter * r_earth)
        trunks.append(np.sqrt(r_orbiter**2 + r_earth**2 - 2.0 * r_orbiter * r_earth * cos_angle))
        link = coverage.site_links[(site.name, track.name)]
        assert link.range_m is not None
        ranges.append(np.where(link.visible & coverage.earth_links[track.name].visible, link.range_m, np.inf))
    pick = np.argmin(ranges, axis=0)
    expected = np.take_along_axis(np.array(trunks), pick[None, :], axis=0)[0]
    got = coverage.relay_earth_range_m[site.name]
    up = coverage.relay_links[site.name].visible
    assert np.array_equal(np.isnan(got), ~up)
    assert up.sum() > 100
    np.testing.assert_allclose(got[up], expected[up], atol=1.0)  # 1 m: two readers of DE421, the same geometry
    # the relays stay near the Earth-Moon distance: DE421 over the week plus at most the NRHO's 71,000 km apolune
    assert np.all(np.abs(got[up] - r_earth[up]) < 75_000e3)
    row = next(r for r in coverage.coverage_rows() if r["orbiter"] == "relayed to Earth by any orbiter")
    assert row["min_trunk_range_km"] == pytest.approx(np.nanmin(got) / 1e3, rel=1e-12)
    assert row["max_trunk_range_km"] == pytest.approx(np.nanmax(got) / 1e3, rel=1e-12)


def _example_light_and_station(trunk: dict | None, trunk_mbps: float | None = None) -> tuple:
    from lunarops.runner.stages.operations import light_for_scenario, station_from_section

    data = _example()
    data.pop("terrain", None)
    data["period"] = {"start_utc": "2031-01-01T00:00:00Z", "end_utc": "2031-01-11T00:00:00Z", "step_hours": 1}
    if trunk is not None:
        data["operations"]["comms"]["relay_trunk_link_budget"] = trunk
    if trunk_mbps is not None:
        data["operations"]["comms"]["relay_trunk_data_rate_mbps"] = trunk_mbps
    scenario = parse_scenario(yaml.safe_dump(data))
    assert scenario.operations is not None
    light, _ = light_for_scenario(scenario, None)
    station = station_from_section(scenario.operations, scenario.period.start_utc)
    inputs = build_inputs(station, light, np.datetime64("2031-01-01T00:00"), 3600.0)
    return light, inputs


#: A Ka-band trunk to a 34 m DSN antenna: a 40 W (16.0 dBW) TWTA into a 1.0 m dish at 26 GHz (55 % efficiency:
#: 46.1 dBi) less 1 dB feed loss, EIRP 61.1 dBW; G/T 59 dB/K (about 77 dBi over 45 K; DSN 810-005 module 104
#: gives the 34 m BWG's Ka-band figures); it closes about 75 Gbps at 384,400 km, far above the 100 Mbps cap
DSN_KA_TRUNK = {
    "frequency_ghz": 26,
    "eirp_dbw": 61.1,
    "g_over_t_db_per_k": 59,
    "required_eb_n0_db": 2.5,
    "losses_db": 2,
}


def test_without_the_new_fields_the_example_rates_are_unchanged() -> None:
    """The example's relay rates: equal, bit for bit, to the rate lunarops gave before the trunk (min of the 100 Mbps
    cap and the relay budget's rate at relay_range_m, session 18's formula), and unchanged by a trunk that never
    binds (the DSN Ka-band one, or a 1 Tbps trunk cap)."""
    light, inputs = _example_light_and_station(None)
    relayed = inputs.link_relay > 0.5
    assert relayed.sum() > 10
    before = np.minimum(100e6, RELAY.rate_bps(light.relay_range_m[relayed]))  # the formula of session 18
    np.testing.assert_array_equal(inputs.link_bps[relayed], before)
    _, dsn = _example_light_and_station(DSN_KA_TRUNK)
    np.testing.assert_array_equal(dsn.link_bps, inputs.link_bps)
    _, capped = _example_light_and_station(None, 1e6)
    np.testing.assert_array_equal(capped.link_bps, inputs.link_bps)
    trunk_m = light.relay_earth_distance_m[relayed]
    assert 3.5e8 < trunk_m.min() and trunk_m.max() < 4.8e8  # Earth-Moon 356,000-407,000 km +- the relays' orbits
    closing = linear_rate_bps(trunk_m, 26e9, 61.1, 59.0, 2.0)
    assert closing.min() > 3e10  # the DSN trunk closes > 30 Gbps


def test_the_operations_stage_reports_the_trunk() -> None:
    """Over 5 days: a weak X-band trunk (about 55 Mbps at 384,400 km) sets the relayed rate on some steps; the note
    and the summary give its rates and ranges."""
    from lunarops.runner.stages.operations import simulate_scenario

    data = _example()
    data.pop("terrain", None)
    data["period"] = {"start_utc": "2030-01-01T00:00:00Z", "end_utc": "2030-01-06T00:00:00Z", "step_hours": 1}
    data["operations"]["monte_carlo"]["runs"] = 1
    data["operations"]["components"] = []
    weak = {"frequency_ghz": 8.45, "eirp_dbw": 38, "g_over_t_db_per_k": 40, "required_eb_n0_db": 2.5, "losses_db": 1}
    data["operations"]["comms"]["relay_trunk_link_budget"] = weak
    _, mc, notes = simulate_scenario(parse_scenario(yaml.safe_dump(data)))
    note = next(n for n in notes if n.startswith("Comms mode direct_or_relay"))
    assert "The relay trunk (the relaying orbiter to Earth) gives" in note and "km from the Earth's centre" in note
    # 55 Mbps at 384,400 km, as 1/d^2 over the relays' 350,000-460,000 km: 38-66 Mbps
    assert 35.0 < mc.summary["relay_trunk_rate_mbps_median"] < 70.0
    assert (
        "The relay link's budget with its trunk gives" in note
        and "sets the relayed rate (below the base-to-relay" in note
    )
    # the relayed rate is the lower hop: the base hop alone reaches the 100 Mbps cap on most relayed steps
    assert mc.summary["relay_rate_mbps_median"] <= mc.summary["relay_trunk_rate_mbps_median"]
