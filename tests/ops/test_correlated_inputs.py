"""Correlated uncertain inputs of the operations Monte Carlo (operations.monte_carlo.correlations).

A Gaussian copula: target Spearman rho -> normal correlation 2 sin(pi rho / 6) (Pearson 1907; Kruskal 1958),
Cholesky, Phi back to uniforms, each input's own inverse CDF. Checked here: the rank correlations and the
marginals of 20,000 draws, the draws against a one-run-at-a-time re-implementation, the error messages, and a
scenario run end to end.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import yaml
from scipy import stats
from scipy.special import ndtr, ndtri

from lunarops.errors import InputError, ScenarioError
from lunarops.ops.inputs import LightSeries, build_inputs
from lunarops.ops.montecarlo import (
    correlation_plan,
    draw_runs,
    spearman_to_normal,
    uncertain_input_names,
)
from lunarops.ops.station import Battery, FuelCellStorage, IsruPlant, Load, SolarArray, Station
from lunarops.ops.uncertain import Uncertain
from lunarops.runner.stages.operations import simulate_scenario
from lunarops.scenario import default_scenario_path
from lunarops.scenario.load import parse_scenario
from scenario_edits import without_campaign, without_orbits_and_terrain

START = np.datetime64("2030-01-01T00:00")
N = 20_000
# Standard error of a sample Spearman rho: 1/sqrt(n - 1) = 0.0071 under independence; for rho != 0 Fieller,
# Hartley & Pearson (1957) give var(atanh rho_s) ~ 1.06 / (n - 3), i.e. SE ~ (1 - rho^2) sqrt(1.06 / (n - 3)),
# at most sqrt(1.06 / (N - 3)) = 0.0073. Four of those: 0.029 (a miss by chance ~6e-5 per pair; seed fixed).
RHO_TOL = 4.0 * math.sqrt(1.06 / (N - 3))

ARRAY_EFF = Uncertain("normal", 0.28, 0.01, 0.25, 0.31)
CHARGE = Uncertain("uniform", 0.965, 0, 0.95, 0.98)
DISCHARGE = Uncertain("uniform", 0.965, 0, 0.95, 0.98)
FUEL_CELL = Uncertain("normal", 0.65, 0.02, 0.6, 0.7)
ICE = Uncertain("triangular", 0.056, 0, 0.01, 0.10)
O2_J_PER_KG = Uncertain("normal", 24.3 * 3.6e6, 5.8 * 3.6e6, 12.0 * 3.6e6, 45.0 * 3.6e6)


def _light(n: int) -> LightSeries:
    phase = 2 * np.pi * np.arange(n) / 48.0
    el = np.radians(2.0) * np.sin(phase)
    return LightSeries(el, phase, np.clip(el / np.radians(0.5) + 0.5, 0.0, 1.0), np.full(n, 1.496e11), el > 0)


def _station() -> Station:
    """Inputs of every kind (normal, uniform, triangular, fixed), named as the results' uncertain_input."""
    return Station(
        solar_arrays=(SolarArray("pv", 80.0, ARRAY_EFF, Uncertain("uniform", 0.01, 0, 0.005, 0.02)),),
        battery=Battery("battery", 40 * 3.6e6, 0.8, CHARGE, DISCHARGE, 50e3, 50e3),
        fuel_cell=FuelCellStorage("rfc", 30 * 3.6e6, FUEL_CELL, Uncertain.fixed(0.85), 20e3, 20e3, 0.5),
        loads=(Load("habitat", 6e3, 1),),
        isru=(
            IsruPlant(
                "ice",
                "ice_extraction",
                5e3,
                ice_mass_fraction=ICE,
                regolith_energy_j_per_kg=Uncertain.fixed(1e5),
                water_energy_j_per_kg=Uncertain.fixed(3e6),
            ),
            IsruPlant("o2", "ilmenite_reduction", 5e3, o2_energy_j_per_kg=O2_J_PER_KG),
        ),
    )


