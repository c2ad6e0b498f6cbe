"""The results files' columns carry their units in the Parquet metadata (a data engineer's user study, session 18:
2 of 300 columns had them), read from the unit each name carries (lunarops.units.unit_of)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from lunarops.store import write_dataset
from lunarops.store.parquet import read_attrs
from lunarops.units import unit_of


@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("data_returned_bits", "bit"),
        ("generation_w", "W"),
        ("run_min_battery_soc", "fraction (0-1)"),
        ("area_km2", "km2"),
        ("dv_km_per_s", "km/s"),
        ("load_year_scheduled_h", "h"),
        ("rho_min_storage_fraction", "correlation (-1..1)"),  # not the fraction its name ends with
        ("crew", "persons"),
        ("site", ""),
        ("month", ""),
    ],
)
def test_unit_of_a_name(name: str, unit: str) -> None:
    # each unit read off the name as docs/nomenclature.md spells it (e.g. _bits, _w, _km2, _per_s)
    assert unit_of(name) == unit


def test_parquet_columns_carry_their_units(tmp_path: Path) -> None:
    ds = xr.Dataset(
        {"generation_w": ("time", np.ones(3)), "storage_fraction": ("time", np.ones(3)),
         "battery_j": ("time", np.ones(3), {"units": "J (nameplate)"})},
        coords={"time": np.arange(3)},
    )
    attrs = read_attrs(write_dataset(ds, tmp_path / "x.parquet"))["variables"]
    assert attrs["generation_w"]["units"] == "W" and attrs["storage_fraction"]["units"] == "fraction (0-1)"
    assert attrs["battery_j"]["units"] == "J (nameplate)"  # a variable's own units win
    assert "time" not in attrs  # no unit in the name: nothing added


@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("degradation_per_year", "1/year"),  # a share per year (was "degradation/year")
        ("specific_energy_wh_per_kg", "Wh/kg"),
        ("kg_per_crew_day", "kg/crew-day"),
        ("g_over_t_db_per_k", "dB/K"),
    ],
)
def test_unit_of_a_rate(name: str, unit: str) -> None:
    assert unit_of(name) == unit
