"""The report's glossary: the abbreviations its sections use (and the scenario's, e.g. mtbf_h), each with a short
definition and a source where one exists. Shown whole at the end of every report."""

from __future__ import annotations

from typing import NamedTuple


class Term(NamedTuple):
    """An abbreviation, its meaning and its source ("" where there is none to cite)."""

    term: str
    definition: str
    source: str


GLOSSARY: tuple[Term, ...] = (
    Term("BVAD", "NASA's Life Support Baseline Values and Assumptions Document: the crew's daily needs (O2, water, "
         "food) and the life-support figures the consumables and the ECLSS loads here are taken from.",
         "NASA/TP-2015-218570 (Rev 2, 2022)"),
    Term("CI", "Confidence interval. The report gives 95 % Clopper-Pearson intervals of "
         "probabilities estimated from the Monte Carlo runs (exact binomial intervals).",
         "Clopper & Pearson 1934, Biometrika 26(4), 404-413"),
    Term("CR3BP", "Circular restricted three-body problem: a massless spacecraft moving under the Earth "
         "and the Moon, which circle their barycentre. Halo orbits such as the NRHO are periodic solutions of it.",
         "Szebehely, Theory of Orbits (Academic Press, 1967)"),
    Term("Dose equivalent (Sv, mSv)", "Absorbed radiation dose weighted by each particle's biological "
         "effectiveness (its quality factor): the sievert, 1 Sv = 1 J/kg so weighted. The crew's dose here is a "
         "dose equivalent rate times the days (operations.radiation), compared with NASA's career effective dose "
         "limit of 600 mSv.", "ICRP Publication 103 (2007); NASA-STD-3001 Vol. 1"),
    Term("DSN", "NASA's Deep Space Network: ground antenna complexes at Goldstone, Madrid and Canberra. "
         "Here it is the ground network that must see the Moon for a direct or relayed link to reach the Earth.",
         "NASA/JPL, DSN Telecommunications Link Design Handbook (810-005)"),
    Term("ECLSS", "Environmental control and life support system: air revitalisation, water recovery "
         "and waste handling for the crew.", "NASA BVAD, NASA/TP-2015-218570"),
    Term("GCR", "Galactic cosmic rays: high-energy nuclei from outside the solar system, the steady radiation "
         "dose beyond the Earth's magnetic field; highest near solar minimum. On the lunar surface 1369 uSv/day "
         "(inside the Chang'E 4 lander, 2019), the crew dose rate the operations take by default.",
         "Zhang et al. 2020, Science Advances 6(39), eaaz1334"),
    Term("IMLEO", "Initial mass in low Earth orbit: the mass a campaign must put "
         "into LEO, the usual cost proxy of transport studies. The campaign's launch arcs end at its launch node, "
         "so imleo_kg is the mass delivered there: in the default scenario they end at TLI (Long March 10's "
         "payload is given to TLI), so it is the mass launched to TLI, not to LEO (summary key imleo_label).",
         "Isaji, Takubo & Ho, J. Spacecraft and Rockets 2022 (objective)"),
    Term("ISRU", "In-situ resource utilisation: making water, oxygen or propellant from local resources "
         "(here polar water ice, and oxygen from ilmenite in the regolith).",
         "Isaji, Takubo & Ho 2022 (campaign model); the operations section's plants"),
    Term("LLO", "Low lunar orbit: a near-circular orbit about 100 km above the surface (orbits.transfers."
         "llo_alt_km).", "Acta Astronautica 177 (2020) 351-372, Table 4 (delta-v ledger)"),
    Term("LOX / LH2", "Liquid oxygen / liquid hydrogen: the propellant a water_electrolysis plant makes by "
         "splitting water and liquefying the products, kept in tanks that boil off.",
         "the operations section's propellant plant (docs/operations.md)"),
    Term("MILP / GMCNF", "Mixed-integer linear program / generalized multi-commodity network "
         "flow: the campaign plan is a GMCNF on a time-expanded network of nodes (Earth, TLI, NRHO, LLO, surface), "
         "solved as a MILP (HiGHS); the MIP gap bounds how far the plan may be from the best.",
         "Ishimatsu et al., J. Spacecraft and Rockets 53(1), 2016; Isaji, Takubo & Ho 2022"),
    Term("MTBF", "Mean time between failures: a component's mean time to fail (the scenario's mtbf_h); the "
         "operations draw exponential failure times from it.",
         "planning assumptions of the scenario (operations section)"),
    Term("NRHO", "Near-rectilinear halo orbit: a halo orbit of the Earth-Moon L2 point passing close over "
         "a lunar pole, about 6.6 d long for the 9:2 resonant one (Gateway's). Here the lunar-orbit station's.",
         "Lee 2019, Gateway Destination Orbit Model, NASA NTRS 20190030294"),
    Term("p05 / p50 / p95", "5th, 50th (median) and 95th percentile over the Monte Carlo runs "
         "of each run's figure: p05 is the value 95 % of the runs reach or exceed.", ""),
    Term("PMAD", "Power management and distribution: the cabling, converters and switchgear between "
         "power sources, storage and loads.", "Colozza 2020, NASA/CR-2020-220368"),
    Term("PSR", "Permanently shadowed region: ground near the poles the Sun never lights, where "
         "water ice can be cold-trapped.", "Mazarico et al. 2011, Icarus 211, 1066-1081"),
    Term("RFC", "Regenerative fuel cell: stores energy by electrolysing water into H2 and O2 and returns "
         "it through a fuel cell.", "Colozza 2020, NASA/CR-2020-220368"),
    Term("SPE", "Solar particle event: a burst of energetic protons from a solar flare or coronal mass "
         "ejection, lasting hours to days; a worst-case event can give a crew in the open about 1 Sv, more than a "
         "career limit. Crews shelter from them; not modelled in the crew dose here.",
         "Reitz, Berger & Matthiae 2012, Planet. Space Sci. 74, 78-83"),
    Term("TLI", "Trans-lunar injection: the burn that sends a spacecraft from Earth orbit towards the "
         "Moon, and the node of the campaign network just after it; launch vehicles are rated by payload to it.",
         "Acta Astronautica 177 (2020) 351-372, Table 4"),
    Term("UA", "Overall thermal conductance of an enclosure to its surroundings [W/K]: the heat it loses per "
         "kelvin between inside and the radiative sink it sees (regolith and space); a heater with a heat balance "
         "makes up UA x (setpoint - sink) less the heat given off inside.",
         "Gilmore (ed.), Spacecraft Thermal Control Handbook, Vol. I (Aerospace Press, 2002)"),
)
