"""A partner agency's penetration test of the dashboard (session 19): each test makes an attack and checks that it
fails. OWASP Top 10 2021 (A01 access control, A03 injection, A05 misconfiguration), OWASP API Security Top 10 2023
(API4 resource consumption), RFC 9110 (HTTP semantics), RFC 6750 (Bearer tokens)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra (fastapi) is not installed")
pytest.importorskip("httpx", reason="the web extra (httpx) is not installed")

from fastapi.testclient import TestClient

import lunarops.store.catalog as store_catalog
import lunarops.web.app as web_app
from lunarops.store import Catalog
from lunarops.web import add_user, create_app, load_access

XSS = "ILRS <script>alert(1)</script>'\""


def _run(catalog: Catalog, run_id: str, name: str, out: Path, summary: dict[str, Any] | None = None) -> Path:
    (out / "results").mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps({"run_id": run_id}))
    (out / "report.html").write_text(f"<html>report of {run_id}</html>")
    catalog.start(run_id, name, "0" * 64, str(out), "name: x")
    catalog.finish(run_id, "done", 1.0, summary or {"sky": {"n": 1}})
    return out


@pytest.fixture
def site(tmp_path: Path) -> dict[str, Any]:
    url = f"sqlite:///{tmp_path / 'catalog.sqlite'}"
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET OF THE SERVER")
    with Catalog(url) as catalog:
        _run(catalog, "r-ilrs", "ILRS south-pole", tmp_path / "a")
        other = _run(catalog, "r-other", "Artemis private", tmp_path / "b")
        (other / "results" / "b.parquet").write_text("PARTNER B")
        _run(catalog, "r-xss", XSS, tmp_path / "x", {"sky": {"<img src=x onerror=alert(1)>": "<b>v</b>"}})
        links = _run(catalog, "r-links", "ILRS links", tmp_path / "s")
        (links / "report.html").unlink()
        os.symlink(secret, links / "report.html")
        os.symlink(secret, links / "results" / "leak.parquet")
        linked_dir = _run(catalog, "r-dir", "ILRS dir", tmp_path / "t")
        (linked_dir / "results").rmdir()
        os.symlink(other / "results", linked_dir / "results")
        _run(catalog, "r-%_", "ILRS like", tmp_path / "l")
    access = tmp_path / "access.yaml"
    tokens = {"ana": add_user(access, "ana", "uni", "member", ["ILRS*"]),
              "bo": add_user(access, "bo", "artemis", "member", ["Artemis*"])}
    app = create_app(url, load_access(access), access_path=access)
    return {"client": TestClient(app, raise_server_exceptions=False), "tokens": tokens, "url": url}


def _get(site: dict[str, Any], path: str, who: str = "ana", **kwargs: Any) -> Any:
    headers = {"Authorization": f"Bearer {site['tokens'][who]}"}
    return site["client"].get(path, headers=headers, follow_redirects=False, **kwargs)


def test_another_organizations_runs_stay_unknown_by_id_prefix_file_and_compare(site: dict[str, Any]) -> None:
    # OWASP A01:2021 (broken access control, IDOR): every way of naming r-other answers 404, as an unknown run
    for path in ("/api/runs/r-other", "/api/runs/r-o", "/runs/r-other", "/runs/r-other/report",
                 "/api/runs/r-other/results", "/api/runs/r-other/results/b.parquet", "/compare?run=r-ilrs&run=r-o"):
        answer = _get(site, path)
        assert answer.status_code == 404, path
        assert "Artemis" not in answer.text and "PARTNER B" not in answer.text
    # the ambiguous-prefix answer counts the user's runs only (5 ILRS runs start with 'r-', not 6)
    assert "matches 5 of your runs" in _get(site, "/api/runs/r-").json()["error"]


def test_sql_like_wildcards_in_an_id_are_literal(site: dict[str, Any]) -> None:
    # OWASP A03:2021 (injection): '%' and '_' match themselves, not any run (r-ilrs would match 'r-_lrs' in LIKE)
    assert _get(site, "/api/runs/r-_lrs").status_code == 404
    assert _get(site, "/api/runs/%25").status_code == 404
    assert _get(site, "/api/runs/r-%25_").json()["run_id"] == "r-%_"


def test_symlinks_and_encoded_dot_dot_serve_nothing_outside_the_output(site: dict[str, Any]) -> None:
    # OWASP A01:2021 (path traversal, CWE-22/CWE-59): links to a server file or to another partner's results,
    # and encoded '../' in a file name, are not served
    assert _get(site, "/runs/r-links/report").status_code == 404
    assert _get(site, "/api/runs/r-links/results").json()["files"] == []
    assert _get(site, "/api/runs/r-dir/results").json()["files"] == []
    for name in ("leak.parquet", "..%2F..%2Fsecret.txt", "%2e%2e%2f%2e%2e%2fsecret.txt", "..%252fsecret.txt"):
        answer = _get(site, f"/api/runs/r-links/results/{name}")
        assert answer.status_code == 404 and "SECRET" not in answer.text, name
    assert "SECRET" not in _get(site, "/runs/r-links").text


def test_a_scenario_name_and_summary_keys_are_escaped_on_every_page(site: dict[str, Any]) -> None:
    # OWASP A03:2021 (stored XSS through a scenario name or a summary entry)
    for path in ("/", "/runs/r-xss", "/compare?run=r-xss&run=r-ilrs"):
        text = _get(site, path).text
        assert "<script>" not in text and "<img" not in text and "<b>v" not in text, path
        assert "&lt;script&gt;" in text, path


def test_a_token_in_the_query_string_is_not_accepted(site: dict[str, Any]) -> None:
    # RFC 6750 sec. 5.3: tokens do not go in URLs (they end up in logs and Referer headers)
    answer = site["client"].get(f"/api/runs?access_token={site['tokens']['ana']}")
    assert answer.status_code == 401


def test_pages_forbid_scripts_framing_and_referers(site: dict[str, Any]) -> None:
    # OWASP A05:2021 (security misconfiguration); CSP Level 3: no script runs on the pages even if one got in
    page = _get(site, "/")
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "script-src" not in csp
    assert page.headers["referrer-policy"] == "no-referrer"
    login = site["client"].get("/login")
    assert "frame-ancestors 'none'" in login.headers["content-security-policy"]
    report = _get(site, "/runs/r-ilrs/report")
    assert report.headers["content-security-policy"] == "sandbox allow-scripts"


def test_405_names_the_allowed_methods_and_there_is_no_cors(site: dict[str, Any]) -> None:
    # RFC 9110 sec. 15.5.6: a 405 MUST send Allow; no CORS header lets another origin read the API (OWASP A05)
    post = site["client"].post("/api/runs")
    assert post.status_code == 405 and set(post.headers["allow"].split(", ")) == {"GET", "HEAD"}
    preflight = site["client"].options("/api/runs", headers={"Origin": "https://evil.example",
                                                             "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 405 and "access-control-allow-origin" not in preflight.headers


def test_a_huge_login_body_is_refused_without_reading_it_all(site: dict[str, Any]) -> None:
    # OWASP API4:2023 (unrestricted resource consumption): 16 KiB at most
    answer = site["client"].post("/login", content=b"token=" + b"a" * 1_000_000, follow_redirects=False)
    assert answer.status_code == 413 and "set-cookie" not in answer.headers


def test_another_site_cannot_log_a_browser_in(site: dict[str, Any]) -> None:
    # OWASP CSRF prevention cheat sheet (login CSRF; Fetch Metadata, Sec-Fetch-Site)
    form = {"token": site["tokens"]["bo"], "next": "/"}
    answer = site["client"].post("/login", data=form, headers={"Sec-Fetch-Site": "cross-site"},
                                 follow_redirects=False)
    assert answer.status_code == 403 and "set-cookie" not in answer.headers
    own = site["client"].post("/login", data=form, headers={"Sec-Fetch-Site": "same-origin"}, follow_redirects=False)
    assert own.status_code == 303 and "httponly" in own.headers["set-cookie"].lower()


def test_a_crash_shows_no_traceback_and_keeps_the_headers(
    site: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # OWASP A05:2021 (error handling): no exception text or server path reaches the client
    def boom(record: object) -> dict[str, Any]:
        raise RuntimeError("/srv/secret/path exploded")

    monkeypatch.setattr(web_app, "_run_json", boom)
    answer = _get(site, "/api/runs")
    assert answer.status_code == 500 and "/srv/secret" not in answer.text
    assert answer.json() == {"error": "internal error", "fix": answer.json()["fix"]}
    assert answer.headers["cache-control"] == "private, no-store"
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_a_member_reads_only_its_own_runs_rows_however_many_others_there_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # OWASP API4:2023: 100 000 runs of another organization cost a member ~90 s per request when every row was
    # read and parsed to filter it (measured in session 19); now the catalog is filtered by scenario name in SQL
    url = f"sqlite:///{tmp_path / 'catalog.sqlite'}"
    with Catalog(url) as catalog:
        _run(catalog, "r-0-old", "ILRS old", tmp_path / "old")
        for i in range(2500):  # more than a page (2000) of newer runs the member may not see
            catalog.start(f"r-1-{i:05d}", "Artemis flood", "0" * 64, str(tmp_path / "f"), "name: x")
    access = tmp_path / "access.yaml"
    token = add_user(access, "ana", "uni", "member", ["ILRS*"])
    client = TestClient(create_app(url, load_access(access)))
    parsed: list[str] = []
    real = store_catalog._record

    def counting(row: Any) -> Any:
        parsed.append(row["run_id"])
        return real(row)

    monkeypatch.setattr(store_catalog, "_record", counting)
    headers = {"Authorization": f"Bearer {token}"}
    listed = client.get("/api/runs?limit=10000", headers=headers).json()["runs"]
    assert [r["run_id"] for r in listed] == ["r-0-old"] and parsed == ["r-0-old"]
    assert client.get("/api/runs/r-1-00001", headers=headers).status_code == 404
    assert client.get("/api/runs/r-0", headers=headers).json()["run_id"] == "r-0-old"


def test_a_group_writable_access_file_is_warned_about(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # OWASP A01:2021: whoever may write the access file may add an admin
    url = f"sqlite:///{tmp_path / 'catalog.sqlite'}"
    Catalog(url).close()
    access = tmp_path / "access.yaml"
    add_user(access, "ana", "uni", "member", ["ILRS*"])
    access.chmod(0o664)
    with caplog.at_level("WARNING", logger="lunarops.web"):
        create_app(url, load_access(access), access_path=access)
    assert "writable by its group or others; chmod go-w" in caplog.text


def test_the_access_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    # OWASP A01:2021 (broken access control): the file names every user and organization; whoever can write it can
    # add an admin, so every write leaves it 0600 (owner read/write), also after a rewrite of a 0644 file
    access = tmp_path / "access.yaml"
    add_user(access, "ana", "uni", "member", ["ILRS*"])
    assert access.stat().st_mode & 0o777 == 0o600
    os.chmod(access, 0o644)
    add_user(access, "bo", "artemis", "member", ["Artemis*"])
    assert access.stat().st_mode & 0o777 == 0o600
