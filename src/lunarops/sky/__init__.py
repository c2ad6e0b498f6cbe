"""The lunar sky: Sun and Earth at any site on the Moon."""

from lunarops.sky.functions import sky_fraction_ever_above_horizon
from lunarops.sky.summary import span_summary
from lunarops.sky.track import SkyTrack, sky_at_site

__all__ = ["SkyTrack", "sky_at_site", "sky_fraction_ever_above_horizon", "span_summary"]
