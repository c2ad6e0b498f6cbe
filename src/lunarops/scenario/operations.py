"""The `operations` section of a scenario file: the station's power, life support, ISRU, comms and failures.

Units are in the field names (kw, kwh, kg, h, mbps, gb, pct). A number marked *uncertain* may be a plain
value or a distribution the Monte Carlo draws from: ``{kind: normal, mean, sd, low, high}`` (truncated to
[low, high]), ``{kind: uniform, low, high}`` or ``{kind: triangular, low, mode, high}``.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Literal, get_args

from pydantic import Field, field_validator, model_validator

from lunarops.constants import ELECTROLYSIS_MIN_KWH_PER_KG_O2, SHANNON_LIMIT_EB_N0_DB
from lunarops.scenario.base import _Model
from lunarops.scenario.core import _as_utc
from lunarops.schedules import When


class NormalDistribution(_Model):
    kind: Literal["normal"]
    mean: float
    sd: float = Field(ge=0)
    low: float
    high: float


class UniformDistribution(_Model):
    kind: Literal["uniform"]
    low: float
    high: float


class TriangularDistribution(_Model):
    kind: Literal["triangular"]
    low: float
    mode: float
    high: float


Distribution = Annotated[NormalDistribution | UniformDistribution | TriangularDistribution, Field(discriminator="kind")]
UncertainFloat = float | Distribution


def support(value: UncertainFloat) -> tuple[float, float, float]:
    """(lowest, nominal, highest) value an uncertain number can take."""
    if isinstance(value, float | int):
        return float(value), float(value), float(value)
    if isinstance(value, NormalDistribution):
        return value.low, value.mean, value.high
    if isinstance(value, UniformDistribution):
        return value.low, 0.5 * (value.low + value.high), value.high
    return value.low, value.mode, value.high


def uncertain_text(value: UncertainFloat) -> str:
    """An uncertain number as a scenario file writes it: ``0.5`` or ``{kind: uniform, low: 0.8, high: 1.1}``."""
    if isinstance(value, float | int):
        return f"{value:g}"
    fields = ", ".join(f"{k}: {v:g}" if isinstance(v, float | int) else f"{k}: {v}"
                       for k, v in value.model_dump().items())
    return "{" + fields + "}"


def check_range(name: str, value: UncertainFloat, low: float, high: float, low_open: bool = False) -> None:
    """Raise ValueError naming ``name`` unless every value ``value`` can take lies in [low, high]."""
    lo, nominal, hi = support(value)
    if not lo <= nominal <= hi:
        raise ValueError(f"{name}: distribution needs low <= mean/mode <= high, got {uncertain_text(value)}")
    bad_low = lo <= low if low_open else lo < low
    if bad_low or hi > high:
        bracket = "(" if low_open else "["
        raise ValueError(
            f"{name} must lie in {bracket}{low}, {high}], got {uncertain_text(value)}; fix the value or its bounds"
        )


class _Online(_Model):
    """When an element comes online: ``online_utc``, or ``arrives_with`` a mission of the campaign's logistics
    plan (online when that mission lands at the base). Neither: there from the period's start."""

    online_utc: datetime | None = Field(default=None, description="when the element comes online (UTC)")
    arrives_with: str | None = Field(
        default=None, min_length=1, description="campaign.logistics mission that brings it (online on landing)"
    )

    _parse_online = field_validator("online_utc", mode="before")(_as_utc)

    @model_validator(mode="after")
    def _one_arrival(self) -> _Online:
        if self.online_utc is not None and self.arrives_with is not None:
            raise ValueError(
                f"{getattr(self, 'name', 'element')!r} gives both online_utc and arrives_with; give one of them"
            )
        return self


class SolarArraySpec(_Online):
    name: str = Field(min_length=1)
    area_m2: float = Field(gt=0, le=1e7)
    cell_efficiency: UncertainFloat = Field(description="array-level conversion efficiency, uncertain [-]")
    mast_height_m: float = Field(default=0.0, ge=0, le=1000)
    tracking: Literal["fixed", "vertical_single_axis", "two_axis"] = "vertical_single_axis"
    tilt_deg: float = Field(default=90.0, ge=0, le=90, description="fixed arrays: tilt from horizontal")
    azimuth_deg: float = Field(default=0.0, ge=0, lt=360, description="fixed arrays: azimuth the panel faces")
    degradation_per_year: UncertainFloat = Field(default=0.0, description="fractional output loss per year")
    specific_mass_kg_per_m2: float = Field(default=2.14, ge=0, description="blanket + structure")

    @model_validator(mode="after")
    def _check(self) -> SolarArraySpec:
        check_range(f"solar array {self.name!r} cell_efficiency", self.cell_efficiency, 0.0, 1.0, low_open=True)
        check_range(f"solar array {self.name!r} degradation_per_year", self.degradation_per_year, 0.0, 0.5)
        # by value, not by the fields given: a dumped and re-read scenario (a sweep member) carries the defaults
        defaults = (("azimuth_deg", 0.0), ("tilt_deg", 90.0))
        fixed_only = [name for name, default in defaults if getattr(self, name) != default]
        if self.tracking != "fixed" and fixed_only:
            raise ValueError(
                f"solar array {self.name!r}: {' and '.join(fixed_only)} apply to tracking: fixed only; a "
                f"{self.tracking} array turns to face the Sun (vertical panels for vertical_single_axis), so drop "
                "them or set tracking: fixed"
            )
        return self


class RadioisotopeSpec(_Online):
    name: str = Field(min_length=1)
    power_w: float = Field(gt=0, description="electric power at beginning of life per unit")
    count: int = Field(default=1, ge=1)
    mass_kg: float = Field(default=0.0, ge=0, description="per unit")
    degradation_per_year: float = Field(
        default=0.0,
        ge=0,
        lt=1,
        description="thermocouple degradation: share of the power lost per year on top of the Pu-238 decay "
        "(MMRTG: about 0.04, i.e. about 4.8 %/yr in all with the decay)",
    )


class FissionSpec(_Online):
    name: str = Field(min_length=1)
    power_kwe: float = Field(gt=0, description="electric power per unit")
    count: int = Field(default=1, ge=1)
    mass_kg: float = Field(default=0.0, ge=0, description="per unit")


class PowerSpec(_Model):
    solar_arrays: list[SolarArraySpec] = []
    radioisotope_units: list[RadioisotopeSpec] = []
    fission_plants: list[FissionSpec] = []


class BatterySpec(_Online):
    name: str = "battery"
    capacity_kwh: float = Field(gt=0)
    depth_of_discharge: float = Field(default=0.8, gt=0, le=1)
    charge_efficiency: UncertainFloat = 0.97
    discharge_efficiency: UncertainFloat = 0.97
    max_charge_kw: float = Field(default=1e6, gt=0)
    max_discharge_kw: float = Field(default=1e6, gt=0)
    initial_state_of_charge: float = Field(default=1.0, ge=0, le=1)
    capacity_fade_per_year: float = Field(default=0.0, ge=0, lt=1)
    specific_energy_wh_per_kg: float = Field(default=200.0, gt=0)

    @model_validator(mode="after")
    def _check(self) -> BatterySpec:
        check_range("battery charge_efficiency", self.charge_efficiency, 0.0, 1.0, low_open=True)
        check_range("battery discharge_efficiency", self.discharge_efficiency, 0.0, 1.0, low_open=True)
        if self.initial_state_of_charge < 1.0 - self.depth_of_discharge:
            raise ValueError(
                f"battery initial_state_of_charge {self.initial_state_of_charge} is below the floor "
                f"1 - depth_of_discharge = {1 - self.depth_of_discharge:.3f}; raise it"
            )
        return self


