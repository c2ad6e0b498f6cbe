"""Notes of the operations stage found missing in user studies (session 16): crew counted from two sources, an ice
plant with no PSR near the base, a far-side base on a direct-to-Earth link, `simulate` giving the run's notes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from typer.testing import CliRunner

from lunarops.cli.main import app
from lunarops.ops.inputs import build_inputs
from lunarops.runner.stages.operations import light_for_scenario, simulate_scenario, station_from_section
from lunarops.scenario.load import default_scenario_path, parse_scenario
from lunarops.sky import sky_at_site
from lunarops.timescale import utc_period
from scenario_edits import direct_to_earth, without_campaign, without_orbits_and_terrain

BASE = """
schema_version: 1
name: session 16 notes
period: {start_utc: 2033-01-15T00:00:00Z, end_utc: 2033-02-10T00:00:00Z, step_hours: 1}
sites:
  - {name: Base, latitude_deg: -85.0, longitude_deg: 30.0, mast_height_m: 10}
operations:
  power:
    fission_plants: [{name: reactor, power_kwe: 40, mass_kg: 1545}]
  loads: [{name: habitat, power_kw: 5}, {name: eclss, power_kw: 0.5}, {name: comm, power_kw: 0.2},
          {name: science, power_kw: 1, data_rate_mbps: 1}]
  life_support: {eclss_load: eclss}
  consumables: {o2_kg: 500, water_kg: 2000, food_kg: 500}
  monte_carlo: {runs: 2, record_hours: 24}
