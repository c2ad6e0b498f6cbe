"""The crew's radiation dose in `lunarops run` (operations.radiation; the model: lunarops.ops.radiation): the
campaign missions' crews with their own transits, the rest of the operations' crew count first in, first out."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from lunarops.logistics.network import mission_return_day
from lunarops.logistics.outputs import mission_arrivals
from lunarops.numformat import significant
from lunarops.ops.inputs import crew_series
from lunarops.ops.radiation import (
    LND_SURFACE_USV_PER_DAY,
    RAD_CRUISE_USV_PER_DAY,
    CrewStay,
    DoseRates,
    StayDose,
    collective_dose_person_msv,
    crew_stays,
    mission_stay,
    stay_doses,
)
from lunarops.runner.stage import Table

#: How a stay of the operations' own crew count (operations.crew, resupply crew) is named in the table.
RESIDENT_CREW = "operations crew"


def campaign_crew_stays(scenario: Any, n_steps: int, step_s: float) -> list[tuple[str, CrewStay]]:
    """Each crewed campaign mission to the base: its crew aboard from landing to departure (the times the
    campaign's deliveries date them by: lunarops.logistics.outputs), with the shortest flights there and back
    over the logistics arcs; cut to the period (missions wholly outside it are left out)."""
    campaign = getattr(scenario, "campaign", None)
    logistics = getattr(campaign, "logistics", None)
    if campaign is None or logistics is None:
        return []
    problem = campaign.problem()
    node = logistics.base_node()
    start = scenario.period.start_utc
    landings = mission_arrivals(problem, campaign.epoch_utc, node)
    stays = []
    for m in problem.missions:
        if m.crew <= 0 or m.name not in landings:
            continue
        leaving = campaign.epoch_utc + timedelta(days=float(mission_return_day(problem, m)))
        stay = mission_stay(
            (landings[m.name] - start).total_seconds(), (leaving - start).total_seconds(), float(m.crew),
            float(problem.transit_days(m.destination)), problem.return_days(m.destination), n_steps, step_s,
        )
        if stay is not None:
            stays.append((m.name, stay))
    return stays


def crew_dose(
    scenario: Any, campaign_deliveries: pd.DataFrame | None, arrivals: Mapping[str, datetime] | None
) -> tuple[dict[str, Any], list[Table], list[str]]:
    """The crew's radiation dose (operations.radiation; lunarops.ops.radiation): summary keys, the table of the
    stays and a note; nothing without the block."""
    from lunarops.runner.stages.operations import station_from_section

    section = scenario.operations
    spec = section.radiation
    if spec is None:
        return {}, [], []
    period = scenario.period
    start, step_s, n_steps = period.start_utc, period.step_s, period.n_steps
    station = station_from_section(section, start, campaign_deliveries, arrivals)
    count = crew_series(station, np.arange(n_steps, dtype=np.float64) * step_s)
    missions = campaign_crew_stays(scenario, n_steps, step_s) if campaign_deliveries is not None else []
    for _, stay in missions:  # the rest of the count: operations.crew and resupply crew
        count[round(stay.start_s / step_s):round(stay.end_s / step_s)] -= stay.crew
    named = missions + [(RESIDENT_CREW, s) for s in crew_stays(np.maximum(count, 0.0), step_s)]
    named.sort(key=lambda item: (item[1].start_s, item[1].end_s))
    rates = DoseRates(
        spec.surface_dose_usv_per_day, spec.habitat_dose_fraction, spec.transit_dose_usv_per_day,
        spec.career_limit_msv,
    )
    eva_h = section.life_support.eva_hours_per_crew_week
    doses = stay_doses([s for _, s in named], rates, eva_h)
    collective = collective_dose_person_msv(doses)
    top = max(doses, key=lambda d: d.dose_msv, default=None)
    worst = top.dose_msv if top is not None else 0.0
    summary: dict[str, Any] = {
        "crew_stays": len(doses),
        "crew_dose_worst_stay_msv": worst,
        "crew_dose_worst_stay_transit_msv": top.transit_msv if top is not None else 0.0,
        "crew_dose_worst_stay_limit_share": worst / rates.career_limit_msv,
        "crew_dose_career_limit_msv": rates.career_limit_msv,
        "crew_dose_collective_person_msv": collective,
    }
    basis = _basis(rates, eva_h)
    caveat = (
        "Solar particle events are not modelled: a worst-case event can give about 1 Sv in the open (Reitz, Berger "
        "& Matthiae 2012), more than a career limit, so a storm shelter must be sized for them (not by lunarops). "
        "The rates are dose equivalent, which on the lunar surface runs about 30 % above the limit's effective dose "
        "(1.369 x 365 = 500 mSv a year against Reitz et al.'s 380 at solar minimum): on the safe side. A share of "
        "the career limit is one stay's, without the crew's earlier missions."
    )
    if not doses:
        return summary, [], [
            f"Crew radiation dose (operations.radiation): no crew aboard in the period, so no dose ({basis}). "
            + caveat
        ]

    def utc(seconds: float) -> str:
        return f"{start + timedelta(seconds=seconds):%Y-%m-%d %H:%M}"

    def stamp(seconds: float) -> pd.Timestamp:  # naive UTC, as the results files' times
        return pd.Timestamp(start + timedelta(seconds=seconds)).tz_convert(None)

    names = [name for name, _ in named]
    rows = [
        {
            "crew_of": name, "start_utc": stamp(d.stay.start_s), "end_utc": stamp(d.stay.end_s), "days": d.stay.days,
            "crew": d.stay.crew, "habitat_days": d.habitat_days, "eva_days": d.eva_days,
            "outbound_days": d.stay.outbound_days, "return_days": d.stay.return_days,
            "surface_msv": d.surface_msv, "transit_msv": d.transit_msv, "dose_msv": d.dose_msv,
            "career_limit_share": d.dose_msv / rates.career_limit_msv,
        }
        for name, d in zip(names, doses, strict=True)
    ]
    frame = pd.DataFrame(rows)
    frame.index.name = "stay"
    table = Table(
        "Crew stays and radiation dose per crew member [mSv] (GCR at the base's surface and habitat rates, and the "
        "mission's outbound and return flights; solar particle events not modelled)",
        frame,
    )
    shown = "; ".join(
        _stay_text(name, d, rates, utc) for name, d in zip(names[:5], doses[:5], strict=True)
    ) + (f"; and {len(doses) - 5} more (table)" if len(doses) > 5 else "")
    residents = RESIDENT_CREW in names
    notes = [
        f"Crew radiation dose per crew member, galactic cosmic rays (operations.radiation): {shown}. Collective "
        f"dose {significant(collective)} person-mSv. Rates: {basis}. A campaign mission's crew are aboard from "
        "their landing to their departure; " + (
            "the rest of the crew count (operations.crew, resupply crew) is split into stays first in, first out "
            "(at a handover the outgoing crew leave first) and counts no flights. " if residents else "")
        + caveat
    ]
    over_career = [d for d in doses if d.dose_msv > rates.career_limit_msv]
    if over_career:
        notes.append(
            f"{len(over_career)} stay(s) exceed the {rates.career_limit_msv:g} mSv career limit on their own "
            f"(worst {significant(worst)} mSv): shorten the stays, rotate crews, or shield the habitat (a lower "
            "operations.radiation.habitat_dose_fraction from a shielding analysis)."
        )
    if spec.stay_limit_msv is not None:
        over = [d for d in doses if d.dose_msv > spec.stay_limit_msv]
        summary["crew_dose_stays_over_stay_limit"] = len(over)
        summary["crew_dose_stay_limit_msv"] = spec.stay_limit_msv
        if over:
            notes.append(
                f"{len(over)} stay(s) exceed operations.radiation.stay_limit_msv = {spec.stay_limit_msv:g} mSv "
                f"(worst {significant(worst)} mSv, from {utc(max(over, key=lambda d: d.dose_msv).stay.start_s)})."
            )
    return summary, [table], notes


def _basis(rates: DoseRates, eva_h: float) -> str:
    """The rates the doses used, with the defaults' sources and solar phases."""
    surface_source = (" (measured inside the Chang'E 4 lander, about a spacesuit's shielding, by LND in 2019, near "
                      "solar minimum: near the high side of the cycle; Zhang et al. 2020)"
                      if rates.surface_dose_usv_per_day == LND_SURFACE_USV_PER_DAY else "")
    transit_source = (" (MSL RAD's cruise, 2011-2012, rising solar activity: lower than at solar minimum; Zeitlin "
                      "et al. 2013)" if rates.transit_dose_usv_per_day == RAD_CRUISE_USV_PER_DAY else "")
    return (
        f"surface {rates.surface_dose_usv_per_day:g} uSv/day{surface_source}, in the habitat x "
        f"{rates.habitat_dose_fraction:g}" + (" (no shielding credit)" if rates.habitat_dose_fraction == 1.0 else "")
        + (f", on EVA {eva_h:g} h per crew member per week at the surface rate" if eva_h > 0 else ", no EVA")
        + f"; transits {rates.transit_dose_usv_per_day:g} uSv/day{transit_source}"
    )


def _stay_text(name: str, d: StayDose, rates: DoseRates, utc: Any) -> str:
    s = d.stay
    flights = (f" + {significant(d.transit_msv)} on the flights, {s.outbound_days:g} d out and {s.return_days:g} "
               "d back" if d.transit_days else "")
    return (
        f"{name}, {s.crew:g} crew, {utc(s.start_s)} to {utc(s.end_s)} UTC, {s.days:,.1f} d"
        + (" (aboard at the period's start: counted from it)" if s.open_start else "")
        + (" (still aboard at the period's end: counted to it)" if s.open_end else "")
        + f": {significant(d.dose_msv)} mSv ({significant(d.surface_msv)} at the base{flights}), "
        f"{d.dose_msv / rates.career_limit_msv:.1%} of the {rates.career_limit_msv:g} mSv career limit"
    )
