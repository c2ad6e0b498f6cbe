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
    assert "(89.6560 N, 327.5290 E)" in text and "(got '89.656')" in text  # the site's latitude, the offending value
    with pytest.raises(ScenarioError, match=r":6: terrain\.dem: .*set terrain\.dem: north"):  # its own line
        parse_scenario(NORTH.replace("TERRAIN", "terrain:\n  dem: south"))
    terrain = parse_scenario(NORTH.replace("TERRAIN", "terrain: {dem: north}")).terrain
    assert terrain is not None and terrain.dem == "north"


def test_a_mid_latitude_site_is_pointed_to_the_global_dem() -> None:
    # Chang'e-3 (44.12 N, 340.49 E; Xiao et al. 2015): outside both polar DEMs. Their edge, by hand: the LOLA
    # polar stereographic grids are 762 x 1.6 km pixels, +-609.6 km from the pole on the 1,737.4 km sphere at scale
    # 1, so the nearest edge point lies at colatitude 2 atan(609.6 / (2 x 1,737.4)) = 19.9 deg, i.e. latitude
    # 70.1 deg; the check uses 70.2 deg as a safe bound ("everywhere poleward of 70.2 deg")
    text = NORTH.replace("89.656, longitude_deg: -32.471", "44.12, longitude_deg: 340.49")
    with pytest.raises(ScenarioError) as error:
        parse_scenario(text.replace("TERRAIN", "terrain: {dem: north}"))
    message = str(error.value)
    # the terrain.dem line (5), the field, the offending value and the DEM to use
    line = ":5: terrain.dem: site 'Peary rim' (44.1200 N, 340.4900 E) is outside the DEM of terrain.dem = 'north'"
    assert line in message, message
    assert "set terrain.dem: global" in message and "(got 'north')" in message
    assert "everywhere poleward of 70.2 deg" in message
    terrain = parse_scenario(text.replace("TERRAIN", "terrain: {dem: none}")).terrain  # the smooth sphere
    assert terrain is not None and terrain.dem == "none"


def test_an_operations_site_that_names_no_site_is_refused_at_its_line() -> None:
    text = NORTH.replace("TERRAIN", "operations:\n  site: Peary rm")
    with pytest.raises(ScenarioError, match=r":6: operations\.site: not one of the scenario's sites \['Peary rim'\]"
                       r".*\(got 'Peary rm'\)"):
        parse_scenario(text)
