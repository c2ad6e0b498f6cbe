"""Monte Carlo over the operations engine: per-run draws, the parallel kernel, Dataset and summary.

Run ``i`` of a batch draws from ``np.random.Generator(PCG64(SeedSequence(seed).spawn(n)[i]))``, first the
uncertain inputs (one number each, in a fixed order), then each unit's operating times to failure. Run ``i``
therefore gives the same trace whatever the batch size, and the same seed gives the same event trace.
Correlated inputs (``correlations``: a Gaussian copula, ``CorrelationPlan``) reuse the same uniforms: their
normal scores are correlated and mapped back, so the stream layout and every failure draw stay the same.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from numpy.typing import NDArray
from scipy import stats

from lunarops.checks import is_real_number
from lunarops.errors import InputError
from lunarops.memory import available_memory_bytes
from lunarops.ops import engine
from lunarops.ops import functions as fn
from lunarops.ops.inputs import EngineInputs, require_count, slipped_delivery_steps, slipped_online_steps
from lunarops.ops.lifesupport import LOOP_FRACTIONS
from lunarops.ops.station import LIFE_SUPPORT_TARGETS, STORES, Station
from lunarops.ops.uncertain import Uncertain

ProgressCallback = Callable[[float, str], None]
_NEVER = np.iinfo(np.int64).max // 4


@dataclass(frozen=True)
class RunDraws:
    """What is random in a batch of runs (first axis: run)."""

    array_eff: NDArray[np.float64]  # (run, array) [-]
    array_deg: NDArray[np.float64]  # (run, array) [1/yr]
    eff: NDArray[np.float64]  # (run, 4): battery charge, discharge, fuel cell, electrolyser [-]
    load_yield: NDArray[np.float64]  # (run, load): ISRU product per J served [kg/J]
    fail_steps: NDArray[np.int64]  # (run, unit, k): operating steps to the k-th failure
    drawn: NDArray[np.float64] | None = None  # (run, uncertain input): each input's value (uncertain_input_names)
    ls_par: NDArray[np.float64] | None = None  # (run, 10): life-support rates and loop fractions; None: the inputs'
    del_step: NDArray[np.int64] | None = None  # (run, delivery): slipped delivery steps; None: the inputs'
    elem_online: NDArray[np.int64] | None = None  # (run, element): slipped online steps; None: the inputs'


def _uncertain_inputs(station: Station) -> list[Uncertain]:
    """The uncertain inputs of a run in draw order: array efficiencies, array degradations, battery charge and
    discharge, fuel cell and electrolyser efficiencies, then each ISRU plant's energy inputs."""
    out = [a.cell_efficiency for a in station.solar_arrays]
    out += [a.degradation_per_year for a in station.solar_arrays]
    b, r = station.battery, station.fuel_cell
    if b:
        out += [b.charge_efficiency, b.discharge_efficiency]
    if r:
        out += [r.fuel_cell_efficiency, r.electrolyser_efficiency]
    for plant in station.isru:
        if plant.kind == "ice_extraction":
            out += [plant.ice_mass_fraction, plant.regolith_energy_j_per_kg, plant.water_energy_j_per_kg]
        elif plant.kind == "ilmenite_reduction":  # water_electrolysis: nothing drawn
            out += [plant.o2_energy_j_per_kg]
    # last, and only those given a distribution: other runs' draws stay as they were
    out += [u for _, u in station.closure.drawn]
    out += [d.slip_s for d in _drawn_slips(station)]  # after all others: scenarios without slips draw the same
    out += [a.slip_s for a in station.arrival_slips if a.slip_s.kind != "fixed"]  # likewise, last
    return out


def _drawn_slips(station: Station) -> list[Any]:
    """The deliveries whose slip is drawn from a distribution, in ``station.deliveries`` order."""
    return [d for d in station.deliveries if d.slip_s is not None and d.slip_s.kind != "fixed"]


def slip_input_name(station: Station, index: int) -> str:
    """The drawn-input name of ``station.deliveries[index]``'s slip: "<name or delivery.<index>> <commodity>:
    slip_s"."""
    d = station.deliveries[index]
    return f"{d.name or f'delivery.{index}'} {d.commodity}: slip_s"


def arrival_slip_input_name(name: str) -> str:
    """The drawn-input name of the arrival slip of mission or element ``name``: "<name>: arrival_slip_s"."""
    return f"{name}: arrival_slip_s"


def uncertain_input_names(station: Station) -> list[str]:
    """Names of ``_uncertain_inputs`` in the same order, each "<element>: <field with its SI unit>"."""
    names = [f"{a.name}: cell_efficiency" for a in station.solar_arrays]
    names += [f"{a.name}: degradation_per_year" for a in station.solar_arrays]
    b, r = station.battery, station.fuel_cell
    if b:
        names += [f"{b.name}: charge_efficiency", f"{b.name}: discharge_efficiency"]
    if r:
        names += [f"{r.name}: fuel_cell_efficiency", f"{r.name}: electrolyser_efficiency"]
    for plant in station.isru:
        if plant.kind == "ice_extraction":
            names += [
                f"{plant.name}: ice_mass_fraction",
                f"{plant.name}: regolith_energy_j_per_kg",
                f"{plant.name}: water_energy_j_per_kg",
            ]
        elif plant.kind == "ilmenite_reduction":
            names += [f"{plant.name}: o2_energy_j_per_kg"]
    names += [f"life_support: {name}" for name, _ in station.closure.drawn]
    drawn = _drawn_slips(station)
    names += [slip_input_name(station, i) for i, d in enumerate(station.deliveries) if any(d is x for x in drawn)]
    names += [arrival_slip_input_name(a.name) for a in station.arrival_slips if a.slip_s.kind != "fixed"]
    return names


#: A rank correlation asked between two uncertain inputs: (name, name, Spearman rho), names as
#: ``uncertain_input_names`` gives them.
Correlation = tuple[str, str, float]


def spearman_to_normal(rho: float) -> float:
    """The correlation of two standard normals whose Spearman rank correlation is ``rho``: 2 sin(pi rho / 6)
    (Pearson 1907; Kruskal 1958). A monotone map of each normal keeps the ranks, so the inputs have ``rho``."""
    return 2.0 * math.sin(math.pi * rho / 6.0)


def _varies(p: Uncertain) -> bool:
    """Whether a draw of ``p`` can take more than one value."""
    if p.kind == "fixed":
        return False
    if p.kind == "normal":
        return p.sd > 0.0 and p.high > p.low
    return p.high > p.low


@dataclass(frozen=True)
class CorrelationPlan:
    """A Gaussian copula over some uncertain inputs: ``columns`` (their indices in ``_uncertain_inputs``
    order), ``factor`` the lower Cholesky factor of their normal-score correlation matrix, ``pairs`` the asked
    correlations as (name, name, Spearman rho)."""

    columns: tuple[int, ...]
    factor: NDArray[np.float64]
    pairs: tuple[Correlation, ...]

    def correlate(self, u: NDArray[np.float64]) -> NDArray[np.float64]:
        """Uniforms (run, column) with the asked rank correlations from independent uniforms ``u`` (run,
        column): normal scores z = Phi^-1(u) (independent standard normals), z L^T, then Phi back to uniforms."""
        from scipy.special import ndtr, ndtri

        z = ndtri(np.clip(u, np.finfo(np.float64).tiny, None))  # rng.random() can give 0.0: not -inf
        return np.asarray(ndtr(z @ self.factor.T), dtype=np.float64)


def _matrix(columns: Sequence[int], r: dict[tuple[int, int], float]) -> NDArray[np.float64]:
    """The normal-score correlation matrix over ``columns`` (pairs not in ``r``: 0)."""
    m = np.eye(len(columns))
    for i, a in enumerate(columns):
        for j, b in enumerate(columns):
            if i != j:
                m[i, j] = r.get((min(a, b), max(a, b)), 0.0)
    return m


