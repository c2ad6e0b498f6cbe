"""What every CLI command shares: error handling, JSON output, progress bars."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from lunarops.errors import InputError, LunarOpsError
from lunarops.jsonutil import to_json

err_console = Console(stderr=True)
console = Console()


@contextmanager
def handle_errors() -> Iterator[None]:
    """Turn lunarops errors into a message and an exit code: 2 for bad input, 3 for the rest. No traceback."""
    try:
        yield
    except InputError as error:
        err_console.print(f"[bold red]error:[/] {error}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except LunarOpsError as error:
        err_console.print(f"[bold red]error:[/] {error}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(3) from None


def print_json(obj: Any) -> None:
    """Print ``obj`` as JSON on standard output (nothing else goes there with --json)."""
    sys.stdout.write(to_json(obj) + "\n")
    sys.stdout.flush()


@contextmanager
def progress_bar(description: str, enabled: bool = True) -> Iterator[Any]:
    """A rich progress bar on stderr; yields ``update(fraction, message)`` for lunarops progress callbacks."""
    if not enabled:
        yield lambda fraction, message: None
        return
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>5.1f}%"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[message]}"),
        console=err_console,
        transient=False,
    ) as bar:
        task = bar.add_task(description, total=1.0, message="")

        def update(fraction: float, message: str = "") -> None:
            bar.update(task, completed=min(max(fraction, 0.0), 1.0), message=message)

        yield update
        bar.update(task, completed=1.0)
