"""From a Station and the light at the base to the flat arrays the engine reads (layer 2)."""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray

from lunarops.checks import is_real_number
from lunarops.constants import KERNEL_FIRST_UTC, KERNEL_LAST_UTC
from lunarops.errors import InputError
from lunarops.ops import functions as fn
from lunarops.ops.engine import NO_PROPELLANT_PLANT, YEAR_S
from lunarops.ops.lifesupport import DAY_S
from lunarops.ops.station import LIFE_SUPPORT_TARGETS, STORES, CommLink, Delivery, LinkBudget, SolarArray, Station
from lunarops.ops.thermal import ThermalLoad, heater_need_w

COMMODITY_CODE = {"o2_kg": 0, "water_kg": 1, "food_kg": 2, "propellant_kg": 3, "spares": 4}
SPARES_FOR = 5  # delivery code of spares for component c: SPARES_FOR + c
#: The span the steps must lie in, as the scenario enforces it (lunarops.constants).
KERNEL_START = np.datetime64(KERNEL_FIRST_UTC.replace(tzinfo=None), "us")
KERNEL_END = np.datetime64(KERNEL_LAST_UTC.replace(tzinfo=None), "us")
_COVERAGE_TEXT = f"{KERNEL_FIRST_UTC.date()}..{KERNEL_LAST_UTC.date()}"


def require_real(name: str, value: object, unit: str = "", lower: float = 0.0, strict: bool = True) -> float:
    """``value`` as a float after checking it is a finite real number > ``lower`` (>= when not ``strict``);
    InputError naming ``name`` otherwise. ``unit`` is shown in brackets."""
    rel = ">" if strict else ">="
    suffix = f" [{unit}]" if unit else ""
    ok = is_real_number(value)
    number = float(value) if ok else float("nan")  # type: ignore[arg-type]
    if not (ok and np.isfinite(number) and (number > lower if strict else number >= lower)):
        raise InputError(f"{name} = {value!r} must be a finite number {rel} {lower:g}{suffix}")
    return number


