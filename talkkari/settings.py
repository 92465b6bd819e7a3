"""Settings: environment variables with the prefix ``TALKKARI_`` (and a ``.env`` file).

Built once in the composition root (:mod:`talkkari.cli`) and passed down; nothing reads the
environment at import time. Tests build ``Settings(...)`` directly.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AnyHttpUrl,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from knowledge.articles import PACKAGED_ARTICLES

__all__ = [
    "DATABASE_FILE",
    "Settings",
    "SettingsError",
    "TelegramMode",
    "default_data_dir",
    "load_settings",
]

DATABASE_FILE = "talkkari.db"
"""The SQLite file in the data directory, unless ``TALKKARI_DATABASE_URL`` says otherwise."""
ENV_PREFIX = "TALKKARI_"


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/kaupunkitalkkari``, else ``~/.local/share/kaupunkitalkkari``: one
    place, wherever the command is run from (the image sets ``/data``)."""
    base = os.environ.get("XDG_DATA_HOME", "").strip()
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".local" / "share"
    return root / "kaupunkitalkkari"


class TelegramMode(StrEnum):
    POLLING = "polling"
    WEBHOOK = "webhook"


class Settings(BaseSettings):
    """Everything the one process needs to know about its surroundings."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", extra="ignore", frozen=True
    )

    data_dir: Path = Field(default_factory=default_data_dir)
    """Where the process keeps its files: the SQLite database, the demo's secret key."""
    database_url: str = ""
    """Unset: the SQLite file ``talkkari.db`` in ``data_dir``."""
    telegram_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_mode: TelegramMode = TelegramMode.POLLING
    telegram_poll_timeout: Annotated[float, Field(gt=0, le=50)] = 25.0
    telegram_chat_spacing: Annotated[float, Field(ge=0)] = 1.0
    """Seconds between two messages to one private chat (Telegram: about one a second)."""
    telegram_group_spacing: Annotated[float, Field(ge=0)] = 3.0
    """Seconds between two messages to one group or channel (Telegram: twenty a minute)."""
    webhook_url: AnyHttpUrl | None = None
    webhook_secret: SecretStr | None = None
    ahjo_url: AnyHttpUrl | None = None
    """Base of the Ahjo REST API; unset, cases are answered from the local registry only."""
    ahjo_api_key: SecretStr | None = None
    """Sent to Ahjo with every request when set (the API gateway's key)."""
    ahjo_deadline: Annotated[float, Field(gt=0, le=30)] = 3.0
    """Seconds one case lookup may take in all, retries included."""
    case_watch_interval: Annotated[float, Field(ge=10)] = 900.0
    """Seconds between two looks at a followed case (jittered)."""
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8080
    secret_key: SecretStr | None = None
    """Signs officials' tokens; checked by the commands that need it (``run``), not here."""
    session_idle_hours: Annotated[float, Field(gt=0, le=24 * 30)] = 8.0
    """An official's session not refreshed for this long ends."""
    session_max_hours: Annotated[float, Field(gt=0, le=24 * 90)] = 12.0
    """An official's session ends this long after the login, however active."""
    timezone: str = "Europe/Helsinki"
    send_rate: Annotated[float, Field(gt=0)] = 25.0
    """Messages per second the sender allows itself overall (Telegram allows about 30)."""
    notice_languages: Annotated[str, Field(pattern=r"^\s*(fi|sv|en)(\s*,\s*(fi|sv|en))*\s*$")] = (
        "fi,sv"
    )
    """Languages an area notice must have before it can be scheduled (Helsinki: fi and sv)."""
    flood_messages_per_minute: Annotated[int, Field(ge=1)] = 20
    """More updates a minute than this from one private chat are a flood: told once, paced."""
    flood_pace_seconds: Annotated[float, Field(ge=0)] = 1.0
    """Seconds between two handled updates of a chat that floods (the chat spacing's second)."""
    outbox_lease_seconds: Annotated[float, Field(gt=0)] = 60.0
    """How long a claimed outbox row stays with one sender before another may retry it."""
    privacy_notice_url: AnyHttpUrl | None = None
    """The privacy notice residents are pointed to; unset, the city's data-protection page."""
    city_contact_url: AnyHttpUrl | None = None
    """Where residents are sent when no team can take a conversation; unset, the city's
    contact pages (in the resident's language)."""
    city_contact_phone: Annotated[str, Field(max_length=40)] | None = None
    """A phone number told with the contact page; unset, none (the page has the current ones)."""
    retention_months: Annotated[int, Field(ge=1, le=120)] = 12
    """Months a conversation is over before its message texts are purged."""
    log_level: str = "INFO"
    nlu_cache_dir: Path = Path.home() / ".cache" / "kaupunkitalkkari"
    """Where the trained understanding is kept; it is retrained when its data changes."""
    kb_directory: Path = PACKAGED_ARTICLES
    """The service articles the bot answers general questions from (one ``<id>.md`` each)."""

    @field_validator(
        "telegram_token",
        "secret_key",
        "webhook_url",
        "webhook_secret",
        "ahjo_url",
        "ahjo_api_key",
        "privacy_notice_url",
        "city_contact_url",
        "city_contact_phone",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """``TALKKARI_TELEGRAM_TOKEN=`` (as compose passes an unset variable) means no token."""
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="before")
    @classmethod
    def _database_in_data_dir(cls, values: Any) -> Any:
        if isinstance(values, dict) and not str(values.get("database_url") or "").strip():
            data_dir = values.get("data_dir") or default_data_dir()
            values = {
                **values,
                "database_url": f"sqlite+aiosqlite:///{Path(data_dir) / DATABASE_FILE}",
            }
        return values

    @model_validator(mode="after")
    def _webhook_needs_url_and_secret(self) -> Settings:
        if self.telegram_mode is TelegramMode.WEBHOOK and self.telegram_token is not None:
            if self.webhook_url is None:
                raise ValueError("webhook_url: required when TALKKARI_TELEGRAM_MODE is webhook")
            if self.webhook_secret is None:
                raise ValueError("webhook_secret: required when TALKKARI_TELEGRAM_MODE is webhook")
        return self

    @property
    def required_notice_languages(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(part.strip() for part in self.notice_languages.split(",")))

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


class SettingsError(Exception):
    """A setting is missing or malformed; ``str(error)`` is one line naming the variable."""


def load_settings(**overrides: object) -> Settings:
    """Read the settings from the environment, turning a validation error into one clear line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            location = [str(part) for part in error["loc"]]
            message = error["msg"]
            if not location and ":" in message:  # a model-level check names its field itself
                field, _, message = message.removeprefix("Value error, ").partition(": ")
                location = [field]
            name = ENV_PREFIX + "_".join(location).upper() if location else "settings"
            problems.append(f"{name}: {message}")
        raise SettingsError("; ".join(problems)) from None
