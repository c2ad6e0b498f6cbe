"""A station in the dark for operations tests that need no sunlight: the Sun 0.1 rad below the horizon, the
Earth down, 1 AU away, hourly from 2030-01-01 (the slip and life-support tests share it)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from lunarops.ops.inputs import LightSeries, build_inputs
from lunarops.ops.montecarlo import simulate
from lunarops.ops.station import Station

STEP_S = 3600.0
START = np.datetime64("2030-01-01T00:00")


def dark_light(n_steps: int) -> LightSeries:
    """``n_steps`` steps with the Sun and the Earth down."""
    zeros = np.zeros(n_steps)
    return LightSeries(zeros - 0.1, zeros, zeros, np.full(n_steps, 1.496e11), np.zeros(n_steps, dtype=bool))


def run_dark(station: Station, n_steps: int, runs: int = 1, seed: int = 3) -> xr.Dataset:
    """The Monte Carlo dataset of ``station`` over ``n_steps`` dark hourly steps."""
    inputs = build_inputs(station, dark_light(n_steps), START, STEP_S)
    return simulate(station, inputs, runs=runs, seed=seed).dataset


def assert_bit_identical(a: xr.Dataset, b: xr.Dataset) -> None:
    """Every variable of ``a`` equal to the last bit in ``b`` (a feature off in ``a``, at zero in ``b``, which
    may add its own variables)."""
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)