def require_count(name: str, value: object, minimum: int) -> int:
    """``value`` as an int after checking it is a whole number >= ``minimum``; InputError otherwise."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or int(value) < minimum:
        raise InputError(f"{name} = {value!r} must be a whole number >= {minimum}")
    return int(value)


def _float_series(name: str, value: object) -> NDArray[np.float64]:
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"light series {name} = {value!r:.60} must be an array of numbers") from None


def _first_bad(name: str, values: NDArray[np.generic], bad: NDArray[np.bool_], need: str) -> InputError:
    where = np.flatnonzero(bad)
    i = int(where[0])
    return InputError(
        f"light series {name} has {where.size} of {values.size} values that are not {need} "
        f"(first: {name}[{i}] = {values[i].item()!r}); fix the light series"
    )


def _first_bad_pair(name: str, values: NDArray[np.float64], bad: NDArray[np.bool_], need: str) -> InputError:
    """As ``_first_bad`` for an (orbiter, step) array."""
    k, i = (int(j[0]) for j in np.nonzero(bad))
    return InputError(
        f"light series {name} has {int(bad.sum())} of {values.size} values that are not {need} "
        f"(first: {name}[{k}, {i}] = {values[k, i].item()!r}); fix the light series"
    )


@dataclass(frozen=True)
class LightSeries:
    """Per-step light and Earth visibility at the base (independent of where it comes from).

    ``sun_visible_fraction`` is the fraction of the solar disk above the (terrain or sphere) horizon [-];
    elevation and azimuth in rad (azimuth from north through east); ``sun_distance_m`` [m];
    ``earth_visible`` True while the Earth is above the horizon; ``relay_visible`` (optional) True while some
    relay orbiter sees both the base and the Earth (used by a ``CommLink`` with ``relay_bps`` > 0);
    ``direct_link_visible`` (optional) True while the direct link to Earth is up: the Earth above the horizon and
    the antenna's mask (default: ``earth_visible``). Loads scheduled on the Earth use ``earth_visible``.
    ``earth_distance_m`` (optional) the base's distance to the Earth's centre [m]; ``relay_range_m`` (optional)
    the distance to the nearest orbiter that relays (NaN where none does) [m]: the ranges of a ``CommLink``'s
    budgets; ``relay_earth_distance_m`` (optional) that orbiter's distance to the Earth's centre (NaN where none
    relays) [m]: the range of the relay's own link to Earth (``CommLink.trunk_budget``).
    ``relay_orbiter_range_m`` and ``relay_orbiter_earth_distance_m`` (optional, given together; shape (orbiter,
    step)): each orbiter's range to the base and distance to the Earth's centre [m], NaN where that orbiter does
    not relay; the relayed rate is then the best over the relaying orbiters (``relay_rate_bps``), and
    ``relay_range_m``/``relay_earth_distance_m`` default to the nearest relaying orbiter's.
    """

    sun_elevation_rad: NDArray[np.float64]
    sun_azimuth_rad: NDArray[np.float64]
    sun_visible_fraction: NDArray[np.float64]
    sun_distance_m: NDArray[np.float64]
    earth_visible: NDArray[np.bool_]
    source: str = "unspecified"
    relay_visible: NDArray[np.bool_] | None = None
    direct_link_visible: NDArray[np.bool_] | None = None
    earth_distance_m: NDArray[np.float64] | None = None
    relay_range_m: NDArray[np.float64] | None = None
    relay_earth_distance_m: NDArray[np.float64] | None = None
    relay_orbiter_range_m: NDArray[np.float64] | None = None
    relay_orbiter_earth_distance_m: NDArray[np.float64] | None = None

    def __post_init__(self) -> None:
        """Convert array-likes to arrays (float64 arrays and bool ``earth_visible`` are kept as given) and
        check once, vectorized: 1-D, non-empty, equal lengths; elevation finite in [-pi/2, pi/2] rad, azimuth
        finite, fraction finite in [0, 1], distance finite > 0, earth_visible boolean (or 0/1)."""
        floats = ("sun_elevation_rad", "sun_azimuth_rad", "sun_visible_fraction", "sun_distance_m")
        for name in floats:
            object.__setattr__(self, name, _float_series(name, getattr(self, name)))
        earth = np.asarray(self.earth_visible)
        if earth.dtype != np.bool_:
            numeric = earth.dtype.kind in "iuf"
            if not numeric or not np.all((earth == 0) | (earth == 1)):
                raise InputError(f"light series earth_visible = {self.earth_visible!r:.60} must be booleans (or 0/1)")
            earth = earth.astype(np.bool_)
        object.__setattr__(self, "earth_visible", earth)
        for name in ("relay_visible", "direct_link_visible"):
            given = getattr(self, name)
            if given is None:
                continue
            flags = np.asarray(given)
            if flags.dtype != np.bool_:
                if flags.dtype.kind not in "iuf" or not np.all((flags == 0) | (flags == 1)):
                    raise InputError(f"light series {name} = {given!r:.60} must be booleans (or 0/1)")
                flags = flags.astype(np.bool_)
            object.__setattr__(self, name, flags)
        for name in ("earth_distance_m", "relay_range_m", "relay_earth_distance_m"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=np.float64))
        el = self.sun_elevation_rad
        if el.ndim != 1 or el.shape[0] == 0:
            raise InputError(
                f"light series sun_elevation_rad has shape {el.shape}; it must be 1-D with at least one step"
            )
        n = el.shape[0]
        for name in (
            "sun_azimuth_rad",
            "sun_visible_fraction",
            "sun_distance_m",
            "earth_visible",
            "relay_visible",
            "direct_link_visible",
            "earth_distance_m",
            "relay_range_m",
            "relay_earth_distance_m",
        ):
            if getattr(self, name) is not None and getattr(self, name).shape != (n,):
                raise InputError(f"light series {name} has shape {getattr(self, name).shape}, expected ({n},)")
        half_pi = 0.5 * np.pi
        bad = ~((el >= -half_pi) & (el <= half_pi))  # NaN fails both
        if bad.any():
            raise _first_bad("sun_elevation_rad", el, bad, "finite angles in [-pi/2, pi/2] rad (radians, not degrees)")
        az = self.sun_azimuth_rad
        bad = ~np.isfinite(az)
        if bad.any():
            raise _first_bad("sun_azimuth_rad", az, bad, "finite numbers [rad]")
        frac = self.sun_visible_fraction
        bad = ~((frac >= 0.0) & (frac <= 1.0))
        if bad.any():
            raise _first_bad("sun_visible_fraction", frac, bad, "finite numbers in [0, 1]")
        dist = self.sun_distance_m
        bad = ~((dist > 0.0) & (dist < np.inf))
        if bad.any():
            raise _first_bad("sun_distance_m", dist, bad, "finite numbers > 0 [m]")
        if self.earth_distance_m is not None:
            dist = self.earth_distance_m
            bad = ~((dist > 0.0) & (dist < np.inf))
            if bad.any():
                raise _first_bad("earth_distance_m", dist, bad, "finite numbers > 0 [m]")
        for name in ("relay_range_m", "relay_earth_distance_m"):
            dist = getattr(self, name)
            if dist is None:
                continue
            bad = ~(((dist > 0.0) & (dist < np.inf)) | np.isnan(dist))
            if bad.any():
                raise _first_bad(name, dist, bad, "numbers > 0 [m], or NaN where no relay is up")
            if self.relay_visible is not None:
                bad = self.relay_visible & np.isnan(dist)
                if bad.any():
                    need = "a range [m] wherever relay_visible is True (NaN only where no relay is up)"
                    raise _first_bad(name, dist, bad, need)
        self._check_relay_orbiters(n)

    def _check_relay_orbiters(self, n: int) -> None:
        """The per-orbiter relay ranges: both or neither, (orbiter, step) with ``n`` steps, > 0 [m] or NaN,
        NaN at the same places, a range wherever ``relay_visible``; the nearest-orbiter fields derived from them
        when not given, else checked against them."""
        names = ("relay_orbiter_range_m", "relay_orbiter_earth_distance_m")
        given = [getattr(self, name) is not None for name in names]
        if not any(given):
            return
        if not all(given):
            have, lack = names if given[0] else names[::-1]
            raise InputError(
                f"light series has {have} but no {lack}; give both per-orbiter relay ranges [m] (or neither)"
            )
        for name in names:
            values = _float_series(name, getattr(self, name))
            if values.ndim != 2 or values.shape[0] == 0 or values.shape[1] != n:
                raise InputError(
                    f"light series {name} has shape {values.shape}, expected (orbiters >= 1, {n}): one row per orbiter"
                )
            object.__setattr__(self, name, values)
        each_range, each_earth = self.relay_orbiter_range_m, self.relay_orbiter_earth_distance_m
        assert each_range is not None and each_earth is not None
        for name, values in zip(names, (each_range, each_earth), strict=True):
            bad = ~(((values > 0.0) & (values < np.inf)) | np.isnan(values))
            if bad.any():
                raise _first_bad_pair(name, values, bad, "numbers > 0 [m], or NaN where that orbiter does not relay")
        bad = np.isnan(each_range) != np.isnan(each_earth)
        if bad.any():
            need = "NaN exactly where relay_orbiter_range_m is (an orbiter relays with both hops or not at all)"
            raise _first_bad_pair(names[1], each_earth, bad, need)
        relaying = np.isfinite(each_range)
        if self.relay_visible is not None:
            bad = self.relay_visible & ~relaying.any(axis=0)
            if bad.any():
                raise _first_bad(
                    "relay_visible", self.relay_visible, bad,
                    "True only where some orbiter has a range in relay_orbiter_range_m",
                )
        masked = np.where(relaying, each_range, np.inf)
        pick = np.argmin(masked, axis=0)
        any_up = relaying.any(axis=0)
        nearest = np.where(any_up, masked[pick, np.arange(n)], np.nan)
        nearest_earth = np.where(any_up, each_earth[pick, np.arange(n)], np.nan)
        for name, derived in (("relay_range_m", nearest), ("relay_earth_distance_m", nearest_earth)):
            old = getattr(self, name)
            if old is None:
                object.__setattr__(self, name, derived)
            elif not np.array_equal(old, derived, equal_nan=True):
                bad = ~((old == derived) | (np.isnan(old) & np.isnan(derived)))
                need = "the nearest relaying orbiter's (from the relay_orbiter_* fields; or leave it out)"
                raise _first_bad(name, old, bad, need)

    @property
    def n_steps(self) -> int:
        return int(self.sun_elevation_rad.shape[0])

    @property
    def direct_link(self) -> NDArray[np.bool_]:
        """Whether the direct link to Earth is up at each step: ``direct_link_visible``, else ``earth_visible``."""
        return self.earth_visible if self.direct_link_visible is None else self.direct_link_visible

    def irradiance_on_array_w_per_m2(self, array: SolarArray) -> NDArray[np.float64]:
        """Sunlight on the array plane: flux x visible disk fraction x cos(incidence). [W/m2]"""
        if array.tracking == "fixed":
            cos_i = fn.cos_incidence_fixed(
                self.sun_elevation_rad, self.sun_azimuth_rad, array.tilt_rad, array.azimuth_rad
            )
        elif array.tracking == "vertical_single_axis":
            cos_i = fn.cos_incidence_vertical_tracking(self.sun_elevation_rad)
        else:
            cos_i = np.ones_like(self.sun_elevation_rad)
        return fn.solar_flux_w_per_m2(self.sun_distance_m) * self.sun_visible_fraction * cos_i


@dataclass(frozen=True)
class EngineInputs:
    """Arrays shared by every run, in engine order. Times are steps of ``dt_s`` from ``start``."""

    dt_s: float
    start: np.datetime64
    array_in: NDArray[np.float64]
    array_area: NDArray[np.float64]
    array_elem: NDArray[np.int64]
    src_power: NDArray[np.float64]
    src_decay: NDArray[np.float64]
    src_elem: NDArray[np.int64]
    daylight: NDArray[np.float64]
    link_bps: NDArray[np.float64]
    link_relay: NDArray[np.float64]  # 1 where the step's link goes through a relay (the Earth is down)
    demand_w: NDArray[np.float64]
    # (load, step): standby power drawn while the load does not run (its `when` off, or shed); 0 outside its
    # from_utc..until_utc window, per crew member for per-crew loads [W]
    standby_w: NDArray[np.float64]
    load_names: tuple[str, ...]
    load_priority: NDArray[np.int64]
    load_reserve: NDArray[np.float64]  # each load's reserve threshold [share of usable storage]; -1: never shed
    load_daylight: NDArray[np.int64]
    load_elem: NDArray[np.int64]
    load_data_bps: NDArray[np.float64]
    load_product: NDArray[np.int64]
    shed_order: NDArray[np.int64]
    storage_par: NDArray[np.float64]
    storage_elem: NDArray[np.int64]
    reserve_par: NDArray[np.float64]
    crew: NDArray[np.float64]
    ls_par: NDArray[np.float64]
    ls_idx: NDArray[np.int64]
    stores0: NDArray[np.float64]
    store_par: NDArray[np.float64]
    del_step: NDArray[np.int64]
    del_comm: NDArray[np.int64]
    del_amount: NDArray[np.float64]
    comm_par: NDArray[np.float64]
    comm_idx: NDArray[np.int64]
    comp_names: tuple[str, ...]
    comp_target: NDArray[np.int64]
    comp_units: NDArray[np.int64]
    comp_repair: NDArray[np.int64]
    comp_spares0: NDArray[np.int64]
    # what each component's failure clock counts: [load, array], the load served or the array lit (-1: none);
    # [-1, -1]: every online step
    comp_op: NDArray[np.int64]
    unit_comp: NDArray[np.int64]
    n_elements: int
    element_names: tuple[str, ...]
    elem_online: NDArray[np.int64]  # step at which each element comes online (0: from the start)
    step_month: NDArray[np.int64]  # index into ``months`` of each step's calendar month (UTC)
    months: tuple[str, ...]  # the calendar months the steps fall in, "YYYY-MM"
    # the water_electrolysis plant's stores (engine.run_one): [lox_capacity_kg, lh2_capacity_kg, the share of each
    # store left after a step's boil-off (LOX, LH2), min_water_kg]
    prop_par: NDArray[np.float64] = field(default_factory=lambda: np.array(NO_PROPELLANT_PLANT))
    # each delivery of del_step (time order): its index in station.deliveries and its time [s] (for slips)
    del_source: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    del_time_s: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    # (load, step): heat a thermal load's heater could not supply (its need above power_w) while scheduled, as
    # heat [W]; 0 for other loads (lunarops.ops.thermal); no rows without a thermal load
    heat_short_w: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 0)))
    # arrival slips (station.arrival_slips): each element's online time [s] (-inf: from the start) and the slip
    # that moves it (-1: none); each delivery of del_step: the slip it lands with (-1: none)
    elem_time_s: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    elem_slip: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    del_arrival: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def years(self) -> tuple[int, ...]:
        """The calendar years the steps fall in."""
        return tuple(sorted({int(month[:4]) for month in self.months}))

    @property
    def month_year(self) -> NDArray[np.int64]:
        """Each month's index into ``years``."""
        first = self.years[0]
        return np.array([int(month[:4]) - first for month in self.months], dtype=np.int64)

    @property
    def n_steps(self) -> int:
        return int(self.demand_w.shape[1])

    def times(self) -> NDArray[np.datetime64]:
        """UTC of each step."""
        step = np.timedelta64(round(self.dt_s * 1e6), "us")
        return self.start + np.arange(self.n_steps) * step


