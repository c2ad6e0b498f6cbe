"""Handover to a relay when the direct link's budget closes no modem rate (``comms.mode: direct_or_relay``).

A weak X-band direct link (link_reference.TRUNK's figures: 8.45 GHz, EIRP 38 dBW, G/T 40 dB/K, Eb/N0 2.5 dB, 3 dB
margin, 1 dB losses; about 55 Mbps at 384,400 km) on a 60/100 Mbps modem closes 60 Mbps near perigee
(356,000 km) and no listed rate near apogee (406,000 km). The relay leg is the example's Ka-band budget
(link_reference.RELAY). Every expected rate is link_reference.linear_rate_bps, the link equation computed
independently of lunarops.ops.functions. Constant fission power: every load is fully served, no failures, and the
science load makes far more data than any link drains, so each step returns its rate x dt."""

from __future__ import annotations

import numpy as np
import pytest

from link_reference import RELAY, TRUNK, linear_rate_bps, relay_light
from lunarops.ops.inputs import EngineInputs, LightSeries, build_inputs
from lunarops.ops.montecarlo import simulate
from lunarops.ops.station import CommLink, ConstantSource, LinkBudget, Load, Station, When
from lunarops.runner.stages.operations import _link_note
from lunarops.scenario.operations import CommSpec, LinkBudgetSpec

START = np.datetime64("2030-01-01T00:00")
DT_S = 3600.0
# steps: 0 Earth up near perigee + relay; 1 Earth up near apogee + relay (handover); 2 Earth up near apogee, no
# relay; 3 Earth down + relay at 30,000 km; 4 nothing
EARTH = np.array([1, 1, 1, 0, 0], dtype=bool)
EARTH_M = np.array([3.56e8, 4.06e8, 4.06e8, 4.06e8, 4.06e8])
RELAY_UP = np.array([1, 1, 0, 1, 0], dtype=bool)
RELAY_M = np.array([7.1e7, 7.1e7, np.nan, 3.0e7, np.nan])
MODEM_BPS = (60e6, 100e6)
DIRECT = LinkBudget(
    TRUNK.frequency_hz, TRUNK.eirp_dbw, TRUNK.g_over_t_db_per_k, TRUNK.required_eb_n0_db, TRUNK.margin_db,
    TRUNK.losses_db, MODEM_BPS,
)
# independent link equation: the direct leg at perigee / apogee, the relay leg at 71,000 / 30,000 km
DIRECT_NEAR_BPS = linear_rate_bps(3.56e8, 8.45e9, 38.0, 40.0, 1.0)  # about 64 Mbps -> the 60 Mbps rate
DIRECT_FAR_BPS = linear_rate_bps(4.06e8, 8.45e9, 38.0, 40.0, 1.0)  # about 49 Mbps: below 60, none closes
RELAY_71K_BPS = linear_rate_bps(7.1e7, 26e9, 53.7, 20.1, 2.0)  # 51.6 Mbps (test_relay_trunk.py's hand table)
RELAY_30K_BPS = linear_rate_bps(3.0e7, 26e9, 53.7, 20.1, 2.0)  # 2.9 Gbps: the 100 Mbps cap binds


def _light(earth_m: np.ndarray = EARTH_M) -> LightSeries:
    return relay_light(EARTH, {"relay_visible": RELAY_UP, "relay_range_m": RELAY_M, "earth_distance_m": earth_m})


def _station(relay_bps: float, comm_when: When = "comm_link") -> Station:
    return Station(
        sources=(ConstantSource("fission", 20e3),),
        loads=(Load("science", 1e3, 5, data_rate_bps=500e6), Load("comm", 0.1e3, 2, comm_when)),
        comm=CommLink("link", 100e6, 1e15, "comm", relay_bps, direct_budget=DIRECT, relay_budget=RELAY),
    )


def _inputs(station: Station, light: LightSeries | None = None) -> EngineInputs:
    return build_inputs(station, light if light is not None else _light(), START, DT_S)


def _returned_relayed_bits(station: Station) -> tuple[float, float]:
    result = simulate(station, _inputs(station), runs=1, seed=1)
    ds = result.dataset.isel(run=0)
    return float(ds["run_data_returned_bits"].values), float(ds["run_data_relayed_bits"].values)


def test_the_hand_figures_straddle_the_modem_rates() -> None:
    # 55 Mbps at 384,400 km as 1/d^2 (docs/operations.md's trunk figure): 64.1 and 49.3 Mbps
    assert DIRECT_NEAR_BPS == pytest.approx(64.1e6, rel=0.01) and DIRECT_NEAR_BPS > MODEM_BPS[0]
    assert DIRECT_FAR_BPS == pytest.approx(49.3e6, rel=0.01) and DIRECT_FAR_BPS < MODEM_BPS[0]
    assert RELAY_71K_BPS == pytest.approx(51.6e6, rel=0.01) and RELAY_30K_BPS > 100e6


