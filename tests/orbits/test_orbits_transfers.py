"""The delta-v ledger against Acta Astronautica 177 (2020) 351-372, Table 4, and computed transfer options."""

from __future__ import annotations

import math

import pytest

from lunarops.constants import G0_M_PER_S2
from lunarops.errors import InputError
from lunarops.orbits.families import nrho
from lunarops.orbits.transfers import Leg, bielliptic_leg, default_ledger, hohmann_leg, nrho_llo_estimate


def test_table4_leo_nrho_llo_surface() -> None:
    # Acta Astronautica 177 (2020), Table 4: 3.276 + 0.450 + 0.740 + 2.180 = 6.646 km/s.
    ledger = default_ledger()
    assert ledger.path_dv_m_per_s(["LEO", "TLI", "NRHO", "LLO", "surface"]) == pytest.approx(6646.0, abs=1e-9)


def test_table4_return_legs() -> None:
    # Table 4: surface -> LLO 1.968 km/s, LLO -> NRHO 0.850 km/s.
    assert default_ledger().path_dv_m_per_s(["surface", "LLO", "NRHO"]) == pytest.approx(2818.0, abs=1e-9)


def test_cheapest_path() -> None:
    path, dv = default_ledger().cheapest_path("LEO", "surface")
    assert path == ["LEO", "TLI", "NRHO", "LLO", "surface"]
    assert dv == pytest.approx(6646.0)


def test_propellant_chain_matches_rocket_equation() -> None:
    steps = default_ledger().fly(["LEO", "TLI", "NRHO", "LLO", "surface"], 10_000.0, 450.0)
    total_ratio = steps[0].mass_before_kg / 10_000.0
    assert total_ratio == pytest.approx(math.exp(6646.0 / (450.0 * G0_M_PER_S2)), rel=1e-12)


def test_unknown_node_and_missing_leg_are_named_errors() -> None:
    ledger = default_ledger()
    with pytest.raises(InputError, match="unknown node 'GEO'"):
        ledger.path_dv_m_per_s(["LEO", "GEO"])
    with pytest.raises(InputError, match="no leg LEO -> surface"):
        ledger.path_dv_m_per_s(["LEO", "surface"])
    with pytest.raises(InputError, match="specific impulse"):
        ledger.fly(["LEO", "TLI"], 100.0, -1.0)
    with pytest.raises(InputError, match=">= 0"):
        ledger.with_leg(Leg("LEO", "TLI", -5.0, "bad"))


def test_overriding_a_leg() -> None:
    ledger = default_ledger().with_leg(Leg("NRHO", "LLO", 800.0, "own estimate"))
    assert ledger.path_dv_m_per_s(["NRHO", "LLO"]) == 800.0


def test_nrho_llo_estimate_brackets_table4() -> None:
    # A coplanar two-impulse NRHO-perilune -> 100 km LLO transfer: Table 4 gives 0.740 (NRHO->LLO) and
    # 0.850 km/s (LLO->NRHO) for the optimized transfers; the simple estimate must be within 20 % of them.
    estimate = nrho_llo_estimate(nrho("9:2"), 100.0)
    assert 0.8 * 740.0 < estimate["dv_total_m_per_s"] < 1.2 * 850.0
    assert estimate["perilune_radius_km"] == pytest.approx(3250.0, abs=50.0)


def test_lunar_hohmann_and_bielliptic_legs() -> None:
    assert hohmann_leg(100.0, 500.0).dv_m_per_s < bielliptic_leg(100.0, 500.0, 20000.0).dv_m_per_s
    with pytest.raises(InputError, match="at or below the lunar surface"):
        hohmann_leg(-10.0, 100.0)
    with pytest.raises(InputError, match="above both end orbits"):
        bielliptic_leg(100.0, 500.0, 300.0)
