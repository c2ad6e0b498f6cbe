"""Faults of the orbital segment found by a user study (session 13): subsurface NRHO/halo orbits, the family-end
message, the coverage span message, period/resonance messages and small output/wording fixes."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from lunarops.cli.main import app
from lunarops.constants import MOON_RADIUS_M
from lunarops.errors import InputError
from lunarops.orbits import KeplerOrbiter, NrhoOrbiter, SurfaceSite, compute_coverage, halo_orbit, low_lunar_orbit, nrho
from lunarops.orbits.families import ConvergenceError, SubsurfaceOrbitError
from lunarops.orbits.kepler import KeplerOrbit
from lunarops.orbits.transfers import default_ledger
from lunarops.timescale import parse_utc

runner = CliRunner()
R_KM = 1737.4  # IAU WG 2018 / LOLA mean lunar radius [km]
SYNODIC_D = 29.530589  # mean synodic month [d] (Meeus, Astronomical Algorithms, ch. 49)
SITE = SurfaceSite("s", -89.45, 222.69)
LLO = KeplerOrbiter("llo", low_lunar_orbit(100.0))
COVERAGE = ["orbit", "coverage", "--lat", "-89.45", "--lon", "222.69"]


def _perilune_km(message: str) -> float:
    found = re.search(r"perilune radius (?:of )?([0-9.]+) km", message)
    assert found, message
    return float(found.group(1))


# -- 1. orbits whose perilune is at or below the lunar surface are refused ----------------------------------------


def test_the_check_uses_the_projects_lunar_radius() -> None:
    assert MOON_RADIUS_M / 1e3 == R_KM


@pytest.mark.parametrize(
    ("resonance", "period_d", "perilune_km"),
    [
        # 21:4 = 4 x 29.530589 / 21 = 5.625 d; 5:1 = 29.530589 / 5 = 5.906 d. Perilune radii as the user study
        # measured them with this code (1222.1 km, 1710.4 km); the check only needs them below 1737.4 km.
        ("21:4", 4 * SYNODIC_D / 21, 1222.1),
        ("5:1", SYNODIC_D / 5, 1710.4),
    ],
)
def test_subsurface_nrho_is_refused(resonance: str, period_d: float, perilune_km: float) -> None:
    with pytest.raises(SubsurfaceOrbitError) as caught:
        nrho(resonance)
    message = str(caught.value)
    assert isinstance(caught.value, InputError)
    assert f"resonance {resonance} (L2-south, period {period_d:.2f} d)" in message
    assert _perilune_km(message) == pytest.approx(perilune_km, abs=1.0)
    assert _perilune_km(message) <= R_KM
    assert "Moon's mean radius of 1737.4 km" in message
    # the fix: a longer period / another resonance, e.g. 9:2
    assert "resonance with a longer period (the perilune rises with the period), e.g. 9:2" in message
    # underground depth: 1737.4 - 1222.1 = 515.3 km; 1737.4 - 1710.4 = 27.0 km (hand subtraction)
    assert f"({R_KM - perilune_km:.1f} km underground)" in message


def test_subsurface_halo_is_refused() -> None:
    # user study: the 5.5 d L2-south halo had perilune radius 1041.0 km; 1737.4 - 1041.0 = 696.4 km underground
    with pytest.raises(SubsurfaceOrbitError, match=r"period 5.50 d has a perilune radius of 1041.0 km.*1737.4 km "
                       r"\(696.4 km underground\).*choose a longer period"):
        halo_orbit("L2-south", 5.5 * 86400.0)


def test_suggested_orbits_clear_the_surface() -> None:
    # the fixes the message offers must be valid: 9:2 (2 x 29.530589 / 9 = 6.562 d, perilune about 3,250 km,
    # Zimovan-Spreen et al. 2020) and 4:1 (29.530589 / 4 = 7.383 d); and 5.95 d, just past the surface crossing
    assert nrho("9:2").perilune_radius_m / 1e3 == pytest.approx(3250.0, abs=50.0)
    assert nrho("4:1").perilune_radius_m / 1e3 > R_KM
    assert halo_orbit("L2-south", 5.95 * 86400.0).perilune_radius_m / 1e3 > R_KM


def test_subsurface_orbiter_names_the_orbiter_and_fails_coverage_early() -> None:
    with pytest.raises(SubsurfaceOrbitError, match=r"orbiter 'gw': resonance 21:4"):
        NrhoOrbiter("gw", "21:4").orbit()
    with pytest.raises(SubsurfaceOrbitError, match=r"orbiter 'bad': resonance 5:1 .*1737.4 km"):
        compute_coverage([SITE], [LLO, NrhoOrbiter("bad", "5:1")], parse_utc("2030-01-01"), 86400.0)


@pytest.mark.parametrize(
    "args",
    [
        ["orbit", "nrho", "--resonance", "21:4", "--json"],
        ["orbit", "nrho", "--resonance", "5:1"],
        ["orbit", "halo", "--family", "L2-south", "--period-days", "5.5"],
        [*COVERAGE, "--orbiter", "nrho:21:4", "--days", "6", "--json"],
    ],
)
def test_cli_refuses_subsurface_orbits(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "Traceback" not in text
    assert _perilune_km(text) <= R_KM
    assert "1737.4 km" in text and "longer period" in text


# -- 2. the family-end message says above/below and "about" -------------------------------------------------------


@pytest.mark.parametrize(
    ("family", "period_d", "side"),
    [
        ("L2-south", 5.2, "above"),  # the L2 continuation from about 7 d stops near 5.6-5.75 d, below: go above
        ("L1-south", 7.0, "above"),  # the L1 continuation from 10.42 d stops near 7.85-8.05 d
        ("L2-south", SYNODIC_D / 2, "below"),  # 2:1 = 29.530589 / 2 = 14.77 d, past the L2 end near 14.5 d: go below
    ],
)
def test_family_end_message_says_which_side(family: str, period_d: float, side: str) -> None:
    with pytest.raises(ConvergenceError) as caught:
        halo_orbit(family, period_d * 86400.0)
    message = str(caught.value)
    found = re.search(rf"stops at about ([0-9.]+) d .*choose a period {side} about ([0-9.]+) d", message)
    assert found, message
    assert "this side" not in message
    stop = float(found.group(2))
    assert stop > period_d if side == "above" else stop < period_d


# -- 3. coverage outside the kernels names --start/--days and the allowed span ----------------------------------


def test_coverage_past_the_kernels_names_start_and_days() -> None:
    # 2050-12-30 + 3 d = 2051-01-02 > 2050-12-30 (KERNEL_LAST_UTC); latest start 2050-12-30 - 3 d = 2050-12-27
    with pytest.raises(InputError) as caught:
        compute_coverage([SITE], [LLO], parse_utc("2050-12-30"), 3 * 86400.0)
    message = str(caught.value)
    assert "start = 2050-12-30T00:00:00Z (--start)" in message
    assert "259200 s = 3 d (--days) ends at 2051-01-02T00:00:00Z" in message  # 3 x 86400 s
    assert "1900-01-02T00:00:00Z..2050-12-30T00:00:00Z" in message
    assert "start by 2050-12-27T00:00:00Z" in message
    assert "padded" not in message and "23:52" not in message


def test_cli_coverage_past_the_kernels() -> None:
    result = runner.invoke(app, [*COVERAGE, "--orbiter", "llo:100", "--start", "2050-12-28", "--days", "3", "--json"])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    # 2050-12-28 + 3 d = 2050-12-31; room to 2050-12-30: 2 d
    assert "(--start)" in text and "(--days)" in text and "ends at 2050-12-31T00:00:00Z" in text
    assert "shorten the duration to at most 2 d" in text


def test_coverage_starting_after_the_kernels() -> None:
    with pytest.raises(InputError, match=r"start = 2051-02-01T00:00:00Z \(--start\).*starts outside 1900-01-02"):
        compute_coverage([SITE], [LLO], parse_utc("2051-02-01"), 86400.0)


# -- 4. period in seconds; resonance named -------------------------------------------------------------------------


def test_halo_period_message_says_seconds() -> None:
    # 8 s = 8 / 86400 d = 9.259e-05 d; 4..16 d = 345600..1382400 s
    with pytest.raises(InputError) as caught:
        halo_orbit("L2-south", 8.0)
    message = str(caught.value)
    assert "period_s = 8 s (9.259e-05 d) is outside 4..16 d" in message
    assert "period_s is in seconds" in message and "345600..1382400 s" in message
    assert "8 * 86400.0" in message


def test_out_of_range_resonance_is_named() -> None:
    # 2:9 = 9 x 29.530589 / 2 = 132.9 d
    with pytest.raises(InputError, match=r"resonance '2:9' gives a period of 132.9 d .*outside 4..16 d.*e.g. 9:2"):
        nrho("2:9")
    result = runner.invoke(app, ["orbit", "nrho", "--resonance", "2:9"])
    assert result.exit_code == 2 and "resonance '2:9'" in " ".join(result.output.split())


def test_cli_halo_period_names_the_option() -> None:
    result = runner.invoke(app, ["orbit", "halo", "--period-days", "30"])
    assert result.exit_code == 2
    assert "--period-days 30 is outside 4..16 d" in " ".join(result.output.split())


# -- 5. small fixes ------------------------------------------------------------------------------------------------


def test_coverage_json_counts_are_ints() -> None:
    args = [*COVERAGE, "--orbiter", "llo:100", "--days", "0.25", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    # one orbiter: its site link(s) and its relay row, and one orbiter row; the loops check each of them
    assert len(record["coverage"]) >= 1 and len(record["orbiters"]) == 1
    for row in record["coverage"]:
        assert type(row["n_windows"]) is int
    for row in record["orbiters"]:
        assert type(row["n_eclipses"]) is int


def test_kepler_json_echoes_raan_and_argp() -> None:
    args = ["orbit", "kepler", "--periapsis-alt-km", "100", "--apoapsis-alt-km", "200", "--raan-deg", "30",
            "--argp-deg", "45", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["raan_deg"] == 30.0 and record["argp_deg"] == 45.0  # the values given


def test_inclination_message() -> None:
    with pytest.raises(InputError) as caught:
        KeplerOrbit(100.0, 200.0, 200.0)
    message = str(caught.value)
    assert "inc_deg (--inc-deg) = 200.0 deg is outside 0..180 deg" in message
    assert "give an inclination in it" not in message


def test_ledger_missing_leg_says_how() -> None:
    # Acta Astronautica 177 (2020), Table 4 has no LEO -> surface leg; the path through its legs is
    # LEO, TLI, NRHO, LLO, surface
    with pytest.raises(InputError) as caught:
        default_ledger().leg("LEO", "surface")
    message = str(caught.value)
    assert "e.g. the path LEO,TLI,NRHO,LLO,surface" in message
    assert "LEO->TLI, TLI->NRHO, NRHO->LLO" in message
    assert "logistics.arcs" in message and "with_leg" in message
    assert "or add the leg" not in message
    result = runner.invoke(app, ["orbit", "ledger", "--path", "LEO,surface"])
    assert result.exit_code == 2
    assert "cannot be extended from the command line" in " ".join(result.output.split())


def test_scenario_resonance_out_of_range_is_refused_when_read() -> None:
    # 2:9 = 2 revolutions in 9 synodic months: 9 / 2 x 29.53 d = 132.9 d, outside the 4..16 d halo range
    import yaml

    from lunarops.errors import ScenarioError
    from lunarops.scenario import default_scenario_path
    from lunarops.scenario.load import parse_scenario

    data = yaml.safe_load(default_scenario_path().read_text())
    nrho = next(o for o in data["orbits"]["orbiters"] if o.get("kind") == "nrho")
    nrho["resonance"] = "2:9"
    with pytest.raises(ScenarioError, match=r"orbiter 'ILRS station': resonance '2:9' gives a period of 132\.9 d"):
        parse_scenario(yaml.safe_dump(data))
