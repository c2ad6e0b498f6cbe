"""The logistics MILP: a time-expanded GMCNF model built as a sparse matrix and solved with HiGHS (highspy).

Formulation after Isaji, Takubo & Ho (J. Spacecraft and Rockets 2022; arXiv 2110.07323) and their open model
(repository ``myamazum/space-logistics-optimization``: ``src/opt_model_builder/variables.py``, ``objective.py``,
``constraints/mass_balance.py``, ``sc_capacity.py``, ``propellant_mass_conservation.py``,
``cnt_com_mass_conservation.py``, ``int_com_mass_conservation.py``). Re-implemented here, not copied:

variables (per spacecraft copy s, link l = transport arc or holdover, step k)
    y[s,l,k] in {0,1}   copy s flies l at k (the spacecraft is itself a commodity that flows, with its dry mass)
    n[s,l,k,q] integer  units of crew / elements carried out of the link's origin
    x[s,l,k,c] >= 0     kg of continuous commodity c carried out (cargo, consumables, spares, maintenance,
                        samples, ISRU plant, oxidizer, fuel)
    v[l,k,c] >= 0       kg of c arriving at the link's end (the authors' inflow variables; only their sum over
                        copies enters any constraint, so one per link and commodity is the same model)
constraints
    payload: sum(unit n) + sum(non-propellant x) <= payload capacity * y; propellant: x[p] <= share_p cap y
    (not on launch arcs, where the launch vehicle carries the stack)
    conservation over a link: v = sum x - consumption, where consumables burn the transit rate * crew * days
    (a stay's consumables are a demand at its destination, at the stay rate), maintenance
    burns 1 % of the dry mass of every flown copy per transport flight, ISRU plants decay and produce
    propellant on holdovers at the ISRU node, and propellant follows the rocket equation
    v[p] <= sum x[p] - share_p * (1 - exp(-dv / (Isp g0))) * (mass of everything the copies carry + dry mass)
    node balance per node, step and commodity: out - in <= supply (negative = demand; +inf at Earth)
    spacecraft balance per copy: out - in <= 1 at Earth (a new launch), 0 elsewhere
    launch vehicles (optional): mass on a launch arc <= sum(launches * payload); launches per year <= cadence
objective
    IMLEO = everything carried on launch arcs (crew at their unit mass, commodities, spacecraft dry mass),
    or cost = launches * launch cost + copies launched * spacecraft cost
"""

from __future__ import annotations

import itertools
import math
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import highspy
import numpy as np
import pandas as pd
from scipy import sparse

from lunarops.errors import InfeasibleError, InputError
from lunarops.logistics.functions import oxidizer_share, propellant_fraction
from lunarops.logistics.network import (
    CONTINUOUS_COMMODITIES,
    Arc,
    Problem,
    SpacecraftDesign,
    TimeSteps,
    mission_return_day,
    time_steps,
)

INF = math.inf
_PENALTY_PER_KG = 1.0
_PENALTY_PER_LAUNCH = 1.0e-3  # prefer blaming launch cadence (a policy) over unmet demand
_LAUNCH_TIE_BREAK_KG = 1.0


@dataclass(frozen=True)
class _Link:
    origin: str
    destination: str
    holdover: bool
    arc: Arc | None

    @property
    def name(self) -> str:
        return f"{self.origin} (hold)" if self.holdover else f"{self.origin}->{self.destination}"


@dataclass(frozen=True)
class _Copy:
    design: SpacecraftDesign
    copy: int

    @property
    def name(self) -> str:
        return f"{self.design.name}#{self.copy + 1}"


@dataclass
class _Lp:
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    row_lower: list[float] = field(default_factory=list)
    row_upper: list[float] = field(default_factory=list)
    row_label: list[str] = field(default_factory=list)
    row_family: list[str] = field(default_factory=list)
    a_row: list[int] = field(default_factory=list)
    a_col: list[int] = field(default_factory=list)
    a_val: list[float] = field(default_factory=list)

    def var(self, lower: float = 0.0, upper: float = INF, integer: bool = False) -> int:
        self.lower.append(lower)
        self.upper.append(upper)
        self.cost.append(0.0)
        self.integer.append(integer)
        return len(self.lower) - 1

    def row(self, terms: list[tuple[int, float]], lower: float, upper: float, label: str, family: str) -> int:
        index = len(self.row_lower)
        for col, val in terms:
            if val != 0.0:
                self.a_row.append(index)
                self.a_col.append(col)
                self.a_val.append(val)
        self.row_lower.append(lower)
        self.row_upper.append(upper)
        self.row_label.append(label)
        self.row_family.append(family)
        return index


#: Columns of ``Plan.launcher_payload``.
LAUNCHER_PAYLOAD_COLUMNS = ["day", "from", "to", "commodity", "amount", "mass_kg"]


