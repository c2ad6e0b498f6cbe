"""`lunarops power size` sizes on whole lunations: cyclic closure joins the window's end to its start, which only
repeats over whole synodic months (mean 29.530589 d: Meeus 1998, Astronomical Algorithms 2nd ed., ch. 49,
29.530588861 d at J2000; the Astronomical Almanac's value). A 365.25-day window (12.37 lunations) stitched two
part-nights into one fake 611 h night at the Chang'e-3 site before (3,063 kWh for 5 kW instead of ~1,785)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from lunarops.cli.main import app
from lunarops.errors import InfeasibleError
from lunarops.ops.sizing import ECLIPSE_YEAR_D, SYNODIC_MONTH_D, lunation_window, size_power
from lunarops.scenario.load import default_scenario_path
from scenario_edits import direct_to_earth, without_campaign

START = datetime(2030, 1, 1, tzinfo=timezone.utc)


def test_lunation_window_rounds_down_to_whole_synodic_months() -> None:
    # 365.25 d / 29.530589 d = 12.37 -> 12 lunations = 354.367 d, 8505 hourly steps (8504.8 h to the nearest step)
    # the constants against their sources: mean synodic month 29.530588861 d at J2000 (Meeus 1998, Astronomical
    # Algorithms 2nd ed., ch. 49; Astronomical Almanac 29.530589 d); eclipse year 346.620075883 d (Meeus 1998,
    # ch. 49 / Astronomical Almanac)
    assert SYNODIC_MONTH_D == pytest.approx(29.530589, abs=1e-6)  # d
    assert ECLIPSE_YEAR_D == pytest.approx(346.620, abs=1e-3)  # d
    year = lunation_window(365.25, 3600.0)
    assert (year.lunations, year.steps) == (12, 8505)
    assert year.window_days == pytest.approx(354.367, abs=1e-3)  # 12 x 29.530589 d = 354.367068 d, by hand
    assert year.window_days == pytest.approx(12 * SYNODIC_MONTH_D)
    assert year.dropped_days == pytest.approx(365.25 - 12 * SYNODIC_MONTH_D)
    # 12 lunations (354.37 d) hold a whole eclipse year (346.62 d, the lunar seasons); 11 (324.84 d) do not
    assert year.covers_eclipse_year and not lunation_window(340.0, 3600.0).covers_eclipse_year
    # a period within half a step of whole lunations counts as them (--days 354.367 is 12, not 11)
    assert lunation_window(354.367, 3600.0).lunations == 12
    assert lunation_window(730.5, 3600.0).lunations == 24
    assert lunation_window(29.5, 3600.0).lunations == 0  # 708 h, short of 708.73 h by more than half a step


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [
        # Chang'e-3 landing site, 44.12 N 19.51 W (Xiao et al. 2015, Science 347, 1226: 44.1214 N, 19.5116 W)
        (44.12, 340.49),
        # Apollo 15 landing site, 26.13 N 3.63 E (Apollo 15 Preliminary Science Report, NASA SP-289, 1972)
        (26.13, 3.63),
    ],
)
def test_longest_night_and_storage_are_the_real_night(latitude: float, longitude: float) -> None:
    runner = CliRunner()
    args = ["power", "size", "--load-kw", "5", "--latitude-deg", str(latitude), "--longitude-deg", str(longitude)]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert (out["period_days"], out["lunations"]) == (365.25, 12)
    assert out["window_days"] == pytest.approx(12 * SYNODIC_MONTH_D, abs=0.5 / 24)  # to the nearest hourly step
    assert any(n.startswith("window: 12 whole lunations = 354.367 d") for n in out["notes"])
    # the smooth-sphere night over the same span, from the illumination command (the power size default mast:
    # 10 m); it does not wrap, so it is the longest real night in the window
    end = START + timedelta(days=out["window_days"])
    light = runner.invoke(
        app,
        [
            "illumination", "--lat", str(latitude), "--lon", str(longitude), "--height-m", "10", "--terrain", "none",
            "--start", START.isoformat(), "--end", end.isoformat(), "--json",
        ],
    )  # fmt: skip
    assert light.exit_code == 0, light.output
    night_h = json.loads(light.stdout)["longest_dark_hours"]
    # the longest night: half a synodic month, 29.530589 d x 24 / 2 = 354.37 h (Meeus 1998, ch. 49), lengthened
    # in the lunar winter by the Sun's declination in the Moon's frame (up to 1.54 deg, Cassini's laws): up to
    # 2 asin(tan(lat) tan 1.54 deg) / 360 deg x 708.7 h = +5.9 h at 44.12 N, +3.0 h at 26.13 N; shortened by
    # the solar disc's 0.27 deg radius (light from the first limb) and the 10 m mast's horizon dip,
    # sqrt(2 x 10 m / 1,737.4 km) = 0.19 deg: together 0.46 deg / (0.508 deg/h x cos lat) = -1.3 h (44 N), -1.0 h
    # (26 N) at each end; the true synodic month varies by +-0.3 d (+-3 h on a half). So 354.4 +- 4 h (the
    # code gives 357 h and 354 h in hourly steps): no seam night (611 h at Chang'e-3 before this fix)
    assert night_h == pytest.approx(354.4, abs=4.0)  # h
    assert out["longest_dark_spell"]["hours"] == pytest.approx(night_h, abs=3.0)  # h
    # storage: the load through that night / discharge efficiency (the defaults: charge and discharge
    # efficiency 1.0 and the RFC's delivered energy, Colozza 2020, NASA/CR-2020-220368), within 15 kWh
    # (3 h of the 5 kW load, the tolerance of the night above)
    for option in ("pv_battery", "pv_rfc"):
        assert out["options"][option]["storage_delivered_kwh"] == pytest.approx(5.0 * night_h, abs=15.0)  # kWh
    # the Li-ion array: at least the energy-balance minimum. With lossless storage (efficiency 1.0, the default)
    # the array must make the load's 5 kW x 708.73 h = 3,544 kWh per lunation in at most ~370 lit h (708.7 h
    # less the shortest night, >= 339 h by the figures above), at most 1,415 W/m2 (the solar constant 1,361 W/m2,
    # Kopp & Lean 2011, at perihelion, 0.9833 au, less the Moon's 0.00257 au: x 1/0.9807^2), at normal
    # incidence, at 25 % array efficiency (Colozza 2020):
    # A >= 3,544,000 Wh / (0.25 x 1,415 W/m2 x 370 h) = 27.1 m2. Above: not a 381 m2 array to split a
    # seam night (Apollo 15 before); the vertical tracker's cos and the seasons put it at ~30-45 m2
    assert 27.0 < out["options"]["pv_battery"]["array_area_m2"] < 60.0  # m2


def test_days_shorter_than_one_lunation_is_refused_naming_days() -> None:
    result = CliRunner().invoke(app, ["power", "size", "--load-kw", "5", "--latitude-deg", "44.12", "--days", "10"])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "--days 10 is shorter than one lunar day and night (the synodic month, 29.530589 d)" in text
    assert "Give --days 29.530589 or more" in text
    assert "no sunlight" not in text  # not the old "the site gets no sunlight ... choose fission"


def test_size_power_on_a_dark_part_lunation_says_so() -> None:
    with pytest.raises(InfeasibleError, match="shorter than one lunar day and night"):
        size_power(np.zeros(240), 1e3, 3600.0, "pv_battery")


def _scenario(tmp_path: Path, days: int) -> Path:
    data = without_campaign(yaml.safe_load(default_scenario_path().read_text()))
    for section in ("orbits", "terrain"):  # smooth-sphere light: fast
        data.pop(section, None)
    direct_to_earth(data)
    end = START + timedelta(days=days)
    data["period"] = {"start_utc": START.isoformat(), "end_utc": end.isoformat(), "step_hours": 3}
    path = tmp_path / f"p{days}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_scenario_period_is_cut_to_whole_lunations(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["power", "size", "--scenario", str(_scenario(tmp_path, 59)), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    # 59 d is 1.46 h short of 2 lunations (59.061 d), within half a 3 h step: 2 lunations, 472 steps = 59 d
    assert (out["period_days"], out["lunations"]) == (59.0, 2)
    assert out["window_days"] == pytest.approx(2 * SYNODIC_MONTH_D, abs=1.5 / 24)
    # 50 d = 1.69 lunations -> 1, rounded down (the scenario's load profile and light end with its period)
    result = runner.invoke(app, ["power", "size", "--scenario", str(_scenario(tmp_path, 50)), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert (out["period_days"], out["lunations"]) == (50.0, 1)
    assert out["window_days"] == pytest.approx(SYNODIC_MONTH_D, abs=1.5 / 24)
    # polar site (the example's ridge, -89.45): the note says the window misses part of the lunar seasons
    assert any("misses part of the seasons" in n and "--days 354.367" in n for n in out["notes"])
    short = runner.invoke(app, ["power", "size", "--scenario", str(_scenario(tmp_path, 20))])
    assert short.exit_code == 2
    text = " ".join(short.output.split())
    assert "is shorter than one lunar day and night" in text and "period.end_utc" in text
