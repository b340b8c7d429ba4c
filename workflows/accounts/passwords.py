"""Password rules for every path that sets a password, and a check that costs the same for unknown users."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from workflows.errors import InvalidDataError
from workflows.messages import Message, message
from workflows.models import User
from workflows.models import user as user_model

COMMON_PASSWORDS = Path(__file__).resolve().parent / "data" / "common-passwords.txt"  # see data/README.md
LOWEST_MIN_LENGTH = 8  # the shipped list holds no shorter entries, so a lower setting would let them through
MAX_LENGTH = 200  # bounds the work of hashing what a form sends
MIN_NAME_IN_PASSWORD = 4  # shorter names are refused only as the whole password, not as a part of it


@dataclass(frozen=True)
class PasswordPolicy:
    """What a new password must meet; the application builds one from its settings."""

    min_length: int = 10

    def __post_init__(self) -> None:
        if self.min_length < LOWEST_MIN_LENGTH:
            raise ValueError(f"the minimum password length must be at least {LOWEST_MIN_LENGTH}")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of the most used passwords, lowercase (read once per process)."""
    return frozenset(line for line in COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines() if line)


def password_problems(policy: PasswordPolicy, password: str, *, username: str, agency_code: str) -> list[Message]:
    """Why the password may not be set (empty when it may)."""
    problems = []
    if len(password) < policy.min_length:
        problems.append(message("field_password_short", count=policy.min_length))
    if len(password) > MAX_LENGTH:
        problems.append(message("field_password_long", count=MAX_LENGTH))
    folded = password.casefold()
    if folded in common_passwords():
        problems.append(message("field_password_common"))
    for name, code in ((username, "field_password_has_user_name"), (agency_code, "field_password_has_agency_code")):
        name = name.strip().casefold()
        if name and (name == folded or (len(name) >= MIN_NAME_IN_PASSWORD and name in folded)):
            problems.append(message(code))
    return problems


def require_acceptable(policy: PasswordPolicy, password: str, *, username: str, agency_code: str,
                       message: str, field: str = "password") -> None:
    """Raise InvalidDataError(message) with the problems at the field unless the password may be set."""
    problems = password_problems(policy, password, username=username, agency_code=agency_code)
    if problems:
        raise InvalidDataError(message, {field: problems})


@lru_cache(maxsize=4)
def _stand_in_hash(method: str) -> str:
    """A hash of a random password with the current method, checked when there is no user's hash to check."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def verify_password(user: User | None, password: str) -> bool:
    """Whether the password is the user's; without a user one hash is checked all the same, so that
    the time to refuse does not tell whether an account exists."""
    stored = user.password_hash if user is not None else _stand_in_hash(user_model.PASSWORD_HASH_METHOD)
    matches = check_password_hash(stored, password)
    return matches and user is not None
