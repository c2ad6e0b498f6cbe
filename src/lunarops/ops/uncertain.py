"""Uncertain inputs: a number that is either fixed or drawn from a declared distribution (layer 2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

Kind = Literal["fixed", "normal", "uniform", "triangular"]


@dataclass(frozen=True)
class Uncertain:
    """A scalar input of the simulation, fixed or random.

    ``fixed``: ``value``. ``normal``: mean ``value``, standard deviation ``sd``, clipped to [low, high].
    ``uniform``: [low, high]. ``triangular``: low, mode ``value``, high. Units are those of the field.
    """

    kind: Kind = "fixed"
    value: float = 0.0
    sd: float = 0.0
    low: float = -np.inf
    high: float = np.inf

    def __post_init__(self) -> None:
        from lunarops.errors import InputError

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
        u = float(rng.random())
        if self.kind == "fixed":
            return self.value
        if self.kind == "uniform":
            return self.low + (self.high - self.low) * u
        if self.kind == "triangular":
            a, c, b = self.low, self.value, self.high
            if b <= a:
                return a
            split = (c - a) / (b - a)
            if u < split:
                return a + float(np.sqrt(u * (b - a) * (c - a)))
            return b - float(np.sqrt((1.0 - u) * (b - a) * (b - c)))
        # normal through the inverse CDF of the uniform draw (scipy's ndtri), then clipped to the support
        from scipy.special import ndtri

        x = self.value + self.sd * float(ndtri(min(max(u, 1e-12), 1.0 - 1e-12)))
        return float(min(max(x, self.low), self.high))

    def scaled(self, factor: float) -> Uncertain:
        """The same distribution in other units (value, sd and bounds times ``factor`` > 0)."""
        return Uncertain(self.kind, self.value * factor, self.sd * factor, self.low * factor, self.high * factor)
