"""Per-component reliability counts, data-dropped statistics, Clopper-Pearson intervals, the memory guard and the
reserve-policy event, each against hand arithmetic or a second algorithm."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from lunarops.errors import InputError
from lunarops.ops import engine, montecarlo
from lunarops.ops.inputs import LightSeries, build_inputs
from lunarops.ops.montecarlo import clopper_pearson, component_table, simulate
from lunarops.ops.station import Battery, CommLink, Component, ConstantSource, Load, Policy, Station
from lunarops.ops.uncertain import Uncertain

START = np.datetime64("2030-01-01T00:00")
N = 2000  # hourly steps
ONLINE = 500  # the habitat (target of "pumps") comes online at this step


def _light(n: int, earth: bool = True) -> LightSeries:
    return LightSeries(np.full(n, 0.1), np.zeros(n), np.ones(n), np.full(n, 1.496e11), np.full(n, earth, dtype=bool))


def _station(components: tuple[Component, ...]) -> Station:
    return Station(
        sources=(ConstantSource("rtg", 10e3),),
        loads=(Load("hab", 1e3, 1, online_s=ONLINE * 3600.0), Load("lab", 1e3, 2)),
        components=components,
    )


def _renewal_mean_failures(mtbf_h: float, repair_steps: int, steps: int) -> float:
    """Expected failures of one unit in ``steps`` hourly steps after it comes online, with a spare always at
    hand: the engine's first failure falls G - 1 steps after online and each next one repair_steps + G - 1 steps
    after the last, G ~ geometric with p = 1 - exp(-1 h / MTBF) (the ceiling of an exponential in steps);
    E[N] = sum_j P(S_j <= steps - 1), the convolutions of the step pmfs (the renewal equation, summed exactly)."""
    p = 1.0 - math.exp(-1.0 / mtbf_h)
    k = np.arange(steps)
    first = (1.0 - p) ** k * p
    later = np.zeros(steps)
    later[repair_steps:] = first[: steps - repair_steps]
    total, u = 0.0, first
    while u.sum() > 1e-12:
        total += u.sum()
        u = np.convolve(u, later)[:steps]
    return total


COMPONENTS = (
    Component("pumps", "hab", 2, 40.0, 10.0, 10**6),  # spares never run out
    Component("cells", "lab", 1, 2000.0, 5.0, 0),  # no spares: down from its failure to the end
    Component("valves", "lab", 3, 1000.0, 4.0, 2),  # two spares for three units
)
RUNS = 300


@pytest.fixture(scope="module")
def result() -> montecarlo.OpsResult:
    station = _station(COMPONENTS)
    inputs = build_inputs(station, _light(N), START, 3600.0)
    return simulate(station, inputs, runs=RUNS, seed=7, record_steps=24, event_capacity=5000)


def test_failures_with_spares_at_hand_match_renewal_arithmetic(result: montecarlo.OpsResult) -> None:
    ds = result.dataset
    fail = ds["component_failures"].sel(component="pumps").values
    # crude: (2000 - 500) online hours / (40 h MTBF + 10 h MTTR) = 30 failures per unit, 60 for the two; exact for
    # the engine's whole steps: the renewal sum (about 30.8 per unit)
    expected = 2 * _renewal_mean_failures(40.0, 10, N - ONLINE)
    assert abs(expected - 60.0) < 3.0
    se = fail.std(ddof=1) / math.sqrt(RUNS)
    assert abs(fail.mean() - expected) < 3.0 * se
    # every failure got a spare at once: spares used = failures, nobody waited
    np.testing.assert_array_equal(ds["component_spares_used"].sel(component="pumps").values, fail)
    assert not ds["component_waited_for_spare"].sel(component="pumps").values.any()
    # the station-wide count is the sum over the components
    np.testing.assert_array_equal(ds["component_failures"].sum("component").values, ds["run_failures"].values)


def test_hours_down_of_run0_match_its_event_log(result: montecarlo.OpsResult) -> None:
    """Second algorithm: run 0's event trace. Each pumps failure at step t is down min(10, N - t) h (repair starts
    at once); the valves are down from each failure to its repair's end (or the end of the run)."""
    ev = result.events
    ds = result.dataset.isel(run=0)
    steps = ev[(ev.event == "failure") & (ev.element == "pumps")].step.to_numpy()
    assert steps.min() >= ONLINE  # no failure before the element is there
    hours = np.minimum(10, N - steps).sum()
    assert float(ds["component_hours_down"].sel(component="pumps")) == pytest.approx(hours, abs=1e-9)
    cells = ev[(ev.event == "failure") & (ev.element == "cells")].step.to_numpy()
    down_cells = float(ds["component_hours_down"].sel(component="cells"))
    assert down_cells == pytest.approx(float(N - cells[0]) if len(cells) else 0.0, abs=1e-9)


