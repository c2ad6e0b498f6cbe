"""The operations stage of `lunarops run`: the station hour by hour, with Monte Carlo margins.

Light comes from the site stage (terrain horizon: ``ctx.results["site"].products``) when present, else from
a smooth-sphere sky at the base (said in the notes). Deliveries come from the campaign stage when present,
plus the section's own ``resupply`` list.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from numpy.typing import NDArray

from lunarops.errors import InputError, ScenarioError, ScenarioIssue
from lunarops.illumination.site import TERRAIN_NONE
from lunarops.numformat import significant
from lunarops.ops import functions as fn
from lunarops.ops.inputs import (
    LightSeries,
    build_inputs,
    crew_below_zero,
    reserve_thresholds,
    step_at_or_after,
)
from lunarops.ops.lifesupport import BVAD, DAY_S, CrewRates, LoopClosure, o2_mass_fraction
from lunarops.ops.montecarlo import (
    CorrelationPlan,
    OpsResult,
    arrival_slip_input_name,
    clopper_pearson,
    component_table,
    correlation_plan,
    data_month_table,
    load_month_table,
    load_table,
    load_year_table,
    percentile_ranks,
    sensitivity_table,
    simulate,
    slip_input_name,
    storage_month_table,
)
from lunarops.ops.station import (
    LIFE_SUPPORT_TARGETS,
    ArrivalSlip,
    Battery,
    CommLink,
    Commodity,
    Component,
    ConstantSource,
    Consumables,
    Delivery,
    FuelCellStorage,
    IsruPlant,
    LinkBudget,
    Load,
    Policy,
    SolarArray,
    Station,
)
from lunarops.ops.thermal import ThermalLoad, regolith_temperature_k, solar_gain_w
from lunarops.ops.uncertain import Uncertain
from lunarops.runner.plotdata import block_factor, compact, reduce_blocks, time_axis
from lunarops.runner.stage import Figure, ProgressCallback, RunContext, StageResult, Table, no_progress
from lunarops.scenario.operations import (
    NormalDistribution,
    OperationsSection,
    UncertainFloat,
    UniformDistribution,
)

KWH_J = 3.6e6


def uncertain(value: UncertainFloat, scale: float = 1.0) -> Uncertain:
    """Scenario number or distribution -> ops Uncertain in SI (times ``scale``)."""
    if isinstance(value, float | int):
        return Uncertain.fixed(float(value) * scale)
    if isinstance(value, NormalDistribution):
        return Uncertain("normal", value.mean * scale, value.sd * scale, value.low * scale, value.high * scale)
    if isinstance(value, UniformDistribution):
        return Uncertain("uniform", 0.5 * (value.low + value.high) * scale, 0.0, value.low * scale, value.high * scale)
    return Uncertain("triangular", value.mode * scale, 0.0, value.low * scale, value.high * scale)


def _seconds(t: datetime | None, start: datetime, default: float) -> float:
    return default if t is None else (t - start).total_seconds()


def life_support_model(section: OperationsSection) -> tuple[LoopClosure, CrewRates]:
    """The loop closure and the crew's rates (NASA BVAD plus the section's other water) of the operations."""
    ls = section.life_support
    # a distribution: its nominal value for the closed form, drawn per Monte Carlo run
    fractions = {
        "water_recovery_fraction": uncertain(ls.water_recovery_fraction),
        "oxygen_generation_fraction": uncertain(ls.oxygen_generation_fraction),
        "sabatier_efficiency": uncertain(ls.sabatier_efficiency if ls.co2_handling == "sabatier" else 0.0),
    }
    closure = LoopClosure(
        fractions["water_recovery_fraction"].nominal,
        fractions["oxygen_generation_fraction"].nominal,
        fractions["sabatier_efficiency"].nominal,
        drawn=tuple((name, u) for name, u in fractions.items() if u.kind != "fixed"),
    )
    food: dict[str, Any] = {"food_basis": ls.food_basis}
    if ls.food_kg_per_crew_day is not None:  # an explicit draw, counted as the food stores' (shipped) mass
        food = {"food_basis": "packaged", "food_packaged_kg_per_day": ls.food_kg_per_crew_day}
    eva_h_per_day = ls.eva_hours_per_crew_week / 7.0  # per crew member, averaged over the days
    # out on EVA the crew breathe the suit's O2 (its per-hour rate, at the EVA's higher metabolic rate) and the
    # suit scrubs their CO2: the cabin's share of BVAD's daily O2 and CO2 is the rest of the day
    cabin_share = 1.0 - eva_h_per_day / 24.0
    losses = {
        "o2_kg_per_day": BVAD.o2_kg_per_day * cabin_share,
        "co2_kg_per_day": BVAD.co2_kg_per_day * cabin_share,
        "eva_o2_kg_per_day": ls.eva_o2_kg_per_hour * eva_h_per_day,
        "eva_water_kg_per_day": ls.eva_water_kg_per_hour * eva_h_per_day,
        "cabin_leak_o2_kg_per_day": ls.cabin_leak_air_kg_per_day * o2_mass_fraction(ls.cabin_o2_mole_fraction),
    }
    return closure, CrewRates(
        **{**BVAD.__dict__, "other_water_kg_per_day": ls.other_water_kg_per_crew_day, **food, **losses}
    )


def online_seconds(element: Any, start: datetime, arrivals: Mapping[str, datetime] | None) -> float:
    """When an operations element comes online [s from ``start``]: its online_utc, the landing of the campaign
    mission it arrives_with (``arrivals``: mission name -> UTC, from the campaign stage), else -inf."""
    if element.online_utc is not None:
        return (element.online_utc - start).total_seconds()
    mission = element.arrives_with
    if mission is None:
        return float("-inf")
    if arrivals is None:
        raise InputError(
            f"operations element {element.name!r} arrives_with {mission!r}, but no campaign plan was given to say "
            "when it lands; run the campaign stage (lunarops run) or give online_utc instead"
        )
    if mission not in arrivals:
        raise InputError(
            f"operations element {element.name!r} arrives_with {mission!r}, which does not land at the base "
            f"(missions that do: {sorted(arrivals)}); choose one of those or give online_utc"
        )
    return (arrivals[mission] - start).total_seconds()


def online_table(
    section: OperationsSection,
    start: datetime,
    arrivals: Mapping[str, datetime] | None,
    step_s: float,
    end: datetime | None = None,
) -> pd.DataFrame:
    """The elements that come online after ``start``: element, online_utc (the first step at or after its
    online time, when the engine brings it online), how (online_utc, or the mission and when it lands; whether
    ``arrival_slips`` moves it per run; at or after ``end``: never online in the run)."""
    rows = []
    for element in section.elements():
        seconds = online_seconds(element, start, arrivals)
        if seconds > 0.0:
            when = pd.Timestamp(start) + pd.Timedelta(seconds=seconds)
            how = "online_utc"
            if element.arrives_with is not None:
                how = f"arrives with {element.arrives_with} (its landing date {when:%Y-%m-%d %H:%M} UTC)"
            key = element.arrives_with if element.arrives_with is not None else getattr(element, "name", "")
            if key in section.arrival_slips:  # the engine moves it per run; the table keeps the scheduled date
                how += (
                    f"; slips per run by operations.arrival_slips.{key} (the note 'Arrival slips'), scheduled date "
                    "shown"
                )
            step = pd.Timestamp(start) + pd.Timedelta(seconds=step_at_or_after(seconds, step_s) * step_s)
            if end is not None and step >= pd.Timestamp(end):
                how += f"; after the period's end ({end:%Y-%m-%d}): never online in this run"
            rows.append({"element": getattr(element, "name", ""), "online_utc": step.tz_convert(None), "how": how})
    eclss = next((r for r in rows if r["element"] == section.life_support.eclss_load), None)
    if eclss is not None:  # the loop's hardware comes online with its ECLSS load
        how = str(eclss["how"])
        never = how[how.find(";"):] if "never online" in how else ""
        rows += [{**eclss, "element": name, "how": f"with the ECLSS load {eclss['element']!r}{never}"}
                 for name in LIFE_SUPPORT_TARGETS]
    frame = pd.DataFrame(rows, columns=["element", "online_utc", "how"])
    return frame.sort_values("online_utc", kind="stable").reset_index(drop=True)


def _mission_element_masses(
    section: OperationsSection, start: datetime, payload_kg: Mapping[str, float]
) -> dict[str, tuple[float, dict[str, float]]]:
    """Per campaign mission that some operations elements arrive with: what it lands [kg] and those elements'
    masses [kg] (the elements with a stated mass: arrays, power units, storage, the consumables)."""
    masses = station_from_section(section, start, all_online=True).masses_kg()
    masses[section.consumables.name] = section.consumables.mass_kg
    by_mission: dict[str, tuple[float, dict[str, float]]] = {}
    for element in section.elements():
        name = getattr(element, "name", "")
        if element.arrives_with is not None and masses.get(name, 0.0) > 0.0:
            landed = float(payload_kg.get(element.arrives_with, 0.0))
            by_mission.setdefault(element.arrives_with, (landed, {}))[1][name] = masses[name]
    return by_mission


def carried_mass_notes(
    section: OperationsSection, start: datetime, payload_kg: Mapping[str, float] | None
) -> list[str]:
    """A note for each campaign mission that lands less than the mass of the operations elements arriving with
    it (the elements with a stated mass: arrays, power units, storage)."""
    if not payload_kg:
        return []
    notes = []
    for mission, (landed, items) in _mission_element_masses(section, start, payload_kg).items():
        need = sum(items.values())
        if need > landed * (1.0 + 1e-9):
            listed = ", ".join(f"{name} {kg:,.0f}" for name, kg in items.items())
            notes.append(
                f"The operations elements that arrive with {mission} weigh {need:,.0f} kg ({listed}), but the "
                f"campaign's {mission} lands {landed:,.0f} kg (its deliver: elements at their catalog mass, cargo in "
                f"kg): raise that mission's deliver (e.g. its cargo) or lighten the elements."
            )
    return notes


def _massless_fuel_cell_kg(section: OperationsSection) -> dict[str, float]:
    """The parts' masses [kg] lunarops's RFC model (lunarops.ops.sizing, Colozza 2020 figures, as `lunarops power
    size` uses) gives the fuel cell store when it has no mass_kg; empty when it has one (or there is none)."""
    from lunarops.ops.sizing import PowerTechnology, rfc_mass_kg

    cell = section.storage.fuel_cell
    if cell is None or cell.mass_kg > 0.0:
        return {}
    tech = PowerTechnology(fuel_cell_efficiency=uncertain(cell.fuel_cell_efficiency).nominal)
    return dict(rfc_mass_kg(cell.capacity_kwh * 3.6e6, cell.fuel_cell_kw * 1e3, cell.electrolyser_kw * 1e3, tech))


def massless_storage_notes(section: OperationsSection) -> list[str]:
    """A note when the fuel cell store has no mass_kg: what the RFC model gives for its capacity and powers at its
    nominal fuel-cell efficiency, so that the power system's mass and the landing missions' checks do not pass
    silently."""
    parts = _massless_fuel_cell_kg(section)
    cell = section.storage.fuel_cell
    if not parts or cell is None:
        return []
    listed = ", ".join(f"{name.removeprefix('rfc_').replace('_', ' ')} {kg:,.0f}" for name, kg in parts.items())
    return [
        f"The fuel cell store {cell.name!r} has no mass_kg, so its mass is in neither power_system_mass_kg nor the "
        f"check of what its mission lands; lunarops's RFC model (Colozza 2020 figures, as `lunarops power size` "
        f"uses) gives {sum(parts.values()):,.0f} kg for {cell.capacity_kwh:,.0f} kWh ({listed} kg): set "
        "storage.fuel_cell.mass_kg."
    ]


def element_mass_not_landed_kg(
    section: OperationsSection, start: datetime, payload_kg: Mapping[str, float] | None
) -> float | None:
    """The operations elements' mass that the campaign's missions do not land [kg]: each mission's shortfall
    against the elements arriving with it, a fuel cell store without a mass_kg among its mission's elements at
    the RFC model's mass. None without a campaign (nothing to check against)."""
    summary = element_mass_not_landed_summary(section, start, payload_kg)
    return summary.get("element_mass_not_landed_kg")


def element_mass_not_landed_summary(
    section: OperationsSection, start: datetime, payload_kg: Mapping[str, float] | None
) -> dict[str, Any]:
    """The operations summary's keys for the elements' mass the campaign does not land: the total
    (``element_mass_not_landed_kg``), the shortfall of each mission that lands too little
    (``element_mass_not_landed_by_mission_kg``) and, for a fuel cell store without a mass_kg arriving with a
    mission, its name, mission and the RFC model's mass counted for it (``massless_fuel_cell``,
    ``massless_fuel_cell_arrives_with``, ``massless_fuel_cell_rfc_model_kg``). Empty without a campaign. A
    shortfall within a relative 1e-9 of what the mission lands (rounding) is none, as in carried_mass_notes."""
    if not payload_kg:
        return {}
    missions = _mission_element_masses(section, start, payload_kg)
    out: dict[str, Any] = {}
    cell = section.storage.fuel_cell
    rfc_kg = sum(_massless_fuel_cell_kg(section).values())
    if cell is not None and cell.arrives_with is not None and rfc_kg > 0.0:
        landed = float(payload_kg.get(cell.arrives_with, 0.0))
        missions.setdefault(cell.arrives_with, (landed, {}))[1][cell.name] = rfc_kg
        out |= {"massless_fuel_cell": cell.name, "massless_fuel_cell_arrives_with": cell.arrives_with,
                "massless_fuel_cell_rfc_model_kg": float(rfc_kg)}
    short = {mission: float(sum(items.values()) - landed) for mission, (landed, items) in missions.items()
             if sum(items.values()) > landed * (1.0 + 1e-9)}
    return {"element_mass_not_landed_kg": float(sum(short.values())),
            "element_mass_not_landed_by_mission_kg": short, **out}


def thermal_load(spec: Any) -> ThermalLoad | None:
    """A load's ``thermal`` block (ThermalSpec) in SI for the engine's inputs; None without one."""
    if spec is None:
        return None
    return ThermalLoad(
        conductance_w_per_k=spec.conductance_w_per_k,
        setpoint_k=spec.setpoint_kelvin,
        internal_heat_w=spec.internal_heat_w,
        internal_heat_per_crew_w=spec.internal_heat_per_crew_w,
        ground_view_factor=spec.ground_view_factor,
        heater_efficiency=spec.heater_efficiency,
        night_ground_k=spec.night_ground_k,
        ground_albedo=spec.ground_albedo,
        ground_emissivity=spec.ground_emissivity,
        solar_gain_area_m2=spec.solar_gain_area_m2,
        solar_gain_roof_area_m2=spec.solar_gain_roof_area_m2,
    )


