"""The dashboard's admin-facing messages: what add-user changes, what serve refuses before it starts, and how
errors in an access file are told (field, value, fix)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

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
DOCS = Path(__file__).resolve().parents[2] / "docs" / "web.md"


@pytest.fixture(autouse=True)
def _no_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """A `serve` that got past its checks fails the test instead of serving forever."""
    import uvicorn

    def refuse(*args: object, **kwargs: object) -> None:
        raise RuntimeError("serve started a server in a test")

    monkeypatch.setattr(uvicorn, "run", refuse)
    monkeypatch.setattr(uvicorn.Server, "run", refuse)


def _cli(*args: str) -> object:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def catalog_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'catalog.sqlite'}"
    with Catalog(url) as catalog:
        out = tmp_path / "run-a"
        out.mkdir()
        (out / "summary.json").write_text(json.dumps({"run_id": "run-a"}))
        catalog.start("run-a", ILRS, "0" * 64, str(out), "name: x")
        catalog.finish("run-a", "done", 1.0, {"operations": {"runs": 1}})
    return url


def test_add_user_says_the_scenarios_go_to_the_whole_organization(tmp_path: Path) -> None:
    access = tmp_path / "access.yaml"
    add_user(access, "ana", "partner-university", "member", ["ILRS*"])
    add_user(access, "carl", "partner-university", "member")
    result = _cli("access", "add-user", "dora", "--organization", "partner-university", "--scenario", "Artemis*",
                  "--access", str(access))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "organization partner-university now also sees 'Artemis*'" in result.output  # type: ignore[attr-defined]
    assert "ana, carl" in result.output  # type: ignore[attr-defined]
    admin = _cli("access", "add-user", "eve", "--organization", "partner-university", "--role", "admin",
                 "--scenario", "Gateway*", "--access", str(access))
    assert "organization partner-university now also sees 'Gateway*'" in admin.output  # type: ignore[attr-defined]
    assert "re-reads the access file" in admin.output  # type: ignore[attr-defined]
    text = DOCS.read_text()
    assert "belong to the organization" in text


def test_two_users_with_one_token_are_refused(tmp_path: Path) -> None:
    sha = "b" * 64
    access = tmp_path / "access.yaml"
    access.write_text(
        "organizations: [{name: A, scenarios: ['*']}, {name: B}]\n"
        f"users:\n- {{name: ana, organization: A, token_sha256: '{sha}'}}\n"
        f"- {{name: bo, organization: B, token_sha256: '{sha}'}}\n"
    )
    with pytest.raises(InputError, match=r"users 'ana' and 'bo' have the same token_sha256.*add-user"):
        load_access(access)
    for command in (["serve", "--access", str(access)], ["access", "list", "--access", str(access)]):
        result = _cli(*command)
        assert result.exit_code == 2 and "same token_sha256" in result.output  # type: ignore[attr-defined]


def test_serve_refuses_a_catalog_that_does_not_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    access = tmp_path / "access.yaml"
    add_user(access, "li", "CNSA", "admin")
    typo = tmp_path / "typo.sqlite"
    result = _cli("serve", "--access", str(access), "--db", f"sqlite:///{typo}")
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    assert str(typo) in result.output and "does not exist" in result.output  # type: ignore[attr-defined]
    assert "LUNAROPS_HOME" in result.output and not typo.exists()  # type: ignore[attr-defined]
    home = tmp_path / "empty-home"
    monkeypatch.setenv("LUNAROPS_HOME", str(home))
    result = _cli("serve", "--access", str(access))
    assert result.exit_code == 2 and "LUNAROPS_HOME" in result.output  # type: ignore[attr-defined]
    assert not (home / "catalog.sqlite").exists()


def test_the_app_counts_runs_and_finds_patterns_that_match_nothing(tmp_path: Path, catalog_url: str) -> None:
    access = tmp_path / "access.yaml"
    add_user(access, "ana", "partner-university", "member", ["ILRS*", "ilrs*"])
    app = create_app(catalog_url, load_access(access))
    assert app.state.run_count == 1
    assert app.state.unmatched_patterns == [("partner-university", "ilrs*")]


def test_an_access_file_without_users_is_refused(tmp_path: Path) -> None:
    for text in ("", "organizations: [{name: A}]\nusers: []\n"):
        access = tmp_path / "access.yaml"
        access.write_text(text)
        with pytest.raises(InputError, match=r"has no users; add one with `lunarops access add-user"):
            load_access(access)
        result = _cli("serve", "--access", str(access))
        assert result.exit_code == 2 and "no users; add one with" in result.output  # type: ignore[attr-defined]
    # add-user fills an empty file
    add_user(access, "ana", "A")
    assert [u.name for u in load_access(access).users] == ["ana"]


def test_scenario_patterns_and_organization_names(tmp_path: Path) -> None:
    access = tmp_path / "access.yaml"
    bad = _cli("access", "add-user", "ana", "--organization", "A", "--scenario", "ILRS[", "--access", str(access))
    assert bad.exit_code == 2 and "--scenario 'ILRS['" in bad.output  # type: ignore[attr-defined]
    assert "closing ']'" in bad.output and not access.exists()  # type: ignore[attr-defined]
    add_user(access, "li", "CNSA", "admin")
    new = _cli("access", "add-user", "ana", "--organization", "newlab", "--access", str(access))
    assert new.exit_code == 0 and "new organization 'newlab'" in new.output  # type: ignore[attr-defined]
    case = _cli("access", "add-user", "wu", "--organization", "cnsa", "--access", str(access))
    assert case.exit_code == 0 and "differs only in case from the existing 'CNSA'" in case.output  # type: ignore[attr-defined]
    assert "case-sensitive" in DOCS.read_text()


def test_yaml_errors_give_line_and_column(tmp_path: Path) -> None:
    access = tmp_path / "access.yaml"
    access.write_text("organizations:\n  - name: A\n users: [\n")
    with pytest.raises(InputError, match=r"not valid YAML: line 3, column 2: .*expected"):
        load_access(access)


def test_validation_messages_name_the_field_the_value_and_the_fix(tmp_path: Path) -> None:
    access = tmp_path / "access.yaml"
    access.write_text("organizations: [{name: A}]\nusers: [{name: u, organization: A, token_sha256: "
                      f"'zz4fe{'0' * 60}629'}}]\n")
    with pytest.raises(InputError) as error:
        load_access(access)
    message = str(error.value)
    assert "users.0.token_sha256" in message and "'zz4fe0000" in message and "...'" in message
    assert "add-user" in message and "{'organizations'" not in message
    access.write_text("organizations: [{name: A, scenarios: 'ILRS*'}]\nusers: []\n")
    with pytest.raises(InputError) as error:
        load_access(access)
    assert "organizations.0.scenarios" in str(error.value) and "e.g. ['ILRS*']" in str(error.value)
    assert "(got {" not in str(error.value)
    empty = _cli("access", "add-user", "frank", "--organization", "", "--access", str(tmp_path / "new.yaml"))
    assert empty.exit_code == 2 and "--organization '' is empty" in empty.output  # type: ignore[attr-defined]


def test_an_access_directory_is_named_as_such(tmp_path: Path) -> None:
    result = _cli("serve", "--access", str(tmp_path))
    assert result.exit_code == 2 and "is a directory" in result.output  # type: ignore[attr-defined]
    assert str(tmp_path / "access.yaml") in result.output  # type: ignore[attr-defined]
    added = _cli("access", "add-user", "a", "--organization", "A", "--access", str(tmp_path))
    assert added.exit_code == 2 and "is a directory" in added.output  # type: ignore[attr-defined]


def test_serve_checks_the_port_and_host_before_the_banner(tmp_path: Path, catalog_url: str) -> None:
    access = tmp_path / "access.yaml"
    add_user(access, "li", "CNSA", "admin")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = _cli("serve", "--access", str(access), "--db", catalog_url, "--port", str(port))
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    assert f"--port {port} is already in use" in result.output  # type: ignore[attr-defined]
    assert "dashboard on" not in result.output and "Traceback" not in result.output  # type: ignore[attr-defined]
    host = _cli("serve", "--access", str(access), "--db", catalog_url, "--host", "192.0.2.1")
    assert host.exit_code == 2 and "--host '192.0.2.1' is not an address" in host.output  # type: ignore[attr-defined]


def test_add_user_keeps_comments_or_says_it_dropped_them(tmp_path: Path) -> None:
    access = tmp_path / "access.yaml"
    add_user(access, "ana", "A", "member", ["ILRS*"])
    access.write_text(access.read_text() + "# ana: until the end of the study\n")
    kept = _cli("access", "add-user", "bo", "--organization", "A", "--access", str(access))
    assert kept.exit_code == 0 and "# ana: until the end of the study" in access.read_text()  # type: ignore[attr-defined]
    assert [u.name for u in load_access(access).users] == ["ana", "bo"]
    dropped = _cli("access", "add-user", "cy", "--organization", "B", "--access", str(access))
    assert "comments were not kept" in dropped.output  # type: ignore[attr-defined]
    assert [u.name for u in load_access(access).users] == ["ana", "bo", "cy"]
    assert "comments" in DOCS.read_text()


def test_a_moved_output_directory_is_explained(tmp_path: Path, catalog_url: str) -> None:
    access = tmp_path / "access.yaml"
    token = add_user(access, "li", "CNSA", "admin")
    (tmp_path / "run-a").rename(tmp_path / "moved")
    client = TestClient(create_app(catalog_url, load_access(access)))
    headers = {"Authorization": f"Bearer {token}"}
    listing = client.get("/api/runs/run-a/results", headers=headers)
    report = client.get("/runs/run-a/report", headers=headers)
    assert listing.status_code == 404 == report.status_code
    assert set(listing.json()) == {"error", "fix"} and listing.json()["fix"] in report.text
    page = client.get("/runs/run-a", headers=headers)
    assert page.status_code == 200 and "/runs/run-a/report" not in page.text and "class=note" in page.text


def test_minor_details(tmp_path: Path, catalog_url: str) -> None:
    access = tmp_path / "access.yaml"
    add_user(access, "li", "CNSA", "admin")
    add_user(access, "ana", "partner-university", "member", ["ILRS*", "Artemis*"])
    listed = _cli("access", "list", "--access", str(access))
    assert "CNSA: admin: all runs" in listed.output  # type: ignore[attr-defined]
    assert "scenarios ILRS*, Artemis*;" in listed.output and "['" not in listed.output  # type: ignore[attr-defined]
    client = TestClient(create_app(catalog_url, load_access(access)))
    form = {"content-type": "application/x-www-form-urlencoded"}
    empty = client.post("/login", content="token=&next=/", headers=form)
    assert "no token entered" in empty.text
    out = client.get("/logout", follow_redirects=False)
    assert "samesite=strict" in out.headers["set-cookie"].lower()
    docs = DOCS.read_text()
    assert "revoke" in docs and "restart" in docs and "LUNAROPS_HOME" in docs