class FuelCellSpec(_Online):
    name: str = "rfc"
    capacity_kwh: float = Field(gt=0, description="electric energy the fuel cell delivers from full tanks")
    fuel_cell_efficiency: UncertainFloat = 0.65
    electrolyser_efficiency: UncertainFloat = 0.85
    fuel_cell_kw: float = Field(gt=0)
    electrolyser_kw: float = Field(gt=0)
    initial_fill: float = Field(default=1.0, ge=0, le=1)
    mass_kg: float = Field(default=0.0, ge=0)

    @model_validator(mode="after")
    def _check(self) -> FuelCellSpec:
        check_range("fuel_cell fuel_cell_efficiency", self.fuel_cell_efficiency, 0.0, 1.0, low_open=True)
        check_range("fuel_cell electrolyser_efficiency", self.electrolyser_efficiency, 0.0, 1.0, low_open=True)
        return self


class StorageSpec(_Model):
    battery: BatterySpec | None = None
    fuel_cell: FuelCellSpec | None = None


WhenName = When  # the engine's schedule words (lunarops.schedules.When): one list


WHEN_WORDS: tuple[str, ...] = get_args(WhenName)
# what people write for a schedule word, and the word lunarops has
_WHEN_SYNONYMS = {"sun_up": "day", "sunlit": "day", "lit": "day", "dark": "night", "earth_up": "earth_visible",
                  "earth_down": "earth_hidden", "link": "comm_link", "crew": "crewed", "uncrew": "uncrewed",
                  "teleoperation": "direct_link", "teleop": "direct_link", "dte": "direct_link"}


def unknown_when(word: str) -> str:
    """The message for a schedule word lunarops does not have: the nearest word, and what cannot be written."""
    import difflib
    import re

    text = word.strip().lower()
    parts = [_WHEN_SYNONYMS.get(part, part) for part in re.split(r"\s+and\s+|\s*&&?\s*|\s*\+\s*|\s*,\s*", text)]
    if len(parts) > 1 and all(part in WHEN_WORDS for part in parts):  # 'day and earth_visible': all at once
        return f"when = {word!r} is one text; several conditions at once are a YAML list: when: [{', '.join(parts)}]"
    near = _WHEN_SYNONYMS.get(text) or next(iter(difflib.get_close_matches(text, WHEN_WORDS, n=1)), None)
    hint = f"did you mean {near}? " if near else ""
    reserve = ""
    if re.search(r"batt|(?<![a-z])soc(?![a-z])|state[ _-]?of[ _-]?charge|charge|reserve|(?<![a-z])dod(?![a-z])", text):
        reserve = (
            " A state-of-charge threshold is not a schedule: set the load's shed_below_reserve: true to shed it while "
            "storage is below operations.policy.reserve_state_of_charge (a share of usable storage; back on above it "
            "plus reserve_hysteresis), or its own reserve_state_of_charge (e.g. 0.4) for a threshold of its own."
        )
    return (
        f"when = {word!r} is not a schedule word; {hint}use one of {', '.join(WHEN_WORDS)}, or a list of them "
        f"(all at once).{reserve} Thresholds (a Sun elevation above X deg, twilight) and 'or' cannot be written: "
        "day means more than operations.daylight_min_sun_fraction of the Sun's disk above the terrain horizon at the "
        "mast (0, the default: any of it; 0.5: its centre up), night the rest"
    )


class _Sheddable(_Online):
    """A load or ISRU plant the reserve policy may shed (``shed_below_reserve``), at its own threshold."""

    shed_below_reserve: bool = False
    reserve_state_of_charge: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="this one's reserve threshold: shed while usable storage is below it (a share, 0-1), back on "
        "above it plus operations.policy.reserve_hysteresis; implies shed_below_reserve (default: "
        "operations.policy.reserve_state_of_charge). Tiers: e.g. an ice plant at 0.4, rovers at 0.25",
    )

    @model_validator(mode="after")
    def _check_reserve(self) -> _Sheddable:
        explicit_off = "shed_below_reserve" in self.model_fields_set and not self.shed_below_reserve
        if self.reserve_state_of_charge is not None and explicit_off:
            raise ValueError(
                f"reserve_state_of_charge = {self.reserve_state_of_charge:g} sheds it below that storage share, but "
                "shed_below_reserve is false: drop one of them"
            )
        return self

    @property
    def sheds_below_reserve(self) -> bool:
        """Whether the reserve policy sheds it: shed_below_reserve, or its own threshold given."""
        return self.shed_below_reserve or self.reserve_state_of_charge is not None


class ThermalSpec(_Model):
    """A heater load's enclosure: the heater's power each step follows a steady-state heat balance
    (lunarops.ops.thermal; docs/operations.md "Heater loads from a heat balance"); the load's power_kw is then
    the heater's capacity."""

    conductance_w_per_k: float = Field(
        gt=0, description="the enclosure's overall conductance to its environment, UA, from its insulation [W/K]"
    )
    setpoint_k: float | None = Field(default=None, gt=0, description="the temperature held inside [K]")
    setpoint_c: float | None = Field(default=None, gt=-273.15, description="or the same in deg C")
    internal_heat_w: float = Field(default=0.0, ge=0, description="heat dissipated inside (avionics...) [W]")
    internal_heat_per_crew_w: float = Field(
        default=0.0, ge=0, description="and per crew member aboard (metabolic heat: 143.8 W, BVAD REV2 Table 3-31)"
    )
    ground_view_factor: float = Field(
        default=0.5, ge=0, le=1, description="share of the enclosure's view to the regolith (the rest: space, 2.7 K)"
    )
    heater_efficiency: float = Field(default=1.0, gt=0, le=1, description="heat per electric energy (resistance: 1)")
    night_ground_k: float = Field(
        default=95.0, gt=0, description="the regolith's night floor [K] (Diviner: ~95 K equatorial pre-dawn; polar "
        "night ~50-100 K)"
    )
    ground_albedo: float = Field(
        default=0.12, ge=0, lt=1,
        description="regolith bolometric albedo at normal incidence, A0; it rises with incidence (Hayne 2017)",
    )
    ground_emissivity: float = Field(default=0.95, gt=0, le=1, description="regolith emissivity (Hayne 2017)")
    solar_gain_area_m2: float = Field(
        default=0.0, ge=0,
        description="effective solar aperture for a Sun on the horizon (side walls): heat reaching the interior per "
        "W/m2 of normal irradiance [m2]; for an insulated enclosure alpha x projected area x UA / (h_r x outer area) "
        "(docs/operations.md); counted whenever part of the disk is seen, also with its centre below the "
        "astronomical horizon; 0: sunlight on the enclosure not counted",
    )
    solar_gain_roof_area_m2: float = Field(
        default=0.0, ge=0,
        description="the same for a Sun at the zenith (roof) [m2]; the gain is S x sun visible fraction x "
        "(solar_gain_area_m2 cos(elevation) + solar_gain_roof_area_m2 max(sin(elevation), 0)) whenever part of the "
        "disk is seen: the side walls also for a Sun below the astronomical horizon over a lower terrain horizon",
    )

    @model_validator(mode="after")
    def _one_setpoint(self) -> ThermalSpec:
        if (self.setpoint_k is None) == (self.setpoint_c is None):
            given = "both" if self.setpoint_k is not None else "neither"
            raise ValueError(
                f"thermal: {given} of setpoint_k and setpoint_c given; give one (e.g. setpoint_c: 20)"
            )
        return self

    @property
    def setpoint_kelvin(self) -> float:
        return self.setpoint_k if self.setpoint_k is not None else float(self.setpoint_c or 0.0) + 273.15


