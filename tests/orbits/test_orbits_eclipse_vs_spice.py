"""Eclipses of a lunar orbiter against CSPICE's ``occult`` (spiceypy) with the same DE421 kernel.

The orbiter's track (ephemeris model, 100 km polar LLO and the 9:2 NRHO on DE421) is written to a temporary SPK
(type 13, Hermite) as NAIF body -999; SPICE then classifies the Sun as totally, annularly or partially occulted
by the Moon (1737.4 km sphere) or the Earth (6378.137 km sphere), radius 695,700 km for the Sun, abcorr 'NONE'.
Epochs within one sample of a shadow boundary are skipped (the classification flips there by construction).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import spiceypy as spice

from lunarops.ephemeris import default_ephemeris
from lunarops.ephemeris.kernels import MOON_ASSOC_ME_TF, MOON_FRAMES_TF, MOON_PCK, de421_path
from lunarops.orbits.eclipse import eclipse_timeline
from lunarops.orbits.ephemeris_model import EphemerisModel
from lunarops.orbits.kepler import low_lunar_orbit
from lunarops.orbits.tracks import KeplerOrbiter, NrhoOrbiter, orbiter_tracks
from lunarops.timescale import parse_utc

# Spheres and (irrelevant for spheres) pole models so that SPICE's ELLIPSOID shapes match ours; pole constants of
# the Sun and the Earth from NAIF pck00010.tpc.
_PCK = """\\begindata
BODY10_RADII = ( 695700.0 695700.0 695700.0 )
BODY10_POLE_RA = ( 286.13 0. 0. )
BODY10_POLE_DEC = ( 63.87 0. 0. )
BODY10_PM = ( 84.176 14.1844000 0. )
BODY301_RADII = ( 1737.4 1737.4 1737.4 )
BODY399_RADII = ( 6378.137 6378.137 6378.137 )
BODY399_POLE_RA = ( 0. -0.641 0. )
BODY399_POLE_DEC = ( 90. -0.557 0. )
BODY399_PM = ( 190.147 360.9856235 0. )
\\begintext
"""
SPICE_KIND = {0: 0, -1: 1, -2: 3, -3: 2}  # occult code -> our kind (0 sunlit, 1 partial, 2 total, 3 annular)


@pytest.fixture(scope="module")
def case() -> Iterator[dict[str, np.ndarray]]:
    # An eclipse season epoch for the polar LLO (Sun near the orbit plane) and a lunar eclipse window for the Earth:
    # the total lunar eclipse of 2029-12-20 (NASA eclipse catalogue, greatest eclipse 22:42 UT).
    start = parse_utc("2029-12-20T18:00:00Z")
    model = EphemerisModel(start, 1.0 * 86400.0)
    seconds = np.arange(0.0, 86400.0, 30.0)
    tracks = orbiter_tracks(
        [KeplerOrbiter("llo", low_lunar_orbit(100.0, 90.0, 0.0)), NrhoOrbiter("nrho", phase=0.5)], model, seconds
    )
    times = model.times(seconds)
    eph = default_ephemeris()
    sun = eph.position_wrt_moon_j2000_m("sun", times)
    earth = eph.position_wrt_moon_j2000_m("earth", times)
    et = (np.asarray(times.whole) - 2451545.0) * 86400.0 + np.asarray(times.tdb_fraction) * 86400.0
    with tempfile.TemporaryDirectory() as tmp:
        pck = Path(tmp) / "spheres.tpc"
        pck.write_text(_PCK)
        for path in (de421_path(), MOON_PCK, MOON_FRAMES_TF, MOON_ASSOC_ME_TF, pck):
            spice.furnsh(str(path))
        result: dict[str, np.ndarray] = {"et": et}
        for k, track in enumerate(tracks):
            spk = Path(tmp) / f"sc{k}.bsp"
            handle = spice.spkopn(str(spk), "lunarops test", 0)
            # velocity by central differences is adequate for Hermite interpolation at 30 s sampling
            vel = np.gradient(track.position_j2000_m, seconds, axis=1)
            states = np.ascontiguousarray(np.vstack([track.position_j2000_m, vel]).T / 1e3)
            epochs = np.ascontiguousarray(et)
            spice.spkw13(handle, -999 - k, 301, "J2000", et[0], et[-1], "track", 7, len(et), states, epochs)
            spice.spkcls(handle)
            spice.furnsh(str(spk))
            timeline = eclipse_timeline(seconds, track.position_j2000_m, sun, earth)
            result[f"moon_kind_{k}"] = timeline.moon_kind
            result[f"earth_kind_{k}"] = timeline.earth_kind
        yield result
        spice.kclear()


def _spice_kind(body: str, frame: str, observer: int, et: float) -> int:
    code = spice.occult("SUN", "ELLIPSOID", "IAU_SUN", body, "ELLIPSOID", frame, "NONE", str(observer), et)
    return SPICE_KIND[int(code)]


@pytest.mark.parametrize("k", [0, 1])
def test_moon_and_earth_shadows_match_spice(case: dict[str, np.ndarray], k: int) -> None:
    et = case["et"]
    checked: dict[tuple[str, int], int] = {}
    for body, frame, key in (("MOON", "MOON_ME", f"moon_kind_{k}"), ("EARTH", "IAU_EARTH", f"earth_kind_{k}")):
        kinds = case[key]
        stable = np.flatnonzero((kinds[1:-1] == kinds[:-2]) & (kinds[1:-1] == kinds[2:])) + 1
        rng = np.random.default_rng(5)
        shadowed = stable[kinds[stable] > 0]
        # up to 60 partial/total samples plus 20 random sunlit ones
        picks = np.concatenate([rng.choice(shadowed, min(60, shadowed.size), replace=False),
                                rng.choice(stable[kinds[stable] == 0], 20, replace=False)])
        for i in picks:
            assert int(kinds[i]) == _spice_kind(body, frame, -999 - k, float(et[i])), (body, i)
            checked[(body, int(kinds[i]))] = checked.get((body, int(kinds[i])), 0) + 1
    # the comparison covered sunlit epochs and the Earth's umbra and penumbra (total lunar eclipse) ...
    assert checked[("MOON", 0)] >= 20 and checked[("EARTH", 0)] >= 20
    assert checked.get(("EARTH", 2), 0) >= 10 and checked.get(("EARTH", 1), 0) >= 10
    if k == 0:  # ... and, for the polar LLO whose plane contains the Sun, the Moon's umbra
        assert checked.get(("MOON", 2), 0) >= 10
