"""Bad input to the Python API of lunarops.orbits: an InputError naming the parameter and the value, never a raw
numpy/heyoka/Attribute/Index/ZeroDivision error or a silently wrong answer; valid calls keep working."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from lunarops.errors import InputError
from lunarops.orbits import (
    CR3BPSystem,
    EphemerisModel,
    KeplerOrbiter,
    NrhoOrbiter,
    SurfaceSite,
    compute_coverage,
    default_ledger,
    eclipse_timeline,
    halo_orbit,
    low_lunar_orbit,
    nrho,
    nrho_llo_estimate,
    resonant_period_s,
)
from lunarops.orbits.cr3bp import EARTH_MOON_MU
from lunarops.orbits.transfers import hohmann_leg
from lunarops.timescale import parse_utc

T0 = parse_utc("2030-01-01T00:00:00Z")
SITE = SurfaceSite("s", -89.45, 222.69)
LLO = KeplerOrbiter("llo", low_lunar_orbit(100.0))


@pytest.fixture(scope="module")
def n92():  # type: ignore[no-untyped-def]
    return nrho("9:2")


def _eclipse_inputs(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A spacecraft 2000 km behind the Moon (in its umbra), Sun and Earth on the +x axis, for n times."""
    seconds = np.arange(n) * 60.0
    spacecraft = np.tile(np.array([[-2000e3], [0.0], [0.0]]), (1, n))
    sun = np.tile(np.array([[1.496e11], [0.0], [0.0]]), (1, n))
    earth = np.tile(np.array([[3.844e8], [1e8], [0.0]]), (1, n))
    return seconds, spacecraft, sun, earth


def _eclipse_case(change: Callable[[list[Any]], None]) -> Callable[[], object]:
    def call() -> object:
        args: list[Any] = list(_eclipse_inputs(5))
        change(args)
        return eclipse_timeline(*args)

    return call


def _set(index: int, value: Any) -> Callable[[list[Any]], None]:
    def change(args: list[Any]) -> None:
        args[index] = value(args[index]) if callable(value) else value

    return change


def _with_nan(a: np.ndarray) -> np.ndarray:
    b = a.copy()
    b[0, 2] = np.nan
    return b


