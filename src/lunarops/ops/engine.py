"""The operations engine: a time-stepped numba kernel, parallel over Monte Carlo runs.

One step (``dt_s``, 1 h by default) does, in this order:

1. deliveries due at the step (stores, spares; O2 above the tank capacity goes to the propellant store);
2. units of every component: repair progress, operating time, failures (pre-drawn steps to failure,
   counted over the steps the element is online, or with ``comp_op`` over those in which its target works),
   then failed units take spares first come first served (own spares, including those delivered for the
   component, then the delivered pool);
3. availability of each element = 0 before it comes online (``elem_online``: it is not there yet; its units'
   operating time starts then), else the product over its components of working units / units;
4. generation: arrays (area x efficiency x irradiance on the array x (1 - degradation)^years) + radioisotope
   units (Pu-238 decay) + fission plants;
5. demand of each load (schedule x availability; daylight-only plants off while the Sun is down); a load that
   does not run (schedule off, or shed in 6 or 7) draws its standby power (x availability) instead, never shed;
6. the reserve policy: while storage is below the reserve, loads flagged ``shed_below_reserve`` are off;
7. load shedding: while demand exceeds generation + what storage can deliver, loads are shed in
   ``shed_order`` (least essential first; shedding one frees its power less its standby); then loads shed on
   the way that fit in what is left come back, most essential first; standby that even then does not fit is
   unserved; a brownout is any priority-1 load unserved;
8. dispatch: surplus charges the battery, then the RFC electrolyser, the rest is curtailed; a deficit
   discharges the battery down to its depth of discharge, then the fuel cell;
9. ISRU output from the energy served to each plant (a water_electrolysis plant splits stored water into LOX
   and LH2, which then boil off a share per step); life support (crew, loop closure, ECLSS power);
10. communications: data made by served loads fills a buffer, drained at the step's link rate (the direct
    rate while that link is up and closes, else the relay rate while a relay path exists, else 0) while the
    comm load is served; overflow is dropped.

Energy is conserved exactly each step: generated = served + change of stored energy + curtailed + losses
(charge, discharge, electrolyser, fuel-cell losses and capacity fade). The kernel records the largest
residual per run.

Speed (benchmarks/ops_bench.py): the per-step inputs shared by every run (demand schedules, daylight, link
rate, crew) are reduced to their few distinct rows (``step_kinds``), so a run reads a small table plus the
irradiance instead of streaming every series; event logging is inlined (a call in the step loop made the
compiler keep the loop's state on the stack); ISRU output and science data are summed in the loop over served
loads. The order of every floating-point operation is that of the steps above, so results are bit for bit
those of the straightforward loop.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numpy.typing import NDArray

# ---- recorded series (index into the record axis) ------------------------------------------------------
RECORD_VARS: tuple[str, ...] = (
    "generation_w",
    "demand_w",
    "served_w",
    "unserved_w",
    "curtailed_w",
    "losses_w",
    "battery_j",
    "rfc_j",
    "storage_fraction",
    "o2_kg",
    "water_kg",
    "food_kg",
    "propellant_kg",
    "isru_water_kg",
    "isru_o2_kg",
    "data_returned_bits",
    "data_buffer_bits",
    "data_dropped_bits",
    "crew",
    "reserve_days",
    "data_relayed_bits",
    "lox_kg",
    "lh2_kg",
)
(
    R_GEN,
    R_DEM,
    R_SERV,
    R_UNS,
    R_CURT,
    R_LOSS,
    R_BATT,
    R_RFC,
    R_FRAC,
    R_O2,
    R_H2O,
    R_FOOD,
    R_PROP,
    R_ISRU_H2O,
    R_ISRU_O2,
    R_DATA,
    R_BUF,
    R_DROP,
    R_CREW,
    R_DAYS,
    R_RELAYED,
    R_LOX,
    R_LH2,
) = range(len(RECORD_VARS))
#: How each recorded series is reduced over a block of steps: mean, min, or last value.
RECORD_REDUCTION: tuple[str, ...] = (
    "mean",
    "mean",
    "mean",
    "mean",
    "mean",
    "mean",
    "last",
    "last",
    "min",
    "last",
    "last",
    "last",
    "last",
    "last",
    "last",
    "last",
    "last",
    "last",
    "last",
    "min",
    "last",
    "last",
    "last",
)

# ---- per-run scalars -------------------------------------------------------------------------------------
SCALAR_VARS: tuple[str, ...] = (
    "unserved_j",
    "essential_unserved_j",
    "min_battery_soc",
    "min_storage_fraction",
    "min_reserve_days",
    "isru_water_kg",
    "isru_o2_kg",
    "data_returned_bits",
    "data_dropped_bits",
    "failures",
    "consumable_shortfall_kg",
    "events",
    "generated_j",
    "served_j",
    "demand_j",
    "curtailed_j",
    "brownout_h",
    "max_energy_residual_j",
    "losses_j",
    "data_relayed_bits",
    "max_data_buffer_bits",
    "water_overflow_kg",
    "min_contingency_days",  # the fewest days the stores would last with the loop failed (open loop), crewed steps
    "min_reserve_time_s",  # when min_reserve_days was reached [s from the period start]; -1: never crewed
    "min_reserve_store",  # the store that set it (0 O2, 1 water, 2 food); -1: never crewed
    "electrolysed_water_kg",  # water split by the water_electrolysis plant
    "lox_made_kg",  # O2 it made and liquefied
    "lh2_made_kg",  # H2 it made and liquefied
    "lox_boiled_off_kg",
    "lh2_boiled_off_kg",
    "lox_stored_kg",  # in the LOX store at the end
    "lh2_stored_kg",
)
(
    S_UNS,
    S_ESS,
    S_MINSOC,
    S_MINFRAC,
    S_MINDAYS,
    S_H2O,
    S_O2,
    S_DATA,
    S_DROP,
    S_NFAIL,
    S_SHORT,
    S_NEV,
    S_GEN,
    S_SERV,
    S_DEM,
    S_CURT,
    S_BROWN,
    S_RESID,
    S_LOSS,
    S_RELAYED,
    S_MAXBUF,
    S_WATER_OVER,
    S_MINCONT,
    S_MINDAYS_T,
    S_MINDAYS_STORE,
    S_EL_WATER,
    S_LOX_MADE,
    S_LH2_MADE,
    S_LOX_BOIL,
    S_LH2_BOIL,
    S_LOX_END,
    S_LH2_END,
) = range(len(SCALAR_VARS))

# ---- events ----------------------------------------------------------------------------------------------
EVENT_NAMES: tuple[str, ...] = (
    "brownout",
    "brownout_end",
    "load_shed",
    "load_restored",
    "store_below_reserve",
    "store_reserve_restored",
    "store_empty",
    "data_dropped",
    "data_dropped_end",
    "failure",
    "repair_start",
    "repair_done",
    "awaiting_spares",
    "policy_daylight_pause",
    "policy_daylight_resume",
    "policy_reserve_shed",
    "policy_reserve_release",
    "delivery",
    "element_online",
    "policy_water_full_pause",
    "policy_water_full_resume",
)
(
    E_BROWN,
    E_BROWN_END,
    E_SHED,
    E_RESTORE,
    E_BELOW,
    E_ABOVE,
    E_EMPTY,
    E_DROP,
    E_DROP_END,
    E_FAIL,
    E_REP_START,
    E_REP_DONE,
    E_AWAIT,
    E_DAY_PAUSE,
    E_DAY_RESUME,
    E_RES_ON,
    E_RES_OFF,
    E_DELIV,
    E_ONLINE,
    E_WATER_PAUSE,
    E_WATER_RESUME,
) = range(len(EVENT_NAMES))
N_EVENT_CODES = len(EVENT_NAMES)

# ---- per-run, per-component reliability (comp_stats[run, component, stat]) ------------------------------------
COMP_STAT_VARS: tuple[str, ...] = (
    "failures",  # failures of the component's units
    "spares_used",  # spares its failed units took (own, then the delivered pool)
    "hours_down",  # unit-hours its units spent failed (awaiting a spare + under repair) [h]
    "down_at_end",  # its units still failed (awaiting a spare or under repair) at the end of the run
    "waited_for_spare",  # 1 if some failure of it found no spare at hand (awaiting_spares), else 0
    "reduced_h",  # hours its online target ran below full capacity for its failed units [h]
    "out_h",  # of those, hours all its units were down: its target out [h]
)
C_FAIL, C_SPARES, C_DOWN_H, C_DOWN_END, C_WAITED, C_REDUCED_H, C_OUT_H = range(len(COMP_STAT_VARS))

# ---- per-run, per-load service, running totals at each calendar month's end (load_stats[run, load, month, stat]) --
LOAD_STAT_VARS: tuple[str, ...] = (
    "scheduled_h",  # hours the load was scheduled and online (its `when`, its online time) [h]
    "shed_h",  # of those, hours it was shed (lack of power or the reserve policy) [h]
    "scheduled_j",  # energy it asked for while scheduled, at full availability [J]
    "served_j",  # energy it got (less when shed, or when failed units lower its availability) [J]
    "data_bits",  # data it made while served [bit]
    "standby_j",  # keep-alive energy it got while online in its window and not running (off or shed) [J]
)
L_SCHED_H, L_SHED_H, L_SCHED_J, L_SERVED_J, L_DATA, L_STANDBY_J = range(len(LOAD_STAT_VARS))

YEAR_S = 365.25 * 86400.0
#: Ice plants paused by a full water tank resume below this share of it (hysteresis: no pause/resume every step).
WATER_RESUME = 0.95
DAY_S = 86400.0
_WATER_PER_O2 = 2.0 * 18.015 / 31.998  # kg water split per kg O2 (functions.electrolysis_water_per_o2)
_H2_PER_WATER = 2.016 / 18.015  # kg H2 per kg water split
_SAB_WATER_PER_CO2 = 2.0 * 18.015 / 44.009  # CO2 + 4 H2 -> CH4 + 2 H2O
_SAB_WATER_PER_H2 = 2.0 * 18.015 / (4.0 * 2.016)
#: kg O2 per kg water split (2 H2O -> 2 H2 + O2; 15.999 / 18.015); the H2 is the rest, so mass is conserved exactly
O2_PER_WATER = 15.999 / 18.015
H2_PER_WATER = 1.0 - O2_PER_WATER
#: ``prop_par`` of a station without a water_electrolysis plant (the engine then never reads it)
NO_PROPELLANT_PLANT = (0.0, 0.0, 1.0, 1.0, 0.0)


@numba.njit(cache=True, error_model="numpy", inline="always")
def _log(
    ev_step: NDArray[np.int64],
    ev_code: NDArray[np.int64],
    ev_elem: NDArray[np.int64],
    ev_value: NDArray[np.float64],
    ev_counts: NDArray[np.int64],
    n: int,
    step: int,
    code: int,
    elem: int,
    value: float,
) -> int:
    if n < ev_step.shape[0]:
        ev_step[n] = step
        ev_code[n] = code
        ev_elem[n] = elem
        ev_value[n] = value
    ev_counts[code] += 1
    return n + 1


@numba.njit(cache=True, error_model="numpy")
def step_kinds(
    demand_w: NDArray[np.float64],
    load_daylight: NDArray[np.int64],
    daylight: NDArray[np.float64],
    link_bps: NDArray[np.float64],
    crew: NDArray[np.float64],
    link_relay: NDArray[np.float64],
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """``step_kinds_standby`` without standby columns."""
    return step_kinds_standby(
        demand_w, load_daylight, daylight, link_bps, crew, link_relay, np.empty((0, demand_w.shape[1]))
    )


@numba.njit(cache=True, error_model="numpy")
def step_kinds_standby(
    demand_w: NDArray[np.float64],
    load_daylight: NDArray[np.int64],
    daylight: NDArray[np.float64],
    link_bps: NDArray[np.float64],
    crew: NDArray[np.float64],
    link_relay: NDArray[np.float64],
    standby_w: NDArray[np.float64],
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The distinct per-step inputs: ``kinds[kind[t]]`` = [demand of each load, demand of each load that is
    on (daylight-only loads off while the Sun is down), daylight, comm link rate [bit/s], crew, 1 if the link
    goes through a relay, then the standby power of each row of ``standby_w`` (none when no load has one: the
    table is then that of the engine without standby)] at step ``t``.

    Schedules repeat, so a run reads a small table instead of streaming every per-step input from memory.
    Rows are matched bit for bit (a hash of the bits, then an exact compare)."""
    n_load, n_steps = demand_w.shape
    n_sb = standby_w.shape[0]
    width = 2 * n_load + 4 + n_sb
    rows = np.empty((n_steps, width))
    for t in range(n_steps):
        night = daylight[t] < 0.5
        for ld in range(n_load):
            rows[t, ld] = demand_w[ld, t]
            rows[t, n_load + ld] = 0.0 if night and load_daylight[ld] == 1 else demand_w[ld, t]
        rows[t, 2 * n_load] = daylight[t]
        rows[t, 2 * n_load + 1] = link_bps[t]
        rows[t, 2 * n_load + 2] = crew[t]
        rows[t, 2 * n_load + 3] = link_relay[t]
        for ld in range(n_sb):
            rows[t, 2 * n_load + 4 + ld] = standby_w[ld, t]
    bits = rows.view(np.uint64)
    size = 1
    while size < 2 * n_steps:
        size *= 2
    table = np.full(size, -1, np.int64)  # hash slot -> kind
    first = np.empty(n_steps, np.int64)  # kind -> its first step
    kind = np.empty(n_steps, np.int64)
    n_kinds = 0
    mask = np.uint64(size - 1)
    for t in range(n_steps):
        if t > 0:  # most steps repeat the step before
            same = True
            for c in range(width):
                if bits[t - 1, c] != bits[t, c]:
                    same = False
                    break
            if same:
                kind[t] = kind[t - 1]
                continue
        h = np.uint64(14695981039346656037)
        for c in range(width):
            h = (h ^ bits[t, c]) * np.uint64(1099511628211)
        slot = h & mask
        while True:
            k = table[slot]
            if k < 0:
                table[slot] = n_kinds
                first[n_kinds] = t
                kind[t] = n_kinds
                n_kinds += 1
                break
            same = True
            for c in range(width):
                if bits[first[k], c] != bits[t, c]:
                    same = False
                    break
            if same:
                kind[t] = k
                break
            slot = (slot + np.uint64(1)) & mask
    kinds = np.empty((n_kinds, width))
    for k in range(n_kinds):
        kinds[k] = rows[first[k]]
    return kind, kinds


