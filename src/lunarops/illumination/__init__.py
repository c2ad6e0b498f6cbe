"""Sunlight, Earth visibility, permanently shadowed regions and site ranking over LOLA terrain.

Conventions and validation: docs/illumination.md.
"""

from lunarops.illumination.maps import LightMap, light_map, window_around
from lunarops.illumination.psr import PsrMap, SunEnvelope, psr_map, sun_envelope
from lunarops.illumination.ranking import RankedSite, RankingScales, rank_sites, search_sites, slope_map_deg
from lunarops.illumination.site import SiteLight, resolve_terrain, site_horizon, site_light
from lunarops.illumination.timegrid import parse_step_s, period_times

__all__ = [
    "LightMap",
    "PsrMap",
    "RankedSite",
    "RankingScales",
    "SiteLight",
    "SunEnvelope",
    "light_map",
    "parse_step_s",
    "period_times",
    "psr_map",
    "rank_sites",
    "resolve_terrain",
    "search_sites",
    "site_horizon",
    "site_light",
    "slope_map_deg",
    "sun_envelope",
    "window_around",
]
