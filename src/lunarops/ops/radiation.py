"""Crew radiation dose per crew member's stay at the base (layer 1-2: pure numpy): galactic cosmic rays only.

A stay is a group of crew members aboard together: a campaign mission's crew from its landing to its departure
(``mission_stay``, with the mission's own transits), and the rest of the operations' crew count (operations.crew,
crew deliveries) reconstructed first in, first out (``crew_stays``): each rise of the count starts a stay of that
many crew members, each fall ends the stays of the earliest still aboard (crews that overlap at a handover stay
apart: the outgoing crew leave first). Per crew member of a stay [mSv]::

    dose = days x (1 - f_eva) x surface rate x habitat_dose_fraction      (in the habitat)
         + days x f_eva x surface rate                                     (out on EVA)
         + transit days (to and from the base) x transit rate

``f_eva`` is the share of the day on EVA (EVA hours per crew week / 168 h). The surface rate is the Chang'E 4
lander's (lightly shielded, about as a spacesuit: the EVA rate); ``habitat_dose_fraction`` is the habitat's rate
over it. The collective dose [person-mSv] is each stay's crew x its dose per member. Not modelled: solar
particle events (sporadic; a worst-case event can give about 1 Sv in the open, Reitz et al. 2012, more than a
career limit: a storm shelter must be sized for them, not by lunarops), the solar-cycle swing of the GCR rates
(the surface default was measured near solar minimum, near the high side; the transit default in the rising
phase of cycle 24, lower than at solar minimum), the radiation belts crossed on the way, and the difference
between the measured dose equivalent and the limit's effective dose (the first is about 30 % higher on the
lunar surface, so the comparison is on the safe side).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from lunarops.checks import is_real_number
from lunarops.errors import InputError

#: Lunar surface dose equivalent rate from GCR (charged and neutral particles), 1369 uSv/day, measured by the
#: Lunar Lander Neutrons and Dosimetry experiment (LND) on Chang'E 4 in 2019, near solar minimum, from inside the
#: lander (a shielding comparable to a spacesuit's): Zhang et al. 2020, Science Advances 6(39), eaaz1334,
#: doi:10.1126/sciadv.aaz1334 (about 2.6 times an ISS crew's average daily dose). [uSv/day]
LND_SURFACE_USV_PER_DAY = 1369.0
#: Deep-space cruise dose equivalent rate inside a spacecraft, measured by MSL's Radiation Assessment Detector
#: (RAD) from November 2011 to July 2012 (rising solar activity): 466 mSv over the 253-day cruise = 1.84 mSv/day
#: (Zeitlin et al. 2013, Science 340, 1080-1084, doi:10.1126/science.1235989; 0.66 Sv for a 360-day round trip).
#: [uSv/day]
RAD_CRUISE_USV_PER_DAY = 1840.0
#: NASA's career effective dose limit, 600 mSv for every astronaut whatever age or sex (the dose-based standard
#: NASA proposed, endorsed by the National Academies' 2021 report "Space Radiation and Astronaut Health",
#: doi:10.17226/26155, and set in NASA-STD-3001 Vol. 1 Rev. B). [mSv]
NASA_CAREER_LIMIT_MSV = 600.0

DAY_S = 86400.0
HOURS_PER_WEEK = 168.0


@dataclass(frozen=True)
class DoseRates:
    """The dose rates of the model and the limit a stay is compared with."""

    surface_dose_usv_per_day: float = LND_SURFACE_USV_PER_DAY
    habitat_dose_fraction: float = 1.0  # the habitat's dose over the open surface's (1: no shielding credit)
    transit_dose_usv_per_day: float = RAD_CRUISE_USV_PER_DAY
    career_limit_msv: float = NASA_CAREER_LIMIT_MSV

    def check(self, where: str = "operations.radiation") -> None:
        """Raise InputError naming the field, its value and the fix when a rate is not a number in range."""
        for name, low, high, need in (
            ("surface_dose_usv_per_day", 0.0, 1e6, "a dose rate >= 0 [uSv/day], e.g. 1369 (Chang'E 4 LND)"),
            ("habitat_dose_fraction", 0.0, 1.0, "a fraction in [0, 1] (1: no shielding credit)"),
            ("transit_dose_usv_per_day", 0.0, 1e6, "a dose rate >= 0 [uSv/day], e.g. 1840 (MSL RAD cruise)"),
        ):
            _check_number(f"{where}.{name}", getattr(self, name), low, high, need)
        _check_number(
            f"{where}.career_limit_msv", self.career_limit_msv, 0.0, 1e6, "a dose > 0 [mSv], e.g. 600 (NASA)",
            low_open=True,
        )


@dataclass(frozen=True)
class CrewStay:
    """``crew`` crew members aboard together from start_s to end_s [s from the period's start], cut to the period
    (they came and leave together), and the flights that bring them and take them home [d] (0: none counted)."""

    start_s: float
    end_s: float
    crew: float
    open_start: bool  # already aboard at the period's first step
    open_end: bool  # still aboard at its last step
    outbound_days: float = 0.0
    return_days: float = 0.0

    @property
    def days(self) -> float:
        return (self.end_s - self.start_s) / DAY_S

    @property
    def crew_member_days(self) -> float:
        return self.crew * self.days

    @property
    def transit_days(self) -> float:
        return self.outbound_days + self.return_days


@dataclass(frozen=True)
class StayDose:
    """One stay's dose per crew member [mSv]."""

    stay: CrewStay
    habitat_days: float
    eva_days: float
    transit_days: float
    surface_msv: float
    transit_msv: float

    @property
    def dose_msv(self) -> float:
        return self.surface_msv + self.transit_msv


def _check_number(where: str, value: object, low: float, high: float, need: str, low_open: bool = False) -> None:
    ok = is_real_number(value) and math.isfinite(float(value))  # type: ignore[arg-type]
    if ok:
        v = float(value)  # type: ignore[arg-type]
        ok = (v > low if low_open else v >= low) and v <= high
    if not ok:
        raise InputError(f"{where} = {value!r} is out of range: give {need}")


def eva_day_share(eva_hours_per_crew_week: float) -> float:
    """Share of a crew member's day spent on EVA (the weekly hours spread over the week)."""
    _check_number(
        "operations.life_support.eva_hours_per_crew_week", eva_hours_per_crew_week, 0.0, HOURS_PER_WEEK,
        "hours per crew member per week in [0, 168]",
    )
    return float(eva_hours_per_crew_week) / HOURS_PER_WEEK


def crew_stays(crew: NDArray[np.float64], step_s: float) -> list[CrewStay]:
    """The stays in the crew count series (one value per step), first in, first out: a rise of the count by k
    starts a stay of k crew members, a fall by k ends the earliest stays still aboard (splitting one if needed).
    Sorted by start, then end."""
    _check_number("step_s", step_s, 0.0, 1e9, "a step > 0 [s]", low_open=True)
    count = np.asarray(crew, dtype=float)
    if count.ndim != 1 or not np.all(np.isfinite(count)) or np.any(count < 0):
        raise InputError("crew: the crew count series must be one finite count >= 0 per step")
    change = np.diff(count, prepend=0.0)
    aboard: list[list[float]] = []  # [start step, crew] in order of arrival
    stays: list[CrewStay] = []

    def leave(start: float, n: float, end: int) -> None:
        stays.append(CrewStay(start * step_s, end * step_s, n, start == 0, end == len(count)))

    for i in np.flatnonzero(np.abs(change) > 1e-9):
        delta = float(change[i])
        if delta > 0:
            aboard.append([float(i), delta])
            continue
        gone = -delta
        while gone > 1e-9 and aboard:
            first = aboard[0]
            n = min(first[1], gone)
            leave(first[0], n, int(i))
            first[1] -= n
            gone -= n
            if first[1] <= 1e-9:
                aboard.pop(0)
    for start, n in aboard:
        leave(start, n, len(count))
    return sorted(stays, key=lambda st: (st.start_s, st.end_s))


def mission_stay(
    landing_s: float, leaving_s: float, crew: float, outbound_days: float, return_days: float, n_steps: int,
    step_s: float,
) -> CrewStay | None:
    """A campaign mission's crew aboard from the first step at or after their landing to the first at or after
    their departure (as the operations' crew count moves), cut to the period's ``n_steps``; None when outside it."""
    _check_number("step_s", step_s, 0.0, 1e9, "a step > 0 [s]", low_open=True)
    end_of_period = n_steps * step_s

    def step_time(t_s: float) -> float:
        return min(max(math.ceil(t_s / step_s - 1e-9), 0), n_steps) * step_s

    start, end = step_time(landing_s), step_time(leaving_s)
    if end <= start or crew <= 0:
        return None
    return CrewStay(start, end, float(crew), landing_s < 0.0, leaving_s > end_of_period, outbound_days, return_days)


def stay_doses(stays: Sequence[CrewStay], rates: DoseRates, eva_hours_per_crew_week: float) -> list[StayDose]:
    """Each stay's dose per crew member [mSv]: the stay's days in the habitat and on EVA at the surface rate (the
    habitat's times habitat_dose_fraction) plus its outbound and return flights at the transit rate."""
    rates.check()
    f_eva = eva_day_share(eva_hours_per_crew_week)
    surface = rates.surface_dose_usv_per_day / 1000.0  # mSv/day
    out = []
    for stay in stays:
        habitat_days = stay.days * (1.0 - f_eva)
        eva_days = stay.days * f_eva
        out.append(StayDose(
            stay=stay,
            habitat_days=habitat_days,
            eva_days=eva_days,
            transit_days=stay.transit_days,
            surface_msv=(habitat_days * rates.habitat_dose_fraction + eva_days) * surface,
            transit_msv=stay.transit_days * rates.transit_dose_usv_per_day / 1000.0,
        ))
    return out


def collective_dose_person_msv(doses: Sequence[StayDose]) -> float:
    """The whole crew's dose [person-mSv]: each stay's crew x its dose per crew member."""
    return float(sum(d.stay.crew * d.dose_msv for d in doses))
