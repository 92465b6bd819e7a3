"""Splitting long texts for Telegram's 4096-character limit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from store.outbox import MAX_TEXT_LENGTH, split_text


@given(st.text(min_size=1, max_size=20_000).filter(lambda t: t.strip()))
def test_parts_fit_and_keep_every_word_in_order(text: str) -> None:
    parts = split_text(text)
    assert all(0 < len(part) <= MAX_TEXT_LENGTH for part in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())


def test_a_short_text_is_one_part() -> None:
    assert split_text("Hei!") == ["Hei!"]


def test_paragraphs_are_kept_whole_when_they_fit() -> None:
    first, second = "A" * 3000, "B" * 3000
    assert split_text(f"{first}\n\n{second}") == [first, second]


def test_a_text_without_spaces_is_cut_at_the_limit() -> None:
    assert [len(part) for part in split_text("x" * 9000)] == [4096, 4096, 808]
