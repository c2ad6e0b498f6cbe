"""The `campaign` section of a scenario file: roadmap, catalog overrides and the logistics problem.

A campaign-only YAML file (for `lunarops campaign solve FILE`) holds exactly the fields of this section at its
top level; a full scenario holds them under `campaign:`.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from lunarops.errors import InputError
from lunarops.logistics import catalogs
from lunarops.logistics.network import (
    Arc,
    IsruOptions,
    LaunchVehicle,
    LinearSizing,
    Mission,
    Problem,
    SpacecraftDesign,
)
from lunarops.logistics.roadmap import Phase, Roadmap, RoadmapMission
from lunarops.scenario.base import _Model
from lunarops.scenario.core import _as_utc


class PhaseSpec(_Model):
    """A roadmap phase."""

    name: str = Field(min_length=1)
    start: date
    end: date
    source: str = ""


class RoadmapMissionSpec(_Model):
    """A roadmap mission; `end` defaults to `start`."""

    name: str = Field(min_length=1)
    phase: str
    start: date
    end: date | None = None
    agency: str = ""
    launcher: str = ""
    contents: list[str] = []
    depends_on: list[str] = []
    source: str = ""
    basis: Literal["published", "assumed"] = Field(
        default="assumed",
        description="published: dates, contents and dependencies as the source gives them; assumed: some are the "
        "scenario's (placeholder days, inferred dependencies, missions no source lists). Default assumed: a mission "
        "is labelled published only when the scenario says so",
    )


class RoadmapSpec(_Model):
    """Phases, missions, elements and dependencies of the programme."""

    phases: list[PhaseSpec] = Field(min_length=1)
    missions: list[RoadmapMissionSpec] = []

    @model_validator(mode="after")
    def _check(self) -> RoadmapSpec:
        try:
            self.roadmap().check()
        except InputError as error:
            raise ValueError(str(error)) from None
        return self

    def roadmap(self) -> Roadmap:
        return Roadmap(
            phases=tuple(Phase(p.name, p.start, p.end, p.source) for p in self.phases),
            missions=tuple(
                RoadmapMission(
                    name=m.name, phase=m.phase, start=m.start, end=m.end or m.start, agency=m.agency,
                    launcher=m.launcher, contents=tuple(m.contents), depends_on=tuple(m.depends_on), source=m.source,
                    basis=m.basis,
                )
                for m in self.missions
            ),
        )


class LaunchVehicleSpec(_Model):
    """Fields of a launch vehicle; all optional so that a scenario can override one field of a catalog entry."""

    payload_kg: dict[str, float] | None = None
    # absent (null) = not public: not free; objective cost refuses a vehicle without one
    cost_musd: float | None = Field(default=None, ge=0)
    max_per_year: int | None = Field(default=None, ge=0)
    first_flight_utc: datetime | None = None
    source: str | None = None

    _parse = field_validator("first_flight_utc", mode="before")(_as_utc)


class SizingSpec(_Model):
    """Linear sizing: the optimizer picks the capacities; dry = fixed + per_propellant * R + per_payload * P."""

    fixed_kg: float = Field(gt=0)
    per_propellant_kg: float = Field(ge=0, lt=1)
    per_payload_kg: float = Field(default=0.0, ge=0, lt=1)
    payload_min_kg: float = Field(default=0.0, ge=0)
    payload_max_kg: float = Field(gt=0)
    propellant_min_kg: float = Field(default=0.0, ge=0)
    propellant_max_kg: float = Field(gt=0)


class SpacecraftSpec(_Model):
    """Fields of a spacecraft design (override or new entry)."""

    payload_capacity_kg: float | None = Field(default=None, gt=0)
    propellant_capacity_kg: float | None = Field(default=None, gt=0)
    dry_mass_kg: float | None = Field(default=None, gt=0)
    isp_s: float | None = Field(default=None, gt=0, le=10000)
    oxidizer_to_fuel: float | None = Field(default=None, gt=0)
    oxidizer: str | None = None
    fuel: str | None = None
    unit_cost_musd: float | None = Field(default=None, ge=0)
    sizing: SizingSpec | None = None
    source: str | None = None


class ElementSpec(_Model):
    """Fields of a station element (override or new entry)."""

    mass_kg: float | None = Field(default=None, gt=0)
    kind: str | None = None
    source: str | None = None


class ArcSpec(_Model):
    """A transport arc; `dv_km_per_s` defaults to the delta-v ledger (launch arcs: 0)."""

    model_config = _Model.model_config | {"populate_by_name": True}

    origin: str = Field(alias="from")
    destination: str = Field(alias="to")
    dv_km_per_s: float | None = Field(default=None, ge=0, le=20)
    tof_days: float = Field(ge=0, le=1000)
    launch: bool = False
    # windows in which the arc may be flown, as [first_utc, last_utc] pairs; none = always open
    windows_utc: list[tuple[datetime, datetime]] = []

    @field_validator("windows_utc", mode="before")
    @classmethod
    def _parse_windows(cls, value: object) -> object:
        if isinstance(value, list):
            return [[_as_utc(t) for t in pair] if isinstance(pair, list | tuple) else pair for pair in value]
        return value


class FleetSpec(_Model):
    """A spacecraft design of the catalog used in up to `copies` copies."""

    spacecraft: str
    copies: int = Field(ge=1, le=50)


class MissionSpec(_Model):
    """A mission of the logistics plan; give exactly one of depart_day, depart_utc, roadmap_mission."""

    name: str = Field(min_length=1)
    depart_day: float | None = Field(default=None, ge=0)
    depart_utc: datetime | None = None
    roadmap_mission: str | None = None
    destination: str
    crew: int = Field(default=0, ge=0, le=100)
    stay_days: float = Field(default=0.0, ge=0)
    deliver: dict[str, float] = {}
    samples_kg: float = Field(default=0.0, ge=0)

    _parse = field_validator("depart_utc", mode="before")(_as_utc)

    @model_validator(mode="after")
    def _one_date(self) -> MissionSpec:
        given = [f for f in ("depart_day", "depart_utc", "roadmap_mission") if getattr(self, f) is not None]
        if len(given) != 1:
            raise ValueError(
                f"mission {self.name!r} gives {given or 'no departure'}; give exactly one of depart_day, "
                "depart_utc, roadmap_mission"
            )
        return self


class IsruSpec(_Model):
    """ISRU plants at a holdover node making propellant (defaults: the authors' water-ISRU model)."""

    enabled: bool = True
    node: str
    # Isaji, Takubo & Ho open model ISRUParameters in tests/test_opt_w_fixed_sc_design.py: 5 kg per kg-year,
    # decay 0.1 per year, maintenance 0.05 kg per kg-year, products of water split 8/9 O2 and 1/9 H2.
    production_kg_per_kg_year: float = Field(default=5.0, gt=0)
    products: dict[str, float] = {"oxygen": 8.0 / 9.0, "hydrogen": 1.0 / 9.0}
    decay_per_year: float = Field(default=0.1, ge=0, lt=1)
    maintenance_per_year: float = Field(default=0.05, ge=0)
    arrives_with: str | None = Field(
        default=None,
        min_length=1,
        description="the logistics mission that brings the ISRU facility: no production before its departure step "
        "(default: from the epoch, wherever the plan lands a plant)",
    )

    @model_validator(mode="after")
    def _check_products(self) -> IsruSpec:
        # hydrogen comes from water only: at most 2.016 / 18.015 = 0.1119 kg per kg of water split (IUPAC 2021
        # atomic weights; 0.1 % allows the model's 1/9); oxygen may also come from regolith, so it is not bounded
        most = 2.016 / 18.015
        share = self.products.get("hydrogen", 0.0)
        if share > most * 1.001:
            raise ValueError(
                f"campaign.logistics.isru.products: hydrogen {share:g} of each kg made exceeds the {most:.4f} kg of "
                "H2 in a kg of water (2.016 of 18.015 g/mol), its only source; the default split of water is "
                "oxygen 8/9, hydrogen 1/9"
            )
        return self


class DeliverySplit(_Model):
    """How the crew consumables of the plan split into the operations commodities (kg per crew-day).

    Defaults: NASA BVAD (NASA/TP-2015-218570 Rev 2, Table 3-31): O2 0.895, potable water 3.217, food solids 0.800.
    """

    o2_kg: float = Field(default=0.895, ge=0)
    water_kg: float = Field(default=3.217, ge=0)
    food_kg: float = Field(default=0.800, ge=0)


class LogisticsSpec(_Model):
    """The network, fleet, missions and options of the logistics MILP."""

    nodes: list[str] = Field(min_length=2)
    earth: str = "Earth"
    arcs: list[ArcSpec] = Field(min_length=1)
    holdover_nodes: list[str] = []
    fleet: list[FleetSpec] = Field(min_length=1)
    launch_vehicles: list[str] = []
    missions: list[MissionSpec] = Field(min_length=1)
    crew_mass_kg: float = Field(default=100.0, gt=0)
    # Default: NASA BVAD Table 3-31 per crew-member-day, O2 0.895 + water 3.217 + food 0.800 kg.
    consumables_kg_per_crew_day: float = Field(default=5.932, ge=0)
    spares_kg_per_crew_day: float = Field(default=0.0, ge=0)
    maintenance_fraction_per_flight: float = Field(default=0.01, ge=0, lt=1)
    g0_m_per_s2: float = Field(default=9.80665, gt=0)
    isru: IsruSpec | None = None
    objective: Literal["imleo", "cost"] = "imleo"
    time_limit_s: float = Field(default=60.0, gt=0, le=86400)
    mip_rel_gap: float = Field(default=1e-4, ge=0, le=1)
    # order identical copies by first launch (valid cuts; faster on some campaigns, slower on the Isaji case)
    symmetry_breaking: bool = False
    # take the consumables per crew-day from the operations section's life support (loop closure) when the
    # scenario has one; the split below then gives the BVAD open-loop rates it starts from
    consumables_from_operations: bool = False
    delivery_split: DeliverySplit = DeliverySplit()

    def base_node(self) -> str | None:
        """The node the station is at: the missions' one destination, else the ISRU node (None: not known)."""
        destinations = sorted({m.destination for m in self.missions})
        if len(destinations) == 1:
            return destinations[0]
        return self.isru.node if self.isru is not None and self.isru.enabled else None


class CampaignSection(_Model):
    """Options of the campaign stage."""

    epoch_utc: datetime = Field(description="day 0 of the logistics plan")
    roadmap: RoadmapSpec | None = None
    launch_vehicles: dict[str, LaunchVehicleSpec] = {}
    spacecraft: dict[str, SpacecraftSpec] = {}
    elements: dict[str, ElementSpec] = {}
    logistics: LogisticsSpec | None = None

    _parse = field_validator("epoch_utc", mode="before")(_as_utc)

    @model_validator(mode="after")
    def _check(self) -> CampaignSection:
        if self.logistics is not None:
            try:
                self.problem().check()
            except InputError as error:
                raise ValueError(f"logistics: {error}") from None
        return self

    # ------------------------------------------------------------------------------------------ conversion
    def launch_vehicle_catalog(self) -> dict[str, dict[str, Any]]:
        return catalogs.merged("launch_vehicles", {k: v.model_dump() for k, v in self.launch_vehicles.items()})

    def spacecraft_catalog(self) -> dict[str, dict[str, Any]]:
        return catalogs.merged("spacecraft", {k: v.model_dump() for k, v in self.spacecraft.items()})

    def element_catalog(self) -> dict[str, dict[str, Any]]:
        return catalogs.merged("elements", {k: v.model_dump() for k, v in self.elements.items()})

    def mission_day(self, mission: MissionSpec) -> float:
        """Departure day of a logistics mission counted from `epoch_utc` [d]."""
        if mission.depart_day is not None:
            return float(mission.depart_day)
        if mission.depart_utc is not None:
            return (mission.depart_utc - self.epoch_utc).total_seconds() / 86400.0
        rm = {m.name: m for m in (self.roadmap.missions if self.roadmap else [])}
        if mission.roadmap_mission not in rm:
            raise InputError(
                f"missions.{mission.name}.roadmap_mission = {mission.roadmap_mission!r} is not in roadmap.missions "
                f"{sorted(rm)}"
            )
        start = rm[str(mission.roadmap_mission)].start
        when = datetime(start.year, start.month, start.day, tzinfo=timezone.utc)
        return (when - self.epoch_utc).total_seconds() / 86400.0

    def problem(self) -> Problem:
        """The domain Problem of the logistics block (InputError naming the field when something is missing)."""
        spec = self.logistics
        if spec is None:
            raise InputError("campaign.logistics is missing; add a logistics block to solve a plan")
        arcs = []
        for a in spec.arcs:
            if a.dv_km_per_s is not None:
                dv = a.dv_km_per_s * 1000.0
            elif a.launch:
                dv = 0.0
            else:
                ledger = catalogs.delta_v_m_per_s(a.origin, a.destination)
                if ledger is None:
                    raise InputError(
                        f"logistics.arcs: {a.origin}->{a.destination} has no dv_km_per_s and the delta-v ledger has "
                        "no such leg; give dv_km_per_s"
                    )
                dv = ledger
            windows = tuple(
                ((w0 - self.epoch_utc).total_seconds() / 86400.0, (w1 - self.epoch_utc).total_seconds() / 86400.0)
                for w0, w1 in a.windows_utc
            )
            arcs.append(Arc(a.origin, a.destination, dv, a.tof_days, a.launch, windows))
        sc_cat = self.spacecraft_catalog()
        designs = []
        for f in spec.fleet:
            if f.spacecraft not in sc_cat:
                raise InputError(
                    f"logistics.fleet: spacecraft {f.spacecraft!r} is not in the catalog {sorted(sc_cat)}; add it "
                    "under campaign.spacecraft"
                )
            e = dict(sc_cat[f.spacecraft])
            sizing = None
            if e.get("sizing") is not None:
                z = SizingSpec.model_validate(e["sizing"])
                sizing = LinearSizing(
                    z.fixed_kg, z.per_propellant_kg, z.per_payload_kg, z.payload_min_kg, z.payload_max_kg,
                    z.propellant_min_kg, z.propellant_max_kg,
                )
                e.setdefault("payload_capacity_kg", z.payload_max_kg)
                e.setdefault("propellant_capacity_kg", z.propellant_max_kg)
                e.setdefault("dry_mass_kg", sizing.dry_max_kg())
            needed = ("payload_capacity_kg", "propellant_capacity_kg", "dry_mass_kg", "isp_s")
            missing = [k for k in needed if k not in e]
            if missing:
                raise InputError(f"campaign.spacecraft.{f.spacecraft} lacks {missing}; give them")
            designs.append(
                SpacecraftDesign(
                    name=f.spacecraft, payload_capacity_kg=float(e["payload_capacity_kg"]),
                    propellant_capacity_kg=float(e["propellant_capacity_kg"]), dry_mass_kg=float(e["dry_mass_kg"]),
                    isp_s=float(e["isp_s"]), copies=f.copies, oxidizer_to_fuel=float(e.get("oxidizer_to_fuel", 5.5)),
                    oxidizer=str(e.get("oxidizer", "oxygen")), fuel=str(e.get("fuel", "hydrogen")),
                    unit_cost_musd=float(e.get("unit_cost_musd", 0.0)), sizing=sizing,
                )
            )
        lv_cat = self.launch_vehicle_catalog()
        unpriced = [n for n in spec.launch_vehicles if n in lv_cat and lv_cat[n].get("cost_musd") is None]
        if spec.objective == "cost" and unpriced:
            raise InputError(
                f"logistics.objective = 'cost' but the cost per launch of {unpriced} is not public (the catalog has "
                "no cost_musd): the plan's cost would be unknown, not free; give campaign.launch_vehicles."
                f"{unpriced[0]}.cost_musd (an assumption) or use objective: imleo"
            )
        free_crafts = [f.spacecraft for f in spec.fleet if sc_cat[f.spacecraft].get("unit_cost_musd") is None]
        if spec.objective == "cost" and free_crafts:
            raise InputError(
                f"logistics.objective = 'cost' but the spacecraft {free_crafts} have no unit_cost_musd (not public): "
                "the optimizer would build them as if free and prefer them; give campaign.spacecraft."
                f"{free_crafts[0]}.unit_cost_musd (an assumption) or use objective: imleo"
            )
        lvs = []
        for name in spec.launch_vehicles:
            if name not in lv_cat:
                raise InputError(f"logistics.launch_vehicles: {name!r} is not in the catalog {sorted(lv_cat)}")
            e = lv_cat[name]
            cost = e.get("cost_musd")
            first = e.get("first_flight_utc")
            if isinstance(first, str):
                first = _as_utc(first)
            available = -float("inf")
            if isinstance(first, datetime):
                first = first if first.tzinfo else first.replace(tzinfo=timezone.utc)
                available = (first - self.epoch_utc).total_seconds() / 86400.0
            lvs.append(
                LaunchVehicle(
                    name=name, payload_kg={str(k): float(v) for k, v in dict(e.get("payload_kg", {})).items()},
                    # not public (None): no price in the plan (the plan's cost counts priced items only)
                    cost_musd=0.0 if cost is None else float(cost), max_per_year=int(e.get("max_per_year", 1000)),
                    available_from_day=available,
                )
            )
        el_cat = self.element_catalog()
        element_mass = {k: float(v["mass_kg"]) for k, v in el_cat.items() if "mass_kg" in v}
        missions = []
        for m in spec.missions:
            day = self.mission_day(m)
            if day < 0:
                raise InputError(
                    f"logistics.missions.{m.name} departs {-day:.0f} days before campaign.epoch_utc; move the epoch"
                )
            missions.append(
                Mission(
                    name=m.name, depart_day=round(day, 6), destination=m.destination, crew=m.crew,
                    stay_days=m.stay_days, deliver=dict(m.deliver), samples_kg=m.samples_kg,
                    spares_kg_per_crew_day=spec.spares_kg_per_crew_day,
                )
            )
        isru = None
        if spec.isru is not None and spec.isru.enabled:
            start_day = 0.0
            if spec.isru.arrives_with is not None:
                bringer = next((m for m in missions if m.name == spec.isru.arrives_with), None)
                if bringer is None or bringer.destination != spec.isru.node:
                    landing = sorted(m.name for m in missions if m.destination == spec.isru.node)
                    raise InputError(
                        f"logistics.isru.arrives_with: {spec.isru.arrives_with!r} is not a mission to the ISRU node "
                        f"{spec.isru.node!r}; missions that go there: {landing}"
                    )
                start_day = bringer.depart_day
            isru = IsruOptions(
                node=spec.isru.node, production_kg_per_kg_year=spec.isru.production_kg_per_kg_year,
                products=dict(spec.isru.products), decay_per_year=spec.isru.decay_per_year,
                maintenance_per_year=spec.isru.maintenance_per_year, start_day=start_day,
            )
        return Problem(
            nodes=tuple(spec.nodes), arcs=tuple(arcs), holdover_nodes=tuple(spec.holdover_nodes),
            designs=tuple(designs), missions=tuple(missions), element_mass_kg=element_mass,
            launch_vehicles=tuple(lvs), earth=spec.earth, crew_mass_kg=spec.crew_mass_kg,
            consumables_kg_per_crew_day=spec.consumables_kg_per_crew_day,
            maintenance_fraction_per_flight=spec.maintenance_fraction_per_flight, g0_m_per_s2=spec.g0_m_per_s2,
            isru=isru, objective=spec.objective, time_limit_s=spec.time_limit_s, mip_rel_gap=spec.mip_rel_gap,
            symmetry_breaking=spec.symmetry_breaking,
        )
