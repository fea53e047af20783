"""The web console's users (`honeyflow web --users FILE`): who may log in, with which
password, roles, tenants and groups. A JSON file, mode 0600, kept like the gateway's clients
file (clients.gateway.clients_file):

    {"users": {"<name>": {"password_hash": "$argon2id$...", "roles": ["operator"],
     "tenants": [], "groups": []}}}

Passwords are kept only as Argon2id hashes (clients.secret_hashes). Roles:

- viewer: reads every page of the console; acts on nothing;
- operator: reads every page and takes every console action (resolve, cancel, set
  variables, modify, migrate, batches and whatever action comes next);
- task-user: the task list, restricted to its own tasks (assigned to it, offered to it or
  one of its groups, or offered to nobody in particular); claims, unclaims and completes them.

A user may hold several roles (`--role` repeated)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, cast

from broker.private_files import replace_private_json
from clients.secret_hashes import hash_secret, secret_matches

ROLES: Final[tuple[str, ...]] = ("viewer", "operator", "task-user")
MIN_PASSWORD_LENGTH: Final = 8
MAX_PASSWORD_LENGTH: Final = 1024
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,127}")
_LABEL = re.compile(r"[^\x00-\x1f\x7f]{1,256}")


class UsersFileError(ValueError):
    """The users file cannot be read or holds something wrong; the message names it."""


@dataclass(frozen=True)
class WebUser:
    """A user of the console and what it may do."""

    name: str
    roles: frozenset[str]
    tenants: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    password_hash: str = field(default="", repr=False, compare=False)

    @property
    def role_text(self) -> str:
        return ", ".join(r for r in ROLES if r in self.roles)


@dataclass(frozen=True)
class Users:
    by_name: dict[str, WebUser]

    def authenticate(self, name: str, password: str) -> WebUser | None:
        """The user whose name and password these are, or None. An unknown name is checked
        against a dummy hash: a refusal takes as long whether or not the name exists."""
        user = self.by_name.get(name)
        if len(password) > MAX_PASSWORD_LENGTH:
            password = ""
        if not secret_matches(user.password_hash if user else None, password):
            return None
        return user


def check_user(
    name: str, roles: Iterable[str], tenants: Iterable[str], groups: Iterable[str]
) -> None:
    """ValueError saying what is wrong with a user to add."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"user name {name!r}: use letters, digits and . _ @ - (at most 128)")
    roles = list(roles)
    if not roles:
        raise ValueError(f"give at least one --role ({', '.join(ROLES)})")
    for role in roles:
        if role not in ROLES:
            raise ValueError(f"role {role!r}: one of {', '.join(ROLES)}")
    for what, values in (("tenant", tenants), ("group", groups)):
        for value in values:
            if not _LABEL.fullmatch(value):
                raise ValueError(f"{what} {value!r}: 1 to 256 characters, no control characters")


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValueError(f"the password has more than {MAX_PASSWORD_LENGTH} characters")


def load(path: Path) -> Users:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise UsersFileError(f"cannot read the users file {path}: {e.strerror}") from e
    except ValueError as e:
        raise UsersFileError(f"the users file {path} is not JSON: {e}") from e
    users = {}
    try:
        for name, entry in cast(dict[str, Any], data["users"]).items():
            roles = [str(r) for r in entry["roles"]]
            tenants = tuple(str(t) for t in entry.get("tenants", ()))
            groups = tuple(str(g) for g in entry.get("groups", ()))
            check_user(name, roles, tenants, groups)
            password_hash = str(entry["password_hash"])
            if not password_hash.startswith("$argon2"):
                raise ValueError(f"user {name!r}: password_hash is not an Argon2 hash")
            users[name] = WebUser(name, frozenset(roles), tenants, groups, password_hash)
    except (KeyError, TypeError, AttributeError, ValueError) as e:
        raise UsersFileError(f"the users file {path} is malformed: {e}") from e
    if not users:
        raise UsersFileError(
            f"the users file {path} has no users: add one with `honeyflow web users add`"
        )
    return Users(users)


def add_user(
    path: Path,
    name: str,
    password: str,
    roles: Iterable[str],
    tenants: Iterable[str] = (),
    groups: Iterable[str] = (),
) -> None:
    """Add `name` to the file (made if missing, mode 0600), or give it a new password, roles,
    tenants and groups if it is there."""
    roles, tenants, groups = list(dict.fromkeys(roles)), list(tenants), list(groups)
    check_user(name, roles, tenants, groups)
    check_password(password)
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = None
        if data is None or not isinstance(data.get("users"), dict):
            load(path)  # says what is wrong with the file
            raise UsersFileError(f"the users file {path} is malformed")
        if data["users"]:
            load(path)  # refuse to extend a broken file
    else:
        data = {"users": {}}
    data["users"][name] = {
        "password_hash": hash_secret(password),
        "roles": roles,
        "tenants": tenants,
        "groups": groups,
    }
    replace_private_json(path, data)
