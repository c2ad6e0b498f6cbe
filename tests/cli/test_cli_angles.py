"""Angle options (session 17, finding 1): decimal degrees, signed or with a hemisphere letter; anything else is
refused with exit 2 naming the option, the value typed and the accepted forms."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from lunarops.cli.angles import parse_angle
from lunarops.cli.main import app

runner = CliRunner()


@pytest.mark.parametrize(
    ("text", "axis", "expected"),
    [  # expected values by hand: N/E positive, S/W negative
        ("89.45S", "lat", -89.45), ("89.45 s", "lat", -89.45), ("-89.45", "lat", -89.45), ("10n", "lat", 10.0),
        ("137.31W", "lon", -137.31), ("222.69E", "lon", 222.69), ("137.31 w", "lon", -137.31),
        ("-137.31", "lon", -137.31),
    ],
)
def test_parse_angle_accepts_decimal_degrees(text: str, axis: str, expected: float) -> None:
    assert parse_angle(text, axis) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("option", "value", "why"),
    [
        ("--lat", "89°27'S", "degrees-minutes"),
        ("--lat", "-89.45S", "a sign and a letter together"),
        ("--lat", "10E", "not a hemisphere of this axis"),
        ("--lat", "95S", "beyond 90 deg"),
        ("--lon", "200W", "beyond 180 deg"),
        ("--lon", "45N", "not a hemisphere of this axis"),
    ],
)
def test_bad_angles_name_option_value_and_forms(option: str, value: str, why: str) -> None:
    other = {"--lat": ["--lon", "0"], "--lon": ["--lat", "-89"]}[option]
    result = runner.invoke(app, ["horizon", option, value, *other, "--n-azimuth", "8"])
    text = " ".join(result.output.replace("│", " ").split())
    assert result.exit_code == 2, result.output
    assert f"'{option}'" in text and value in text and why in text, text
    assert ("89.45S" if option == "--lat" else "137.31W") in text  # the accepted forms


@pytest.mark.parametrize("command", [
    ["horizon", "--n-azimuth", "8"],
    ["sky", "--time", "2031-01-01"],
])
def test_letters_give_the_same_site_as_signs(command: list[str]) -> None:
    # 89.45S, 137.31W is -89.45, -137.31 by definition (by hand)
    a = runner.invoke(app, [*command, "--lat", "89.45S", "--lon", "137.31W", "--json"])
    b = runner.invoke(app, [*command, "--lat", "-89.45", "--lon", "-137.31", "--json"])
    assert a.exit_code == 0 and b.exit_code == 0, a.output + b.output
    assert json.loads(a.stdout) == json.loads(b.stdout)


def test_rank_center_and_site_accept_letters() -> None:
    result = runner.invoke(app, ["sites", "rank", "--center-lat", "89.45S", "--center-lon", "137.31W", "--search",
                                 "--radius-km", "2", "--n-best", "1", "--site", "CR,89.45S,137.31W", "--start",
                                 "2031-01-01", "--end", "2031-01-02", "--step", "12h", "--json", "--quiet"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["search"]["center_latitude_deg"] == -89.45 and out["search"]["center_longitude_deg"] == -137.31
    cr = next(s for s in out["sites"] if s["name"] == "CR")
    assert cr["latitude_deg"] == -89.45 and cr["longitude_deg"] == -137.31


def test_rank_site_refuses_degrees_minutes() -> None:
    result = runner.invoke(app, ["sites", "rank", "--site", "CR,89°27'S,137.31W", "--quiet"])
    text = " ".join(result.output.split())
    assert result.exit_code == 2, result.output
    assert "--site = \"CR,89°27'S,137.31W\"" in text and "degrees-minutes" in text and "89.45S" in text, text
