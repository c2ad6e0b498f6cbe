"""Sky for 1e6 epochs: lunarops vs skyfield vs spiceypy, as ratios (a script, not a test).

Baselines: skyfield's own Moon-topos computation (PlanetaryConstants frame + ``observe().apparent()``), and
CSPICE's ``spkcpo`` called once per epoch and body (timed on a subset, scaled).
Memory: the peak resident memory of each timed run above its start (``memory.PeakMemory``), lunarops and skyfield
on all epochs, spiceypy and a second lunarops run on spiceypy's subset (memory does not scale like time), each
after freed heap memory is handed back to the OS so that reused memory counts.
Run: ``.venv/bin/python benchmarks/sky_bench.py [N]``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from memory import PeakMemory, ratio_text, shown_mb


def main(n: int = 1_000_000) -> None:
    from lunarops.ephemeris.kernels import MOON_ASSOC_ME_TF, MOON_FRAMES_TF, MOON_PCK, de421_path
    from lunarops.sky import sky_at_site
    from lunarops.timescale import timescale

    ts = timescale()
    tdb = np.linspace(ts.utc(2026, 1, 1).tdb, ts.utc(2049, 1, 1).tdb, n)
    t = ts.tdb_jd(tdb)
    lat, lon, height = -89.45, 222.69, 0.0

    sky_at_site(lat, lon, height, t[:10])  # warm-up (open kernels)
    with PeakMemory() as ours_mem:
        start = time.perf_counter()
        sky_at_site(lat, lon, height, t)
        ours = time.perf_counter() - start
    print(f"lunarops sky_at_site, {n:,} epochs (apparent, Sun + Earth): {ours:.2f} s")

    from skyfield.api import load
    from skyfield.planetarylib import PlanetaryConstants

    eph = load(str(de421_path()))
    pc = PlanetaryConstants()
    pc.read_text(load.open(str(MOON_FRAMES_TF)))
    pc.read_binary(load.open(str(MOON_PCK)))
    frame = pc.build_frame_named("MOON_ME_DE421")
    pc.variables["BODY301_RADII"] = [1737.4, 1737.4, 1737.4]  # the LOLA sphere, km
    site = eph["moon"] + pc.build_latlon_degrees(frame, lat, lon, height)
    for body in ("sun", "earth"):  # warm-up (touch the kernel segments), as for lunarops
        site.at(t[:10]).observe(eph[body]).apparent().frame_latlon(frame)
    with PeakMemory() as skyfield_mem:
        start = time.perf_counter()
        for body in ("sun", "earth"):
            site.at(t).observe(eph[body]).apparent().frame_latlon(frame)
        skyfield_s = time.perf_counter() - start
    print(f"skyfield (observe().apparent() in the ME frame), {n:,} epochs: {skyfield_s:.2f} s")
    print(f"peak memory, {n:,} epochs: lunarops {shown_mb(ours_mem.peak_mb)}, "
          f"skyfield {shown_mb(skyfield_mem.peak_mb)}, "
          f"ratio skyfield / lunarops {ratio_text(skyfield_mem.peak_mb, ours_mem.peak_mb)}")

    try:
        import spiceypy as spice
    except ImportError:
        print("spiceypy missing: pip install 'lunarops[test]'")
        spice_s = float("nan")
    else:
        for path in (de421_path(), MOON_PCK, MOON_FRAMES_TF, MOON_ASSOC_ME_TF):
            spice.furnsh(str(path))
        subset = min(n, 20_000)
        et = (tdb[:subset] - 2451545.0) * 86400.0
        site_km = np.array([0.0, 0.0, -1737.4])
        spice.spkcpo("SUN", et[0], "MOON_ME", "OBSERVER", "LT+S", site_km, "MOON", "MOON_ME")  # warm-up
        with PeakMemory() as spice_mem:
            start = time.perf_counter()
            for e in et:
                for body in ("SUN", "EARTH"):
                    spice.spkcpo(body, e, "MOON_ME", "OBSERVER", "LT+S", site_km, "MOON", "MOON_ME")
            spice_s = (time.perf_counter() - start) * n / subset
        print(f"spiceypy spkcpo per epoch (scaled from {subset:,}), {n:,} epochs: {spice_s:.2f} s")
        with PeakMemory() as ours_subset_mem:
            sky_at_site(lat, lon, height, t[:subset])
        print(f"peak memory, on {subset:,} epochs: lunarops {shown_mb(ours_subset_mem.peak_mb)}, "
              f"spiceypy {shown_mb(spice_mem.peak_mb)}, "
              f"ratio spiceypy / lunarops {ratio_text(spice_mem.peak_mb, ours_subset_mem.peak_mb)}")
    print(f"ratios: skyfield / lunarops = {skyfield_s / ours:.2f}; spiceypy / lunarops = {spice_s / ours:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
