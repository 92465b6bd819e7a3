"""What the admin API is given by the composition root, and what it does with the secrets.

:class:`AdminContext` is built once (``talkkari.http.build_http_app``) and handed to
``create_app``; routes reach it through :data:`admin_api.deps.ContextDep`. Beside it:
:class:`Passwords` (argon2id hashing) and the access tokens (:func:`issue_token`,
:func:`read_token`): JWTs signed with HS256 under a key derived from the secret
(:mod:`admin_api.keys`), header ``kid`` naming that key, claims ``iss``, ``aud``, ``sub`` (the
official's id), ``sid`` (their session, :mod:`admin_api.sessions`), ``role``, ``iat`` and
``exp``, checked against the context's clock. Refresh tokens are random and kept only as a
keyed digest (:func:`refresh_digest`), so a change of the secret ends them too.
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from admin_api.keys import WeakSecretKey, derived_key, key_id, weak_key_reason
from knowledge.editions import ArticlePack
from knowledge.notices import AreaLookup
from routing.events import InboxBell
from routing.hours import HELSINKI
from store import Clock, Database, OfficialSession

__all__ = [
    "AccessClaims",
    "AdminContext",
    "Explain",
    "LoginPolicy",
    "Passwords",
    "SessionPolicy",
    "issue_token",
    "new_refresh_token",
    "read_token",
    "refresh_digest",
]

Explain = Callable[[str], dict[str, Any] | Awaitable[dict[str, Any]]]
"""Text → what the bot understands of it and the routing rule it matches (JSON-safe)."""


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    """How failed logins are throttled, per account (the e-mail address typed, whether an
    account has it or not) and per client address. A key that reaches its limit within
    ``window`` is locked for ``lockout``; attempts while locked count for the address."""

    account_failures: int = 5
    address_failures: int = 20
    """Higher than per account: a city office answers from one NAT address."""
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    """How long an official's session lasts: it ends when it has not been refreshed for
    ``idle`` (the client refreshes as the official works), and ``lifetime`` after the login
    whatever happens. Access tokens live ``access`` (at most), so that an ended session stops
    every replica's work for it within that time even where nothing reads the session row."""

    idle: timedelta = timedelta(hours=8)
    lifetime: timedelta = timedelta(hours=12)
    access: timedelta = timedelta(minutes=15)

    def allows(self, login: OfficialSession, now: datetime) -> bool:
        """Whether the session still works at ``now``."""
        return (
            login.ended_at is None
            and now < login.last_seen_at + self.idle
            and now < login.started_at + self.lifetime
        )


