"""DEM readers: GeoTIFF, PDS3 (see :mod:`lunarops.terrain.pds3`), the shipped .npz DEMs, and ``load_dem``."""

from __future__ import annotations

import json
import logging
import os
import zipfile
import zlib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from lunarops.atomic import write_atomic
from lunarops.errors import DataError, InputError
from lunarops.terrain.dem import Dem
from lunarops.terrain.georef import Equirectangular, Georeference, PolarStereographic, georeference_from_dict
from lunarops.terrain.pds3 import read_pds3

EMBEDDED_DEMS = ("south", "north", "global")
"""Names of the DEMs shipped in the package (LOLA, converted from the lunar-toolkit GeoTIFFs)."""

#: the DEM file kinds `load_dem` reads: GeoTIFF, PDS3 (image or label), lunarops' own .npz
DEM_SUFFIXES = (".tif", ".tiff", ".img", ".lbl", ".npz")

# GeoTIFF key codes (GeoTIFF 1.1, OGC 19-008r4): coordinate transformation codes.
_CT_POLAR_STEREOGRAPHIC = 15
_CT_EQUIRECTANGULAR = 17


def _geokey(meta: dict[str, Any], name: str) -> Any:
    value: Any = meta.get(name)
    return int(value) if hasattr(value, "value") and not isinstance(value, float) else value


def _geotiff_georeference(
    meta: dict[str, Any],
    src: str,
    model_type: Any,
    x_edge: float,
    y_edge: float,
    sx: float,
    sy: float,
    nx: int,
    radius_m: float,
) -> Georeference:
    """The georeference of a GeoTIFF from its GeoKeys (DataError for unsupported ones; InputError from the
    georeference classes for invalid values)."""
    geo: Georeference
    if model_type == 2:
        geo = Equirectangular(x_edge, y_edge, sx, sy, nx, radius_m)
    elif model_type == 1:
        transform = _geokey(meta, "ProjCoordTransGeoKey")
        units = _geokey(meta, "ProjLinearUnitsGeoKey")
        if units not in (None, 9001):
            raise DataError(f"{src}: ProjLinearUnitsGeoKey = {units} is not metres (9001); reproject to metres")
        if transform == _CT_POLAR_STEREOGRAPHIC:
            lat0 = meta.get("ProjNatOriginLatGeoKey")
            if lat0 is None or abs(abs(float(lat0)) - 90.0) > 1e-9:
                raise DataError(
                    f"{src}: polar stereographic with ProjNatOriginLatGeoKey = {lat0}; only polar aspects "
                    "(+-90) are supported"
                )
            lon0 = meta.get("ProjStraightVertPoleLongGeoKey", meta.get("ProjNatOriginLongGeoKey", 0.0))
            k0 = meta.get("ProjScaleAtNatOriginGeoKey", 1.0)
            fe = float(meta.get("ProjFalseEastingGeoKey", 0.0) or 0.0)
            fn = float(meta.get("ProjFalseNorthingGeoKey", 0.0) or 0.0)
            geo = PolarStereographic(
                south=float(lat0) < 0,
                x_min_m=x_edge - fe,
                y_max_m=y_edge - fn,
                pixel_width_m=sx,
                pixel_height_m=sy,
                radius_m=radius_m,
                scale_factor=float(k0),
                central_longitude_deg=float(lon0),
            )
        elif transform == _CT_EQUIRECTANGULAR:
            lat_ts = float(meta.get("ProjStdParallel1GeoKey", 0.0) or 0.0)
            lon0 = float(meta.get("ProjCenterLongGeoKey", meta.get("ProjNatOriginLongGeoKey", 0.0)) or 0.0)
            fe = float(meta.get("ProjFalseEastingGeoKey", 0.0) or 0.0)
            fn = float(meta.get("ProjFalseNorthingGeoKey", 0.0) or 0.0)
            k = np.degrees(1.0 / radius_m)
            kx = k / np.cos(np.radians(lat_ts))
            geo = Equirectangular(lon0 + (x_edge - fe) * kx, (y_edge - fn) * k, sx * kx, sy * k, nx, radius_m)
        else:
            raise DataError(
                f"{src}: ProjCoordTransGeoKey = {transform} is not supported; supported: polar stereographic "
                "(15), equirectangular (17), or geographic lon/lat"
            )
    else:
        raise DataError(f"{src}: GTModelTypeGeoKey = {model_type} is not projected (1) or geographic (2)")
    return geo