def _positive_definite(m: NDArray[np.float64]) -> bool:
    try:
        np.linalg.cholesky(m)
    except np.linalg.LinAlgError:
        return False
    return True


def correlation_plan(
    station: Station, correlations: Sequence[Correlation], field: str = "correlations"
) -> CorrelationPlan | None:
    """The Gaussian copula of ``correlations`` (None without any), checked against ``station``'s uncertain
    inputs; InputError naming ``field``.<i> (e.g. the scenario's operations.monte_carlo.correlations) for a
    name that is not a drawn input, an input paired with itself, a pair given twice, |rho| >= 1, or
    correlations no joint distribution has (the matrix is not positive definite: the conflicting set named)."""
    if correlations is None or len(correlations) == 0:
        return None
    names = uncertain_input_names(station)
    params = _uncertain_inputs(station)
    drawn = [n for n, p in zip(names, params, strict=True) if _varies(p)]
    r: dict[tuple[int, int], float] = {}
    where: dict[tuple[int, int], int] = {}
    pairs: list[Correlation] = []
    for i, item in enumerate(correlations):
        at = f"{field}.{i}"
        if not (isinstance(item, tuple | list) and len(item) == 3 and all(isinstance(x, str) for x in item[:2])):
            raise InputError(
                f"{at} = {item!r:.80} must be (input name, input name, rank correlation), e.g. "
                f"({(drawn or ['A'])[0]!r}, {(drawn or ['A', 'B'])[-1]!r}, 0.5)"
            )
        a, b, rho = item
        if not is_real_number(rho) or not -1.0 < float(rho) < 1.0:
            raise InputError(
                f"{at}.rank_correlation = {rho!r} must lie strictly between -1 and 1 (+-1 would make one input a "
                "function of the other); give e.g. 0.9 or -0.9"
            )
        if a == b:
            raise InputError(
                f"{at}.inputs = [{a!r}, {b!r}] pairs an input with itself (always rank correlation 1); name two "
                "different inputs"
            )
        index = []
        for name in (a, b):
            if name not in names:
                raise InputError(
                    f"{at}.inputs: {name!r} is not an uncertain input of this station; the inputs drawn from a "
                    f"distribution are: {', '.join(repr(n) for n in drawn) or 'none'}"
                )
            k = names.index(name)
            if not _varies(params[k]):
                raise InputError(
                    f"{at}.inputs: {name!r} is not drawn (a fixed value, or a distribution of zero width), so it "
                    "cannot be correlated; give it a distribution ({kind: normal | uniform | triangular, ...}) or "
                    "remove this correlation"
                )
            index.append(k)
        key = (min(index), max(index))
        if key in r:
            raise InputError(
                f"{at}.inputs = [{a!r}, {b!r}]: this pair is already given at {field}.{where[key]}; give each pair "
                "once"
            )
        r[key], where[key] = spearman_to_normal(float(rho)), i
        pairs.append((a, b, float(rho)))
    columns = sorted({k for key in r for k in key})
    matrix = _matrix(columns, r)
    if not _positive_definite(matrix):
        # the smallest set found by dropping inputs while the rest still conflict
        conflict = list(columns)
        for k in list(columns):
            rest = [c for c in conflict if c != k]
            if len(rest) >= 2 and not _positive_definite(_matrix(rest, r)):
                conflict = rest
        listed = [
            f"{field}.{where[key]} {names[key[0]]!r} ~ {names[key[1]]!r} {pairs[where[key]][2]:g}"
            for key in sorted(r, key=lambda key: where[key])
            if key[0] in conflict and key[1] in conflict
        ]
        raise InputError(
            f"{field}: the rank correlations among {', '.join(repr(names[c]) for c in conflict)} conflict "
            f"({'; '.join(listed)}; pairs not listed are independent, 0): no joint distribution has them all (their "
            "normal-score correlation matrix, 2 sin(pi rho / 6), is not positive definite); weaken them (towards 0), "
            "or give the set's unlisted pairs consistent correlations"
        )
    return CorrelationPlan(tuple(columns), np.asarray(np.linalg.cholesky(matrix), dtype=np.float64), tuple(pairs))


