"""A partner-institution admin's findings (session 18): admin and '*' warnings, Cache-Control, the Bearer challenge,
interrupted runs in the catalog, the page of a running run, removing users and rotating tokens (and the server
re-reading the access file), and the deployment notes in docs/web.md."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

pytest.importorskip("fastapi", reason="the web extra (fastapi) is not installed")
pytest.importorskip("httpx", reason="the web extra (httpx) is not installed")

from fastapi.testclient import TestClient

from lunarops.cli.main import app as cli
from lunarops.errors import InputError
from lunarops.store import Catalog
from lunarops.web import add_user, create_app, load_access, remove_user, rotate_token
from lunarops.web.app import _still_running

ILRS = "ILRS south-pole candidate region"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "web.md"
REPO = Path(__file__).resolve().parents[2]


def _cli(*args: str) -> object:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def site(tmp_path: Path) -> dict:  # type: ignore[type-arg]
    url = f"sqlite:///{tmp_path / 'catalog.sqlite'}"
    with Catalog(url) as catalog:
        out = tmp_path / "run-a"
        (out / "results").mkdir(parents=True)
        (out / "report.html").write_text("<html>report of run-a</html>")
        (out / "summary.json").write_text(json.dumps({"run_id": "run-a"}))
        pd.DataFrame({"x": [1.0]}).to_parquet(out / "results" / "sky-sky.parquet")
        catalog.start("run-a", ILRS, "0" * 64, str(out), "name: x")
        catalog.finish("run-a", "done", 1.5, {"sky": {"n": 1}})
        catalog.start("run-r", ILRS, "0" * 64, str(tmp_path / "run-r"), "name: x",
                      started_utc=datetime.now(UTC) - timedelta(minutes=12))
    access = tmp_path / "access.yaml"
    tokens = {
        "ana": add_user(access, "ana", "partner-university", "member", ["ILRS*"]),
        "bo": add_user(access, "bo", "partner-university", "member"),
    }
    client = TestClient(create_app(url, load_access(access), access_path=access))
    return {"client": client, "tokens": tokens, "access": access, "url": url}


def _get(site: dict, path: str, token: str | None = None, **headers: str) -> object:  # type: ignore[type-arg]
    if token is not None:
        headers = {"Authorization": f"Bearer {token}", **headers}
    return site["client"].get(path, headers=headers, follow_redirects=False)


# 1. admin and '*' warnings


def test_add_user_warns_that_an_admin_and_a_star_pattern_see_every_run(tmp_path: Path) -> None:
    access = tmp_path / "access.yaml"
    admin = _cli("access", "add-user", "li", "--organization", "partner", "--role", "admin", "--access", str(access))
    assert admin.exit_code == 0, admin.output  # type: ignore[attr-defined]
    assert "warning: li is an admin: admins see EVERY organization's runs" in admin.output  # type: ignore[attr-defined]
    member = _cli("access", "add-user", "ana", "--organization", "partner", "--access", str(access))
    assert "EVERY" not in member.output  # type: ignore[attr-defined]
    star = _cli("access", "add-user", "bo", "--organization", "uni", "--scenario", "*", "--access", str(access),
                "--json")
    assert star.exit_code == 0, star.output  # type: ignore[attr-defined]
    assert "'*' matches every scenario: organization uni" in star.output  # type: ignore[attr-defined]
    assert "now sees EVERY run" in star.output  # type: ignore[attr-defined]
    assert "cross-organization" in DOCS.read_text()


# 2. Cache-Control (RFC 9111 sec. 5.2.2.3 no-store, 5.2.2.7 private) on everything that needs a login


def test_every_authenticated_response_and_its_errors_are_private_no_store(site: dict) -> None:  # type: ignore[type-arg]
    ana = site["tokens"]["ana"]
    answers = {
        "page": _get(site, "/", ana), "run page": _get(site, "/runs/run-a", ana),
        "compare": _get(site, "/compare?run=run-a&run=run-r", ana),
        "api": _get(site, "/api/runs", ana), "api run": _get(site, "/api/runs/run-a", ana),
        "results": _get(site, "/api/runs/run-a/results", ana),
        "file": _get(site, "/api/runs/run-a/results/sky-sky.parquet", ana),
        "report": _get(site, "/runs/run-a/report", ana),
        "401": _get(site, "/api/runs"), "401 page": _get(site, "/"),
        "404": _get(site, "/api/runs/nope", ana), "404 page": _get(site, "/runs/nope", ana),
        "404 file": _get(site, "/api/runs/run-a/results/nope.parquet", ana),
    }
    statuses = {k: r.status_code for k, r in answers.items()}  # type: ignore[attr-defined]
    assert statuses["file"] == 200 and statuses["report"] == 200 and statuses["404"] == 404, statuses
    assert statuses["401"] == 401 and statuses["401 page"] == 303, statuses
    for what, response in answers.items():
        assert response.headers.get("cache-control") == "private, no-store", what  # type: ignore[attr-defined]


# 3. RFC 6750 sec. 3: a 401 carries "WWW-Authenticate: Bearer"; another scheme is told what is expected


def test_401_has_a_bearer_challenge_and_another_scheme_is_named(site: dict) -> None:  # type: ignore[type-arg]
    none = _get(site, "/api/runs")
    assert none.status_code == 401  # type: ignore[attr-defined]
    # sec. 3.1: no error code when the request had no credentials
    assert none.headers["www-authenticate"] == 'Bearer realm="lunarops"'  # type: ignore[attr-defined]
    for header in ("Basic YW5hOnNlY3JldA==", site["tokens"]["ana"], "Bearer"):
        answer = _get(site, "/api/runs", Authorization=header)
        assert answer.status_code == 401, header  # type: ignore[attr-defined]
        assert answer.json()["error"] == "Authorization must be 'Bearer TOKEN'", header  # type: ignore[attr-defined]
        challenge = answer.headers["www-authenticate"]  # type: ignore[attr-defined]
        assert challenge.startswith('Bearer realm="lunarops"') and 'error="invalid_request"' in challenge
    wrong = _get(site, "/api/runs", "not-a-token")
    assert 'error="invalid_token"' in wrong.headers["www-authenticate"]  # type: ignore[attr-defined]
    # the scheme is case-insensitive (RFC 9110 sec. 11.1)
    assert _get(site, "/api/runs", Authorization=f"bearer {site['tokens']['ana']}").status_code == 200  # type: ignore[attr-defined]
    # a reverse proxy's Basic login next to the dashboard's cookie: the cookie still logs in
    site["client"].cookies.set("lunarops_token", site["tokens"]["ana"])
    assert _get(site, "/api/runs", Authorization="Basic YW5hOnNlY3JldA==").status_code == 200  # type: ignore[attr-defined]


# 5. the page of a running run


def test_a_running_run_says_it_is_running_not_that_its_output_is_gone(site: dict) -> None:  # type: ignore[type-arg]
    page = _get(site, "/runs/run-r", site["tokens"]["ana"])
    assert page.status_code == 200  # type: ignore[attr-defined]
    text = page.text  # type: ignore[attr-defined]
    assert "Still running: started" in text and "running for 12 min" in text and "reload this page" in text
    assert "no longer holds it" not in text and "run again" not in text
    record = Catalog(site["url"]).get("run-r")
    later = record.started_utc + timedelta(days=3)
    assert "may have been killed" in _still_running(record, later)
    assert "may have been killed" not in _still_running(record, record.started_utc + timedelta(hours=1))


# 6. remove-user and rotate-token; the server re-reads the access file


def test_remove_user_and_rotate_token_take_effect_without_a_restart(site: dict) -> None:  # type: ignore[type-arg]
    access, ana, bo = site["access"], site["tokens"]["ana"], site["tokens"]["bo"]
    access.write_text(access.read_text() + "# kept comment\n")
    assert _get(site, "/api/runs", ana).status_code == 200  # type: ignore[attr-defined]
    rotated = _cli("access", "rotate-token", "ana", "--access", str(access), "--json")
    assert rotated.exit_code == 0, rotated.output  # type: ignore[attr-defined]
    new = json.loads(rotated.output[rotated.output.index("{"):])["token"]  # type: ignore[attr-defined]
    assert new != ana and "# kept comment" in access.read_text() and new not in access.read_text()
    assert "re-reads the access file" in rotated.output  # type: ignore[attr-defined]
    assert _get(site, "/api/runs", ana).status_code == 401  # type: ignore[attr-defined]
    assert _get(site, "/api/runs", new).status_code == 200  # type: ignore[attr-defined]
    removed = _cli("access", "remove-user", "bo", "--access", str(access))
    assert removed.exit_code == 0, removed.output  # type: ignore[attr-defined]
    assert "user bo (partner-university, member) removed" in removed.output  # type: ignore[attr-defined]
    assert _get(site, "/api/runs", bo).status_code == 401  # type: ignore[attr-defined]
    assert [u.name for u in load_access(access).users] == ["ana"]
    unknown = _cli("access", "remove-user", "Ana", "--access", str(access))
    assert unknown.exit_code == 2  # type: ignore[attr-defined]
    assert "no user 'Ana'" in unknown.output and "did you mean 'ana'" in unknown.output  # type: ignore[attr-defined]
    assert "its users: ana" in unknown.output  # type: ignore[attr-defined]
    with pytest.raises(InputError, match=r"no user 'carl'.*its users: ana"):
        rotate_token(access, "carl")
    remove_user(access, "ana")
    with pytest.raises(InputError, match="it has no users"):
        remove_user(access, "ana")


def test_an_invalid_access_file_locks_everyone_out_until_fixed(site: dict) -> None:  # type: ignore[type-arg]
    access, ana = site["access"], site["tokens"]["ana"]
    good = access.read_text()
    access.write_text(good + "users: [oops\n")
    answer = _get(site, "/api/runs", ana)
    assert answer.status_code == 503, answer.text  # type: ignore[attr-defined]
    assert "access file" in answer.json()["error"]  # type: ignore[attr-defined]
    access.write_text(good + "\n")  # another size: seen as a change
    assert _get(site, "/api/runs", ana).status_code == 200  # type: ignore[attr-defined]


# 7. docs


def test_docs_tell_the_deployment_facts() -> None:
    text = DOCS.read_text()
    for needed in ("pip install -e '.[web]'", "absolute path", "do not expire", "/logout", "remove-user",
                   "rotate-token", "--secure-cookies", "reverse proxy", "TLS"):
        assert needed in text, needed


# 4. interrupted runs (src/lunarops/runner/run.py)

_SLOW_RUN = textwrap.dedent("""
    import sys, time
    from lunarops.runner import run as run_module
    from lunarops.scenario import default_scenario_path, load_scenario

    def slow(ctx):
        print("ready", flush=True)
        time.sleep(60)

    run_module.STAGES = (("sky", slow),)
    run_module.run(load_scenario(default_scenario_path()), sys.argv[1], db_url=sys.argv[2], report=False)
