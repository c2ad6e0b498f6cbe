"""Reproducibility of `lunarops run`: two runs of one scenario write the same results files, byte for byte (fresh,
from checkpoints, with one numba thread or several, and from the scenario that provenance.json embeds), and
provenance.json holds what a reader needs to run it again (scenario text, seed, versions, machine, git state)."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numba
import numba.core.config
import pytest
import yaml

from lunarops.runner.run import run, scenario_sha256
from lunarops.scenario import default_scenario_path, load_scenario
from lunarops.scenario.changes import scenario_from_dict
from lunarops.scenario.load import parse_scenario
from scenario_edits import direct_to_earth, without_campaign

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "lunarops"
MAX_THREADS: int = numba.core.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]  # set at import


def _small_scenario() -> Any:
    """Sky, site (LOLA south horizons; no map or PSR search) and a 5-run Monte Carlo over 2 days at 6 h: the
    parallel ephemeris, sky and operations kernels in a few seconds."""
    data = without_campaign(yaml.safe_load(default_scenario_path().read_text()))
    data.pop("orbits", None)
    direct_to_earth(data)  # its relays were the orbits section's orbiters
    data["terrain"]["map"] = {"enabled": False}
    data["terrain"]["psr"] = {"enabled": False}  # the PSR search: 30 s of the site stage
    data["period"] = {"start_utc": "2030-01-01T00:00:00Z", "end_utc": "2030-01-03T00:00:00Z", "step_hours": 6}
    data["operations"]["monte_carlo"]["runs"] = 5
    data["seed"] = 7
    return parse_scenario(yaml.safe_dump(data))


def _files(out: Path) -> dict[str, str]:
    """SHA-256 of each results file: the same digest is the same bytes (values, schema and metadata)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((out / "results").glob("*.parquet"))}


def _summary(out: Path) -> dict[str, Any]:
    """summary.json without what differs by design between runs (the run's id)."""
    document = json.loads((out / "summary.json").read_text())
    document.pop("run_id")
    return document


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("first") / "out"
    run(_small_scenario(), out, record=False, report=False)
    return out


def test_provenance_holds_what_a_reader_needs(first: Path) -> None:
    record = json.loads((first / "provenance.json").read_text())
    scenario = _small_scenario()
    # the embedded scenario (its fields as given) validates back to the scenario hashed, and its seed is the one the
    # Monte Carlo used
    again = scenario_from_dict(json.loads(record["scenario_json"]))
    assert scenario_sha256(again) == record["scenario_sha256"] == scenario_sha256(scenario)
    assert record["seed"] == 7 and record["monte_carlo_runs"] == 5
    assert json.loads((first / "summary.json").read_text())["operations"]["seed"] == 7
    # key package versions, read a second way (the package metadata); every installed distribution pinned
    for name in ("numpy", "scipy", "numba", "llvmlite", "heyoka", "skyfield", "highspy", "pyarrow"):
        version = importlib.metadata.version(name)
        assert record["libraries"][name] == version
        assert any(line.lower() == f"{name}=={version}".lower() for line in record["installed"]), name
    # the machine: CPUs and the numba threads and threading layer the parallel kernels ran with
    machine = record["machine"]
    assert machine["numba_num_threads"] == numba.get_num_threads()
    assert machine["numba_max_threads"] == MAX_THREADS
    assert machine["numba_threading_layer"] == numba.threading_layer()
    assert machine["cpus_usable"] >= 1
    # timing, and which stages were computed here (none from a checkpoint in a new folder)
    assert record["run"]["run_id"] == json.loads((first / "summary.json").read_text())["run_id"]
    assert record["run"]["elapsed_s"] > 0
    stages = record["run"]["stages"]
    assert {"sky", "site", "operations"} <= set(stages) and not any(s["from_checkpoint"] for s in stages.values())
    # the git commit of this checkout, read a second way (git itself), when the package is tracked by git
    if record["git"] is not None:
        head = subprocess.run(["git", "-C", str(PACKAGE), "rev-parse", "HEAD"], capture_output=True, text=True)
        assert record["git"]["commit"] == head.stdout.strip()
        assert record["git"]["dirty"] == bool(record["git"]["changed"])


def test_a_second_run_and_a_resumed_run_give_the_same_files(first: Path, tmp_path: Path) -> None:
    second = tmp_path / "second"
    run(_small_scenario(), second, record=False, report=False)
    assert _files(second) == _files(first) and len(_files(first)) > 5
    assert _summary(second) == _summary(first)
    # the same folder again: every stage read back from its checkpoint, the same files
    resumed = tmp_path / "resumed"
    shutil.copytree(first, resumed)
    # a user's own Parquet file in results/ is not a stage's: a rerun into the folder keeps it (session 19 review)
    mine = resumed / "results" / "my-notes.parquet"
    mine.write_bytes(b"PAR1 not a stage's")
    run(_small_scenario(), resumed, record=False, report=False)
    assert mine.read_bytes() == b"PAR1 not a stage's"
    mine.unlink()
    stages = json.loads((resumed / "provenance.json").read_text())["run"]["stages"]
    assert all(s["from_checkpoint"] for s in stages.values())
    assert _files(resumed) == _files(first) and _summary(resumed) == _summary(first)


def test_the_scenario_in_provenance_reruns_to_the_same_files(first: Path, tmp_path: Path) -> None:
    record = json.loads((first / "provenance.json").read_text())
    (tmp_path / "scenario.json").write_text(record["scenario_json"])  # JSON is YAML: a scenario file
    scenario = load_scenario(tmp_path / "scenario.json")
    assert scenario_sha256(scenario) == record["scenario_sha256"]
    run(scenario, tmp_path / "again", record=False, report=False)
    assert _files(tmp_path / "again") == _files(first) and _summary(tmp_path / "again") == _summary(first)


@pytest.mark.skipif(MAX_THREADS < 2, reason="needs 2 numba threads to compare with 1")
def test_one_numba_thread_gives_the_same_files(first: Path, tmp_path: Path) -> None:
    # the prange loops split independent work (runs, cells, lines): no reduction whose order follows the threads
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        run(_small_scenario(), tmp_path / "one", record=False, report=False)
    finally:
        numba.set_num_threads(before)
    assert json.loads((tmp_path / "one" / "provenance.json").read_text())["machine"]["numba_num_threads"] == 1
    assert _files(tmp_path / "one") == _files(first) and _summary(tmp_path / "one") == _summary(first)


def test_an_upgraded_numerical_library_redoes_the_stages(monkeypatch: pytest.MonkeyPatch) -> None:
    # a checkpoint is keyed by the code fingerprint: it covers the numerical libraries' versions (skyfield-data ships
    # DE421), so numpy 9.9 (a made-up upgrade) makes every stage key new
    import lunarops.runner.run as run_module

    before = run_module.code_fingerprint.__wrapped__()
    versions = run_module.library_versions()
    monkeypatch.setattr(run_module, "library_versions", lambda: {**versions, "numpy": "9.9"})
    assert run_module.code_fingerprint.__wrapped__() != before
