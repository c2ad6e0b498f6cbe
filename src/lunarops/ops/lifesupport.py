"""Crew metabolic rates and the life-support loop (layer 2).

Rates are per crew-member-day (CM-d) from NASA's Life Support Baseline Values and Assumptions Document (BVAD),
Anderson, Ewert & Keener, NASA/TP-2015-218570/REV2 (2022), Table 3-31 "Summary of Nominal Human Metabolic
Interface Values" (82 kg reference crewmember, daily exercise included): O2 0.895 kg, CO2 1.085 kg, potable
water 3.217 kg (food preparation 0.5 + drinking 2.0 + 0.717 exercise/balance), food solids 0.800 kg (dry),
metabolic heat 12.426 MJ (143.8 W). Outputs (same table): respiration and perspiration water 2.946 kg, urine
water 1.420 kg, fecal water 0.101 kg, fecal solids 0.032 kg (dry); inputs not drawn from the stores: water in the
food 0.760 kg (shipped with it), metabolic water 0.490 kg. Water in = out: 3.217 + 0.760 + 0.490 = 4.467 =
2.946 + 1.420 + 0.101.

Food is drawn from the stores as shipped (``food_basis = "packaged"``, the default): ISS packaged food is
1.82 kg/CM-d, packaging about 15 % of it (M. Cooper et al., "Food Mass Reduction Trade Study", NTRS 20090006804,
2009: "reduce the mass of the packaged food from 1.82 kg per person per day to 1.14"), so the stores' and
cargo's ``food_kg`` is the shipped mass; ``food_basis = "dry"`` draws BVAD's 0.800 kg of dry solids instead.

Not in these rates: hygiene, laundry and flush water (``other_water_kg_per_day``, 0 unless the scenario sets
it). Added to them while crew are aboard (0 unless set): EVA suit O2 and sublimator water (``eva_o2_kg_per_day``,
``eva_water_kg_per_day`` per crew member) and the O2 in the cabin air that leaks (``cabin_leak_o2_kg_per_day``,
whole habitat); these come from the stores, not the loop. Leaked N2 and airlock gas are not drawn (no N2 store).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from lunarops.errors import InputError
from lunarops.ops import functions as fn
from lunarops.ops.uncertain import Uncertain

DAY_S = 86400.0

# Whole-system water recovery measured on the ISS (of the water the WRS collects: urine and condensate).
# Urine processor at 87 %, overall about 93.5 % (L. Carter, NASA MSFC, in NASA's feature "New brine processor
# increases water recycling on International Space Station", March 2021);
# 98 % with the Brine Processor Assembly (NASA, "NASA Achieves Water Recovery Milestone on International Space
# Station", 20 June 2023).
ISS_WATER_RECOVERY_FRACTION = 0.935
ISS_WATER_RECOVERY_WITH_BRINE_FRACTION = 0.98
# ISS packaged food as shipped (food, its water and packaging) per crew-member-day: NTRS 20090006804
ISS_PACKAGED_FOOD_KG_PER_DAY = 1.82
FOOD_BASES = ("packaged", "dry")
# N2 molar mass (IUPAC 2021 standard atomic weight 14.007) [kg/mol]
M_N2_KG_PER_MOL = 28.014e-3
# Sea-level air: O2 mole fraction 0.2095 (dry air; US Standard Atmosphere 1976)
AIR_O2_MOLE_FRACTION = 0.2095
# EMU design average metabolic rate over a 7 h EVA, 1000 Btu/h (ISS EVA 23 Water Intrusion Mishap Investigation
# Report, NASA 2013, sec. 3) = 293.07 W (1 Btu/h = 0.29307107 W)
EVA_METABOLIC_W = 1000.0 * 0.29307107
# Latent heat of sublimation of ice near 0 C, 2.834 MJ/kg (CRC Handbook of Chemistry and Physics)
ICE_SUBLIMATION_J_PER_KG = 2.834e6


def o2_mass_fraction(o2_mole_fraction: float) -> float:
    """Mass share of O2 in an O2/N2 cabin atmosphere with O2 mole fraction ``o2_mole_fraction``."""
    x = o2_mole_fraction
    return x * fn.M_O2_KG_PER_MOL / (x * fn.M_O2_KG_PER_MOL + (1.0 - x) * M_N2_KG_PER_MOL)


def eva_o2_kg_per_hour_estimate(metabolic_w: float = EVA_METABOLIC_W) -> float:
    """Suit O2 per EVA hour at ``metabolic_w``, at BVAD Table 3-31's O2 per metabolic energy (0.895 kg per
    12.426 MJ): 0.0760 kg/h at the EMU's 1000 Btu/h (no suit leakage or purge). [kg/h]"""
    return 0.895 / (143.8 * DAY_S) * metabolic_w * 3600.0


