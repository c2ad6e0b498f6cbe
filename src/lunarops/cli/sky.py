"""`lunarops sky`: Sun and Earth at a lunar site, at one time or over a span."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from lunarops.atomic import write_atomic
from lunarops.cli.angles import LAT_FORMS, LATITUDE, LON_FORMS, LONGITUDE
from lunarops.cli.common import check_output_file, console, handle_errors, print_json
from lunarops.errors import InputError
from lunarops.illumination.timegrid import parse_step_s
from lunarops.sky import sky_at_site, sky_fraction_ever_above_horizon, span_summary
from lunarops.sky.track import CORRECTIONS
from lunarops.timescale import parse_utc, to_datetime64, utc_iso, utc_period


def register(app: typer.Typer) -> None:
    """Add `lunarops sky`."""
    app.command("sky")(sky)


def sky(
    lat: Annotated[float, typer.Option("--lat", parser=LATITUDE, help=f"latitude [deg], -90..90, {LAT_FORMS}")],
    lon: Annotated[float, typer.Option("--lon", parser=LONGITUDE, help=f"east longitude [deg], {LON_FORMS}")],
    height_m: Annotated[float, typer.Option("--height-m", help="height over the 1737.4 km sphere [m]")] = 0.0,
    time: Annotated[str | None, typer.Option("--time", help="one UTC time, ISO 8601")] = None,
    start: Annotated[str | None, typer.Option("--start", help="start of a span, UTC")] = None,
    end: Annotated[str | None, typer.Option("--end", help="end of a span, UTC, not sampled (half-open)")] = None,
    step: Annotated[str, typer.Option("--step", help="step of a span: 1h, 30min, 1d ...")] = "1h",
    correction: Annotated[str, typer.Option("--correction", help="apparent (LT+S) or geometric")] = "apparent",
    horizon_deg: Annotated[
        float,
        typer.Option(
            "--horizon-deg",
            help="horizon elevation for sky_fraction_ever_above_horizon [deg], -90..90 (one value, no terrain)",
        ),
    ] = 0.0,
    out: Annotated[Path | None, typer.Option("--out", help="time series file: .csv or .parquet")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Sun and Earth azimuth, elevation, distance, size, Earth phase and Sun-Earth separation at a lunar site
    (Moon ME frame, DE421); over a span, also the fraction of the sky that ever rises above --horizon-deg."""
    with handle_errors():
        check_output_file(out, "--out")
        if correction not in CORRECTIONS:
            raise InputError(f"--correction {correction!r} is not one of {', '.join(CORRECTIONS)}")
        if not -90.0 <= horizon_deg <= 90.0:  # also refuses NaN
            raise InputError(f"--horizon-deg = {horizon_deg!r} must be in [-90, 90] deg")
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
            record["sky_fraction_ever_above_horizon"] = float(sky_fraction_ever_above_horizon(lat, horizon_deg))
            record["sky_fraction_horizon_elevation_deg"] = horizon_deg
            if json_output:
                print_json(record)
            else:
                for key, value in record.items():
                    console.print(f"{key:40s} {value}")
            return
        if start is None or end is None:
            raise InputError("give --time, or both --start and --end (with --step) for a time series")
        from lunarops.illumination.timegrid import check_period

        step_s = parse_step_s(step, "--step")
        check_period(start, end, step_s, "--step", min_samples=1)  # an empty period or one past the kernels
        t0, t1 = parse_utc(start), parse_utc(end)
        t = utc_period(t0.utc_datetime(), t1.utc_datetime(), step_s)
        track = sky_at_site(lat, lon, height_m, t, correction=correction)
        frame = pd.DataFrame({"time_utc": to_datetime64(t), **track.as_dict()})
        summary = {
            "n_times": len(frame),
            "start_utc": str(utc_iso(t0)[0]),
            "end_utc": str(utc_iso(t1)[0]),  # the period's end, not sampled: samples start + k step before it
            "last_sample_utc": str(utc_iso(t)[-1]),
            **span_summary(track, step_s),
            # Declination band of the Moon's equatorial frame that culminates above --horizon-deg at this latitude
            # over a rotation (smooth sphere, no terrain; see lunarops.sky.functions).
            "sky_fraction_ever_above_horizon": float(sky_fraction_ever_above_horizon(lat, horizon_deg)),
            "sky_fraction_horizon_elevation_deg": horizon_deg,
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
                console.print(f"{key:40s} {value}")