def _failure_blocks(station: Station, inputs: EngineInputs) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Mean operating time between failures of each unit [h] and how many times to failure it draws at a time
    (enough for 1.5 horizons, plus 4), at most 1.5 x the steps + 4 (what an MTBF of one step draws): every time
    to failure is at least one step, so that many always cover the horizon, however short the MTBF."""
    mtbf = np.array([station.components[int(c)].mtbf_h for c in inputs.unit_comp], dtype=np.float64)
    horizon_h = inputs.n_steps * inputs.dt_s / 3600.0
    cap = int(np.ceil(inputs.n_steps * 1.5)) + 4
    block = np.array([int(min(np.ceil(horizon_h / m * 1.5) + 4, cap)) for m in mtbf], dtype=np.int64)
    return mtbf, block


def _unit_failures_one_run(
    rng: np.random.Generator, n_inputs: int, mtbf: NDArray[np.float64], block: NDArray[np.int64], inputs: EngineInputs
) -> list[NDArray[np.int64]]:
    """One run's operating steps to each failure, unit by unit, straight from its stream: after the run's
    ``n_inputs`` input draws, unit ``u`` draws ``block[u]`` exponential times to failure, then further blocks
    until their steps cover the horizon."""
    rng.random(n_inputs)
    step_h = inputs.dt_s / 3600.0
    out = []
    for m, k in zip(mtbf, block, strict=True):
        seq = fn.steps_to_failure(rng.exponential(m, k), step_h)
        while seq.sum() < inputs.n_steps:
            seq = np.concatenate([seq, fn.steps_to_failure(rng.exponential(m, k), step_h)])
        out.append(seq)
    return out


def draw_runs(
    station: Station,
    inputs: EngineInputs,
    seed: int,
    runs: int,
    sample_inputs: bool = True,
    first_run: int = 0,
    correlations: Sequence[Correlation] = (),
) -> RunDraws:
    """Draws of runs ``first_run .. first_run + runs - 1`` of the batch seeded by ``seed``; ``correlations``
    (``correlation_plan``) give inputs rank correlations, each input keeping its declared distribution.

    All runs are drawn at once: each run's generator gives its input uniforms and one block of standard
    exponentials for all its units (the same numbers as unit by unit, since ``exponential(m, k)`` is ``m``
    times ``k`` standard exponentials); the few runs where a unit's block falls short of the horizon are
    redrawn unit by unit (``_unit_failures_one_run``), so every run is the stream layout of the module doc.
    """
    children = np.random.SeedSequence(seed).spawn(first_run + runs)[first_run:]
    params = _uncertain_inputs(station)
    plan = correlation_plan(station, correlations)
    mtbf, block = _failure_blocks(station, inputs)
    start = np.concatenate([[0], np.cumsum(block)[:-1]]).astype(np.int64)
    uniform = np.empty((runs, len(params)))
    expo = np.empty((runs, int(block.sum())))
    for i, child in enumerate(children):
        rng = np.random.Generator(np.random.PCG64(child))
        uniform[i] = rng.random(len(params))
        expo[i] = rng.standard_exponential(expo.shape[1])
    if plan is not None and sample_inputs:  # the same uniforms, rank-correlated (module doc)
        uniform[:, list(plan.columns)] = plan.correlate(uniform[:, list(plan.columns)])
    steps = fn.steps_to_failure(expo * np.repeat(mtbf, block), inputs.dt_s / 3600.0)
    n_unit = block.shape[0]
    seqs: dict[int, list[NDArray[np.int64]]] = {}  # runs redrawn unit by unit
    if n_unit:
        short = np.any(np.add.reduceat(steps, start, axis=1) < inputs.n_steps, axis=1)
        for i in np.flatnonzero(short).tolist():
            rng = np.random.Generator(np.random.PCG64(children[i]))
            seqs[i] = _unit_failures_one_run(rng, len(params), mtbf, block, inputs)
    k_max = max([1, *block.tolist()] + [len(f) for per_run in seqs.values() for f in per_run])
    fail = np.full((runs, n_unit, k_max), _NEVER, dtype=np.int64)
    for u in range(n_unit):
        fail[:, u, : block[u]] = steps[:, start[u] : start[u] + block[u]]
    for i, per_run in seqs.items():
        fail[i] = _NEVER
        for u, seq in enumerate(per_run):
            fail[i, u, : len(seq)] = seq

    def column(k: int) -> NDArray[np.float64]:
        p = params[k]
        return p.from_uniform(uniform[:, k]) if sample_inputs else np.full(runs, p.nominal, dtype=np.float64)

    n_arr = len(station.solar_arrays)
    k = 2 * n_arr
    eff = np.ones((runs, 4))
    if station.battery:
        eff[:, 0], eff[:, 1] = column(k), column(k + 1)
        k += 2
    if station.fuel_cell:
        eff[:, 2], eff[:, 3] = column(k), column(k + 1)
        k += 2
    yields = np.zeros((runs, len(inputs.load_names)))
    n_plain = len(station.loads)
    for j, plant in enumerate(station.isru):
        if plant.kind == "ice_extraction":
            e = fn.ice_extraction_energy_j_per_kg(column(k), column(k + 1), column(k + 2))
            k += 3
        elif plant.kind == "water_electrolysis":  # per kg water split (electrolysis + liquefaction)
            e = np.full(runs, plant.energy_j_per_kg_water)
        else:
            e = column(k)
            k += 1
        if not np.all(e > 0.0):
            raise InputError(
                f"ISRU plant {plant.name!r}: its energy per kg of product can be {float(np.min(e)):g} J, which would "
                "make product for no energy; give it an energy per kg above 0 (an ice plant: regolith or water energy)"
            )
        yields[:, n_plain + j] = 1.0 / e
    ls_par = np.tile(inputs.ls_par, (runs, 1))
    for name, _ in station.closure.drawn:  # columns 4-6 of ls_par: the loop fractions
        ls_par[:, 4 + LOOP_FRACTIONS.index(name)] = column(k)
        k += 1
    # arrival slips (run, slip): drawn after the resupply slips
    k_arrival = k + len(_drawn_slips(station))
    arrival_s = np.zeros((runs, len(station.arrival_slips)))
    for j, arrival in enumerate(station.arrival_slips):
        if arrival.slip_s.kind == "fixed":
            arrival_s[:, j] = arrival.slip_s.value
        else:
            arrival_s[:, j] = column(k_arrival)
            k_arrival += 1
    del_step = None
    if any(d.slip_s is not None or d.arrival for d in station.deliveries):  # each run's delivery steps
        slip_at = {id(d): j for j, d in enumerate(_drawn_slips(station))}
        slip_s = np.zeros((runs, inputs.del_step.shape[0]))
        for m, source in enumerate(inputs.del_source.tolist()):
            d = station.deliveries[source]
            if d.slip_s is not None:
                slip_s[:, m] = column(k + slip_at[id(d)]) if id(d) in slip_at else d.slip_s.value
            elif d.arrival:  # it lands with its mission
                slip_s[:, m] = arrival_s[:, int(inputs.del_arrival[m])]
        del_step = slipped_delivery_steps(inputs, slip_s)
    elem_online = slipped_online_steps(inputs, arrival_s) if station.arrival_slips else None
    array_eff = np.empty((runs, n_arr))
    array_deg = np.empty((runs, n_arr))
    for a in range(n_arr):
        array_eff[:, a], array_deg[:, a] = column(a), column(n_arr + a)
    drawn = np.column_stack([column(j) for j in range(len(params))]) if params else np.zeros((runs, 0))
    return RunDraws(
        array_eff=array_eff,
        array_deg=array_deg,
        eff=eff,
        load_yield=yields,
        fail_steps=fail,
        drawn=drawn,
        ls_par=ls_par,
        del_step=del_step,
        elem_online=elem_online,
    )


@dataclass(frozen=True)
class RawRuns:
    """Engine outputs of a batch (first axis: run)."""

    records: NDArray[np.floating]  # (run, var, record)
    scalars: NDArray[np.float64]  # (run, scalar)
    ev_step: NDArray[np.int64]
    ev_code: NDArray[np.int64]
    ev_elem: NDArray[np.int64]
    ev_value: NDArray[np.float64]
    ev_counts: NDArray[np.int64]
    record_steps: int
    comp_stats: NDArray[np.float64]  # (run, component, engine.COMP_STAT_VARS)
    load_stats: NDArray[np.float64]  # (run, load, year, engine.LOAD_STAT_VARS): running totals at each year's end

    @staticmethod
    def allocate(
        inputs: EngineInputs, runs: int, record_steps: int, event_capacity: int, record_dtype: type = np.float64
    ) -> RawRuns:
        """Outputs for ``runs`` runs, for the engine to fill (records in ``record_dtype``: float64 or float32)."""
        n_rec = -(-inputs.n_steps // record_steps)
        return RawRuns(
            np.empty((runs, len(engine.RECORD_VARS), n_rec), dtype=record_dtype),  # the engine writes every record
            np.zeros((runs, len(engine.SCALAR_VARS))),
            np.zeros((runs, event_capacity), dtype=np.int64),
            np.zeros((runs, event_capacity), dtype=np.int64),
            np.zeros((runs, event_capacity), dtype=np.int64),
            np.zeros((runs, event_capacity)),
            np.zeros((runs, engine.N_EVENT_CODES), dtype=np.int64),
            record_steps,
            np.zeros((runs, inputs.comp_target.shape[0], len(engine.COMP_STAT_VARS))),
            np.zeros((runs, len(inputs.load_names), len(inputs.months), len(engine.LOAD_STAT_VARS))),
        )

    def runs_slice(self, start: int, stop: int) -> RawRuns:
        """Runs ``start .. stop - 1`` (views: the engine writes through them into this batch)."""
        return RawRuns(
            self.records[start:stop],
            self.scalars[start:stop],
            self.ev_step[start:stop],
            self.ev_code[start:stop],
            self.ev_elem[start:stop],
            self.ev_value[start:stop],
            self.ev_counts[start:stop],
            self.record_steps,
            self.comp_stats[start:stop],
            self.load_stats[start:stop],
        )


def run_batch(
    inputs: EngineInputs,
    draws: RunDraws,
    record_steps: int = 1,
    event_capacity: int = 2000,
    out: RawRuns | None = None,
) -> RawRuns:
    """Run the compiled engine on every run of ``draws``; into ``out`` if given (from ``RawRuns.allocate``,
    float64 or float32 records; its record steps and event capacity are used), else into new arrays."""
    runs = draws.eff.shape[0]
    if out is None:
        out = RawRuns.allocate(inputs, runs, record_steps, event_capacity)
    if out.records.shape[0] != runs:
        raise ValueError(f"out holds {out.records.shape[0]} runs, draws {runs}")
    rec, scal, ev_step, ev_code, ev_elem, ev_value, ev_counts = (
        out.records,
        out.scalars,
        out.ev_step,
        out.ev_code,
        out.ev_elem,
        out.ev_value,
        out.ev_counts,
    )
    scal[:] = 0.0
    ev_counts[:] = 0
    x = inputs
    del_step = draws.del_step if draws.del_step is not None else np.tile(x.del_step, (runs, 1))
    engine.run_many(
        x.dt_s,
        out.record_steps,
        x.array_in,
        x.array_area,
        x.array_elem,
        draws.array_eff,
        draws.array_deg,
        x.src_power,
        x.src_decay,
        x.src_elem,
        x.daylight,
        x.link_bps,
        x.link_relay,
        x.demand_w,
        x.standby_w if x.standby_w.any() else x.standby_w[:0],  # no rows: the engine without standby
        x.load_priority,
        x.load_reserve,
        x.load_daylight,
        x.load_elem,
        x.load_data_bps,
        x.load_product,
        draws.load_yield,
        x.shed_order,
        x.storage_par,
        x.storage_elem,
        draws.eff,
        x.reserve_par,
        x.crew,
        draws.ls_par if draws.ls_par is not None else np.tile(x.ls_par, (runs, 1)),
        x.ls_idx,
        x.stores0,
        x.store_par,
        x.prop_par,
        del_step,
        np.argsort(del_step, axis=1, kind="stable"),  # each run's deliveries in landing order
        x.del_comm,
        x.del_amount,
        x.comm_par,
        x.comm_idx,
        x.comp_target,
        x.comp_units,
        x.comp_repair,
        x.comp_spares0,
        x.comp_op,
        x.unit_comp,
        draws.fail_steps,
        x.n_elements,
        draws.elem_online if draws.elem_online is not None else np.tile(x.elem_online, (runs, 1)),
        rec,
        scal,
        ev_step,
        ev_code,
        ev_elem,
        ev_value,
        ev_counts,
        out.comp_stats,
        out.load_stats,
        x.step_month,
    )
    return out


def event_log(inputs: EngineInputs, raw: RawRuns, run: int = 0) -> pd.DataFrame:
    """The event trace of one run: time_utc, step, event, element, value (as many as were kept)."""
    n = int(min(raw.scalars[run, engine.S_NEV], raw.ev_step.shape[1]))
    steps = raw.ev_step[run, :n]
    codes = raw.ev_code[run, :n]
    elems = raw.ev_elem[run, :n]
    names = []
    for code, elem in zip(codes, elems, strict=True):
        name = engine.EVENT_NAMES[code]
        if elem < 0:
            names.append("")
        elif name in ("load_shed", "load_restored"):
            names.append(inputs.load_names[elem])
        elif name in ("failure", "repair_start", "repair_done", "awaiting_spares"):
            names.append(inputs.comp_names[elem])
        elif name in ("store_below_reserve", "store_reserve_restored", "store_empty"):
            names.append(STORES[elem])
        elif name == "delivery":
            # codes: the stores, 4 the spares pool, 5 + c spares for component c
            names.append((*STORES, "spares")[elem] if elem < 5 else f"spares for {inputs.comp_names[elem - 5]}")
        elif name == "element_online":
            names.append(inputs.element_names[elem])
        else:
            names.append(str(elem))
    times = inputs.times()
    return pd.DataFrame(
        {
            "time_utc": (times[steps] if n else np.array([], dtype="datetime64[us]")).astype("datetime64[ns]"),
            "step": steps,
            "event": [engine.EVENT_NAMES[c] for c in codes],
            "element": names,
            "value": raw.ev_value[run, :n],
        }
    )


def to_dataset(inputs: EngineInputs, raw: RawRuns, first_run: int = 0) -> xr.Dataset:
    """Records as (run, time) variables, scalars as (run,) variables and, when the station has components, their
    counts as (run, component) variables ``component_<engine.COMP_STAT_VARS>``; units in the names."""
    runs, _, n_rec = raw.records.shape
    step = np.timedelta64(round(inputs.dt_s * raw.record_steps * 1e6), "us")
    time = (inputs.start + np.arange(n_rec) * step).astype("datetime64[ns]")  # the other stages' unit
    data: dict[str, tuple[tuple[str, ...], NDArray[np.generic]]] = {}
    for v, name in enumerate(engine.RECORD_VARS):
        data[name] = (("run", "time"), raw.records[:, v, :])
    for s, name in enumerate(engine.SCALAR_VARS):
        data[f"run_{name}"] = (("run",), raw.scalars[:, s])
    # a code, not a quantity: an integer (the engine keeps its scalars as float64)
    data["run_min_reserve_store"] = (("run",), raw.scalars[:, engine.S_MINDAYS_STORE].astype(np.int8))
    # the loads' standby energy in the run (0 without loads) [J]; run_served_j includes it
    standby_j = raw.load_stats[:, :, -1, engine.L_STANDBY_J].sum(axis=1) if inputs.load_names else np.zeros(runs)
    data["run_standby_j"] = (("run",), standby_j)
    data["event_counts"] = (("run", "event"), raw.ev_counts)
    coords: dict[str, Any] = {
        "run": np.arange(first_run, first_run + runs),
        "time": time,
        "event": list(engine.EVENT_NAMES),
    }
    if inputs.comp_names:  # per-run reliability of each component (none without components)
        for k, name in enumerate(engine.COMP_STAT_VARS):
            data[f"component_{name}"] = (("run", "component"), raw.comp_stats[:, :, k])
        coords["component"] = list(inputs.comp_names)
    if inputs.load_names:  # per-run service of each load (robots, science, ISRU plants, ...), by month and year
        # the engine keeps running totals at each month's end: the run's total is the last, a month's the
        # difference, a year's the sum of its months
        monthly = np.diff(raw.load_stats, axis=2, prepend=0.0)
        first_months = np.flatnonzero(np.diff(inputs.month_year, prepend=-1))
        yearly = np.add.reduceat(monthly, first_months, axis=2)
        for k, name in enumerate(engine.LOAD_STAT_VARS):
            data[f"load_{name}"] = (("run", "load"), raw.load_stats[:, :, -1, k])
            data[f"load_year_{name}"] = (("run", "load", "year"), yearly[:, :, :, k])
            data[f"load_month_{name}"] = (("run", "load", "month"), monthly[:, :, :, k])
        coords["load"] = list(inputs.load_names)
        coords["year"] = list(inputs.years)
        coords["month"] = list(inputs.months)
    ds = xr.Dataset(data, coords=coords)
    if inputs.comp_names:
        ds["component_hours_down"].attrs["units"] = "unit-hours (awaiting a spare + under repair)"
    ds["rfc_j"].attrs["description"] = "reactants' energy before the fuel cell (it delivers rfc_j x its efficiency)"
    # CF conventions' flag_values / flag_meanings (CF 1.11, sec. 3.5) for the store code
    ds["run_min_reserve_store"].attrs |= {
        "description": "the store that set run_min_reserve_days: 0 o2_kg, 1 water_kg, 2 food_kg; -1 never crewed",
        "flag_values": [-1, 0, 1, 2],
        "flag_meanings": "never_crewed o2_kg water_kg food_kg",
    }
    for var, how in zip(engine.RECORD_VARS, engine.RECORD_REDUCTION, strict=True):
        ds[var].attrs["reduction"] = f"{how} over {raw.record_steps} step(s) of {inputs.dt_s:g} s"
    return ds


def percentile_interval(
    values: NDArray[np.floating], percent: float, confidence: float = 0.95
) -> tuple[float | None, float | None]:
    """The distribution-free interval of a population percentile from a sample: the order statistics
    x_(l) <= x_(u) with l the binomial(n, p) quantile at (1 - confidence) / 2 and u one more than the quantile at
    (1 + confidence) / 2 (Hahn & Meeker, Statistical Intervals, 1991, sec. 5.2; Conover 1999, sec. 3.2). None
    where the sample is too small for a bound on that side (e.g. the low end of a p05 from 50 runs: the p05 may
    lie below every run)."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    low_rank, high_rank = percentile_ranks(x.size, percent, confidence)
    low = float(x[low_rank - 1]) if low_rank is not None else None
    high = float(x[high_rank - 1]) if high_rank is not None else None
    return low, high


