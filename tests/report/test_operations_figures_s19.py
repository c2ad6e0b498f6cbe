"""Session 19 review of the operations figures: every chart has a caption and axes titled with the quantity and
its unit; the Monte Carlo fans are small enough for a multi-year report (float32 values on a start-and-step time
axis, at most plotdata.MAX_POINTS points per line)."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import xarray as xr

from lunarops.ops import engine
from lunarops.runner.plotdata import MAX_POINTS, reduce_blocks, time_axis
from lunarops.runner.stage import Figure, RunContext
from lunarops.runner.stages.operations import _fan_figures, run_stage
from lunarops.scenario.load import parse_scenario

SCENARIO = """
schema_version: 1
name: figures test
seed: 5
period: {start_utc: 2030-01-01T00:00:00Z, end_utc: 2030-03-01T00:00:00Z, step_hours: 1}
sites:
  - {name: Rim, latitude_deg: -85.0, longitude_deg: 30.0, mast_height_m: 10}
operations:
  site: Rim
  power:
    solar_arrays: [{name: pv, area_m2: 150, cell_efficiency: 0.3}]
  storage:
    battery: {capacity_kwh: 400, depth_of_discharge: 0.8}
  loads:
    - {name: habitat, power_kw: 8}
    - {name: eclss, power_kw: 0.5, per_crew: true, when: crewed}
    - {name: science, power_kw: 3, priority: 5, shed_below_reserve: true, data_rate_mbps: 5}
  crew: [{from_utc: 2030-01-10T00:00:00Z, count: 4}]
  life_support: {eclss_load: eclss}
  consumables: {o2_kg: 300, water_kg: 1000, food_kg: 300}
  isru:
    - {kind: ilmenite_reduction, name: o2 plant, power_kw: 5, energy_kwh_per_kg_o2: 24.3}
  comms: {data_rate_mbps: 50, buffer_gb: 100}
  monte_carlo: {runs: 6, record_hours: 24}
