"""Shipped image basemaps for maps: LROC WAC mosaics and a LOLA hillshade, with their georeferences."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from lunarops.constants import MOON_RADIUS_M
from lunarops.errors import DataError, InputError
from lunarops.terrain.georef import Equirectangular, Georeference, PolarStereographic

# name -> (file, pixels per side / shape, grid); grids from the lunar-toolkit manifest.json (see PROVENANCE.md):
# south polar stereographic square +-609.6 km; global equirectangular -180..180 E, 90..-90 N.
BASEMAPS: dict[str, str] = {
    "wac_south": "wac_south.jpg",
    "wac_global": "wac_global.jpg",
    "lola_shade_south": "lola_shade_south.jpg",
}
"""Shipped basemap names and files (under lunarops/data/basemaps)."""

_POLAR_HALF_WIDTH_M = 609_600.0


def basemap_path(name: str) -> Path:
    """Path of a shipped basemap image."""
    if not isinstance(name, str) or name not in BASEMAPS:
        raise InputError(f"basemap {name!r} is unknown; choose one of {', '.join(BASEMAPS)}")
    return Path(str(resources.files("lunarops") / "data" / "basemaps" / BASEMAPS[name]))


def load_basemap(name: str) -> tuple[NDArray[np.uint8], Georeference]:
    """A shipped basemap: (greyscale image (ny, nx) uint8, its georeference).

    "wac_south" (LROC WAC mosaic) and "lola_shade_south" (LOLA hillshade): south polar stereographic on the
    1737.4 km sphere over x, y in [-609.6, 609.6] km; "wac_global": equirectangular, lon -180..180 E,
    lat 90..-90 N. Row/col conventions as in :mod:`lunarops.terrain.georef`.
    """
    basemap_path(name)  # InputError for an unknown name (before the cache, which needs a hashable name)
    return _load_basemap(name)


@lru_cache(maxsize=4)
def _load_basemap(name: str) -> tuple[NDArray[np.uint8], Georeference]:
    from PIL import Image

    path = basemap_path(name)
    try:
        with Image.open(path) as img:
            image = np.asarray(img.convert("L"), dtype=np.uint8)
    except (OSError, ValueError) as error:
        raise DataError(f"{path}: cannot read the basemap ({error}); reinstall lunarops") from None
    image.setflags(write=False)
    ny, nx = image.shape
    geo: Georeference
    if name.endswith("_global"):
        geo = Equirectangular(-180.0, 90.0, 360.0 / nx, 180.0 / ny, nx, MOON_RADIUS_M)
    else:
        geo = PolarStereographic(
            south=True,
            x_min_m=-_POLAR_HALF_WIDTH_M,
            y_max_m=_POLAR_HALF_WIDTH_M,
            pixel_width_m=2 * _POLAR_HALF_WIDTH_M / nx,
            pixel_height_m=2 * _POLAR_HALF_WIDTH_M / ny,
            radius_m=MOON_RADIUS_M,
        )
    return image, geo
