"""CLI commands of the terrain group."""

import typer


def register(app: typer.Typer) -> None:
    """Add this group's commands to the root app."""
