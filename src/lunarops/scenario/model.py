"""The Scenario: one file that describes a station and how it is built and run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, model_validator

from lunarops.numformat import format_lat_lon
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

    def with_changes(self, changes: Mapping[str, Any]) -> Scenario:
        """A copy with fields set by dotted path, validated as a scenario file is: ``scenario.with_changes(
        {"operations.storage.battery.capacity_kwh": 800, "sites.0.mast_height_m": 10})``."""
        from lunarops.scenario.changes import with_changes

        return with_changes(self, changes)

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

    def arrival_problems(self) -> list[tuple[tuple[str | int, ...], str, str]]:
        """(field path, value, message) of every operations element whose arrives_with names no mission of the
        campaign's logistics that lands at the base. `parse_scenario` reports them with their lines."""
        if self.operations is None:
            return []
        logistics = self.campaign.logistics if self.campaign is not None else None
        missions = [m.name for m in logistics.missions] if logistics is not None else []
        problems = []
        for loc, element in self.operations.located_elements():
            ref = element.arrives_with
            if ref is None:
                continue
            name = getattr(element, "name", "element")
            if logistics is None:
                message = (
                    f"operations element {name!r}: arrives_with needs a campaign.logistics section whose missions "
                    "bring it; add one, or give online_utc (a date) instead"
                )
            elif ref not in missions:
                message = f"operations element {name!r}: not a campaign.logistics mission; choose one of {missions}"
            else:
                message = _lands_at_the_base(name, ref, logistics)
            if message:
                problems.append((("operations", *loc, "arrives_with"), ref, message))
        return problems


    def site_problems(self) -> list[tuple[tuple[str | int, ...], str, str]]:
        """(field path, value, message) of an operations.site that names no scenario site, and of sites outside
        the shipped DEM the terrain section names (the run would stop at its site stage)."""
        problems: list[tuple[tuple[str | int, ...], str, str]] = []
        names = [site.name for site in self.sites]
        base = self.operations.site if self.operations is not None else None
        if base is not None and base not in names:
            problems.append((
                ("operations", "site"), base,
                f"not one of the scenario's sites {names}; name one of them (or leave it out: the first site)",
            ))
        terrain = self.terrain
        if terrain is None or terrain.dem not in ("south", "north", "global"):
            return problems  # no terrain, the smooth sphere, or a DEM file (read by the site stage)
        from lunarops.terrain.dem import SHIPPED_DEMS_HINT
        from lunarops.terrain.readers import load_dem

        dem = load_dem(terrain.dem)
        given = "dem" in terrain.model_fields_set
        for i, site in enumerate(self.sites):
            if bool(dem.contains(site.latitude_deg, site.longitude_deg)):
                continue
            lat = site.latitude_deg
            suggestion = "south" if lat <= -70.2 else "north" if lat >= 70.2 else "global"
            problems.append((
                ("terrain", "dem") if given else ("sites", i, "latitude_deg"), terrain.dem if given else f"{lat:g}",
                f"site {site.name!r} ({format_lat_lon(lat, site.longitude_deg)}) is outside the DEM of terrain.dem = "
                f"{terrain.dem!r}{'' if given else ' (the default)'}; set terrain.dem: {suggestion} "
                f"({SHIPPED_DEMS_HINT})",
            ))
        return problems

    def step_problems(self) -> list[tuple[tuple[str | int, ...], str, str]]:
        """(field path, value, message) of operations components whose MTBF is shorter than the time step: the
        hourly engine cannot resolve more than one failure per step (and would draw failures without end)."""
        if self.operations is None:
            return []
        step_h = self.period.step_hours
        return [
            (
                ("operations", "components", i, "mtbf_h"),
                f"{c.mtbf_h:g}",
                f"component {c.name!r}: mtbf_h = {c.mtbf_h:g} h is shorter than the time step (period.step_hours = "
                f"{step_h:g} h); give an MTBF of at least one step, or a finer period.step_hours",
            )
            for i, c in enumerate(self.operations.components)
            if c.mtbf_h < step_h
        ]


def _lands_at_the_base(element: str, mission: str, logistics: Any) -> str:
    """Why ``mission`` does not go to the node the station is at ('' when it does)."""
    node = logistics.base_node()
    destination = next(m.destination for m in logistics.missions if m.name == mission)
    if node is None:
        return (
            f"operations element {element!r}: campaign.logistics missions go to several destinations "
            f"{sorted({m.destination for m in logistics.missions})} and name no ISRU node, so the base's node is "
            "not known; give online_utc instead"
        )
    if destination != node:
        to_base = [m.name for m in logistics.missions if m.destination == node]
        return (
            f"operations element {element!r}: a mission to {destination}, not to the base ({node}); choose one of "
            f"{to_base}"
        )
    return ""
