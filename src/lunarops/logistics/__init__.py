"""lunarops.logistics: the campaign's roadmap, catalogs and the time-expanded logistics MILP (HiGHS).

``solve(Problem) -> Plan`` is the entry point; see docs/campaign.md.
"""

from lunarops.logistics.model import Plan, solve
from lunarops.logistics.network import Arc, LaunchVehicle, LinearSizing, Mission, Problem, SpacecraftDesign

__all__ = ["Arc", "LaunchVehicle", "LinearSizing", "Mission", "Plan", "Problem", "SpacecraftDesign", "solve"]