def eva_water_kg_per_hour_estimate(metabolic_w: float = EVA_METABOLIC_W) -> float:
    """Sublimator water per EVA hour if the sublimator rejects the whole ``metabolic_w`` (latent heat of ice
    2.834 MJ/kg): 0.372 kg/h at 1000 Btu/h. A lower figure than a real suit's (the PLSS's own heat and the
    environment's add to it): give the suit's own where known. [kg/h]"""
    return metabolic_w * 3600.0 / ICE_SUBLIMATION_J_PER_KG


@dataclass(frozen=True)
class CrewRates:
    """Consumption and production per crew member per day. [kg/d, W]"""

    o2_kg_per_day: float = 0.895
    co2_kg_per_day: float = 1.085
    potable_water_kg_per_day: float = 3.217
    food_solids_kg_per_day: float = 0.800
    metabolic_heat_w: float = 143.8
    # Water used for hygiene, laundry and flush beyond drinking and food preparation; 0 keeps BVAD's potable
    # figure alone (a scenario may add e.g. the BVAD hygiene allowances).
    other_water_kg_per_day: float = 0.0
    # BVAD Table 3-31 terms the engine does not draw from the stores (mass balance and waste sizing)
    food_water_kg_per_day: float = 0.760  # water in the food as eaten, shipped with it
    metabolic_water_kg_per_day: float = 0.490  # made by oxidising food
    respiration_perspiration_water_kg_per_day: float = 2.946  # humidity condensate
    urine_water_kg_per_day: float = 1.420
    fecal_water_kg_per_day: float = 0.101
    fecal_solids_kg_per_day: float = 0.032  # dry
    # what the food stores lose per CM-d: "packaged" (as shipped, food_packaged_kg_per_day) or "dry" (solids)
    food_basis: str = "packaged"
    food_packaged_kg_per_day: float = ISS_PACKAGED_FOOD_KG_PER_DAY
    # EVA, averaged over the days: suit O2 and sublimator (cooling) water per crew member; vented, drawn from the
    # stores (not the loop) [kg/d]
    eva_o2_kg_per_day: float = 0.0
    eva_water_kg_per_day: float = 0.0
    # O2 in the cabin air that leaks, whole habitat, drawn from the O2 store while crew are aboard [kg/d]
    cabin_leak_o2_kg_per_day: float = 0.0

    def __post_init__(self) -> None:
        if self.food_basis not in FOOD_BASES:
            raise InputError(f"food_basis = {self.food_basis!r}: give one of {list(FOOD_BASES)}")
        for name in ("eva_o2_kg_per_day", "eva_water_kg_per_day", "cabin_leak_o2_kg_per_day"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0.0):
                raise InputError(f"CrewRates.{name} = {value!r}: give a finite rate >= 0 kg/d")

    @property
    def food_kg_per_day(self) -> float:
        """The draw on the food stores per crew member per day at ``food_basis``. [kg/d]"""
        return self.food_packaged_kg_per_day if self.food_basis == "packaged" else self.food_solids_kg_per_day

    @property
    def respiratory_quotient(self) -> float:
        """Moles of CO2 produced per mole of O2 consumed, daily average (IUPAC molar masses)."""
        return (self.co2_kg_per_day / fn.M_CO2_KG_PER_MOL) / (self.o2_kg_per_day / fn.M_O2_KG_PER_MOL)

    @property
    def metabolic_heat_j_per_day(self) -> float:
        """Metabolic heat per crew member per day. [J]"""
        return self.metabolic_heat_w * DAY_S

    def waste_kg(self, crew: float, days: float) -> dict[str, float]:
        """What ``crew`` produce over ``days``: CO2, the wastewater a recovery system collects (urine water and
        humidity condensate, plus the other water used, e.g. hygiene), fecal water and solids. [kg]"""
        crew_days = crew * days
        return {
            "co2_kg": self.co2_kg_per_day * crew_days,
            "urine_water_kg": self.urine_water_kg_per_day * crew_days,
            "condensate_kg": self.respiration_perspiration_water_kg_per_day * crew_days,
            "other_wastewater_kg": self.other_water_kg_per_day * crew_days,
            "fecal_water_kg": self.fecal_water_kg_per_day * crew_days,
            "fecal_solids_kg": self.fecal_solids_kg_per_day * crew_days,
        }

    def water_balance_kg_per_day(self) -> float:
        """Body water in minus out per crew member per day (0 for BVAD Table 3-31): potable + food water +
        metabolic water - condensate - urine water - fecal water. [kg/d]"""
        water_in = self.potable_water_kg_per_day + self.food_water_kg_per_day + self.metabolic_water_kg_per_day
        water_out = (
            self.respiration_perspiration_water_kg_per_day + self.urine_water_kg_per_day + self.fecal_water_kg_per_day
        )
        return water_in - water_out

    def open_loop_kg(self, crew: float, days: float) -> dict[str, float]:
        """Mass consumed (O2, water, food) and produced (CO2) by ``crew`` over ``days`` with no recovery. [kg]"""
        crew_days = crew * days
        leak = self.cabin_leak_o2_kg_per_day * days if crew > 0 else 0.0
        return {
            "o2_kg": (self.o2_kg_per_day + self.eva_o2_kg_per_day) * crew_days + leak,
            "co2_kg": self.co2_kg_per_day * crew_days,
            "water_kg": (self.potable_water_kg_per_day + self.other_water_kg_per_day + self.eva_water_kg_per_day)
            * crew_days,
            "food_kg": self.food_kg_per_day * crew_days,
            "metabolic_heat_j": self.metabolic_heat_w * DAY_S * crew_days,
        }


