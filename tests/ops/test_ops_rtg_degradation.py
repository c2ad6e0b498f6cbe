"""Radioisotope units: Pu-238 decay and the thermocouples' own degradation (``degradation_per_year``)."""

from __future__ import annotations

import numpy as np
import pytest

from lunarops.ops import functions as fn
from lunarops.ops.inputs import LightSeries, build_inputs
from lunarops.ops.montecarlo import simulate
from lunarops.ops.station import ConstantSource, Load, Station

START = np.datetime64("2030-01-01T00:00")
YEAR_S = 365.25 * 86400.0


def _generation_w(degradation: float, n_steps: int, dt_s: float) -> np.ndarray:
    station = Station(
        sources=(ConstantSource("mmrtg", 110.0, 1, 45.0, radioisotope=True, degradation_per_year=degradation),),
        loads=(Load("heater", 10.0),),
    )
    n = n_steps
    light = LightSeries(np.full(n, -0.1), np.zeros(n), np.zeros(n), np.full(n, 1.496e11), np.ones(n, dtype=bool))
    result = simulate(station, build_inputs(station, light, START, dt_s), runs=1, seed=1, record_steps=1)
    return np.asarray(result.dataset.isel(run=0)["generation_w"].values, dtype=np.float64)


def test_thermocouple_degradation_on_top_of_pu238_decay() -> None:
    # 110 W at the start (MMRTG beginning of life, NASA MMRTG fact sheet); 14 steps of half a year. Hand
    # arithmetic: P(t) = 110 W x exp(-ln 2 t / 87.7 yr) (Pu-238 half-life, functions.PU238_HALF_LIFE_S) x
    # (1 - 0.04)^(t / yr); the fact sheet's "about 4.8 % a year" is 1 - exp(-ln 2 / 87.7) x 0.96 = 4.76 %
    dt_s = YEAR_S / 2
    t = np.arange(14) * dt_s
    decay_only = 110.0 * np.exp(-np.log(2.0) * t / fn.PU238_HALF_LIFE_S)
    np.testing.assert_allclose(_generation_w(0.0, 14, dt_s), decay_only, rtol=1e-9)
    np.testing.assert_allclose(_generation_w(0.04, 14, dt_s), decay_only * 0.96 ** (t / YEAR_S), rtol=1e-9)
    yearly_loss = 1.0 - np.exp(-np.log(2.0) * YEAR_S / fn.PU238_HALF_LIFE_S) * 0.96
    assert yearly_loss == pytest.approx(0.0476, abs=0.0001)