def station_from_section(
    section: OperationsSection,
    start: datetime,
    campaign_deliveries: pd.DataFrame | None = None,
    arrivals: Mapping[str, datetime] | None = None,
    all_online: bool = False,
) -> Station:
    """Build the engine's Station (SI units, seconds since ``start``) from the scenario section; ``arrivals``
    (mission name -> landing UTC) dates the elements that arrive with a campaign mission. ``all_online``: every
    element there from the start (the whole station, e.g. to size its power)."""

    def on(element: Any) -> float:
        return float("-inf") if all_online else online_seconds(element, start, arrivals)

    p = section.power
    arrays = tuple(
        SolarArray(
            a.name,
            a.area_m2,
            uncertain(a.cell_efficiency),
            uncertain(a.degradation_per_year),
            a.tracking,
            np.radians(a.tilt_deg),
            np.radians(a.azimuth_deg),
            a.mast_height_m,
            a.area_m2 * a.specific_mass_kg_per_m2,
            on(a),
        )
        for a in p.solar_arrays
    )
    sources = tuple(
        ConstantSource(
            u.name, u.power_w, u.count, u.mass_kg, radioisotope=True, online_s=on(u),
            degradation_per_year=u.degradation_per_year,
        )
        for u in p.radioisotope_units
    )
    sources += tuple(
        ConstantSource(f.name, f.power_kwe * 1e3, f.count, f.mass_kg, online_s=on(f)) for f in p.fission_plants
    )
    b = section.storage.battery
    battery = (
        None
        if b is None
        else Battery(
            b.name,
            b.capacity_kwh * KWH_J,
            b.depth_of_discharge,
            uncertain(b.charge_efficiency),
            uncertain(b.discharge_efficiency),
            b.max_charge_kw * 1e3,
            b.max_discharge_kw * 1e3,
            b.initial_state_of_charge,
            b.capacity_fade_per_year,
            b.capacity_kwh * 1e3 / b.specific_energy_wh_per_kg,
            on(b),
        )
    )
    r = section.storage.fuel_cell
    fuel_cell = (
        None
        if r is None
        else FuelCellStorage(
            r.name,
            r.capacity_kwh * KWH_J,
            uncertain(r.fuel_cell_efficiency),
            uncertain(r.electrolyser_efficiency),
            r.fuel_cell_kw * 1e3,
            r.electrolyser_kw * 1e3,
            r.initial_fill,
            r.mass_kg,
            on(r),
        )
    )
    loads = tuple(
        Load(
            name=ld.name,
            power_w=ld.power_kw * 1e3,
            priority=ld.priority,
            when=ld.when if isinstance(ld.when, str) else tuple(ld.when),
            per_crew=ld.per_crew,
            start_s=_seconds(ld.from_utc, start, float("-inf")),
            end_s=_seconds(ld.until_utc, start, float("inf")),
            shed_below_reserve=ld.sheds_below_reserve,
            data_rate_bps=ld.data_rate_mbps * 1e6,
            online_s=on(ld),
            reserve_state_of_charge=ld.reserve_state_of_charge,
            standby_w=ld.standby_power_kw * 1e3,
            thermal=thermal_load(ld.thermal),
        )
        for ld in section.loads
    )
    plants = []
    for pl in section.isru:
        if pl.kind == "ice_extraction":
            plants.append(
                IsruPlant(
                    pl.name,
                    "ice_extraction",
                    pl.power_kw * 1e3,
                    pl.priority,
                    pl.daylight_only,
                    pl.sheds_below_reserve,
                    ice_mass_fraction=uncertain(pl.ice_wt_pct, 0.01),
                    regolith_energy_j_per_kg=uncertain(pl.regolith_energy_kwh_per_kg, KWH_J),
                    water_energy_j_per_kg=uncertain(pl.water_energy_kwh_per_kg, KWH_J),
                    online_s=on(pl),
                    reserve_state_of_charge=pl.reserve_state_of_charge,
                )
            )
        elif pl.kind == "water_electrolysis":
            plants.append(
                IsruPlant(
                    pl.name,
                    "water_electrolysis",
                    pl.power_kw * 1e3,
                    pl.priority,
                    pl.daylight_only,
                    pl.sheds_below_reserve,
                    online_s=on(pl),
                    reserve_state_of_charge=pl.reserve_state_of_charge,
                    energy_j_per_kg_water=pl.kwh_per_kg_water * KWH_J,
                    lox_capacity_kg=pl.lox_capacity_kg if pl.lox_capacity_kg is not None else float("inf"),
                    lh2_capacity_kg=pl.lh2_capacity_kg if pl.lh2_capacity_kg is not None else float("inf"),
                    lox_boil_off_fraction_per_day=pl.lox_boil_off_fraction_per_day,
                    lh2_boil_off_fraction_per_day=pl.lh2_boil_off_fraction_per_day,
                    min_water_kg=pl.min_water_kg,
                )
            )
        else:
            plants.append(
                IsruPlant(
                    pl.name,
                    "ilmenite_reduction",
                    pl.power_kw * 1e3,
                    pl.priority,
                    pl.daylight_only,
                    pl.sheds_below_reserve,
                    o2_energy_j_per_kg=uncertain(pl.energy_kwh_per_kg_o2, KWH_J),
                    online_s=on(pl),
                    reserve_state_of_charge=pl.reserve_state_of_charge,
                )
            )
    closure, rates = life_support_model(section)
    ls = section.life_support
    c = section.consumables
    deliveries = [
        Delivery(
            (d.time_utc - start).total_seconds(),
            d.commodity,
            d.amount,
            d.component,
            uncertain(d.slip_days, DAY_S) if d.slip_days is not None else None,
            f"resupply.{i}",
        )
        for i, d in enumerate(section.resupply)
    ]
    stores_s = on(c)  # the initial stores, delivered later when they come with a mission or at a date
    slips = () if all_online else arrival_slips(section)
    landing = c.arrives_with or c.name  # the stores land with their mission (or keyed by their own name)
    with_slip = landing if landing in section.arrival_slips and not all_online else ""
    # a delivery when they land after the start, or slip with a mission that may land them after it
    stores_later = stores_s > 0.0 or (with_slip != "" and math.isfinite(stores_s))
    if stores_later:
        stores: tuple[tuple[Commodity, float], ...] = (
            ("o2_kg", c.o2_kg), ("water_kg", c.water_kg), ("food_kg", c.food_kg), ("propellant_kg", c.propellant_kg)
        )
        deliveries += [Delivery(stores_s, key, kg, arrival=with_slip) for key, kg in stores if kg > 0.0]
    if campaign_deliveries is not None and len(campaign_deliveries):
        frame = campaign_deliveries
        stamps = pd.to_datetime(frame["time_utc"], utc=True)
        spares_kg = 0.0  # the campaign's spares so far [kg], and the whole units given for them
        spare_units = 0
        for when, commodity, amount in zip(stamps, frame["commodity"], frame["amount"], strict=True):
            if commodity not in ("o2_kg", "water_kg", "food_kg", "propellant_kg", "spares", "crew"):
                raise InputError(f"campaign delivery commodity {commodity!r} is not known to operations")
            at_s = (when.to_pydatetime() - start).total_seconds()
            if commodity == "spares":  # kg in the plan, units in the pool: whole units of spare_unit_mass_kg
                if section.spare_unit_mass_kg is None:
                    continue  # left out, noted (campaign_spares_note)
                spares_kg += float(amount)
                units = math.floor(spares_kg / section.spare_unit_mass_kg + 1e-9) - spare_units
                if units > 0:
                    deliveries.append(Delivery(at_s, "spares", float(units)))
                    spare_units += units
                continue
            deliveries.append(Delivery(at_s, commodity, float(amount)))
    comm = None
    if section.comms is not None:
        cs = section.comms
        relay_mbps = 0.0
        if cs.mode == "direct_or_relay":
            relay_mbps = cs.relay_data_rate_mbps if cs.relay_data_rate_mbps is not None else cs.data_rate_mbps
        comm = CommLink(
            cs.name,
            cs.data_rate_mbps * 1e6,
            cs.buffer_gb * 8e9,
            cs.load,
            relay_mbps * 1e6,
            on(cs),
            _budget(cs.direct_link_budget),
            _budget(cs.relay_link_budget),
            _budget(cs.relay_trunk_link_budget),
            cs.relay_trunk_data_rate_mbps * 1e6 if cs.relay_trunk_data_rate_mbps is not None else float("inf"),
        )
    return Station(
        solar_arrays=arrays,
        sources=sources,
        battery=battery,
        fuel_cell=fuel_cell,
        loads=loads,
        isru=tuple(plants),
        crew_schedule=tuple(((s.from_utc - start).total_seconds(), s.count) for s in section.crew),
        crew_rates=rates,
        closure=closure,
        eclss_load=ls.eclss_load,
        consumables=Consumables(
            *((0.0, 0.0, 0.0, 0.0) if stores_later else (c.o2_kg, c.water_kg, c.food_kg, c.propellant_kg)),
            c.reserve_days,
            c.o2_tank_capacity_kg if c.o2_tank_capacity_kg is not None else float("inf"),
            c.water_tank_capacity_kg if c.water_tank_capacity_kg is not None else float("inf"),
        ),
        deliveries=tuple(deliveries),
        comm=comm,
        components=tuple(
            Component(k.name, k.target, k.units, k.mtbf_h, k.repair_h, k.spares, k.clock) for k in section.components
        ),
        policy=Policy(
            section.policy.reserve_state_of_charge, section.policy.reserve_hysteresis, tuple(section.policy.shed_order)
        ),
        arrival_slips=slips,
    )


def arrival_slips(section: OperationsSection) -> tuple[ArrivalSlip, ...]:
    """The section's arrival_slips as the engine takes them: each mission's (or dated element's) slip [s] and
    the elements it moves (all those that arrive_with the mission; the initial stores follow as deliveries)."""
    out = []
    for key, value in section.arrival_slips.items():
        named = [(str(getattr(e, "name", "")), e) for e in section.elements() if e is not section.consumables]
        moved = tuple(
            name for name, e in named if e.arrives_with == key or (e.arrives_with is None and name == key)
        )
        out.append(ArrivalSlip(key, uncertain(value, DAY_S), moved))
    return tuple(out)


def _campaign_outside_notes(deliveries: pd.DataFrame, period: Any) -> list[str]:
    """The campaign's deliveries dated before the period (delivered at its start, as stores on hand then; crew
    steps before it set the crew at the start) and after it (not simulated)."""
    when = pd.to_datetime(deliveries["time_utc"], utc=True)
    start, end = pd.Timestamp(period.start_utc), pd.Timestamp(period.end_utc)
    notes = []
    for rows, fate, fix in (
        (
            deliveries[when < start],
            "are dated before it and were delivered at its start (stores on hand then; nothing is used from them "
            "before the start)",
            "set period.start_utc earlier to simulate them at their dates",
        ),
        (deliveries[when >= end], "are dated after it and were not simulated", "extend period.end_utc to see them"),
    ):
        if not len(rows):
            continue
        listed = ", ".join(dict.fromkeys(str(c) for c in rows["commodity"]))
        if set(rows["commodity"]) == {"crew"}:
            listed = "crew arriving or leaving"
        notes.append(
            f"{len(rows)} campaign deliveries to the base fall outside the operations period "
            f"{period.start_utc.date()}..{period.end_utc.date()}: they {fate} ({listed}; first "
            f"{pd.Timestamp(when[rows.index].min()):%Y-%m-%d}): {fix}"
        )
    return notes


def _resupply_outside_notes(resupply: Any, period: Any) -> list[str]:
    """operations.resupply entries before the period (delivered at its start) and after it (not simulated): a
    shortened copy of a scenario keeps its deliveries, so this is said, not an error."""
    before = [d for d in resupply if d.time_utc < period.start_utc]
    after = [d for d in resupply if d.time_utc >= period.end_utc]
    span = f"{period.start_utc.date()}..{period.end_utc.date()}"
    notes = []
    if before:
        notes.append(
            f"{len(before)} resupply deliveries are dated before the period {span} and were delivered at its start "
            f"(first: {before[0].time_utc.isoformat()}; stores and spares on hand then): drop them or set "
            "period.start_utc earlier if they should not count"
        )
    if after:
        notes.append(
            f"{len(after)} resupply deliveries are dated after the period {span} and were not simulated (first: "
            f"{after[0].time_utc.isoformat()})"
        )
    return notes


def _resupply_slip_notes(station: Station, inputs: Any, ds: xr.Dataset) -> list[str]:
    """Each slipping resupply delivery: its slip's 5/50/95th percentiles over the runs [d] and the share of runs
    in which it slipped past the period's end (not delivered)."""
    if "run_deliveries_missed" not in ds:
        return []
    runs = int(ds.sizes["run"])
    drawn = ds["input_value"] if "input_value" in ds else None
    parts = []
    for m, (source, time_s) in enumerate(zip(inputs.del_source.tolist(), inputs.del_time_s.tolist(), strict=True)):
        d = station.deliveries[source]
        if d.slip_s is None:
            continue
        name = slip_input_name(station, source)
        if drawn is not None and name in drawn["uncertain_input"].values:
            slip_s = np.asarray(drawn.sel(uncertain_input=name).values, dtype=np.float64)
        else:
            slip_s = np.full(runs, d.slip_s.nominal)  # a fixed slip (or the nominal run)
        p5, p50, p95 = np.percentile(slip_s / DAY_S, [5.0, 50.0, 95.0])
        # as the engine: it lands at the first step at or after time + slip; past the last step it is not delivered
        steps = np.ceil((time_s + slip_s) / inputs.dt_s - 1e-9)
        late = float(np.mean(steps >= inputs.n_steps)) if inputs.del_step[m] < inputs.n_steps else float("nan")
        missed = "dated after the period" if math.isnan(late) else f"P(slips past the period's end) {late:.1%}"
        parts.append(
            f"{d.name or f'delivery.{source}'} ({d.amount:g} {d.commodity}): slip 5/50/95th percentile "
            f"{p5:.1f}/{p50:.1f}/{p95:.1f} d, {missed}"
        )
    any_missed = float(np.mean(ds["run_deliveries_missed"].values > 0))
    lost = (
        f"{any_missed:.1%} of the {runs} runs lost at least one delivery past the period's end (run_deliveries_missed)"
    )
    if not parts:  # only stores that slip with their arrival (arrival_slips, noted there)
        return [f"No resupply entry slips; {lost}: initial stores slipped with arrival_slips."]
    return [
        "Resupply slips (drawn per run; crew and the campaign's deliveries do not slip, elements with "
        f"arrival_slips): {'; '.join(parts)}. {lost}."
    ]


def _arrival_slip_notes(
    station: Station, inputs: Any, ds: xr.Dataset, summary: dict[str, Any] | None = None
) -> list[str]:
    """Each arrival slip: the elements it moves, its 5/50/95th percentiles over the runs [d] and the share of
    runs in which they slipped past the period's end (never online; in ``summary`` as
    ``probability_elements_missed`` with its Clopper-Pearson interval, for sweeps and the catalog)."""
    if "run_elements_missed" not in ds or not station.arrival_slips:
        return []
    runs = int(ds.sizes["run"])
    drawn = ds["input_value"] if "input_value" in ds else None
    parts = []
    for k, a in enumerate(station.arrival_slips):
        name = arrival_slip_input_name(a.name)
        if drawn is not None and name in drawn["uncertain_input"].values:
            slip_s = np.asarray(drawn.sel(uncertain_input=name).values, dtype=np.float64)
        else:
            slip_s = np.full(runs, a.slip_s.nominal)  # a fixed slip (or the nominal run)
        p5, p50, p95 = np.percentile(slip_s / DAY_S, [5.0, 50.0, 95.0])
        due = np.flatnonzero((inputs.elem_slip == k) & (inputs.elem_online < inputs.n_steps)).tolist()
        moved = [e for e in due if inputs.element_names[e] in a.elements]
        if moved:  # as the engine: online at the first step at or after time + slip; past the last step never
            when = inputs.elem_time_s[moved]
            steps = np.ceil((when[None, :] + slip_s[:, None]) / inputs.dt_s - 1e-9)
            late = float(np.mean(np.any(steps >= inputs.n_steps, axis=1)))
            missed = f"P(slips past the period's end) {late:.1%}"
        else:
            missed = "due after the period" if a.elements else "its stores counted in run_deliveries_missed"
        parts.append(
            f"{a.name} ({', '.join(a.elements) or 'initial stores'}): slip 5/50/95th percentile "
            f"{p5:.1f}/{p50:.1f}/{p95:.1f} d, {missed}"
        )
    missed_runs = int(np.count_nonzero(ds["run_elements_missed"].values > 0))
    any_missed = missed_runs / runs
    if summary is not None:
        summary["probability_elements_missed"] = any_missed
        summary["probability_elements_missed_ci95"] = list(clopper_pearson(missed_runs, runs))
    return [
        f"Arrival slips (drawn per run; only these elements, and stores landing with them, move: crew and the "
        f"commodity deliveries keep their dates): {'; '.join(parts)}. "
        f"{any_missed:.1%} of the {runs} runs lost at least one element past the period's end (run_elements_missed)."
    ]


