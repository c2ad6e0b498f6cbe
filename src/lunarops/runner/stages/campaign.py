"""The campaign stage of `lunarops run`: roadmap Gantt, logistics MILP, manifest, mass per year, deliveries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from lunarops.errors import InfeasibleError
from lunarops.logistics import outputs, plots
from lunarops.logistics.model import Plan, solve
from lunarops.logistics.network import Problem
from lunarops.runner.headline import ASSUMED_MISSIONS_PREFIX
from lunarops.runner.stage import Figure, RunContext, StageResult, Table
from lunarops.runner.stages.operations import base_site as operations_base_site
from lunarops.runner.stages.operations import life_support_model


def run_stage(ctx: RunContext) -> StageResult | None:
    """Run the campaign stage; None when the scenario has no section for it."""
    section = getattr(ctx.scenario, "campaign", None)
    if section is None:
        return None
    figures: list[Figure] = []
    tables: list[Table] = []
    notes: list[str] = []
    summary: dict[str, object] = {}
    products: dict[str, object] = {}
    datasets: dict[str, Any] = {}  # the tables as Parquet results (one long table each)
    if section.roadmap is not None:
        roadmap = section.roadmap.roadmap()
        figures.append(Figure("Roadmap (Gantt)", plotly=plots.roadmap_gantt(roadmap)))
        tables.append(Table("Roadmap missions and sources", roadmap.table()))
        datasets["roadmap"] = outputs.table_dataset(roadmap.table())
        summary["roadmap_missions"] = len(roadmap.missions)
        products["roadmap"] = roadmap
        notes.extend(roadmap_notes(roadmap))
        notes.extend(assumed_missions_notes(section))
    if section.logistics is not None:
        solved = plan_campaign(
            section, getattr(ctx.scenario, "operations", None), lambda f, m: ctx.progress(0.05 + 0.9 * f, m)
        )
        problem, plan, epoch = solved.problem, solved.plan, section.epoch_utc
        notes.extend(solved.notes)
        notes.extend(isru_site_notes(section, ctx.scenario))
        notes.extend(single_launch_notes(problem))
        summary.update(plan.summary())
        summary.update(outputs.launch_info(problem))  # imleo_kg is mass at launch_node (TLI, not LEO, for ILRS)
        # vehicles to build: a copy launched again after it was left somewhere is a new vehicle
        summary.update({f"vehicles_launched_{d}": n for d, n in outputs.vehicles_launched(plan).items()})
        # launches kept in the plan (model._fewest_launches), in all and per launch vehicle
        launched = {lv.name: 0 for lv in problem.launch_vehicles}
        for name, n in zip(plan.launches["launch_vehicle"], plan.launches["launches"], strict=True):
            launched[name] += int(n)
        summary["launches"] = sum(launched.values())
        summary.update({f"launches_{name}": n for name, n in launched.items()})
        per_year = outputs.mass_per_year(plan, epoch)
        launch_manifest = outputs.manifest(plan, epoch, problem)
        tables.append(Table("Launch manifest", launch_manifest))
        datasets["manifest"] = outputs.table_dataset(launch_manifest)
        if len(plan.launches):
            tables.append(Table("Launches", outputs.launch_table(plan, epoch)))
            datasets["launches"] = outputs.table_dataset(outputs.launch_table(plan, epoch))
        tables.append(Table("Mass launched per year", per_year))
        datasets["mass_per_year"] = outputs.table_dataset(per_year)
        figures.append(Figure(
            "Mass launched per year",
            plotly=plots.mass_per_year_bar(per_year, outputs.launch_node(problem)),
            caption="Mass the plan puts on its launch arcs each calendar year, delivered to their destination node "
            "(spacecraft, propellant and cargo; a year without a launch shows 0); the table above gives the numbers",
        ))
        figures.append(
            Figure(
                "Network flows",
                plotly=plots.network_flow_figure(plan.flights, problem.nodes, epoch),
                caption=(
                    "Time-expanded network: each line is a flight or a parked spacecraft (holdover). A flight's legs "
                    "are booked in its departure step (their times of flight are the arcs' tof_days), so they are "
                    "drawn one day long."
                ),
            )
        )
        deliveries = solved.deliveries
        products["deliveries"] = deliveries
        products["arrivals"] = solved.arrivals
        products["payload_kg"] = solved.payload_kg
        products["plan"] = plan
        isru_made = outputs.isru_production_kg(plan, problem, epoch)
        if isru_made:
            products["isru_production_steps"] = solved.isru_steps
            summary.update({f"isru_{product}_made_kg": kg for product, kg in isru_made.items()})
        tables.append(Table(
            "Deliveries to the station (for operations; crew: +N landing, -N leaving; a stay's consumables are "
            "dated at the crew's landing: the plan may carry them on an earlier flight, see the manifest)",
            deliveries,
        ))
        datasets["deliveries"] = outputs.table_dataset(deliveries)
        notes.append(
            "Fleet: " + "; ".join(
                f"{d.name} x{d.copies} (dry {d.dry_mass_kg:,.0f} kg, payload {d.payload_capacity_kg:,.0f} kg, "
                f"propellant {d.propellant_capacity_kg:,.0f} kg, Isp {d.isp_s:g} s)" for d in problem.designs
            ) + ". The orbits section's ledger propellant uses its own orbits.transfers.isp_s."
        )
        if problem.launch_vehicles:
            notes.append(
                "Launches: "
                + "; ".join(
                    f"{lv.name} {', '.join(f'{kg:,.0f} kg to {node}' for node, kg in lv.payload_kg.items())} per "
                    f"launch, at most {lv.max_per_year} a calendar year" for lv in problem.launch_vehicles
                )
                + ". The launches of a date pool their payload: a stack heavier than one launch (vehicle, "
                "propellant and cargo) is assembled and fuelled at the launch arc's destination. A design's payload "
                "capacity bounds its in-space legs, not the launch leg, which the launch vehicles carry."
            )
        if isru_made:
            notes.append(
                f"The plan relies on ISRU at {problem.isru.node if problem.isru else 'the ISRU node'}: its plants make "
                + " and ".join(f"{kg / 1000:,.1f} t of {product}" for product, kg in isru_made.items())
                + " there for the vehicles' propellant (campaign.logistics.isru); the operations stage's own ISRU "
                "plants are a separate model (its notes compare the two)."
            )
        notes.append(
            "A design's copies are the vehicles of it that can fly at once: supply at Earth is unlimited (as in "
            "Isaji et al. 2022), so each launch from Earth builds a new one, and a copy left on the surface can be "
            "launched again from Earth in a later step. Roadmap missions are dates of the programme; the plan "
            "flies their cargo in its own departure steps."
        )
        notes.append(
            "Logistics: time-expanded GMCNF MILP after Isaji, Takubo & Ho (J. Spacecraft and Rockets 2022), "
            f"solved with HiGHS in {plan.solve_seconds:.2f} s ({plan.n_variables} variables, {plan.n_integer} "
            f"integer); status {plan.status}, within {plan.mip_gap:.2%} of the best possible plan (the MIP gap "
            f"reached; logistics.mip_rel_gap = {problem.mip_rel_gap:.2%} stops the search); "
            f"{outputs.launched_mass_label(problem)} {plan.imleo_kg / 1000:,.1f} t."
        )
    ctx.progress(1.0, "campaign done")
    return StageResult(
        name="campaign",
        title="Campaign: roadmap, transport and logistics plan",
        summary=summary,
        datasets=datasets,
        figures=figures,
        tables=tables,
        notes=notes,
        products=products,
    )


@dataclass(frozen=True)
class CampaignPlan:
    """A scenario's solved logistics plan and what it gives the operations: the deliveries to the base (crew,
    consumables, spares, propellant) and when each mission lands there."""

    problem: Problem
    plan: Plan
    notes: list[str]
    deliveries: pd.DataFrame
    arrivals: dict[str, datetime]
    payload_kg: dict[str, float]  # what each mission lands (elements and commodities) [kg]
    isru_steps: pd.DataFrame  # what the plan's ISRU plants make, step by step (outputs.isru_production_steps)


def plan_campaign(section: Any, operations: Any, progress: Callable[[float, str], None]) -> CampaignPlan:
    """Solve a scenario's campaign as `lunarops run` does (`lunarops simulate` and `campaign solve` too)."""
    problem, split, notes = consumables_problem(section, operations)
    plan = solve_campaign(problem, section.epoch_utc, progress)
    plan, cost_notes = unpriced_cost(section, plan)
    notes = notes + cost_notes
    node = section.logistics.base_node()
    return CampaignPlan(
        problem,
        plan,
        notes + missions_flown_early(problem, plan, section.epoch_utc),
        outputs.operations_deliveries(plan, problem, section.epoch_utc, node, split),
        outputs.mission_arrivals(problem, section.epoch_utc, node),
        outputs.mission_payload_kg(problem),
        outputs.isru_production_steps(plan, problem, section.epoch_utc),
    )


