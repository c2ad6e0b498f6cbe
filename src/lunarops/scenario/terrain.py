"""The `terrain` section of a scenario file: DEM, horizon conventions, PSR and site-ranking options."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field, field_validator, model_validator

from lunarops.constants import NODAL_PERIOD_S
from lunarops.scenario.base import _Model
from lunarops.scenario.core import _as_utc

SHIPPED_DEMS = ("south", "north", "global")


class PsrOptions(_Model):
    """How the site stage finds the nearest permanently shadowed region (PSR)."""

    enabled: bool = True
    search_radius_km: float = Field(
        default=40.0, gt=0, le=300,
        description="PSR cells are searched within this distance of each site; farther PSRs report 'none within'",
    )
    cycle_start_utc: str = "2030-01-01"
    cycle_end_utc: str = Field(default="2049-12-31", description="the Sun's envelope covers start..end (>= 18.6 yr)")
    cycle_step_hours: float = Field(default=1.0, gt=0, le=6)

    @field_validator("cycle_start_utc", "cycle_end_utc", mode="before")
    @classmethod
    def _iso_time(cls, value: object) -> object:
        # YAML reads an unquoted 2030-01-01 as a date: kept as its ISO text
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str):
            _as_utc(value)  # ValueError naming the value and the format
        return value

    @model_validator(mode="after")
    def _whole_cycle(self) -> PsrOptions:
        start, end = _as_utc(self.cycle_start_utc), _as_utc(self.cycle_end_utc)
        if not (isinstance(start, datetime) and isinstance(end, datetime)):
            return self
        span_s = (end - start).total_seconds()
        if span_s < NODAL_PERIOD_S:
            raise ValueError(
                f"cycle_start_utc..cycle_end_utc = {self.cycle_start_utc}..{self.cycle_end_utc} spans "
                f"{span_s / 86400.0:.2f} days, less than the nodal precession cycle a permanent shadow must last "
                f"({NODAL_PERIOD_S / 86400.0} days, 18.61 yr); e.g. 2030-01-01..2049-12-31"
            )
        return self


class RankingWeights(_Model):
    """Weights of the site score (normalized by their sum)."""

    sunlit: float = Field(default=0.4, ge=0)
    darkness: float = Field(default=0.2, ge=0)
    earth: float = Field(default=0.2, ge=0)
    slope: float = Field(default=0.1, ge=0)
    psr_distance: float = Field(default=0.1, ge=0)

    @model_validator(mode="after")
    def _some_weight(self) -> RankingWeights:
        if self.sunlit + self.darkness + self.earth + self.slope + self.psr_distance <= 0:
            raise ValueError("terrain.ranking.weights are all 0; give at least one positive weight")
        return self


class RankingOptions(_Model):
    """Site ranking: weights and the scales that map each metric to a 0..1 score."""

    weights: RankingWeights = RankingWeights()
    darkness_scale_hours: float = Field(
        default=354.4, gt=0, description="darkness this long scores 0 (half a synodic month)"
    )
    slope_limit_deg: float = Field(default=15.0, gt=0, le=60, description="slope at which the slope score reaches 0")
    psr_scale_km: float = Field(default=20.0, gt=0, description="PSR distance at which the proximity score reaches 0")
    traverse_max_slope_deg: float = Field(
        default=20.0, gt=0, lt=90,
        description=(
            "steepest slope [deg] the drivable traverse to the nearest PSR may climb or descend (psr_traverse_km; "
            "the Apollo LRV managed ~25 deg, docs/illumination.md); slopes are 1.6 km averages on the shipped DEMs"
        ),
    )


class MapOptions(_Model):
    """The illumination map drawn around the sites in the report."""

    enabled: bool = True
    half_size_km: float = Field(default=15.0, gt=0, le=150)
    step_hours: float = Field(
        default=6.0, gt=0, le=48, description="Sun sampling of the map (the sites use the period's step)"
    )
    max_days: float = Field(
        default=366.0, gt=0, description="the map covers at most this many days from the period start"
    )


class TerrainSection(_Model):
    """Options of the site stage (terrain, horizons, light, Earth visibility, PSRs, ranking)."""

    dem: str = Field(
        default="south",
        description="'south', 'north', 'global' (shipped LOLA DEMs), a DEM file path, or 'none' for the smooth sphere",
    )
    min_distance_m: float | None = Field(
        default=None, gt=0, le=50_000, description="terrain nearer than this is ignored (default one DEM pixel)"
    )
    n_azimuth: int = Field(default=360, ge=8, le=7200)  # 8: terrain.horizon.LIGHT_MIN_N_AZIMUTH
    horizon_mode: Literal["auto", "sweep", "sweep_fast", "fast", "accurate"] = Field(
        default="auto",
        description=(
            "horizons of the light and PSR maps: 'auto' (line sweep for big polar windows, else ray casting), "
            "'sweep', 'sweep_fast' (coarser, for screening; docs/terrain.md), 'fast' or 'accurate' (ray casting)"
        ),
    )
    psr: PsrOptions = PsrOptions()
    ranking: RankingOptions = RankingOptions()
    map: MapOptions = MapOptions()

    @field_validator("dem")
    @classmethod
    def _dem(cls, value: str) -> str:
        text = value.strip()
        if not text:
            raise ValueError("terrain.dem is empty; use 'south', 'north', 'global', 'none' or a DEM path")
        return text
