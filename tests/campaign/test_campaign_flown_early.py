"""The note for missions on whose date nothing flies (their goods landed earlier and wait)."""

from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace

import pandas as pd

from lunarops.logistics.network import Arc, Mission, Problem, SpacecraftDesign
from lunarops.runner.stages.campaign import missions_flown_early


def test_missions_without_their_own_flight_are_named() -> None:
    problem = Problem(
        nodes=("Earth", "LLO"),
        arcs=(Arc("Earth", "LLO", 3000.0, 3.0, launch=True),),
        holdover_nodes=("LLO",),
        designs=(SpacecraftDesign("tug", 10_000.0, 1e5, 1000.0, 300.0, 1),),
        missions=(
            Mission("first", 0.0, "LLO", deliver={"cargo": 500.0}),
            Mission("second", 365.0, "LLO", deliver={"cargo": 500.0}),
        ),
    )
    # a plan whose only transport flight departs on day 0 (holdovers at LLO after it): "second" has no flight on
    # its date, day 365 = 2031-01-01 after the epoch 2030-01-01
    flights = pd.DataFrame({"day": [0.0, 0.0, 365.0], "holdover": [False, True, True]})
    plan = SimpleNamespace(flights=flights)
    notes = missions_flown_early(problem, plan, datetime(2030, 1, 1, tzinfo=timezone.utc))  # type: ignore[arg-type]
    assert len(notes) == 1
    assert notes[0].startswith("No flight departs on the date of the logistics missions second (2031-01-01)")
    flights.loc[2, "holdover"] = False  # a flight on day 365 too: nothing to say
    assert missions_flown_early(problem, plan, datetime(2030, 1, 1, tzinfo=timezone.utc)) == []  # type: ignore[arg-type]
