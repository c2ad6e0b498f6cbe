"""The `campaign` section of a scenario file."""

from lunarops.scenario.base import _Model


class CampaignSection(_Model):
    """Options of the campaign stage."""
