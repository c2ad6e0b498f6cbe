"""The unit a value's name carries: lunarops names every value with its unit (docs/nomenclature.md), so
"data_returned_gb_p50" is in GB and "dv_km_per_s" in km/s. Used by the report's unit column and the results
files' column metadata."""

from __future__ import annotations

# the last unit word of the name wins, after the statistic (p05, p50, mean, ...) is set aside
_UNIT_WORDS = {
    "kg": "kg", "t": "t", "gb": "GB", "tb": "TB", "mbps": "Mbps", "km": "km", "m": "m", "s": "s", "seconds": "s",
    "h": "h", "hours": "h", "days": "d", "d": "d", "deg": "deg", "rad": "rad", "kw": "kW", "kwh": "kWh",
    "mwh": "MWh", "wh": "Wh", "j": "J", "w": "W", "db": "dB", "dbw": "dBW", "k": "K", "bits": "bit", "bps": "bit/s",
    "km2": "km2", "m2": "m2",
    "musd": "M USD", "fraction": "fraction (0-1)", "share": "fraction (0-1)", "probability": "fraction (0-1)",
    "charge": "fraction (0-1)", "gap": "fraction (0-1)", "events": "count", "missions": "count", "runs": "count",
    "failures": "count", "spares": "count", "times": "count", "flights": "count", "variables": "count",
    "constraints": "count", "integer": "count", "cells": "count", "counts": "count", "launches": "count",
    "soc": "fraction (0-1)", "crew": "persons", "msv": "mSv", "usv": "uSv", "stays": "count",
}
_STATISTICS = {"p05", "p50", "p95", "mean", "median", "max", "min", "ci95", "sd"}


def unit_of(key: str) -> str:
    """The unit of a value from its name ("data_returned_gb_p50" -> "GB", "dv_km_per_s" -> "km/s",
    "probability_brownout" -> "fraction (0-1)", "rho_isru_o2" -> "correlation (-1..1)"); "" when the name
    carries none (a text, a name, a count of something unnamed)."""
    name = key.split("[")[0].split(":")[-1].strip().lower().replace(" ", "_")
    name = name.rsplit(".", 1)[-1]  # a sweep table's "stage.key"
    if name.startswith("rho_"):
        return "correlation (-1..1)"
    if "_per_" in name:
        # "dv_km_per_s" -> km/s; "degradation_per_year" -> 1/year (a share per year); "kg_per_crew_day" ->
        # kg/crew-day: the top's last unit word (1 when none) over the bottom's words
        top, _, bottom = name.rpartition("_per_")
        top_unit = next((_UNIT_WORDS[w] for w in reversed(top.split("_")) if w in _UNIT_WORDS), "1")
        bottom_unit = _UNIT_WORDS.get(bottom, bottom.replace("_", "-"))
        return f"{top_unit}/{bottom_unit}"
    words = [w for w in name.split("_") if w and w not in _STATISTICS]
    if words[-2:] == ["person", "msv"]:  # a collective dose
        return "person-mSv"
    if name.startswith(("n_", "vehicles_launched", "launches_")):  # launches_<vehicle>: any vehicle name
        return "count"
    if words and words[0] == "probability":
        return "fraction (0-1)"
    for word in reversed(words):
        if word in _UNIT_WORDS:
            return _UNIT_WORDS[word]
    return ""