class Passwords:
    """argon2id hashing, off the event loop and a few at a time (each takes ~64 MiB).

    :meth:`verify` takes the same time whether or not there is a hash to check: without one it
    checks against a hash of a random password made with the same parameters, so a login
    cannot tell an unknown e-mail address from a wrong password by its response time. That
    hash is made at the first verification of any kind, so even the first login tells nothing.
    """

    def __init__(self, hasher: PasswordHasher | None = None, *, concurrency: int = 4) -> None:
        self.hasher = hasher or PasswordHasher()
        self._slots = asyncio.Semaphore(concurrency)
        self._dummy: str | None = None

    async def hash(self, password: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(self.hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches; ``None`` (no such account) is checked and refused."""
        async with self._slots:
            if self._dummy is None:
                self._dummy = await asyncio.to_thread(self.hasher.hash, secrets.token_urlsafe(24))
            try:
                await asyncio.to_thread(self.hasher.verify, password_hash or self._dummy, password)
            except (VerificationError, InvalidHashError):
                return False
        return password_hash is not None

    def needs_rehash(self, password_hash: str) -> bool:
        """The hash was made with other parameters than ours (rehash it at the next login)."""
        try:
            return self.hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True


@dataclass(frozen=True, slots=True)
class AdminContext:
    """Everything the admin API works with, given by the composition root.

    - ``secret_key`` signs the access tokens (:mod:`admin_api.keys` derives the signing key);
      a weak one is refused (:class:`~admin_api.keys.WeakSecretKey`).
    - ``session_policy``: idle time, lifetime and access-token lifetime of officials' sessions.
    - ``on_routing_changed`` is awaited after a change to routing rules or teams commits (the
      router reloads them); ``None`` when nothing caches them.
    - ``explain`` answers ``GET /routing/explain``; ``None`` makes that route answer 503.
    - ``passwords`` hashes with argon2-cffi's default (production) parameters. Pass
      ``Passwords(PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1))`` only where
      speed matters more than strength (a benchmark); hashes made so are rehashed with the
      parameters in force at the next login.
    - ``bell`` is rung after a change to a conversation commits, so that this process's inbox
      streams (``GET /events``) read at once; ``None``: they poll only.
    - ``timezone`` is the city's, in which teams' office hours are read (a transfer's promise).
    - ``areas`` is the area registry notices are written for (``None``: the notice and area
      routes answer 503); ``notice_languages`` the texts a notice needs before it is scheduled.
    - ``articles`` is the shipped pack of service articles, their version 0 (``None``: the
      article routes answer 503); ``on_articles_changed`` is awaited after a saved version
      commits (the bot's knowledge base reloads), ``None`` when nothing holds one.
    """

    database: Database
    clock: Clock
    secret_key: str = field(repr=False)
    session_policy: SessionPolicy = field(default_factory=SessionPolicy)
    on_routing_changed: Callable[[], Awaitable[None]] | None = None
    explain: Explain | None = None
    passwords: Passwords = field(default_factory=Passwords)
    login_policy: LoginPolicy = field(default_factory=LoginPolicy)
    bell: InboxBell | None = None
    timezone: tzinfo = HELSINKI
    areas: AreaLookup | None = None
    notice_languages: tuple[str, ...] = ("fi", "sv")
    articles: ArticlePack | None = None
    on_articles_changed: Callable[[], Awaitable[None]] | None = None

    def __post_init__(self) -> None:
        reason = weak_key_reason(self.secret_key)
        if reason is not None:
            raise WeakSecretKey(f"the secret key is {reason}")


_ALGORITHM = "HS256"
ISSUER = "kaupunkitalkkari"
AUDIENCE = "kaupunkitalkkari/admin-api"
_CLOCK_SKEW_SECONDS = 60
"""How far ahead of this replica's clock another replica's may be when it issues a token."""


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """What a genuine, unexpired access token says: who, in which session."""

    official_id: int
    session_id: int


def _signing_key(context: AdminContext) -> bytes:
    return derived_key(context.secret_key, "admin-api access token")


def issue_token(
    context: AdminContext,
    *,
    official_id: int,
    role: str,
    session_id: int,
    ends_at: int | None = None,
) -> tuple[str, int]:
    """A signed access token for the official's session and how many seconds it lives (the
    policy's ``access``, or less when the session ends sooner: ``ends_at``, a timestamp)."""
    now = int(context.clock.now().timestamp())
    expires = now + int(context.session_policy.access.total_seconds())
    if ends_at is not None:
        expires = max(now + 1, min(expires, ends_at))
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(official_id),
        "sid": session_id,
        "role": role,
        "iat": now,
        "exp": expires,
    }
    key = _signing_key(context)
    token = jwt.encode(claims, key, algorithm=_ALGORITHM, headers={"kid": key_id(key)})
    return token, expires - now


def read_token(context: AdminContext, token: str) -> AccessClaims | None:
    """Who a token was issued to, in which session; ``None`` if it is forged, malformed, made
    with another key, for another issuer or audience, or expired."""
    key = _signing_key(context)
    try:
        if jwt.get_unverified_header(token).get("kid") != key_id(key):
            return None
        claims = jwt.decode(
            token,
            key,
            algorithms=[_ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            # Times are checked below against the context's clock, not the machine's.
            options={
                "require": ["iss", "aud", "sub", "sid", "iat", "exp"],
                "verify_exp": False,
                "verify_iat": False,
            },
        )
        issued, expires = int(claims["iat"]), int(claims["exp"])
        official_id, session_id = int(claims["sub"]), int(claims["sid"])
    except (jwt.InvalidTokenError, TypeError, ValueError, OverflowError, AttributeError):
        return None
    now = context.clock.now().timestamp()
    if not issued - _CLOCK_SKEW_SECONDS <= now < expires:
        return None
    return AccessClaims(official_id=official_id, session_id=session_id)


def new_refresh_token() -> str:
    """An opaque refresh token: 256 random bits."""
    return secrets.token_urlsafe(32)


def refresh_digest(context: AdminContext, token: str) -> str:
    """What is stored of a refresh token: a digest keyed with the secret, so that neither a
    copy of the database nor an old secret makes a working token."""
    key = derived_key(context.secret_key, "admin-api refresh token")
    return hmac.new(key, token.encode("utf-8", "surrogatepass"), "sha256").hexdigest()
