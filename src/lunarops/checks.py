"""The one test of "a single real number" that every input check shares."""

from __future__ import annotations

import numbers

import numpy as np


def is_real_number(value: object) -> bool:
    """True for one real number: a Python int or float, a NumPy integer or floating scalar, or a 0-d array of one
    (as NumPy returns from a scalar computation). Not a bool, a string, None or an array of several values;
    NaN and inf are numbers here (range checks come after)."""
    if isinstance(value, bool | np.bool_):
        return False
    if isinstance(value, numbers.Real):
        return True
    return isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf"
