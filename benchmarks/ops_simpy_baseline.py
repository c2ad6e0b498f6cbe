"""The operations model written with SimPy processes: the baseline of benchmarks/ops_bench.py (benchmarks only).

Same inputs (lunarops.ops.inputs.EngineInputs) and the same draws (lunarops.ops.montecarlo.RunDraws) as the
numba engine, so the results are identical on a shared seed. Each unit is a SimPy process (operate, fail, wait
for a spare, repair); a station process does deliveries, spare dispatch and the energy/life-support/comms
balance a quarter step after the unit events of the same step.
"""

from __future__ import annotations

import math

import numpy as np
import simpy

from lunarops.ops import engine as E
from lunarops.ops.inputs import EngineInputs


def run_simpy(x: EngineInputs, draws: object, run: int = 0) -> dict[str, float]:
    """One run; returns the engine's scalars by name (events are counted, not listed)."""
    env = simpy.Environment()
    n_steps = x.n_steps
    dt = x.dt_s
    eff_a = draws.array_eff[run]  # type: ignore[attr-defined]
    deg_a = draws.array_deg[run]  # type: ignore[attr-defined]
    eta_c, eta_d, eta_fc, eta_el = draws.eff[run]  # type: ignore[attr-defined]
    yld = draws.load_yield[run]  # type: ignore[attr-defined]
    fails = draws.fail_steps[run]  # type: ignore[attr-defined]
    n_unit = x.unit_comp.shape[0]
    st = {"state": [0] * n_unit, "wait": [0] * n_unit, "go": [None] * n_unit}
    sc = dict.fromkeys(E.SCALAR_VARS, 0.0)
    sc.update(min_battery_soc=1.0, min_storage_fraction=1.0, min_reserve_days=math.inf)

    def unit(u: int):  # type: ignore[no-untyped-def]
        start, k = 0, 0
        while True:
            fail_at = start + int(fails[u, k]) - 1
            k += 1
            if fail_at >= n_steps:
                return
            yield env.timeout(fail_at - env.now)
            st["state"][u] = 2
            st["wait"][u] = fail_at
            sc["failures"] += 1
            st["go"][u] = env.event()
            yield st["go"][u]
            yield env.timeout(int(x.comp_repair[x.unit_comp[u]]) - 0.25)
            st["state"][u] = 0
            start = round(env.now)

    sp = x.storage_par
    has_b, cap_b0, min_b, pc_max, pd_max, fade = sp[0] > 0.5, sp[1], sp[2], sp[3], sp[4], sp[6]
    has_r, cap_r, pfc_max, pel_max = sp[7] > 0.5, sp[8], sp[9], sp[10]
    s_max = cap_r / eta_fc if has_r else 0.0
    state = {
        "e_b": cap_b0 * sp[5] if has_b else 0.0,
        "s_r": s_max * sp[11] if has_r else 0.0,
        "reserve": False,
        "stores": list(x.stores0),
        "spares": list(x.comp_spares0),
        "pool": 0.0,
        "buf": 0.0,
        "i_del": 0,
        "fade_f": 1.0,
    }
    deg_f = [1.0] * len(x.array_area)
    deg_step = [(1.0 - deg_a[a]) ** (dt / E.YEAR_S) for a in range(len(x.array_area))]
    src_f = [1.0] * len(x.src_power)
    src_step = [math.exp(-x.src_decay[k] * dt) for k in range(len(x.src_power))]
    fade_step = (1.0 - fade) ** (dt / E.YEAR_S)

    def station():  # type: ignore[no-untyped-def]
        yield env.timeout(0.25)
        for t in range(n_steps):
            s = state
            while s["i_del"] < len(x.del_step) and x.del_step[s["i_del"]] <= t:
                c, amt = int(x.del_comm[s["i_del"]]), float(x.del_amount[s["i_del"]])
                if c == 4:
                    s["pool"] += amt
                else:
                    s["stores"][c] += amt
                    if c == 0 and s["stores"][0] > x.store_par[1]:
                        s["stores"][3] += s["stores"][0] - x.store_par[1]
                        s["stores"][0] = x.store_par[1]
                s["i_del"] += 1
            waiting = sorted((st["wait"][u], u) for u in range(n_unit) if st["state"][u] == 2)
            for _, u in waiting:
                c = int(x.unit_comp[u])
                if s["spares"][c] > 0:
                    s["spares"][c] -= 1
                elif s["pool"] >= 1.0:
                    s["pool"] -= 1.0
                else:
                    continue
                st["state"][u] = 1
                st["go"][u].succeed()
            avail = np.ones(x.n_elements)
            working = np.zeros(len(x.comp_target))
            for u in range(n_unit):
                if st["state"][u] == 0:
                    working[x.unit_comp[u]] += 1.0
            for c in range(len(x.comp_target)):
                avail[x.comp_target[c]] *= working[c] / x.comp_units[c]
            gen = 0.0
            for a in range(len(x.array_area)):
                gen += x.array_area[a] * eff_a[a] * x.array_in[a, t] * deg_f[a] * avail[x.array_elem[a]]
                deg_f[a] *= deg_step[a]
            for k in range(len(x.src_power)):
                gen += x.src_power[k] * src_f[k] * avail[x.src_elem[k]]
                src_f[k] *= src_step[k]
            e_b, s_r = s["e_b"], s["s_r"]
            cap_b = cap_b0 * s["fade_f"] if has_b else 0.0
            s["fade_f"] *= fade_step
            if has_b and e_b > cap_b:
                sc["losses_j"] += e_b - cap_b
                e_b = cap_b
            e_min = cap_b * min_b
            a_b = avail[x.storage_elem[0]] if has_b else 0.0
            a_r = avail[x.storage_elem[1]] if has_r else 0.0
            b_out = min(pd_max * a_b, (e_b - e_min) * eta_d / dt) if has_b and e_b > e_min else 0.0
            r_out = min(pfc_max * a_r, s_r * eta_fc / dt) if has_r and s_r > 0.0 else 0.0
            usable = (cap_b - e_min) * eta_d + cap_r
            frac_prev = (max(e_b - e_min, 0.0) * eta_d + s_r * eta_fc) / usable if usable > 0 else 1.0
            d = x.demand_w[:, t] * avail[x.load_elem]
            d = np.where((x.load_daylight == 1) & (x.daylight[t] < 0.5), 0.0, d)
            sc["demand_j"] += float(np.sum(d)) * dt
            if not s["reserve"] and frac_prev < x.reserve_par[0]:
                s["reserve"] = True
            elif s["reserve"] and frac_prev > x.reserve_par[0] + x.reserve_par[1]:
                s["reserve"] = False
            shed = np.where(s["reserve"] & (x.load_reserve == 1) & (d > 0.0), 2, 0)
            dem_on = float(np.sum(np.where(shed == 0, d, 0.0)))
            supply = gen + b_out + r_out
            k_last = -1
            for k, ld in enumerate(x.shed_order):
                if dem_on <= supply * (1.0 + 1e-12):
                    break
                if shed[ld] == 0 and d[ld] > 0.0:
                    shed[ld] = 1
                    dem_on -= d[ld]
                    k_last = k
            dem_on = max(dem_on, 0.0)
            for ld in x.shed_order[: max(k_last, 0)][::-1]:  # shed loads that fit again come back
                if shed[ld] == 1 and dem_on + d[ld] <= supply * (1.0 + 1e-12):
                    shed[ld] = 0
                    dem_on += d[ld]
            served = np.where(shed == 0, d, 0.0)
            uns = float(np.sum(np.where(shed != 0, d, 0.0)))
            ess = float(np.sum(np.where((shed != 0) & (x.load_priority == 1), d, 0.0)))
            if np.any((shed != 0) & (x.load_priority == 1)):
                sc["brownout_h"] += dt / 3600.0
            net = gen - dem_on
            curt = 0.0
            if net >= 0.0:
                if has_b:
                    p = min(net, pc_max * a_b, max(cap_b - e_b, 0.0) / (eta_c * dt))
                    e_b += p * eta_c * dt
                    sc["losses_j"] += p * (1 - eta_c) * dt
                    net -= p
                if has_r:
                    p = min(net, pel_max * a_r, max(s_max - s_r, 0.0) / (eta_el * dt))
                    s_r += p * eta_el * dt
                    sc["losses_j"] += p * (1 - eta_el) * dt
                    net -= p
                curt = net
            else:
                deficit = -net
                if has_b:
                    p = min(deficit, b_out)
                    e_b -= p / eta_d * dt
                    sc["losses_j"] += p * (1 / eta_d - 1) * dt
                    deficit -= p
                if has_r:
                    p = min(deficit, r_out)
                    s_r -= p / eta_fc * dt
                    sc["losses_j"] += p * (1 / eta_fc - 1) * dt
                    deficit -= p
                if deficit > 0.0:
                    dem_on -= deficit
                    uns += deficit
                e_b, s_r = max(e_b, 0.0), max(s_r, 0.0)
            s["e_b"], s["s_r"] = e_b, s_r
            sc["min_battery_soc"] = min(sc["min_battery_soc"], e_b / cap_b0 if has_b else 1.0)
            frac = (max(e_b - e_min, 0.0) * eta_d + s_r * eta_fc) / usable if usable > 0 else 1.0
            sc["min_storage_fraction"] = min(sc["min_storage_fraction"], frac)
            stores = s["stores"]
            for ld in range(len(served)):
                if x.load_product[ld] >= 0 and served[ld] > 0.0:
                    kg = served[ld] * dt * yld[ld]
                    if x.load_product[ld] == 1:
                        sc["isru_water_kg"] += kg
                        stores[1] += kg
                    else:
                        sc["isru_o2_kg"] += kg
                        stores[0] += kg
                        if stores[0] > x.store_par[1]:
                            stores[3] += stores[0] - x.store_par[1]
                            stores[0] = x.store_par[1]
            crew = x.crew[t]
            if crew > 0.0:
                el = x.ls_idx[0]
                f_e = (served[el] / x.demand_w[el, t] if x.demand_w[el, t] > 0 else 1.0) if el >= 0 else 1.0
                r_w = x.ls_par[4] * avail[x.ls_idx[1]] * f_e
                g_o = x.ls_par[5] * avail[x.ls_idx[2]] * f_e
                s_s = x.ls_par[6] * avail[x.ls_idx[3]] * f_e
                o2_need = crew * x.ls_par[0] * dt
                w_split = g_o * o2_need * E._WATER_PER_O2
                sab = s_s * min(
                    crew * x.ls_par[1] * dt * E._SAB_WATER_PER_CO2, w_split * E._H2_PER_WATER * E._SAB_WATER_PER_H2
                )
                use = [
                    o2_need - g_o * o2_need,
                    crew * x.ls_par[2] * dt * (1 - r_w) + w_split - sab,
                    crew * x.ls_par[3] * dt,
                ]
                days_res = math.inf
                for c in range(3):
                    if use[c] > 0.0:
                        days_res = min(days_res, stores[c] / (use[c] * E.DAY_S / dt))
                    take = min(use[c], stores[c])
                    sc["consumable_shortfall_kg"] += use[c] - take
                    stores[c] -= take
                sc["min_reserve_days"] = min(sc["min_reserve_days"], days_res)
            if x.comm_par[0] > 0.5:
                made = sum(
                    x.load_data_bps[ld] * served[ld] / x.demand_w[ld, t] * dt
                    for ld in range(len(served))
                    if x.load_data_bps[ld] > 0 and x.demand_w[ld, t] > 0
                )
                s["buf"] += made
                cl = x.comm_idx[0]
                f_c = (served[cl] / x.demand_w[cl, t] if x.demand_w[cl, t] > 0 else 0.0) if cl >= 0 else 1.0
                down = min(s["buf"], x.comm_par[1] * dt * f_c * x.link_bps[t] * avail[x.comm_idx[1]])
                s["buf"] -= down
                sc["data_returned_bits"] += down
                if x.link_relay[t] > 0.5:
                    sc["data_relayed_bits"] += down
                if s["buf"] > x.comm_par[2]:
                    sc["data_dropped_bits"] += s["buf"] - x.comm_par[2]
                    s["buf"] = x.comm_par[2]
                sc["max_data_buffer_bits"] = max(sc["max_data_buffer_bits"], s["buf"])
            sc["unserved_j"] += uns * dt
            sc["essential_unserved_j"] += ess * dt
            sc["generated_j"] += gen * dt
            sc["served_j"] += dem_on * dt
            sc["curtailed_j"] += curt * dt
            yield env.timeout(1.0)

    for u in range(n_unit):
        env.process(unit(u))
    env.process(station())
    env.run(until=n_steps + 1)
    return sc
