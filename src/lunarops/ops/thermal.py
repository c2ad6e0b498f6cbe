"""A load's heater power from a steady-state heat balance of its enclosure (layer 1-2: pure numpy, SI).

The enclosure loses ``UA (T_set - T_sink)`` [W] through its insulation (``UA``: its overall conductance to the
environment, the user's figure); the heater makes up what the internal dissipation does not:
``P = max(0, UA (T_set - T_sink) - Q_internal) / efficiency``, capped at the heater's capacity (the load's
``power_w``); what the cap leaves is unmet heat.

The sink is the environment the enclosure sees, radiatively averaged (the infrared it receives, as in the
effective sink temperature of spacecraft thermal design, without the solar term): ``T_sink^4 = F_g eps_g T_g^4
+ (1 - F_g) T_space^4``; the loss is then linear in ``T_set - T_sink`` with a constant ``UA`` (the radiative
exchange at the outer surface linearised into ``UA`` about the operating point: the user's ``UA`` is taken as
valid over the range; a multilayer-insulated enclosure's leak, ~ ``T_set^4 - T_sink^4``, varies less with the
sink, so a UA fitted at the night sink understates the loss under a warmer one). The regolith at the step
(``T_g``): lit, the radiative equilibrium of a flat surface, ``[(1 - A(i)) S cos(i) f / (eps_g sigma)]^(1/4)``
(``S`` the solar irradiance at the step's Sun distance, ``i`` the incidence = 90 deg - the Sun's elevation,
``f`` the visible share of the disk, ``A(i)`` the albedo's rise with incidence of Hayne et al. 2017), never
below the night floor; unlit, the night floor. Not modelled: the regolith's thermal inertia (no lag: the ground
cools at once at sunset, to the floor), sunlight reflected by the ground and earthshine absorbed by the
enclosure, and cooling when the sink is warmer than the setpoint.

Direct sunlight on the enclosure enters as a heat input like the internal dissipation, through the user's
effective solar apertures (the heat reaching the interior per unit of normal irradiance [m2], side walls for a Sun
on the horizon and roof for a Sun at the zenith): ``Q_sun = S f (A_side cos(el) + A_roof max(sin(el), 0))``
whenever the disk is seen (``f`` > 0), also below the astronomical horizon where the terrain horizon is lower
still (polar ridges): the walls see it as the mast does (docs/operations.md gives ``A = alpha A_p UA / (h_r
A_outer)`` for an insulated enclosure).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from lunarops.checks import is_real_number
from lunarops.errors import InputError
from lunarops.ops import functions as fn

#: Stefan-Boltzmann constant (CODATA 2018, exact from h, k, c). [W/(m2 K4)]
STEFAN_BOLTZMANN_W_PER_M2_K4 = 5.670374419e-8
#: Cosmic microwave background (Fixsen 2009, ApJ 707, 916: 2.72548 K), rounded as space's temperature. [K]
SPACE_TEMPERATURE_K = 2.7
#: Lunar regolith bolometric albedo at normal incidence, A0 (Hayne et al. 2017, JGR Planets 122, 2371,
#: doi:10.1002/2017JE005387, Table A1; Vasavada et al. 2012, JGR 117, E00H18). [-]
REGOLITH_ALBEDO = 0.12
#: The albedo's rise with incidence i: A(i) = A0 + a (i / 45 deg)^3 + b (i / 90 deg)^8, a = 0.06, b = 0.25
#: (Keihm 1984; Vasavada et al. 2012; Hayne et al. 2017, Eq. A5 and Table A1): 0.27 at i = 60 deg, 0.85 at the
#: horizon, so a low Sun heats the ground far less than with A0. [-]
REGOLITH_ALBEDO_COEFFICIENTS = (0.06, 0.25)
#: Lunar regolith infrared emissivity (Hayne et al. 2017, Table A1; Vasavada et al. 2012). [-]
REGOLITH_EMISSIVITY = 0.95
#: Night floor of the regolith: equatorial surfaces cool to about 95 K just before sunrise (Diviner: Williams et
#: al. 2017, Icarus 283, 300, doi:10.1016/j.icarus.2016.08.012; Vasavada et al. 2012). Polar night surfaces are
#: colder (about 50-100 K, Williams et al. 2017): give the site's figure there. [K]
NIGHT_REGOLITH_K = 95.0
#: Crew metabolic heat, 12.426 MJ per crew-member-day (BVAD REV2 Table 3-31; lunarops.ops.lifesupport). [W]
CREW_METABOLIC_HEAT_W = 143.8


@dataclass(frozen=True)
class ThermalLoad:
    """An enclosure whose heater (the load) holds ``setpoint_k`` against the environment it sees.

    ``conductance_w_per_k`` (UA) [W/K] to the environment; ``internal_heat_w`` [W] dissipated inside (avionics,
    plus ``internal_heat_per_crew_w`` [W] per crew member aboard, e.g. ``CREW_METABOLIC_HEAT_W``);
    ``ground_view_factor`` the share of the enclosure's view to the regolith (the rest to space) [-];
    ``heater_efficiency`` heat per electric energy (resistance heating: 1) [-]; ``night_ground_k`` the regolith's
    night floor [K]; ``ground_albedo`` the regolith's at normal incidence (A0: it rises with incidence),
    ``ground_emissivity`` its infrared emissivity [-]; ``solar_gain_area_m2`` and ``solar_gain_roof_area_m2`` the
    effective solar apertures [m2] (heat reaching the interior per W/m2 of normal irradiance) for a Sun on the
    horizon (side walls) and at the zenith (roof): 0, no sunlight on the enclosure counted."""

    conductance_w_per_k: float
    setpoint_k: float
    internal_heat_w: float = 0.0
    internal_heat_per_crew_w: float = 0.0
    ground_view_factor: float = 0.5
    heater_efficiency: float = 1.0
    night_ground_k: float = NIGHT_REGOLITH_K
    ground_albedo: float = REGOLITH_ALBEDO
    ground_emissivity: float = REGOLITH_EMISSIVITY
    solar_gain_area_m2: float = 0.0
    solar_gain_roof_area_m2: float = 0.0

    def check(self, load: str) -> None:
        """InputError naming the load, the field, its value and the range it must be in."""
        rules = (
            ("conductance_w_per_k", lambda v: 0.0 < v < math.inf, "a finite number > 0 [W/K] (the enclosure's UA)"),
            ("setpoint_k", lambda v: 0.0 < v < math.inf, "a finite temperature > 0 K"),
            ("internal_heat_w", lambda v: 0.0 <= v < math.inf, "a finite number >= 0 [W]"),
            ("internal_heat_per_crew_w", lambda v: 0.0 <= v < math.inf, "a finite number >= 0 [W]"),
            ("ground_view_factor", lambda v: 0.0 <= v <= 1.0, "a share in [0, 1] (the rest of the view is space)"),
            ("heater_efficiency", lambda v: 0.0 < v <= 1.0, "in (0, 1] (electric resistance heating: 1)"),
            ("night_ground_k", lambda v: 0.0 < v < math.inf, "a finite temperature > 0 K"),
            ("ground_albedo", lambda v: 0.0 <= v < 1.0, "a share in [0, 1)"),
            ("ground_emissivity", lambda v: 0.0 < v <= 1.0, "in (0, 1]"),
            ("solar_gain_area_m2", lambda v: 0.0 <= v < math.inf, "a finite area >= 0 [m2] (0: no sunlight counted)"),
            ("solar_gain_roof_area_m2", lambda v: 0.0 <= v < math.inf, "a finite area >= 0 [m2] (0: no sunlight "
             "counted)"),
        )
        for name, ok, need in rules:
            value = getattr(self, name)
            if not (is_real_number(value) and ok(float(value))):
                raise InputError(f"load {load!r}: thermal {name} = {value!r} must be {need}")


def regolith_temperature_k(
    sun_elevation_rad: NDArray[np.float64],
    sun_visible_fraction: NDArray[np.float64],
    sun_distance_m: NDArray[np.float64],
    albedo: float = REGOLITH_ALBEDO,
    emissivity: float = REGOLITH_EMISSIVITY,
    night_k: float = NIGHT_REGOLITH_K,
) -> NDArray[np.float64]:
    """Flat regolith's temperature at each step [K]: radiative equilibrium with the Sun where lit
    (``[(1 - A(i)) S sin(elevation) f / (eps sigma)]^(1/4)``, ``albedo`` the normal-incidence A0 of
    ``A(i) = A0 + a (i / 45 deg)^3 + b (i / 90 deg)^8``, at most 1), at least ``night_k``; ``night_k`` where
    unlit (a disk centre below the horizon counts as grazing: its flux is below any night floor)."""
    elevation = np.clip(np.asarray(sun_elevation_rad, dtype=np.float64), 0.0, math.pi / 2)
    incidence = math.pi / 2 - elevation
    a, b = REGOLITH_ALBEDO_COEFFICIENTS
    albedo_i = np.minimum(albedo + a * (incidence / (math.pi / 4)) ** 3 + b * (incidence / (math.pi / 2)) ** 8, 1.0)
    absorbed = (1.0 - albedo_i) * fn.solar_flux_w_per_m2(sun_distance_m) * sun_visible_fraction * np.sin(elevation)
    lit = (absorbed / (emissivity * STEFAN_BOLTZMANN_W_PER_M2_K4)) ** 0.25
    return np.asarray(np.maximum(lit, night_k), dtype=np.float64)


def sink_temperature_k(
    ground_k: NDArray[np.float64], ground_view_factor: float, ground_emissivity: float = REGOLITH_EMISSIVITY
) -> NDArray[np.float64]:
    """The radiative sink the enclosure sees [K]: ``(F_g eps_g T_g^4 + (1 - F_g) T_space^4)^(1/4)`` (the
    infrared the ground emits, ``eps_g sigma T_g^4``, over the share of the view it fills)."""
    f = ground_view_factor
    return np.asarray(
        (f * ground_emissivity * ground_k**4 + (1.0 - f) * SPACE_TEMPERATURE_K**4) ** 0.25, dtype=np.float64
    )


def solar_gain_w(
    thermal: ThermalLoad,
    sun_elevation_rad: NDArray[np.float64],
    sun_visible_fraction: NDArray[np.float64],
    sun_distance_m: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Sunlight absorbed by the enclosure that reaches its interior at each step [W]:
    ``S f (A_side cos(el) + A_roof max(sin(el), 0))`` (``S`` the irradiance at the step's Sun distance, ``f`` the
    visible share of the disk over the terrain horizon: the side walls see a Sun below the astronomical horizon
    when the terrain horizon is lower still; the roof only a Sun above it)."""
    elevation = np.clip(np.asarray(sun_elevation_rad, dtype=np.float64), -math.pi / 2, math.pi / 2)
    aperture_m2 = (thermal.solar_gain_area_m2 * np.cos(elevation)
                   + thermal.solar_gain_roof_area_m2 * np.maximum(np.sin(elevation), 0.0))
    gain = fn.solar_flux_w_per_m2(sun_distance_m) * np.asarray(sun_visible_fraction, dtype=np.float64) * aperture_m2
    return np.asarray(gain, dtype=np.float64)