def _campaign_spares_note(deliveries: pd.DataFrame, unit_mass_kg: float | None, end_utc: datetime) -> list[str]:
    """What became of the campaign's spares (kg in the plan) delivered before the period's end: whole pooled
    units of ``unit_mass_kg``, or left out."""
    when = pd.to_datetime(deliveries["time_utc"], utc=True)
    simulated = (deliveries["commodity"] == "spares") & (when < pd.Timestamp(end_utc))  # later: not simulated
    kg = float(deliveries.loc[simulated, "amount"].sum())
    if kg <= 0.0:
        return []
    if unit_mass_kg is None:
        return [
            f"The campaign delivers {kg:,.1f} kg of spares; operations counts spare units, so they were left out of "
            "the spares pool: set operations.spare_unit_mass_kg (the mass of one spare unit) to add them as units"
        ]
    units = math.floor(kg / unit_mass_kg + 1e-9)
    return [
        f"The campaign's {kg:,.1f} kg of spares are {units} pooled spare units of {unit_mass_kg:g} kg "
        f"(operations.spare_unit_mass_kg); the remaining {kg - units * unit_mass_kg:,.1f} kg, less than a unit, "
        "is left out"
    ]


def _budget(spec: Any) -> LinkBudget | None:
    """The engine's link budget from a scenario's ``LinkBudgetSpec`` (None: none)."""
    if spec is None:
        return None
    return LinkBudget(
        spec.frequency_ghz * 1e9,
        spec.eirp_dbw,
        spec.g_over_t_db_per_k,
        spec.required_eb_n0_db,
        spec.margin_db,
        spec.losses_db,
        tuple(r * 1e6 for r in spec.rates_mbps) if spec.rates_mbps is not None else None,
    )


def base_site(scenario: Any) -> Any:
    """The scenario site the base is at (``operations.site``, default the first site)."""
    name = scenario.operations.site if scenario.operations is not None else None
    if name is None:
        return scenario.sites[0]
    for site in scenario.sites:
        if site.name == name:
            return site
    raise InputError(
        f"operations.site {name!r} is not one of the scenario's sites "
        f"{[s.name for s in scenario.sites]}; use one of those names"
    )


def smooth_sphere_light(
    latitude_deg: float,
    longitude_deg: float,
    mast_height_m: float,
    ground_height_m: float,
    start: datetime,
    end: datetime,
    step_s: float,
    correction: str = "apparent",
) -> LightSeries:
    """Light at a mast on a smooth sphere: disk fraction above the dipped horizon, Earth centre above it."""
    from lunarops.sky import sky_at_site
    from lunarops.timescale import utc_period

    t = utc_period(start, end, step_s)
    sky = sky_at_site(latitude_deg, longitude_deg, ground_height_m + mast_height_m, t, correction=correction)  # type: ignore[arg-type]
    dip = fn.horizon_dip_rad(mast_height_m)
    el = np.radians(sky.sun_elevation_deg)
    frac = fn.solar_disk_visible_fraction(el, -dip, np.radians(sky.sun_angular_radius_deg))
    frac = frac * sky.sun_fraction_outside_earth  # lunar eclipses (lunarops.sky.track)
    return LightSeries(
        el,
        np.radians(sky.sun_azimuth_deg),
        frac,
        sky.sun_distance_km * 1e3,
        np.radians(sky.earth_elevation_deg) > -dip,
        source="smooth sphere",
        earth_distance_m=sky.earth_distance_km * 1e3,
    )


def relay_path(
    scenario: Any, site_products: dict[str, Any] | None, n_steps: int
) -> tuple[
    NDArray[np.bool_], NDArray[np.float64], list[str], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]
]:
    """Whether the base's data can be relayed to Earth at each of the period's ``n_steps`` steps: some orbiter
    of the orbits section sees the base above the coverage mask and sees the Earth (``compute_coverage``'s
    ``relay_links``, over the operations period at its step; the orbits section's min elevation and lunar
    gravity; the base's terrain horizon mask from the site stage's products when present); the range to the
    nearest such orbiter [m] (NaN where none); impact notes (found between the period's steps: ``compute_coverage``
    searches every perilune with heyoka events, so an hourly step cannot miss an impact); that orbiter's distance
    to the Earth's centre [m] (NaN where none; the relay's own link to Earth); per orbiter (rows in the orbits
    section's order) x step, its range to the base and its distance to the Earth's centre [m] (NaN where it does
    not relay), for the best relaying orbiter at each step.

    ScenarioError when the scenario has no orbits section (the relays are its orbiters)."""
    from lunarops.orbits.coverage import compute_coverage
    from lunarops.runner.stages.orbits import orbiter_from_spec, surface_site
    from lunarops.timescale import parse_utc

    orbits = scenario.orbits
    if orbits is None or not orbits.orbiters:
        raise ScenarioError(
            [
                ScenarioIssue(
                    "<scenario>",
                    None,
                    "operations.comms.mode",
                    "direct_or_relay",
                    "relays are the orbits section's orbiters, and the scenario has none: add an orbits section "
                    "with orbiters (e.g. a Queqiao-2 class frozen orbit) or set operations.comms.mode: "
                    "direct_to_earth",
                )
            ]
        )
    site = base_site(scenario)
    period = scenario.period
    result = compute_coverage(
        [surface_site(site, site_products)],
        [orbiter_from_spec(spec) for spec in orbits.orbiters],
        parse_utc(period.start_utc),
        n_steps * period.step_s,
        period.step_s,
        orbits.coverage.min_elevation_deg,
        lunar_gravity=orbits.coverage.lunar_gravity,
    )
    path = result.relay_links[site.name]
    relay = np.asarray(path.visible, dtype=bool)
    if relay.shape != (n_steps,):
        raise InputError(f"relay path has {relay.size} steps, the light at the base {n_steps}")  # not expected
    # an orbiter that hits the Moon within the period (even between two steps) relays nothing from then on: say so
    impacts = [note for note in result.notes if note.startswith("IMPACT")]
    trunk_m = np.asarray(result.relay_earth_range_m[site.name], dtype=np.float64)
    each_range_m = np.asarray(result.relay_orbiter_range_m[site.name], dtype=np.float64)
    each_earth_m = np.asarray(result.relay_orbiter_earth_range_m[site.name], dtype=np.float64)
    return relay, np.asarray(path.range_m, dtype=np.float64), impacts, trunk_m, each_range_m, each_earth_m


def light_for_scenario(scenario: Any, site_products: dict[str, Any] | None) -> tuple[LightSeries, str]:
    """Light at the base over the scenario period; terrain light from the site stage's products if any.

    With ``operations.comms.mode: direct_or_relay`` the series also carries the relay path (``relay_path``)."""
    light, note = _light(scenario, site_products)
    comms = scenario.operations.comms
    if comms is not None and comms.min_elevation_deg is not None:
        above_mask = _earth_above(scenario, comms.min_elevation_deg)
        light = replace(light, direct_link_visible=light.earth_visible & above_mask)
    if comms is not None and comms.mode == "direct_or_relay":
        relay, relay_range_m, impacts, trunk_m, each_range_m, each_earth_m = relay_path(
            scenario, site_products, light.n_steps
        )
        if impacts:
            note = "; ".join([note, *(f"relays: {text}" for text in impacts)])
        light = replace(
            light,
            relay_visible=relay,
            relay_range_m=relay_range_m,
            relay_earth_distance_m=trunk_m,
            relay_orbiter_range_m=each_range_m,
            relay_orbiter_earth_distance_m=each_earth_m,
        )
    if comms is not None and comms.ground_network == "dsn":
        ground = _ground_sees_moon(scenario, comms.ground_min_elevation_deg)
        relay_seen = light.relay_visible & ground if light.relay_visible is not None else None
        light = replace(light, direct_link_visible=light.direct_link & ground, relay_visible=relay_seen)
        note = "; ".join([note, ground_network_note(ground, comms.ground_min_elevation_deg, scenario.period.step_s)])
    return light, note


def _ground_sees_moon(scenario: Any, min_elevation_deg: float) -> NDArray[np.bool_]:
    """Whether a DSN complex sees the Moon above ``min_elevation_deg`` at each step of the period."""
    period = scenario.period
    return _ground_sees_moon_cached(period.start_utc, period.end_utc, period.step_s, min_elevation_deg).copy()


@functools.lru_cache(maxsize=8)
def _ground_sees_moon_cached(
    start: datetime, end: datetime, step_s: float, min_elevation_deg: float
) -> NDArray[np.bool_]:
    """Once per period and mask in a process (a sweep's worker runs many members over the same period)."""
    from lunarops.sky.ground import network_sees_moon
    from lunarops.timescale import utc_period

    return network_sees_moon(utc_period(start, end, step_s), min_elevation_deg=min_elevation_deg)


def ground_network_note(ground: NDArray[np.bool_], min_elevation_deg: float, step_s: float) -> str:
    """What the ground network takes from the links: the share of steps with no DSN complex seeing the Moon."""
    from lunarops.sky.ground import DSN_STATIONS

    gap_h = _longest_run(~ground) * step_s / 3600.0
    names = ", ".join(s.name for s in DSN_STATIONS)
    share = float(np.mean(ground))
    return (
        f"ground network: the DSN ({names}) sees the Moon above {min_elevation_deg:g} deg at {share:.1%} of steps"
        f" (longest gap {gap_h:,.0f} h); direct and relayed links need it (comms.ground_network: none "
        "assumes the Earth always receives; no antenna scheduling or sharing with other missions)"
    )


def _link_note(comms: Any, light: LightSeries, inputs: Any, summary: dict[str, Any]) -> str:
    """The link's geometry over the operations period from the step the link comes online: the shares of steps
    with the Earth up (direct), with a relay only, and with no link, the longest gap without a link, and (if any)
    the share with the direct link up but closing no modem rate, handed to a relay (also put in ``summary``).
    Geometry only: outages of the link's own units are in the component table."""
    on = int(inputs.elem_online[inputs.element_names.index(comms.name)])
    earth = light.direct_link[on:]
    relay = light.relay_visible[on:] if light.relay_visible is not None else np.zeros_like(earth)
    if earth.size == 0:
        return f"comms: the link {comms.name!r} does not come online within the period"
    none = ~earth & ~relay
    gap_h = _longest_run(none) * inputs.dt_s / 3600.0
    summary["longest_link_gap_h"] = gap_h
    mask = "" if comms.min_elevation_deg is None else f" and the {comms.min_elevation_deg:g} deg antenna mask"
    if comms.ground_network == "dsn":
        mask += ", and a DSN complex seeing the Moon"
    since = f"from {str(inputs.times()[on])[:16]} UTC, when the link comes online" if on > 0 else "over the period"
    text = f"Comms mode {comms.mode}, link geometry {since} (the Earth's centre above the terrain horizon{mask}"
    if comms.mode == "direct_or_relay":
        relay_only = float(np.mean(relay & ~earth))
        summary["relay_only_link_fraction"] = relay_only
        text += (
            "; relays: the orbits section's orbiters, coverage at the period's step): direct link (Earth visible) "
            f"{float(np.mean(earth)):.1%} of steps, relay only {relay_only:.1%}"
        )
        if light.relay_orbiter_range_m is not None and relay.any():
            several = float(np.mean(np.isfinite(light.relay_orbiter_range_m[:, on:][:, relay]).sum(axis=0) > 1))
            summary["relay_multi_orbiter_fraction"] = several
            text += f" (two or more orbiters relay on {several:.1%} of the steps with a relay up)"
        # the direct link up but its budget closing no modem rate: a relay carried the data instead
        handover = float(np.mean(earth & (inputs.link_relay[on:] > 0.5) & (inputs.link_bps[on:] > 0.0)))
        if handover > 0.0:
            summary["relay_handover_fraction"] = handover
            text += f", direct link up but closing no rate so handed to a relay {handover:.1%}"
    else:
        text += f"): direct link (Earth visible) {float(np.mean(earth)):.1%} of steps"
    budgets = _budget_rates_text(comms, light, inputs, on, summary)
    return (
        f"{text}, no link {float(np.mean(none)):.1%}; longest gap without a link {gap_h:,.0f} h.{budgets} Geometry "
        "only: outages of the link's units (component table) lower the rate, e.g. one of two transmitters down "
        "halves it."
    )


def _budget_rates_text(comms: Any, light: LightSeries, inputs: Any, on: int, summary: dict[str, Any]) -> str:
    """What the link budgets give: each budgeted leg's rate (5th-95th percentile of the steps it carries the
    link), the ranges and how often the fixed rate caps it, and with a modem's rate list which rates ran (see
    ``_rate_list_text``); the medians go in ``summary``."""
    rate = inputs.link_bps[on:]
    relayed = inputs.link_relay[on:] > 0.5
    # (leg, its steps: the geometry gives it the link, the steps it carries data, range, budget, fixed rate)
    legs = []
    if comms.direct_link_budget is not None and light.earth_distance_m is not None:
        # its steps: all with the direct link up, those handed to a relay (closing no rate) included
        legs.append(("direct", light.direct_link[on:], ~relayed & (rate > 0.0),
                     light.earth_distance_m[on:], comms.direct_link_budget, comms.data_rate_mbps))
    if comms.relay_link_budget is not None and light.relay_range_m is not None:
        cap = comms.relay_data_rate_mbps if comms.relay_data_rate_mbps is not None else comms.data_rate_mbps
        legs.append(("relay", relayed, relayed & (rate > 0.0), light.relay_range_m[on:], comms.relay_link_budget,
                     cap))
    text = ""
    for leg, steps, used, range_m, spec, fixed_mbps in legs:
        cap_mbps = _top_rate_mbps(spec, fixed_mbps)
        handed = leg == "direct" and comms.mode == "direct_or_relay"
        modem = _rate_list_text(f"{leg} link", spec, range_m[steps], fixed_mbps, handed)
        if not used.any():
            never = "no step carries that link" if not steps.any() else "no step of that link carries data"
            text += f" The {leg} link's budget is never used ({never}).{modem}"
            continue
        mbps = rate[used] / 1e6
        km = range_m[used] / 1e3
        low, mid, high = np.percentile(mbps, [5, 50, 95])
        capped = float(np.mean(mbps >= cap_mbps * (1.0 - 1e-9)))
        summary[f"{leg}_rate_mbps_median"] = float(mid)
        trunk = leg == "relay" and (comms.relay_trunk_link_budget, comms.relay_trunk_data_rate_mbps) != (None, None)
        name = f"{leg} link's budget" + (" with its trunk" if trunk else "")
        text += (
            f" The {name} gives {significant(low)}-{significant(high)} Mbps (5th-95th percentile of "
            f"the steps it carries the link; median {significant(mid)}) at {km.min():,.0f}-{km.max():,.0f} km, "
            f"capped at {cap_mbps:g} Mbps on {capped:.0%} of them.{modem}"
        )
    return text + _trunk_text(comms, light, on, relayed, summary)


def _rate_list_text(
    name: str, spec: Any, range_m: NDArray[np.float64], fixed_mbps: float, relay_takes_over: bool = False
) -> str:
    """With a modem's rate list (the budget's ``rates_mbps``): the listed rates the leg ran at, highest first, each
    with its share of the leg's steps (``range_m``: its range at each of them [m]; NaN: no link), and the share on
    which no listed rate closes (the link carries nothing then, or with ``relay_takes_over`` a relay does where one
    is up); "" without a list or steps."""
    budget = _budget(spec)
    if budget is None or budget.rates_bps is None or range_m.size == 0:
        return ""
    up = np.isfinite(range_m)
    bps = np.where(up, budget.rate_bps(np.where(up, range_m, 1.0), fixed_mbps * 1e6), 0.0)
    # rate_bps returns the listed rates themselves (functions.modem_rate_bps): equality is exact
    ran = [(r, float(np.mean(bps == r_bps))) for r, r_bps in zip(spec.rates_mbps, budget.rates_bps, strict=True)]
    parts = [f"{r:g} Mbps on {share:.1%}" for r, share in reversed(ran) if share > 0.0]
    listed = ", ".join(f"{r:g}" for r in spec.rates_mbps)
    closed = float(np.mean(bps <= 0.0))
    steps = f"of its {range_m.size:,} steps"
    used = f"ran at {', '.join(parts)} {steps}" if parts else f"ran on none {steps}"
    return (
        f" The {name}'s modem (rates {listed} Mbps) {used}; no listed rate closes on {closed:.1%} of them"
        + (
            ("." if closed <= 0.0 else " (a relay then carries the data where one is up, else nothing is sent).")
            if relay_takes_over
            else (" (the link then carries nothing)." if closed > 0.0 else ".")
        )
    )


