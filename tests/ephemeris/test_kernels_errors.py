"""Missing or corrupt kernels give a DataError that names the file and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from lunarops.ephemeris import MoonEphemeris
from lunarops.ephemeris.kernels import MOON_FRAMES_TF, MOON_PCK, de421_path
from lunarops.errors import DataError


def test_missing_kernel(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"nope\.bsp is missing; reinstall lunarops \(pip install skyfield-data\)"):
        MoonEphemeris(tmp_path / "nope.bsp", MOON_PCK, MOON_FRAMES_TF)


def test_truncated_spk(tmp_path: Path) -> None:
    bad = tmp_path / "de421.bsp"
    bad.write_bytes(de421_path().read_bytes()[:5000])
    with pytest.raises(DataError, match=r"cannot read .*de421\.bsp.*reinstall lunarops and skyfield-data"):
        MoonEphemeris(bad, MOON_PCK, MOON_FRAMES_TF)


def test_garbage_pck(tmp_path: Path) -> None:
    bad = tmp_path / "moon.bpc"
    bad.write_bytes(b"not a DAF file" * 100)
    with pytest.raises(DataError, match=r"cannot read .*moon\.bpc.*reinstall lunarops and skyfield-data"):
        MoonEphemeris(de421_path(), bad, MOON_FRAMES_TF)
