"""The `orbits` section of a scenario file: the orbiters, the sites they serve, coverage and transfer options."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from lunarops.errors import InputError
from lunarops.orbits.families import nrho_period_s
from lunarops.scenario.base import _Model

_FAMILIES = Literal["L1-north", "L1-south", "L2-north", "L2-south"]


class NrhoSpec(_Model):
    """A spacecraft on a synodic-resonant near-rectilinear halo orbit (Earth-Moon CR3BP, placed on DE421)."""

    kind: Literal["nrho"] = "nrho"
    name: str = Field(min_length=1, max_length=80)
    resonance: str = Field(
        default="9:2",
        pattern=r"^\s*[1-9][0-9]*\s*:\s*[1-9][0-9]*\s*$",
        description="p:q = p revolutions in q synodic months",
    )
    family: _FAMILIES = "L2-south"
    phase: float = Field(default=0.0, ge=0.0, lt=1.0, description="fraction of a period past apolune at the start")

    @model_validator(mode="after")
    def _period_in_range(self) -> NrhoSpec:
        try:  # the period's range, when the file is read (whether the orbit clears the surface: when it is built)
            nrho_period_s(self.resonance)
        except InputError as error:
            raise ValueError(f"orbiter {self.name!r}: {error}") from None
        return self


class _Elliptic(_Model):
    name: str = Field(min_length=1, max_length=80)
    periapsis_alt_km: float = Field(gt=0, description="above the 1737.4 km sphere")
    apoapsis_alt_km: float = Field(gt=0, le=58_000)
    raan_deg: float = Field(default=0.0, ge=-360, le=360)
    mean_anomaly_deg: float = Field(default=0.0, ge=-360, le=360)

    @model_validator(mode="after")
    def _apses(self) -> _Elliptic:
        if self.apoapsis_alt_km < self.periapsis_alt_km:
            raise ValueError(
                f"orbiter {self.name!r}: apoapsis_alt_km ({self.apoapsis_alt_km}) is below periapsis_alt_km "
                f"({self.periapsis_alt_km}); swap them or raise the apoapsis"
            )
        return self


class KeplerSpec(_Elliptic):
    """A Keplerian lunar orbit (elements at the start, propagated with Moon, Earth and Sun point masses)."""

    kind: Literal["kepler"] = "kepler"
    inc_deg: float = Field(ge=0, le=180)
    argp_deg: float = Field(default=90.0, ge=-360, le=360)
    reference_plane: Literal["lunar-equator", "lunar-orbit"] = "lunar-equator"


class FrozenSpec(_Elliptic):
    """A frozen elliptical orbit: argument of periapsis 90 deg (apolune south) or 270 deg, lunar-orbit plane."""

    kind: Literal["frozen"] = "frozen"
    inc_deg: float | None = Field(
        default=None, ge=0, le=180,
        description="inclination [deg]; default: frozen for its eccentricity, cos^2 i = 3/5 (1 - e^2) (Ely 2005)",
    )
    raan_deg: float = Field(default=270.0, ge=-360, le=360)
    apolune_over: Literal["south", "north"] = "south"


class LloSpec(_Model):
    """A circular low lunar orbit."""

    kind: Literal["llo"] = "llo"
    name: str = Field(min_length=1, max_length=80)
    alt_km: float = Field(default=100.0, gt=0, le=5000)
    inc_deg: float = Field(default=90.0, ge=0, le=180)
    raan_deg: float = Field(default=0.0, ge=-360, le=360)


OrbiterSpec = Annotated[NrhoSpec | KeplerSpec | FrozenSpec | LloSpec, Field(discriminator="kind")]


class CoverageOptions(_Model):
    """Which sites the orbiters serve and how finely their links are computed."""

    sites: list[str] | None = Field(default=None, description="site names; all sites when omitted")
    duration_days: float = Field(default=30.0, gt=0, le=400, description="from the period's start")
    step_s: float = Field(default=60.0, ge=1, le=3600)
    min_elevation_deg: float | None = Field(default=None, ge=-10, le=60, description="antenna minimum elevation")
    lunar_gravity: Literal["point", "degree2"] = Field(
        default="degree2",
        description="Moon's field for Keplerian orbiters: point mass, or with J2 and C22 (DE430, Folkner et al. 2014)",
    )


class TransferOptions(_Model):
    """The delta-v ledger path to report and the propulsion to price it with."""

    path: list[str] = Field(default_factory=lambda: ["LEO", "TLI", "NRHO", "LLO", "surface"], min_length=2)
    isp_s: float = Field(default=450.0, gt=0, le=10_000)
    final_mass_kg: float = Field(default=10_000.0, gt=0)
    llo_alt_km: float = Field(default=100.0, gt=0, le=5000)

    @model_validator(mode="after")
    def _path_in_ledger(self) -> TransferOptions:
        from lunarops.orbits.transfers import default_ledger

        try:  # the run's orbits stage flies this on the default ledger: its nodes, legs and Isp checked now
            default_ledger().fly(self.path, self.final_mass_kg, self.isp_s, labels=("final_mass_kg", "isp_s"))
        except InputError as error:
            raise ValueError(f"orbits.transfers (path {self.path}, isp_s {self.isp_s:g}): {error}") from None
        return self


class OrbitsSection(_Model):
    """Options of the orbits stage."""

    orbiters: list[OrbiterSpec] = Field(min_length=1, max_length=50)
    coverage: CoverageOptions = CoverageOptions()
    transfers: TransferOptions = TransferOptions()

    @model_validator(mode="after")
    def _unique_names(self) -> OrbitsSection:
        names = [o.name for o in self.orbiters]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"orbits.orbiters: names {duplicated} appear more than once; rename them")
        return self