def test_no_spares_down_from_first_failure_to_the_end(result: montecarlo.OpsResult) -> None:
    ds = result.dataset
    fail = ds["component_failures"].sel(component="cells").values
    down = ds["component_hours_down"].sel(component="cells").values
    assert set(np.unique(fail)) <= {0.0, 1.0}  # once failed, never repaired: it cannot fail again
    np.testing.assert_array_equal(ds["component_down_at_end"].sel(component="cells").values, fail)
    np.testing.assert_array_equal(ds["component_waited_for_spare"].sel(component="cells").values, fail)
    assert not ds["component_spares_used"].sel(component="cells").values.any()
    # P(fail within 2000 h) = 1 - (1 - p)^2000 = 1 - exp(-2000/2000) = 0.632; binomial SE sqrt(P(1-P)/300)
    p_fail = 1.0 - math.exp(-1.0)
    assert abs(fail.mean() - p_fail) < 3.0 * math.sqrt(p_fail * (1 - p_fail) / RUNS)
    # E[hours down] = sum_k P(first failure at step k) (2000 - k) h, k = G - 1 with G ~ geometric(p)
    p = 1.0 - math.exp(-1.0 / 2000.0)
    k = np.arange(N)
    expected_h = float(np.sum((1 - p) ** k * p * (N - k)))  # about 736 h
    assert abs(down.mean() - expected_h) < 3.0 * down.std(ddof=1) / math.sqrt(RUNS)


def test_limited_spares(result: montecarlo.OpsResult) -> None:
    ds = result.dataset.sel(component="valves")
    fail = ds["component_failures"].values
    # no deliveries: spares used = min(failures, 2 spares); a third failure waits (for ever)
    np.testing.assert_array_equal(ds["component_spares_used"].values, np.minimum(fail, 2))
    np.testing.assert_array_equal(ds["component_waited_for_spare"].values, (fail > 2).astype(float))
    # each failure past the second leaves its unit down to the end (a down unit cannot fail again)
    assert np.all(ds["component_down_at_end"].values >= np.maximum(fail - 2, 0))
    assert np.all(ds["component_down_at_end"].values <= 3)
    assert (fail > 2).any() and (fail <= 2).any()  # both occur: MTBF 1000 h over 2000 h is about 2 failures per unit


def test_component_table_and_summary(result: montecarlo.OpsResult) -> None:
    table = component_table(result.dataset)
    assert list(table.component) == ["pumps", "valves", "cells"]  # most failures first (about 62, 3, 0.6 per run)
    row = table.set_index("component").loc["cells"]
    fail = result.dataset["component_failures"].sel(component="cells").values
    assert row.failures_mean == pytest.approx(fail.mean(), abs=1e-12)
    assert row.failures_p95 == 1.0  # 63 % of runs fail once: the 95th percentile is 1
    assert row.probability_waits_for_spare == pytest.approx(fail.mean(), abs=1e-12)  # every failure waits
    summary = result.summary
    assert summary["components_columns"] == list(table.columns[1:])
    assert list(summary["components"]) == ["pumps", "valves", "cells"]
    assert summary["components"]["cells"][0] == pytest.approx(fail.mean(), abs=1e-4)  # rounded to 4 places


