"""The Monte Carlo draws and the engine's per-step input table against plain re-implementations.

The expected values are rebuilt from the documented stream layout (montecarlo module docstring) one run and
one number at a time, and from the per-step inputs directly, not from the vectorized code under test.
"""

from __future__ import annotations

import numpy as np
import pytest

from lunarops.ops import engine
from lunarops.ops import functions as fn
from lunarops.ops.inputs import LightSeries, build_inputs
from lunarops.ops.montecarlo import draw_runs
from lunarops.ops.station import Battery, Component, FuelCellStorage, IsruPlant, Load, SolarArray, Station
from lunarops.ops.uncertain import Uncertain

START = np.datetime64("2030-01-01T00:00")


def _light(n: int) -> LightSeries:
    phase = 2 * np.pi * np.arange(n) / 48.0
    el = np.radians(2.0) * np.sin(phase)
    return LightSeries(el, phase, np.clip(el / np.radians(0.5) + 0.5, 0.0, 1.0), np.full(n, 1.496e11), el > 0)


def _station(mtbf_h: float) -> Station:
    return Station(
        solar_arrays=(
            SolarArray("pv", 80.0, Uncertain("uniform", 0.3, 0, 0.2, 0.35), Uncertain("uniform", 0.01, 0, 0.0, 0.05)),
        ),
        battery=Battery(
            "battery", 40 * 3.6e6, 0.8, Uncertain("normal", 0.95, 0.02, 0.9, 0.99), Uncertain.fixed(0.95), 50e3, 50e3
        ),
        fuel_cell=FuelCellStorage(
            "rfc", 30 * 3.6e6, Uncertain("uniform", 0.65, 0, 0.6, 0.7), Uncertain.fixed(0.85), 20e3, 20e3, 0.5
        ),
        loads=(Load("habitat", 6e3, 1),),
        isru=(
            IsruPlant(
                "ice",
                "ice_extraction",
                5e3,
                ice_mass_fraction=Uncertain("triangular", 0.05, 0, 0.01, 0.1),
                regolith_energy_j_per_kg=Uncertain("uniform", 1e5, 0, 0.8e5, 1.2e5),
                water_energy_j_per_kg=Uncertain.fixed(3e6),
            ),
        ),
        components=(
            Component("strings", "pv", 4, mtbf_h, 10, 1),
            Component("cells", "battery", 3, 3 * mtbf_h, 3, 1),
        ),
    )


def _draws_one_at_a_time(station, inputs, seed: int, runs: int, first_run: int):  # type: ignore[no-untyped-def]
    """Run i: Generator(PCG64(SeedSequence(seed).spawn(n)[i])); the uncertain inputs first (one uniform each,
    Uncertain.draw), then unit by unit blocks of exponential times to failure (1.5 horizons + 4 per block)
    until the unit's steps cover the horizon."""
    step_h = inputs.dt_s / 3600.0
    out = []
    for child in np.random.SeedSequence(seed).spawn(first_run + runs)[first_run:]:
        rng = np.random.Generator(np.random.PCG64(child))
        (array,) = station.solar_arrays
        b, r = station.battery, station.fuel_cell
        (ice,) = station.isru
        eff_a = array.cell_efficiency.draw(rng)
        deg_a = array.degradation_per_year.draw(rng)
        eff = [u.draw(rng) for u in (b.charge_efficiency, b.discharge_efficiency)]
        eff += [u.draw(rng) for u in (r.fuel_cell_efficiency, r.electrolyser_efficiency)]
        f, reg, wat = (
            u.draw(rng) for u in (ice.ice_mass_fraction, ice.regolith_energy_j_per_kg, ice.water_energy_j_per_kg)
        )
        fails = []
        for c in inputs.unit_comp:
            mtbf = station.components[int(c)].mtbf_h
            k = int(np.ceil(inputs.n_steps * step_h / mtbf * 1.5)) + 4
            seq = fn.steps_to_failure(rng.exponential(mtbf, k), step_h)
            while seq.sum() < inputs.n_steps:
                seq = np.concatenate([seq, fn.steps_to_failure(rng.exponential(mtbf, k), step_h)])
            fails.append(seq)
        out.append((eff_a, deg_a, eff, 1.0 / (reg / f + wat), fails))
    return out


