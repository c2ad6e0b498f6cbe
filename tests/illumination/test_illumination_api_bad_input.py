"""Bad input to the illumination Python API: a clear InputError naming the parameter and its value, never a raw
numpy / Attribute / Type / ZeroDivision error or a silently wrong result; valid calls unchanged."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import pytest

from lunarops.errors import InputError, SiteError
from lunarops.illumination import (
    RankingScales,
    SunEnvelope,
    light_map,
    period_times,
    psr_map,
    rank_sites,
    search_sites,
    site_light,
    slope_map_deg,
    sun_envelope,
    window_around,
)
from lunarops.sky import sky_at_site
from lunarops.terrain import Dem, load_dem
from lunarops.timescale import timescale, utc_range

W = (375, 378, 375, 378)  # 3 x 3 cells near the south pole
SITE = ("a", -89.45, 222.69)


@cache
def south() -> Dem:
    return load_dem("south")


@cache
def north() -> Dem:
    return load_dem("north")


@cache
def t6h() -> Any:
    """Two days, 6-hourly (8 samples)."""
    return period_times("2030-01-01", "2030-01-03", 21600.0)


@cache
def envelope(south_pole: bool) -> SunEnvelope:
    return sun_envelope(south_pole, step_hours=24.0)


def _uneven() -> Any:
    tt = period_times("2030-01-01", "2030-01-03", 21600.0).tt
    return timescale().tt_jd(np.concatenate([tt[:4], tt[5:]]))  # one sample missing


def _rank(**kw: Any) -> Any:
    args: dict[str, Any] = dict(dem=south(), sites=[SITE], t=t6h(), step_s=21600.0, mast_height_m=2.0,
                                scales=RankingScales(), envelope=envelope(True))
    args.update(kw)
    return rank_sites(**args)


def _search(**kw: Any) -> Any:
    args: dict[str, Any] = dict(dem=south(), center_latitude_deg=-89.45, center_longitude_deg=222.69, radius_km=3.0,
                                t=t6h(), step_s=21600.0, mast_height_m=2.0, scales=RankingScales(),
                                envelope=envelope(True))
    args.update(kw)
    return search_sites(**args)


CASES: list[tuple[str, Callable[[], object], type[Exception], str]] = [
    # 14: step_s against the spacing of t
    ("site step != spacing", lambda: site_light(0.0, 0.0, t6h(), 3600.0), InputError,
     r"step_s = 3600.0 s does not match the spacing of t \(21600.0 s"),
    ("site step 0", lambda: site_light(0.0, 0.0, t6h(), 0.0), InputError,
     r"^step_s = 0.0 must be a finite number > 0 \[s\]"),
    ("site step negative", lambda: site_light(0.0, 0.0, t6h(), -3600.0), InputError,
     r"^step_s = -3600.0 must be a finite number > 0"),
    ("site step nan", lambda: site_light(0.0, 0.0, t6h(), float("nan")), InputError,
     r"^step_s = nan must be a finite number > 0"),
    ("site step text", lambda: site_light(0.0, 0.0, t6h(), "6h"), InputError, r"^step_s = '6h' must be"),
    ("site mast list", lambda: site_light(0.0, 0.0, t6h(), 21600.0, [10.0]), InputError,
     r"^mast_height_m = \[10\.0\] must be one number >= 0 \[m\] \(got a list\)"),
    ("site t uneven", lambda: site_light(0.0, 0.0, _uneven(), 21600.0), InputError,
     r"^t is not uniformly spaced \(steps of 21600.000 to 43200.000 s.*period_times"),
    ("site t reversed", lambda: site_light(0.0, 0.0, timescale().tt_jd(t6h().tt[::-1]), 21600.0), InputError,
     r"^t must be in increasing time order"),
    ("map step 30 d", lambda: light_map(south(), t6h(), 86400.0 * 30, window=W), InputError,
     r"step_s = 2592000.0 s does not match the spacing of t \(21600.0 s"),
    ("map step 0", lambda: light_map(south(), t6h(), 0.0, window=W), InputError, r"^step_s = 0.0 must be"),
    ("rank step 0", lambda: _rank(step_s=0.0), InputError, r"^step_s = 0.0 must be"),
    ("search step nan", lambda: _search(step_s=float("nan")), InputError, r"^step_s = nan must be"),
    # 15: windows and tiles
    ("map window reversed", lambda: light_map(south(), t6h(), 21600.0, window=(378, 375, 375, 378)), InputError,
     r"^window = \(378, 375, 375, 378\) must be \(row0, row1, col0, col1\)"),
    ("map window 3-tuple", lambda: light_map(south(), t6h(), 21600.0, window=(375, 378, 375)), InputError,
     r"^window = \(375, 378, 375\) must be"),
    ("psr window reversed", lambda: psr_map(south(), window=(378, 375, 375, 378), envelope=envelope(True)),
     InputError, r"^window = \(378, 375, 375, 378\) must be"),
    ("psr window 3-tuple", lambda: psr_map(south(), window=(375, 378, 375), envelope=envelope(True)), InputError,
     r"^window = \(375, 378, 375\) must be"),
    ("map tile_rows 0", lambda: light_map(south(), t6h(), 21600.0, window=W, tile_rows=0), InputError,
     r"^tile_rows = 0 must be an integer >= 1"),
    ("psr tile_rows 1.5", lambda: psr_map(south(), window=W, envelope=envelope(True), tile_rows=1.5), InputError,
     r"^tile_rows = 1.5 must be an integer >= 1"),
    ("map mast negative", lambda: light_map(south(), t6h(), 21600.0, window=W, mast_height_m=-2.0), InputError,
     r"^mast_height_m = -2.0 must be finite, >= 0"),
    # 16: hemispheres
    ("envelope south as text", lambda: sun_envelope("north", step_hours=24.0), InputError,
     r"^south = 'north' must be True \(south pole\) or False \(north pole\)"),
    ("psr north DEM, south envelope", lambda: psr_map(north(), window=W, envelope=envelope(True)), InputError,
     r"^envelope \(south=True\) is toward the south pole but DEM 'north' is a north polar grid.*sun_envelope\(False\)"),
    ("psr south DEM, north envelope", lambda: psr_map(south(), window=W, envelope=envelope(False)), InputError,
     r"^envelope \(south=False\) is toward the north pole but DEM 'south'"),
    ("psr envelope text", lambda: psr_map(south(), window=W, envelope="south"), InputError,
     r"^envelope = 'south' must be a SunEnvelope"),
    ("rank north envelope", lambda: _rank(envelope=envelope(False)), InputError,
     r"^envelope \(south=False\) is toward the north pole but DEM 'south'"),
    ("search north envelope", lambda: _search(envelope=envelope(False)), InputError,
     r"^envelope \(south=False\)"),
    # 17: longitude bins
    ("lon_bin 0", lambda: sun_envelope(True, step_hours=24.0, lon_bin_deg=0.0), InputError,
     r"^lon_bin_deg = 0.0 must be a finite number in \(0, 360\] \[deg\]"),
    ("lon_bin nan", lambda: sun_envelope(True, step_hours=24.0, lon_bin_deg=float("nan")), InputError,
     r"^lon_bin_deg = nan must be"),
    ("lon_bin negative", lambda: sun_envelope(True, step_hours=24.0, lon_bin_deg=-1.0), InputError,
     r"^lon_bin_deg = -1.0 must be"),
    ("lon_bin 500", lambda: sun_envelope(True, step_hours=24.0, lon_bin_deg=500.0), InputError,
     r"^lon_bin_deg = 500.0 must be"),
    # 18: ranking scales
    ("scales sunlit nan", lambda: RankingScales(sunlit=float("nan")), InputError,
     r"^ranking sunlit = nan must be a finite number >= 0"),
    ("scales darkness scale inf", lambda: RankingScales(darkness_scale_hours=float("inf")), InputError,
     r"^ranking darkness_scale_hours = inf must be a finite number > 0"),
    ("scales slope text", lambda: RankingScales(slope_limit_deg="15"), InputError,  # type: ignore[arg-type]
     r"^ranking slope_limit_deg = '15' must be a finite number > 0"),
    ("rank scales None", lambda: _rank(scales=None), InputError,
     r"^scales = None must be a RankingScales, e.g. RankingScales\(\)"),
    # 19: wrong types
    ("site dem text", lambda: site_light(-89.45, 222.69, t6h(), 21600.0, dem="south"), InputError,
     r"^dem = 'south' must be a lunarops.terrain.Dem or None.*load_dem\('south'\).*resolve_terrain"),
    ("site t text", lambda: site_light(-89.45, 222.69, "2030-01-01", 21600.0), InputError,
     r"^t = '2030-01-01' must be a skyfield Time.*period_times.*utc_period"),
    ("site latitude text", lambda: site_light("-89.45", 222.69, t6h(), 21600.0), SiteError,
     r"^latitude_deg = '-89.45' must be a number \[deg\]"),
    ("site longitude None", lambda: site_light(-89.45, None, t6h(), 21600.0), SiteError,
     r"^longitude_deg = None must be a number \[deg\]"),
    ("site horizon text", lambda: site_light(-89.45, 222.69, t6h(), 21600.0, horizon="flat"), InputError,
     r"^horizon = 'flat' must be a lunarops.terrain.HorizonMask"),
    ("map dem text", lambda: light_map("south", t6h(), 21600.0, window=W), InputError,
     r"^dem = 'south' must be a lunarops.terrain.Dem;"),
    ("map t text", lambda: light_map(south(), "2030-01-01", 21600.0, window=W), InputError,
     r"^t = '2030-01-01' must be a skyfield Time"),
    ("rank candidate without name", lambda: _rank(sites=[(-89.45, 222.69)]), InputError,
     r"^sites\[0\] = \(-89.45, 222.69\) must be a \(name, latitude_deg, longitude_deg\) tuple"),
    ("rank one candidate not in a list", lambda: _rank(sites=SITE), InputError,
     r"^sites\[0\] = 'a' must be a \(name, latitude_deg, longitude_deg\) tuple.*\[\('A', -89.45, 222.69\)\]"),
    ("rank candidate latitude text", lambda: _rank(sites=[("a", "-89.45", 222.69)]), InputError,
     r"^sites\[0\] = \('a', '-89.45', 222.69\) must be"),
    ("rank sites text", lambda: _rank(sites="a,-89.45,222.69"), InputError,
     r"^sites = 'a,-89.45,222.69' must be a list of \(name, latitude_deg, longitude_deg\) tuples"),
    ("rank second site off the Moon", lambda: _rank(sites=[SITE, ("b", -95.0, 0.0)]), SiteError,
     r"latitude -95.0 deg must be in \[-90, 90\]"),
    ("rank dem text", lambda: _rank(dem="south"), InputError, r"^dem = 'south' must be a lunarops.terrain.Dem"),
    ("slope 1x1 DEM", lambda: slope_map_deg(Dem(np.zeros((1, 1)), south().georeference)), InputError,
     r"is 1 x 1 cells; slopes need at least 2 x 2"),
    ("slope dem text", lambda: slope_map_deg("south"), InputError, r"^dem = 'south' must be a lunarops.terrain.Dem"),
    ("window_around half size text", lambda: window_around(south(), -89.45, 222.69, "3000"), InputError,
     r"^map half size = '3000' m must be > 0"),
    ("search center text", lambda: _search(center_latitude_deg="-89.45"), SiteError,
     r"^center_latitude_deg = '-89.45' must be a number"),
    ("search n_best 2.5", lambda: _search(n_best=2.5), InputError, r"^n_best = 2.5 must be an integer in 1..100"),
    # 20: radii named as given, in km
    ("rank psr_radius_km negative", lambda: _rank(psr_radius_km=-1.0), InputError,
     r"^psr_radius_km = -1.0 must be a finite distance > 0 \[km\]"),
    ("rank psr_radius_km 0", lambda: _rank(psr_radius_km=0.0), InputError, r"^psr_radius_km = 0.0 must be"),
    ("search radius_km negative", lambda: _search(radius_km=-5.0), InputError,
     r"^radius_km = -5.0 must be a finite distance > 0 \[km\]"),
    ("search radius_km nan", lambda: _search(radius_km=float("nan")), InputError, r"^radius_km = nan must be"),
]


@pytest.mark.parametrize(("call", "error", "pattern"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_a_clear_error(call: Callable[[], object], error: type[Exception], pattern: str) -> None:
    with pytest.raises(error, match=pattern) as info:
        call()
    assert isinstance(info.value, InputError)


def test_valid_site_light_unchanged() -> None:
    """A 6-hourly month at (0, 0) with step_s = its spacing: the longest darkness counted independently from the
    Sun's elevation (sky_at_site, smooth sphere): dark while the whole disk is below the horizon (elevation below
    -0.28 deg; the Sun's radius is 0.262-0.271 deg), as the longest run of dark samples x 6 h."""
    t = period_times("2030-01-01", "2030-02-01", 21600.0)
    elevation_deg = sky_at_site(0.0, 0.0, 0.0, t).sun_elevation_deg
    assert not np.any((elevation_deg > -0.28) & (elevation_deg < -0.25))  # no sample on the limb
    longest = run = 0
    for dark in elevation_deg < -0.28:
        run = run + 1 if dark else 0
        longest = max(longest, run)
    assert site_light(0.0, 0.0, t, 21600.0).longest_dark_hours == longest * 6.0 == 264.0


