"""Understanding residents' texts: language, intent with confidence, entities.

Pure: imports nothing of ours and no framework, and reads only its own data.
"""

from intents.model import FALLBACK_INTENT, Understanding, cached_model_path, data_digest
from intents.result import Entity, IntentScore, Parse

LANGUAGES = ("fi", "sv", "en")

__all__ = [
    "FALLBACK_INTENT",
    "LANGUAGES",
    "Entity",
    "IntentScore",
    "Parse",
    "Understanding",
    "cached_model_path",
    "data_digest",
]
