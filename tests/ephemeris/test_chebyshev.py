"""The compiled Chebyshev evaluator against jplephem's own evaluation of the same DE421 and PCK segments."""

from __future__ import annotations

import numpy as np
import pytest
from jplephem.pck import PCK
from jplephem.spk import SPK

from lunarops.ephemeris.chebyshev import ChebyshevSegment, seconds_past_j2000
from lunarops.ephemeris.kernels import MOON_PCK, de421_path


@pytest.fixture(scope="module")
def epochs() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    whole = np.floor(rng.uniform(2415030.0, 2469800.0, 5000))
    return whole, rng.uniform(0.0, 1.0, 5000)


@pytest.mark.parametrize("target", [3, 10, 301, 399])
def test_spk_segments_match_jplephem(epochs: tuple[np.ndarray, np.ndarray], target: int) -> None:
    kernel = SPK.open(str(de421_path()))
    try:
        segment = next(s for s in kernel.segments if s.target == target)
        position, velocity = ChebyshevSegment.from_spk(segment).state_km(seconds_past_j2000(*epochs))
        p_ref, v_ref = segment.compute_and_differentiate(*epochs)
    finally:
        kernel.close()
    # 5 cm: one float64 of TDB seconds past J2000 resolves 0.2-0.4 us over 1900-2050, and the EMB moves
    # 30 km/s (1.2 cm per 0.4 us); jplephem keeps whole and fractional days apart. 5 cm at 1 au is 7e-5 mas.
    assert np.abs(position - p_ref).max() < 5e-5
    assert np.abs(velocity * 86400.0 - v_ref).max() < 1e-5  # km/day


def test_pck_angles_match_jplephem(epochs: tuple[np.ndarray, np.ndarray]) -> None:
    kernel = PCK.open(str(MOON_PCK))
    try:
        segment = kernel.segments[0]
        angles, rates = ChebyshevSegment.from_pck(segment).state_km(seconds_past_j2000(*epochs))
        a_ref, r_ref = segment.compute(*epochs, True)
    finally:
        kernel.close()
    assert np.abs(angles - a_ref).max() < 1e-11  # rad (2e-6 arcsec; W reaches 4,000 rad, so this is rounding)
    assert np.abs(rates - r_ref).max() < 1e-17  # rad/s (jplephem PCK rates are per second)