class LoadSpec(_Sheddable):
    name: str = Field(min_length=1)
    power_kw: float = Field(ge=0, description="per crew member when per_crew")
    standby_power_kw: float = Field(
        default=0.0,
        ge=0,
        description="keep-alive power (survival heaters, sleeping avionics) drawn from from_utc to until_utc while "
        "online whenever the load does not run (its `when` off, or shed); never shed; per crew member when per_crew "
        "(so 0 while uncrewed); at most power_kw",
    )
    priority: int = Field(default=1, ge=1, le=9, description="1 = most essential; shed from 9 down")
    when: WhenName | list[WhenName] = Field(
        default="always",
        description="when the load runs: day (more than operations.daylight_min_sun_fraction of the solar disk above "
        "the terrain horizon at the mast; by default any of it), night (the rest), crewed, uncrewed, earth_visible / "
        "earth_hidden (the Earth's centre above / below the horizon), comm_link (a path to Earth, direct or relay), "
        "direct_link (the direct link up: the Earth above the horizon and the antenna mask, and a DSN complex seeing "
        "the Moon: teleoperation from Earth), "
        "always; a list means all at once, e.g. [night, earth_hidden] for radio-quiet observing. A state-of-charge "
        "threshold is shed_below_reserve (below operations.policy.reserve_state_of_charge) or the load's own "
        "reserve_state_of_charge",
    )
    per_crew: bool = False
    from_utc: datetime | None = None
    until_utc: datetime | None = None
    data_rate_mbps: float = Field(default=0.0, ge=0, description="data made while the load is served")
    thermal: ThermalSpec | None = Field(
        default=None,
        description="a heater: its power each step from its enclosure's heat balance, at most power_kw (the "
        "heater's capacity; heat beyond it is reported unmet); standby_power_kw then at most that need",
    )

    _parse = field_validator("from_utc", "until_utc", mode="before")(_as_utc)

    @field_validator("when", mode="before")
    @classmethod
    def _when_text_list(cls, value: object) -> object:
        if isinstance(value, str) and "," in value:
            items = ", ".join(part.strip() for part in value.split(","))
            raise ValueError(f"when = {value!r} is one text; several conditions are a YAML list: when: [{items}]")
        return value

    @field_validator("when")
    @classmethod
    def _when_list(cls, value: WhenName | list[WhenName]) -> WhenName | list[WhenName]:
        if isinstance(value, list) and not value:
            raise ValueError("when = [] names no condition; give one (e.g. night) or a list ([night, earth_hidden])")
        if isinstance(value, list):
            pairs = (("day", "night"), ("crewed", "uncrewed"), ("earth_visible", "earth_hidden"))
            for pair in (*pairs, ("direct_link", "earth_hidden")):
                if set(pair) <= set(value):
                    raise ValueError(
                        f"when = {value} asks for {pair[0]} and {pair[1]} at once, which never holds (the load "
                        f"would never run); a list means all its conditions together: drop one of them"
                    )
            if len(set(value)) < len(value):
                raise ValueError(f"when = {value} repeats a condition; name each once")
            if "always" in value:
                raise ValueError(f"when = {value}: always in a list adds nothing (the others decide); drop it")
        return value

    @model_validator(mode="after")
    def _standby_within_power(self) -> LoadSpec:
        if self.standby_power_kw > self.power_kw:
            raise ValueError(
                f"load {self.name!r}: standby_power_kw = {self.standby_power_kw:g} exceeds power_kw = "
                f"{self.power_kw:g}; the keep-alive draw while off is at most the running draw: lower "
                "standby_power_kw or raise power_kw"
            )
        if self.thermal is not None and self.per_crew:
            raise ValueError(
                f"load {self.name!r}: per_crew with a thermal block; the heat balance is the whole enclosure's and "
                "power_kw its heater's capacity: drop per_crew (crew heat: thermal.internal_heat_per_crew_w)"
            )
        return self


class CrewStepSpec(_Model):
    """A resident crew of ``count`` from ``from_utc`` until the next step (0 ends it); it adds to the crew the
    campaign lands and to ``resupply`` crew deliveries (a handover: both crews aboard at once)."""

    from_utc: datetime = Field(description="when this crew count starts (UTC)")
    count: int = Field(ge=0, le=1000, description="crew members aboard from from_utc (0: uncrewed)")

    _parse = field_validator("from_utc", mode="before")(_as_utc)


