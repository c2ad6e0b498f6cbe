"""How lunarops writes a number for people: the report's tables and the console alike."""

from __future__ import annotations

import math


def format_number(value: float) -> str:
    """One style for every number of the report: thousands grouped and whole from 1,000 on (71,221 rather than
    7.122e+04) up to 1e9, 4 significant digits otherwise; no negative zero; "inf" for an unbounded figure (e.g.
    the reserve days of a station without crew), "n/a" for NaN (not computed)."""
    special = _special_text(value)
    if special is not None:
        return special
    if 1000.0 <= abs(value) < 1e9:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def significant(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant figures without an exponent and without trailing zeros: 255957 -> 256,000,
    0.924 -> 0.924, 0.5 -> 0.5, 4.2496 -> 4.25; "inf" / "n/a" for inf / NaN."""
    value = float(value)
    special = _special_text(value)
    if special is not None:
        return special
    rounded = float(f"{value:.{digits}g}")
    if abs(rounded) >= 1000.0:
        return f"{rounded:,.0f}"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(rounded))))
    text = f"{rounded:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _special_text(value: float) -> str | None:
    """The text of a number that has no digits to round: "n/a" for NaN, "inf" / "-inf", "0" (no negative zero)."""
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == 0.0:
        return "0"
    return None


def format_value(value: object) -> str:
    """A summary value as people read it: numbers by :func:`format_number`, lists of numbers (e.g. a confidence
    interval) as "[0.000127, 0.0275]", anything else as its text."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return format_number(float(value)) if isinstance(value, float) else f"{value:,}"
    if isinstance(value, list | tuple) and value and all(isinstance(v, int | float) for v in value):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    return str(value)


def format_lat_lon(latitude_deg: float, longitude_deg: float, digits: int = 4) -> str:
    """A place as people write it: ``89.4500 S, 222.6900 E``, the latitude with its hemisphere letter and the
    longitude east in [0, 360) whatever the sign it was given with (-137.31 -> 222.6900 E)."""
    lat, lon = float(latitude_deg), float(longitude_deg) % 360.0
    if round(lon, digits) >= 360.0:
        lon = 0.0
    return f"{abs(lat):.{digits}f} {'S' if lat < 0 else 'N'}, {lon:.{digits}f} E"
