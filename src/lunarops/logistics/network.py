"""The logistics problem as frozen data: nodes, arcs, spacecraft, launch vehicles, missions, time steps.

The formulation follows the time-expanded generalized multi-commodity network flow (GMCNF) model of
Ho, de Weck et al. and its open implementation by Isaji, Takubo & Ho (J. Spacecraft and Rockets 2022,
arXiv 2110.07323; repository ``myamazum/space-logistics-optimization``, ``src/network_builder/``):

* a time step is a campaign day on which flights happen; every flight of one step is flown "at once"
  (the authors' compressed mission): the flights Earth -> LEO -> LLO -> surface of a departure all belong to the
  departure's step, and the return flights to the return step;
* outbound arcs (away from Earth) are open on departure steps, inbound arcs on return steps;
* holdover (waiting) arcs connect a node to itself from one step to the next, only at the nodes that allow it;
* a spacecraft copy is a commodity that flows with its own dry mass; payload and propellant are carried by
  copies, and the propellant of all copies on one arc pays for the mass of all of them (stacking).
"""

from __future__ import annotations

import math
import numbers
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from lunarops.checks import is_real_number
from lunarops.errors import InputError

#: Commodities that are continuous masses [kg]; propellants are added from the spacecraft designs.
CONTINUOUS_COMMODITIES = ("cargo", "consumables", "spares", "maintenance", "samples", "isru_plant")

# ------------------------------------------------------------------------------------------- validation helpers
# Every numeric field is checked when its object is built (``__post_init__``) and again by Problem.check() at
# the entry of solve(), so that a NaN, an infinity or a value outside its physical range is an InputError naming
# the field, never a silently wrong plan or a misleading InfeasibleError.


def _show(value: object) -> str:
    """The value as the user wrote it (NumPy scalars shown as plain numbers)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return repr(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    return repr(float(value))


def _number(
    where: str,
    value: object,
    unit: str,
    *,
    low: float = 0.0,
    low_open: bool = False,
    high: float | None = None,
    high_open: bool = False,
) -> float:
    """``value`` as a float when it is a finite real in the range; else InputError naming ``where``."""
    ok = is_real_number(value) and math.isfinite(float(value))  # type: ignore[arg-type]
    if ok:
        x = float(value)  # type: ignore[arg-type]
        ok = (x > low if low_open else x >= low) and (
            high is None or (x < high if high_open else x <= high)
        )
    if not ok:
        if high is None:
            rng = f"{'>' if low_open else '>='} {low:g}"
        else:
            rng = f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise InputError(f"{where} = {_show(value)} must be a finite number {rng} [{unit}]")
    return float(value)  # type: ignore[arg-type]


def _integer(where: str, value: object, low: int) -> None:
    """InputError unless ``value`` is an int (not a bool, not a float) >= ``low``."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or int(value) < low:
        raise InputError(f"{where} = {_show(value)} must be a whole number (int) >= {low}")


def _flag(where: str, value: object) -> None:
    if not isinstance(value, bool | np.bool_):
        raise InputError(f"{where} = {_show(value)} must be True or False")


def _name(where: str, value: object) -> None:
    if not isinstance(value, str) or not value:
        raise InputError(f"{where} = {_show(value)} must be a non-empty name (a str)")