def unpriced_cost(section: Any, plan: Any) -> tuple[Any, list[str]]:
    """The plan with its cost unknown (None) when it launches a vehicle whose cost per launch is not public (no
    ``cost_musd`` in the catalog or the scenario): the priced items alone would read as the whole cost."""
    catalog = section.launch_vehicle_catalog()
    used = {str(name) for name in plan.launches["launch_vehicle"]} if len(plan.launches) else set()
    unpriced = sorted(name for name in used if catalog.get(name, {}).get("cost_musd") is None)
    if plan.cost_musd is None:
        return plan, []
    if not unpriced:
        crafts = section.spacecraft_catalog()
        free = sorted({f.spacecraft for f in section.logistics.fleet if crafts.get(f.spacecraft, {}).get(
            "unit_cost_musd") is None})
        if not free:
            return plan, []
        return plan, [
            f"cost_musd counts the launches only: the spacecraft {free} have no unit_cost_musd (not public), so "
            "building them counts as free; give campaign.spacecraft.<name>.unit_cost_musd (an assumption) to "
            "price them"
        ]
    note = (
        f"cost_musd is unknown (null): the plan launches {unpriced}, whose cost per launch is not public (no "
        f"cost_musd in the catalog); its priced items alone come to {plan.cost_musd:,.0f} M$. Give "
        f"campaign.launch_vehicles.{unpriced[0]}.cost_musd (an assumption) to price them"
    )
    return replace(plan, cost_musd=None), [note]


