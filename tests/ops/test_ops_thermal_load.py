"""Heater loads from a steady-state heat balance (LoadSpec.thermal; lunarops.ops.thermal).

Expected figures are published Diviner temperatures or hand arithmetic (math module, written out below) on the
model's formulas: T_g = [(1 - A(i)) S sin(el) f / (eps sigma)]^(1/4) with A(i) = 0.12 + 0.06 (i / 45 deg)^3 +
0.25 (i / 90 deg)^8 (Hayne et al. 2017, JGR Planets 122, 2371, Eq. A5 and Table A1), T_sink^4 = F eps T_g^4 +
(1 - F) 2.7^4, P = max(0, UA (T_set - T_sink) - Q_int) / eta, capped at power_w."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

from lunarops.errors import InputError, ScenarioError
from lunarops.ops.inputs import EngineInputs, LightSeries, build_inputs
from lunarops.ops.montecarlo import simulate
from lunarops.ops.station import ConstantSource, Load, Station
from lunarops.ops.thermal import (
    ThermalLoad,
    heater_need_w,
    regolith_temperature_k,
    sink_temperature_k,
    solar_gain_w,
)
from lunarops.runner.stages.operations import station_from_section, thermal_load_notes
from lunarops.scenario.load import parse_scenario

AU_M = 1.495978707e11
SIGMA = 5.670374419e-8  # CODATA 2018
S_1AU = 1360.8  # Kopp & Lean 2011
START = np.datetime64("2030-01-01T00:00")
# two steps: the Sun 30 deg up and fully seen, then set
LIGHT = LightSeries(np.radians([30.0, -10.0]), np.zeros(2), np.array([1.0, 0.0]), np.full(2, AU_M), np.zeros(2, bool))
# UA 50 W/K to 20 C, half the view to the ground, 500 W of avionics + 143.8 W per crew member (BVAD), 2 crew
THERMAL = ThermalLoad(50.0, 293.15, internal_heat_w=500.0, internal_heat_per_crew_w=143.8, ground_view_factor=0.5)


def _hand_ground_k(sun_elevation_deg: float) -> float:
    incidence_deg = 90.0 - sun_elevation_deg
    albedo = 0.12 + 0.06 * (incidence_deg / 45.0) ** 3 + 0.25 * (incidence_deg / 90.0) ** 8
    absorbed = (1 - albedo) * S_1AU * math.sin(math.radians(sun_elevation_deg))
    return float((absorbed / (0.95 * SIGMA)) ** 0.25)


def _hand_need_w(sun_elevation_deg: float | None, efficiency: float = 1.0) -> float:
    if sun_elevation_deg is None:
        ground = 95.0  # the night floor
    else:
        ground = max(_hand_ground_k(sun_elevation_deg), 95.0)
    sink = (0.5 * 0.95 * ground**4 + 0.5 * 2.7**4) ** 0.25
    return max(0.0, 50.0 * (293.15 - sink) - 500.0 - 2 * 143.8) / efficiency


def _inputs(load: Load) -> EngineInputs:
    station = Station(sources=(ConstantSource("reactor", 20e3),), loads=(load,), crew_schedule=((0.0, 2),))
    return build_inputs(station, LIGHT, START, 3600.0)


def test_equilibrium_at_normal_incidence_matches_diviner_noon() -> None:
    # Diviner: equatorial daytime maxima 387-397 K (Williams et al. 2017, Icarus 283, 300-325, abstract; ~390 K
    # noon in Vasavada et al. 2012, JGR 117, E00H18, Fig. 9). Hand: (0.88 x 1360.8 / (0.95 sigma))^(1/4) = 386.13 K
    # at 1 AU: within 8 K of the middle of the observed range (no thermal inertia, constant albedo)
    t = regolith_temperature_k(np.array([np.pi / 2]), np.array([1.0]), np.array([AU_M]))
    assert t[0] == pytest.approx(386.13, abs=0.01)
    assert abs(t[0] - 392.0) < 8.0
    # unlit, and a sliver of the Sun at grazing incidence: the night floor, 95 K (Williams et al. 2017 pre-dawn)
    t = regolith_temperature_k(np.radians([-5.0, 0.1]), np.array([0.0, 0.01]), np.full(2, AU_M))
    assert t.tolist() == [95.0, 95.0]


def test_a_low_sun_heats_the_ground_less_through_the_albedo_rise() -> None:
    # Diviner: "an increase in albedo with incidence angle is required to explain the observed decrease in
    # temperatures with latitude" (Williams et al. 2017, abstract); the law and coefficients of Hayne et al. 2017
    # (Eq. A5, Table A1: a = 0.06, b = 0.25). Hand (math module, _hand_ground_k): at 85 deg S the Sun is at most
    # 5 + 1.5 = 6.5 deg up: A = 0.6406, T = 179.05 K (224.0 K with A0 = 0.12 throughout); at 1.5 deg, A = 0.7949,
    # T = 107.91 K (155.3 K with A0); at 60 deg incidence A = 0.2720, T = 309.67 K (324.7 K with A0)
    t = regolith_temperature_k(np.radians([6.5, 1.5, 30.0]), np.ones(3), np.full(3, AU_M), night_k=50.0)
    assert t.tolist() == pytest.approx([179.05, 107.91, 309.67], abs=0.01)
    assert t.tolist() == pytest.approx([_hand_ground_k(6.5), _hand_ground_k(1.5), _hand_ground_k(30.0)], abs=1e-9)
    # with the default night floor (95 K) the 1.5 deg ground is still above it; half the disk seen: (0.5)^(1/4)
    t = regolith_temperature_k(np.radians([1.5, 1.5]), np.array([1.0, 0.5]), np.full(2, AU_M))
    assert t.tolist() == pytest.approx([107.91, 95.0], abs=0.01)  # 0.5^(1/4) x 107.91 = 90.74 K: the floor


def test_heater_power_by_hand_for_a_lit_and_a_dark_step() -> None:
    # hand (math module): lit, T_g = 309.67 K, T_sink = (0.5 x 0.95 T_g^4)^(1/4) = 257.08 K:
    # 50 x (293.15 - 257.08) - 787.6 = 1015.9 W; dark, T_sink = 78.867 K: 50 x 214.28 - 787.6 = 9926.5 W;
    # capacity 12 kW: nothing unmet
    x = _inputs(Load("hab heater", 12e3, thermal=THERMAL))
    assert x.demand_w[0].tolist() == pytest.approx([1015.94, 9926.53], abs=0.01)
    assert x.demand_w[0].tolist() == pytest.approx([_hand_need_w(30.0), _hand_need_w(None)], abs=1e-6)
    assert not x.heat_short_w.any()
    # the engine serves the per-step profile: 1015.94 + 9926.53 Wh asked over the two hours
    station = Station(
        sources=(ConstantSource("reactor", 20e3),), loads=(Load("hab heater", 12e3, thermal=THERMAL),),
        crew_schedule=((0.0, 2),),
    )
    ds = simulate(station, x, runs=1, seed=1).dataset
    assert float(ds["run_demand_j"].values[0]) == pytest.approx((1015.94 + 9926.53) * 3600.0, abs=0.02 * 3600.0)


def test_capacity_caps_the_heater_and_counts_the_unmet_heat() -> None:
    # efficiency 0.9: dark need 9926.53 / 0.9 = 11029.5 W electric; capacity 8 kW: 8 kW drawn, (11029.5 - 8000) x
    # 0.9 = 2726.5 W of heat unmet; lit 1015.94 / 0.9 = 1128.8 W, under the cap
    th = ThermalLoad(50.0, 293.15, 500.0, 143.8, 0.5, heater_efficiency=0.9)
    load = Load("hab heater", 8e3, thermal=th)
    x = _inputs(load)
    assert x.demand_w[0].tolist() == pytest.approx([_hand_need_w(30.0, 0.9), 8000.0], abs=1e-6)
    assert x.heat_short_w[0].tolist() == pytest.approx([0.0, 2726.5], abs=0.1)
    station = Station(sources=(ConstantSource("reactor", 20e3),), loads=(load,), crew_schedule=((0.0, 2),))
    (note,) = thermal_load_notes(station, x)
    assert "'hab heater'" in note and "peak 8.00 kW" in note and "1 h: 2.7 kWh of heat unmet" in note
    # a keep-alive standby of 5 kW is held to the need: 1128.8 W lit (none of the 5 kW needed beyond it)
    x = _inputs(Load("hab heater", 8e3, when="night", standby_w=5e3, thermal=th))
    assert x.standby_w[0].tolist() == pytest.approx([_hand_need_w(30.0, 0.9), 5000.0], abs=1e-6)
    assert x.demand_w[0].tolist() == pytest.approx([0.0, 8000.0], abs=1e-6)


def test_no_thermal_block_keeps_the_constant_profile() -> None:
    # a 3 kW night heater without a thermal model: 0 by day, exactly 3000 W at night, no unmet heat
    x = _inputs(Load("survival heaters", 3e3, when="night"))
    assert x.demand_w[0].tolist() == [0.0, 3000.0]
    assert not x.heat_short_w.any()


def test_bad_values_are_refused_naming_the_field() -> None:
    for field, value in (
        ("conductance_w_per_k", -5.0),
        ("setpoint_k", 0.0),
        ("ground_view_factor", 1.5),
        ("heater_efficiency", 0.0),
        ("night_ground_k", float("nan")),
    ):
        th = dataclasses.replace(THERMAL, **{field: value})
        with pytest.raises(InputError, match=rf"load 'h': thermal {field} = {value!r} must be"):
            _inputs(Load("h", 8e3, thermal=th))
    with pytest.raises(InputError, match="load 'h': per_crew with a thermal model"):
        _inputs(Load("h", 8e3, per_crew=True, thermal=THERMAL))


SCENARIO = """
schema_version: 1
name: heater
period: {start_utc: 2030-01-01T00:00:00Z, end_utc: 2030-01-03T00:00:00Z, step_hours: 1}
sites:
  - {name: Rim, latitude_deg: -85.0, longitude_deg: 30.0, mast_height_m: 10}
