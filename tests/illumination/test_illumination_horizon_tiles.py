"""Map windows get their horizons from `horizon_tiles`: the line sweep over the whole window when it applies,
ray casting per tile of rows otherwise. Expected values: direct `horizon_map` calls on the same cells."""

from __future__ import annotations

import weakref

import numpy as np
import pytest

from lunarops.errors import InputError
from lunarops.illumination.maps import SWEEP_PROGRESS_SHARE, horizon_tiles
from lunarops.terrain import horizon_map, load_dem


def test_big_polar_window_is_swept_once_and_tiled() -> None:
    dem = load_dem("south").subset(320, 440, 320, 440)  # 14,400 cells around the pole: above the sweep threshold
    window = (0, 120, 0, 120)
    calls: list[float] = []
    tiles = list(horizon_tiles(dem, 0.0, 36, None, window, 32, progress=lambda f, m: calls.append(f)))
    assert [(a, b) for a, b, _, _ in tiles] == [(0, 32), (32, 64), (64, 96), (96, 120)]
    swept = horizon_map(dem, 0.0, 36, window=window, mode="sweep").reshape(-1, 36)
    np.testing.assert_array_equal(np.concatenate([h for _, _, h, _ in tiles]), swept)
    # progress: the sweep's directions up to its share, then the tiles up to 1
    assert calls and max(calls) <= SWEEP_PROGRESS_SHARE + 1e-12
    done = [d for _, _, _, d in tiles]
    assert done[0] > SWEEP_PROGRESS_SHARE and np.all(np.diff(done) > 0) and done[-1] == 1.0


def test_small_window_and_explicit_mode_are_ray_cast_per_tile() -> None:
    dem = load_dem("south").subset(320, 440, 320, 440)
    small = (10, 30, 40, 60)  # 400 cells: below the sweep threshold
    tiles = list(horizon_tiles(dem, 10.0, 36, None, small, 8))
    assert [(a, b) for a, b, _, _ in tiles] == [(10, 18), (18, 26), (26, 30)]
    for start, stop, h, _ in tiles:
        direct = horizon_map(dem, 10.0, 36, window=(start, stop, 40, 60), mode="fast").reshape(-1, 36)
        np.testing.assert_array_equal(h, direct)
    # an explicit mode is used for every tile, even on a big window
    start, stop, h, _ = next(horizon_tiles(dem, 0.0, 36, None, (0, 120, 0, 120), 4, mode="accurate"))
    np.testing.assert_array_equal(h, horizon_map(dem, 0.0, 36, window=(0, 4, 0, 120), mode="accurate").reshape(-1, 36))


@pytest.mark.parametrize("mode", ["sweep", "sweep_fast"])
def test_explicit_sweep_mode_sweeps_a_small_window_once(mode: str) -> None:
    # a sweep mode on a window below the auto threshold: one sweep of the whole window (a sweep per tile of
    # rows would redo whole lines each time); expected values: a direct horizon_map call in the same mode
    dem = load_dem("south").subset(320, 440, 320, 440)
    small = (10, 30, 40, 60)
    calls: list[float] = []
    tiles = list(horizon_tiles(dem, 0.0, 36, None, small, 8, mode=mode, progress=lambda f, m: calls.append(f)))
    assert [(a, b) for a, b, _, _ in tiles] == [(10, 18), (18, 26), (26, 30)]
    direct = horizon_map(dem, 0.0, 36, window=small, mode=mode).reshape(-1, 36)
    np.testing.assert_array_equal(np.concatenate([h for _, _, h, _ in tiles]), direct)
    assert calls and max(calls) <= SWEEP_PROGRESS_SHARE + 1e-12  # the sweep reported its directions


def test_window_too_big_for_one_sweep_is_swept_in_bands(monkeypatch: pytest.MonkeyPatch) -> None:
    # a window whose horizon array exceeds the memory cap is swept in bands of rows that fit (not ray cast per
    # tile, 20x slower on a 240 m grid): every band's lines are those of the whole window's sweep (same map
    # lines, same samples, same near field), so the horizons equal one sweep of the whole window. Expected
    # values: a direct horizon_map call over the whole window.
    import lunarops.illumination.maps as maps

    dem = load_dem("south").subset(320, 440, 320, 440)
    window = (0, 120, 0, 120)
    monkeypatch.setattr(maps, "sweep_horizon_bytes", lambda: 50 * 120 * 36 * 4)  # 50 rows per band
    calls: list[float] = []  # the sweeps' progress and the tiles' fractions, in the order a caller sees them
    tiles = []
    for tile in horizon_tiles(dem, 0.0, 36, None, window, 32, progress=lambda f, m: calls.append(f)):
        tiles.append(tile)
        calls.append(tile[3])
    # tiles of at most 32 rows inside the bands 0-50, 50-100, 100-120
    assert [(a, b) for a, b, _, _ in tiles] == [(0, 32), (32, 50), (50, 82), (82, 100), (100, 120)]
    swept = horizon_map(dem, 0.0, 36, window=window, mode="sweep").reshape(-1, 36)
    np.testing.assert_array_equal(np.concatenate([h for _, _, h, _ in tiles]), swept)  # bit-identical
    # progress through every band's directions and tiles never goes back, and ends at 1
    assert len(calls) > 3 * 36 and np.all(np.diff(calls) >= 0) and calls[-1] == pytest.approx(1.0)
    # tiles of a band are copies, and each band is freed before the next one is swept (peak memory: one band)
    assert all(h.base is None for _, _, h, _ in tiles)
    bands: list[weakref.ref[np.ndarray]] = []

    def one_band(*args: object, **kwargs: object) -> np.ndarray:
        assert all(ref() is None for ref in bands), "the previous band is still alive"
        band = horizon_map(*args, **kwargs)  # type: ignore[arg-type]
        bands.append(weakref.ref(band))
        return band

    monkeypatch.setattr(maps, "horizon_map", one_band)
    for _ in horizon_tiles(dem, 0.0, 36, None, window, 32):
        pass
    assert len(bands) == 3


