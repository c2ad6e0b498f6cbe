"""Sweeps stopped by Ctrl-C / SIGTERM (finished members kept, workers ended), --param input errors, inf values,
catalog messages and times (user study, session 13)."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from lunarops.cli.main import app
from lunarops.errors import InputError, StoreError
from lunarops.runner.executors import make_executor
from lunarops.runner.sweep import SweepInterrupted, expand, parse_parameter, parse_parameters, run_sweep
from lunarops.scenario import Scenario
from lunarops.scenario.load import parse_scenario
from lunarops.store import Catalog

# the tiny base scenario of tests/runner/test_sweep.py
BASE = """\
name: sweep base
period: {start_utc: 2030-01-01, end_utc: 2030-01-03, step_hours: 6}
sites: [{name: pole, latitude_deg: -89.5, longitude_deg: 0}]
"""
SLOW_S = 60.0  # a member that would take this long must be ended, not waited for


def _members(n: int) -> Any:
    return expand(parse_scenario(BASE), {"sites.0.mast_height_m": list(range(n))})


def _fast_then_slow(scenario: Scenario, out_dir: str) -> dict[str, Any]:
    """Members 0 and 1 finish at once (with an infinite output); the others run for SLOW_S, after leaving a file
    "slow-started" in their folder (a worker has then finished the fast member it took before)."""
    height = scenario.sites[0].mast_height_m
    if height >= 2:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        (Path(out_dir) / "slow-started").touch()
        time.sleep(SLOW_S)
    return {"test": {"height": height, "reserve_days": math.inf}}


def test_ctrl_c_stops_queued_members_and_keeps_finished_ones(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.sqlite'}"
    members = _members(6)
    calls: list[float] = []
    interrupted_at: list[float] = []

    def progress(fraction: float, message: str) -> None:
        calls.append(fraction)
        if len(calls) == 1:  # Ctrl-C while member 0 is recorded; member 1 finishes meanwhile
            # both workers on a slow member: the fast ones are finished (waited for, not a fixed sleep: on a
            # loaded machine a worker can take seconds to start)
            deadline = time.monotonic() + SLOW_S
            while len(list((tmp_path / "s" / "members").glob("*/slow-started"))) < 2:
                assert time.monotonic() < deadline, "the two slow members did not start"
                time.sleep(0.1)
            time.sleep(1.0)  # member 1's result, sent before its worker took a slow member, reaches the parent
            interrupted_at.append(time.perf_counter())
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1.0)

    # Ctrl-C as in a terminal: a shell starts background jobs with SIGINT ignored, and Python then keeps it so
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(SweepInterrupted) as stopped:
            run_sweep(
                members,
                tmp_path / "s",
                lambda: make_executor(None, 2),
                member_function=_fast_then_slow,
                progress=progress,
                db_url=url,
            )
    finally:
        signal.signal(signal.SIGINT, previous)
    assert time.perf_counter() - interrupted_at[0] < SLOW_S / 2  # queued members cancelled, running ones ended
    assert (stopped.value.done, stopped.value.total, stopped.value.exit_code) == (2, 6, 130)  # 130 = 128 + SIGINT
    assert str(stopped.value) == "interrupted: 2 of 6 members done; rerun the same command to resume"
    written = sorted(p.parent.name for p in (tmp_path / "s" / "members").glob("*/member.json"))
    assert written == ["00000", "00001"]  # member 1 finished after Ctrl-C: kept too
    with Catalog(url) as catalog:
        assert len(catalog.list()) == 2
    # inf: null in member.json but named under non_finite, a float again when the sweep resumes
    member_json = json.loads((tmp_path / "s" / "members" / "00001" / "member.json").read_text())
    assert member_json["summary"]["test"]["reserve_days"] is None
    assert member_json["non_finite"] == {"test": {"reserve_days": "inf"}}
    table = run_sweep(members[:2], tmp_path / "s", lambda: make_executor(None, 1), member_function=_fast_then_slow)
    assert table["test.reserve_days"].tolist() == [math.inf, math.inf]


def test_infinite_outputs_stay_inf_in_parquet_and_are_named_in_json(tmp_path: Path) -> None:
    from lunarops.runner.sweep import infinite_cells, write_sweep_table
    from lunarops.store import read_frame

    url = f"sqlite:///{tmp_path / 'c.sqlite'}"
    table = run_sweep(
        _members(2), tmp_path / "s", lambda: make_executor(None, 1), member_function=_fast_then_slow, db_url=url
    )
    path = write_sweep_table(table, tmp_path / "s" / "sweep.parquet")
    assert read_frame(path)["test.reserve_days"].tolist() == [math.inf, math.inf]
    assert infinite_cells(table)[0] == {"member": 0, "column": "test.reserve_days", "value": "inf"}
    with Catalog(url) as catalog:
        record = catalog.get(catalog.list()[0].run_id)
    assert record.summary["test"]["reserve_days"] == math.inf
    assert record.summary["sweep_member"]["non_finite"] == {"test": {"reserve_days": "inf"}}
    # catalog times are explicit UTC (had been naive from SQLite)
    assert record.started_utc.utcoffset() is not None and record.finished_utc is not None
    assert record.finished_utc.isoformat().endswith("+00:00")


WORKER_SCRIPT = """\
import os, sys, time
from pathlib import Path
from lunarops.runner.executors import make_executor
from lunarops.runner.sweep import SweepInterrupted, expand, run_sweep
from lunarops.scenario.load import parse_scenario
from sweep_slow_member import slow

