"""`lunarops sky`, `validate`, `schema`: JSON contracts and exit code 2 with a message for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from lunarops.cli.main import app
from lunarops.sky import sky_at_site
from lunarops.timescale import parse_utc

runner = CliRunner()


def test_sky_json_contract() -> None:
    result = runner.invoke(
        app,
        ["sky", "--lat", "-89.45", "--lon", "222.69", "--height-m", "0", "--time", "2026-01-01T00:00:00Z", "--json"],
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    for key in (
        "sun_azimuth_deg",
        "sun_elevation_deg",
        "earth_azimuth_deg",
        "earth_elevation_deg",
        "sun_distance_km",
        "earth_distance_km",
    ):
        assert key in record
    # The CLI must print exactly what the API computes (the API is checked against SPICE in tests/sky).
    track = sky_at_site(-89.45, 222.69, 0.0, parse_utc("2026-01-01T00:00:00Z"))
    assert record["sun_elevation_deg"] == pytest.approx(track.sun_elevation_deg[0], abs=1e-12)
    assert record["earth_azimuth_deg"] == pytest.approx(track.earth_azimuth_deg[0], abs=1e-12)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_sky_time_series(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"sky{suffix}"
    result = runner.invoke(
        app,
        [
            "sky",
            "--lat",
            "-89.45",
            "--lon",
            "-137.31",
            "--start",
            "2030-01-01",
            "--end",
            "2030-01-03",
            "--step",
            "6h",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["n_times"] == 8  # 48 h / 6 h, half-open [start, end) as every period in lunarops
    assert summary["end_utc"] == "2030-01-03T00:00:00Z" and summary["last_sample_utc"] == "2030-01-02T18:00:00Z"
    frame = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
    assert len(frame) == 8 and "sun_elevation_deg" in frame


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["--lat", "-95", "--lon", "0", "--time", "2030-01-01"], "latitude_deg (--lat) = -95.0 must be in"),
        (["--lat", "-89", "--lon", "0", "--time", "1850-01-01"], "outside the coverage"),
        (["--lat", "-89", "--lon", "0", "--time", "2055-01-01"], "outside the coverage"),
        (["--lat", "-89", "--lon", "0", "--time", "2030-02-30"], "ISO 8601"),
        (["--lat", "-89", "--lon", "400", "--time", "2030-01-01"], "longitude_deg"),
        (["--lat", "-89", "--lon", "0", "--time", "2030-01-01", "--correction", "LT"], "--correction"),
        (["--lat", "-89", "--lon", "0", "--start", "2030-01-01", "--end", "2030-01-02", "--step", "fast"], "--step"),
        (["--lat", "-89", "--lon", "0"], "--time"),
    ],
)
def test_sky_bad_input_exit_2(args: list[str], fragment: str) -> None:
    result = runner.invoke(app, ["sky", *args, "--json"])
    assert result.exit_code == 2
    assert fragment in result.output
    assert "Traceback" not in result.output


def test_validate_reports_lines(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nperiod:\n  start_utc: 2030-01-01\n  end_utc: 2030-02-01\nsites: []\n")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:5: sites" in result.output.replace("\n", "")
    good = runner.invoke(app, ["validate", str(Path(__file__).parents[2] / "examples" / "ilrs-south-pole.yaml")])
    assert good.exit_code == 0, good.output


def test_schema_is_json() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["title"] == "Scenario"


def test_run_with_a_bad_db_url_fails_before_making_the_output_directory(tmp_path: Path) -> None:
    out = tmp_path / "o1"
    result = runner.invoke(app, ["run", "--db", "garbage", "--out", str(out), "--quiet"])
    assert result.exit_code == 2, result.output
    assert "--db 'garbage' is not a supported database URL" in " ".join(result.output.split())
    assert not out.exists()


def test_sky_span_checked_before_work() -> None:
    # [start, end) with end == start holds no sample: refused, naming the options (was: 1 sample at start)
    empty = runner.invoke(app, ["sky", "--lat", "-89.45", "--lon", "222.69", "--start", "2031-01-01", "--end",
                                "2031-01-01", "--json"])
    assert empty.exit_code == 2 and "--end = 2031-01-01 is equal to --start" in empty.output
    # DE421 / moon_pa_de421_1900-2050.bpc end on 2050-12-31: a span past it names --end and the last good date
    late = runner.invoke(app, ["sky", "--lat", "-89.45", "--lon", "222.69", "--start", "2050-12-30", "--end",
                               "2051-02-01", "--json"])
    assert late.exit_code == 2 and "--end = 2051-02-01 is past the kernels" in " ".join(late.output.split())