class LifeSupportSpec(_Model):
    """The life-support loop; the crew's rates are NASA BVAD REV2 Table 3-31 per crew-member-day
    (lunarops.ops.lifesupport)."""

    water_recovery_fraction: UncertainFloat = Field(
        default=0.9,
        description="share of the crew's water use (BVAD potable 3.217 kg/CM-d + other_water_kg_per_crew_day) that "
        "comes back; ISS's 0.935 (0.98 with brine processing) are shares of the water collected (urine and "
        "condensate, more than is drunk), so taking them here errs on the safe side; a number or a distribution "
        "(drawn per run)",
    )
    oxygen_generation_fraction: UncertainFloat = Field(
        default=1.0, description="share of crew O2 made by electrolysing water; a number or a distribution"
    )
    co2_handling: Literal["vent", "sabatier"] = Field(
        default="vent", description="vent the crew's CO2, or reduce it with the electrolyser's H2 to water (sabatier)"
    )
    sabatier_efficiency: UncertainFloat = Field(
        default=0.9,
        description="with co2_handling: sabatier, the share of the stoichiometric water made (H2-limited at RQ 0.88: "
        "at most about half the electrolysed water comes back); a number or a distribution",
    )
    eclss_load: str | None = Field(default=None, description="the load whose power runs the loop")
    other_water_kg_per_crew_day: float = Field(
        default=0.0,
        ge=0,
        le=50,
        description="hygiene, laundry and flush water beyond BVAD potable [kg per crew-member-day]; it is recovered "
        "at water_recovery_fraction",
    )
    food_basis: Literal["packaged", "dry"] = Field(
        default="packaged",
        description="what consumables.food_kg and food deliveries weigh: packaged (as shipped, the crew eat ISS's "
        "1.82 kg/CM-d, NTRS 20090006804) or dry (BVAD food solids, 0.800 kg/CM-d)",
    )
    food_kg_per_crew_day: float | None = Field(
        default=None,
        gt=0,
        le=20,
        description="the food stores' draw [kg per crew-member-day] if not the food_basis rate (e.g. a lighter "
        "menu: the Orion target was 1.14 packaged)",
    )
    cabin_leak_air_kg_per_day: float = Field(
        default=0.0,
        ge=0,
        le=1000,
        description="cabin air lost per day, whole habitat (structural leakage, plus airlock losses averaged over "
        "the days) [kg/d]; its O2 (at cabin_o2_mole_fraction) is drawn from the O2 store while crew are aboard; "
        "its N2 is not tracked (ISS: about 0.064 kg/d in 2004 to 0.227 kg/d in 2011, NTRS 20110012997)",
    )
    cabin_o2_mole_fraction: float = Field(
        default=0.2095,
        gt=0,
        le=1,
        description="O2 share of the cabin air by volume (sea-level air 0.2095; NASA's exploration atmosphere "
        "8.2 psia, 0.34); sets the O2 share of the leaked air",
    )
    eva_hours_per_crew_week: float = Field(
        default=0.0,
        ge=0,
        le=168,
        description="EVA hours per crew member per week, averaged over the days the crew are aboard [h/week]",
    )
    eva_o2_kg_per_hour: float = Field(
        default=0.076,  # lunarops.ops.lifesupport.eva_o2_kg_per_hour_estimate(), rounded
        ge=0,
        le=10,
        description="suit O2 per EVA hour [kg/h], drawn from the O2 store (default 0.076: the EMU's 1000 Btu/h "
        "design metabolic rate at BVAD's O2 per metabolic energy)",
    )
    eva_water_kg_per_hour: float = Field(
        default=0.372,  # lunarops.ops.lifesupport.eva_water_kg_per_hour_estimate(), rounded
        ge=0,
        le=20,
        description="suit cooling (sublimator) water per EVA hour [kg/h], vented, drawn from the water store "
        "(default 0.372: 1000 Btu/h rejected by sublimating ice; a real suit uses more, give its own figure)",
    )

    @model_validator(mode="after")
    def _check_co2(self) -> LifeSupportSpec:
        for name in ("water_recovery_fraction", "oxygen_generation_fraction", "sabatier_efficiency"):
            check_range(f"life_support.{name}", getattr(self, name), 0.0, 1.0)
        if self.co2_handling == "vent" and "sabatier_efficiency" in self.model_fields_set:
            raise ValueError(
                f"life_support.sabatier_efficiency = {uncertain_text(self.sabatier_efficiency)} is set but "
                "co2_handling is vent "
                "(the CO2 is vented, no Sabatier runs): set co2_handling: sabatier or drop sabatier_efficiency"
            )
        if self.food_kg_per_crew_day is not None and "food_basis" in self.model_fields_set:
            raise ValueError(
                f"life_support.food_kg_per_crew_day = {self.food_kg_per_crew_day:g} and food_basis = "
                f"{self.food_basis} both set the food draw: drop one of them"
            )
        if self.co2_handling == "sabatier" and support(self.oxygen_generation_fraction)[2] == 0:
            raise ValueError(
                "life_support.co2_handling = sabatier with oxygen_generation_fraction = 0: the Sabatier reactor's H2 "
                "comes from the O2 electrolyser, so it would make no water; set oxygen_generation_fraction above 0 "
                "or co2_handling: vent"
            )
        return self


class ConsumablesSpec(_Online):
    """The initial stores: there from the start, or delivered at ``online_utc`` / with the mission they
    ``arrives_with`` (then they are counted in that mission's payload)."""

    o2_kg: float = Field(default=0.0, ge=0)
    water_kg: float = Field(default=0.0, ge=0)
    food_kg: float = Field(
        default=0.0,
        ge=0,
        description="food as shipped (packaged: the crew eat 1.82 kg/CM-d of it); with life_support.food_basis: "
        "dry, the dry solids (0.800 kg/CM-d)",
    )
    propellant_kg: float = Field(default=0.0, ge=0)
    reserve_days: float = Field(
        default=30.0,
        ge=0,
        description="alert level [d]: store_below_reserve is logged when a store (O2, water, food) would last fewer "
        "days than this at the crew aboard and the loop as it works then (no deliveries counted)",
    )
    o2_tank_capacity_kg: float | None = Field(default=None, gt=0)
    water_tank_capacity_kg: float | None = Field(
        default=None,
        gt=0,
        description="water tank [kg] (default: unlimited); when full, ice plants pause (resuming below 95 % of it) "
        "and water beyond it (deliveries, Sabatier return) is lost",
    )

    @model_validator(mode="after")
    def _check(self) -> ConsumablesSpec:
        if self.o2_tank_capacity_kg is not None and self.o2_kg > self.o2_tank_capacity_kg:
            raise ValueError(
                f"consumables.o2_kg = {self.o2_kg:g} kg does not fit o2_tank_capacity_kg = "
                f"{self.o2_tank_capacity_kg:g} kg (O2 beyond the tank would count as propellant): lower o2_kg or "
                "raise the capacity"
            )
        if self.water_tank_capacity_kg is not None and self.water_kg > self.water_tank_capacity_kg:
            raise ValueError(
                f"consumables.water_kg = {self.water_kg:g} kg does not fit water_tank_capacity_kg = "
                f"{self.water_tank_capacity_kg:g} kg: lower water_kg or raise the capacity"
            )
        return self

    @property
    def name(self) -> str:
        return "initial stores"

    @property
    def mass_kg(self) -> float:
        return self.o2_kg + self.water_kg + self.food_kg + self.propellant_kg


class DeliverySpec(_Model):
    time_utc: datetime
    commodity: Literal["o2_kg", "water_kg", "food_kg", "propellant_kg", "spares", "crew"]
    amount: float
    component: str | None = Field(
        default=None,
        description="spares only: the component they are for (its own spares); without it any failed unit may take "
        "them",
    )
    slip_days: UncertainFloat | None = Field(
        default=None,
        description="stores only: days the delivery arrives late, uncertain (drawn per run; >= 0); past the "
        "period's end it is not delivered",
    )

    _parse = field_validator("time_utc", mode="before")(_as_utc)

    @model_validator(mode="after")
    def _check(self) -> DeliverySpec:
        if self.commodity != "crew" and self.amount < 0:
            raise ValueError(f"delivery of {self.commodity} has amount {self.amount} < 0; deliveries add goods")
        if self.component is not None and self.commodity != "spares":
            raise ValueError(
                f"delivery of {self.commodity} names component {self.component!r}: only spares are for a component; "
                "drop component"
            )
        if self.commodity in ("crew", "spares") and self.amount != int(self.amount):
            what = "crew members (arriving +, leaving -)" if self.commodity == "crew" else "spare units"
            raise ValueError(
                f"delivery of {self.commodity} has amount {self.amount:g}: it counts whole {what}; give a whole number"
            )
        if self.slip_days is not None:
            if self.commodity == "crew":
                raise ValueError(
                    f"delivery of crew has slip_days {uncertain_text(self.slip_days)}: crew arrivals do not slip; "
                    "drop slip_days (or move time_utc)"
                )
            check_range(f"delivery of {self.commodity} slip_days", self.slip_days, 0.0, math.inf)
        return self


