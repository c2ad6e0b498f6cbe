"""Keplerian, frozen elliptical and low lunar orbits: definitions, checks and initial states.

Elements are referred to one of two planes, both frozen at the orbit's epoch:

* ``lunar-equator``: the Moon ME frame (inclination from the lunar equator, RAAN from the ME x axis);
* ``lunar-orbit``: the Moon's orbital plane about the Earth (inclination from it, RAAN from the Earth->Moon
  direction, z along the orbital angular momentum). Frozen elliptical orbits are frozen against the Earth's
  third-body perturbation, whose plane this is: the averaged condition omega = 90 or 270 deg with
  cos^2 i = 3/5 (1 - e^2) gives i = 62.5 deg for 200 x 16,000 km (e = 0.803), Queqiao-2's 62.4 deg.

:func:`initial_state_j2000` turns the elements into a Moon-centred J2000 state for the ephemeris model.
Periods are two-body periods with the DE421 lunar GM.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lunarops.constants import GM_MOON_M3_PER_S2, MOON_RADIUS_M
from lunarops.errors import InputError
from lunarops.orbits.functions import FloatArray, elements_to_state, kepler_period_s, require_real

KM = 1000.0
REFERENCE_PLANES = ("lunar-equator", "lunar-orbit")


@dataclass(frozen=True)
class KeplerOrbit:
    """A lunar orbit given by its apsis altitudes above the 1737.4 km sphere and its orientation [deg]."""

    periapsis_alt_km: float
    apoapsis_alt_km: float
    inc_deg: float = 90.0
    raan_deg: float = 0.0
    argp_deg: float = 90.0
    mean_anomaly_deg: float = 0.0
    name: str = "kepler"
    reference_plane: str = "lunar-equator"

    def __post_init__(self) -> None:
        if self.reference_plane not in REFERENCE_PLANES:
            raise InputError(
                f"reference_plane = {self.reference_plane!r}; choose one of {', '.join(REFERENCE_PLANES)}"
            )
        values = {
            "periapsis_alt_km": self.periapsis_alt_km,
            "apoapsis_alt_km": self.apoapsis_alt_km,
            "inc_deg": self.inc_deg,
            "raan_deg": self.raan_deg,
            "argp_deg": self.argp_deg,
            "mean_anomaly_deg": self.mean_anomaly_deg,
        }
        for field_name, value in values.items():
            require_real(field_name, value, "in km or deg as the name says")
            if not math.isfinite(value):
                raise InputError(f"{field_name} must be a finite number, got {value!r}")
        if self.periapsis_alt_km <= 0.0:
            raise InputError(
                f"periapsis_alt_km = {self.periapsis_alt_km} km puts the orbit at or below the lunar surface "
                "(altitudes are above the 1737.4 km sphere); give a positive altitude, e.g. 100"
            )
        if self.apoapsis_alt_km < self.periapsis_alt_km:
            raise InputError(
                f"apoapsis_alt_km = {self.apoapsis_alt_km} km is below periapsis_alt_km = "
                f"{self.periapsis_alt_km} km; swap them or raise the apoapsis"
            )
        if not 0.0 <= self.inc_deg <= 180.0:
            raise InputError(
                f"inc_deg (--inc-deg) = {self.inc_deg} deg is outside 0..180 deg; give an inclination from 0 "
                "(prograde equatorial) to 180 deg (retrograde equatorial), e.g. 90 for a polar orbit"
            )
        if self.apoapsis_radius_m > 60_000e3:
            metres = ""
            if MOON_RADIUS_M + self.apoapsis_alt_km <= 60_000e3 and self.periapsis_alt_km >= 1000.0:
                metres = (
                    f"; did you give metres? {self.periapsis_alt_km:g} x {self.apoapsis_alt_km:g} m is "
                    f"{self.periapsis_alt_km / 1e3:g} x {self.apoapsis_alt_km / 1e3:g} km (the altitudes are in km)"
                )
            raise InputError(
                f"apoapsis_alt_km = {self.apoapsis_alt_km} km reaches past the Moon's Hill sphere "
                "(about 60,000 km),"
                f" where a Keplerian lunar orbit is meaningless; use the nrho/halo families instead{metres}"
            )

    @property
    def periapsis_radius_m(self) -> float:
        """Periapsis radius [m]."""
        return MOON_RADIUS_M + self.periapsis_alt_km * KM

    @property
    def apoapsis_radius_m(self) -> float:
        """Apoapsis radius [m]."""
        return MOON_RADIUS_M + self.apoapsis_alt_km * KM

    @property
    def semi_major_axis_m(self) -> float:
        """Semi-major axis [m]."""
        return 0.5 * (self.periapsis_radius_m + self.apoapsis_radius_m)

    @property
    def eccentricity(self) -> float:
        """Eccentricity."""
        return (self.apoapsis_radius_m - self.periapsis_radius_m) / (
            self.apoapsis_radius_m + self.periapsis_radius_m
        )

    @property
    def period_s(self) -> float:
        """Two-body period with the DE421 lunar GM [s]."""
        return float(kepler_period_s(self.semi_major_axis_m, GM_MOON_M3_PER_S2))

    def state_me(self) -> FloatArray:
        """Cartesian state (6,) [m, m/s] in the axes of the reference plane frozen at the epoch."""
        e = self.eccentricity
        m = math.radians(self.mean_anomaly_deg)
        big_e = m
        for _ in range(60):
            big_e -= (big_e - e * math.sin(big_e) - m) / (1 - e * math.cos(big_e))
        nu = 2 * math.atan2(math.sqrt(1 + e) * math.sin(big_e / 2), math.sqrt(1 - e) * math.cos(big_e / 2))
        return elements_to_state(
            self.semi_major_axis_m,
            e,
            math.radians(self.inc_deg),
            math.radians(self.raan_deg),
            math.radians(self.argp_deg),
            nu,
            GM_MOON_M3_PER_S2,
        )

    def summary(self) -> dict[str, float]:
        """Headline numbers with units in the keys; plain Python floats (JSON-able, even for NumPy inputs)."""
        return {
            "periapsis_radius_km": float(self.periapsis_radius_m / KM),
            "apoapsis_radius_km": float(self.apoapsis_radius_m / KM),
            "semi_major_axis_km": float(self.semi_major_axis_m / KM),
            "eccentricity": float(self.eccentricity),
            "inc_deg": float(self.inc_deg),
            "raan_deg": float(self.raan_deg),
            "argp_deg": float(self.argp_deg),
            "period_hours": float(self.period_s / 3600.0),
        }


def frozen_elliptical(
    periapsis_alt_km: float,
    apoapsis_alt_km: float,
    inc_deg: float = 62.4,
    raan_deg: float = 270.0,
    apolune_over: str = "south",
    mean_anomaly_deg: float = 0.0,
    name: str = "frozen",
) -> KeplerOrbit:
    """A frozen elliptical lunar orbit: argument of periapsis 90 deg (apolune over the south pole) or 270 deg.

    Frozen eccentricity and argument of periapsis under the Earth's third-body perturbation need
    omega = 90 or 270 deg (Ely 2005, J. Astronaut. Sci. 53(3)); Queqiao-2 flies 200 x 16,000 km at 62.4 deg
    with its apolune over the south pole (CNSA, 2024).
    """
    if apolune_over not in ("south", "north"):
        raise InputError(f"apolune_over = {apolune_over!r}; choose 'south' or 'north'")
    argp = 90.0 if apolune_over == "south" else 270.0
    return KeplerOrbit(
        periapsis_alt_km, apoapsis_alt_km, inc_deg, raan_deg, argp, mean_anomaly_deg, name, "lunar-orbit"
    )


FROZEN_INCLINATION_TOL_DEG = 2.0
"""How far [deg] a ``frozen`` orbiter's inclination may be from its eccentricity's frozen inclination before a note."""


def frozen_inclination_deg(eccentricity: float) -> float:
    """The prograde frozen inclination [deg] to the Moon's orbital plane for an eccentricity: cos^2 i =
    3/5 (1 - e^2), the averaged Earth-perturbation condition with omega = 90 or 270 deg (Ely 2005, J. Astronaut.
    Sci. 53(3)); 39.2 deg for a circular orbit, 62.5 deg for Queqiao-2's e = 0.803. 180 deg minus it is the
    retrograde one.

    This is the Earth's third-body perturbation averaged (quadrupole) without the Moon's own J2: valid for high
    orbits where the Earth dominates, such as the 24 h 200 x 16,000 km relay (a = 9,837 km). Lower down the lunar
    field shifts it: at a = 6,541 km, e = 0.6 the rule gives 51.7 deg, but with the full lunar field Ely & Lieb
    (2006, J. Astronaut. Sci. 54(1), "Constellations of elliptical inclined lunar orbits providing polar and global
    coverage") find frozen orbits near 56.2 deg."""
    return math.degrees(math.acos(math.sqrt(0.6 * (1.0 - eccentricity**2))))


def frozen_inclination_note(orbit: KeplerOrbit, label: str) -> str | None:
    """A note when an orbit built as ``frozen`` is more than FROZEN_INCLINATION_TOL_DEG from the frozen
    inclination of its eccentricity (prograde or retrograde): it is not frozen, its eccentricity and argument of
    periapsis drift and its perilune can fall. None when it is near the frozen inclination."""
    i_f = frozen_inclination_deg(orbit.eccentricity)
    off = min(abs(orbit.inc_deg - i_f), abs(orbit.inc_deg - (180.0 - i_f)))
    if off <= FROZEN_INCLINATION_TOL_DEG:
        return None
    return (
        f"{label}: inclination {orbit.inc_deg:g} deg is {off:.1f} deg from the frozen inclination "
        f"{i_f:.1f} deg (or {180.0 - i_f:.1f} deg retrograde) of its eccentricity {orbit.eccentricity:.3f} "
        "(cos^2 i = 3/5 (1 - e^2) with omega = 90/270 deg in the Moon's orbital plane, Ely 2005): it is not "
        "frozen; its eccentricity and perilune drift under the Earth's pull (the 200 x 16,000 km Queqiao-2 class "
        "is frozen near 62.5 deg)."
    )


HIGHEST_TERRAIN_KM = 10.8
"""Height [km] of the highest lunar terrain above the 1737.4 km sphere: 10,786 m (LOLA; Smith et al. 2010,
Geophys. Res. Lett. 37, L18204)."""


def terrain_clearance_note(orbit: KeplerOrbit, label: str) -> str | None:
    """A note when the orbit's periapsis altitude is below the highest lunar terrain (10.8 km above the 1737.4 km
    sphere): over the highlands such a periapsis is underground; None when it clears it."""
    if orbit.periapsis_alt_km >= HIGHEST_TERRAIN_KM:
        return None
    return (
        f"{label}: periapsis altitude {orbit.periapsis_alt_km:g} km is below the highest lunar terrain, "
        f"{HIGHEST_TERRAIN_KM:g} km above the 1737.4 km sphere (LOLA; Smith et al. 2010): over high ground the "
        "orbiter would hit the surface; altitudes here are above the mean sphere, not the local terrain."
    )


def low_lunar_orbit(
    alt_km: float = 100.0, inc_deg: float = 90.0, raan_deg: float = 0.0, name: str = "llo"
) -> KeplerOrbit:
    """A circular low lunar orbit of the given altitude and inclination."""
    require_real("alt_km", alt_km, "an altitude above the 1737.4 km sphere such as 100")
    return KeplerOrbit(alt_km, alt_km, inc_deg, raan_deg, 0.0, 0.0, name)


def initial_state_j2000(
    orbit: KeplerOrbit, rotation_j2000_to_me: FloatArray, lunar_orbit_axes_j2000: FloatArray | None = None
) -> FloatArray:
    """Moon-centred J2000 state (6,) [m, m/s] of the orbit's elements at its epoch.

    ``rotation_j2000_to_me`` (3, 3): the J2000->ME rotation at the epoch; ``lunar_orbit_axes_j2000`` (3, 3):
    the axes of the Moon's orbital frame in J2000 as columns (``functions.rotating_frame_basis``), needed for
    ``reference_plane = 'lunar-orbit'``.
    """
    state = orbit.state_me()
    if orbit.reference_plane == "lunar-orbit":
        if lunar_orbit_axes_j2000 is None:
            raise InputError("a 'lunar-orbit' reference plane needs the Moon's orbital axes at the epoch")
        rot = np.asarray(lunar_orbit_axes_j2000)
    else:
        rot = np.asarray(rotation_j2000_to_me).T
    return np.concatenate([rot @ state[:3], rot @ state[3:]])
