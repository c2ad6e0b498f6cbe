"""Monte Carlo over the operations engine: per-run draws, the parallel kernel, Dataset and summary.

Run ``i`` of a batch draws from ``np.random.Generator(PCG64(SeedSequence(seed).spawn(n)[i]))``, first the
uncertain inputs (one number each, in a fixed order), then each unit's operating times to failure. Run ``i``
therefore gives the same trace whatever the batch size, and the same seed gives the same event trace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr
from numpy.typing import NDArray

from lunarops.ops import engine
from lunarops.ops import functions as fn
from lunarops.ops.inputs import EngineInputs
from lunarops.ops.station import STORES, Station
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


def _draw_one(
    station: Station, inputs: EngineInputs, rng: np.random.Generator, sample: bool
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], list[NDArray[np.int64]]]:
    def value(u: Uncertain) -> float:
        x = u.draw(rng)
        return x if sample else u.nominal

    eff_a = np.array([value(a.cell_efficiency) for a in station.solar_arrays])
    deg_a = np.array([value(a.degradation_per_year) for a in station.solar_arrays])
    b, r = station.battery, station.fuel_cell
    eff = np.array(
        [
            value(b.charge_efficiency) if b else 1.0,
            value(b.discharge_efficiency) if b else 1.0,
            value(r.fuel_cell_efficiency) if r else 1.0,
            value(r.electrolyser_efficiency) if r else 1.0,
        ]
    )
    yields = np.zeros(len(inputs.load_names))
    n_plain = len(station.loads)
    for k, plant in enumerate(station.isru):
        if plant.kind == "ice_extraction":
            e = fn.ice_extraction_energy_j_per_kg(
                value(plant.ice_mass_fraction),
                value(plant.regolith_energy_j_per_kg),
                value(plant.water_energy_j_per_kg),
            )
        else:
            e = np.asarray(value(plant.o2_energy_j_per_kg), dtype=np.float64)
        yields[n_plain + k] = 1.0 / float(e)
    n_steps = inputs.n_steps
    step_h = inputs.dt_s / 3600.0
    fails: list[NDArray[np.int64]] = []
    for u in range(inputs.unit_comp.shape[0]):
        comp = station.components[int(inputs.unit_comp[u])]
        chunk = int(np.ceil(n_steps * step_h / comp.mtbf_h * 1.5)) + 4
        seq = fn.steps_to_failure(rng.exponential(comp.mtbf_h, chunk), step_h)
        while seq.sum() < n_steps:
            seq = np.concatenate([seq, fn.steps_to_failure(rng.exponential(comp.mtbf_h, chunk), step_h)])
        fails.append(seq)
    return eff_a, deg_a, eff, yields, fails


def draw_runs(
    station: Station, inputs: EngineInputs, seed: int, runs: int, sample_inputs: bool = True, first_run: int = 0
) -> RunDraws:
    """Draws of runs ``first_run .. first_run + runs - 1`` of the batch seeded by ``seed``."""
    children = np.random.SeedSequence(seed).spawn(first_run + runs)[first_run:]
    per = [_draw_one(station, inputs, np.random.Generator(np.random.PCG64(s)), sample_inputs) for s in children]
    n_unit = inputs.unit_comp.shape[0]
    k_max = max([1] + [len(f) for p in per for f in p[4]])
    fail = np.full((runs, n_unit, k_max), _NEVER, dtype=np.int64)
    for i, p in enumerate(per):
        for u, seq in enumerate(p[4]):
            fail[i, u, : len(seq)] = seq
    n_arr = len(station.solar_arrays)
    return RunDraws(
        array_eff=np.array([p[0] for p in per]).reshape(runs, n_arr),
        array_deg=np.array([p[1] for p in per]).reshape(runs, n_arr),
        eff=np.array([p[2] for p in per]).reshape(runs, 4),
        load_yield=np.array([p[3] for p in per]).reshape(runs, len(inputs.load_names)),
        fail_steps=fail,
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


def run_batch(inputs: EngineInputs, draws: RunDraws, record_steps: int = 1, event_capacity: int = 2000) -> RawRuns:
    """Run the compiled engine on every run of ``draws``."""
    runs = draws.eff.shape[0]
    n_rec = -(-inputs.n_steps // record_steps)
    rec = np.empty((runs, len(engine.RECORD_VARS), n_rec))  # every record is written by the engine
    scal = np.zeros((runs, len(engine.SCALAR_VARS)))
    ev_step = np.zeros((runs, event_capacity), dtype=np.int64)
    ev_code = np.zeros((runs, event_capacity), dtype=np.int64)
    ev_elem = np.zeros((runs, event_capacity), dtype=np.int64)
    ev_value = np.zeros((runs, event_capacity))
    ev_counts = np.zeros((runs, engine.N_EVENT_CODES), dtype=np.int64)
    x = inputs
    engine.run_many(
        x.dt_s,
        record_steps,
        x.array_in,
        x.array_area,
        x.array_elem,
        draws.array_eff,
        draws.array_deg,
        x.src_power,
        x.src_decay,
        x.src_elem,
        x.daylight,
        x.earth_visible,
        x.demand_w,
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
        x.ls_par,
        x.ls_idx,
        x.stores0,
        x.store_par,
        x.del_step,
        x.del_comm,
        x.del_amount,
        x.comm_par,
        x.comm_idx,
        x.comp_target,
        x.comp_units,
        x.comp_repair,
        x.comp_spares0,
        x.unit_comp,
        draws.fail_steps,
        x.n_elements,
        rec,
        scal,
        ev_step,
        ev_code,
        ev_elem,
        ev_value,
        ev_counts,
    )
    return RawRuns(rec, scal, ev_step, ev_code, ev_elem, ev_value, ev_counts, record_steps)


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
            names.append((*STORES, "spares")[elem])
        else:
            names.append(str(elem))
    times = inputs.times()
    return pd.DataFrame(
        {
            "time_utc": times[steps] if n else np.array([], dtype="datetime64[us]"),
            "step": steps,
            "event": [engine.EVENT_NAMES[c] for c in codes],
            "element": names,
            "value": raw.ev_value[run, :n],
        }
    )


def to_dataset(inputs: EngineInputs, raw: RawRuns, first_run: int = 0) -> xr.Dataset:
    """Records as (run, time) variables and scalars as (run,) variables; units in the names."""
    runs, _, n_rec = raw.records.shape
    step = np.timedelta64(round(inputs.dt_s * raw.record_steps * 1e6), "us")
    time = inputs.start + np.arange(n_rec) * step
    data: dict[str, tuple[tuple[str, ...], NDArray[np.generic]]] = {}
    for v, name in enumerate(engine.RECORD_VARS):
        data[name] = (("run", "time"), raw.records[:, v, :])
    for s, name in enumerate(engine.SCALAR_VARS):
        data[f"run_{name}"] = (("run",), raw.scalars[:, s])
    data["event_counts"] = (("run", "event"), raw.ev_counts)
    ds = xr.Dataset(
        data, coords={"run": np.arange(first_run, first_run + runs), "time": time, "event": list(engine.EVENT_NAMES)}
    )
    for var, how in zip(engine.RECORD_VARS, engine.RECORD_REDUCTION, strict=True):
        ds[var].attrs["reduction"] = f"{how} over {raw.record_steps} step(s) of {inputs.dt_s:g} s"
    return ds


def summarize(ds: xr.Dataset, battery_capacity_j: float | None = None) -> dict[str, float | int]:
    """Headline numbers across runs (units in the keys)."""

    def q(name: str, p: float, scale: float = 1.0) -> float:
        values = ds[name].values
        # nearest-rank below when some runs are unbounded (e.g. reserve days with no crew aboard)
        if np.any(np.isinf(values)):
            return float(np.percentile(values, p, method="lower")) * scale
        return float(np.percentile(values, p)) * scale

    kwh = 1.0 / 3.6e6
    uns = ds["run_unserved_j"].values
    ess = ds["run_essential_unserved_j"].values
    out: dict[str, float | int] = {}
    out |= {
        "runs": int(ds.sizes["run"]),
        "probability_any_unserved_energy": float(np.mean(uns > 1.0)),
        "unserved_energy_kwh_p50": q("run_unserved_j", 50, kwh),
        "unserved_energy_kwh_p95": q("run_unserved_j", 95, kwh),
        "probability_brownout": float(np.mean(ess > 1.0)),
        "essential_unserved_energy_kwh_p95": q("run_essential_unserved_j", 95, kwh),
        "min_state_of_charge": float(ds["run_min_battery_soc"].min()),
        "min_state_of_charge_p05": q("run_min_battery_soc", 5),
        "min_storage_fraction_p05": q("run_min_storage_fraction", 5),
        "consumables_reserve_days_p05": q("run_min_reserve_days", 5),
        "probability_consumable_shortfall": float(np.mean(ds["run_consumable_shortfall_kg"].values > 0.0)),
        "isru_water_kg_p05": q("run_isru_water_kg", 5),
        "isru_water_kg_p50": q("run_isru_water_kg", 50),
        "isru_water_kg_p95": q("run_isru_water_kg", 95),
        "isru_o2_kg_p05": q("run_isru_o2_kg", 5),
        "isru_o2_kg_p50": q("run_isru_o2_kg", 50),
        "isru_o2_kg_p95": q("run_isru_o2_kg", 95),
        "data_returned_gb_p50": q("run_data_returned_bits", 50, 1.0 / 8e9),
        "data_returned_gb_p05": q("run_data_returned_bits", 5, 1.0 / 8e9),
        "data_dropped_gb_p50": q("run_data_dropped_bits", 50, 1.0 / 8e9),
        "failures_mean": float(ds["run_failures"].mean()),
        "brownout_hours_p95": q("run_brownout_h", 95),
        "max_energy_residual_j": float(ds["run_max_energy_residual_j"].max()),
    }
    if battery_capacity_j is None:
        out.pop("min_state_of_charge")
        out.pop("min_state_of_charge_p05")
    return out


@dataclass(frozen=True)
class OpsResult:
    """Results of ``simulate``: per-run series, the event log of the first run, the summary."""

    dataset: xr.Dataset
    events: pd.DataFrame
    summary: dict[str, float | int]
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
) -> OpsResult:
    """``runs`` Monte Carlo runs of ``station`` (batches of ``batch`` runs to bound memory)."""
    datasets = []
    first_raw: RawRuns | None = None
    for start in range(0, runs, batch):
        n = min(batch, runs - start)
        draws = draw_runs(station, inputs, seed, n, sample_inputs, first_run=start)
        raw = run_batch(inputs, draws, record_steps, event_capacity)
        if runs > 1:  # halve the memory of Monte Carlo series
            raw = RawRuns(
                raw.records.astype(np.float32),
                raw.scalars,
                raw.ev_step,
                raw.ev_code,
                raw.ev_elem,
                raw.ev_value,
                raw.ev_counts,
                raw.record_steps,
            )
        if first_raw is None:
            first_raw = raw
        datasets.append(to_dataset(inputs, raw, first_run=start))
        if progress is not None:
            progress((start + n) / runs, f"{start + n}/{runs} runs")
    ds = datasets[0] if len(datasets) == 1 else xr.concat(datasets, dim="run")
    assert first_raw is not None
    events = event_log(inputs, first_raw, 0)
    cap = station.battery.capacity_j if station.battery else None
    return OpsResult(ds, events, summarize(ds, cap), inputs)
