"""Orbit propagation benchmarks: lunarops (heyoka) versus scipy's DOP853 at matched accuracy, as ratios.

1. 1,000 perturbed 9:2 NRHOs (CR3BP, 1 km / 1 cm/s random perturbations) for one period: heyoka's SIMD batch
   integrator versus DOP853 on a numba right-hand side, one orbit at a time (DOP853 timed on a subset and scaled).
2. A 100 km polar LLO with Earth and Sun (ephemeris model, DE421) for 30 days: heyoka versus DOP853 on the same
   equations (numba right-hand side).

"Matched accuracy": both integrators run at the same relative tolerance (1e-13) and the script prints each one's
final-position error against heyoka at machine-epsilon tolerance, so the ratio is read with the errors beside it.

Memory: the peak resident memory of each timed run above its start (``memory.PeakMemory``), each after freed heap
memory is handed back to the OS so that reused memory counts; in [1] DOP853 is measured on its subset only, and
heyoka once more on that subset for the ratio (memory does not scale like time).

Run:  .venv/bin/python benchmarks/orbits_bench.py [--n-orbits 1000] [--n-scipy 50]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numba
import numpy as np
from scipy.integrate import solve_ivp

from lunarops.ephemeris import default_ephemeris
from lunarops.orbits.cr3bp import EARTH_MOON, propagate_many
from lunarops.orbits.ephemeris_model import EphemerisModel
from lunarops.orbits.families import nrho
from lunarops.orbits.kepler import initial_state_j2000, low_lunar_orbit
from lunarops.timescale import parse_utc

sys.path.insert(0, str(Path(__file__).parent))

from memory import PeakMemory, ratio_text, shown_mb

RTOL = 1e-13



@numba.njit(cache=True)
def _cr3bp_rhs(t: float, s: np.ndarray, mu: float) -> np.ndarray:  # pragma: no cover - compiled
    x, y, z, vx, vy, vz = s[0], s[1], s[2], s[3], s[4], s[5]
    r1 = ((x + mu) ** 2 + y * y + z * z) ** 1.5
    r2 = ((x - 1 + mu) ** 2 + y * y + z * z) ** 1.5
    c1 = (1 - mu) / r1
    c2 = mu / r2
    out = np.empty(6)
    out[0], out[1], out[2] = vx, vy, vz
    out[3] = 2 * vy + x - c1 * (x + mu) - c2 * (x - 1 + mu)
    out[4] = -2 * vx + y - (c1 + c2) * y
    out[5] = -(c1 + c2) * z
    return out


def bench_nrho(n_orbits: int, n_scipy: int) -> None:
    orbit = nrho("9:2")
    rng = np.random.default_rng(1)
    states = np.repeat(orbit.state0[:, None], n_orbits, axis=1)
    states[:3] += rng.normal(0.0, 1e3 / EARTH_MOON.length_m, (3, n_orbits))
    states[3:] += rng.normal(0.0, 1e-2 / EARTH_MOON.velocity_m_per_s, (3, n_orbits))
    period = orbit.period_nd
    propagate_many(states[:, :4], period, tol=RTOL)  # JIT warm-up
    propagate_many(states[:, :4], period)
    with PeakMemory() as heyoka_mem:
        t0 = time.perf_counter()
        fast = propagate_many(states, period, tol=RTOL)
        t_heyoka = time.perf_counter() - t0
    reference = propagate_many(states, period)
    _cr3bp_rhs(0.0, states[:, 0], EARTH_MOON.mu)
    k = min(n_scipy, n_orbits)
    with PeakMemory() as scipy_mem:
        t0 = time.perf_counter()
        scipy_final = np.empty((6, k))
        for j in range(k):
            sol = solve_ivp(_cr3bp_rhs, (0.0, period), states[:, j], method="DOP853", rtol=RTOL, atol=1e-15,
                            args=(EARTH_MOON.mu,))
            scipy_final[:, j] = sol.y[:, -1]
        t_scipy = (time.perf_counter() - t0) * n_orbits / k
    with PeakMemory() as heyoka_subset_mem:
        propagate_many(states[:, :k], period, tol=RTOL)
    err_h = np.max(np.linalg.norm(fast[:3] - reference[:3], axis=0)) * EARTH_MOON.length_m
    err_s = np.max(np.linalg.norm(scipy_final[:3] - reference[:3, :k], axis=0)) * EARTH_MOON.length_m
    print(f"[1] {n_orbits} perturbed 9:2 NRHOs, one period ({orbit.period_days:.3f} d), rtol {RTOL:g}")
    print(f"    lunarops/heyoka batch : {t_heyoka:8.3f} s   max error {err_h:.2e} m")
    print(f"    scipy DOP853 (numba)  : {t_scipy:8.3f} s   max error {err_s:.2e} m  (timed on {k}, scaled)")
    print(f"    ratio scipy / lunarops: {t_scipy / t_heyoka:8.1f}")
    print(f"    peak memory           : lunarops {shown_mb(heyoka_mem.peak_mb)} on {n_orbits}, "
          f"scipy {shown_mb(scipy_mem.peak_mb)} on {k}")
    print(f"    peak memory, on {k} orbits: lunarops {shown_mb(heyoka_subset_mem.peak_mb)}, "
          f"scipy {shown_mb(scipy_mem.peak_mb)}, "
          f"ratio scipy / lunarops {ratio_text(scipy_mem.peak_mb, heyoka_subset_mem.peak_mb)}")


def bench_llo(days: float) -> None:
    model = EphemerisModel(parse_utc("2030-01-01T00:00:00Z"), days * 86400.0)
    state0 = initial_state_j2000(low_lunar_orbit(100.0, 90.0), default_ephemeris().rotation_j2000_to_me(model.epoch))
    grid = np.array([0.0, days * 86400.0])
    model.propagate(state0, grid, tol=RTOL)  # JIT warm-up
    reference = model.propagate(state0, grid).position_m[:, -1]
    with PeakMemory() as heyoka_mem:
        t0 = time.perf_counter()
        fast = model.propagate(state0, grid, tol=RTOL).position_m[:, -1]
        t_heyoka = time.perf_counter() - t0
    model.acceleration_km_s2(0.0, state0 / 1e3)
    with PeakMemory() as scipy_mem:
        t0 = time.perf_counter()
        sol = solve_ivp(model.acceleration_km_s2, (0.0, grid[-1]), state0 / 1e3, method="DOP853", rtol=RTOL,
                        atol=1e-13)
        t_scipy = time.perf_counter() - t0
    err_h = np.linalg.norm(fast - reference)
    err_s = np.linalg.norm(sol.y[:3, -1] * 1e3 - reference)
    print(f"[2] 100 km polar LLO, Moon + Earth + Sun (DE421), {days:g} days, rtol {RTOL:g}")
    print(f"    lunarops/heyoka       : {t_heyoka:8.3f} s   final error {err_h:.2e} m")
    print(f"    scipy DOP853 (numba)  : {t_scipy:8.3f} s   final error {err_s:.2e} m")
    print(f"    ratio scipy / lunarops: {t_scipy / t_heyoka:8.1f}")
    print(f"    peak memory           : lunarops {shown_mb(heyoka_mem.peak_mb)}, scipy {shown_mb(scipy_mem.peak_mb)}, "
          f"ratio scipy / lunarops {ratio_text(scipy_mem.peak_mb, heyoka_mem.peak_mb)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-orbits", type=int, default=1000)
    parser.add_argument("--n-scipy", type=int, default=50, help="orbits DOP853 is timed on (then scaled)")
    parser.add_argument("--days", type=float, default=30.0)
    args = parser.parse_args()
    bench_nrho(args.n_orbits, args.n_scipy)
    bench_llo(args.days)


if __name__ == "__main__":
    main()
