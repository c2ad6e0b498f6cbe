"""The delta-v ledger between the nodes a lunar campaign uses, computed transfer options and propellant.

Published defaults: Acta Astronautica 177 (2020) 351-372, Table 4 (impulsive delta-v between LEO, trans-lunar
injection, the 9:2 NRHO, a 100 km low lunar orbit and the lunar surface). Computed options: Hohmann and
bi-elliptic transfers between circular lunar orbits, and a two-impulse NRHO -> LLO estimate at the NRHO's
perilune (coplanar: the NRHO plane is nearly polar and the LLO is taken in it; no plane change, no phasing).
Propellant from the rocket equation with a given specific impulse.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from lunarops.constants import G0_M_PER_S2, GM_MOON_M3_PER_S2, MOON_RADIUS_M
from lunarops.errors import InputError
from lunarops.orbits.cr3bp import propagate
from lunarops.orbits.families import PeriodicOrbit
from lunarops.orbits.functions import (
    apse_to_circular_dv_m_per_s,
    bielliptic_dv_m_per_s,
    hohmann_dv_m_per_s,
    propellant_mass_kg,
    require_real,
    rotating_to_moon_inertial,
)

NODES = ("LEO", "TLI", "NRHO", "LLO", "surface")
TABLE4_SOURCE = "Acta Astronautica 177 (2020) 351-372, Table 4"
#: Table 4 legs [m/s].
TABLE4_DV_M_PER_S: dict[tuple[str, str], float] = {
    ("LEO", "TLI"): 3276.0,
    ("TLI", "NRHO"): 450.0,
    ("NRHO", "LLO"): 740.0,
    ("LLO", "NRHO"): 850.0,
    ("LLO", "surface"): 2180.0,
    ("surface", "LLO"): 1968.0,
}
#: What each Table 4 leg assumes (the table's own Reference column and footnote): the Mueller (2012) legs include a
#: 5 % reserve, the DAC2 legs do not say so; LEO is 407 km, LLO 100 km circular.
TABLE4_LEG_NOTES: dict[tuple[str, str], str] = {
    ("LEO", "TLI"): "from a 407 km LEO; Mueller (2012) with a 5 % reserve (3.120 km/s without it)",
    ("TLI", "NRHO"): "NRHO insertion after a direct (about 5 d) transfer; DAC2, no reserve stated",
    ("NRHO", "LLO"): "to a 100 km LLO; DAC2, no reserve stated",
    ("LLO", "NRHO"): "from a 100 km LLO; DAC2, no reserve stated",
    ("LLO", "surface"): "descent from a 100 km LLO; Mueller (2012) with a 5 % reserve (2.076 km/s without it)",
    ("surface", "LLO"): "ascent to a 100 km LLO; Mueller (2012) with a 5 % reserve (1.874 km/s without it)",
}
#: Highest altitude nrho_llo_estimate accepts for its "low" lunar orbit [km], the scenario's bound
#: (``transfers.llo_alt_km``). Low lunar orbits fly at 15-500 km; 5000 km (about three lunar radii) leaves room for
#: studies while refusing values that are no LLO at all (a 1,000,000 km "LLO" lies past the Moon's Hill sphere,
#: about 60,000 km, where the two-body transfer ellipse is meaningless).
MAX_LLO_ALT_KM = 5000.0


def path_nodes(path: Sequence[str] | str) -> list[str]:
    """The node names of a path: a sequence of names, or one comma-separated string like the CLI's --path."""
    if isinstance(path, str):
        nodes = [p.strip() for p in path.split(",")]
    elif not isinstance(path, Sequence):
        raise InputError(
            f"path must be a list of node names or a comma-separated string, got {path!r} ({type(path).__name__}); "
            "write e.g. ['LEO', 'TLI', 'NRHO'] or 'LEO,TLI,NRHO'"
        )
    else:
        nodes = list(path)
    empty = [k + 1 for k, node in enumerate(nodes) if isinstance(node, str) and not node.strip()]
    if empty:
        kept = ",".join(str(n).strip() for n in nodes if not (isinstance(n, str) and not n.strip()))
        raise InputError(
            f"path {path!r} has an empty node (number {', '.join(map(str, empty))}: two commas in a row or a "
            f"leading/trailing comma); write the nodes without it, e.g. {kept}"
        )
    return nodes


