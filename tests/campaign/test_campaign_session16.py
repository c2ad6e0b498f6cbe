"""Session 16: an element too heavy for every spacecraft, the catalog listing, errors at the entry's line and the
ISRU note of a base away from the poles."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from lunarops.cli.main import app
from lunarops.errors import InputError, ScenarioError
from lunarops.logistics import catalogs
from lunarops.logistics.network import Arc, LaunchVehicle, Mission, Problem, SpacecraftDesign
from lunarops.runner.stages.campaign import POLAR_LATITUDE_DEG, isru_site_notes, single_launch_notes

runner = CliRunner()

# isaji2022-fixed carries 2,837.12 kg of payload on an in-space leg (Isaji, Takubo & Ho 2022, the catalog entry)
CAMPAIGN = """\
epoch_utc: 2032-01-01T00:00:00Z
elements: {habitat-module: {mass_kg: 3000}}
logistics:
  nodes: [Earth, TLI, LLO, surface]
  holdover_nodes: [surface]
  arcs:
    - {from: Earth, to: TLI, tof_days: 0.1, launch: true}
    - {from: TLI, to: LLO, dv_km_per_s: 0.9, tof_days: 4}
    - {from: LLO, to: surface, tof_days: 1}
  fleet:
    - {spacecraft: isaji2022-fixed, copies: 2}
  launch_vehicles: [long-march-10]
  missions:
    - {name: relay, depart_day: 30, destination: surface, deliver: {cargo: 100}}
    - {name: hab, depart_day: 60, destination: surface, deliver: {habitat-module: 1}}