class IceExtractionSpec(_Sheddable):
    kind: Literal["ice_extraction"]
    name: str = Field(min_length=1)
    power_kw: float = Field(gt=0)
    ice_wt_pct: UncertainFloat = Field(description="water ice in the excavated PSR regolith, uncertain [wt %]")
    regolith_energy_kwh_per_kg: UncertainFloat = Field(description="excavate, haul and heat 1 kg regolith")
    water_energy_kwh_per_kg: UncertainFloat = Field(description="sublimate, capture and clean 1 kg water")
    priority: int = Field(default=3, ge=1, le=9)
    daylight_only: bool = True
    shed_below_reserve: bool = True

    @model_validator(mode="after")
    def _check(self) -> IceExtractionSpec:
        check_range(f"isru {self.name!r} ice_wt_pct", self.ice_wt_pct, 0.0, 100.0, low_open=True)
        check_range(f"isru {self.name!r} regolith_energy_kwh_per_kg", self.regolith_energy_kwh_per_kg, 0.0, 1e3)
        check_range(f"isru {self.name!r} water_energy_kwh_per_kg", self.water_energy_kwh_per_kg, 0.0, 1e3)
        if support(self.regolith_energy_kwh_per_kg)[0] <= 0.0 and support(self.water_energy_kwh_per_kg)[0] <= 0.0:
            raise ValueError(
                f"isru {self.name!r}: regolith_energy_kwh_per_kg and water_energy_kwh_per_kg can both be 0, which "
                "would make water for no energy (an infinite yield); sublimating the ice alone takes about 0.79 kWh "
                "per kg of water (2.83 MJ/kg) and heating the regolith more: give at least one of them above 0"
            )
        return self


class IlmeniteReductionSpec(_Sheddable):
    kind: Literal["ilmenite_reduction"]
    name: str = Field(min_length=1)
    power_kw: float = Field(gt=0)
    energy_kwh_per_kg_o2: UncertainFloat = Field(description="end-to-end energy per kg O2, uncertain")
    priority: int = Field(default=3, ge=1, le=9)
    daylight_only: bool = True
    shed_below_reserve: bool = True

    @model_validator(mode="after")
    def _check(self) -> IlmeniteReductionSpec:
        check_range(f"isru {self.name!r} energy_kwh_per_kg_o2", self.energy_kwh_per_kg_o2, 0.0, 1e4, low_open=True)
        lowest = support(self.energy_kwh_per_kg_o2)[0]
        if lowest < ELECTROLYSIS_MIN_KWH_PER_KG_O2:
            raise ValueError(
                f"isru {self.name!r} energy_kwh_per_kg_o2 can be {lowest:g}, below "
                f"{ELECTROLYSIS_MIN_KWH_PER_KG_O2:.2f} kWh per kg O2, the reversible work of electrolysing the "
                "reduction's water alone (dG = 237.1 kJ/mol); Leger et al. 2025 (PNAS 122) measured 24.3 +- 5.8 "
                "end to end: raise the value or its distribution's low bound"
            )
        return self


#: The higher heating value of water: the enthalpy of H2O(l) -> H2 + 1/2 O2, 285.83 kJ/mol (CODATA Key Values for
#: Thermodynamics, Cox et al. 1989; NIST-JANAF) over 18.015 g/mol: 4.407 kWh per kg water at 100 % efficiency.
WATER_HHV_KWH_PER_KG = 285.83e3 / 0.018015 / 3.6e6
#: The reversible work (dG = 237.13 kJ/mol, same tables): no electrolyser splits water for less.
WATER_DG_KWH_PER_KG = 237.13e3 / 0.018015 / 3.6e6


class WaterElectrolysisSpec(_Sheddable):
    """Splits stored water (ice plants, initial stores, deliveries) into O2 and H2 (8/9 and 1/9 by mass),
    liquefies both and keeps them in its LOX and LH2 tanks, which boil off passively."""

    kind: Literal["water_electrolysis"]
    name: str = Field(min_length=1)
    water_kg_per_hour: float = Field(description="water split at full power [kg/h]; sets the plant's power")
    efficiency: float | None = Field(
        default=None,
        description="electrolysis efficiency on the higher heating value (4.41 kWh/kg water at 1): PEM cells "
        "0.57-0.69 (Carmo et al. 2013, Int. J. Hydrogen Energy 38, 4901); or give energy_kwh_per_kg_water",
    )
    energy_kwh_per_kg_water: float | None = Field(
        default=None, description="electrolysis energy per kg water split (default: 4.41 / efficiency) [kWh/kg]"
    )
    liquefaction_kwh_per_kg_o2: float = Field(description="cryocooler energy to liquefy 1 kg O2 [kWh/kg]")
    liquefaction_kwh_per_kg_h2: float = Field(description="cryocooler energy to liquefy 1 kg H2 [kWh/kg]")
    lox_capacity_kg: float | None = Field(default=None, description="LOX tank [kg] (default: unlimited)")
    lh2_capacity_kg: float | None = Field(default=None, description="LH2 tank [kg] (default: unlimited)")
    lox_boil_off_fraction_per_day: float = Field(default=0.0, description="passive LOX boil-off [share per day]")
    lh2_boil_off_fraction_per_day: float = Field(default=0.0, description="passive LH2 boil-off [share per day]")
    min_water_kg: float = Field(
        default=0.0, description="water it leaves in the tank (the crew's): it splits none below it [kg]"
    )
    priority: int = Field(default=3, ge=1, le=9)
    daylight_only: bool = True
    shed_below_reserve: bool = True

    @model_validator(mode="after")
    def _check(self) -> WaterElectrolysisSpec:
        where = f"operations.isru {self.name!r}"
        for field_name, low, fix in (
            ("water_kg_per_hour", 0.0, "give the plant's water rate at full power, above 0"),
            ("liquefaction_kwh_per_kg_o2", None, "give the cryocooler's energy per kg, 0 or more"),
            ("liquefaction_kwh_per_kg_h2", None, "give the cryocooler's energy per kg, 0 or more"),
            ("lox_capacity_kg", 0.0, "give the tank's size above 0, or leave it out (unlimited)"),
            ("lh2_capacity_kg", 0.0, "give the tank's size above 0, or leave it out (unlimited)"),
            ("min_water_kg", None, "give 0 or more"),
        ):
            value = getattr(self, field_name)
            if value is None:
                continue
            bad = not math.isfinite(value) or (value <= low if low is not None else value < 0.0)
            if bad:
                raise ValueError(f"{where} {field_name} = {value!r}: {fix}")
        for field_name in ("lox_boil_off_fraction_per_day", "lh2_boil_off_fraction_per_day"):
            value = getattr(self, field_name)
            if not 0.0 <= value < 1.0:
                raise ValueError(
                    f"{where} {field_name} = {value!r}: give the share of the store lost per day, in [0, 1) (e.g. "
                    "0.001 for 0.1 %/day)"
                )
        if (self.efficiency is None) == (self.energy_kwh_per_kg_water is None):
            raise ValueError(
                f"{where}: give one of efficiency (e.g. 0.65 for a PEM electrolyser, on the higher heating value) or "
                "energy_kwh_per_kg_water, not both"
                + ("" if self.efficiency is None else f" (efficiency = {self.efficiency!r}, energy_kwh_per_kg_water = "
                   f"{self.energy_kwh_per_kg_water!r})")
            )
        if self.efficiency is not None and not 0.0 < self.efficiency <= 1.0:
            raise ValueError(
                f"{where} efficiency = {self.efficiency!r}: a share of the higher heating value in (0, 1] (PEM "
                "electrolysers 0.57-0.69)"
            )
        if self.energy_kwh_per_kg_water is not None and not (
            math.isfinite(self.energy_kwh_per_kg_water) and self.energy_kwh_per_kg_water >= WATER_DG_KWH_PER_KG
        ):
            raise ValueError(
                f"{where} energy_kwh_per_kg_water = {self.energy_kwh_per_kg_water!r}: below "
                f"{WATER_DG_KWH_PER_KG:.3f} kWh/kg, the reversible work of splitting water (dG = 237.13 kJ/mol); give "
                f"at least that (at the higher heating value {WATER_HHV_KWH_PER_KG:.3f} kWh/kg / efficiency)"
            )
        return self

    @property
    def electrolysis_kwh_per_kg_water(self) -> float:
        """Electrolysis energy per kg water split [kWh/kg]."""
        if self.energy_kwh_per_kg_water is not None:
            return self.energy_kwh_per_kg_water
        assert self.efficiency is not None
        return WATER_HHV_KWH_PER_KG / self.efficiency

    @property
    def kwh_per_kg_water(self) -> float:
        """Electrolysis and liquefaction of its O2 and H2, per kg water split [kWh/kg]."""
        o2 = 15.999 / 18.015  # kg O2 per kg water (engine.O2_PER_WATER)
        return (
            self.electrolysis_kwh_per_kg_water
            + o2 * self.liquefaction_kwh_per_kg_o2
            + (1.0 - o2) * self.liquefaction_kwh_per_kg_h2
        )

    @property
    def power_kw(self) -> float:
        """Power at full rate [kW]."""
        return self.water_kg_per_hour * self.kwh_per_kg_water


