"""Crew metabolic rates and the life-support loop (layer 2).

Rates are per crew-member-day from NASA's Baseline Values and Assumptions Document (BVAD), Anderson et al.,
NASA/TP-2015-218570 Rev 2 (2022), Table 3-31 (nominal crewmember): O2 0.895 kg, CO2 1.085 kg, potable water
3.217 kg, food solids 0.800 kg, metabolic heat 143.8 W (12.42 MJ/d).
"""

from __future__ import annotations

from dataclasses import dataclass

from lunarops.ops import functions as fn

DAY_S = 86400.0


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

    def open_loop_kg(self, crew: float, days: float) -> dict[str, float]:
        """Mass consumed (O2, water, food) and produced (CO2) by ``crew`` over ``days`` with no recovery. [kg]"""
        crew_days = crew * days
        return {
            "o2_kg": self.o2_kg_per_day * crew_days,
            "co2_kg": self.co2_kg_per_day * crew_days,
            "water_kg": (self.potable_water_kg_per_day + self.other_water_kg_per_day) * crew_days,
            "food_kg": self.food_solids_kg_per_day * crew_days,
            "metabolic_heat_j": self.metabolic_heat_w * DAY_S * crew_days,
        }


BVAD = CrewRates()


@dataclass(frozen=True)
class LoopClosure:
    """How closed the life-support loop is. Fractions in [0, 1].

    ``water_recovery_fraction`` of used water comes back (ISS WRS: about 0.98 with brine processing);
    ``oxygen_generation_fraction`` of the crew's O2 is made by electrolysing water rather than drawn from
    tanks; ``sabatier_efficiency`` of the CO2/H2 Sabatier limit is turned back into water (0: CO2 vented).
    """

    water_recovery_fraction: float = 0.0
    oxygen_generation_fraction: float = 0.0
    sabatier_efficiency: float = 0.0

    def daily_net_use_kg(self, crew: float, rates: CrewRates = BVAD) -> dict[str, float]:
        """Net draw on the O2, water and food stores per day at this closure. [kg/d]"""
        o2_need = rates.o2_kg_per_day * crew
        o2_made = self.oxygen_generation_fraction * o2_need
        water_split = o2_made * fn.electrolysis_water_per_o2()
        h2 = water_split * fn.electrolysis_h2_per_water()
        sab = float(fn.sabatier_water_kg(rates.co2_kg_per_day * crew, h2, self.sabatier_efficiency))
        water_need = (rates.potable_water_kg_per_day + rates.other_water_kg_per_day) * crew
        return {
            "o2_kg": o2_need - o2_made,
            "water_kg": water_need * (1.0 - self.water_recovery_fraction) + water_split - sab,
            "food_kg": rates.food_solids_kg_per_day * crew,
        }
