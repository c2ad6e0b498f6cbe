"""Uncertain inputs: a number that is either fixed or drawn from a declared distribution (layer 2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from lunarops.checks import is_real_number

Kind = Literal["fixed", "normal", "uniform", "triangular"]
#: The distributions ``Uncertain`` knows.
KINDS: tuple[str, ...] = ("fixed", "normal", "uniform", "triangular")


@dataclass(frozen=True)
class Uncertain:
    """A scalar input of the simulation, fixed or random.

    ``fixed``: ``value``. ``normal``: mean ``value``, standard deviation ``sd``, truncated to [low, high] (the
    normal's density inside the bounds, renormalized: no probability at the bounds).
    ``uniform``: [low, high]. ``triangular``: low, mode ``value``, high. Units are those of the field.
    """

    kind: Kind = "fixed"
    value: float = 0.0
    sd: float = 0.0
    low: float = -np.inf
    high: float = np.inf

    def __post_init__(self) -> None:
        from lunarops.errors import InputError

        if self.kind not in KINDS:
            raise InputError(f"kind = {self.kind!r} is not known; use {', '.join(KINDS[:-1])} or {KINDS[-1]}")
        for name in ("value", "sd", "low", "high"):
            number = getattr(self, name)
            if not is_real_number(number):
                raise InputError(f"{self.kind} distribution: {name} = {number!r} must be a number")
        ok = {
            "fixed": np.isfinite(self.value),
            "normal": np.isfinite(self.value) and self.sd >= 0 and self.low <= self.value <= self.high,
            "uniform": np.isfinite(self.low) and np.isfinite(self.high) and self.low <= self.high,
            "triangular": np.isfinite(self.low) and np.isfinite(self.high) and self.low <= self.value <= self.high,
        }[self.kind]
        if not ok:
            raise InputError(
                f"{self.kind} distribution with value={self.value}, sd={self.sd}, low={self.low}, "
                f"high={self.high} is not valid: need finite bounds with low <= value <= high and sd >= 0"
            )

    @staticmethod
    def fixed(value: float) -> Uncertain:
        return Uncertain("fixed", float(value))

    @property
    def nominal(self) -> float:
        """The value used by a deterministic run: the fixed value, mean, mode or midpoint."""
        if self.kind == "uniform":
            return 0.5 * (self.low + self.high)
        return self.value

    def draw(self, rng: np.random.Generator) -> float:
        """One draw. Always consumes exactly one number from ``rng`` so that the draw sequence of a run
        does not depend on which inputs are uncertain."""
        return float(self.from_uniform(np.array([rng.random()]))[0])

    def from_uniform(self, u: NDArray[np.float64]) -> NDArray[np.float64]:
        """Values for uniform numbers ``u`` in [0, 1) (inverse CDF), elementwise: ``draw`` is this of one
        ``rng.random()``, so drawing many runs at once gives the same numbers as one at a time."""
        u = np.asarray(u, dtype=np.float64)
        if self.kind == "fixed":
            return np.full(u.shape, self.value, dtype=np.float64)
        if self.kind == "uniform":
            return np.asarray(self.low + (self.high - self.low) * u, dtype=np.float64)
        if self.kind == "triangular":
            a, c, b = self.low, self.value, self.high
            if b <= a:
                return np.full(u.shape, a, dtype=np.float64)
            split = (c - a) / (b - a)
            lower = a + np.sqrt(u * (b - a) * (c - a))
            upper = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
            return np.where(u < split, lower, upper)
        # normal truncated to [low, high]: the uniform draw mapped into the CDF's values at the bounds, then the
        # inverse CDF (scipy's ndtr / ndtri), so that no probability piles up at a bound
        from scipy.special import ndtr, ndtri

        if self.sd == 0.0:
            return np.full(u.shape, self.value, dtype=np.float64)
        lo = float(ndtr((self.low - self.value) / self.sd))
        hi = float(ndtr((self.high - self.value) / self.sd))
        p = lo + (hi - lo) * u
        x = self.value + self.sd * ndtri(np.minimum(np.maximum(p, 1e-300), 1.0 - 1e-16))
        return np.asarray(np.minimum(np.maximum(x, self.low), self.high), dtype=np.float64)

    def scaled(self, factor: float) -> Uncertain:
        """The same distribution in other units (value, sd and bounds times ``factor`` > 0)."""
        return Uncertain(self.kind, self.value * factor, self.sd * factor, self.low * factor, self.high * factor)
