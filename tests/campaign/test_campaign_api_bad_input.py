"""Bad input to the campaign solver's Python API: an InputError naming the field and showing the value.

Never a raw numpy/Type/Attribute error, never a silently wrong plan, never an InfeasibleError for a malformed
problem. The setup is the tiny Earth -> LEO -> LLO network of test_campaign_small.py.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import pytest

from lunarops.errors import InputError
from lunarops.logistics import Arc, LaunchVehicle, LinearSizing, Mission, Problem, SpacecraftDesign, solve
from lunarops.logistics.network import IsruOptions

NAN = float("nan")
INF = float("inf")
LAUNCH = Arc("Earth", "LEO", 0.0, 1.0, launch=True)


def problem(**change: Any) -> Problem:
    fields: dict[str, Any] = {
        "nodes": ("Earth", "LEO", "LLO"),
        "arcs": (LAUNCH, Arc("LEO", "LLO", 4000.0, 3.0)),
        "holdover_nodes": (),
        "designs": (SpacecraftDesign("tug", 10_000.0, 30_000.0, 3000.0, 450.0, 2),),
        "missions": (Mission("m", 0.0, "LLO", deliver={"cargo": 1000.0}),),
    }
    fields.update(change)
    return Problem(**fields)


def design(**change: Any) -> SpacecraftDesign:
    fields: dict[str, Any] = {
        "name": "tug", "payload_capacity_kg": 10_000.0, "propellant_capacity_kg": 30_000.0, "dry_mass_kg": 3000.0,
        "isp_s": 450.0, "copies": 2,
    }
    fields.update(change)
    return SpacecraftDesign(**fields)


def leg(dv: Any = 4000.0, tof: Any = 3.0, **kw: Any) -> Problem:
    return problem(arcs=(LAUNCH, Arc("LEO", "LLO", dv, tof, **kw)))


def mission(**change: Any) -> Problem:
    fields: dict[str, Any] = {"name": "m", "depart_day": 0.0, "destination": "LLO", "deliver": {"cargo": 1000.0}}
    fields.update(change)
    return problem(missions=(Mission(**fields),))


def vehicle(**change: Any) -> Problem:
    fields: dict[str, Any] = {"name": "lv", "payload_kg": {"LEO": 20_000.0}}
    fields.update(change)
    return problem(launch_vehicles=(LaunchVehicle(**fields),))


CASES: list[tuple[str, Callable[[], object], str]] = [
    # 10. a NaN leg was free (IMLEO 4060 kg instead of 10006 kg)
    ("arc dv nan", lambda: leg(dv=NAN), "arc LEO->LLO: dv_m_per_s = nan must be a finite number >= 0 [m/s]"),
    ("arc dv inf", lambda: leg(dv=INF), "dv_m_per_s = inf"),
    ("arc dv negative", lambda: leg(dv=-4000.0), "dv_m_per_s = -4000.0"),
    # 11. silently solved as Optimal
    ("arc tof nan", lambda: leg(tof=NAN), "arc LEO->LLO: tof_days = nan"),
    ("arc tof negative", lambda: leg(tof=-3.0), "tof_days = -3.0"),
    ("depart_day nan", lambda: mission(depart_day=NAN), "missions.m.depart_day = nan"),
    ("depart_day negative", lambda: mission(depart_day=-10.0), "missions.m.depart_day = -10.0"),
    ("maintenance negative", lambda: problem(maintenance_fraction_per_flight=-0.1),
     "maintenance_fraction_per_flight = -0.1 must be a finite number in [0, 1)"),
    ("maintenance above 1", lambda: problem(maintenance_fraction_per_flight=1.5),
     "maintenance_fraction_per_flight = 1.5"),
    ("crew mass negative", lambda: problem(crew_mass_kg=-5.0), "crew_mass_kg = -5.0 must be a finite number > 0"),
    ("consumables nan", lambda: problem(consumables_kg_per_crew_day=NAN), "consumables_kg_per_crew_day = nan"),
    ("time limit negative", lambda: problem(time_limit_s=-1.0), "time_limit_s = -1.0 must be a finite number > 0"),
    ("time limit zero", lambda: problem(time_limit_s=0.0), "time_limit_s = 0.0"),
    ("mip gap negative", lambda: problem(mip_rel_gap=-1.0), "mip_rel_gap = -1.0 must be a finite number in [0, 1]"),
    ("mip gap nan", lambda: problem(mip_rel_gap=NAN), "mip_rel_gap = nan"),
    ("lv cost nan", lambda: vehicle(cost_musd=NAN), "launch_vehicles.lv.cost_musd = nan"),
    ("lv available nan", lambda: vehicle(available_from_day=NAN), "launch_vehicles.lv.available_from_day = nan"),
    ("stay negative", lambda: mission(crew=2, stay_days=-5.0), "missions.m.stay_days = -5.0"),
    ("samples nan", lambda: mission(samples_kg=NAN), "missions.m.samples_kg = nan"),
    # 12. reported as InfeasibleError with a misleading binding line
    ("cargo nan", lambda: mission(deliver={"cargo": NAN}), "missions.m.deliver.cargo = nan"),
    ("cargo negative", lambda: mission(deliver={"cargo": -1000.0}), "missions.m.deliver.cargo = -1000.0"),
    ("lv payload nan", lambda: vehicle(payload_kg={"LEO": NAN}), "launch_vehicles.lv.payload_kg.LEO = nan"),
    ("lv payload negative", lambda: vehicle(payload_kg={"LEO": -5.0}), "launch_vehicles.lv.payload_kg.LEO = -5.0"),
    ("lv payload empty", lambda: vehicle(payload_kg={}), "launch_vehicles.lv.payload_kg is empty"),
    ("lv payload unknown node", lambda: vehicle(payload_kg={"Mars": 20_000.0}),
     "launch_vehicles.lv.payload_kg = {'Mars': 20000.0} names no destination of a launch arc ['LEO']"),
    ("lv cadence negative", lambda: vehicle(max_per_year=-1), "launch_vehicles.lv.max_per_year = -1"),
    ("lv names twice", lambda: problem(launch_vehicles=(LaunchVehicle("lv", {"LEO": 1.0e4}),) * 2),
     "launch_vehicles: names ['lv', 'lv'] must be unique"),
    ("element mass negative", lambda: problem(element_mass_kg={"habitat": -5.0}), "element_mass_kg.habitat = -5.0"),
    ("element mass zero", lambda: problem(element_mass_kg={"habitat": 0.0}), "element_mass_kg.habitat = 0.0"),
    ("element named cargo", lambda: problem(element_mass_kg={"cargo": 5.0}), "element 'cargo' has the name of"),
    ("g0 zero", lambda: problem(g0_m_per_s2=0.0), "g0_m_per_s2 = 0.0 must be a finite number > 0"),
    ("g0 nan", lambda: problem(g0_m_per_s2=NAN), "g0_m_per_s2 = nan"),
    ("o/f negative", lambda: problem(designs=(design(oxidizer_to_fuel=-1.0),)),
     "spacecraft.tug.oxidizer_to_fuel = -1.0"),
    ("payload capacity inf", lambda: problem(designs=(design(payload_capacity_kg=INF),)),
     "spacecraft.tug.payload_capacity_kg = inf must be a finite number > 0 [kg]"),
    ("isp nan", lambda: problem(designs=(design(isp_s=NAN),)), "spacecraft.tug.isp_s = nan"),
    ("unit cost nan", lambda: problem(designs=(design(unit_cost_musd=NAN),)), "spacecraft.tug.unit_cost_musd = nan"),
    ("propellant named cargo", lambda: problem(designs=(design(oxidizer="cargo"),)),
     "spacecraft.tug.oxidizer = 'cargo' is a payload commodity"),
    ("window nan", lambda: leg(windows=((NAN, 5.0),)), "arc LEO->LLO: windows[0] = (nan, 5.0)"),
    ("window reversed", lambda: leg(windows=((10.0, 5.0),)), "arc LEO->LLO has a window (10.0, 5.0) that ends"),
    ("sizing slope nan", lambda: LinearSizing(800.0, NAN, 0.0, 0.0, 5000.0, 0.0, 5.0e4), "per_propellant_kg = nan"),
    ("isru decay 1", lambda: IsruOptions("LLO", 5.0, {"oxygen": 1.0}, decay_per_year=1.0), "isru.decay_per_year = 1.0"),
    ("isru shares above 1", lambda: IsruOptions("LLO", 5.0, {"oxygen": 0.9, "hydrogen": 0.2}), "add up to 1.1"),
    # 13. raw errors
    ("element count nan", lambda: problem(element_mass_kg={"habitat": 1.0e4}, missions=(
        Mission("m", 0.0, "LLO", deliver={"habitat": NAN}),)), "missions.m.deliver.habitat = nan"),
    ("element mass nan", lambda: problem(element_mass_kg={"cargo": NAN}), "element_mass_kg.cargo = nan"),
    ("copies 1.5", lambda: problem(designs=(design(copies=1.5),)),
     "spacecraft.tug.copies = 1.5 must be a whole number"),
    ("copies 0", lambda: problem(designs=(design(copies=0),)), "spacecraft.tug.copies = 0"),
    ("crew 1.5", lambda: mission(crew=1.5), "missions.m.crew = 1.5 must be a whole number"),
    ("solve a path", lambda: solve("x.yaml"),  # type: ignore[arg-type]
     "problem = 'x.yaml' is a str, not a lunarops.logistics.Problem; build a Problem"),
    ("isru a str", lambda: problem(isru="surface"), "isru = 'surface' must be an IsruOptions or None"),
    ("arcs not arcs", lambda: problem(arcs=("Earth->LEO",)), "arcs[0] = 'Earth->LEO' must be of type Arc"),
    ("nodes a str", lambda: problem(nodes="Earth,LEO,LLO"), "nodes = 'Earth,LEO,LLO' must be a tuple"),
    ("deliver a list", lambda: mission(deliver=[("cargo", 1000.0)]), "missions.m.deliver = [('cargo', 1000.0)]"),
    ("dv a str", lambda: leg(dv="4000"), "dv_m_per_s = '4000' must be a finite number"),
]


@pytest.mark.parametrize(("build", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_an_input_error_naming_the_field(build: Callable[[], object], message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        result = build()
        if isinstance(result, Problem):
            solve(result)


def test_mutated_mapping_is_caught_at_solve() -> None:
    # the dataclasses are frozen but their dicts are not: solve() checks every field again
    p = problem()
    p.missions[0].deliver["cargo"] = NAN  # type: ignore[index]
    with pytest.raises(InputError, match=re.escape("missions.m.deliver.cargo = nan")):
        solve(p)


def test_valid_tiny_problem_solves_as_before() -> None:
    # the tiny problem by the rocket equation with the 1 % maintenance of the dry mass on each of its two flights
    # (Isaji et al. 2022; as test_campaign_small.test_one_arc_with_maintenance): 4,000 m/s at 450 s with a
    # 3,000 kg tug and 1,000 kg of cargo: IMLEO = (1.01 x 3000 + 1000) exp(4000 / (450 x 9.80665)) + 30 kg
    expected = (1.01 * 3000.0 + 1000.0) * math.exp(4000.0 / (450.0 * 9.80665)) + 30.0  # 10,005.99 kg
    plan = solve(problem())
    assert plan.status == "Optimal"
    assert plan.imleo_kg == pytest.approx(expected, abs=1e-5)  # kg (rel 1e-9 of 10 t)
    # lists instead of tuples, a launch vehicle with an extra destination (catalog entries list LEO and TLI),
    # a window with an open end and a vehicle available from -inf all stay valid and give the same plan
    same = solve(
        problem(
            nodes=["Earth", "LEO", "LLO"],
            arcs=[LAUNCH, Arc("LEO", "LLO", 4000.0, 3.0, windows=((-INF, 5.0),))],
            launch_vehicles=(LaunchVehicle("lv", {"LEO": 20_000.0, "TLI": 5000.0}, max_per_year=3),),
        )
    )
    assert same.imleo_kg == pytest.approx(plan.imleo_kg, rel=1e-9)
    assert same.cost_musd is None  # nothing in it has a price: "not priced", not a free campaign
