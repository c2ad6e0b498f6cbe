"""What a run was computed from, for ``OUT/provenance.json`` and the report: the code (version, fingerprint, git
commit), the scenario (hash and full validated text, seed), the data files (ephemeris, lunar orientation kernels,
DEM) with their SHA-256, the libraries (the numerical stack and every installed distribution), the machine (CPUs,
numba threads and threading layer) and the run's timing (which stages were computed, which read from checkpoints).

A result can be reproduced, or two results told apart, by comparing these: the same code fingerprint, scenario
hash and data hashes give the same numbers (Monte Carlo draws derive from the scenario's seed).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

#: The libraries whose versions can change a result (the numerical stack and the solvers).
LIBRARIES = ("numpy", "scipy", "numba", "llvmlite", "xarray", "pandas", "pyarrow", "jplephem", "skyfield",
             "skyfield-data", "heyoka", "highspy", "pydantic", "tifffile", "imagecodecs")
#: Environment variables that change how the numerical libraries compute (threads, JIT); only these are recorded.
NUMERIC_ENVIRONMENT = ("NUMBA_NUM_THREADS", "NUMBA_THREADING_LAYER", "NUMBA_DISABLE_JIT", "NUMBA_OPT",
                       "NUMBA_CPU_NAME", "NUMBA_CPU_FEATURES", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                       "MKL_NUM_THREADS")


def provenance(
    scenario: Any,
    scenario_sha256: str,
    code_fingerprint: str,
    *,
    run_id: str | None = None,
    elapsed_s: float | None = None,
    stage_seconds: dict[str, float] | None = None,
) -> dict[str, Any]:
    """The provenance record of a run of ``scenario``. ``stage_seconds``: each stage's compute time, 0 for a
    stage read from a checkpoint."""
    from lunarops import __version__
    from lunarops.ephemeris.kernels import MOON_ASSOC_ME_TF, MOON_FRAMES_TF, MOON_PCK, de421_path

    kernels = {
        "ephemeris": _file_record(de421_path(), "JPL DE421 (Folkner et al. 2008), from the skyfield-data package"),
        "moon_orientation": _file_record(MOON_PCK, "NAIF lunar PA frame from the DE421 librations"),
        "moon_frames": _file_record(MOON_FRAMES_TF, "NAIF frame kernel (MOON_ME_DE421, MOON_PA_DE421)"),
        "moon_frame_association": _file_record(MOON_ASSOC_ME_TF, "NAIF: IAU_MOON -> MOON_ME"),
    }
    operations = getattr(scenario, "operations", None)
    return {
        "lunarops_version": __version__,
        "code_fingerprint": code_fingerprint,
        "git": _git_state(Path(__file__).resolve().parents[1]),
        "scenario_sha256": scenario_sha256,
        # the exact text hashed: sha256(scenario_json) == scenario_sha256; JSON is YAML, so `lunarops run` reads it
        "scenario_json": scenario.model_dump_json(exclude_unset=True),  # as given: it validates again
        "seed": scenario.seed,
        "monte_carlo_runs": operations.monte_carlo.runs if operations is not None else None,
        "data": {**kernels, **({"dem": _dem_record(scenario.terrain.dem)} if scenario.terrain is not None else {})},
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "libraries": library_versions(),
        "installed": _installed(),
        "machine": _machine(),
        "run": {
            "run_id": run_id,
            "elapsed_s": elapsed_s,
            "stages": {
                name: {"seconds": seconds, "from_checkpoint": seconds == 0.0}
                for name, seconds in (stage_seconds or {}).items()
            },
        },
    }


def provenance_lines(record: dict[str, Any]) -> dict[str, str]:
    """The provenance in a few report lines."""
    data = record["data"]
    names = ", ".join(f"{entry['file']} ({entry['sha256'][:12]})" for entry in data.values() if "file" in entry)
    libraries = ", ".join(f"{k} {v}" for k, v in record["libraries"].items() if v)
    git = record.get("git")
    commit = f", git {git['commit'][:12]}{' (modified)' if git['dirty'] else ''}" if git else ""
    machine = record.get("machine", {})
    seed = f", seed {record['seed']}" if "seed" in record else ""
    return {
        "data (SHA-256)": names + ("" if "dem" not in data or "file" in data["dem"] else ", DEM: none (smooth sphere)"),
        "code": f"lunarops {record['lunarops_version']}{commit}, fingerprint {record['code_fingerprint'][:16]}; "
        f"scenario SHA-256 {record['scenario_sha256'][:16]}{seed}",
        "libraries": f"Python {record['python']}, {libraries}",
        **(
            {"machine": f"{machine.get('cpus_usable')} CPUs usable, numba {machine.get('numba_num_threads')} "
             f"threads ({machine.get('numba_threading_layer') or 'no parallel code ran'})"}
            if machine else {}
        ),
    }


def _git_state(package: Path) -> dict[str, Any] | None:
    """The git commit of the checkout the package runs from, and whether its files (``src/lunarops``) differ
    from it (``dirty``, with up to 50 changed paths); None when the package is not tracked by git (an installed
    wheel) or git is missing. Read-only: no index refresh (GIT_OPTIONAL_LOCKS=0)."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}

    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(package), *args], capture_output=True, text=True, timeout=10,
                              env=env, check=True)
        return done.stdout

    try:
        if not git("ls-files", "--", "__init__.py").strip():  # e.g. a wheel inside an ignored .venv of a repo
            return None
        commit = git("rev-parse", "HEAD").strip()
        changed = [line[3:] for line in git("status", "--porcelain", "--", ".").splitlines() if line.strip()]
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit, "dirty": bool(changed), "changed": changed[:50]}


def _installed() -> list[str]:
    """Every installed distribution as ``name==version``, sorted (what ``pip freeze`` lists)."""
    found = {f"{dist.metadata['Name']}=={dist.version}" for dist in importlib.metadata.distributions()
             if dist.metadata["Name"]}
    return sorted(found, key=str.lower)


def _machine() -> dict[str, Any]:
    """The CPUs, the numba threads and threading layer, and the numerics' environment variables that are set."""
    affinity = getattr(os, "sched_getaffinity", None)
    record: dict[str, Any] = {
        "machine": platform.machine(),
        "processor": platform.processor(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(affinity(0)) if affinity is not None else os.cpu_count(),
        "environment": {name: os.environ[name] for name in NUMERIC_ENVIRONMENT if name in os.environ},
    }
    numba = sys.modules.get("numba")
    if numba is not None:
        record["numba_num_threads"] = numba.get_num_threads()  # what the run's parallel loops used
        record["numba_max_threads"] = numba.config.NUMBA_NUM_THREADS
        try:
            record["numba_threading_layer"] = numba.threading_layer()
        except ValueError:  # no parallel function has run in this process
            record["numba_threading_layer"] = None
    return record


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


def library_versions() -> dict[str, str | None]:
    """The installed version of each of LIBRARIES (None: not installed)."""
    return {name: _version(name) for name in LIBRARIES}


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None
