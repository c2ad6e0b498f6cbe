"""Link budgets: the rate that closes a link at each step's range (``comms.direct_link_budget``,
``comms.relay_link_budget``), capped by the link's fixed rate."""

from __future__ import annotations

import math

import numpy as np
import pytest
import yaml

from lunarops.errors import InputError, ScenarioError
from lunarops.ops import functions as fn
from lunarops.ops.inputs import LightSeries, build_inputs
from lunarops.ops.station import CommLink, ConstantSource, LinkBudget, Load, Station
from lunarops.scenario import default_scenario_path
from lunarops.scenario.load import parse_scenario
from scenario_edits import direct_to_earth, without_campaign

#: CODATA 2018 Boltzmann constant (exact) [J/K] and the speed of light (exact) [m/s]
K_J_PER_K = 1.380649e-23
C_M_PER_S = 299_792_458.0
#: The example's relay budget (src/lunarops/examples/ilrs-south-pole.yaml; its comment derives each figure)
EXAMPLE = LinkBudget(26e9, 53.7, 20.1, 2.5, 3.0, 2.0)


def test_path_loss_matches_itu_r_p525() -> None:
    # ITU-R P.525-4, eq. (4): free-space basic transmission loss L = 32.4 + 20 log f + 20 log d, f in MHz, d in km
    # (32.4 is 20 log10(4 pi 1e9 / c) = 32.45 to two decimals): within 0.05 dB at lunar ranges and bands
    for frequency_mhz in (2_250.0, 8_450.0, 26_000.0, 32_000.0):
        for distance_km in (3_000.0, 71_000.0, 405_500.0):
            itu = 32.4 + 20.0 * math.log10(frequency_mhz) + 20.0 * math.log10(distance_km)
            ours = float(fn.free_space_path_loss_db(distance_km * 1e3, frequency_mhz * 1e6))
            assert ours == pytest.approx(itu, abs=0.05)


def test_rate_matches_the_link_equation_in_linear_units() -> None:
    """A second computation in watts and kelvins: the received power P_r = EIRP (G/T) T (lambda / 4 pi d)^2, then
    R = P_r / (k T Eb/N0 margin losses); the system temperature T cancels (set to 1)."""
    d_m = np.array([3.0e6, 1.6e7, 7.1e7])
    wavelength_m = C_M_PER_S / 26e9
    eirp_w = 10.0 ** (53.7 / 10.0)
    g_over_t = 10.0 ** (20.1 / 10.0)
    spread = (wavelength_m / (4.0 * np.pi * d_m)) ** 2
    needed = 10.0 ** ((2.5 + 3.0 + 2.0) / 10.0)  # Eb/N0, margin and losses
    expected_bps = eirp_w * g_over_t * spread / (K_J_PER_K * needed)
    np.testing.assert_allclose(EXAMPLE.rate_bps(d_m), expected_bps, rtol=1e-9)
    # the example's comment: about 52 Mbps at the NRHO's apolune (71,000 km), 1 Gbps at 16,000 km
    assert float(EXAMPLE.rate_bps(np.array(7.1e7))) == pytest.approx(51.6e6, rel=0.005)


def test_rate_falls_with_the_square_of_the_range() -> None:
    # free space: twice the range, a quarter of the rate (6.02 dB)
    near, far = EXAMPLE.rate_bps(np.array([1.0e7, 2.0e7]))
    assert near / far == pytest.approx(4.0, rel=1e-12)


N = 6
EARTH = np.array([1, 1, 0, 0, 0, 1], dtype=bool)
RELAY = np.array([0, 1, 1, 1, 0, 0], dtype=bool)
RELAY_RANGE_M = np.array([np.nan, 5.0e6, 3.0e7, 7.1e7, np.nan, np.nan])
EARTH_DISTANCE_M = np.array([3.6e8, 3.7e8, 3.8e8, 3.9e8, 4.0e8, 4.05e8])


def _light(**overrides: object) -> LightSeries:
    fields: dict[str, object] = {
        "relay_visible": RELAY,
        "earth_distance_m": EARTH_DISTANCE_M,
        "relay_range_m": RELAY_RANGE_M,
    }
    fields.update(overrides)
    return LightSeries(
        np.full(N, 0.1), np.zeros(N), np.ones(N), np.full(N, 1.496e11), EARTH, source="test", **fields  # type: ignore[arg-type]
    )


