"""Small helpers for the numba kernels of several packages."""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, inline="always")
def ix(i: int) -> np.uint64:
    """``i`` (>= 0) as an unsigned array index. numba adds negative-index wraparound code (a sign test and a select
    on the address) to every array access with a signed index, none with an unsigned one; LLVM already knows the
    sign of ``range`` loop counters. Only for indices that can never be negative: a negative one becomes a huge
    unsigned index and reads out of bounds."""
    return np.uint64(i)
