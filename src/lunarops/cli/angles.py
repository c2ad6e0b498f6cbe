"""Latitude and longitude as people type them: decimal degrees, signed or with a hemisphere letter.

``-89.45``, ``89.45S``, ``89.45 s`` are the same latitude; ``-137.31``, ``137.31W`` and ``222.69E`` the same
longitude (N and E positive). Anything else (degrees-minutes such as ``89°27'S``, a sign and a letter together,
a letter of the other axis, ``95S``) is refused with a message naming the option, the value typed and the
accepted forms. One parser for every command's --lat/--lon/--center-lat/--center-lon and ``--site NAME,LAT,LON``.
Plain numbers out of range (NaN and inf too) are left to each command's own range check (it names the option
and the value)."""

from __future__ import annotations

import re
from typing import Any

import typer

_LETTERED = re.compile(r"^(\d+(?:\.\d*)?|\.\d+)\s*([A-Za-z])$")
_FORMS = {
    "lat": "give decimal degrees, south negative (-89.45) or with a letter (89.45S)",
    "lon": "give decimal degrees east, west negative (-137.31 or 222.69) or with a letter (137.31W, 222.69E)",
}
_LETTERS = {"lat": {"N": 1.0, "S": -1.0}, "lon": {"E": 1.0, "W": -1.0}}
_LIMIT = {"lat": {"N": 90.0, "S": 90.0}, "lon": {"E": 360.0, "W": 180.0}}


def parse_angle(text: object, axis: str) -> float:
    """``text`` as degrees (N and E positive); ValueError with the accepted forms (without the option's name)
    unless it is a decimal number, or an unsigned one with a letter of ``axis`` ('lat': N/S, 'lon': E/W)."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        return float(text)
    raw = str(text)
    stripped = raw.strip()
    try:
        return float(stripped)  # a plain number, NaN and inf too: each command's range check names them
    except ValueError:
        pass
    match = _LETTERED.match(stripped)
    if match is None:
        signed = re.match(r"^[+-]\s*(\d+(?:\.\d*)?|\.\d+)\s*[A-Za-z]$", stripped)
        why = ("a sign and a letter together are ambiguous: give one of them" if signed is not None else
               "degrees-minutes(-seconds) are not read" if re.search(r"[°'\"′″:]|\d\s+\d", stripped) else
               "not decimal degrees")
        raise ValueError(f"{raw!r}: {why}; {_FORMS[axis]}")
    number, letter = float(match.group(1)), match.group(2).upper()
    if letter not in _LETTERS[axis]:
        other = "a longitude (E/W)" if axis == "lat" else "a latitude (N/S)"
        raise ValueError(f"{raw!r}: the letter {letter} is not a hemisphere of this axis (it would be {other}); "
                         f"{_FORMS[axis]}")
    if number > _LIMIT[axis][letter]:
        raise ValueError(f"{raw!r}: {number:g} deg {letter} is beyond {_LIMIT[axis][letter]:g} deg; {_FORMS[axis]}")
    return _LETTERS[axis][letter] * number


def _typer_parser(axis: str) -> Any:
    def parse(value: Any) -> Any:
        if value is None:
            return None
        try:
            return parse_angle(value, axis)
        except ValueError as error:
            raise typer.BadParameter(str(error)) from None

    return parse


# typer.Option(..., parser=LATITUDE): click prefixes the message with the option's name
# ("Invalid value for '--lat': '89°27'S': ...") and exits 2
LATITUDE = _typer_parser("lat")
LONGITUDE = _typer_parser("lon")
# for help texts
LAT_FORMS = "decimal, south negative or with a letter (-89.45 or 89.45S)"
LON_FORMS = "decimal, west negative or with a letter (222.69, -137.31 or 137.31W)"
