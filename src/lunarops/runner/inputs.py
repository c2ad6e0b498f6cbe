"""What each stage of the main job reads, the key of its result, and the view that holds a stage to it.

A stage's result depends only on the scenario fields it declares in ``STAGE_INPUTS``, on the results of the
earlier stages it declares, and on the package's code and data. Its key hashes exactly those, so a result is
reused by every run whose inputs to that stage are the same: a rerun after an edit of the operations section
computes only the operations stage again, and the members of a sweep over operations fields share the others.

Stages see the scenario through :func:`scenario_view`, which lets them read only what they declare (anything else
raises :class:`UndeclaredInput`), so a declaration cannot silently fall behind the code that reads the scenario.
"""

from __future__ import annotations

import glob
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lunarops.errors import InputError, LunarOpsError


@dataclass(frozen=True)
class StageInputs:
    """A stage's inputs: dotted scenario paths (``operations.life_support``) and earlier stages' names."""

    fields: tuple[str, ...]
    results: tuple[str, ...] = ()


#: The inputs of each stage of ``lunarops run``, in the order the stages run. The name and description of a
#: scenario are read by none: a renamed scenario reuses every stage.
STAGE_INPUTS: dict[str, StageInputs] = {
    "sky": StageInputs(("period", "sites", "sky", "terrain")),
    "site": StageInputs(("period", "sites", "sky", "terrain")),
    "orbits": StageInputs(("period", "sites", "orbits"), ("site",)),
    # the sites' names and latitudes: which site is the base, and whether it is polar (the ISRU note)
    "campaign": StageInputs(
        ("campaign", "sites.name", "sites.latitude_deg", "operations.life_support", "operations.site")
    ),
    "operations": StageInputs(
        ("seed", "period", "sites", "sky", "terrain", "orbits", "campaign", "operations"), ("site", "campaign")
    ),
}


class UndeclaredInput(LunarOpsError):
    """A stage read a scenario field or an earlier stage's result that its STAGE_INPUTS entry does not name (a
    bug in lunarops: its reused results could be stale)."""


def stage_keys(scenario: Any, fingerprint: str) -> dict[str, str]:
    """SHA-256 of each stage's inputs (the declared fields' values, the declared earlier stages' keys) and of
    ``fingerprint`` (the package's code and data), by stage name."""
    keys: dict[str, str] = {}
    for name, inputs in STAGE_INPUTS.items():
        digest = hashlib.sha256(f"{fingerprint}\0{name}".encode())
        for path in inputs.fields:
            value = json.dumps(_plain(_resolve(scenario, path)), sort_keys=True, default=str)  # inf as Infinity
            digest.update(f"\0{path}={value}".encode())
        if "terrain" in inputs.fields:  # a DEM file's contents, not only its name
            for file in dem_files(scenario):
                state = file.stat()
                digest.update(f"\0file={file}:{state.st_size}:{state.st_mtime_ns}".encode())
        for earlier in inputs.results:
            digest.update(f"\0{earlier}:{keys[earlier]}".encode())
        keys[name] = digest.hexdigest()
    return keys


def dem_files(scenario: Any) -> list[Path]:
    """The files of a DEM that the scenario gives as a path (terrain.dem), resolved: the file and those beside it
    with the same stem (a PDS3 label's image, an .npz's .json); none for the shipped DEMs or 'none'. InputError
    naming terrain.dem when the file is not there."""
    terrain = getattr(scenario, "terrain", None)
    dem = getattr(terrain, "dem", None)
    if dem is None or dem.lower() == "none" or dem in ("south", "north", "global"):
        return []
    path = Path(dem)
    if not path.is_file():
        raise InputError(
            f"terrain.dem = {dem!r} is not a file (relative paths are taken from the working directory "
            f"{Path.cwd()}); give the path of a GeoTIFF / PDS3 / .npz DEM, or 'south', 'north', 'global', 'none'"
        )
    siblings = (p for p in path.parent.glob(f"{glob.escape(path.stem)}.*") if p.is_file())
    return sorted({path.resolve(), *(p.resolve() for p in siblings)})


