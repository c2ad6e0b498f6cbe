"""Who may see which runs on the web dashboard: organizations, their users and the scenarios they share.

An access file (YAML) lists the partner organizations, the scenario-name patterns whose runs each may see
(shell-style, e.g. ``"ILRS south-pole*"``; ``"*"`` for every run) and the users, each with an organization,
a role (``member``: the organization's runs; ``admin``: every run) and the SHA-256 of its access token. Tokens
are random 256-bit strings (``secrets.token_urlsafe(32)``), so one hash is enough; the file never holds a token.
"""

from __future__ import annotations

import fnmatch
import hashlib
import hmac
import secrets
from pathlib import Path
from typing import Literal

import yaml
from pydantic import Field, ValidationError, model_validator

from lunarops.atomic import write_text_atomic
from lunarops.errors import InputError
from lunarops.scenario.base import _Model

Role = Literal["member", "admin"]


class Organization(_Model):
    name: str = Field(min_length=1, max_length=100)
    scenarios: list[str] = Field(
        default=[], description="scenario-name patterns (shell-style) whose runs the organization sees"
    )


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
                raise ValueError(f"{label} names must be unique; {repeated} repeat: rename them")
        for user in self.users:
            if user.organization not in orgs:
                raise ValueError(
                    f"user {user.name!r}: organization {user.organization!r} is not listed; choose one of {orgs} "
                    "or add it under organizations"
                )
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


def load_access(path: Path) -> AccessPolicy:
    """Read and check an access file; InputError naming the file, the field and the fix."""
    path = Path(path)
    if not path.is_file():
        raise InputError(
            f"access file {path} does not exist; create it with `lunarops access add-user NAME --organization ORG "
            f"--access {path}`"
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise InputError(f"access file {path} is not valid YAML: {error}".splitlines()[0]) from None
    if not isinstance(data, dict):
        raise InputError(f"access file {path} must be a mapping with 'organizations' and 'users'")
    try:
        return AccessPolicy.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors(include_url=False):
            where = ".".join(str(p) for p in item["loc"]) or "<root>"
            problems.append(f"{where}: {item['msg'].removeprefix('Value error, ')} (got {item.get('input')!r:.60})")
        raise InputError(f"access file {path} is invalid: " + "; ".join(problems)) from None


def add_user(
    path: Path, name: str, organization: str, role: Role = "member", scenarios: list[str] | None = None
) -> str:
    """Add a user (and its organization, if new, sharing ``scenarios``) to the access file, created if absent;
    returns the new token, which is shown once and stored only as its hash. InputError if the user exists."""
    path = Path(path)
    policy = load_access(path) if path.exists() else AccessPolicy()
    if any(u.name == name for u in policy.users):
        raise InputError(f"user {name!r} is already in {path}; choose another name or edit the file to remove it")
    if role not in ("member", "admin"):
        raise InputError(f"role {role!r} is not known; use member or admin")
    data = policy.model_dump()
    if not any(o["name"] == organization for o in data["organizations"]):
        data["organizations"].append({"name": organization, "scenarios": list(scenarios or [])})
    elif scenarios:
        org = next(o for o in data["organizations"] if o["name"] == organization)
        org["scenarios"] = sorted(set(org["scenarios"]) | set(scenarios))
    token = secrets.token_urlsafe(32)
    data["users"].append(
        {"name": name, "organization": organization, "role": role, "token_sha256": token_digest(token)}
    )
    try:
        checked = AccessPolicy.model_validate(data)
    except ValidationError as error:
        raise InputError(f"cannot add user {name!r}: {error.errors(include_url=False)[0]['msg']}") from None
    header = "# lunarops web access: organizations, the scenarios they see, users (token hashes only)\n"
    write_text_atomic(path, header + yaml.safe_dump(checked.model_dump(), sort_keys=False))
    return token
