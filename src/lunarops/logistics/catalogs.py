"""Built-in catalogs of launch vehicles, spacecraft, elements and delta-v (YAML in lunarops/data/catalogs).

Every entry carries a ``source``. Scenarios override single fields of an entry or add entries; the merge is done
here so that the CLI, the runner and the tests see the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import yaml

from lunarops.errors import DataError, InputError

CATALOGS = ("launch_vehicles", "spacecraft", "elements", "delta_v")


@cache
def _load(name: str) -> dict[str, dict[str, Any]]:
    path = resources.files("lunarops") / "data" / "catalogs" / f"{name}.yaml"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DataError(f"catalog {path} cannot be read ({error}); reinstall lunarops") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise DataError(f"catalog {path} is not valid YAML: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("entries"), dict):
        raise DataError(f"catalog {path} must be a mapping with an `entries` mapping")
    for key, entry in data["entries"].items():
        if not isinstance(entry, dict) or "source" not in entry:
            raise DataError(f"catalog {path}: entry {key!r} must be a mapping with a `source`")
    return {str(k): dict(v) for k, v in data["entries"].items()}


def catalog(name: str) -> dict[str, dict[str, Any]]:
    """A copy of the built-in catalog ``name`` (one of CATALOGS): entry name -> fields (with ``source``)."""
    if name not in CATALOGS:
        raise DataError(f"no catalog {name!r}; choose one of {CATALOGS}")
    return {k: dict(v) for k, v in _load(name).items()}


def merged(name: str, overrides: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The catalog ``name`` with user overrides merged field by field (new names add entries)."""
    out = catalog(name)
    for key, fields in overrides.items():
        entry = out.setdefault(key, {"source": "user override (scenario file)"})
        entry.update({k: v for k, v in fields.items() if v is not None})
    return out


def delta_v_m_per_s(origin: str, destination: str) -> float | None:
    """Default delta-v of the leg ``origin->destination`` [m/s], None when no ledger has such a leg.

    The orbits stage's ledger (``lunarops.orbits.transfers.default_ledger``, Table 4 of Acta Astronautica 177
    (2020) 351-372) comes first; legs it lacks (e.g. NRHO->Earth) come from data/catalogs/delta_v.yaml.
    """
    try:
        from lunarops.orbits.transfers import default_ledger

        return float(default_ledger().leg(origin, destination).dv_m_per_s)
    except (ImportError, InputError):
        pass
    entry = _load("delta_v").get(f"{origin}->{destination}")
    return None if entry is None else float(entry["dv_km_per_s"]) * 1000.0


#: What a launch vehicle without a cost per launch (no ``cost_musd``) shows: unknown, not free.
NOT_PUBLIC = "not public"

#: The key figures of each catalog, in the order `lunarops campaign catalog` shows them.
LISTING_FIELDS: dict[str, tuple[str, ...]] = {
    "launch_vehicles": ("payload_kg", "cost_musd", "max_per_year", "first_flight_utc"),
    "spacecraft": (
        "payload_capacity_kg", "propellant_capacity_kg", "dry_mass_kg", "isp_s", "oxidizer_to_fuel", "oxidizer",
        "fuel", "unit_cost_musd", "sizing",
    ),
    "elements": ("mass_kg", "kind"),
    "delta_v": ("dv_km_per_s",),
}


def listing(overrides: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None) -> dict[str, list[dict[str, Any]]]:
    """The catalogs as rows for a listing (``lunarops campaign catalog``): per catalog one row per entry with its
    ``name``, the key figures of LISTING_FIELDS as the catalog holds them (absent fields left out, except a launch
    vehicle's ``cost_musd``: None when its cost is not public), and its ``source``. ``overrides`` (catalog ->
    entry -> fields, e.g. a scenario's campaign.spacecraft) are merged as a scenario merges them."""
    given = overrides or {}
    out: dict[str, list[dict[str, Any]]] = {}
    for name, fields in LISTING_FIELDS.items():
        entries = merged(name, given.get(name, {}))
        rows = []
        for key, entry in sorted(entries.items()):
            row: dict[str, Any] = {"name": key}
            row.update({f: entry[f] for f in fields if entry.get(f) is not None})
            if name == "launch_vehicles" and entry.get("cost_musd") is None:
                row["cost_musd"] = None  # not public (the listing prints "not public"): unknown, not free
            row["source"] = " ".join(str(entry.get("source", "")).split())
            rows.append(row)
        out[name] = rows
    return out