def _top_rate_mbps(budget: Any, cap_mbps: float) -> float:
    """The highest rate a leg can run at: its fixed rate, or the highest of its modem's rates at or below it."""
    rates = [r for r in (getattr(budget, "rates_mbps", None) or []) if r <= cap_mbps]
    return max(rates) if rates else cap_mbps


def _trunk_text(
    comms: Any, light: LightSeries, on: int, relayed: NDArray[np.bool_], summary: dict[str, Any]
) -> str:
    """The relay's own link to Earth (the trunk), when the scenario gives one: its rate (5th-95th percentile of
    the relayed steps), its range (the relaying orbiter to the Earth's centre) and how often it is the lower of
    the relayed link's two hops; the median goes in ``summary``."""
    budget = _budget(comms.relay_trunk_link_budget)
    cap_mbps = comms.relay_trunk_data_rate_mbps
    if (budget is None and cap_mbps is None) or light.relay_earth_distance_m is None:
        return ""
    used = relayed & np.isfinite(light.relay_earth_distance_m[on:])
    if not used.any():
        return " The relay trunk is never used (no step goes through a relay)."
    trunk_m = light.relay_earth_distance_m[on:][used]
    cap_bps = cap_mbps * 1e6 if cap_mbps is not None else float("inf")
    relay_cap_mbps = comms.relay_data_rate_mbps if comms.relay_data_rate_mbps is not None else comms.data_rate_mbps
    base = _budget(comms.relay_link_budget)
    base_m = light.relay_range_m[on:][used] if light.relay_range_m is not None else np.full(trunk_m.size, np.nan)
    not_nearest = ""
    if light.relay_orbiter_range_m is not None and light.relay_orbiter_earth_distance_m is not None:
        # the hops of the best orbiter at each step (the engine's max over orbiters of the lower hop)
        each_m = light.relay_orbiter_range_m[:, on:][:, used]
        each_earth_m = light.relay_orbiter_earth_distance_m[:, on:][:, used]
        relays = np.isfinite(each_m)
        pair_bps = np.where(
            relays,
            np.minimum(
                _leg_bps(base, each_m, relay_cap_mbps * 1e6), _leg_bps(budget, each_earth_m, cap_bps)
            ),
            0.0,
        )
        cols = np.arange(trunk_m.size)
        best = np.argmax(pair_bps, axis=0)
        nearest = np.argmin(np.where(relays, each_m, np.inf), axis=0)
        share = float(np.mean(pair_bps[best, cols] > pair_bps[nearest, cols]))
        summary["relay_best_not_nearest_fraction"] = share
        not_nearest = f" The best orbiter's pair of hops is not the nearest orbiter's on {share:.1%} of them."
        trunk_m, base_m = each_earth_m[best, cols], each_m[best, cols]
    trunk_km = trunk_m / 1e3
    trunk_bps = _leg_bps(budget, trunk_m, cap_bps)
    base_bps = _leg_bps(base, base_m, relay_cap_mbps * 1e6)
    low, mid, high = np.percentile(trunk_bps / 1e6, [5, 50, 95])
    summary["relay_trunk_rate_mbps_median"] = float(mid)
    limits = float(np.mean(trunk_bps < base_bps))
    closed = float(np.mean(np.minimum(trunk_bps, base_bps) <= 0.0))
    text = (
        f" The relay trunk (the relaying orbiter to Earth) gives {significant(low)}-{significant(high)} Mbps (5th-95th "
        f"percentile of the relayed steps; median {significant(mid)}) at {trunk_km.min():,.0f}-{trunk_km.max():,.0f} "
        f"km from the Earth's centre, and sets the relayed rate (below the base-to-relay hop) on {limits:.0%} of them"
    )
    text += f"; no listed modem rate closes on {closed:.0%} of them." if closed > 0.0 else "."
    text += not_nearest
    return text + _rate_list_text("relay trunk", comms.relay_trunk_link_budget, trunk_m, cap_bps / 1e6)


def _leg_bps(budget: LinkBudget | None, range_m: NDArray[np.float64], cap_bps: float) -> NDArray[np.float64]:
    """A hop's rate at each range [bit/s]: the fixed ``cap_bps`` without a budget, else the budget's rate (a NaN
    range: no budgeted range given, the fixed rate)."""
    if budget is None:
        return np.full(range_m.shape, cap_bps)
    known = np.isfinite(range_m)
    return np.where(known, budget.rate_bps(np.where(known, range_m, 1.0), cap_bps), cap_bps)


def _longest_run(flags: NDArray[np.bool_]) -> int:
    """The longest run of consecutive True values."""
    if not flags.any():
        return 0
    edges = np.diff(np.concatenate([[0], flags.astype(np.int8), [0]]))
    return int(np.max(np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)))


def _earth_above(scenario: Any, min_elevation_deg: float) -> NDArray[np.bool_]:
    """Whether the Earth's centre stands above ``min_elevation_deg`` at the base, at each step of the period
    (the direct link's antenna mask; the terrain horizon applies as well)."""
    from lunarops.sky import sky_at_site
    from lunarops.timescale import utc_period

    site = base_site(scenario)
    period = scenario.period
    t = utc_period(period.start_utc, period.end_utc, period.step_s)
    height_m = (site.ground_height_m or 0.0) + site.mast_height_m
    sky = sky_at_site(site.latitude_deg, site.longitude_deg, height_m, t, correction=scenario.sky.correction)
    return np.asarray(sky.earth_elevation_deg > min_elevation_deg, dtype=bool)


def _light(scenario: Any, site_products: dict[str, Any] | None) -> tuple[LightSeries, str]:
    """Light at the base over the scenario period; terrain light from the site stage's products if any."""
    site = base_site(scenario)
    section = scenario.operations
    mast = max([a.mast_height_m for a in section.power.solar_arrays] + [site.mast_height_m])
    period = scenario.period
    light = smooth_sphere_light(
        site.latitude_deg,
        site.longitude_deg,
        mast,
        site.ground_height_m or 0.0,
        period.start_utc,
        period.end_utc,
        period.step_s,
        scenario.sky.correction,
    )
    keys = ("sun_disk_visible_fraction", "earth_visible")
    if site_products and all(k in site_products for k in keys):
        frac_da = site_products["sun_disk_visible_fraction"]
        if "site" in frac_da.dims and site.name in list(frac_da["site"].values):
            frac = np.asarray(frac_da.sel(site=site.name).values, dtype=np.float64)
            earth = np.asarray(site_products["earth_visible"].sel(site=site.name).values).astype(bool)
            if frac.shape == light.sun_visible_fraction.shape:
                site_light = site_products.get("site_light", {}).get(site.name)
                terrain = getattr(site_light, "terrain", TERRAIN_NONE)
                if terrain == TERRAIN_NONE:  # terrain: {dem: none}: the site stage's smooth sphere
                    note = (
                        f"light at {site.name!r} from the site stage on a smooth sphere (terrain.dem: none; "
                        f"observer at the site's mast height {site.mast_height_m} m); set terrain.dem for real horizons"
                    )
                else:
                    note = (
                        f"light at {site.name!r} from the site stage (terrain horizon of DEM {terrain!r}, observer "
                        f"at the site's mast height {site.mast_height_m} m)"
                    )
                return LightSeries(
                    light.sun_elevation_rad,
                    light.sun_azimuth_rad,
                    np.clip(frac, 0.0, 1.0),
                    light.sun_distance_m,
                    earth,
                    source="terrain" if terrain != TERRAIN_NONE else light.source,
                    earth_distance_m=light.earth_distance_m,
                ), note
    return light, (
        f"terrain was not used: light at {site.name!r} on a smooth sphere (disk above the horizon "
        f"dipped for a {mast:g} m mast); add a terrain section for real horizons"
    )


def check_correlations(scenario: Any) -> None:
    """The Monte Carlo's correlations against the station's drawn inputs, from the scenario alone (no light, no
    campaign): an unknown or fixed input, or a set no joint distribution has, is an InputError naming
    operations.monte_carlo.correlations before any stage runs (`lunarops validate`, `lunarops run`)."""
    section = getattr(scenario, "operations", None)
    if section is None or not section.monte_carlo.correlations:
        return
    station = station_from_section(section, scenario.period.start_utc, all_online=True)
    station = replace(station, arrival_slips=arrival_slips(section))  # their drawn inputs too
    correlation_plan(station, section.monte_carlo.correlation_pairs(), "operations.monte_carlo.correlations")


def simulate_scenario(
    scenario: Any,
    runs: int | None = None,
    seed: int | None = None,
    site_products: dict[str, Any] | None = None,
    campaign_deliveries: pd.DataFrame | None = None,
    progress: ProgressCallback = no_progress,
    arrivals: Mapping[str, datetime] | None = None,
    payload_kg: Mapping[str, float] | None = None,
    campaign_isru_steps: pd.DataFrame | None = None,
    site_summary: Mapping[str, Any] | None = None,
) -> tuple[OpsResult, OpsResult, list[str]]:
    """(hourly run 0, Monte Carlo runs, notes) for a scenario with an operations section; the campaign's
    deliveries, mission landings (``arrivals``), what each mission lands (``payload_kg``) and what its ISRU makes
    (``campaign_isru_steps``) as `plan_campaign` gives them, the site stage's summary (``site_summary``: its PSR
    distances). `lunarops run` and `lunarops simulate` both call this, so they give the same notes."""
    section = scenario.operations
    if section is None:
        raise InputError("the scenario has no operations section; add one (see docs/operations.md)")
    light, note = light_for_scenario(scenario, site_products)
    progress(0.1, "light at the base")
    start = scenario.period.start_utc
    station = station_from_section(section, start, campaign_deliveries, arrivals)
    inputs = build_inputs(
        station, light, np.datetime64(start.replace(tzinfo=None), "us"), scenario.period.step_s,
        section.daylight_min_sun_fraction,
    )
    crew_note = _crew_before_eclss(station, inputs)
    seed = scenario.seed if seed is None else seed
    runs = section.monte_carlo.runs if runs is None else runs
    pairs = section.monte_carlo.correlation_pairs()
    plan = correlation_plan(station, pairs, "operations.monte_carlo.correlations")  # checked before any run
    hourly = simulate(
        station, inputs, runs=1, seed=seed, record_steps=1, event_capacity=200_000, correlations=pairs
    )
    record_steps = max(1, round(section.monte_carlo.record_hours * 3600.0 / scenario.period.step_s))
    mc = simulate(
        station,
        inputs,
        runs=runs,
        seed=seed,
        record_steps=record_steps,
        progress=lambda f, m: progress(0.2 + 0.75 * f, m),
        correlations=pairs,
    )
    mc.summary["seed"] = seed  # the batch's seed: the same seed and runs give the same numbers
    period = scenario.period
    notes = [note, *crew_note, *_loop_without_eclss(station, inputs), *_o2_over_the_tank(hourly, station, arrivals)]
    notes += _failure_clocks(station, inputs)
    notes += _power_limited(hourly, station)
    notes += thermal_load_notes(station, inputs, mc.summary, light)
    notes += _water_tank(hourly, station)
    notes += _worst_data_drop(mc)
    notes += _correlated_inputs_note(plan, mc)
    notes += _crew_from_both(section, start, campaign_deliveries, inputs)
    notes += life_support_losses_note(section, station)
    notes += crew_below_zero_notes(station, start)
    notes += _ice_without_psr(scenario, site_summary)
    notes += ilmenite_feed_notes(scenario)
    if section.comms is not None:
        notes.append(_link_note(section.comms, light, inputs, mc.summary))
        notes += _earth_never_up(section.comms, light, inputs, base_site(scenario).name)
    if campaign_deliveries is not None and len(campaign_deliveries):
        notes += _campaign_outside_notes(campaign_deliveries, period)
        notes += _campaign_spares_note(campaign_deliveries, section.spare_unit_mass_kg, period.end_utc)
    notes += _resupply_outside_notes(section.resupply, period)
    notes += _resupply_slip_notes(station, inputs, mc.dataset)
    notes += _arrival_slip_notes(station, inputs, mc.dataset, mc.summary)
    logistics = scenario.campaign.logistics if getattr(scenario, "campaign", None) is not None else None
    if logistics is not None and logistics.isru is not None and logistics.isru.enabled:
        plants_online = [online_seconds(plant, start, arrivals) for plant in section.isru]
        first_online = start + timedelta(seconds=max(min(plants_online), 0.0)) if plants_online else None
        isru_note = isru_models_note(logistics.isru, campaign_isru_steps, mc.summary, first_online)
        plant_names = {plant.name for plant in section.isru}
        slipping = sorted(slip.name for slip in station.arrival_slips if plant_names & set(slip.elements))
        if slipping:
            isru_note += (
                f" The station's ISRU plants arrive with {', '.join(slipping)}, late by a draw in each run (the note "
                "'Arrival slips'): their output above is over the runs' own dates; the plan's ISRU keeps its dates "
                "(the first plant online above is the scheduled date)."
            )
        notes.append(isru_note)
    notes.extend(carried_mass_notes(section, start, payload_kg))
    notes.extend(massless_storage_notes(section))
    return hourly, mc, notes


def _correlated_inputs_note(plan: CorrelationPlan | None, mc: OpsResult) -> list[str]:
    """Which uncertain inputs were drawn correlated: the asked Spearman rho and the one over these runs."""
    from scipy import stats

    if plan is None:
        return []
    ds = mc.dataset
    names = [str(n) for n in ds["uncertain_input"].values] if "uncertain_input" in ds.dims else []
    parts = []
    for a, b, rho in plan.pairs:
        text = f"{a!r} ~ {b!r} {rho:g}"
        if ds.sizes.get("run", 0) >= 3 and a in names and b in names:
            x, y = (ds["input_value"].values[:, names.index(n)] for n in (a, b))
            text += f" (over these runs {stats.spearmanr(x, y).statistic:.2f})"
        parts.append(text)
    return [
        "Correlated uncertain inputs (operations.monte_carlo.correlations; Spearman rank correlation, drawn with a "
        f"Gaussian copula, each input keeping its own distribution): {'; '.join(parts)}. The other inputs are "
        "drawn independently. In the sensitivity table correlated inputs share their credit: a driver correlated "
        "with another also shows the other's effect."
    ]


def _worst_data_drop(mc: OpsResult) -> list[str]:
    """The Monte Carlo run that dropped the most data, and the components that were down far longer in it than
    on average (why it dropped)."""
    ds = mc.dataset
    dropped = ds["run_data_dropped_bits"].values
    if dropped.size < 2 or not dropped.max() > 0.0:
        return []
    worst = int(np.argmax(dropped))
    text = (
        f"The most data dropped in one run: {dropped[worst] / 8e12:,.2f} TB (run {int(ds['run'].values[worst])}, "
        f"counting from 0, of {dropped.size}; mean over the runs {dropped.mean() / 8e12:,.3f} TB)"
    )
    unserved_kwh = float(ds["run_unserved_j"].values[worst]) / 3.6e6
    if unserved_kwh > 0.0:
        text += f"; that run also left {unserved_kwh:,.1f} kWh of load unserved"
    if "component_hours_down" in ds:
        down = ds["component_hours_down"].values  # (run, component)
        mean = down.mean(axis=0)
        long = [
            f"{name} {down[worst, c]:,.0f} unit-hours down (mean {mean[c]:,.0f})"
            for c, name in enumerate(ds["component"].values)
            if down[worst, c] > 2.0 * mean[c] and down[worst, c] > 0.0
        ]
        if long:
            text += f"; components down more than twice their mean in that run: {', '.join(long)}"
    return [text + "."]


