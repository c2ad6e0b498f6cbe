"""What a run was computed from, for ``OUT/provenance.json`` and the report: the code, the scenario, the data files
(ephemeris, lunar orientation kernels, DEM) with their SHA-256, and the versions of the libraries that compute.

A result can be reproduced, or two results told apart, by comparing these: the same code fingerprint, scenario
hash and data hashes give the same numbers (Monte Carlo draws derive from the scenario's seed).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import platform
from pathlib import Path
from types import SimpleNamespace
from typing import Any

#: The libraries whose versions can change a result (the numerical stack and the solvers).
LIBRARIES = ("numpy", "scipy", "numba", "xarray", "pandas", "pyarrow", "jplephem", "skyfield-data", "heyoka",
             "highspy", "pydantic")


def provenance(scenario: Any, scenario_sha256: str, code_fingerprint: str) -> dict[str, Any]:
    """The provenance record of a run of ``scenario``."""
    from lunarops import __version__
    from lunarops.ephemeris.kernels import MOON_ASSOC_ME_TF, MOON_FRAMES_TF, MOON_PCK, de421_path

    kernels = {
        "ephemeris": _file_record(de421_path(), "JPL DE421 (Folkner et al. 2008), from the skyfield-data package"),
        "moon_orientation": _file_record(MOON_PCK, "NAIF lunar PA frame from the DE421 librations"),
        "moon_frames": _file_record(MOON_FRAMES_TF, "NAIF frame kernel (MOON_ME_DE421, MOON_PA_DE421)"),
        "moon_frame_association": _file_record(MOON_ASSOC_ME_TF, "NAIF: IAU_MOON -> MOON_ME"),
    }
    return {
        "lunarops_version": __version__,
        "code_fingerprint": code_fingerprint,
        "scenario_sha256": scenario_sha256,
        "data": {**kernels, **({"dem": _dem_record(scenario.terrain.dem)} if scenario.terrain is not None else {})},
        "python": platform.python_version(),
        "platform": platform.platform(),
        "libraries": {name: _version(name) for name in LIBRARIES},
    }


def provenance_lines(record: dict[str, Any]) -> dict[str, str]:
    """The provenance in a few report lines."""
    data = record["data"]
    names = ", ".join(f"{entry['file']} ({entry['sha256'][:12]})" for entry in data.values() if "file" in entry)
    libraries = ", ".join(f"{k} {v}" for k, v in record["libraries"].items() if v)
    return {
        "data (SHA-256)": names + ("" if "dem" not in data or "file" in data["dem"] else ", DEM: none (smooth sphere)"),
        "code": f"lunarops {record['lunarops_version']}, fingerprint {record['code_fingerprint'][:16]}; "
        f"scenario SHA-256 {record['scenario_sha256'][:16]}",
        "libraries": f"Python {record['python']}, {libraries}",
    }


def _dem_record(dem: str) -> dict[str, Any]:
    if dem == "none":
        return {"name": "none", "description": "smooth sphere of 1737.4 km (no terrain)"}
    from lunarops.terrain.readers import EMBEDDED_DEMS

    if dem in EMBEDDED_DEMS:
        from lunarops.terrain.readers import embedded_dem_path

        heights = embedded_dem_path(dem)
        source = json.loads(heights.with_suffix(".json").read_text()).get("source", "")
        return {"name": dem, **_file_record(heights, f"shipped LOLA DEM '{dem}' (from {source})")}
    from lunarops.runner.inputs import dem_files

    files = dem_files(SimpleNamespace(terrain=SimpleNamespace(dem=dem)))
    main = Path(dem).resolve()
    return {
        "name": dem,
        **_file_record(main, "DEM file given in the scenario"),
        "beside": [_file_record(p, "read with it (same stem)") for p in files if p != main],
    }


def _file_record(path: Path, description: str) -> dict[str, Any]:
    state = path.stat()
    sha = _sha256(path, state.st_size, state.st_mtime_ns)
    return {"file": path.name, "sha256": sha, "bytes": state.st_size, "description": description}


@functools.cache
def _sha256(path: Path, size: int, mtime_ns: int) -> str:
    """SHA-256 of a file, cached per (path, size, modification time): an edited file is hashed again."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None