@dataclass(frozen=True)
class Leg:
    """One impulsive leg between two nodes."""

    origin: str
    destination: str
    dv_m_per_s: float
    source: str


@dataclass(frozen=True)
class LedgerStep:
    """A leg of a flown path with its propellant."""

    leg: Leg
    mass_before_kg: float
    propellant_kg: float


def ledger_records(steps: Sequence[LedgerStep]) -> list[dict[str, object]]:
    """One row per leg flown: from, to, dv [km/s], mass before [kg], propellant [kg], source."""
    return [
        {
            "from": s.leg.origin,
            "to": s.leg.destination,
            "dv_km_per_s": s.leg.dv_m_per_s / 1e3,
            "mass_before_kg": s.mass_before_kg,
            "propellant_kg": s.propellant_kg,
            "source": s.leg.source,
        }
        for s in steps
    ]


def _example_through(ledger: DeltaVLedger, node: str) -> str:
    """A flyable path of two or more nodes through ``node``: the first leg that starts or ends there."""
    for leg in ledger.legs:
        if node in (leg.origin, leg.destination):
            return f"{leg.origin},{leg.destination}"
    return "LEO,TLI,NRHO"


@dataclass(frozen=True)
class DeltaVLedger:
    """A directed set of legs; missing legs are not flyable."""

    legs: tuple[Leg, ...]

    def nodes(self) -> list[str]:
        """Every node that appears in a leg."""
        names: list[str] = []
        for leg in self.legs:
            for node in (leg.origin, leg.destination):
                if node not in names:
                    names.append(node)
        return names

    def leg(self, origin: str, destination: str) -> Leg:
        """The leg origin -> destination; InputError naming the nodes when it is not in the ledger."""
        for leg in self.legs:
            if leg.origin == origin and leg.destination == destination:
                return leg
        self._check_node(origin)
        self._check_node(destination)
        legs = ", ".join(f"{x.origin}->{x.destination}" for x in self.legs)
        if origin == destination:
            raise InputError(
                f"the path repeats {origin} twice in a row ({origin} -> {destination}): a leg from a node to itself "
                f"costs nothing and is not in the ledger; drop the repeated {origin} (write it once), e.g. the path "
                f"{_example_through(self, origin)}"
            )
        try:
            via, _ = self.cheapest_path(origin, destination)
            route = f"fly through intermediate nodes, e.g. the path {','.join(via)}; "
        except InputError:
            route = ""
        raise InputError(
            f"the ledger has no leg {origin} -> {destination}; {route}the legs that exist are {legs}. The ledger "
            "cannot be extended from the command line: price a missing leg in a scenario's logistics.arcs with its "
            "own dv_km_per_s, or in Python with DeltaVLedger.with_leg(Leg(origin, destination, dv_m_per_s, source))"
        )

    def _check_node(self, node: str) -> None:
        if node not in self.nodes():
            raise InputError(f"unknown node {node!r}; choose one of {', '.join(self.nodes())}")

    def with_leg(self, leg: Leg) -> DeltaVLedger:
        """A new ledger with ``leg`` added or replacing the leg between the same nodes."""
        if not math.isfinite(leg.dv_m_per_s) or leg.dv_m_per_s < 0:
            raise InputError(f"delta-v of {leg.origin}->{leg.destination} must be >= 0, got {leg.dv_m_per_s}")
        kept = tuple(x for x in self.legs if (x.origin, x.destination) != (leg.origin, leg.destination))
        return replace(self, legs=(*kept, leg))

    def path_dv_m_per_s(self, path: Sequence[str]) -> float:
        """Total delta-v along the nodes of ``path`` [m/s]: a list of names or a string 'LEO,TLI,NRHO'."""
        path = path_nodes(path)
        if len(path) < 2:
            raise InputError(f"a path needs at least two nodes, got {list(path)}; write e.g. LEO,TLI,NRHO")
        return float(sum(self.leg(a, b).dv_m_per_s for a, b in itertools.pairwise(path)))

    def cheapest_path(self, origin: str, destination: str) -> tuple[list[str], float]:
        """Lowest-delta-v path (Dijkstra) and its total [m/s]."""
        self._check_node(origin)
        self._check_node(destination)
        best = {origin: 0.0}
        previous: dict[str, str] = {}
        queue = [(0.0, origin)]
        while queue:
            cost, node = heapq.heappop(queue)
            if node == destination:
                break
            if cost > best.get(node, math.inf):
                continue
            for leg in self.legs:
                if leg.origin == node and cost + leg.dv_m_per_s < best.get(leg.destination, math.inf):
                    best[leg.destination] = cost + leg.dv_m_per_s
                    previous[leg.destination] = node
                    heapq.heappush(queue, (best[leg.destination], leg.destination))
        if destination not in best:
            legs = ", ".join(f"{x.origin}->{x.destination}" for x in self.legs)
            raise InputError(
                f"no sequence of legs leads from {origin} to {destination} (the legs that exist are {legs}); choose "
                "nodes the legs connect, or add legs in Python with DeltaVLedger.with_leg(Leg(...)) (a scenario's "
                "logistics.arcs can carry their own dv_km_per_s)"
            )
        path = [destination]
        while path[-1] != origin:
            path.append(previous[path[-1]])
        return path[::-1], best[destination]

    def fly(
        self,
        path: Sequence[str],
        final_mass_kg: float,
        isp_s: float,
        labels: tuple[str, str] = ("final_mass_kg (--final-mass-kg)", "isp_s (--isp-s)"),
    ) -> list[LedgerStep]:
        """Propellant per leg of a vehicle arriving with ``final_mass_kg`` [kg]; engine ``isp_s`` [s].

        ``path``: a list of node names or a comma-separated string 'LEO,TLI,NRHO'. ``labels``: how errors name
        the mass and the Isp (the CLI's options by default; a scenario passes its field names).
        """
        path = path_nodes(path)
        mass_label, isp_label = labels
        require_real(mass_label, final_mass_kg, "in kg")
        require_real(isp_label, isp_s, "in seconds, e.g. 450")
        if not (final_mass_kg > 0 and math.isfinite(final_mass_kg)):
            raise InputError(f"{mass_label} must be a positive number of kg, got {final_mass_kg}")
        if not (isp_s > 0 and math.isfinite(isp_s)):
            raise InputError(f"specific impulse {isp_label} must be a positive number of seconds, got {isp_s}")
        exponent = self.path_dv_m_per_s(path) / (isp_s * G0_M_PER_S2)  # rocket equation: m0 = m1 exp(dv / (Isp g0))
        if exponent > math.log(1e12 / final_mass_kg):
            raise InputError(
                f"{isp_label} = {isp_s} s needs an initial mass of {final_mass_kg:.3g} x e^{exponent:.3g} kg for "
                "this path; chemical engines have 300-460 s"
            )
        steps: list[LedgerStep] = []
        mass_after = final_mass_kg
        for a, b in reversed(list(itertools.pairwise(path))):
            leg = self.leg(a, b)
            prop = float(propellant_mass_kg(mass_after, leg.dv_m_per_s, isp_s, G0_M_PER_S2))
            steps.append(LedgerStep(leg, mass_after + prop, prop))
            mass_after += prop
        return steps[::-1]


