"""`lunarops serve` (the web dashboard) and `lunarops access` (who may see which runs)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lunarops.cli.common import HELP_MARKUP, console, handle_errors, print_json
from lunarops.errors import InputError

access_app = typer.Typer(
    help="Users and organizations of the web dashboard.", no_args_is_help=True, rich_markup_mode=HELP_MARKUP
)
ACCESS_HELP = "access file (YAML): organizations, the scenarios they see, users (token hashes)"


def serve(
    access: Annotated[Path, typer.Option("--access", help=ACCESS_HELP)],
    db: Annotated[str | None, typer.Option("--db", help="catalog URL (default: the lunarops home's catalog)")] = None,
    host: Annotated[str, typer.Option("--host", help="address to listen on (127.0.0.1: this machine only)")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port")] = 8000,
    secure_cookies: Annotated[
        bool, typer.Option("--secure-cookies", help="served over HTTPS (a reverse proxy): login cookie HTTPS-only")
    ] = False,
) -> None:
    """Serve the web dashboard: the run catalog, each partner organization seeing the runs shared with it."""
    with handle_errors():
        try:
            import uvicorn

            from lunarops.web import create_app, load_access
        except ModuleNotFoundError as error:
            raise InputError(f"the web dashboard needs {error.name}: pip install 'lunarops[web]'") from None
        app = create_app(db, load_access(access), secure_cookies)
        console.print(
            f"lunarops dashboard on http://{host}:{port}/ (catalog {app.state.catalog.shown_url}; access file read "
            "once: restart after changing it); Ctrl-C stops",
            markup=False,
            highlight=False,
        )
        uvicorn.run(app, host=host, port=port, log_level="warning")


@access_app.command("add-user")
def add_user(
    name: Annotated[str, typer.Argument(help="user name")],
    organization: Annotated[str, typer.Option("--organization", help="the user's organization")],
    access: Annotated[Path, typer.Option("--access", help=ACCESS_HELP + "; created if absent")],
    role: Annotated[str, typer.Option("--role", help="member (the organization's runs) or admin (every run)")] = (
        "member"
    ),
    scenario: Annotated[
        list[str] | None,
        typer.Option("--scenario", help="scenario-name pattern the organization sees (repeatable), e.g. 'ILRS*'"),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="print the token as JSON")] = False,
) -> None:
    """Add a user and print its access token (shown once; the file keeps only its SHA-256)."""
    with handle_errors():
        from lunarops.web.access import add_user as add

        if role not in ("member", "admin"):
            raise InputError(f"--role {role!r} is not known; use member or admin")
        token = add(access, name, organization, role, scenario)  # type: ignore[arg-type]
        if json_output:
            print_json({"user": name, "organization": organization, "role": role, "token": token})
            return
        console.print(f"user {name} ({organization}, {role}) added to {access}; token (shown once):")
        console.print(token, markup=False, highlight=False, soft_wrap=True)


@access_app.command("list")
def list_access(access: Annotated[Path, typer.Option("--access", help=ACCESS_HELP)]) -> None:
    """The organizations, the scenarios each sees, and their users."""
    with handle_errors():
        from lunarops.web.access import load_access

        policy = load_access(access)
        for org in policy.organizations:
            users = [f"{u.name} ({u.role})" for u in policy.users if u.organization == org.name]
            console.print(f"{org.name}: scenarios {org.scenarios or 'none'}; users {', '.join(users) or 'none'}",
                          markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add this group's commands to the root app."""
    app.command()(serve)
    app.add_typer(access_app, name="access")