def thermal_load_notes(
    station: Station, inputs: Any, summary: dict[str, Any] | None = None, light: LightSeries | None = None
) -> list[str]:
    """A note per heater load with a heat balance (``thermal``): the power it asks while online (mean, by day and
    by night, peak; with ``light`` the lit regolith's temperatures that explain a day-time need and the mean solar
    gain by day, or that sunlight on the enclosure is not counted) and the heat it could not supply (beyond its
    capacity, power_kw, or its standby while its `when` is off); the mean, peak, capacity and unmet heat in
    ``summary`` ("<load>: heater_mean_kw", "<load>: heater_peak_kw", "<load>: heater_capacity_kw",
    "<load>: heat_unmet_kwh")."""
    out: list[str] = []
    n = inputs.n_steps
    for i, ld in enumerate(station.loads):
        th = ld.thermal
        if th is None:
            continue
        # online and inside its from_utc..until_utc window (the steps it is scheduled for at all)
        time_s = np.arange(n) * inputs.dt_s
        online = (np.arange(n) >= inputs.elem_online[inputs.load_elem[i]]) & (time_s >= ld.start_s) & (
            time_s < ld.end_s
        )
        if not online.any():
            out.append(f"Heater {ld.name!r} (heat balance) is not online within the period (or its window).")
            continue
        asked = inputs.demand_w[i][online]
        short = inputs.heat_short_w[i] * online
        short_kwh = float(short.sum()) * inputs.dt_s / KWH_J
        mean_kw, peak_kw = float(asked.mean()) / 1e3, float(asked.max()) / 1e3
        if summary is not None:
            summary[f"{ld.name}: heater_mean_kw"] = mean_kw
            summary[f"{ld.name}: heater_peak_kw"] = peak_kw
            summary[f"{ld.name}: heater_capacity_kw"] = ld.power_w / 1e3
            summary[f"{ld.name}: heat_unmet_kwh"] = short_kwh
        day = inputs.daylight[online] > 0.5
        split = "".join(
            f", {label} {float(asked[mask].mean()) / 1e3:.2f} kW"
            for label, mask in (("by day", day), ("by night", ~day))
            if mask.any()
        )
        text = (
            f"Heater {ld.name!r} follows its enclosure's heat balance (UA {th.conductance_w_per_k:g} W/K, setpoint "
            f"{th.setpoint_k:.1f} K ({th.setpoint_k - 273.15:.3g} C), {th.ground_view_factor:g} of its view to the "
            f"regolith, the rest to space; regolith at night {th.night_ground_k:g} K; "
            f"{th.internal_heat_w:g} W inside"
            + (f" + {th.internal_heat_per_crew_w:g} W per crew member" if th.internal_heat_per_crew_w else "")
            + f"): while online ({int(online.sum()) * inputs.dt_s / 3600.0:,.0f} h) it asks {mean_kw:.2f} kW on "
            f"average{split} (peak {peak_kw:.2f} kW, capacity {ld.power_w / 1e3:g} kW) before any shedding"
        )
        if light is not None and day.any() and float(asked[day].max()) > 0.0:
            lit = online & (inputs.daylight > 0.5)
            ground_k = regolith_temperature_k(
                light.sun_elevation_rad[lit], light.sun_visible_fraction[lit], light.sun_distance_m[lit],
                th.ground_albedo, th.ground_emissivity, th.night_ground_k,
            )
            top_deg = math.degrees(float(np.max(light.sun_elevation_rad[lit])))
            text += (
                f"; by day the lit regolith reaches only {float(ground_k.min()):.0f}-{float(ground_k.max()):.0f} K "
                f"here (the Sun at most {top_deg:.1f} deg up), so the sink stays cold and the heater runs by day too"
                if top_deg < 15.0
                else f"; by day the lit regolith is {float(ground_k.min()):.0f}-{float(ground_k.max()):.0f} K"
            )
        if th.solar_gain_area_m2 > 0.0 or th.solar_gain_roof_area_m2 > 0.0:
            apertures = (
                "its effective solar apertures (absorptance x projected area x the share conducted in) of "
                f"{th.solar_gain_area_m2:g} m2 side and {th.solar_gain_roof_area_m2:g} m2 roof"
            )
            if light is not None and day.any():
                lit = online & (inputs.daylight > 0.5)
                gain_w = solar_gain_w(
                    th, light.sun_elevation_rad[lit], light.sun_visible_fraction[lit], light.sun_distance_m[lit]
                )
                text += (
                    f"; sunlight absorbed by the enclosure through {apertures} brings "
                    f"{float(gain_w.mean()) / 1e3:.2f} kW inside on average by day, subtracted from the heater's demand"
                )
            else:
                text += (
                    f"; sunlight absorbed by the enclosure through {apertures} is subtracted from the heater's demand"
                )
        elif day.any():
            text += (
                "; sunlight on the enclosure is not counted (solar_gain_area_m2 0), so the day figure is an upper "
                "bound"
            )
        if short_kwh > 0.0:
            hours = float(np.count_nonzero(short > 0.0)) * inputs.dt_s / 3600.0
            text += (
                f"; it falls short of the heat needed in {hours:g} h: {short_kwh:.1f} kWh of heat unmet "
                f"(up to {float(short.max()) / 1e3:.2f} kW): raise its power_kw or the enclosure's insulation"
            )
            if ld.when not in ("always", ("always",), ["always"]):
                text += (
                    f", or widen its when ({ld.when}): while that is off it gives only its standby_power_kw, and "
                    "the rest of the need is unmet"
                )
        out.append(text + ". Steady state: no thermal mass, no regolith lag (docs/operations.md).")
    return out


def _water_tank(hourly: OpsResult, station: Station) -> list[str]:
    """Run 0 with a water tank: how long the ice plants paused with the tank full, and the water lost beyond it."""
    capacity = station.consumables.water_capacity_kg
    if not np.isfinite(capacity):
        water = hourly.dataset["water_kg"].values[0]
        start = station.consumables.water_kg
        if float(water.max()) > start + 1000.0:
            return [
                f"Run 0: the water store grows to {float(water.max()) / 1e3:,.1f} t (from {start / 1e3:,.1f} t; "
                "ISRU water and deliveries less what the crew use): consumables.water_tank_capacity_kg is not set, "
                "so the tank "
                "holds any amount. Set it to see the ice plants pause when it is full."
            ]
        return []
    events = hourly.events
    pauses = events.loc[events["event"] == "policy_water_full_pause", "step"].to_numpy(dtype=np.int64)
    resumes = events.loc[events["event"] == "policy_water_full_resume", "step"].to_numpy(dtype=np.int64)
    ends = np.append(resumes, hourly.inputs.n_steps)[: pauses.size]  # a pause still on ends with the run
    paused_h = float(np.sum(ends - pauses)) * hourly.inputs.dt_s / 3600.0
    lost_kg = float(hourly.dataset["run_water_overflow_kg"].values[0])
    if pauses.size == 0 and lost_kg <= 0.0:
        return []
    return [
        f"Run 0: the water tank ({capacity:,.0f} kg, consumables.water_tank_capacity_kg) filled {pauses.size} times; "
        f"the ice plants paused {paused_h:,.0f} h in all (until the water fell below 95 % of the tank), and "
        f"{lost_kg:,.0f} kg of water found no room (deliveries, the Sabatier return, the hour's ISRU output)."
    ]


def _power_limited(hourly: OpsResult, station: Station) -> list[str]:
    """A note when run 0 shed loads for lack of power while its storage held energy above the reserve: the
    storage's power (battery max discharge, fuel cell), not its energy, limited the station."""
    ds = hourly.dataset.isel(run=0)
    # above every load's own reserve threshold (and the policy's) + the hysteresis, no load is shed by the policy
    thresholds = [float(t) for t in reserve_thresholds(station) if t >= 0.0]
    above = max([station.policy.reserve_state_of_charge, *thresholds]) + station.policy.reserve_hysteresis
    stores = [x for x in (station.battery, station.fuel_cell) if x is not None]
    if not stores:
        return []
    x = hourly.inputs
    first_on = min(int(x.elem_online[x.element_names.index(store.name)]) for store in stores)
    # the reserve policy decides on the storage at the start of a step: the fraction recorded at the end of the
    # step before; above reserve + hysteresis the policy is off, so what was shed then was shed for lack of power
    end_fraction = ds["storage_fraction"].values
    start_fraction = np.concatenate([end_fraction[:1], end_fraction[:-1]])
    if first_on < start_fraction.size:
        start_fraction[first_on] = end_fraction[first_on]  # its first step: the end of it stands in for the start
    limited = (ds["unserved_w"].values > 0.0) & (start_fraction > above)
    limited[:first_on] = False  # before any storage is there, its fraction means nothing
    if not limited.any():
        return []
    limits = []
    if station.battery is not None:
        limits.append(f"battery max_discharge_kw {station.battery.max_discharge_w / 1e3:g} kW")
    if station.fuel_cell is not None:
        limits.append(f"fuel cell fuel_cell_kw {station.fuel_cell.fuel_cell_w / 1e3:g} kW")
    hours = float(limited.sum()) * hourly.inputs.dt_s / 3600.0
    return [
        f"Run 0: loads were shed for lack of power during {hours:,.0f} h while the storage still held more than "
        f"{above:.0%} of its usable energy (above the reserve): the storage's power ({', '.join(limits)}), not "
        "its energy, limited the station then; raise that power or lower the loads' peak (loads are served whole "
        "or shed)."
    ]


def _failure_clocks(station: Station, inputs: Any) -> list[str]:
    """What each component's failure clock counts, when some count operating time (``clock: operating``)."""
    if not any(c.clock == "operating" for c in station.components):
        return []
    working = []
    for c, (load, array) in zip(station.components, inputs.comp_op, strict=True):
        if load >= 0:
            working.append(f"{c.name} (while {inputs.load_names[load]} is served)")
        elif array >= 0:
            working.append(f"{c.name} (while {c.target} is lit)")
    online = [c for c, op in zip(station.components, inputs.comp_op, strict=True) if op[0] < 0 and op[1] < 0]
    text = f"Failure clocks count operating time for {', '.join(working)}"
    if online:
        text += f"; every online hour for {', '.join(c.name for c in online)}"
        if any(c.clock == "operating" for c in online):
            text += " (power units and storage work whenever online)"
    return [text + "."]


def life_support_losses_note(section: OperationsSection, station: Station) -> list[str]:
    """One sentence with the EVA and cabin-leakage draws, when the scenario sets either."""
    ls, rates = section.life_support, station.crew_rates
    parts = []
    if ls.eva_hours_per_crew_week > 0:
        parts.append(
            f"EVA {ls.eva_hours_per_crew_week:g} h per crew member per week at {ls.eva_o2_kg_per_hour:g} kg O2 and "
            f"{ls.eva_water_kg_per_hour:g} kg sublimator water per EVA hour ({rates.eva_o2_kg_per_day:.4g} kg O2 and "
            f"{rates.eva_water_kg_per_day:.4g} kg water per crew member per day)"
        )
    if ls.cabin_leak_air_kg_per_day > 0:
        n2 = ls.cabin_leak_air_kg_per_day - rates.cabin_leak_o2_kg_per_day
        parts.append(
            f"cabin leakage {ls.cabin_leak_air_kg_per_day:g} kg air per day at O2 mole fraction "
            f"{ls.cabin_o2_mole_fraction:g} ({rates.cabin_leak_o2_kg_per_day:.4g} kg O2 per day for the habitat; "
            f"its {n2:.4g} kg N2 per day is not tracked)"
        )
    if not parts:
        return []
    return [
        "Life support draws, besides the crew's BVAD rates, " + " and ".join(parts) + ": from the O2 and water "
        "stores while crew are aboard, not made by the loop, and counted in reserve_days."
    ]


def _loop_without_eclss(station: Station, inputs: Any) -> list[str]:
    """A note when crew live on a closed loop that no load powers (life_support.eclss_load not set)."""
    closure = station.closure
    closed = closure.water_recovery_fraction > 0 or closure.oxygen_generation_fraction > 0
    if station.eclss_load is not None or not closed or not np.any(inputs.crew > 0):
        return []
    return [
        f"life_support.eclss_load is not set: the crew's loop (water recovery {closure.water_recovery_fraction:g}, "
        f"O2 generation {closure.oxygen_generation_fraction:g}) runs without drawing power and never stops for lack "
        "of it; name the load that powers it (life_support.eclss_load) to see power failures open the loop."
    ]


def _o2_over_the_tank(hourly: OpsResult, station: Station, arrivals: Mapping[str, datetime] | None) -> list[str]:
    """Run 0: O2 beyond the tank counts as propellant; say how much, and which O2 deliveries found the tank full."""
    capacity = station.consumables.o2_capacity_kg
    if not np.isfinite(capacity):
        return []
    ds = hourly.dataset.isel(run=0)
    prop = np.asarray(ds["propellant_kg"].values, dtype=np.float64)
    events = hourly.events
    delivered = events[(events["event"] == "delivery")]
    prop_in = float(delivered.loc[delivered["element"] == "propellant_kg", "value"].sum())
    over_kg = float(prop[-1]) - station.consumables.propellant_kg - prop_in
    if over_kg <= 1.0:
        return []
    times = ds["time"].values
    step_ns = (times[1] - times[0]) if len(times) > 1 else np.timedelta64(1, "h")
    # a landing is delivered at the first step at or after it
    landings = [(np.datetime64(t.replace(tzinfo=None), "ns"), name) for name, t in (arrivals or {}).items()]
    steps = delivered["step"].to_numpy(dtype=np.int64)
    amounts = delivered["value"].to_numpy(dtype=np.float64)
    is_o2 = (delivered["element"] == "o2_kg").to_numpy()
    is_prop = (delivered["element"] == "propellant_kg").to_numpy()
    whens = [str(t) for t in delivered["time_utc"]]
    full = []
    from_deliveries = 0.0
    for step in sorted({int(k) for k in steps[is_o2]}):
        # the step's overflow (its propellant rise less the propellant delivered), shared by its O2 deliveries in
        # proportion to their amounts (ISRU O2 of the same hour rides along: at most one hour's output)
        jump = prop[step] - (prop[step - 1] if step > 0 else station.consumables.propellant_kg)
        jump -= float(amounts[is_prop & (steps == step)].sum())
        here = np.flatnonzero(is_o2 & (steps == step))
        total = float(amounts[here].sum())
        spilled = min(max(jump, 0.0), total)
        if spilled <= 0.0:
            continue
        from_deliveries += spilled
        for i in here:
            share = spilled * float(amounts[i]) / total
            at = np.datetime64(delivered["time_utc"].iloc[i], "ns")
            mission = next((name for t, name in landings if t <= at < t + step_ns), None)
            named = f" ({mission})" if mission else ""
            full.append(f"{share:,.0f} of {amounts[i]:,.0f} kg delivered on {whens[i][:10]}{named}")
    said = f"; deliveries that found the tank full: {'; '.join(full)}" if full else ""
    made = max(over_kg - from_deliveries, 0.0) if station.isru else 0.0
    advice = []
    if from_deliveries > 0.0 or not station.isru:
        advice.append("Ship less O2")
    if made > 1.0:
        advice.append(f"{'use' if advice else 'Use'} or store the ISRU O2 ({made:,.0f} kg of the overflow came from "
                      "the plants)")
    return [
        f"Run 0: {over_kg:,.0f} kg of O2 beyond the O2 tank ({capacity:,.0f} kg, consumables.o2_tank_capacity_kg) "
        f"went to the propellant store (propellant_kg in the series; no vehicle draws on it here){said}. "
        f"{' or '.join(advice)}, or give the tank more room."
    ]