#: Latitude [deg] poleward of which the Moon's permanently shadowed regions (PSRs) lie: the polar region of
#: Mazarico et al. 2011 (Icarus 211, 1066-1081), the one lunarops.illumination.psr maps. Water ice is found in the
#: PSRs (LCROSS impact into Cabeus, 84.9 S: Colaprete et al. 2010, Science 330, 463-468; surface-exposed ice in
#: polar PSRs: Li et al. 2018, PNAS 115, 8907-8912).
POLAR_LATITUDE_DEG = 80.0


def base_site(scenario: Any) -> Any:
    """The scenario site of the base (lunarops.runner.stages.operations.base_site); None for a campaign file,
    which has no sites."""
    return operations_base_site(scenario) if getattr(scenario, "sites", None) else None


def isru_site_notes(section: Any, scenario: Any) -> list[str]:
    """A note when the campaign's ISRU (campaign.logistics.isru, the Isaji et al. water-ISRU model) makes
    propellant for a base that is not in a polar region: its production rate assumes water ice from polar PSRs."""
    logistics = getattr(section, "logistics", None)
    isru = getattr(logistics, "isru", None)
    site = base_site(scenario)
    if isru is None or not isru.enabled or site is None or abs(site.latitude_deg) >= POLAR_LATITUDE_DEG:
        return []
    return [
        f"campaign.logistics.isru makes propellant at {isru.node!r}, but the base site {site.name!r} is at "
        f"{site.latitude_deg:g} deg latitude, outside the polar regions (|latitude| >= {POLAR_LATITUDE_DEG:g} deg) "
        "where the permanently shadowed regions hold water ice: the ISRU production rate "
        f"({isru.production_kg_per_kg_year:g} kg per kg of plant per year, water split into O2 and H2) assumes "
        "polar ice. Move the base to a polar site, set campaign.logistics.isru.enabled: false, or lower the rate "
        "for the local resource (e.g. oxygen from regolith, with no hydrogen)."
    ]


def single_launch_notes(problem: Problem) -> list[str]:
    """A note naming the delivered elements heavier than any one launch of the plan's launch vehicles can lift to
    a launch node: the model pools the launches of a step (not infeasible), so they are launched in parts and
    assembled at the launch node, or need a larger launch vehicle."""
    payloads = [
        (kg, lv.name, node) for lv in problem.launch_vehicles for node, kg in lv.payload_kg.items()
        if any(arc.launch and arc.destination == node for arc in problem.arcs)
    ]
    if not payloads:
        return []
    most, vehicle, node = max(payloads)
    heavy = sorted({
        (name, problem.element_mass_kg[name]) for m in problem.missions for name, n in m.deliver.items()
        if n > 0 and problem.element_mass_kg.get(name, 0.0) > most
    })
    if not heavy:
        return []
    listed = ", ".join(f"{name} ({kg:,.0f} kg)" for name, kg in heavy)
    return [
        f"Elements heavier than one launch can lift: {listed}; the largest launch payload is {most:,.0f} kg "
        f"({vehicle} to {node}). The plan pools the launches of a date, so it lifts them in parts to be assembled "
        "at the launch node; to launch one whole, pick a larger launch vehicle (`lunarops campaign catalog`) or "
        "split the element."
    ]


def roadmap_notes(roadmap: Any) -> list[str]:
    """A note naming the roadmap missions whose dates lie outside their phase's."""
    outside = roadmap.outside_phases()
    if not outside:
        return []
    return [
        "Roadmap missions outside their phase's dates (precursors flown before a phase was named, or missions "
        f"that slipped past it): {'; '.join(outside)}."
    ]