@pytest.mark.parametrize(("mtbf_h", "first_run"), [(300.0, 0), (40.0, 5), (1e6, 2)])
def test_draw_runs_equal_one_run_at_a_time(mtbf_h: float, first_run: int) -> None:
    # mtbf 300 h over a 3000 h horizon: some runs need a second block for a unit (the unit-by-unit redraw);
    # 40 h: long blocks; 1e6 h: the minimum block of 5
    station = _station(mtbf_h)
    inputs = build_inputs(station, _light(3000), START, 3600.0)
    runs = 12
    d = draw_runs(station, inputs, seed=3, runs=runs, first_run=first_run)
    ref = _draws_one_at_a_time(station, inputs, 3, runs, first_run)
    ice = inputs.load_names.index("ice")
    for i, (eff_a, deg_a, eff, y, fails) in enumerate(ref):
        assert d.array_eff[i, 0] == eff_a
        assert d.array_deg[i, 0] == deg_a
        assert d.eff[i].tolist() == eff
        assert d.load_yield[i, ice] == y
        for u, seq in enumerate(fails):
            np.testing.assert_array_equal(d.fail_steps[i, u, : len(seq)], seq)
            assert np.all(d.fail_steps[i, u, len(seq) :] > 10 * inputs.n_steps)  # padding: never fails
    assert d.fail_steps.shape[2] == max(len(s) for r in ref for s in r[4])


def test_uncertain_from_uniform_is_draw() -> None:
    u = np.random.default_rng(11).random(2000)
    for x in (
        Uncertain.fixed(0.9),
        Uncertain("uniform", 0.0, 0.0, 0.2, 0.35),
        Uncertain("triangular", 0.05, 0.0, 0.01, 0.1),
        Uncertain("normal", 24.3, 5.8, 12.0, 45.0),
    ):
        rng = np.random.default_rng(11)
        one_at_a_time = np.array([x.draw(rng) for _ in range(u.size)])
        np.testing.assert_array_equal(x.from_uniform(u), one_at_a_time)
    # triangular inverse CDF by hand: F(x) = (x - a)^2 / ((b - a)(c - a)) below the mode c
    tri = Uncertain("triangular", 2.0, 0.0, 1.0, 5.0)
    assert tri.from_uniform(np.array([0.25]))[0] == pytest.approx(1.0 + np.sqrt(0.25 * 4.0 * 1.0), abs=1e-12)


def test_normal_is_truncated_not_clipped() -> None:
    """A UQ analyst's user study (session 18): the example's ilmenite energy, normal(24.3, 5.8) on [12, 45], put
    Phi((12 - 24.3) / 5.8) = 1.7 % of the draws at exactly 12 when clipped. Truncated, its quantiles are
    scipy.stats.truncnorm's (an independent implementation) and no draw sits on a bound."""
    from scipy import stats

    x = Uncertain("normal", 24.3, 5.8, 12.0, 45.0)
    u = np.array([0.001, 0.05, 0.25, 0.5, 0.75, 0.95, 0.999])
    reference = stats.truncnorm((12.0 - 24.3) / 5.8, (45.0 - 24.3) / 5.8, loc=24.3, scale=5.8)
    np.testing.assert_allclose(x.from_uniform(u), reference.ppf(u), rtol=1e-9)
    draws = x.from_uniform(np.random.default_rng(3).random(20000))
    assert np.count_nonzero(draws == 12.0) == 0 and draws.min() > 12.0
    assert Uncertain("normal", 0.95, 0.0, 0.9, 0.99).from_uniform(np.array([0.3]))[0] == 0.95  # sd 0: the mean


def test_step_kinds_reproduce_the_per_step_inputs_bit_for_bit() -> None:
    n_steps = 500
    rng = np.random.default_rng(2)
    demand = np.where(rng.random((3, n_steps)) < 0.5, 1e3, 2e3)
    demand[1, 7] = -0.0  # a signed zero is a distinct input
    demand[1, 8] = 0.0
    daylight = (np.arange(n_steps) // 30 % 2).astype(np.float64)
    earth = (np.arange(n_steps) // 45 % 2).astype(np.float64)
    crew = np.where(np.arange(n_steps) < 200, 4.0, 0.0)
    load_daylight = np.array([0, 1, 0], dtype=np.int64)
    relay = (np.arange(n_steps) // 70 % 2).astype(np.float64)
    kind, kinds = engine.step_kinds(demand, load_daylight, daylight, earth, crew, relay)
    row = kinds[kind]
    assert np.array_equal(row[:, :3].T.view(np.uint64), demand.view(np.uint64))
    on = demand.copy()
    on[1, daylight < 0.5] = 0.0
    assert np.array_equal(row[:, 3:6].T.view(np.uint64), on.view(np.uint64))
    np.testing.assert_array_equal(row[:, 6], daylight)
    np.testing.assert_array_equal(row[:, 7], earth)
    np.testing.assert_array_equal(row[:, 8], crew)
    np.testing.assert_array_equal(row[:, 9], relay)
    # one row per distinct step (bit patterns; -0.0 and 0.0 differ)
    full = np.hstack([demand.T, on.T, daylight[:, None], earth[:, None], crew[:, None], relay[:, None]])
    assert kinds.shape[0] == np.unique(full.view(np.uint64), axis=0).shape[0]
