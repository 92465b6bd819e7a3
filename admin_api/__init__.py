"""The officials' side: FastAPI routes for the inbox, notices, teams, rules, cases and audit."""

from admin_api.app import API_PREFIX, create_app

__all__ = ["API_PREFIX", "create_app"]