"""

# a quantity named before its unit: "power [kW]", "storage state of charge [% of usable]"
NAMED_UNIT = re.compile(r"[A-Za-z].*[A-Za-z0-9] \[[^\]]+\]")


def _plot(figure: Figure) -> Any:
    assert figure.plotly is not None
    return figure.plotly


def _axes(layout: dict[str, object]) -> dict[str, str]:
    return {
        name: str(((axis or {}).get("title") or {}).get("text") or "")  # type: ignore[attr-defined]
        for name, axis in layout.items()
        if re.fullmatch(r"[xy]axis\d*", name)
    }


def test_every_operations_figure_has_a_caption_and_titled_axes_with_units() -> None:
    result = run_stage(RunContext(parse_scenario(SCENARIO)))
    assert result is not None
    titles = [f.title for f in result.figures]
    # the figures the review named: power, consumables, ISRU output, the fans, the monthly heatmap
    for wanted in ("Power and storage", "Consumables", "ISRU output", "Monte Carlo fan", "Loads shed by month"):
        assert any(t.startswith(wanted) for t in titles), (wanted, titles)
    captions = [f.caption for f in result.figures]
    assert all(len(c) > 40 for c in captions), titles
    fans = [f for f in result.figures if f.title.startswith("Monte Carlo fan")]
    assert len({f.caption for f in fans}) == len(fans)  # one caption each, not one shared
    for fan in fans:
        assert "p05-p95" in fan.caption and "median (p50)" in fan.caption
    for figure in result.figures:
        layout = _plot(figure).to_plotly_json()["layout"]
        axes = _axes(layout)
        assert axes.get("xaxis") in ("time (UTC)", "month (UTC)"), (figure.title, axes)
        heatmap = _plot(figure).data[0].type == "heatmap"
        for name, text in axes.items():
            if name.startswith("y"):
                # a heatmap's rows are named loads (no unit); every other vertical axis: quantity [unit]
                assert (text == "load") if heatmap else NAMED_UNIT.fullmatch(text), (figure.title, name, text)
    power = next(f for f in result.figures if f.title.startswith("Power and storage"))
    assert _axes(_plot(power).to_plotly_json()["layout"]) == {
        "xaxis": "time (UTC)", "yaxis": "power [kW]", "yaxis2": "storage state of charge [%]"
    }
    # the reserve policy's threshold (0.2 by default: science, flagged, and the ISRU plant, shed_below_reserve by
    # default) is drawn on the storage fan and on the power chart's right axis
    storage = next(f for f in fans if "storage state of charge" in f.title)
    for chart, yref in ((storage, "y"), (power, "y2")):
        assert [(s.y0, s.yref) for s in _plot(chart).layout.shapes] == [(pytest.approx(20.0), yref)]
        assert _plot(chart).layout.annotations[0].text == "reserve 20 %: science, o2 plant shed below"


def _five_years(runs: int, record_hours: int) -> SimpleNamespace:
    """A Monte Carlo record shaped like the default scenario's (2030-01-01 to 2035-01-01): run k's value k + 1 at
    the start, swinging +-10 % over a synodic month (values that vary, as real ones do, for the byte count)."""
    start, end = np.datetime64("2030-01-01T00:00", "ns"), np.datetime64("2035-01-01T00:00", "ns")
    time = np.arange(start, end, np.timedelta64(record_hours, "h"))
    days = (time - start) / np.timedelta64(1, "D")
    swing = 1.0 + 0.1 * np.sin(2.0 * np.pi * days / 29.530589)
    values = ((np.arange(runs) + 1.0)[:, None] * swing[None, :]).astype(np.float32)
    ds = xr.Dataset({name: (("run", "time"), values) for name in engine.RECORD_VARS}, coords={"time": time})
    for name, how in zip(engine.RECORD_VARS, engine.RECORD_REDUCTION, strict=True):
        ds[name].attrs["reduction"] = f"{how} over {record_hours} step(s) of 3600 s"
    return SimpleNamespace(dataset=ds)


# Bound per fan chart over a 5-year period (the default scenario's 2030-2035): 3 lines (p95, p05, p50) x 1,827
# daily points x 4 bytes (float32) x 4/3 (base64) = 29.2 kB of data, ~31.5 kB with plotly's JSON writing each
# "/" (1 base64 character in 64) as 6 bytes, plus ~7 kB of layout and plotly's default template; 45 kB leaves
# ~6 kB for the layout's growth. Before: 243 kB (an ISO date per point, float64).
FAN_BYTES_5_YEARS = 45_000


@pytest.mark.parametrize(("runs", "record_hours"), [(200, 24), (20, 1)])
def test_fan_chart_json_is_small_over_five_years(runs: int, record_hours: int) -> None:
    mc = _five_years(runs, record_hours)
    fans = _fan_figures(mc, {0.2: ["science"]})  # type: ignore[arg-type]
    assert len(fans) == 6  # every recorded fan variable has values
    for fan in fans:
        size = len(_plot(fan).to_json())
        assert size < FAN_BYTES_5_YEARS, (fan.title, size)
        band = _plot(fan).data
        assert band[0].x is None and band[0].dx == 86_400_000  # one point a day, hourly records in whole days
        assert len(band[0].y) <= MAX_POINTS and band[0].y.dtype == np.float32
    # values k + 1 in run k: the percentiles of 1..runs (numpy's linear rule; 200 runs: p05 = 10.95, p50 = 100.5,
    # p95 = 190.05), x 100 on the storage fan's percent axis
    # on the first day (the swing rising from 0, the daily minimum at its start)
    storage = _plot(fans[0]).data
    p05, p50, p95 = np.percentile(np.arange(1, runs + 1), [5, 50, 95]) * 100.0
    assert [storage[k].y[0] for k in (1, 2, 0)] == pytest.approx([p05, p50, p95], rel=1e-6)


def test_time_axis_and_blocks() -> None:
    even = np.arange(np.datetime64("2030-01-01T00:00"), np.datetime64("2030-01-02T00:00"), np.timedelta64(1, "h"))
    assert time_axis(even) == {"x0": "2030-01-01T00:00:00.000", "dx": 3_600_000}
    uneven = even[[0, 1, 5]]
    assert time_axis(uneven)["x"] == ["2030-01-01T00:00:00", "2030-01-01T01:00:00", "2030-01-01T05:00:00"]
    values = np.arange(10.0)
    assert reduce_blocks(values, 4, "min").tolist() == [0.0, 4.0, 8.0]
    assert reduce_blocks(values, 4, "last").tolist() == [3.0, 7.0, 9.0]
    assert reduce_blocks(values, 4, "mean").tolist() == [1.5, 5.5, 8.5]