def _mapping(where: str, value: object, example: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise InputError(f"{where} = {_show(value)} must be a mapping (dict), e.g. {example}")
    for key in value:
        _name(f"{where} key", key)
    return value


def _sequence(where: str, value: object, kind: type, hint: str) -> None:
    """InputError unless ``value`` is a tuple or list whose items are all ``kind``."""
    if not isinstance(value, tuple | list):
        raise InputError(f"{where} = {_show(value)} must be a tuple (or list) of {kind.__name__}; {hint}")
    for i, item in enumerate(value):
        if not isinstance(item, kind):
            raise InputError(f"{where}[{i}] = {_show(item)} must be of type {kind.__name__}; {hint}")


@dataclass(frozen=True)
class Arc:
    """A transport arc between two nodes.

    ``launch`` arcs are flown by a launch vehicle (Earth -> orbit): the spacecraft burn nothing on them and their
    payload and propellant capacities do not apply (the authors' Earth -> LEO arc).
    """

    origin: str
    destination: str
    dv_m_per_s: float
    tof_days: float
    launch: bool = False
    #: launch/transfer windows [(first_day, last_day), ...] counted from the campaign epoch; empty = always open
    windows: tuple[tuple[float, float], ...] = ()

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise InputError naming the field when a value is not a finite number in its range."""
        _name("network.arcs: arc origin", self.origin)
        _name(f"network.arcs: arc {self.origin}->? destination", self.destination)
        where = f"network.arcs: arc {self.name}"
        _number(f"{where}: dv_m_per_s", self.dv_m_per_s, "m/s")
        _number(f"{where}: tof_days", self.tof_days, "d")
        _flag(f"{where}: launch", self.launch)
        if not isinstance(self.windows, tuple | list):
            raise InputError(
                f"{where}: windows = {_show(self.windows)} must be a tuple of (first_day, last_day) pairs; () = always"
            )
        for i, window in enumerate(self.windows):
            ok = isinstance(window, tuple | list) and len(window) == 2 and all(
                isinstance(t, numbers.Real) and not isinstance(t, bool) and not math.isnan(float(t)) for t in window
            )
            if not ok:
                raise InputError(
                    f"{where}: windows[{i}] = {_show(window)} must be a (first_day, last_day) pair of numbers [d], "
                    "not NaN"
                )
            if window[1] < window[0]:
                raise InputError(
                    f"network.arcs: arc {self.name} has a window {_show(tuple(window))} that ends before it starts; "
                    "fix it"
                )

    @property
    def name(self) -> str:
        return f"{self.origin}->{self.destination}"

    def open_on(self, day: float) -> bool:
        """Whether the arc may be flown on ``day`` [d]."""
        return not self.windows or any(first <= day <= last for first, last in self.windows)


@dataclass(frozen=True)
class LinearSizing:
    """Spacecraft sizing: the optimizer picks payload and propellant capacities in [min, max] and the dry mass
    follows ``dry = fixed_kg + per_propellant_kg * propellant + per_payload_kg * payload`` [kg]."""

    fixed_kg: float
    per_propellant_kg: float
    per_payload_kg: float
    payload_min_kg: float
    payload_max_kg: float
    propellant_min_kg: float
    propellant_max_kg: float

    def __post_init__(self) -> None:
        self.validate("sizing")

    def validate(self, where: str) -> None:
        """Raise InputError naming the field when a value is out of range (``where`` names the design)."""
        _number(f"{where}.fixed_kg", self.fixed_kg, "kg", low_open=True)
        for label in ("per_propellant_kg", "per_payload_kg"):
            _number(f"{where}.{label}", getattr(self, label), "kg/kg", high=1.0, high_open=True)
        for label in ("payload_min_kg", "payload_max_kg", "propellant_min_kg", "propellant_max_kg"):
            _number(f"{where}.{label}", getattr(self, label), "kg")
        if not (self.payload_min_kg <= self.payload_max_kg and self.propellant_min_kg <= self.propellant_max_kg
                and self.propellant_max_kg > 0):
            raise InputError(
                f"{where}: need 0 <= min <= max for payload and propellant, fixed_kg > 0 and "
                f"non-negative slopes; got {self}"
            )

    def dry_max_kg(self) -> float:
        tank = self.per_propellant_kg * self.propellant_max_kg
        return self.fixed_kg + tank + self.per_payload_kg * self.payload_max_kg


@dataclass(frozen=True)
class SpacecraftDesign:
    """A spacecraft design used in up to ``copies`` copies (masses in kg, Isp in s).

    With ``sizing`` the capacities and dry mass are decision variables (the fixed numbers are then upper
    bounds used only for reporting); without it the design is fixed.
    """

    name: str
    payload_capacity_kg: float
    propellant_capacity_kg: float
    dry_mass_kg: float
    isp_s: float
    copies: int
    oxidizer_to_fuel: float = 5.5
    oxidizer: str = "oxygen"
    fuel: str = "hydrogen"
    unit_cost_musd: float = 0.0
    sizing: LinearSizing | None = None

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise InputError naming the field when a value is not a finite number in its range."""
        _name("spacecraft: design name", self.name)
        where = f"spacecraft.{self.name}"
        for label in ("payload_capacity_kg", "propellant_capacity_kg", "dry_mass_kg"):
            _number(f"{where}.{label}", getattr(self, label), "kg", low_open=True)
        _number(f"{where}.isp_s", self.isp_s, "s", low_open=True)
        _integer(f"{where}.copies", self.copies, 1)
        _number(f"{where}.oxidizer_to_fuel", self.oxidizer_to_fuel, "O/F mass ratio", low_open=True)
        _number(f"{where}.unit_cost_musd", self.unit_cost_musd, "M$")
        for label in ("oxidizer", "fuel"):
            value = getattr(self, label)
            _name(f"{where}.{label}", value)
            if value in CONTINUOUS_COMMODITIES:
                raise InputError(
                    f"{where}.{label} = {value!r} is a payload commodity, not a propellant; name the propellant "
                    "(e.g. 'oxygen', 'hydrogen', 'methane')"
                )
        if self.sizing is not None:
            if not isinstance(self.sizing, LinearSizing):
                raise InputError(f"{where}.sizing = {_show(self.sizing)} must be a LinearSizing or None")
            self.sizing.validate(f"{where}.sizing")


@dataclass(frozen=True)
class LaunchVehicle:
    """A launch vehicle: payload [kg] per destination node of a launch arc, cost and cadence."""

    name: str
    payload_kg: Mapping[str, float]
    cost_musd: float = 0.0
    max_per_year: int = 1000
    available_from_day: float = float("-inf")

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise InputError naming the field when a value is not a finite number in its range."""
        _name("launch_vehicles: vehicle name", self.name)
        where = f"launch_vehicles.{self.name}"
        payload = _mapping(f"{where}.payload_kg", self.payload_kg, "{'LEO': 25000.0}")
        if not payload:
            raise InputError(f"{where}.payload_kg is empty; give kg per destination node")
        for node, kg in payload.items():
            _number(f"{where}.payload_kg.{node}", kg, "kg", low_open=True)
        _number(f"{where}.cost_musd", self.cost_musd, "M$")
        _integer(f"{where}.max_per_year", self.max_per_year, 0)
        day = self.available_from_day
        if not (isinstance(day, numbers.Real) and not isinstance(day, bool) and -math.inf <= float(day) < math.inf):
            raise InputError(
                f"{where}.available_from_day = {_show(day)} must be a finite day from the campaign epoch [d], "
                "or -inf for always available"
            )


@dataclass(frozen=True)
class Mission:
    """One mission of the campaign.

    ``deliver`` maps commodity (continuous, kg) or element (integer, count) names to what must reach
    ``destination`` on the departure step. Crew land on departure and leave after ``stay_days``; they need
    ``consumables`` for the stay (rate times crew-days) at the destination on the return step and bring back
    ``samples_kg`` to Earth.
    """

    name: str
    depart_day: float
    destination: str
    crew: int = 0
    stay_days: float = 0.0
    deliver: Mapping[str, float] = field(default_factory=dict)
    samples_kg: float = 0.0
    spares_kg_per_crew_day: float = 0.0

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise InputError naming the field when a value is not a finite number in its range."""
        _name("missions: mission name", self.name)
        where = f"missions.{self.name}"
        _number(f"{where}.depart_day", self.depart_day, "d from the campaign epoch")
        _name(f"{where}.destination", self.destination)
        _integer(f"{where}.crew", self.crew, 0)
        _number(f"{where}.stay_days", self.stay_days, "d")
        deliver = _mapping(f"{where}.deliver", self.deliver, "{'cargo': 1000.0}")
        for name, amount in deliver.items():
            _number(f"{where}.deliver.{name}", amount, "kg, or units for elements")
        _number(f"{where}.samples_kg", self.samples_kg, "kg")
        _number(f"{where}.spares_kg_per_crew_day", self.spares_kg_per_crew_day, "kg per crew-day")

    @property
    def returns(self) -> bool:
        return self.crew > 0 or self.samples_kg > 0


@dataclass(frozen=True)
class IsruOptions:
    """ISRU plants at ``node``: each kg of plant makes ``production_kg_per_kg_year`` kg of product per year,
    split over propellant commodities by ``products`` (mass shares); plants lose ``decay_per_year`` of their
    capacity and need ``maintenance_per_year`` kg of maintenance per kg of plant per year. They make nothing
    before ``start_day`` (days from the campaign epoch: e.g. the departure step of the mission that brings the
    facility; a plant landed earlier waits)."""

    node: str
    production_kg_per_kg_year: float
    products: Mapping[str, float]
    decay_per_year: float = 0.0
    maintenance_per_year: float = 0.0
    start_day: float = 0.0

    def share_after_start(self, first_day: float, last_day: float) -> float:
        """The share of the holdover [first_day, last_day] that lies after ``start_day`` (0 to 1)."""
        if last_day <= first_day:
            return 0.0
        return min(max((last_day - max(first_day, self.start_day)) / (last_day - first_day), 0.0), 1.0)

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise InputError naming the field when a value is not a finite number in its range."""
        _name("isru.node", self.node)
        _number("isru.production_kg_per_kg_year", self.production_kg_per_kg_year, "kg per kg of plant per year",
                low_open=True)
        products = _mapping("isru.products", self.products, "{'oxygen': 8/9, 'hydrogen': 1/9}")
        total = sum(_number(f"isru.products.{name}", share, "mass share", high=1.0) for name, share in products.items())
        if total > 1.0 + 1e-9:
            raise InputError(
                f"isru.products: the mass shares {dict(products)} add up to {total:g}; they must add up to at most 1"
            )
        _number("isru.decay_per_year", self.decay_per_year, "fraction per year", high=1.0, high_open=True)
        _number("isru.maintenance_per_year", self.maintenance_per_year, "kg per kg of plant per year")
        _number("isru.start_day", self.start_day, "days from the campaign epoch")


@dataclass(frozen=True)
class Problem:
    """A complete logistics problem.

    Crew consumables: every crewed link (transit arcs and holdovers: the crew are in a vehicle) burns
    ``consumables_kg_per_crew_day`` per crew-day, and a mission's stay at its destination needs crew x stay days x
    ``stay_consumables_kg_per_crew_day`` there; None (the default) takes ``consumables_kg_per_crew_day`` for the
    stay too. A base with a closed life-support loop draws less per crew-day than a transfer vehicle, which has
    no such loop: give the base's rate as the stay rate.
    """

    nodes: tuple[str, ...]
    arcs: tuple[Arc, ...]
    holdover_nodes: tuple[str, ...]
    designs: tuple[SpacecraftDesign, ...]
    missions: tuple[Mission, ...]
    element_mass_kg: Mapping[str, float] = field(default_factory=dict)
    launch_vehicles: tuple[LaunchVehicle, ...] = ()
    earth: str = "Earth"
    crew_mass_kg: float = 100.0
    # 8.655: the Isaji et al. open model (MissionParameters.consumption_cost); scenarios default to 5.932, the
    # NASA BVAD open-loop rate (NASA/TP-2015-218570 Rev 2, Table 3-31: O2 0.895 + water 3.217 kg) with packaged
    # food as shipped (1.82 kg, NTRS 20090006804)
    consumables_kg_per_crew_day: float = 8.655
    maintenance_fraction_per_flight: float = 0.01
    g0_m_per_s2: float = 9.80665
    isru: IsruOptions | None = None
    objective: str = "imleo"
    time_limit_s: float = 60.0
    mip_rel_gap: float = 1e-4
    symmetry_breaking: bool = False
    #: consumables per crew-day of the stays at the destinations [kg]; None: ``consumables_kg_per_crew_day``
    stay_consumables_kg_per_crew_day: float | None = None

    def __post_init__(self) -> None:
        self.validate()

    @property
    def stay_rate_kg_per_crew_day(self) -> float:
        """Consumables per crew-day of a stay at a destination [kg] (the transit rate unless a stay rate is given)."""
        if self.stay_consumables_kg_per_crew_day is None:
            return float(self.consumables_kg_per_crew_day)
        return float(self.stay_consumables_kg_per_crew_day)

    def validate(self) -> None:
        """Raise InputError naming the field when a field has the wrong type or a value out of its range
        (the parts too: arcs, designs, missions, launch vehicles, ISRU). Cross-references are left to check()."""
        _sequence("nodes", self.nodes, str, "list the node names, e.g. ('Earth', 'LEO', 'LLO')")
        for i, node in enumerate(self.nodes):
            _name(f"nodes[{i}]", node)
        _sequence("holdover_nodes", self.holdover_nodes, str, "list node names, or () for none")
        _sequence("arcs", self.arcs, Arc, "build each with Arc(origin, destination, dv_m_per_s, tof_days)")
        _sequence(
            "designs", self.designs, SpacecraftDesign,
            "build each with SpacecraftDesign(name, payload_capacity_kg, propellant_capacity_kg, dry_mass_kg, "
            "isp_s, copies)",
        )
        _sequence("missions", self.missions, Mission, "build each with Mission(name, depart_day, destination, ...)")
        _sequence(
            "launch_vehicles", self.launch_vehicles, LaunchVehicle,
            "build each with LaunchVehicle(name, payload_kg), or give ()",
        )
        if self.isru is not None and not isinstance(self.isru, IsruOptions):
            raise InputError(
                f"isru = {_show(self.isru)} must be an IsruOptions or None; build it with "
                "IsruOptions(node, production_kg_per_kg_year, products)"
            )
        parts: list[Arc | SpacecraftDesign | Mission | LaunchVehicle | IsruOptions] = [
            *self.arcs, *self.designs, *self.missions, *self.launch_vehicles,
        ]
        if self.isru is not None:
            parts.append(self.isru)
        for part in parts:  # again: their mappings may have been changed since they were built
            part.validate()
        masses = _mapping("element_mass_kg", self.element_mass_kg, "{'habitat': 20000.0}")
        for name, kg in masses.items():
            _number(f"element_mass_kg.{name}", kg, "kg per unit", low_open=True)
        _name("earth", self.earth)
        _number("crew_mass_kg", self.crew_mass_kg, "kg per crew member", low_open=True)
        _number("consumables_kg_per_crew_day", self.consumables_kg_per_crew_day, "kg per crew-day")
        if self.stay_consumables_kg_per_crew_day is not None:
            _number("stay_consumables_kg_per_crew_day", self.stay_consumables_kg_per_crew_day,
                    "kg per crew-day, or None for consumables_kg_per_crew_day")
        _number("maintenance_fraction_per_flight", self.maintenance_fraction_per_flight,
                "fraction of the dry mass per flight", high=1.0, high_open=True)
        _number("g0_m_per_s2", self.g0_m_per_s2, "m/s^2; standard gravity is 9.80665", low_open=True)
        if self.objective not in ("imleo", "cost"):
            raise InputError(f"objective = {self.objective!r}; choose 'imleo' or 'cost'")
        _number("time_limit_s", self.time_limit_s, "s", low_open=True)
        _number("mip_rel_gap", self.mip_rel_gap, "relative MIP gap, e.g. 1e-4", high=1.0)
        _flag("symmetry_breaking", self.symmetry_breaking)

    def check(self) -> None:
        """Raise InputError naming the field when the problem is malformed: every field again (validate) and the
        cross-references between them (nodes, commodities, propellants, launch destinations)."""
        self.validate()
        nodes = set(self.nodes)
        if self.earth not in nodes:
            raise InputError(f"network.nodes {list(self.nodes)} lacks the Earth node {self.earth!r}; add it")
        if len(nodes) != len(self.nodes):
            raise InputError(f"network.nodes {list(self.nodes)} has duplicates; list each node once")
        seen: set[tuple[str, str]] = set()
        for arc in self.arcs:
            for end in (arc.origin, arc.destination):
                if end not in nodes:
                    raise InputError(
                        f"network.arcs: arc {arc.name} uses node {end!r}, not in network.nodes {sorted(nodes)}"
                    )
            if arc.origin == arc.destination:
                raise InputError(f"network.arcs: arc {arc.name} is a loop; holdovers go in network.holdover_nodes")
            if (arc.origin, arc.destination) in seen:
                raise InputError(f"network.arcs: arc {arc.name} appears twice; keep one")
            seen.add((arc.origin, arc.destination))
            if arc.launch and arc.origin != self.earth:
                raise InputError(f"network.arcs: launch arc {arc.name} must start at {self.earth!r}")
        for node in self.holdover_nodes:
            if node not in nodes:
                raise InputError(f"network.holdover_nodes: {node!r} is not in network.nodes {sorted(nodes)}")
        if not self.designs:
            raise InputError("spacecraft: at least one spacecraft design is needed; add one to `spacecraft`")
        names = [d.name for d in self.designs]
        if len(set(names)) != len(names):
            raise InputError(f"spacecraft: design names {names} must be unique")
        if self.objective == "cost" and not self.launch_vehicles:
            raise InputError("objective = 'cost' needs launch_vehicles with cost_musd; add them or use 'imleo'")
        for element in self.element_mass_kg:
            if element in CONTINUOUS_COMMODITIES or element in self.propellants or element == "crew":
                raise InputError(
                    f"element_mass_kg: element {element!r} has the name of a commodity, propellant or the crew; "
                    "rename the element"
                )
        known = set(CONTINUOUS_COMMODITIES) | set(self.element_mass_kg) | set(self.propellants)
        mission_names = [m.name for m in self.missions]
        if len(set(mission_names)) != len(mission_names):
            raise InputError(f"missions: names {mission_names} must be unique")
        if not self.missions:
            raise InputError("missions: the campaign has no mission; add at least one")
        reach = self.outbound_distance()
        for m in self.missions:
            if m.destination not in nodes:
                raise InputError(
                    f"missions.{m.name}.destination = {m.destination!r} is not in network.nodes {sorted(nodes)}"
                )
            if m.destination not in reach:
                raise InputError(
                    f"missions.{m.name}.destination {m.destination!r} cannot be reached from {self.earth!r} "
                    "over network.arcs; add arcs"
                )
            for name, amount in m.deliver.items():
                if name not in known or name in ("samples", "maintenance"):
                    raise InputError(
                        f"missions.{m.name}.deliver: unknown commodity or element {name!r}; use one of "
                        f"{sorted(known - {'samples', 'maintenance'})} or add it to `elements`"
                    )
                if name in self.element_mass_kg and amount != int(amount):
                    raise InputError(f"missions.{m.name}.deliver.{name} = {amount}: elements are counted in units")
        oversized = self.oversized_items()
        if oversized:
            raise InputError("; ".join(oversized))
        if self.isru is not None:
            if self.isru.node not in self.holdover_nodes:
                raise InputError(
                    f"isru.node = {self.isru.node!r} must be a holdover node ({list(self.holdover_nodes)})"
                )
            for product in self.isru.products:
                if product not in self.propellants:
                    raise InputError(
                        f"isru.products: {product!r} is no propellant of the spacecraft ({self.propellants})"
                    )
        launch_to = sorted({arc.destination for arc in self.arcs if arc.launch})
        lv_names = [lv.name for lv in self.launch_vehicles]
        if len(set(lv_names)) != len(lv_names):
            raise InputError(f"launch_vehicles: names {lv_names} must be unique")
        for lv in self.launch_vehicles:
            if not set(lv.payload_kg) & set(launch_to):
                raise InputError(
                    f"launch_vehicles.{lv.name}.payload_kg = {dict(lv.payload_kg)} names no destination of a launch "
                    f"arc {launch_to}; give its payload to one of them"
                )

    def largest_payload(self) -> tuple[float, str]:
        """The largest payload one spacecraft copy of the fleet can carry on an in-space leg [kg] and its design:
        the payload capacity, or a sized design's payload_max_kg (the model's bound on the units a copy carries)."""
        best = max(
            self.designs,
            key=lambda d: d.sizing.payload_max_kg if d.sizing is not None else d.payload_capacity_kg,
        )
        return (best.sizing.payload_max_kg if best.sizing is not None else best.payload_capacity_kg), best.name

    def oversized_items(self) -> list[str]:
        """Messages for the indivisible units of the missions (elements, crew members) heavier than the payload
        any spacecraft of the fleet can carry, where the mission's destination lies beyond the launch.

        Sound for this model (no false refusal): an element or crew member travels whole in one copy, and on every
        in-space leg and holdover the units a copy carries are bounded by floor(payload capacity / unit mass) (the
        integer bounds of the MILP, see model.py); neither propellant nor ISRU changes a payload capacity. Only a
        destination that a launch arc reaches directly is exempt: launch arcs carry no spacecraft capacity (the
        launch vehicles lift the stack, and their payload is pooled over the launches of a step, so no single
        launch is a bound either)."""
        if not self.designs:
            return []
        by_launch = {arc.destination for arc in self.arcs if arc.launch} | {self.earth}
        capacity, design = self.largest_payload()
        fleet = ", ".join(
            f"{d.name} {d.sizing.payload_max_kg if d.sizing is not None else d.payload_capacity_kg:,.1f} kg"
            for d in self.designs
        )
        out = []
        for m in self.missions:
            if m.destination in by_launch:
                continue
            for name, amount in m.deliver.items():
                mass = self.element_mass_kg.get(name)
                if mass is None or amount <= 0 or mass <= capacity:
                    continue
                out.append(
                    f"missions.{m.name}.deliver: element {name!r} has a mass of {mass:,.1f} kg, more than the "
                    f"largest payload any spacecraft of the fleet can carry to {m.destination!r}: {capacity:,.1f} kg "
                    f"({design}; fleet: {fleet}). An element travels whole in one spacecraft, so no plan can land "
                    f"it: split it into lighter elements, give a lighter {name} (elements.{name}.mass_kg), or add a "
                    f"spacecraft with a payload capacity of at least {mass:,.1f} kg to the fleet"
                )
            if m.crew > 0 and self.crew_mass_kg > capacity:
                out.append(
                    f"missions.{m.name}.crew: a crew member counts {self.crew_mass_kg:,.1f} kg (crew_mass_kg), more "
                    f"than the largest payload any spacecraft of the fleet can carry to {m.destination!r}: "
                    f"{capacity:,.1f} kg ({design}); lower crew_mass_kg or add a larger spacecraft to the fleet"
                )
        return out

    @property
    def propellants(self) -> tuple[str, ...]:
        out: list[str] = []
        for d in self.designs:
            for p in (d.oxidizer, d.fuel):
                if p not in out:
                    out.append(p)
        return tuple(out)

    def outbound_distance(self) -> dict[str, int]:
        """Number of arcs from Earth to every reachable node (breadth first)."""
        dist = {self.earth: 0}
        queue = deque([self.earth])
        while queue:
            node = queue.popleft()
            for arc in self.arcs:
                if arc.origin == node and arc.destination not in dist:
                    dist[arc.destination] = dist[node] + 1
                    queue.append(arc.destination)
        return dist

    def _shortest_tof_days(self, origin: str, inbound: bool) -> dict[str, float]:
        """Shortest times of flight [d] from ``origin`` to every node it reaches over the outbound (away from
        Earth) or inbound (towards it) arcs (Dijkstra)."""
        dist = self.outbound_distance()
        best = {origin: 0.0}
        todo = {origin}
        while todo:
            node = min(todo, key=lambda n: best[n])
            todo.remove(node)
            for arc in self.arcs:
                ahead = dist.get(arc.destination, 10**9 if inbound else -1)
                here = dist.get(node, 10**9)
                if arc.origin != node or (ahead >= here if inbound else ahead <= here):
                    continue
                value = best[node] + arc.tof_days
                if value < best.get(arc.destination, float("inf")):
                    best[arc.destination] = value
                    todo.add(arc.destination)
        return best

    def transit_days(self, destination: str) -> float:
        """Shortest time of flight [d] from Earth to ``destination`` over outbound arcs (Dijkstra)."""
        return self._shortest_tof_days(self.earth, inbound=False)[destination]

    def return_days(self, origin: str) -> float:
        """Shortest time of flight [d] from ``origin`` back to Earth over inbound arcs; the outbound transit
        when no inbound route is given."""
        best = self._shortest_tof_days(origin, inbound=True)
        return float(best.get(self.earth, self.transit_days(origin)))

    def is_outbound(self, arc: Arc) -> bool:
        dist = self.outbound_distance()
        return dist.get(arc.destination, 10**9) > dist.get(arc.origin, 10**9)

    def is_inbound(self, arc: Arc) -> bool:
        dist = self.outbound_distance()
        return dist.get(arc.destination, 10**9) < dist.get(arc.origin, 10**9)


@dataclass(frozen=True)
class TimeSteps:
    """The steps of the time-expanded network: sorted days and which kinds of flights each step allows."""

    days: tuple[float, ...]
    outbound: tuple[bool, ...]
    inbound: tuple[bool, ...]

    def index(self, day: float) -> int:
        return self.days.index(day)


def mission_return_day(problem: Problem, mission: Mission) -> float:
    """Day of the return step: departure + transit to the destination + stay [d]."""
    return mission.depart_day + problem.transit_days(mission.destination) + mission.stay_days


def time_steps(problem: Problem) -> TimeSteps:
    """Departure and return steps of all missions."""
    kinds: dict[float, set[str]] = {}
    for m in problem.missions:
        kinds.setdefault(float(m.depart_day), set()).add("out")
        if m.returns:
            kinds.setdefault(float(mission_return_day(problem, m)), set()).add("in")
    days = tuple(sorted(kinds))
    return TimeSteps(
        days=days,
        outbound=tuple("out" in kinds[d] for d in days),
        inbound=tuple("in" in kinds[d] for d in days),
    )
