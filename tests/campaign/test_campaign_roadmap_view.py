"""The roadmap for a programme manager: missions outside their phase's dates, dependency arrows on the Gantt."""

from __future__ import annotations

from datetime import date

from lunarops.logistics.plots import roadmap_gantt
from lunarops.logistics.roadmap import Phase, Roadmap, RoadmapMission

ROADMAP = Roadmap(
    phases=(Phase("recon", date(2021, 1, 1), date(2025, 12, 31)), Phase("build", date(2026, 1, 1), date(2035, 12, 31))),
    missions=(
        RoadmapMission("precursor", "recon", date(2018, 12, 7), date(2019, 1, 3)),  # flown before the phase
        RoadmapMission("probe", "recon", date(2024, 5, 3), date(2024, 6, 25), depends_on=("precursor",)),
        RoadmapMission("base-1", "build", date(2031, 6, 1), date(2031, 6, 1), depends_on=("probe",)),
        RoadmapMission("base-2", "build", date(2032, 6, 1), date(2032, 6, 1), depends_on=("base-1", "probe")),
    ),
)


def test_missions_outside_their_phase_are_listed() -> None:
    assert ROADMAP.outside_phases() == [
        "precursor (2018-12-07..2019-01-03) lies outside its phase recon (2021-01-01..2025-12-31)"
    ]


def test_gantt_draws_one_arrow_per_dependency() -> None:
    # 1 + 1 + 2 = 4 dependencies: 4 arrows, each from the end of the mission depended on to the start of the next
    fig = roadmap_gantt(ROADMAP)
    arrows = [a for a in fig.layout.annotations if a.showarrow and a.text == ""]
    assert len(arrows) == 4
    first = next(a for a in arrows if a.y == "probe")
    assert (first.ay, first.ax, first.x) == ("precursor", "2019-01-03", "2024-05-03")
    assert "arrows: depends on" in fig.layout.title.text


def test_gantt_hatches_the_assumed_missions() -> None:
    # the example: its flown missions are published (solid), its planned ones assumed (hatched), said in the title
    from lunarops.scenario import default_scenario_path, load_scenario

    roadmap = load_scenario(default_scenario_path()).campaign.roadmap.roadmap()
    fig = roadmap_gantt(roadmap)
    shapes = {name: shape for trace in fig.data for name, shape in zip(trace.y, trace.marker.pattern.shape,
                                                                       strict=True)}
    assert shapes["Chang'e-4"] == "" and shapes["ILRS-1"] == "/"
    assert all((shapes[m.name] == "/") == (m.basis == "assumed") for m in roadmap.missions)
    assert "hatched: assumed" in fig.layout.title.text
