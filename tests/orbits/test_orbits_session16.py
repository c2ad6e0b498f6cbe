"""Session 16 fixes (a mission designer's study): NRHO phase in the CLI spec, Earth eclipses named with the
eclipse-free phases, eclipses split by body and listed, the frozen orbit's default inclination, NRHO/halo
altitudes and stability index, error wording (orbiter fields, ledger paths, metres, terrain, nan, resonances)."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from typer.testing import CliRunner

from lunarops.cli.main import app
from lunarops.cli.orbit import parse_orbiter
from lunarops.errors import InputError
from lunarops.orbits import NrhoOrbiter, compute_coverage
from lunarops.orbits.eclipse import eclipse_timeline
from lunarops.orbits.families import check_halo_period_s, resonant_period_s
from lunarops.orbits.kepler import KeplerOrbit, frozen_inclination_deg, terrain_clearance_note
from lunarops.orbits.transfers import default_ledger, path_nodes
from lunarops.runner.stages.orbits import orbiter_from_spec
from lunarops.scenario.orbits import FrozenSpec
from lunarops.timescale import parse_utc

runner = CliRunner()
R_KM = 1737.4  # IAU/NAIF mean lunar radius [km]
COVER = ["orbit", "coverage", "--lat", "-89.45", "--lon", "222.69"]


def _text(result: object) -> str:
    return " ".join(str(getattr(result, "output", "")).split())


# --- 1(a) the phase in the CLI spec --------------------------------------------------------------------------


def test_cli_spec_takes_a_phase() -> None:
    # the scenario's orbits.orbiters[].phase (lunarops.scenario.orbits.NrhoSpec): fraction of a period past
    # apolune at the start, [0, 1)
    orbiter = parse_orbiter("nrho:9:2:L2-south:0.25", 0)
    assert isinstance(orbiter, NrhoOrbiter)
    assert (orbiter.resonance, orbiter.family, orbiter.phase) == ("9:2", "L2-south", 0.25)
    assert parse_orbiter("nrho:9:2", 0).phase == 0.0
    with pytest.raises(InputError, match=r"must be in \[0, 1\)"):
        parse_orbiter("nrho:9:2:L2-south:1.5", 0)
    with pytest.raises(InputError, match="PHASE 'x' must be a number"):
        parse_orbiter("nrho:9:2:L2-south:x", 0)


# --- 1(b) Earth eclipses named, with the phases that avoid them ----------------------------------------------


@pytest.fixture(scope="module")
def year_2031() -> object:
    # The reported case: 9:2 L2-south NRHO, phase 0 at 2031-01-01, 365 d (the user ran 60 s: 2 Earth eclipses,
    # the longest 3.53 h, an umbra from 2031-08-02, the penumbral lunar eclipse season of Aug 2031). 300 s here.
    start = parse_utc("2031-01-01T00:00:00Z")
    orbiters = [NrhoOrbiter("p0", "9:2", "L2-south", 0.0), NrhoOrbiter("p10", "9:2", "L2-south", 0.10)]
    return compute_coverage([], orbiters, start, 365 * 86400.0, 300.0)


def test_earth_eclipse_note_names_the_longest_and_the_free_phases(year_2031: object) -> None:
    # The Gateway-class 9:2 NRHO is phased to avoid the Earth's shadow (Zimovan-Spreen, Howell & Davis 2020,
    # Celest. Mech. Dyn. Astron. 132:28; Whitley & Martinez 2016): the note must say when the orbiter is not, and
    # which phases on a 0.05 grid are eclipse-free over the period.
    result = year_2031
    rows = {row["orbiter"]: row for row in result.orbiter_rows()}  # type: ignore[attr-defined]
    assert rows["p0"]["n_earth_eclipses"] == 2
    assert rows["p0"]["longest_earth_eclipse_hours"] == pytest.approx(3.5, abs=0.1)
    (note,) = result.notes  # type: ignore[attr-defined]
    assert note.startswith("EARTH ECLIPSE: orbiter 'p0'") and "2031-08-02" in note
    assert "Zimovan-Spreen" in note and "0.10" in note
    # of the 2031-08-02 passage only 1.55 h is umbra (spiceypy occult on the same track, 1-min steps: total
    # 21:10-22:42 UTC, partial 20:11-23:42; session 16's physics audit); 300 s steps here: within 10 min
    earth = [e for e in result.eclipse_records() if e["body"] == "earth"]  # type: ignore[attr-defined]
    assert earth[0]["umbra_hours"] == pytest.approx(1.55, abs=10 / 60)
    assert "h of it in the umbra" in note
    # the suggested phase is the middle of the widest free band: 0.10-0.20 -> 0.15 (a 0.01 scan by the audit found
    # the band 0.07-0.20 free, so 0.15 has margin on both sides where 0.20 borders a shadowed 0.21)
    scan = result.phase_scans["p0"]  # type: ignore[attr-defined]
    assert scan.safest_free_phase() == 0.15 and "nrho:9:2:L2-south:0.15" in note
    assert scan.phases[0] == 0.0 and len(scan.phases) == 20
    # the scan agrees with the full eclipse computation at both phases run: phase 0's Earth-shadow hours, and
    # phase 0.10 (listed as free) has no Earth eclipse at all
    earth_samples = np.count_nonzero(result.eclipses["p0"].earth_kind > 0)  # type: ignore[attr-defined]
    assert scan.earth_shadow_hours[0] == pytest.approx(earth_samples * 300.0 / 3600.0)
    assert 0.10 in scan.free_phases()
    assert rows["p10"]["n_earth_eclipses"] == 0
    assert "p10" not in result.phase_scans  # type: ignore[attr-defined]


def test_eclipse_split_by_body_adds_up() -> None:
    # Synthetic grid: a Moon umbra (spacecraft behind the Moon, anti-Sun side) then an Earth shadow (Earth between
    # Sun and spacecraft); sunlit otherwise. Geometry as Montenbruck & Gill (2000), sec. 3.4.2.
    t = np.arange(6, dtype=np.float64) * 60.0
    au = 1.495978707e11
    sun = np.tile([[au], [0.0], [0.0]], (1, 6))
    earth = np.tile([[0.0], [3.844e8], [0.0]], (1, 6))  # at quadrature: the two shadows apart
    sc = np.array([[0.0, -2.0e6, -2.0e6, 0.0, -1.0e7, -1.0e7], [5e7, 0, 0, 5e7, 3.844e8, 3.844e8], [0.0] * 6])
    summary = eclipse_timeline(t, sc, sun, earth).summary()
    assert summary["n_moon_eclipses"] == 1 and summary["n_earth_eclipses"] == 1
    assert summary["n_eclipses"] == summary["n_moon_eclipses"] + summary["n_earth_eclipses"]
    assert summary["longest_moon_eclipse_hours"] == pytest.approx(2 * 60 / 3600.0)
    assert summary["longest_earth_eclipse_hours"] == pytest.approx(2 * 60 / 3600.0)


# --- 1(c) eclipses in the CLI's JSON and CSV ----------------------------------------------------------------


def test_cli_lists_eclipses_in_json_and_csv(tmp_path: Path) -> None:
    out = tmp_path / "w.csv"
    # a polar 100 km LLO: period 2 pi sqrt(a^3 / GM) = 117.8 min (a = 1837.4 km, GM = 4902.8 km^3/s^2), so 6.1
    # revolutions in 0.5 d; the Moon's shadow (a cylinder, the Sun being far) takes at most 2 asin(1737.4 / 1837.4)
    # = 142 deg of the orbit = 46.5 min (beta angle 0). Moon eclipses: at most one per revolution, the first and
    # last possibly cut by the window: 5..7 of them, none longer than 46.5 min (+1 min for the 60 s grid)
    args = [*COVER, "--orbiter", "llo:100:90", "--days", "0.5", "--step-s", "60", "--json", "--windows-out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    (row,) = record["orbiters"]
    assert 5 <= row["n_moon_eclipses"] <= 7 and row["n_earth_eclipses"] == 0
    assert row["longest_moon_eclipse_hours"] * 60.0 <= 47.5
    assert row["n_eclipses"] == row["n_moon_eclipses"] + row["n_earth_eclipses"]
    eclipses = record["eclipses"]
    assert len(eclipses) == row["n_eclipses"]
    assert {e["body"] for e in eclipses} == {"moon"}
    assert max(e["hours"] for e in eclipses) == pytest.approx(row["longest_moon_eclipse_hours"])
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    in_shadow = [r for r in rows if r["event"] == "eclipse"]
    assert len(in_shadow) == len(eclipses)
    assert all(r["orbiter"] == "llo:100:90 in the Moon's shadow" and r["body"] == "moon" for r in in_shadow)
    assert all(r["event"] == "line-of-sight" for r in rows if r["site"] != "(eclipse)")


# --- 2. frozen orbit: the default inclination is the frozen one ----------------------------------------------


def test_bare_frozen_spec_takes_the_frozen_inclination_of_its_eccentricity() -> None:
    # cos^2 i = 3/5 (1 - e^2) (Ely 2005, J. Astronaut. Sci. 53(3)): e = 0.671 for 300 x 8600 km -> 54.9 deg,
    # not the 62.4 deg of Queqiao-2's e = 0.80 (before: 62.4, and that orbit impacted within ~80-90 days)
    orbiter = parse_orbiter("frozen:300:8600", 0)
    e = orbiter.orbit.eccentricity
    assert e == pytest.approx((8600 - 300) / (8600 + 300 + 2 * R_KM))
    assert orbiter.orbit.inc_deg == pytest.approx(frozen_inclination_deg(e), abs=0.05)
    assert orbiter.orbit.inc_deg == pytest.approx(54.9, abs=0.05)
    assert parse_orbiter("frozen:300:8600:62.4", 0).orbit.inc_deg == 62.4  # a given INC is kept
    # the run's orbiter_from_spec takes the same rule for a frozen spec whose inc_deg is None (the scenario model
    # FrozenSpec still defaults to 62.4: lunarops.scenario.orbits is outside this change)
    data = FrozenSpec(name="f", periapsis_alt_km=300, apoapsis_alt_km=8600).model_dump()
    spec = SimpleNamespace(**{**data, "inc_deg": None})
    assert orbiter_from_spec(spec).orbit.inc_deg == pytest.approx(54.9, abs=0.05)  # type: ignore[union-attr]
    spec = SimpleNamespace(**{**data, "inc_deg": 62.4})
    assert orbiter_from_spec(spec).orbit.inc_deg == 62.4  # type: ignore[union-attr]


def test_bare_frozen_spec_note_says_so_and_it_stays_up() -> None:
    result = runner.invoke(app, [*COVER, "--orbiter", "frozen:300:8600", "--days", "100", "--step-s", "600",
                                 "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["impacts"] == []
    assert any("no inclination given: 54.9 deg, the frozen inclination" in n for n in record["notes"])
    assert not any("not frozen" in n for n in record["notes"])


# --- 3. orbit nrho / halo: altitudes and the stability index ------------------------------------------------


def test_nrho_prints_altitudes_and_what_the_stability_index_means() -> None:
    result = runner.invoke(app, ["orbit", "nrho", "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    # the CR3BP 9:2 L2 NRHO perilune radius (Zimovan-Spreen, Howell & Davis 2020, Celest. Mech. Dyn. Astron. 132:28:
    # ~3,250 km) with l* = 384,400 km (lunarops.orbits.cr3bp.EARTH_MOON_LENGTH_M)
    assert record["perilune_radius_km"] == pytest.approx(3249.3, abs=5.0)
    assert record["perilune_altitude_km"] == pytest.approx(record["perilune_radius_km"] - R_KM)
    assert record["apolune_altitude_km"] == pytest.approx(record["apolune_radius_km"] - R_KM)
    assert "linearly stable" in record["stability_index_meaning"]
    table = _text(runner.invoke(app, ["orbit", "nrho"]))
    assert "perilune_altitude_km" in table and "nu = 1 is linearly stable" in table


# --- 4. errors ------------------------------------------------------------------------------------------------


def test_too_many_fields_names_the_extra_field_and_the_forms() -> None:
    with pytest.raises(InputError) as caught:
        parse_orbiter("nrho:9:2:L2-south:0.3:x", 0)
    message = str(caught.value)
    assert "'x'" in message and "too many" in message and "nrho:P:Q:FAMILY:PHASE" in message
    assert "kepler:PERI:APO[:INC[:RAAN[:ARGP]]]" in message
    with pytest.raises(InputError, match="'7' after 'llo:100:90'"):
        parse_orbiter("llo:100:90:7", 0)


def test_ledger_self_leg_hint_is_a_flyable_path() -> None:
    with pytest.raises(InputError) as caught:
        default_ledger().leg("NRHO", "NRHO")
    message = str(caught.value)
    assert "e.g. the path NRHO;" not in message and "drop the repeated NRHO" in message
    example = message.split("e.g. the path ")[1].split()[0]
    default_ledger().path_dv_m_per_s(example)  # the hint itself is accepted


def test_ledger_refuses_an_empty_node() -> None:
    with pytest.raises(InputError, match="empty node"):
        path_nodes("NRHO,LLO,,surface")
    with pytest.raises(InputError, match="empty node"):
        path_nodes(["NRHO", " ", "LLO"])
    result = runner.invoke(app, ["orbit", "ledger", "--path", "NRHO,LLO,,surface"])
    assert result.exit_code == 2 and "e.g. NRHO,LLO,surface" in _text(result)


def test_kepler_in_metres_gets_a_hint() -> None:
    result = runner.invoke(app, ["orbit", "kepler", "--periapsis-alt-km", "200000", "--apoapsis-alt-km", "16000000"])
    assert result.exit_code == 2
    assert "did you give metres?" in _text(result) and "200 x 16000 km" in _text(result)
    assert "--apoapsis-alt-km = 16000000.0 km" in _text(result)  # names the option to fix, as the user typed it


def test_periapsis_below_the_highest_terrain_gets_a_note() -> None:
    # highest lunar terrain: 10,786 m above the 1737.4 km sphere (LOLA; Smith et al. 2010, GRL 37, L18204)
    assert terrain_clearance_note(KeplerOrbit(5.0, 100.0), "x") is not None
    assert terrain_clearance_note(KeplerOrbit(11.0, 100.0), "x") is None
    result = runner.invoke(app, ["orbit", "kepler", "--periapsis-alt-km", "5", "--apoapsis-alt-km", "100", "--json"])
    assert result.exit_code == 0, result.output
    (note,) = json.loads(result.output)["notes"]
    assert "10.8 km" in note and "Smith et al. 2010" in note


def test_nan_period_must_be_finite() -> None:
    result = runner.invoke(app, ["orbit", "halo", "--period-days", "nan"])
    assert result.exit_code == 2
    assert "must be a finite number" in _text(result) and "outside" not in _text(result)
    assert "--period-days" in _text(result)  # the error names the option to fix
    with pytest.raises(InputError, match="finite number"):
        check_halo_period_s(math.nan)


def test_non_reduced_resonance_is_refused_naming_the_reduced_one() -> None:
    with pytest.raises(InputError, match=r"'18:4' is not in lowest terms.*write '9:2'"):
        resonant_period_s("18:4")
    result = runner.invoke(app, ["orbit", "nrho", "--resonance", "18:4"])
    assert result.exit_code == 2 and "write '9:2'" in _text(result)


def test_stage_notes_the_earth_eclipse_and_the_frozen_inclination() -> None:
    # the run's orbits notes say what the CLI says: the 9:2 NRHO at phase 0 from 2031-01-01 meets the Earth's
    # shadow (Aug 2031 lunar eclipse season); a frozen orbiter without inc_deg takes its frozen inclination
    from lunarops.runner.stage import RunContext
    from lunarops.runner.stages.orbits import run_stage
    from lunarops.scenario.load import parse_scenario

    text = """\
name: eclipse test
period:
  start_utc: 2031-01-01T00:00:00Z
  end_utc: 2032-01-01T00:00:00Z
sites:
  - name: pole
    latitude_deg: -89.45
    longitude_deg: 222.69
orbits:
  orbiters:
    - {kind: nrho, name: gateway}
    - {kind: frozen, name: relay, periapsis_alt_km: 300, apoapsis_alt_km: 8600}
  coverage: {duration_days: 365, step_s: 900}
"""
    stage = run_stage(RunContext(scenario=parse_scenario(text)))
    assert stage is not None
    assert any(n.startswith("EARTH ECLIPSE: orbiter 'gateway'") and "2031-08-02" in n for n in stage.notes)
    # no inc_deg: the frozen inclination of e = 0.671, cos^2 i = 3/5 (1 - e^2) -> 54.9 deg (Ely 2005), said in a note
    assert any("'relay' (kind frozen): no inc_deg given: 54.9 deg" in n for n in stage.notes)
    assert stage.summary["gateway: n_earth_eclipses"] == 2
    assert "0.10" in stage.summary["gateway: phases free of Earth eclipses"]