@pytest.mark.parametrize(("k", "n"), [(0, 300), (1, 300), (21, 300), (150, 300), (300, 300), (3, 7)])
def test_clopper_pearson_matches_binomtest(k: int, n: int) -> None:
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="exact")  # second algorithm
    lo, hi = clopper_pearson(k, n)
    assert lo == pytest.approx(ci.low, abs=1e-9) and hi == pytest.approx(ci.high, abs=1e-9)
    if k == 0:  # closed form: the upper bound solves (1 - p)^n = 0.025
        assert hi == pytest.approx(1.0 - 0.025 ** (1.0 / n), abs=1e-12)


def test_summary_intervals_count_the_runs(result: montecarlo.OpsResult) -> None:
    s = result.summary
    ds = result.dataset
    # 2 kW of loads on a 10 kW source: no unserved energy in any run (k = 0 of 300); no crew: no shortfall
    assert s["probability_any_unserved_energy"] == 0.0
    assert s["probability_any_unserved_energy_ci95"] == pytest.approx([0.0, 1.0 - 0.025 ** (1.0 / RUNS)], abs=1e-12)
    assert s["probability_consumable_shortfall_ci95"][0] == 0.0
    k = int((ds["run_data_dropped_bits"].values > 0).sum())
    ci = stats.binomtest(k, RUNS).proportion_ci(method="exact")
    assert s["probability_any_data_dropped_ci95"] == pytest.approx([ci.low, ci.high], abs=1e-9)


def test_data_dropped_statistics() -> None:
    """No Earth in view: the link never drains the buffer, so each run drops what the lab makes (1 Mbit/s for
    100 h = 3.6e11 bit) less the 1e11 bit buffer = 2.6e11 bit = 32.5 GB; with a 1e12 bit buffer nothing."""
    n = 100
    for buffer_bits, dropped_gb in ((1e11, 32.5), (1e12, 0.0)):
        station = Station(
            sources=(ConstantSource("rtg", 10e3),),
            loads=(Load("lab", 1e3, 2, data_rate_bps=1e6),),
            comm=CommLink("dte", 1e6, buffer_bits),
        )
        inputs = build_inputs(station, _light(n, earth=False), START, 3600.0)
        s = simulate(station, inputs, runs=20, seed=1).summary
        for key in ("data_dropped_gb_mean", "data_dropped_gb_p50", "data_dropped_gb_p95", "data_dropped_gb_max"):
            assert s[key] == pytest.approx(dropped_gb, abs=1e-6), key
        assert s["probability_any_data_dropped"] == (1.0 if dropped_gb else 0.0)
        lo, hi = s["probability_any_data_dropped_ci95"]
        # all 20 runs (k = n): [0.025^(1/20), 1]; none: [0, 1 - 0.025^(1/20)]
        edge = 0.025 ** (1.0 / 20)
        assert (lo, hi) == pytest.approx((edge, 1.0) if dropped_gb else (0.0, 1.0 - edge), abs=1e-12)


