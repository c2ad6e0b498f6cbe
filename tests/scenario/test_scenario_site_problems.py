"""`validate` catches what the run would stop on at its site stage: a site outside the scenario's shipped DEM
(the default 'south' with a north-pole site), and an operations.site that names no site."""

from __future__ import annotations

import pytest

from lunarops.errors import ScenarioError
from lunarops.scenario.load import parse_scenario

# Peary crater's rim near the north pole (89.656 N, 327.529 E): the LOLA north DEM covers it, the south one not
NORTH = """\
name: peary
period: {start_utc: 2032-01-01, end_utc: 2032-01-03}
sites:
  - {name: Peary rim, latitude_deg: 89.656, longitude_deg: -32.471}
TERRAIN
"""


def test_a_north_site_on_the_default_south_dem_is_refused_with_the_dem_to_use() -> None:
    with pytest.raises(ScenarioError) as error:
        parse_scenario(NORTH.replace("TERRAIN", "terrain: {}"))
    text = str(error.value)
    assert ":4: sites.0.latitude_deg: site 'Peary rim'" in text  # the site's line: the DEM was not written
    assert "terrain.dem = 'south' (the default); set terrain.dem: north" in text
    with pytest.raises(ScenarioError, match=r":6: terrain\.dem: .*set terrain\.dem: north"):  # its own line
        parse_scenario(NORTH.replace("TERRAIN", "terrain:\n  dem: south"))
    assert parse_scenario(NORTH.replace("TERRAIN", "terrain: {dem: north}")).terrain is not None


def test_a_mid_latitude_site_is_pointed_to_the_global_dem() -> None:
    # Chang'e-3 (44.12 N, 340.49 E; Xiao et al. 2015): outside both polar DEMs (they reach 70.2 deg everywhere)
    text = NORTH.replace("89.656, longitude_deg: -32.471", "44.12, longitude_deg: 340.49")
    with pytest.raises(ScenarioError, match=r"set terrain\.dem: global"):
        parse_scenario(text.replace("TERRAIN", "terrain: {dem: north}"))
    assert parse_scenario(text.replace("TERRAIN", "terrain: {dem: none}")).terrain is not None  # the smooth sphere


def test_an_operations_site_that_names_no_site_is_refused_at_its_line() -> None:
    text = NORTH.replace("TERRAIN", "operations:\n  site: Peary rm")
    with pytest.raises(ScenarioError, match=r":6: operations\.site: not one of the scenario's sites \['Peary rim'\]"):
        parse_scenario(text)
