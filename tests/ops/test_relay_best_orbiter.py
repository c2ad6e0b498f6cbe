"""The relayed rate is the best over the relaying orbiters of the lower of each one's two hops (base to orbiter,
orbiter to Earth): ``LightSeries.relay_orbiter_range_m`` / ``relay_orbiter_earth_distance_m``."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from link_reference import RELAY, TRUNK, linear_rate_bps, relay_inputs, relay_light
from lunarops.errors import InputError
from lunarops.ops.inputs import LightSeries
from lunarops.ops.station import CommLink
from lunarops.scenario import default_scenario_path
from lunarops.scenario.load import parse_scenario
from scenario_edits import without_campaign

N = 4
NAN = np.nan
# orbiter A (row 0) is the nearer, 30,000 km from the base, but 450,000 km from the Earth (weak trunk);
# orbiter B (row 1) is 71,000 km from the base and 330,000 km from the Earth.
# Step 0: both relay; step 1: A only; step 2: B only; step 3: none.
EACH_RANGE_M = np.array([[3.0e7, 3.0e7, NAN, NAN], [7.1e7, NAN, 7.1e7, NAN]])
EACH_EARTH_M = np.array([[4.5e8, 4.5e8, NAN, NAN], [3.3e8, NAN, 3.3e8, NAN]])
RELAY_UP = np.array([1, 1, 1, 0], dtype=bool)


def _light(**overrides: object) -> LightSeries:
    fields: dict[str, object] = {
        "relay_visible": RELAY_UP,
        "relay_orbiter_range_m": EACH_RANGE_M,
        "relay_orbiter_earth_distance_m": EACH_EARTH_M,
    }
    fields.update(overrides)
    return relay_light(np.zeros(N, dtype=bool), fields)


def test_the_farther_orbiter_with_the_better_trunk_carries_the_link() -> None:
    """Step 0, hand computation (linear link equation): A: min(100 Mbps, base 2.9 Gbps at 30,000 km, trunk
    40.3 Mbps at 450,000 km) = 40.3 Mbps; B: min(100 Mbps, base 51.6 Mbps at 71,000 km, trunk about 75 Mbps at
    330,000 km) = 51.6 Mbps; the max, B's, is chosen. Steps 1, 2: the one relaying orbiter's pair; step 3: 0."""
    comm = CommLink("link", 100e6, 1e12, "comm", 100e6, relay_budget=RELAY, trunk_budget=TRUNK)
    base_a = linear_rate_bps(3.0e7, 26e9, 53.7, 20.1, 2.0)
    trunk_a = linear_rate_bps(4.5e8, 8.45e9, 38.0, 40.0, 1.0)
    base_b = linear_rate_bps(7.1e7, 26e9, 53.7, 20.1, 2.0)
    trunk_b = linear_rate_bps(3.3e8, 8.45e9, 38.0, 40.0, 1.0)
    pair_a, pair_b = min(100e6, base_a, trunk_a), min(100e6, base_b, trunk_b)
    assert pair_a == pytest.approx(40.3e6, rel=0.01) and pair_b == pytest.approx(51.6e6, rel=0.01)  # docstring
    rate = relay_inputs(comm, _light()).link_bps
    np.testing.assert_allclose(rate[:3], [max(pair_a, pair_b), pair_a, pair_b], rtol=1e-9)
    assert rate[3] == 0.0
    # the nearest orbiter alone (no per-orbiter ranges) gives A's weaker pair at step 0
    light = _light()
    nearest_only = _light(
        relay_orbiter_range_m=None,
        relay_orbiter_earth_distance_m=None,
        relay_range_m=light.relay_range_m,
        relay_earth_distance_m=light.relay_earth_distance_m,
    )
    assert relay_inputs(comm, nearest_only).link_bps[0] == pytest.approx(pair_a, rel=1e-9)


def test_the_nearest_orbiter_fields_are_derived() -> None:
    light = _light()
    np.testing.assert_array_equal(light.relay_range_m, [3.0e7, 3.0e7, 7.1e7, NAN])
    np.testing.assert_array_equal(light.relay_earth_distance_m, [4.5e8, 4.5e8, 3.3e8, NAN])


@pytest.mark.parametrize(
    "comm",
    [
        CommLink("link", 100e6, 1e12, "comm", 100e6, relay_budget=RELAY),
        CommLink("link", 100e6, 1e12, "comm", 100e6, relay_budget=RELAY, trunk_budget=TRUNK),
        CommLink("link", 100e6, 1e12, "comm", 100e6, relay_budget=RELAY, trunk_bps=20e6),
        CommLink("link", 100e6, 1e12, "comm", 100e6, trunk_budget=TRUNK),
    ],
)
def test_one_orbiter_is_bit_identical_to_the_nearest_orbiter_fields(comm: CommLink) -> None:
    one_range, one_earth = EACH_RANGE_M[:1], EACH_EARTH_M[:1]
    up = np.isfinite(one_range[0])
    per_orbiter = _light(relay_visible=up, relay_orbiter_range_m=one_range, relay_orbiter_earth_distance_m=one_earth)
    nearest = _light(
        relay_visible=up,
        relay_orbiter_range_m=None,
        relay_orbiter_earth_distance_m=None,
        relay_range_m=one_range[0],
        relay_earth_distance_m=one_earth[0],
    )
    np.testing.assert_array_equal(relay_inputs(comm, per_orbiter).link_bps, relay_inputs(comm, nearest).link_bps)


def test_without_a_trunk_two_orbiters_give_the_nearest_rate_bit_identically() -> None:
    comm = CommLink("link", 100e6, 1e12, "comm", 100e6, relay_budget=RELAY)
    light = _light()
    nearest = _light(
        relay_orbiter_range_m=None,
        relay_orbiter_earth_distance_m=None,
        relay_range_m=light.relay_range_m,
        relay_earth_distance_m=light.relay_earth_distance_m,
    )
    np.testing.assert_array_equal(relay_inputs(comm, light).link_bps, relay_inputs(comm, nearest).link_bps)


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"relay_orbiter_earth_distance_m": None}, ["relay_orbiter_range_m", "no relay_orbiter_earth_distance_m"]),
        ({"relay_orbiter_range_m": EACH_RANGE_M[0]}, ["relay_orbiter_range_m", "shape (4,)", "(orbiters >= 1, 4)"]),
        ({"relay_orbiter_range_m": EACH_RANGE_M[:, :3]}, ["relay_orbiter_range_m", "shape (2, 3)"]),
        ({"relay_orbiter_range_m": np.where(EACH_RANGE_M == 7.1e7, -7.1e7, EACH_RANGE_M)},
         ["relay_orbiter_range_m[1, 0] = -71000000.0", "> 0 [m]"]),
        ({"relay_orbiter_earth_distance_m": np.where(EACH_EARTH_M == 3.3e8, np.inf, EACH_EARTH_M)},
         ["relay_orbiter_earth_distance_m[1, 0] = inf"]),
        ({"relay_orbiter_earth_distance_m": np.where(np.isnan(EACH_EARTH_M), 4.0e8, EACH_EARTH_M)},
         ["relay_orbiter_earth_distance_m[0, 2] = 400000000.0", "NaN exactly where"]),
        ({"relay_visible": np.ones(N, dtype=bool)}, ["relay_visible[3]", "some orbiter has a range"]),
        ({"relay_range_m": np.array([3.0e7, 3.0e7, 7.2e7, NAN])}, ["relay_range_m[2] = 72000000.0", "nearest"]),
        ({"relay_orbiter_range_m": [["a"] * N, ["b"] * N]}, ["relay_orbiter_range_m", "array of numbers"]),
    ],
)
def test_bad_per_orbiter_ranges_name_the_field_and_value(overrides: dict[str, object], words: list[str]) -> None:
    with pytest.raises(InputError) as err:
        _light(**overrides)
    for word in words:
        assert word in str(err.value)


def test_the_example_carries_each_orbiter_and_notes_the_multi_orbiter_share() -> None:
    """The example's two orbiters over two days: each orbiter's rows, the nearest fields their minimum."""
    from lunarops.runner.stages.operations import light_for_scenario

    data = without_campaign(yaml.safe_load(default_scenario_path().read_text()))
    data["period"]["end_utc"] = "2030-01-03T00:00:00Z"
    light, _ = light_for_scenario(parse_scenario(yaml.safe_dump(data)), None)
    each = light.relay_orbiter_range_m
    assert each is not None and each.shape == (len(data["orbits"]["orbiters"]), light.n_steps)
    up = np.isfinite(each).any(axis=0)
    assert light.relay_range_m is not None
    np.testing.assert_array_equal(light.relay_range_m[up], np.nanmin(each[:, up], axis=0))
