"""Fuzz: any file, valid YAML or not, gives a Scenario or a ScenarioError, never another exception."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lunarops.errors import ScenarioError
from lunarops.scenario import Scenario
from lunarops.scenario.load import parse_scenario

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(["2030-01-01T00:00:00Z", "2029-13-01", "1 kWh", "-89.45", "apparent", "inf"]),
)
keys = st.sampled_from(
    [
        "name",
        "period",
        "sites",
        "sky",
        "seed",
        "start_utc",
        "end_utc",
        "step_hours",
        "latitude_deg",
        "longitude_deg",
        "mast_height_m",
        "ground_height_m",
        "correction",
        "terrain",
        "operations",
        "orbits",
        "campaign",
        "schema_version",
        "typo_field",
    ]
)
trees = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=6),
    max_leaves=25,
)


def _check(text: str) -> None:
    try:
        result = parse_scenario(text, "fuzz.yaml")
    except ScenarioError as error:
        assert error.issues and all(issue.path for issue in error.issues)
        return
    assert isinstance(result, Scenario)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees)
def test_structured_fuzz(tree: object) -> None:
    _check(yaml.safe_dump(tree))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_text_fuzz(text: str) -> None:
    _check(text)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(keys, scalars, max_size=4), st.integers(0, 3))
def test_mutated_default(overrides: dict[str, object], site_index: int) -> None:
    base = {
        "name": "x",
        "period": {"start_utc": "2030-01-01T00:00:00Z", "end_utc": "2030-01-02T00:00:00Z"},
        "sites": [{"name": "a", "latitude_deg": -89.0, "longitude_deg": 10.0}],
    }
    target = [base, base["period"], base["sites"][0]][site_index % 3]  # type: ignore[index]
    target.update(overrides)  # type: ignore[union-attr]
    _check(yaml.safe_dump(base))
