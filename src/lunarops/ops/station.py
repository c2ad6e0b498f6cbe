"""The station as the engine sees it: frozen objects in SI units (layer 2).

Times are seconds since the start of the simulation; powers W; energies J; masses kg; data bits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from lunarops.errors import InputError
from lunarops.ops import functions as fn
from lunarops.ops.lifesupport import BVAD, CrewRates, LoopClosure
from lunarops.ops.thermal import ThermalLoad
from lunarops.ops.uncertain import Uncertain
from lunarops.schedules import When

_ZERO = Uncertain("fixed", 0.0)
_FIVE_PCT = Uncertain("fixed", 0.05)

Tracking = Literal["fixed", "vertical_single_axis", "two_axis"]
Commodity = Literal["o2_kg", "water_kg", "food_kg", "propellant_kg", "spares", "crew"]

#: Store indices used by the engine.
STORES: tuple[str, ...] = ("o2_kg", "water_kg", "food_kg", "propellant_kg")
#: Named life-support functions a component may target (their failure opens the loop).
LIFE_SUPPORT_TARGETS: tuple[str, ...] = ("water_recovery", "oxygen_generation", "co2_reduction")


@dataclass(frozen=True)
class SolarArray:
    """A photovoltaic array. ``cell_efficiency`` is the array-level conversion efficiency. [-]"""

    name: str
    area_m2: float
    cell_efficiency: Uncertain
    degradation_per_year: Uncertain = _ZERO
    tracking: Tracking = "vertical_single_axis"
    tilt_rad: float = 0.0
    azimuth_rad: float = 0.0
    mast_height_m: float = 0.0
    mass_kg: float = 0.0
    online_s: float = float("-inf")  # when the element comes online [s]; before it, it is not there


@dataclass(frozen=True)
class ConstantSource:
    """A radioisotope unit (decays with Pu-238, and its thermocouples lose ``degradation_per_year`` of the power
    each year) or a fission plant (constant power). [W, kg]"""

    name: str
    power_w: float
    count: int = 1
    mass_kg: float = 0.0
    radioisotope: bool = False
    online_s: float = float("-inf")  # when the element comes online [s]; before it, it is not there
    degradation_per_year: float = 0.0


@dataclass(frozen=True)
class Battery:
    """A Li-ion battery. ``capacity_j`` is the nameplate energy; usable is ``depth_of_discharge`` of it."""

    name: str
    capacity_j: float
    depth_of_discharge: float
    charge_efficiency: Uncertain
    discharge_efficiency: Uncertain
    max_charge_w: float
    max_discharge_w: float
    initial_state_of_charge: float = 1.0
    capacity_fade_per_year: float = 0.0
    mass_kg: float = 0.0
    online_s: float = float("-inf")  # when the element comes online [s]; before it, it is not there


@dataclass(frozen=True)
class FuelCellStorage:
    """A regenerative fuel cell. ``capacity_j`` is the electric energy the fuel cell delivers from full tanks."""

    name: str
    capacity_j: float
    fuel_cell_efficiency: Uncertain
    electrolyser_efficiency: Uncertain
    fuel_cell_w: float
    electrolyser_w: float
    initial_fill: float = 1.0
    mass_kg: float = 0.0
    online_s: float = float("-inf")  # when the element comes online [s]; before it, it is not there


@dataclass(frozen=True)
class Load:
    """A power load. ``priority`` 1 is the most essential; loads are shed from the highest number down.

    It draws ``power_w`` while it runs (its ``when``, from ``start_s`` to ``end_s``, not shed), else ``standby_w``
    (keep-alive: never shed) from ``start_s`` to ``end_s``; both per crew member when ``per_crew``, both scaled by
    its availability (0 before ``online_s``). [W]"""

    name: str
    power_w: float
    priority: int = 1
    when: When | tuple[When, ...] = "always"  # a tuple: all of them at once
    per_crew: bool = False
    start_s: float = float("-inf")
    end_s: float = float("inf")
    shed_below_reserve: bool = False
    data_rate_bps: float = 0.0
    daylight_only: bool = False
    online_s: float = float("-inf")  # when the element comes online [s]; before it, it is not there
    reserve_state_of_charge: float | None = None  # its own reserve threshold (default: the policy's); implies
    # shed_below_reserve
    standby_w: float = 0.0  # keep-alive power while not running (at most power_w) [W]
    # a heater: its power each step from its enclosure's heat balance (lunarops.ops.thermal), at most power_w
    # (the heater's capacity); standby_w then at most that need
    thermal: ThermalLoad | None = None


@dataclass(frozen=True)
class IsruPlant:
    """An ISRU plant (a load that makes water or oxygen from the energy it is served).

    ``ice_extraction``: water at ``ice_extraction_energy_j_per_kg(ice_mass_fraction, regolith_energy,
    water_energy)``. ``ilmenite_reduction``: oxygen at ``o2_energy_j_per_kg``. ``water_electrolysis``: splits
    stored water (``power_w`` / ``energy_j_per_kg_water`` kg/s at full power) into O2 and H2 by mass (15.999 and
    2.016 of 18.015), liquefied into its LOX and LH2 stores, which lose ``*_boil_off_fraction_per_day`` of their
    content a day (passive boil-off, compounded each step); it splits no water below ``min_water_kg``.
    """

    name: str
    kind: Literal["ice_extraction", "ilmenite_reduction", "water_electrolysis"]
    power_w: float
    priority: int = 3
    daylight_only: bool = True
    shed_below_reserve: bool = True
    ice_mass_fraction: Uncertain = _FIVE_PCT
    regolith_energy_j_per_kg: Uncertain = _ZERO
    water_energy_j_per_kg: Uncertain = _ZERO
    o2_energy_j_per_kg: Uncertain = _ZERO
    mass_kg: float = 0.0
    online_s: float = float("-inf")  # when the element comes online [s]; before it, it is not there
    reserve_state_of_charge: float | None = None  # its own reserve threshold (default: the policy's); implies
    # shed_below_reserve
    # water_electrolysis: electrolysis (HHV / efficiency) + liquefaction of its O2 and H2, per kg water split [J/kg]
    energy_j_per_kg_water: float = 0.0
    lox_capacity_kg: float = float("inf")
    lh2_capacity_kg: float = float("inf")
    lox_boil_off_fraction_per_day: float = 0.0
    lh2_boil_off_fraction_per_day: float = 0.0
    min_water_kg: float = 0.0


@dataclass(frozen=True)
class LinkBudget:
    """A radio link's budget: the rate that closes it falls with the square of the range
    (``lunarops.ops.functions.link_rate_bps``). ``rates_bps`` (optional, increasing): the modem's discrete
    rates; the link then runs at the highest of them that closes (``lunarops.ops.functions.modem_rate_bps``)."""

    frequency_hz: float
    eirp_dbw: float
    g_over_t_db_per_k: float
    required_eb_n0_db: float
    margin_db: float = 3.0
    losses_db: float = 0.0
    rates_bps: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        if self.rates_bps is None:
            return
        rates = np.asarray(self.rates_bps, dtype=np.float64)
        if rates.ndim != 1 or rates.size == 0 or not np.all(np.isfinite(rates) & (rates > 0.0)):
            raise InputError(
                f"link budget rates_bps = {self.rates_bps!r:.80} must be one or more finite rates > 0 [bit/s]; "
                "give the modem's rates, e.g. (1e6, 2e6, 5e6), or None for a continuous rate"
            )
        if np.any(np.diff(rates) <= 0.0):
            fixed = tuple(float(r) for r in np.unique(rates))
            raise InputError(
                f"link budget rates_bps = {self.rates_bps!r:.80} must increase strictly; give {fixed!r:.80}"
            )
        object.__setattr__(self, "rates_bps", tuple(float(r) for r in rates))

    def rate_bps(self, range_m: NDArray[np.float64], cap_bps: float = float("inf")) -> NDArray[np.float64]:
        """The highest rate that closes the link at each range, at most ``cap_bps`` [bit/s]: with ``rates_bps``
        the highest listed rate at or below the cap that closes (0 where none does)."""
        closing = fn.link_rate_bps(
            range_m,
            self.frequency_hz,
            self.eirp_dbw,
            self.g_over_t_db_per_k,
            self.required_eb_n0_db,
            self.margin_db,
            self.losses_db,
        )
        if self.rates_bps is None:
            return closing if cap_bps == float("inf") else np.minimum(cap_bps, closing)
        return fn.modem_rate_bps(closing, [r for r in self.rates_bps if r <= cap_bps])


@dataclass(frozen=True)
class CommLink:
    """The base's link to Earth: downlink at ``downlink_bps`` while the direct link is up
    (``LightSeries.direct_link``) and closes, else at ``relay_bps`` while the light series says a relay path exists
    (``LightSeries.relay_visible``), while ``load`` (if named) is served. ``relay_bps`` 0 (the default): direct to
    Earth only. A direct budget closing no modem rate (rate 0) hands the step to a relay, as the Earth down does.

    With a budget (``direct_budget``, ``relay_budget``) the rate at each step is the lower of the fixed rate
    (the modem's highest) and the budget's rate at that step's range (``LightSeries.earth_distance_m``, the
    base to the Earth's centre; ``LightSeries.relay_range_m``, the base to the nearest relay). The relay's own
    link to Earth (the trunk: ``trunk_budget`` at ``LightSeries.relay_earth_distance_m``, capped by ``trunk_bps``)
    limits the relayed rate when given: the relay leg runs at the lower of its two hops."""

    name: str
    downlink_bps: float
    buffer_bits: float
    load: str | None = None
    relay_bps: float = 0.0
    online_s: float = float("-inf")  # when the element comes online [s]; before it, it is not there
    direct_budget: LinkBudget | None = None
    relay_budget: LinkBudget | None = None
    trunk_budget: LinkBudget | None = None  # the relay's own link to Earth, at LightSeries.relay_earth_distance_m
    trunk_bps: float = float("inf")  # the trunk's fixed rate (cap); inf: none

    def __post_init__(self) -> None:
        trunk = self.trunk_budget is not None or self.trunk_bps != float("inf")
        if not self.trunk_bps > 0.0:
            raise InputError(f"comm link {self.name!r} trunk_bps = {self.trunk_bps!r} must be > 0 [bit/s] (inf: none)")
        if trunk and not self.relay_bps > 0.0:
            raise InputError(
                f"comm link {self.name!r} has a relay trunk (trunk_budget or trunk_bps) but no relay (relay_bps = "
                f"{self.relay_bps:g}); give relay_bps > 0 or drop the trunk"
            )


@dataclass(frozen=True)
class Component:
    """``units`` identical units of a failing part of element ``target``; each fails after an exponential
    time of mean ``mtbf_h`` and is repaired in ``repair_h`` if a spare is at hand. ``clock`` 'online' counts
    that time over every step the element is online; 'operating' only over the steps in which the target works
    (a load served, an array lit: lunarops.ops.inputs.operating_clock)."""

    name: str
    target: str
    units: int
    mtbf_h: float
    repair_h: float
    spares: int = 0
    clock: Literal["online", "operating"] = "online"


@dataclass(frozen=True)
class Delivery:
    """Goods arriving at the base. ``commodity`` 'crew' changes the crew count by ``amount``; 'spares' for
    ``component`` (a component's name) are that component's own, else any failed unit may take them (a pool).
    ``slip_s``: how late it arrives, fixed or drawn per run (>= 0; not for crew); ``name`` names it in the drawn
    inputs (e.g. "resupply.2")."""

    time_s: float
    commodity: Commodity
    amount: float
    component: str | None = None
    slip_s: Uncertain | None = None
    name: str = ""
    arrival: str = ""  # the ArrivalSlip (its name) it lands with, e.g. initial stores on a slipping mission

    def __post_init__(self) -> None:
        if self.arrival and self.slip_s is not None:
            raise InputError(
                f"{self.name or 'delivery'}: both slip_s and arrival {self.arrival!r} are set; give one of them"
            )
        if self.slip_s is None:
            return
        what = self.name or f"delivery of {self.commodity} at {self.time_s:g} s"
        if self.commodity == "crew":
            raise InputError(f"{what}: slip_s is set, but crew arrivals do not slip; drop slip_s")
        low = self.slip_s.low if self.slip_s.kind != "fixed" else self.slip_s.value
        if not low >= 0.0:
            raise InputError(
                f"{what}: slip_s can be {low:g} s, below 0 (an early arrival); give a slip >= 0 (move the time instead)"
            )


@dataclass(frozen=True)
class ArrivalSlip:
    """How late ``elements`` (names of ``Station.element_names``) come online, fixed or drawn per run (>= 0),
    all by the same draw: ``name`` is the campaign mission that brings them or the element itself (deliveries
    with ``arrival`` = ``name`` land with them). Past the period's end an element does not come online in that run."""

    name: str
    slip_s: Uncertain
    elements: tuple[str, ...]

    def __post_init__(self) -> None:
        low = self.slip_s.low if self.slip_s.kind != "fixed" else self.slip_s.value
        if not low >= 0.0:
            raise InputError(
                f"arrival slip {self.name!r}: slip_s can be {low:g} s, below 0 (an early arrival); give a slip >= 0 "
                "(move the online time instead)"
            )


@dataclass(frozen=True)
class Policy:
    """Operating rules, logged when they act.

    Loads with ``shed_below_reserve`` are switched off while storage is below ``reserve_state_of_charge``
    (fraction of usable storage; a load's own ``reserve_state_of_charge`` replaces it for that load) and back on
    above it + ``reserve_hysteresis``. Plants
    with ``daylight_only`` run only while the Sun is up at the arrays. When power runs short, the loads named
    in ``shed_order`` are shed first, in that order, then the others from the highest priority number down
    (ties: the one listed last first).
    """

    reserve_state_of_charge: float = 0.2
    reserve_hysteresis: float = 0.05
    shed_order: tuple[str, ...] = ()


@dataclass(frozen=True)
class Consumables:
    """Initial stores and the reserve level (days of net use at the present crew). [kg, d]"""

    o2_kg: float = 0.0
    water_kg: float = 0.0
    food_kg: float = 0.0
    propellant_kg: float = 0.0
    reserve_days: float = 30.0
    o2_capacity_kg: float = float("inf")
    water_capacity_kg: float = float("inf")  # full: ice plants pause, water beyond it is lost


@dataclass(frozen=True)
class Station:
    """Everything the operations engine needs that does not change during a run."""

    solar_arrays: tuple[SolarArray, ...] = ()
    sources: tuple[ConstantSource, ...] = ()
    battery: Battery | None = None
    fuel_cell: FuelCellStorage | None = None
    loads: tuple[Load, ...] = ()
    isru: tuple[IsruPlant, ...] = ()
    crew_schedule: tuple[tuple[float, int], ...] = ()  # (time_s, crew count from then on)
    crew_rates: CrewRates = BVAD
    closure: LoopClosure = field(default_factory=LoopClosure)
    eclss_load: str | None = None
    consumables: Consumables = field(default_factory=Consumables)
    deliveries: tuple[Delivery, ...] = ()
    comm: CommLink | None = None
    components: tuple[Component, ...] = ()
    policy: Policy = field(default_factory=Policy)
    arrival_slips: tuple[ArrivalSlip, ...] = ()  # elements coming online late, per run

    @property
    def all_loads(self) -> tuple[Load, ...]:
        """Loads followed by the ISRU plants as loads (engine order)."""
        plants = tuple(
            Load(
                p.name,
                p.power_w,
                p.priority,
                "always",
                False,
                shed_below_reserve=p.shed_below_reserve,
                daylight_only=p.daylight_only,
                online_s=p.online_s,
                reserve_state_of_charge=p.reserve_state_of_charge,
            )
            for p in self.isru
        )
        return self.loads + plants

    @property
    def _elements(self) -> list[SolarArray | ConstantSource | Battery | FuelCellStorage | Load | CommLink]:
        """The elements components may target (life-support functions aside), in engine order."""
        storage = [s for s in (self.battery, self.fuel_cell) if s is not None]
        return [*self.solar_arrays, *self.sources, *storage, *self.all_loads, *([self.comm] if self.comm else [])]

    @property
    def element_names(self) -> tuple[str, ...]:
        """Names components may target, in engine order."""
        return (*(e.name for e in self._elements), *LIFE_SUPPORT_TARGETS)

    @property
    def element_online_s(self) -> tuple[float, ...]:
        """When each element of ``element_names`` comes online [s] (-inf: there from the start)."""
        # the loop's hardware (water recovery, O2 generation, CO2 reduction) comes online with its ECLSS load
        eclss = next((ld.online_s for ld in self.loads if ld.name == self.eclss_load), float("-inf"))
        return (*(e.online_s for e in self._elements), *(eclss for _ in LIFE_SUPPORT_TARGETS))

    def masses_kg(self) -> dict[str, float]:
        """Mass of each power element with a stated mass. [kg]"""
        out = {a.name: a.mass_kg for a in self.solar_arrays}
        out.update({s.name: s.mass_kg * s.count for s in self.sources})
        for s in (self.battery, self.fuel_cell):
            if s is not None:
                out[s.name] = s.mass_kg
        return out
