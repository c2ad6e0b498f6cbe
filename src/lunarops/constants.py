"""Physical constants, each with its source. SI units unless the name says otherwise."""

import math
from datetime import UTC, datetime

# IAU WG on Cartographic Coordinates and Rotational Elements (Archinal et al. 2018), mean radius of the Moon;
# also the reference sphere of the LOLA DEMs (PDS LOLA GDR labels: 1737.4 km).
MOON_RADIUS_M = 1_737_400.0
# IAU 2015 Resolution B3, nominal solar radius (SPICE pck00010 uses 696,000 km; the difference is 0.005 %).
SUN_RADIUS_M = 695_700_000.0
# IERS 2010 conventions (GRS80/WGS84 equatorial radius used for Earth disk size).
EARTH_EQUATORIAL_RADIUS_M = 6_378_137.0
# Danjon's enlargement of the Earth's shadow by its atmosphere, 1/85 of its radius (Espenak & Meeus, Five
# Millennium Canon of Lunar Eclipses, NASA/TP-2009-214172, sec. 1.3: the Danjon rule they adopted): seen from the
# Moon, the Earth's disk that eclipses the Sun is this much larger than the solid Earth.
EARTH_SHADOW_ENLARGEMENT = 1.0 / 85.0
# The same canon's Earth radius for the shadow: the equatorial radius times 0.998340, for the Earth's oblateness
# at the latitudes the shadow passes (their Moon's parallax factor), before the enlargement.
EARTH_SHADOW_OBLATENESS = 0.998340
# IAU 2012 Resolution B2.
AU_M = 149_597_870_700.0
# Exact, SI definition.
SPEED_OF_LIGHT_M_PER_S = 299_792_458.0
# Standard gravity, CGPM 1901 (exact).
G0_M_PER_S2 = 9.80665
# DE421 GM values (Folkner et al. 2008, IPN PR 42-178, Table 8), km^3/s^2 converted to m^3/s^2.
GM_MOON_M3_PER_S2 = 4902.800076e9
GM_EARTH_M3_PER_S2 = 398600.436233e9
GM_SUN_M3_PER_S2 = 132712440040.944e9
# Sidereal rotation rate of the Moon, 360 deg / 27.321661 d (IAU WG 2018: W rate 13.17635815 deg/d).
MOON_ROTATION_RATE_RAD_PER_S = math.radians(13.17635815) / 86400.0
# Mean synodic month (Meeus, Astronomical Algorithms, 2nd ed., ch. 49): 29.530589 d = 708.73 h.
SYNODIC_MONTH_S = 29.530588861 * 86400.0
# Regression of the Moon's nodes: 360 deg / 1934.1362891 deg per Julian century (Meeus, Astronomical Algorithms,
# 2nd ed., ch. 47) = 6798.38 d = 18.61 yr: the lunar precession cycle. The Sun's directions seen from the Moon
# repeat after 223 lunations = 19 eclipse years (18.03 yr, the saros), within it, so a permanent shadow is one that
# lasts a whole precession cycle.
NODAL_PERIOD_S = 6798.38 * 86400.0
# Seconds per Julian day and century.
DAY_S = 86400.0
JULIAN_YEAR_S = 365.25 * DAY_S
# The span every scenario, operations or campaign time must lie in: the shipped kernels' coverage
# (moon_pa_de421_1900-2050.bpc, 1899-12-31T23:59 .. 2050-12-31T23:58 UTC; DE421 reaches further) less a day at
# each end, so that light-time corrections and rounding stay inside it.
KERNEL_FIRST_UTC = datetime(1900, 1, 2, tzinfo=UTC)
KERNEL_LAST_UTC = datetime(2050, 12, 30, tzinfo=UTC)
# Standard Gibbs energy of formation of liquid water, -237.13 kJ/mol (NBS tables of chemical thermodynamic
# properties, Wagman et al. 1982; CODATA key values): the least electrical work that splits water. Per kg of O2
# (2 H2O -> 2 H2 + O2, O2 31.998 g/mol): 2 x 237.13 kJ / 0.031998 kg = 14.82 MJ = 4.117 kWh.
ELECTROLYSIS_MIN_KWH_PER_KG_O2 = 2.0 * 237.13e3 / 0.031998 / 3.6e6

#: The Shannon limit of Eb/N0 for any code at vanishing spectral efficiency: ln 2, -1.59 dB (Shannon 1948).
SHANNON_LIMIT_EB_N0_DB = 10.0 * math.log10(math.log(2.0))
