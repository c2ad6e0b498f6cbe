"""`lunarops sky`: Sun and Earth at a lunar site, at one time or over a span."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer

from lunarops.atomic import write_atomic
from lunarops.cli.common import check_output_file, console, handle_errors, print_json
from lunarops.errors import InputError
from lunarops.sky import sky_at_site
from lunarops.sky.track import CORRECTIONS
from lunarops.timescale import parse_utc, to_datetime64, utc_range

_STEP_UNITS_S = {"s": 1.0, "min": 60.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_step_s(text: str) -> float:
    """'1h', '30min', '10s', '1d' or plain seconds -> seconds."""
    value = text.strip().lower()
    for unit in sorted(_STEP_UNITS_S, key=len, reverse=True):
        if value.endswith(unit):
            number = value[: -len(unit)]
            break
    else:
        number, unit = value, "s"
    try:
        step_s = float(number) * _STEP_UNITS_S[unit]
    except ValueError:
        raise InputError(f"--step {text!r} is not a duration; write e.g. 1h, 30min, 600s or 1d") from None
    if not np.isfinite(step_s) or step_s <= 0:
        raise InputError(f"--step {text!r} must be a positive duration, e.g. 1h")
    return step_s


def register(app: typer.Typer) -> None:
    """Add `lunarops sky`."""
    app.command("sky")(sky)


def sky(
    lat: Annotated[float, typer.Option("--lat", help="latitude [deg], -90..90")],
    lon: Annotated[float, typer.Option("--lon", help="east longitude [deg], -180..180 or 0..360")],
    height_m: Annotated[float, typer.Option("--height-m", help="height over the 1737.4 km sphere [m]")] = 0.0,
    time: Annotated[str | None, typer.Option("--time", help="one UTC time, ISO 8601")] = None,
    start: Annotated[str | None, typer.Option("--start", help="start of a span, UTC")] = None,
    end: Annotated[str | None, typer.Option("--end", help="end of a span, UTC")] = None,
    step: Annotated[str, typer.Option("--step", help="step of a span: 1h, 30min, 1d ...")] = "1h",
    correction: Annotated[str, typer.Option("--correction", help="apparent (LT+S) or geometric")] = "apparent",
    out: Annotated[Path | None, typer.Option("--out", help="time series file: .csv or .parquet")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Sun and Earth azimuth, elevation, distance and size at a lunar site (Moon ME frame, DE421)."""
    with handle_errors():
        check_output_file(out, "--out")
        if correction not in CORRECTIONS:
            raise InputError(f"--correction {correction!r} is not one of {', '.join(CORRECTIONS)}")
        if time is not None and (start is not None or end is not None):
            raise InputError("give either --time, or --start and --end, not both")
        if time is not None:
            t = parse_utc(time)
            track = sky_at_site(lat, lon, height_m, t, correction=correction)
            record = {
                "time_utc": time,
                "latitude_deg": lat,
                "longitude_deg": lon,
                "height_m": height_m,
                "correction": correction,
            }
            record.update({k: float(v[0]) for k, v in track.as_dict().items()})
            if json_output:
                print_json(record)
            else:
                for key, value in record.items():
                    console.print(f"{key:28s} {value}")
            return
        if start is None or end is None:
            raise InputError("give --time, or both --start and --end (with --step) for a time series")
        t = utc_range(parse_utc(start).utc_datetime(), parse_utc(end).utc_datetime(), parse_step_s(step))
        track = sky_at_site(lat, lon, height_m, t, correction=correction)
        frame = pd.DataFrame({"time_utc": to_datetime64(t), **track.as_dict()})
        summary = {
            "n_times": len(frame),
            "start_utc": str(frame.time_utc.iloc[0]),
            "end_utc": str(frame.time_utc.iloc[-1]),
            "sun_center_up_fraction": float(np.mean(track.sun_elevation_deg > 0)),
            "earth_center_up_fraction": float(np.mean(track.earth_elevation_deg > 0)),
            "sun_elevation_max_deg": float(track.sun_elevation_deg.max()),
            "earth_elevation_max_deg": float(track.earth_elevation_deg.max()),
        }
        if out is not None:
            suffix = out.suffix.lower()
            if suffix not in (".csv", ".parquet"):
                raise InputError(f"--out {str(out)!r} must end in .csv or .parquet")
            if suffix == ".csv":
                write_atomic(out, lambda tmp: frame.to_csv(tmp, index=False))
            else:
                write_atomic(out, lambda tmp: frame.to_parquet(tmp, index=False, compression="zstd"))
            summary["out"] = str(out)
        if json_output:
            print_json(summary)
        else:
            for key, value in summary.items():
                console.print(f"{key:28s} {value}")