"""


def _scenario(text: str, **operations: object):  # type: ignore[no-untyped-def]
    data = yaml.safe_load(text)
    data["operations"].update(operations)
    return parse_scenario(yaml.safe_dump(data))


# -- 1. operations.crew adds to the crew the campaign lands -------------------------------------------------------

RESIDENT = [{"from_utc": "2033-01-20T05:00:00Z", "count": 2}, {"from_utc": "2033-02-03T05:00:00Z", "count": 0}]


def _landing(*rows: tuple[str, float]) -> pd.DataFrame:
    """Campaign deliveries to the base as the campaign stage gives them (crew: +N landing, -N leaving)."""
    return pd.DataFrame(
        {"time_utc": [pd.Timestamp(t) for t, _ in rows], "commodity": ["crew"] * len(rows),
         "amount": [a for _, a in rows]}
    )


def test_resident_crew_and_campaign_crew_add_and_are_said() -> None:
    # the user study: 2 resident from 2033-01-20 05:00 to 2033-02-03 05:00 (operations.crew) and a mission landing
    # 2 on 2033-01-20 05:00 that stay to 2033-02-07: 4 at the base for 14 d = 336 h (2033-02-03 - 2033-01-20, by
    # hand), then the campaign's 2 alone
    scenario = _scenario(BASE, crew=RESIDENT)
    frame = _landing(("2033-01-20T05:00:00Z", 2.0), ("2033-02-07T00:00:00Z", -2.0))
    start = scenario.period.start_utc
    station = station_from_section(scenario.operations, start, frame)
    light, _ = light_for_scenario(scenario, None)
    inputs = build_inputs(station, light, np.datetime64("2033-01-15T00:00"), 3600.0)
    four = np.flatnonzero(inputs.crew == 4.0)  # they add (a resident crew plus visitors is legitimate)
    assert four.size == 336 and four[0] == (5 * 24 + 5)
    _, _, notes = simulate_scenario(scenario, campaign_deliveries=frame)
    (note,) = [n for n in notes if "adds to the crew the campaign lands" in n]
    assert note.startswith(
        "operations.crew (2 from 2033-01-20 05:00) adds to the crew the campaign lands (2 on 2033-01-20 05:00): 4 at "
        "the base from 2033-01-20 05:00 to 2033-02-03 05:00 UTC (336 h)."
    ), note
    assert "consumables for its own crew only" in note


def test_no_crew_note_when_the_two_crews_are_not_there_together() -> None:
    scenario = _scenario(BASE, crew=RESIDENT)
    apart = _landing(("2033-02-04T00:00:00Z", 2.0), ("2033-02-08T00:00:00Z", -2.0))  # after the residents left
    _, _, notes = simulate_scenario(scenario, campaign_deliveries=apart)
    assert not any("adds to the crew the campaign lands" in n for n in notes)
    _, _, notes = simulate_scenario(_scenario(BASE), campaign_deliveries=apart)  # no operations.crew at all
    assert not any("adds to the crew the campaign lands" in n for n in notes)


# -- 2. an ice plant with no PSR near the base ------------------------------------------------------------------

ICE = [{"kind": "ice_extraction", "name": "ice plant", "power_kw": 5, "ice_wt_pct": 5.6,
        "regolith_energy_kwh_per_kg": 0.03, "water_energy_kwh_per_kg": 0.9}]
MARE = BASE.replace("{name: Base, latitude_deg: -85.0, longitude_deg: 30.0", "{name: Base, latitude_deg: 44.12, "
                    "longitude_deg: 340.49")  # Chang'e-3, Mare Imbrium


def _ice_notes(text: str, site_summary: dict | None = None) -> list[str]:  # type: ignore[type-arg]
    _, _, notes = simulate_scenario(_scenario(text, isru=ICE), site_summary=site_summary)
    return [n for n in notes if n.startswith("Ice extraction:")]


def test_an_ice_plant_at_a_mare_site_without_terrain_is_said() -> None:
    (note,) = _ice_notes(MARE)
    assert "ice plant (5.6 wt % ice) mine water ice that is assumed (ice_wt_pct)" in note
    assert "no terrain section, so the site stage did not look for PSRs" in note
    assert "the base is at 44.12 N" in note and "rests on that assumption" in note


def test_an_ice_plant_on_a_non_polar_dem_is_said() -> None:
    # the global DEM is equirectangular: the site stage's PSR search needs a polar stereographic one
    (note,) = _ice_notes(MARE + "terrain: {dem: global}\n")
    assert "the DEM 'global' is not polar stereographic, so the site stage could not look for PSRs" in note


def test_an_ice_plant_with_no_psr_within_the_search_radius_is_said() -> None:
    polar = BASE + "terrain: {dem: south, psr: {search_radius_km: 25}}\n"
    (note,) = _ice_notes(polar, {"psr_distance_km[Base]": None})  # the site stage's summary: none within
    assert "the site stage found no PSR within 25 km of 'Base' (terrain.psr.search_radius_km)" in note
    assert "the base is at 85.00 S" in note
    assert _ice_notes(polar, {"psr_distance_km[Base]": 3.2}) == []  # a PSR 3.2 km away: nothing to say
    assert _ice_notes(BASE + "terrain: {dem: south, psr: {enabled: false}}\n")[0].count("did not look") == 1


# -- 3. a far-side base on a direct-to-Earth link ----------------------------------------------------------------

FAR = BASE.replace("{name: Base, latitude_deg: -85.0, longitude_deg: 30.0", "{name: Base, latitude_deg: -45.44, "
                   "longitude_deg: 177.6")  # Chang'e-4, Von Karman crater


def test_a_far_side_base_with_a_direct_link_is_said() -> None:
    # by hand: the base's angular distance from the sub-Earth point (0 N, 0 E) is
    # acos(cos 45.44 deg x cos 177.6 deg) = 134.5 deg, so the Earth's centre stands at 90 - 134.5 = -44.5 deg
    # with no libration; libration moves the sub-Earth point by at most ~7.9 deg in longitude and ~6.9 deg in
    # latitude (Meeus, Astronomical Algorithms ch. 53; at most ~10.5 deg together) and the parallax of a
    # surface site is atan(1,737 km / 384,400 km) = 0.26 deg: the centre stays below -33 deg, and the Earth's
    # upper limb (its angular radius from the Moon: atan(6,378 km / 384,400 km) = 0.95 deg) far below the horizon
    comms = {"data_rate_mbps": 10, "buffer_gb": 1, "load": "comm"}
    scenario = _scenario(FAR, comms=comms)
    light, _ = light_for_scenario(scenario, None)
    assert not light.earth_visible.any()
    # the code's Earth elevation at the base over the period (the sky track the smooth-sphere light is made from;
    # the light series holds only whether the Earth is up)
    period = scenario.period
    sky = sky_at_site(-45.44, 177.6, 10.0, utc_period(period.start_utc, period.end_utc, period.step_s),
                      correction=scenario.sky.correction)
    assert sky.earth_elevation_deg.size == light.n_steps
    assert sky.earth_elevation_deg.max() < -33.0  # deg
    _, mc, notes = simulate_scenario(scenario)
    (note,) = [n for n in notes if n.startswith("The Earth is never above")]
    assert note.startswith("The Earth is never above the horizon at 'Base' while the link 'direct-to-earth' is online")
    assert "comms.mode: direct_or_relay" in note and "orbits section" in note
    assert mc.summary["data_returned_gb_p50"] == 0.0  # 1 Mbit/s of science made, none returned
    # the near side (Chang'e-3, 44.12 N 340.49 E: the Earth always up, acos(cos 44.12 deg x cos 19.51 deg) =
    # 47.4 deg from the sub-Earth point, by hand): silent
    _, _, notes = simulate_scenario(_scenario(MARE, comms=comms))
    assert not any(n.startswith("The Earth is ") for n in notes)


def test_an_antenna_mask_above_the_earth_is_said() -> None:
    # at 85 S the Earth's centre stands at most 90 - 85 + 6.9 (libration in latitude) = 11.9 deg high: a 13 deg
    # antenna mask never sees it (by hand)
    comms = {"data_rate_mbps": 10, "buffer_gb": 1, "load": "comm", "min_elevation_deg": 13}
    _, _, notes = simulate_scenario(_scenario(BASE, comms=comms))
    (note,) = [n for n in notes if n.startswith("The Earth is ")]
    assert note.startswith("The Earth is never above the horizon and the 13 deg mask at 'Base'")
    # a 5 deg mask, below the Earth's 11.9 deg highest (and above its 90 - 85 - 6.9 = -1.9 deg lowest): the Earth
    # clears it for part of the period, so no "never above" note
    comms = {**comms, "min_elevation_deg": 5}
    _, _, notes = simulate_scenario(_scenario(BASE, comms=comms))
    assert not any(n.startswith("The Earth is never above") for n in notes), notes


# -- 4. `lunarops simulate` gives the run's notes -----------------------------------------------------------------


def test_simulate_json_gives_the_carried_mass_note(tmp_path: Path) -> None:
    # the example's ILRS-1 carries the mast arrays (300 m2 x 2.14 kg/m2 = 642 kg), kilopower 1 (1,545 kg, Colozza
    # 2020) and the battery (500 kWh / 200 Wh/kg = 2,500 kg): 4,687 kg; with its cargo cut to 1,000 kg it lands
    # 1,545 + 1,000 = 2,545 kg (tests/ops/test_ops_online.py has the same sums for carried_mass_notes)
    data = without_orbits_and_terrain(
        yaml.safe_load(default_scenario_path().read_text()), "2031-06-01T00:00:00Z", "2031-07-01T00:00:00Z", 1, 2
    )
    ilrs1 = next(m for m in data["campaign"]["logistics"]["missions"] if m["name"] == "ILRS-1")
    ilrs1["deliver"]["cargo"] = 1000
    path = tmp_path / "light.yaml"
    path.write_text(yaml.safe_dump(data))
    result = CliRunner().invoke(app, ["simulate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    notes = json.loads(result.output)["notes"]
    assert any(
        n.startswith("The operations elements that arrive with ILRS-1 weigh 4,687 kg (mast arrays 642, kilopower 1 "
                     "1,545, battery 2,500), but the campaign's ILRS-1 lands 2,545 kg") for n in notes
    ), notes
    # and the run's other scenario notes: the two ISRU models side by side, the Monte Carlo probabilities
    assert any(n.startswith("The campaign's ISRU (campaign.logistics.isru at surface)") for n in notes)
    assert any(n.startswith("Monte Carlo probabilities over 2 runs") for n in notes)


def test_the_example_without_a_campaign_has_no_new_notes() -> None:
    # the shipped example at its south-pole site: no crew from two sources, an ice plant that the terrain backs
    # (checked with the site stage's summary), the Earth up often enough: none of the session-16 notes
    data = without_campaign(yaml.safe_load(default_scenario_path().read_text()))
    for section in ("orbits",):
        data.pop(section)
    direct_to_earth(data)
    data["period"] = {"start_utc": "2031-06-01T00:00:00Z", "end_utc": "2031-07-01T00:00:00Z", "step_hours": 1}
    data["operations"]["monte_carlo"]["runs"] = 2
    scenario = parse_scenario(yaml.safe_dump(data))
    site = scenario.sites[0].name
    _, _, notes = simulate_scenario(scenario, site_summary={f"psr_distance_km[{site}]": 4.0})
    assert not any(n.startswith(("Ice extraction:", "The Earth is ")) or "adds to the crew" in n
                   for n in notes), notes
