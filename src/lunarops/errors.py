"""The exceptions lunarops raises.

Every error names the argument or field, shows the value, and says how to fix it. The tree::

    LunarOpsError
    ├── InputError (ValueError)           a bad argument, option or request value
    │   ├── TimeFormatError               a time string that is not ISO 8601 UTC
    │   ├── EphemerisRangeError           an epoch outside the kernels' coverage
    │   ├── SiteError                     a site outside [-90, 90] deg or below the surface / outside a DEM
    │   └── ScenarioError                 a scenario file that does not validate (carries .issues)
    ├── DataError                         a missing, corrupt or truncated data file
    ├── InfeasibleError                   an optimization with no feasible answer (names the binding constraint)
    └── StoreError                        the catalog or results store cannot be read or written

The CLI prints ``str(error)`` and exits with code 2 for InputError and its children, 3 for the others.
"""

from __future__ import annotations

from dataclasses import dataclass


class LunarOpsError(Exception):
    """Base of every error lunarops raises on purpose."""


class InputError(LunarOpsError, ValueError):
    """A value given by the user is out of range or malformed."""


class TimeFormatError(InputError):
    """A time could not be parsed."""


class EphemerisRangeError(InputError):
    """Epochs outside the coverage of the ephemeris or orientation kernels."""

    def __init__(self, message: str, first_bad_utc: str | None = None) -> None:
        super().__init__(message)
        self.first_bad_utc = first_bad_utc


class SiteError(InputError):
    """A site position that is not on the Moon or not on the DEM."""


@dataclass(frozen=True)
class ScenarioIssue:
    """One problem in a scenario file."""

    file: str
    line: int | None
    path: str
    value: object
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        if isinstance(self.value, dict | list) or self.path == "<yaml>":  # a section, or the file's syntax
            return f"{where}: {self.path}: {self.message}"
        return f"{where}: {self.path}: {self.message} (got {self.value!r})"


class ScenarioError(InputError):
    """A scenario file failed validation; ``issues`` lists every problem found."""

    def __init__(self, issues: list[ScenarioIssue]) -> None:
        self.issues = issues
        lines = [f"scenario is invalid ({len(issues)} problem{'s' if len(issues) != 1 else ''}):"]
        lines += [f"  {issue}" for issue in issues]
        super().__init__("\n".join(lines))


class DataError(LunarOpsError):
    """A data file is missing, truncated or does not match its label."""


class InfeasibleError(LunarOpsError):
    """An optimization problem has no feasible solution."""


class StoreError(LunarOpsError):
    """The run catalog or results store failed."""