def percentile_ranks(n: int, percent: float, confidence: float = 0.95) -> tuple[int | None, int | None]:
    """The 1-based ranks (smallest first) of the order statistics bounding a percentile in ``percentile_interval``
    for a sample of ``n``; None where there is no bound on that side."""
    p, alpha = percent / 100.0, 1.0 - confidence
    low_rank = int(stats.binom.ppf(alpha / 2.0, n, p))  # runs below the lower bound
    high_rank = int(stats.binom.ppf(1.0 - alpha / 2.0, n, p)) + 1
    return (low_rank if low_rank >= 1 else None), (high_rank if high_rank <= n else None)


def clopper_pearson(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """The exact (Clopper-Pearson) two-sided interval of a binomial probability: beta quantiles of the runs
    with and without the outcome; 0 and 1 at the ends."""
    alpha = 1.0 - confidence
    lo = 0.0 if successes == 0 else float(stats.beta.ppf(alpha / 2, successes, trials - successes + 1))
    hi = 1.0 if successes == trials else float(stats.beta.ppf(1 - alpha / 2, successes + 1, trials - successes))
    return lo, hi


def component_table(ds: xr.Dataset) -> pd.DataFrame:
    """Reliability of each component over the runs, most failures first: failures per run (mean; p95, a whole
    count: nearest rank), spares used per run (mean), unit-hours down per run (awaiting a spare + under repair;
    mean), units still down at the end (mean), the fraction of runs in which it waited for a spare (a failure
    found no spare at hand), the spares used per run that 95 % of runs stay within (nearest rank: a kit's size),
    the 95 % Clopper-Pearson interval of the waiting probability, and the hours per run its target ran below full
    capacity and out (all its units down; means)."""
    columns = [
        "component",
        "failures_mean",
        "failures_p95",
        "spares_used_mean",
        "hours_down_mean",
        "down_at_end_mean",
        "probability_waits_for_spare",
        "spares_used_p95",
        "probability_waits_for_spare_ci95_low",
        "probability_waits_for_spare_ci95_high",
        "hours_reduced_mean",
        "hours_out_mean",
    ]
    if "component" not in ds.dims or ds.sizes["component"] == 0:
        return pd.DataFrame(columns=columns)
    fail = ds["component_failures"].values
    used = ds["component_spares_used"].values
    waited = ds["component_waited_for_spare"].values
    runs = waited.shape[0]
    intervals = [clopper_pearson(int(np.count_nonzero(waited[:, i])), runs) for i in range(waited.shape[1])]
    frame = pd.DataFrame(
        {
            "component": [str(c) for c in ds["component"].values],
            "failures_mean": fail.mean(axis=0),
            "failures_p95": np.percentile(fail, 95, axis=0, method="inverted_cdf").astype(np.float64),
            "spares_used_mean": used.mean(axis=0),
            "hours_down_mean": ds["component_hours_down"].values.mean(axis=0),
            "down_at_end_mean": ds["component_down_at_end"].values.mean(axis=0),
            "probability_waits_for_spare": waited.mean(axis=0),
            "spares_used_p95": np.percentile(used, 95, axis=0, method="inverted_cdf").astype(np.float64),
            "probability_waits_for_spare_ci95_low": [low for low, _ in intervals],
            "probability_waits_for_spare_ci95_high": [high for _, high in intervals],
            "hours_reduced_mean": ds["component_reduced_h"].values.mean(axis=0),
            "hours_out_mean": ds["component_out_h"].values.mean(axis=0),
        },
        columns=columns,
    )
    return frame.sort_values("failures_mean", ascending=False, kind="stable").reset_index(drop=True)


def load_table(ds: xr.Dataset) -> pd.DataFrame:
    """Service of each load over the runs, in the section's order: hours scheduled (its `when` while online),
    share of those hours shed (mean), energy served as a share of the energy asked (mean and p05 over the runs:
    shedding and failed units both lower it), energy served while running and standby energy drawn while not
    running [MWh] and data made [TB] (means)."""
    columns = [
        "load",
        "scheduled_h_mean",
        "shed_share_mean",
        "served_energy_share_mean",
        "served_energy_share_p05",
        "served_mwh_mean",
        "standby_mwh_mean",
        "data_made_tb_mean",
    ]
    if "load" not in ds.dims or ds.sizes["load"] == 0:
        return pd.DataFrame(columns=columns)
    sched_h = ds["load_scheduled_h"].values
    asked = ds["load_scheduled_j"].values
    served = ds["load_served_j"].values
    with np.errstate(invalid="ignore", divide="ignore"):
        shed = np.where(sched_h > 0, ds["load_shed_h"].values / sched_h, np.nan)
        share = np.where(asked > 0, served / asked, np.nan)
    never = ~np.any(sched_h > 0, axis=0)  # never scheduled in any run: no shares to give
    frame = pd.DataFrame(
        {
            "load": [str(name) for name in ds["load"].values],
            "scheduled_h_mean": sched_h.mean(axis=0),
            "shed_share_mean": np.where(never, np.nan, np.nanmean(np.where(never, 0.0, shed), axis=0)),
            "served_energy_share_mean": np.where(never, np.nan, np.nanmean(np.where(never, 0.0, share), axis=0)),
            "served_energy_share_p05": np.where(
                never, np.nan, np.nanpercentile(np.where(never, 0.0, share), 5, axis=0)
            ),
            "served_mwh_mean": served.mean(axis=0) / 3.6e9,
            # datasets written before standby power (session 19) have none: 0
            "standby_mwh_mean": (ds["load_standby_j"].values.mean(axis=0) / 3.6e9 if "load_standby_j" in ds
                                 else np.zeros(ds.sizes["load"])),
            "data_made_tb_mean": ds["load_data_bits"].values.mean(axis=0) / 8e12,
        },
        columns=columns,
    )
    return frame


def load_year_table(ds: xr.Dataset, all_years: bool = False) -> pd.DataFrame:
    """Each load's service by calendar year (means over the runs): hours scheduled, hours shed, energy served
    while running and standby energy [MWh] and data made [TB]; only the years in which the load was scheduled or
    drew standby in some run (a station grows), or
    with ``all_years`` every load and every calendar year of the period (the results file: a load not scheduled
    in a year in any run has 0 hours, 0 MWh and 0 TB there, as its per-run values are, rather than a missing
    row)."""
    return _load_period_table(ds, "year", all_years)


def load_month_table(ds: xr.Dataset) -> pd.DataFrame:
    """Each load's service by calendar month (``"YYYY-MM"``), means over the runs, every load and month of the
    period: hours scheduled, hours shed, energy served while running and standby energy [MWh] and data made [TB]
    (the months add up to the
    years of ``load_year_table``)."""
    return _load_period_table(ds, "month", True)


def _load_period_table(ds: xr.Dataset, period: str, every: bool) -> pd.DataFrame:
    columns = [
        "load", period, "scheduled_h_mean", "shed_h_mean", "served_mwh_mean", "standby_mwh_mean", "data_made_tb_mean"
    ]
    if period not in ds.dims or ds.sizes.get("load", 0) == 0:
        return pd.DataFrame(columns=columns)
    sched_h = ds[f"load_{period}_scheduled_h"].values  # (run, load, period)
    shed_h = ds[f"load_{period}_shed_h"].values.mean(axis=0)
    served = ds[f"load_{period}_served_j"].values.mean(axis=0) / 3.6e9
    name = f"load_{period}_standby_j"
    standby_j = ds[name].values if name in ds else np.zeros_like(sched_h)  # (run, load, period); 0 before standby
    standby = standby_j.mean(axis=0) / 3.6e9
    data = ds[f"load_{period}_data_bits"].values.mean(axis=0) / 8e12
    label = int if period == "year" else str
    rows = [
        (str(load), label(when), float(sched_h[:, i, j].mean()), float(shed_h[i, j]), float(served[i, j]),
         float(standby[i, j]), float(data[i, j]))
        for i, load in enumerate(ds["load"].values)
        for j, when in enumerate(ds[period].values)
        if every or np.any(sched_h[:, i, j] > 0) or np.any(standby_j[:, i, j] > 0)
    ]
    return pd.DataFrame(rows, columns=columns)


#: the propellant chain's run figures (engine.SCALAR_VARS without _kg) the summary gives as p05, p50, p95
PROPELLANT_FIGURES: tuple[str, ...] = (
    "electrolysed_water",
    "lox_made",
    "lh2_made",
    "lox_boiled_off",
    "lh2_boiled_off",
    "lox_stored",
    "lh2_stored",
)


#: the run figures the sensitivity table correlates the drivers with: (variable, column name)
SENSITIVITY_OUTPUTS: tuple[tuple[str, str], ...] = (
    ("run_unserved_j", "unserved_energy"),
    ("run_min_storage_fraction", "min_storage_fraction"),
    ("run_isru_water_kg", "isru_water"),
    ("run_isru_o2_kg", "isru_o2"),
    ("run_data_returned_bits", "data_returned"),
)


def sensitivity_table(ds: xr.Dataset) -> pd.DataFrame:
    """What drives the spread over the runs: the Spearman rank correlation of each driver (an input drawn from
    a distribution, a component's failures per run) with each run figure of SENSITIVITY_OUTPUTS (columns
    ``rho_<figure>``; NaN where the driver or the figure does not vary), strongest first. Rank correlations
    (scipy.stats.spearmanr) catch any monotonic dependence; they measure association over these runs, not
    cause, and a driver correlated with another shares its credit."""
    from scipy import stats

    drivers: dict[str, NDArray[np.float64]] = {}
    if "uncertain_input" in ds.dims:
        for k, name in enumerate(ds["uncertain_input"].values):
            drivers[str(name)] = np.asarray(ds["input_value"].values[:, k], dtype=np.float64)
    if "component" in ds.dims:
        for k, name in enumerate(ds["component"].values):
            drivers[f"{name}: failures"] = np.asarray(ds["component_failures"].values[:, k], dtype=np.float64)
    outputs = [(var, label) for var, label in SENSITIVITY_OUTPUTS if var in ds]
    columns = ["driver", *(f"rho_{label}" for _, label in outputs)]
    if ds.sizes.get("run", 0) < 3 or not drivers:
        return pd.DataFrame(columns=columns)
    rows = []
    for name, x in drivers.items():
        row: list[object] = [name]
        for var, _ in outputs:
            y = np.asarray(ds[var].values, dtype=np.float64)
            varies = np.ptp(x) > 0 and np.ptp(y[np.isfinite(y)]) > 0 if np.isfinite(y).any() else False
            row.append(float(stats.spearmanr(x, y, nan_policy="omit").statistic) if varies else math.nan)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=columns)
    strength = frame[columns[1:]].abs().max(axis=1).fillna(0.0)
    return frame.iloc[np.argsort(-strength.to_numpy(dtype=np.float64), kind="stable")].reset_index(drop=True)


