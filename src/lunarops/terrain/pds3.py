"""Reader for PDS3 IMG images with a detached (.LBL) or attached label: LOLA LDEM and polar DEM products.

Label keywords honoured: ^IMAGE (file name, record or byte offset), RECORD_BYTES, LINES, LINE_SAMPLES,
SAMPLE_TYPE, SAMPLE_BITS, SCALING_FACTOR, OFFSET, UNIT, MISSING_CONSTANT, and in IMAGE_MAP_PROJECTION:
MAP_PROJECTION_TYPE ("SIMPLE CYLINDRICAL" | "EQUIRECTANGULAR" | "POLAR STEREOGRAPHIC"), MAP_RESOLUTION,
MAP_SCALE, LINE/SAMPLE_PROJECTION_OFFSET, CENTER_LATITUDE/LONGITUDE, A_AXIS_RADIUS and the
MINIMUM/MAXIMUM_LATITUDE, WESTERNMOST/EASTERNMOST_LONGITUDE cross-checks.

Pixel convention (PDS Standards Reference, LOLA DSMAP.CAT), 0-based row r / column c of cell centres:
simple cylindrical: lat = CENTER_LAT - (r - LINE_PROJECTION_OFFSET) / MAP_RESOLUTION,
lon = CENTER_LON + (c - SAMPLE_PROJECTION_OFFSET) / MAP_RESOLUTION;
polar stereographic: x = (c - SAMPLE_PROJECTION_OFFSET) * MAP_SCALE, y = (LINE_PROJECTION_OFFSET - r) * MAP_SCALE.
Heights: DN * SCALING_FACTOR (+ OFFSET when OFFSET is a height, not the reference radius), in UNIT.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from lunarops.constants import MOON_RADIUS_M
from lunarops.errors import DataError, InputError
from lunarops.terrain.dem import Dem
from lunarops.terrain.georef import Equirectangular, Georeference, PolarStereographic

_DTYPES = {
    ("LSB_INTEGER", 8): "i1",
    ("MSB_INTEGER", 8): "i1",
    ("UNSIGNED_INTEGER", 8): "u1",
    ("LSB_UNSIGNED_INTEGER", 8): "u1",
    ("MSB_UNSIGNED_INTEGER", 8): "u1",
    ("LSB_INTEGER", 16): "<i2",
    ("MSB_INTEGER", 16): ">i2",
    ("INTEGER", 16): ">i2",
    ("SUN_INTEGER", 16): ">i2",
    ("MAC_INTEGER", 16): ">i2",
    ("PC_INTEGER", 16): "<i2",
    ("VAX_INTEGER", 16): "<i2",
    ("LSB_UNSIGNED_INTEGER", 16): "<u2",
    ("MSB_UNSIGNED_INTEGER", 16): ">u2",
    ("UNSIGNED_INTEGER", 16): ">u2",
    ("PC_UNSIGNED_INTEGER", 16): "<u2",
    ("LSB_INTEGER", 32): "<i4",
    ("MSB_INTEGER", 32): ">i4",
    ("PC_INTEGER", 32): "<i4",
    ("LSB_UNSIGNED_INTEGER", 32): "<u4",
    ("MSB_UNSIGNED_INTEGER", 32): ">u4",
    ("PC_REAL", 32): "<f4",
    ("IEEE_REAL", 32): ">f4",
    ("FLOAT", 32): ">f4",
    ("REAL", 32): ">f4",
    ("MAC_REAL", 32): ">f4",
    ("SUN_REAL", 32): ">f4",
    ("PC_REAL", 64): "<f8",
    ("IEEE_REAL", 64): ">f8",
    ("MAC_REAL", 64): ">f8",
    ("SUN_REAL", 64): ">f8",
}


def parse_pds3_label(text: str, source: str = "label") -> dict[str, Any]:
    """Parse PDS3 ODL label text into nested dicts: ``{"KEY": "value", "OBJECT_NAME": {...}}``.

    Values are kept as text (quotes stripped; units like ``<km>`` kept); duplicate object names get
    suffixes ``#2``, ``#3``. Parsing stops at the END statement.
    """
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    root: dict[str, Any] = {}
    stack: list[dict[str, Any]] = [root]
    i = 0
    lines = text.splitlines()
    while i < len(lines):
        line = lines[i].strip()
        i += 1
        if not line:
            continue
        if line == "END":
            break
        if "=" not in line:
            continue
        key, _, value = (part.strip() for part in line.partition("="))
        # Multi-line values: quoted strings and {...} / (...) sets continue until they close.
        while (
            value.count('"') % 2 == 1 or value.count("{") > value.count("}") or value.count("(") > value.count(")")
        ) and i < len(lines):
            value += " " + lines[i].strip()
            i += 1
        if key == "OBJECT" or key == "GROUP":
            child: dict[str, Any] = {}
            name = value.strip('"')
            target = stack[-1]
            unique = name
            n = 2
            while unique in target:
                unique = f"{name}#{n}"
                n += 1
            target[unique] = child
            stack.append(child)
        elif key in ("END_OBJECT", "END_GROUP"):
            if len(stack) == 1:
                raise DataError(f"{source}: unbalanced {key} in the PDS3 label; the label is corrupt, get a fresh copy")
            stack.pop()
        else:
            stack[-1][key] = value.strip().strip('"').strip()
    if len(stack) != 1:
        raise DataError(
            f"{source}: OBJECT without END_OBJECT in the PDS3 label; the label is truncated, get a fresh copy"
        )
    return root


def _number(obj: dict[str, Any], key: str, source: str, default: float | None = None) -> tuple[float, str]:
    """Number and unit (lower case, '' when none) of label field ``key``."""
    if key not in obj:
        if default is not None:
            return default, ""
        raise DataError(
            f"{source}: PDS3 label field {key} is missing; the label is incomplete, get the product's own .LBL"
        )
    raw = str(obj[key])
    match = re.fullmatch(r"\s*([-+]?[0-9.]+(?:[eEdD][-+]?[0-9]+)?)\s*(?:<\s*([^>]*)\s*>)?\s*", raw)
    if match is None:
        if raw.upper().startswith("16#"):  # PDS hex literal, e.g. 16#FF7FFFFB#
            return float(int(raw.strip("#")[3:].rstrip("#"), 16)), ""
        raise DataError(f"{source}: PDS3 label field {key} = {raw!r} is not a number; fix or replace the label")
    return float(match.group(1).replace("d", "e").replace("D", "e")), (match.group(2) or "").strip().lower()


def _length_m(value: float, unit: str) -> float:
    if unit in ("km", "kilometer", "kilometers", "km/pixel", "km/pix", "kilometers/pixel"):
        return value * 1000.0
    return value


def _find_map_projection(label: dict[str, Any]) -> dict[str, Any] | None:
    for key, value in label.items():
        if isinstance(value, dict):
            if key.startswith("IMAGE_MAP_PROJECTION"):
                return value
            found = _find_map_projection(value)
            if found is not None:
                return found
    return None


def _find_image(label: dict[str, Any]) -> dict[str, Any] | None:
    for key, value in label.items():
        if isinstance(value, dict):
            if key == "IMAGE":
                return value
            found = _find_image(value)
            if found is not None:
                return found
    return None


def _find_key(label: dict[str, Any], key: str) -> Any:
    if key in label:
        return label[key]
    for value in label.values():
        if isinstance(value, dict):
            found = _find_key(value, key)
            if found is not None:
                return found
    return None


def _image_location(label: dict[str, Any], label_path: Path, attached: bool) -> tuple[Path, int]:
    """(data file, byte offset) from the ^IMAGE pointer."""
    pointer = _find_key(label, "^IMAGE")
    src = str(label_path)
    if pointer is None:
        raise DataError(f"{src}: PDS3 label has no ^IMAGE pointer; use the product's own .LBL file")
    record_bytes = _find_key(label, "RECORD_BYTES")
    pointer = str(pointer).strip()
    file_name: str | None = None
    offset_bytes = 0
    m_tuple = re.fullmatch(r'\(\s*"?([^",]+)"?\s*,\s*([0-9]+)\s*(<\s*BYTES\s*>)?\s*\)', pointer, flags=re.I)
    m_num = re.fullmatch(r"([0-9]+)\s*(<\s*BYTES\s*>)?", pointer, flags=re.I)
    if m_tuple:
        file_name = m_tuple.group(1).strip()
        start, in_bytes = int(m_tuple.group(2)), m_tuple.group(3) is not None
    elif m_num:
        start, in_bytes = int(m_num.group(1)), m_num.group(2) is not None
    else:
        file_name, start, in_bytes = pointer.strip('"'), 1, False
    if in_bytes:
        offset_bytes = start - 1
    elif start > 1:
        if record_bytes is None:
            raise DataError(f"{src}: ^IMAGE points at record {start} but RECORD_BYTES is missing; fix the label")
        offset_bytes = (start - 1) * int(float(str(record_bytes).split("<")[0]))
    if file_name is None:
        if not attached:
            raise DataError(f"{src}: ^IMAGE = {pointer} gives no file name in a detached label; fix the label")
        return label_path, offset_bytes
    data_path = label_path.parent / file_name
    if not data_path.exists():
        candidates = [p for p in label_path.parent.iterdir() if p.name.lower() == file_name.lower()]
        if not candidates:
            raise DataError(f"{src}: the image file {file_name} named by ^IMAGE is missing; put it next to the label")
        data_path = candidates[0]
    return data_path, offset_bytes


def _georeference(proj: dict[str, Any], shape: tuple[int, int], source: str) -> Georeference:
    ny, nx = shape
    kind = str(proj.get("MAP_PROJECTION_TYPE", "")).upper().replace("_", " ").strip()
    radius_km, unit = _number(proj, "A_AXIS_RADIUS", source, default=MOON_RADIUS_M / 1000.0)
    radius_m = radius_km * 1000.0 if unit in ("", "km", "kilometer", "kilometers") else radius_km
    lpo, _ = _number(proj, "LINE_PROJECTION_OFFSET", source)
    spo, _ = _number(proj, "SAMPLE_PROJECTION_OFFSET", source)
    clat, _ = _number(proj, "CENTER_LATITUDE", source)
    clon, _ = _number(proj, "CENTER_LONGITUDE", source)
    if kind in ("SIMPLE CYLINDRICAL", "EQUIRECTANGULAR"):
        if abs(clat) > 1e-9:
            raise DataError(
                f"{source}: CENTER_LATITUDE = {clat} in a {kind} label is not supported (only 0); "
                "reproject the product to a 0-centred simple cylindrical grid"
            )
        res, _ = _number(proj, "MAP_RESOLUTION", source)
        if not res > 0:
            raise DataError(f"{source}: MAP_RESOLUTION = {res} must be > 0 pixels/degree; fix the label")
        geo = Equirectangular(
            lon_min_deg=clon - (spo + 0.5) / res,
            lat_max_deg=clat + (lpo + 0.5) / res,
            pixel_width_deg=1.0 / res,
            pixel_height_deg=1.0 / res,
            ncols=nx,
            radius_m=radius_m,
        )
        checks = [
            ("MAXIMUM_LATITUDE", geo.lat_max_deg),
            ("MINIMUM_LATITUDE", geo.lat_max_deg - ny / res),
            ("WESTERNMOST_LONGITUDE", geo.lon_min_deg),
            ("EASTERNMOST_LONGITUDE", geo.lon_min_deg + nx / res),
        ]
        for key, expected in checks:
            if key in proj:
                got, _ = _number(proj, key, source)
                diff = (got - expected) if "LATITUDE" in key else ((got - expected + 180.0) % 360.0 - 180.0)
                if abs(diff) > 0.5 / res + 1e-9 and not ("LONGITUDE" in key and abs(abs(diff) - 360) < 1e-9):
                    raise DataError(
                        f"{source}: label field {key} = {got} disagrees with the grid implied by "
                        f"LINES/LINE_SAMPLES/MAP_RESOLUTION/PROJECTION_OFFSET ({expected:.6f}); the label does not "
                        "match the image, get the product's own label"
                    )
        return geo
    if kind == "POLAR STEREOGRAPHIC":
        if abs(abs(clat) - 90.0) > 1e-9:
            raise DataError(
                f"{source}: CENTER_LATITUDE = {clat} in a POLAR STEREOGRAPHIC label must be +90 or -90; fix the label"
            )
        scale, scale_unit = _number(proj, "MAP_SCALE", source)
        scale_m = _length_m(scale, scale_unit)
        if not scale_m > 0:
            raise DataError(f"{source}: MAP_SCALE = {scale} must be > 0; fix the label")
        return PolarStereographic(
            south=clat < 0,
            x_min_m=(-0.5 - spo) * scale_m,
            y_max_m=(lpo + 0.5) * scale_m,
            pixel_width_m=scale_m,
            pixel_height_m=scale_m,
            radius_m=radius_m,
            scale_factor=1.0,
            central_longitude_deg=clon,
        )
    raise DataError(
        f"{source}: MAP_PROJECTION_TYPE = {kind!r} is not supported; supported: SIMPLE CYLINDRICAL, "
        "EQUIRECTANGULAR, POLAR STEREOGRAPHIC"
    )


def _label_text_and_path(path: Path) -> tuple[str, Path, bool]:
    """(label text, label path, attached?) for an .IMG or .LBL path."""
    if not path.exists():
        raise DataError(f"{path}: file not found; check the path")
    if path.suffix.upper() == ".LBL":
        return path.read_text(encoding="latin-1"), path, False
    with path.open("rb") as handle:
        head = handle.read(65536)
    if head.lstrip().startswith(b"PDS_VERSION_ID"):
        end = re.search(rb"\r?\nEND\s*\r?\n", head)
        text = (head[: end.end()] if end else head).decode("latin-1")
        return text, path, True
    for suffix in (".LBL", ".lbl", ".Lbl"):
        candidate = path.with_suffix(suffix)
        if candidate.exists():
            return candidate.read_text(encoding="latin-1"), candidate, False
    raise DataError(
        f"{path}: no PDS3 label: neither an attached label nor a .LBL file next to it; put the product's "
        ".LBL file beside the .IMG"
    )


def read_pds3(path: str | Path, name: str | None = None) -> Dem:
    """Read a PDS3 IMG DEM (LOLA LDEM / polar products) with its label into a :class:`Dem` [m].

    ``path`` is the .IMG (label attached, or a .LBL beside it) or the .LBL. Heights are converted to metres
    above the reference sphere; MISSING_CONSTANT cells become NaN. Any inconsistency between label and file
    raises DataError naming the file, the field and the fix.
    """
    path = Path(path)
    text, label_path, attached = _label_text_and_path(path)
    src = str(label_path)
    label = parse_pds3_label(text, src)
    if "PDS_VERSION_ID" not in label:
        raise DataError(f"{src}: not a PDS3 label (no PDS_VERSION_ID); give the product's .LBL or .IMG")
    image = _find_image(label)
    if image is None:
        raise DataError(f"{src}: PDS3 label has no IMAGE object; give the label of an image product")
    lines = int(_number(image, "LINES", src)[0])
    samples = int(_number(image, "LINE_SAMPLES", src)[0])
    bits = int(_number(image, "SAMPLE_BITS", src)[0])
    sample_type = str(image.get("SAMPLE_TYPE", "")).upper().replace(" ", "_")
    if lines <= 0 or samples <= 0:
        raise DataError(f"{src}: LINES = {lines}, LINE_SAMPLES = {samples} must be positive; fix the label")
    dtype_code = _DTYPES.get((sample_type, bits))
    if dtype_code is None:
        raise DataError(
            f"{src}: SAMPLE_TYPE = {sample_type!r} with SAMPLE_BITS = {bits} is not supported; expected e.g. "
            "LSB_INTEGER/16, MSB_INTEGER/16, PC_REAL/32, IEEE_REAL/32"
        )
    prefix_bytes = int(_number(image, "LINE_PREFIX_BYTES", src, default=0.0)[0])
    suffix_bytes = int(_number(image, "LINE_SUFFIX_BYTES", src, default=0.0)[0])
    if prefix_bytes or suffix_bytes:
        raise DataError(f"{src}: LINE_PREFIX_BYTES/LINE_SUFFIX_BYTES are not supported; strip them first")
    dtype = np.dtype(dtype_code)
    data_path, offset = _image_location(label, label_path, attached)
    needed = offset + lines * samples * dtype.itemsize
    size = data_path.stat().st_size
    if size < needed:
        raise DataError(
            f"{data_path}: file is {size} bytes but the label (^IMAGE offset {offset}, LINES = {lines}, "
            f"LINE_SAMPLES = {samples}, SAMPLE_BITS = {bits}) needs {needed}; the file is truncated or does "
            "not belong to this label, download it again"
        )
    raw = np.fromfile(data_path, dtype=dtype, count=lines * samples, offset=offset).reshape(lines, samples)
    scale, _ = _number(image, "SCALING_FACTOR", src, default=1.0)
    offset_value, _ = _number(image, "OFFSET", src, default=0.0)
    unit = str(image.get("UNIT", "METER")).upper().strip()
    heights = raw.astype(np.float64) * scale
    try:
        geo = _georeference(_find_map_projection(label) or _missing_projection(src), (lines, samples), src)
    except InputError as error:
        raise DataError(f"{src}: the label's map projection gives an invalid grid ({error}); fix the label") from None
    unit_m = 1000.0 if unit.startswith("KILOMETER") or unit == "KM" else 1.0
    if unit_m == 1.0 and not (unit.startswith("METER") or unit == "M"):
        raise DataError(f"{src}: IMAGE UNIT = {unit!r} is not a length unit (METER or KILOMETER); fix the label")
    # OFFSET equal to the reference radius means "heights are relative to that radius" (LOLA GDR labels).
    if abs(offset_value * unit_m - geo.radius_m) > 1.0:
        heights = heights + offset_value
    heights *= unit_m
    missing = image.get("MISSING_CONSTANT")
    if missing is not None:
        missing_value = _number(image, "MISSING_CONSTANT", src)[0]
        heights[raw == np.array(missing_value).astype(dtype)] = np.nan
    if np.issubdtype(dtype, np.floating):
        heights[~np.isfinite(raw) | (np.abs(raw) > 1e30)] = np.nan
    if not np.any(np.isfinite(heights)):
        raise DataError(f"{data_path}: every cell is missing data; the file is corrupt, download it again")
    valid_raw = raw[np.isfinite(heights)]
    # The label's MAXIMUM/MINIMUM (in DN) must match the data to 1 % of the stated range (real labels can be
    # off by a DN or so; a wrong byte order or sample type is off by far more).
    if "MAXIMUM" in image and "MINIMUM" in image:
        tolerance = 0.01 * abs(_number(image, "MAXIMUM", src)[0] - _number(image, "MINIMUM", src)[0]) + 1.0
    else:
        tolerance = math.inf
    for key, value in (("MAXIMUM", valid_raw.max()), ("MINIMUM", valid_raw.min())):
        if key in image:
            stated = _number(image, key, src)[0]
            if abs(float(value) - stated) > tolerance:
                raise DataError(
                    f"{data_path}: the data's {key.lower()} is {float(value):g} but the label says {key} = {stated:g}; "
                    "the label does not describe this file (wrong SAMPLE_TYPE, byte order or image), get the "
                    "product's own label"
                )
    extreme = np.nanmax(np.abs(heights))
    if extreme > 50_000.0:
        raise DataError(
            f"{data_path}: heights up to {extreme:.0f} m after SCALING_FACTOR/OFFSET/UNIT; the label does not "
            "describe this file (wrong SAMPLE_TYPE, byte order or scaling), get the product's own label"
        )
    try:
        return Dem(heights, geo, name or data_path.stem)
    except InputError as error:
        raise DataError(f"{src}: the label describes an invalid DEM ({error}); fix the label") from None


def _missing_projection(source: str) -> dict[str, Any]:
    raise DataError(f"{source}: PDS3 label has no IMAGE_MAP_PROJECTION object; a georeferenced DEM label is needed")
