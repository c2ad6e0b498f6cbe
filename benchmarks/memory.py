"""Peak memory of one piece of work, for the benchmarks' memory ratios (a helper, not a benchmark).

``with PeakMemory() as mem: work()`` then ``mem.peak_mb``: the process's peak resident set size during the block
above its resident size at the start [MB]. Linux: the kernel's high-water mark (``VmHWM`` in /proc/self/status),
reset at the start by writing 5 to /proc/self/clear_refs, so memory that numba, numpy or a C library allocates
counts as well as Python objects. Elsewhere (or if the reset is refused) ``peak_mb`` is None and reports say
"n/a". Memory freed before the block and reused inside it does not count, so measure each contender after the
same warm-up.
"""

from __future__ import annotations

import ctypes
from pathlib import Path
from types import TracebackType

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_kb(key: str) -> int | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _trim_heap() -> None:
    """Hand the C heap's free memory back to the OS (glibc), so that a block cannot reuse, uncounted, what an
    earlier one freed (measured: lunarops's sky on 20,000 epochs read 12.7 MB first, 1.2 MB after skyfield)."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


class PeakMemory:
    """Peak resident memory above the start of a ``with`` block [MB] (None where it cannot be measured)."""

    def __init__(self) -> None:
        self.peak_mb: float | None = None
        self._start_kb: int | None = None

    def __enter__(self) -> PeakMemory:
        _trim_heap()
        try:
            _CLEAR_REFS.write_text("5")  # reset the high-water mark to the current resident size
        except OSError:
            self._start_kb = None
            return self
        self._start_kb = _status_kb("VmRSS")
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        high_kb = _status_kb("VmHWM")
        if self._start_kb is not None and high_kb is not None:
            self.peak_mb = max(high_kb - self._start_kb, 0) / 1024.0


def shown_mb(value: float | None) -> str:
    """``value`` [MB] for a report line, or "n/a"."""
    if value is None:
        return "n/a"
    return f"{value:,.1f} MB" if value >= 10.0 else f"{value:.3g} MB"


#: Below this peak [MB] (a few pages) a ratio is noise and is not printed.
RATIO_FLOOR_MB = 0.1


def ratio_text(baseline_mb: float | None, ours_mb: float | None) -> str:
    """Baseline / lunarops peak memory as "2.3x" (above 1: lunarops uses less), or "n/a" (not measured, or either
    peak below ``RATIO_FLOOR_MB``)."""
    if baseline_mb is None or ours_mb is None:
        return "n/a"
    if min(baseline_mb, ours_mb) < RATIO_FLOOR_MB:
        return f"n/a (a peak below {RATIO_FLOOR_MB} MB)"
    return f"{baseline_mb / ours_mb:.2f}x"