def _link_bps(comm: CommLink, light: LightSeries) -> np.ndarray:
    station = Station(
        sources=(ConstantSource("fission", 20e3),),
        loads=(Load("science", 1e3, 5, data_rate_bps=1e6), Load("comm", 0.1e3, 2, "comm_link")),
        comm=comm,
    )
    return build_inputs(station, light, np.datetime64("2030-01-01T00:00"), 3600.0).link_bps


def test_budgets_cap_the_rate_at_each_steps_range() -> None:
    """Direct steps 0, 1, 5 at the budget's rate at the Earth's distance; relay-only steps 2, 3 at the relay
    budget's rate at the relay's range, capped at 100 Mbps (step 1 goes direct: the Earth is up); step 4 none."""
    direct_budget = LinkBudget(8.45e9, 20.0, 50.0, 2.5, 3.0, 1.0)  # an X-band small terminal to a large dish
    comm = CommLink("link", 100e6, 1e12, "comm", 100e6, direct_budget=direct_budget, relay_budget=EXAMPLE)
    rate = _link_bps(comm, _light())
    direct = fn.link_rate_bps(EARTH_DISTANCE_M, 8.45e9, 20.0, 50.0, 2.5, 3.0, 1.0)
    assert np.all(direct < 100e6)  # the budget, not the cap, sets the direct rate here
    np.testing.assert_allclose(rate[[0, 1, 5]], direct[[0, 1, 5]], rtol=1e-12)
    assert rate[2] == 100e6  # 30,000 km: 2.9 Gbps closes, the modem caps it
    assert rate[3] == pytest.approx(float(EXAMPLE.rate_bps(np.array(7.1e7))), rel=1e-12)
    assert rate[4] == 0.0


def test_without_budgets_the_fixed_rates_hold() -> None:
    rate = _link_bps(CommLink("link", 100e6, 1e12, "comm", 40e6), _light(earth_distance_m=None, relay_range_m=None))
    np.testing.assert_array_equal(rate, [100e6, 100e6, 40e6, 40e6, 0.0, 100e6])


def test_a_budget_without_its_range_is_refused() -> None:
    comm = CommLink("link", 100e6, 1e12, "comm", 100e6, relay_budget=EXAMPLE)
    with pytest.raises(InputError, match=r"relay link budget.*relay_range_m"):
        _link_bps(comm, _light(relay_range_m=None))
    comm = CommLink("link", 100e6, 1e12, "comm", direct_budget=EXAMPLE)
    with pytest.raises(InputError, match=r"direct link budget.*earth_distance_m"):
        _link_bps(comm, _light(earth_distance_m=None))
    with pytest.raises(InputError, match=r"relay_range_m.*NaN where no relay"):
        _light(relay_range_m=np.full(N, -1.0))
    with pytest.raises(InputError, match=r"relay_range_m.*wherever relay_visible is True"):
        _light(relay_range_m=np.full(N, np.nan))  # RELAY is up at steps 1-3


def _example() -> dict:  # type: ignore[type-arg]
    return without_campaign(yaml.safe_load(default_scenario_path().read_text()))


def test_scenario_budget_errors_name_the_field_and_the_fix() -> None:
    data = direct_to_earth(_example())
    data["operations"]["comms"]["relay_link_budget"] = _example()["operations"]["comms"]["relay_link_budget"]
    with pytest.raises(ScenarioError, match=r"relay_link_budget applies to mode: direct_or_relay"):
        parse_scenario(yaml.safe_dump(data))
    data = _example()
    data["operations"]["comms"]["relay_link_budget"]["required_eb_n0_db"] = -2.0
    with pytest.raises(ScenarioError, match=r"required_eb_n0_db = -2 dB is at or below the Shannon limit"):
        parse_scenario(yaml.safe_dump(data))
    data = _example()
    data["operations"]["comms"]["relay_link_budget"]["eirp_w"] = 20
    with pytest.raises(ScenarioError, match=r"relay_link_budget\.eirp_w"):
        parse_scenario(yaml.safe_dump(data))


def test_shannon_limit_constant() -> None:
    # Shannon (1948): Eb/N0 -> ln 2 as the spectral efficiency -> 0, -1.59 dB
    from lunarops.constants import SHANNON_LIMIT_EB_N0_DB

    assert SHANNON_LIMIT_EB_N0_DB == pytest.approx(-1.5917, abs=1e-4)
    assert fn.BOLTZMANN_DBW_PER_K_HZ == pytest.approx(-228.5992, abs=1e-4)  # 10 log10(1.380649e-23)


