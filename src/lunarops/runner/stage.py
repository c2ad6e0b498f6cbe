"""What a stage of the main job hands to the next stages, the store and the report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import xarray as xr

#: progress(advance_fraction_0_to_1, message) -- called by long stages; never required.
ProgressCallback = Callable[[float, str], None]


def no_progress(fraction: float, message: str) -> None:
    """A progress callback that ignores everything."""


@dataclass(frozen=True)
class Table:
    """A titled table for the report."""

    title: str
    frame: pd.DataFrame


@dataclass(frozen=True)
class Figure:
    """A titled figure for the report: a plotly figure (``plotly.graph_objects.Figure``) or PNG bytes."""

    title: str
    plotly: Any | None = None
    png: bytes | None = None
    caption: str = ""


@dataclass(frozen=True)
class StageResult:
    """The output of one stage of ``lunarops run``.

    ``summary`` holds JSON-able headline numbers (units in the keys), ``datasets`` are written to Parquet
    (one file per key), ``figures`` and ``tables`` go into the HTML report in order.
    """

    name: str
    title: str
    summary: dict[str, Any] = field(default_factory=dict)
    datasets: dict[str, xr.Dataset] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Anything a later stage needs that is not for the report (e.g. arrays, domain objects).
    products: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunContext:
    """What every stage receives: the scenario and the earlier stages' results (in ``lunarops run``, only what the
    stage declares in lunarops.runner.inputs.STAGE_INPUTS). Random draws derive from ``scenario.seed``."""

    scenario: Any  # lunarops.scenario.Scenario (typed loosely to keep this module import-light)
    progress: ProgressCallback = no_progress
    results: dict[str, StageResult] = field(default_factory=dict)