def test_a_direct_link_closing_no_rate_hands_over_to_the_relay() -> None:
    """Step 0: direct 60 Mbps (the relay is up too, but direct is preferred while it closes); step 1: no listed
    rate closes, the relay carries 51.6 Mbps; step 2: neither; step 3: the relay at its 100 Mbps cap."""
    inputs = _inputs(_station(100e6))
    np.testing.assert_allclose(inputs.link_bps, [60e6, RELAY_71K_BPS, 0.0, 100e6, 0.0], rtol=1e-9)
    np.testing.assert_array_equal(inputs.link_relay, [0.0, 1.0, 0.0, 1.0, 0.0])
    comm = list(inputs.load_names).index("comm")
    np.testing.assert_array_equal(inputs.demand_w[comm], [100.0, 100.0, 0.0, 100.0, 0.0])  # comm_link gate
    returned, relayed = _returned_relayed_bits(_station(100e6))
    # rate x time, tolerance 1 bit in about 7.6e11
    assert returned == pytest.approx(DT_S * (60e6 + RELAY_71K_BPS + 100e6), abs=1.0)
    assert relayed == pytest.approx(DT_S * (RELAY_71K_BPS + 100e6), abs=1.0)


def test_no_relay_means_no_handover() -> None:
    """direct_to_earth (relay_bps 0): step 1 carries nothing; only the direct 60 Mbps step returns data."""
    inputs = _inputs(_station(0.0))
    np.testing.assert_array_equal(inputs.link_bps, [60e6, 0.0, 0.0, 0.0, 0.0])
    returned, relayed = _returned_relayed_bits(_station(0.0))
    assert returned == DT_S * 60e6 and relayed == 0.0


def test_an_earth_visible_comm_load_gets_no_relay_while_the_earth_is_down() -> None:
    """A comm load on ``earth_visible`` is off at step 3 (Earth down, relay up): no handover there, as before. At
    step 1 (Earth up) it is on, and the relay carries the data, as on a masked step. An ``earth_visible``
    instrument load keeps the Earth's geometry whatever the link."""
    station = _station(100e6, "earth_visible")
    inputs = _inputs(station)
    comm = list(inputs.load_names).index("comm")
    np.testing.assert_array_equal(inputs.demand_w[comm], [100.0, 100.0, 100.0, 0.0, 0.0])
    returned, relayed = _returned_relayed_bits(station)
    assert returned == pytest.approx(DT_S * (60e6 + RELAY_71K_BPS), abs=1.0)
    assert relayed == pytest.approx(DT_S * RELAY_71K_BPS, abs=1.0)


def test_a_direct_link_that_always_closes_gives_the_same_inputs_as_before() -> None:
    """At perigee range throughout the direct link always closes: the rates and relay flags are the pre-handover
    formula's (direct while the Earth is up, else the relay), bit for bit."""
    inputs = _inputs(_station(100e6), _light(np.full(5, 3.56e8)))
    before = np.where(EARTH, 60e6, np.where(RELAY_UP, np.minimum(100e6, RELAY.rate_bps(RELAY_M)), 0.0))
    np.testing.assert_array_equal(inputs.link_bps, before)
    np.testing.assert_array_equal(inputs.link_relay, (~EARTH & RELAY_UP).astype(float))


def test_the_comms_note_gives_the_handover_share() -> None:
    # 1 of 5 steps handed over (step 1); the direct modem's note: of its 3 steps, 60 Mbps on 1, none on 2
    budget = LinkBudgetSpec(frequency_ghz=8.45, eirp_dbw=38, g_over_t_db_per_k=40, required_eb_n0_db=2.5,
                            margin_db=3.0, losses_db=1.0, rates_mbps=[60, 100])
    spec = CommSpec(name="link", mode="direct_or_relay", data_rate_mbps=100, direct_link_budget=budget,
                    buffer_gb=100, load="comm")
    summary: dict[str, float] = {}
    note = _link_note(spec, _light(), _inputs(_station(100e6)), summary)
    assert summary["relay_handover_fraction"] == pytest.approx(0.2, abs=1e-12)
    assert ", direct link up but closing no rate so handed to a relay 20.0%, no link" in note
    assert (
        "ran at 60 Mbps on 33.3% of its 3 steps; no listed rate closes on 66.7% of them (a relay then carries the "
        "data where one is up, else nothing is sent)."
    ) in note
    # the direct link always closing: no handover, no key, no sentence, the direct-only modem wording
    near = _light(np.full(5, 3.56e8))
    summary = {}
    note = _link_note(spec, near, _inputs(_station(100e6), near), summary)
    assert "relay_handover_fraction" not in summary and "handed to a relay" not in note
    assert "ran at 60 Mbps on 100.0% of its 3 steps; no listed rate closes on 0.0% of them." in note
