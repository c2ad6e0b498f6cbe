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

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

from lunarops.errors import InputError

#: Commodities that are continuous masses [kg]; propellants are added from the spacecraft designs.
CONTINUOUS_COMMODITIES = ("cargo", "consumables", "spares", "maintenance", "samples", "isru_plant")


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


@dataclass(frozen=True)
class LaunchVehicle:
    """A launch vehicle: payload [kg] per destination node of a launch arc, cost and cadence."""

    name: str
    payload_kg: Mapping[str, float]
    cost_musd: float = 0.0
    max_per_year: int = 1000
    available_from_day: float = float("-inf")


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

    @property
    def returns(self) -> bool:
        return self.crew > 0 or self.samples_kg > 0


@dataclass(frozen=True)
class IsruOptions:
    """ISRU plants at ``node``: each kg of plant makes ``production_kg_per_kg_year`` kg of product per year,
    split over propellant commodities by ``products`` (mass shares); plants lose ``decay_per_year`` of their
    capacity and need ``maintenance_per_year`` kg of maintenance per kg of plant per year."""

    node: str
    production_kg_per_kg_year: float
    products: Mapping[str, float]
    decay_per_year: float = 0.0
    maintenance_per_year: float = 0.0


@dataclass(frozen=True)
class Problem:
    """A complete logistics problem."""

    nodes: tuple[str, ...]
    arcs: tuple[Arc, ...]
    holdover_nodes: tuple[str, ...]
    designs: tuple[SpacecraftDesign, ...]
    missions: tuple[Mission, ...]
    element_mass_kg: Mapping[str, float] = field(default_factory=dict)
    launch_vehicles: tuple[LaunchVehicle, ...] = ()
    earth: str = "Earth"
    crew_mass_kg: float = 100.0
    consumables_kg_per_crew_day: float = 8.655
    maintenance_fraction_per_flight: float = 0.01
    g0_m_per_s2: float = 9.80665
    isru: IsruOptions | None = None
    objective: str = "imleo"
    time_limit_s: float = 60.0
    mip_rel_gap: float = 1e-4
    symmetry_breaking: bool = False

    def check(self) -> None:
        """Raise InputError naming the field when the problem is malformed."""
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
            if any(last < first for first, last in arc.windows):
                raise InputError(f"network.arcs: arc {arc.name} has a window that ends before it starts; fix it")
            if arc.dv_m_per_s < 0 or arc.tof_days < 0:
                raise InputError(f"network.arcs: arc {arc.name} has negative dv or time of flight; fix the value")
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
        for d in self.designs:
            if d.copies < 1:
                raise InputError(f"spacecraft.{d.name}.copies = {d.copies}; use 1 or more")
            z = d.sizing
            if z is not None and not (
                0 <= z.payload_min_kg <= z.payload_max_kg and 0 <= z.propellant_min_kg <= z.propellant_max_kg
                and z.propellant_max_kg > 0 and z.fixed_kg > 0 and z.per_propellant_kg >= 0 and z.per_payload_kg >= 0
            ):
                raise InputError(
                    f"spacecraft.{d.name}.sizing: need 0 <= min <= max for payload and propellant, fixed_kg > 0 and "
                    f"non-negative slopes; got {z}"
                )
            for label, value in (
                ("payload_capacity_kg", d.payload_capacity_kg),
                ("propellant_capacity_kg", d.propellant_capacity_kg),
                ("dry_mass_kg", d.dry_mass_kg),
                ("isp_s", d.isp_s),
            ):
                if not value > 0:
                    raise InputError(f"spacecraft.{d.name}.{label} = {value}; it must be positive")
        if self.objective not in ("imleo", "cost"):
            raise InputError(f"objective = {self.objective!r}; choose 'imleo' or 'cost'")
        if self.objective == "cost" and not self.launch_vehicles:
            raise InputError("objective = 'cost' needs launch_vehicles with cost_musd; add them or use 'imleo'")
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
            if m.crew < 0 or m.stay_days < 0 or m.samples_kg < 0:
                raise InputError(f"missions.{m.name}: crew, stay_days and samples_kg must be >= 0")
            for name, amount in m.deliver.items():
                if name not in known or name in ("samples", "maintenance"):
                    raise InputError(
                        f"missions.{m.name}.deliver: unknown commodity or element {name!r}; use one of "
                        f"{sorted(known - {'samples', 'maintenance'})} or add it to `elements`"
                    )
                if amount < 0:
                    raise InputError(f"missions.{m.name}.deliver.{name} = {amount}; it must be >= 0")
                if name in self.element_mass_kg and amount != int(amount):
                    raise InputError(f"missions.{m.name}.deliver.{name} = {amount}: elements are counted in units")
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
        for lv in self.launch_vehicles:
            if not lv.payload_kg:
                raise InputError(f"launch_vehicles.{lv.name}.payload_kg is empty; give kg per destination node")

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

    def transit_days(self, destination: str) -> float:
        """Shortest time of flight [d] from Earth to ``destination`` over outbound arcs (Dijkstra)."""
        best = {self.earth: 0.0}
        todo = {self.earth}
        dist = self.outbound_distance()
        while todo:
            node = min(todo, key=lambda n: best[n])
            todo.remove(node)
            for arc in self.arcs:
                if arc.origin != node or dist.get(arc.destination, -1) <= dist[node]:
                    continue
                value = best[node] + arc.tof_days
                if value < best.get(arc.destination, float("inf")):
                    best[arc.destination] = value
                    todo.add(arc.destination)
        return best[destination]

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
