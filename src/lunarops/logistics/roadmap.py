"""The campaign roadmap: phases and missions with dates and dependencies (data comes from the scenario)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import pandas as pd

from lunarops.errors import InputError

#: How a roadmap mission is known: as its source publishes it, or (in part) assumed by the scenario.
Basis = Literal["published", "assumed"]
BASES: tuple[Basis, ...] = ("published", "assumed")


@dataclass(frozen=True)
class Phase:
    """A phase of the programme (e.g. reconnaissance 2021-2025)."""

    name: str
    start: date
    end: date
    source: str = ""


@dataclass(frozen=True)
class RoadmapMission:
    """A mission of the roadmap: when, on what, carrying which elements, after which missions."""

    name: str
    phase: str
    start: date
    end: date
    agency: str = ""
    launcher: str = ""
    contents: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    source: str = ""
    # "published": the dates, contents and dependencies are as the cited source gives them; "assumed": some are
    # the scenario's (placeholder days such as -06-01, inferred dependencies, missions no source lists). The
    # default is "assumed": a mission is called published only when its author says so.
    basis: Basis = "assumed"


@dataclass(frozen=True)
class Roadmap:
    """Phases and missions in time order."""

    phases: tuple[Phase, ...]
    missions: tuple[RoadmapMission, ...]

    def check(self) -> None:
        """Raise InputError when a phase, a dependency or a date is inconsistent."""
        phases = {p.name for p in self.phases}
        names = [m.name for m in self.missions]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise InputError(f"roadmap.missions: names {dup} appear more than once; rename them")
        by_name = {m.name: m for m in self.missions}
        for p in self.phases:
            if p.end < p.start:
                raise InputError(f"roadmap.phases.{p.name}: end {p.end} is before start {p.start}")
        for m in self.missions:
            if m.phase not in phases:
                raise InputError(
                    f"roadmap.missions.{m.name}.phase = {m.phase!r} is not a phase; use one of {sorted(phases)}"
                )
            if m.basis not in BASES:
                raise InputError(f"roadmap.missions.{m.name}.basis = {m.basis!r}; use one of {list(BASES)}")
            if m.end < m.start:
                raise InputError(f"roadmap.missions.{m.name}: end {m.end} is before start {m.start}")
            for dep in m.depends_on:
                if dep not in by_name:
                    raise InputError(
                        f"roadmap.missions.{m.name}.depends_on: {dep!r} is not a roadmap mission; "
                        f"known: {sorted(by_name)}"
                    )
                if by_name[dep].start > m.start:
                    raise InputError(
                        f"roadmap.missions.{m.name} (starts {m.start}) depends on {dep} which starts later "
                        f"({by_name[dep].start}); move one of the dates or drop the dependency"
                    )

    def outside_phases(self) -> list[str]:
        """The missions whose dates lie outside their phase's (a note, not an error: flown precursors are often
        counted in a phase that was named later)."""
        phases = {p.name: p for p in self.phases}
        out = []
        for m in self.missions:
            p = phases.get(m.phase)
            if p is not None and (m.start < p.start or m.end > p.end):
                when = f"{m.start}" if m.end == m.start else f"{m.start}..{m.end}"
                out.append(f"{m.name} ({when}) lies outside its phase {p.name} ({p.start}..{p.end})")
        return out

    def table(self) -> pd.DataFrame:
        """One row per mission: name, phase, start, end, agency, launcher, contents, depends_on, basis, source."""
        return pd.DataFrame(
            [
                {
                    "mission": m.name,
                    "phase": m.phase,
                    "start": m.start.isoformat(),
                    "end": m.end.isoformat() if m.end != m.start else "",  # a launch date only: no end
                    "agency": m.agency,
                    "launcher": m.launcher,
                    "contents": ", ".join(m.contents),
                    "depends_on": ", ".join(m.depends_on),
                    "basis": m.basis,
                    "source": m.source,
                }
                for m in sorted(self.missions, key=lambda m: (m.start, m.name))
            ],
            columns=["mission", "phase", "start", "end", "agency", "launcher", "contents", "depends_on", "basis",
                     "source"],
        )
