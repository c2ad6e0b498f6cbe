"""The `operations` section of a scenario file."""

from lunarops.scenario.base import _Model


class OperationsSection(_Model):
    """Options of the operations stage."""
