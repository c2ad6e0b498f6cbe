"""Bad operations sections give named errors; `lunarops simulate` and `lunarops power size` work end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from lunarops.cli.main import app
from lunarops.errors import ScenarioError
from lunarops.scenario.load import default_scenario_path, parse_scenario
from scenario_edits import direct_to_earth, without_campaign

HEAD = """
schema_version: 1
name: ops test
seed: 5
period: {start_utc: 2030-01-01T00:00:00Z, end_utc: 2030-03-01T00:00:00Z, step_hours: 1}
sites:
  - {name: Rim, latitude_deg: -85.0, longitude_deg: 30.0, mast_height_m: 10}
"""
GOOD = (
    HEAD
    + """
operations:
  site: Rim
  power:
    solar_arrays:
      - {name: pv, area_m2: 150, cell_efficiency: {kind: normal, mean: 0.3, sd: 0.01, low: 0.25, high: 0.33}}
    fission_plants: [{name: reactor, power_kwe: 10, mass_kg: 1545}]
  storage:
    battery: {capacity_kwh: 400, depth_of_discharge: 0.8}
  loads:
    - {name: habitat, power_kw: 8}
    - {name: eclss, power_kw: 0.5, per_crew: true, when: crewed}
    - {name: science, power_kw: 3, priority: 5, shed_below_reserve: true, data_rate_mbps: 5}
    - {name: comm, power_kw: 0.2, when: earth_visible, priority: 2}
  crew: [{from_utc: 2030-01-10T00:00:00Z, count: 4}]
  life_support: {eclss_load: eclss}
  consumables: {o2_kg: 300, water_kg: 1000, food_kg: 300}
  isru:
    - {kind: ilmenite_reduction, name: o2 plant, power_kw: 5,
       energy_kwh_per_kg_o2: {kind: normal, mean: 24.3, sd: 5.8, low: 12, high: 45}}
  comms: {data_rate_mbps: 50, buffer_gb: 100, load: comm}
  components: [{name: strings, target: pv, units: 4, mtbf_h: 2000, repair_h: 24, spares: 1}]
  monte_carlo: {runs: 8, record_hours: 24}
