"""The web dashboard (`lunarops serve`): each partner organization sees the runs of the scenarios shared with it.

A catalog of three recorded runs (two scenarios) in a temporary SQLite file, an access file made with
`add_user`, and FastAPI's test client; no server is started."""

from __future__ import annotations

import json
import math
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
from lunarops.web import add_user, create_app, load_access

ILRS = "ILRS south-pole candidate region"
OTHER = "Artemis base camp study"


@pytest.fixture
def site(tmp_path: Path) -> dict:  # type: ignore[type-arg]
    url = f"sqlite:///{tmp_path / 'catalog.sqlite'}"
    with Catalog(url) as catalog:
        for run_id, name in (("run-a", ILRS), ("run-b", ILRS), ("run-c", OTHER)):
            out = tmp_path / run_id
            (out / "results").mkdir(parents=True)
            (out / "report.html").write_text(f"<html>report of {run_id}</html>")
            (out / "summary.json").write_text(json.dumps({"run_id": run_id}))  # as `lunarops run` writes it
            pd.DataFrame({"x": [1.0, 2.0]}).to_parquet(out / "results" / "sky-sky.parquet")
            catalog.start(run_id, name, "0" * 64, str(out), "name: x")
            summary = {"operations": {"consumables_reserve_days_p05": math.inf, "runs": 200}}
            catalog.finish(run_id, "done", 1.5, summary)
    access = tmp_path / "access.yaml"
    tokens = {
        "admin": add_user(access, "li", "CNSA", "admin"),
        "partner": add_user(access, "ana", "partner-university", "member", ["ILRS*"]),
        "nobody": add_user(access, "bo", "observer", "member"),
    }
    client = TestClient(create_app(url, load_access(access)))
    return {"client": client, "tokens": tokens, "access": access}


def _get(site: dict, path: str, who: str | None) -> object:  # type: ignore[type-arg]
    headers = {"Authorization": f"Bearer {site['tokens'][who]}"} if who else {}
    return site["client"].get(path, headers=headers, follow_redirects=False)


def test_each_organization_sees_the_runs_shared_with_it(site: dict) -> None:  # type: ignore[type-arg]
    ids = {who: sorted(r["run_id"] for r in _get(site, "/api/runs", who).json()["runs"])  # type: ignore[attr-defined]
           for who in ("admin", "partner", "nobody")}
    assert ids == {"admin": ["run-a", "run-b", "run-c"], "partner": ["run-a", "run-b"], "nobody": []}


def test_the_limit_counts_the_runs_the_user_may_see(site: dict) -> None:  # type: ignore[type-arg]
    # run-c (not shared with the partner) is the newest; limit=1 still gives the partner one run, run-b
    runs = _get(site, "/api/runs?limit=1", "partner").json()["runs"]  # type: ignore[attr-defined]
    assert [r["run_id"] for r in runs] == ["run-b"]


def test_a_run_not_shared_is_answered_as_unknown(site: dict) -> None:  # type: ignore[type-arg]
    answer = _get(site, "/api/runs/run-c", "partner")
    assert answer.status_code == 404  # type: ignore[attr-defined]
    body = answer.json()  # type: ignore[attr-defined]
    assert "no run with id 'run-c' visible to organization 'partner-university'" in body["error"]
    assert "share the scenario" in body["fix"]
    assert _get(site, "/runs/run-c/report", "partner").status_code == 404  # type: ignore[attr-defined]
    assert _get(site, "/api/runs/run-c", "admin").status_code == 200  # type: ignore[attr-defined]


def test_tokens_are_required_and_checked(site: dict) -> None:  # type: ignore[type-arg]
    missing = _get(site, "/api/runs", None)
    assert missing.status_code == 401  # type: ignore[attr-defined]
    assert missing.json() == {  # type: ignore[attr-defined]
        "error": "no access token", "fix": "send 'Authorization: Bearer TOKEN' or log in at /login"
    }
    wrong = site["client"].get("/api/runs", headers={"Authorization": "Bearer not-a-token"})
    assert wrong.status_code == 401 and wrong.json()["error"] == "unknown access token"
    # pages send the browser to the login form instead
    page = _get(site, "/runs/run-a", None)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/runs/run-a"  # type: ignore[attr-defined]