def test_relay_range_is_the_nearest_relaying_orbiter() -> None:
    """compute_coverage's relay path range is, at each step, the least site-to-orbiter distance among the orbiters
    that see the site and the Earth; each distance checked by the law of cosines from the two radii and the angle
    between the position vectors (a second formula), NaN where no orbiter relays."""
    from lunarops.constants import MOON_RADIUS_M
    from lunarops.orbits.coverage import SurfaceSite, compute_coverage
    from lunarops.runner.stages.orbits import orbiter_from_spec
    from lunarops.timescale import parse_utc

    scenario = parse_scenario(yaml.safe_dump(_example()))
    site = scenario.sites[0]
    height_m = (site.ground_height_m or 0.0) + site.mast_height_m
    coverage = compute_coverage(
        [SurfaceSite(site.name, site.latitude_deg, site.longitude_deg, height_m)],
        [orbiter_from_spec(spec) for spec in scenario.orbits.orbiters],
        parse_utc("2030-01-01T00:00:00Z"),
        7 * 86400.0,
        3600.0,
        5.0,
    )
    lat, lon = math.radians(site.latitude_deg), math.radians(site.longitude_deg)
    site_unit = np.array([math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)])
    r_site = MOON_RADIUS_M + height_m
    candidates = []
    for track in coverage.tracks:
        r_orbiter = np.linalg.norm(track.position_me_m, axis=0)
        cos_angle = site_unit @ track.position_me_m / r_orbiter
        cosines = np.sqrt(r_site**2 + r_orbiter**2 - 2.0 * r_site * r_orbiter * cos_angle)
        link = coverage.site_links[(site.name, track.name)]
        np.testing.assert_allclose(link.range_m, cosines, rtol=1e-9)
        relays = link.visible & coverage.earth_links[track.name].visible
        candidates.append(np.where(relays, cosines, np.inf))
    nearest = np.min(candidates, axis=0)
    path = coverage.relay_links[site.name]
    assert np.array_equal(np.isnan(path.range_m), ~path.visible)
    np.testing.assert_allclose(path.range_m[path.visible], nearest[path.visible], rtol=1e-9)
    # the NRHO (perilune ~3,250 km altitude, apolune ~71,200 km) and the frozen relay (200 x 16,000 km) bound it
    assert 100e3 < np.nanmin(path.range_m) and np.nanmax(path.range_m) < 75_000e3
    # the coverage table's range columns are those of the samples while up
    row = next(r for r in coverage.coverage_rows() if r["orbiter"] == "relayed to Earth by any orbiter")
    assert row["min_range_km"] == pytest.approx(np.nanmin(path.range_m) / 1e3, rel=1e-12)
    assert row["max_range_km"] == pytest.approx(np.nanmax(path.range_m) / 1e3, rel=1e-12)


def test_the_operations_stage_uses_the_relay_budget() -> None:
    """The example over 10 days: the note gives the budgeted relay rates and ranges; a budget 20 dB weaker (the
    rate a hundredth: 0.5 Mbps at 71,000 km) relays less data than the example's, and that less than no budget
    would never, since the cap is the same (100 Mbps)."""
    from lunarops.runner.stages.operations import simulate_scenario

    def relayed(budget_db: float | None) -> tuple[float, dict, list[str]]:  # type: ignore[type-arg]
        data = _example()
        data.pop("terrain", None)
        data["period"] = {"start_utc": "2030-01-01T00:00:00Z", "end_utc": "2030-01-11T00:00:00Z", "step_hours": 1}
        data["operations"]["monte_carlo"]["runs"] = 2
        data["operations"]["components"] = []
        comms = data["operations"]["comms"]
        comms["buffer_gb"] = 1
        if budget_db is None:
            comms.pop("relay_link_budget")
        else:
            comms["relay_link_budget"]["eirp_dbw"] = budget_db
        _, mc, notes = simulate_scenario(parse_scenario(yaml.safe_dump(data)))
        return float(mc.summary["data_relayed_gb_p50"]), mc.summary, notes

    none, _, _ = relayed(None)
    example, summary, notes = relayed(53.7)
    weak, weak_summary, _ = relayed(33.7)
    note = next(n for n in notes if n.startswith("Comms mode direct_or_relay"))
    assert "The relay link's budget gives" in note and "capped at 100 Mbps" in note
    assert 0.0 < weak_summary["relay_rate_mbps_median"] < summary["relay_rate_mbps_median"] <= 100.0
    assert weak < example <= none