CASES: list[tuple[str, Callable[[], object], str]] = [
    # 33: eclipse_timeline shapes, emptiness, finiteness
    (
        "ecl-transposed",
        _eclipse_case(_set(1, lambda a: a.T)),
        r"spacecraft_m must have shape \(3, N\) = \(3, 5\).*got shape \(5, 3\).*transpose",
    ),
    (
        "ecl-sun-short",
        _eclipse_case(_set(2, lambda a: a[:, :4])),
        r"sun_m must have shape \(3, N\) = \(3, 5\).*got shape \(3, 4\)",
    ),
    ("ecl-earth-1d", _eclipse_case(_set(3, np.zeros(3))), r"earth_m must have shape \(3, N\).*got shape \(3,\)"),
    (
        "ecl-empty",
        lambda: eclipse_timeline(np.array([]), np.zeros((3, 0)), np.zeros((3, 0)), np.zeros((3, 0))),
        r"seconds must be a non-empty.*shape \(0,\)",
    ),
    ("ecl-nan-pos", _eclipse_case(_set(1, _with_nan)), r"spacecraft_m has non-finite.*1 of 5"),
    ("ecl-nan-sun", _eclipse_case(_set(2, _with_nan)), r"sun_m has non-finite"),
    ("ecl-nan-time", _eclipse_case(_set(0, np.array([0.0, 60.0, np.nan, 180.0, 240.0]))), r"seconds has 1 non-finite"),
    (
        "ecl-unsorted",
        _eclipse_case(_set(0, np.array([0.0, 60.0, 30.0, 180.0, 240.0]))),
        r"seconds must increase strictly",
    ),
    # 34: CR3BP system ranges
    ("mu-negative", lambda: CR3BPSystem(mu=-0.1), r"mu = -0.1 must be in \(0, 0.5\]"),
    ("mu-zero", lambda: CR3BPSystem(mu=0.0), r"mu = 0.0 must be in \(0, 0.5\]"),
    ("mu-0.7", lambda: CR3BPSystem(mu=0.7), r"mu = 0.7 must be in \(0, 0.5\]"),
    ("mu-nan", lambda: CR3BPSystem(mu=float("nan")), r"mu = nan must be in"),
    ("mu-str", lambda: CR3BPSystem(mu="0.01"), r"mu must be a real number, got '0.01' \(str\)"),
    ("length-negative", lambda: CR3BPSystem(length_m=-1.0), r"length_m = -1.0 must be a finite positive"),
    ("time-inf", lambda: CR3BPSystem(time_s=float("inf")), r"time_s = inf must be a finite positive"),
    (
        "halo-system-type",
        lambda: halo_orbit("L2-south", 7 * 86400.0, 0.012),
        r"system must be a CR3BPSystem, got 0.012",
    ),
    # 35: NRHO orbiter phase (fraction of a period in [0, 1)), resonance, family
    ("phase-nan", lambda: NrhoOrbiter("n", phase=float("nan")), r"phase = nan must be in \[0, 1\)"),
    ("phase-5", lambda: NrhoOrbiter("n", phase=5.0), r"phase = 5.0 must be in \[0, 1\)"),
    ("phase-1", lambda: NrhoOrbiter("n", phase=1.0), r"phase = 1.0 must be in \[0, 1\)"),
    ("phase-negative", lambda: NrhoOrbiter("n", phase=-0.25), r"phase = -0.25 must be in \[0, 1\)"),
    ("phase-str", lambda: NrhoOrbiter("n", phase="0.5"), r"phase must be a real number, got '0.5'"),
    ("orbiter-resonance", lambda: NrhoOrbiter("n", resonance="9:0"), r"resonance '9:0'"),
    # 1:1 = 1 x 29.530589 d / 1 (Meeus' mean synodic month) = 29.53 d, past the 16 d end of the continued range
    (
        "orbiter-resonance-range",
        lambda: NrhoOrbiter("n", resonance="1:1"),
        r"resonance '1:1' gives a period of 29.53 d .* outside 4..16 d.*choose a resonance p:q",
    ),
    ("orbiter-family", lambda: NrhoOrbiter("n", family="L3"), r"unknown orbit family 'L3'"),
    ("orbiter-name", lambda: NrhoOrbiter(""), r"orbiter name must be a non-empty string, got ''"),
    ("kepler-orbiter-orbit", lambda: KeplerOrbiter("k", "llo:100"), r"orbit must be a KeplerOrbit, got 'llo:100'"),
    # 36: start time
    (
        "start-str",
        lambda: compute_coverage([SITE], [LLO], "2030-01-01", 3600.0),
        r"start must be a skyfield Time, got '2030-01-01'.*parse_utc",
    ),
    (
        "start-array",
        lambda: compute_coverage([SITE], [LLO], parse_utc(["2030-01-01", "2030-01-02"]), 3600.0),
        r"start must be a single time, got an array of 2 times",
    ),
    (
        "model-epoch-str",
        lambda: EphemerisModel("2030-01-01", 86400.0),
        r"epoch must be one skyfield Time, got '2030-01-01'",
    ),
    # 37: sites, orbiters, numbers
    (
        "site-tuple",
        lambda: compute_coverage([("s", -89.45, 222.69)], [LLO], T0, 3600.0),
        r"sites\[0\] = \('s', -89.45, 222.69\) is a tuple, not a SurfaceSite",
    ),
    (
        "site-single",
        lambda: compute_coverage(SITE, [LLO], T0, 3600.0),
        r"sites must be a list of SurfaceSite, got SurfaceSite",
    ),
    (
        "site-duplicate",
        lambda: compute_coverage([SITE, SITE], [LLO], T0, 3600.0),
        r"site names must be unique.*\['s', 's'\]",
    ),
    (
        "orbiter-spec-str",
        lambda: compute_coverage([SITE], ["nrho:9:2"], T0, 3600.0),
        r"orbiters\[0\] = 'nrho:9:2' is a str.*NrhoOrbiter.*KeplerOrbiter",
    ),
    (
        "orbiter-single",
        lambda: compute_coverage([SITE], LLO, T0, 3600.0),
        r"orbiters must be a list.*got KeplerOrbiter",
    ),
    (
        "step-str",
        lambda: compute_coverage([SITE], [LLO], T0, 3600.0, step_s="60"),
        r"step_s must be a real number, got '60' \(str\)",
    ),
    ("duration-none", lambda: compute_coverage([SITE], [LLO], T0, None), r"duration_s must be a real number, got None"),
    (
        "min-elev-str",
        lambda: compute_coverage([SITE], [LLO], T0, 3600.0, min_elevation_deg="5"),
        r"min_elevation_deg.*got '5'",
    ),
    ("site-lat-str", lambda: SurfaceSite("s", "-89", 0.0), r"site 's': latitude_deg must be a real number, got '-89'"),
    # 38: ephemeris model segments and degree
    (
        "segment-zero",
        lambda: EphemerisModel(T0, 86400.0, segment_s=0.0),
        r"segment_s must be a positive number of seconds, got 0.0",
    ),
    (
        "segment-nan",
        lambda: EphemerisModel(T0, 86400.0, segment_s=float("nan")),
        r"segment_s must be a positive number of seconds, got nan",
    ),
    (
        "segment-tiny",
        lambda: EphemerisModel(T0, 86400.0, segment_s=1e-3),
        r"segment_s = 0.001 s cuts duration_s = 86400.0 s into more than",
    ),
    ("degree-negative", lambda: EphemerisModel(T0, 86400.0, degree=-3), r"degree = -3 must be in 1\.\.30"),
    ("degree-zero", lambda: EphemerisModel(T0, 86400.0, degree=0), r"degree = 0 must be in 1\.\.30"),
    ("degree-float", lambda: EphemerisModel(T0, 86400.0, degree=14.5), r"degree must be an integer, got 14.5"),
    ("duration-str", lambda: EphemerisModel(T0, "1d"), r"duration_s must be a real number, got '1d'"),
    # 39: wrong types
    ("resonance-float", lambda: resonant_period_s(4.5), r"resonance must be a string 'p:q'.*got 4.5 \(float\)"),
    ("nrho-none", lambda: nrho(None), r"resonance must be a string 'p:q'.*got None"),
    ("halo-period-str", lambda: halo_orbit("L1-south", "8d"), r"period_s must be a real number, got '8d' \(str\)"),
    ("halo-family-none", lambda: halo_orbit(None, 8 * 86400.0), r"unknown orbit family None"),
    ("llo-str", lambda: low_lunar_orbit("100"), r"alt_km must be a real number, got '100' \(str\)"),
    ("llo-inc-str", lambda: low_lunar_orbit(100.0, inc_deg="90"), r"inc_deg must be a real number, got '90'"),
    ("estimate-str", lambda: nrho_llo_estimate("9:2"), r"orbit must be a PeriodicOrbit, got '9:2' \(str\)"),
    ("hohmann-str", lambda: hohmann_leg("100", 200.0), r"from_alt_km must be a real number, got '100'"),
    # 40: ledger paths
    (
        "path-one-node-str",
        lambda: default_ledger().path_dv_m_per_s("LEO"),
        r"a path needs at least two nodes, got \['LEO'\]",
    ),
    (
        "path-int",
        lambda: default_ledger().path_dv_m_per_s(3),
        r"path must be a list of node names or a comma-separated string, got 3",
    ),
    ("fly-mass-str", lambda: default_ledger().fly(["LEO", "TLI"], "1000", 450.0), r"final_mass_kg.*got '1000'"),
]


