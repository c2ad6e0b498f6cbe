"""Lunar terrain: LOLA DEMs (shipped and read from GeoTIFF / PDS3 files), horizons, basemaps, data downloads.

Heights are metres above the 1737.4 km reference sphere; positions are Moon ME (LOLA) latitude/longitude
[deg], longitudes east-positive. Horizon conventions are in :mod:`lunarops.terrain.horizon` and docs/terrain.md.
"""

from lunarops.terrain.basemap import BASEMAPS, load_basemap
from lunarops.terrain.dem import Dem
from lunarops.terrain.georef import Equirectangular, Georeference, PolarStereographic
from lunarops.terrain.horizon import HorizonMask, azimuth_grid_rad, horizon_at_site, horizon_map
from lunarops.terrain.pds3 import read_pds3
from lunarops.terrain.readers import EMBEDDED_DEMS, load_dem, read_geotiff, read_npz, save_npz

__all__ = [
    "BASEMAPS",
    "EMBEDDED_DEMS",
    "Dem",
    "Equirectangular",
    "Georeference",
    "HorizonMask",
    "PolarStereographic",
    "azimuth_grid_rad",
    "horizon_at_site",
    "horizon_map",
    "load_basemap",
    "load_dem",
    "read_geotiff",
    "read_npz",
    "read_pds3",
    "save_npz",
]
