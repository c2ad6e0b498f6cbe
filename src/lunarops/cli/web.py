"""`lunarops serve` (the web dashboard) and `lunarops access` (who may see which runs)."""

from __future__ import annotations

import errno
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lunarops.cli.common import HELP_MARKUP, console, err_console, handle_errors, print_json
from lunarops.errors import InputError

if TYPE_CHECKING:
    from lunarops.web.access import AddedUser, ChangedUser

access_app = typer.Typer(
    help="Users and organizations of the web dashboard.", no_args_is_help=True, rich_markup_mode=HELP_MARKUP
)
ACCESS_HELP = "access file (YAML): organizations, the scenarios they see, users (token hashes)"


def serve(
    access: Annotated[Path, typer.Option("--access", help=ACCESS_HELP)],
    db: Annotated[
        str | None,
        typer.Option("--db", help="catalog URL (default: catalog.sqlite in $LUNAROPS_HOME, else the user data "
                                  "directory); it must exist: serve only reads"),
    ] = None,
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
        policy = load_access(access)
        app = create_app(db, policy, secure_cookies, access_path=access)
        sock = bind(host, port)  # before the banner: a port in use is an error, not a banner and a traceback
        for org, pattern in app.state.unmatched_patterns:
            err_console.print(
                f"warning: organization {org}'s pattern {pattern!r} matches no run in the catalog (yet); patterns "
                "are case-sensitive: check it in the access file",
                highlight=False, soft_wrap=True,
            )
        console.print(
            f"lunarops dashboard on http://{_url_host(host)}:{port}/ (catalog {app.state.catalog.shown_url}, "
            f"{app.state.run_count} runs; {len(policy.users)} users; access file re-read when it changes); Ctrl-C "
            "stops",
            highlight=False,
        )
        server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
        server.run(sockets=[sock])


def bind(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host``:``port`` (as uvicorn binds it); InputError naming the host or port and the
    fix when that cannot be done."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as error:
        raise InputError(
            f"--host {host!r} is not an address ({getattr(error, 'strerror', None) or error}); use 127.0.0.1 (this "
            "machine only), 0.0.0.0 (every network interface) or one of this machine's addresses"
        ) from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise InputError(
                f"--port {port} is already in use on {host} (another server, perhaps another `lunarops serve`); "
                f"choose another port, e.g. --port {port + 1 if port < 65535 else 8000}, or stop the other server"
            ) from None
        if error.errno == errno.EADDRNOTAVAIL:
            raise InputError(
                f"--host {host!r} is not an address of this machine; use 127.0.0.1 (this machine only), 0.0.0.0 "
                "(every network interface) or one of this machine's addresses"
            ) from None
        if error.errno == errno.EACCES:
            raise InputError(
                f"--port {port} on {host} needs privileges (ports below 1024 do); choose --port 1024 or above, "
                "e.g. --port 8000, behind a reverse proxy"
            ) from None
        raise InputError(
            f"cannot listen on {host}:{port} ({error.strerror}); choose another --host or --port"
        ) from None
    return sock


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


@access_app.command("add-user")
def add_user(
    name: Annotated[str, typer.Argument(help="user name")],
    organization: Annotated[
        str, typer.Option("--organization", help="the user's organization (case-sensitive); created if new")
    ],
    access: Annotated[Path, typer.Option("--access", help=ACCESS_HELP + "; created if absent")],
    role: Annotated[
        str, typer.Option("--role", help="member (the organization's shared scenarios) or admin (EVERY "
                                         "organization's runs: for the dashboard's operators only)")
    ] = "member",
    scenario: Annotated[
        list[str] | None,
        typer.Option(
            "--scenario",
            help="scenario-name pattern (shell-style, case-sensitive) added to the ORGANIZATION's shared scenarios: "
                 "all its users see them (repeatable), e.g. 'ILRS*'",
        ),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="print the token as JSON")] = False,
) -> None:
    """Add a user and print its access token (shown once; the file keeps only its SHA-256). A running `lunarops
    serve` re-reads the access file when it changes."""
    with handle_errors():
        from lunarops.web.access import add_user_to

        if role not in ("member", "admin"):
            raise InputError(f"--role {role!r} is not known; use member or admin")
        added = add_user_to(access, name, organization, role, scenario)  # type: ignore[arg-type]
        notes = _notes(added, access, name, role)
        for note in notes:
            err_console.print(note, highlight=False, soft_wrap=True)
        if json_output:
            print_json({"user": name, "organization": organization, "role": role, "token": added.token,
                        "organization_scenarios": added.scenarios, "notes": notes})
            return
        console.print(f"user {name} ({organization}, {role}) added to {access}; token (shown once):", highlight=False)
        console.print(added.token, highlight=False, soft_wrap=True)


def _notes(added: AddedUser, access: Path, name: str = "", role: str = "member") -> list[str]:
    """What add-user changed besides the user: the organization's shared scenarios, a new organization; and who
    now sees every run (an admin, an organization sharing '*')."""
    from lunarops.web.access import is_match_all

    notes = []
    if role == "admin":
        notes.append(
            f"warning: {name} is an admin: admins see EVERY organization's runs (every scenario, not only "
            f"{added.organization}'s); give partners' users --role member, which limits them to their "
            "organization's shared scenarios"
        )
    everything = [p for p in added.new_scenarios if is_match_all(p)]
    if everything:
        users = ", ".join([*added.other_users, name]) if name else "all its users"
        notes.append(
            f"warning: {everything[0]!r} matches every scenario: organization {added.organization} (users {users}, "
            "and any added later) now sees EVERY run in the catalog, other organizations' included; give the "
            "scenario names it should see instead (e.g. --scenario 'ILRS*') and edit the access file to remove "
            f"{everything[0]!r}"
        )
    quoted = ", ".join(repr(p) for p in added.new_scenarios)
    if added.new_organization:
        sees = f"sees {quoted}" if added.new_scenarios else "sees no scenario yet (admins see every run)"
        similar = (
            f"; it differs only in case from the existing {', '.join(map(repr, added.similar_organizations))}: "
            "names are case-sensitive, so it is another organization (edit the file if that is not meant)"
            if added.similar_organizations else "; check the spelling (names are case-sensitive)"
        )
        if added.first_organization:
            notes.append(f"note: new organization {added.organization!r} created, which {sees}")
        else:
            notes.append(f"warning: new organization {added.organization!r} created, which {sees}{similar}")
    elif added.new_scenarios:
        users = ", ".join(added.other_users) or "none yet"
        notes.append(
            f"note: organization {added.organization} now also sees {quoted} (scenarios belong to the organization: "
            f"all its users see them; users before this one: {users})"
        )
    if added.comments_dropped:
        notes.append(f"note: {access} was rewritten; its comments were not kept")
    notes.append(_SERVE_NOTE)
    return notes


_SERVE_NOTE = "note: a running `lunarops serve` re-reads the access file at its next request (no restart needed)"


@access_app.command("remove-user")
def remove_user(
    name: Annotated[str, typer.Argument(help="user name")],
    access: Annotated[Path, typer.Option("--access", help=ACCESS_HELP)],
    json_output: Annotated[bool, typer.Option("--json", help="print what was done as JSON")] = False,
) -> None:
    """Remove a user: its token no longer logs in (its organization and that organization's scenarios stay)."""
    with handle_errors():
        from lunarops.web.access import remove_user as remove

        removed = remove(access, name)
        _print_change(
            removed, access, json_output,
            {"user": name, "organization": removed.organization, "role": removed.role, "removed": True,
             "users_left": removed.users_left},
            f"user {name} ({removed.organization}, {removed.role}) removed from {access}; its token no longer logs in",
        )


@access_app.command("rotate-token")
def rotate_token(
    name: Annotated[str, typer.Argument(help="user name")],
    access: Annotated[Path, typer.Option("--access", help=ACCESS_HELP)],
    json_output: Annotated[bool, typer.Option("--json", help="print the new token as JSON")] = False,
) -> None:
    """Give a user a new access token and print it (shown once; the file keeps only its SHA-256); the old token
    no longer logs in."""
    with handle_errors():
        from lunarops.web.access import rotate_token as rotate

        rotated = rotate(access, name)
        _print_change(
            rotated, access, json_output,
            {"user": name, "organization": rotated.organization, "role": rotated.role, "token": rotated.token},
            f"user {name} ({rotated.organization}, {rotated.role}) has a new token in {access}; the old one no "
            "longer logs in; new token (shown once):",
            rotated.token,
        )


def _print_change(change: Any, access: Path, json_output: bool, record: dict[str, Any], text: str,
                  token: str | None = None) -> None:
    """What an access-file change did: its notes on stderr, then the record as JSON or the text (and a new
    token on a line of its own)."""
    notes = _change_notes(change, access)
    for note in notes:
        err_console.print(note, highlight=False, soft_wrap=True)
    if json_output:
        print_json({**record, "notes": notes})
        return
    console.print(text, highlight=False, soft_wrap=True)
    if token is not None:
        console.print(token, highlight=False, soft_wrap=True)


def _change_notes(changed: ChangedUser, access: Path) -> list[str]:
    notes = []
    if changed.comments_dropped:
        notes.append(f"note: {access} was rewritten; its comments were not kept")
    notes.append(_SERVE_NOTE + "; browsers logged in with the old token are logged out then")
    return notes


@access_app.command("list")
def list_access(access: Annotated[Path, typer.Option("--access", help=ACCESS_HELP)]) -> None:
    """The organizations, the scenarios each sees, and their users."""
    with handle_errors():
        from lunarops.web.access import load_access

        policy = load_access(access, require_users=False)
        for org in policy.organizations:
            members = [u for u in policy.users if u.organization == org.name]
            users = [f"{u.name} ({u.role})" for u in members]
            patterns = ", ".join(org.scenarios)
            if org.scenarios:
                sees = f"scenarios {patterns}"
            elif members and all(u.role == "admin" for u in members):
                sees = "admin: all runs"
            else:
                sees = "scenarios none (its members see no run)"
            admins = [u.name for u in members if u.role == "admin"]
            if org.scenarios and admins:
                sees += f" (admins {', '.join(admins)}: all runs)"
            console.print(f"{org.name}: {sees}; users {', '.join(users) or 'none'}", highlight=False)
        if not policy.users:
            console.print(f"no users; add one with `lunarops access add-user NAME --organization ORG --access "
                          f"{access}`", highlight=False)


def register(app: typer.Typer) -> None:
    """Add this group's commands to the root app."""
    app.command()(serve)
    app.add_typer(access_app, name="access")