def test_memory_guard_names_runs_and_records(monkeypatch: pytest.MonkeyPatch) -> None:
    station = _station(COMPONENTS[:1])
    inputs = build_inputs(station, _light(N), START, 3600.0)
    est = montecarlo.memory_estimate(station, inputs, 1000, 24, 2000, 250)
    # 1000 runs x 23 series x ceil(2000/24) = 84 records x 4 B (float32) = 7.728 MB; events: 1000 x (2000 x 32 B
    # + 32 scalars x 8 + 21 event counts x 8 + 1 component x 7 x 8 + 2 loads x (3 months of running totals,
    # the 3 months, 1 year and the totals) x 6 x 8) = 65.248 MB (the 2000 hourly steps from 2030-01-01 lie in
    # January-March). Session 19 added 2 series (LOX, LH2 stores), 10 scalars (contingency days, the lowest
    # reserve's time and store, 7 propellant-chain totals) and 1 load statistic (standby energy)
    assert est["records"] == 1000 * 23 * 84 * 4
    assert len(engine.RECORD_VARS) == 23 and inputs.months == ("2030-01", "2030-02", "2030-03")
    assert len(engine.SCALAR_VARS) == 32 and engine.N_EVENT_CODES == 21 and inputs.years == (2030,)
    assert len(engine.COMP_STAT_VARS) == 7 and len(engine.LOAD_STAT_VARS) == 6
    assert est["events"] == 1000 * (2000 * 32 + 32 * 8 + 21 * 8 + 7 * 8 + 2 * (2 * 3 + 1 + 1) * 6 * 8)
    monkeypatch.setattr(montecarlo, "available_memory_bytes", lambda: 50_000_000)
    with pytest.raises(InputError, match=r"runs = 1000 needs about 7\d MB.*record_steps = 24 .*24 h.*fewer runs"):
        simulate(station, inputs, runs=1000, record_steps=24)


def test_tiny_mtbf_draws_are_capped_and_guarded(monkeypatch: pytest.MonkeyPatch) -> None:
    """MTBF 0.01 h on hourly steps: every time to failure is one step (the minimum). Draws are capped at
    1.5 x 50 steps + 4 = 79 per unit (not 50 / 0.01 x 1.5 + 4 = 7504), which still cover the 50 steps; with a
    1 h repair and spares at hand the unit fails at every step: 50 failures, 50 h down."""
    station = Station(
        sources=(ConstantSource("rtg", 10e3),),
        loads=(Load("lab", 1e3, 2),),
        components=(Component("relay", "lab", 1, 0.01, 1.0, 10**6),),
    )
    inputs = build_inputs(station, _light(50), START, 3600.0)
    _, block = montecarlo._failure_blocks(station, inputs)
    assert block.tolist() == [79]
    ds = simulate(station, inputs, runs=2, seed=3).dataset
    np.testing.assert_array_equal(ds["component_failures"].values, [[50.0], [50.0]])
    np.testing.assert_array_equal(ds["component_hours_down"].values, [[50.0], [50.0]])
    monkeypatch.setattr(montecarlo, "available_memory_bytes", lambda: 1000)
    with pytest.raises(InputError, match=r"component 'relay' has mtbf_h = 0.01 h.*79 times to failure"):
        simulate(station, inputs, runs=100, record_steps=50, event_capacity=0)


def _reserve_station(flagged: bool) -> Station:
    # 2.5 kW source, 3 kW of loads: the 10 kWh battery (80 % depth) drains by 0.5 kW and falls below the 20 %
    # reserve after about 13 h; shedding the 1 kW lab then leaves a surplus, so it recharges (episodes repeat)
    return Station(
        sources=(ConstantSource("rtg", 2.5e3),),
        battery=Battery("battery", 10 * 3.6e6, 0.8, Uncertain.fixed(0.95), Uncertain.fixed(0.95), 5e3, 5e3),
        loads=(Load("hab", 2e3, 1), Load("lab", 1e3, 3, shed_below_reserve=flagged)),
        policy=Policy(0.2, 0.05),
    )


def test_reserve_shed_logged_only_when_something_is_shed() -> None:
    for flagged in (True, False):
        station = _reserve_station(flagged)
        inputs = build_inputs(station, _light(48), START, 3600.0)
        result = simulate(station, inputs, runs=1)
        ev = result.events
        assert float(result.dataset["run_min_storage_fraction"][0]) < 0.2  # below the reserve in both cases
        by_policy = ev[(ev.event == "load_shed") & (ev.element == "lab") & (ev.value == 2.0)]
        logged = ev[ev.event == "policy_reserve_shed"]
        # one policy_reserve_shed per episode in which the policy shed the lab, at the step it did; none when no
        # load is flagged shed_below_reserve
        assert len(by_policy) == (len(logged) if flagged else 0)
        assert logged.step.tolist() == by_policy.step.tolist()
        assert (len(logged) > 0) == flagged
        released = ev[ev.event == "policy_reserve_release"]
        assert len(released) in (len(logged), len(logged) - 1)  # the last episode may run to the end