def _crew_before_eclss(station: Station, inputs: Any) -> list[str]:
    """A note when crew are aboard before the ECLSS load comes online (they live without it then)."""
    if station.eclss_load is None:
        return []
    online = int(inputs.elem_online[inputs.element_names.index(station.eclss_load)])
    crewed = np.flatnonzero(inputs.crew[:online] > 0)
    if crewed.size == 0:
        return []
    times = inputs.times()
    return [
        f"Crew are aboard from {str(times[crewed[0]])[:16]} UTC, before the ECLSS load {station.eclss_load!r} comes "
        f"online ({'never in the period' if online >= inputs.n_steps else str(times[online])[:16] + ' UTC'}): "
        "until then they draw the stores on an open loop and no ECLSS power; bring the crew later or the ECLSS "
        "earlier (its arrives_with / online_utc)."
    ]


def _reserve_levels(station: Station) -> dict[float, list[str]]:
    """The reserve policy's thresholds [share of usable storage] and the loads shed below each."""
    levels: dict[float, list[str]] = {}
    for load, level in zip(station.all_loads, reserve_thresholds(station), strict=True):
        if level >= 0.0:
            levels.setdefault(float(level), []).append(load.name)
    return dict(sorted(levels.items()))


def _reserve_lines(fig: Any, levels: Mapping[float, list[str]], yref: str = "y") -> None:
    """A dotted horizontal line [%] per reserve threshold, labelled with the loads it sheds."""
    for level, names in levels.items():
        shed = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        fig.add_shape(
            type="line", xref="paper", x0=0, x1=1, yref=yref, y0=level * 100, y1=level * 100,
            line={"color": "#555", "width": 1, "dash": "dot"},
        )
        fig.add_annotation(
            xref="paper", x=0, xanchor="left", yref=yref, y=level * 100, yanchor="bottom", showarrow=False,
            text=f"reserve {level * 100:g} %: {shed} shed below", font={"size": 11, "color": "#333"},
        )


def _per(step_h: float) -> str:
    return "day" if abs(step_h - 24.0) < 1e-9 else f"{step_h:g} h"


#: the fan charts: variable, axis title, scale to the axis unit, how to read it
_FANS: tuple[tuple[str, str, float, str], ...] = (
    (
        "storage_fraction",
        "storage state of charge [% of usable]",
        100.0,
        "Battery and fuel cell together; 0 % is empty (loads shed for lack of power).",
    ),
    (
        "o2_kg",
        "O2 store [kg]",
        1.0,
        "0 kg is an empty store (store_empty events); rises are deliveries and ISRU, falls the crew's net use. "
        "The reserve level (consumables.reserve_days of net use) moves with the crew aboard, so it is not drawn: "
        "see consumables_reserve_days in the summary and the store_below_reserve events.",
    ),
    (
        "water_kg",
        "water store [kg]",
        1.0,
        "0 kg is an empty store (store_empty events); rises are deliveries and ISRU, falls the crew's net use "
        "and electrolysis. The reserve level (consumables.reserve_days of net use) moves with the crew aboard, so "
        "it is not drawn: see consumables_reserve_days in the summary and the store_below_reserve events.",
    ),
    (
        "isru_water_kg",
        "cumulative ISRU water [kg]",
        1.0,
        "A running total from the period's start; flat stretches: no plant making it (not yet online, night for "
        "daylight-only plants, shed, failed, or the tank full). The band's width at the end is the spread of the "
        "total.",
    ),
    (
        "isru_o2_kg",
        "cumulative ISRU O2 [kg]",
        1.0,
        "A running total from the period's start; flat stretches: no plant making it (not yet online, night for "
        "daylight-only plants, shed, failed, or no water to split). The band's width at the end is the spread of "
        "the total.",
    ),
    (
        "unserved_w",
        "unserved power [kW]",
        1e-3,
        "Power still not served after shedding (loads and standby that did not fit): above 0, a brownout when an "
        "essential load is in it.",
    ),
)