def test_valid_light_map_unchanged() -> None:
    lmap = light_map(south(), t6h(), 21600.0, window=W)
    assert lmap.longest_dark_hours.tolist() == [[48.0] * 3] * 3
    assert lmap.window == W and lmap.step_s == 21600.0


def test_single_sample_takes_any_positive_step() -> None:
    t = period_times("2030-01-01", "2030-01-01", 3600.0)
    assert site_light(0.0, 0.0, t, 3600.0).sun_disk_visible.shape == (1,)


def test_uniform_grid_across_a_leap_second_is_accepted() -> None:
    t = utc_range("2016-12-31T22:00", "2017-01-01T02:00", 3600.0)  # a leap second at the end of 2016
    assert site_light(0.0, 0.0, t, 3600.0).sun_disk_visible.shape == (5,)


def test_envelope_carries_its_pole_and_matching_psr_map_runs() -> None:
    assert envelope(True).south is True and envelope(False).south is False
    assert sun_envelope(np.bool_(False), step_hours=24.0).south is False
    psr = psr_map(north(), window=(370, 392, 370, 392), envelope=envelope(False))
    # 28 cells: the same map before the pole check was added (commit d7cb3e7), i.e. unchanged for a matching
    # envelope; the PSR physics is tested against Mazarico et al. 2011 in test_illumination_psr.py
    assert int(psr.psr.sum()) == 28


def test_step_mismatch_says_the_matching_step() -> None:
    """The step mismatch message says the fix: the step that matches t."""
    with pytest.raises(InputError) as info:
        site_light(0.0, 0.0, t6h(), 3600.0)
    assert re.search(r"pass step_s = 21600.0", str(info.value))
