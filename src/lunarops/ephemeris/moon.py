"""Sun and Earth relative to the Moon (JPL DE421) and the Moon ME frame (NAIF PA kernel + frame kernel).

Positions come from the DE421 Chebyshev segments read with jplephem (SSB->Sun, SSB->EMB, EMB->Moon,
EMB->Earth); the orientation from the MOON_PA_DE421 Euler angles (binary PCK) rotated into MOON_ME_DE421 by
the fixed TK rotation of ``moon_080317.tf``. ME (mean Earth / polar axis) is the frame of LOLA's DEMs; PA and
ME differ by about 875 m on the ground.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from jplephem.spk import SPK
from numpy.typing import NDArray
from skyfield.planetarylib import PlanetaryConstants
from skyfield.timelib import Time

from lunarops.ephemeris.chebyshev import ChebyshevSegment, seconds_past_j2000
from lunarops.ephemeris.kernels import MOON_FRAMES_TF, MOON_PCK, de421_path, require
from lunarops.ephemeris.rotation import euler_313, rotate
from lunarops.errors import DataError, EphemerisRangeError

KM = 1000.0
DAY_S = 86400.0
BODIES = ("sun", "earth", "moon")
FloatArray = NDArray[np.float64]


class MoonEphemeris:
    """DE421 positions relative to the Moon and the Moon ME orientation, vectorized over time.

    Every method takes a skyfield ``Time`` (scalar or array); vectors come back as (3, N) (or (3,) for a
    scalar time) in metres, matrices as (3, 3, N) (or (3, 3)).
    """

    def __init__(self, spk_path: Path, pck_path: Path, frames_tf_path: Path) -> None:
        spk: SPK | None = None
        try:
            spk = SPK.open(str(require(spk_path, "pip install skyfield-data")))
            constants = PlanetaryConstants()
            with open(require(frames_tf_path, "reinstall lunarops"), "rb") as tf:
                constants.read_text(tf)
            with open(require(pck_path, "reinstall lunarops"), "rb") as pck_file:
                constants.read_binary(pck_file)
                self._frame = constants.build_frame_named("MOON_ME_DE421")
                pck_segment = self._frame._segment
                self._moon_angles = ChebyshevSegment.from_pck(pck_segment)  # copied into memory
            segments = {(s.center, s.target): s for s in spk.segments}
            self._ssb_emb = ChebyshevSegment.from_spk(segments[(0, 3)])
            self._ssb_sun = ChebyshevSegment.from_spk(segments[(0, 10)])
            self._emb_moon = ChebyshevSegment.from_spk(segments[(3, 301)])
            self._emb_earth = ChebyshevSegment.from_spk(segments[(3, 399)])
            self.start_tdb_jd = max(max(s.start_jd for s in spk.segments), float(pck_segment.initial_jd))
            self.end_tdb_jd = min(min(s.end_jd for s in spk.segments), float(pck_segment.final_jd))
        except DataError:
            raise
        except KeyError as missing:
            raise DataError(f"{spk_path} lacks the segment {missing} (center, target); use a JPL DE kernel") from None
        except Exception as error:  # jplephem/skyfield raise plain errors on corrupt kernels
            raise DataError(
                f"cannot read the ephemeris or Moon orientation kernels ({spk_path}, {pck_path}): "
                f"{type(error).__name__}: {error}; reinstall lunarops and skyfield-data"
            ) from None
        finally:
            if spk is not None:
                spk.close()  # the coefficients are copied into memory

    # -- coverage -------------------------------------------------------------------------------------------
    def check_coverage(self, t: Time) -> None:
        """Raise EphemerisRangeError when any epoch is outside the kernels (about 1900-01-01 .. 2050-01-01)."""
        tdb = np.atleast_1d(t.tdb)
        bad = (tdb < self.start_tdb_jd) | (tdb > self.end_tdb_jd) | ~np.isfinite(tdb)
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            ts = t.ts
            first_utc = np.atleast_1d(t.utc_iso())[first] if np.isfinite(tdb[first]) else "NaN"
            raise EphemerisRangeError(
                f"time {first_utc} is outside the coverage of the ephemeris and lunar orientation kernels "
                f"({ts.tdb_jd(self.start_tdb_jd).utc_iso()} .. {ts.tdb_jd(self.end_tdb_jd).utc_iso()}, "
                "moon_pa_de421_1900-2050.bpc and DE421); choose epochs inside it",
                first_bad_utc=str(first_utc),
            )

    # -- positions ------------------------------------------------------------------------------------------
    def ssb_state_m(self, body: str, jd_whole: FloatArray, jd_fraction: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Barycentric ICRF position [m] and velocity [m/s] of "sun", "earth" or "moon" at TDB JD whole+fraction."""
        _check_body(body, BODIES)
        seconds = seconds_past_j2000(jd_whole, jd_fraction)
        if body == "sun":
            p, v = self._ssb_sun.state_km(seconds)
        else:
            emb_p, emb_v = self._ssb_emb.state_km(seconds)
            segment = self._emb_moon if body == "moon" else self._emb_earth
            p, v = segment.state_km(seconds)
            p, v = emb_p + p, emb_v + v
        return p * KM, v * KM

    def ssb_position_m(self, body: str, jd_whole: FloatArray, jd_fraction: FloatArray) -> FloatArray:
        """Barycentric ICRF position of "sun", "earth" or "moon" (no velocity: half the cost). [m]"""
        _check_body(body, BODIES)
        seconds = seconds_past_j2000(jd_whole, jd_fraction)
        if body == "sun":
            return self._ssb_sun.position_km(seconds) * KM
        segment = self._emb_moon if body == "moon" else self._emb_earth
        return (self._ssb_emb.position_km(seconds) + segment.position_km(seconds)) * KM

    def moon_state_earth_sun_m(
        self, jd_whole: FloatArray, jd_fraction: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Barycentric Moon position [m] and velocity [m/s], Earth and Sun positions [m], sharing the EMB."""
        seconds = seconds_past_j2000(jd_whole, jd_fraction)
        emb_p, emb_v = self._ssb_emb.state_km(seconds)
        moon_p, moon_v = self._emb_moon.state_km(seconds)
        earth_p = emb_p + self._emb_earth.position_km(seconds)
        sun_p = self._ssb_sun.position_km(seconds)
        return (emb_p + moon_p) * KM, (emb_v + moon_v) * KM, earth_p * KM, sun_p * KM

    def position_wrt_moon_j2000_m(self, body: str, t: Time) -> FloatArray:
        """Geometric position of "sun" or "earth" relative to the Moon's centre, ICRF/J2000. [m]"""
        _check_body(body, ("sun", "earth"))
        self.check_coverage(t)
        whole, fraction = _split(t)
        p = self.ssb_position_m(body, whole, fraction)
        m = self.ssb_position_m("moon", whole, fraction)
        return _shape_like(t, p - m)

    def velocity_wrt_moon_j2000_m_per_s(self, body: str, t: Time) -> FloatArray:
        """Geometric velocity of "sun" or "earth" relative to the Moon's centre, ICRF/J2000. [m/s]"""
        _check_body(body, ("sun", "earth"))
        self.check_coverage(t)
        whole, fraction = _split(t)
        _, v = self.ssb_state_m(body, whole, fraction)
        _, vm = self.ssb_state_m("moon", whole, fraction)
        return _shape_like(t, v - vm)

    # -- orientation ----------------------------------------------------------------------------------------
    def rotation_and_rate_j2000_to_me(self, t: Time) -> tuple[FloatArray, FloatArray]:
        """Rotation matrix J2000 -> Moon ME and its time derivative [1/s], each (3, 3, N)."""
        self.check_coverage(t)
        whole, fraction = _split(t)
        angles, rates = self._moon_angles.state_km(seconds_past_j2000(whole, fraction))
        rotation, rate = euler_313(angles[0], angles[1], angles[2], rates[0], rates[1], rates[2])
        offset = self._frame._matrix
        if offset is not None:
            n = rotation.shape[2]
            rotation = (offset @ rotation.reshape(3, 3 * n)).reshape(3, 3, n)
            rate = (offset @ rate.reshape(3, 3 * n)).reshape(3, 3, n)
        if np.ndim(t.tdb) == 0:
            return rotation[:, :, 0], rate[:, :, 0]
        return rotation, rate

    def rotation_j2000_to_me(self, t: Time) -> FloatArray:
        """Rotation matrix from ICRF/J2000 to the Moon ME frame: v_me = R @ v_j2000. (3, 3, N)"""
        return self.rotation_and_rate_j2000_to_me(t)[0]

    def position_wrt_moon_me_m(self, body: str, t: Time) -> FloatArray:
        """Geometric position of "sun" or "earth" relative to the Moon's centre in the Moon ME frame. [m]"""
        p = self.position_wrt_moon_j2000_m(body, t)
        rotation = self.rotation_j2000_to_me(t)
        if p.ndim == 1:
            return rotation @ p
        return rotate(rotation, p)


def _split(t: Time) -> tuple[FloatArray, FloatArray]:
    whole = np.atleast_1d(np.asarray(t.whole, dtype=np.float64))
    fraction = np.atleast_1d(np.asarray(t.tdb_fraction, dtype=np.float64))
    whole, fraction = np.broadcast_arrays(whole, fraction)
    return whole, fraction


def _shape_like(t: Time, vectors: FloatArray) -> FloatArray:
    return vectors[:, 0] if np.ndim(t.tdb) == 0 else vectors


def _check_body(body: str, allowed: tuple[str, ...]) -> None:
    if body not in allowed:
        raise ValueError(f"body must be one of {allowed}, got {body!r}")


@lru_cache(maxsize=1)
def default_ephemeris() -> MoonEphemeris:
    """The shipped DE421 + MOON_ME_DE421 ephemeris (opened once per process)."""
    return MoonEphemeris(de421_path(), MOON_PCK, MOON_FRAMES_TF)
