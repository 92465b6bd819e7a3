"""The officials' side: the FastAPI application that the one process serves."""

from __future__ import annotations

from fastapi import FastAPI

__all__ = ["create_app"]

API_PREFIX = "/api/v1"


def create_app() -> FastAPI:
    """The admin API; the composition root adds the process-level routes beside it."""
    return FastAPI(
        title="Kaupunkitalkkari",
        summary="The city's caretaker bot: the officials' and communications staff's API.",
        version="0.1.0",
    )