def default_ledger() -> DeltaVLedger:
    """The published Table 4 legs."""
    return DeltaVLedger(tuple(Leg(a, b, dv, TABLE4_SOURCE) for (a, b), dv in TABLE4_DV_M_PER_S.items()))


def _check_alt(name: str, alt_km: float) -> float:
    require_real(name, alt_km, "an altitude above the 1737.4 km sphere in km, e.g. 100")
    if not (math.isfinite(alt_km) and alt_km > 0):
        raise InputError(f"{name} = {alt_km} km is at or below the lunar surface; give a positive altitude")
    return MOON_RADIUS_M + alt_km * 1e3


def hohmann_leg(from_alt_km: float, to_alt_km: float) -> Leg:
    """Hohmann transfer between circular lunar orbits [altitudes in km]."""
    r1, r2 = _check_alt("from_alt_km", from_alt_km), _check_alt("to_alt_km", to_alt_km)
    dv = float(hohmann_dv_m_per_s(r1, r2, GM_MOON_M3_PER_S2))
    return Leg(f"LLO{from_alt_km:g}", f"LLO{to_alt_km:g}", dv, "Hohmann, two-body Moon (DE421 GM)")


def bielliptic_leg(from_alt_km: float, to_alt_km: float, via_alt_km: float) -> Leg:
    """Bi-elliptic transfer between circular lunar orbits through an apoapsis at ``via_alt_km``."""
    r1, r2 = _check_alt("from_alt_km", from_alt_km), _check_alt("to_alt_km", to_alt_km)
    rb = _check_alt("via_alt_km", via_alt_km)
    if rb < max(r1, r2):
        raise InputError(f"via_alt_km = {via_alt_km} must be above both end orbits (bi-elliptic transfer)")
    dv = float(bielliptic_dv_m_per_s(r1, r2, rb, GM_MOON_M3_PER_S2))
    return Leg(f"LLO{from_alt_km:g}", f"LLO{to_alt_km:g}", dv, f"bi-elliptic via {via_alt_km:g} km")