def read_geotiff(path: str | Path, name: str | None = None) -> Dem:
    """Read a single-band GeoTIFF DEM (heights [m] above the reference sphere) honouring its georeference.

    Supported: geographic (lon/lat degrees) grids, projected polar stereographic (CT 15) and equirectangular
    (CT 17) grids in metres, pixel-is-area or pixel-is-point, from ModelTiepoint + ModelPixelScale. The sphere
    radius comes from GeogSemiMajorAxisGeoKey. GDAL_NODATA cells become NaN. Raises DataError naming the file,
    the tag and the fix.
    """
    import tifffile

    path = Path(path)
    src = str(path)
    if not path.exists():
        raise DataError(f"{src}: file not found; check the path")
    tiff_log = logging.getLogger("tifffile")  # a damaged file's tags are reported below, once, not logged
    level = tiff_log.level
    tiff_log.setLevel(logging.CRITICAL)
    try:
        with tifffile.TiffFile(path) as tif:
            page = tif.pages.first
            meta = tif.geotiff_metadata
            tags = {tag.name: tag.value for tag in page.tags.values()}
            data = page.asarray()
    except DataError:
        raise
    except Exception as error:
        raise DataError(
            f"{src}: cannot read the GeoTIFF ({type(error).__name__}: {error}); the file is corrupt or truncated, "
            "download it again"
        ) from None
    finally:
        tiff_log.setLevel(level)
    if meta is None:
        raise DataError(f"{src}: no GeoTIFF tags (GeoKeyDirectory); a georeferenced GeoTIFF is needed")
    if data.ndim != 2:
        raise DataError(f"{src}: image has shape {data.shape}; a single-band 2-D DEM is needed")
    if "ModelTransformation" in meta or "ModelTransformationTag" in tags:
        raise DataError(f"{src}: ModelTransformationTag (rotated/sheared grids) is not supported; reproject north-up")
    scale = meta.get("ModelPixelScale")
    tie = meta.get("ModelTiepoint")
    if scale is None or tie is None or len(tie) < 6:
        raise DataError(f"{src}: ModelPixelScaleTag or ModelTiepointTag missing; the GeoTIFF is not georeferenced")
    sx, sy = float(scale[0]), float(scale[1])
    if not (sx > 0 and sy > 0):
        raise DataError(f"{src}: ModelPixelScaleTag = {list(scale)} must be positive; fix the file")
    i_tie, j_tie, x_tie, y_tie = float(tie[0]), float(tie[1]), float(tie[3]), float(tie[4])
    raster_type = _geokey(meta, "GTRasterTypeGeoKey") or 1
    shift = 0.5 if raster_type == 2 else 0.0  # PixelIsPoint: the tie point is a cell centre
    x_edge = x_tie - (i_tie + shift) * sx
    y_edge = y_tie + (j_tie + shift) * sy
    radius = meta.get("GeogSemiMajorAxisGeoKey")
    if radius is None:
        raise DataError(
            f"{src}: GeogSemiMajorAxisGeoKey missing, so the reference sphere is unknown; write the Moon sphere "
            "(1737400 m) into the file's GeoKeys"
        )
    radius_m = float(radius)
    if not (np.isfinite(radius_m) and radius_m > 0):
        raise DataError(f"{src}: GeogSemiMajorAxisGeoKey = {radius_m} must be a radius > 0 [m]; write 1737400 (Moon)")
    minor = meta.get("GeogSemiMinorAxisGeoKey")
    if minor is not None and abs(float(minor) - radius_m) > 1.0:
        raise DataError(f"{src}: ellipsoid {radius_m} x {float(minor)} m is not a sphere; a spherical datum is needed")
    model_type = _geokey(meta, "GTModelTypeGeoKey")
    try:
        geo = _geotiff_georeference(meta, src, model_type, x_edge, y_edge, sx, sy, data.shape[1], radius_m)
    except InputError as error:
        raise DataError(f"{src}: the GeoTIFF tags give an invalid grid ({error}); fix its georeference") from None
    heights = data.astype(np.float64 if data.dtype.itemsize > 4 else np.float32)
    nodata = tags.get("GDAL_NODATA")
    if nodata is not None:
        try:
            heights[data == float(str(nodata).strip("\x00 "))] = np.nan
        except ValueError:
            raise DataError(f"{src}: GDAL_NODATA = {nodata!r} is not a number; fix the tag") from None
    if not np.any(np.isfinite(heights)):
        raise DataError(f"{src}: every cell is no-data; the file is corrupt")
    return Dem(np.asarray(heights, dtype=heights.dtype), geo, name or path.stem)


