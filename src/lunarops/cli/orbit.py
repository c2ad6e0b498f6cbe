"""CLI commands of the orbit group."""

import typer


def register(app: typer.Typer) -> None:
    """Add this group's commands to the root app."""