""")


def test_a_run_killed_by_sigterm_is_recorded_as_interrupted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'catalog.sqlite'}"
    env = {**os.environ, "LUNAROPS_HOME": str(tmp_path / "home")}
    child = subprocess.Popen([sys.executable, "-c", _SLOW_RUN, str(tmp_path / "out"), url], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, cwd=REPO, env=env)
    try:
        assert child.stdout is not None
        line = child.stdout.readline()  # the stage has started
        assert line.strip() == "ready", child.stderr.read() if child.stderr else line
        child.send_signal(signal.SIGTERM)
        child.communicate(timeout=20)  # waits, and closes the pipes
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == -signal.SIGTERM  # ended as SIGTERM ends a process, as before
    (record,) = Catalog(url).list()
    assert (record.status, record.error) == ("failed", "interrupted (SIGTERM)")


def test_ctrl_c_is_recorded_as_interrupted_and_the_sigterm_handler_restored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lunarops.runner import run as run_module
    from lunarops.scenario import default_scenario_path, load_scenario

    seen = []

    def interrupted(ctx: object) -> None:
        seen.append(signal.getsignal(signal.SIGTERM))
        raise KeyboardInterrupt

    before = signal.getsignal(signal.SIGTERM)
    monkeypatch.setattr(run_module, "STAGES", (("sky", interrupted),))
    url = f"sqlite:///{tmp_path / 'catalog.sqlite'}"
    scenario = load_scenario(default_scenario_path())
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):  # propagates as before: click turns it into "Aborted!", exit 1
        run_module.run(scenario, tmp_path / "out", db_url=url, report=False)
    assert time.monotonic() - started < 30
    (record,) = Catalog(url).list()
    assert (record.status, record.error) == ("failed", "interrupted (Ctrl-C)")
    if before == signal.SIG_DFL:  # the handler is installed only over the default action
        assert seen and seen[0] not in (signal.SIG_DFL, signal.SIG_IGN)
    assert signal.getsignal(signal.SIGTERM) == before