def _fan_figures(mc: OpsResult, reserve: Mapping[float, list[str]]) -> list[Figure]:
    """Percentile bands over the Monte Carlo runs, at most plotdata.MAX_POINTS points per line (blocks of records
    reduced as the records are: min, last or mean)."""
    import plotly.graph_objects as go

    runs = mc.dataset
    n_runs = runs.sizes["run"]
    t = runs["time"].values
    record_s = float((t[1] - t[0]) / np.timedelta64(1, "s")) if t.size > 1 else 86400.0
    factor = block_factor(t.size)
    per_day = round(86400.0 / record_s)
    if factor > 1 and record_s < 86400.0 and per_day * record_s == 86400.0:
        factor = per_day * -(-factor // per_day)  # whole days: sub-daily records
    step_h = record_s / 3600.0 * factor
    per = _per(step_h)
    figs: list[Figure] = []
    for name, axis, scale, reading in _FANS:
        values = runs[name].values
        if not np.any(values):
            continue
        how = str(runs[name].attrs.get("reduction", "last")).split()[0]
        blocks = reduce_blocks(values, factor, how)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a time no run has a value at: a gap
            q = np.nanpercentile(blocks, [5, 50, 95], axis=0) * scale
        of = {"min": f"its lowest value in each {per}", "max": f"its highest value in each {per}",
              "mean": f"its mean over each {per}"}.get(how, f"its value at the end of each {per}")
        times = time_axis(t[::factor])
        fig = go.Figure()
        fig.add_scatter(**times, y=compact(q[2]), name="p95", line={"width": 0}, showlegend=False)
        fig.add_scatter(**times, y=compact(q[0]), name="p05-p95", fill="tonexty", line={"width": 0})
        fig.add_scatter(**times, y=compact(q[1]), name="p50 (median)")
        fig.update_layout(yaxis_title=axis)
        fig.update_xaxes(type="date")
        lines = ""
        if name == "storage_fraction":
            _reserve_lines(fig, reserve)
            lines = (
                " Dotted lines: the reserve policy's thresholds (operations.policy.reserve_state_of_charge, or a "
                "load's own): the loads flagged shed_below_reserve are off while storage is below theirs; where the "
                "band's lower edge is under a line, at least 1 run in 20 sheds them then."
                if reserve
                else " No load is flagged shed_below_reserve, so no reserve threshold is drawn."
            )
        figs.append(
            Figure(
                f"Monte Carlo fan: {axis}, {of.removeprefix('its ')} ({n_runs} runs)",
                fig,
                caption=f"Shaded band: the 5th to 95th percentile (p05-p95) over the {n_runs} runs of each run's "
                f"{axis.rsplit(' [', 1)[0]}, {of}; the percentiles are taken at each time separately, so the band's "
                f"edges are not single runs. Line: the median (p50). {reading}{lines} The summary's _pNN are "
                "percentiles of each run's own figure (its minimum or total), so they differ.",
            )
        )
    return figs


def _figures(
    hourly: OpsResult, mc: OpsResult, battery_j: float | None, reserve: Mapping[float, list[str]] | None = None
) -> list[Figure]:
    """The operations charts; ``reserve``: the reserve policy's thresholds (see _reserve_levels), drawn on the
    storage charts. The charts' data are float32 on evenly spaced times (plotdata); the results keep every value."""
    import plotly.graph_objects as go

    reserve = reserve or {}
    ds = hourly.dataset.isel(run=0)
    figs: list[Figure] = []
    # the 60 days around the lowest storage point
    frac = ds["storage_fraction"].values
    k = int(np.argmin(frac))
    lo, hi = max(0, k - 30 * 24), min(frac.size, k + 30 * 24)
    win = ds.isel(time=slice(lo, hi))
    times = time_axis(win["time"].values)
    fig = go.Figure()
    for name, label in (("generation_w", "generation"), ("demand_w", "load demanded"), ("served_w", "load served")):
        fig.add_scatter(**times, y=compact(win[name].values, 1e-3), name=f"{label} [kW]")
    fig.add_scatter(**times, y=compact(win["storage_fraction"].values, 100.0), name="storage [% usable]", yaxis="y2")
    if battery_j:
        fig.add_scatter(
            **times,
            y=compact(win["battery_j"].values, 100.0 / battery_j),
            name="battery state of charge [% of nameplate]",
            yaxis="y2",
        )
    _reserve_lines(fig, reserve, yref="y2")
    fig.update_layout(
        yaxis_title="power [kW]",
        yaxis2={"title": "storage state of charge [%]", "overlaying": "y", "side": "right"},
    )
    n_time = ds.sizes["time"]
    step_s = float((ds["time"].values[1] - ds["time"].values[0]) / np.timedelta64(1, "s")) if n_time > 1 else 86400.0
    fig.update_xaxes(type="date")
    figs.append(
        Figure(
            "Power and storage around the lowest state of storage (run 0, "
            + ("hourly)" if step_s == 3600.0 else f"every {step_s / 3600.0:g} h)"),
            fig,
            caption="The 60 days of run 0 around its lowest usable storage. Left axis, power [kW]: what the "
            "arrays and sources generate, what the loads ask and what they get (served below demanded: loads shed "
            "or unserved). Right axis [%]: usable storage (battery and fuel cell together, the share the reserve "
            "policy acts on) and the battery's charge against its nameplate capacity"
            + ("; dotted: the reserve thresholds" if reserve else "")
            + ". Every hour of the run: operations-operations_run0_hourly.parquet.",
        )
    )
    per_day = min(max(1, round(86400.0 / step_s)), n_time)  # a period shorter than a day: one point
    last = ds.coarsen(time=per_day, boundary="trim").max()
    days = time_axis(last["time"].values)
    fig = go.Figure()
    for name, label in (("o2_kg", "O2"), ("water_kg", "water"), ("food_kg", "food"), ("propellant_kg", "propellant")):
        fig.add_scatter(**days, y=compact(last[name].values), name=f"{label} store [kg]")
    fig.update_layout(yaxis_title="store mass [kg]", title="Stores at the base, daily maximum (run 0)")
    fig.update_xaxes(type="date")
    figs.append(
        Figure(
            "Consumables (run 0, daily)",
            fig,
            caption="The O2, water, food and propellant at the base in run 0, each day's highest value [kg]: steps "
            "up are deliveries (and ISRU for O2, water and propellant), slopes down the crew's use and boil-off; a "
            "line at 0 is an empty store. Every step: operations-operations_run0_hourly.parquet; the spread over "
            "the runs: the Monte Carlo fans below.",
        )
    )
    fig = go.Figure()
    for name, label in (("isru_water_kg", "water"), ("isru_o2_kg", "O2")):
        fig.add_scatter(**days, y=compact(last[name].values), name=f"ISRU {label}, cumulative [kg]")
    fig.add_scatter(**days, y=compact(last["data_returned_bits"].values, 1.0 / 8e9), name="data returned [GB]",
                    yaxis="y2")
    fig.update_layout(
        yaxis_title="cumulative ISRU product [kg]",
        yaxis2={"title": "cumulative data returned [GB]", "overlaying": "y", "side": "right"},
    )
    fig.update_xaxes(type="date")
    figs.append(
        Figure(
            "ISRU output and data returned (run 0, daily)",
            fig,
            caption="Running totals in run 0 from the period's start, one point a day: the water and O2 the ISRU "
            "plants made [kg, left axis] and the science data returned to Earth, directly or through a relay [GB, "
            "right axis]. The slope is the rate; flat stretches: nothing made or sent (plants not yet online, "
            "night, shed or failed; no link). The spread over the runs: the Monte Carlo fans below.",
        )
    )
    figs += _fan_figures(mc, reserve)
    figs += _monthly_figures(mc.dataset)
    for figure in figs:
        if figure.plotly is not None:
            if not figure.plotly.layout.xaxis.title.text:
                figure.plotly.update_xaxes(title_text="time (UTC)")
    return figs


def _monthly_figures(runs: Any) -> list[Figure]:
    """By calendar month, means over the runs: each load's share of its scheduled hours shed (what competes for
    power when), and the data returned directly, through a relay, and dropped."""
    import plotly.graph_objects as go

    figs: list[Figure] = []
    loads = load_month_table(runs)
    if len(loads):
        table = loads.pivot(index="load", columns="month", values="shed_h_mean")
        scheduled = loads.pivot(index="load", columns="month", values="scheduled_h_mean")
        order = list(dict.fromkeys(loads["load"]))
        share = (table / scheduled.where(scheduled > 0)).loc[order] * 100.0  # NaN: not scheduled that month
        fig = go.Figure(
            go.Heatmap(
                z=share.values, x=list(share.columns), y=order, colorscale="Reds", zmin=0, zmax=100,
                colorbar={"title": "% shed"}, hovertemplate="%{y}, %{x}: %{z:.1f} % of scheduled hours shed",
            )
        )
        fig.update_layout(yaxis={"autorange": "reversed", "title": "load"}, xaxis_title="month (UTC)")
        figs.append(
            Figure(
                f"Loads shed by month: share of each load's scheduled hours shed, mean over {runs.sizes['run']} runs",
                fig,
                caption="Blank: not scheduled that month (not yet online, or its `when` never held). Shedding comes "
                "from lack of power or the reserve policy (operations.policy). Every load and month, with hours, "
                "energy and data: the results file operations-operations_loads_by_month.parquet.",
            )
        )
    storage = storage_month_table(runs)
    if len(storage) and np.isfinite(storage["min_storage_fraction_p50"]).any():
        fig = go.Figure()
        fig.add_scatter(x=storage["month"], y=storage["min_storage_fraction_p05"] * 100, name="p05 (1 run in 20 lower)")
        fig.add_scatter(x=storage["month"], y=storage["min_storage_fraction_p50"] * 100, name="p50")
        fig.update_layout(yaxis_title="lowest usable storage in the month [%]", xaxis_title="month (UTC)")
        figs.append(
            Figure(
                f"Lowest storage by month: percentiles over {runs.sizes['run']} runs of each run's monthly minimum",
                fig,
                caption="Battery and fuel cell together, as a share of usable storage (the reserve policy acts on "
                "it). The numbers: operations-operations_storage_by_month.parquet.",
            )
        )
    data = data_month_table(runs)
    if len(data) and float(data["returned_tb_mean"].sum() + data["dropped_tb_mean"].sum()) > 0.0:
        fig = go.Figure()
        fig.add_bar(x=data["month"], y=data["returned_tb_mean"] - data["relayed_tb_mean"], name="direct to Earth [TB]")
        fig.add_bar(x=data["month"], y=data["relayed_tb_mean"], name="through a relay [TB]")
        fig.add_scatter(
            x=data["month"], y=data["dropped_tb_mean"], name="dropped, buffer full [TB]", mode="lines+markers"
        )
        fig.update_layout(barmode="stack", yaxis_title="data per month [TB]", xaxis_title="month (UTC)")
        figs.append(
            Figure(
                f"Data returned by month: direct and relayed, mean over {runs.sizes['run']} runs",
                fig,
                caption="The results file operations-operations_data_by_month.parquet has the numbers.",
            )
        )
    return figs


#: summary keys that are tables (per component, per load), shown as tables of their own
TABLE_KEYS = ("components", "components_columns", "loads", "loads_columns")


#: share of the campaign's ISRU product made before the station's first ISRU plant is online above which the note
#: says so (below it: the days between a mission's departure step and its landing)
EARLY_ISRU_SHARE = 0.05


def isru_models_note(
    isru: Any, steps: pd.DataFrame | None, summary: Mapping[str, Any], plants_online: datetime | None
) -> str:
    """The campaign's ISRU against the station's: what the plan counts on for its vehicles (``steps``, from
    lunarops.logistics.outputs.isru_production_steps), how much of it before the station's first ISRU plant comes
    online (``plants_online``; None: the station has none), what the operations' plants make, and that the two
    are separate models."""
    counted = ""
    if steps is not None and len(steps):
        products = [c.removesuffix("_kg") for c in steps.columns if c.endswith("_kg") and c != "plant_kg"]
        parts = " and ".join(f"{float(steps[f'{p}_kg'].sum()) / 1000.0:,.1f} t of {p}" for p in products)
        first = steps.iloc[0]
        counted = (
            f" The plan counts on its plants making {parts} for its vehicles ({isru.production_kg_per_kg_year:g} kg "
            f"per kg of plant per year, Isaji et al. 2022), from {first['start_utc']:%Y-%m-%d} "
            f"({first['plant_kg']:,.0f} kg of plant; at most {steps['plant_kg'].max():,.0f} kg)."
        )
        if plants_online is None:
            counted += " The operations have no ISRU plant to make it."
        else:
            when = pd.Timestamp(plants_online)
            when = when.tz_localize("UTC") if when.tzinfo is None else when.tz_convert("UTC")
            begin, end = pd.to_datetime(steps["start_utc"], utc=True), pd.to_datetime(steps["end_utc"], utc=True)
            share = ((when - begin) / (end - begin)).clip(0.0, 1.0)  # of each step's output made before then
            made = steps[[f"{p}_kg" for p in products]].sum(axis=1)
            early = float((made * share).sum())
            # the plan books a landing at its mission's departure step, the operations days later on arrival:
            # a few percent made "early" is that, not a different plant
            if early > EARLY_ISRU_SHARE * float(made.sum()):
                counted += (
                    f" {early / 1000.0:,.1f} t of it is made before the station's first ISRU plant comes online "
                    f"({when:%Y-%m-%d}): the campaign's plants are not the station's."
                )
    water_t = float(summary.get("isru_water_kg_p50", 0.0)) / 1000.0
    o2_t = float(summary.get("isru_o2_kg_p50", 0.0)) / 1000.0
    split = ""
    if float(summary.get("electrolysed_water_kg_p50", 0.0)) > 0.0:
        split = "; " + propellant_sentence(summary, steps)
    elif water_t > 0.0:
        split = (
            f" (that water holds {water_t * 15.999 / 18.015:,.1f} t of O2 and {water_t * 2.016 / 18.015:,.1f} t of "
            "H2, if electrolysed: the station has no water_electrolysis plant)"
        )
    return (
        f"The campaign's ISRU (campaign.logistics.isru at {isru.node}) and these operations' ISRU plants are "
        f"separate models.{counted} The station's own plants make {o2_t:,.1f} t of O2 and {water_t:,.1f} t of "
        f"water in the operations period (p50 over the runs){split}. The campaign's production draws no power "
        "here, and the station's output does not fuel the campaign's vehicles (docs/operations.md, Limits)."
    )


def plan_isru_by_period_end_kg(steps: pd.DataFrame | None, end: datetime) -> dict[str, float]:
    """What the plan's ISRU makes up to the operations period's end [kg per product], as the operations summary's
    ``plan_isru_<product>_by_period_end_kg`` (e.g. oxygen, hydrogen): ``steps`` (lunarops.logistics.outputs
    .isru_production_steps) summed, the step that straddles ``end`` prorated by its time before it. Empty without
    the plan's ISRU steps."""
    if steps is None or not len(steps):
        return {}
    products = [c.removesuffix("_kg") for c in steps.columns if c.endswith("_kg") and c != "plant_kg"]
    stamp = pd.Timestamp(end)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    begin, finish = pd.to_datetime(steps["start_utc"], utc=True), pd.to_datetime(steps["end_utc"], utc=True)
    share = ((stamp - begin) / (finish - begin)).clip(0.0, 1.0)  # of each step's output made by the end
    return {f"plan_isru_{p}_by_period_end_kg": float((steps[f"{p}_kg"].astype(float) * share).sum())
            for p in products}


def plan_isru_draw(
    plan: Any, node: str, epoch: datetime, steps: pd.DataFrame | None
) -> tuple[pd.Timestamp, dict[str, float]] | None:
    """The plan's first departure from its ISRU node that loads propellant once its ISRU has started (the draw the
    station's plants would have to supply): when [UTC, naive] and the kg of each ISRU product it loads (the plan
    may add propellant brought from Earth). None without ISRU steps or such a departure."""
    flights = getattr(plan, "flights", None)
    if steps is None or not len(steps) or not isinstance(flights, pd.DataFrame) or not len(flights):
        return None
    products = [c.removesuffix("_kg") for c in steps.columns if c.endswith("_kg") and c != "plant_kg"]
    columns = [f"{p}_kg" for p in products if f"{p}_kg" in flights]
    if not columns:
        return None
    first = pd.to_datetime(steps["start_utc"], utc=True).min().tz_convert(None)
    when = pd.Timestamp(epoch).tz_convert(None) if pd.Timestamp(epoch).tzinfo else pd.Timestamp(epoch)
    leaving = flights[(flights["from"] == node) & ~flights["holdover"].astype(bool)]
    for _, row in leaving.sort_values("day", kind="stable").iterrows():
        loaded = {c.removesuffix("_kg"): float(row[c]) for c in columns}
        departs = when + pd.Timedelta(days=float(row["day"]))
        if departs >= first and sum(loaded.values()) > 0.0:
            return departs, loaded
    return None


def plan_isru_draw_summary(scenario: Any, campaign_products: Mapping[str, Any], hourly: Any) -> dict[str, Any]:
    """Summary keys for the plan's first ISRU draw (``plan_isru_draw``) against the station's LOX and LH2 in store
    then, in run 0 (the hourly run): ``plan_isru_first_draw_utc``, ``plan_isru_first_draw_<product>_kg``,
    ``run0_lox_kg_at_plan_draw``, ``run0_lh2_kg_at_plan_draw``. Empty when the plan draws no ISRU propellant in
    the period or the station has no propellant plant."""
    logistics = scenario.campaign.logistics if getattr(scenario, "campaign", None) is not None else None
    isru = getattr(logistics, "isru", None)
    ds = hourly.dataset
    if isru is None or "lox_kg" not in ds:
        return {}
    draw = plan_isru_draw(
        campaign_products.get("plan"), isru.node, scenario.campaign.epoch_utc,
        campaign_products.get("isru_production_steps"),
    )
    if draw is None:
        return {}
    when, loaded = draw
    times = pd.DatetimeIndex(ds["time"].values)
    k = int(times.searchsorted(when, side="right")) - 1  # the last step at or before the departure
    if k < 0 or when >= times[-1] + (times[-1] - times[-2] if len(times) > 1 else pd.Timedelta(0)):
        return {}
    out: dict[str, Any] = {"plan_isru_first_draw_utc": f"{when:%Y-%m-%dT%H:%M}Z"}
    out |= {f"plan_isru_first_draw_{p}_kg": kg for p, kg in loaded.items()}
    for key in ("lox_kg", "lh2_kg"):
        out[f"run0_{key}_at_plan_draw"] = float(ds[key].isel(run=0).values[k])
    return out


def propellant_sentence(summary: Mapping[str, Any], steps: pd.DataFrame | None) -> str:
    """What the station's water_electrolysis plant delivers (p50 over the runs, in store at the end), what it made
    and what boiled off, against the plan's ISRU O2 and H2 (``steps``: lunarops.logistics.outputs
    .isru_production_steps) when the plan counts on them."""

    def t(key: str) -> float:
        return float(summary.get(f"{key}_kg_p50", 0.0)) / 1000.0

    text = (
        f"its water_electrolysis plant split {t('electrolysed_water'):,.2f} t of it into {t('lox_made'):,.2f} t of LOX "
        f"and {t('lh2_made'):,.2f} t of LH2, of which {t('lox_boiled_off'):,.2f} t and {t('lh2_boiled_off'):,.2f} t "
        f"boiled off: {t('lox_stored'):,.2f} t of LOX and {t('lh2_stored'):,.2f} t of LH2 in store at the end "
        "(p50)"
    )
    planned = []
    for product, key in (("oxygen", "lox_stored"), ("hydrogen", "lh2_stored")):
        if steps is not None and f"{product}_kg" in steps.columns:
            plan_t = float(steps[f"{product}_kg"].sum()) / 1000.0
            if plan_t > 0.0:
                planned.append(f"{t(key) / plan_t:.0%} of the plan's {plan_t:,.1f} t of {product}")
    if planned:
        text += ", " + " and ".join(planned)
    return text


def reliability_title(runs: int) -> str:
    """The title of the component reliability table (what fails most, how many spares to ship)."""
    return (
        f"Component reliability over {runs} runs: what fails most, how many spares to ship (per run: failures mean "
        "and p95, spares used, unit-hours down awaiting a spare or under repair, units down at the end (awaiting "
        "a spare or under repair: failures minus spares used, plus repairs still running); share of runs in which "
        "a failure waited for a spare)"
    )


def probability_note(summary: Mapping[str, Any]) -> str:
    """The Monte Carlo probabilities with their 95 % Clopper-Pearson intervals and the number of runs."""
    parts = []
    for key, label in (
        ("probability_any_unserved_energy", "any unserved energy (more than 1 J in the run)"),
        ("probability_brownout", "a brownout (a priority-1 load unserved)"),
        ("probability_consumable_shortfall", "a consumable shortfall (more than 0 kg short)"),
        ("probability_any_data_dropped", "any data dropped"),
    ):
        if f"{key}_ci95" not in summary:
            continue
        lo, hi = summary[f"{key}_ci95"]
        parts.append(f"P({label}) = {summary[key]:.3g} (95 % CI {lo:.3g} to {hi:.3g})")
    runs = int(summary["runs"])
    if runs < 2:
        return (
            f"Monte Carlo probabilities over {runs} run, with exact (Clopper-Pearson) 95 % confidence intervals: "
            f"{'; '.join(parts)}. One run gives no percentile intervals: run more (monte_carlo.runs)."
        )
    low, high = percentile_ranks(runs, 5.0)
    where = (
        f"between the {_ordinal(low)} and the {_ordinal(high)} lowest run" if low is not None and high is not None
        else f"below the {_ordinal(high)} lowest run, with no lower bound from {runs} runs (72 runs give one: "
        "0.95^72 < 0.025)"
        if high is not None else "unbounded"
    )
    return (
        f"Monte Carlo probabilities over {runs} runs, with exact (Clopper-Pearson) 95 % confidence "
        f"intervals of the sampling error (more runs narrow them): {'; '.join(parts)}. Percentiles (_p05, _p50, "
        "_p95) are of each run's own figure over the runs (linear interpolation; nearest rank below where some "
        f"run is unbounded), each with a distribution-free 95 % interval in percentile_ci95: a p05 from {runs} "
        f"runs lies {where}."
    )


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


EVENT_COLUMNS = {
    "time_utc": "time of the step the event happened in (UTC, naive timestamp)",
    "step": "index of that time step from the period's start (0-based)",
    "event": "event kind (failure, repair_start, repair_done, awaiting_spares, delivery, element_online, load_shed, "
    "load_restored, brownout, policy_*, store_*, data_dropped, ...)",
    "element": "what the event is about: a component, load, store, element name or 'spares' / 'spares for X'; "
    "empty when none",
    "value": "the event's number; its meaning depends on the event (see docs/results.md and the report's note)",
}


def events_dataset(events: pd.DataFrame) -> xr.Dataset:
    """Run 0's event log as a Dataset over one ``row`` dimension (the Parquet file
    ``operations-operations_run0_events.parquet``), a description on each column."""
    frame = events.reset_index(drop=True)
    frame.index.name = "row"
    ds = xr.Dataset.from_dataframe(frame)
    for name, description in EVENT_COLUMNS.items():
        if name in ds:
            ds[name].attrs["description"] = description
    ds.attrs["description"] = "run 0's event log (at most 200,000 events)"
    return ds


def run_stage(ctx: RunContext) -> StageResult | None:
    """Run the operations stage; None when the scenario has no section for it."""
    scenario = ctx.scenario
    if scenario.operations is None:
        return None
    site = ctx.results.get("site")
    campaign = ctx.results.get("campaign")
    arrivals = campaign.products.get("arrivals") if campaign is not None else None
    hourly, mc, notes = simulate_scenario(
        scenario,
        site_products=site.products if site is not None else None,
        campaign_deliveries=campaign.products.get("deliveries") if campaign is not None else None,
        progress=ctx.progress,
        arrivals=arrivals,
        payload_kg=campaign.products.get("payload_kg") if campaign is not None else None,
        campaign_isru_steps=campaign.products.get("isru_production_steps") if campaign is not None else None,
        site_summary=site.summary if site is not None else None,
    )
    whole_station = station_from_section(scenario.operations, scenario.period.start_utc, all_online=True)
    station_masses = whole_station.masses_kg()
    summary: dict[str, Any] = dict(mc.summary)
    summary["run0_events"] = len(hourly.events)
    summary["power_system_mass_kg"] = float(sum(station_masses.values()))
    summary |= element_mass_not_landed_summary(
        scenario.operations, scenario.period.start_utc,
        campaign.products.get("payload_kg") if campaign is not None else None,
    )
    if campaign is not None:
        summary |= plan_isru_by_period_end_kg(campaign.products.get("isru_production_steps"), scenario.period.end_utc)
        summary |= plan_isru_draw_summary(scenario, campaign.products, hourly)
    counts = hourly.events["event"].value_counts()
    flat = {k: v for k, v in mc.summary.items() if k not in TABLE_KEYS}
    tables = [
        Table("Monte Carlo summary", pd.DataFrame({"quantity": list(flat), "value": list(flat.values())})),
        Table("Event counts (run 0)", counts.rename_axis("event").reset_index(name="count")),
        Table("Event log (run 0, first 300)", hourly.events.head(300)),
        Table(
            "Power system masses [kg]",
            pd.DataFrame(
                {
                    "element": list(station_masses),
                    "mass_kg": [m if m > 0 else None for m in station_masses.values()],
                    "note": ["" if m > 0 else "no mass_kg given: not counted" for m in station_masses.values()],
                }
            ),
        ),
    ]
    reliability = component_table(mc.dataset)
    datasets = {"operations_run0_hourly": hourly.dataset, "operations_monte_carlo": mc.dataset}
    if len(reliability):
        tables.insert(1, Table(reliability_title(int(mc.summary["runs"])), reliability))
        datasets["operations_components"] = xr.Dataset.from_dataframe(reliability.set_index("component"))
    loads = load_table(mc.dataset)
    if len(loads):
        tables.insert(1, Table(
            f"Loads over {int(mc.summary['runs'])} runs: robots, science, ISRU plants and the rest (hours scheduled "
            "by their `when` while online; share of those hours shed; energy served as a share of the energy asked, "
            "mean and p05, lowered by shedding and by failed units; energy served while running; standby energy got "
            "while not running; data made)",
            loads,
        ))
        datasets["operations_loads"] = xr.Dataset.from_dataframe(loads.set_index("load"))
    by_year = load_year_table(mc.dataset)
    if len(by_year):
        tables.insert(2, Table(
            f"Loads by calendar year, means over {int(mc.summary['runs'])} runs (as the station grows: hours "
            "scheduled by their `when` while online, hours shed, energy served, standby energy, data made)",
            by_year,
        ))
    # the file: every load in every calendar year of the period (0 h, 0 MWh, 0 TB where it was never scheduled
    # in a year, as in the per-run file), not only the rows the report shows
    every_year = load_year_table(mc.dataset, all_years=True)
    if len(every_year):
        datasets["operations_loads_by_year"] = xr.Dataset.from_dataframe(every_year.set_index(["load", "year"]))
    for name, frame, index in (
        ("operations_loads_by_month", load_month_table(mc.dataset), ["load", "month"]),
        ("operations_data_by_month", data_month_table(mc.dataset), ["month"]),
        ("operations_storage_by_month", storage_month_table(mc.dataset), ["month"]),
    ):
        if len(frame):
            datasets[name] = xr.Dataset.from_dataframe(frame.set_index(index))
    sensitivity = sensitivity_table(mc.dataset)
    if len(sensitivity):
        tables.append(Table(
            f"What drives the spread over {int(mc.summary['runs'])} runs: Spearman rank correlation of each input "
            "drawn from a distribution and of each component's failures with each run's figures (+1: the figure "
            "rises with it, -1: falls; blank: one of the two does not vary). Association over these runs, not "
            "cause; each run's drawn values are in the results (input_value)",
            sensitivity,
        ))
        datasets["operations_sensitivity"] = xr.Dataset.from_dataframe(sensitivity.set_index("driver"))
    datasets["operations_run0_events"] = events_dataset(hourly.events)
    notes.append(probability_note(mc.summary))
    unweighed = [name for name, m in station_masses.items() if not m > 0]
    if unweighed:
        notes.append(
            f"power_system_mass_kg leaves out {', '.join(unweighed)}: the scenario gives no mass_kg for them."
        )
    notes.append(
        "Event log: value is the station-wide unit index (the components' units numbered in scenario order) for "
        "failure, repair_start, repair_done and awaiting_spares; 0 for element_online and for "
        "policy_daylight_pause / _resume (daylight-only ISRU plants stopping at sunset and resuming at sunrise); "
        "the amount "
        "for delivery (kg, or spares); 1 (lack of power) or 2 (reserve policy) for load_shed; the unserved "
        "essential power [W] for brownout; the usable storage fraction for policy_reserve_shed / _release; the "
        "store [kg] for store_below_reserve, store_reserve_restored; the shortfall [kg] for store_empty; the bits lost "
        "for data_dropped."
    )
    notes.append(
        "Summary: _pNN is the NN-th percentile over the Monte Carlo runs of each run's own figure (its minimum, "
        "total or count); min_state_of_charge is the lowest battery state of charge of any run, relative to the "
        "nameplate capacity; consumables_reserve_days is how long the O2, water and food stores would last at the "
        "crew's draw, counted while crew are aboard; awaiting_spares_mean counts the failures per run that found no "
        "spare at hand (each then waits for a delivered spare, or to the end of the run)."
    )
    from lunarops.runner.stages.crew_dose import crew_dose

    dose_summary, dose_tables, dose_notes = crew_dose(
        scenario, campaign.products.get("deliveries") if campaign is not None else None, arrivals
    )
    summary.update(dose_summary)
    tables += dose_tables
    if dose_tables:
        datasets["operations_crew_stays"] = xr.Dataset.from_dataframe(dose_tables[0].frame)
    notes += dose_notes
    period = scenario.period
    online = online_table(scenario.operations, period.start_utc, arrivals, period.step_s, period.end_utc)
    if len(online):
        tables.append(Table("Elements coming online after the start", online))
        never = online["how"].str.contains("never online")
        summary["elements_online_later"] = int((~never).sum())
        summary["elements_never_online"] = int(never.sum())
        if never.any():
            names = list(online.loc[never, "element"])
            shown = ", ".join(repr(n) for n in names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
            everything = {getattr(e, "name", "") for e in scenario.operations.elements()} <= set(names)
            notes.append(
                f"{len(names)} operations element(s) never come online in this run: {shown} arrive after the "
                f"period's end ({period.end_utc:%Y-%m-%d})"
                + (
                    "; that is every element, so the station does nothing in this period and every operations "
                    "output is zero: lengthen period.end_utc past the missions' landings or give online_utc"
                    if everything
                    else "; lengthen period.end_utc past their landings to see them work"
                )
                + "."
            )
    notes.append(
        "The campaign plan feeds operations its crew and consumables (and spares, when its missions carry any) "
        "when they land, and brings online the elements (and initial stores) that arrive_with one of its missions "
        "(table 'Elements coming online after the start'), at the first step at or after the mission's landing "
        "date: its date plus the outbound transit (plus the run's operations.arrival_slips draw, if any), whether "
        "or not the plan flew its goods earlier. Before it comes "
        "online an element is not there: no power, no demand, no failures, no ageing (a storage unit keeps its "
        "charge); the life-support hardware comes online with its ECLSS load. Elements and stores with neither "
        "arrives_with nor online_utc, and the resupply list, are there from the period's start or their dates: "
        "the campaign does not launch them."
    )
    battery = scenario.operations.storage.battery
    figures = _figures(hourly, mc, battery.capacity_kwh * KWH_J if battery else None, _reserve_levels(whole_station))
    if len(hourly.events) >= 200_000:
        notes.append("the run-0 event log was cut at 200,000 events")
    return StageResult(
        name="operations",
        title="Station operations",
        summary=summary,
        datasets=datasets,
        figures=figures,
        tables=tables,
        notes=notes,
        products={"events": hourly.events, "monte_carlo": mc.dataset},
    )


#: Below this share of the steps with the direct link up, a direct_to_earth base returns almost nothing: said.
FEW_EARTH_STEPS = 0.01


def _earth_never_up(comms: Any, light: LightSeries, inputs: Any, site_name: str) -> list[str]:
    """A note when a ``direct_to_earth`` base (almost) never has the Earth above its horizon / antenna mask from
    the step the link comes online: a far-side base. Its data go nowhere without a relay."""
    if comms.mode != "direct_to_earth":
        return []
    on = int(inputs.elem_online[inputs.element_names.index(comms.name)])
    earth = light.direct_link[on:]
    if earth.size == 0:
        return []
    share = float(np.mean(earth))
    if share >= FEW_EARTH_STEPS:
        return []
    mask = "horizon" if comms.min_elevation_deg is None else f"horizon and the {comms.min_elevation_deg:g} deg mask"
    how = f"never above the {mask}" if share == 0.0 else f"above the {mask} only {share:.2%} of the steps"
    return [
        f"The Earth is {how} at {site_name!r} while the link {comms.name!r} is online, so "
        "comms.mode: direct_to_earth returns (almost) none of the base's data: the rest fills the buffer and is "
        "dropped. A far-side base needs a relay (Chang'e-4 sends through Queqiao, beyond the Moon at Earth-Moon "
        "L2): set operations.comms.mode: direct_or_relay and add an orbits section with relay orbiters "
        "(orbits.orbiters) that see both the base and the Earth."
    ]


def _psr_search(scenario: Any, site_summary: Mapping[str, Any] | None) -> tuple[str, float | None] | None:
    """What the site stage found about PSRs near the base: ("found", km), ("none", radius km) or
    ("unknown", None) with the reason in place of "unknown"; None when the site stage's summary is not at hand
    though it looked (nothing to say)."""
    terrain = scenario.terrain
    if terrain is None:
        return "the scenario has no terrain section, so the site stage did not look for PSRs", None
    if terrain.dem.strip().lower() == TERRAIN_NONE:
        return "terrain.dem is none (smooth sphere), so the site stage could not look for PSRs", None
    if not terrain.psr.enabled:
        return "terrain.psr.enabled is false, so the site stage did not look for PSRs", None
    from lunarops.illumination.site import resolve_terrain
    from lunarops.terrain import PolarStereographic

    dem = resolve_terrain(terrain.dem, "terrain.dem")
    if dem is None or not isinstance(dem.georeference, PolarStereographic):
        return (
            f"the DEM {terrain.dem!r} is not polar stereographic, so the site stage could not look for PSRs (it "
            "maps them on a polar DEM: 'south' or 'north')", None
        )
    if site_summary is None:
        return None
    key = f"psr_distance_km[{base_site(scenario).name}]"
    if key not in site_summary:
        return None
    km = site_summary[key]
    if km is not None and np.isfinite(km):
        return "found", float(km)
    return "none", float(terrain.psr.search_radius_km)


def _ice_without_psr(scenario: Any, site_summary: Mapping[str, Any] | None) -> list[str]:
    """A note when the station has an ice-extraction plant but the site stage found no PSR near the base (or
    could not look): the plant's ice content (ice_wt_pct) is then an assumption the terrain does not back."""
    plants = [p for p in scenario.operations.isru if p.kind == "ice_extraction"]
    if not plants:
        return []
    found = _psr_search(scenario, site_summary)
    if found is None or found[0] == "found":
        return []
    site = base_site(scenario)
    where = f"{abs(site.latitude_deg):.2f} {'N' if site.latitude_deg >= 0 else 'S'}"
    if found[0] == "none":
        why = f"the site stage found no PSR within {found[1]:g} km of {site.name!r} (terrain.psr.search_radius_km)"
    else:
        why = found[0]
    ice = ", ".join(f"{p.name} ({_pct(p.ice_wt_pct)} wt % ice)" for p in plants)
    return [
        f"Ice extraction: {ice} mine water ice that is assumed (ice_wt_pct), but {why}; the base is at {where}. "
        "The plants' water output (isru_water_kg) rests on that assumption: water ice is held in the cold traps "
        "of permanently shadowed regions near the poles. Site the base near a PSR (terrain section with a polar "
        "DEM, terrain.psr) or drop the plants."
    ]


#: Above this latitude a base stands in the highlands, far from any mare [deg] (the maria lie within about 65 deg of
#: the equator: Mare Frigoris, the highest, is centred at 56 N).
HIGHLANDS_LATITUDE_DEG = 70.0


def ilmenite_feed_notes(scenario: Any) -> list[str]:
    """A note per ilmenite plant at a polar (highland) base: its energy per kg O2 is a mare-grade figure."""
    plants = [p for p in scenario.operations.isru if p.kind == "ilmenite_reduction"]
    site = base_site(scenario)
    if not plants or abs(site.latitude_deg) < HIGHLANDS_LATITUDE_DEG:
        return []

    # TiO2 share of ilmenite FeTiO3 by mass, IUPAC standard atomic weights (abridged, CIAAW 2021): Fe 55.845,
    # Ti 47.867, O 15.999: 79.865 / 151.709 g/mol = 0.5264
    tio2_g_per_mol = 47.867 + 2 * 15.999
    ilmenite_g_per_mol = 55.845 + 47.867 + 3 * 15.999
    share = tio2_g_per_mol / ilmenite_g_per_mol
    feed_wt_pct, polar_tio2_wt_pct = 10.0, 1.0  # Leger et al. 2025's feed (ilmenite); Elphic et al. 2002 (TiO2)
    polar_wt_pct = polar_tio2_wt_pct / share  # all of the Ti in ilmenite: an upper bound
    names = ", ".join(f"{p.name} at {_pct(p.energy_kwh_per_kg_o2, ' kWh per kg O2')}" for p in plants)
    return [
        f"Ilmenite reduction at a polar base: {names}. Leger et al. 2025 (PNAS 122) measured 24.3 +- 5.8 kWh per "
        f"kg of O2 with a feed of {feed_wt_pct:g} wt % ilmenite. Highland regolith, as at the poles, holds far less: "
        f"TiO2 mostly below {polar_tio2_wt_pct:g} wt % (Lunar Prospector, Elphic et al. 2002, JGR 107(E4)), so at "
        f"most {polar_wt_pct:.1f} wt % ilmenite (FeTiO3 is {100 * share:.1f} % TiO2 by mass: "
        f"{tio2_g_per_mol:.3f} / {ilmenite_g_per_mol:.3f} g/mol). Heating the feed dominates the energy, so with "
        f"local soil expect roughly {feed_wt_pct:g} wt % / the ilmenite grade times the energy per kg: "
        f"{feed_wt_pct:g} / {polar_wt_pct:.1f} = {feed_wt_pct / polar_wt_pct:.1f}x at {polar_tio2_wt_pct:g} wt % "
        "TiO2, more below it. The O2 made here (isru_o2_kg) holds for a richer feed (beneficiated or "
        "brought in) or another oxygen-from-regolith process at that energy."
    ]


def _pct(value: UncertainFloat, unit: str = "") -> str:
    """An uncertain input as written (an ice_wt_pct, an energy): a number, or its distribution's centre and range,
    ``unit`` after the number ("24.3 kWh per kg O2 (normal, 12-45)")."""
    if isinstance(value, float | int):
        return f"{float(value):g}{unit}"
    if isinstance(value, NormalDistribution):
        return f"{value.mean:g}{unit} (normal, {value.low:g}-{value.high:g})"
    if isinstance(value, UniformDistribution):
        return f"{value.low:g}-{value.high:g}{unit} (uniform)"
    return f"{value.mode:g}{unit} (triangular, {value.low:g}-{value.high:g})"


def crew_below_zero_notes(station: Station, start: datetime) -> list[str]:
    """A note naming each step (operations.crew step or crew delivery: resupply or the campaign) after which more
    crew have left than arrived: the count is held at 0 there, so those departures draw nothing."""
    notes = []
    for time_s, count, what in crew_below_zero(station):
        when = (start + timedelta(seconds=time_s)).strftime("%Y-%m-%dT%H:%MZ")
        step = (
            f"the operations.crew step from {when}"
            if what == "schedule"
            else f"the crew delivery at {when} (resupply or a campaign departure)"
        )
        notes.append(
            f"Crew departures precede arrivals: after {step} the crew count would be {count:g}; it is held at 0 "
            "(nobody aboard, nothing drawn). Check the order of operations.crew steps and crew deliveries (a "
            "departure, amount < 0, after the matching arrival)."
        )
    return notes


def _crew_from_both(
    section: OperationsSection, start: datetime, campaign_deliveries: pd.DataFrame | None, inputs: Any
) -> list[str]:
    """A note when operations.crew and the crew the campaign lands are at the base at the same time: they add
    (a resident crew plus visitors), and the campaign's consumables are for its own crew only."""
    if not section.crew or campaign_deliveries is None or not len(campaign_deliveries):
        return []
    landed = campaign_deliveries[campaign_deliveries["commodity"] == "crew"]
    if not len(landed):
        return []
    n = inputs.n_steps
    time_s = np.arange(n) * inputs.dt_s  # as ops.inputs.crew_series counts them: from the first step at or after
    own = np.zeros(n)
    own_from = np.full(n, -1)
    steps = sorted(((s.from_utc - start).total_seconds(), s.count, i) for i, s in enumerate(section.crew))
    for start_s, count, i in steps:
        own[time_s >= start_s] = float(count)
        own_from[time_s >= start_s] = i
    camp = np.zeros(n)
    camp_from = np.full(n, -1)
    stamps = pd.to_datetime(landed["time_utc"], utc=True)
    order = np.argsort(stamps.to_numpy(), kind="stable")
    for k in order:
        t_s = (stamps.iloc[k].to_pydatetime() - start).total_seconds()
        amount = float(landed["amount"].iloc[k])
        camp[time_s >= t_s] += amount
        if amount > 0:
            camp_from[time_s >= t_s] = k
    camp = np.maximum(camp, 0.0)
    both = (own > 0) & (camp > 0)
    if not both.any():
        return []
    times = inputs.times()
    end = times[-1] + np.timedelta64(round(inputs.dt_s * 1e6), "us")
    key = np.where(both, own * 1e6 + camp, -1.0)  # a spell: steps in a row with the same two counts
    edges = np.flatnonzero(np.diff(np.concatenate([[-1.0], key, [-1.0]])) != 0)
    spells = []
    for a, b in pairwise(edges):
        if not both[a]:
            continue
        entry = section.crew[int(own_from[a])]
        landing = stamps.iloc[int(camp_from[a])] if camp_from[a] >= 0 else stamps.iloc[int(order[0])]
        until = str(times[b] if b < n else end)[:16].replace("T", " ")
        spells.append(
            f"operations.crew ({entry.count} from {entry.from_utc:%Y-%m-%d %H:%M}) adds to the crew the campaign "
            f"lands ({camp[a]:g} on {landing:%Y-%m-%d %H:%M}): {own[a] + camp[a]:g} at the base from "
            f"{str(times[a])[:16].replace('T', ' ')} to {until} UTC ({(b - a) * inputs.dt_s / 3600.0:,.0f} h)"
        )
    shown = "; ".join(spells[:5]) + (f"; and {len(spells) - 5} more such spells" if len(spells) > 5 else "")
    return [
        f"{shown}. The two add: a resident crew (operations.crew) plus the crew the campaign lands is legitimate, "
        "but the campaign delivers consumables for its own crew only; the operations.crew's come from "
        "operations.consumables and resupply. If they are the same people, take them out of operations.crew (a "
        "count of 0 from the campaign's landing)."
    ]
