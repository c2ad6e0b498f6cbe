"""Where the shipped kernels are.

- ``de421.bsp``: JPL DE421 planetary ephemeris (Folkner et al. 2008), from the ``skyfield-data`` package.
- ``moon_pa_de421_1900-2050.bpc``, ``moon_080317.tf``, ``moon_assoc_me.tf``: NAIF lunar orientation (PA frame
  from DE421 librations) and frame kernels defining MOON_ME_DE421, shipped in ``lunarops/data/spice``
  (copied byte for byte from the lunarsky 1.0.1.post2 wheel; hashes equal NAIF's; see the LICENSE there).
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from lunarops.errors import DataError

SPICE_DIR = Path(str(importlib.resources.files("lunarops") / "data" / "spice"))
MOON_PCK = SPICE_DIR / "moon_pa_de421_1900-2050.bpc"
MOON_FRAMES_TF = SPICE_DIR / "moon_080317.tf"
MOON_ASSOC_ME_TF = SPICE_DIR / "moon_assoc_me.tf"


def de421_path() -> Path:
    """Path of DE421 in the skyfield-data package (no network)."""
    path = Path(str(importlib.resources.files("skyfield_data") / "data" / "de421.bsp"))
    return require(path, "pip install skyfield-data")


def require(path: Path, fix: str) -> Path:
    """``path`` if it is a readable file, else a DataError naming it and the fix."""
    if not path.is_file():
        raise DataError(f"kernel file {path} is missing; reinstall lunarops ({fix})")
    return path
