"""Who may see which runs on the web dashboard: organizations, their users and the scenarios they share.

An access file (YAML) lists the partner organizations, the scenario-name patterns whose runs each may see
(shell-style and case-sensitive, e.g. ``"ILRS south-pole*"``; ``"*"`` for every run) and the users, each with an
organization, a role (``member``: the organization's runs; ``admin``: every run of every organization) and the
SHA-256 of its access token. The patterns belong to the organization: every member sees the runs they match.
Tokens are random 256-bit strings (``secrets.token_urlsafe(32)``), so one hash is enough; the file never holds a
token.
"""

from __future__ import annotations

import fnmatch
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from lunarops.atomic import write_text_atomic
from lunarops.errors import InputError
from lunarops.scenario.base import _Model

Role = Literal["member", "admin"]
HEADER = "# lunarops web access: organizations, the scenarios they see, users (token hashes only)\n"
#: the access file is written readable by its owner only (it names every user; whoever can write it can add an admin)
ACCESS_FILE_MODE = 0o600
_ADD_USER = "lunarops access add-user NAME --organization ORG --access FILE"


def pattern_problem(pattern: str) -> str | None:
    """What is wrong with a scenario-name pattern (None: nothing): empty, or a '[' that opens no set."""
    if not pattern.strip():
        return "is empty; give a scenario name or a shell-style pattern, e.g. 'ILRS*'"
    i = 0
    while i < len(pattern):
        if pattern[i] == "[":
            j = i + 1
            if j < len(pattern) and pattern[j] == "!":
                j += 1
            if j < len(pattern) and pattern[j] == "]":
                j += 1
            close = pattern.find("]", j)
            if close < 0:
                return "has a '[' without a closing ']'; close the set (e.g. 'ILRS[12]*'), or write '[[]' for a '['"
            i = close
        i += 1
    return None