BVAD = CrewRates()


#: The loop's fractions, in the engine's ``ls_par`` order (columns 4, 5, 6).
LOOP_FRACTIONS = ("water_recovery_fraction", "oxygen_generation_fraction", "sabatier_efficiency")


@dataclass(frozen=True)
class LoopClosure:
    """How closed the life-support loop is. Fractions in [0, 1].

    ``water_recovery_fraction`` of used water comes back (ISS WRS: about 0.98 with brine processing, but of the
    water collected, which is more than is used: the same number here errs on the safe side);
    ``oxygen_generation_fraction`` of the crew's O2 is made by electrolysing water rather than drawn from
    tanks; ``sabatier_efficiency`` of the CO2/H2 Sabatier limit is turned back into water (0: CO2 vented).
    """

    water_recovery_fraction: float = 0.0
    oxygen_generation_fraction: float = 0.0
    sabatier_efficiency: float = 0.0
    # fractions drawn per Monte Carlo run: (field name, distribution); the fields above are their nominal values
    # (closed-form figures and deterministic runs use those)
    drawn: tuple[tuple[str, Uncertain], ...] = ()

    def __post_init__(self) -> None:
        for name, _ in self.drawn:
            if name not in LOOP_FRACTIONS:
                raise InputError(f"LoopClosure.drawn names {name!r}: give one of {list(LOOP_FRACTIONS)}")

    def daily_net_use_kg(self, crew: float, rates: CrewRates = BVAD) -> dict[str, float]:
        """Net draw on the O2, water and food stores per day at this closure; EVA and cabin leakage (while crew
        are aboard) come from the stores whatever the closure. [kg/d]"""
        o2_need = rates.o2_kg_per_day * crew
        o2_made = self.oxygen_generation_fraction * o2_need
        water_split = o2_made * fn.electrolysis_water_per_o2()
        h2 = water_split * fn.electrolysis_h2_per_water()
        sab = float(fn.sabatier_water_kg(rates.co2_kg_per_day * crew, h2, self.sabatier_efficiency))
        water_need = (rates.potable_water_kg_per_day + rates.other_water_kg_per_day) * crew
        leak = rates.cabin_leak_o2_kg_per_day if crew > 0 else 0.0
        return {
            "o2_kg": o2_need - o2_made + rates.eva_o2_kg_per_day * crew + leak,
            "water_kg": water_need * (1.0 - self.water_recovery_fraction) + water_split - sab
            + rates.eva_water_kg_per_day * crew,
            "food_kg": rates.food_kg_per_day * crew,
        }


STORES_KG = ("o2_kg", "water_kg", "food_kg")


def reserve_days(
    stores_kg: Mapping[str, float], crew: float, closure: LoopClosure | None = None, rates: CrewRates = BVAD
) -> dict[str, float]:
    """How many days each store (``o2_kg``, ``water_kg``, ``food_kg``) lasts for ``crew`` at ``closure`` (None:
    the loop open, i.e. failed or off: the contingency reserve), with no deliveries; inf where the net use is not
    positive (no crew, or the loop makes it). The operations' ``reserve_days`` is the lowest of these at each step,
    for the crew aboard and the loop as it then works (ECLSS load served, subsystems up). [d]"""
    missing = [name for name in STORES_KG if name not in stores_kg]
    if missing:
        raise InputError(f"reserve_days: stores_kg lacks {missing}; give {list(STORES_KG)} in kg")
    bad = {name: stores_kg[name] for name in STORES_KG if not (math.isfinite(stores_kg[name]) and stores_kg[name] >= 0)}
    if bad:
        raise InputError(f"reserve_days: stores_kg {bad} must be finite and >= 0 kg; fix the store masses")
    if not (math.isfinite(crew) and crew >= 0):
        raise InputError(f"reserve_days: crew = {crew!r} must be a finite count >= 0")
    use = (closure or LoopClosure()).daily_net_use_kg(crew, rates)
    return {name: stores_kg[name] / use[name] if use[name] > 0.0 else math.inf for name in STORES_KG}
