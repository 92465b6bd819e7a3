"""Message text checks: Telegram-HTML markup, visible length, inline keyboards."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Final

from tests.fakes.telegram.records import JSONDict
from tests.fakes.telegram.requests import _Response

MAX_TEXT_LENGTH: Final = 4096
# Tags Telegram's HTML parse mode knows.
_HTML_TAGS: Final = frozenset(
    {
        "a",
        "b",
        "blockquote",
        "code",
        "del",
        "em",
        "i",
        "ins",
        "pre",
        "s",
        "span",
        "strike",
        "strong",
        "tg-emoji",
        "tg-spoiler",
        "u",
    }
)


class _HtmlText(HTMLParser):
    """Checks Telegram-HTML markup and collects the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.parts: list[str] = []
        self.problem: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            self.problem = self.problem or f'Unsupported start tag "{tag}"'
        self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            self.problem = self.problem or f'Unsupported start tag "{tag}"'

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            expected = f'"</{self.open[-1]}>"' if self.open else "no end tag"
            self.problem = self.problem or f'Unmatched end tag "{tag}", expected {expected}'
        else:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _visible_text(text: str, parse_mode: str | None) -> str:
    """Text as the user sees it; raises 400 like Telegram for broken HTML markup."""
    if not isinstance(parse_mode, str) or parse_mode.upper() != "HTML":
        return text
    parser = _HtmlText()
    parser.feed(text)
    parser.close()
    if parser.problem is None and parser.open:
        parser.problem = f'Can\'t find end tag corresponding to start tag "{parser.open[-1]}"'
    if parser.problem is not None:
        raise _Response(400, f"Bad Request: can't parse entities: {parser.problem}")
    return "".join(parser.parts)


def _check_text(params: JSONDict) -> str:
    text = params.get("text")
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    visible = _visible_text(text, params.get("parse_mode")).strip()
    if not visible:
        raise _Response(400, "Bad Request: message text is empty")
    if len(visible) > MAX_TEXT_LENGTH:
        raise _Response(400, "Bad Request: message is too long")
    return text


def _inline_markup(params: JSONDict) -> JSONDict | None:
    markup = params.get("reply_markup")
    return markup if isinstance(markup, dict) else None
