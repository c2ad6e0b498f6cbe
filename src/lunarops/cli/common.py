"""What every CLI command shares: error handling, JSON output, progress bars."""

from __future__ import annotations

import math
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import numpy as np
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from lunarops.errors import InputError, LunarOpsError
from lunarops.jsonutil import to_json

# no emoji codes: ':100:' in 'llo:100:90' is an orbit, not a picture
# no markup unless a print asks for it (markup=True, with its text escaped): units such as [kg] or [deg] in
# tables, notes and messages are text, which rich's markup would drop
err_console = Console(stderr=True, emoji=False, markup=False)
console = Console(emoji=False, markup=False)
# help texts as markdown: typer's "rich" mode takes units such as [deg] or [m] for markup and drops them
HELP_MARKUP: Final = "markdown"


@contextmanager
def handle_errors() -> Iterator[None]:
    """Turn lunarops errors into a message and an exit code: 2 for bad input, 3 for the rest. No traceback."""
    try:
        yield
    except InputError as error:
        _print_error(str(error))
        raise typer.Exit(2) from None
    except LunarOpsError as error:
        _print_error(str(error))
        raise typer.Exit(3) from None
    except BrokenPipeError:
        raise
    except OSError as error:  # a file the command could not read or write, past the checks of its options
        _print_error(f"{error}; check the path, its directory and their permissions")
        raise typer.Exit(3) from None


def _print_error(message: str) -> None:
    # escaped: units such as [m] or [km] in a message are text, not rich markup
    err_console.print(f"[bold red]error:[/] {escape(message)}", markup=True, highlight=False, soft_wrap=True)


def check_range(value: float, option: str, low: float, high: float, unit: str = "") -> None:
    """InputError unless ``value`` is a finite number in [low, high] (NaN and inf included in the check)."""
    if not (math.isfinite(value) and low <= value <= high):
        raise InputError(f"{option} = {value!r} must be a number in [{low:g}, {high:g}]{' ' + unit if unit else ''}")


def check_output_file(path: Path | None, option: str, suffixes: tuple[str, ...] = ()) -> None:
    """InputError unless ``path`` (when given) can be written as a file: not a directory, and inside an existing,
    writable directory (a mistyped directory is refused, not created). Checked before the work, so that a long
    computation does not end in a failed write."""
    if path is None:
        return
    if path.is_dir():
        raise InputError(f"{option} = '{path}' is a directory; give a file name, e.g. '{path / 'out'}'")
    if suffixes and path.suffix.lower() not in suffixes:
        raise InputError(f"{option} = '{path}' must end in {' or '.join(suffixes)}")
    _check_writable_ancestor(path.absolute().parent, path, option)
    parent = path.absolute().parent
    if not parent.is_dir():
        raise InputError(
            f"{option} = '{path}': the directory '{parent}' does not exist; create it first (mkdir -p '{parent}') "
            "or write elsewhere"
        )


def check_output_dir(path: Path, option: str) -> None:
    """InputError unless ``path`` is, or can be made, a writable directory (checked before the work)."""
    if path.exists() and not path.is_dir():
        raise InputError(f"{option} = '{path}' is a file; give a directory (it is created when missing)")
    _check_writable_ancestor(path.absolute(), path, option)


def _check_writable_ancestor(directory: Path, path: Path, option: str) -> None:
    existing = directory  # missing directories are created on writing, inside the nearest existing one
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(f"{option} = '{path}': '{existing}' is a file, not a directory; write elsewhere")
    try:  # a file made and removed: os.access says yes to root even on read-only or special file systems
        fd, probe = tempfile.mkstemp(prefix=".lunarops-write-check-", dir=existing)
        os.close(fd)
        os.unlink(probe)
    except OSError as error:
        raise InputError(
            f"{option} = '{path}': cannot write in '{existing}' ({error.strerror}); write elsewhere"
        ) from None


def print_json(obj: Any) -> None:
    """Print ``obj`` as JSON on standard output (nothing else goes there with --json)."""
    sys.stdout.write(to_json(_no_negative_zero(obj)) + "\n")
    sys.stdout.flush()


def _no_negative_zero(value: Any) -> Any:
    """``value`` with every -0.0 made 0.0 (in dicts, lists, tuples and float arrays): JSON would print "-0.0"."""
    if isinstance(value, dict):
        return {k: _no_negative_zero(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_no_negative_zero(v) for v in value]
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value + 0.0
    if isinstance(value, float | np.floating):
        return float(value) + 0.0
    return value


@contextmanager
def progress_bar(description: str, enabled: bool = True) -> Iterator[Any]:
    """A rich progress bar on stderr; yields ``update(fraction, message)`` for lunarops progress callbacks."""
    if not enabled:
        yield lambda fraction, message: None
        return
    with Progress(
        TextColumn("{task.description}", style="bold", markup=False),
        BarColumn(),
        TextColumn("{task.percentage:>5.1f}%"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[message]}", markup=False),
        console=err_console,
        transient=False,
    ) as bar:
        task = bar.add_task(description, total=1.0, message="")

        def update(fraction: float, message: str = "") -> None:
            bar.update(task, completed=min(max(fraction, 0.0), 1.0), message=message)

        yield update
        bar.update(task, completed=1.0)
