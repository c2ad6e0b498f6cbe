"""The Scenario: one file that describes a station and how it is built and run."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from lunarops.scenario.base import _Model
from lunarops.scenario.campaign import CampaignSection
from lunarops.scenario.core import Period, Site, SkyOptions
from lunarops.scenario.operations import OperationsSection
from lunarops.scenario.orbits import OrbitsSection
from lunarops.scenario.terrain import TerrainSection


class Scenario(_Model):
    """A lunarops scenario (schema version 1)."""

    schema_version: Literal[1] = 1
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    seed: int = Field(default=1, ge=0, description="root seed of every random draw in the run")
    period: Period
    sites: list[Site] = Field(min_length=1, max_length=1000)
    sky: SkyOptions = SkyOptions()
    terrain: TerrainSection | None = None
    orbits: OrbitsSection | None = None
    campaign: CampaignSection | None = None
    operations: OperationsSection | None = None

    @model_validator(mode="after")
    def _unique_site_names(self) -> Scenario:
        names = [site.name for site in self.sites]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"site names must be unique; {duplicated} appear more than once: rename them")
        return self

    @model_validator(mode="after")
    def _relays_need_orbiters(self) -> Scenario:
        comms = self.operations.comms if self.operations is not None else None
        if comms is not None and comms.mode == "direct_or_relay" and (self.orbits is None or not self.orbits.orbiters):
            raise ValueError(
                "operations.comms.mode = 'direct_or_relay' needs relays, the orbits section's orbiters, and the "
                "scenario has none: add an orbits section with orbiters or set operations.comms.mode: direct_to_earth"
            )
        return self

    @model_validator(mode="after")
    def _arrivals_name_missions(self) -> Scenario:
        if self.operations is None:
            return self
        logistics = self.campaign.logistics if self.campaign is not None else None
        missions = [m.name for m in logistics.missions] if logistics is not None else []
        for element in self.operations.elements():
            ref = element.arrives_with
            name = getattr(element, "name", "element")
            if ref is not None and logistics is not None and ref in missions:
                _lands_at_the_base(name, ref, logistics)
            if ref is None or ref in missions:
                continue
            if not missions:
                raise ValueError(
                    f"operations element {name!r}: arrives_with = {ref!r} needs a campaign.logistics section whose "
                    "missions bring it; add one, or give online_utc (a date) instead"
                )
            raise ValueError(
                f"operations element {name!r}: arrives_with = {ref!r} is not a campaign.logistics mission; "
                f"choose one of {missions}"
            )
        return self


def _lands_at_the_base(element: str, mission: str, logistics: Any) -> None:
    """ValueError unless ``mission`` goes to the node the station is at."""
    node = logistics.base_node()
    destination = next(m.destination for m in logistics.missions if m.name == mission)
    if node is None:
        raise ValueError(
            f"operations element {element!r}: arrives_with = {mission!r}, but campaign.logistics missions go to "
            f"several destinations {sorted({m.destination for m in logistics.missions})} and name no ISRU node, so "
            "the base's node is not known; give online_utc instead"
        )
    if destination != node:
        to_base = [m.name for m in logistics.missions if m.destination == node]
        raise ValueError(
            f"operations element {element!r}: arrives_with = {mission!r}, a mission to {destination}, not to the "
            f"base ({node}); choose one of {to_base}"
        )
