"""What can go wrong when officials act on a conversation.

::

    HandoffError                    anything the handoff state machine refuses
    ├── NotFound          404       no such conversation
    ├── Conflict          409       another official holds it, or it changed meanwhile
    └── InvalidState      409       its state does not allow this (reply before claiming…)
        └── InvalidTarget 422       the request names something that cannot take it: a
                                    transfer to an inactive official, a non-member, an unknown
                                    or inactive team, no target at all; an empty text

``status`` is the HTTP status the admin API answers with; the bot never sees these (the
residents' side only calls transitions that cannot be refused).
"""

from __future__ import annotations

from typing import ClassVar

__all__ = ["Conflict", "HandoffError", "InvalidState", "InvalidTarget", "NotFound"]


class HandoffError(Exception):
    """The state machine refused to act on ``conversation_id``; the message says why."""

    status: ClassVar[int] = 400

    def __init__(self, message: str, *, conversation_id: int | None = None) -> None:
        super().__init__(message)
        self.conversation_id = conversation_id


class NotFound(HandoffError):
    status = 404


class Conflict(HandoffError):
    """``holder_id`` is the official who has the conversation, when that is the reason."""

    status = 409

    def __init__(
        self, message: str, *, conversation_id: int | None = None, holder_id: int | None = None
    ) -> None:
        super().__init__(message, conversation_id=conversation_id)
        self.holder_id = holder_id


class InvalidState(HandoffError):
    """``state`` is the conversation's state that refused the action."""

    status = 409

    def __init__(
        self, message: str, *, conversation_id: int | None = None, state: str | None = None
    ) -> None:
        super().__init__(message, conversation_id=conversation_id)
        self.state = state


class InvalidTarget(InvalidState):
    status = 422
