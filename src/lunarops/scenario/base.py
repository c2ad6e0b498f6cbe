"""The base of every scenario model: unknown fields rejected, frozen once validated."""

from typing import Any

from pydantic import BaseModel, ConfigDict

from lunarops.errors import InputError


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False)

    def __setattr__(self, name: str, value: Any) -> None:
        raise InputError(
            f"{type(self).__name__}.{name} cannot be set: a scenario is fixed once validated; make a changed copy, "
            f"e.g. scenario.with_changes({{'operations.storage.battery.capacity_kwh': 800}}) (dotted field paths)"
        )