def save_npz(dem: Dem, path: str | Path, source: str = "") -> None:
    """Write a DEM as compressed .npz (int16 metres when exactly representable, else float32) + JSON georef.

    ``path`` must end in .npz; the .json is written beside it. Missing parent directories are created and both
    files are written atomically. InputError when the path cannot be written.
    """
    if not isinstance(dem, Dem):
        raise InputError(f"dem must be a lunarops.terrain.Dem (e.g. from load_dem), got {type(dem).__name__}")
    if not isinstance(path, str | os.PathLike):
        raise InputError(f"path = {path!r} must be a file path ending in .npz")
    path = Path(path)
    if path.suffix.lower() != ".npz":
        raise InputError(f"path = {str(path)!r} must end in .npz (load_dem picks the reader by extension)")
    h = np.asarray(dem.heights_m)
    finite = np.isfinite(h)
    if np.all(np.round(h[finite]) == h[finite]) and np.nanmax(np.abs(h)) < 32767:
        stored = np.where(finite, h, -32768).astype(np.int16)
    else:
        stored = h.astype(np.float32)
    meta = {"name": dem.name, "shape": list(dem.shape), "georeference": dem.georeference.to_dict(), "source": source}
    text = json.dumps(meta, indent=2) + "\n"

    def write_npz(tmp: Path) -> None:
        with open(tmp, "wb") as file:  # a handle: numpy would append .npz to the temporary name
            np.savez_compressed(file, heights_m=stored)

    try:
        write_atomic(path, write_npz)
        write_atomic(path.with_suffix(".json"), lambda tmp: tmp.write_text(text, encoding="utf-8"))
    except OSError as error:
        raise InputError(
            f"cannot write the DEM to {str(path)!r} ({error.strerror or error}); choose a writable path"
        ) from None


def read_npz(path: str | Path) -> Dem:
    """Read a DEM written by :func:`save_npz` (the .npz with its .json beside it)."""
    path = Path(path)
    meta_path = path.with_suffix(".json")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        with open(path, "rb") as file, np.load(file) as npz:  # our handle: numpy leaks its own on a bad archive
            stored = npz["heights_m"]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error) as error:
        raise DataError(f"{path}: cannot read the DEM ({error}); reinstall lunarops or regenerate the file") from None
    if not isinstance(meta, dict):
        raise DataError(f"{meta_path}: holds a JSON {type(meta).__name__}, not an object; regenerate it with save_npz")
    for field in ("shape", "georeference"):
        if field not in meta:
            raise DataError(f"{meta_path}: field {field!r} is missing; regenerate the file with save_npz")
    if list(stored.shape) != list(meta.get("shape", [])):
        raise DataError(f"{path}: heights shape {stored.shape} differs from {meta_path.name} shape {meta.get('shape')}")
    if stored.dtype.kind not in "iuf":
        raise DataError(f"{path}: heights_m has dtype {stored.dtype}, not numbers; regenerate the file")
    heights = stored.astype(np.float32)
    if stored.dtype == np.int16:
        heights[stored == -32768] = np.nan
    geo = georeference_from_dict(meta["georeference"], str(meta_path))
    try:
        return Dem(heights, geo, str(meta.get("name", path.stem)))
    except InputError as error:
        raise DataError(f"{path}: {error}; regenerate the file") from None


def embedded_dem_path(name: str) -> Path:
    """Path of a shipped DEM (.npz) by name: 'south', 'north' or 'global'."""
    return Path(str(resources.files("lunarops") / "data" / "terrain" / f"lola_dem_{name}.npz"))


@lru_cache(maxsize=8)
def _load_embedded(name: str) -> Dem:
    path = embedded_dem_path(name)
    if not path.exists():
        raise DataError(f"{path}: the shipped DEM '{name}' is missing from the installation; reinstall lunarops")
    dem = read_npz(path)
    dem.heights_m.setflags(write=False)
    return dem


def load_dem(name_or_path: str | Path) -> Dem:
    """Load a DEM: "south" | "north" | "global" (shipped LOLA DEMs) or a path (.tif/.tiff GeoTIFF, .img/.lbl
    PDS3, .npz from :func:`save_npz`).

    Shipped DEMs: LOLA 1600 m polar stereographic grids (762 x 762, +-609.6 km, about 70-90 deg) and a
    0.25 deg global grid; heights [m] above the 1737.4 km sphere (see data/terrain/PROVENANCE.md).
    """
    if isinstance(name_or_path, str) and name_or_path in EMBEDDED_DEMS:
        return _load_embedded(name_or_path)
    if not isinstance(name_or_path, str | os.PathLike) or not str(name_or_path).strip():
        raise InputError(
            f"DEM {name_or_path!r} must be a shipped DEM name ({', '.join(EMBEDDED_DEMS)}) or a path to a GeoTIFF "
            "(.tif/.tiff), PDS3 (.img/.lbl) or .npz file"
        )
    path = Path(name_or_path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError(
            f"DEM {str(name_or_path)!r} is neither a shipped DEM ({', '.join(EMBEDDED_DEMS)}) nor an existing "
            "file; give one of those names or a path to a GeoTIFF / PDS3 .IMG/.LBL file"
        )
    reader = {".tif": read_geotiff, ".tiff": read_geotiff, ".img": read_pds3, ".lbl": read_pds3, ".npz": read_npz}
    if suffix in reader:
        return reader[suffix](path)
    raise InputError(
        f"DEM file {str(path)!r} has an unknown extension {suffix!r}; use .tif/.tiff (GeoTIFF), "
        ".img/.lbl (PDS3) or .npz"
    )
