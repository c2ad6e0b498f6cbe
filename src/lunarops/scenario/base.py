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
        # pydantic's lax mode reads true as 1 for a number, 1 as true and 2030 as seconds after 1970 for a time:
        # refused, at the field or the item (a field validator "*" cannot run on a discriminated union's `kind`)
        if not isinstance(data, dict):
            return data
        errors = []
        for name, value in data.items():
            field = cls.model_fields.get(name) if isinstance(name, str) else None
            if field is None:
                continue
            for loc, item, message in _coercions(value, field.annotation, (name,)):
                kind = PydanticCustomError("coerced_scalar", message)
                errors.append(InitErrorDetails(type=kind, loc=loc, input=item))
        if errors:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return data


def _coercions(value: Any, annotation: Any, loc: tuple[Any, ...]) -> list[tuple[tuple[Any, ...], Any, str]]:
    """Where ``value`` (a field's, or its items' in lists and mappings) is a scalar pydantic would silently read
    as another kind: (location, value, message) each."""
    if isinstance(value, dict):
        found = []
        for (item_annotation,) in _item_annotations(annotation, dict):
            for key, item in value.items():
                found += _coercions(item, item_annotation, (*loc, key))
        return found
    if isinstance(value, list | tuple):
        found = []
        for items in _item_annotations(annotation, list):  # (X,) for every item, or a tuple's one per position
            if len(items) == 1 or len(items) == len(value):
                for index, item in enumerate(value):
                    found += _coercions(item, items[index % len(items)], (*loc, index))
        return found
    if not isinstance(value, int | float):
        return []
    accepted = _scalar_types(annotation)
    if isinstance(value, bool) and bool not in accepted and accepted & {int, float}:
        return [(loc, value, f"{str(value).lower()} is a boolean, not a number; give a number")]
    if not isinstance(value, bool) and accepted == {bool}:
        return [(loc, value, f"{value!r} is a number, not true or false; give true or false")]
    timelike = any(isinstance(t, type) and issubclass(t, date) for t in accepted)
    if not isinstance(value, bool) and timelike and not accepted & {bool, int, float}:
        message = (
            f"{value!r} is a number, not a date or time; write an ISO 8601 date or UTC time, e.g. 2030-01-01 "
            "or 2030-01-01T00:00:00Z"
        )
        return [(loc, value, message)]
    return []


def _item_annotations(annotation: Any, container: type) -> list[tuple[Any, ...]]:
    """The item annotations of the mappings (``container`` dict: their values, as (X,)) or sequences (list: (X,)
    for lists, sets and tuple[X, ...], a fixed tuple's per position) that ``annotation`` accepts, through unions,
    Optional and Annotated."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _item_annotations(args[0], container)
    if container is dict and origin is dict and len(args) == 2:
        return [(args[1],)]
    if container is list and origin in (list, set, frozenset) and args:
        return [(args[0],)]
    if container is list and origin is tuple and args:
        return [(args[0],)] if len(args) == 2 and args[1] is Ellipsis else [tuple(args)]
    found: list[tuple[Any, ...]] = []
    if origin is not None and origin not in (dict, list, tuple, set, frozenset):  # a union: each branch
        for arg in args:
            found += _item_annotations(arg, container)
    return found