STATION = _station()
INPUTS = build_inputs(STATION, _light(96), START, 3600.0)
NAMES = uncertain_input_names(STATION)
CORRELATIONS = [
    ("pv: cell_efficiency", "battery: charge_efficiency", 0.6),  # both degrade with temperature
    ("pv: cell_efficiency", "rfc: fuel_cell_efficiency", -0.4),
    ("ice: ice_mass_fraction", "o2: o2_energy_j_per_kg", 0.8),  # triangular with truncated normal
]


def _column(draws, name: str):  # type: ignore[no-untyped-def]
    return draws.drawn[:, NAMES.index(name)]


@pytest.fixture(scope="module")
def correlated():  # type: ignore[no-untyped-def]
    return draw_runs(STATION, INPUTS, seed=3, runs=N, correlations=CORRELATIONS)


def test_sample_rank_correlations_match_the_targets(correlated) -> None:  # type: ignore[no-untyped-def]
    for a, b, rho in CORRELATIONS:
        sample = stats.spearmanr(_column(correlated, a), _column(correlated, b)).statistic
        assert sample == pytest.approx(rho, abs=RHO_TOL), (a, b)
    # pairs not listed stay independent: rho 0 within the same tolerance (here 2 sin(0) = 0 in the matrix)
    for a, b in (
        ("battery: charge_efficiency", "rfc: fuel_cell_efficiency"),
        ("pv: cell_efficiency", "o2: o2_energy_j_per_kg"),
    ):
        assert abs(stats.spearmanr(_column(correlated, a), _column(correlated, b)).statistic) < RHO_TOL


def test_marginals_are_the_declared_distributions(correlated) -> None:  # type: ignore[no-untyped-def]
    """One-sample Kolmogorov-Smirnov against scipy's own distributions (fixed seed: deterministic; p > 0.01)."""

    def truncnorm(u: Uncertain):  # type: ignore[no-untyped-def]
        return stats.truncnorm((u.low - u.value) / u.sd, (u.high - u.value) / u.sd, loc=u.value, scale=u.sd).cdf

    declared = {
        "pv: cell_efficiency": truncnorm(ARRAY_EFF),
        "battery: charge_efficiency": stats.uniform(loc=0.95, scale=0.03).cdf,
        "rfc: fuel_cell_efficiency": truncnorm(FUEL_CELL),
        "ice: ice_mass_fraction": stats.triang((0.056 - 0.01) / (0.10 - 0.01), loc=0.01, scale=0.09).cdf,
        "o2: o2_energy_j_per_kg": truncnorm(O2_J_PER_KG),
    }
    for name, cdf in declared.items():
        assert stats.kstest(_column(correlated, name), cdf).pvalue > 0.01, name


def test_draws_are_the_copula_of_each_runs_own_uniforms() -> None:
    """Run by run from the documented stream (montecarlo module doc): the run's uniforms, normal scores of the
    correlated ones times the Cholesky factor of [2 sin(pi rho / 6)], Phi back, each input's inverse CDF. The
    failure draws and the first correlated input are those of the independent draws (the same stream)."""
    runs = 40
    params = [ARRAY_EFF, Uncertain("uniform", 0.01, 0, 0.005, 0.02), CHARGE, DISCHARGE, FUEL_CELL,
              Uncertain.fixed(0.85), ICE, Uncertain.fixed(1e5), Uncertain.fixed(3e6), O2_J_PER_KG]
    cols = sorted({NAMES.index(n) for a, b, _ in CORRELATIONS for n in (a, b)})
    r = np.eye(len(cols))
    for a, b, rho in CORRELATIONS:
        i, j = cols.index(NAMES.index(a)), cols.index(NAMES.index(b))
        r[i, j] = r[j, i] = 2.0 * math.sin(math.pi * rho / 6.0)
    factor = np.linalg.cholesky(r)
    got = draw_runs(STATION, INPUTS, seed=11, runs=runs, correlations=CORRELATIONS)
    independent = draw_runs(STATION, INPUTS, seed=11, runs=runs)
    for i, child in enumerate(np.random.SeedSequence(11).spawn(runs)):
        u = np.random.Generator(np.random.PCG64(child)).random(len(params))
        plain = [p.from_uniform(np.array([x]))[0] for p, x in zip(params, u, strict=True)]
        assert np.array_equal(independent.drawn[i], plain)
        u[cols] = ndtr(factor @ ndtri(u[cols]))
        expected = [p.from_uniform(np.array([x]))[0] for p, x in zip(params, u, strict=True)]
        np.testing.assert_allclose(got.drawn[i], expected, rtol=1e-12)
    assert np.array_equal(got.fail_steps, independent.fail_steps)
    # L[0, 0] = 1: the first correlated input keeps its value, up to the round trip ndtr(ndtri(u)) (last bits)
    np.testing.assert_allclose(got.drawn[:, cols[0]], independent.drawn[:, cols[0]], rtol=1e-12)


