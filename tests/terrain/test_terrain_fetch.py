"""The downloader against a local HTTP server on 127.0.0.1 (Range-capable), never the internet."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from lunarops.errors import DataError, InputError
from lunarops.terrain.fetch import REGISTRY, Product, RemoteFile, default_cache_dir, download_file, fetch

PAYLOAD = np.random.default_rng(7).integers(0, 256, size=300_000, dtype=np.uint8).tobytes()
SHA = hashlib.sha256(PAYLOAD).hexdigest()


class _Handler(BaseHTTPRequestHandler):
    ranges: list[str | None] = []
    ignore_range = False

    def do_GET(self) -> None:
        if self.path != "/ldem_test.img":
            self.send_error(404, "not found")
            return
        header = self.headers.get("Range")
        type(self).ranges.append(header)
        if header and not type(self).ignore_range:
            start = int(header.removeprefix("bytes=").split("-")[0])
            body = PAYLOAD[start:]
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(PAYLOAD) - 1}/{len(PAYLOAD)}")
        else:
            body = PAYLOAD
            self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # silence the server
        pass


@pytest.fixture()
def server() -> Iterator[str]:
    _Handler.ranges = []
    _Handler.ignore_range = False
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _registry(url: str, sha: str | None = SHA, size: int | None = len(PAYLOAD)) -> dict[str, Product]:
    return {"TEST_DEM": Product("TEST_DEM", "test", (RemoteFile(url + "/ldem_test.img", size, sha),))}


def test_download_verifies_and_moves_atomically(server: str, tmp_path: Path) -> None:
    fractions: list[float] = []
    path = fetch("test_dem", tmp_path, progress=lambda f, m: fractions.append(f), registry=_registry(server))
    assert path == tmp_path / "ldem_test.img" and path.read_bytes() == PAYLOAD
    assert not (tmp_path / "ldem_test.img.part").exists()
    assert fractions and fractions[-1] == pytest.approx(1.0)
    # second call: cached, no request
    fetch("TEST_DEM", tmp_path, registry=_registry(server))
    assert _Handler.ranges == [None]


def test_resume_after_truncation_uses_http_range(server: str, tmp_path: Path) -> None:
    (tmp_path / "ldem_test.img.part").write_bytes(PAYLOAD[:123_456])
    path = fetch("TEST_DEM", tmp_path, registry=_registry(server))
    assert _Handler.ranges == ["bytes=123456-"]
    assert path.read_bytes() == PAYLOAD


def test_server_ignoring_range_restarts_cleanly(server: str, tmp_path: Path) -> None:
    _Handler.ignore_range = True
    (tmp_path / "ldem_test.img.part").write_bytes(b"garbage" * 10)
    path = fetch("TEST_DEM", tmp_path, registry=_registry(server))
    assert path.read_bytes() == PAYLOAD


def test_sha_mismatch_is_a_data_error_and_leaves_no_file(server: str, tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"SHA-256 .* does not match the pinned"):
        fetch("TEST_DEM", tmp_path, registry=_registry(server, sha="0" * 64))
    assert not (tmp_path / "ldem_test.img").exists() and not (tmp_path / "ldem_test.img.part").exists()


def test_size_only_verification_and_wrong_size(server: str, tmp_path: Path) -> None:
    path = fetch("TEST_DEM", tmp_path, registry=_registry(server, sha=None))
    assert path.stat().st_size == len(PAYLOAD)
    with pytest.raises(DataError, match="sent 300000 bytes but 1000 are pinned"):
        fetch("TEST_DEM", tmp_path / "b", registry=_registry(server, sha=None, size=1000))


def test_offline_and_http_errors_are_named(server: str, tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"cannot reach 127.0.0.1:9 .*copy the file ldem_test.img .* manually"):
        fetch("TEST_DEM", tmp_path, registry=_registry("http://127.0.0.1:9"), timeout_s=2.0)
    bad = RemoteFile(server + "/missing.img", 10, None)
    with pytest.raises(DataError, match="HTTP 404"):
        download_file(bad, tmp_path)
    with pytest.raises(InputError, match="LDEM_80S_80M"):
        fetch("LDEM_1M")
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(InputError, match=r"cache directory .*a_file' cannot be created .*choose a writable"):
        download_file(bad, tmp_path / "a_file")


def test_registry_and_cache_dir() -> None:
    assert {"LDEM_75S_240M", "LDEM_80S_80M", "LDEM_85S_40M"} <= set(REGISTRY)
    # sizes: LINES x LINE_SAMPLES x 2 bytes (int16), e.g. 7600 x 7600 for LDEM_80S_80M
    assert REGISTRY["LDEM_80S_80M"].files[0].size_bytes == 7600 * 7600 * 2
    assert all(p.files[0].url.endswith(".img") and p.files[1].url.endswith(".lbl") for p in REGISTRY.values())
    assert default_cache_dir().name == "terrain"


def test_cli_fetch_and_list(server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lunarops.cli.main import app
    from lunarops.terrain import fetch as fetch_module

    monkeypatch.setattr(fetch_module, "REGISTRY", _registry(server))
    runner = CliRunner()
    result = runner.invoke(app, ["data", "fetch", "TEST_DEM", "--cache-dir", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ldem_test.img").read_bytes() == PAYLOAD
    result = runner.invoke(app, ["data", "fetch", "NOPE", "--cache-dir", str(tmp_path)])
    assert result.exit_code == 2 and "unknown" in result.output
    result = runner.invoke(app, ["data", "list", "--json"])
    assert result.exit_code == 0 and "TEST_DEM" in result.output
