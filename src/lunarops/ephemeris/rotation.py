"""Compiled rotation kernels: PCK 3-1-3 Euler matrices with their rates, and matrix-vector products over time.

Layout: matrices (3, 3, N) and vectors (3, N), time last.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@numba.njit(cache=True, parallel=True)
def euler_313(
    ra: FloatArray, dec: FloatArray, w: FloatArray, radot: FloatArray, decdot: FloatArray, wdot: FloatArray
) -> tuple[FloatArray, FloatArray]:  # pragma: no cover - compiled
    """R = Rz(w) Rx(dec) Rz(ra) (passive rotations, SPICE PCK type 2 convention) and dR/dt [1/s]."""
    n = ra.shape[0]
    rotation = np.empty((3, 3, n))
    rate = np.empty((3, 3, n))
    for k in numba.prange(n):
        ca, sa = math.cos(ra[k]), math.sin(ra[k])
        cd, sd = math.cos(dec[k]), math.sin(dec[k])
        cw, sw = math.cos(w[k]), math.sin(w[k])
        # Rx(dec) Rz(ra)
        m = np.empty((3, 3))
        m[0, 0], m[0, 1], m[0, 2] = ca, sa, 0.0
        m[1, 0], m[1, 1], m[1, 2] = -cd * sa, cd * ca, sd
        m[2, 0], m[2, 1], m[2, 2] = sd * sa, -sd * ca, cd
        # partial derivatives of Rx(dec) Rz(ra) by ra and by dec
        m_ra = np.empty((3, 3))
        m_ra[0, 0], m_ra[0, 1], m_ra[0, 2] = -sa, ca, 0.0
        m_ra[1, 0], m_ra[1, 1], m_ra[1, 2] = -cd * ca, -cd * sa, 0.0
        m_ra[2, 0], m_ra[2, 1], m_ra[2, 2] = sd * ca, sd * sa, 0.0
        m_dec = np.empty((3, 3))
        m_dec[0, 0], m_dec[0, 1], m_dec[0, 2] = 0.0, 0.0, 0.0
        m_dec[1, 0], m_dec[1, 1], m_dec[1, 2] = sd * sa, -sd * ca, cd
        m_dec[2, 0], m_dec[2, 1], m_dec[2, 2] = cd * sa, -cd * ca, -sd
        for j in range(3):
            rotation[0, j, k] = cw * m[0, j] + sw * m[1, j]
            rotation[1, j, k] = -sw * m[0, j] + cw * m[1, j]
            rotation[2, j, k] = m[2, j]
            dm0 = m_ra[0, j] * radot[k] + m_dec[0, j] * decdot[k]
            dm1 = m_ra[1, j] * radot[k] + m_dec[1, j] * decdot[k]
            dm2 = m_ra[2, j] * radot[k] + m_dec[2, j] * decdot[k]
            rate[0, j, k] = (-sw * m[0, j] + cw * m[1, j]) * wdot[k] + cw * dm0 + sw * dm1
            rate[1, j, k] = (-cw * m[0, j] - sw * m[1, j]) * wdot[k] - sw * dm0 + cw * dm1
            rate[2, j, k] = dm2
    return rotation, rate


@numba.njit(cache=True, parallel=True)
def rotate(matrices: FloatArray, vectors: FloatArray) -> FloatArray:  # pragma: no cover - compiled
    """M[:, :, k] @ v[:, k] for every k. (3, N)"""
    n = vectors.shape[1]
    out = np.empty((3, n))
    for k in numba.prange(n):
        for i in range(3):
            out[i, k] = (
                matrices[i, 0, k] * vectors[0, k]
                + matrices[i, 1, k] * vectors[1, k]
                + matrices[i, 2, k] * vectors[2, k]
            )
    return out


@numba.njit(cache=True, parallel=True)
def rotate_transposed(matrices: FloatArray, vector: FloatArray) -> FloatArray:  # pragma: no cover - compiled
    """M[:, :, k].T @ v for one fixed vector v (3,) and every k. (3, N)"""
    n = matrices.shape[2]
    out = np.empty((3, n))
    for k in numba.prange(n):
        for i in range(3):
            out[i, k] = matrices[0, i, k] * vector[0] + matrices[1, i, k] * vector[1] + matrices[2, i, k] * vector[2]
    return out
