"""Bad input to the public API of lunarops.ops: a clear InputError naming the parameter and its value."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from lunarops.errors import InputError
from lunarops.ops import (
    EngineInputs,
    LightSeries,
    OpsResult,
    PowerTechnology,
    SizingResult,
    Uncertain,
    build_inputs,
    simulate,
    size_power,
)
from lunarops.ops.station import Battery, Load, SolarArray, Station

START = np.datetime64("2030-01-01T00:00")
N = 200
IRR = np.abs(np.sin(np.arange(N) / 10)) * 1000


def _light_args(n: int = N) -> dict[str, Any]:
    phase = 2 * np.pi * np.arange(n) / 48.0
    el = np.radians(2.0) * np.sin(phase)
    return {
        "sun_elevation_rad": el,
        "sun_azimuth_rad": phase % (2 * np.pi),
        "sun_visible_fraction": np.clip(el / np.radians(0.5) + 0.5, 0.0, 1.0),
        "sun_distance_m": np.full(n, 1.496e11),
        "earth_visible": np.cos(phase / 3) > 0,
    }


def _station() -> Station:
    return Station(
        solar_arrays=(SolarArray("pv", 100.0, Uncertain.fixed(0.3)),),
        battery=Battery("battery", 50 * 3.6e6, 0.8, Uncertain.fixed(0.95), Uncertain.fixed(0.95), 50e3, 50e3),
        loads=(Load("habitat", 5e3, 1),),
    )


LIGHT = LightSeries(**_light_args())
STATION = _station()
INPUTS = build_inputs(STATION, LIGHT, START, 3600.0)


def _raises(call: Any, *fragments: str) -> None:
    with pytest.raises(InputError) as info:
        call()
    for fragment in fragments:
        assert fragment in str(info.value), f"{fragment!r} not in {str(info.value)!r}"


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        ({"option": "fastest"}, ("option = 'fastest'", "pv_battery, pv_rfc or fission")),
        ({"dt_s": 0.0}, ("dt_s = 0.0", "> 0 [s]")),
        ({"dt_s": -3600.0}, ("dt_s = -3600.0",)),
        ({"dt_s": float("nan")}, ("dt_s = nan",)),
        ({"dt_s": "x"}, ("dt_s = 'x'",)),
        ({"n_areas": 0}, ("n_areas = 0", ">= 1")),
        ({"n_areas": -5}, ("n_areas = -5",)),
        ({"n_areas": 2.5}, ("n_areas = 2.5",)),
        ({"load_w": np.ones(5)}, ("load_w has shape (5,)", "(200,)")),
        ({"load_w": -5000.0}, ("load_w = -5000.0",)),
        ({"load_w": "lots"}, ("load_w = 'lots'",)),
        ({"irradiance_w_per_m2": np.ones((3, 3))}, ("irradiance_w_per_m2 has shape (3, 3)", "1-D")),
        ({"irradiance_w_per_m2": np.array([])}, ("irradiance_w_per_m2 has shape (0,)",)),
        ({"irradiance_w_per_m2": np.where(np.arange(N) == 3, np.nan, IRR)}, ("1 of 200", "[3] = nan")),
        ({"irradiance_w_per_m2": np.full(N, np.nan)}, ("200 of 200", "[0] = nan")),
        ({"irradiance_w_per_m2": -IRR}, ("irradiance_w_per_m2", ">= 0")),
        ({"margin": -0.1}, ("margin = -0.1",)),
        ({"tech": "li-ion"}, ("tech = 'li-ion'", "PowerTechnology")),
    ],
)
def test_size_power_bad_input(kwargs: dict[str, Any], fragments: tuple[str, ...]) -> None:
    args: dict[str, Any] = {"irradiance_w_per_m2": IRR, "load_w": 5000.0, "dt_s": 3600.0, "option": "pv_battery"}
    _raises(lambda: size_power(**(args | kwargs)), *fragments)


def test_size_power_valid_unchanged() -> None:
    r = size_power(IRR, 5000.0, 3600.0, "pv_battery")
    assert isinstance(r, SizingResult) and r.array_area_m2 > 0 and r.masses_kg["battery"] > 0
    assert size_power(IRR, 5000.0, 3600.0, "fission").fission_units == 1
    assert size_power(IRR.tolist(), np.full(N, 5000.0), 3600, "pv_rfc", n_areas=60).array_area_m2 > 0


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("array_blanket_kg_per_m2", -10.0, "array_blanket_kg_per_m2 = -10.0 must be a finite number >= 0"),
        ("array_structure_kg_per_m2", float("inf"), "array_structure_kg_per_m2 = inf"),
        ("battery_specific_energy_j_per_kg", 0.0, "battery_specific_energy_j_per_kg = 0.0 must be a finite number > 0"),
        ("fission_unit_power_w", 0.0, "fission_unit_power_w = 0.0"),
        ("fission_unit_mass_kg", -1.0, "fission_unit_mass_kg = -1.0"),
        ("fuel_cell_w_per_kg", float("nan"), "fuel_cell_w_per_kg = nan"),
        ("electrolyser_w_per_kg", -1.0, "electrolyser_w_per_kg = -1.0"),
        ("h2_tank_kg_per_kg", -0.5, "h2_tank_kg_per_kg = -0.5"),
        ("array_efficiency", 1.5, "array_efficiency = 1.5 must be a finite number in (0, 1]"),
        ("battery_depth_of_discharge", 0.0, "battery_depth_of_discharge = 0.0"),
        ("fuel_cell_efficiency", float("nan"), "fuel_cell_efficiency = nan"),
        ("o2_tank_kg_per_kg", "heavy", "o2_tank_kg_per_kg = 'heavy'"),
    ],
)
def test_power_technology_bad_input(field: str, value: Any, fragment: str) -> None:
    _raises(lambda: PowerTechnology(**{field: value}), fragment)


def test_power_technology_valid() -> None:
    assert PowerTechnology().battery_specific_energy_j_per_kg == 720e3
    assert PowerTechnology(array_structure_kg_per_m2=0.0, fission_unit_power_w=40e3).fission_unit_power_w == 40e3


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"runs": 0}, "runs = 0 must be a whole number >= 1"),
        ({"runs": -1}, "runs = -1"),
        ({"runs": 2.5}, "runs = 2.5"),
        ({"seed": -1}, "seed = -1 must be a whole number >= 0"),
        ({"seed": 1.5}, "seed = 1.5"),
        ({"record_steps": 0}, "record_steps = 0 must be a whole number >= 1"),
        ({"record_steps": -1}, "record_steps = -1"),
        ({"batch": 0}, "batch = 0 must be a whole number >= 1"),
        ({"event_capacity": -5}, "event_capacity = -5 must be a whole number >= 0"),
        ({"inputs": "inputs"}, "inputs = 'inputs'"),
        ({"station": None}, "station = None"),
    ],
)
def test_simulate_bad_input(kwargs: dict[str, Any], fragment: str) -> None:
    args: dict[str, Any] = {"station": STATION, "inputs": INPUTS}
    _raises(lambda: simulate(**(args | kwargs)), fragment)


def test_simulate_valid_and_event_capacity_zero() -> None:
    full = simulate(STATION, INPUTS, runs=2, seed=3, batch=1)
    assert isinstance(full, OpsResult) and full.summary["runs"] == 2
    none_kept = simulate(STATION, INPUTS, event_capacity=0)  # documented: keep no event log, still count
    assert none_kept.events.empty
    one = simulate(STATION, INPUTS)
    assert len(one.events) > 0
    np.testing.assert_array_equal(none_kept.dataset["event_counts"].values, one.dataset["event_counts"].values)


@pytest.mark.parametrize(
    ("start", "dt_s", "fragments"),
    [
        (START, 0.0, ("dt_s = 0.0 must be a finite number > 0 [s]",)),
        (START, -3600.0, ("dt_s = -3600.0",)),
        (START, float("nan"), ("dt_s = nan",)),
        (START, "1h", ("dt_s = '1h'",)),
        (np.datetime64("NaT"), 3600.0, ("start = np.datetime64('NaT'", "NaT")),
        (np.datetime64("1850-01-01"), 3600.0, ("start = np.datetime64('1850-01-01')", "1900-01-02..2050-12-30")),
        (np.datetime64("2050-12-29"), 3600.0, ("200 steps of dt_s = 3600 s", "2050-12-30")),
        ("2030-13-01", 3600.0, ("start = '2030-13-01'", "ISO 8601")),
        ("2030-01-01T00:00+01:00", 3600.0, ("start = '2030-01-01T00:00+01:00'",)),
        (20300101, 3600.0, ("start = 20300101 is not a time",)),
    ],
)
def test_build_inputs_bad_input(start: Any, dt_s: Any, fragments: tuple[str, ...]) -> None:
    _raises(lambda: build_inputs(STATION, LIGHT, start, dt_s), *fragments)


def test_build_inputs_bad_objects() -> None:
    _raises(lambda: build_inputs(STATION, "light", START, 3600.0), "light = 'light'")  # type: ignore[arg-type]
    _raises(lambda: build_inputs(None, LIGHT, START, 3600.0), "station = None")  # type: ignore[arg-type]


def test_build_inputs_valid() -> None:
    x = build_inputs(STATION, LIGHT, START, 3600.0)
    assert isinstance(x, EngineInputs) and x.start == START and x.dt_s == 3600.0 and x.n_steps == N
    # a string or a datetime start is converted to datetime64[us]; the arrays are the same
    for start in ("2030-01-01T00:00Z", "2030-01-01", datetime(2030, 1, 1, tzinfo=UTC)):
        y = build_inputs(STATION, LIGHT, start, 3600.0)
        assert y.start == START and y.start.dtype == np.dtype("datetime64[us]")
        np.testing.assert_array_equal(y.array_in, x.array_in)


@pytest.mark.parametrize(
    ("field", "value", "fragments"),
    [
        ("sun_visible_fraction", np.full(N, np.nan), ("sun_visible_fraction has 200 of 200", "[0] = nan", "[0, 1]")),
        ("sun_visible_fraction", np.full(N, 1.5), ("sun_visible_fraction", "[0] = 1.5")),
        ("sun_distance_m", np.full(N, -1.496e11), ("sun_distance_m", "[0] = -149600000000.0", "> 0 [m]")),
        ("sun_distance_m", np.zeros(N), ("sun_distance_m", "[0] = 0.0")),
        ("sun_elevation_rad", np.full(N, 45.0), ("sun_elevation_rad", "[0] = 45.0", "radians, not degrees")),
        ("sun_elevation_rad", np.where(np.arange(N) == 7, np.nan, 0.0), ("1 of 200", "sun_elevation_rad[7] = nan")),
        ("sun_azimuth_rad", np.full(N, np.inf), ("sun_azimuth_rad", "[0] = inf")),
        ("sun_azimuth_rad", np.zeros(N + 1), ("sun_azimuth_rad has shape (201,), expected (200,)",)),
        ("earth_visible", np.full(N, 0.5), ("earth_visible", "booleans")),
        ("sun_distance_m", ["far"] * N, ("sun_distance_m", "array of numbers")),
    ],
)
def test_light_series_bad_input(field: str, value: object, fragments: tuple[str, ...]) -> None:
    _raises(lambda: LightSeries(**(_light_args() | {field: value})), *fragments)


def test_light_series_empty_and_2d() -> None:
    empty: dict[str, Any] = {k: np.array([], dtype=v.dtype) for k, v in _light_args().items()}
    _raises(lambda: LightSeries(**empty), "sun_elevation_rad has shape (0,)", "at least one step")
    flat = _light_args(4)
    square: dict[str, Any] = {k: v.reshape(2, 2) for k, v in flat.items()}
    _raises(lambda: LightSeries(**square), "sun_elevation_rad has shape (2, 2)", "1-D")


def test_light_series_valid_and_lists() -> None:
    args = _light_args()
    light = LightSeries(**args)
    assert light.sun_elevation_rad is args["sun_elevation_rad"]  # float64 arrays are kept as given
    assert light.earth_visible is args["earth_visible"]
    listed = LightSeries(**{k: v.tolist() for k, v in args.items()})
    assert listed.earth_visible.dtype == np.bool_
    array = STATION.solar_arrays[0]
    np.testing.assert_array_equal(listed.irradiance_on_array_w_per_m2(array), light.irradiance_on_array_w_per_m2(array))


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("gaussian", 1.0), "kind = 'gaussian' is not known; use fixed, normal, uniform or triangular"),
        (("Normal", 1.0, 0.1), "kind = 'Normal'"),
        (("fixed", "1.0"), "value = '1.0' must be a number"),
        (("normal", 1.0, None), "sd = None must be a number"),
        (("normal", 1.0, -1.0), "sd=-1.0"),
        (("fixed", float("nan")), "value=nan"),
    ],
)
def test_uncertain_bad_input(args: tuple[Any, ...], fragment: str) -> None:
    _raises(lambda: Uncertain(*args), fragment)


def test_uncertain_valid() -> None:
    u = Uncertain("triangular", 0.3, 0, 0.2, 0.35)
    assert u.nominal == 0.3
    assert Uncertain("normal", 1.0, 0.0).draw(np.random.default_rng(0)) == 1.0
    assert Uncertain.fixed(5).nominal == 5.0
