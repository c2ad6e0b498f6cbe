"""Session 17 report review (a concept-study lead could not brief from the report): key results at the top, a
glossary at the end, no solver noise in the manifest, true eclipse-event columns, the orbits relay rows' scope,
assumed missions named, Luna-25's outcome in the roadmap."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
import yaml

from lunarops.logistics import outputs
from lunarops.logistics.model import solve
from lunarops.logistics.network import Arc, Mission, Problem, SpacecraftDesign
from lunarops.report import render_report
from lunarops.report.glossary import GLOSSARY
from lunarops.runner.headline import BaseSite, key_results, significant
from lunarops.runner.inputs import results_view, scenario_view
from lunarops.runner.stage import RunContext, StageResult
from lunarops.runner.stages import campaign, orbits
from lunarops.scenario.load import default_scenario_path, load_scenario, parse_scenario

# Summary values of `lunarops run` on the default scenario (run 2026-12-05, /tmp/s17-rep2/run/summary.json; the
# same figures as the s17 review's report: /tmp/s17-report/REPORT.md, "Cross-checks that agree").
SITE = {
    "sun_disk_visible_fraction[Connecting Ridge]": 0.9239768525646922,
    "longest_dark_hours[Connecting Ridge]": 60.0,
    "earth_center_visible_fraction[Connecting Ridge]": 0.527359437751004,
}
ORBITS = {
    "ILRS station: period_days": 6.562353080222222,
    "ILRS station: perilune_radius_km": 3249.317051619341,
    "ILRS station: apolune_radius_km": 71222.08005546605,
    "Queqiao-2 class relay: period_hours": 24.320683246377982,
    "coverage_window_days": 30.0,
    "Connecting Ridge <- relayed to Earth by any orbiter: fraction_visible": 1.0,
    "Connecting Ridge <- relayed to Earth by any orbiter: longest_gap_hours": 0.0,
}
CAMPAIGN = {"imleo_kg": 255957.46903910636, "imleo_label": "mass launched to TLI", "launch_node": "TLI"}
OPERATIONS = {
    "runs": 200,
    "probability_any_unserved_energy": 0.005,
    "probability_any_unserved_energy_ci95": [0.00012658102786701836, 0.02754189845720562],
    "data_returned_gb_p50": 237780.0,
    "isru_o2_kg_p50": 4249.561053792739,
    "isru_water_kg_p50": 58259.11399786839,
    "consumables_reserve_days_p05": 187.54166666666742,
    "components_columns": ["failures_mean", "probability_waits_for_spare"],
    "components": {"excavators": [5.4, 0.79], "array strings": [4.785, 0.595]},
}
ASSUMED = (
    "Logistics missions not in the roadmap: crewed visit (assumed) (2034-10-01, 2 crew): scenario assumptions (the "
    "roadmap's sources do not list them)."
)


def _stages() -> list[StageResult]:
    # the campaign's products as the default run's: ILRS-1 lands 2031-06-06 04:48 and the crewed visit 2034-10-06
    # 04:48, leaving 2034-10-20 04:48 (campaign-deliveries.parquet); 3+2+3+2+2 = 12 Long March 10 launches
    # (campaign-launches.parquet)
    arrivals = {
        "ILRS-1": datetime(2031, 6, 6, 4, 48, tzinfo=UTC),
        "crewed visit (assumed)": datetime(2034, 10, 6, 4, 48, tzinfo=UTC),
    }
    deliveries = pd.DataFrame({
        "time_utc": pd.to_datetime(["2034-10-06 04:48", "2034-10-06 04:48", "2034-10-20 04:48"]),
        "commodity": ["crew", "food_kg", "crew"],
        "amount": [2.0, 22.4, -2.0],
    })
    launches = pd.DataFrame({"day": [516.0, 882.0, 1247.0, 1612.0, 1734.0], "launch_vehicle": ["long-march-10"] * 5,
                             "to": ["TLI"] * 5, "launches": [3, 2, 3, 2, 2]})

    @dataclasses.dataclass
    class _Plan:
        launches: pd.DataFrame

    return [
        StageResult("site", "Site", summary=dict(SITE)),
        StageResult("orbits", "Orbits", summary=dict(ORBITS)),
        StageResult("campaign", "Campaign", summary=dict(CAMPAIGN), notes=[ASSUMED], products={
            "arrivals": arrivals, "deliveries": deliveries, "plan": _Plan(launches)}),
        StageResult("operations", "Operations", summary=dict(OPERATIONS),
                    notes=["comms: ...; ground network: the DSN (Goldstone, Madrid, Canberra) sees the Moon ..."]),
    ]


def test_key_results_from_the_stages_summaries() -> None:
    # Connecting Ridge at -89.45, 222.69 (the default scenario's sites); the values: the summaries above at 2-3
    # significant figures, percentages as %
    rows = {r.item: r for r in key_results(_stages(), BaseSite("Connecting Ridge", -89.45, -137.31))}
    assert rows["Base site"].value == "Connecting Ridge, 89.4500 S, 222.6900 E"
    assert rows["Sunlit (terrain horizon)"].value == "92.4 % of the period"
    assert rows["Sunlit (terrain horizon)"].source == "site: sun_disk_visible_fraction[Connecting Ridge]"
    assert rows["Longest darkness"].value == "60 h"
    assert rows["Earth visible (direct link possible)"].value == "52.7 % of the period"
    assert rows["Orbit: ILRS station"].value.startswith("NRHO, period 6.56 d, perilune 3,250 km, apolune 71,200 km")
    relay = rows["Relay coverage of Connecting Ridge"].value
    assert relay.startswith("100 % of the first 30 d of the period, longest gap 0 h (geometry only, no ground network")
    assert "with the DSN" in relay
    assert rows["First landing at the base"].value == "2031-06-06 (ILRS-1)"
    assert rows["Mass launched to TLI"].value == "256 t"  # imleo_label says what imleo_kg is
    assert rows["Launches"].value == "12 (long-march-10)"
    assert rows["Crewed visits"].value == (
        "1: crewed visit (assumed): 2 crew, landing 2034-10-06, 14 d (scenario assumption, not in the roadmap)"
    )
    assert rows["P(any unserved energy)"].value == "0.5 % (95 % CI 0.013 % to 2.8 %) over 200 runs"
    assert rows["Data returned to Earth (p50)"].value == "238 TB"  # 237,780 GB
    assert rows["ISRU oxygen made (p50)"].value.startswith("4.25 t")
    assert rows["ISRU water made (p50)"].value.startswith("58.3 t")
    assert rows["Consumables reserve (p05)"].value == "188 d"
    assert rows["Waited most for spares"].value == "excavators: in 79 % of runs"
    # a run without the later stages has no rows for them
    site_only = [r.item for r in key_results(_stages()[:1])]  # no base given: the site stage's first site
    assert site_only == ["Base site", "Sunlit (terrain horizon)", "Longest darkness",
                         "Earth visible (direct link possible)"]


def test_significant_figures() -> None:
    # by hand: 3 significant figures, no exponent, no trailing zeros
    assert [significant(v) for v in (255957.47, 0.00012658, 4.2496, 0.5, 100.0, 1.0e-5)] == [
        "256,000", "0.000127", "4.25", "0.5", "100", "0.00001"]


def test_key_results_first_and_glossary_last(tmp_path: Path) -> None:
    stages = _stages()
    path = render_report(tmp_path / "r.html", "t", "s", stages, {"run id": "x"},
                         key_results(stages, BaseSite("Connecting Ridge", -89.45, 222.69)))
    text = path.read_text()
    header, key, run = text.index("<header>"), text.index("<h2>Key results</h2>"), text.index("id='run'")
    assert header < key < run  # right after the title, before the run table
    glossary = text.index("<h2>Glossary</h2>")
    assert glossary > max(text.index(f"id='{s.name}'") for s in stages)  # after every stage's section
    shown = text[glossary:]
    for term in ("IMLEO", "TLI", "LLO", "NRHO", "CR3BP", "PSR", "ECLSS", "RFC", "PMAD", "ISRU", "MILP / GMCNF",
                 "BVAD", "DSN", "MTBF", "p05 / p50 / p95", "CI"):
        assert f"<td>{term}</td>" in shown
    by_term = {t.term: t for t in GLOSSARY}
    assert by_term["BVAD"].source.startswith("NASA/TP-2015-218570")  # the document's number (the brief's example)
    assert "mass launched to TLI" in by_term["IMLEO"].definition


def test_manifest_shows_solver_noise_as_zero() -> None:
    # a one-crew visit with 200 kg of cargo (tests/campaign/test_campaign_plan_tables.py's round trip); the cargo
    # column gets 1.4e-11 kg of noise on every row, like the default run's consumables_kg 1.405659e-11 on its
    # 2031-06-01 legs (campaign-manifest.parquet)
    arcs = (Arc("Earth", "LEO", 0.0, 1.0, launch=True), Arc("LEO", "LLO", 0.0, 3.0), Arc("LLO", "LS", 0.0, 1.0),
            Arc("LS", "LLO", 0.0, 1.0), Arc("LLO", "LEO", 0.0, 3.0), Arc("LEO", "Earth", 0.0, 1.0))
    problem = Problem(("Earth", "LEO", "LLO", "LS"), arcs, ("LS",), (SpacecraftDesign("bus", 1500.0, 100.0, 100.0,
                      400.0, 1),), (Mission("visit", 0.0, "LS", crew=1, stay_days=3.0, deliver={"cargo": 200.0}),),
                      maintenance_fraction_per_flight=0.0)
    plan = solve(problem)
    flights = plan.flights.copy()
    flights["cargo_kg"] = flights["cargo_kg"].astype(float) + 1.4e-11
    flights["noise_kg"] = 1.4e-11
    manifest = outputs.manifest(dataclasses.replace(plan, flights=flights), datetime(2031, 1, 1), problem)
    cargo = manifest["cargo_kg"]
    carried = (cargo - 200.0).abs() < 1e-6
    assert carried.any() and (cargo[~carried] == 0.0).all()  # 200 kg where the cargo flies, exactly 0 elsewhere
    assert "noise_kg" not in manifest  # a column of noise alone is 0 on every row: left out, like an unused one


def _orbits_scenario() -> object:
    data = yaml.safe_load(default_scenario_path().read_text())
    data["orbits"]["coverage"]["duration_days"] = 11
    return parse_scenario(yaml.safe_dump(data))


def test_eclipse_events_say_shadow_and_umbra_hours() -> None:
    scenario = _orbits_scenario()
    result = orbits.run_stage(RunContext(scenario_view(scenario, "orbits"), results=results_view({}, "orbits")))
    assert result is not None
    events = next(t.frame for t in result.tables if t.title == "Eclipse events")
    assert "kind" not in events
    assert list(events.columns) == ["orbiter", "body", "deepest_shadow", "start_utc", "shadow_hours", "umbra_hours"]
    # the station's one eclipse of the 11 days: the table's hours are those of the stage's orbiter rows (shadow and
    # umbra hours summed over the window, computed from the same shadow timeline that tests/orbits/
    # test_orbits_eclipse_vs_spice.py checks against SPICE), whole 60 s samples, the umbra within the shadow
    rows = events[events["orbiter"] == "ILRS station"]
    assert len(rows) == 1
    station = rows.iloc[0]
    orbiter = next(t.frame for t in result.tables if "shadow_hours" in t.frame and "n_eclipses" in t.frame)
    summary = orbiter.set_index("orbiter").loc["ILRS station"]
    assert station["shadow_hours"] == pytest.approx(float(summary["shadow_hours"]), abs=1e-9)
    assert station["umbra_hours"] == pytest.approx(float(summary["umbra_hours"]), abs=1e-9)
    assert station["deepest_shadow"] == "umbra" and 0 < station["umbra_hours"] < station["shadow_hours"]
    assert (station["shadow_hours"] * 60.0) == pytest.approx(round(station["shadow_hours"] * 60.0), abs=1e-6)
    assert (events["umbra_hours"] <= events["shadow_hours"] + 1e-12).all()
    note = next(n for n in result.notes if "relayed to Earth by any orbiter" in n)
    assert "geometry only" in note and "no ground network" in note and "DSN" in note and "whole period" in note


def test_assumed_missions_named_in_a_note() -> None:
    # the example's logistics missions: ILRS-1..5 with roadmap_mission, and "crewed visit (assumed)" with
    # depart_utc 2034-10-01, crew 2 (src/lunarops/examples/ilrs-south-pole.yaml)
    scenario = load_scenario()
    assert campaign.assumed_missions_notes(scenario.campaign) == [ASSUMED]


def test_luna25_says_it_crashed() -> None:
    # Roscosmos, 2023-08-20: Luna-25 hit the Moon on 2023-08-19 after an off-nominal orbit burn, before its landing
    roadmap = load_scenario().campaign.roadmap.roadmap()
    luna = next(m for m in roadmap.missions if m.name == "Luna-25")
    text = " ".join(luna.contents)
    assert "crashed" in text and "2023-08-19" in text and "before landing" in text and "2023-08-20" in text
    assert luna.source == "Roscosmos press releases 2023-08-10 and 2023-08-20"  # the source field kept
    shown = roadmap.table().set_index("mission").loc["Luna-25", "contents"]
    assert "crashed" in shown  # the report's roadmap table says it


@pytest.mark.parametrize(
    ("key", "unit"),
    [  # the unit each name carries (docs/results.md names every summary value with its unit)
        ("data_returned_gb_p50", "GB"),
        ("consumables_reserve_days_p05", "d"),
        ("sun_disk_visible_fraction[Connecting Ridge]", "fraction (0-1)"),
        ("probability_any_unserved_energy", "fraction (0-1)"),
        ("min_state_of_charge_p05", "fraction (0-1)"),
        ("computed NRHO->LLO two-impulse dv_km_per_s", "km/s"),
        ("Connecting Ridge <- ILRS station: longest_gap_hours", "h"),
        ("ILRS station: closure_m", "m"),
        ("max_energy_residual_j", "J"),
        ("unserved_energy_kwh_p95", "kWh"),
        ("n_variables", "count"),
        ("status", ""),
        # the crew dose keys (session 21): "crew" named persons before, a study lead's finding
        ("crew_dose_worst_stay_msv", "mSv"),
        ("crew_dose_collective_person_msv", "person-mSv"),
        ("crew_stays", "count"),
    ],
)
def test_summary_tables_give_each_value_its_unit(key: str, unit: str) -> None:
    from lunarops.report.html import _summary_table, summary_unit

    assert summary_unit(key) == unit
    row = _summary_table({key: 1.0})
    assert f"<td>{unit}</td></tr>" in row.replace("&lt;", "<").replace("&gt;", ">")
