"""`provenance.json`: what a run was computed from (code, scenario, data files with their SHA-256, libraries)."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from pathlib import Path

import yaml

from lunarops.ephemeris.kernels import MOON_PCK, de421_path
from lunarops.runner.run import code_fingerprint, run, scenario_sha256
from lunarops.scenario import default_scenario_path
from lunarops.scenario.load import parse_scenario
from lunarops.terrain.readers import embedded_dem_path
from scenario_edits import without_campaign


def _sha256(path: Path) -> str:  # hashlib over the whole file at once: a second way to the same digest
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_run_records_its_code_scenario_and_data(tmp_path: Path) -> None:
    data = without_campaign(yaml.safe_load(default_scenario_path().read_text()))
    data.pop("orbits")
    data.pop("operations")
    data["terrain"]["map"] = {"enabled": False}
    data["period"] = {"start_utc": "2030-01-01T00:00:00Z", "end_utc": "2030-01-02T00:00:00Z", "step_hours": 6}
    scenario = parse_scenario(yaml.safe_dump(data))
    results = run(scenario, tmp_path / "out", record=False)
    record = json.loads((tmp_path / "out" / "provenance.json").read_text())
    assert record["scenario_sha256"] == scenario_sha256(scenario)
    assert record["code_fingerprint"] == code_fingerprint()
    files = record["data"]
    assert files["ephemeris"]["file"] == "de421.bsp" and files["ephemeris"]["sha256"] == _sha256(de421_path())
    assert files["moon_orientation"]["sha256"] == _sha256(MOON_PCK)
    assert files["dem"]["name"] == "south" and files["dem"]["sha256"] == _sha256(embedded_dem_path("south"))
    assert files["dem"]["bytes"] == embedded_dem_path("south").stat().st_size
    # the installed versions, read a second way (the package metadata)
    assert record["libraries"]["numpy"] == importlib.metadata.version("numpy")
    assert record["libraries"]["heyoka"] == importlib.metadata.version("heyoka")
    html = results.report_path.read_text()
    assert f"de421.bsp ({files['ephemeris']['sha256'][:12]})" in html and "scenario SHA-256" in html
