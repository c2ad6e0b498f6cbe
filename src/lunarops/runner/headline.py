"""The report's "Key results": a short table of the figures a study lead briefs from, built from the stages'
summaries (and a few of their products), each with its unit and the summary key or table it comes from."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, NamedTuple

import pandas as pd

from lunarops.numformat import format_lat_lon, significant
from lunarops.runner.stage import StageResult

#: The start of the campaign note that names the logistics missions not in the roadmap (scenario assumptions).
ASSUMED_MISSIONS_PREFIX = "Logistics missions not in the roadmap: "


class BaseSite(NamedTuple):
    """The site of the base (the scenario's operations.site)."""

    name: str
    latitude_deg: float
    longitude_deg: float


class KeyResult(NamedTuple):
    """One row of the key results: what, its value with unit, where it comes from."""

    item: str
    value: str
    source: str


def percent(fraction: float, digits: int = 3) -> str:
    """A fraction 0..1 as a percentage: 0.924 -> "92.4 %"."""
    return f"{significant(100.0 * float(fraction), digits)} %"


def mass(kg: float) -> str:
    """A mass in t from 1,000 kg on, else kg: 255957 -> "256 t", 187.5 -> "188 kg"."""
    return f"{significant(kg / 1000.0)} t" if abs(kg) >= 1000.0 else f"{significant(kg)} kg"


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def key_results(
    stages: Iterable[StageResult] | Mapping[str, StageResult], base: BaseSite | None = None
) -> list[KeyResult]:
    """The key results of a run's finished stages (those that ran; a missing stage gives no rows). ``base`` is the
    scenario's base site (operations.site); without it, the first site the site stage's summary names."""
    by_name = dict(stages) if isinstance(stages, Mapping) else {s.name: s for s in stages}
    rows: list[KeyResult] = []
    site_name = base.name if base is not None else _first_site(by_name.get("site"))
    if "site" in by_name:
        rows += _site_rows(by_name["site"], site_name, base)
    elif base is not None:
        rows.append(KeyResult("Base site", f"{base.name}, {format_lat_lon(base.latitude_deg, base.longitude_deg)}",
                              "scenario: operations.site"))
    if "orbits" in by_name:
        rows += _orbits_rows(by_name["orbits"], site_name, by_name.get("operations"))
    if "campaign" in by_name:
        rows += _campaign_rows(by_name["campaign"])
    if "operations" in by_name:
        rows += _operations_rows(by_name["operations"])
    return rows


def _isru_plan_check(ops: Mapping[str, Any]) -> list[KeyResult]:
    """Whether the station's propellant plant stores what the plan's ISRU makes for its vehicles by the period's
    end: the LOX and LH2 in store then (p50; nothing in operations draws them, so at the plan's draw there was at
    most this) against the plan's oxygen and hydrogen made up to the period's end (the operations summary's
    plan_isru_*_by_period_end_kg). Rounded as the operations' ISRU note: the station's t to 0.01, the plan's to
    0.1, whole percent. No row without both sides."""
    pairs = [("oxygen", "LOX", "lox"), ("hydrogen", "LH2", "lh2")]
    parts, short = [], False
    for product, label, key in pairs:
        planned = _number(ops.get(f"plan_isru_{product}_by_period_end_kg"))
        stored = _number(ops.get(f"{key}_stored_kg_p50"))
        if planned is None or stored is None or planned <= 0.0:
            continue
        short |= stored < planned
        parts.append(f"{label} {stored / 1000.0:,.2f} t = {100.0 * stored / planned:.0f} % of the plan's "
                     f"{planned / 1000.0:,.1f} t {product}")
    if not parts:
        return []
    verdict = "the station's plants cover it"
    if short:
        verdict = ("the station's plants do not make the plan's propellant: size the water_electrolysis plant for "
                   "it, or plan less ISRU")
        boiled, made = _number(ops.get("lh2_boiled_off_kg_p50")), _number(ops.get("lh2_made_kg_p50"))
        if boiled is not None and made is not None and made > 0.0 and boiled >= 0.5 * made:
            verdict += (f"; boil-off takes {100.0 * boiled / made:.0f} % of the LH2 made: the LH2 store levels off "
                        "where boil-off matches production, so lower the boil-off before sizing the plant")
    draw = _first_draw_text(ops)
    return [KeyResult("Plan's ISRU propellant vs the station's plants", f"{'; '.join(parts)} (the plan's made by the "
                      f"period's end, the station's in store then, p50): {verdict}{draw}",
                      "operations: plan_isru_*_by_period_end_kg, lox/lh2_stored_kg_p50, lh2_boiled_off_kg_p50, "
                      "lh2_made_kg_p50" + (", plan_isru_first_draw_*, run0_lox/lh2_kg_at_plan_draw" if draw else ""))]


def _first_draw_text(ops: Mapping[str, Any]) -> str:
    """The plan's first ISRU draw against the station's stores then (run 0), or "" without it."""
    when = ops.get("plan_isru_first_draw_utc")
    lox, lh2 = _number(ops.get("run0_lox_kg_at_plan_draw")), _number(ops.get("run0_lh2_kg_at_plan_draw"))
    if not isinstance(when, str) or lox is None or lh2 is None:
        return ""
    loaded = [(p, _number(ops.get(f"plan_isru_first_draw_{p}_kg"))) for p in ("oxygen", "hydrogen")]
    what = " and ".join(f"{kg / 1000.0:,.2f} t {p}" for p, kg in loaded if kg)
    return (f". The plan first draws it on {when[:10]}, loading {what} at its ISRU node (some may come from "
            f"Earth); the station then held {lox / 1000.0:,.2f} t LOX and {lh2 / 1000.0:,.2f} t LH2 (run 0)")


def _first_site(stage: StageResult | None) -> str | None:
    if stage is None:
        return None
    for key in stage.summary:
        if key.startswith("sun_disk_visible_fraction[") and key.endswith("]"):
            return key[len("sun_disk_visible_fraction["):-1]
    return None


def _site_rows(stage: StageResult, name: str | None, base: BaseSite | None) -> list[KeyResult]:
    if name is None:
        return []
    s = stage.summary
    where = format_lat_lon(base.latitude_deg, base.longitude_deg) if base is not None else ""
    rows = [KeyResult("Base site", f"{name}, {where}" if where else name, "scenario: operations.site")]
    sunlit = _number(s.get(f"sun_disk_visible_fraction[{name}]"))
    if sunlit is not None:
        rows.append(KeyResult("Sunlit (terrain horizon)", f"{percent(sunlit)} of the period",
                              f"site: sun_disk_visible_fraction[{name}]"))
    dark = _number(s.get(f"longest_dark_hours[{name}]"))
    if dark is not None:
        terrain = s.get("terrain")
        bound = (f" (on the '{terrain}' DEM, likely understated: relief finer than the DEM's pixels lengthens the "
                 "nights; docs/illumination.md)" if isinstance(terrain, str) and terrain != "none" else "")
        rows.append(KeyResult("Longest darkness", f"{significant(dark)} h{bound}", f"site: longest_dark_hours[{name}]"))
    earth = _number(s.get(f"earth_center_visible_fraction[{name}]"))
    if earth is not None:
        rows.append(KeyResult("Earth visible (direct link possible)", f"{percent(earth)} of the period",
                              f"site: earth_center_visible_fraction[{name}]"))
    return rows


def _operations_links(operations: StageResult | None) -> str:
    """Where the whole period's links are, for the relay row: the operations stage's comms note."""
    if operations is None:
        return ""
    dsn = any("DSN" in note for note in operations.notes)
    return "; the operations comms note covers the whole period" + (" with the DSN" if dsn else "")


def _orbits_rows(stage: StageResult, site: str | None, operations: StageResult | None = None) -> list[KeyResult]:
    s = stage.summary
    rows = []
    periodic = stage.products.get("periodic_orbits", {})
    for key, value in s.items():
        period = _number(value)
        if period is None:
            continue
        if key.endswith(": period_days"):
            name = key.removesuffix(": period_days")
            family = getattr(periodic.get(name), "family", "")
            text = f"NRHO{f' ({family})' if family else ''}, period {significant(period)} d"
            peri, apo = _number(s.get(f"{name}: perilune_radius_km")), _number(s.get(f"{name}: apolune_radius_km"))
            if peri is not None and apo is not None:
                text += f", perilune {significant(peri)} km, apolune {significant(apo)} km (from the Moon's centre)"
            rows.append(KeyResult(f"Orbit: {name}", text, f"orbits: {name}: period_days, perilune/apolune_radius_km"))
        elif key.endswith(": period_hours"):
            name = key.removesuffix(": period_hours")
            rows.append(KeyResult(f"Orbit: {name}", f"period {significant(period)} h", f"orbits: {key}"))
    relay = f"{site} <- relayed to Earth by any orbiter"
    fraction = _number(s.get(f"{relay}: fraction_visible"))
    if site is not None and fraction is not None:
        window = _number(s.get("coverage_window_days"))
        gap = _number(s.get(f"{relay}: longest_gap_hours"))
        span = f"the first {significant(window)} d of the period" if window is not None else "the coverage window"
        rows.append(KeyResult(
            f"Relay coverage of {site}",
            f"{percent(fraction)} of {span}" + (f", longest gap {significant(gap)} h" if gap is not None else "")
            + " (geometry only, no ground network" + _operations_links(operations) + ")",
            f"orbits: {relay}: fraction_visible, longest_gap_hours; coverage_window_days",
        ))
    return rows


def _campaign_rows(stage: StageResult) -> list[KeyResult]:
    s, products = stage.summary, stage.products
    rows = []
    arrivals: dict[str, datetime] = products.get("arrivals") or {}
    if arrivals:
        first = min(arrivals, key=lambda m: arrivals[m])
        rows.append(KeyResult("First landing at the base", f"{arrivals[first]:%Y-%m-%d} ({first})",
                              "campaign: the missions' landing dates (deliveries to the station)"))
    launched = _number(s.get("imleo_kg"))
    if launched is not None:
        label = str(s.get("imleo_label", "IMLEO"))
        rows.append(KeyResult(label[:1].upper() + label[1:], mass(launched), "campaign: imleo_kg, imleo_label"))
    plan = products.get("plan")
    launches = getattr(plan, "launches", None)
    if isinstance(launches, pd.DataFrame) and len(launches) and "launches" in launches:
        counts: dict[str, int] = {}
        if "launch_vehicle" in launches:
            counts = {str(v): int(n) for v, n in launches.groupby("launch_vehicle")["launches"].sum().items()}
        total = int(launches["launches"].sum())
        vehicles = ", ".join(v if len(counts) == 1 else f"{n} {v}" for v, n in counts.items())
        rows.append(KeyResult("Launches", f"{total} ({vehicles})" if vehicles else f"{total}",
                              "campaign: launches, launches_<vehicle> (table 'Launches')"))
    made = {k.removeprefix("isru_").removesuffix("_made_kg"): _number(v) for k, v in s.items()
            if k.startswith("isru_") and k.endswith("_made_kg")}
    if made and all(v is not None for v in made.values()):
        rows.append(KeyResult(
            "ISRU propellant in the plan",
            ", ".join(f"{mass(kg or 0.0)} {product}" for product, kg in made.items())
            + " (campaign's ISRU model, separate from the operations' plants)",
            "campaign: " + ", ".join(f"isru_{p}_made_kg" for p in made),
        ))
    visits = _crewed_visits(stage, arrivals)
    if visits is not None:
        rows.append(visits)
    return rows


def _dose_rows(s: Mapping[str, Any]) -> list[KeyResult]:
    """The worst stay's radiation dose per crew member: at the base and on the flights, against the career
    limit; "no crew aboard" when the period has none."""
    dose, stays = _number(s.get("crew_dose_worst_stay_msv")), _number(s.get("crew_stays"))
    if dose is None:
        return []
    source = "operations: crew_dose_worst_stay_msv, _transit_msv, _limit_share, crew_dose_collective_person_msv"
    item = "Crew radiation dose, worst stay (GCR, no solar particle events)"
    if not stays:
        return [KeyResult(item, "no crew aboard in the period", source)]
    flights = _number(s.get("crew_dose_worst_stay_transit_msv"))
    share, limit = _number(s.get("crew_dose_worst_stay_limit_share")), _number(s.get("crew_dose_career_limit_msv"))
    text = f"{significant(dose)} mSv per crew member"
    if flights:
        text += f" ({significant(dose - flights)} at the base + {significant(flights)} on the flights)"
    if share is not None:
        of_limit = f"{significant(limit)} mSv " if limit else ""
        text += f", {percent(share, 2)} of the {of_limit}career limit (this stay alone)"
    over, stay_limit = _number(s.get("crew_dose_stays_over_stay_limit")), _number(s.get("crew_dose_stay_limit_msv"))
    if over is not None and stay_limit is not None:
        text += (f"; {significant(over)} stay{'s' if over != 1 else ''} over the {significant(stay_limit)} mSv stay "
                 "limit" if over else f"; none over the {significant(stay_limit)} mSv stay limit")
    collective = _number(s.get("crew_dose_collective_person_msv"))
    text += f"; {significant(stays)} stay{'s' if stays != 1 else ''}"
    if collective is not None:
        text += f", collective {significant(collective)} person-mSv"
    return [KeyResult(item, text, source)]


def _crewed_visits(stage: StageResult, arrivals: Mapping[str, datetime]) -> KeyResult | None:
    deliveries = stage.products.get("deliveries")
    if not isinstance(deliveries, pd.DataFrame) or not {"commodity", "amount", "time_utc"} <= set(deliveries):
        return None
    crew = deliveries[deliveries["commodity"] == "crew"]
    landings = crew[crew["amount"] > 0]
    departures = list(crew[crew["amount"] < 0]["time_utc"])
    assumed = next((n for n in stage.notes if n.startswith(ASSUMED_MISSIONS_PREFIX)), "")
    parts = []
    for when, n in zip(landings["time_utc"], landings["amount"], strict=True):
        landed = _naive(when)
        names = [m for m, t in arrivals.items() if _naive(t) == landed]
        later = [_naive(t) for t in departures if _naive(t) > landed]
        stay = f", {significant((min(later) - landed).total_seconds() / 86400.0)} d" if later else ""
        text = f"{names[0] + ': ' if names else ''}{significant(float(n))} crew, landing {landed:%Y-%m-%d}{stay}"
        if names and f"{names[0]} (" in assumed:
            text += " (scenario assumption, not in the roadmap)"
        parts.append(text)
    return KeyResult("Crewed visits", f"{len(parts)}" + (f": {'; '.join(parts)}" if parts else ""),
                     "campaign: deliveries to the station (crew rows)")


def _naive(when: Any) -> pd.Timestamp:
    """A time as a UTC timestamp without a zone (the deliveries' times are naive UTC, the arrivals' aware)."""
    stamp = pd.Timestamp(when)
    return stamp.tz_convert(None) if stamp.tzinfo is not None else stamp


def _operations_rows(stage: StageResult) -> list[KeyResult]:
    s = stage.summary
    rows = []
    p = _number(s.get("probability_any_unserved_energy"))
    if p is not None:
        ci = s.get("probability_any_unserved_energy_ci95")
        runs = _number(s.get("runs"))
        text = percent(p, 2)
        if isinstance(ci, list | tuple) and len(ci) == 2:
            text += f" (95 % CI {percent(ci[0], 2)} to {percent(ci[1], 2)})"
        if runs is not None:
            text += f" over {significant(runs)} runs"
        rows.append(KeyResult("P(any unserved energy)", text,
                              "operations: probability_any_unserved_energy, _ci95 (Clopper-Pearson)"))
    gb = _number(s.get("data_returned_gb_p50"))
    if gb is not None:
        value = f"{significant(gb / 1000.0)} TB" if abs(gb) >= 1000.0 else f"{significant(gb)} GB"
        rows.append(KeyResult("Data returned to Earth (p50)", value, "operations: data_returned_gb_p50"))
    for key, label in (("isru_o2_kg_p50", "ISRU oxygen made (p50)"), ("isru_water_kg_p50", "ISRU water made (p50)")):
        kg = _number(s.get(key))
        if kg is not None:
            rows.append(KeyResult(label, f"{mass(kg)} (operations' ISRU model)", f"operations: {key}"))
    rows += _isru_plan_check(s)
    missed = _number(s.get("probability_elements_missed"))
    if missed is not None:
        ci = s.get("probability_elements_missed_ci95")
        text = percent(missed, 2)
        if isinstance(ci, list | tuple) and len(ci) == 2:
            text += f" (95 % CI {percent(ci[0], 2)} to {percent(ci[1], 2)}; the note 'Arrival slips')"
        rows.append(KeyResult("P(a late arrival misses the period)", text,
                              "operations: probability_elements_missed, _ci95 (arrival_slips)"))
    for key in sorted(k for k in s if isinstance(k, str) and k.endswith(": heater_mean_kw")):
        name = key.removesuffix(": heater_mean_kw")
        mean_kw, peak_kw = _number(s.get(key)), _number(s.get(f"{name}: heater_peak_kw"))
        unmet = _number(s.get(f"{name}: heat_unmet_kwh"))
        capacity_kw = _number(s.get(f"{name}: heater_capacity_kw"))  # absent from older summaries
        if mean_kw is None or peak_kw is None:
            continue
        text = f"{significant(mean_kw)} kW mean while online, {significant(peak_kw)} kW peak"
        if capacity_kw is not None:
            text += f" against its {significant(capacity_kw)} kW capacity"
        text += " (demand before any shedding)"
        if unmet is not None:
            text += f"; heat beyond capacity {significant(unmet)} kWh"
        rows.append(KeyResult(f"Heater {name!r} (heat balance)", text,
                              f"operations: {name}: heater_mean_kw, heater_peak_kw, heat_unmet_kwh"
                              + (", heater_capacity_kw" if capacity_kw is not None else "")))
    not_landed = _element_mass_row(s)
    if not_landed is not None:
        rows.append(not_landed)
    rows += _dose_rows(s)
    reserve = _number(s.get("consumables_reserve_days_p05"))
    if reserve is not None or "consumables_reserve_days_p05" in s:
        shown = "unlimited (no crew)" if reserve is None or math.isinf(reserve) else f"{significant(reserve)} d"
        rows.append(KeyResult("Consumables reserve (p05)", shown, "operations: consumables_reserve_days_p05"))
    waited = _most_waited(s)
    if waited is not None:
        rows.append(waited)
    return rows


def _element_mass_row(s: Mapping[str, Any]) -> KeyResult | None:
    """The operations elements' mass the campaign's missions do not land, worded from what it is: a fuel cell store
    without mass_kg counted at the RFC model's mass, or elements heavier than what their mission lands."""
    not_landed = _number(s.get("element_mass_not_landed_kg"))
    if not_landed is None:
        return None
    source = "operations: element_mass_not_landed_kg"
    cell, cell_kg = s.get("massless_fuel_cell"), _number(s.get("massless_fuel_cell_rfc_model_kg"))
    cell_mission = s.get("massless_fuel_cell_arrives_with")
    counted = isinstance(cell, str) and cell_kg is not None and isinstance(cell_mission, str)
    if counted:
        source += ", _by_mission_kg; massless_fuel_cell, _arrives_with, _rfc_model_kg"
    if not_landed <= 0.0:
        text = "none (every element arriving with a mission fits what it lands"
        if counted:
            text += f"; the fuel cell store {cell!r} (no mass_kg) at the RFC model's {cell_kg:,.0f} kg"
        return KeyResult("Element mass the campaign does not land", text + ")", source)
    by_mission = s.get("element_mass_not_landed_by_mission_kg")
    short = ({str(m): float(kg) for m, kg in by_mission.items() if _number(kg) is not None}
             if isinstance(by_mission, Mapping) else {})
    parts = []
    if counted and cell_mission in short:
        # "once": without the fuel cell its mission would land enough (its shortfall is at most the cell's mass)
        counted_at = f"the fuel cell store {cell!r} (no mass_kg) {{}} at the RFC model's {cell_kg:,.0f} kg"
        how = (f"once {counted_at.format('is counted')}" if short[cell_mission] <= (cell_kg or 0.0)
               else f"({counted_at.format('counted among them')})")
        parts.append(f"what {cell_mission} lands falls short of its elements {how}; set storage.fuel_cell.mass_kg, "
                     f"raise {cell_mission}'s deliver")
    others = [m for m in short if not (counted and m == cell_mission)]
    if others:
        one = len(others) == 1
        parts.append(f"{', '.join(others)} land{'s' if one else ''} less than the elements arriving with "
                     f"{'it' if one else 'them'}: raise {'its' if one else 'their'} deliver or lighten the elements "
                     "(the operations notes name them)")
    if not parts:  # a summary without the parts
        parts.append("the operations notes name the elements and the missions to raise")
    return KeyResult("Element mass the campaign does not land", f"{mass(not_landed)}: {'; '.join(parts)}", source)


def _most_waited(summary: Mapping[str, Any]) -> KeyResult | None:
    columns = summary.get("components_columns")
    components = summary.get("components")
    if not isinstance(columns, list) or not isinstance(components, dict):
        return None
    if "probability_waits_for_spare" not in columns:
        return None
    at = columns.index("probability_waits_for_spare")
    shares = {name: float(values[at]) for name, values in components.items() if _number(values[at]) is not None}
    if not shares:
        return None
    name = max(shares, key=lambda n: shares[n])
    if shares[name] <= 0.0:
        return KeyResult("Waited most for spares", "no component waited for a spare in any run",
                         "operations: components (probability_waits_for_spare)")
    return KeyResult("Waited most for spares", f"{name}: in {percent(shares[name], 2)} of runs",
                     "operations: components (probability_waits_for_spare)")