def crew_below_zero(station: Station) -> list[tuple[float, float, str]]:
    """Where the crew count would go below 0 (departures before arrivals; ``crew_series`` holds it at 0): each
    schedule step or crew delivery after which the count is negative, as (time [s], the count, what: "schedule" or
    "delivery"), in time order."""
    schedule = sorted(station.crew_schedule)
    crew_deliveries = [d for d in station.deliveries if d.commodity == "crew"]

    def count_at(time_s: float) -> float:
        base = 0.0
        for start_s, count in schedule:
            if start_s <= time_s:
                base = float(count)
        return base + sum(d.amount for d in crew_deliveries if d.time_s <= time_s)

    events = sorted([(t, "schedule") for t, _ in schedule] + [(d.time_s, "delivery") for d in crew_deliveries])
    out: list[tuple[float, float, str]] = []
    for time_s, what in events:
        count = count_at(time_s)
        if count < 0 and not any(t == time_s for t, _, _ in out):
            out.append((time_s, count, what))
    return out


def crew_series(station: Station, time_s: NDArray[np.float64]) -> NDArray[np.float64]:
    """Crew count at each step: the schedule's step function plus 'crew' deliveries from their time on."""
    crew = np.zeros(time_s.shape)
    for start_s, count in sorted(station.crew_schedule):
        crew[time_s >= start_s] = float(count)
    for delivery in station.deliveries:
        if delivery.commodity == "crew":
            crew[time_s >= delivery.time_s] += delivery.amount
    return np.maximum(crew, 0.0)


