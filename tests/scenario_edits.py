"""Edits of scenario mappings shared by tests (importable: tests/ is on sys.path through its conftest.py)."""

from __future__ import annotations


def without_campaign(data: dict) -> dict:  # type: ignore[type-arg]
    """A scenario mapping without its campaign: its operations elements there from the start (no arrives_with)."""
    data.pop("campaign", None)
    ops = data.get("operations") or {}
    power, storage = ops.get("power") or {}, ops.get("storage") or {}
    elements = [*(power.get(key) or [] for key in ("solar_arrays", "radioisotope_units", "fission_plants"))]
    flat = [e for group in elements for e in group]
    flat += [storage.get(key) for key in ("battery", "fuel_cell")] + [ops.get("comms"), ops.get("consumables")]
    flat += [*(ops.get("loads") or []), *(ops.get("isru") or [])]
    for element in flat:
        if isinstance(element, dict):
            element.pop("arrives_with", None)
    # arrival slips keyed by the campaign's missions go with it (those keyed by an element's name stay)
    names = {element.get("name") for element in flat if isinstance(element, dict)}
    slips = {key: slip for key, slip in (ops.get("arrival_slips") or {}).items() if key in names}
    if slips:
        ops["arrival_slips"] = slips
    else:
        ops.pop("arrival_slips", None)
    return data


def without_orbits_and_terrain(data: dict, start_utc: str, end_utc: str, step_hours: float, runs: int) -> dict:  # type: ignore[type-arg]
    """The example's mapping on smooth-sphere light with a direct link only (its relays were the orbits section's
    orbiters), over [start_utc, end_utc) at step_hours, with ``runs`` Monte Carlo runs."""
    for section in ("orbits", "terrain"):
        data.pop(section, None)
    direct_to_earth(data)
    data["period"] = {"start_utc": start_utc, "end_utc": end_utc, "step_hours": step_hours}
    data["operations"]["monte_carlo"]["runs"] = runs
    return data


def direct_to_earth(data: dict) -> dict:  # type: ignore[type-arg]
    """The scenario mapping's link set to direct to Earth only, without its relay settings (the example's relays
    are the orbits section's orbiters; a relay setting on a direct link is refused)."""
    comms = data["operations"]["comms"]
    comms["mode"] = "direct_to_earth"
    for key in ("relay_link_budget", "relay_data_rate_mbps"):
        comms.pop(key, None)
    return data
