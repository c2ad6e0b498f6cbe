"""`lunarops horizon` through typer's CliRunner."""

from __future__ import annotations

import json

import numpy as np
from typer.testing import CliRunner

from lunarops.cli.main import app
from lunarops.terrain import horizon_at_site, load_dem


def test_horizon_json_matches_api() -> None:
    result = CliRunner().invoke(
        app, ["horizon", "--lat", "-89.45", "--lon", "222.69", "--height-m", "10", "--n-azimuth", "12", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["dem"] == "south" and len(data["azimuth_deg"]) == 12 and "curvature" in data["conventions"]
    mask = horizon_at_site(load_dem("south"), -89.45, 222.69, 10.0, n_azimuth=12)
    assert np.allclose(data["elevation_deg"], mask.elevation_deg, atol=1e-5)
    assert data["azimuth_deg"][3] == 90.0


def test_horizon_table_and_errors() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["horizon", "--lat", "-89.9", "--lon", "0", "--n-azimuth", "24"])
    assert result.exit_code == 0 and "azimuth" in result.output
    result = runner.invoke(app, ["horizon", "--lat", "10", "--lon", "0"])
    assert result.exit_code == 2 and "outside DEM 'south'" in result.output
    result = runner.invoke(app, ["horizon", "--lat", "-89", "--lon", "0", "--n-azimuth", "0"])
    text = " ".join(result.output.split())
    assert result.exit_code == 2 and "--n-azimuth = 0 must be an integer in [1, 100000]" in text
    result = runner.invoke(app, ["horizon", "--lat", "-89.5", "--lon", "nan"])
    text = " ".join(result.output.split())
    assert result.exit_code == 2 and "--lon = nan must be an east longitude" in text
    result = runner.invoke(app, ["horizon", "--lat", "-89.5", "--lon", "0", "--min-distance-m", "1e9"])
    assert result.exit_code == 2 and "reaches beyond DEM 'south'" in " ".join(result.output.split())
    result = runner.invoke(app, ["horizon", "--lat", "-89.5", "--lon", "0", "--max-distance-m", "inf"])
    assert result.exit_code == 2 and "must be finite" in " ".join(result.output.split())
    result = runner.invoke(app, ["horizon", "--lat", "-89", "--lon", "0", "--dem", "/nonexistent.tif"])
    assert result.exit_code == 2 and "neither a shipped DEM" in result.output
    result = runner.invoke(app, ["horizon", "--lat", "0", "--lon", "10", "--dem", "global", "--json"])
    assert result.exit_code == 0, result.output
