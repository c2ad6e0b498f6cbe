"""The SPICE oracle's kernels for the sky tests: the ones lunarops ships, and the LOLA reference sphere."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import spiceypy as spice  # the SPICE oracle (test extra): its absence must fail the run, not skip it

from lunarops.ephemeris.kernels import MOON_ASSOC_ME_TF, MOON_FRAMES_TF, MOON_PCK, de421_path


@pytest.fixture(scope="module")
def kernels() -> Iterator[None]:
    with tempfile.TemporaryDirectory() as tmp:
        radii = Path(tmp) / "moon_sphere.tpc"
        # The LOLA reference sphere, so that SPICE's ellipsoid normal is our radial vertical.
        radii.write_text("\\begindata\nBODY301_RADII = ( 1737.4 1737.4 1737.4 )\n\\begintext\n")
        for path in (de421_path(), MOON_PCK, MOON_FRAMES_TF, MOON_ASSOC_ME_TF, radii):
            spice.furnsh(str(path))
        yield
        spice.kclear()
