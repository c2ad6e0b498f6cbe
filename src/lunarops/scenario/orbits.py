"""The `orbits` section of a scenario file."""

from lunarops.scenario.base import _Model


class OrbitsSection(_Model):
    """Options of the orbits stage."""