if __name__ == "__main__":  # spawned workers import this file too
    members = expand(parse_scenario({base!r}), {{"sites.0.mast_height_m": [0, 1, 2, 3]}})
    try:
        run_sweep(members, Path(sys.argv[1]), lambda: make_executor(None, 2), member_function=slow, record=False)
    except SweepInterrupted as stop:
        print(stop, flush=True)
        sys.exit(stop.exit_code)
"""
SLOW_MEMBER = """\
import os, time
from pathlib import Path

def slow(scenario, out_dir):
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    (Path(out_dir).parent / f"pid-{os.getpid()}").write_text("")
    time.sleep(120)
    return {}
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])
def test_workers_die_with_the_sweep(tmp_path: Path, signum: int) -> None:
    (tmp_path / "sweep_slow_member.py").write_text(SLOW_MEMBER)
    (tmp_path / "script.py").write_text(WORKER_SCRIPT.format(base=BASE))
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, str(tmp_path / "script.py"), str(tmp_path / "s")], env=env, stdout=subprocess.PIPE, text=True
    )
    members_dir = tmp_path / "s" / "members"
    deadline = time.monotonic() + 40
    while len(list(members_dir.glob("pid-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    pids = [int(p.name[4:]) for p in members_dir.glob("pid-*")]
    assert len(pids) == 2, "the two workers did not start"
    process.send_signal(signum)
    out, _ = process.communicate(timeout=20)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    orphans = [pid for pid in pids if _alive(pid)]
    for pid in orphans:  # do not leave them behind when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not orphans, f"orphaned workers after signal {signum}"
    if signum == signal.SIGTERM:
        assert process.returncode == 143, out  # 128 + SIGTERM
        assert "interrupted: 0 of 4 members done" in out


def test_cli_interrupted_message_and_exit_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import lunarops.runner.sweep as sweep_module

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise SweepInterrupted(3, 8, int(signal.SIGINT))

    monkeypatch.setattr(sweep_module, "run_sweep", interrupted)
    (tmp_path / "base.yaml").write_text(BASE)
    args = ["sweep", str(tmp_path / "base.yaml"), "--param", "sites.0.mast_height_m=0,5", "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 130, result.output
    assert "interrupted: 3 of 8 members done; rerun the same command to resume" in result.output
    assert "Traceback" not in result.output


def test_repeated_param_path_is_refused() -> None:
    with pytest.raises(InputError, match=r"--param seed is given twice .*--param 'seed=1,2,3'"):
        parse_parameters(["seed=1,2", "seed=3"])
    assert parse_parameters(["seed=1,2", "sites.0.mast_height_m=5"]) == {"seed": [1, 2], "sites.0.mast_height_m": [5]}


@pytest.mark.parametrize("text,value", [("sites.0.mast_height_m=[5,10", "'[5,10'"), ("seed=@x", "'@x'")])
def test_param_value_that_is_not_yaml(tmp_path: Path, text: str, value: str) -> None:
    with pytest.raises(InputError, match="not a valid YAML value") as error:
        parse_parameter(text)
    message = str(error.value)
    assert repr(text) in message and value in message and "split on ','" in message and "in brackets" in message
    (tmp_path / "base.yaml").write_text(BASE)
    result = CliRunner().invoke(app, ["sweep", str(tmp_path / "base.yaml"), "--param", text, "--out", str(tmp_path)])
    assert result.exit_code == 2 and "Traceback" not in result.output and "not a valid YAML value" in result.output
    with pytest.raises(InputError, match="is a list; a value may be a list of plain values"):
        parse_parameter("x=[{a: 1}]")


def test_list_values_split_outside_brackets() -> None:
    # a load's `when` may be a list: [night,earth_hidden] is one value, night another
    assert parse_parameter("operations.loads.7.when=[night,earth_hidden],night,'a,b'") == (
        "operations.loads.7.when",
        [["night", "earth_hidden"], "night", "a,b"],
    )


def test_a_bad_member_is_named_as_validate_would() -> None:
    from lunarops.errors import ScenarioError
    from lunarops.runner.sweep import expand
    from lunarops.scenario import default_scenario_path, load_scenario

    base = load_scenario(default_scenario_path())
    members = expand(base, {"operations.loads.7.when": [["night", "earth_hidden"], "night"]})  # the example sweeps
    assert [m.scenario.operations.loads[7].when for m in members] == [["night", "earth_hidden"], "night"]
    with pytest.raises(ScenarioError) as caught:
        expand(base, {"operations.loads.7.when": ["bogus"]})
    [issue] = caught.value.issues  # one problem, at the field (not the union's branches)
    assert issue.path == "operations.loads.7.when" and issue.file == "<sweep member 0: operations.loads.7.when=bogus>"
    assert "'bogus' is not a schedule word; use one of always, day, night" in issue.message


def test_param_exponent_values_are_numbers() -> None:
    # PyYAML (YAML 1.1) reads 1e3 as the text '1e3'; YAML 1.2 and users read 1000.0
    assert parse_parameter("operations.storage.battery.capacity_kwh=1e3,2.5e3,-1E-3,'1e3',7") == (
        "operations.storage.battery.capacity_kwh",
        [1000.0, 2500.0, -0.001, "1e3", 7],
    )


def test_catalog_open_error_says_why_without_link(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError) as error:
        Catalog("sqlite:///missing/dir/c.sqlite")
    message = str(error.value)
    assert "sqlalche.me" not in message and "Background on this error" not in message
    assert "relative to the working directory" in message and "four give an absolute path" in message
    assert f"'{tmp_path / 'missing' / 'dir'}' does not exist" in message


def test_cli_catalog_hint_names_the_db(tmp_path: Path) -> None:
    from lunarops.cli.main import _catalog_hint

    db = f"sqlite:///{tmp_path / 'my runs.sqlite'}"
    assert _catalog_hint(db).endswith(f"lunarops runs list --db '{db}'")
    assert _catalog_hint(None).endswith("lunarops runs list")
    assert "gone" in _catalog_hint("sqlite://") and "gone" in _catalog_hint("sqlite:///:memory:")


def test_narrow_table_says_where_all_members_are() -> None:
    from lunarops.cli.main import _print_sweep_view
    from lunarops.runner.sweep import sweep_view

    rows = [
        {"member": i, "p": i, **{f"operations.a_long_output_name_{k}": 1000.5 * i + k for k in range(3)}}
        for i in range(40)
    ]
    view = sweep_view(pd.DataFrame(rows), ["p"], width=80)
    assert view.members_shown < 40
    import io

    from rich.console import Console

    import lunarops.cli.main as cli_main

    out = io.StringIO()
    saved = cli_main.console
    cli_main.console = Console(file=out, width=80, emoji=False, color_system=None)
    try:
        _print_sweep_view(view, 5, Path("/tmp/sweep/sweep.parquet"))
    finally:
        cli_main.console = saved
    text = out.getvalue()
    assert "of 40 shown" in text and "all members: /tmp/sweep/sweep.parquet" in text.replace("\n", "")


def test_apostrophes_and_mixed_columns(tmp_path: Path) -> None:
    # a quote opens a quoted value only at its start: "Bob's" is text and the comma after it splits (review of
    # session 15); a column of lists and plain values, or of numbers and text, is written as text
    from lunarops.runner.sweep import _row_values, write_sweep_table
    from lunarops.store.parquet import read_frame

    assert parse_parameter("name=Bob's,Alice") == ("name", ["Bob's", "Alice"])
    rows = [_row_values({"when": ["night", "earth_hidden"], "x": 1}), _row_values({"when": "night", "x": "abc"})]
    table = pd.DataFrame([{"member": i, **row} for i, row in enumerate(rows)])
    frame = read_frame(write_sweep_table(table, tmp_path / "sweep.parquet"))
    assert list(frame["when"]) == ["[night, earth_hidden]", "night"]
    assert list(frame["x"]) == ["1", "abc"]