@numba.njit(cache=True, error_model="numpy")
def run_one(
    dt_s: float,
    decim: int,
    array_t: NDArray[np.float64],
    array_area: NDArray[np.float64],
    array_elem: NDArray[np.int64],
    array_eff: NDArray[np.float64],
    array_deg: NDArray[np.float64],
    src_power: NDArray[np.float64],
    src_decay: NDArray[np.float64],
    src_elem: NDArray[np.int64],
    kind: NDArray[np.int64],
    kinds: NDArray[np.float64],
    load_priority: NDArray[np.int64],
    load_reserve: NDArray[np.float64],
    load_daylight: NDArray[np.int64],
    load_elem: NDArray[np.int64],
    load_data_bps: NDArray[np.float64],
    load_product: NDArray[np.int64],
    load_yield: NDArray[np.float64],
    shed_order: NDArray[np.int64],
    storage_par: NDArray[np.float64],
    storage_elem: NDArray[np.int64],
    eff: NDArray[np.float64],
    reserve_par: NDArray[np.float64],
    ls_par: NDArray[np.float64],
    ls_idx: NDArray[np.int64],
    stores0: NDArray[np.float64],
    store_par: NDArray[np.float64],
    prop_par: NDArray[np.float64],
    del_step: NDArray[np.int64],
    del_order: NDArray[np.int64],
    del_comm: NDArray[np.int64],
    del_amount: NDArray[np.float64],
    comm_par: NDArray[np.float64],
    comm_idx: NDArray[np.int64],
    comp_target: NDArray[np.int64],
    comp_units: NDArray[np.int64],
    comp_repair: NDArray[np.int64],
    comp_spares0: NDArray[np.int64],
    comp_op: NDArray[np.int64],
    unit_comp: NDArray[np.int64],
    fail_steps: NDArray[np.int64],
    n_elements: int,
    elem_online: NDArray[np.int64],
    rec: NDArray[np.floating],
    scal: NDArray[np.float64],
    ev_step: NDArray[np.int64],
    ev_code: NDArray[np.int64],
    ev_elem: NDArray[np.int64],
    ev_value: NDArray[np.float64],
    ev_counts: NDArray[np.int64],
    comp_stats: NDArray[np.float64],
    load_stats: NDArray[np.float64],
    step_month: NDArray[np.int64],
) -> None:
    """Simulate one run; writes ``rec`` (vars, records), ``scal`` (scalars) and the event arrays.

    ``storage_par``: [has_batt, batt_cap_j, batt_min_frac, batt_pc_max_w, batt_pd_max_w, batt_soc0,
    batt_fade_per_year, has_rfc, rfc_cap_j, rfc_fc_max_w, rfc_el_max_w, rfc_fill0]; ``storage_elem``:
    [batt, rfc]; ``eff``: [eta_charge, eta_discharge, eta_fuel_cell, eta_electrolyser];
    ``reserve_par``: [reserve_fraction, hysteresis]; ``ls_par``: per crew per s [o2, co2, water, food] kg,
    [water_recovery, o2_generation, sabatier], per crew per s [eva_o2, eva_water] kg and the cabin's leaked O2
    [kg/s] (drawn while crew are aboard); ``ls_idx``: [eclss_load, wrs_elem, oga_elem, sab_elem];
    ``store_par``: [reserve_days, o2_capacity_kg, water_capacity_kg]; ``comm_par``: [has_comm, 1.0,
    buffer_bits] (the link rate is the per-step ``link_bps`` column of ``kinds``); ``prop_par`` (the
    water_electrolysis plant, ``load_product`` 2, its yield in kg water per J): [lox_capacity_kg,
    lh2_capacity_kg, lox_keep_per_step, lh2_keep_per_step, min_water_kg] (keep: the share of a store left after a
    step's boil-off);
    ``comm_idx``: [comm_load, comm_elem]; ``comp_stats`` (component, ``COMP_STAT_VARS``): each component's
    failures, spares used, unit-hours down, units down at the end, whether it ever waited for a spare, and the
    hours its online target ran below full capacity and with all its units down (counted here, not from the
    capped event buffers); ``load_stats`` (load, month, ``LOAD_STAT_VARS``): each
    load's scheduled and shed hours, asked and served energy, data made and standby energy got from the start to
    the end of each calendar month (running totals; ``step_month``: each step's month index); ``comp_op``
    (component, 2): the load (served) or array (lit) whose work advances the component's failure clock, -1 for
    none (every online step).
    """
    n_steps = kind.shape[0]
    n_arr = array_area.shape[0]
    n_src = src_power.shape[0]
    n_load = load_elem.shape[0]
    c_day = 2 * n_load  # columns of kinds: demand, demand of loads on, daylight, link rate, crew, relay
    c_sb = 2 * n_load + 4  # then each load's standby power, when some load has one
    has_sb = kinds.shape[1] > c_sb
    n_comp = comp_target.shape[0]
    n_unit = unit_comp.shape[0]
    n_rec = rec.shape[1]
    dt_h = dt_s / 3600.0

    has_b = storage_par[0] > 0.5
    cap_b0 = storage_par[1]
    min_frac_b = storage_par[2]
    pc_max = storage_par[3]
    pd_max = storage_par[4]
    fade = storage_par[6]
    has_r = storage_par[7] > 0.5
    cap_r_out = storage_par[8]
    pfc_max = storage_par[9]
    pel_max = storage_par[10]
    eta_c = eff[0]
    eta_d = eff[1]
    eta_fc = eff[2]
    eta_el = eff[3]
    hysteresis = reserve_par[1]
    o2_cap = store_par[1]
    water_cap = store_par[2]
    water_over = 0.0
    water_full = False  # ice plants paused: the water tank is full
    water_hit = False  # the tank reached its capacity during the last step (what the crew drank since aside)
    has_ice = False
    has_el = False  # a water_electrolysis plant: water -> LOX and LH2 stores
    for ld in range(load_product.shape[0]):
        if load_product[ld] == 1:
            has_ice = True
        elif load_product[ld] == 2:
            has_el = True
    lox_cap = prop_par[0]
    lh2_cap = prop_par[1]
    keep_lox = prop_par[2]
    keep_lh2 = prop_par[3]
    water_floor = prop_par[4]
    lox = 0.0
    lh2 = 0.0
    el_water = 0.0
    lox_made = 0.0
    lh2_made = 0.0
    lox_boil = 0.0
    lh2_boil = 0.0
    has_comm = comm_par[0] > 0.5
    s_max = cap_r_out / eta_fc if has_r else 0.0
    e_b = cap_b0 * storage_par[5] if has_b else 0.0
    s_r = s_max * storage_par[11] if has_r else 0.0

    stores = stores0.copy()
    deg_f = np.ones(n_arr)
    deg_step = np.empty(n_arr)
    for a in range(n_arr):
        deg_step[a] = (1.0 - array_deg[a]) ** (dt_s / YEAR_S)
    src_f = np.ones(n_src)
    src_step = np.empty(n_src)
    for s in range(n_src):
        src_step[s] = math.exp(-src_decay[s] * dt_s)
    fade_f = 1.0
    fade_step = (1.0 - fade) ** (dt_s / YEAR_S)
    spares = comp_spares0.copy()
    pool = 0.0
    state = np.zeros(n_unit, np.int64)  # 0 working, 1 repairing, 2 waiting for a spare
    kfail = np.zeros(n_unit, np.int64)
    n_k = fail_steps.shape[1]
    never = np.iinfo(np.int64).max
    next_ev = np.empty(n_unit, np.int64)  # step of each unit's next failure (working) or repair end
    # units whose clock counts only the steps their target works (comp_op): the steps left before a failure
    op_left = np.zeros(n_unit, np.int64)
    n_op = 0
    for u in range(n_unit):
        if comp_op[unit_comp[u], 0] >= 0 or comp_op[unit_comp[u], 1] >= 0:
            n_op += 1
    op_units = np.empty(n_op, np.int64)
    op_load = np.empty(n_op, np.int64)  # per operating-clock unit: the load whose service counts (-1: an array)
    op_array = np.empty(n_op, np.int64)  # the array whose light counts
    op_on = np.empty(n_op, np.int64)  # the step its element comes online
    n_op = 0
    for u in range(n_unit):  # a unit's operating time starts when its element comes online
        on_u = elem_online[comp_target[unit_comp[u]]]
        if comp_op[unit_comp[u], 0] >= 0 or comp_op[unit_comp[u], 1] >= 0:
            op_units[n_op] = u
            op_load[n_op] = comp_op[unit_comp[u], 0]
            op_array[n_op] = comp_op[unit_comp[u], 1]
            op_on[n_op] = on_u
            n_op += 1
            op_left[u] = fail_steps[u, 0] - 1 if n_k > 0 else never
            next_ev[u] = on_u if op_left[u] == 0 else never
        else:
            # (the failure steps are below 2**62, the online step below the run's length: no int64 overflow)
            next_ev[u] = fail_steps[u, 0] - 1 + on_u if n_k > 0 else never
    next_on = never  # the next step at which an element comes online
    for e in range(n_elements):
        if 0 < elem_online[e] < next_on:
            next_on = elem_online[e]
    next_any = 0
    wait_since = np.zeros(n_unit, np.int64)
    n_waiting = 0
    avail = np.ones(n_elements)
    working = np.zeros(n_comp)
    d = np.zeros(n_load)
    sb = np.zeros(n_load)  # each load's standby power this step (drawn while it does not run)
    sb_got = np.ones(n_load)  # the share of its standby a load gets this step (cut to keep a more essential one on)
    load_avail = np.ones(n_load)  # availability of each load's element
    served = np.zeros(n_load)
    new_shed = np.zeros(n_load, np.int64)
    shed_state = np.zeros(n_load, np.int64)  # 0 on, 1 shed for lack of power, 2 shed by reserve policy
    below = np.zeros(3, np.int64)
    empty = np.zeros(3, np.int64)
    use = np.zeros(3)

    for i in range(scal.shape[0]):
        scal[i] = 0.0
    for c in range(n_comp):
        for i in range(comp_stats.shape[1]):
            comp_stats[c, i] = 0.0
    for ld in range(load_stats.shape[0]):
        for y in range(load_stats.shape[1]):
            for i in range(load_stats.shape[2]):
                load_stats[ld, y, i] = 0.0
    # the loads' running totals (LOAD_STAT_VARS), copied into load_stats at the end of each calendar month
    load_acc = np.zeros((n_load, load_stats.shape[2]))
    mo = step_month[0] if n_steps > 0 else 0
    # accumulators live in locals (no stores through arrays in the loop)
    a_nfail = 0.0
    a_brown = 0.0
    a_resid = 0.0
    a_minsoc = 1.0
    a_minfrac = 1.0
    a_short = 0.0
    a_mindays = np.inf
    a_mincont = np.inf
    a_mindays_t = -1.0
    a_mindays_store = -1.0
    a_uns = 0.0
    a_ess = 0.0
    a_gen = 0.0
    a_serv = 0.0
    a_dem = 0.0
    a_curt = 0.0
    a_loss = 0.0
    n_ev = 0
    i_del = 0
    reserve_on = False  # some load is below its reserve threshold (an episode of the reserve policy)
    load_res_on = np.zeros(n_load, np.bool_)
    reserve_logged = False  # policy_reserve_shed logged in this reserve episode
    reserve_frac = 1.0  # the usable storage fraction when the episode began
    brown = False
    dropping = False
    prev_day = kinds[kind[0], c_day] if n_steps > 0 else 1.0
    any_daylight_load = False
    for ld in range(n_load):
        if load_daylight[ld] == 1:
            any_daylight_load = True
    isru_h2o = 0.0
    isru_o2 = 0.0
    data_ret = 0.0
    data_rel = 0.0  # returned through a relay
    data_buf = 0.0
    data_buf_max = 0.0
    data_drop = 0.0
    block_n = 0
    r = 0
    b_gen = b_dem = b_serv = b_uns = b_curt = b_loss = 0.0
    b_frac = 1.0
    b_days = np.inf

    for t in range(n_steps):
        # 1. deliveries
        spares_in = False
        while i_del < del_order.shape[0] and del_step[del_order[i_del]] <= t:
            k_del = del_order[i_del]  # the deliveries in the run's (slipped) step order
            c = del_comm[k_del]
            amt = del_amount[k_del]
            if c == 4:
                pool += amt
                spares_in = True
            elif c >= 5:  # spares for component c - 5: its own
                spares[c - 5] += int(amt)
                spares_in = True
            elif c >= 0:
                stores[c] += amt
                if c == 0 and stores[0] > store_par[1]:
                    stores[3] += stores[0] - store_par[1]
                    stores[0] = store_par[1]
                elif c == 1 and stores[1] >= water_cap:  # no room in the water tank: lost
                    water_over += stores[1] - water_cap
                    stores[1] = water_cap
                    water_hit = True
            n_ev = _log(ev_step, ev_code, ev_elem, ev_value, ev_counts, n_ev, t, E_DELIV, c, amt)
            i_del += 1

        # 2. units: repairs and failures (event driven: only at steps where some unit has an event)
        changed = t == 0
        failed_now = False
        if t >= next_any:
            for u in range(n_unit):
                c = unit_comp[u]
                if state[u] == 1 and t >= next_ev[u]:
                    changed = True
                    state[u] = 0
                    comp_stats[c, C_DOWN_H] += (t - wait_since[u]) * dt_h  # down since its failure
                    if comp_op[c, 0] >= 0 or comp_op[c, 1] >= 0:
                        op_left[u] = fail_steps[u, kfail[u]] - 1 if kfail[u] < n_k else never
                        next_ev[u] = t if op_left[u] == 0 else never
                    else:
                        next_ev[u] = t + fail_steps[u, kfail[u]] - 1 if kfail[u] < n_k else never
                    n_ev = _log(ev_step, ev_code, ev_elem, ev_value, ev_counts, n_ev, t, E_REP_DONE, c, u)
                if state[u] == 0 and t >= next_ev[u]:
                    kfail[u] += 1
                    changed = True
                    failed_now = True
                    n_waiting += 1
                    state[u] = 2
                    next_ev[u] = never
                    wait_since[u] = t
                    a_nfail += 1.0
                    comp_stats[c, C_FAIL] += 1.0
                    n_ev = _log(ev_step, ev_code, ev_elem, ev_value, ev_counts, n_ev, t, E_FAIL, c, u)
        # failed units take spares, first come first served (ties by unit index); only when a unit failed or
        # spares arrived, since otherwise nothing that blocked the last dispatch has changed
        while n_waiting > 0 and (failed_now or spares_in):
            best = -1
            for u in range(n_unit):
                if state[u] == 2 and (spares[unit_comp[u]] > 0 or pool >= 1.0):
                    if best < 0 or wait_since[u] < wait_since[best]:
                        best = u
            if best < 0:
                break
            c = unit_comp[best]
            if spares[c] > 0:
                spares[c] -= 1
            else:
                pool -= 1.0
            state[best] = 1
            comp_stats[c, C_SPARES] += 1.0
            n_waiting -= 1
            next_ev[best] = t + comp_repair[c]
            changed = True
            n_ev = _log(ev_step, ev_code, ev_elem, ev_value, ev_counts, n_ev, t, E_REP_START, c, best)
        for u in range(n_unit if failed_now else 0):
            if state[u] == 2 and wait_since[u] == t:
                comp_stats[unit_comp[u], C_WAITED] = 1.0
                n_ev = _log(ev_step, ev_code, ev_elem, ev_value, ev_counts, n_ev, t, E_AWAIT, unit_comp[u], u)
        if changed:
            next_any = never
            for u in range(n_unit):
                if next_ev[u] < next_any:
                    next_any = next_ev[u]

        # elements coming online (before it an element is not there: no power, demand or failures)
        if t == next_on:
            changed = True
            next_on = never
            for e in range(n_elements):
                if elem_online[e] == t:
                    n_ev = _log(ev_step, ev_code, ev_elem, ev_value, ev_counts, n_ev, t, E_ONLINE, e, 0.0)
                elif t < elem_online[e] < next_on:
                    next_on = elem_online[e]

        # 3. availability (recomputed when a unit or an element changed state)
        for e in range(n_elements if changed else 0):
            avail[e] = 1.0 if t >= elem_online[e] else 0.0
        if changed:
            for c in range(n_comp):
                working[c] = 0.0
            for u in range(n_unit):
                if state[u] == 0:
                    working[unit_comp[u]] += 1.0
            for c in range(n_comp):
                avail[comp_target[c]] *= working[c] / comp_units[c]
            for ld in range(n_load):
                load_avail[ld] = avail[load_elem[ld]]
        for c in range(n_comp):  # the target's capacity lost to this component's failed units, while online
            if working[c] < comp_units[c] and t >= elem_online[comp_target[c]]:
                comp_stats[c, C_REDUCED_H] += dt_h
                if working[c] == 0.0:
                    comp_stats[c, C_OUT_H] += dt_h

        # 4. generation (degradation and decay factors advance by one step's factor each step)
        gen = 0.0
        for a in range(n_arr):
            gen += array_area[a] * array_eff[a] * array_t[t, a] * deg_f[a] * avail[array_elem[a]]
            if t >= elem_online[array_elem[a]]:  # ageing from when it comes online
                deg_f[a] *= deg_step[a]
        for s in range(n_src):
            gen += src_power[s] * src_f[s] * avail[src_elem[s]]
            if t >= elem_online[src_elem[s]]:
                src_f[s] *= src_step[s]

        # storage limits this step
        loss = 0.0
        e_b_before = e_b
        s_r_before = s_r
        cap_b = cap_b0 * fade_f if has_b else 0.0
        if has_b and t >= elem_online[storage_elem[0]]:
            fade_f *= fade_step
        if has_b and e_b > cap_b:
            loss += e_b - cap_b
            e_b = cap_b
        e_min = cap_b * min_frac_b
        a_b = avail[storage_elem[0]] if has_b else 0.0
        a_r = avail[storage_elem[1]] if has_r else 0.0
        b_out_max = 0.0
        if has_b and e_b > e_min:
            b_out_max = min(pd_max * a_b, (e_b - e_min) * eta_d / dt_s)
        r_out_max = 0.0
        if has_r and s_r > 0.0:
            r_out_max = min(pfc_max * a_r, s_r * eta_fc / dt_s)
        # the usable storage counts only the stores that are online (there)
        on_b = 1.0 if has_b and t >= elem_online[storage_elem[0]] else 0.0
        on_r = 1.0 if has_r and t >= elem_online[storage_elem[1]] else 0.0
        usable_max = (cap_b - e_min) * eta_d * on_b + cap_r_out * on_r
        if usable_max > 0.0:
            frac_prev = (max(e_b - e_min, 0.0) * eta_d * on_b + s_r * eta_fc * on_r) / usable_max
        else:
            frac_prev = 1.0

        # 5. demand and 6. the reserve policy (decided on the storage at the start of the step)
        kt = kind[t]
        if step_month[t] != mo:  # a new calendar month: the totals so far are the end of the months since
            for m in range(mo, step_month[t]):  # (several when a step is longer than a month)
                for ld in range(n_load):
                    for i in range(load_acc.shape[1]):
                        load_stats[ld, m, i] = load_acc[ld, i]
            mo = step_month[t]
        day = kinds[kt, c_day]
        if any_daylight_load and day != prev_day:
            online = False  # logged only while some daylight-only plant is there
            for ld in range(n_load):
                if load_daylight[ld] == 1 and t >= elem_online[load_elem[ld]]:
                    online = True
            if online:
                code = E_DAY_RESUME if day > 0.5 else E_DAY_PAUSE
                n_ev = _log(ev_step, ev_code, ev_elem, ev_value, ev_counts, n_ev, t, code, -1, 0.0)
        prev_day = day
        # ice plants pause once the water tank has filled (in the last step, or it is full now) and resume below
        # 95 % of it; only while some ice plant is there (a pause is an act of the plants, logged)
        if has_ice and water_cap < np.inf:
            ice_on = False
            for ld in range(n_load):
                if load_product[ld] == 1 and t >= elem_online[load_elem[ld]]:
                    ice_on = True
            filled = water_hit or stores[1] >= water_cap
            if ice_on and ((not water_full and filled) or (water_full and stores[1] < WATER_RESUME * water_cap)):
                water_full = not water_full
                code = E_WATER_PAUSE if water_full else E_WATER_RESUME
                n_ev = _log(ev_step, ev_code, ev_elem, ev_value, ev_counts, n_ev, t, code, -1, stores[1])
        water_hit = False
        # policy_reserve_shed is logged at the first step of a reserve episode at which the policy sheds some
        # load (none may be flagged shed_below_reserve, or none be on), policy_reserve_release only after it
        # each flagged load has its own threshold (load_reserve; -1: never shed by the policy) and the policy's
        # hysteresis; an episode lasts while some load is below its threshold
        any_reserve = False
        for ld in range(n_load):
            threshold = load_reserve[ld]
            if threshold < 0.0:
                continue
            if not load_res_on[ld] and frac_prev < threshold:
                load_res_on[ld] = True
            elif load_res_on[ld] and frac_prev > threshold + hysteresis:
                load_res_on[ld] = False
            if load_res_on[ld]:
                any_reserve = True
        if not reserve_on and any_reserve:
            reserve_on = True
            reserve_frac = frac_prev
        elif reserve_on and not any_reserve:
            reserve_on = False
            if reserve_logged:
                reserve_logged = False
                n_ev = _log(ev_step, ev_code, ev_elem, ev_value, ev_counts, n_ev, t, E_RES_OFF, -1, frac_prev)
        dem_total_sched = 0.0
        dem_on = 0.0
        reserve_shed = False
        for ld in range(n_load):
            dl = kinds[kt, n_load + ld] * load_avail[ld]
            if water_full and load_product[ld] == 1:
                dl = 0.0
            if load_product[ld] == 2 and dl > 0.0:
                # the electrolyser splits only the water above its floor, into the room left in the LOX/LH2 tanks
                room = min(
                    max(stores[1] - water_floor, 0.0), (lox_cap - lox) / O2_PER_WATER, (lh2_cap - lh2) / H2_PER_WATER
                )
                dl = min(dl, max(room, 0.0) / (load_yield[ld] * dt_s))
            d[ld] = dl
            # standby: drawn while the load does not run (off, or shed); 0 without standby (then the sums are the
            # same floating-point operations as without it)
            sl = kinds[kt, c_sb + ld] * load_avail[ld] if has_sb else 0.0
            sb[ld] = sl
            dem_total_sched += sl if has_sb and dl <= 0.0 else dl
            if load_res_on[ld] and dl > 0.0:
                new_shed[ld] = 2
                reserve_shed = True
                if has_sb:
                    dem_on += sl
            else:
                new_shed[ld] = 0
                dem_on += sl if has_sb and dl <= 0.0 else dl
        if reserve_shed and not reserve_logged:
            reserve_logged = True
            n_ev = _log(ev_step, ev_code, ev_elem, ev_value, ev_counts, n_ev, t, E_RES_ON, -1, reserve_frac)

        # 7. shedding for lack of power: least essential first until the rest fits; then loads shed on the way
        # that fit in what is left come back, most essential first (a large load shed late may leave room for
        # smaller, more essential ones shed before it)
        supply = gen + b_out_max + r_out_max
        fits = supply * (1.0 + 1e-12)
        k_last = -1
        n_cut = 0  # the standby of shed_order[:n_cut] is cut (wholly, the last one in part)
        for k in range(n_load):
            if dem_on <= fits:
                break
            ld = shed_order[k]
            # before a load's running power goes, the standby of the less essential loads does (keep-alive power
            # of units already off is shed to keep a more essential unit running)
            while has_sb and n_cut < k and dem_on > fits:
                j = shed_order[n_cut]
                if sb[j] > 0.0 and (new_shed[j] != 0 or d[j] <= 0.0):
                    cut = min(sb[j], dem_on - supply)
                    sb_got[j] = 1.0 - cut / sb[j]
                    dem_on -= cut
                n_cut += 1
            if dem_on <= fits:
                break
            if new_shed[ld] == 0 and d[ld] > 0.0:
                new_shed[ld] = 1
                dem_on -= d[ld] - sb[ld]  # it draws its standby instead
                k_last = k
        if dem_on < 0.0:
            dem_on = 0.0
        for k in range(k_last - 1, -1, -1):
            ld = shed_order[k]
            if new_shed[ld] == 1 and dem_on + (d[ld] - sb[ld] * sb_got[ld]) <= fits:
                new_shed[ld] = 0
                dem_on += d[ld] - sb[ld] * sb_got[ld]
                sb_got[ld] = 1.0
        # standby left after every running load was shed and every standby before it in the shed order cut: what
        # does not fit is unserved (dispatch), in proportion for each load
        f_sb = 1.0
        if has_sb and dem_on > fits:
            sb_on = 0.0
            for ld in range(n_load):
                if new_shed[ld] != 0 or d[ld] <= 0.0:
                    sb_on += sb[ld]
            if sb_on > 0.0:
                f_sb = 1.0 - min(dem_on - supply, sb_on) / sb_on
        # served loads, with what they make: ISRU product and science data
        uns = 0.0
        ess_uns = 0.0
        any_ess = False
        made = 0.0
        for ld in range(n_load):
            ns = new_shed[ld]
            asked = kinds[kt, n_load + ld]  # scheduled now (its `when`; daylight-only plants paused at night)
            if water_full and load_product[ld] == 1:
                asked = 0.0  # paused: the water tank is full
            if load_product[ld] == 2 and d[ld] <= 0.0:
                asked = 0.0  # idle: no water above its floor, or its LOX/LH2 tanks full
            if asked > 0.0 and t >= elem_online[load_elem[ld]]:
                load_acc[ld, L_SCHED_H] += dt_h
                load_acc[ld, L_SCHED_J] += asked * dt_s
                if ns != 0:
                    load_acc[ld, L_SHED_H] += dt_h
            if has_sb and sb[ld] > 0.0 and (ns != 0 or d[ld] <= 0.0):
                got = sb_got[ld] * f_sb
                load_acc[ld, L_STANDBY_J] += sb[ld] * got * dt_s
                uns += sb[ld] * (1.0 - sb_got[ld])  # cut on purpose (the dispatch's deficit holds the f_sb part)
                if got < 1.0 and load_priority[ld] == 1:
                    ess_uns += sb[ld] * (1.0 - got)
                    any_ess = True
                sb_got[ld] = 1.0
            if ns != 0:
                served[ld] = 0.0
                uns += d[ld] - sb[ld]  # it got its standby
                if load_priority[ld] == 1:
                    ess_uns += d[ld] - sb[ld]
                    any_ess = True
                if shed_state[ld] == 0:
                    n_ev = _log(ev_step, ev_code, ev_elem, ev_value, ev_counts, n_ev, t, E_SHED, ld, float(ns))
            else:
                sv = d[ld]
                served[ld] = sv
                load_acc[ld, L_SERVED_J] += sv * dt_s
                if shed_state[ld] != 0:
                    n_ev = _log(ev_step, ev_code, ev_elem, ev_value, ev_counts, n_ev, t, E_RESTORE, ld, 0.0)
                if sv > 0.0:
                    product = load_product[ld]
                    if product >= 0:
                        kg = sv * dt_s * load_yield[ld]
                        if product == 1:
                            isru_h2o += kg
                            stores[1] += kg
                            if stores[1] >= water_cap:
                                water_over += stores[1] - water_cap
                                stores[1] = water_cap
                                water_hit = True
                        elif product == 2:  # kg: water split; its O2 and H2 liquefied into their stores
                            w = min(kg, max(stores[1] - water_floor, 0.0))
                            stores[1] -= w
                            el_water += w
                            o2 = w * O2_PER_WATER
                            lox += o2
                            lox_made += o2
                            lh2 += w - o2
                            lh2_made += w - o2
                        else:
                            isru_o2 += kg
                            stores[0] += kg
                            if stores[0] > o2_cap:
                                stores[3] += stores[0] - o2_cap
                                stores[0] = o2_cap
                    if load_data_bps[ld] > 0.0:
                        full = kinds[kt, ld]
                        if full > 0.0:
                            bits = load_data_bps[ld] * sv / full * dt_s
                            made += bits
                            load_acc[ld, L_DATA] += bits
            shed_state[ld] = ns
        # operating clocks: a working unit whose target worked this step (load served, array lit) ages a step;
        # with none left it fails at the next step
        for j in range(n_op):
            u = op_units[j]
            if state[u] != 0 or next_ev[u] != never or t < op_on[j]:
                continue
            ld = op_load[j]
            worked = served[ld] > 0.0 if ld >= 0 else array_t[t, op_array[j]] > 0.0
            if worked:
                op_left[u] -= 1
                if op_left[u] <= 0:
                    next_ev[u] = t + 1
                    if t + 1 < next_any:
                        next_any = t + 1
        if any_ess and not brown:
            brown = True
            n_ev = _log(ev_step, ev_code, ev_elem, ev_value, ev_counts, n_ev, t, E_BROWN, -1, ess_uns)
        elif brown and not any_ess:
            brown = False
            n_ev = _log(ev_step, ev_code, ev_elem, ev_value, ev_counts, n_ev, t, E_BROWN_END, -1, 0.0)
        if any_ess:
            a_brown += dt_h

        # 8. dispatch
        net = gen - dem_on
        curt = 0.0
        if net >= 0.0:
            if has_b:
                p = min(net, pc_max * a_b, max(cap_b - e_b, 0.0) / (eta_c * dt_s))
                e_b += p * eta_c * dt_s
                loss += p * (1.0 - eta_c) * dt_s
                net -= p
            if has_r:
                p = min(net, pel_max * a_r, max(s_max - s_r, 0.0) / (eta_el * dt_s))
                s_r += p * eta_el * dt_s
                loss += p * (1.0 - eta_el) * dt_s
                net -= p
            curt = net
        else:
            deficit = -net
            if has_b:
                p = min(deficit, b_out_max)
                e_b -= p / eta_d * dt_s
                loss += p * (1.0 / eta_d - 1.0) * dt_s
                deficit -= p
            if has_r:
                p = min(deficit, r_out_max)
                s_r -= p / eta_fc * dt_s
                loss += p * (1.0 / eta_fc - 1.0) * dt_s
                deficit -= p
            if deficit > 0.0:  # standby that did not fit, or rounding: take the remainder off the served loads
                dem_on -= deficit
                uns += deficit
            if e_b < 0.0:
                e_b = 0.0
            if s_r < 0.0:
                s_r = 0.0
        gen_j = gen * dt_s
        resid = gen_j - (dem_on * dt_s + (e_b - e_b_before) + (s_r - s_r_before) + curt * dt_s + loss)
        if abs(resid) > a_resid:
            a_resid = abs(resid)
        soc = e_b / cap_b0 if has_b and cap_b0 > 0.0 else 1.0
        if soc < a_minsoc:
            a_minsoc = soc
        if usable_max > 0.0:
            frac = (max(e_b - e_min, 0.0) * eta_d * on_b + s_r * eta_fc * on_r) / usable_max
        else:
            frac = 1.0
        if frac < a_minfrac:
            a_minfrac = frac

        # 9. cryogenic boil-off (passive: a fixed share of each propellant store per step), life support (ISRU
        # output was added with the served loads)
        if has_el:
            boil = lox * (1.0 - keep_lox)
            lox -= boil
            lox_boil += boil
            boil = lh2 * (1.0 - keep_lh2)
            lh2 -= boil
            lh2_boil += boil
        n_crew = kinds[kt, c_day + 2]
        days_res = np.inf
        if n_crew > 0.0:
            f_e = 1.0
            el = ls_idx[0]
            if el >= 0:
                full = kinds[kt, el]
                f_e = served[el] / full if full > 0.0 else 1.0
            r_w = ls_par[4] * avail[ls_idx[1]] * f_e
            g_o = ls_par[5] * avail[ls_idx[2]] * f_e
            s_s = ls_par[6] * avail[ls_idx[3]] * f_e
            o2_need = n_crew * ls_par[0] * dt_s
            o2_made = g_o * o2_need
            w_split = o2_made * _WATER_PER_O2
            h2 = w_split * _H2_PER_WATER
            co2 = n_crew * ls_par[1] * dt_s
            sab = s_s * min(co2 * _SAB_WATER_PER_CO2, h2 * _SAB_WATER_PER_H2)
            w_need = n_crew * ls_par[2] * dt_s
            # EVA O2 and sublimator water, and leaked cabin O2: from the stores, not the loop
            o2_lost = (n_crew * ls_par[7] + ls_par[9]) * dt_s
            w_lost = n_crew * ls_par[8] * dt_s
            w_crew = w_need * (1.0 - r_w) + w_lost
            if w_crew + w_split - sab > stores[1] and w_split > 0.0:
                # electrolysis splits only the water at hand, after the crew's own; the Sabatier reactor returns
                # part of it (H2-limited: in proportion; CO2-limited: a fixed amount)
                rem = max(stores[1] - w_crew, 0.0)
                sab_h2 = s_s * h2 * _SAB_WATER_PER_H2
                kf = rem / (w_split - sab_h2) if w_split > sab_h2 else 1.0
                if kf * h2 * _SAB_WATER_PER_H2 > co2 * _SAB_WATER_PER_CO2:
                    kf = (rem + s_s * co2 * _SAB_WATER_PER_CO2) / w_split
                kf = min(max(kf, 0.0), 1.0)
                o2_made *= kf
                w_split *= kf
                sab = s_s * min(co2 * _SAB_WATER_PER_CO2, h2 * kf * _SAB_WATER_PER_H2)
            use[0] = o2_need - o2_made + o2_lost
            use[1] = w_crew + w_split - sab
            use[2] = n_crew * ls_par[3] * dt_s
            lim = -1
            for c in range(3):
                # open loop (contingency): the whole O2 and water need, no recovery
                open_use = o2_need + o2_lost if c == 0 else (w_need + w_lost if c == 1 else use[2])
                if open_use > 0.0:
                    cont = stores[c] / (open_use * DAY_S / dt_s)
                    if cont < a_mincont:
                        a_mincont = cont
                if use[c] > 0.0:
                    days = stores[c] / (use[c] * DAY_S / dt_s)
                    if days < days_res:
                        days_res = days
                        lim = c
                    is_below = 1 if days < store_par[0] else 0
                    if is_below != below[c]:
                        code = E_BELOW if is_below == 1 else E_ABOVE
                        n_ev = _log(ev_step, ev_code, ev_elem, ev_value, ev_counts, n_ev, t, code, c, stores[c])
                        below[c] = is_below
                take = min(use[c], stores[c])
                short = use[c] - take
                stores[c] -= take
                if short > 0.0:
                    a_short += short
                    if empty[c] == 0:
                        n_ev = _log(ev_step, ev_code, ev_elem, ev_value, ev_counts, n_ev, t, E_EMPTY, c, short)
                        empty[c] = 1
                else:
                    empty[c] = 0
            if stores[1] >= water_cap:  # the Sabatier reactor returned more than the crew used
                water_over += stores[1] - water_cap
                stores[1] = water_cap
                water_hit = True
            if days_res < a_mindays:
                a_mindays = days_res
                a_mindays_t = t * dt_s
                a_mindays_store = float(lim)

        # 10. communications
        if has_comm:
            data_buf += made
            f_c = 1.0
            cl = comm_idx[0]
            if cl >= 0:
                full = kinds[kt, cl]
                f_c = served[cl] / full if full > 0.0 else 0.0
            # link rate [bit/s] first: the same products as rate x dt x f_c x (Earth 0/1) x avail before relays
            down = min(data_buf, kinds[kt, c_day + 1] * dt_s * f_c * avail[comm_idx[1]])
            data_buf -= down
            data_ret += down
            if kinds[kt, c_day + 3] > 0.5:
                data_rel += down
            # no buffer before the link is online: what is made then is dropped
            buf_cap = comm_par[2] if t >= elem_online[comm_idx[1]] else 0.0
            if data_buf > buf_cap:
                dropped = data_buf - buf_cap
                data_buf = buf_cap
                data_drop += dropped
                if not dropping:
                    dropping = True
                    n_ev = _log(ev_step, ev_code, ev_elem, ev_value, ev_counts, n_ev, t, E_DROP, -1, dropped)
            elif dropping:
                dropping = False
                n_ev = _log(ev_step, ev_code, ev_elem, ev_value, ev_counts, n_ev, t, E_DROP_END, -1, 0.0)
            if data_buf > data_buf_max:
                data_buf_max = data_buf

        # totals and records
        a_uns += uns * dt_s
        a_ess += ess_uns * dt_s
        a_gen += gen_j
        a_serv += dem_on * dt_s
        a_dem += dem_total_sched * dt_s
        a_curt += curt * dt_s
        a_loss += loss
        if block_n == 0:
            b_gen = 0.0
            b_dem = 0.0
            b_serv = 0.0
            b_uns = 0.0
            b_curt = 0.0
            b_loss = 0.0
            b_frac = frac
            b_days = days_res
        b_gen += gen
        b_dem += dem_total_sched
        b_serv += dem_on
        b_uns += uns
        b_curt += curt
        b_loss += loss / dt_s
        b_frac = min(b_frac, frac)
        b_days = min(b_days, days_res)
        block_n += 1
        if (block_n == decim or t == n_steps - 1) and r < n_rec:
            rec[R_GEN, r] = b_gen / block_n
            rec[R_DEM, r] = b_dem / block_n
            rec[R_SERV, r] = b_serv / block_n
            rec[R_UNS, r] = b_uns / block_n
            rec[R_CURT, r] = b_curt / block_n
            rec[R_LOSS, r] = b_loss / block_n
            rec[R_FRAC, r] = b_frac
            rec[R_DAYS, r] = b_days
            rec[R_BATT, r] = e_b
            rec[R_RFC, r] = s_r
            rec[R_O2, r] = stores[0]
            rec[R_H2O, r] = stores[1]
            rec[R_FOOD, r] = stores[2]
            rec[R_PROP, r] = stores[3]
            rec[R_ISRU_H2O, r] = isru_h2o
            rec[R_ISRU_O2, r] = isru_o2
            rec[R_DATA, r] = data_ret
            rec[R_BUF, r] = data_buf
            rec[R_DROP, r] = data_drop
            rec[R_RELAYED, r] = data_rel
            rec[R_LOX, r] = lox
            rec[R_LH2, r] = lh2
            rec[R_CREW, r] = n_crew
            block_n = 0
            r += 1

    for u in range(n_unit):  # units still failed at the end: down from their failure to the end
        if state[u] != 0:
            c = unit_comp[u]
            comp_stats[c, C_DOWN_END] += 1.0
            comp_stats[c, C_DOWN_H] += (n_steps - wait_since[u]) * dt_h
    scal[S_NFAIL] = a_nfail
    scal[S_BROWN] = a_brown
    scal[S_RESID] = a_resid
    scal[S_MINSOC] = a_minsoc
    scal[S_MINFRAC] = a_minfrac
    scal[S_SHORT] = a_short
    scal[S_MINDAYS] = a_mindays
    scal[S_MINCONT] = a_mincont
    scal[S_MINDAYS_T] = a_mindays_t
    scal[S_MINDAYS_STORE] = a_mindays_store
    scal[S_UNS] = a_uns
    scal[S_ESS] = a_ess
    scal[S_GEN] = a_gen
    scal[S_SERV] = a_serv
    scal[S_DEM] = a_dem
    scal[S_CURT] = a_curt
    scal[S_LOSS] = a_loss
    scal[S_H2O] = isru_h2o
    scal[S_O2] = isru_o2
    scal[S_DATA] = data_ret
    scal[S_DROP] = data_drop
    scal[S_RELAYED] = data_rel
    scal[S_MAXBUF] = data_buf_max
    scal[S_WATER_OVER] = water_over
    scal[S_NEV] = n_ev
    scal[S_EL_WATER] = el_water
    scal[S_LOX_MADE] = lox_made
    scal[S_LH2_MADE] = lh2_made
    scal[S_LOX_BOIL] = lox_boil
    scal[S_LH2_BOIL] = lh2_boil
    scal[S_LOX_END] = lox
    scal[S_LH2_END] = lh2
    for m in range(mo, load_stats.shape[1]):  # the last month's end (and any month after the period: unchanged)
        for ld in range(n_load):
            for i in range(load_acc.shape[1]):
                load_stats[ld, m, i] = load_acc[ld, i]


