"""Spares delivered for one component are its own; plain delivered spares are a pool any failed unit may take."""

from __future__ import annotations

import numpy as np

from lunarops.ops.inputs import LightSeries, build_inputs
from lunarops.ops.montecarlo import simulate
from lunarops.ops.station import Component, ConstantSource, Delivery, Load, Station

START = np.datetime64("2030-01-01T00:00")
N = 200


def _light(n: int) -> LightSeries:
    return LightSeries(np.full(n, 0.1), np.zeros(n), np.ones(n), np.full(n, 1.496e11), np.ones(n, dtype=bool))


def _spares_used(component: str | None) -> dict[str, float]:
    # "pump" fails about every 5 h (MTBF 5 h, 1 h repairs, no spares of its own); "fan" practically never (MTBF
    # 1e9 h). Three spares land at hour 10, for the pump, for the fan, or for anyone (pool).
    station = Station(
        sources=(ConstantSource("rtg", 10e3),),
        loads=(Load("lab", 1e3, 2), Load("hab", 1e3, 1)),
        components=(Component("pump", "lab", 1, 5.0, 1.0, 0), Component("fan", "hab", 1, 1e9, 1.0, 0)),
        deliveries=(Delivery(10 * 3600.0, "spares", 3.0, component),),
    )
    inputs = build_inputs(station, _light(N), START, 3600.0)
    ds = simulate(station, inputs, runs=20, seed=3).dataset
    used = ds["component_spares_used"].mean("run")
    return {str(c): float(used.sel(component=c)) for c in ds["component"].values}


def test_spares_for_a_component_serve_only_it() -> None:
    # by hand: the pump fails within the first 10 h in practically every run (P(no failure in 10 h) = e^-2 =
    # 0.14 per run, and it keeps failing after), so it takes all 3 spares when they are its own or the pool's,
    # none when they are the fan's; the fan never fails and uses none
    assert _spares_used("pump") == {"pump": 3.0, "fan": 0.0}
    assert _spares_used(None) == {"pump": 3.0, "fan": 0.0}
    assert _spares_used("fan") == {"pump": 0.0, "fan": 0.0}


def test_two_components_of_one_name_are_refused() -> None:
    import pytest

    from lunarops.errors import InputError

    station = Station(
        sources=(ConstantSource("rtg", 10e3),),
        loads=(Load("lab", 1e3, 2), Load("hab", 1e3, 1)),
        components=(Component("pump", "lab", 1, 5.0, 1.0, 0), Component("pump", "hab", 1, 1e9, 1.0, 0)),
    )
    with pytest.raises(InputError, match=r"components: names \['pump'\] repeat"):
        build_inputs(station, _light(N), START, 3600.0)