def storage_month_table(ds: xr.Dataset) -> pd.DataFrame:
    """Each calendar month's lowest usable storage fraction in a run (the records' minima; the month of each
    record's start), as percentiles over the runs: p05 (1 run in 20 goes lower) and p50 [share of usable
    storage, 0-1]."""
    columns = ["month", "min_storage_fraction_p05", "min_storage_fraction_p50"]
    if ds.sizes.get("time", 0) == 0 or "storage_fraction" not in ds:
        return pd.DataFrame(columns=columns)
    months = pd.DatetimeIndex(ds["time"].values).strftime("%Y-%m")
    frame = pd.DataFrame(np.asarray(ds["storage_fraction"].values, dtype=np.float64).T, index=months)
    lowest = frame.groupby(level=0, sort=False).min()  # (month, run)
    return pd.DataFrame(
        {
            "month": list(lowest.index),
            "min_storage_fraction_p05": np.percentile(lowest.values, 5, axis=1),
            "min_storage_fraction_p50": np.percentile(lowest.values, 50, axis=1),
        },
        columns=columns,
    )


def data_month_table(ds: xr.Dataset) -> pd.DataFrame:
    """The data returned to Earth, of it through a relay, and dropped (buffer full), by calendar month
    (``"YYYY-MM"``; the month of each record's start), means over the runs [TB]: differences of the running
    totals at each month's last record (records of ``monte_carlo.record_hours``)."""
    columns = ["month", "returned_tb_mean", "relayed_tb_mean", "dropped_tb_mean"]
    if ds.sizes.get("time", 0) == 0:
        return pd.DataFrame(columns=columns)
    months = pd.DatetimeIndex(ds["time"].values).strftime("%Y-%m")
    last = np.flatnonzero(np.append(months[1:] != months[:-1], True))  # each month's last record
    values = []
    for name in ("data_returned_bits", "data_relayed_bits", "data_dropped_bits"):
        totals = ds[name].values[:, last]  # (run, month): running totals at each month's end
        values.append(np.diff(totals, axis=1, prepend=0.0).mean(axis=0) / 8e12)
    return pd.DataFrame({"month": list(months[last]), **dict(zip(columns[1:], values, strict=True))}, columns=columns)