@pytest.mark.parametrize(("call", "message"), [(c, m) for _, c, m in CASES], ids=[i for i, _, _ in CASES])
def test_bad_input_is_a_named_input_error(call: Callable[[], object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        call()


@pytest.mark.parametrize(("alt_km", "message"), [(1e6, "1000000.0 km is no low lunar orbit"), (5000.001, "5000.001 km"),
                                                 (0.0, "0.0 km is at or below"), (float("nan"), "nan km")])
def test_llo_altitude_is_range_checked(n92, alt_km: float, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=re.escape(f"llo_alt_km = {message}")):
        nrho_llo_estimate(n92, alt_km)


# --- valid calls still work -------------------------------------------------------------------------------


def test_valid_eclipse_timeline_unchanged() -> None:
    seconds, spacecraft, sun, earth = _eclipse_inputs(5)
    timeline = eclipse_timeline(seconds, spacecraft, sun, earth)
    assert np.all(timeline.moon_kind == 2)
    assert np.all(timeline.sun_fraction == 0.0)
    assert [(e.body, e.kind, e.start_s, e.end_s) for e in timeline.events] == [("moon", "umbra", 0.0, 240.0)]
    one = eclipse_timeline(seconds[:1], spacecraft[:, :1], sun[:, :1], earth[:, :1])  # a single sample is fine
    assert one.sun_fraction.shape == (1,)


@pytest.mark.parametrize("mu", [EARTH_MOON_MU, 1e-7, 0.5, np.float64(0.01)])
def test_valid_cr3bp_systems(mu: float) -> None:
    assert CR3BPSystem(mu=mu).mu == mu


@pytest.mark.parametrize("phase", [0.0, 0.25, 0.999, np.float64(0.5), 0])
def test_valid_phases(phase: float) -> None:
    assert NrhoOrbiter("n", "9:2", "L2-north", phase).phase == phase


def test_valid_paths_list_and_comma_string_agree() -> None:
    ledger = default_ledger()
    nodes = ["LEO", "TLI", "NRHO", "LLO", "surface"]
    # 6,646 m/s: the LEO -> surface legs of Acta Astronautica 177 (2020) 351-372, Table 4 (as the ledger CLI test)
    assert ledger.path_dv_m_per_s("LEO, TLI,NRHO,LLO,surface") == ledger.path_dv_m_per_s(nodes) == 6646.0
    assert ledger.path_dv_m_per_s(tuple(nodes)) == 6646.0
    as_text = ledger.fly("LEO,TLI,NRHO", 1000.0, 450.0)
    as_list = ledger.fly(["LEO", "TLI", "NRHO"], 1000, 450)
    assert [s.propellant_kg for s in as_text] == [s.propellant_kg for s in as_list]


def test_valid_llo_altitudes(n92) -> None:  # type: ignore[no-untyped-def]
    # 5,000 km, the highest altitude allowed, by vis-viva (Vallado 2013, eq. 1-31) as in test_orbits_transfers.py
    # ::test_nrho_llo_estimate_brackets_table4, from the perilune state that test checks against scipy DOP853
    # (radius about 3,250 km, Zimovan-Spreen et al. 2020): the LLO is above the perilune, so burn 1 raises the far
    # apse and burn 2 circularizes there. GM_Moon of DE421, 4902.800076 km^3/s^2 (Folkner et al. 2008, IPN PR
    # 42-178, Table 8); R = 1737.4 km. Measured 280.9 + 164.9 = 445.8 m/s.
    high = nrho_llo_estimate(n92, 5000.0)
    gm = 4902.800076e9
    r_p, v_p = high["perilune_radius_km"] * 1e3, high["perilune_speed_m_per_s"]
    assert r_p == pytest.approx(3_250e3, abs=50e3)  # m
    r_llo = (1737.4 + 5000.0) * 1e3
    a_t = 0.5 * (r_p + r_llo)
    dv1 = abs(v_p - math.sqrt(gm * (2.0 / r_p - 1.0 / a_t)))
    dv2 = abs(math.sqrt(gm * (2.0 / r_llo - 1.0 / a_t)) - math.sqrt(gm / r_llo))
    assert high["dv_total_m_per_s"] == pytest.approx(dv1 + dv2, abs=1e-3)  # m/s (float rounding of the same sums)
    assert nrho_llo_estimate(n92, np.float64(100.0)) == nrho_llo_estimate(n92, 100)


def test_valid_ephemeris_model_degree_and_segment() -> None:
    model = EphemerisModel(T0, 86400.0, segment_s=43200.0, degree=np.int64(10))
    assert model.n_segments == 2
    assert EphemerisModel(T0, 3600, degree=1).degree == 1


def test_valid_coverage_still_runs() -> None:
    result = compute_coverage((SITE,), [LLO, NrhoOrbiter("gw", phase=0.5)], T0, 3600, step_s=np.float64(600.0))
    assert result.seconds.size == 6  # 1 h at 600 s, half-open [start, start + 1 h)
    assert set(result.site_links) == {("s", "llo"), ("s", "gw")}
    # A span shorter than 1.3 % of a 2-day Chebyshev segment used to fail in the interpolation-error probe.
    short = compute_coverage([], [LLO], T0, 600.0, step_s=60)
    assert short.site_links == {}
    assert 0.0 <= short.interpolation_error_m < 1.0