def test_without_correlations_the_draws_are_unchanged() -> None:
    """No correlations (None, an empty list) draw exactly as before: the same stream, the same numbers."""
    base = draw_runs(STATION, INPUTS, seed=5, runs=30, first_run=7)
    for none in ((), []):
        other = draw_runs(STATION, INPUTS, seed=5, runs=30, first_run=7, correlations=none)
        for field in ("array_eff", "array_deg", "eff", "load_yield", "fail_steps", "drawn"):
            assert np.array_equal(getattr(base, field), getattr(other, field)), field
    assert correlation_plan(STATION, []) is None


def test_spearman_to_normal_is_pearsons_formula() -> None:
    # 2 sin(pi / 6 * 0.5) = 2 sin(pi / 12) = 0.5176 (Pearson 1907); rho = 1 -> 2 sin(pi / 6) = 1
    assert spearman_to_normal(0.5) == pytest.approx(0.5176380902, abs=1e-10)
    assert spearman_to_normal(1.0) == pytest.approx(1.0, abs=1e-15)
    assert spearman_to_normal(-0.3) == -spearman_to_normal(0.3)


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([("pv: cell_eficiency", "battery: charge_efficiency", 0.5)],
         ["f.0.inputs: 'pv: cell_eficiency' is not an uncertain input", "'pv: cell_efficiency'",
          "'o2: o2_energy_j_per_kg'"]),
        ([("pv: cell_efficiency", "rfc: electrolyser_efficiency", 0.5)],
         ["f.0.inputs: 'rfc: electrolyser_efficiency' is not drawn", "give it a distribution"]),
        ([("pv: cell_efficiency", "pv: cell_efficiency", 0.5)], ["f.0.inputs", "pairs an input with itself"]),
        ([("pv: cell_efficiency", "battery: charge_efficiency", 0.5),
          ("battery: charge_efficiency", "pv: cell_efficiency", 0.2)],
         ["f.1.inputs", "already given at f.0", "give each pair once"]),
        ([("pv: cell_efficiency", "battery: charge_efficiency", 1.0)],
         ["f.0.rank_correlation = 1.0 must lie strictly between -1 and 1"]),
        ([("pv: cell_efficiency", "battery: charge_efficiency", -1.5)], ["f.0.rank_correlation = -1.5"]),
        ([("pv: cell_efficiency", "battery: charge_efficiency", float("nan"))], ["f.0.rank_correlation = nan"]),
        ([("pv: cell_efficiency", 0.5)], ["f.0 = ", "must be (input name, input name, rank correlation)"]),
    ],
)
def test_bad_correlations_are_named(pairs, expected) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as err:
        correlation_plan(STATION, pairs, "f")
    for part in expected:
        assert part in str(err.value)