IsruSpec = Annotated[
    IceExtractionSpec | IlmeniteReductionSpec | WaterElectrolysisSpec, Field(discriminator="kind")
]




class LinkBudgetSpec(_Model):
    """A link budget: the rate that closes the link at each step's range (free-space loss), capped by the
    link's fixed rate (the modem's highest)."""

    frequency_ghz: float = Field(gt=0.03, le=300, description="carrier frequency [GHz] (X band 8.4, Ka 26 or 32)")
    eirp_dbw: float = Field(
        ge=-40, le=120, description="the transmitter's EIRP: power [dBW] + antenna gain [dBi] - feed losses [dB]"
    )
    g_over_t_db_per_k: float = Field(
        ge=-60, le=90, description="the receiver's gain over system noise temperature G/T [dB/K]"
    )
    required_eb_n0_db: float = Field(
        le=30, description="Eb/N0 the modulation and code need at the bit error rate wanted [dB]"
    )
    margin_db: float = Field(default=3.0, ge=0, le=40, description="margin kept above the required Eb/N0 [dB]")
    losses_db: float = Field(
        default=0.0, ge=0, le=60, description="other losses: pointing, polarization, atmosphere, implementation [dB]"
    )
    rates_mbps: list[float] | None = Field(
        default=None,
        description="the modem's discrete rates [Mbps], increasing: the link runs at the highest that closes "
        "(required Eb/N0 + margin) and is at most the leg's fixed rate, 0 when none does (default: continuous)",
    )

    @model_validator(mode="after")
    def _check(self) -> LinkBudgetSpec:
        if self.rates_mbps is not None:
            rates = self.rates_mbps
            if not rates or any(not r > 0 for r in rates):
                raise ValueError(
                    f"rates_mbps = {rates} must list one or more rates > 0 [Mbps] (e.g. [2, 10, 50, 100]); drop it "
                    "for a continuous rate"
                )
            if rates != sorted(set(rates)):
                raise ValueError(
                    f"rates_mbps = {rates} must increase with no repeats; give {sorted(set(rates))}"
                )
        if self.required_eb_n0_db <= SHANNON_LIMIT_EB_N0_DB:
            raise ValueError(
                f"required_eb_n0_db = {self.required_eb_n0_db:g} dB is at or below the Shannon limit "
                f"({SHANNON_LIMIT_EB_N0_DB:.4f} dB), which no code reaches; give your modem's figure (e.g. 9.6 dB for "
                "uncoded BPSK at a bit error rate of 1e-5; a few dB or less with turbo or LDPC codes)"
            )
        return self


class CommSpec(_Online):
    name: str = "direct-to-earth"
    mode: Literal["direct_to_earth", "direct_or_relay"] = Field(
        default="direct_to_earth",
        description="direct_or_relay: while the Earth is down (or the direct link is masked or closes no modem "
        "rate), relay through the orbits section's orbiters",
    )
    data_rate_mbps: float = Field(
        gt=0, description="downlink rate while the Earth is up (with direct_link_budget: the highest rate)"
    )
    relay_data_rate_mbps: float | None = Field(
        default=None,
        gt=0,
        description="rate through a relay (direct_or_relay; default data_rate_mbps; with relay_link_budget: the "
        "highest rate)",
    )
    direct_link_budget: LinkBudgetSpec | None = Field(
        default=None,
        description="the direct link's budget, base to Earth: the rate at each step's distance to the Earth, "
        "capped by data_rate_mbps (default: data_rate_mbps whatever the range)",
    )
    relay_link_budget: LinkBudgetSpec | None = Field(
        default=None,
        description="the base-to-relay link's budget: the rate at each step's range to the nearest relay, capped "
        "by relay_data_rate_mbps (default: that rate whatever the range); the relay's own link to Earth is "
        "limiting unless relay_trunk_link_budget or relay_trunk_data_rate_mbps is given",
    )
    relay_trunk_link_budget: LinkBudgetSpec | None = Field(
        default=None,
        description="the relay's own link to Earth (the trunk: the orbiter's transmitter to the ground station) at "
        "the relaying orbiter's distance to the Earth's centre; the relayed rate is the lower of the two hops "
        "(default: the trunk does not limit)",
    )
    relay_trunk_data_rate_mbps: float | None = Field(
        default=None,
        gt=0,
        description="the trunk's fixed rate (with relay_trunk_link_budget: its highest; default: no cap)",
    )
    buffer_gb: float = Field(gt=0, description="onboard buffer (gigabytes)")
    load: str | None = Field(default=None, description="the load that powers the link")
    min_elevation_deg: float | None = Field(
        default=None,
        ge=-10,
        le=60,
        description="the direct link's antenna mask: the Earth's centre must also stand this high [deg] (default: "
        "the terrain horizon only; relays use orbits.coverage.min_elevation_deg)",
    )
    ground_network: Literal["dsn", "none"] = Field(
        default="dsn",
        description="the Earth end of the links (direct and relayed): 'dsn', NASA's Deep Space Network (Goldstone, "
        "Canberra, Madrid): a link needs the Moon above ground_min_elevation_deg at one of them; 'none': the Earth "
        "receives whenever the base or relay sees it",
    )
    ground_min_elevation_deg: float = Field(
        default=10.0, ge=0, lt=90, description="the ground stations' elevation mask for the Moon [deg]"
    )

    @model_validator(mode="after")
    def _check(self) -> CommSpec:
        if self.ground_network == "none" and "ground_min_elevation_deg" in self.model_fields_set:
            raise ValueError(
                "comms.ground_min_elevation_deg applies to a ground network; set ground_network: dsn or drop the mask"
            )
        if self.relay_data_rate_mbps is not None and self.mode != "direct_or_relay":
            raise ValueError(
                "comms.relay_data_rate_mbps applies to mode: direct_or_relay; set that mode or drop the rate"
            )
        if self.relay_link_budget is not None and self.mode != "direct_or_relay":
            raise ValueError(
                "comms.relay_link_budget applies to mode: direct_or_relay; set that mode or drop the budget"
            )
        for name in ("relay_trunk_link_budget", "relay_trunk_data_rate_mbps"):
            if getattr(self, name) is not None and self.mode != "direct_or_relay":
                raise ValueError(
                    f"comms.{name} (the relay orbiters' link to Earth) applies to mode: direct_or_relay with an "
                    "orbits section's orbiters; set that mode or drop it"
                )
        relay_mbps = self.relay_data_rate_mbps if self.relay_data_rate_mbps is not None else self.data_rate_mbps
        trunk_mbps = self.relay_trunk_data_rate_mbps if self.relay_trunk_data_rate_mbps is not None else math.inf
        for name, budget, cap_mbps, cap_name in (
            ("direct_link_budget", self.direct_link_budget, self.data_rate_mbps, "data_rate_mbps"),
            ("relay_link_budget", self.relay_link_budget, relay_mbps, "relay_data_rate_mbps (default data_rate_mbps)"),
            ("relay_trunk_link_budget", self.relay_trunk_link_budget, trunk_mbps, "relay_trunk_data_rate_mbps"),
        ):
            if budget is not None and budget.rates_mbps is not None and budget.rates_mbps[0] > cap_mbps:
                raise ValueError(
                    f"comms.{name}.rates_mbps starts at {budget.rates_mbps[0]:g} Mbps, above {cap_name} = "
                    f"{cap_mbps:g} Mbps (the leg's highest rate), so the link never runs; list lower rates or raise "
                    f"{cap_name.split()[0]}"
                )
        return self


