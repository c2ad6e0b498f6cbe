"""Bad input found by fuzzing the CLI (session 20): each case gives exit code 2 and a message naming the field,
the value and the fix, never a traceback, a silent default or a silent reinterpretation."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from lunarops.cli.main import app
from lunarops.scenario.load import ScenarioLoader, default_scenario_path

runner = CliRunner()
DEFAULT = default_scenario_path().read_text(encoding="utf-8")
#: the example's arrival slips (its operations section), the line the slip cases change
SLIPS = "  arrival_slips: {ILRS-3: {kind: triangular, low: 0, mode: 30, high: 180}}\n"


def _mutated(tmp_path: Path, old: str, new: str) -> Path:
    assert DEFAULT.count(old) >= 1, old  # the default scenario still has the text the case changes
    path = tmp_path / "bad.yaml"
    path.write_text(DEFAULT.replace(old, new, 1), encoding="utf-8")
    return path


def _refused(args: list[str], *expected: str) -> str:
    result = runner.invoke(app, args, env={"COLUMNS": "400"})
    text = " ".join(result.output.split())
    assert result.exit_code == 2, text
    assert isinstance(result.exception, SystemExit), result.exception  # no uncaught exception
    assert "Traceback" not in result.output
    for part in expected:
        assert part in text, (part, text)
    return text


def _validate(tmp_path: Path, old: str, new: str, *expected: str) -> str:
    return _refused(["validate", str(_mutated(tmp_path, old, new))], *expected)


# -- YAML: PyYAML raised a bare ValueError (a traceback) for a timestamp that is no real date


def test_impossible_month_names_the_field(tmp_path: Path) -> None:
    _validate(
        tmp_path, "start_utc: 2030-01-01T00:00:00Z", "start_utc: 2030-13-01T00:00:00Z",
        "period.start_utc", "'2030-13-01T00:00:00Z' is not an ISO 8601 time", "write e.g.",
    )


def test_impossible_day_in_a_roadmap_date(tmp_path: Path) -> None:
    _validate(
        tmp_path, "start: 2021-01-01, end: 2025-12-31", "start: 2021-02-30, end: 2025-12-31",
        "campaign.roadmap.phases.0.start", "2021-02-30", "write a real date, YYYY-MM-DD",
    )


@pytest.mark.parametrize("command", [["simulate"], ["campaign", "solve"], ["sites", "rank", "--scenario"]])
def test_impossible_date_in_other_commands(tmp_path: Path, command: list[str]) -> None:
    path = _mutated(tmp_path, "start_utc: 2030-01-01T00:00:00Z", "start_utc: 2030-13-01T00:00:00Z")
    _refused([*command, str(path)], "period.start_utc", "2030-13-01")


def test_sweep_value_with_an_impossible_date(tmp_path: Path) -> None:
    _refused(
        ["sweep", "--param", "period.start_utc=2030-13-01", "--out", str(tmp_path / "sweep"), "--quiet"],
        "period.start_utc", "'2030-13-01' is not an ISO 8601 time",
    )


# -- YAML: a key given twice silently kept the last value


def test_duplicate_key_is_refused(tmp_path: Path) -> None:
    _validate(tmp_path, "seed: 1\n", "seed: 1\nseed: 2\n", "the key 'seed' is given twice", "keep one")


def test_merge_keys_still_work() -> None:
    # `<<` merges a mapping (YAML 1.1): not a duplicate key
    data = yaml.load("a: &x {p: 1}\nb:\n  <<: *x\n  q: 2\n", Loader=ScenarioLoader)
    assert data == {"a": {"p": 1}, "b": {"p": 1, "q": 2}}


# -- a boolean where a number goes: pydantic read `true` as 1


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("seed: 1\n", "seed: true\n", "seed"),
        ("mast_height_m: 10\n", "mast_height_m: yes\n", "sites.0.mast_height_m"),
        ("copies: 2", "copies: true", "campaign.logistics.fleet.0.copies"),
        ("area_m2: 300", "area_m2: true", "operations.power.solar_arrays.0.area_m2"),
    ],
)
def test_boolean_for_a_number(tmp_path: Path, old: str, new: str, field: str) -> None:
    _validate(tmp_path, old, new, field, "true is a boolean, not a number; give a number")


# -- a bare number where a time goes: pydantic read 2030 as 2030 s after 1970-01-01


@pytest.mark.parametrize(
    ("old", "new", "field", "year"),
    [
        ("start_utc: 2030-01-01T00:00:00Z", "start_utc: 2030", "period.start_utc", 2030),
        ("epoch_utc: 2030-01-01T00:00:00Z", "epoch_utc: 2030", "campaign.epoch_utc", 2030),
        ("start: 2021-01-01, end: 2025-12-31", "start: 2021, end: 2025-12-31", "campaign.roadmap.phases.0.start", 2021),
        ("time_utc: 2032-01-01T00:00:00Z", "time_utc: 2032", "operations.resupply.0.time_utc", 2032),
    ],
)
def test_number_for_a_time(tmp_path: Path, old: str, new: str, field: str, year: int) -> None:
    _validate(tmp_path, old, new, field, f"{year} is a number, not a date or time", "e.g. 2030-01-01")


# -- orbits.transfers: a path the ledger cannot fly passed `validate` and stopped the run's orbits stage


def test_transfer_path_with_an_unknown_node(tmp_path: Path) -> None:
    _validate(
        tmp_path, "path: [LEO, TLI, NRHO, LLO, surface]", "path: [LEO, MARS]",
        "orbits.transfers", "unknown node 'MARS'", "choose one of LEO, TLI, NRHO, LLO, surface",
    )


def test_transfer_path_without_a_leg(tmp_path: Path) -> None:
    _validate(
        tmp_path, "path: [LEO, TLI, NRHO, LLO, surface]", "path: [LEO, surface]",
        "orbits.transfers", "no leg LEO -> surface", "LEO,TLI,NRHO,LLO,surface",
    )


def test_transfer_isp_too_low_for_the_path(tmp_path: Path) -> None:
    _validate(tmp_path, "isp_s: 450", "isp_s: 2", "orbits.transfers", "isp_s = 2.0 s", "300-460 s")
    # a scenario's error names its own field, not the `orbit ledger` command's option
    assert "--isp-s" not in _validate(tmp_path, "isp_s: 450", "isp_s: 2", "orbits.transfers")


# -- terrain.dem: a missing or unreadable DEM file passed `validate` (the run refused it)


def test_validate_missing_dem_file(tmp_path: Path) -> None:
    _validate(
        tmp_path, "dem: south ", "dem: no-such-dem.tif ",
        "terrain.dem = 'no-such-dem.tif' is not a file", "'south', 'north', 'global', 'none'",
    )


def test_validate_dem_of_unknown_kind(tmp_path: Path) -> None:
    other = tmp_path / "heights.yaml"
    other.write_text("a: 1\n", encoding="utf-8")
    _validate(
        tmp_path, "dem: south ", f"dem: {other} ",
        f"terrain.dem = '{other}' has an unknown extension '.yaml'", ".tif/.tiff", ".npz",
    )


# -- an NRHO resonance that is no p:q: the message was pydantic's regular expression


@pytest.mark.parametrize("value", ["9:0", "banana"])
def test_resonance_message_gives_the_format(tmp_path: Path, value: str) -> None:
    text = _validate(
        tmp_path, 'resonance: "9:2"', f'resonance: "{value}"',
        "orbits.orbiters.0.resonance", f"(got '{value}')", "write e.g. '9:2'",
    )
    assert "String should match pattern" not in text


# -- a scalar where a mapping or a list goes, an empty list: pydantic's message had no fix


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("period:\n  start_utc: 2030-01-01T00:00:00Z\n  end_utc: 2035-01-01T00:00:00Z\n  step_hours: 1\n",
         "period: 5\n", ("period", "give a mapping", "(got 5)")),
        ("path: [LEO, TLI, NRHO, LLO, surface]", "path: LEO",
         ("orbits.transfers.path", "give a list", "(got 'LEO')")),
    ],
)
def test_scalar_for_a_section_or_a_list(tmp_path: Path, old: str, new: str, expected: tuple[str, ...]) -> None:
    _validate(tmp_path, old, new, *expected)


def test_empty_site_list(tmp_path: Path) -> None:
    start = DEFAULT.index("sites:\n")
    end = DEFAULT.index("\nsky:")
    _validate(tmp_path, DEFAULT[start:end], "sites: []", "sites:", "at least 1 item", "give at least 1")


def test_merge_key_of_a_mapping_that_overrides_its_own_merge_is_no_duplicate() -> None:
    # review case: `mid` merges `base` and overrides x; `use` merges `mid` (PyYAML flattens `mid` in place when it
    # builds it, so a check made while building saw x twice in `use`). The data is PyYAML's own reading.
    text = "defs: {base: &b {x: 1}, mid: &m {<<: *b, x: 2}}\nuse: {<<: *m}\n"
    assert yaml.load(text, Loader=ScenarioLoader) == yaml.safe_load(text)


def test_duplicate_key_in_a_nested_list_item_is_refused() -> None:
    with pytest.raises(yaml.YAMLError, match="the key 'p' is given twice"):
        yaml.load("a: {x: 1, y: [{p: 1, p: 2}]}\n", Loader=ScenarioLoader)


def test_equal_text_of_different_kinds_is_no_duplicate() -> None:
    # 1 (an int) and '1' (a text) are two keys in YAML
    assert yaml.load("1: a\n'1': b\n", Loader=ScenarioLoader) == {1: "a", "1": "b"}


def test_boolean_inside_a_mapping_of_numbers(tmp_path: Path) -> None:
    # operations.arrival_slips maps a mission to its slip in days: true was read as a 1-day slip
    _validate(
        tmp_path, SLIPS, "  arrival_slips: {ILRS-3: true}\n",
        "operations.arrival_slips.ILRS-3", "true is a boolean, not a number",
    )


def test_number_for_a_boolean(tmp_path: Path) -> None:
    # pydantic read 1 as true
    _validate(
        tmp_path, "tof_days: 0.1, launch: true}", "tof_days: 0.1, launch: 1}",
        "launch", "1 is a number, not true or false; give true or false",
    )


def test_unknown_arrival_slip_key_is_located_at_its_line(tmp_path: Path) -> None:
    # the cross-check's message was located at `operations:` (its section's line), its path said twice
    line = DEFAULT[: DEFAULT.index(SLIPS)].count("\n") + 1  # the changed key's line
    text = _validate(
        tmp_path, SLIPS, "  arrival_slips: {ILRS-9: 5}\n",
        f"bad.yaml:{line}: operations.arrival_slips.ILRS-9: 'ILRS-9' is neither a mission",
    )
    assert "operations: operations." not in text


def test_yaml_syntax_errors_show_no_value(tmp_path: Path) -> None:
    # a file that is no YAML has no value to show: no "(got None)" after the message
    text = _validate(tmp_path, "seed: 1\n", "seed: 1\nseed: 2\n", "given twice in one mapping", "keep one")
    assert "(got None)" not in text


def test_keys_equal_as_read_are_duplicates() -> None:
    # YAML 1.1 reads true and yes as the same boolean key: the second silently replaced the first
    with pytest.raises(yaml.YAMLError, match=r"'true' and it both read as True"):
        yaml.load("a: {true: x, yes: y}\n", Loader=ScenarioLoader)


def test_a_file_nested_too_deeply_is_named(tmp_path: Path) -> None:
    # PyYAML's composer recursed past Python's limit: a traceback
    path = tmp_path / "deep.yaml"
    path.write_text("seed: " + "[" * 3000 + "]" * 3000 + "\n", encoding="utf-8")
    _refused(["validate", str(path)], "the YAML nests too deeply")