def test_conflicting_correlations_name_the_set() -> None:
    """A ~ B 0.9, B ~ C 0.9, A ~ C -0.9: x = (1, -1, 1) gives x'Rx = 3 - 6 x 0.908 < 0 (r = 2 sin(0.15 pi) =
    0.908): no joint distribution. The unrelated, consistent pair is left out of the named set."""
    a, b, c = "pv: cell_efficiency", "battery: charge_efficiency", "rfc: fuel_cell_efficiency"
    pairs = [(a, b, 0.9), ("ice: ice_mass_fraction", "o2: o2_energy_j_per_kg", 0.2), (b, c, 0.9), (a, c, -0.9)]
    with pytest.raises(InputError) as err:
        correlation_plan(STATION, pairs, "f")
    text = str(err.value)
    assert text.startswith(f"f: the rank correlations among {a!r}, {b!r}, {c!r} conflict")
    assert "f.0 " in text and "f.2 " in text and "f.3 " in text and "f.1 " not in text
    assert "not positive definite" in text and "weaken them" in text
    # with A ~ C unlisted (0), 0.9 and 0.9 still conflict: 1 - 2 x 0.908^2 < 0; the message says unlisted is 0
    with pytest.raises(InputError, match="pairs not listed are independent, 0"):
        correlation_plan(STATION, [(a, b, 0.9), (b, c, 0.9)], "f")
    assert correlation_plan(STATION, [(a, b, 0.6), (b, c, 0.6)], "f") is not None  # 1 - 2 x 0.618^2 > 0


def _example(runs: int, **monte_carlo: object) -> dict:  # type: ignore[type-arg]
    data = without_campaign(yaml.safe_load(default_scenario_path().read_text()))
    data = without_orbits_and_terrain(data, "2034-01-01T00:00:00Z", "2034-01-03T00:00:00Z", 1.0, runs)
    data["operations"]["monte_carlo"].update(monte_carlo)
    return data


@pytest.mark.parametrize(
    ("correlations", "expected"),
    [
        ([{"inputs": ["battery: charge_efficiency", "battery: charge_efficiency"], "rank_correlation": 0.5}],
         "operations.monte_carlo.correlations.0"),
        ([{"inputs": ["battery: charge_efficiency", "rfc: fuel_cell_efficiency"], "rank_correlation": 1.0}],
         "strictly between -1 and 1"),
        ([{"inputs": ["battery: charge_efficiency", "rfc: fuel_cell_efficiency"], "rank_correlation": 0.5},
          {"inputs": ["rfc: fuel_cell_efficiency", "battery: charge_efficiency"], "rank_correlation": 0.5}],
         "already given at correlations.0"),
    ],
)
def test_scenario_file_refuses_bad_pairs(correlations, expected) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ScenarioError) as err:
        parse_scenario(yaml.safe_dump(_example(4, correlations=correlations)))
    assert expected in str(err.value)


def test_scenario_names_are_checked_against_the_station() -> None:
    scenario = parse_scenario(yaml.safe_dump(_example(4, correlations=[
        {"inputs": ["battery: charge_efficiency", "psr ice plant: water_energy_j_per_kg"], "rank_correlation": 0.5},
    ])))
    with pytest.raises(InputError) as err:
        simulate_scenario(scenario)
    text = str(err.value)
    assert text.startswith(
        "operations.monte_carlo.correlations.0.inputs: 'psr ice plant: water_energy_j_per_kg' is not drawn"
    )


def test_example_scenario_end_to_end() -> None:
    """The example (two days, 100 runs) with its array and battery efficiencies correlated: the saved draws carry
    the correlation, the note names the pair, run 0 of the hourly run is run 0 of the Monte Carlo."""
    pair = ["mast arrays: cell_efficiency", "battery: charge_efficiency"]
    scenario = parse_scenario(yaml.safe_dump(_example(100, correlations=[{"inputs": pair, "rank_correlation": 0.7}])))
    hourly, mc, notes = simulate_scenario(scenario)
    values = mc.dataset["input_value"]
    x, y = (values.sel(uncertain_input=name).values for name in pair)
    # 100 runs: SE ~ sqrt(1.06 / 97) = 0.10; 4 SE = 0.42 (the 20,000-draw test above checks the value closely)
    assert stats.spearmanr(x, y).statistic == pytest.approx(0.7, abs=4 * math.sqrt(1.06 / 97))
    assert values.attrs["rank_correlations"] == "mast arrays: cell_efficiency ~ battery: charge_efficiency: 0.7"
    np.testing.assert_array_equal(hourly.dataset["input_value"].values[0], values.values[0])
    (note,) = [n for n in notes if n.startswith("Correlated uncertain inputs")]
    assert "'mast arrays: cell_efficiency' ~ 'battery: charge_efficiency' 0.7 (over these runs 0." in note
