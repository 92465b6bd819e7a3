"""The secret key the process signs officials' tokens with: a command that signs or checks
tokens does not start without a strong one (:func:`require_secret_key`), and the demo alone
makes its own (:func:`talkkari.places.demo_secret_key`)."""

from __future__ import annotations

from pydantic import SecretStr

from admin_api.keys import MAKE_A_KEY, weak_key_reason
from talkkari.places import demo_secret_key
from talkkari.settings import Settings, SettingsError

__all__ = ["require_secret_key", "with_secret_key"]


def require_secret_key(settings: Settings) -> str:
    """The secret key, or :class:`SettingsError`: one line naming the variable and how to
    make a key."""
    key = settings.secret_key.get_secret_value() if settings.secret_key else None
    reason = weak_key_reason(key)
    if reason is not None:
        raise SettingsError(
            f"TALKKARI_SECRET_KEY is {reason}; it signs officials' tokens. Make one with "
            f"{MAKE_A_KEY} and set it"
        )
    assert key is not None
    return key


def with_secret_key(settings: Settings, *, demo: bool) -> Settings:
    """``settings`` with a secret key that may sign: the one set, or, for the demo when none
    is set, the demo's own kept in the data directory. A weak one is refused even then."""
    if demo and settings.secret_key is None:
        key = demo_secret_key(settings.data_dir)
        settings = settings.model_copy(update={"secret_key": SecretStr(key)})
    require_secret_key(settings)
    return settings
