"""The ilmenite plant's mare-grade energy is qualified in the run's notes at a polar (highland) base."""

from __future__ import annotations

from lunarops.runner.stages.operations import ilmenite_feed_notes
from lunarops.scenario import load_scenario


def test_polar_base_notes_the_ilmenite_feed_grade() -> None:
    # the default base, Connecting Ridge at 89.45 S, runs the ilmenite plant at Leger et al. 2025's 24.3 +- 5.8
    # kWh per kg O2 (10 wt % ilmenite); polar highland soil holds TiO2 mostly below 1 wt % (Elphic et al. 2002)
    scenario = load_scenario()
    (note,) = ilmenite_feed_notes(scenario)
    assert note.startswith("Ilmenite reduction at a polar base: ilmenite o2 plant (24.3 (normal, 12..45) kWh")
    assert "about 10x at 1 wt %" in note


def test_mid_latitude_base_and_no_plant_have_no_note() -> None:
    # a base at 20 N (a mare latitude) and a station without an ilmenite plant
    scenario = load_scenario()
    site = scenario.operations.site or scenario.sites[0].name
    index = next(i for i, s in enumerate(scenario.sites) if s.name == site)
    moved = scenario.with_changes({f"sites.{index}.latitude_deg": 20.0, "terrain.dem": "none"})
    assert ilmenite_feed_notes(moved) == []
    kept = [p for p in scenario.operations.isru if p.kind != "ilmenite_reduction"]
    order = [name for name in scenario.operations.policy.shed_order if name != "ilmenite o2 plant"]
    without = scenario.with_changes({"operations.isru": [p.model_dump() for p in kept],
                                     "operations.policy.shed_order": order})
    assert ilmenite_feed_notes(without) == []
