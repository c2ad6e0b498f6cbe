"""Tables derived from a solved Plan: launch manifest, mass per year, deliveries for the operations stage."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
import xarray as xr

from lunarops.logistics.model import Plan
from lunarops.logistics.network import Arc, Problem, mission_return_day

#: The commodities the operations stage reads from ``products["deliveries"]``.
OPERATIONS_COMMODITIES = ("o2_kg", "water_kg", "food_kg", "propellant_kg", "spares", "crew")


def _utc(epoch: datetime, day: float) -> str:
    return (epoch + timedelta(days=float(day))).strftime("%Y-%m-%dT%H:%M:%SZ")


def launch_node(problem: Problem) -> str | None:
    """The node the launch arcs deliver to (e.g. LEO, TLI); the first in name order when there are several, None
    when no arc is a launch arc."""
    nodes = sorted({arc.destination for arc in problem.arcs if arc.launch})
    return nodes[0] if nodes else None


def launched_mass_label(problem: Problem) -> str:
    """What the plan's ``imleo_kg`` is: "IMLEO" when launches deliver to LEO, else "mass launched to <node>"
    (the objective sums the mass on launch arcs, so with launches to TLI it is mass at TLI, not in LEO)."""
    nodes = sorted({arc.destination for arc in problem.arcs if arc.launch})
    if not nodes or all(n.upper() == "LEO" for n in nodes):
        return "IMLEO"
    return "mass launched to " + " / ".join(nodes)


def launch_info(problem: Problem) -> dict[str, object]:
    """Summary keys that say what ``imleo_kg`` measures: ``launch_node`` and ``imleo_label``."""
    return {"launch_node": launch_node(problem), "imleo_label": launched_mass_label(problem)}


def table_dataset(frame: pd.DataFrame) -> xr.Dataset:
    """A report table as a Dataset over one ``row`` dimension, for the Parquet store (one long table); the
    ISO text of time columns (``date_utc``, ``arrival_utc``, ``time_utc``, roadmap ``start`` / ``end``) as UTC
    datetimes (an empty text as NaT)."""
    frame = frame.reset_index(drop=True)
    for name in ("date_utc", "arrival_utc", "time_utc", "start", "end"):
        if name in frame.columns and not pd.api.types.is_datetime64_any_dtype(frame[name]):
            utc = pd.to_datetime(frame[name].replace("", None), utc=True)
            frame[name] = utc.dt.tz_localize(None).astype("datetime64[ns]")
    frame.index.name = "row"
    return xr.Dataset.from_dataframe(frame)


def _launcher_rows(plan: Plan, problem: Problem) -> list[dict[str, Any]]:
    """What each launch carries outside any spacecraft (the launch vehicle's pooled payload), one row per launch
    step and launch arc, from the solver's flows on the launch arc (``plan.launcher_payload``): crew and elements
    counted, commodities and propellants in kg. With the flying copies' launch rows they make up the step's
    launched mass (``plan.mass_per_step``)."""
    pooled = plan.launcher_payload
    if len(pooled) == 0:
        return []
    props = set(problem.propellants)
    counted = {"crew", *problem.element_mass_kg}
    rows: list[dict[str, Any]] = []
    for (day, origin, node), group in pooled.groupby(["day", "from", "to"], sort=True):
        amounts: dict[str, float] = {}
        propellant = 0.0
        for commodity, amount in zip(group["commodity"], group["amount"], strict=True):
            name = str(commodity)
            amounts[name if name in counted else f"{name}_kg"] = float(amount)
            if name in props:
                propellant += float(amount)
        gross = float(group["mass_kg"].sum())
        vehicles = plan.launches[(plan.launches["day"] == day) & (plan.launches["to"] == node)]
        name = ", ".join(f"{v} x{n}" for v, n in zip(vehicles["launch_vehicle"], vehicles["launches"], strict=True))
        rows.append({
            "day": day, "spacecraft": f"launcher payload ({name})" if name else "launcher payload",
            "from": origin, "to": node, "holdover": False, "launch": True, "dry_mass_kg": 0.0,
            **amounts, "payload_kg": gross - propellant, "propellant_loaded_kg": propellant,
            "propellant_burned_kg": 0.0, "gross_mass_kg": gross,
        })
    return rows


def _shortest_days(starts: set[str], arcs: list[Arc]) -> dict[str, float]:
    """Shortest time of flight [d] from any of ``starts`` to every node reachable over ``arcs`` (Dijkstra)."""
    best = dict.fromkeys(starts, 0.0)
    todo = set(starts)
    while todo:
        node = min(todo, key=lambda n: best[n])
        todo.remove(node)
        for arc in arcs:
            if arc.origin == node and best[node] + arc.tof_days < best.get(arc.destination, float("inf")):
                best[arc.destination] = best[node] + arc.tof_days
                todo.add(arc.destination)
    return best


def leg_arrival_day(problem: Problem, day: float, origin: str, destination: str) -> float:
    """When a flight of the step ``day`` on the arc ``origin`` -> ``destination`` reaches ``destination`` [d].

    The plan books all the flights of a step on the step's day (the compressed mission of Isaji et al. 2022); the
    legs fly one after the other: an outbound leg leaves ``origin`` after the shortest outbound transit from Earth
    to it (:meth:`Problem.transit_days`, the time the deliveries to the operations are dated by) and arrives a
    time of flight later, so LLO -> surface on day d lands at d + transit_days("surface") when it lies on the
    shortest route. A leg of an inbound arc (:meth:`Problem.is_inbound`) leaves ``origin`` after the shortest
    inbound transit from the destinations of the missions that return on ``day`` (0 when none reaches it)."""
    arc = next(a for a in problem.arcs if a.origin == origin and a.destination == destination)
    if problem.is_inbound(arc):
        starts = {m.destination for m in problem.missions if m.returns and mission_return_day(problem, m) == day}
        inbound = [a for a in problem.arcs if problem.is_inbound(a)]
        offset = _shortest_days(starts, inbound).get(origin, 0.0)
    else:
        try:
            offset = problem.transit_days(origin)
        except KeyError:  # not on an outbound route from Earth: the leg is dated from the step
            offset = 0.0
    return float(day) + offset + arc.tof_days


def manifest(plan: Plan, epoch: datetime, problem: Problem | None = None) -> pd.DataFrame:
    """One row per flight (holdovers left out): when, which copy, route, crew, cargo, propellant [kg].

    With ``problem``, each launch step also gets a "launcher payload" row per launch arc: what the launch vehicle
    carries outside any spacecraft (crew, elements and commodities as the solver flows them on the launch arc, see
    :func:`_launcher_rows`), so the ``gross_mass_kg`` of a date's launch rows sums to the mass launched that date.

    ``date_utc`` is the step the flight belongs to (the day the step's flights leave Earth, or leave the mission
    destination on a return step); ``arrival_utc`` is when this leg reaches its ``to`` node: the step's day + the
    transit of the earlier legs of the step + the arc's time of flight (:func:`leg_arrival_day`), e.g. a
    2031-06-01 LLO -> surface leg of the ILRS example lands on 2031-06-06 04:48 (0.1 + 4.5 + 0.5 + 0.1 d), the time
    the operations' deliveries are dated by. Holdovers (waits between steps) are not rows of the manifest. Without
    ``problem`` (no arcs to read the times of flight from) ``arrival_utc`` is empty."""
    f = plan.flights
    f = f[~f["holdover"]].copy() if len(f) else f
    extra = pd.DataFrame(_launcher_rows(plan, problem) if problem is not None else [])
    if len(f) == 0 and len(extra) == 0:
        return pd.DataFrame(columns=["date_utc", "arrival_utc", "spacecraft", "route"])
    if len(extra):
        # no flight at all (a launcher-only plan): the launcher rows are the manifest
        extra = extra.reindex(columns=f.columns if len(f) else extra.columns).fillna(0.0)
        f = pd.concat([f, extra], ignore_index=True) if len(f) else extra
        f = f.sort_values(["day", "launch"], ascending=[True, False], kind="stable")
    arrivals: list[str] = [""] * len(f)
    if problem is not None:
        arrivals = [_utc(epoch, leg_arrival_day(problem, float(d), str(a), str(b)))
                    for d, a, b in zip(f["day"], f["from"], f["to"], strict=True)]
    # each launch of a copy from Earth builds a new vehicle in that slot: name it by its launch date, so that a
    # return leg shows which vehicle flies (the one launched last in that slot)
    vehicles: list[str] = []
    launched: dict[str, str] = {}
    # the launcher's own payload rows have no design (their design cell is empty or a filled-in 0)
    designs = f["design"] if "design" in f else pd.Series("", index=f.index)
    is_spacecraft = [isinstance(d, str) and d != "" for d in designs]
    for name, day, launch, craft in zip(f["spacecraft"], f["day"], f["launch"], is_spacecraft, strict=True):
        if craft and bool(launch):
            launched[str(name)] = _utc(epoch, float(day))[:10]
        when = launched.get(str(name))
        vehicles.append(f"{name} (launched {when})" if craft and when else "")
    out = pd.DataFrame(
        {
            "date_utc": [_utc(epoch, d) for d in f["day"]],
            "arrival_utc": arrivals,
            "spacecraft": f["spacecraft"],
            "vehicle": vehicles,
            "route": f["from"] + " -> " + f["to"],
            "launch": f["launch"],
        }
    )
    # the propellant commodities are loaded propellant, not cargo: named so
    propellant_columns = {f"{p}_kg" for p in problem.propellants} if problem is not None else set()
    # a propellant whose prefixed name is already a column (e.g. one named "loaded") keeps its own name
    propellant_columns -= {c for c in propellant_columns if f"propellant_{c}" in f.columns}
    skip = {"day", "spacecraft", "design", "from", "to", "holdover", "launch"}
    for column in f.columns:
        if column in skip:
            continue
        values: pd.Series[Any]
        if column.endswith("_kg"):
            # full precision (displays round), but the solver's noise (|x| < 1e-6 kg, e.g. 1.4e-11 kg of
            # consumables on a leg that carries none) is 0: a table shows 0, not 1.406e-11
            values = _clean_noise(f[column].astype(float)).clip(lower=0.0)
        else:
            values = f[column].astype(int).clip(lower=0)  # crew and elements are counted
        if column in ("dry_mass_kg", "payload_kg", "gross_mass_kg", "propellant_loaded_kg") or values.abs().sum() > 0:
            out[f"propellant_{column}" if column in propellant_columns else column] = values.to_numpy()
    return out.reset_index(drop=True)


def mass_per_year(plan: Plan, epoch: datetime) -> pd.DataFrame:
    """Mass launched per calendar year [kg]: the mass on launch arcs, delivered to their destination node (LEO,
    TLI, ...; see :func:`launch_node`). Every calendar year from the first to the last step of the plan is a row,
    a year without a launch (or without any step) included with 0."""
    m = plan.mass_per_step
    years = [(epoch + timedelta(days=float(d))).year for d in m["day"]]
    frame = pd.DataFrame({"year": years, "launched_mass_kg": m["launched_mass_kg"].astype(float).to_numpy()})
    totals = frame.groupby("year")["launched_mass_kg"].sum()
    step_years = years + [(epoch + timedelta(days=float(d))).year for d in plan.steps.days]
    if not step_years:
        return pd.DataFrame({"year": pd.Series(dtype="int64"), "launched_mass_kg": pd.Series(dtype=float)})
    every = list(range(min(step_years), max(step_years) + 1))
    return pd.DataFrame({"year": pd.Series(every, dtype="int64"),
                         "launched_mass_kg": _clean_noise(pd.Series([float(totals.get(y, 0.0)) for y in every]))})


#: Masses below this [kg] in the manifest and the mass per year are the LP solver's round-off, shown as 0.
MASS_NOISE_KG = 1e-6


def _clean_noise(values: pd.Series[float]) -> pd.Series[float]:
    """``values`` [kg] with |x| < MASS_NOISE_KG set to 0 (solver round-off; a mass column only)."""
    return values.where(values.abs() >= MASS_NOISE_KG, 0.0)


def vehicles_launched(plan: Plan) -> dict[str, int]:
    """Vehicles to build per design: the number of launch-arc departures of copies of the design over the plan (a
    copy launched again after it was left somewhere is a new vehicle, so this can exceed the fleet's copies), in
    design name order; a design that never flies is not a key."""
    f = plan.flights
    if len(f) == 0:
        return {}
    counts = {str(d): 0 for d in sorted(set(f["design"]))}
    launched = f[f["launch"] & ~f["holdover"]]
    for design, n in launched.groupby("design").size().items():
        counts[str(design)] = int(n)
    return counts


def launch_table(plan: Plan, epoch: datetime) -> pd.DataFrame:
    """Launches per step and vehicle (empty when the problem models no launch vehicle)."""
    table = plan.launches.copy()
    table.insert(0, "date_utc", [_utc(epoch, d) for d in table["day"]])
    return table.drop(columns=["day"])


def mission_payload_kg(problem: Problem) -> dict[str, float]:
    """What each mission must land at its destination [kg]: its elements (count x catalog mass) and its
    commodities (cargo, spares, ...), crew and their consumables aside."""
    return {
        m.name: sum(
            amount * problem.element_mass_kg[name] if name in problem.element_mass_kg else amount
            for name, amount in m.deliver.items()
        )
        for m in problem.missions
    }


def mission_arrivals(problem: Problem, epoch: datetime, node: str | None) -> dict[str, datetime]:
    """When each mission to ``node`` (None: to any destination) lands there: its departure day plus the shortest
    outbound transit to its destination, the time ``operations_deliveries`` dates its crew and goods. [UTC]"""
    return {
        m.name: epoch + timedelta(days=float(m.depart_day + problem.transit_days(m.destination)))
        for m in problem.missions
        if node is None or m.destination == node
    }


def operations_deliveries(
    plan: Plan, problem: Problem, epoch: datetime, node: str | None, split_kg_per_crew_day: Mapping[str, float]
) -> pd.DataFrame:
    """Deliveries to the station for the operations stage: columns time_utc, commodity, amount.

    Crew: +count on landing (departure + the transit to the node), -count on departure from it. Consumables of
    a crew's stay (the plan delivers them by the return step, as in Isaji et al. 2022) are dated at the crew's
    landing and split into o2_kg / water_kg / food_kg in proportion to ``split_kg_per_crew_day``; spares [kg]
    and propellant left at the node [kg] (propellant_kg) are dated when they arrive there (the step's day + the
    shortest outbound transit from Earth: the route of the plan's flights to the station). Elements and cargo
    are not operations commodities and are left out. ``node`` None takes every mission destination.
    """
    d = plan.deliveries
    if node is not None:
        d = d[d["node"] == node]
    total = sum(split_kg_per_crew_day.values())
    props = set(problem.propellants)
    landing: dict[float, float] = {}
    rows: list[dict[str, object]] = []
    for m in problem.missions:
        if m.crew > 0 and (node is None or m.destination == node):
            arrival_day = m.depart_day + problem.transit_days(m.destination)
            landing[mission_return_day(problem, m)] = arrival_day
            rows.append({"time_utc": _utc(epoch, arrival_day), "commodity": "crew", "amount": m.crew})
            rows.append({"time_utc": _utc(epoch, mission_return_day(problem, m)), "commodity": "crew",
                         "amount": -m.crew})
    for day, where, commodity, amount in zip(d["day"], d["node"], d["commodity"], d["amount"], strict=True):
        # the plan books a flight's legs in its departure step: the goods reach the node after the transit
        when = _utc(epoch, float(day) + problem.transit_days(str(where)))
        amount = float(amount)
        if commodity == "consumables" and total > 0:
            when = _utc(epoch, landing.get(float(day), float(day)))
            for key, weight in split_kg_per_crew_day.items():
                rows.append({"time_utc": when, "commodity": key, "amount": amount * weight / total})
        elif commodity == "spares":
            rows.append({"time_utc": when, "commodity": "spares", "amount": amount})
        elif commodity in props:
            rows.append({"time_utc": when, "commodity": "propellant_kg", "amount": amount})
    frame = pd.DataFrame(rows, columns=["time_utc", "commodity", "amount"])
    if len(frame):
        frame = frame.groupby(["time_utc", "commodity"], as_index=False, sort=True).agg(amount=("amount", "sum"))
        frame = frame[frame["amount"].abs() > 1e-9].reset_index(drop=True)
    return frame


def isru_production_steps(plan: Plan, problem: Problem, epoch: datetime) -> pd.DataFrame:
    """Propellant the plan's ISRU plants make, step by step: one row per holdover at the ISRU node with plant mass
    on it (start_utc, end_utc, plant_kg, then kg per product, e.g. oxygen_kg, hydrogen_kg), made at the model's
    own production terms: plant mass x ``production_kg_per_kg_year`` x the product's share x days / 365. Empty
    without ISRU."""
    isru = problem.isru
    flights = plan.flights
    columns = ["start_utc", "end_utc", "plant_kg"] + [f"{p}_kg" for p in (isru.products if isru else {})]
    if isru is None or not len(flights) or "isru_plant_kg" not in flights:
        return pd.DataFrame(columns=columns)
    days = list(plan.steps.days)
    held = flights[flights["holdover"].astype(bool) & (flights["from"] == isru.node)]
    rows = []
    for day, plant_kg in zip(held["day"], held["isru_plant_kg"], strict=True):
        k = days.index(day)
        span = days[k + 1] - days[k] if k + 1 < len(days) else 0.0
        if float(plant_kg) <= 0.0 or span <= 0.0:
            continue
        yearly = float(plant_kg) * isru.production_kg_per_kg_year * span / 365.0
        yearly *= isru.share_after_start(days[k], days[k] + span)  # the model's own terms (logistics.model)
        if yearly <= 0.0:
            continue
        rows.append({"start_utc": pd.Timestamp(epoch + timedelta(days=float(day))),
                     "end_utc": pd.Timestamp(epoch + timedelta(days=float(days[k + 1]))), "plant_kg": float(plant_kg),
                     **{f"{product}_kg": yearly * share for product, share in isru.products.items()}})
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values("start_utc", kind="stable").reset_index(drop=True)


def isru_production_kg(plan: Plan, problem: Problem, epoch: datetime) -> dict[str, float]:
    """Propellant the plan's ISRU plants make over the campaign [kg per product, e.g. oxygen, hydrogen]; {}
    without ISRU (isru_production_steps summed)."""
    if problem.isru is None or not len(plan.flights) or "isru_plant_kg" not in plan.flights:
        return {}
    steps = isru_production_steps(plan, problem, epoch)
    return {product: float(steps[f"{product}_kg"].sum()) for product in problem.isru.products}