@numba.njit(cache=True, parallel=True, error_model="numpy")
def run_many(
    dt_s: float,
    decim: int,
    array_in: NDArray[np.float64],
    array_area: NDArray[np.float64],
    array_elem: NDArray[np.int64],
    array_eff: NDArray[np.float64],
    array_deg: NDArray[np.float64],
    src_power: NDArray[np.float64],
    src_decay: NDArray[np.float64],
    src_elem: NDArray[np.int64],
    daylight: NDArray[np.float64],
    link_bps: NDArray[np.float64],
    link_relay: NDArray[np.float64],
    demand_w: NDArray[np.float64],
    standby_w: NDArray[np.float64],
    load_priority: NDArray[np.int64],
    load_reserve: NDArray[np.float64],
    load_daylight: NDArray[np.int64],
    load_elem: NDArray[np.int64],
    load_data_bps: NDArray[np.float64],
    load_product: NDArray[np.int64],
    load_yield: NDArray[np.float64],
    shed_order: NDArray[np.int64],
    storage_par: NDArray[np.float64],
    storage_elem: NDArray[np.int64],
    eff: NDArray[np.float64],
    reserve_par: NDArray[np.float64],
    crew: NDArray[np.float64],
    ls_par: NDArray[np.float64],
    ls_idx: NDArray[np.int64],
    stores0: NDArray[np.float64],
    store_par: NDArray[np.float64],
    prop_par: NDArray[np.float64],
    del_step: NDArray[np.int64],
    del_order: NDArray[np.int64],
    del_comm: NDArray[np.int64],
    del_amount: NDArray[np.float64],
    comm_par: NDArray[np.float64],
    comm_idx: NDArray[np.int64],
    comp_target: NDArray[np.int64],
    comp_units: NDArray[np.int64],
    comp_repair: NDArray[np.int64],
    comp_spares0: NDArray[np.int64],
    comp_op: NDArray[np.int64],
    unit_comp: NDArray[np.int64],
    fail_steps: NDArray[np.int64],
    n_elements: int,
    elem_online: NDArray[np.int64],
    rec: NDArray[np.floating],
    scal: NDArray[np.float64],
    ev_step: NDArray[np.int64],
    ev_code: NDArray[np.int64],
    ev_elem: NDArray[np.int64],
    ev_value: NDArray[np.float64],
    ev_counts: NDArray[np.int64],
    comp_stats: NDArray[np.float64],
    load_stats: NDArray[np.float64],
    step_month: NDArray[np.int64],
) -> None:
    """``run_one`` for every run (first axis of the per-run arrays and outputs), in parallel. ``standby_w``
    (load, step): each load's standby power while it does not run; no rows when no load has one. ``ls_par`` is
    per run (run, 10): its loop fractions may be drawn. ``del_step`` (run, delivery): each run's (slipped)
    delivery steps; ``del_order`` (run, delivery): the deliveries in the order they land in that run;
    ``elem_online`` (run, element): each run's (slipped) element online steps."""
    array_t = np.ascontiguousarray(array_in.T)
    kind, kinds = step_kinds_standby(demand_w, load_daylight, daylight, link_bps, crew, link_relay, standby_w)
    for i in numba.prange(rec.shape[0]):
        run_one(
            dt_s,
            decim,
            array_t,
            array_area,
            array_elem,
            array_eff[i],
            array_deg[i],
            src_power,
            src_decay,
            src_elem,
            kind,
            kinds,
            load_priority,
            load_reserve,
            load_daylight,
            load_elem,
            load_data_bps,
            load_product,
            load_yield[i],
            shed_order,
            storage_par,
            storage_elem,
            eff[i],
            reserve_par,
            ls_par[i],
            ls_idx,
            stores0,
            store_par,
            prop_par,
            del_step[i],
            del_order[i],
            del_comm,
            del_amount,
            comm_par,
            comm_idx,
            comp_target,
            comp_units,
            comp_repair,
            comp_spares0,
            comp_op,
            unit_comp,
            fail_steps[i],
            n_elements,
            elem_online[i],
            rec[i],
            scal[i],
            ev_step[i],
            ev_code[i],
            ev_elem[i],
            ev_value[i],
            ev_counts[i],
            comp_stats[i],
            load_stats[i],
            step_month,
        )
