"""`lunarops orbit ...` contracts, the `orbits:` scenario section, the runner stage and the CZML output."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from typer.testing import CliRunner

from lunarops.cli.main import app
from lunarops.errors import InputError, ScenarioError
from lunarops.runner.stage import RunContext, StageResult
from lunarops.runner.stages.orbits import run_stage
from lunarops.scenario import default_scenario_path, load_scenario
from lunarops.scenario.load import parse_scenario
from lunarops.scenario.orbits import CoverageOptions
from lunarops.terrain import load_dem
from lunarops.terrain.horizon import HorizonMask

runner = CliRunner()
R_M = 1737.4e3  # IAU/LOLA mean lunar radius [m], the sphere lunarops measures heights from


def _elevation_rad(points_me_m: np.ndarray, latitude_deg: float, longitude_deg: float, height_m: float) -> np.ndarray:
    """Elevation [rad] of Moon-fixed points (3, N) [m] seen from a site ``height_m`` above the sphere (radial up)."""
    lat, lon = math.radians(latitude_deg), math.radians(longitude_deg)
    up = np.array([math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)])
    d = np.asarray(points_me_m) - (R_M + height_m) * up[:, None]
    return np.asarray(np.arcsin(up @ d / np.linalg.norm(d, axis=0)))

BASE = """\
name: orbits test
period:
  start_utc: 2030-01-01T00:00:00Z
  end_utc: 2030-01-03T00:00:00Z
sites:
  - name: pole
    latitude_deg: -89.9
    longitude_deg: 0