def _start_datetime64(start: object) -> np.datetime64:
    """``start`` as a datetime64: a datetime64 is kept as given; an ISO 8601 UTC string (optional trailing
    'Z', no other offset) or a datetime (naive = UTC) is converted to datetime64[us]."""
    how = "use np.datetime64('2030-01-01T00:00'), an ISO 8601 UTC string or a datetime"
    if isinstance(start, np.datetime64):
        value = start
    elif isinstance(start, datetime):
        utc = start.astimezone(UTC).replace(tzinfo=None) if start.tzinfo is not None else start
        value = np.datetime64(utc, "us")
    elif isinstance(start, str):
        text = start.strip()
        text = text[:-1] if text[-1:] in ("Z", "z") else text
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # numpy only warns about a time-zone offset
                value = np.datetime64(text, "us")
        except (ValueError, UserWarning, DeprecationWarning):
            raise InputError(f"start = {start!r} is not an ISO 8601 UTC time; {how}") from None
    else:
        raise InputError(f"start = {start!r} is not a time; {how}")
    if np.isnat(value):
        raise InputError(f"start = {start!r} is not a time (NaT); {how}")
    return value


def build_inputs(
    station: Station,
    light: LightSeries,
    start: np.datetime64 | str | datetime,
    dt_s: float,
    daylight_min_sun_fraction: float = 0.0,
) -> EngineInputs:
    """Flatten ``station`` and ``light`` for the engine; raises InputError for loads no source can serve.

    ``start`` is the UTC of the first step: a datetime64 (kept as given), an ISO 8601 UTC string or a datetime
    (both converted to datetime64[us]); the steps from it must lie within the kernels' coverage
    (lunarops.constants.KERNEL_FIRST_UTC .. KERNEL_LAST_UTC). ``dt_s`` is the step, a finite number > 0 [s].
    A step is daylight (schedules `day`, daylight-only plants) while more than ``daylight_min_sun_fraction`` of
    the Sun's disk is seen (0: any part of it)."""
    if not isinstance(station, Station):
        raise InputError(f"station = {station!r:.60} must be a lunarops.ops.station.Station")
    if not isinstance(light, LightSeries):
        raise InputError(f"light = {light!r:.60} must be a lunarops.ops.LightSeries")
    step_s = require_real("dt_s", dt_s, "s")  # dt_s itself goes on unchanged
    start64 = _start_datetime64(start)
    n = light.n_steps
    span_s = (n - 1) * step_s
    first_s = float((start64 - KERNEL_START) / np.timedelta64(1, "s"))
    last_s = float((KERNEL_END - KERNEL_START) / np.timedelta64(1, "s"))
    if first_s < 0 or first_s + span_s > last_s:
        raise InputError(
            f"start = {start64!r} with {n} steps of dt_s = {step_s:g} s leaves the kernels' coverage "
            f"{_COVERAGE_TEXT}; choose a start and period inside it"
        )
    time_s = np.arange(n, dtype=np.float64) * dt_s
    elements = station.element_names
    index = {name: i for i, name in enumerate(elements)}
    loads = station.all_loads
    if loads and not station.solar_arrays and not station.sources:
        raise InputError(
            f"operations: the station has {len(loads)} loads ({', '.join(ld.name for ld in loads[:3])}...) "
            "but no power source; add power.solar_arrays, power.radioisotope_units or power.fission_plants"
        )
    crew = crew_series(station, time_s)
    threshold = require_real("daylight_min_sun_fraction", daylight_min_sun_fraction, "of the Sun's disk", strict=False)
    if not 0.0 <= threshold < 1.0:
        raise InputError(
            f"daylight_min_sun_fraction = {threshold!r} must be in [0, 1): 0 counts any part of the Sun's disk as "
            "day, 0.5 its centre up"
        )
    daylight = (light.sun_visible_fraction > threshold).astype(np.float64)
    earth = light.earth_visible.astype(np.float64)
    comm = station.comm
    # the comm link's rate at each step [bit/s]: direct while that link is up and closes, else through a relay
    # path if any (the Earth down or masked, or the direct budget closing no rate)
    direct = light.direct_link
    link = np.where(direct, direct_rate_bps(comm, light) if comm else 1.0, 0.0)
    relay = np.zeros(n)
    if comm is not None and comm.relay_bps > 0.0 and light.relay_visible is not None:
        direct_up = link > 0.0
        relay = (~direct_up & light.relay_visible).astype(np.float64)
        link = np.where(direct_up, link, np.where(light.relay_visible, relay_rate_bps(comm, light), 0.0))

    demand = np.zeros((len(loads), n))
    standby = np.zeros((len(loads), n))
    heat_short = np.zeros((len(loads), n) if any(getattr(ld, "thermal", None) for ld in loads) else (0, n))
    # each schedule word (lunarops.schedules.When) as 0/1 per step
    gates = {
        "always": np.ones(n),
        "day": daylight,
        "night": 1.0 - daylight,
        "crewed": (crew > 0).astype(float),
        "uncrewed": (crew <= 0).astype(float),
        "earth_visible": earth,
        "earth_hidden": 1.0 - earth,
        "comm_link": (link > 0.0).astype(float),
        "direct_link": direct.astype(float),
    }
    for i, ld in enumerate(loads):
        base = ld.power_w * (crew if ld.per_crew else np.ones(n))
        gate = np.ones(n)
        for condition in (ld.when,) if isinstance(ld.when, str) else ld.when:
            gate = gate * gates[condition]
        window = ((time_s >= ld.start_s) & (time_s < ld.end_s)).astype(float)
        thermal = getattr(ld, "thermal", None)  # ISRU plants have none
        need = None
        if thermal is not None:
            need = _heater_need(ld.name, ld.power_w, ld.per_crew, thermal, light, crew)
            base = np.minimum(need, ld.power_w)
            heat_short[i] = (need - base) * thermal.heater_efficiency * gate * window
        demand[i] = base * gate * window
        if not (is_real_number(ld.standby_w) and math.isfinite(ld.standby_w) and 0.0 <= ld.standby_w <= ld.power_w):
            raise InputError(
                f"load {ld.name!r}: standby_w = {ld.standby_w!r} must be a finite number from 0 to its power_w = "
                f"{ld.power_w:g} W (the keep-alive draw while off is at most the running draw)"
            )
        if ld.standby_w > 0.0:
            standby[i] = ld.standby_w * (crew if ld.per_crew else np.ones(n)) * window
            if need is not None:  # a heater's keep-alive holds at most what its enclosure needs
                standby[i] = np.minimum(standby[i], need)
        if thermal is not None and need is not None:
            # while its `when` is off it gives only its keep-alive: the rest of the enclosure's need is unmet too
            off_short = np.maximum(need - standby[i], 0.0) * (1.0 - gate) * window
            heat_short[i] += off_short * thermal.heater_efficiency
    priority = np.array([ld.priority for ld in loads], dtype=np.int64)
    # least essential first: highest priority number, and among equals the one listed last
    names = [ld.name for ld in loads]
    for name in station.policy.shed_order:
        if name not in names:
            raise InputError(f"policy.shed_order names {name!r}, which is not a load; use one of {names}")
    first = [names.index(name) for name in station.policy.shed_order]
    rest = sorted((i for i in range(len(loads)) if i not in first), key=lambda i: (-priority[i], -i))
    shed_order = np.array(first + rest, dtype=np.int64)
    n_plain = len(station.loads)
    product = np.full(len(loads), -1, dtype=np.int64)
    for k, plant in enumerate(station.isru):
        product[n_plain + k] = {"ice_extraction": 1, "water_electrolysis": 2}.get(plant.kind, 0)
    prop_par = propellant_parameters(station, dt_s)
    load_names = tuple(ld.name for ld in loads)
    load_index = {name: i for i, name in enumerate(load_names)}

    b, r = station.battery, station.fuel_cell
    storage_par = np.array(
        [
            1.0 if b else 0.0,
            b.capacity_j if b else 0.0,
            (1.0 - b.depth_of_discharge) if b else 0.0,
            b.max_charge_w if b else 0.0,
            b.max_discharge_w if b else 0.0,
            b.initial_state_of_charge if b else 0.0,
            b.capacity_fade_per_year if b else 0.0,
            1.0 if r else 0.0,
            r.capacity_j if r else 0.0,
            r.fuel_cell_w if r else 0.0,
            r.electrolyser_w if r else 0.0,
            r.initial_fill if r else 0.0,
        ]
    )
    storage_elem = np.array([index[b.name] if b else 0, index[r.name] if r else 0], dtype=np.int64)

    rates = station.crew_rates
    cl = station.closure
    ls_par = np.array(
        [
            rates.o2_kg_per_day / DAY_S,
            rates.co2_kg_per_day / DAY_S,
            (rates.potable_water_kg_per_day + rates.other_water_kg_per_day) / DAY_S,
            rates.food_kg_per_day / DAY_S,
            cl.water_recovery_fraction,
            cl.oxygen_generation_fraction,
            cl.sabatier_efficiency,
            rates.eva_o2_kg_per_day / DAY_S,  # per crew per s, from the O2 store (not the loop)
            rates.eva_water_kg_per_day / DAY_S,  # per crew per s, vented: from the water store
            rates.cabin_leak_o2_kg_per_day / DAY_S,  # whole habitat per s, while crew are aboard
        ]
    )
    eclss = load_index[station.eclss_load] if station.eclss_load else -1
    ls_idx = np.array([eclss] + [index[name] for name in LIFE_SUPPORT_TARGETS], dtype=np.int64)
    cons = station.consumables
    stores0 = np.array([getattr(cons, s) for s in STORES], dtype=np.float64)
    store_par = np.array([cons.reserve_days, cons.o2_capacity_kg, cons.water_capacity_kg])

    source = sorted((i for i, d in enumerate(station.deliveries) if d.commodity != "crew"),
                    key=lambda i: station.deliveries[i].time_s)
    deliveries = [station.deliveries[i] for i in source]
    del_step = np.array([max(0, step_at_or_after(d.time_s, dt_s)) for d in deliveries], dtype=np.int64)
    elem_slip, del_arrival = arrival_slip_index(station, elements, deliveries)
    comp_index = {c.name: i for i, c in enumerate(station.components)}
    if len(comp_index) < len(station.components):
        names = [c.name for c in station.components]
        raise InputError(
            f"components: names {sorted({n for n in names if names.count(n) > 1})} repeat; give each component its "
            "own name (spares and results are addressed by it)"
        )
    for d in deliveries:
        if d.component is not None and (d.commodity != "spares" or d.component not in comp_index):
            raise InputError(
                f"delivery of {d.commodity} for component {d.component!r}: only spares name a component, and it must "
                f"be one of the station's components {sorted(comp_index)}"
            )
    # spares for a component: code SPARES_FOR + its index (its own spares); plain spares: the pool
    del_comm = np.array(
        [
            SPARES_FOR + comp_index[d.component] if d.component is not None else COMMODITY_CODE[d.commodity]
            for d in deliveries
        ],
        dtype=np.int64,
    )
    del_amount = np.array([d.amount for d in deliveries], dtype=np.float64)

    # comm_par[1] was the downlink rate; the rate is now per step in link_bps, so it is 1.0 (layout kept)
    comm_par = np.array([1.0 if comm else 0.0, 1.0 if comm else 0.0, comm.buffer_bits if comm else 0.0])
    comm_idx = np.array(
        [load_index[comm.load] if comm and comm.load else -1, index[comm.name] if comm else 0], dtype=np.int64
    )

    comps = station.components
    for c in comps:
        if c.target not in index:
            raise InputError(
                f"component {c.name!r}: target {c.target!r} is not an element of the station; "
                f"choose one of {list(elements)}"
            )
    unit_comp = np.array([i for i, c in enumerate(comps) for _ in range(c.units)], dtype=np.int64)
    comp_op = operating_clock(station, load_index)
    calendar = (start64 + np.round(time_s * 1e6).astype("timedelta64[us]")).astype("datetime64[M]").astype(np.int64)
    step_month = (calendar - calendar[0]).astype(np.int64)
    months = tuple(str(np.datetime64(int(m), "M")) for m in range(int(calendar[0]), int(calendar[-1]) + 1))
    return EngineInputs(
        dt_s=dt_s,
        start=start64,
        array_in=np.array([light.irradiance_on_array_w_per_m2(a) for a in station.solar_arrays]).reshape(-1, n),
        array_area=np.array([a.area_m2 for a in station.solar_arrays], dtype=np.float64),
        array_elem=np.array([index[a.name] for a in station.solar_arrays], dtype=np.int64),
        src_power=np.array([s.power_w * s.count for s in station.sources], dtype=np.float64),
        # decay rate [1/s]: Pu-238 and the thermocouples' degradation, both exponential
        src_decay=np.array(
            [
                np.log(2.0) / fn.PU238_HALF_LIFE_S - np.log1p(-s.degradation_per_year) / YEAR_S
                if s.radioisotope
                else 0.0
                for s in station.sources
            ],
            dtype=np.float64,
        ),
        src_elem=np.array([index[s.name] for s in station.sources], dtype=np.int64),
        daylight=daylight,
        link_bps=link.astype(np.float64),
        link_relay=relay,
        demand_w=demand,
        standby_w=standby,
        load_names=load_names,
        load_priority=priority,
        load_reserve=reserve_thresholds(station),
        load_daylight=np.array([1 if ld.daylight_only else 0 for ld in loads], dtype=np.int64),
        load_elem=np.array([index[ld.name] for ld in loads], dtype=np.int64),
        load_data_bps=np.array([ld.data_rate_bps for ld in loads], dtype=np.float64),
        load_product=product,
        shed_order=shed_order,
        storage_par=storage_par,
        storage_elem=storage_elem,
        reserve_par=np.array([station.policy.reserve_state_of_charge, station.policy.reserve_hysteresis]),
        crew=crew,
        ls_par=ls_par,
        ls_idx=ls_idx,
        stores0=stores0,
        store_par=store_par,
        prop_par=prop_par,
        del_step=del_step,
        del_comm=del_comm,
        del_amount=del_amount,
        del_source=np.array(source, dtype=np.int64),
        del_time_s=np.array([d.time_s for d in deliveries], dtype=np.float64),
        heat_short_w=heat_short,
        comm_par=comm_par,
        comm_idx=comm_idx,
        comp_names=tuple(c.name for c in comps),
        comp_target=np.array([index[c.target] for c in comps], dtype=np.int64),
        comp_units=np.array([c.units for c in comps], dtype=np.int64),
        comp_repair=np.array([max(1, int(np.ceil(c.repair_h * 3600.0 / dt_s - 1e-9))) for c in comps], dtype=np.int64),
        comp_spares0=np.array([c.spares for c in comps], dtype=np.int64),
        comp_op=comp_op,
        unit_comp=unit_comp,
        n_elements=len(elements),
        element_names=elements,
        elem_online=online_steps(elements, station.element_online_s, dt_s, n),
        elem_time_s=np.array(station.element_online_s, dtype=np.float64),
        elem_slip=elem_slip,
        del_arrival=del_arrival,
        step_month=step_month,
        months=months,
    )