"""


def _write(tmp_path: Path, text: str, name: str = "c.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _issue(path: Path) -> str:
    from lunarops.cli.campaign import load_campaign

    with pytest.raises(ScenarioError) as caught:
        load_campaign(path)
    assert len(caught.value.issues) == 1
    return str(caught.value.issues[0])


# ------------------------------------------------------------------------------------- 1. oversized elements
def test_element_heavier_than_every_spacecraft_is_refused_at_its_mission(tmp_path: Path) -> None:
    issue = _issue(_write(tmp_path, CAMPAIGN))
    # the mission's line (15), not line 1, naming the element, its mass, the largest capacity, its design, the fix
    assert issue.startswith(f"{tmp_path / 'c.yaml'}:15: logistics.missions.1:")
    for text in ("'habitat-module'", "3,000.0 kg", "2,837.1 kg", "isaji2022-fixed", "split it",
                 "lighter habitat-module", "payload capacity of at least 3,000.0 kg"):
        assert text in issue


def test_a_fitting_element_and_a_larger_spacecraft_pass(tmp_path: Path) -> None:
    from lunarops.cli.campaign import load_campaign

    # 2,800 kg fits in isaji2022-fixed's 2,837.12 kg (Isaji, Takubo & Ho 2022, spacecraft.yaml's source field)
    section = load_campaign(_write(tmp_path, CAMPAIGN.replace("mass_kg: 3000", "mass_kg: 2800")))
    assert section.elements["habitat-module"].mass_kg == 2800.0  # the file's value, not a catalog one
    assert [(f.spacecraft, f.copies) for f in section.logistics.fleet] == [("isaji2022-fixed", 2)]
    # apollo-lm-descent lands 4,821 kg (NASA SP-2000-4029), so a fleet with it may land the 3 t module
    fleet = "    - {spacecraft: isaji2022-fixed, copies: 2}"
    bigger = CAMPAIGN.replace(fleet, fleet + "\n    - {spacecraft: apollo-lm-descent, copies: 1}")
    section = load_campaign(_write(tmp_path, bigger, "b.yaml"))
    assert section.elements["habitat-module"].mass_kg == 3000.0
    assert [(f.spacecraft, f.copies) for f in section.logistics.fleet] == [
        ("isaji2022-fixed", 2), ("apollo-lm-descent", 1)]


def _problem(
    payload: float, destination: str, crew: int = 0, sized: bool = False, leo_kg: float = 2500.0
) -> Problem:
    design = SpacecraftDesign("lander", payload, 5000.0, 2000.0, 320.0, 1)
    return Problem(
        nodes=("Earth", "LEO", "surface"),
        arcs=(Arc("Earth", "LEO", 0.0, 0.1, launch=True), Arc("LEO", "surface", 5000.0, 4.0)),
        holdover_nodes=("surface",), designs=(design,),
        missions=(Mission("m", 0.0, destination, crew=crew, stay_days=1.0 if crew else 0.0, deliver={"hab": 1}),),
        element_mass_kg={"hab": 3000.0}, crew_mass_kg=100.0,
        launch_vehicles=(LaunchVehicle("small", {"LEO": leo_kg}),),
    )


def test_api_check_refuses_only_where_a_spacecraft_must_carry_the_element() -> None:
    with pytest.raises(InputError, match=r"element 'hab' has a mass of 3,000.0 kg.*2,000.0 kg \(lander"):
        _problem(2000.0, "surface").check()
    # to the launch node the launch vehicles carry it (no spacecraft capacity on launch arcs): not refused
    _problem(2000.0, "LEO").check()
    # a crew member (crew_mass_kg 100) heavier than any payload capacity (the lander's 50 kg) cannot fly either
    with pytest.raises(InputError, match=r"missions\.m\.crew: a crew member counts 100\.0 kg.*: 50\.0 kg \(lander\)"):
        Problem(**{**_problem(50.0, "surface", crew=1).__dict__, "element_mass_kg": {}, "missions": (
            Mission("m", 0.0, "surface", crew=1, stay_days=1.0),)}).check()


def test_single_launch_note_names_elements_launched_in_parts() -> None:
    # hab 3,000 kg > the 2,500 kg "small" lifts to LEO: named
    notes = single_launch_notes(_problem(4000.0, "surface"))
    assert len(notes) == 1 and "hab (3,000 kg)" in notes[0] and "2,500 kg (small to LEO)" in notes[0]
    # a launch vehicle that lifts 3,500 kg to LEO carries the 3,000 kg hab whole: no note
    assert single_launch_notes(_problem(4000.0, "surface", leo_kg=3500.0)) == []
    # no launch vehicle at all: nothing to compare with, no note
    assert single_launch_notes(_problem(4000.0, "surface").__class__(
        **{**_problem(4000.0, "surface").__dict__, "launch_vehicles": ()})) == []


# ------------------------------------------------------------------------------------------- 2. the catalogs
def test_catalog_listing_json_holds_the_catalog_figures() -> None:
    result = runner.invoke(app, ["campaign", "catalog", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"launch_vehicles", "spacecraft", "elements", "delta_v"}
    lv = {row["name"]: row for row in data["launch_vehicles"]}
    # Long March 10: 27 t to Earth-Moon transfer, 70 t to LEO (CMSA/CALT 2023-07, as the catalog holds it)
    assert lv["long-march-10"]["payload_kg"] == {"LEO": 70000, "TLI": 27000}
    source = lv["long-march-10"]["source"]
    assert source.startswith("CMSA/CALT announcements (2023-07, 2024): Long March 10"), source
    assert "27 t to Earth-Moon transfer" in source and "70 t to LEO" in source
    sc = {row["name"]: row for row in data["spacecraft"]}
    # Isaji, Takubo & Ho 2022 (J. Spacecraft and Rockets; arXiv 2110.07323), fixed LOX/LH2 design: payload
    # 2,837.12 kg (src/lunarops/data/catalogs/spacecraft.yaml, its source field)
    assert sc["isaji2022-fixed"]["payload_capacity_kg"] == pytest.approx(2837.12, abs=0.5)  # kg
    assert sc["isaji2022-fixed"]["source"].startswith("Isaji, Takubo & Ho 2022")
    # Apollo LM descent propulsion system Isp 311 s (Orloff, Apollo by the Numbers, NASA SP-2000-4029)
    assert sc["apollo-lm-descent"]["isp_s"] == pytest.approx(311.0, abs=0.5)  # s
    el = {row["name"]: row for row in data["elements"]}
    # Kilopower 10 kWe unit 1,545 kg (Colozza 2020, NASA/CR-2020-220368; elements.yaml's source field)
    assert el["kilopower-10kwe"]["mass_kg"] == pytest.approx(1545.0, abs=0.5)  # kg
    assert el["kilopower-10kwe"]["source"].startswith("Colozza 2020, NASA/CR-2020-220368")
    assert all(row["source"] for rows in data.values() for row in rows)
    assert [row["name"] for row in data["spacecraft"]] == sorted(catalogs.catalog("spacecraft"))


def test_catalog_text_and_overrides_of_a_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["campaign", "catalog"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for text in ("long-march-10", "isaji2022-fixed", "2,837.118", "kilopower-10kwe", "LEO 70,000, TLI 27,000"):
        assert text in result.output
    path = _write(tmp_path, CAMPAIGN.replace("mass_kg: 3000", "mass_kg: 2000"))
    result = runner.invoke(app, ["campaign", "catalog", str(path), "--json"])
    assert result.exit_code == 0, result.output
    el = {row["name"]: row for row in json.loads(result.stdout)["elements"]}
    assert el["habitat-module"] == {
        "name": "habitat-module", "mass_kg": 2000.0, "source": "user override (scenario file)",
    }


# ------------------------------------------------------------------------------------- 3. errors at the entry
@pytest.mark.parametrize(
    ("old", "new", "line", "path", "value"),
    [
        ("spacecraft: isaji2022-fixed", "spacecraft: nope", 11, "logistics.fleet.0", "spacecraft 'nope'"),
        ("[long-march-10]", "\n    - long-march-10\n    - lm99", 14, "logistics.launch_vehicles.1", "'lm99'"),
        ("destination: surface, deliver: {cargo", "destination: Mars, deliver: {cargo", 14, "logistics.missions.0",
         "destination = 'Mars'"),
        ("{from: TLI, to: LLO, dv_km_per_s: 0.9,", "{from: TLI, to: LLO,", 8, "logistics.arcs.1",
         "TLI->LLO has no dv_km_per_s"),
        ("holdover_nodes: [surface]", "holdover_nodes: [surface, Mars]", 5, "logistics.holdover_nodes.1", "'Mars'"),
    ],
)
def test_campaign_errors_point_at_the_entry(
    tmp_path: Path, old: str, new: str, line: int, path: str, value: str
) -> None:
    text = CAMPAIGN.replace("mass_kg: 3000", "mass_kg: 2000")
    assert old in text
    issue = _issue(_write(tmp_path, text.replace(old, new)))
    assert f"c.yaml:{line}: {path}: " in issue, issue
    assert value in issue, issue  # the offending value, not only where it is


def test_new_spacecraft_entry_lacking_fields_points_at_its_entry(tmp_path: Path) -> None:
    text = CAMPAIGN.replace("mass_kg: 3000", "mass_kg: 2000").replace(
        "elements:", "spacecraft:\n  mine: {payload_capacity_kg: 100}\nelements:").replace(
        "spacecraft: isaji2022-fixed", "spacecraft: mine")
    issue = _issue(_write(tmp_path, text))
    assert "c.yaml:3: spacecraft.mine" in issue, issue
    # the three fields a new design needs besides payload_capacity_kg, each named
    assert "lacks ['propellant_capacity_kg', 'dry_mass_kg', 'isp_s']" in issue, issue


def test_full_scenario_error_points_at_the_campaign_mission(tmp_path: Path) -> None:
    body = textwrap.indent(CAMPAIGN, "  ")
    text = ("schema_version: 1\nname: t\nperiod: {start_utc: 2032-01-01T00:00:00Z, end_utc: 2032-01-02T00:00:00Z, "
            "step_hours: 1}\nsites: [{name: s, latitude_deg: -89.45, longitude_deg: 222.69}]\ncampaign:\n" + body)
    issue = _issue(_write(tmp_path, text))
    assert "c.yaml:20: campaign.logistics.missions.1" in issue, issue


# ------------------------------------------------------------------------------- 4. ISRU away from the poles
def _section(isru: bool = True) -> SimpleNamespace:
    spec = SimpleNamespace(enabled=True, node="surface", production_kg_per_kg_year=5.0) if isru else None
    return SimpleNamespace(logistics=SimpleNamespace(isru=spec))


def _scenario(*lats: float, base: str | None = None) -> SimpleNamespace:
    sites = [SimpleNamespace(name=f"s{i}", latitude_deg=lat) for i, lat in enumerate(lats)]
    return SimpleNamespace(sites=sites, operations=SimpleNamespace(site=base) if base else None)


def test_isru_note_when_the_base_is_not_polar() -> None:
    notes = isru_site_notes(_section(), _scenario(26.1))  # Apollo 15 (Hadley-Apennine), 26.1 N
    assert len(notes) == 1 and "'s0'" in notes[0] and "26.1 deg" in notes[0] and "polar ice" in notes[0]
    assert isru_site_notes(_section(), _scenario(-89.45)) == []  # Connecting Ridge (Mazarico et al. 2011)
    # the polar region poleward of 80 deg: Mazarico et al. 2011 (Icarus 211, 1066-1081), the region
    # lunarops.illumination.psr maps by default (max_colatitude_deg 10); both sides of the edge
    assert POLAR_LATITUDE_DEG == 80.0
    edge = isru_site_notes(_section(), _scenario(-79.9))
    assert len(edge) == 1 and "'s0' is at -79.9 deg latitude" in edge[0]
    assert isru_site_notes(_section(), _scenario(-80.0)) == []
    assert isru_site_notes(_section(), _scenario(-POLAR_LATITUDE_DEG)) == []
    assert isru_site_notes(_section(isru=False), _scenario(26.1)) == []
    assert isru_site_notes(_section(), None) == []  # a campaign-only file has no site
    # the base is operations.site, not the first site
    assert len(isru_site_notes(_section(), _scenario(-89.45, 0.7, base="s1"))) == 1
    assert isru_site_notes(_section(), _scenario(0.7, -89.45, base="s1")) == []


def test_campaign_solve_of_a_non_polar_scenario_with_isru_notes_it(tmp_path: Path) -> None:
    body = textwrap.indent(CAMPAIGN.replace("mass_kg: 3000", "mass_kg: 2000") + "  isru: {node: surface}\n", "  ")
    text = ("schema_version: 1\nname: t\nperiod: {start_utc: 2032-01-01T00:00:00Z, end_utc: 2032-01-02T00:00:00Z, "
            "step_hours: 1}\nsites: [{name: Hadley, latitude_deg: 26.1, longitude_deg: 3.6}]\ncampaign:\n" + body)
    result = runner.invoke(app, ["campaign", "solve", str(_write(tmp_path, text)), "--json"])
    assert result.exit_code == 0, result.output
    notes = json.loads(result.stdout)["notes"]
    assert any("'Hadley' is at 26.1 deg latitude" in note and "assumes polar ice" in note for note in notes)
    # the ISRU production the plan counts on, as `lunarops run`'s campaign summary gives it (isru_production_kg:
    # the model's own terms, tests/campaign/test_campaign_isru_made.py); O2 : H2 = 8 : 1 by the default products
    payload = json.loads(result.stdout)
    assert {"isru_oxygen_made_kg", "isru_hydrogen_made_kg"} <= set(payload)
    if payload["isru_hydrogen_made_kg"] > 0:
        assert payload["isru_oxygen_made_kg"] / payload["isru_hydrogen_made_kg"] == pytest.approx(8.0, rel=1e-9)
