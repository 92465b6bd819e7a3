"""Area notices on the residents' side: the dispatcher that queues their deliveries."""

from bot.notices.dispatcher import NOTICE_PRIORITY, URGENT_PRIORITY, NoticeDispatcher, Recipient

__all__ = ["NOTICE_PRIORITY", "URGENT_PRIORITY", "NoticeDispatcher", "Recipient"]
