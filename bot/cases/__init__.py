"""Cases on the residents' side: telling where a case stands, following it, watching it."""

from bot.cases.follows import FOLLOWED_CASES, FollowBook, FollowCase, UnfollowCase
from bot.cases.telling import case_snapshot, describe_change, describe_lookup
from bot.cases.watcher import CaseWatcher, WatchPolicy, WatchRound

__all__ = [
    "FOLLOWED_CASES",
    "CaseWatcher",
    "FollowBook",
    "FollowCase",
    "UnfollowCase",
    "WatchPolicy",
    "WatchRound",
    "case_snapshot",
    "describe_change",
    "describe_lookup",
]