def heater_need_w(
    thermal: ThermalLoad,
    sun_elevation_rad: NDArray[np.float64],
    sun_visible_fraction: NDArray[np.float64],
    sun_distance_m: NDArray[np.float64],
    crew: NDArray[np.float64],
) -> NDArray[np.float64]:
    """The electric power the heater needs at each step to hold the setpoint, before any capacity cap [W]:
    ``max(0, UA (T_set - T_sink) - internal heat - solar gain) / efficiency`` (``solar_gain_w``)."""
    ground = regolith_temperature_k(
        sun_elevation_rad, sun_visible_fraction, sun_distance_m,
        thermal.ground_albedo, thermal.ground_emissivity, thermal.night_ground_k,
    )
    sink = sink_temperature_k(ground, thermal.ground_view_factor, thermal.ground_emissivity)
    loss_w = thermal.conductance_w_per_k * (thermal.setpoint_k - sink)
    internal_w = thermal.internal_heat_w + thermal.internal_heat_per_crew_w * crew
    if thermal.solar_gain_area_m2 > 0.0 or thermal.solar_gain_roof_area_m2 > 0.0:  # none: as before, bit for bit
        internal_w = internal_w + solar_gain_w(thermal, sun_elevation_rad, sun_visible_fraction, sun_distance_m)
    return np.asarray(np.maximum(loss_w - internal_w, 0.0) / thermal.heater_efficiency, dtype=np.float64)
