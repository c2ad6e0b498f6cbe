"""Key results that check one stage against another, or qualify a figure (a plausibility audit's findings)."""

from __future__ import annotations

from lunarops.runner.headline import BaseSite, key_results
from lunarops.runner.stage import StageResult

BASE = BaseSite("Connecting Ridge", -89.45, 222.69)


def _rows(campaign: dict[str, float], operations: dict[str, float]) -> dict[str, str]:
    stages = [StageResult("campaign", "Campaign", summary=campaign),
              StageResult("operations", "Operations", summary=operations)]
    return {r.item: r.value for r in key_results(stages, BASE)}


def test_plan_isru_that_the_station_does_not_make_is_flagged() -> None:
    # the default run (summary.json of `lunarops run`, session 21): the plan's ISRU makes 12,688 kg O2 and
    # 1,586 kg H2 for its vehicles; the station's electrolyser has 3,888 kg LOX and 114.6 kg LH2 in store at
    # the end (p50): 3,888 / 12,688 = 30.6 %, 114.6 / 1,586 = 7.2 %
    rows = _rows({"isru_oxygen_made_kg": 12688.3, "isru_hydrogen_made_kg": 1586.0},
                 {"lox_stored_kg_p50": 3888.2, "lh2_stored_kg_p50": 114.6})
    value = rows["Plan's ISRU propellant vs the station's plants"]
    assert value.startswith("LOX 3.89 t = 31 % of the plan's 12.7 t oxygen; LH2 115 kg = 7.2 % of the plan's")
    assert "do not make the plan's propellant" in value


def test_plan_isru_covered_and_absent_sides() -> None:
    # 13 t of LOX against 12.7 t planned, 2 t of LH2 against 1.59 t: covered
    covered = _rows({"isru_oxygen_made_kg": 12688.3, "isru_hydrogen_made_kg": 1586.0},
                    {"lox_stored_kg_p50": 13000.0, "lh2_stored_kg_p50": 2000.0})
    assert covered["Plan's ISRU propellant vs the station's plants"].endswith("the station's plants cover it")
    # no propellant plant in operations (no lox_stored_kg_p50): no row
    assert "Plan's ISRU propellant vs the station's plants" not in _rows({"isru_oxygen_made_kg": 12688.3}, {})


def test_longest_darkness_on_a_dem_is_called_a_lower_bound() -> None:
    # 60 h at 10 m on the 1.6 km south DEM against 3-5 days at 20 m (Glaser et al. 2014, Icarus 243): docs/
    # illumination.md; on the smooth sphere (terrain none) there is no sub-pixel relief to miss
    summary = {"longest_dark_hours[Connecting Ridge]": 60.0, "terrain": "south"}
    rows = {r.item: r.value for r in key_results([StageResult("site", "Site", summary=summary)], BASE)}
    assert rows["Longest darkness"].startswith("60 h (on the 'south' DEM: a lower bound")
    summary["terrain"] = "none"
    rows = {r.item: r.value for r in key_results([StageResult("site", "Site", summary=summary)], BASE)}
    assert rows["Longest darkness"] == "60 h"


def test_element_mass_not_landed_row() -> None:
    # the default scenario's regenerative fuel cell (3,000 kWh, no mass_kg) arrives with ILRS-1: 3,689 kg by the
    # RFC model (the operations note), in no mission's cargo
    rows = _rows({}, {"element_mass_not_landed_kg": 3689.0})
    assert rows["Element mass the campaign does not land"].startswith("3.69 t")
    rows = _rows({}, {"element_mass_not_landed_kg": 0.0})
    assert rows["Element mass the campaign does not land"].startswith("none")
