"""Sweep members on the dashboard and in `runs list`: nested summary values as tables, small result tables on the
run page, no report link for a run without a report, members told apart at 80 columns."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

pytest.importorskip("fastapi", reason="the web extra (fastapi) is not installed")
pytest.importorskip("httpx", reason="the web extra (httpx) is not installed")

from fastapi.testclient import TestClient

from lunarops.cli.main import app as cli
from lunarops.store import Catalog
from lunarops.web import add_user, create_app, load_access

BASE = "ILRS south-pole candidate region, 2030-2035"
COLUMNS = ["failures_mean", "failures_p95"]


def _member(index: int, clock: str, components: dict[str, list[float]]) -> tuple[str, dict]:  # type: ignore[type-arg]
    parameters = {"operations.consumables.water_tank_capacity_kg": 2000, "operations.components.7.clock": clock}
    name = f"{BASE} [{', '.join(f'{k}={v}' for k, v in parameters.items())}] (sweep member {index} of 2)"
    summary = {
        "sweep_member": {"member": index, "members": 2, "parameters": parameters, "sweep_dir": "/x"},
        "operations": {"runs": 20, "components_columns": COLUMNS, "components": components,
                       "ci95": [0.0, 0.25]},
    }
    return name, summary


@pytest.fixture
def site(tmp_path: Path) -> dict:  # type: ignore[type-arg]
    url = f"sqlite:///{tmp_path / 'catalog.sqlite'}"
    members = [
        _member(0, "online", {"array strings": [0.3, 1.0], "excavators <b>": [0.1, 1.0]}),
        # another order, and one entry differing
        _member(1, "operating", {"excavators <b>": [0.55, 1.0], "array strings": [0.3, 1.0]}),
    ]
    with Catalog(url) as catalog:
        for index, (name, summary) in enumerate(members):
            run_id = f"m{index}"
            out = tmp_path / "sweep" / "members" / f"{index:05d}"
            (out / "results").mkdir(parents=True)
            (out / "summary.json").write_text(json.dumps({"run_id": run_id}))
            pd.DataFrame({"load": ["<script>x</script>", "eclss"], "year": [2034, 2034],
                          "served_mwh_mean": [1.5, 0.672]}).to_parquet(
                out / "results" / "operations-operations_loads_by_year.parquet")
            pd.DataFrame({"x": range(1000)}).to_parquet(out / "results" / "sky-sky.parquet")
            catalog.start(run_id, name, "0" * 64, str(out), "name: x")
            catalog.finish(run_id, "done", 1.0, summary)
    access = tmp_path / "access.yaml"
    token = add_user(access, "li", "CNSA", "admin")
    client = TestClient(create_app(url, load_access(access)))
    client.headers["Authorization"] = f"Bearer {token}"
    return {"client": client, "url": url}


def test_nested_values_are_tables_and_sorted(site: dict) -> None:  # type: ignore[type-arg]
    page = site["client"].get("/runs/m1").text
    assert "{'" not in page and "..." not in page
    assert "<th>failures_mean</th><th>failures_p95</th>" in page  # the columns named by components_columns
    assert page.index("array strings") < page.index("excavators &lt;b&gt;") and "excavators <b>" not in page
    assert ("operations.components.7.clock=operating<br>operations.consumables.water_tank_capacity_kg=2000"
            in page)
    assert "<td>components_columns</td>" not in page and "[0, 0.25]" in page


def test_compare_shows_the_differing_nested_entry(site: dict) -> None:  # type: ignore[type-arg]
    page = site["client"].get("/compare?run=m0&run=m1").text
    assert "<tr class=differ><td>operations</td><td>components[excavators &lt;b&gt;].failures_mean</td>" \
           "<td>0.1</td><td>0.55</td>" in page
    assert "<tr><td>operations</td><td>components[array strings].failures_mean</td>" in page  # same: not marked
    assert "parameters[operations.components.7.clock]</td><td>online</td><td>operating</td>" in page
    only = site["client"].get("/compare?run=m0&run=m1&only=differ").text
    assert "components[array strings]" not in only and "components[excavators &lt;b&gt;]" in only


def test_small_result_tables_are_shown_escaped(site: dict) -> None:  # type: ignore[type-arg]
    page = site["client"].get("/runs/m0").text
    assert "<th>served_mwh_mean</th>" in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "<script>" not in page
    assert "/api/runs/m0/results/sky-sky.parquet" in page  # large files: a download link only
    assert "<th>x</th>" not in page


def test_sweep_members_have_no_report_link(site: dict) -> None:  # type: ignore[type-arg]
    page = site["client"].get("/runs/m0").text
    assert "/runs/m0/report" not in page and "sweep members have no report" in page
    report = site["client"].get("/runs/m0/report")
    assert report.status_code == 404
    assert "sweep members have no report; run the member&#x27;s scenario with `lunarops run`" in report.text
    assert "moved" not in report.text


def test_runs_list_tells_members_apart_at_80_columns(site: dict) -> None:  # type: ignore[type-arg]
    result = CliRunner().invoke(cli, ["runs", "list", "--db", site["url"]], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80
    text = "".join(result.output.split())  # folded cells: compare without the table's spaces and breaks
    for index, clock in ((0, "online"), (1, "operating")):
        assert f"member{index}/2:" in text and f"components.7.clock={clock}" in text
    assert "…" not in result.output


def test_public_summary_hides_the_sweep_directory() -> None:
    # partners see a member's parameters, not the server path of its sweep (docs/web.md: no paths shown)
    from lunarops.web.app import _public_summary

    summary = {"sweep_member": {"index": 1, "parameters": {"seed": 2}, "sweep_dir": "/srv/sweeps/s1"}, "sky": {}}
    public = _public_summary(summary)
    assert public["sweep_member"] == {"index": 1, "parameters": {"seed": 2}}
    assert summary["sweep_member"]["sweep_dir"] == "/srv/sweeps/s1"  # the catalog's record is untouched
