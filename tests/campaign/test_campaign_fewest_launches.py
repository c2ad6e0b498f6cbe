"""The launches a plan keeps on each launch arc (model.fewest_launches), the cost of those launches, and the
campaign stage's launch counts. Payloads and costs below are constructed round numbers (hand arithmetic), except
where a catalog entry is named."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
import yaml

from lunarops.logistics import model
from lunarops.logistics.model import fewest_launches, solve
from lunarops.logistics.network import Arc, LaunchVehicle, Mission, Problem, SpacecraftDesign
from lunarops.runner.stage import RunContext
from lunarops.runner.stages.campaign import run_stage
from lunarops.scenario.load import default_scenario_path, parse_scenario
from lunarops.units import unit_of
from small_campaign import SMALL

G0 = 9.80665
# Long March 9 / 10 to Earth-Moon transfer, 50 t / 27 t (data/catalogs/launch_vehicles.yaml, press and CMSA figures)
TLI_KG = {"long-march-9": 50_000.0, "long-march-10": 27_000.0}


def test_one_large_launch_beats_two_small_ones() -> None:
    # the reviewer's case: 50 t on the arc, solver counts LM-9 x1 and LM-10 x2 (104 t). LM-9 x1 lifts 50 t >= 50 t
    # in 1 launch; LM-10 x2 lifts 54 t in 2; LM-9 x1 + LM-10 x1 lifts 77 t in 2: the fewest is LM-9 alone
    counts = {"long-march-9": 1, "long-march-10": 2}
    kept = fewest_launches(50_000.0, TLI_KG, counts, {}, by_cost=False)
    assert kept == {"long-march-9": 1, "long-march-10": 0}
    # by_cost without prices (the catalog's Long Marches have none) is the same: fewest launches
    assert fewest_launches(50_000.0, TLI_KG, counts, {}, by_cost=True) == kept


def test_greedy_fallback_kept_the_two_small_launches(monkeypatch: pytest.MonkeyPatch) -> None:
    # with enumeration off (over the combination limit) the greedy drop stays: LM-9 first (largest payload):
    # 104 - 50 = 54 t >= 50 t, so it goes; then LM-10: 54 - 27 = 27 t < 50 t, so both LM-10 stay (the old result)
    monkeypatch.setattr(model, "_MAX_LAUNCH_COMBINATIONS", 0)
    counts = {"long-march-9": 1, "long-march-10": 2}
    assert fewest_launches(50_000.0, TLI_KG, counts, {}, by_cost=False) == {"long-march-9": 0, "long-march-10": 2}


def test_cost_objective_takes_two_cheap_launches_over_one_dear_one() -> None:
    payloads = {"dear": 50_000.0, "cheap": 27_000.0}
    costs = {"dear": 1000.0, "cheap": 300.0}
    counts = {"dear": 1, "cheap": 2}
    # cost: cheap x2 = 2 x 300 = 600 M$ (54 t >= 50 t) < dear x1 = 1000 M$ (dear + cheap = 1300 M$)
    assert fewest_launches(50_000.0, payloads, counts, costs, by_cost=True) == {"dear": 0, "cheap": 2}
    # objective imleo: launches count, 1 < 2
    assert fewest_launches(50_000.0, payloads, counts, costs, by_cost=False) == {"dear": 1, "cheap": 0}
    # a used vehicle without a price: cost is not comparable, fewest launches again
    assert fewest_launches(50_000.0, payloads, counts, {"dear": 1000.0}, by_cost=True) == {"dear": 1, "cheap": 0}


def test_equal_cost_then_fewest_launches() -> None:
    # 20 t: small x2 = 2 x 100 = 200 M$ and large x1 = 200 M$ cost the same; large x1 is 1 launch, not 2
    kept = fewest_launches(
        20_000.0, {"small": 10_000.0, "large": 20_000.0}, {"small": 2, "large": 1},
        {"small": 100.0, "large": 200.0}, by_cost=True,
    )
    assert kept == {"small": 0, "large": 1}


def test_never_more_than_the_solver_launched_and_slack() -> None:
    # 60 t: LM-9 alone 50 t < 60 t, LM-10 alone 27 t; LM-10 x3 (81 t) would be 3 launches but the solver launched
    # one LM-10 (cadence), so both stay: 50 + 27 = 77 t
    counts = {"long-march-9": 1, "long-march-10": 1}
    assert fewest_launches(60_000.0, TLI_KG, counts, {}, by_cost=False) == counts
    # 1 g over 50 t is within the 0.05 kg slack (1e-6 x 50 t, the solver's tolerance): one LM-9 still lifts it
    kept = fewest_launches(50_000.001, TLI_KG, {"long-march-9": 1, "long-march-10": 2}, {}, False, slack_kg=0.05)
    assert kept == {"long-march-9": 1, "long-march-10": 0}
    # nothing on the arc: no launch
    assert fewest_launches(0.0, TLI_KG, {"long-march-9": 1, "long-march-10": 2}, {}, False) == {
        "long-march-9": 0, "long-march-10": 0,
    }


def _one_arc(objective: str, lvs: tuple[LaunchVehicle, ...]) -> Problem:
    # test_campaign_small.one_arc: 1 t dry tug (10 M$) and 500 kg cargo LEO -> LLO at 3 km/s, Isp 300 s
    return Problem(
        nodes=("Earth", "LEO", "LLO"),
        arcs=(Arc("Earth", "LEO", 0.0, 1.0, launch=True), Arc("LEO", "LLO", 3000.0, 3.0)),
        holdover_nodes=(),
        designs=(SpacecraftDesign("tug", 10_000.0, 1.0e6, 1000.0, 300.0, 1, unit_cost_musd=10.0),),
        missions=(Mission("m", 0.0, "LLO", deliver={"cargo": 500.0}),),
        maintenance_fraction_per_flight=0.0,
        g0_m_per_s2=G0,
        launch_vehicles=lvs,
        objective=objective,
        mip_rel_gap=0.0,
    )


def _padded(monkeypatch: pytest.MonkeyPatch, extra: int) -> None:
    """The solver's answer with ``extra`` surplus launches of every vehicle on every launch arc (a MIP stopped
    within its gap may keep such launches): the capacity rows stay satisfied."""
    read_plan = model._read_plan

    def padded(builder: Any, x: np.ndarray, *args: Any) -> model.Plan:
        x = x.copy()
        for col in builder.launch_n.values():
            x[col] += extra
        return read_plan(builder, x, *args)

    monkeypatch.setattr(model, "_read_plan", padded)


# launched mass (1000 + 500) exp(3000 / (300 g0)) = 1500 x 2.7721 = 4,158.6 kg (Tsiolkovsky, test_campaign_small)
LAUNCHED_KG = 1500.0 * math.exp(3000.0 / (300.0 * G0))


@pytest.mark.parametrize(
    ("objective", "kept", "cost_musd"),
    [
        # fewest launches: dear x1 (10 t >= 4,158.6 kg); cost = tug 10 + 100 = 110 M$
        ("imleo", {"dear": 1}, 110.0),
        # least cost: cheap x2 (5 t >= 4,158.6 kg; one is 2.5 t < it) = 40 M$ < dear 100 M$; cost = 10 + 40 = 50 M$
        ("cost", {"cheap": 2}, 50.0),
    ],
)
def test_cost_is_the_launches_listed(
    monkeypatch: pytest.MonkeyPatch, objective: str, kept: dict[str, int], cost_musd: float
) -> None:
    lvs = (LaunchVehicle("dear", {"LEO": 10_000.0}, cost_musd=100.0),
           LaunchVehicle("cheap", {"LEO": 2_500.0}, cost_musd=20.0))
    problem = _one_arc(objective, lvs)
    assert 2_500.0 < LAUNCHED_KG <= 5_000.0
    exact = solve(problem)
    # imleo: dear 1 + 2, cheap 0 + 2: 10 + 300 + 40 = 350 M$ before the fix; cost: dear 2, cheap 4: 290 M$
    _padded(monkeypatch, 2)
    plan = solve(problem)
    for p in (exact, plan):
        listed = dict(zip(p.launches["launch_vehicle"], p.launches["launches"], strict=True))
        assert listed == kept
        # the cost is the tug and the launches listed, not the solver's surplus ones (1e-9 M$: float sums)
        price = {lv.name: lv.cost_musd for lv in lvs}
        assert p.cost_musd == pytest.approx(10.0 + sum(n * price[v] for v, n in listed.items()), abs=1e-9)
        assert p.cost_musd == pytest.approx(cost_musd, abs=1e-9)  # M$


def test_unpriced_launches_keep_cost_none(monkeypatch: pytest.MonkeyPatch) -> None:
    # nothing priced (tug 0 M$, vehicle without cost): "not priced", not 0, also with surplus launches dropped
    problem = _one_arc("imleo", (LaunchVehicle("lv", {"LEO": 10_000.0}),))
    problem = replace(problem, designs=(replace(problem.designs[0], unit_cost_musd=0.0),))
    _padded(monkeypatch, 3)
    plan = solve(problem)
    assert plan.cost_musd is None
    assert plan.launches["launches"].tolist() == [1]  # 4,158.6 kg <= 10 t: one launch of the four




def test_stage_summary_counts_launches() -> None:
    data = yaml.safe_load(default_scenario_path().read_text())
    data["campaign"] = yaml.safe_load(SMALL)  # with two launch vehicles, solved to optimality
    data["campaign"]["logistics"].update({"launch_vehicles": ["long-march-5", "long-march-10"], "mip_rel_gap": 0.0})
    for section in ("terrain", "orbits", "operations"):
        data.pop(section, None)
    result = run_stage(RunContext(scenario=parse_scenario(yaml.safe_dump(data))))
    assert result is not None
    summary = result.summary
    # launched (13,071.92 + 500) exp(3000 / (420 g0)) = 28,116.9 kg (isaji2022-fixed, test_campaign_cli_stage):
    # one Long March 10 (70 t to LEO) or two Long March 5 (25 t each, 50 t); the fewest is one LM-10
    assert summary["imleo_kg"] == pytest.approx(28_116.9, abs=0.1)  # kg
    assert summary["launches"] == 1
    assert summary["launches_long-march-10"] == 1
    assert summary["launches_long-march-5"] == 0
    assert unit_of("launches") == unit_of("launches_long-march-10") == "count"