class ComponentSpec(_Model):
    name: str = Field(min_length=1)
    target: str = Field(min_length=1, description="element whose capacity these units carry")
    units: int = Field(default=1, ge=1, le=1000)
    mtbf_h: float = Field(gt=0, le=1e12, description="mean time between failures, counted on `clock` [h]")
    repair_h: float = Field(gt=0)
    spares: int = Field(default=0, ge=0)
    clock: Literal["online", "operating"] = Field(
        default="online",
        description="what the failure clock counts: every online step ('online'), or only the steps in which "
        "the target works ('operating': a load or ISRU plant while served, a life-support subsystem while the "
        "ECLSS load is served, the comm link while its load is served, an array while lit; power units and "
        "storage work whenever online)",
    )


class PolicySpec(_Model):
    reserve_state_of_charge: float = Field(
        default=0.2, ge=0, le=1, description="below this share of usable storage, shed flagged loads"
    )
    reserve_hysteresis: float = Field(default=0.05, ge=0, le=1)
    shed_order: list[str] = Field(
        default=[],
        description="loads (or ISRU plants) shed first when power runs short, in this order; the others follow, "
        "highest priority number first",
    )


class CorrelationSpec(_Model):
    """A rank correlation between two uncertain inputs of the Monte Carlo (MonteCarloSpec.correlations)."""

    inputs: tuple[str, str] = Field(
        description="two uncertain inputs as the results' uncertain_input names them, e.g. 'battery: "
        "charge_efficiency'"
    )
    rank_correlation: float = Field(description="Spearman rank correlation between their draws, in (-1, 1)")

    @model_validator(mode="after")
    def _check(self) -> CorrelationSpec:
        a, b = self.inputs
        if a == b:
            raise ValueError(
                f"inputs [{a!r}, {b!r}] pair an input with itself (rank correlation 1); name two different inputs"
            )
        if not -1.0 < self.rank_correlation < 1.0:
            raise ValueError(
                f"rank_correlation = {self.rank_correlation:g} must lie strictly between -1 and 1 (+-1 would make "
                "one input a function of the other); give e.g. 0.9 or -0.9"
            )
        return self


class MonteCarloSpec(_Model):
    runs: int = Field(default=200, ge=1, le=100_000)
    record_hours: float = Field(default=24.0, gt=0, description="resolution of the Monte Carlo series")
    correlations: list[CorrelationSpec] = Field(
        default=[],
        description="rank correlations between uncertain inputs, drawn with a Gaussian copula (each input keeps its "
        "distribution); the names, the station's inputs and whether the set is consistent are checked when it runs",
    )

    @model_validator(mode="after")
    def _check_pairs(self) -> MonteCarloSpec:
        seen: dict[frozenset[str], int] = {}
        for i, item in enumerate(self.correlations):
            pair = frozenset(item.inputs)
            if pair in seen:
                raise ValueError(
                    f"correlations.{i}: the pair {list(item.inputs)} is already given at correlations.{seen[pair]}; "
                    "give each pair once"
                )
            seen[pair] = i
        return self

    def correlation_pairs(self) -> list[tuple[str, str, float]]:
        """The correlations as (name, name, Spearman rho), as lunarops.ops.montecarlo.simulate takes them."""
        return [(c.inputs[0], c.inputs[1], c.rank_correlation) for c in self.correlations]


class RadiationSpec(_Model):
    """The crew's radiation dose budget (lunarops.ops.radiation; docs/operations.md "Crew radiation dose"): galactic
    cosmic rays per stay at the base and on the transits; solar particle events are not modelled."""

    surface_dose_usv_per_day: float = Field(
        default=1369.0,
        ge=0,
        le=1e6,
        description="dose equivalent rate on the lunar surface behind light shielding, about a spacesuit's [uSv/day] "
        "(default 1369: Chang'E 4 LND inside the lander, 2019, near solar minimum, Zhang et al. 2020, Sci. Adv. 6, "
        "eaaz1334); the crew get it on EVA",
    )
    habitat_dose_fraction: float = Field(
        default=1.0,
        ge=0,
        le=1,
        description="the habitat's dose rate over surface_dose_usv_per_day (1: no shielding credit beyond the "
        "lander-like one of that rate); set it from a shielding analysis of the habitat (its walls, regolith cover)",
    )
    transit_dose_usv_per_day: float = Field(
        default=1840.0,
        ge=0,
        le=1e6,
        description="dose equivalent rate on the crewed transits to and from the base [uSv/day] (default 1840: "
        "MSL RAD in deep-space cruise, 2011-2012, rising solar activity, Zeitlin et al. 2013, Science 340, 1080)",
    )
    career_limit_msv: float = Field(
        default=600.0,
        gt=0,
        le=1e6,
        description="career effective dose limit a stay is compared with [mSv] (default 600: NASA-STD-3001 Vol. 1)",
    )
    stay_limit_msv: float | None = Field(
        default=None,
        gt=0,
        le=1e6,
        description="a dose per stay not to exceed [mSv] (a programme's allotment per mission); a stay above it is "
        "noted",
    )

    @model_validator(mode="after")
    def _stay_within_career(self) -> RadiationSpec:
        if self.stay_limit_msv is not None and self.stay_limit_msv > self.career_limit_msv:
            raise ValueError(
                f"radiation.stay_limit_msv = {self.stay_limit_msv:g} is above career_limit_msv = "
                f"{self.career_limit_msv:g}: a stay's allotment is part of the career's; lower stay_limit_msv"
            )
        return self


