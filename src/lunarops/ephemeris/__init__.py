"""JPL DE421 positions relative to the Moon and the NAIF Moon ME frame."""

from lunarops.ephemeris.moon import MoonEphemeris, default_ephemeris

__all__ = ["MoonEphemeris", "default_ephemeris"]
