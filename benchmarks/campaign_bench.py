"""Benchmark: the Isaji, Takubo & Ho (2022) Apollo-like campaign solved with HiGHS.

Baseline: 81 s measured for the authors' Pyomo model with CBC on the same kind of machine (issue 6); goal:
under 10 s. Run: `.venv/bin/python benchmarks/campaign_bench.py [repeats]`.
"""

from __future__ import annotations

import statistics
import sys
import time
from importlib import resources

import yaml

from lunarops.logistics.model import solve
from lunarops.scenario.campaign import CampaignSection

BASELINE_CBC_S = 81.0
GOAL_S = 10.0
EXPECTED_IMLEO_KG = 694_264.4171277  # authors' regression value (tests/test_opt_w_fixed_sc_design.py)


def main(repeats: int = 3) -> None:
    path = resources.files("lunarops") / "examples" / "campaigns" / "isaji2022-apollo.yaml"
    section = CampaignSection.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    problem = section.problem()
    solve_s: list[float] = []
    wall_s: list[float] = []
    for _ in range(repeats):
        start = time.perf_counter()
        plan = solve(problem)
        wall_s.append(time.perf_counter() - start)
        solve_s.append(plan.solve_seconds)
        error = abs(plan.imleo_kg - EXPECTED_IMLEO_KG) / EXPECTED_IMLEO_KG
        print(f"IMLEO {plan.imleo_kg:,.2f} kg (rel. error {error:.1e}), HiGHS {plan.solve_seconds:.2f} s, "
              f"build {plan.build_seconds:.3f} s, {plan.n_variables} variables")
    best, median = min(solve_s), statistics.median(solve_s)
    print(f"HiGHS solve: best {best:.2f} s, median {median:.2f} s, wall median {statistics.median(wall_s):.2f} s")
    print(f"speed-up vs Pyomo+CBC ({BASELINE_CBC_S:.0f} s): {BASELINE_CBC_S / median:.1f}x (median), "
          f"{BASELINE_CBC_S / best:.1f}x (best); goal < {GOAL_S:.0f} s: {'met' if median < GOAL_S else 'NOT met'}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