def scenario_view(scenario: Any, stage: str) -> Any:
    """``scenario`` as the stage ``stage`` may read it: its declared fields, nothing else."""
    return _View(scenario, _tree(STAGE_INPUTS[stage].fields), "", stage)


def results_view(results: Mapping[str, Any], stage: str) -> dict[str, Any]:
    """The earlier stages' results as ``stage`` may read them (``get`` and ``[]`` of others raise)."""
    return _Results(results, STAGE_INPUTS[stage].results, stage)


def _resolve(value: Any, path: str) -> Any:
    """The value at a dotted path; through a list, the list of its items' values (``sites.latitude_deg``)."""
    if value is None or not path:
        return value
    if isinstance(value, list):
        return [_resolve(item, path) for item in value]
    first, _, rest = path.partition(".")
    return _resolve(getattr(value, first), rest)


def _plain(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump()  # Python values: inf stays inf (JSON mode would make it null, as None)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _tree(paths: tuple[str, ...]) -> dict[str, Any]:
    """{"operations": {"life_support": None}, "period": None} from ("operations.life_support", "period")."""
    tree: dict[str, Any] = {}
    for path in paths:
        node = tree
        *parents, last = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = None
    return tree


def _undeclared(stage: str, what: str, declared: tuple[str, ...]) -> UndeclaredInput:
    return UndeclaredInput(
        f"the {stage} stage read {what}, which lunarops.runner.inputs.STAGE_INPUTS does not list for it "
        f"({', '.join(declared) or 'none'}): a bug in lunarops; please report it"
    )


class _View:
    """Attribute access to ``target`` limited to the names of ``allowed`` (a nested dict; None = all below; a list
    field with names below gives views of its items)."""

    __slots__ = ("_allowed", "_path", "_stage", "_target")

    def __init__(self, target: Any, allowed: dict[str, Any], path: str, stage: str) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_allowed", allowed)
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_stage", stage)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # copy and pickle probe for __deepcopy__, __setstate__...: not scenario fields
            raise AttributeError(name)
        if name not in self._allowed:
            raise _undeclared(self._stage, f"scenario.{self._path}{name}", STAGE_INPUTS[self._stage].fields)
        value = getattr(self._target, name)
        below = self._allowed[name]
        if below is None or value is None:
            return value
        if isinstance(value, list):  # a declared field of each item (sites.latitude_deg)
            return [_View(item, below, f"{self._path}{name}[].", self._stage) for item in value]
        return _View(value, below, f"{self._path}{name}.", self._stage)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a stage's scenario is read-only (the {self._stage} stage set {name})")

    def __reduce__(self) -> Any:
        raise TypeError(
            f"a stage's view of the scenario cannot be pickled (the {self._stage} stage tried to keep one in its "
            "result): keep plain values instead"
        )

    def __repr__(self) -> str:
        return f"<scenario{'.' + self._path.rstrip('.') if self._path else ''} as the {self._stage} stage sees it>"


class _Results(dict[str, Any]):
    """The earlier stages' results that a stage declares; reading any other raises UndeclaredInput."""

    def __init__(self, results: Mapping[str, Any], allowed: tuple[str, ...], stage: str) -> None:
        super().__init__({name: result for name, result in results.items() if name in allowed})
        self._allowed, self._stage = allowed, stage

    def _check(self, name: object) -> None:
        if name not in self._allowed:
            raise _undeclared(self._stage, f"the {name} stage's results", self._allowed)

    def get(self, name: str, default: Any = None) -> Any:
        self._check(name)
        return super().get(name, default)

    def __getitem__(self, name: str) -> Any:
        self._check(name)
        return super().__getitem__(name)

    def __contains__(self, name: object) -> bool:
        self._check(name)
        return super().__contains__(name)