def _heater_need(
    name: str, power_w: float, per_crew: bool, thermal: object, light: LightSeries, crew: NDArray[np.float64]
) -> NDArray[np.float64]:
    """A thermal load's heater need at each step [W] (lunarops.ops.thermal.heater_need_w), after checking it."""
    if not isinstance(thermal, ThermalLoad):
        raise InputError(f"load {name!r}: thermal = {thermal!r:.60} must be a lunarops.ops.thermal.ThermalLoad")
    thermal.check(name)
    if per_crew:
        raise InputError(
            f"load {name!r}: per_crew with a thermal model; the heat balance is the whole enclosure's and power_w "
            "its heater's capacity: drop per_crew (crew heat: internal_heat_per_crew_w)"
        )
    if not (is_real_number(power_w) and 0.0 <= power_w < math.inf):
        raise InputError(f"load {name!r}: power_w = {power_w!r} must be a finite number >= 0 [W] (heater capacity)")
    el, frac, dist = light.sun_elevation_rad, light.sun_visible_fraction, light.sun_distance_m
    return heater_need_w(thermal, el, frac, dist, crew)


def propellant_parameters(station: Station, dt_s: float) -> NDArray[np.float64]:
    """``prop_par`` of the engine for the station's water_electrolysis plant (at most one: it fills the LOX and
    LH2 stores); passive boil-off compounds per step: the share kept is (1 - fraction per day)^(dt / 1 d)."""
    plants = [p for p in station.isru if p.kind == "water_electrolysis"]
    if not plants:
        return np.array(NO_PROPELLANT_PLANT)
    if len(plants) > 1:
        raise InputError(
            f"isru: {len(plants)} water_electrolysis plants ({', '.join(p.name for p in plants)}); the LOX and LH2 "
            "stores belong to one plant: give one plant with the summed water_kg_per_hour"
        )
    p = plants[0]
    has_water = (
        any(q.kind == "ice_extraction" for q in station.isru)
        or station.consumables.water_kg > 0.0
        or any(d.commodity == "water_kg" and d.amount > 0.0 for d in station.deliveries)
    )
    if not has_water:  # (the campaign's deliveries are among the station's)
        raise InputError(
            f"ISRU plant {p.name!r} (water_electrolysis) has no water to split: no ice_extraction plant, no "
            "consumables.water_kg and no water delivery; add one of them, or drop the plant"
        )
    for name, value, ok, fix in (
        ("energy_j_per_kg_water", p.energy_j_per_kg_water, p.energy_j_per_kg_water > 0.0, "give it above 0"),
        ("lox_capacity_kg", p.lox_capacity_kg, p.lox_capacity_kg > 0.0, "give it above 0 (inf: unlimited)"),
        ("lh2_capacity_kg", p.lh2_capacity_kg, p.lh2_capacity_kg > 0.0, "give it above 0 (inf: unlimited)"),
        ("lox_boil_off_fraction_per_day", p.lox_boil_off_fraction_per_day,
         0.0 <= p.lox_boil_off_fraction_per_day < 1.0, "give a share of the store per day in [0, 1)"),
        ("lh2_boil_off_fraction_per_day", p.lh2_boil_off_fraction_per_day,
         0.0 <= p.lh2_boil_off_fraction_per_day < 1.0, "give a share of the store per day in [0, 1)"),
        ("min_water_kg", p.min_water_kg, 0.0 <= p.min_water_kg < math.inf, "give a finite amount >= 0"),
    ):
        if not (is_real_number(value) and ok):
            raise InputError(f"ISRU plant {p.name!r} {name} = {value!r}: {fix}")
    return np.array(
        [
            p.lox_capacity_kg,
            p.lh2_capacity_kg,
            (1.0 - p.lox_boil_off_fraction_per_day) ** (dt_s / DAY_S),
            (1.0 - p.lh2_boil_off_fraction_per_day) ** (dt_s / DAY_S),
            p.min_water_kg,
        ]
    )