"""


def test_cli_nrho_json_contract() -> None:
    result = runner.invoke(app, ["orbit", "nrho", "--resonance", "9:2", "--family", "L2-south", "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    # Zimovan-Spreen, Howell & Davis 2020 (Celest. Mech. Dyn. Astron. 132:28, "Near rectilinear halo orbits and
    # nearby higher-period dynamical structures") and the NASA Gateway NRHO papers (Lee 2019, Gateway Destination
    # Orbit Model white paper): the 9:2 L2 southern NRHO has period 6.56 d (2 x 29.530589 d / 9 = 6.5624 d),
    # perilune radius about 3,250 km, apolune radius about 71,200 km; closure < 1 m is the requirement.
    assert record["period_days"] == pytest.approx(6.56, abs=0.01)
    assert record["perilune_radius_km"] == pytest.approx(3250.0, abs=50.0)
    assert record["apolune_radius_km"] == pytest.approx(71200.0, abs=400.0)
    assert record["closure_m"] < 1.0


def test_cli_kepler_json_contract() -> None:
    args = ["orbit", "kepler", "--periapsis-alt-km", "200", "--apoapsis-alt-km", "16000", "--inc-deg", "62.4", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    period_hours = json.loads(result.stdout)["period_hours"]
    # Queqiao-2 (CNSA, 2024): 200 x 16,000 km, 62.4 deg, "24 h" orbit; its two-body period by Kepler's third law
    # T = 2 pi sqrt(a^3 / mu), a = 1737.4 + 8100 km (R = 1737.4 km), mu = 4902.800076 km^3/s^2 (DE421, Folkner et
    # al. 2008, IPN PR 42-178, Table 8) is 87,554 s = 24.32 h; to 1 s.
    assert period_hours == pytest.approx(24.3, abs=0.05)
    kepler_s = 2.0 * math.pi * math.sqrt((1737.4 + (200.0 + 16000.0) / 2.0) ** 3 / 4902.800076)
    assert period_hours * 3600.0 == pytest.approx(kepler_s, abs=1.0)


@pytest.mark.parametrize(
    "args,message",
    [
        (["orbit", "kepler", "--periapsis-alt-km", "500", "--apoapsis-alt-km", "200"], "below --periapsis-alt-km"),
        (["orbit", "kepler", "--periapsis-alt-km", "-20", "--apoapsis-alt-km", "200"], "below the lunar surface"),
        (["orbit", "nrho", "--family", "L3-south"], "unknown orbit family"),
        (["orbit", "halo", "--period-days", "30"], "outside 4..16 d"),
        (["orbit", "coverage", "--lat", "-89", "--lon", "0", "--orbiter", "llo:100", "--lunar-gravity", "j4"],
         "lunar_gravity"),
        (["orbit", "ledger", "--path", "LEO,Mars"], "unknown node"),
        (["orbit", "coverage", "--lat", "-89", "--lon", "0", "--orbiter", "warp:9"], "not understood"),
        # the fix text keeps its orbits: ':100:' is not turned into an emoji by the console
        (["orbit", "coverage", "--lat", "-89", "--lon", "0", "--orbiter", "warp:9"], "llo:100:90"),
        (["orbit", "coverage", "--lat", "-89", "--lon", "0", "--orbiter", "nrho:abc"], "not understood"),
        (["orbit", "coverage", "--lat", "-89", "--lon", "0", "--orbiter", "llo:100", "--min-elevation-deg", "nan"],
         "--min-elevation-deg) = nan must be in [-90, 90)"),
        (["orbit", "coverage", "--lat", "-89", "--lon", "0", "--orbiter", "llo:100", "--height-m", "nan"],
         "height nan m (--height-m) must be in [-20000, 1e6] m"),
        (["orbit", "ledger", "--isp-s", "0.1"], "isp_s (--isp-s) = 0.1 s needs an initial mass of"),
        (["orbit", "nrho", "--plot", "{tmp}/a_file/nrho.html"], "'{tmp}/a_file' is a file, not a directory"),
        (["schema", "--out", "{tmp}"], "is a directory"),
        (["orbit", "nrho", "--plot", "{tmp}/nrho.png"], "must end in .html"),
        (["sweep", "--param", "seed=1,2", "--out", "{tmp}/a_file"], "is a file; give a directory"),
        (["sky", "--lat", "-89", "--lon", "0", "--time", "2030-01-01", "--out", "{tmp}/a_file/x.csv"], "is a file"),
        (["power", "size", "--days", "1", "--load-kw", "inf"], "--load-kw = inf must be a number in [0, 1e+06] kW"),
        # typer's own range check said only "Input should be greater than or equal to 0" for nan
        (["power", "size", "--days", "1", "--load-kw", "nan"], "--load-kw = nan must be a number in [0, 1e+06] kW"),
        (["power", "size", "--load-kw", "1", "--mast-height-m", "-2"], "--mast-height-m = -2.0 must be a number in"),
        (["power", "size", "--load-kw", "1", "--latitude-deg", "nan"], "--latitude-deg = nan must be a number in"),
    ],
)
def test_cli_bad_input_exits_2(args: list[str], message: str, tmp_path: Path) -> None:
    """Refused at once, before any work, with the option, the value and the fix (exit code 2)."""
    (tmp_path / "a_file").write_text("not a directory")
    result = runner.invoke(app, [a.format(tmp=tmp_path) for a in args])
    assert result.exit_code == 2, result.output
    assert message.format(tmp=tmp_path) in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_cli_ledger_json() -> None:
    result = runner.invoke(app, ["orbit", "ledger", "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["total_dv_km_per_s"] == pytest.approx(6.646, abs=1e-9)  # Acta Astronautica 177 (2020), Table 4


def test_cli_coverage_json_and_czml(tmp_path) -> None:  # type: ignore[no-untyped-def]
    czml_path = tmp_path / "orbits.czml"
    args = ["orbit", "coverage", "--lat", "-89.45", "--lon", "222.69", "--orbiter", "nrho:9:2",
            "--orbiter", "frozen:200:16000:62.4", "--days", "1", "--step-s", "300", "--json", "--czml", str(czml_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    orbiters = {row["orbiter"] for row in record["coverage"]}
    assert orbiters == {"nrho:9:2", "frozen:200:16000:62.4", "relayed to Earth by any orbiter"}
    fractions = {row["orbiter"]: row["fraction_visible"] for row in record["coverage"]}
    document = json.loads(czml_path.read_text())
    # Recompute each site link from the CZML's Moon-fixed positions (every one of the 288 samples, 300 s apart,
    # over the half-open day [start, start + 1 d)):
    # elevation from a 10 m mast (the CLI default) over the 1737.4 km sphere, radial local vertical, visible above
    # the smooth sphere's horizon dip -acos(R / (R + h)). Agreement within one sample (1/288).
    n_samples = 288
    visible_any = np.zeros(n_samples, dtype=bool)
    # the document packet, then one packet per orbiter (the two given above): the loop checks both
    assert [packet["name"] for packet in document[1:]] == ["nrho:9:2", "frozen:200:16000:62.4"]
    for packet in document[1:]:
        samples = np.array(packet["position"]["cartesian"]).reshape(-1, 4)
        assert samples.shape[0] == n_samples
        visible = _elevation_rad(samples[:, 1:].T, -89.45, 222.69, 10.0) > -math.acos(R_M / (R_M + 10.0))
        visible_any |= visible
        assert fractions[packet["name"]] == pytest.approx(visible.mean(), abs=1.0 / n_samples)
    # the relay link needs the site to see some orbiter, so it cannot exceed the union of the site links
    assert fractions["relayed to Earth by any orbiter"] <= visible_any.mean() + 1.0 / n_samples
    assert document[0]["id"] == "document"
    position = document[1]["position"]
    assert position["referenceFrame"] == "FIXED"
    xyz = np.array(position["cartesian"]).reshape(-1, 4)[:, 1:]
    radius_km = np.linalg.norm(xyz, axis=1) / 1e3
    assert radius_km.min() > 3000 and radius_km.max() < 80000  # the NRHO between perilune and apolune


def test_default_scenario_has_the_orbits_section() -> None:
    section = load_scenario(default_scenario_path()).orbits
    assert section is not None
    kinds = [o.kind for o in section.orbiters]
    assert kinds == ["nrho", "frozen"]


@pytest.mark.parametrize(
    "orbits,fragments",
    [
        ("  orbiters:\n    - {kind: kepler, name: a, periapsis_alt_km: 500, apoapsis_alt_km: 200, inc_deg: 80}\n",
         ["apoapsis_alt_km (200.0)", "below periapsis_alt_km (500.0)"]),
        # the path as written: the union's tag (the item's own kind) is not a field
        ("  orbiters:\n    - {kind: llo, name: a, alt_km: -10}\n", ["orbits.orbiters.0.alt_km:", "(got -10)"]),
        ("  orbiters:\n    - {kind: nrho, name: a, family: L9-east}\n",
         ["orbits.orbiters.0.family:", "(got 'L9-east')"]),
        ("  orbiters:\n    - {kind: warp, name: a}\n", ["orbits.orbiters.0", "'kind'", "'warp'"]),
        ("  orbiters:\n    - {kind: llo, name: a}\n    - {kind: llo, name: a}\n",
         ["orbits.orbiters", "names ['a']", "more than once"]),
    ],
)
def test_scenario_errors_name_the_field(orbits: str, fragments: list[str]) -> None:
    # each message names the field (its path in the scenario) and the offending value
    with pytest.raises(ScenarioError) as info:
        parse_scenario(BASE + "orbits:\n" + orbits, "s.yaml")
    for fragment in fragments:
        assert fragment in str(info.value)


@pytest.fixture(scope="module")
def stage_result() -> StageResult:
    scenario = load_scenario(default_scenario_path())
    section = scenario.orbits.model_copy(update={"coverage": CoverageOptions(duration_days=2.0, step_s=300.0)})
    scenario = scenario.model_copy(update={"orbits": section})
    # a terrain mask for the first site: 80 deg everywhere; the NRHO's apolune is nearly overhead of the pole,
    # so the station stays visible above it part of the time, but much less than over a smooth horizon
    mask = HorizonMask(np.linspace(0, 2 * np.pi, 8, endpoint=False), np.full(8, math.radians(80.0)))
    # the site stage's products carry each site's SiteLight, whose .horizon is the mask (as runner/stages/site.py)
    lights = {scenario.sites[0].name: SimpleNamespace(horizon=mask)}
    site_stage = StageResult(name="site", title="site", products={"site_light": lights})
    ctx = RunContext(scenario=scenario, results={"site": site_stage})
    result = run_stage(ctx)
    assert result is not None
    return result


def test_stage_reports_coverage_of_the_base(stage_result: StageResult) -> None:
    summary = stage_result.summary
    # 9:2 L2 southern NRHO, period 6.56 d (9 revolutions in 2 synodic months): Zimovan-Spreen, Howell & Davis
    # 2020, Celest. Mech. Dyn. Astron. 132:28, and Lee 2019, "Gateway Destination Orbit Model" (NASA white
    # paper), as in test_orbits_nrho.py (measured 6.5624 d); 0.01 d = the figure's last digit
    assert summary["ILRS station: period_days"] == pytest.approx(6.56, abs=0.01)  # days
    # Queqiao-2 class 200 x 16,000 km orbit: Kepler's third law with GM_Moon of DE421 (Folkner et al. 2008, IPN
    # PR 42-178, Table 8) and R = 1737.4 km gives 87,554 s = 24.32 h (test_cli_kepler_json_contract above;
    # CNSA quotes a "24 h" orbit); 0.05 h = 3 min covers the rounding to 24.3
    assert summary["Queqiao-2 class relay: period_hours"] == pytest.approx(24.3, abs=0.05)  # hours
    # LEO -> surface of Acta Astronautica 177 (2020) 351-372, Table 4: 3.276 + 0.450 + 0.740 + 2.180 = 6.646 km/s
    # (the ledger sums the table's legs exactly; 1e-9 km/s is float rounding)
    assert summary["ledger total_dv_km_per_s"] == pytest.approx(6.646, abs=1e-9)  # km/s
    first, second = (site.name for site in load_scenario(default_scenario_path()).sites)
    masked = summary[f"{first} <- ILRS station: fraction_visible"]
    smooth = summary[f"{second} <- ILRS station: fraction_visible"]
    assert smooth > 0.9  # Gateway-like NRHO: apolune over the south pole, the pole sees it most of the time
    assert 0.0 < masked < smooth - 0.1
    relay_masked = summary[f"{first} <- Queqiao-2 class relay: fraction_visible"]
    assert relay_masked < summary[f"{second} <- Queqiao-2 class relay: fraction_visible"]
    dataset = stage_result.datasets["orbits"]
    assert dataset.sizes["time"] == 2 * 288  # 2 days at 300 s, half-open
    # The fixed thresholds above are qualitative (apolune over the pole; a high mask hides part of it). The
    # quantitative check: recompute every site link from the stage's own Moon-fixed tracks, independently of
    # site_sees_orbiter: elevation from the site (10 m mast over the 1737.4 km sphere: the scenario's mast, no
    # ground height, and the test mask has no observer height), radial local vertical, visible above the 80 deg
    # test mask at the first site and above the smooth sphere's dip -acos(R / (R + 10 m)) at the second (the
    # fixture's CoverageOptions leaves min_elevation_deg at its default, None: no antenna mask).
    coverage = stage_result.products["coverage"]
    sites = load_scenario(default_scenario_path()).sites
    limits = {first: math.radians(80.0), second: -math.acos(R_M / (R_M + 10.0))}
    n_samples = dataset.sizes["time"]
    for site in sites:
        for track in coverage.tracks:
            elevation = _elevation_rad(track.position_me_m, site.latitude_deg, site.longitude_deg, 10.0)
            visible = elevation > limits[site.name]
            key = f"{site.name} <- {track.name}: fraction_visible"
            assert summary[key] == pytest.approx(visible.mean(), abs=1.0 / n_samples), key
            stored = dataset["site_visible"].sel(site=site.name, orbiter=track.name).values
            assert int(np.sum(stored != visible)) <= 1, key  # the dataset agrees sample by sample (one may flip)
    assert stage_result.figures and stage_result.tables
    assert json.loads(stage_result.products["czml"])[0]["id"] == "document"


def test_stage_is_none_without_section() -> None:
    scenario = parse_scenario(BASE)
    assert run_stage(RunContext(scenario=scenario)) is None


def test_stage_rejects_unknown_coverage_site() -> None:
    orbits = "orbits:\n  orbiters:\n    - {kind: llo, name: a}\n  coverage:\n    sites: [nowhere]\n"
    scenario = parse_scenario(BASE + orbits)
    with pytest.raises(InputError, match="nowhere"):
        run_stage(RunContext(scenario=scenario))


def test_cli_coverage_with_terrain_horizon() -> None:
    # Connecting Ridge stands about 1.85 km above the 1737.4 km sphere on the shipped LOLA south-pole DEM
    # (Mazarico et al. 2011 site region); the observer height must come from the DEM plus the 10 m mast.
    args = ["orbit", "coverage", "--lat", "-89.45", "--lon", "222.69", "--orbiter", "llo:100", "--days", "0.5",
            "--step-s", "120", "--dem", "south", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["site"]["terrain"] == "south"
    assert 1000.0 < record["site"]["height_m"] < 3000.0
    # exactly the DEM's bilinear height at the site plus the default 10 m mast (--height-m), to 1 mm
    ground_m = float(load_dem("south").height_at(-89.45, 222.69))
    assert record["site"]["height_m"] == pytest.approx(ground_m + 10.0, abs=1e-3)


def test_cli_coverage_tables_fit_a_terminal() -> None:
    # the orbiters' eleven quantities are rows (one column per orbiter): side by side they had been cut to
    # 'orbi…' at 80 columns and the NRHO's minimum radius of 62,988 km read "6.29…"
    args = ["orbit", "coverage", "--lat", "-89.45", "--lon", "222.69", "--orbiter", "nrho:9:2", "--orbiter",
            "llo:100", "--days", "0.25", "--step-s", "300"]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "80"}, terminal_width=80)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    row = next(line for line in lines if "min_radius_km" in line)
    # the NRHO's perilune side: its minimum distance from the Moon's centre over 6 h, grouped, never cut
    assert re.search(r"\d{2},\d{3}", row) and "…" not in row
