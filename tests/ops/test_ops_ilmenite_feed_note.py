"""The ilmenite plant's mare-grade energy is qualified in the run's notes at a polar (highland) base."""

from __future__ import annotations

from lunarops.runner.stages.operations import ilmenite_feed_notes
from lunarops.scenario import load_scenario


def test_polar_base_notes_the_ilmenite_feed_grade() -> None:
    # the default base, Connecting Ridge at 89.45 S, runs the ilmenite plant at Leger et al. 2025's 24.3 +- 5.8
    # kWh per kg O2 (10 wt % ilmenite); polar highland soil holds TiO2 mostly below 1 wt % (Elphic et al. 2002)
    scenario = load_scenario()
    (note,) = ilmenite_feed_notes(scenario)
    assert note.startswith("Ilmenite reduction at a polar base: ilmenite o2 plant at 24.3 kWh per kg O2 (normal, "
                           "12-45).")
    # one unit, ilmenite: FeTiO3 is 52.6 % TiO2 by mass (IUPAC standard atomic weights Fe 55.845, Ti 47.867,
    # O 15.999: TiO2 47.867 + 2 x 15.999 = 79.865 g/mol, FeTiO3 55.845 + 47.867 + 3 x 15.999 = 151.709 g/mol,
    # 79.865 / 151.709 = 0.5264), so 1 wt % TiO2 is at most 1 / 0.5264 = 1.90 wt % ilmenite
    assert "so at most 1.9 wt % ilmenite (FeTiO3 is 52.6 % TiO2 by mass: 79.865 / 151.709 g/mol)" in note
    # the 1 / grade rule against the 10 wt % feed: 10 / 1.8996 = 5.26, about 5x (not 10x)
    assert "10 / 1.9 = 5.3x at 1 wt % TiO2, more below it" in note
    assert ".." not in note and "((" not in note  # no nested brackets, one range form


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
