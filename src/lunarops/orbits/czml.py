"""CZML (czml3) of orbiter tracks in the Moon-fixed (ME) frame, for the web's CesiumJS Moon (Ellipsoid.MOON).

Positions are sampled Cartesian coordinates [m] in the Moon ME frame with ``referenceFrame: FIXED`` (Cesium's
globe-fixed frame, here the Moon's); times are ISO 8601 UTC offsets from the document epoch.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np
from czml3 import CZML_VERSION, Document, Packet
from czml3.enums import InterpolationAlgorithms
from czml3.properties import Color, Path, Point, PolylineMaterial, Position, SolidColorMaterial
from czml3.types import TimeInterval

from lunarops.orbits.tracks import Track

_COLOURS = [(255, 196, 0, 255), (0, 200, 255, 255), (255, 80, 80, 255), (120, 255, 120, 255)]


def _preamble(name: str) -> Packet:
    return Packet(id="document", name=name, version=CZML_VERSION)


def tracks_to_czml(
    tracks: Sequence[Track], epoch_utc: datetime, max_samples: int = 3000, name: str = "lunarops orbits"
) -> str:
    """A CZML document (JSON text): one sampled-position packet per track, at most ``max_samples``."""
    if not tracks:
        return Document(packets=[_preamble(name)]).dumps()
    seconds = tracks[0].seconds
    stride = max(1, int(np.ceil(seconds.size / max_samples)))
    start = epoch_utc
    end = epoch_utc + timedelta(seconds=float(seconds[-1]))
    interval = TimeInterval(start=start, end=end)
    packets: list[Packet] = [_preamble(name)]
    for k, track in enumerate(tracks):
        idx = np.arange(0, track.seconds.size, stride)
        if idx[-1] != track.seconds.size - 1:
            idx = np.append(idx, track.seconds.size - 1)
        samples = np.column_stack([track.seconds[idx], track.position_me_m[:, idx].T]).ravel().tolist()
        colour = _COLOURS[k % len(_COLOURS)]
        period_guess = float(track.seconds[-1] - track.seconds[0])
        packets.append(
            Packet(
                id=f"orbiter-{k}",
                name=track.name,
                availability=interval,
                position=Position(
                    epoch=start,
                    referenceFrame="FIXED",
                    interpolationAlgorithm=InterpolationAlgorithms.LAGRANGE,
                    interpolationDegree=5,
                    cartesian=samples,
                ),
                point=Point(color=Color(rgba=list(colour)), pixelSize=8),
                path=Path(
                    show=True,
                    width=1.5,
                    leadTime=0,
                    trailTime=min(period_guess, 86400.0),
                    resolution=120,
                    material=PolylineMaterial(solidColor=SolidColorMaterial(color=Color(rgba=list(colour)))),
                ),
            )
        )
    return Document(packets=packets).dumps()
