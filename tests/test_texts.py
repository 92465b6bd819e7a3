"""Every text a resident reads exists in Finnish, Swedish and English."""

from __future__ import annotations

import string

import pytest

from bot.texts import LANGUAGES, TEXTS, say


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_each_text_has_every_language_with_the_same_placeholders(key: str) -> None:
    variants = TEXTS[key]
    assert set(variants) == set(LANGUAGES)
    placeholders = {
        language: {name for _, name, _, _ in string.Formatter().parse(text) if name}
        for language, text in variants.items()
    }
    assert len({frozenset(names) for names in placeholders.values()}) == 1, placeholders
    assert all(text.strip() for text in variants.values())
    assert len({text for text in variants.values()}) == 3, "a text left untranslated"


def test_an_unknown_language_falls_back_to_finnish() -> None:
    assert say("greet", "de") == say("greet", "fi")
    assert say("greet", None) == say("greet", "fi")
