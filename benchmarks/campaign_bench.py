"""Benchmark: the Isaji, Takubo & Ho (2022) Apollo-like campaign solved with HiGHS.

Baseline: 81 s measured for the authors' Pyomo model with CBC on the same kind of machine (issue 6); goal:
under 10 s. Memory: the peak resident memory of each solve (model build + HiGHS) above its start
(``memory.PeakMemory``, after freed heap memory is handed back to the OS); the baseline is a published time only,
so it has no memory figure. Run: `.venv/bin/python benchmarks/campaign_bench.py [repeats]`.
"""

from __future__ import annotations

import statistics
import sys
import time
from importlib import resources
from pathlib import Path

import yaml

from lunarops.logistics.model import solve
from lunarops.scenario.campaign import CampaignSection

sys.path.insert(0, str(Path(__file__).parent))

from memory import PeakMemory, shown_mb

BASELINE_CBC_S = 81.0
GOAL_S = 10.0
EXPECTED_IMLEO_KG = 694_264.4171277  # authors' regression value (tests/test_opt_w_fixed_sc_design.py)



def main(repeats: int = 3) -> None:
    path = resources.files("lunarops") / "examples" / "campaigns" / "isaji2022-apollo.yaml"
    section = CampaignSection.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    problem = section.problem()
    solve_s: list[float] = []
    wall_s: list[float] = []
    peak_mb: list[float] = []
    for _ in range(repeats):
        with PeakMemory() as mem:
            start = time.perf_counter()
            plan = solve(problem)
            wall_s.append(time.perf_counter() - start)
        if mem.peak_mb is not None:
            peak_mb.append(mem.peak_mb)
        solve_s.append(plan.solve_seconds)
        error = abs(plan.imleo_kg - EXPECTED_IMLEO_KG) / EXPECTED_IMLEO_KG
        print(f"IMLEO {plan.imleo_kg:,.2f} kg (rel. error {error:.1e}), HiGHS {plan.solve_seconds:.2f} s, "
              f"build {plan.build_seconds:.3f} s, {plan.n_variables} variables, peak memory {shown_mb(mem.peak_mb)}")
    best, median = min(solve_s), statistics.median(solve_s)
    print(f"HiGHS solve: best {best:.2f} s, median {median:.2f} s, wall median {statistics.median(wall_s):.2f} s")
    print(f"speed-up vs Pyomo+CBC ({BASELINE_CBC_S:.0f} s): {BASELINE_CBC_S / median:.1f}x (median), "
          f"{BASELINE_CBC_S / best:.1f}x (best); goal < {GOAL_S:.0f} s: {'met' if median < GOAL_S else 'NOT met'}")
    first_mb = peak_mb[0] if peak_mb else None  # includes one-time allocations (no warm-up solve)
    later_mb = statistics.median(peak_mb[1:]) if len(peak_mb) > 1 else None
    print(f"peak memory: lunarops first solve {shown_mb(first_mb)}, later solves median {shown_mb(later_mb)}; "
          "baseline memory n/a (published time only)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
