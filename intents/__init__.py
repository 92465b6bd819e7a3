"""Understanding residents' texts. Pure: imports nothing of ours and no framework."""

from intents.understanding import LANGUAGES, Entity, IntentScore, Parse, parse

__all__ = ["LANGUAGES", "Entity", "IntentScore", "Parse", "parse"]
