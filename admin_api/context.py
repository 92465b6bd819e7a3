"""What the admin API is given by the composition root, and what it does with the secrets.

:class:`AdminContext` is built once (``talkkari.http.build_http_app``) and handed to
``create_app``; routes reach it through :data:`admin_api.deps.ContextDep`. Beside it:
:class:`Passwords` (argon2id hashing) and the access tokens (:func:`issue_token`,
:func:`read_token`): JWTs signed with HS256, claims ``sub`` (the official's id), ``role``,
``iat`` and ``exp``, checked against the context's clock.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta, tzinfo
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from knowledge.editions import ArticlePack
from knowledge.notices import AreaLookup
from routing.events import InboxBell
from routing.hours import HELSINKI
from store import Clock, Database

__all__ = ["AdminContext", "Explain", "LoginPolicy", "Passwords", "issue_token", "read_token"]

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

    - ``secret_key`` signs the access tokens (:mod:`admin_api.auth` derives the signing key).
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
    secret_key: str
    token_minutes: int = 30
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


_ALGORITHM = "HS256"
_CLOCK_SKEW_SECONDS = 60
"""How far ahead of this replica's clock another replica's may be when it issues a token."""


def _signing_key(context: AdminContext) -> bytes:
    # A key of its own for tokens (the secret may sign other things), always 32 bytes long.
    return hmac.new(context.secret_key.encode(), b"admin-api access token", hashlib.sha256).digest()


def issue_token(context: AdminContext, *, official_id: int, role: str) -> tuple[str, int]:
    """A signed access token for the official and how many seconds it lives."""
    now = int(context.clock.now().timestamp())
    lifetime = context.token_minutes * 60
    claims = {"sub": str(official_id), "role": role, "iat": now, "exp": now + lifetime}
    return jwt.encode(claims, _signing_key(context), algorithm=_ALGORITHM), lifetime


def read_token(context: AdminContext, token: str) -> int | None:
    """The official id a token was issued to; ``None`` if it is forged, malformed or expired."""
    try:
        claims = jwt.decode(
            token,
            _signing_key(context),
            algorithms=[_ALGORITHM],
            # Times are checked below against the context's clock, not the machine's.
            options={"require": ["sub", "iat", "exp"], "verify_exp": False, "verify_iat": False},
        )
        issued, expires = int(claims["iat"]), int(claims["exp"])
        official_id = int(claims["sub"])
    except (jwt.InvalidTokenError, TypeError, ValueError, OverflowError):
        return None
    now = context.clock.now().timestamp()
    if not issued - _CLOCK_SKEW_SECONDS <= now < expires:
        return None
    return official_id
