"""The officials' side: FastAPI routes for the inbox, notices, teams, rules, cases and audit.

Foundation for every feature module: :mod:`admin_api.context` (what the API is given),
:mod:`admin_api.deps` (sessions, the caller, roles, team scope, constrained types),
:mod:`admin_api.errors` (problem+json), :mod:`admin_api.pagination` (cursor pages).
"""

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