def test_hours_reduced_and_out_follow_the_units_down() -> None:
    """A second count from run 0's event log: a unit is down from its failure's step to its repair_done's step;
    the target runs below full capacity while any of the component's units is down and is out while all are,
    counted from the step the target comes online (the habitat at step 500). 2 pumps of MTBF 200 h, repair 30 h,
    1 spare (then they wait: long outages)."""
    station = _station((Component("pumps", "hab", 2, 200.0, 30.0, 1),))
    result = simulate(station, build_inputs(station, _light(N), START, 3600.0), runs=1, seed=3, record_steps=24)
    ds = result.dataset
    events = result.events
    down = np.zeros(N, dtype=np.int64)
    for step, event in zip(events.step, events.event, strict=True):
        if event == "failure":
            down[step:] += 1
        elif event == "repair_done":
            down[step:] -= 1
    online = np.arange(N) >= ONLINE
    reduced = float(ds["component_reduced_h"].values[0, 0])
    out = float(ds["component_out_h"].values[0, 0])
    assert reduced == float(np.count_nonzero((down > 0) & online))
    assert out == float(np.count_nonzero((down == 2) & online))
    assert 0 < out < reduced  # the seed gives both kinds of outage
    row = component_table(ds).iloc[0]
    assert row.hours_reduced_mean == reduced and row.hours_out_mean == out


def test_drawn_inputs_are_saved_and_ranked_as_drivers() -> None:
    """Each run's drawn inputs are in the dataset (the same numbers draw_runs gives), and the sensitivity table's
    rank correlations equal a second computation: Pearson's correlation of the ranks (Spearman 1904), by numpy.
    A battery whose discharge efficiency is drawn uniform 0.80-0.99 on a night-long drain: the lowest storage rises
    with it (rho near +1)."""
    from scipy.stats import rankdata

    from lunarops.ops.montecarlo import draw_runs, sensitivity_table

    n = 72
    sun = (np.arange(n) % 24) < 6  # 6 h of sun a day: the battery carries the rest
    light = LightSeries(np.where(sun, 0.3, -0.1), np.zeros(n), sun.astype(float), np.full(n, 1.496e11),
                        np.ones(n, dtype=bool))
    from lunarops.ops.station import SolarArray

    station = Station(
        solar_arrays=(SolarArray("arrays", 200.0, Uncertain.fixed(0.3)),),
        battery=Battery("battery", 200 * 3.6e6, 0.8, Uncertain.fixed(0.95), Uncertain("uniform", 0.0, 0.0, 0.80, 0.99),
                        50e3, 50e3),
        loads=(Load("hab", 5e3, 1),),
    )
    inputs = build_inputs(station, light, START, 3600.0)
    ds = simulate(station, inputs, runs=40, seed=5).dataset
    assert list(ds["uncertain_input"].values) == ["battery: discharge_efficiency"]
    drawn = draw_runs(station, inputs, 5, 40).drawn
    assert drawn is not None
    np.testing.assert_array_equal(ds["input_value"].values[:, 0], drawn[:, 3])  # cell eff., degr., charge, discharge
    table = sensitivity_table(ds).set_index("driver")
    x = ds["input_value"].values[:, 0]
    y = ds["run_min_storage_fraction"].values
    expected = np.corrcoef(rankdata(x), rankdata(y))[0, 1]
    assert table.loc["battery: discharge_efficiency", "rho_min_storage_fraction"] == pytest.approx(expected, abs=1e-12)
    assert expected > 0.9
    assert np.isnan(table.loc["battery: discharge_efficiency", "rho_isru_water"])  # no ISRU: nothing varies