def operating_clock(station: Station, load_index: dict[str, int]) -> NDArray[np.int64]:
    """[load, array] whose work advances each component's failure clock (-1: none; [-1, -1]: every online step).

    With ``clock: operating`` a load's or ISRU plant's units count the steps in which it is served; a
    life-support subsystem's, those in which the ECLSS load is served; the comm link's, those in which its load is
    served; an array's, those in which it is lit. Power units and storage work whenever online."""
    comm_name, comm_load = (station.comm.name, station.comm.load) if station.comm else (None, None)
    arrays = {a.name: i for i, a in enumerate(station.solar_arrays)}
    out = np.full((len(station.components), 2), -1, dtype=np.int64)
    for i, c in enumerate(station.components):
        if c.clock != "operating":
            continue
        if c.target in load_index:
            out[i, 0] = load_index[c.target]
        elif c.target in arrays:
            out[i, 1] = arrays[c.target]
        elif c.target in LIFE_SUPPORT_TARGETS or c.target == comm_name:
            eclss = c.target in LIFE_SUPPORT_TARGETS
            runs_on, field = (station.eclss_load, "life_support.eclss_load") if eclss else (comm_load, "comms.load")
            if runs_on is None:
                raise InputError(
                    f"component {c.name!r}: clock = 'operating' counts the steps in which {c.target!r} works, "
                    f"i.e. in which its load ({field}) is served, but {field} is not set; set {field} or use "
                    "clock: online"
                )
            out[i, 0] = load_index[runs_on]
    return out


