"""Errors of the residents' side. Channel adapters translate their library's errors to these.

::

    BotError
    └── DeliveryError            a text could not be delivered now
        ├── RateLimited          the channel asks us to wait ``retry_after`` seconds
        ├── ChatUnreachable      the chat blocked the bot or is gone: stop sending there
        ├── ChatMoved            a group became a supergroup with ``new_chat_id``
        ├── MessageRejected      this text will never be accepted (a 400)
        └── DeliveryFailed       transient: network, timeout, 5xx; try again later
"""

from __future__ import annotations

__all__ = [
    "BotError",
    "ChatMoved",
    "ChatUnreachable",
    "DeliveryError",
    "DeliveryFailed",
    "MessageRejected",
    "RateLimited",
]


class BotError(Exception):
    pass


class DeliveryError(BotError):
    pass


class RateLimited(DeliveryError):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited, retry after {retry_after:g} s")
        self.retry_after = retry_after


class ChatUnreachable(DeliveryError):
    pass


class ChatMoved(DeliveryError):
    def __init__(self, new_chat_id: int) -> None:
        super().__init__(f"chat moved to {new_chat_id}")
        self.new_chat_id = new_chat_id


class MessageRejected(DeliveryError):
    pass


class DeliveryFailed(DeliveryError):
    pass
