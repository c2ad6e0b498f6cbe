"""Power-system sizing: the lightest array + storage (or fission plant) for a load at a site (layer 2).

The method follows Colozza (2020, NASA/CR-2020-220368): the array must carry the load by day and recharge
storage for the night; storage must carry the load through the worst darkness. Here both come from the
site's real light time series rather than an idealised day/night split. A design must close cyclically: over
the sizing period the energy generated covers the load plus the storage losses (storage ends no lower than it
started, so the design repeats period after period), and the storage is the largest drawdown of the cyclic
(wrapped) cumulative energy balance, in delivered-energy units. A is chosen to minimise total mass. Sizing is
at end of life: the array's output is derated by its degradation over the period, and the battery's nameplate
is raised by its capacity fade over the period.

Cyclic closure joins the series' end to its start, so the series must be a period that repeats: a whole number
of lunar day-night cycles (synodic months, ``SYNODIC_MONTH_D``). A window of a year (365.25 d = 12.37
lunations) joins a part-night to a part-day and stitches two part-nights into one fake night, sizing the
storage on it; ``lunation_window`` gives the whole lunations to size on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lunarops.checks import is_real_number
from lunarops.errors import InfeasibleError, InputError
from lunarops.ops.inputs import require_count, require_real

#: Higher heating value of hydrogen burnt to liquid water per kg of water formed:
#: 285.83 kJ/mol (NIST-JANAF, H2O(l) formation enthalpy) / 18.015 g/mol. [J/kg]
HHV_PER_KG_WATER_J = 285.83e3 / 18.015e-3
#: Kilopower 10 kWe unit (Colozza 2020, NASA/CR-2020-220368, citing the KRUSTY-derived design). [W, kg]
KILOPOWER_UNIT_POWER_W = 10e3
KILOPOWER_UNIT_MASS_KG = 1545.0
#: Julian year, the unit of the degradation and fade rates. [s]
YEAR_S = 365.25 * 86400.0
#: The sizing options ``size_power`` knows.
OPTIONS = ("pv_battery", "pv_rfc", "fission")
#: Mean synodic month, new moon to new moon: one lunar day and night at a non-polar site. 29.530588861 d at
#: J2000 (Meeus 1998, Astronomical Algorithms, 2nd ed., ch. 49; the Astronomical Almanac's 29.530589 d). [d]
SYNODIC_MONTH_D = 29.530589
#: Eclipse (draconic) year: the Sun's return to the same lunar node, i.e. the period of the Sun's declination
#: in the Moon's equatorial frame (amplitude 1.54 deg, Cassini's laws): the lunar seasons. 346.620075883 d at
#: J2000 (Meeus 1998, ch. 49 / Astronomical Almanac). [d]
ECLIPSE_YEAR_D = 346.620075883


@dataclass(frozen=True)
class LunationWindow:
    """The whole lunations to size on: ``lunations`` synodic months, ``window_days`` long, ``steps`` steps of the
    series (the window rounded to whole steps); ``requested_days`` the period asked for. ``lunations`` is 0
    when the period is shorter than one synodic month (nothing repeats: refuse it)."""

    requested_days: float
    lunations: int
    window_days: float
    steps: int

    @property
    def dropped_days(self) -> float:
        return max(self.requested_days - self.window_days, 0.0)

    @property
    def covers_eclipse_year(self) -> bool:
        """Whether the window holds a whole year of lunar seasons (the Sun's elevation at the poles)."""
        return self.window_days >= ECLIPSE_YEAR_D


def lunation_window(requested_days: float, step_s: float) -> LunationWindow:
    """The most whole synodic months that fit in ``requested_days`` (rounded down: the window stays inside the
    period asked for, where a scenario has its load and light; a period within half a step of a whole number
    of lunations counts as that number), and the window's length in ``step_s`` steps (nearest whole step, so
    the seam is off the true lunation by at most half a step). Raises InputError for a bad argument."""
    require_real("requested_days", requested_days, "d")
    require_real("step_s", step_s, "s")
    month_s = SYNODIC_MONTH_D * 86400.0
    lunations = int(np.floor((requested_days * 86400.0 + 0.5 * step_s) / month_s))
    window_s = lunations * month_s
    return LunationWindow(float(requested_days), lunations, window_s / 86400.0, round(window_s / step_s))


@dataclass(frozen=True)
class PowerTechnology:
    """Mass and efficiency figures of the power technologies (defaults: Colozza 2020, NASA/CR-2020-220368).

    Array: blanket 1.59 kg/m2 + structure 0.55 kg/m2, 25 % array efficiency. Li-ion: 200 Wh/kg at 80 %
    depth of discharge. RFC: fuel cell 0.65 and electrolyser 0.85 (round trip about 0.55). The RFC tank and
    stack figures are this module's assumptions (not given in the reference): hydrogen tank 10 kg per kg H2
    (a composite pressure vessel at a few hundred bar stores 5-10 wt % hydrogen), oxygen tank 0.5 kg per kg
    O2, water tank 0.1 kg per kg water, fuel cell and electrolyser stacks 100 W/kg each. Li-ion charge and
    discharge efficiencies: 1.0, because the reference does not give them (a scenario's battery gives its own).
    ``array_degradation_per_year`` (output lost per year) and ``battery_fade_per_year`` (capacity lost per
    year), both in [0, 1), default 0, are applied over the sizing period as in the simulation engine:
    (1 - rate) ** years.
    """

    array_efficiency: float = 0.25
    array_blanket_kg_per_m2: float = 1.59
    array_structure_kg_per_m2: float = 0.55
    battery_specific_energy_j_per_kg: float = 200.0 * 3600.0
    battery_depth_of_discharge: float = 0.8
    battery_charge_efficiency: float = 1.0
    battery_discharge_efficiency: float = 1.0
    fuel_cell_efficiency: float = 0.65
    electrolyser_efficiency: float = 0.85
    h2_tank_kg_per_kg: float = 10.0
    o2_tank_kg_per_kg: float = 0.5
    water_tank_kg_per_kg: float = 0.1
    fuel_cell_w_per_kg: float = 100.0
    electrolyser_w_per_kg: float = 100.0
    fission_unit_power_w: float = KILOPOWER_UNIT_POWER_W
    fission_unit_mass_kg: float = KILOPOWER_UNIT_MASS_KG
    array_degradation_per_year: float = 0.0
    battery_fade_per_year: float = 0.0

    def __post_init__(self) -> None:
        """Every field a finite number: efficiencies and depth of discharge in (0, 1]; specific energy, stack
        power densities and the fission unit power > 0 (they divide); masses per m2 or kg and the fission
        unit mass >= 0."""
        for name in (
            "array_efficiency",
            "battery_depth_of_discharge",
            "battery_charge_efficiency",
            "battery_discharge_efficiency",
            "fuel_cell_efficiency",
            "electrolyser_efficiency",
        ):
            value = getattr(self, name)
            real = is_real_number(value)
            if not (real and 0.0 < value <= 1.0):  # NaN fails too
                raise InputError(f"{name} = {value!r} must be a finite number in (0, 1]")
        for name, unit in (
            ("battery_specific_energy_j_per_kg", "J/kg"),
            ("fuel_cell_w_per_kg", "W/kg"),
            ("electrolyser_w_per_kg", "W/kg"),
            ("fission_unit_power_w", "W"),
        ):
            require_real(name, getattr(self, name), unit)
        for name, unit in (
            ("array_blanket_kg_per_m2", "kg/m2"),
            ("array_structure_kg_per_m2", "kg/m2"),
            ("h2_tank_kg_per_kg", "kg/kg"),
            ("o2_tank_kg_per_kg", "kg/kg"),
            ("water_tank_kg_per_kg", "kg/kg"),
            ("fission_unit_mass_kg", "kg"),
        ):
            require_real(name, getattr(self, name), unit, strict=False)
        for name in ("array_degradation_per_year", "battery_fade_per_year"):
            value = getattr(self, name)
            if not (is_real_number(value) and 0.0 <= value < 1.0):  # NaN fails too
                raise InputError(f"{name} = {value!r} must be a finite number in [0, 1) (0.01 for 1 % a year)")


@dataclass(frozen=True)
class SizingResult:
    """The chosen system and its masses. [m2, J, W, kg]

    ``storage_delivered_j``: energy the storage must deliver (end of life); ``storage_nameplate_j``: the
    nameplate to buy (battery: delivered / discharge efficiency / depth of discharge / end-of-life capacity
    factor; RFC: the delivered energy). ``array_peak_w_bol`` / ``array_peak_w_eol``: the array's largest output
    over the series at beginning / end of life. ``array_eol_factor`` and ``storage_eol_factor``: (1 - rate) **
    years over the period. ``drawdown_start_step`` / ``drawdown_end_step``: the steps (0-based, into the series;
    the end may be before the start when the deepest drawdown wraps past the period's end) of the storage's
    last full point before its deepest drawdown and of that drawdown's bottom; -1 without storage.
    ``period_balance_j``: the period's net energy at the storage (surplus after storage losses minus deficit)
    of the chosen design, >= 0 (cyclic closure)."""

    option: str
    array_area_m2: float
    storage_delivered_j: float
    storage_nameplate_j: float
    fission_units: int
    masses_kg: dict[str, float]
    array_peak_w_bol: float = 0.0
    array_peak_w_eol: float = 0.0
    array_eol_factor: float = 1.0
    storage_eol_factor: float = 1.0
    drawdown_start_step: int = -1
    drawdown_end_step: int = -1
    period_balance_j: float = 0.0

    @property
    def total_mass_kg(self) -> float:
        return float(sum(self.masses_kg.values()))


def _flow_j(
    gen_w: NDArray[np.float64], load_w: NDArray[np.float64], dt_s: float, eta_in: float, eta_out: float
) -> NDArray[np.float64]:
    """Energy into (+) or out of (-) storage at each step, in delivered units. [J]"""
    net = gen_w - load_w
    return np.asarray(np.where(net > 0.0, net * eta_in * eta_out, net) * dt_s, dtype=np.float64)


def storage_drawdown_j(
    gen_w: NDArray[np.float64],
    load_w: NDArray[np.float64],
    dt_s: float,
    eta_in: float,
    eta_out: float,
    cyclic: bool = False,
) -> NDArray[np.float64]:
    """Smallest storage (delivered energy) that carries ``load_w`` when starting full, for each row of
    ``gen_w`` (shape (..., time)). Surplus enters at ``eta_in * eta_out`` (stored in delivered units), deficit
    leaves at 1: the answer is the largest drop of the cumulative balance below its running maximum. With
    ``cyclic`` the series is taken as repeating (the balance is wrapped: a drawdown may run past the end into
    the start), which is the storage a design needs period after period when the period's balance is >= 0. [J]"""
    flow = _flow_j(gen_w, load_w, dt_s, eta_in, eta_out)
    if cyclic:
        flow = np.concatenate([flow, flow], axis=-1)
    level = np.cumsum(flow, axis=-1)
    running_max = np.maximum.accumulate(np.maximum(level, 0.0), axis=-1)
    return np.asarray(np.max(running_max - level, axis=-1), dtype=np.float64)


def deepest_drawdown_steps(flow_j: NDArray[np.float64]) -> tuple[int, int]:
    """(start, bottom) steps of the deepest drawdown of the cyclic balance of a 1-D ``flow_j``: the last full
    point before it and its bottom, both as steps into the series (mod its length)."""
    n = flow_j.shape[0]
    level = np.concatenate([[0.0], np.cumsum(np.concatenate([flow_j, flow_j]))])
    running_max = np.maximum.accumulate(level)
    bottom = int(np.argmax(running_max - level))
    top = int(bottom - np.argmax(level[: bottom + 1][::-1] == running_max[bottom]))
    # level[k] is the state after k steps: the drawdown runs from step `top` to step `bottom - 1`
    return top % n, max(bottom - 1, top) % n


def longest_dark_spell(irradiance_w_per_m2: ArrayLike) -> tuple[int, int]:
    """(first step, number of steps) of the longest run of steps without sunlight on the array (irradiance 0),
    wrapped like the cyclic balance; (-1, 0) when every step is lit."""
    dark = np.asarray(irradiance_w_per_m2, dtype=np.float64) <= 0.0
    n = dark.shape[0]
    if not dark.any():
        return -1, 0
    if dark.all():
        return 0, n
    # rotate so that the series starts lit: no run is then cut by the ends
    shift = int(np.argmin(dark))
    rolled = np.roll(dark, -shift).astype(int)
    edges = np.diff(np.concatenate([[0], rolled, [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    k = int(np.argmax(ends - starts))
    return int((starts[k] + shift) % n), int(ends[k] - starts[k])


def _pv_mass(area_m2: NDArray[np.float64], tech: PowerTechnology) -> NDArray[np.float64]:
    return area_m2 * (tech.array_blanket_kg_per_m2 + tech.array_structure_kg_per_m2)


def rfc_mass_kg(
    delivered_j: float, fuel_cell_w: float, electrolyser_w: float, tech: PowerTechnology
) -> dict[str, float]:
    """RFC masses: reactants from the energy (water formed at the fuel cell's efficiency on the HHV), tanks,
    stacks. [kg]"""
    water = delivered_j / (tech.fuel_cell_efficiency * HHV_PER_KG_WATER_J)
    h2 = water * 2.016 / 18.015
    o2 = water - h2
    return {
        "rfc_reactants": water,
        "rfc_tanks": h2 * tech.h2_tank_kg_per_kg + o2 * tech.o2_tank_kg_per_kg + water * tech.water_tank_kg_per_kg,
        "rfc_fuel_cell": fuel_cell_w / tech.fuel_cell_w_per_kg,
        "rfc_electrolyser": electrolyser_w / tech.electrolyser_w_per_kg,
    }


def size_power(
    irradiance_w_per_m2: ArrayLike,
    load_w: ArrayLike,
    dt_s: float,
    option: Literal["pv_battery", "pv_rfc", "fission"],
    margin: float = 0.0,
    tech: PowerTechnology | None = None,
    n_areas: int = 400,
    life_years: float | None = None,
) -> SizingResult:
    """Lightest system of one ``option`` that serves ``load_w * (1 + margin)`` through the light series.

    ``irradiance_w_per_m2`` is the sunlight on the array plane at each step (flux x visible fraction x
    cos incidence; 1-D, at least one step, finite and >= 0), ``load_w`` the load at each step (scalar or a
    series as long as the irradiance), ``dt_s`` the step (finite, > 0) [s], ``option`` one of ``OPTIONS``,
    ``n_areas`` (>= 1) the number of array areas tried, ``life_years`` the years over which the array
    degradation and battery fade are applied (default: the series' length; give the mission's period when the
    series is a repeating window of it, e.g. ``lunation_window``). The series is taken as repeating (cyclic
    closure): give a whole number of lunations. Raises InputError for a bad argument and InfeasibleError when
    no array of up to 20 times the energy-balance minimum closes the balance.
    """
    if option not in OPTIONS:
        raise InputError(f"option = {option!r} is not known; use {', '.join(OPTIONS[:-1])} or {OPTIONS[-1]}")
    if tech is not None and not isinstance(tech, PowerTechnology):
        raise InputError(f"tech = {tech!r:.60} must be a PowerTechnology (or None for the defaults)")
    tech = tech or PowerTechnology()
    if not (is_real_number(margin) and np.isfinite(margin) and margin >= 0):
        raise InputError(f"margin = {margin!r} must be finite and >= 0 (0.2 for 20 %)")
    require_real("dt_s", dt_s, "s")
    require_count("n_areas", n_areas, 1)
    if life_years is not None:
        require_real("life_years", life_years, "years", strict=False)
    try:
        irr = np.asarray(irradiance_w_per_m2, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"irradiance_w_per_m2 = {irradiance_w_per_m2!r:.60} must be an array of numbers") from None
    if irr.ndim != 1 or irr.shape[0] == 0:
        raise InputError(f"irradiance_w_per_m2 has shape {irr.shape}; it must be 1-D with at least one step [W/m2]")
    bad = ~((irr >= 0.0) & (irr < np.inf))  # NaN fails both
    if bad.any():
        where = np.flatnonzero(bad)
        raise InputError(
            f"irradiance_w_per_m2 has {where.size} of {irr.size} values that are not finite numbers >= 0 "
            f"(first: irradiance_w_per_m2[{where[0]}] = {irr[where[0]].item()!r}) [W/m2]; fix the light series"
        )
    try:
        load_arr = np.asarray(load_w, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"load_w = {load_w!r:.60} must be a number or an array of numbers [W]") from None
    if load_arr.ndim > 1 or (load_arr.ndim == 1 and load_arr.shape[0] not in (1, irr.shape[0])):
        raise InputError(
            f"load_w has shape {load_arr.shape}; give a scalar or a series of shape {irr.shape} like "
            "irradiance_w_per_m2 [W]"
        )
    given = np.broadcast_to(load_arr, irr.shape)
    wrong = ~(np.isfinite(given) & (given >= 0))
    if np.any(wrong):
        raise InputError(
            f"load_w = {float(given[wrong].flat[0])!r} must be a finite number >= 0 [W] (--load-kw x 1000)"
        )
    if not np.any(given > 0):
        raise InputError("load_w is 0 at every step: there is nothing to size; give a load > 0 [W]")
    load = given * (1.0 + margin)
    peak = float(load.max()) if load.size else 0.0
    if option == "fission":
        units = int(np.ceil(peak / tech.fission_unit_power_w - 1e-12))
        return SizingResult("fission", 0.0, 0.0, 0.0, units, {"fission": units * tech.fission_unit_mass_kg})
    n = irr.shape[0]
    years = n * float(dt_s) / YEAR_S if life_years is None else float(life_years)
    array_eol = (1.0 - tech.array_degradation_per_year) ** years
    storage_eol = (1.0 - tech.battery_fade_per_year) ** years if option == "pv_battery" else 1.0
    unit_gen = irr * tech.array_efficiency * array_eol  # W per m2 of array at end of life
    if option == "pv_battery":
        eta_in, eta_out = tech.battery_charge_efficiency, tech.battery_discharge_efficiency
    else:
        eta_in, eta_out = tech.electrolyser_efficiency, tech.fuel_cell_efficiency
    # energy balance: sum(A g - L)+ * eta >= sum(L - A g)+ ; lower bound when all generation is surplus
    energy_load = float(load.sum())
    energy_unit = float(unit_gen.sum())
    if energy_unit <= 0:
        span_d = n * float(dt_s) / 86400.0
        if span_d < SYNODIC_MONTH_D:
            raise InfeasibleError(
                f"the array gets no sunlight over the series ({span_d:g} d), which is shorter than one lunar day "
                f"and night ({SYNODIC_MONTH_D} d, the synodic month): it may lie inside one night; size on whole "
                "lunations (lunation_window), or choose option 'fission'"
            )
        raise InfeasibleError("the site gets no sunlight on the array over the period: choose option 'fission'")
    a_low = energy_load / energy_unit
    areas = a_low * np.geomspace(1.0, 20.0, n_areas)
    drawdown = np.empty(n_areas)
    balance = np.empty(n_areas)
    for k in range(0, n_areas, 50):
        gen = areas[k : k + 50, None] * unit_gen[None, :]
        drawdown[k : k + 50] = storage_drawdown_j(gen, load[None, :], dt_s, eta_in, eta_out, cyclic=True)
        balance[k : k + 50] = np.sum(_flow_j(gen, load[None, :], dt_s, eta_in, eta_out), axis=1)
    # cyclic closure: over the whole period the generation covers the load and the storage losses, so that the
    # storage ends no lower than it started and the design repeats period after period
    # (to rounding: with lossless storage the lightest array, a_low, balances to zero within 1e-12 of the load)
    ok = balance >= -1e-12 * energy_load * dt_s
    if not np.any(ok):
        raise InfeasibleError(
            f"no array up to {areas[-1]:.0f} m2 carries {peak / 1e3:.1f} kW through this light series; "
            "choose a better-lit site, a fission plant, or a smaller load"
        )
    pv = _pv_mass(areas, tech)
    if option == "pv_battery":
        nameplate = drawdown / eta_out / tech.battery_depth_of_discharge / storage_eol
        storage_mass = nameplate / tech.battery_specific_energy_j_per_kg
        total = pv + storage_mass
    else:
        surplus_peak = np.max(areas[:, None] * unit_gen[None, :] - load[None, :], axis=1)
        nameplate = drawdown
        total = pv + np.array(
            [sum(rfc_mass_kg(drawdown[i], peak, max(surplus_peak[i], 0.0), tech).values()) for i in range(n_areas)]
        )
    total = np.where(ok, total, np.inf)
    best = int(np.argmin(total))
    masses = {
        "array_blanket": float(areas[best] * tech.array_blanket_kg_per_m2),
        "array_structure": float(areas[best] * tech.array_structure_kg_per_m2),
    }
    if option == "pv_battery":
        masses["battery"] = float(storage_mass[best])
    else:
        surplus = float(np.max(areas[best] * unit_gen - load))
        masses.update(rfc_mass_kg(float(drawdown[best]), peak, max(surplus, 0.0), tech))
    flow = _flow_j(areas[best] * unit_gen, load, dt_s, eta_in, eta_out)
    top, bottom = deepest_drawdown_steps(flow) if drawdown[best] > 0 else (-1, -1)
    peak_bol = float(areas[best] * tech.array_efficiency * irr.max())
    return SizingResult(
        option,
        float(areas[best]),
        float(drawdown[best]),
        float(nameplate[best]),
        0,
        masses,
        array_peak_w_bol=peak_bol,
        array_peak_w_eol=peak_bol * array_eol,
        array_eol_factor=float(array_eol),
        storage_eol_factor=float(storage_eol),
        drawdown_start_step=top,
        drawdown_end_step=bottom,
        period_balance_j=float(balance[best]),
    )


#: where each PowerTechnology default comes from (for the notes of `lunarops power size`)
DEFAULT_SOURCES = {
    "array_efficiency": "Colozza 2020",
    "array_specific_mass": "Colozza 2020 (1.59 + 0.55 kg/m2)",
    "array_degradation_per_year": "none assumed",
    "battery_specific_energy_wh_per_kg": "Colozza 2020",
    "battery_depth_of_discharge": "Colozza 2020",
    "battery_charge_efficiency": "Colozza 2020 gives none: 1.0, i.e. lossless",
    "battery_discharge_efficiency": "Colozza 2020 gives none: 1.0, i.e. lossless",
    "battery_fade_per_year": "none assumed",
    "fuel_cell_efficiency": "Colozza 2020",
    "electrolyser_efficiency": "Colozza 2020",
}

