"""A sweep over an operations field of the example scenario: members sharing their common stages (lunarops)
against every member running every stage (the baseline: lunarops before session 16, and today's code with the
sharing switched off, ``member_function=run_member`` called without a cache).

Measured: wall time of the whole sweep on local processes, and the disk the sweep's directory takes at the end
(before session 16 each member also kept its five stages' checkpoints, 75 MB for the example; the baseline here
deletes them too, so the disk ratio below is what the shared stages save: one copy of their checkpoints and
Parquet files, linked into each member's results; add 75 MB x members for the session-15 code).
Usage: ``python benchmarks/sweep_bench.py [--members 6] [--workers 2]``.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from lunarops.runner.executors import make_executor
from lunarops.runner.sweep import expand, run_member, run_sweep
from lunarops.scenario import Scenario
from lunarops.scenario.load import load_scenario


def _unshared(scenario: Scenario, out_dir: str) -> dict[str, Any]:
    """Every stage computed by each member (no shared cache), checkpoints removed at the end as lunarops does."""
    return run_member(scenario, out_dir)


def _disk_mb(path: Path) -> float:
    """Bytes of the files under ``path``, each hard-linked file counted once (as ``du``)."""
    sizes = {(s.st_dev, s.st_ino): s.st_size for p in path.rglob("*") if p.is_file() for s in [p.stat()]}
    return sum(sizes.values()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    values = [300 + 100 * k for k in range(args.members)]
    members = expand(load_scenario(), {"operations.storage.battery.capacity_kwh": values})
    print(f"{args.members} members (operations.storage.battery.capacity_kwh = {values}), {args.workers} workers")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, function in (("baseline: every stage per member", _unshared), ("lunarops: shared stages", None)):
            out = Path(tmp) / label.split(":")[0]
            start = time.perf_counter()
            kwargs = {} if function is None else {"member_function": function}
            run_sweep(members, out, lambda: make_executor(None, args.workers), record=False, **kwargs)
            elapsed = time.perf_counter() - start
            results[label] = (elapsed, _disk_mb(out))
            print(f"{label:36s} {elapsed:7.1f} s wall  {results[label][1]:8.0f} MB on disk")
            shutil.rmtree(out)
    (t_base, d_base), (t_new, d_new) = results.values()
    print(f"ratio baseline / lunarops: time {t_base / t_new:.2f}x, disk {d_base / d_new:.2f}x")


if __name__ == "__main__":
    main()
