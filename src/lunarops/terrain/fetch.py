"""Downloader for higher-resolution public LOLA polar DEM products (``lunarops data fetch NAME``).

Each product is a list of pinned files (URL, size in bytes, SHA-256). Downloads go to a cache directory
(default: the platform's user cache, ``platformdirs.user_cache_path("lunarops") / "terrain"``), resume with
HTTP Range requests from a ``.part`` file, are verified (size, and SHA-256 when pinned) and then moved into
place atomically (``os.replace``), so the cache never holds a half-written product under its final name.

Pinned values: the PDS Geosciences Node publishes no checksums for these files and they could not be
downloaded where this registry was written, so ``sha256`` is ``None`` (only the size is verified) and the
sizes are those implied by the products' grids (LINES x LINE_SAMPLES x 2 bytes, int16, detached label), as
documented in public descriptions of the products (see docs/terrain.md). Labels have unknown size and are
verified only by being parsed.
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from lunarops.errors import DataError, InputError

Progress = Callable[[float, str], None]

_PDS_POLAR = "https://pds-geosciences.wustl.edu/lro/lro-l-lola-3-rdr-v1/lrolol_1xxx/data/lola_gdr/polar/img/"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class RemoteFile:
    """One pinned file: ``url``, expected ``size_bytes`` (None: unknown) and ``sha256`` hex (None: not pinned)."""

    url: str
    size_bytes: int | None = None
    sha256: str | None = None

    @property
    def file_name(self) -> str:
        """The file name in the cache (last URL path component)."""
        return Path(urlparse(self.url).path).name


@dataclass(frozen=True)
class Product:
    """A downloadable DEM product: ``name``, ``description``, ``files`` (the first one is read by load_dem)."""

    name: str
    description: str
    files: tuple[RemoteFile, ...]


def _lola_polar(name: str, side_px: int, description: str) -> Product:
    stem = name.lower()
    return Product(
        name,
        description,
        (
            RemoteFile(_PDS_POLAR + f"{stem}.img", size_bytes=side_px * side_px * 2, sha256=None),
            RemoteFile(_PDS_POLAR + f"{stem}.lbl", size_bytes=None, sha256=None),
        ),
    )


REGISTRY: dict[str, Product] = {
    p.name: p
    for p in (
        _lola_polar(
            "LDEM_75S_240M", 3812, "LOLA GDR south polar DEM, 240 m/px, 75-90 S, 3812 x 3812 int16 (DN x 0.5 m)"
        ),
        _lola_polar(
            "LDEM_75N_240M", 3812, "LOLA GDR north polar DEM, 240 m/px, 75-90 N, 3812 x 3812 int16 (DN x 0.5 m)"
        ),
        _lola_polar("LDEM_80S_80M", 7600, "LOLA GDR south polar DEM, 80 m/px, 80-90 S, 7600 x 7600 int16 (DN x 0.5 m)"),
        _lola_polar("LDEM_85S_40M", 7584, "LOLA GDR south polar DEM, 40 m/px, 85-90 S, 7584 x 7584 int16 (DN x 0.5 m)"),
    )
}
"""Products known to ``lunarops data fetch``."""


def default_cache_dir() -> Path:
    """The default download cache: the platform user cache dir of lunarops + ``/terrain``."""
    import platformdirs

    return Path(platformdirs.user_cache_path("lunarops")) / "terrain"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _verify(path: Path, remote: RemoteFile, final_path: Path) -> None:
    size = path.stat().st_size
    if remote.size_bytes is not None and size != remote.size_bytes:
        raise DataError(
            f"{final_path}: downloaded {size} bytes but {remote.url} should have {remote.size_bytes}; "
            "delete the file and fetch again"
        )
    if remote.sha256 is not None:
        got = _sha256(path)
        if got != remote.sha256.lower():
            path.unlink(missing_ok=True)
            raise DataError(
                f"{final_path}: SHA-256 {got} does not match the pinned {remote.sha256} of {remote.url}; the "
                "download is corrupt or the server's file changed; fetch again, or report the new checksum"
            )


def download_file(
    remote: RemoteFile, cache_dir: Path, progress: Progress | None = None, timeout_s: float = 30.0
) -> Path:
    """Download one file into ``cache_dir`` (resuming a ``.part`` file with HTTP Range), verify, rename.

    Returns the final path. An existing final file that passes verification is not downloaded again.
    Raises DataError when the host cannot be reached (saying where to copy the file by hand), when the
    server's answer is wrong, or on a size/SHA-256 mismatch (the bad partial file is removed).
    """
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(
            f"cache directory '{cache_dir}' cannot be created ({error.strerror}); choose a writable directory "
            "(--cache-dir)"
        ) from None
    if not os.access(cache_dir, os.W_OK):
        raise InputError(f"cache directory '{cache_dir}' is not writable; choose a writable directory (--cache-dir)")
    final = cache_dir / remote.file_name
    if final.exists():
        _verify(final, remote, final)
        if progress is not None:
            progress(1.0, f"{final.name} already in the cache")
        return final
    part = final.with_name(final.name + ".part")
    start = part.stat().st_size if part.exists() else 0
    if remote.size_bytes is not None and start > remote.size_bytes:
        part.unlink()
        start = 0
    request = urllib.request.Request(remote.url, headers={"User-Agent": "lunarops-data-fetch"})
    if start and (remote.size_bytes is None or start < remote.size_bytes):
        request.add_header("Range", f"bytes={start}-")
    host = urlparse(remote.url).netloc or remote.url
    if not (remote.size_bytes is not None and start == remote.size_bytes):
        try:
            response = urllib.request.urlopen(request, timeout=timeout_s)
        except urllib.error.HTTPError as error:
            if error.code == 416 and start:  # range not satisfiable: the part file is complete already
                response = None
            else:
                raise DataError(
                    f"{remote.url}: the server answered HTTP {error.code} {error.reason}; check the URL or try "
                    f"later, or copy {remote.file_name} into {cache_dir} manually"
                ) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise DataError(
                f"cannot reach {host} ({reason}); copy the file {remote.file_name} from {remote.url} into "
                f"{cache_dir} manually (no internet needed afterwards)"
            ) from None
        if response is not None:
            with response:
                status = getattr(response, "status", 200)
                mode = "ab" if status == 206 and start else "wb"
                done = start if mode == "ab" else 0
                length = response.headers.get("Content-Length")
                total = remote.size_bytes or ((int(length) + done) if length else None)
                try:
                    with part.open(mode) as handle:
                        while True:
                            block = response.read(_CHUNK)
                            if not block:
                                break
                            handle.write(block)
                            done += len(block)
                            if progress is not None and total:
                                progress(min(done / total, 1.0), f"{remote.file_name} {done / 1e6:.1f} MB")
                except (urllib.error.URLError, OSError) as error:
                    raise DataError(
                        f"download of {remote.url} interrupted after {done} bytes ({error}); run the same "
                        f"command again to resume from {part}"
                    ) from None
    size = part.stat().st_size if part.exists() else 0
    if remote.size_bytes is not None and size < remote.size_bytes:
        raise DataError(
            f"download of {remote.url} stopped at {size} of {remote.size_bytes} bytes; run the same command "
            f"again to resume from {part}"
        )
    if remote.size_bytes is not None and size > remote.size_bytes:
        part.unlink()
        raise DataError(
            f"{remote.url} sent {size} bytes but {remote.size_bytes} are pinned; the server's file changed, the "
            "partial file was removed; check the product and its pinned size"
        )
    _verify(part, remote, final)
    os.replace(part, final)
    return final


def find_product(name: str, registry: dict[str, Product] | None = None) -> Product:
    """The registry entry of product ``name`` (case-insensitive); InputError naming the known ones otherwise."""
    known = REGISTRY if registry is None else registry
    key = next((k for k in known if k.lower() == str(name).lower()), None)
    if key is None:
        raise InputError(f"data product {name!r} is unknown; choose one of: {', '.join(sorted(known))}")
    return known[key]


def fetch(
    name: str,
    cache_dir: str | Path | None = None,
    progress: Progress | None = None,
    registry: dict[str, Product] | None = None,
    timeout_s: float = 30.0,
) -> Path:
    """Fetch product ``name`` (see REGISTRY) into the cache; returns the path of its first file (the .img).

    The product's files (image and label) are downloaded, resumed and verified by :func:`download_file`.
    """
    product = find_product(name, registry)
    directory = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    paths = []
    n = len(product.files)
    for i, remote in enumerate(product.files):

        def sub(fraction: float, message: str, i: int = i) -> None:
            if progress is not None:
                progress((i + fraction) / n, message)

        paths.append(download_file(remote, directory, sub, timeout_s))
    return paths[0]