def nrho_llo_estimate(orbit: PeriodicOrbit, llo_alt_km: float = 100.0) -> dict[str, float]:
    """Two-impulse NRHO perilune -> circular LLO estimate [m/s] (and the reverse, which is the same sum).

    The NRHO's Moon-centred inertial speed at perilune comes from the CR3BP solution; burn 1 there lowers the
    far apse to the LLO radius, burn 2 circularizes. Two-body Moon for the transfer ellipse (about 0.6 day).
    """
    if not isinstance(orbit, PeriodicOrbit):
        raise InputError(
            f"orbit must be a PeriodicOrbit, got {orbit!r} ({type(orbit).__name__}); compute it first, "
            "e.g. nrho_llo_estimate(nrho('9:2'), 100.0)"
        )
    r_llo = _check_alt("llo_alt_km", llo_alt_km)
    if llo_alt_km > MAX_LLO_ALT_KM:
        raise InputError(
            f"llo_alt_km = {llo_alt_km} km is no low lunar orbit; give an altitude in (0, {MAX_LLO_ALT_KM:g}] km, "
            "e.g. 100"
        )
    half = orbit.period_nd / 2.0
    times = np.array([0.0, half])
    states = propagate(orbit.state0, times, orbit.system.mu)
    system = orbit.system
    inertial = rotating_to_moon_inertial(states, system.mu, system.length_m, system.time_s, times)
    radii = np.linalg.norm(inertial[:3], axis=0)
    k = int(np.argmin(radii))
    r_p = float(radii[k])
    v_p = float(np.linalg.norm(inertial[3:, k]))
    dv1, dv2 = apse_to_circular_dv_m_per_s(r_p, v_p, r_llo, GM_MOON_M3_PER_S2)
    return {
        "perilune_radius_km": r_p / 1e3,
        "perilune_speed_m_per_s": v_p,
        "dv_perilune_m_per_s": dv1,
        "dv_circularize_m_per_s": dv2,
        "dv_total_m_per_s": dv1 + dv2,
    }