@dataclass(frozen=True)
class Plan:
    """The solved campaign: headline numbers and tables (masses in kg, days from the campaign epoch)."""

    status: str
    objective: str
    imleo_kg: float
    cost_musd: float | None  # None: no launch vehicle or spacecraft has a cost
    solve_seconds: float
    build_seconds: float
    mip_gap: float
    n_variables: int
    n_constraints: int
    n_integer: int
    flights: pd.DataFrame
    launches: pd.DataFrame
    mass_per_step: pd.DataFrame
    deliveries: pd.DataFrame
    steps: TimeSteps
    #: solved capacities and dry mass of designs with sizing: name -> {payload_capacity_kg, ...}
    sized_designs: dict[str, dict[str, float]] = field(default_factory=dict)
    #: what the launch vehicles carry outside any flying copy (no spacecraft capacity binds on launch arcs), read
    #: from the solver's variables on each launch arc: one row per step, launch arc and commodity; ``amount`` in kg
    #: for commodities and propellants, in units for crew and elements; ``mass_kg`` = amount x unit mass
    launcher_payload: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LAUNCHER_PAYLOAD_COLUMNS))

    def summary(self) -> dict[str, Any]:
        sized = {
            f"{name}_{key}": value for name, fields in self.sized_designs.items() for key, value in fields.items()
        }
        return {
            "status": self.status,
            "objective": self.objective,
            "imleo_kg": self.imleo_kg,
            "cost_musd": self.cost_musd,
            "solve_seconds": self.solve_seconds,
            "build_seconds": self.build_seconds,
            "mip_gap": self.mip_gap,
            "n_variables": self.n_variables,
            "n_constraints": self.n_constraints,
            "n_integer": self.n_integer,
            "n_flights": int((~self.flights["holdover"]).sum()) if len(self.flights) else 0,
            **sized,
        }