class Organization(_Model):
    name: str = Field(min_length=1, max_length=100)
    scenarios: list[str] = Field(
        default=[],
        description="scenario-name patterns (shell-style, case-sensitive) whose runs the organization's members see",
    )

    @field_validator("scenarios")
    @classmethod
    def _patterns(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            problem = pattern_problem(pattern)
            if problem:
                raise ValueError(f"pattern {_short(pattern)} {problem}")
        return patterns


class User(_Model):
    name: str = Field(min_length=1, max_length=100)
    organization: str
    role: Role = "member"
    token_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 (hex) of the user's access token")


class AccessPolicy(_Model):
    """The organizations, their shared scenarios and their users."""

    organizations: list[Organization] = []
    users: list[User] = []

    @model_validator(mode="after")
    def _check(self) -> AccessPolicy:
        orgs = [o.name for o in self.organizations]
        names = [u.name for u in self.users]
        for label, values in (("organization", orgs), ("user", names)):
            repeated = sorted({v for v in values if values.count(v) > 1})
            if repeated:
                raise ValueError(f"{label} names must be unique; {', '.join(map(repr, repeated))} repeat: rename them")
        for user in self.users:
            if user.organization not in orgs:
                similar = [o for o in orgs if o.casefold() == user.organization.casefold()]
                hint = f" (names are case-sensitive: did you mean {similar[0]!r}?)" if similar else ""
                raise ValueError(
                    f"user {user.name!r}: organization {user.organization!r} is not listed{hint}; choose one of "
                    f"{', '.join(map(repr, orgs)) or 'none (the list is empty)'} or add it under organizations"
                )
        seen: dict[str, str] = {}
        for user in self.users:
            if user.token_sha256 in seen:
                raise ValueError(
                    f"users {seen[user.token_sha256]!r} and {user.name!r} have the same token_sha256, so one token "
                    f"would log in as {seen[user.token_sha256]!r} only: remove one of them from the file and issue "
                    f"it a new token with `{_ADD_USER}`"
                )
            seen[user.token_sha256] = user.name
        return self

    def user_for_token(self, token: str) -> User | None:
        """The user whose token this is (compared in constant time), or None."""
        digest = token_digest(token)
        for user in self.users:
            if hmac.compare_digest(user.token_sha256, digest):
                return user
        return None

    def can_see(self, user: User, scenario_name: str) -> bool:
        """Whether ``user`` may see the runs of the scenario called ``scenario_name``."""
        if user.role == "admin":
            return True
        org = next(o for o in self.organizations if o.name == user.organization)
        return any(fnmatch.fnmatchcase(scenario_name, pattern) for pattern in org.scenarios)


def token_digest(token: str) -> str:
    """SHA-256 (hex) of an access token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _short(value: Any, width: int = 40) -> str:
    """A value as it may be shown in a message: a string quoted whole, or cut with '...' inside the quotes."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > width:
        text = text[: width - 3] + "..."
    return repr(text)


# the fix for a bad value, by the field's name
_FIXES = {
    "name": "give a name of 1 to 100 characters",
    "organization": "give the name of an organization listed under organizations",
    "role": "use member or admin",
    "token_sha256": f"it is the SHA-256 (64 hex digits) of a token: issue a new one with `{_ADD_USER}`",
    "scenarios": "give a list of scenario-name patterns, e.g. ['ILRS*']",
    "organizations": "give a list of organizations, e.g. [{name: partner-university, scenarios: ['ILRS*']}]",
    "users": "give a list of users (`lunarops access add-user` writes them)",
}


def _problem(item: Any) -> str:
    """One validation problem: where, what, the value (shortened) and the fix."""
    loc = item["loc"]
    where = ".".join(str(p) for p in loc) or "<root>"
    message = item["msg"].removeprefix("Value error, ")
    if item["type"] == "value_error":  # our own checks: they name the values and the fix
        return f"{where}: {message}"
    field = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
    if item["type"] == "extra_forbidden":
        return f"{where}: {field!r} is not a known field; remove it or fix its spelling"
    value = item.get("input")
    got = "" if isinstance(value, dict | list) else f" (got {_short(value)})"
    fix = _FIXES.get(field, "see docs/web.md")
    return f"{where}: {message}{got}; {fix}"


def load_access(path: Path, require_users: bool = True) -> AccessPolicy:
    """Read and check an access file; InputError naming the file, the field and the fix. ``require_users``: one
    without users is refused (nobody could log in)."""
    path = Path(path)
    if path.is_dir():
        raise InputError(
            f"--access {path} is a directory; give an access file inside it, e.g. --access {path / 'access.yaml'}"
        )
    if not path.is_file():
        raise InputError(
            f"access file {path} does not exist; create it with `lunarops access add-user NAME --organization ORG "
            f"--access {path}`"
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except UnicodeDecodeError as error:
        raise InputError(f"access file {path} is not UTF-8 text: {error.reason} at byte {error.start}") from None
    except yaml.YAMLError as error:
        raise InputError(f"access file {path} is not valid YAML: {_yaml_problem(error)}") from None
    if not isinstance(data, dict):
        raise InputError(
            f"access file {path} must be a mapping with 'organizations' and 'users' (got a {type(data).__name__})"
        )
    try:
        policy = AccessPolicy.model_validate(data)
    except ValidationError as error:
        problems = [_problem(item) for item in error.errors(include_url=False)]
        raise InputError(f"access file {path} is invalid: " + "; ".join(problems)) from None
    if require_users and not policy.users:
        raise InputError(
            f"access file {path} has no users; add one with `lunarops access add-user NAME --organization ORG "
            f"--access {path}`"
        )
    return policy


def _yaml_problem(error: yaml.YAMLError) -> str:
    """The parser's problem and where (line and column, counted from 1)."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None)
    context = getattr(error, "context", None)
    if mark is None or problem is None:
        return str(error).splitlines()[0]
    text = f"line {mark.line + 1}, column {mark.column + 1}: {problem}"
    return text + (f" ({context})" if context else "")


@dataclass(frozen=True)
class AddedUser:
    """What ``add_user_to`` did: the new token, and what changed for the user's organization."""

    token: str
    organization: str
    new_organization: bool
    similar_organizations: list[str] = field(default_factory=list)  # existing ones differing only in case
    new_scenarios: list[str] = field(default_factory=list)  # patterns the organization did not have before
    scenarios: list[str] = field(default_factory=list)  # the organization's patterns now
    other_users: list[str] = field(default_factory=list)  # the organization's users before this one
    comments_dropped: bool = False  # the file had comments, and was rewritten without them
    first_organization: bool = False  # the file had no organization before


def add_user(
    path: Path, name: str, organization: str, role: Role = "member", scenarios: list[str] | None = None
) -> str:
    """Add a user (and its organization, if new, sharing ``scenarios``) to the access file, created if absent;
    returns the new token, which is shown once and stored only as its hash. InputError if the user exists."""
    return add_user_to(path, name, organization, role, scenarios).token


def add_user_to(
    path: Path, name: str, organization: str, role: Role = "member", scenarios: list[str] | None = None
) -> AddedUser:
    """``add_user``, telling what changed: a new organization, patterns added to an existing organization's
    (which all its users then see), comments the rewrite dropped."""
    path = Path(path)
    if path.is_dir():
        raise InputError(
            f"--access {path} is a directory; give an access file inside it, e.g. --access {path / 'access.yaml'}"
        )
    if not name.strip():
        raise InputError(f"user NAME {name!r} is empty; give the user's name, e.g. ana")
    if not organization.strip():
        raise InputError(
            f"--organization {organization!r} is empty; give the user's organization, e.g. --organization CNSA"
        )
    if role not in ("member", "admin"):
        raise InputError(f"--role {role!r} is not known; use member or admin")
    for pattern in scenarios or []:
        problem = pattern_problem(pattern)
        if problem:
            raise InputError(f"--scenario {_short(pattern)} {problem}")
    old_text = path.read_text(encoding="utf-8") if path.exists() else ""
    policy = load_access(path, require_users=False) if path.exists() else AccessPolicy()
    if any(u.name == name for u in policy.users):
        raise InputError(f"user {name!r} is already in {path}; choose another name or edit the file to remove it")
    data = policy.model_dump()
    existing = next((o for o in data["organizations"] if o["name"] == organization), None)
    similar = [o["name"] for o in data["organizations"]
               if o["name"] != organization and o["name"].casefold() == organization.casefold()]
    others = [u["name"] for u in data["users"] if u["organization"] == organization]
    new_scenarios: list[str] = []
    if existing is None:
        patterns = list(dict.fromkeys(scenarios or []))
        data["organizations"].append({"name": organization, "scenarios": patterns})
        new_scenarios = patterns
    else:
        new_scenarios = [p for p in dict.fromkeys(scenarios or []) if p not in existing["scenarios"]]
        existing["scenarios"] = existing["scenarios"] + new_scenarios
        patterns = existing["scenarios"]
    token = secrets.token_urlsafe(32)
    entry = {"name": name, "organization": organization, "role": role, "token_sha256": token_digest(token)}
    data["users"].append(entry)
    try:
        checked = AccessPolicy.model_validate(data)
    except ValidationError as error:
        option = {"name": "--organization", "organization": "--organization", "scenarios": "--scenario"}
        item = error.errors(include_url=False)[0]
        field_name = next((str(p) for p in reversed(item["loc"]) if isinstance(p, str)), "")
        raise InputError(
            f"cannot add user {name!r} ({option.get(field_name, 'NAME')}): {_problem(item)}"
        ) from None
    appended = _appended(old_text, entry, checked) if existing is not None and not new_scenarios else None
    if appended is not None:
        write_text_atomic(path, appended, ACCESS_FILE_MODE)
        dropped = False
    else:
        write_text_atomic(path, HEADER + yaml.safe_dump(checked.model_dump(), sort_keys=False), ACCESS_FILE_MODE)
        dropped = _has_comments(old_text)
    return AddedUser(
        token=token, organization=organization, new_organization=existing is None,
        similar_organizations=similar, new_scenarios=new_scenarios, scenarios=list(patterns), other_users=others,
        comments_dropped=dropped, first_organization=not policy.organizations,
    )


def _has_comments(text: str) -> bool:
    """Whether the file has comments other than the header add-user writes (a '#' outside the header)."""
    return "#" in text.replace(HEADER.strip(), "", 1)


def _appended(text: str, entry: dict[str, str], expected: AccessPolicy) -> str | None:
    """The file's text with the user's entry appended to its ``users`` list (comments kept), if that gives
    ``expected``; None when the file's layout does not allow it (the caller then rewrites the file)."""
    if not text.strip():
        return None
    lines = text.rstrip("\n").split("\n")
    indent = next((line[: len(line) - len(line.lstrip())] for line in reversed(lines)
                   if line.lstrip().startswith("- ")), "")
    block = yaml.safe_dump([entry], sort_keys=False).rstrip("\n").split("\n")
    candidate = "\n".join(lines + [indent + line for line in block]) + "\n"
    try:
        if AccessPolicy.model_validate(yaml.safe_load(candidate)) == expected:
            return candidate
    except (yaml.YAMLError, ValidationError, TypeError, ValueError):
        pass
    return None


def is_match_all(pattern: str) -> bool:
    """Whether a scenario-name pattern matches every name ('*', '**', ...): its organization sees every run."""
    return bool(pattern) and not pattern.strip("*")


@dataclass(frozen=True)
class ChangedUser:
    """What ``remove_user`` or ``rotate_token`` did: the user's organization and role, the new token (rotate)."""

    name: str
    organization: str
    role: str
    token: str = ""  # rotate_token: the new token, shown once
    comments_dropped: bool = False  # the file had comments, and was rewritten without them
    users_left: list[str] = field(default_factory=list)  # remove_user: the users still in the file


def _user_entry(path: Path, name: str) -> tuple[str, AccessPolicy, User]:
    """The access file's text, its policy and the user called ``name``; InputError naming the users there."""
    path = Path(path)
    policy = load_access(path, require_users=False)
    user = next((u for u in policy.users if u.name == name), None)
    if user is None:
        names = [u.name for u in policy.users]
        similar = [n for n in names if n.casefold() == name.casefold()]
        hint = f" (names are case-sensitive: did you mean {similar[0]!r}?)" if similar else ""
        there = f"its users: {', '.join(names)}" if names else "it has no users"
        raise InputError(f"no user {name!r} in {path}{hint}; {there} (`lunarops access list --access {path}`)")
    return path.read_text(encoding="utf-8"), policy, user


def remove_user(path: Path, name: str) -> ChangedUser:
    """Remove the user called ``name`` from the access file (atomically; its organization stays): its token no
    longer logs in. InputError naming the users when there is none by that name."""
    path = Path(path)
    old_text, policy, user = _user_entry(path, name)
    data = policy.model_dump()
    data["users"] = [u for u in data["users"] if u["name"] != name]
    checked = AccessPolicy.model_validate(data)
    write_text_atomic(path, HEADER + yaml.safe_dump(checked.model_dump(), sort_keys=False), ACCESS_FILE_MODE)
    return ChangedUser(
        name=name, organization=user.organization, role=user.role, comments_dropped=_has_comments(old_text),
        users_left=[u.name for u in checked.users],
    )


def rotate_token(path: Path, name: str) -> ChangedUser:
    """Give the user called ``name`` a new token (returned; shown once, stored as its hash), atomically: the old
    token no longer logs in. The file's comments are kept. InputError naming the users when there is none."""
    path = Path(path)
    old_text, policy, user = _user_entry(path, name)
    token = secrets.token_urlsafe(32)
    data = policy.model_dump()
    for entry in data["users"]:
        if entry["name"] == name:
            entry["token_sha256"] = token_digest(token)
    expected = AccessPolicy.model_validate(data)
    # the hash is 64 random hex digits: replacing it in the text keeps the file's comments and layout
    text = old_text.replace(user.token_sha256, token_digest(token)) if old_text.count(user.token_sha256) == 1 else ""
    try:
        kept = bool(text) and AccessPolicy.model_validate(yaml.safe_load(text)) == expected
    except (yaml.YAMLError, ValidationError, TypeError, ValueError):
        kept = False
    if kept:
        write_text_atomic(path, text, ACCESS_FILE_MODE)
    else:
        write_text_atomic(path, HEADER + yaml.safe_dump(expected.model_dump(), sort_keys=False), ACCESS_FILE_MODE)
    return ChangedUser(
        name=name, organization=user.organization, role=user.role, token=token,
        comments_dropped=not kept and _has_comments(old_text),
    )