def assumed_missions_notes(section: Any) -> list[str]:
    """A note naming the logistics missions that are not in the roadmap (no roadmap_mission and not named like a
    roadmap mission), e.g. the default scenario's crewed visit: scenario assumptions, not the programme's plan."""
    logistics = getattr(section, "logistics", None)
    if section.roadmap is None or logistics is None:
        return []
    listed = {m.name for m in section.roadmap.missions}
    assumed = [m for m in logistics.missions if m.roadmap_mission is None and m.name not in listed]
    if not assumed:
        return []
    epoch = section.epoch_utc
    described = ", ".join(
        f"{m.name} ({epoch + timedelta(days=section.mission_day(m)):%Y-%m-%d}"
        + (f", {m.crew} crew" if m.crew else "") + ")"
        for m in assumed
    )
    return [f"{ASSUMED_MISSIONS_PREFIX}{described}: scenario assumptions (the roadmap's sources do not list them)."]


def missions_flown_early(problem: Problem, plan: Plan, epoch_utc: datetime) -> list[str]:
    """A note naming the missions on whose date nothing flies: the plan met their demand with goods landed
    earlier (the compressed-mission model: a demand is met by what is at the node by the mission's date)."""
    flights = plan.flights
    flying = set(flights.loc[~flights["holdover"].astype(bool), "day"]) if len(flights) else set()
    quiet = [m for m in problem.missions if m.depart_day not in flying]
    if not quiet:
        return []
    dates = ", ".join(f"{m.name} ({epoch_utc + timedelta(days=m.depart_day):%Y-%m-%d})" for m in quiet)
    return [
        f"No flight departs on the date of the logistics missions {dates}: the plan lands their goods with earlier "
        "flights (see the manifest), where they wait until the mission's landing date (its date plus the outbound "
        "transit), when its demand is due. Operations brings their elements online at that landing date (the "
        "latest the plan promises them), not at the earlier landing."
    ]


def solve_campaign(problem: Problem, epoch_utc: datetime, progress: Callable[[float, str], None]) -> Plan:
    """``solve`` for a scenario's campaign: an infeasibility message gives the dates of its days and windows, and
    day 0's date (the campaign's epoch)."""
    try:
        return solve(problem, progress=progress, epoch_utc=epoch_utc)
    except InfeasibleError as error:
        raise InfeasibleError(f"{error} (day 0 = {epoch_utc:%Y-%m-%d}, campaign.epoch_utc)") from None


def consumables_problem(section: Any, operations: Any) -> tuple[Problem, dict[str, float], list[str]]:
    """The campaign section's Problem with its crew consumables rates, their split into the operations
    commodities [kg per crew-day] and notes saying where the rates come from. `lunarops run` and
    `lunarops campaign solve` both call this, so they solve the same plan.

    Every crewed link (the transits, in a vehicle without the base's life-support loop) burns the campaign's own
    consumables_kg_per_crew_day (default: the NASA BVAD open-loop rate). With consumables_from_operations and an
    operations section, the stays at the base need what the operations' own life-support model draws per
    crew-day (NASA BVAD rates and the section's loop closure, Sabatier included); a commodity the loop makes
    more of than the crew uses needs no resupply (0, not negative)."""
    problem: Problem = section.problem()  # InputError when the section has no logistics block
    logistics = section.logistics
    split: dict[str, float] = logistics.delivery_split.model_dump()
    transit = problem.consumables_kg_per_crew_day
    if not logistics.consumables_from_operations:
        return problem, split, []
    if operations is None:
        return problem, split, [
            "consumables_from_operations is set but the scenario has no operations section: the plan uses "
            f"its own consumables_kg_per_crew_day, {transit:.3f} kg per crew-day."
        ]
    closure, rates = life_support_model(operations)
    split = {key: max(0.0, value) for key, value in closure.daily_net_use_kg(1.0, rates).items()}
    problem = replace(problem, stay_consumables_kg_per_crew_day=sum(split.values()))
    note = (
        f"Consumables per crew-day of the stays at the base, from the operations life support: "
        f"{problem.stay_rate_kg_per_crew_day:.3f} kg ("
        + ", ".join(f"{key.removesuffix('_kg')} {value:.3f}" for key, value in split.items())
        + " kg: NASA BVAD rates with the loop closure of the operations section, as operations draw them; O2 0 "
        "means the crew's O2 is all made from recycled water, not that they need none). "
        f"The transits burn the campaign's consumables_kg_per_crew_day, {transit:.3f} kg per crew-day: a "
        "transfer vehicle has no such loop."
    )
    if rates.cabin_leak_o2_kg_per_day > 0.0:
        note += (
            f" The O2 includes the habitat's cabin leak, {rates.cabin_leak_o2_kg_per_day:.4g} kg per day for the "
            "whole habitat, counted per crew-day: once per crew member, N times for a crew of N (on the safe side)."
        )
    return problem, split, [note]
