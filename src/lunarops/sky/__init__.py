"""The lunar sky: Sun and Earth at any site on the Moon."""

from lunarops.sky.track import SkyTrack, sky_at_site

__all__ = ["SkyTrack", "sky_at_site"]
