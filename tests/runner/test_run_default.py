"""`lunarops run` end to end on the embedded default scenario, its outputs, resume, and the catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from lunarops.cli.main import app
from lunarops.store import query

runner = CliRunner()


def test_run_default_scenario(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    report = Path(payload["report"])
    html = report.read_text()
    assert "Plotly" in html and "<script src=" not in html  # self-contained: plotly inlined, nothing fetched
    assert "Sun and Earth elevation over time" in html
    # the orbit links of the default scenario's sites use the terrain masks of its site stage (the orbits stage
    # had looked for a product the site stage never made, and used the smooth sphere)
    assert "Connecting Ridge: terrain mask from the site stage (south DEM)" in html
    sky = pd.read_parquet(out / "results" / "sky-sky.parquet")
    assert {"site", "time", "sun_elevation_deg", "earth_elevation_deg"} <= set(sky.columns)
    # [2030-01-01, 2035-01-01) hourly (half-open) = 43,824 epochs per site (1,826 days x 24)
    assert len(sky) == 43_824 * sky.site.nunique()
    frac = query(f"select avg((sun_elevation_deg > 0)::int) as f from read_parquet('{out}/results/sky-sky.parquet')")
    # Sun's centre over the local horizontal: 0.4843 of the hours at the two sites together (0.4829 at Connecting
    # Ridge, 0.4857 at Bussey point B), computed with the CSPICE oracle of tests/sky/test_sky_vs_spice.py (azlcpo,
    # ELLIPSOID on the 1737.4 km sphere, LT+S, the same DE421/Moon ME kernels; observers at the DEM ground + 10 m
    # mast) hourly over [2030-01-01, 2035-01-01], on 2026-12-05; our track agreed with SPICE hour by hour.
    # 1e-4: the rounding of 0.4843 (5e-5) plus the one end epoch that grid had beyond this half-open one (2e-5)
    assert frac.f.iloc[0] == pytest.approx(0.4843, abs=1e-4)  # fraction of the hours

    listed = runner.invoke(app, ["runs", "list", "--json"])
    runs = json.loads(listed.stdout)
    assert runs[0]["run_id"] == payload["run_id"] and runs[0]["status"] == "done"
    shown = runner.invoke(app, ["runs", "show", payload["run_id"][:20]])
    assert json.loads(shown.stdout)["summary"]["sky"]["n_times"] == 43_824


def test_resume_reuses_finished_stages(tmp_path: Path, monkeypatch: object) -> None:
    from lunarops.runner import run as run_module
    from lunarops.scenario.load import parse_scenario

    scenario = parse_scenario(
        "name: t\nperiod: {start_utc: 2030-01-01, end_utc: 2030-01-10}\n"
        "sites: [{name: a, latitude_deg: -89, longitude_deg: 0}]\n"
    )
    first = run_module.run(scenario, tmp_path, record=False)
    calls: list[str] = []
    original = run_module.STAGES

    def spy(name: str, function: object) -> object:
        def wrapped(ctx: object) -> object:
            calls.append(name)
            return function(ctx)  # type: ignore[operator]

        return wrapped

    monkeypatch.setattr(run_module, "STAGES", tuple((n, spy(n, f)) for n, f in original))  # type: ignore[attr-defined]
    second = run_module.run(scenario, tmp_path, record=False)
    assert "sky" not in calls  # checkpointed stage reused
    assert second.summary()["sky"] == first.summary()["sky"]
    third = run_module.run(scenario, tmp_path, record=False, resume=False)
    assert "sky" in calls and third.summary()["sky"] == first.summary()["sky"]
    # other code (an edited or upgraded lunarops with the same version string) redoes the stage
    calls.clear()
    monkeypatch.setattr(run_module, "code_fingerprint", lambda: "other code")  # type: ignore[attr-defined]
    run_module.run(scenario, tmp_path, record=False)
    assert "sky" in calls


def test_run_bad_scenario_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\n")
    result = runner.invoke(app, ["run", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "period" in result.output and "Traceback" not in result.output


def test_bad_db_url(tmp_path: Path) -> None:
    result = runner.invoke(app, ["runs", "list", "--db", "mysql://x"])
    assert result.exit_code == 2 and "sqlite:///" in result.output
