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

Each error names its reason as a ``code`` of :data:`REFUSALS` (with ``params`` for the text's
``{fields}``), whose texts officials read in Finnish, Swedish or English; ``str(error)`` is
the English one, for logs. Codes are stable: the admin API hands them to its clients.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Final

__all__ = ["REFUSALS", "Conflict", "HandoffError", "InvalidState", "InvalidTarget", "NotFound"]

REFUSALS: Final[Mapping[str, Mapping[str, str]]] = {
    "conversation_not_found": {
        "fi": "Keskustelua ei löydy.",
        "sv": "Samtalet finns inte.",
        "en": "No such conversation.",
    },
    "conversation_changed": {
        "fi": "Keskustelu muuttui sillä välin. Lataa se uudelleen ja yritä sitten uudestaan.",
        "sv": "Samtalet ändrades under tiden. Läs in det på nytt och försök sedan igen.",
        "en": "The conversation changed meanwhile. Load it again, then retry.",
    },
    "conversation_held": {
        "fi": "Keskustelu on jo toisen virkailijan hoidossa.",
        "sv": "En annan tjänsteinnehavare sköter redan samtalet.",
        "en": "Another official has the conversation.",
    },
    "conversation_held_by_other": {
        "fi": "Keskustelu on toisen virkailijan hoidossa: vain hän tai ylläpitäjä voi tehdä tämän.",
        "sv": "En annan tjänsteinnehavare sköter samtalet: bara hen eller en administratör kan "
        "göra detta.",
        "en": "Another official has the conversation: only they or an admin may do this.",
    },
    "conversation_with_bot": {
        "fi": "Keskustelu on botin hoidossa, eikä kukaan odota siinä virkailijaa.",
        "sv": "Samtalet sköts av boten, och ingen väntar på en tjänsteinnehavare i det.",
        "en": "The conversation is with the bot; nobody is waiting for an official in it.",
    },
    "conversation_waiting": {
        "fi": "Keskustelu odottaa virkailijaa. Ota se ensin hoitoosi.",
        "sv": "Samtalet väntar på en tjänsteinnehavare. Ta först hand om det.",
        "en": "The conversation is waiting for an official. Claim it first.",
    },
    "conversation_closed": {
        "fi": "Keskustelu on suljettu.",
        "sv": "Samtalet är avslutat.",
        "en": "The conversation is closed.",
    },
    "conversation_state": {
        "fi": "Keskustelun tila ({state}) ei salli tätä.",
        "sv": "Samtalets status ({state}) tillåter inte detta.",
        "en": "The conversation's state ({state}) does not allow this.",
    },
    "transfer_target_missing": {
        "fi": "Kenelle keskustelu siirretään? Valitse tiimi, virkailija tai molemmat.",
        "sv": "Till vem ska samtalet föras över? Välj ett team, en tjänsteinnehavare eller båda.",
        "en": "Transfer to whom? Name a team, an official or both.",
    },
    "team_not_active": {
        "fi": "Tiimiä ei ole, tai se ei ole käytössä.",
        "sv": "Teamet finns inte eller är inte i bruk.",
        "en": "No such active team.",
    },
    "official_not_active": {
        "fi": "Virkailijaa ei ole, tai hänen tilinsä ei ole käytössä.",
        "sv": "Tjänsteinnehavaren finns inte, eller kontot är inte i bruk.",
        "en": "No such active official.",
    },
    "official_not_member": {
        "fi": "Virkailija ei kuulu keskustelun tiimeihin.",
        "sv": "Tjänsteinnehavaren hör inte till samtalets team.",
        "en": "The official is not a member of the conversation's teams.",
    },
    "text_empty": {
        "fi": "Teksti on tyhjä.",
        "sv": "Texten är tom.",
        "en": "The text is empty.",
    },
}
"""Why the state machine refused, by code and language (``fi``, ``sv``, ``en``)."""


class HandoffError(Exception):
    """The state machine refused to act on ``conversation_id``, for the reason ``code`` (a key
    of :data:`REFUSALS`; an unknown code is a KeyError at once) with ``params``."""

    status: ClassVar[int] = 400

    def __init__(
        self,
        code: str,
        *,
        conversation_id: int | None = None,
        params: Mapping[str, str | int] | None = None,
    ) -> None:
        self.code = code
        self.params: Mapping[str, str | int] = dict(params or {})
        super().__init__(REFUSALS[code]["en"].format(**self.params))
        self.conversation_id = conversation_id


class NotFound(HandoffError):
    status = 404


class Conflict(HandoffError):
    """``holder_id`` is the official who has the conversation, when that is the reason."""

    status = 409

    def __init__(
        self, code: str, *, conversation_id: int | None = None, holder_id: int | None = None
    ) -> None:
        super().__init__(code, conversation_id=conversation_id)
        self.holder_id = holder_id


class InvalidState(HandoffError):
    """``state`` is the conversation's state that refused the action."""

    status = 409

    def __init__(
        self,
        code: str,
        *,
        conversation_id: int | None = None,
        state: str | None = None,
        params: Mapping[str, str | int] | None = None,
    ) -> None:
        super().__init__(code, conversation_id=conversation_id, params=params)
        self.state = state


class InvalidTarget(InvalidState):
    status = 422
