"""Read a scenario file: YAML -> validated, frozen Scenario, with every error located by file and line."""

from __future__ import annotations

import importlib.resources
import re
from collections.abc import Callable, Hashable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from lunarops.errors import InputError, ScenarioError, ScenarioIssue
from lunarops.scenario.model import Scenario

DEFAULT_SCENARIO = "ilrs-south-pole.yaml"
MAX_FILE_BYTES = 20_000_000
M = TypeVar("M", bound=BaseModel)


def default_scenario_path() -> Path:
    """The embedded default scenario (ILRS south-pole candidate region, 2030-2035)."""
    return Path(str(importlib.resources.files("lunarops") / "examples" / DEFAULT_SCENARIO))


def read_scenario_text(path: str | Path) -> str:
    """The text of a scenario-like YAML file; ScenarioError when it is missing, huge or not UTF-8."""
    file = Path(path)
    name = str(file)
    if file.is_dir():
        raise ScenarioError([ScenarioIssue(name, None, "<file>", name, "is a directory; give a scenario file")])
    if not file.is_file():
        raise ScenarioError([ScenarioIssue(name, None, "<file>", name, "no such file; check the path")])
    if file.stat().st_size > MAX_FILE_BYTES:
        size = file.stat().st_size
        raise ScenarioError([ScenarioIssue(name, None, "<file>", size, f"file larger than {MAX_FILE_BYTES} bytes")])
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        issue = ScenarioIssue(name, None, "<file>", name, f"cannot read it as UTF-8 text: {error}")
        raise ScenarioError([issue]) from None


def load_scenario(path: str | Path | None = None) -> Scenario:
    """Load and validate a scenario file (the embedded default when ``path`` is None)."""
    if path is not None and not isinstance(path, str | Path):
        raise InputError(
            f"path = {path!r} ({type(path).__name__}) must be a scenario file's path (str or Path), or None for "
            "the embedded default"
        )
    file = Path(path) if path is not None else default_scenario_path()
    return parse_scenario(read_scenario_text(file), str(file))


class ScenarioLoader(yaml.SafeLoader):
    """PyYAML's safe loader, stricter where it would guess: a key given twice in one mapping is an error (not the
    last one silently winning), and a timestamp-like scalar that is no real date (2030-13-01, 2021-02-30) stays
    text, so that the field's own check names it (PyYAML would raise a bare ValueError)."""

    def construct_document(self, node: yaml.Node) -> Any:
        _refuse_duplicate_keys(node, self.construct_object)  # as written, before merge keys (<<) are flattened
        return super().construct_document(node)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