"""
)


def test_good_section_validates() -> None:
    scenario = parse_scenario(GOOD)
    assert scenario.operations is not None
    assert scenario.operations.loads[0].name == "habitat"


@pytest.mark.parametrize(
    ("old", "new", "field", "words"),
    [
        ("capacity_kwh: 400", "capacity_kwh: -400", "operations.storage.battery.capacity_kwh", "greater than 0"),
        (
            "mean: 0.3, sd: 0.01, low: 0.25, high: 0.33",
            "mean: 0.3, sd: 0.01, low: 0.25, high: 1.2",
            "operations.power.solar_arrays.0",
            "cell_efficiency must lie in (0.0, 1.0]",
        ),
        ("depth_of_discharge: 0.8", "depth_of_discharge: 1.5", "depth_of_discharge", "less than or equal to 1"),
        (
            "{name: strings, target: pv,",
            "{name: strings, target: nowhere,",
            "operations",
            "targets 'nowhere', which is not an element",
        ),
        # an ISRU plant is not the life-support loop's load (it stops by night, with its own policies)
        ("life_support: {eclss_load: eclss}", "life_support: {eclss_load: o2 plant}", "operations",
         "'o2 plant' is an ISRU plant, not a load"),
        # below the reversible work of electrolysing the water, 2 x 237.13 kJ/mol / 31.998 g/mol = 4.12 kWh/kg O2
        ("mean: 24.3, sd: 5.8, low: 12, high: 45", "mean: 24.3, sd: 5.8, low: 0.5, high: 45", "operations.isru.0",
         "energy_kwh_per_kg_o2 can be 0.5, below 4.12 kWh per kg O2"),
        ("{o2_kg: 300, water_kg: 1000, food_kg: 300}", "{o2_kg: 300, water_kg: 1000, food_kg: 300, "
         "o2_tank_capacity_kg: 50}", "operations.consumables", "o2_kg = 300 kg does not fit o2_tank_capacity_kg = 50"),
        ("  monte_carlo:", "  resupply: [{time_utc: 2030-02-01, commodity: crew, amount: 2.5}]\n  monte_carlo:",
         "operations.resupply.0", "counts whole crew members"),
        ("  monte_carlo:", "  resupply: [{time_utc: 2030-02-01, commodity: spares, amount: 1.5}]\n  monte_carlo:",
         "operations.resupply.0", "counts whole spare units"),
        # spares may be for one component (its own), which must exist; other goods are for no component
        ("  monte_carlo:", "  resupply: [{time_utc: 2030-02-01, commodity: spares, amount: 2, component: pumps}]\n"
         "  monte_carlo:", "operations", "spares for component 'pumps', which is not a component"),
        ("  monte_carlo:", "  resupply: [{time_utc: 2030-02-01, commodity: food_kg, amount: 2, component: strings}]\n"
         "  monte_carlo:", "operations.resupply.0", "only spares are for a component"),
        # two components of one name: spares for it, and the results, could not tell them apart
        ("components: [{name: strings, target: pv, units: 4, mtbf_h: 2000, repair_h: 24, spares: 1}]",
         "components: [{name: strings, target: pv, units: 4, mtbf_h: 2000, repair_h: 24, spares: 1}, "
         "{name: strings, target: habitat, units: 1, mtbf_h: 2000, repair_h: 24}]",
         "operations", "['strings'] repeat: rename them"),
        # the period's step is 1 h: an MTBF of 0.5 h would mean two failures per step
        ("mtbf_h: 2000", "mtbf_h: 0.5", "operations.components.0.mtbf_h", "shorter than the time step"),
    ],
)
def test_bad_values_are_named(old: str, new: str, field: str, words: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(GOOD.replace(old, new))
    text = str(info.value)
    assert field in text
    assert words in text


def test_times_outside_the_kernels_or_the_period() -> None:
    resupply = "  resupply: [{time_utc: 2060-01-01, commodity: food_kg, amount: 100}]\n  monte_carlo:"
    late = GOOD.replace("  monte_carlo:", resupply)
    with pytest.raises(ScenarioError, match=r"outside the coverage of the shipped kernels, 1900-01-02\.\.2050-12-30"):
        parse_scenario(late)
    # inside the kernels, after the period (a shortened copy of a scenario): valid, and said in the run's notes
    parse_scenario(late.replace("2060-01-01", "2045-01-01"))


def test_unknown_shed_order_name() -> None:
    text = GOOD.replace("  monte_carlo:", "  policy: {shed_order: [sciense]}\n  monte_carlo:")
    with pytest.raises(ScenarioError, match="shed_order names 'sciense', which is not a load"):
        parse_scenario(text)


def test_loads_with_no_source() -> None:
    text = (
        HEAD
        + """
operations:
  loads: [{name: habitat, power_kw: 8}]
