"""The team's accounts: argon2 password hashes, roles, and the checks at login."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import AliasedClass

from intake.errors import IntakeError
from intake.store import Database
from intake.store.models import User

ROLES = ("agent", "manager", "admin")
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
LANGUAGES = ("nl", "en")
MIN_PASSWORD_LENGTH = 12

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so both cases take the same time."""
    return _hasher.hash(secrets.token_urlsafe(16))


class UserError(IntakeError):
    """Raised when an account cannot be added or changed (unknown user, weak password, bad role)."""


@dataclass(frozen=True, slots=True)
class Account:
    """A signed-in user as the web page sees it; never carries the password hash."""

    id: int
    username: str
    display_name: str
    role: str
    language: str

    def has_role(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    @property
    def name(self) -> str:
        return self.display_name or self.username


def account_of(user: User) -> Account:
    return Account(user.id, user.username, user.display_name, user.role, user.language)


def shown_name(user: type[User] | AliasedClass[User] = User) -> ColumnElement[str]:
    """Account.name in SQL: the display name, else the username."""
    return func.coalesce(func.nullif(user.display_name, ""), user.username)


def find_user(session: Session, username: str) -> User | None:
    """The user with that login name (kept lower-case), or None."""
    return session.scalar(select(User).where(User.username == username.strip().lower()))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")


def generate_password() -> str:
    """A random password to hand over once (about 100 bits)."""
    return secrets.token_urlsafe(16)


def password_fingerprint(password_hash: str) -> str:
    """Short digest of the hash kept in the session: a password reset ends every session."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def authenticate(db: Database, username: str, password: str) -> tuple[Account, str] | None:
    """The account and its password hash when the password matches an active user, else None."""
    with db.session() as session:
        user = find_user(session, username)
        stored = user.password_hash if user is not None and user.password_hash else _dummy_hash()
        try:
            _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if user is None or not user.active or not user.password_hash:
            return None
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        return account_of(user), user.password_hash


def add_user(
    db: Database,
    username: str,
    *,
    role: str,
    password: str | None,
    display_name: str = "",
    language: str = "nl",
) -> Account:
    """A new account; password None makes an account that can only sign in through single sign-on."""
    username = _clean_username(username)
    _check_role(role)
    if language not in LANGUAGES:
        raise UserError(f"language must be one of {', '.join(LANGUAGES)}")
    if password is not None:
        check_password_strength(password)
    with db.session() as session:
        if find_user(session, username) is not None:
            raise UserError(f"user {username!r} already exists")
        user = User(
            username=username,
            role=role,
            display_name=display_name.strip()[:255],
            language=language,
            password_hash=hash_password(password) if password is not None else "",
            active=True,
        )
        session.add(user)
        session.flush()
        return account_of(user)


def set_active(db: Database, username: str, active: bool) -> None:
    with db.session() as session:
        _get(session, username).active = active


def reset_password(db: Database, username: str, password: str) -> None:
    check_password_strength(password)
    with db.session() as session:
        _get(session, username).password_hash = hash_password(password)


def set_role(db: Database, username: str, role: str) -> None:
    _check_role(role)
    with db.session() as session:
        _get(session, username).role = role


def set_language(db: Database, user_id: int, language: str) -> None:
    if language in LANGUAGES:
        with db.session() as session:
            user = session.get(User, user_id)
            if user is not None:
                user.language = language


def list_users(db: Database) -> list[tuple[Account, bool]]:
    """Every account with whether it is active, by username."""
    with db.session() as session:
        return [
            (account_of(u), u.active) for u in session.scalars(select(User).order_by(User.username))
        ]


def _get(session: Session, username: str) -> User:
    user = find_user(session, username)
    if user is None:
        raise UserError(f"no user {username!r}")
    return user


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")


def _clean_username(username: str) -> str:
    cleaned = username.strip().lower()
    if not cleaned or len(cleaned) > 150 or any(c.isspace() or ord(c) < 32 for c in cleaned):
        raise UserError("a username is 1 to 150 characters without spaces")
    return cleaned
