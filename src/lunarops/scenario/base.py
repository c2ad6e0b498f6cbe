"""The base of every scenario model: unknown fields rejected, frozen once validated."""

import typing
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from lunarops.errors import InputError


def _scalar_types(annotation: Any) -> set[Any]:
    """The plain types a field's annotation accepts, through unions, Optional, Annotated, lists and Literals."""
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return {annotation}
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return {type(value) for value in typing.get_args(annotation)}
    if origin is typing.Annotated:
        return _scalar_types(typing.get_args(annotation)[0])
    found: set[Any] = set()
    if origin is not None:  # unions (X | Y, Optional) and containers: their arguments
        for arg in typing.get_args(annotation):
            found |= _scalar_types(arg)
    return found


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False)

    def __setattr__(self, name: str, value: Any) -> None:
        raise InputError(
            f"{type(self).__name__}.{name} cannot be set: a scenario is fixed once validated; make a changed copy, "
            f"e.g. scenario.with_changes({{'operations.storage.battery.capacity_kwh': 800}}) (dotted field paths)"
        )

    @model_validator(mode="before")
    @classmethod
    def _no_silent_coercion(cls, data: Any) -> Any:
        # pydantic's lax mode reads true as 1 for a number and 2030 as seconds after 1970 for a time: refused, at
        # the field (a field validator "*" cannot run on a discriminated union's `kind`)
        if not isinstance(data, dict):
            return data
        errors = []
        for name, value in data.items():
            field = cls.model_fields.get(name) if isinstance(name, str) else None
            if field is None or not isinstance(value, int | float):
                continue
            accepted = _scalar_types(field.annotation)
            message = ""
            if isinstance(value, bool) and bool not in accepted and accepted & {int, float}:
                message = f"{str(value).lower()} is a boolean, not a number; give a number"
            timelike = any(isinstance(t, type) and issubclass(t, date) for t in accepted)
            if not isinstance(value, bool) and timelike and not accepted & {bool, int, float}:
                message = (
                    f"{value!r} is a number, not a date or time; write an ISO 8601 date or UTC time, e.g. 2030-01-01 "
                    "or 2030-01-01T00:00:00Z"
                )
            if message:
                kind = PydanticCustomError("coerced_scalar", message)
                errors.append(InitErrorDetails(type=kind, loc=(name,), input=value))
        if errors:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return data