def _refuse_duplicate_keys(root: yaml.Node, construct: Callable[[yaml.Node], Any]) -> None:
    """ConstructorError at the second of two equal keys in one mapping of the tree: equal as read (``construct``:
    true and yes, 1 and 0x1 are one key; 1 and '1' are two)."""
    stack, visited = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in visited:  # an alias: the same node again
            continue
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, tuple[int, str]] = {}
            for key_node, value_node in node.value:
                stack.append(value_node)
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                line = key_node.start_mark.line + 1
                key = construct(key_node)
                if not isinstance(key, Hashable):  # not a key Python can hold: PyYAML refuses it when it builds
                    continue
                if key in seen:
                    first_line, first_text = seen[key]
                    same = "" if first_text == key_node.value else f" ({first_text!r} and it both read as {key!r})"
                    raise yaml.constructor.ConstructorError(
                        None, None,
                        f"the key {key_node.value!r} is given twice in one mapping{same} (lines {first_line} and "
                        f"{line}); keep one",
                        key_node.start_mark,
                    )
                seen[key] = (line, key_node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


ScenarioLoader.add_constructor("tag:yaml.org,2002:timestamp", ScenarioLoader.construct_yaml_timestamp)


def parse_yaml_mapping(text: str, file: str = "<string>") -> tuple[yaml.Node | None, dict[str, Any]]:
    """The YAML node tree (for line numbers) and the data of a top-level mapping; ScenarioError otherwise."""
    try:
        node = yaml.compose(text, Loader=ScenarioLoader)
        data = yaml.load(text, Loader=ScenarioLoader)  # a SafeLoader: no Python objects
    except RecursionError:
        raise ScenarioError([ScenarioIssue(file, None, "<yaml>", None, "the YAML nests too deeply")]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        raise ScenarioError([ScenarioIssue(file, line, "<yaml>", None, f"not valid YAML: {problem}")]) from None
    if not isinstance(data, dict):
        issue = ScenarioIssue(
            file, 1, "<root>", type(data).__name__, "a scenario is a YAML mapping (key: value) at the top level"
        )
        raise ScenarioError([issue])
    return node, data


def validate_mapping(node: yaml.Node | None, data: dict[str, Any], file: str, model: type[M]) -> M:
    """Validate parsed YAML against a pydantic model; every error located by line and field path."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(validation_issues(error, data, file, node)) from None
    except RecursionError:
        raise ScenarioError([ScenarioIssue(file, None, "<root>", None, "the YAML nests too deeply")]) from None


def validation_issues(
    error: ValidationError, data: Any, file: str, node: yaml.Node | None = None
) -> list[ScenarioIssue]:
    """A pydantic error of a scenario as the author reads it: one issue per problem, at the field as written
    (union branches folded), with its line when the YAML ``node`` is known, the value and the fix."""
    issues = []
    for loc, item in _union_branches(error.errors(include_url=False), data):
        value = item.get("input")
        entry = _campaign_entry(loc, item, data)
        if entry is not None:
            loc, value = entry, {}  # the entry is a mapping: the message names what is wrong in it
        field = _operations_field(loc, item, data)
        if field is not None:
            loc, item = field
            value = _at(data, loc)
        issues.append(ScenarioIssue(file, _line_of(node, loc), _dotted(loc), _short(value), _message(item, loc)))
    return issues


# A cross-check of the operations section (OperationsSection._check) that names one item's field first, e.g.
# "operations.components.3.target: 'pmad' targets 'batery', ...": reported at that field (and its line)
# a list item's field (operations.loads.0.when) or a mapping's entry (operations.arrival_slips.ILRS-3)
_FIELD_FIRST = re.compile(r"^(operations(?:\.\w+)*\.\d+\.\w+|operations\.arrival_slips\.[^:]+): ")


def _operations_field(loc: tuple[Any, ...], item: Any, data: Any) -> tuple[tuple[Any, ...], Any] | None:
    """(the field's path, the error with the rest of the message) of such a cross-check; None for any other."""
    if item.get("type") != "value_error" or loc != ("operations",):
        return None
    message = str(item.get("msg", "")).removeprefix("Value error, ")
    match = _FIELD_FIRST.match(message)
    if match is None:
        return None
    _, _, key = match.group(1).partition(".arrival_slips.")
    if key:  # a mapping's key is text, dots included
        path: tuple[Any, ...] = ("operations", "arrival_slips", key)
    else:
        path = tuple(int(part) if part.isdigit() else part for part in match.group(1).split("."))
    if _at(data, path[:-1]) is None:
        return None  # not the data's own path (e.g. a changed copy's): the section, as before
    return path, {**item, "msg": message[match.end() :]}


def _at(data: Any, loc: tuple[Any, ...]) -> Any:
    """The YAML data at a field path (None where there is none)."""
    for part in loc:
        data = _child(data, part)
    return data


# Where a campaign section's cross-checks (CampaignSection._check -> Problem.check, messages of
# lunarops.scenario.campaign and lunarops.logistics.network) name an entry of a list or mapping: the pattern of the
# message (after "logistics: ") -> the list under the section and the entry's key that holds the name.
_CAMPAIGN_ENTRIES: tuple[tuple[re.Pattern[str], tuple[str, ...], str | None, str | None], ...] = (
    (re.compile(r"^(?:logistics\.)?missions\.(.+?)(?:\.(?:deliver|destination|crew|roadmap_mission|depart_day|"
                r"samples_kg|stay_days)\b| departs )"), ("logistics", "missions"), "name", None),
    (re.compile(r"^logistics\.fleet: spacecraft '(.+?)'"), ("logistics", "fleet"), "spacecraft", None),
    # a design's own field: its entry under campaign.spacecraft when the scenario gives one, else the fleet entry
    (re.compile(r"^(?:campaign\.)?spacecraft\.([^.\s]+)[.\s:]"), ("logistics", "fleet"), "spacecraft", "spacecraft"),
    (re.compile(r"^logistics\.launch_vehicles: '(.+?)'"), ("logistics", "launch_vehicles"), None, None),
    (re.compile(r"^launch_vehicles\.([^.\s]+)\."), ("logistics", "launch_vehicles"), None, "launch_vehicles"),
    (re.compile(r"^network\.holdover_nodes: '(.+?)'"), ("logistics", "holdover_nodes"), None, None),
    (re.compile(r"^(?:logistics|network)\.arcs: (?:launch )?(?:arc )?(\S+?->\S+?)[\s:]"), ("logistics", "arcs"),
     "from->to", None),
)


def _campaign_entry(loc: tuple[Any, ...], item: Any, data: Any) -> tuple[Any, ...] | None:
    """The path of the mission, fleet, spacecraft, launch-vehicle, holdover-node or arc entry that a campaign
    section's cross-check names (its line is the entry's, not the `campaign:` line's); None for any other error."""
    if item.get("type") != "value_error" or loc not in ((), ("campaign",)):
        return None
    section = _child(data, "campaign") if loc else data
    if not isinstance(section, dict) or not isinstance(section.get("logistics"), dict):
        return None
    message = str(item.get("msg", "")).removeprefix("Value error, ").removeprefix("logistics: ")
    if message.startswith("logistics.isru.arrives_with"):
        return (*loc, "logistics", "isru", "arrives_with")
    for pattern, where, key, override in _CAMPAIGN_ENTRIES:
        match = pattern.match(message)
        if match is None:
            continue
        name = match.group(1)
        overrides = _child(section, override) if override is not None else None
        if isinstance(overrides, dict) and name in overrides:
            return (*loc, override, name)
        entries = _child(_child(section, where[0]), where[1])
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            label: Any
            if key == "from->to" and isinstance(entry, dict):
                label = f"{entry.get('from')}->{entry.get('to')}"
            elif key is not None:
                label = entry.get(key) if isinstance(entry, dict) else None
            else:
                label = entry
            if str(label) == name:
                return (*loc, *where, i)
    return None


def parse_scenario(text: str, file: str = "<string>") -> Scenario:
    """Validate scenario YAML text; ScenarioError lists every problem with its line."""
    node, data = parse_yaml_mapping(text, file)
    scenario = validate_mapping(node, data, file, Scenario)
    # across sections: operations elements and the campaign's missions; components and the period's step
    problems = scenario.arrival_problems() + scenario.site_problems() + scenario.step_problems()
    if problems:
        raise ScenarioError([ScenarioIssue(file, _line_of(node, loc), _dotted(loc), value, message)
                             for loc, value, message in problems])
    return scenario


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files (for editors and the web UI)."""
    return Scenario.model_json_schema()


def _union_branches(errors: list[Any], data: Any = None) -> list[tuple[tuple[Any, ...], Any]]:
    """(field path, error) of pydantic's errors as a scenario's author reads them. A value that may be a number or
    a distribution (`float | {kind: ...}`) fails on both branches: given a mapping, only the distribution's
    errors are kept (not "<field>.float: Input should be a valid number"). The unions' internal path parts
    ("tagged-union[...]", and the tag a discriminated union chose, e.g. "ice_extraction" for an item whose
    `kind` it is) are left out of the field path, so that it names the field as written (and its line)."""
    located: list[tuple[tuple[Any, ...], Any, bool]] = []
    for item in errors:
        path: list[Any] = []
        parts = list(item["loc"])
        node = data
        in_distribution = False
        i = 0
        while i < len(parts):
            part = parts[i]
            if isinstance(part, str) and part.startswith("tagged-union["):
                in_distribution = True
                i += 2  # the union's name and the tag it chose
                continue
            if isinstance(node, dict) and part not in node and node.get("kind") == part:
                i += 1  # the tag of a discriminated union: the item's own `kind`
                continue
            if isinstance(part, str) and part.startswith(("literal[", "list[")):
                # a branch of `name | list[name]` (e.g. a load's `when`): the field as written
                single_to_list = part.startswith("list[") and item.get("type") == "list_type"
                list_to_single = part.startswith("literal[") and isinstance(item.get("input"), list)
                if single_to_list or list_to_single:
                    path = []  # the other branch's complaint (not a list / not a single value) says nothing
                    break
                i += 1
                continue
            path.append(part)
            node = _child(node, part)
            i += 1
        if path or not parts:
            located.append((tuple(path), item, in_distribution))
    distribution_fields = [loc for loc, _, via in located if via]
    kept: list[tuple[tuple[Any, ...], Any]] = []
    for loc, item, via in located:
        number_branch = not via and bool(loc) and loc[-1] == "float"
        if number_branch and any(field[: len(loc) - 1] == loc[:-1] for field in distribution_fields):
            if isinstance(item.get("input"), dict):
                continue  # a mapping given: the number branch's complaint says nothing
            item = {**item, "msg": f"{item['msg']}, or a distribution {{kind: normal | uniform | triangular, ...}}"}
            loc = loc[:-1]
        elif via and not isinstance(item.get("input"), dict) and item.get("type") == "model_attributes_type":
            continue  # a number given: the distribution branch's "valid dictionary" says nothing
        kept.append((loc, item))
    return kept


def _child(node: Any, part: Any) -> Any:
    """The YAML data under one path part (None where there is none)."""
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def _dotted(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "<root>"


def _short(value: Any) -> Any:
    if isinstance(value, date):  # as written in a scenario, not as a Python repr
        return value.isoformat()
    if isinstance(value, dict | list):
        return {} if isinstance(value, dict) else []  # a whole section: the message names the field, not its text
    text = repr(value)
    return value if len(text) <= 80 else text[:77] + "..."


_FIXES = {
    "extra_forbidden": "unknown field: remove it or check its spelling against `lunarops schema`",
    "missing": "required field: add it",
    "literal_error": "use one of the allowed values",
    "union_tag_invalid": "use one of the allowed kinds",
    "union_tag_not_found": "add the `kind` field",
    "finite_number": "give a finite number (no .nan or .inf)",
    "float_parsing": "give a number",
    "int_parsing": "give a whole number",
    "int_from_float": "give a whole number",
    "bool_parsing": "give true or false",
    "float_type": "give one number, not a list or a mapping",
    "int_type": "give one whole number, not a list or a mapping",
    "bool_type": "give true or false",
    "string_type": "give a text",
    "model_type": "give a mapping (key: value lines; `lunarops schema` lists its fields)",
    "model_attributes_type": "give a mapping (key: value lines; `lunarops schema` lists its fields)",
    "dict_type": "give a mapping (key: value lines)",
    "list_type": "give a list ([a, b], or one '- item' line each)",
    "date_parsing": "write a real date, YYYY-MM-DD (e.g. 2030-01-01)",
    "date_from_datetime_parsing": "write a real date, YYYY-MM-DD (e.g. 2030-01-01)",
    "datetime_parsing": "write a real ISO 8601 UTC time (e.g. 2030-01-01T00:00:00Z)",
    "datetime_from_date_parsing": "write a real ISO 8601 UTC time (e.g. 2030-01-01T00:00:00Z)",
}


# pydantic's range errors: the fix is the bound itself (its value is in the error's context)
_BOUNDS = {
    "greater_than_equal": ("ge", ">="),
    "greater_than": ("gt", ">"),
    "less_than_equal": ("le", "<="),
    "less_than": ("lt", "<"),
}


# an ISRU plant's schedule: not a load's `when`
_ISRU_WHEN = (
    "an ISRU plant has no `when`: it is scheduled by daylight_only (true, the default: by day only, day as "
    "operations.daylight_min_sun_fraction sets it; false: day and night) and shed_below_reserve (true, the default: "
    "paused while storage is below operations.policy.reserve_state_of_charge); remove `when` and set those"
)


def _message(item: Any, loc: tuple[Any, ...] = ()) -> str:
    if item["type"] == "extra_forbidden" and len(loc) == 4 and loc[:2] == ("operations", "isru") and loc[3] == "when":
        return f"{item['msg']}; {_ISRU_WHEN}"
    if item["type"] == "literal_error" and "when" in [str(part) for part in item.get("loc", ())]:
        from lunarops.scenario.operations import unknown_when  # a load's schedule: the nearest word, the limits

        return unknown_when(str(item.get("input")))
    if item["type"] == "string_pattern_mismatch" and loc and loc[-1] == "resonance":
        return "not a resonance p:q of positive whole numbers; write e.g. '9:2' (9 revolutions in 2 synodic months)"
    message = str(item["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    fix = _FIXES.get(str(item["type"]))
    bound = _BOUNDS.get(str(item["type"]))
    if bound is not None and bound[0] in (item.get("ctx") or {}):
        limit = item["ctx"][bound[0]]
        shown = f"{limit:g}" if isinstance(limit, int | float) else str(limit)
        fix = f"give a value {bound[1]} {shown}"
    if item["type"] == "too_short" and "min_length" in (item.get("ctx") or {}):
        fix = f"give at least {item['ctx']['min_length']}"
    if item["type"] == "extra_forbidden" and tuple(item["loc"]) == ("logistics",):
        fix = "a campaign file's top level: solve it with `lunarops campaign solve FILE`, or put it under `campaign:`"
    return f"{message}; {fix}" if fix else message


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the deepest YAML node along ``loc`` (pydantic's error location)."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((value for key, value in node.value if getattr(key, "value", None) == str(part)), None)
            key_node = next((key for key, _ in node.value if getattr(key, "value", None) == str(part)), None)
            if match is None:
                break
            line = (key_node.start_mark.line + 1) if key_node is not None else match.start_mark.line + 1
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            continue  # union tags and other pydantic-only path parts
    return line