def _rows(table: pd.DataFrame) -> dict[str, list[float]]:
    """A table of the summary as {first column: [the other columns, at full precision]} (data are not rounded:
    the report and the console round what they show)."""
    return {row[0]: [float(v) for v in row[1:]] for row in table.itertuples(index=False, name=None)}


def reserve_minimum(ds: xr.Dataset) -> dict[str, str | None]:
    """When and by which store the reserve was lowest, in the 5th-percentile run: the run whose
    ``run_min_reserve_days`` is the 5th percentile by nearest rank (a run that happened, not a blend; the one
    beside ``consumables_reserve_days_p05``). ``consumables_reserve_min_utc``
    (ISO 8601, the step's start) and ``consumables_reserve_limiting_store`` (o2_kg, water_kg or food_kg); None
    when that run never had crew aboard (or the dataset predates these figures)."""
    out: dict[str, str | None] = {"consumables_reserve_min_utc": None, "consumables_reserve_limiting_store": None}
    if "run_min_reserve_time_s" not in ds or ds.sizes.get("run", 0) == 0 or ds.sizes.get("time", 0) == 0:
        return out
    days = ds["run_min_reserve_days"].values
    run = int(np.argsort(days, kind="stable")[max(math.ceil(0.05 * len(days)) - 1, 0)])
    at_s = float(ds["run_min_reserve_time_s"].values[run])
    store = int(ds["run_min_reserve_store"].values[run])
    if not math.isfinite(days[run]) or at_s < 0 or store < 0:
        return out
    start = pd.Timestamp(ds["time"].values[0])
    when = start + pd.Timedelta(seconds=round(at_s))
    out["consumables_reserve_min_utc"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    out["consumables_reserve_limiting_store"] = STORES[store]
    return out


def summarize(ds: xr.Dataset, battery_capacity_j: float | None = None) -> dict[str, Any]:
    """Headline numbers across runs (units in the keys); the ``_ci95`` keys are 95 % Clopper-Pearson intervals
    [low, high] of the probability before them (the Monte Carlo's sampling error with this many runs);
    ``components``: per component, [failures per run mean, p95, spares used mean, unit-hours down mean, units
    down at the end mean, probability of waiting for a spare] (``component_table`` names them)."""

    intervals: dict[str, list[float | None]] = {}
    asked: list[tuple[float, list[float | None]]] = []  # each q's value and its interval, in call order

    def q(name: str, p: float, scale: float = 1.0, per: float = 1.0) -> float:
        """The p-th percentile over the runs of run figure ``name``, times ``scale`` over ``per``; its 95 %
        interval is kept for ``percentile_ci95``."""
        values = ds[name].values
        # nearest-rank below when some runs are unbounded (e.g. reserve days with no crew aboard)
        if np.any(np.isinf(values)):
            value = float(np.percentile(values, p, method="lower")) * scale / per
        else:
            value = float(np.percentile(values, p)) * scale / per
        low, high = percentile_interval(values, p)
        asked.append((value, [None if x is None else x * scale / per for x in (low, high)]))
        return value

    if "run_standby_j" not in ds:  # datasets written before run_standby_j (session 19)
        standby_j = ds["load_standby_j"].sum("load") if "load_standby_j" in ds else xr.zeros_like(ds["run_served_j"])
        ds = ds.assign(run_standby_j=standby_j)
    kwh = 1.0 / 3.6e6
    # bits -> GB by division: 1.6e13 bits / 8e9 is exactly 2000 GB (x 1.25e-10 gives 2000.0000000000002)
    uns = ds["run_unserved_j"].values
    ess = ds["run_essential_unserved_j"].values
    dropped = ds["run_data_dropped_bits"].values
    short = ds["run_consumable_shortfall_kg"].values
    n_runs = int(ds.sizes["run"])

    def ci(hits: NDArray[np.bool_]) -> list[float]:
        return list(clopper_pearson(int(np.count_nonzero(hits)), n_runs))

    out: dict[str, Any] = {}
    out |= {
        "runs": int(ds.sizes["run"]),
        "probability_any_unserved_energy": float(np.mean(uns > 1.0)),
        "probability_any_unserved_energy_ci95": ci(uns > 1.0),
        "unserved_energy_kwh_p50": q("run_unserved_j", 50, kwh),
        "unserved_energy_kwh_p95": q("run_unserved_j", 95, kwh),
        "probability_brownout": float(np.mean(ess > 1.0)),
        "probability_brownout_ci95": ci(ess > 1.0),
        "essential_unserved_energy_kwh_p95": q("run_essential_unserved_j", 95, kwh),
        "min_state_of_charge": float(ds["run_min_battery_soc"].min()),
        "min_state_of_charge_p05": q("run_min_battery_soc", 5),
        "min_storage_fraction_p05": q("run_min_storage_fraction", 5),
        "consumables_reserve_days_p05": q("run_min_reserve_days", 5),
        # days on the stores alone if the loop fails (open loop), at the run's worst crewed step
        "consumables_contingency_days_p05": q("run_min_contingency_days", 5),
        "probability_consumable_shortfall": float(np.mean(short > 0.0)),
        "probability_consumable_shortfall_ci95": ci(short > 0.0),
        "isru_water_kg_p05": q("run_isru_water_kg", 5),
        "isru_water_kg_p50": q("run_isru_water_kg", 50),
        "isru_water_kg_p95": q("run_isru_water_kg", 95),
        "water_overflow_kg_p50": q("run_water_overflow_kg", 50),
        # the energy balance of a run [MWh] (p50): generated = served + curtailed + losses + change of storage
        "generated_mwh_p50": q("run_generated_j", 50, per=3.6e9),
        "served_mwh_p50": q("run_served_j", 50, per=3.6e9),
        "curtailed_mwh_p50": q("run_curtailed_j", 50, per=3.6e9),
        "storage_losses_mwh_p50": q("run_losses_j", 50, per=3.6e9),
        # of the served energy, the loads' standby (keep-alive) power while not running
        "standby_energy_mwh_p50": q("run_standby_j", 50, per=3.6e9),
        "isru_o2_kg_p05": q("run_isru_o2_kg", 5),
        "isru_o2_kg_p50": q("run_isru_o2_kg", 50),
        "isru_o2_kg_p95": q("run_isru_o2_kg", 95),
        # the propellant chain (water_electrolysis): made, boiled off and in store at the end [kg]
        **{
            f"{name}_kg_p{p:02d}": q(f"run_{name}_kg", p)
            for name in PROPELLANT_FIGURES
            for p in (5, 50, 95)
            if f"run_{name}_kg" in ds
        },
        "data_returned_gb_p50": q("run_data_returned_bits", 50, per=8e9),
        "data_returned_gb_p05": q("run_data_returned_bits", 5, per=8e9),
        # of which through a relay (the Earth down); the buffer's highest fill in a run (p50 and max over runs)
        "data_relayed_gb_p50": q("run_data_relayed_bits", 50, per=8e9),
        "data_buffer_peak_gb_p50": q("run_max_data_buffer_bits", 50, per=8e9),
        "data_buffer_peak_gb_max": float(ds["run_max_data_buffer_bits"].max()) / 8e9,
        "data_dropped_gb_p50": q("run_data_dropped_bits", 50, per=8e9),
        "data_dropped_gb_mean": float(dropped.mean()) / 8e9,
        "data_dropped_gb_p95": q("run_data_dropped_bits", 95, per=8e9),
        "data_dropped_gb_max": float(dropped.max()) / 8e9,
        "probability_any_data_dropped": float(np.mean(dropped > 0.0)),
        "probability_any_data_dropped_ci95": ci(dropped > 0.0),
        "failures_mean": float(ds["run_failures"].mean()),
        # failures that found no spare at hand and waited for one (own spares, then delivered spares)
        "awaiting_spares_mean": float(ds["event_counts"].sel(event="awaiting_spares").mean()),
        "brownout_hours_p95": q("run_brownout_h", 95),
        "max_energy_residual_j": float(ds["run_max_energy_residual_j"].max()),
    }
    # each percentile key above came from one q call, in order: its distribution-free 95 % interval
    keys = [k for k in out if re.search(r"_p\d\d$", k)]
    if len(keys) != len(asked):  # a key added without q, or the reverse: not expected
        raise RuntimeError(f"{len(keys)} percentile keys but {len(asked)} percentiles computed")
    for key, (value, interval) in zip(keys, asked, strict=True):
        if not (out[key] == value or (math.isnan(out[key]) and math.isnan(value))):
            raise RuntimeError(f"percentile key {key} does not follow its q call")
        intervals[key] = interval
    out["percentile_ci95"] = intervals
    out |= reserve_minimum(ds)
    # the stores at the end of the period (median over the runs): what is left, and the O2 beyond the O2 tank
    # that counted as propellant
    for store in ("o2_kg", "water_kg", "food_kg", "propellant_kg"):
        if store in ds and ds.sizes.get("time", 0) > 0:
            at_end = ds[store].isel(time=-1).values
            out[f"end_{store.removesuffix('_kg')}_kg_p50"] = float(np.median(at_end))
            intervals[f"end_{store.removesuffix('_kg')}_kg_p50"] = list(percentile_interval(at_end, 50))
    table = component_table(ds)
    if len(table):
        out["components_columns"] = list(table.columns[1:])
        out["components"] = _rows(table)
    loads = load_table(ds)
    if len(loads):
        out["loads_columns"] = list(loads.columns[1:])
        out["loads"] = _rows(loads)
    if battery_capacity_j is None:
        out.pop("min_state_of_charge")
        out.pop("min_state_of_charge_p05")
        intervals.pop("min_state_of_charge_p05")
    return out


def memory_estimate(
    station: Station, inputs: EngineInputs, runs: int, record_steps: int, event_capacity: int, batch: int
) -> dict[str, int]:
    """Bytes ``simulate`` allocates: ``records`` (the Monte Carlo series, float32 for more than one run),
    ``events`` (event buffers and counts, scalars, component counts) and ``failure_draws`` (the peak while
    drawing one batch: its exponential draws and their temporaries, and the (run, unit, k) failure array)."""
    n_rec = -(-inputs.n_steps // record_steps)
    rec_bytes = 4 if runs > 1 else 8
    records = runs * len(engine.RECORD_VARS) * n_rec * rec_bytes
    per_run = event_capacity * 32 + engine.N_EVENT_CODES * 8 + len(engine.SCALAR_VARS) * 8
    per_run += inputs.comp_target.shape[0] * len(engine.COMP_STAT_VARS) * 8
    # the engine's running totals by month, then the months, the years and the totals in the dataset
    rows = 2 * len(inputs.months) + len(inputs.years) + 1
    per_run += len(inputs.load_names) * rows * len(engine.LOAD_STAT_VARS) * 8
    _, block = _failure_blocks(station, inputs)
    k_max = int(block.max()) if block.size else 1
    # peak while drawing a batch (measured with tracemalloc): the exponentials, two temporaries of the same size
    # and the failure array
    draws = min(batch, runs) * 8 * (3 * int(block.sum()) + block.size * k_max)
    return {"records": records, "events": runs * per_run, "failure_draws": draws}


def check_memory(
    station: Station, inputs: EngineInputs, runs: int, record_steps: int, event_capacity: int, batch: int
) -> None:
    """InputError, before anything is allocated, when ``simulate`` would need more than the memory available now
    (``MemAvailable``: it counts neither swap nor a container's limit, so a container can still run out),
    naming what is large and how to make it smaller; instead of a MemoryError part-way."""
    available = available_memory_bytes()
    if available is None:
        return
    parts = memory_estimate(station, inputs, runs, record_steps, event_capacity, batch)
    total = sum(parts.values())
    if total <= available:
        return
    mb = 1e6
    text = ", ".join(f"{name.replace('_', ' ')} {n / mb:,.0f} MB" for name, n in parts.items())
    head = (
        f"operations Monte Carlo of runs = {runs} needs about {total / mb:,.0f} MB ({text}), more than the "
        f"{available / mb:,.0f} MB of memory available"
    )
    if parts["failure_draws"] >= max(parts["records"], parts["events"]):
        _, block = _failure_blocks(station, inputs)
        u = int(np.argmax(block))
        comp = station.components[int(inputs.unit_comp[u])]
        horizon_h = inputs.n_steps * inputs.dt_s / 3600.0
        raise InputError(
            f"{head}: component {comp.name!r} has mtbf_h = {comp.mtbf_h:g} h, so each of its units draws "
            f"{int(block[u]):,} times to failure per run ({inputs.n_steps:,} steps of {inputs.dt_s:g} s; it would "
            f"fail about {horizon_h / comp.mtbf_h:,.0f} times per unit); give it a longer, realistic mtbf_h (at "
            f"least the step, {inputs.dt_s / 3600.0:g} h) or run fewer runs"
        )
    record_h = record_steps * inputs.dt_s / 3600.0
    raise InputError(
        f"{head}: with record_steps = {record_steps} (records every {record_h:g} h; the scenario's "
        f"operations.monte_carlo.record_hours) and {event_capacity:,} events kept per run; run fewer runs (e.g. "
        f"{max(1, int(runs * available / total)):,}), record less often (a larger record_hours), or keep fewer events"
    )


@dataclass(frozen=True)
class OpsResult:
    """Results of ``simulate``: per-run series, the event log of the first run, the summary."""

    dataset: xr.Dataset
    events: pd.DataFrame
    summary: dict[str, Any]
    inputs: EngineInputs


def simulate(
    station: Station,
    inputs: EngineInputs,
    runs: int = 1,
    seed: int = 1,
    record_steps: int = 1,
    sample_inputs: bool = True,
    event_capacity: int = 2000,
    batch: int = 250,
    progress: ProgressCallback | None = None,
    correlations: Sequence[Correlation] = (),
) -> OpsResult:
    """``runs`` Monte Carlo runs of ``station`` (drawn and run ``batch`` runs at a time, for progress), with the
    rank ``correlations`` between uncertain inputs (``correlation_plan``; none: independent draws).

    ``runs``, ``record_steps`` (steps per record) and ``batch`` are whole numbers >= 1, ``seed`` a whole
    number >= 0. ``event_capacity`` (>= 0) is how many events of each run are kept for the event log; events
    past it are still counted (the dataset's ``event_counts``), and 0 keeps no log at all (``events`` is
    empty). Raises InputError for a bad argument."""
    if not isinstance(station, Station):
        raise InputError(f"station = {station!r:.60} must be a lunarops.ops.station.Station")
    if not isinstance(inputs, EngineInputs):
        raise InputError(f"inputs = {inputs!r:.60} must be EngineInputs from lunarops.ops.build_inputs")
    require_count("runs", runs, 1)
    require_count("seed", seed, 0)
    require_count("record_steps", record_steps, 1)
    require_count("event_capacity", event_capacity, 0)
    require_count("batch", batch, 1)
    plan = correlation_plan(station, correlations)
    check_memory(station, inputs, runs, record_steps, event_capacity, batch)
    # the engine writes each batch straight into one set of outputs: no concatenation; Monte Carlo series in
    # float32 (half the memory; the engine rounds each record as astype would)
    raw = RawRuns.allocate(inputs, runs, record_steps, event_capacity, np.float32 if runs > 1 else np.float64)
    params = _uncertain_inputs(station)
    drawn = np.zeros((runs, len(params)))
    missed = np.zeros(runs, dtype=np.int64)  # deliveries in the period slipped past its end
    in_period = inputs.del_step < inputs.n_steps
    elements_missed = np.zeros(runs, dtype=np.int64)  # elements due in the period slipped past its end
    real = np.array([name not in LIFE_SUPPORT_TARGETS for name in inputs.element_names], dtype=bool)
    due = (inputs.elem_online < inputs.n_steps) & real
    for start in range(0, runs, batch):
        n = min(batch, runs - start)
        draws = draw_runs(station, inputs, seed, n, sample_inputs, first_run=start, correlations=correlations)
        run_batch(inputs, draws, out=raw.runs_slice(start, start + n))
        if draws.drawn is not None:
            drawn[start : start + n] = draws.drawn
        if draws.del_step is not None:
            missed[start : start + n] = np.sum((draws.del_step >= inputs.n_steps) & in_period, axis=1)
        if draws.elem_online is not None:
            elements_missed[start : start + n] = np.sum((draws.elem_online >= inputs.n_steps) & due, axis=1)
        if progress is not None:
            progress((start + n) / runs, f"{start + n}/{runs} runs")
    ds = to_dataset(inputs, raw)
    if any(d.slip_s is not None or d.arrival for d in station.deliveries):
        ds["run_deliveries_missed"] = (("run",), missed)
        ds["run_deliveries_missed"].attrs["description"] = (
            "deliveries dated in the period that slipped past its end (not delivered)"
        )
    if station.arrival_slips:
        ds["run_elements_missed"] = (("run",), elements_missed)
        ds["run_elements_missed"].attrs["description"] = (
            "elements due online in the period whose arrival slipped past its end (never online in the run)"
        )
    random = [k for k, p in enumerate(params) if p.kind != "fixed" and sample_inputs]
    if random:  # each run's value of every input drawn from a distribution, for sensitivity studies
        names = uncertain_input_names(station)
        ds["input_value"] = (("run", "uncertain_input"), drawn[:, random])
        ds = ds.assign_coords(uncertain_input=[names[k] for k in random])
        ds["input_value"].attrs["description"] = "each run's drawn value of the input (SI units, in its name)"
        if plan is not None:
            ds["input_value"].attrs["rank_correlations"] = "; ".join(f"{a} ~ {b}: {rho:g}" for a, b, rho in plan.pairs)
    events = event_log(inputs, raw, 0)
    cap = station.battery.capacity_j if station.battery else None
    return OpsResult(ds, events, summarize(ds, cap), inputs)