def test_login_sets_a_cookie_that_opens_the_pages(site: dict) -> None:  # type: ignore[type-arg]
    client = site["client"]
    refused = client.post("/login", content="token=wrong&next=/", headers={"content-type":
                                                                             "application/x-www-form-urlencoded"})
    assert refused.status_code == 401
    ok = client.post(
        "/login", content=f"token={site['tokens']['partner']}&next=/runs/run-a",
        headers={"content-type": "application/x-www-form-urlencoded"}, follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/runs/run-a"
    page = client.get("/runs/run-a")
    assert page.status_code == 200 and ILRS in page.text and "consumables_reserve_days_p05" in page.text
    index = client.get("/")
    assert "run-a" in index.text and "run-c" not in index.text
    # never sent to another site after login
    away = client.post("/login", content=f"token={site['tokens']['partner']}&next=//evil.example/",
                       headers={"content-type": "application/x-www-form-urlencoded"}, follow_redirects=False)
    assert away.headers["location"] == "/"
    # "/\evil.example" (%5C) and a tab inside "//" are read by browsers as another host too
    for target in ("/%5Cevil.example/", "/%09/evil.example/"):
        away = client.post("/login", content=f"token={site['tokens']['partner']}&next={target}",
                           headers={"content-type": "application/x-www-form-urlencoded"}, follow_redirects=False)
        assert away.headers["location"] == "/", target


def test_runs_compare_side_by_side(site: dict) -> None:  # type: ignore[type-arg]
    page = _get(site, "/compare?run=run-a&run=run-b", "partner")
    assert page.status_code == 200  # type: ignore[attr-defined]
    text = page.text  # type: ignore[attr-defined]
    assert "consumables_reserve_days_p05" in text and text.count("<th><a href='/runs/run-") == 2
    # a run the partner may not see cannot be compared either
    assert _get(site, "/compare?run=run-a&run=run-c", "partner").status_code == 404  # type: ignore[attr-defined]
    assert _get(site, "/compare?run=run-a", "partner").status_code == 400  # type: ignore[attr-defined]


def test_reports_and_result_files_are_served(site: dict) -> None:  # type: ignore[type-arg]
    report = _get(site, "/runs/run-b/report", "partner")
    assert report.status_code == 200 and report.text == "<html>report of run-b</html>"  # type: ignore[attr-defined]
    files = _get(site, "/api/runs/run-b/results", "partner").json()  # type: ignore[attr-defined]
    assert files == {"run_id": "run-b", "files": ["sky-sky.parquet"]}
    data = _get(site, "/api/runs/run-b/results/sky-sky.parquet", "partner")
    assert data.status_code == 200 and data.content[:4] == b"PAR1"  # type: ignore[attr-defined]  # Parquet magic
    other = _get(site, "/api/runs/run-b/results/..%2Fcatalog.sqlite", "partner")
    assert other.status_code == 404  # type: ignore[attr-defined]


def test_only_the_runs_own_regular_files_are_served(site: dict, tmp_path: Path) -> None:  # type: ignore[type-arg]
    # a symbolic link in results/ (to any file) is not served, nor listed
    secret = tmp_path / "secret.txt"
    secret.write_text("not for partners")
    (tmp_path / "run-b" / "results" / "link.parquet").symlink_to(secret)
    assert _get(site, "/api/runs/run-b/results/link.parquet", "partner").status_code == 404  # type: ignore[attr-defined]
    assert "link.parquet" not in _get(site, "/api/runs/run-b/results", "partner").json()["files"]  # type: ignore[attr-defined]
    # a later run (run-c, not shared) written into run-a's --out: run-a's output is gone, nothing of run-c shows
    (tmp_path / "run-a" / "summary.json").write_text(json.dumps({"run_id": "run-c"}))
    (tmp_path / "run-a" / "report.html").write_text("<html>report of run-c</html>")
    report = _get(site, "/runs/run-a/report", "partner")
    assert report.status_code == 404 and "overwritten by a later run" in report.text  # type: ignore[attr-defined]
    listing = _get(site, "/api/runs/run-a/results", "partner")
    assert listing.status_code == 404 and "overwritten by a later run" in listing.json()["fix"]  # type: ignore[attr-defined]


def test_http_details(site: dict) -> None:  # type: ignore[type-arg]
    head = site["client"].head("/api/runs", headers={"Authorization": f"Bearer {site['tokens']['admin']}"})
    assert head.status_code == 200 and head.headers["x-content-type-options"] == "nosniff"
    post = site["client"].post("/api/runs", headers={"Authorization": f"Bearer {site['tokens']['admin']}"})
    assert post.status_code == 405 and post.json()["fix"] == "use GET (or HEAD) on this path"
    unknown = _get(site, "/api/nothing", "admin")
    assert unknown.status_code == 404 and set(unknown.json()) == {"error", "fix"}  # type: ignore[attr-defined]
    report = _get(site, "/runs/run-a/report", "admin")
    assert report.headers["content-security-policy"] == "sandbox allow-scripts"  # type: ignore[attr-defined]
    # a digit Python's int() refuses ("²".isdigit() is True): a 400, not a 500
    assert _get(site, "/api/runs?limit=%C2%B2", "admin").status_code == 400  # type: ignore[attr-defined]


def test_a_broken_catalog_is_a_503_without_details(site: dict, tmp_path: Path) -> None:  # type: ignore[type-arg]
    catalog = site["client"].app.state.catalog
    catalog.close()
    (tmp_path / "catalog.sqlite").write_bytes(b"not a database" * 100)
    answer = _get(site, "/api/runs", "admin")
    assert answer.status_code == 503  # type: ignore[attr-defined]
    assert answer.json()["error"] == "the run catalog is unavailable"  # type: ignore[attr-defined]
    assert "sqlite" not in answer.text  # type: ignore[attr-defined]


def test_summaries_keep_infinity_readable(site: dict) -> None:  # type: ignore[type-arg]
    # JSON has no inf: an unbounded reserve (no crew draw) reads "inf", not null
    summary = _get(site, "/api/runs/run-a", "admin").json()["summary"]  # type: ignore[attr-defined]
    assert summary == {"operations": {"consumables_reserve_days_p05": "inf", "runs": 200}}


def test_bad_requests_name_the_field_and_the_fix(site: dict) -> None:  # type: ignore[type-arg]
    answer = _get(site, "/api/runs?limit=0", "admin")
    assert answer.status_code == 400  # type: ignore[attr-defined]
    assert answer.json() == {"error": "limit = '0' is not a whole number in 1..10000", "fix": "e.g. ?limit=100"}  # type: ignore[attr-defined]
    ambiguous = _get(site, "/api/runs/run-", "admin")
    assert ambiguous.status_code == 400  # type: ignore[attr-defined]
    assert "matches 3 of your runs" in ambiguous.json()["error"]  # type: ignore[attr-defined]
    # a partner's prefix counts only the runs it may see (run-a, run-b; not run-c): nothing leaks
    assert "matches 2 of your runs" in _get(site, "/api/runs/run-", "partner").json()["error"]  # type: ignore[attr-defined]
    assert _get(site, "/api/runs/run-c", "partner").status_code == 404  # type: ignore[attr-defined]
    assert _get(site, "/api/runs/run-a", "partner").json()["run_id"] == "run-a"  # type: ignore[attr-defined]


def test_access_files_are_checked(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    sha = "a" * 64
    bad.write_text(f"organizations: [{{name: A}}]\nusers: [{{name: u, organization: B, token_sha256: '{sha}'}}]\n")
    with pytest.raises(InputError, match=r"user 'u': organization 'B' is not listed; choose one of 'A'"):
        load_access(bad)
    bad.write_text("organizations: [{name: A}]\nusers: [{name: u, organization: A, token_sha256: 'plain-token'}]\n")
    with pytest.raises(InputError, match=r"users\.0\.token_sha256: String should match pattern"):
        load_access(bad)
    with pytest.raises(InputError, match=r"does not exist; create it with `lunarops access add-user"):
        load_access(tmp_path / "absent.yaml")
    good = tmp_path / "good.yaml"
    add_user(good, "u", "A")
    with pytest.raises(InputError, match="user 'u' is already in"):
        add_user(good, "u", "A")


def test_cli_adds_users_and_refuses_a_missing_access_file(tmp_path: Path) -> None:
    access = tmp_path / "access.yaml"
    result = CliRunner().invoke(
        cli, ["access", "add-user", "ana", "--organization", "ESA", "--scenario", "ILRS*", "--access", str(access),
              "--json"]
    )
    assert result.exit_code == 0, result.output
    token = json.loads(result.stdout)["token"]
    policy = load_access(access)
    user = policy.user_for_token(token)
    assert user is not None and user.organization == "ESA" and policy.can_see(user, ILRS)
    assert token not in access.read_text()  # only its hash is stored
    served = CliRunner().invoke(cli, ["serve", "--access", str(tmp_path / "none.yaml")])
    assert served.exit_code == 2 and "does not exist" in served.output
    role = CliRunner().invoke(cli, ["access", "add-user", "x", "--organization", "ESA", "--role", "boss",
                                    "--access", str(access)])
    assert role.exit_code == 2 and "--role 'boss' is not known; use member or admin" in role.output
