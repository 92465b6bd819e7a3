"""The officials' side: FastAPI routes for the inbox, notices, teams, rules, cases and audit.

Foundation for every feature module: :mod:`admin_api.context` (what the API is given),
:mod:`admin_api.deps` (sessions, the caller, roles, team scope, constrained types),
:mod:`admin_api.errors` (problem+json), :mod:`admin_api.pagination` (cursor pages),
:mod:`admin_api.keys` (the secret key's strength).

The names below are imported when first used: a command that only checks the secret key
(``talkkari run`` refusing a weak one) does not wait for FastAPI and every route to load.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from admin_api.app import API_PREFIX, create_app
    from admin_api.context import AdminContext, Explain, LoginPolicy, Passwords, SessionPolicy
    from admin_api.keys import WeakSecretKey, weak_key_reason

__all__ = [
    "API_PREFIX",
    "AdminContext",
    "Explain",
    "LoginPolicy",
    "Passwords",
    "SessionPolicy",
    "WeakSecretKey",
    "create_app",
    "weak_key_reason",
]

_HOMES = {
    "API_PREFIX": "admin_api.app",
    "create_app": "admin_api.app",
    "AdminContext": "admin_api.context",
    "Explain": "admin_api.context",
    "LoginPolicy": "admin_api.context",
    "Passwords": "admin_api.context",
    "SessionPolicy": "admin_api.context",
    "WeakSecretKey": "admin_api.keys",
    "weak_key_reason": "admin_api.keys",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'admin_api' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