operations:
  power:
    fission_plants: [{name: reactor, power_kwe: 20, mass_kg: 1545}]
  loads: [LOAD]
  monte_carlo: {runs: 1, record_hours: 24}
"""


def test_the_scenario_block_reaches_the_inputs() -> None:
    text = "{name: hab, power_kw: 12, thermal: {conductance_w_per_k: 50, setpoint_c: 20, internal_heat_w: 500, " \
           "internal_heat_per_crew_w: 143.8}}"
    model = parse_scenario(SCENARIO.replace("LOAD", text))
    assert model.operations is not None
    station = station_from_section(model.operations, model.period.start_utc)
    assert station.loads[0].thermal == THERMAL  # 20 C = 293.15 K; view factor 0.5 by default
    plain = parse_scenario(SCENARIO.replace("LOAD", "{name: hab, power_kw: 12}"))
    assert plain.operations is not None
    assert station_from_section(plain.operations, plain.period.start_utc).loads[0].thermal is None


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("{conductance_w_per_k: -5, setpoint_k: 293}", "conductance_w_per_k"),
        ("{conductance_w_per_k: 50, setpoint_k: 0}", "setpoint_k"),
        ("{conductance_w_per_k: 50, setpoint_c: -300}", "setpoint_c"),
        ("{conductance_w_per_k: 50, setpoint_k: 293, ground_view_factor: 1.5}", "ground_view_factor"),
        ("{conductance_w_per_k: 50, setpoint_k: 293, ground_view_factor: -0.1}", "ground_view_factor"),
        ("{conductance_w_per_k: 50}", "setpoint_k and setpoint_c"),
        ("{conductance_w_per_k: 50, setpoint_k: 293, setpoint_c: 20}", "setpoint_k and setpoint_c"),
    ],
)
def test_bad_scenario_values_are_named(block: str, expected: str) -> None:
    with pytest.raises(ScenarioError, match=expected):
        parse_scenario(SCENARIO.replace("LOAD", f"{{name: hab, power_kw: 12, thermal: {block}}}"))


def test_per_crew_heater_refused_and_validate_names_it(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from lunarops.cli.main import app

    block = "{name: hab, power_kw: 1, per_crew: true, thermal: {conductance_w_per_k: 50, setpoint_k: 293}}"
    with pytest.raises(ScenarioError, match="per_crew with a thermal block"):
        parse_scenario(SCENARIO.replace("LOAD", block))
    path = tmp_path / "bad.yaml"
    path.write_text(SCENARIO.replace("LOAD", "{name: hab, power_kw: 12, thermal: {conductance_w_per_k: -5, "
                                             "setpoint_k: 293}}"))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "conductance_w_per_k" in result.output


def test_power_size_counts_the_heater_profile(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from lunarops.cli.main import app
    from lunarops.runner.stages.operations import light_for_scenario

    # a whole lunation (sizing closes cyclically), at the equator (a smooth sphere: no terrain section)
    text = SCENARIO.replace("2030-01-03T00:00:00Z, step_hours: 1", "2030-01-31T00:00:00Z, step_hours: 3")
    text = text.replace("latitude_deg: -85.0", "latitude_deg: 0.0").replace(
        "LOAD", "{name: hab, power_kw: 12, thermal: {conductance_w_per_k: 20, setpoint_k: 293.15}}"
    )
    path = tmp_path / "heater.yaml"
    path.write_text(text)
    result = CliRunner().invoke(app, ["power", "size", "--scenario", str(path), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    model = parse_scenario(text)
    assert model.operations is not None
    light, _ = light_for_scenario(model, None)
    x = build_inputs(station_from_section(model.operations, model.period.start_utc, all_online=True), light,
                     START, model.period.step_s)
    assert out["load_kw"] == pytest.approx(float(x.demand_w.sum(axis=0).mean()) / 1e3, rel=1e-12)
    # by hand: at night 20 x (293.15 - 78.867) = 4285.7 W, the peak; by day less (a warmer ground): the mean
    # lies between, not the 12 kW capacity a constant load would draw
    assert float(x.demand_w.max()) == pytest.approx(4285.65, abs=0.01)
    assert 1.0 < out["load_kw"] < 4.28565


def test_a_heater_whose_when_is_off_leaves_the_need_unmet() -> None:
    # a `when: night` heater by day (the Sun 30 deg up): it gives no heat (no standby), so the whole lit-step need,
    # 1015.94 W of heat (hand figure of test_heater_power_by_hand_for_a_lit_and_a_dark_step), is unmet; at night
    # it runs and covers the 9926.53 W need within its 12 kW
    x = _inputs(Load("hab heater", 12e3, when="night", thermal=THERMAL))
    assert x.heat_short_w[0].tolist() == pytest.approx([1015.94, 0.0], abs=0.01)
    # a 600 W keep-alive covers that much of it by day
    x = _inputs(Load("hab heater", 12e3, when="night", standby_w=600.0, thermal=THERMAL))
    assert x.heat_short_w[0].tolist() == pytest.approx([1015.94 - 600.0, 0.0], abs=0.01)
    station = Station(sources=(ConstantSource("reactor", 20e3),), loads=(Load("hab heater", 12e3, when="night",
                      thermal=THERMAL),), crew_schedule=((0.0, 2),))
    (note,) = thermal_load_notes(station, _inputs(station.loads[0]))
    assert "or widen its when (night)" in note


def test_the_note_splits_day_and_night_and_explains_a_day_time_need() -> None:
    # LIGHT: step 0 lit (Sun 30 deg up, whole disk: daylight), step 1 dark; needs 1015.94 and 9926.53 W (hand
    # figures of test_heater_power_by_hand_for_a_lit_and_a_dark_step): mean 5471.2 W, by day 1.02, by night 9.93 kW
    load = Load("hab heater", 12e3, thermal=THERMAL)
    station = Station(sources=(ConstantSource("reactor", 20e3),), loads=(load,), crew_schedule=((0.0, 2),))
    summary: dict[str, object] = {}
    (note,) = thermal_load_notes(station, _inputs(load), summary, LIGHT)
    assert "while online (2 h) it asks 5.47 kW on average, by day 1.02 kW, by night 9.93 kW" in note
    assert "UA 50 W/K, setpoint 293.1 K (20 C)" in note
    assert summary["hab heater: heater_mean_kw"] == pytest.approx((1015.94 + 9926.53) / 2 / 1e3, abs=1e-5)
    assert summary["hab heater: heater_capacity_kw"] == 12.0  # the load's power_kw, 12e3 W
    # the lit ground at 30 deg: 309.67 K by hand (_hand_ground_k)
    assert f"by day the lit regolith is {_hand_ground_k(30.0):.0f}-{_hand_ground_k(30.0):.0f} K" in note
    # a polar Sun 1.5 deg up: 107.9 K by hand (test_a_low_sun_heats_the_ground_less_through_the_albedo_rise)
    low = LightSeries(np.radians([1.5, -10.0]), np.zeros(2), np.array([1.0, 0.0]), np.full(2, AU_M),
                      np.zeros(2, bool))
    inputs = build_inputs(station, low, START, 3600.0)
    (note,) = thermal_load_notes(station, inputs, None, low)
    assert f"reaches only {_hand_ground_k(1.5):.0f}-{_hand_ground_k(1.5):.0f} K here (the Sun at most 1.5 deg up)" \
        in note and "the heater runs by day too" in note


def test_key_results_show_the_heater_and_late_arrivals() -> None:
    from lunarops.runner.headline import _operations_rows
    from lunarops.runner.stage import StageResult

    summary = {
        "probability_elements_missed": 0.05, "probability_elements_missed_ci95": [0.0165, 0.1128],
        "survival heaters: heater_mean_kw": 1.9302, "survival heaters: heater_peak_kw": 2.8781,
        "survival heaters: heat_unmet_kwh": 0.0,
    }
    rows = {row.item: row.value for row in _operations_rows(StageResult("operations", "Operations", summary))}
    # the summary's figures as given (formatting only), as `significant` shows them
    assert rows["P(a late arrival misses the period)"] == "5 % (95 % CI 1.7 % to 11 %; the note 'Arrival slips')"
    assert rows["Heater 'survival heaters' (heat balance)"] == (
        "1.93 kW mean while online, 2.88 kW peak (demand before any shedding); heat beyond capacity 0 kWh"
    )


def test_the_note_counts_only_the_heaters_window_and_no_needless_day_time_claim() -> None:
    # four dark steps, the heater scheduled for the first two (until_utc): its mean while scheduled is the dark
    # need, 9926.53 W (hand figure of test_heater_power_by_hand_for_a_lit_and_a_dark_step), not half of it
    dark = LightSeries(np.radians([-10.0] * 4), np.zeros(4), np.zeros(4), np.full(4, AU_M), np.zeros(4, bool))
    load = Load("hab heater", 12e3, thermal=THERMAL, start_s=0.0, end_s=7200.0)
    station = Station(sources=(ConstantSource("reactor", 20e3),), loads=(load,), crew_schedule=((0.0, 2),))
    summary: dict[str, object] = {}
    (note,) = thermal_load_notes(station, build_inputs(station, dark, START, 3600.0), summary, dark)
    assert "while online (2 h) it asks 9.93 kW on average" in note
    assert summary["hab heater: heater_mean_kw"] == pytest.approx(9.92653, abs=1e-5)
    # 11 kW of heat given off inside: none needed by day at a 1.5 deg Sun (ground 107.9 K, sink
    # (0.5 x 0.95 x 107.9^4)^(1/4) = 89.6 K: 50 x (293.15 - 89.6) = 10.18 kW lost): the note does not say the
    # heater runs by day
    warm = ThermalLoad(50.0, 293.15, internal_heat_w=11e3, ground_view_factor=0.5)
    low = LightSeries(np.radians([1.5, -10.0]), np.zeros(2), np.array([1.0, 0.0]), np.full(2, AU_M),
                      np.zeros(2, bool))
    load = Load("hab heater", 12e3, thermal=warm)
    station = Station(sources=(ConstantSource("reactor", 20e3),), loads=(load,), crew_schedule=((0.0, 2),))
    (note,) = thermal_load_notes(station, build_inputs(station, low, START, 3600.0), None, low)
    assert "runs by day too" not in note


# effective solar apertures (assumed for these tests): 0.4 m2 for a Sun on the horizon, 0.2 m2 at the zenith
SUNLIT = dataclasses.replace(THERMAL, solar_gain_area_m2=0.4, solar_gain_roof_area_m2=0.2)


def test_solar_gain_by_hand_for_a_lit_step() -> None:
    # hand (math module): step 0, the Sun 30 deg up, whole disk, 1 AU: Q_sun = S f (A_side cos(el) + A_roof sin(el))
    # = 1360.8 x 1 x (0.4 x 0.866025 + 0.2 x 0.5) = 607.4749 W; need 1015.94 (the lit hand figure of
    # test_heater_power_by_hand_for_a_lit_and_a_dark_step) - 607.47 = 408.46 W; step 1, the Sun set: no gain,
    # the night need 9926.53 W unchanged
    gain_w = S_1AU * (0.4 * math.cos(math.radians(30.0)) + 0.2 * math.sin(math.radians(30.0)))
    assert gain_w == pytest.approx(607.4749, abs=1e-4)
    assert solar_gain_w(SUNLIT, LIGHT.sun_elevation_rad, LIGHT.sun_visible_fraction, LIGHT.sun_distance_m).tolist() \
        == pytest.approx([gain_w, 0.0], abs=1e-9)
    x = _inputs(Load("hab heater", 12e3, thermal=SUNLIT))
    assert x.demand_w[0].tolist() == pytest.approx([408.46, 9926.53], abs=0.01)
    assert x.demand_w[0].tolist() == pytest.approx([_hand_need_w(30.0) - gain_w, _hand_need_w(None)], abs=1e-6)
    # the gain scales as (1 AU / r)^2: at 1.0167 AU (aphelion) the same step gains 607.475 / 1.0167^2 = 587.68 W
    far = solar_gain_w(SUNLIT, np.radians([30.0]), np.ones(1), np.full(1, 1.0167 * AU_M))
    assert far[0] == pytest.approx(gain_w / 1.0167**2, abs=1e-9)
    # a gain above the loss leaves no need (no cooling modelled): 3 m2 of side aperture, 1360.8 x 3 x 0.866 =
    # 3535.46 W > 1015.94 W
    x = _inputs(Load("hab heater", 12e3, thermal=dataclasses.replace(THERMAL, solar_gain_area_m2=3.0)))
    assert x.demand_w[0].tolist() == pytest.approx([0.0, 9926.53], abs=0.01)


def test_solar_gain_follows_the_seen_disk_not_the_astronomical_horizon() -> None:
    # a Sun 0.5 deg below the horizon but seen over a lower terrain horizon (a polar ridge): the side walls see it,
    # 1360.8 x 1 x 0.4 x cos(0.5 deg) = 544.30 W, the roof (its sin < 0) nothing; a Sun 2 deg up but hidden by
    # terrain (f = 0): 0; half the disk seen at the horizon: 1360.8 x 0.5 x 0.4 = 272.16 W; the Sun 10 deg
    # below, not seen at night (f = 0): 0
    el = np.radians([-0.5, 2.0, 0.0, -10.0])
    gain = solar_gain_w(SUNLIT, el, np.array([1.0, 0.0, 0.5, 0.0]), np.full(4, AU_M))
    side = 1360.8 * 0.4 * math.cos(math.radians(0.5))
    assert side == pytest.approx(544.30, abs=0.01)
    assert gain.tolist() == pytest.approx([side, 0.0, 272.16, 0.0], abs=1e-9)


def test_zero_apertures_are_bit_identical_to_the_balance_without_sunlight() -> None:
    # the default 0 m2: the need is the pre-solar-gain formula, bit for bit (no arithmetic added)
    low = LightSeries(np.radians([1.5, 30.0, -10.0]), np.zeros(3), np.array([1.0, 0.7, 0.0]),
                      np.full(3, 1.01 * AU_M), np.zeros(3, bool))
    crew = np.array([2.0, 2.0, 2.0])
    ground = regolith_temperature_k(low.sun_elevation_rad, low.sun_visible_fraction, low.sun_distance_m)
    sink = sink_temperature_k(ground, 0.5)
    before = np.maximum(50.0 * (293.15 - sink) - (500.0 + 143.8 * crew), 0.0) / 1.0
    explicit = dataclasses.replace(THERMAL, solar_gain_area_m2=0.0, solar_gain_roof_area_m2=0.0)
    for th in (THERMAL, explicit):
        need = heater_need_w(th, low.sun_elevation_rad, low.sun_visible_fraction, low.sun_distance_m, crew)
        assert np.array_equal(need, before)


def test_bad_apertures_are_refused_naming_the_field() -> None:
    for field in ("solar_gain_area_m2", "solar_gain_roof_area_m2"):
        for value in (-1.0, float("nan"), float("inf")):
            th = dataclasses.replace(THERMAL, **{field: value})
            with pytest.raises(InputError, match=rf"load 'h': thermal {field} = {value!r} must be a finite area >= 0"):
                _inputs(Load("h", 8e3, thermal=th))
        for text in ("-1", ".nan", ".inf"):
            block = f"{{conductance_w_per_k: 50, setpoint_k: 293, {field}: {text}}}"
            with pytest.raises(ScenarioError, match=rf"thermal\.{field}"):
                parse_scenario(SCENARIO.replace("LOAD", f"{{name: hab, power_kw: 12, thermal: {block}}}"))


def test_the_apertures_reach_the_inputs_and_the_note_gives_the_day_gain() -> None:
    text = "{name: hab, power_kw: 12, thermal: {conductance_w_per_k: 50, setpoint_c: 20, internal_heat_w: 500, " \
           "internal_heat_per_crew_w: 143.8, solar_gain_area_m2: 0.4, solar_gain_roof_area_m2: 0.2}}"
    model = parse_scenario(SCENARIO.replace("LOAD", text))
    assert model.operations is not None
    assert station_from_section(model.operations, model.period.start_utc).loads[0].thermal == SUNLIT
    # the note: by day (step 0) the gain is 607.47 W (test_solar_gain_by_hand_for_a_lit_step), the need 408.46 W
    load = Load("hab heater", 12e3, thermal=SUNLIT)
    station = Station(sources=(ConstantSource("reactor", 20e3),), loads=(load,), crew_schedule=((0.0, 2),))
    (note,) = thermal_load_notes(station, _inputs(load), None, LIGHT)
    assert "by day 0.41 kW, by night 9.93 kW" in note
    assert "sunlight absorbed by the enclosure through its effective solar apertures (absorptance x projected " \
           "area x the share conducted in) of 0.4 m2 side and 0.2 m2 roof brings 0.61 kW inside on average by " \
           "day, subtracted from the heater's demand" in note
    # without apertures the note says the day figure leaves the enclosure's sunlight out
    load = Load("hab heater", 12e3, thermal=THERMAL)
    station = Station(sources=(ConstantSource("reactor", 20e3),), loads=(load,), crew_schedule=((0.0, 2),))
    (note,) = thermal_load_notes(station, _inputs(load), None, LIGHT)
    assert "sunlight on the enclosure is not counted (solar_gain_area_m2 0), so the day figure is an upper bound" \
        in note