"""
    )
    with pytest.raises(ScenarioError, match="have no power source"):
        parse_scenario(text)


def _check_isru_o2_against_served_energy(summary: dict[str, float], runs: int, seed: int) -> None:
    """The O2 plant's yield per run = the energy it was served / its energy per kg of O2.

    The served energy is rebuilt independently of the engine's ISRU accounting: the plant draws its 5 kW
    (GOOD: power_kw 5) in every hourly step that is daylit (it is daylight-only) and not inside a
    load_shed ... load_restored interval of the run's full event log. Energy per kg: the scenario's input,
    24.3 +- 5.8 kWh/kg truncated to [12, 45] (Leger et al. 2025, PNAS 122, as in ../shared/DESIGN.md)."""
    import numpy as np

    from lunarops.ops import engine
    from lunarops.ops.inputs import build_inputs
    from lunarops.ops.montecarlo import draw_runs, event_log, run_batch
    from lunarops.runner.stages.operations import light_for_scenario, station_from_section

    scenario = parse_scenario(GOOD)
    assert scenario.operations is not None
    light, _ = light_for_scenario(scenario, None)
    start = scenario.period.start_utc
    station = station_from_section(scenario.operations, start, None)
    inputs = build_inputs(station, light, np.datetime64(start.replace(tzinfo=None), "us"), scenario.period.step_s)
    plant = inputs.load_names.index("o2 plant")
    assert np.all(inputs.demand_w[plant] == 5_000.0)
    # the same runs as the CLI's Monte Carlo (same seed, run numbers 0 .. runs-1), every event kept
    draws = draw_runs(station, inputs, seed, runs)
    raw = run_batch(inputs, draws, record_steps=24, event_capacity=200_000)
    o2_kg = raw.scalars[:, engine.S_O2]
    assert np.all(raw.ev_counts.sum(axis=1) == raw.scalars[:, engine.S_NEV])  # no event dropped
    # the CLI summary is the percentiles of these runs' O2 (numpy linear percentiles, montecarlo.summarize)
    for p in (5, 50, 95):
        assert summary[f"isru_o2_kg_p{p:02d}"] == pytest.approx(float(np.percentile(o2_kg, p)), rel=1e-12)
    served_j = np.empty(runs)
    for r in range(runs):
        log = event_log(inputs, raw, r)
        log = log[log["element"] == "o2 plant"]
        shed = np.zeros(inputs.n_steps, dtype=bool)
        for step, event in zip(log["step"], log["event"], strict=True):
            shed[step:] = event == "load_shed"
        on = (inputs.daylight > 0.5) & ~shed
        served_j[r] = float(np.sum(inputs.demand_w[plant] * on) * inputs.dt_s)
    kwh_per_kg = served_j / o2_kg / 3.6e6
    # each run's implied energy per kg equals that run's draw of the input and lies in its [12, 45] range
    assert kwh_per_kg == pytest.approx(1.0 / draws.load_yield[:, plant] / 3.6e6, rel=1e-9)
    assert np.all((kwh_per_kg >= 12.0) & (kwh_per_kg <= 45.0))
    # at the nominal 24.3 kWh/kg the median served energy gives a yield inside the Monte Carlo's p05..p95
    nominal_kg = float(np.median(served_j)) / (24.3 * 3.6e6)
    assert summary["isru_o2_kg_p05"] <= nominal_kg <= summary["isru_o2_kg_p95"]


def test_cli_simulate_json_and_determinism(tmp_path: Path) -> None:
    path = tmp_path / "ops.yaml"
    path.write_text(GOOD)
    runner = CliRunner()
    first = runner.invoke(app, ["simulate", str(path), "--runs", "6", "--seed", "1", "--json", "--events", "5"])
    assert first.exit_code == 0, first.output
    out = json.loads(first.stdout)
    summary = out["summary"]
    for key in (
        "probability_any_unserved_energy",
        "unserved_energy_kwh_p50",
        "unserved_energy_kwh_p95",
        "min_state_of_charge",
        "consumables_reserve_days_p05",
        "isru_o2_kg_p05",
        "isru_o2_kg_p50",
        "isru_o2_kg_p95",
        "data_returned_gb_p50",
    ):
        assert key in summary
    assert summary["runs"] == 6
    assert summary["isru_o2_kg_p50"] > 0
    _check_isru_o2_against_served_energy(summary, runs=6, seed=1)
    assert "smooth sphere" in out["notes"][0]
    again = runner.invoke(app, ["simulate", str(path), "--runs", "6", "--seed", "1", "--json", "--events", "5"])
    assert json.loads(again.stdout) == out


def test_deliveries_after_the_period_are_said_in_the_notes(tmp_path: Path) -> None:
    path = tmp_path / "ops.yaml"
    resupply = "  resupply: [{time_utc: 2045-01-01, commodity: food_kg, amount: 100}]\n  monte_carlo:"
    path.write_text(GOOD.replace("  monte_carlo:", resupply))
    result = CliRunner().invoke(app, ["simulate", str(path), "--runs", "2", "--json"])
    assert result.exit_code == 0, result.output
    notes = json.loads(result.stdout)["notes"]
    assert any("1 resupply deliveries are dated after the period 2030-01-01..2030-03-01" in n for n in notes)


def test_cli_simulate_bad_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace("capacity_kwh: 400", "capacity_kwh: -1"))
    result = CliRunner().invoke(app, ["simulate", str(path), "--json"])
    assert result.exit_code == 2
    assert "capacity_kwh" in result.output
    message = " ".join(result.output.split())
    assert "operations.storage.battery.capacity_kwh" in message and "(got -1)" in message
    assert "greater than 0" in message


def test_cli_power_size_json() -> None:
    result = CliRunner().invoke(
        app,
        [
            "power",
            "size",
            "--load-kw",
            "5",
            "--latitude-deg",
            "30",
            "--longitude-deg",
            "0",
            "--days",
            "60",
            "--tracking",
            "fixed",
            "--tilt-deg",
            "30",
            "--azimuth-deg",
            "180",
            "--margin",
            "0.1",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    options = out["options"]
    # fission: ceil(5 kW x 1.1 / 10 kWe) = 1 Kilopower unit of 1,545 kg (Colozza 2020)
    assert options["fission"]["fission_units"] == 1
    assert options["fission"]["total_mass_kg"] == 1545.0
    assert options["pv_battery"]["feasible"]
    assert options["pv_battery"]["total_mass_kg"] > options["pv_rfc"]["total_mass_kg"]


def test_runner_stage_builds_report_parts() -> None:

    from lunarops.runner.stage import RunContext
    from lunarops.runner.stages.operations import run_stage

    scenario = parse_scenario(GOOD)
    result = run_stage(RunContext(scenario))
    assert result is not None
    assert result.summary["runs"] == 8
    assert any("terrain was not used" in n for n in result.notes)
    titles = [f.title for f in result.figures]
    assert any("Monte Carlo fan" in t for t in titles)
    assert {"operations_run0_hourly", "operations_monte_carlo"} <= set(result.datasets)
    assert result.datasets["operations_monte_carlo"].sizes["run"] == 8


def test_cli_power_size_from_scenario_profile(tmp_path: Path) -> None:
    path = tmp_path / "ops.yaml"
    path.write_text(GOOD)
    runner = CliRunner()
    result = runner.invoke(app, ["power", "size", "--scenario", str(path), "--margin", "0.2", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    # peak of the GOOD profile: habitat 8 + eclss 4 x 0.5 + science 3 + comm 0.2 + o2 plant 5 = 18.2 kW;
    # x 1.2 = 21.84 kW -> 3 Kilopower-class 10 kWe units
    assert out["options"]["fission"]["fission_units"] == 3
    assert out["latitude_deg"] == -85.0
    both = runner.invoke(app, ["power", "size", "--scenario", str(path), "--load-kw", "3"])
    assert both.exit_code == 2
    # the error names both conflicting options with their values and the fix (give one of them)
    message = " ".join(both.output.split())
    assert f"got both --load-kw 3 and --scenario {path}" in message
    assert "give either --load-kw (a constant load) or --scenario (its load profile), not both" in message


def test_campaign_deliveries_feed_the_stores() -> None:
    import pandas as pd

    from lunarops.runner.stage import RunContext, StageResult
    from lunarops.runner.stages.operations import run_stage

    scenario = parse_scenario(GOOD)
    deliveries = pd.DataFrame(
        {
            "time_utc": pd.to_datetime(["2030-02-01T00:00:00Z", "2030-02-01T00:00:00Z", "2030-02-10T00:00:00Z"]),
            "commodity": ["food_kg", "spares", "crew"],
            "amount": [500.0, 3.0, 2.0],
        }
    )
    ctx = RunContext(scenario)
    ctx.results["campaign"] = StageResult("campaign", "Campaign", products={"deliveries": deliveries})
    result = run_stage(ctx)
    assert result is not None
    hourly = result.datasets["operations_run0_hourly"].isel(run=0)
    food = hourly["food_kg"].to_series()
    # 4 crew eat 1.82 kg/d each as shipped (ISS packaged food, NTRS 20090006804; session 19: food counted as
    # shipped mass, 0.8 dry before); the 500 kg delivery lands in the step of 2030-02-01T00:00
    jump = food.loc["2030-02-01T00:00"] - food.loc["2030-01-31T23:00"]
    assert jump == pytest.approx(500.0 - 4 * 1.82 / 24, abs=1e-9)
    crew = hourly["crew"].to_series()
    assert crew.loc["2030-02-09T23:00"] == 4 and crew.loc["2030-02-10T00:00"] == 6
    events = result.products["events"]
    delivered = set(events.loc[events["event"] == "delivery", "element"])
    # the plan's spares are kg: left out of the pool without operations.spare_unit_mass_kg, and said
    assert "food_kg" in delivered and "spares" not in delivered
    assert any("3.0 kg of spares" in note and "spare_unit_mass_kg" in note for note in result.notes)


def _short_south_pole(tmp_path: Path, terrain: bool) -> Path:
    """The embedded ILRS scenario cut to 2030-02-01..2030-05-01 with 10 Monte Carlo runs (optionally without
    its terrain section). The period holds Connecting Ridge's 59 h dark spell from 2030-03-14T21:00 (a scan of
    lunarops.illumination.site_light over 2030-2035, whose longest spell is 60 h in 2033)."""
    import re

    from lunarops.scenario.load import default_scenario_path

    text = default_scenario_path().read_text()
    for old, new in (
        ("  start_utc: 2030-01-01T00:00:00Z", "  start_utc: 2030-02-01T00:00:00Z"),
        ("  end_utc: 2035-01-01T00:00:00Z", "  end_utc: 2030-05-01T00:00:00Z"),
        ("monte_carlo: {runs: 200,", "monte_carlo: {runs: 10,"),
    ):
        assert text.count(old) == 1
        text = text.replace(old, new)
    if not terrain:
        text, n = re.subn(r"^terrain:\n(?:(?:[ #].*)?\n)*", "", text, flags=re.MULTILINE)
        assert n == 1 and "\nterrain:" not in text
    path = tmp_path / ("short-terrain.yaml" if terrain else "short-smooth.yaml")
    path.write_text(text)
    return path


def _size_json(path: Path) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["power", "size", "--scenario", str(path), "--margin", "0.2", "--json"])
    assert result.exit_code == 0, result.output
    out: dict[str, Any] = json.loads(result.stdout)
    return out


def test_cli_power_size_scenario_uses_its_terrain_light(tmp_path: Path) -> None:
    """`power size --scenario` sizes on the scenario's terrain light, as `simulate` and `lunarops run` do.

    Bound on the storage: while no part of the Sun's disk is visible the array yields nothing, so the smallest
    storage that carries the load (largest drop of the cumulative balance, lunarops.ops.sizing) is at least the
    load energy of the longest dark spell, whatever the array area. That spell and its load are rebuilt from
    lunarops.illumination.site_light with the scenario's inputs, not from the CLI's light."""
    import numpy as np

    from lunarops.illumination import resolve_terrain, site_light
    from lunarops.scenario import load_scenario
    from lunarops.timescale import utc_period

    path = _short_south_pole(tmp_path, terrain=True)
    out = _size_json(path)
    assert out["light"] == "terrain"
    assert "'Connecting Ridge' from the site stage (terrain horizon" in out["notes"][0]
    # the array's geometry is the scenario's first solar array (examples/ilrs-south-pole.yaml: "mast arrays",
    # vertical_single_axis on a 10 m mast), not the command's defaults; a tracking array sets its own
    # orientation, so no tilt or azimuth is echoed
    assert out["notes"][1] == "array: vertical_single_axis (the scenario's solar array 'mast arrays')"

    # the scenario's site and terrain section: Connecting Ridge (-89.45, 222.69), 10 m mast, shipped south
    # DEM, min_distance 1600 m, 360 azimuths, apparent sky; hourly over the scenario period
    period = load_scenario(path).period
    light = site_light(
        -89.45,
        222.69,
        utc_period(period.start_utc, period.end_utc, 3600.0),
        3600.0,
        10.0,
        resolve_terrain("south", "terrain.dem"),
        min_distance_m=1600.0,
        n_azimuth=360,
        correction="apparent",
    )
    # 59 h from 2030-03-14T21:00 (the 2030-2035 maximum is 60 h: `lunarops illumination --lat -89.45
    # --lon 222.69 --height-m 10 --start 2030-01-01 --end 2035-01-01 --terrain south`)
    assert light.longest_dark_hours == pytest.approx(59.0, abs=1.0)
    # day: more than half the Sun's disk seen (the example's operations.daylight_min_sun_fraction 0.5)
    day = light.sun_disk_visible > 0.5
    # comms mode direct_or_relay: the link is up while the Earth is, else while one of the scenario's orbiters
    # sees both the ridge (5 deg above the terrain mask) and the Earth, from an independent coverage run
    from lunarops.orbits.coverage import SurfaceSite, compute_coverage
    from lunarops.runner.stages.orbits import orbiter_from_spec
    from lunarops.timescale import parse_utc

    orbits = load_scenario(path).orbits
    assert orbits is not None
    coverage = compute_coverage(
        [SurfaceSite("Connecting Ridge", -89.45, 222.69, horizon=light.horizon)],
        [orbiter_from_spec(spec) for spec in orbits.orbiters],
        parse_utc(period.start_utc),
        (period.end_utc - period.start_utc).total_seconds(),
        3600.0,
        5.0,
        lunar_gravity="degree2",
    )
    # and both need a DSN complex seeing the Moon above 10 deg (comms.ground_network: dsn, the default;
    # tests/sky/test_ground_stations.py checks it against spherical astronomy)
    from lunarops.sky.ground import network_sees_moon

    ground = network_sees_moon(utc_period(period.start_utc, period.end_utc, 3600.0))
    link = ((light.earth_visible | coverage.relay_links["Connecting Ridge"].visible) & ground).astype(float)
    # the load profile of the scenario (no crew, so eclss 0): habitat 6 + science lab 0.8 always, sky telescope
    # 0.8 at night, rovers 3 + psr ice plant 10 + ilmenite o2 plant 8 + solar observatory 0.6 by day (ISRU plants
    # are daylight-only), earth camera 0.3 while the Earth is up, comms 0.5 while a link is up, radio array 0.4
    # at night with the Earth down -> 6.8 + 0.8 night + 21.6 day + 0.3 earth + 0.5 link + 0.4 night x no Earth
    # [kW]; the survival heaters (session 20) at every step from their heat balance, below. Session 19: the
    # propellant plant (daylight-only) draws
    # 0.5 kg/h x (4.4073 / 0.65 + 0.8881 x 1.0 + 0.1119 x 10) kWh/kg = 4.3938 kW by day (HHV 285.83 kJ/mol over
    # 18.015 g/mol; O2 and H2 mass shares 15.999 / 18.015 and the rest), and out of their windows the instruments
    # draw their standby: solar observatory 0.1 at night, sky telescope 0.1 by day, radio array 0.05 unless night
    # with the Earth down, earth camera 0.03 while the Earth is down
    hhv_kwh_per_kg = 285.83e3 / 18.015 / 3600.0
    o2_share = 15.999 / 18.015
    plant_kw = 0.5 * (hhv_kwh_per_kg / 0.65 + o2_share * 1.0 + (1.0 - o2_share) * 10.0)
    quiet = ~day & ~light.earth_visible
    standby_kw = 0.1 * ~day + 0.1 * day + 0.05 * ~quiet + 0.03 * ~light.earth_visible
    # survival heaters (the example's thermal block: UA 16.5 W/K, 20 C, 1000 W inside, no crew, half the view to
    # the ground, night floor 70 K, capacity 3 kW), written out from docs/operations.md's balance: the flat
    # ground's radiative equilibrium T_g = [(1 - A(i)) S sin(el) f / (0.95 sigma)]^(1/4), at least 70 K, with the
    # albedo's rise with incidence i = 90 deg - el, A(i) = 0.12 + 0.06 (i / 45)^3 + 0.25 (i / 90)^8 (Hayne et al.
    # 2017, JGR Planets 122, Eq. A5 and Table A1), S = 1360.8 W/m2 (Kopp & Lean 2011) x (1 au / r)^2 (1 au =
    # 149,597,870,700 m, IAU 2012 B2), sigma 5.670374419e-8 (CODATA 2018), f the visible disk share, el and r the
    # Sun's apparent elevation and distance at the mast (lunarops.sky, as the operations light); sink T_s =
    # (0.5 x 0.95 T_g^4 + 0.5 x 2.7^4)^(1/4); sunlight on the habitat (the block's solar_gain_area_m2 0.86 and
    # solar_gain_roof_area_m2 0.36, docs/operations.md) Q_sun = S f (0.86 cos(el) + 0.36 max(sin(el), 0)) with
    # the Sun's apparent elevation el (the walls see a disk below 0 over the lower ridge horizon);
    # P = 16.5 (293.15 - T_s) - 1000 - Q_sun W within [0, 3000]. Unlit:
    # T_s = 58.11 K, P = 2878.1 W; the Sun 1.5 deg up, whole disk, 1 au: A = 0.79, T_g = 108 K, P without the
    # Sun on the walls 2.36 kW, Q_sun = 1360.8 x (0.86 x 0.99966 + 0.36 x 0.02618) = 1182.7 W, P = 1.18 kW
    from lunarops.sky import sky_at_site

    sky = sky_at_site(-89.45, 222.69, 10.0, utc_period(period.start_utc, period.end_utc, 3600.0),
                      correction="apparent")
    flux_w_per_m2 = 1360.8 * (149_597_870_700.0 / (sky.sun_distance_km * 1e3)) ** 2
    el_deg = np.clip(sky.sun_elevation_deg, 0.0, 90.0)
    albedo = np.minimum(0.12 + 0.06 * ((90.0 - el_deg) / 45.0) ** 3 + 0.25 * ((90.0 - el_deg) / 90.0) ** 8, 1.0)
    absorbed_w_per_m2 = (1.0 - albedo) * flux_w_per_m2 * np.sin(np.radians(el_deg)) * light.sun_disk_visible
    ground_k = np.maximum((absorbed_w_per_m2 / (0.95 * 5.670374419e-8)) ** 0.25, 70.0)
    sink_k = (0.5 * 0.95 * ground_k**4 + 0.5 * 2.7**4) ** 0.25
    el_rad = np.radians(sky.sun_elevation_deg)
    aperture_m2 = 0.86 * np.cos(el_rad) + 0.36 * np.maximum(np.sin(el_rad), 0.0)
    solar_w = flux_w_per_m2 * light.sun_disk_visible * aperture_m2
    heater_kw = np.clip(16.5 * (293.15 - sink_k) - 1000.0 - solar_w, 0.0, 3000.0) / 1e3
    assert heater_kw.max() == pytest.approx(2.8781, abs=1e-4)  # unlit (the period's southern winter: ground cold)
    load_kw = (6.8 + heater_kw + 0.8 * ~day + (21.6 + plant_kw) * day + 0.3 * light.earth_visible + 0.5 * link
               + 0.4 * quiet + standby_kw)
    # the header's mean load comes from the same terrain light as the sizing (daylight flags included)
    assert out["load_kw"] == pytest.approx(float(load_kw.mean()), abs=1e-6)
    # night-time load energy of the longest dark spell (no part of the Sun seen: the arrays give nothing),
    # x (1 + margin 0.2)
    dark = np.concatenate(([0], (light.sun_disk_visible == 0.0).astype(np.int8), [0]))
    starts, ends = np.flatnonzero(np.diff(dark) == 1), np.flatnonzero(np.diff(dark) == -1)
    longest = int(np.argmax(ends - starts))
    assert (ends - starts)[longest] == round(light.longest_dark_hours)
    spell_kwh = 1.2 * float(load_kw[starts[longest] : ends[longest]].sum())  # 1 h steps
    # 10.5-11.7 kW through ~59 h (heaters 2.88 kW; + 0.3 Earth up, + 0.5 link up, + 0.4 radio array, Earth down)
    assert spell_kwh == pytest.approx(1.2 * 11.1 * 59.0, abs=1.2 * 0.6 * 59.0)
    for option in ("pv_battery", "pv_rfc"):
        storage_kwh = out["options"][option]["storage_delivered_kwh"]
        assert storage_kwh >= spell_kwh - 1e-6  # 1 Wh of float round-off

    # the same scenario without its terrain section: smooth-sphere light, said in the notes, and a polar night
    # on the sphere that needs tens of MWh (27,957 kWh for PV + Li-ion when this test was written)
    smooth = _size_json(_short_south_pole(tmp_path, terrain=False))
    assert smooth["light"] == "smooth sphere"
    assert "terrain was not used" in smooth["notes"][0]
    for option in ("pv_battery", "pv_rfc"):
        terrain_kwh = out["options"][option]["storage_delivered_kwh"]
        assert terrain_kwh < 0.1 * smooth["options"][option]["storage_delivered_kwh"]


def test_cli_power_size_scenario_text_names_its_light(tmp_path: Path) -> None:
    """Without --json the light is in each table's title and the note is printed (no terrain: smooth sphere)."""
    path = _short_south_pole(tmp_path, terrain=False)
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["power", "size", "--scenario", str(path)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())  # the title wraps with the table's width (and the tmp path's length)
    assert "smooth sphere light" in text
    assert "note: terrain was not used: light at 'Connecting Ridge' on a smooth sphere" in text


