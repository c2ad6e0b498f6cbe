"""The `terrain` section of a scenario file."""

from lunarops.scenario.base import _Model


class TerrainSection(_Model):
    """Options of the terrain stage."""
