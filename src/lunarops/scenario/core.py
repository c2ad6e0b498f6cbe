"""The core of a scenario: name, period, sites and sky options."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal

from pydantic import Field, field_validator, model_validator

from lunarops.constants import KERNEL_FIRST_UTC, KERNEL_LAST_UTC
from lunarops.scenario.base import _Model
from lunarops.timescale import half_open_count

#: Oldest and newest instants a scenario may name (the shipped kernels' coverage, lunarops.constants).
KERNEL_START_UTC = KERNEL_FIRST_UTC
KERNEL_END_UTC = KERNEL_LAST_UTC
MAX_STEPS = 5_000_000


def _as_utc(value: object) -> object:
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{value!r} is not an ISO 8601 time; write e.g. '2030-01-01T00:00:00Z'") from None
        value = parsed
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        if not KERNEL_START_UTC <= value <= KERNEL_END_UTC:
            raise ValueError(
                f"{value.isoformat()} is outside the coverage of the shipped kernels, {KERNEL_START_UTC.date()}.."
                f"{KERNEL_END_UTC.date()}; choose a time inside it"
            )
        return value
    return value


class Period(_Model):
    """The simulated time span, UTC, and the time step: samples start_utc + k step before end_utc (half-open)."""

    start_utc: datetime = Field(description="first sample, UTC")
    end_utc: datetime = Field(description="end of the period, UTC, not sampled: samples start + k step before it")
    step_hours: float = Field(default=1.0, gt=0, le=24 * 30)

    _parse = field_validator("start_utc", "end_utc", mode="before")(_as_utc)

    @model_validator(mode="after")
    def _check(self) -> Period:
        if self.end_utc <= self.start_utc:
            raise ValueError(
                f"end_utc ({self.end_utc.isoformat()}) must be after start_utc ({self.start_utc.isoformat()})"
            )
        if self.start_utc < KERNEL_START_UTC or self.end_utc > KERNEL_END_UTC:
            raise ValueError(
                f"the period {self.start_utc.date()}..{self.end_utc.date()} leaves the lunar orientation kernel's "
                f"coverage {KERNEL_START_UTC.date()}..{KERNEL_END_UTC.date()}; choose dates inside it"
            )
        if self.n_steps > MAX_STEPS:
            count = f"{self.n_steps:,}" if self.n_steps < 10**12 else f"{float(self.n_steps):.3g}"
            raise ValueError(
                f"the period has {count} steps of {self.step_hours:g} h, more than {MAX_STEPS:,}; "
                "raise step_hours or shorten the period"
            )
        return self

    @property
    def step_s(self) -> float:
        return self.step_hours * 3600.0

    @property
    def n_steps(self) -> int:
        """Samples of the half-open period [start_utc, end_utc) (:func:`lunarops.timescale.utc_period`)."""
        return half_open_count((self.end_utc - self.start_utc).total_seconds(), self.step_s)


class Site(_Model):
    """A candidate site on the Moon (Moon ME frame, planetocentric, on the 1737.4 km sphere)."""

    name: str = Field(min_length=1, max_length=80)
    latitude_deg: float = Field(ge=-90, le=90)
    longitude_deg: float = Field(ge=-180, le=360, description="east longitude, -180..180 or 0..360")
    mast_height_m: float = Field(default=0.0, ge=0, le=1000, description="height of the observer over the ground")
    ground_height_m: float | None = Field(
        default=None,
        ge=-10_000,
        le=11_000,
        description="ground height above the 1737.4 km sphere; taken from the DEM when omitted (0 with no terrain)",
    )


class SkyOptions(_Model):
    """How the sky stage computes Sun and Earth directions."""

    correction: Literal["apparent", "geometric"] = "apparent"