def test_cli_simulate_and_size_share_the_terrain_light(tmp_path: Path) -> None:
    """`simulate` gets its site products from the same helper as `power size`: both say terrain light."""
    path = _short_south_pole(tmp_path, terrain=True)
    result = CliRunner().invoke(app, ["simulate", str(path), "--runs", "2", "--json"])
    assert result.exit_code == 0, result.output
    notes = json.loads(result.stdout)["notes"]
    assert "light at 'Connecting Ridge' from the site stage (terrain horizon" in notes[0]
    assert notes[0] == _size_json(path)["notes"][0]


def test_cli_power_size_scenario_takes_its_array_geometry(tmp_path: Path) -> None:
    """--scenario sizes the scenario's first solar array's geometry; a given option overrides it and is named."""
    data = without_campaign(yaml.safe_load(default_scenario_path().read_text()))
    for section in ("orbits", "terrain"):  # smooth-sphere light: fast
        data.pop(section, None)
    direct_to_earth(data)  # its relays were the orbits section's orbiters
    data["period"] = {"start_utc": "2030-01-01T00:00:00Z", "end_utc": "2030-03-01T00:00:00Z", "step_hours": 3}
    array = data["operations"]["power"]["solar_arrays"][0]
    array.update({"tracking": "fixed", "tilt_deg": 80.0, "azimuth_deg": 90.0, "mast_height_m": 5.0})
    path = tmp_path / "fixed.yaml"
    path.write_text(yaml.safe_dump(data))
    runner = CliRunner()

    def sized(*options: str) -> dict:  # type: ignore[type-arg]
        result = runner.invoke(app, ["power", "size", "--scenario", str(path), "--json", *options])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    from_scenario = sized()
    assert from_scenario["notes"][1] == (
        "array: fixed, tilt 80 deg, azimuth 90 deg (the scenario's solar array 'mast arrays')"
    )
    # the same geometry given on the command line sizes the same system (an independent path to the same array)
    explicit = sized("--tracking", "fixed", "--tilt-deg", "80", "--azimuth-deg", "90")
    assert explicit["options"] == from_scenario["options"]
    assert explicit["notes"][1].endswith("with --tracking, --tilt-deg, --azimuth-deg from the command line)")
    # the site options belong to --load-kw: with --scenario the light is the scenario's (a given mast changed
    # nothing before, while the note said it was used)
    refused = runner.invoke(app, ["power", "size", "--scenario", str(path), "--mast-height-m", "200", "--days", "9"])
    assert refused.exit_code == 2
    assert "--mast-height-m, --days apply with --load-kw" in " ".join(refused.output.split())
    # another azimuth changes the answer: the scenario's geometry was really used
    west = sized("--azimuth-deg", "270")
    assert west["options"]["pv_battery"] != from_scenario["options"]["pv_battery"]
