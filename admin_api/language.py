"""The caller's language, from the request's ``Accept-Language`` (RFC 9110 §12.5.4).

The admin API speaks Finnish, Swedish and English (:data:`~admin_api.texts.LANGUAGES`). Of the
ranges a client accepts, the one with the highest ``q`` that the API speaks wins; among equal
``q`` the earlier one. A range is matched by its primary subtag (``sv-FI`` and ``sv-SE`` are
Swedish: RFC 4647's lookup, cut to what we have). ``*`` stands for any language the header does
not refuse, in the order Finnish, Swedish, English; ``q=0`` refuses. A caller who states no
language the API speaks, or no header at all, gets :data:`~admin_api.texts.DEFAULT_LANGUAGE`
(an ``Accept-Language`` is a preference, not a condition: there is no 406). Malformed parts
are skipped, never refused.

Officials have no stored language of their own yet; the header is what the browser or the
front end says, and it is there on every request, also before the caller is known (401s).
"""

from __future__ import annotations

import re
from typing import Final

from admin_api.texts import DEFAULT_LANGUAGE, LANGUAGES, Language

__all__ = ["negotiate"]

_RANGE: Final = re.compile(r"(?:\*|[a-z]{1,8}(?:-[a-z0-9]{1,8})*)")
_QUALITY: Final = re.compile(r"q=(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)")
_PREFERRED: Final[tuple[Language, ...]] = (
    DEFAULT_LANGUAGE,
    *(language for language in LANGUAGES if language != DEFAULT_LANGUAGE),
)
"""Our order where the caller leaves the choice to us (``*``, or nothing acceptable)."""
_MAX_RANGES: Final = 50
"""A header's ranges read at most; browsers send a handful."""


def negotiate(accept_language: str | None) -> Language:
    """The language to answer a request with ``accept_language`` in."""
    wanted: list[tuple[float, int, str]] = []
    refused: set[str] = set()
    for index, part in enumerate((accept_language or "").split(",")[:_MAX_RANGES]):
        parsed = _parse(part)
        if parsed is None:
            continue
        range_, quality = parsed
        if quality > 0:
            wanted.append((-quality, index, range_.split("-")[0]))
        elif "-" not in range_:  # "sv-SE;q=0" still lets Swedish of Finland in
            refused.add(range_)
    named = {language for _, _, language in wanted}
    for _, _, language in sorted(wanted):
        if language == "*":
            acceptable = [spoken for spoken in _PREFERRED if spoken not in named | refused]
        else:
            acceptable = [spoken for spoken in _PREFERRED if spoken == language]
        for spoken in acceptable:
            if spoken not in refused:
                return spoken
    return next((spoken for spoken in _PREFERRED if spoken not in refused), DEFAULT_LANGUAGE)


def _parse(part: str) -> tuple[str, float] | None:
    """``(range, q)`` of one part of the header, lower-cased; ``None`` if malformed."""
    range_, *parameters = (piece.strip() for piece in part.lower().split(";"))
    if not _RANGE.fullmatch(range_):
        return None
    quality = 1.0
    for parameter in parameters:
        match = _QUALITY.fullmatch(parameter.replace(" ", ""))
        if match is None:
            return None
        quality = float(match.group(1))
    return range_, quality