def slipped_delivery_steps(inputs: EngineInputs, slip_s: NDArray[np.float64]) -> NDArray[np.int64]:
    """Each run's delivery steps (run, delivery in ``del_step`` order) for slips ``slip_s`` [s] of the same
    shape: the first step at or after time + slip (step 0 for a time before the start); ``n_steps`` or more: past
    the period's end, not delivered. A slip of 0 keeps ``del_step``."""
    late = np.ceil((inputs.del_time_s + slip_s) / inputs.dt_s - 1e-9)
    steps = np.maximum(0, np.minimum(late, float(inputs.n_steps))).astype(np.int64)
    return np.where(slip_s > 0.0, steps, inputs.del_step[None, :])


def arrival_slip_index(
    station: Station, elements: tuple[str, ...], deliveries: list[Delivery]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The index in ``station.arrival_slips`` of the slip moving each element (the life-support hardware: its
    ECLSS load's) and each delivery (-1: none); InputError for an unknown, repeated or never-late element."""
    elem_slip = np.full(len(elements), -1, dtype=np.int64)
    online = dict(zip(elements, station.element_online_s, strict=True))
    names = [a.name for a in station.arrival_slips]
    for k, slip in enumerate(station.arrival_slips):
        if names.count(slip.name) > 1:
            raise InputError(f"arrival slip {slip.name!r} is given twice; give each mission or element one slip")
        for name in slip.elements:
            if name not in online or name in LIFE_SUPPORT_TARGETS:
                raise InputError(
                    f"arrival slip {slip.name!r}: {name!r} is not an element of the station; choose among "
                    f"{[e for e in elements if e not in LIFE_SUPPORT_TARGETS]}"
                )
            if online[name] == -math.inf:
                raise InputError(
                    f"arrival slip {slip.name!r}: element {name!r} is there from the start (no online time), so it "
                    "cannot arrive late; give it an online time (online_utc or arrives_with) or drop the slip"
                )
            i = elements.index(name)
            if elem_slip[i] >= 0:
                raise InputError(
                    f"element {name!r} is moved by arrival slips {names[elem_slip[i]]!r} and {slip.name!r}; give it one"
                )
            elem_slip[i] = k
    if station.eclss_load is not None and station.eclss_load in elements:
        for name in LIFE_SUPPORT_TARGETS:  # the loop's hardware comes online with its ECLSS load
            elem_slip[elements.index(name)] = elem_slip[elements.index(station.eclss_load)]
    del_arrival = np.full(len(deliveries), -1, dtype=np.int64)
    for m, d in enumerate(deliveries):
        if d.arrival:
            if d.arrival not in names:
                raise InputError(f"delivery {d.name or d.commodity!r}: arrival {d.arrival!r} is not an arrival slip")
            del_arrival[m] = names.index(d.arrival)
    return elem_slip, del_arrival


def slipped_online_steps(inputs: EngineInputs, slip_s: NDArray[np.float64]) -> NDArray[np.int64]:
    """Each run's element online steps (run, element) for arrival slips ``slip_s`` (run, arrival slip) [s]: the
    first step at or after online time + its slip (step 0 for a time before the start); ``n_steps``: past the
    period's end, never online in that run. Elements no slip moves keep ``elem_online``."""
    runs = slip_s.shape[0]
    out = np.tile(inputs.elem_online, (runs, 1))
    for e in np.flatnonzero(inputs.elem_slip >= 0).tolist():
        late = np.ceil((inputs.elem_time_s[e] + slip_s[:, inputs.elem_slip[e]]) / inputs.dt_s - 1e-9)
        steps = np.maximum(0, np.minimum(late, float(inputs.n_steps))).astype(np.int64)
        out[:, e] = np.where(slip_s[:, inputs.elem_slip[e]] > 0.0, steps, inputs.elem_online[e])
    return out


def step_at_or_after(time_s: float, dt_s: float) -> int:
    """The first step at or after ``time_s`` (a time within 1e-9 step of a step is that step): when a delivery
    lands or an element comes online."""
    return math.ceil(time_s / dt_s - 1e-9)


def online_steps(names: tuple[str, ...], online_s: tuple[float, ...], dt_s: float, n_steps: int) -> NDArray[np.int64]:
    """The first step at or after each element's ``online_s`` (0 for -inf or a time before the start;
    ``n_steps`` for a time after the last step: never online in the period); InputError for NaN or +inf."""
    steps = np.zeros(len(names), dtype=np.int64)
    for i, (name, when) in enumerate(zip(names, online_s, strict=True)):
        if not is_real_number(when) or math.isnan(when) or when == math.inf:
            raise InputError(
                f"element {name!r}: online_s = {when!r} must be a number of seconds from the start (or -inf: "
                "there from the start)"
            )
        if when > 0.0:
            steps[i] = min(n_steps, step_at_or_after(when, dt_s))
    return steps


def direct_rate_bps(comm: CommLink, light: LightSeries) -> NDArray[np.float64]:
    """The direct link's rate at each step while it is up [bit/s]: ``downlink_bps``, capped by the budget's rate
    at the base's distance to the Earth when the link has a budget."""
    return _capped_rate(comm, comm.downlink_bps, comm.direct_budget, light, "earth_distance_m", "the Earth")


def relay_rate_bps(comm: CommLink, light: LightSeries) -> NDArray[np.float64]:
    """The relayed link's rate at each step while a relay is up [bit/s]: ``relay_bps``, capped by the budget's
    rate at the nearest relay's range when the link has a budget (0 where no relay is up); with a trunk (the
    relay's own link to Earth: ``trunk_budget``, ``trunk_bps``) the lower of that and the trunk's rate, and with
    per-orbiter ranges (``LightSeries.relay_orbiter_range_m``) the best such pair over the relaying orbiters."""
    base_leg = _capped_rate(comm, comm.relay_bps, comm.relay_budget, light, "relay_range_m", "the nearest relay")
    if comm.trunk_budget is None and comm.trunk_bps == float("inf"):
        return base_leg  # the rate falls with range: the nearest orbiter is the best
    if light.relay_orbiter_range_m is not None:
        return relay_pair_rates_bps(comm, light).max(axis=0)
    return np.minimum(base_leg, trunk_rate_bps(comm, light))


def relay_pair_rates_bps(comm: CommLink, light: LightSeries) -> NDArray[np.float64]:
    """Each orbiter's relayed rate, the lower of its two hops, at each step [bit/s], shape (orbiter, step): 0
    where it does not relay. Needs the per-orbiter ranges (``LightSeries.relay_orbiter_range_m``)."""
    if light.relay_orbiter_range_m is None or light.relay_orbiter_earth_distance_m is None:
        raise InputError("light series has no relay_orbiter_range_m: give the per-orbiter relay ranges [m]")
    base = _capped_rate(
        comm, comm.relay_bps, comm.relay_budget, light, "relay_orbiter_range_m", "each relaying orbiter"
    )
    trunk = _capped_rate(
        comm, comm.trunk_bps, comm.trunk_budget, light, "relay_orbiter_earth_distance_m", "the Earth from each orbiter"
    )
    # a fixed rate (no budget) is not NaN-aware: an orbiter that does not relay carries nothing
    return np.where(np.isfinite(light.relay_orbiter_range_m), np.minimum(base, trunk), 0.0)


def trunk_rate_bps(comm: CommLink, light: LightSeries) -> NDArray[np.float64]:
    """The relay's own link to Earth at each step [bit/s]: ``trunk_bps`` (inf: none), capped by ``trunk_budget``'s
    rate at the relaying orbiter's distance to the Earth (0 where no relay is up)."""
    return _capped_rate(
        comm, comm.trunk_bps, comm.trunk_budget, light, "relay_earth_distance_m", "the Earth from the relaying orbiter"
    )


_LEGS = {
    "relay_range_m": "relay",
    "earth_distance_m": "direct",
    "relay_earth_distance_m": "relay trunk",
    "relay_orbiter_range_m": "relay",
    "relay_orbiter_earth_distance_m": "relay trunk",
}


def _capped_rate(
    comm: CommLink, fixed_bps: float, budget: LinkBudget | None, light: LightSeries, range_name: str, to: str
) -> NDArray[np.float64]:
    """``fixed_bps`` at every step, capped by ``budget``'s rate at the light series' range ``range_name`` (0 where
    the range is NaN: no link). With the budget's discrete ``rates_bps``: the highest listed rate at or below
    ``fixed_bps`` that closes."""
    range_m = getattr(light, range_name)
    if budget is None:
        return np.full(light.n_steps if range_m is None else range_m.shape, fixed_bps)
    leg = _LEGS[range_name]
    if range_m is None:
        raise InputError(
            f"comm link {comm.name!r} has a {leg} link budget but the light series has no {range_name}; give the "
            f"range to {to} [m] per step"
        )
    if budget.rates_bps is not None and budget.rates_bps[0] > fixed_bps:
        raise InputError(
            f"comm link {comm.name!r}: the {leg} link budget's lowest rate, {budget.rates_bps[0]:g} bps, is above "
            f"the leg's fixed rate {fixed_bps:g} bps, so it never runs; list rates at or below it or raise the rate"
        )
    up = np.isfinite(range_m)
    rate = budget.rate_bps(np.where(up, range_m, 1.0), fixed_bps)
    return np.where(up, rate, 0.0)


def reserve_thresholds(station: Station) -> NDArray[np.float64]:
    """Each load's (engine order) reserve threshold, a share of usable storage: its own
    ``reserve_state_of_charge``, else the policy's, for a load flagged ``shed_below_reserve`` or given a threshold;
    -1 for one the reserve policy never sheds."""
    policy = station.policy.reserve_state_of_charge
    return np.array(
        [
            (ld.reserve_state_of_charge if ld.reserve_state_of_charge is not None else policy)
            if ld.shed_below_reserve or ld.reserve_state_of_charge is not None
            else -1.0
            for ld in station.all_loads
        ],
        dtype=np.float64,
    )
