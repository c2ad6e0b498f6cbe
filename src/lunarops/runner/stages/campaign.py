"""The campaign stage of `lunarops run`: roadmap Gantt, logistics MILP, manifest, mass per year, deliveries."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lunarops.logistics import outputs, plots
from lunarops.logistics.model import solve
from lunarops.logistics.network import Problem
from lunarops.runner.stage import Figure, RunContext, StageResult, Table
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
    if section.roadmap is not None:
        roadmap = section.roadmap.roadmap()
        figures.append(Figure("Roadmap (Gantt)", plotly=plots.roadmap_gantt(roadmap)))
        tables.append(Table("Roadmap missions and sources", roadmap.table()))
        summary["roadmap_missions"] = len(roadmap.missions)
        products["roadmap"] = roadmap
    if section.logistics is not None:
        problem = section.problem()
        split = section.logistics.delivery_split.model_dump()
        operations = getattr(ctx.scenario, "operations", None)
        if section.logistics.consumables_from_operations and operations is None:
            notes.append(
                "consumables_from_operations is set but the scenario has no operations section: the plan uses "
                f"its own consumables_kg_per_crew_day, {problem.consumables_kg_per_crew_day:.3f} kg per crew-day."
            )
        if section.logistics.consumables_from_operations and operations is not None:
            problem, split = _operations_demand(problem, operations)
            notes.append(
                f"Consumables per crew-day from the operations life support: {problem.consumables_kg_per_crew_day:.3f}"
                " kg ("
                + ", ".join(f"{key.removesuffix('_kg')} {value:.3f}" for key, value in split.items())
                + " kg: NASA BVAD rates with the loop closure of the operations section, as operations draw them)."
            )
        plan = solve(problem, progress=lambda f, m: ctx.progress(0.05 + 0.9 * f, m))
        epoch = section.epoch_utc
        summary.update(plan.summary())
        per_year = outputs.mass_per_year(plan, epoch)
        tables.append(Table("Launch manifest", outputs.manifest(plan, epoch)))
        if len(plan.launches):
            tables.append(Table("Launches", outputs.launch_table(plan, epoch)))
        tables.append(Table("Mass launched per year", per_year))
        figures.append(Figure("Mass launched per year", plotly=plots.mass_per_year_bar(per_year)))
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
        destinations = sorted({m.destination for m in problem.missions})
        surface = destinations[0] if len(destinations) == 1 else None
        if surface is None and problem.isru is not None:
            surface = problem.isru.node
        deliveries = outputs.operations_deliveries(plan, problem, epoch, surface, split)
        products["deliveries"] = deliveries
        products["plan"] = plan
        tables.append(Table("Deliveries to the station (for operations)", deliveries))
        notes.append(
            "A design's copies are the vehicles of it that can fly at once: supply at Earth is unlimited (as in "
            "Isaji et al. 2022), so each launch from Earth builds a new one, and a copy left on the surface can be "
            "launched again from Earth in a later step. Roadmap missions are dates of the programme; the plan "
            "flies their cargo in its own departure steps."
        )
        notes.append(
            "Logistics: time-expanded GMCNF MILP after Isaji, Takubo & Ho (J. Spacecraft and Rockets 2022), "
            f"solved with HiGHS in {plan.solve_seconds:.2f} s ({plan.n_variables} variables, {plan.n_integer} "
            f"integer); status {plan.status}; IMLEO {plan.imleo_kg / 1000:,.1f} t."
        )
    ctx.progress(1.0, "campaign done")
    return StageResult(
        name="campaign",
        title="Campaign: roadmap, transport and logistics plan",
        summary=summary,
        figures=figures,
        tables=tables,
        notes=notes,
        products=products,
    )


def _operations_demand(problem: Problem, operations: Any) -> tuple[Problem, dict[str, float]]:
    """The plan's consumables per crew-day, and their split, from the operations' own life-support model (NASA
    BVAD rates and the section's loop closure, Sabatier included): what operations will draw per crew-day.
    A commodity the loop makes more of than the crew uses needs no resupply (0, not negative)."""
    closure, rates = life_support_model(operations)
    split = {key: max(0.0, value) for key, value in closure.daily_net_use_kg(1.0, rates).items()}
    return replace(problem, consumables_kg_per_crew_day=sum(split.values())), split