class OperationsSection(_Model):
    """Options of the operations stage: the station and how it is run."""

    site: str | None = Field(default=None, description="name of the scenario site of the base (default: first)")
    power: PowerSpec = PowerSpec()
    storage: StorageSpec = StorageSpec()
    loads: list[LoadSpec] = []
    crew: list[CrewStepSpec] = []
    life_support: LifeSupportSpec = LifeSupportSpec()
    consumables: ConsumablesSpec = ConsumablesSpec()
    resupply: list[DeliverySpec] = []
    arrival_slips: dict[str, UncertainFloat] = Field(
        default={},
        description="days an element's arrival slips, uncertain (drawn per run; >= 0), by the campaign mission "
        "that brings it (arrives_with: every element on it slips together) or by an element's name (online_utc); "
        "past the period's end the element does not come online in that run",
    )
    isru: list[IsruSpec] = []
    comms: CommSpec | None = None
    components: list[ComponentSpec] = []
    policy: PolicySpec = PolicySpec()
    monte_carlo: MonteCarloSpec = MonteCarloSpec()
    radiation: RadiationSpec | None = Field(
        default=None, description="the crew's radiation dose per stay (absent: no dose computed)"
    )
    spare_unit_mass_kg: float | None = Field(
        default=None,
        gt=0,
        le=1e5,
        description="mass of one spare unit of the pool [kg]: turns the campaign's spares (kg, from "
        "campaign.logistics spares_kg_per_crew_day) into whole units for the pool (unset: they are left out, noted)",
    )
    daylight_min_sun_fraction: float = Field(
        default=0.0,
        ge=0,
        lt=1,
        description="'day' for the schedules (when: day / night, daylight_only plants) while more than this share "
        "of the Sun's disk is seen at the base: 0 (default) any part of it, 0.5 its centre up (a twilight sliver "
        "then counts as night: heaters on, daylight-only plants paused)",
    )

    def elements(self) -> list[_Online]:
        """Every element that may come online later: arrays, units, plants, storage, loads, ISRU, comms."""
        return [element for _, element in self.located_elements()]

    def located_elements(self) -> list[tuple[tuple[str | int, ...], _Online]]:
        """The same with each element's field path in the section, e.g. ("power", "fission_plants", 1)."""
        items: list[tuple[tuple[str | int, ...], _Online]] = []
        for group in ("solar_arrays", "radioisotope_units", "fission_plants"):
            items += [(("power", group, i), e) for i, e in enumerate(getattr(self.power, group))]
        for kind in ("battery", "fuel_cell"):
            store = getattr(self.storage, kind)
            items += [(("storage", kind), store)] if store is not None else []
        items += [(("loads", i), e) for i, e in enumerate(self.loads)]
        items += [(("isru", i), e) for i, e in enumerate(self.isru)]
        items += [(("comms",), self.comms)] if self.comms is not None else []
        items += [(("consumables",), self.consumables)]
        return items

    @model_validator(mode="after")
    def _check(self) -> OperationsSection:
        names: list[str] = [a.name for a in self.power.solar_arrays]
        names += [u.name for u in self.power.radioisotope_units] + [f.name for f in self.power.fission_plants]
        names += [s.name for s in (self.storage.battery, self.storage.fuel_cell) if s is not None]
        load_names = [ld.name for ld in self.loads] + [p.name for p in self.isru]
        names += load_names
        if self.comms is not None:
            names.append(self.comms.name)
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"operations: element names must be unique; {duplicated} repeat: rename them")
        hysteresis = self.policy.reserve_hysteresis
        for group, items in (("loads", self.loads), ("isru", self.isru)):
            for i, item in enumerate(items):
                own = item.reserve_state_of_charge
                if own is not None and own + hysteresis >= 1.0:
                    raise ValueError(
                        f"operations.{group}.{i}.reserve_state_of_charge: {own:g} + the policy's reserve_hysteresis "
                        f"{hysteresis:g} reaches full storage, so once shed {item.name!r} would never come back on "
                        f"(storage never rises above {own + hysteresis:g}); give a threshold below {1 - hysteresis:g}"
                    )
        has_source = bool(self.power.solar_arrays or self.power.radioisotope_units or self.power.fission_plants)
        if load_names and not has_source:
            raise ValueError(
                f"operations: loads {load_names[:3]} have no power source; add power.solar_arrays, "
                "power.radioisotope_units or power.fission_plants"
            )
        targets = set(names) | {"water_recovery", "oxygen_generation", "co2_reduction"}
        # each message starts with the exact field (list index included): load.py reports it at that field's line
        for i, c in enumerate(self.components):
            if c.target not in targets:
                raise ValueError(
                    f"operations.components.{i}.target: {c.name!r} targets {c.target!r}, which is not an "
                    f"element; choose one of {sorted(targets)}"
                )
        component_names = [c.name for c in self.components]
        repeated = sorted({n for n in component_names if component_names.count(n) > 1})
        if repeated:
            first = component_names.index(repeated[0])
            again = component_names.index(repeated[0], first + 1)
            raise ValueError(
                f"operations.components.{again}.name: names must be unique (spares and results are addressed by "
                f"them); {repeated} repeat: rename them; operations.components.{first} is also named {repeated[0]!r}"
            )
        for i, d in enumerate(self.resupply):
            if d.component is not None and d.component not in component_names:
                raise ValueError(
                    f"operations.resupply.{i}.component: spares for component {d.component!r}, which is not a "
                    f"component; choose one of {component_names}"
                )
        for name in self.policy.shed_order:
            if name not in load_names:
                raise ValueError(f"operations.policy.shed_order names {name!r}, which is not a load; use {load_names}")
        plain_loads = [ld.name for ld in self.loads]
        isru_names = [p.name for p in self.isru]
        split = [i for i, p in enumerate(self.isru) if p.kind == "water_electrolysis"]
        if len(split) > 1:
            raise ValueError(
                f"operations.isru.{split[1]}: a second water_electrolysis plant; the LOX and LH2 stores belong to "
                "one plant: give one with the summed water_kg_per_hour"
            )
        for ref, what in (
            (self.life_support.eclss_load, "life_support.eclss_load"),
            (self.comms.load if self.comms else None, "comms.load"),
        ):
            if ref is not None and ref not in plain_loads:
                kind = "an ISRU plant, not a load" if ref in isru_names else "not a load"
                raise ValueError(f"operations.{what} {ref!r} is {kind}; choose one of the loads {plain_loads}")
        self._check_arrival_slips()
        return self

    def _check_arrival_slips(self) -> None:
        """Each arrival_slips key names a mission some element arrives_with or an element with online_utc; each
        slip is >= 0."""
        elements = {getattr(e, "name", ""): e for e in self.elements()}
        missions = sorted({e.arrives_with for e in elements.values() if e.arrives_with is not None})
        dated = sorted(name for name, e in elements.items() if e.online_utc is not None)
        for key, slip in self.arrival_slips.items():
            at = f"operations.arrival_slips.{key}"
            check_range(f"{at} (slip_days)", slip, 0.0, math.inf)
            if key in missions:
                continue
            element = elements.get(key)
            if element is not None and element.arrives_with is not None:
                raise ValueError(
                    f"{at}: element {key!r} arrives_with {element.arrives_with!r}, and the elements on a mission "
                    f"slip together: key the slip by the mission ({element.arrives_with}: ...)"
                )
            if element is not None and element.online_utc is None:
                raise ValueError(
                    f"{at}: element {key!r} is there from the period's start (no online_utc or arrives_with), so it "
                    "cannot arrive late; give it online_utc or arrives_with, or drop the slip"
                )
            if element is None:
                raise ValueError(
                    f"{at}: {key!r} is neither a mission an element arrives_with ({missions or 'none'}) nor an "
                    f"element with online_utc ({dated or 'none'}); name one of those"
                )