class _Builder:
    """Builds the MILP of one Problem; keeps the index maps needed to read the solution."""

    def __init__(self, problem: Problem, epoch_utc: datetime | None = None) -> None:
        problem.check()
        self.p = problem
        self.epoch_utc = epoch_utc
        self.steps = time_steps(problem)
        self.lp = _Lp()
        self.links = [_Link(a.origin, a.destination, False, a) for a in problem.arcs] + [
            _Link(n, n, True, None) for n in problem.holdover_nodes
        ]
        self.copies = [_Copy(d, c) for d in problem.designs for c in range(d.copies)]
        crew_used = any(m.crew > 0 for m in problem.missions)
        self.int_names: list[str] = (["crew"] if crew_used else []) + sorted(
            {k for m in problem.missions for k in m.deliver if k in problem.element_mass_kg}
        )
        self.unit_mass = {"crew": problem.crew_mass_kg, **problem.element_mass_kg}
        used = {k for m in problem.missions for k in m.deliver if k in CONTINUOUS_COMMODITIES}
        if crew_used:
            used.add("consumables")
        if problem.maintenance_fraction_per_flight > 0 or (problem.isru and problem.isru.maintenance_per_year > 0):
            used.add("maintenance")
        if any(m.samples_kg > 0 for m in problem.missions):
            used.add("samples")
        if any(m.spares_kg_per_crew_day > 0 and m.crew > 0 for m in problem.missions):
            used.add("spares")
        if problem.isru is not None:
            used.add("isru_plant")
        self.props = list(problem.propellants)
        self.cont_names = [c for c in CONTINUOUS_COMMODITIES if c in used] + self.props
        self.nonprop = [c for c in self.cont_names if c not in self.props]
        self.y: dict[tuple[int, int, int], int] = {}
        self.n: dict[tuple[int, int, int, str], int] = {}
        self.x: dict[tuple[int, int, int, str], int] = {}
        self.v: dict[tuple[int, int, str], int] = {}
        self.launch_n: dict[tuple[str, int, int], int] = {}
        self.sized: dict[tuple[int, int, int], tuple[int, int, int]] = {}
        self.design_vars: dict[str, tuple[int, int, int]] = {}
        self.objective_terms: list[tuple[int, float]] = []
        self.cost_terms: list[tuple[int, float]] = []
        self.imleo_terms: list[tuple[int, float]] = []

    # ----------------------------------------------------------------------------------------------- helpers
    def on_day(self, day: float) -> str:
        """A row label's time: "on day 152", or with an epoch "on 2031-06-02 (day 152)"."""
        return "on " + _day_text(day, self.epoch_utc)

    def year_of(self, day: float) -> int:
        """The year a step's launches count in for a cadence: the calendar year with an epoch, else the campaign
        year index (365.25 d blocks from day 0)."""
        if self.epoch_utc is None:
            return int(day // 365.25)
        return (self.epoch_utc + timedelta(days=float(day))).year

    def year_text(self, year: int) -> str:
        """'2031', or without an epoch 'campaign year 2'."""
        return str(year) if self.epoch_utc is not None else f"campaign year {year + 1}"

    def active(self, li: int, k: int) -> bool:
        link = self.links[li]
        if link.holdover:
            return k < len(self.steps.days) - 1
        assert link.arc is not None
        if not link.arc.open_on(self.steps.days[k]):
            return False
        if self.p.is_outbound(link.arc):
            return self.steps.outbound[k]
        if self.p.is_inbound(link.arc):
            return self.steps.inbound[k]
        return True

    def link_days(self, li: int, k: int) -> float:
        link = self.links[li]
        if link.holdover:
            return self.steps.days[k + 1] - self.steps.days[k]
        assert link.arc is not None
        return link.arc.tof_days

    def design_props(self, design: SpacecraftDesign) -> dict[str, float]:
        ox = float(oxidizer_share(design.oxidizer_to_fuel))
        if design.oxidizer == design.fuel:
            return {design.oxidizer: 1.0}
        return {design.oxidizer: ox, design.fuel: 1.0 - ox}

    def is_isru_link(self, li: int) -> bool:
        link = self.links[li]
        return self.p.isru is not None and link.holdover and link.origin == self.p.isru.node

    def mass_terms(self, si: int, li: int, k: int) -> list[tuple[int, float]]:
        """Total mass carried out by copy si on link li at step k, with its dry mass [kg]."""
        terms = [(self.n[si, li, k, q], self.unit_mass[q]) for q in self.int_names]
        terms += [(self.x[si, li, k, c], 1.0) for c in self.cont_names if (si, li, k, c) in self.x]
        terms += self.dry_terms(si, li, k)
        return terms

    def dry_terms(self, si: int, li: int, k: int, scale: float = 1.0) -> list[tuple[int, float]]:
        """Dry mass of copy si flying li at k [kg] (y * dry, or the sized product variable)."""
        sized = self.sized.get((si, li, k))
        if sized is not None:
            return [(sized[2], scale)]
        return [(self.y[si, li, k], scale * self.copies[si].design.dry_mass_kg)]

    def capacity_terms(self, si: int, li: int, k: int, which: int, scale: float) -> list[tuple[int, float]]:
        """Payload (which=0) or propellant (which=1) capacity of copy si on li at k, times ``scale``."""
        sized = self.sized.get((si, li, k))
        if sized is not None:
            return [(sized[which], scale)]
        d = self.copies[si].design
        cap = d.payload_capacity_kg if which == 0 else d.propellant_capacity_kg
        return [(self.y[si, li, k], scale * cap)]

    def _sizing(self) -> None:
        """Design variables of sized designs and their products with the flight binaries (exact big-M)."""
        lp = self.lp
        for d in self.p.designs:
            z = d.sizing
            if z is None:
                continue
            pay = lp.var(z.payload_min_kg, z.payload_max_kg)
            prop = lp.var(z.propellant_min_kg, z.propellant_max_kg)
            dry = lp.var(0.0, z.dry_max_kg())
            lp.row([(dry, 1.0), (prop, -z.per_propellant_kg), (pay, -z.per_payload_kg)], z.fixed_kg, z.fixed_kg,
                   f"dry mass sizing of {d.name}", "sizing")
            self.design_vars[d.name] = (pay, prop, dry)
            bounds = (z.payload_max_kg, z.propellant_max_kg, z.dry_max_kg())
            for (si, li, k), yi in self.y.items():
                if self.copies[si].design is not d:
                    continue
                cols = []
                for var, big in zip((pay, prop, dry), bounds, strict=True):
                    f = lp.var(0.0, big)
                    label = f"sizing product of {self.copies[si].name} on {self.links[li].name} step {k}"
                    lp.row([(f, 1.0), (yi, -big)], -INF, 0.0, label, "sizing")
                    lp.row([(f, 1.0), (var, -1.0)], -INF, 0.0, label, "sizing")
                    lp.row([(f, 1.0), (var, -1.0), (yi, -big)], -big, INF, label, "sizing")
                    cols.append(f)
                self.sized[si, li, k] = (cols[0], cols[1], cols[2])

    # ----------------------------------------------------------------------------------------------- build
    def build(self) -> _Lp:
        lp = self.lp
        n_steps = len(self.steps.days)
        for k in range(n_steps):
            for li, link in enumerate(self.links):
                if not self.active(li, k):
                    continue
                launch = link.arc is not None and link.arc.launch
                for si, cp in enumerate(self.copies):
                    d = cp.design
                    self.y[si, li, k] = lp.var(0.0, 1.0, integer=True)
                    for q in self.int_names:
                        most = d.sizing.payload_max_kg if d.sizing is not None else d.payload_capacity_kg
                        cap = INF if launch else math.floor(most / self.unit_mass[q] + 1e-9)
                        self.n[si, li, k, q] = lp.var(0.0, cap, integer=True)
                    shares = self.design_props(d)
                    for c in self.cont_names:
                        if c in self.props and c not in shares:
                            continue
                        self.x[si, li, k, c] = lp.var()
                for c in self.cont_names:
                    self.v[li, k, c] = lp.var()
        self._sizing()
        self._capacity()
        self._conservation()
        self._node_balance()
        self._launch_vehicles()
        if self.p.symmetry_breaking:
            self._symmetry()
        self._objective()
        return lp

    def _symmetry(self) -> None:
        """Order identical copies by their first launch: copy c+1 may launch at step k only if copy c has
        launched at a step <= k. Valid (any plan can be relabelled so), and it prunes symmetric branches."""
        launch_links = [li for li, lk in enumerate(self.links) if lk.arc is not None and lk.arc.launch]
        for si in range(len(self.copies) - 1):
            a, b = self.copies[si], self.copies[si + 1]
            if a.design is not b.design:
                continue
            for k in range(len(self.steps.days)):
                terms = [(self.y[si + 1, li, k], 1.0) for li in launch_links if (si + 1, li, k) in self.y]
                if not terms:
                    continue
                terms += [
                    (self.y[si, li, kk], -1.0) for li in launch_links for kk in range(k + 1) if (si, li, kk) in self.y
                ]
                self.lp.row(terms, -INF, 0.0, f"launch order of {b.name} after {a.name}", "symmetry")

    def _capacity(self) -> None:
        lp = self.lp
        for si, li, k in self.y:
            link = self.links[li]
            if link.arc is not None and link.arc.launch:
                continue
            d = self.copies[si].design
            label = f"{self.copies[si].name} on {link.name} day {self.steps.days[k]:g}"
            terms = [(self.n[si, li, k, q], self.unit_mass[q]) for q in self.int_names]
            terms += [(self.x[si, li, k, c], 1.0) for c in self.nonprop]
            terms += self.capacity_terms(si, li, k, 0, -1.0)
            lp.row(terms, -INF, 0.0, f"payload capacity of {label}", "payload_capacity")
            for p, share in self.design_props(d).items():
                lp.row(
                    [(self.x[si, li, k, p], 1.0), *self.capacity_terms(si, li, k, 1, -share)],
                    -INF,
                    0.0,
                    f"{p} capacity of {label}",
                    "propellant_capacity",
                )

    def _conservation(self) -> None:
        lp, p = self.lp, self.p
        for li, link in enumerate(self.links):
            for k in range(len(self.steps.days)):
                if not self.active(li, k):
                    continue
                days = self.link_days(li, k)
                isru = self.is_isru_link(li)
                label = f"{link.name} day {self.steps.days[k]:g}"
                for c in self.cont_names:
                    out = [(self.x[si, li, k, c], -1.0) for si in range(len(self.copies)) if (si, li, k, c) in self.x]
                    terms = [(self.v[li, k, c], 1.0), *out]
                    upper = 0.0
                    lower = 0.0
                    if c == "consumables" and "crew" in self.int_names:
                        # crew on a link are in a vehicle (no base life-support loop): the transit rate
                        rate = p.consumables_kg_per_crew_day * days
                        terms += [(self.n[si, li, k, "crew"], rate) for si in range(len(self.copies))]
                    elif c == "maintenance" and not link.holdover:
                        f = p.maintenance_fraction_per_flight
                        for si in range(len(self.copies)):
                            terms += self.dry_terms(si, li, k, f)
                    elif c == "maintenance" and isru and p.isru is not None:
                        rate = p.isru.maintenance_per_year * days / 365.0
                        terms += [(self.x[si, li, k, "isru_plant"], rate) for si in range(len(self.copies))]
                    elif c == "isru_plant" and isru and p.isru is not None:
                        keep = 1.0 - p.isru.decay_per_year * days / 365.0
                        terms = [(self.v[li, k, c], 1.0)] + [(col, keep * val) for col, val in out]
                    elif c in self.props:
                        lower = -INF
                        if isru and p.isru is not None:
                            made = p.isru.products.get(c, 0.0) * p.isru.production_kg_per_kg_year * days / 365.0
                            made *= p.isru.share_after_start(self.steps.days[k], self.steps.days[k] + days)
                            terms += [(self.x[si, li, k, "isru_plant"], -made) for si in range(len(self.copies))]
                        elif link.arc is not None and link.arc.dv_m_per_s > 0 and not link.arc.launch:
                            for si, cp in enumerate(self.copies):
                                share = self.design_props(cp.design).get(c, 0.0)
                                if share == 0.0:
                                    continue
                                frac = float(
                                    propellant_fraction(link.arc.dv_m_per_s, cp.design.isp_s, p.g0_m_per_s2)
                                )
                                terms += [(col, share * frac * val) for col, val in self.mass_terms(si, li, k)]
                    lp.row(terms, lower, upper, f"{c} conservation on {label}", "conservation")

    def _supply(self) -> dict[tuple[str, int, str], float]:
        """Supply (+) and demand (-) per node, step and commodity; +inf = unlimited."""
        p, steps = self.p, self.steps
        supply: dict[tuple[str, int, str], float] = {}

        def add(node: str, k: int, c: str, amount: float) -> None:
            supply[node, k, c] = supply.get((node, k, c), 0.0) + amount

        for k in range(len(steps.days)):
            for c in [*self.cont_names, *self.int_names]:
                if c not in ("samples", "crew"):
                    supply[p.earth, k, c] = INF
        for m in p.missions:
            k0 = steps.index(float(m.depart_day))
            for name, amount in m.deliver.items():
                add(m.destination, k0, name, -amount)
            if m.crew > 0:
                add(p.earth, k0, "crew", m.crew)
                add(m.destination, k0, "crew", -m.crew)
                if m.spares_kg_per_crew_day > 0:
                    add(m.destination, k0, "spares", -m.spares_kg_per_crew_day * m.crew * m.stay_days)
            if m.returns:
                k1 = steps.index(float(mission_return_day(p, m)))
                if m.crew > 0:
                    add(m.destination, k1, "crew", m.crew)
                    add(p.earth, k1, "crew", -m.crew)
                    # the stay at the base (its own rate, e.g. a closed loop); the transits burn
                    # consumables_kg_per_crew_day on the links (_conservation)
                    add(m.destination, k1, "consumables", -m.crew * m.stay_days * p.stay_rate_kg_per_crew_day)
                if m.samples_kg > 0:
                    supply[m.destination, k1, "samples"] = INF
                    add(p.earth, k1, "samples", -m.samples_kg)
        return supply

    def _node_balance(self) -> None:
        lp, steps = self.lp, self.steps
        supply = self._supply()
        self.supply = supply
        n_steps = len(steps.days)
        for node in self.p.nodes:
            for k in range(n_steps):
                outs = [li for li, lk in enumerate(self.links) if lk.origin == node and self.active(li, k)]
                ins = [
                    li for li, lk in enumerate(self.links) if lk.destination == node and not lk.holdover
                    and self.active(li, k)
                ]
                hold = [
                    li for li, lk in enumerate(self.links) if lk.holdover and lk.origin == node and k > 0
                    and self.active(li, k - 1)
                ]
                day = steps.days[k]
                for q in self.int_names:
                    rhs = supply.get((node, k, q), 0.0)
                    if rhs == INF:
                        continue
                    terms = [(self.n[si, li, k, q], 1.0) for li in outs for si in range(len(self.copies))]
                    terms += [(self.n[si, li, k, q], -1.0) for li in ins for si in range(len(self.copies))]
                    terms += [(self.n[si, li, k - 1, q], -1.0) for li in hold for si in range(len(self.copies))]
                    family = "demand" if rhs < 0 else "balance"
                    lp.row(terms, -INF, rhs, f"{q} at {node} {self.on_day(day)} (needs {-rhs:g})", family)
                for c in self.cont_names:
                    rhs = supply.get((node, k, c), 0.0)
                    if rhs == INF:
                        continue
                    terms = [
                        (self.x[si, li, k, c], 1.0) for li in outs for si in range(len(self.copies))
                        if (si, li, k, c) in self.x
                    ]
                    terms += [(self.v[li, k, c], -1.0) for li in ins]
                    terms += [(self.v[li, k - 1, c], -1.0) for li in hold]
                    family = "demand" if rhs < 0 else "balance"
                    lp.row(terms, -INF, rhs, f"{c} at {node} {self.on_day(day)} (needs {-rhs:g} kg)", family)
                for si, cp in enumerate(self.copies):
                    terms = [(self.y[si, li, k], 1.0) for li in outs]
                    terms += [(self.y[si, li, k], -1.0) for li in ins]
                    terms += [(self.y[si, li, k - 1], -1.0) for li in hold]
                    if not terms:
                        continue
                    rhs_sc = 1.0 if node == self.p.earth else 0.0
                    label = f"spacecraft {cp.name} at {node} {self.on_day(day)}"
                    lp.row(terms, -INF, rhs_sc, label, "spacecraft_balance")

    def _launch_vehicles(self) -> None:
        lp, p, steps = self.lp, self.p, self.steps
        if not p.launch_vehicles:
            return
        per_year: dict[tuple[str, int], list[int]] = {}
        for li, link in enumerate(self.links):
            if link.arc is None or not link.arc.launch:
                continue
            for k in range(len(steps.days)):
                if not self.active(li, k):
                    continue
                terms: list[tuple[int, float]] = []
                for si in range(len(self.copies)):
                    terms += self.mass_terms(si, li, k)
                for lv in p.launch_vehicles:
                    cap = lv.payload_kg.get(link.destination)
                    if cap is None:
                        continue
                    upper = 0.0 if steps.days[k] < lv.available_from_day else INF
                    col = lp.var(0.0, upper, integer=True)
                    self.launch_n[lv.name, li, k] = col
                    terms.append((col, -cap))
                    self.cost_terms.append((col, lv.cost_musd))
                    per_year.setdefault((lv.name, self.year_of(steps.days[k])), []).append(col)
                lp.row(
                    terms, -INF, 0.0,
                    f"launch capacity to {link.destination} {self.on_day(steps.days[k])}", "launch_capacity",
                )
        for lv in p.launch_vehicles:
            for (name, year), cols in per_year.items():
                if name == lv.name:
                    lp.row(
                        [(c, 1.0) for c in cols], -INF, float(lv.max_per_year),
                        f"cadence of {lv.name} in {self.year_text(year)} (max {lv.max_per_year})",
                        "cadence",
                    )

    def _objective(self) -> None:
        for (si, li, k), yi in self.y.items():
            link = self.links[li]
            if link.arc is None or not link.arc.launch:
                continue
            self.imleo_terms += self.mass_terms(si, li, k)
            self.cost_terms.append((yi, self.copies[si].design.unit_cost_musd))
        terms = self.imleo_terms if self.p.objective == "imleo" else self.cost_terms
        for col, val in terms:
            self.lp.cost[col] += val
        if self.p.objective == "imleo":
            # a launch that lifts nothing must not appear in the plan: 1 kg-equivalent per launch breaks the tie
            for col in self.launch_n.values():
                self.lp.cost[col] += _LAUNCH_TIE_BREAK_KG


def _new_highs() -> highspy.Highs:
    """A silent HiGHS instance: its constructor prints a banner on the C stdout, which would spoil --json."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    return h


def _highs(lp: _Lp, time_limit_s: float, mip_rel_gap: float) -> tuple[highspy.Highs, float]:
    n_col, n_row = len(lp.lower), len(lp.row_lower)
    matrix = sparse.csc_matrix(
        (np.asarray(lp.a_val), (np.asarray(lp.a_row), np.asarray(lp.a_col))), shape=(n_row, n_col)
    )
    matrix.sum_duplicates()
    model = highspy.HighsLp()
    model.num_col_ = n_col
    model.num_row_ = n_row
    model.col_cost_ = np.asarray(lp.cost, dtype=float)
    model.col_lower_ = np.asarray(lp.lower, dtype=float)
    model.col_upper_ = np.asarray(lp.upper, dtype=float)
    model.row_lower_ = np.asarray(lp.row_lower, dtype=float)
    model.row_upper_ = np.asarray(lp.row_upper, dtype=float)
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    model.a_matrix_.index_ = matrix.indices.astype(np.int32)
    model.a_matrix_.value_ = matrix.data.astype(float)
    model.a_matrix_.num_col_ = n_col
    model.a_matrix_.num_row_ = n_row
    model.integrality_ = [
        highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous for flag in lp.integer
    ]
    h = _new_highs()
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    h.setOptionValue("threads", 1)
    h.passModel(model)
    start = time.perf_counter()
    h.run()
    return h, time.perf_counter() - start


def _explain_infeasible(builder: _Builder, time_limit_s: float) -> str:
    """Re-solve with elastic demand and cadence rows; name the rows that cannot be met."""
    lp = builder.lp
    elastic = _Lp(
        lower=list(lp.lower), upper=list(lp.upper), cost=[0.0] * len(lp.lower), integer=list(lp.integer),
        row_lower=list(lp.row_lower), row_upper=list(lp.row_upper), row_label=list(lp.row_label),
        row_family=list(lp.row_family), a_row=list(lp.a_row), a_col=list(lp.a_col), a_val=list(lp.a_val),
    )
    slack: dict[int, int] = {}
    for r, family in enumerate(lp.row_family):
        if family in ("demand", "cadence"):
            col = elastic.var()
            elastic.cost[col] = _PENALTY_PER_LAUNCH if family == "cadence" else _PENALTY_PER_KG
            elastic.a_row.append(r)
            elastic.a_col.append(col)
            elastic.a_val.append(-1.0)
            slack[r] = col
    h, _ = _highs(elastic, time_limit_s, 1e-3)
    values = np.asarray(h.getSolution().col_value)
    if len(values) == 0:
        return "no relaxed solution either; check the network (arcs, holdover nodes) and spacecraft"
    short = [(lp.row_label[r], values[c]) for r, c in slack.items() if values[c] > 1e-6]
    if not short:
        return "the elastic re-solve met every demand; the binding constraint is a spacecraft or capacity row"
    parts = [f"{label}: short by {amount:,.1f}" for label, amount in short[:8]]
    more = f" (and {len(short) - 8} more)" if len(short) > 8 else ""
    return "; ".join(parts) + more + _windows_in_force(builder.p, builder.epoch_utc)


def _day_text(day: float, epoch_utc: datetime | None) -> str:
    """A campaign day as a planner reads it: "day 152", or with the epoch "2031-06-02 (day 152)"."""
    if epoch_utc is None:
        return f"day {day:g}"
    return f"{epoch_utc + timedelta(days=float(day)):%Y-%m-%d} (day {day:g})"


def _windows_in_force(problem: Problem, epoch_utc: datetime | None) -> str:
    """The arcs' windows and the launch vehicles' first flights, for an infeasibility message: a closed window or
    a vehicle not yet flying is often the cause of the shortfalls the elastic re-solve names (they are what it
    cannot deliver, not why)."""
    windows = [
        f"{a.name} " + ", ".join(f"{_day_text(a0, epoch_utc)} to {_day_text(a1, epoch_utc)}" for a0, a1 in a.windows)
        for a in problem.arcs
        if a.windows
    ]
    first_flights = [
        f"{lv.name} from {_day_text(lv.available_from_day, epoch_utc)}"
        for lv in problem.launch_vehicles
        if math.isfinite(lv.available_from_day)
    ]
    text = ""
    if windows:
        text += f". Arcs fly only in their windows (days from the campaign epoch): {'; '.join(windows)}"
    if first_flights:
        text += f". Launch vehicles fly only from their first flight: {'; '.join(first_flights)}"
    return text


def solve(
    problem: Problem,
    progress: Callable[[float, str], None] | None = None,
    *,
    epoch_utc: datetime | None = None,
) -> Plan:
    """Build and solve the campaign MILP; raise InfeasibleError naming the unmet demands when infeasible.
    With ``epoch_utc`` (day 0's date) launch cadences count calendar years and messages give dates beside the
    days; without it cadences count 365.25-day blocks from day 0 (the same plan can differ when day 0 is not
    January 1).

    A malformed problem (a field out of range, a name that is not in the network) raises InputError naming it.
    """
    if not isinstance(problem, Problem):
        raise InputError(
            f"solve(problem): problem = {repr(problem)[:80]} is a {type(problem).__name__}, not a "
            "lunarops.logistics.Problem; build a Problem(nodes, arcs, holdover_nodes, designs, missions), or read a "
            "campaign file with lunarops.cli.campaign.load_campaign(path).problem()"
        )
    if progress is not None and not callable(progress):
        raise InputError(
            f"solve(progress): progress = {progress!r} must be None or a callable progress(fraction, message)"
        )
    report = progress or (lambda fraction, message: None)
    report(0.0, "building the time-expanded network")
    t0 = time.perf_counter()
    if epoch_utc is not None and not isinstance(epoch_utc, datetime):
        raise InputError(
            f"solve(epoch_utc): epoch_utc = {epoch_utc!r} must be None or a datetime (day 0 of the plan)"
        )
    builder = _Builder(problem, epoch_utc)
    lp = builder.build()
    build_s = time.perf_counter() - t0
    report(0.2, f"solving {len(lp.lower)} variables, {len(lp.row_lower)} constraints with HiGHS")
    h, solve_s = _highs(lp, problem.time_limit_s, problem.mip_rel_gap)
    status = h.modelStatusToString(h.getModelStatus())
    values = np.asarray(h.getSolution().col_value)
    has_solution = len(values) == len(lp.lower) and h.getInfo().primal_solution_status == 2
    if status == "Infeasible" or not has_solution:
        report(0.8, "infeasible: finding the binding constraints")
        reason = _explain_infeasible(builder, problem.time_limit_s)
        raise InfeasibleError(f"the campaign has no feasible plan (HiGHS: {status}); binding: {reason}")
    report(0.9, "reading the plan")
    plan = _read_plan(builder, values, status, solve_s, build_s, float(h.getInfo().mip_gap))
    report(1.0, "done")
    return plan


def _nonneg(value: float) -> float:
    """A non-negative quantity read from the solver: round-off below zero and -0.0 become 0.0 (the variables
    are bounded below by 0; HiGHS may return -0.0 or -1e-12, which would print as "-0.0")."""
    v = float(value)
    return v if v > 0.0 else 0.0


def _read_plan(builder: _Builder, x: np.ndarray, status: str, solve_s: float, build_s: float, gap: float) -> Plan:
    p, steps, lp = builder.p, builder.steps, builder.lp
    imleo = _nonneg(sum(x[c] * v for c, v in builder.imleo_terms))
    # None when nothing has a price (the catalog's vehicles without costs): "not priced", not a free campaign
    priced = any(v > 0 for _, v in builder.cost_terms)
    # launches from the kept counts (the solver's less those that lift nothing), spacecraft from the solver
    counts = _fewest_launches(builder, x)
    launch_cols = set(builder.launch_n.values())
    lv_cost_musd = {lv.name: float(lv.cost_musd) for lv in p.launch_vehicles}
    cost_musd = sum(float(x[c]) * v for c, v in builder.cost_terms if c not in launch_cols)
    cost_musd += sum(n * lv_cost_musd[key[0]] for key, n in counts.items())
    cost = _nonneg(cost_musd) if priced else None
    rows: list[dict[str, Any]] = []
    for (si, li, k), yi in builder.y.items():
        if x[yi] < 0.5:
            continue
        cp, link = builder.copies[si], builder.links[li]
        d = cp.design
        dry = _nonneg(sum(x[c] * v for c, v in builder.dry_terms(si, li, k)))
        row: dict[str, Any] = {
            "day": steps.days[k],
            "spacecraft": cp.name,
            "design": d.name,
            "from": link.origin,
            "to": link.destination,
            "holdover": link.holdover,
            "launch": bool(link.arc is not None and link.arc.launch),
            "dry_mass_kg": dry,
        }
        for q in builder.int_names:
            row[q] = round(float(x[builder.n[si, li, k, q]]))
        payload = sum(row[q] * builder.unit_mass[q] for q in builder.int_names)
        for c in builder.cont_names:
            col = builder.x.get((si, li, k, c))
            row[f"{c}_kg"] = _nonneg(x[col]) if col is not None else 0.0
            if c in builder.nonprop:
                payload += row[f"{c}_kg"]
        propellant = sum(row[f"{c}_kg"] for c in builder.props)
        burned = 0.0
        if link.arc is not None and not link.arc.launch and link.arc.dv_m_per_s > 0:
            frac = float(propellant_fraction(link.arc.dv_m_per_s, d.isp_s, p.g0_m_per_s2))
            burned = frac * (payload + propellant + dry)
        row["payload_kg"] = payload
        row["propellant_loaded_kg"] = propellant
        row["propellant_burned_kg"] = burned
        row["gross_mass_kg"] = payload + propellant + dry
        rows.append(row)
    flights = pd.DataFrame(rows)
    if len(flights):
        flights = flights.sort_values(["day", "holdover", "spacecraft"], kind="stable").reset_index(drop=True)
    launches = pd.DataFrame(
        [
            {"day": steps.days[k], "launch_vehicle": name, "to": builder.links[li].destination, "launches": n}
            for (name, li, k), n in counts.items() if n > 0
        ],
        columns=["day", "launch_vehicle", "to", "launches"],
    )
    per_step: dict[float, float] = {}
    for (si, li, k), _yi in builder.y.items():
        link = builder.links[li]
        if link.arc is None or not link.arc.launch:
            continue
        mass = sum(x[c] * v for c, v in builder.mass_terms(si, li, k))
        per_step[steps.days[k]] = per_step.get(steps.days[k], 0.0) + _nonneg(mass)
    mass_per_step = pd.DataFrame(
        {"day": list(per_step), "launched_mass_kg": list(per_step.values())}, columns=["day", "launched_mass_kg"]
    )
    deliveries = _deliveries(builder, x)
    launcher_payload = _launcher_payload(builder, x)
    n_int = int(sum(lp.integer))
    sized_designs = {
        name: {"payload_capacity_kg": _nonneg(x[pay]), "propellant_capacity_kg": _nonneg(x[prop]),
               "dry_mass_kg": _nonneg(x[dry])}
        for name, (pay, prop, dry) in builder.design_vars.items()
    }
    return Plan(
        status=status, objective=p.objective, imleo_kg=imleo, cost_musd=cost, solve_seconds=solve_s,
        build_seconds=build_s, mip_gap=gap, n_variables=len(lp.lower), n_constraints=len(lp.row_lower),
        n_integer=n_int, flights=flights, launches=launches, mass_per_step=mass_per_step, deliveries=deliveries,
        steps=steps, sized_designs=sized_designs, launcher_payload=launcher_payload,
    )


#: above this many combinations (product of count + 1) on one launch arc ``fewest_launches`` keeps the greedy drop
_MAX_LAUNCH_COMBINATIONS = 200_000


def fewest_launches(
    mass_kg: float,
    payloads_kg: Mapping[str, float],
    counts: Mapping[str, int],
    costs_musd: Mapping[str, float],
    by_cost: bool,
    slack_kg: float = 0.0,
) -> dict[str, int]:
    """The launches one launch arc needs, per launch vehicle, out of the solver's ``counts``.

    Each vehicle keeps 0..counts[v] launches (never more: the cadence rows stay satisfied) with
    sum(n_v x payloads_kg[v]) >= mass_kg - slack_kg. Chosen by the objective's launch terms: with ``by_cost`` (the
    cost objective) and every vehicle the solver used priced (cost > 0), the least cost, then the fewest launches;
    otherwise the fewest launches, then the least cost (unpriced vehicles count 0). All combinations are tried;
    above ``_MAX_LAUNCH_COMBINATIONS`` of them, or if none lifts the mass, the greedy drop (largest payload first)
    of the solver's counts is kept."""
    names = list(counts)
    used = [v for v in names if counts[v] > 0]
    priced = by_cost and all(costs_musd.get(v, 0.0) > 0 for v in used)
    need_kg = mass_kg - slack_kg
    combos = math.prod(counts[v] + 1 for v in names)
    best: tuple[float, ...] | None = None
    chosen: dict[str, int] = {}
    if combos <= _MAX_LAUNCH_COMBINATIONS:
        for ns in itertools.product(*(range(counts[v] + 1) for v in names)):
            if sum(n * payloads_kg[v] for n, v in zip(ns, names, strict=True)) < need_kg:
                continue
            cost = sum(n * costs_musd.get(v, 0.0) for n, v in zip(ns, names, strict=True))
            launches = sum(ns)
            key = (cost, launches, *ns) if priced else (launches, cost, *ns)
            if best is None or key < best:
                best, chosen = key, dict(zip(names, ns, strict=True))
    if best is not None:
        return chosen
    greedy = dict(counts)
    lifted = sum(greedy[v] * payloads_kg[v] for v in names)
    for v in sorted(names, key=lambda v: -payloads_kg[v]):
        while greedy[v] > 0 and lifted - payloads_kg[v] >= need_kg:
            greedy[v] -= 1
            lifted -= payloads_kg[v]
    return greedy


def _fewest_launches(builder: _Builder, x: np.ndarray) -> dict[tuple[str, int, int], int]:
    """The solver's launch counts less the launches the mass on each launch arc does not need.

    The MIP stops within its relative gap (``mip_rel_gap``), which on a heavy campaign exceeds the 1 kg tie
    break per launch, so a solution may keep a launch that lifts nothing, or two small launches where one large
    one of a vehicle it also launches there would do. Each launch arc and step keeps ``fewest_launches`` of the
    solver's counts: the capacity row stays satisfied, cadence rows only loosen and the objective's launch terms
    do not grow."""
    counts = {key: round(float(x[col])) for key, col in builder.launch_n.items()}
    by_arc: dict[tuple[int, int], list[tuple[str, int, int]]] = {}
    for key in counts:
        by_arc.setdefault((key[1], key[2]), []).append(key)
    vehicles = {lv.name: lv for lv in builder.p.launch_vehicles}
    by_cost = builder.p.objective == "cost"
    for (li, k), keys in by_arc.items():
        mass = sum(x[c] * v for si in range(len(builder.copies)) for c, v in builder.mass_terms(si, li, k))
        destination = builder.links[li].destination
        kept = fewest_launches(
            float(mass),
            {key[0]: float(vehicles[key[0]].payload_kg[destination]) for key in keys},
            {key[0]: counts[key] for key in keys},
            {key[0]: float(vehicles[key[0]].cost_musd) for key in keys},
            by_cost,
            slack_kg=1e-6 * max(1.0, abs(float(mass))),
        )
        for key in keys:
            counts[key] = kept[key[0]]
    return counts


def _launcher_payload(builder: _Builder, x: np.ndarray) -> pd.DataFrame:
    """What each launch arc carries per step outside any flying copy: the crew, element and commodity variables
    (n, x) on the launch arc of every copy that does not fly it (y = 0). Launch arcs have no spacecraft capacity,
    so the launch vehicle lifts these; with the flying copies' rows (``flights``) they make up ``mass_per_step``."""
    steps = builder.steps
    rows: list[dict[str, Any]] = []
    for k in range(len(steps.days)):
        for li, link in enumerate(builder.links):
            if link.arc is None or not link.arc.launch or not builder.active(li, k):
                continue
            idle = [si for si in range(len(builder.copies)) if x[builder.y[si, li, k]] < 0.5]
            for q in builder.int_names:
                count = round(float(sum(x[builder.n[si, li, k, q]] for si in idle)))
                if count > 0:
                    rows.append({"day": steps.days[k], "from": link.origin, "to": link.destination, "commodity": q,
                                 "amount": float(count), "mass_kg": count * builder.unit_mass[q]})
            for c in builder.cont_names:
                kg = _nonneg(sum(x[builder.x[si, li, k, c]] for si in idle if (si, li, k, c) in builder.x))
                if kg > 1e-6:
                    rows.append({"day": steps.days[k], "from": link.origin, "to": link.destination, "commodity": c,
                                 "amount": kg, "mass_kg": kg})
    return pd.DataFrame(rows, columns=LAUNCHER_PAYLOAD_COLUMNS)


def _deliveries(builder: _Builder, x: np.ndarray) -> pd.DataFrame:
    """What stays at each mission destination per step: inflow minus outflow (kg; crew and elements in units)."""
    p, steps = builder.p, builder.steps
    rows: list[dict[str, Any]] = []
    for node in sorted({m.destination for m in p.missions}):
        for k in range(len(steps.days)):
            for c in [*builder.int_names, *builder.cont_names]:
                inflow = 0.0
                outflow = 0.0
                for li, link in enumerate(builder.links):
                    for si in range(len(builder.copies)):
                        if c in builder.int_names:
                            if link.destination == node and not link.holdover and (si, li, k, c) in builder.n:
                                inflow += x[builder.n[si, li, k, c]]
                            if link.holdover and link.origin == node and (si, li, k - 1, c) in builder.n:
                                inflow += x[builder.n[si, li, k - 1, c]]
                            if link.origin == node and (si, li, k, c) in builder.n:
                                outflow += x[builder.n[si, li, k, c]]
                        elif link.origin == node and (si, li, k, c) in builder.x:
                            outflow += x[builder.x[si, li, k, c]]
                    if c in builder.cont_names:
                        if link.destination == node and not link.holdover and (li, k, c) in builder.v:
                            inflow += x[builder.v[li, k, c]]
                        if link.holdover and link.origin == node and (li, k - 1, c) in builder.v:
                            inflow += x[builder.v[li, k - 1, c]]
                net = inflow - outflow
                if c == "crew":
                    arrivals = sum(
                        x[builder.n[si, li, k, "crew"]]
                        for li, link in enumerate(builder.links)
                        for si in range(len(builder.copies))
                        if link.destination == node and not link.holdover and (si, li, k, "crew") in builder.n
                    )
                    net = arrivals
                if net > 1e-6:
                    rows.append({"day": steps.days[k], "node": node, "commodity": c, "amount": float(net)})
    return pd.DataFrame(rows, columns=["day", "node", "commodity", "amount"])