def test_sweep_band_size_follows_the_memory_available(monkeypatch: pytest.MonkeyPatch) -> None:
    import lunarops.illumination.maps as maps

    monkeypatch.setattr(maps, "available_memory_bytes", lambda: None)
    assert maps.sweep_horizon_bytes() == maps.MAX_WINDOW_HORIZON_BYTES
    monkeypatch.setattr(maps, "available_memory_bytes", lambda: 16 * 1024**3)
    assert maps.sweep_horizon_bytes() == 8 * 1024**3  # half of what is available
    monkeypatch.setattr(maps, "available_memory_bytes", lambda: 1024**2)
    assert maps.sweep_horizon_bytes() == maps.MIN_SWEEP_HORIZON_BYTES


def test_bad_window_is_refused_before_any_sweep() -> None:
    dem = load_dem("south").subset(320, 440, 320, 440)
    for window in ((0, 10, 9, 3), (0, 10, 5, 5), (4, 4, 0, 10), (0, 121, 0, 10)):
        with pytest.raises(InputError, match=r"window = \(.*\) must be .*DEM 'south.*' is 120 x 120"):
            next(horizon_tiles(dem, 0.0, 36, None, window, 8))


def test_auto_ray_casts_a_window_that_would_need_too_many_bands(monkeypatch: pytest.MonkeyPatch) -> None:
    # K bands cost about (K + 1) / 2 sweeps; beyond MAX_AUTO_SWEEP_BANDS "auto" ray-casts per tile.
    # Expected values: direct "fast" horizon_map calls on the same tiles.
    import lunarops.illumination.maps as maps

    dem = load_dem("south").subset(320, 440, 320, 440)
    window = (0, 120, 0, 40)  # 4,800 cells: swept by "auto" when it fits
    monkeypatch.setattr(maps, "sweep_horizon_bytes", lambda: 3 * 40 * 36 * 4)  # bands of 3 rows: 40 bands
    assert maps.MAX_AUTO_SWEEP_BANDS < 40
    tiles = list(horizon_tiles(dem, 0.0, 36, None, window, 60))
    for start, stop, h, _ in tiles:
        direct = horizon_map(dem, 0.0, 36, window=(start, stop, 0, 40), mode="fast")
        np.testing.assert_array_equal(h, direct.reshape(-1, 36))
    # an explicit sweep mode still sweeps, in bands
    monkeypatch.setattr(maps, "sweep_horizon_bytes", lambda: 40 * 40 * 36 * 4)  # 3 bands
    swept = np.concatenate([h for _, _, h, _ in horizon_tiles(dem, 0.0, 36, None, window, 60, mode="sweep")])
    np.testing.assert_array_equal(swept, horizon_map(dem, 0.0, 36, window=window, mode="sweep").reshape(-1, 36))


def test_fast_sweep_in_bands_equals_one_fast_sweep(monkeypatch: pytest.MonkeyPatch) -> None:
    # the fast sweep shares its first near-field sample by blocks of grid columns, not by the window's rows, so
    # its bands are bit-identical to one sweep too. Expected values: a direct horizon_map call.
    import lunarops.illumination.maps as maps

    dem = load_dem("south").subset(300, 460, 300, 460)
    window = (0, 160, 0, 160)
    monkeypatch.setattr(maps, "sweep_horizon_bytes", lambda: 40 * 160 * 360 * 4)  # bands of 40 rows
    tiles = list(horizon_tiles(dem, 0.0, 360, None, window, 32, mode="sweep_fast"))
    assert [a for a, _, _, _ in tiles][:3] == [0, 32, 40]
    one = horizon_map(dem, 0.0, 360, window=window, mode="sweep_fast").reshape(-1, 360)
    np.testing.assert_array_equal(np.concatenate([h for _, _, h, _ in tiles]), one)
