"""The cases the fake Ahjo serves: the real reference responses, and versions made from them.

What is real and what is made up:

* Real, served byte for byte: ``case_HEL-2025-001216.json`` (a bare case object) and
  ``case_HEL-2017-000241_archived.json`` (wrapped as ``{"cases": [...]}``).
* Real, re-serialised one by one as bare objects: the 395 cases of ``cases_latest.json``.
* Made up by the fake, from real cases: later versions (`later_version`), non-public versions
  (`non_public_version`), synthesised clones under new numbers (`CaseBook.synthesise`), and the
  aliases of statement sub-cases: the dump holds 22 ``HEL-yyyy-nnnnnn-Lausunto-n`` cases whose
  main case it lacks, so each is also served under its main case's id (the lowest ``n``), which is
  how a resident's diary number reaches them.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

JSONDict = dict[str, Any]

FIXTURES: Final = Path(__file__).resolve().parents[2] / "fixtures" / "ahjo"
SINGLE_CASE: Final = "case_HEL-2025-001216.json"
ARCHIVED_CASE: Final = "case_HEL-2017-000241_archived.json"
LATEST_CASES: Final = "cases_latest.json"
AHJO_API: Final = "https://ahjo.hel.fi:9802/ahjorest/v1"  # as the real responses link to
SYNTHETIC_YEAR: Final = 2090  # no real case has it
SECRET: Final = "Salassa pidettävä"
DEFAULT_SECURITY_REASON: Final = "JulkL (621/1999) 24.1 § 32 k"

_STANDARD_ID = re.compile(r"^HEL-\d{4}-\d{6}$")
_STATEMENT_ID = re.compile(r"^(HEL-\d{4}-\d{6})-Lausunto-(\d+)$")


def case_of(payload: JSONDict) -> JSONDict:
    """The case object of a response in either shape (bare, or ``{"cases": [case]}``)."""
    cases = payload.get("cases")
    if isinstance(cases, list) and cases and isinstance(cases[0], dict):
        return cases[0]
    return payload


def _reshaped(payload: JSONDict, case: JSONDict) -> JSONDict:
    """``case`` in the shape ``payload`` has."""
    if isinstance(payload.get("cases"), list):
        return {**payload, "cases": [case]}
    return case


def _link(path: str) -> list[JSONDict]:
    return [{"rel": "self", "href": f"{AHJO_API}/{path}"}]


def _sequence(handling: JSONDict) -> int:
    number = handling.get("WorkSequenceNumber")
    return number if isinstance(number, int) else 0


def later_version(
    payload: JSONDict, case_id: str, *, version: int, status: str | None, issued: date
) -> JSONDict:
    """The case moved on: one handling more (sequence number above the others, status
    ``Päättynyt``, the latest sector), one new public decision record (a ``NativeId`` derived
    from ``case_id`` and ``version``), and its status ``status`` (default: ``Vireillä`` becomes
    ``Päätetty``, any other status stays)."""
    case = copy.deepcopy(case_of(payload))
    handlings = [h for h in case.get("Handlings") or [] if isinstance(h, dict)]
    sequence = max((_sequence(h) for h in handlings), default=0) + 1
    with_sector = [h for h in handlings if h.get("Sector")]
    sector = max(with_sector, key=_sequence) if with_sector else {}
    handlings.append(
        {
            "links": _link(f"cases/{case_id}/handlings/{sequence}?apireqlang=fi"),
            "WorkSequenceNumber": sequence,
            "Sector": sector.get("Sector", "Keskushallinto"),
            "Status": "Päättynyt",
            "Created": f"{issued.isoformat()}T09:00:00.000",
            "DateNearestDeadline": "",
            "SectorID": sector.get("SectorID", "U50"),
        }
    )
    native = str(uuid.uuid5(uuid.NAMESPACE_URL, f"fake-ahjo/{case_id}/{version}")).upper()
    series = str(uuid.uuid5(uuid.NAMESPACE_URL, f"fake-ahjo/{case_id}/{version}/file")).upper()
    title = case.get("Title") or "Päätös"
    records = [r for r in case.get("Records") or [] if isinstance(r, dict)]
    records.append(
        {
            "links": _link(f"records/%7B{native}%7D"),
            "Title": title,
            "AttachmentNumber": None,
            "PublicityClass": "Julkinen",
            "SecurityReasons": None,
            "VersionSeriesId": f"{{{series}}}",
            "NativeId": f"{{{native}}}",
            "Type": "päätös",
            "FileURI": f"https://ahjojulkaisu.hel.fi/{series}.pdf",
            "Language": "fi",
            "PersonalData": "Ei sisällä henkilötietoja",
            "Issued": f"{issued.isoformat()}T00:00:00.000",
        }
    )
    case["Handlings"], case["Records"] = handlings, records
    if status is not None:
        case["Status"] = status
    elif case.get("Status") == "Vireillä":
        case["Status"] = "Päätetty"
    return _reshaped(payload, case)


def non_public_version(payload: JSONDict, reasons: list[str]) -> JSONDict:
    """The case as Ahjo marks a secret one: ``PublicityClass`` ``Salassa pidettävä`` and
    non-empty ``SecurityReasons``; everything else is left in, so a client that shows any of it
    is caught."""
    case = copy.deepcopy(case_of(payload))
    case["PublicityClass"] = SECRET
    case["SecurityReasons"] = list(reasons)
    return _reshaped(payload, case)


def _encode(payload: JSONDict) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


@dataclass(frozen=True, slots=True)
class _Version:
    payload: JSONDict
    body: bytes


def _load_reference() -> tuple[dict[str, _Version], list[str]]:
    """Every real case by its id (statement aliases included), and the ids of the dump's."""
    served: dict[str, _Version] = {}
    latest = json.loads((FIXTURES / LATEST_CASES).read_bytes())
    for case in latest["cases"]:
        served[case["CaseID"]] = _Version(case, _encode(case))
    dump = sorted(served)
    for name in (SINGLE_CASE, ARCHIVED_CASE):
        raw = (FIXTURES / name).read_bytes()
        payload = json.loads(raw)
        served[case_of(payload)["CaseID"]] = _Version(payload, raw)
    statements = sorted(
        (int(match[2]), match[1], case_id)
        for case_id in served
        if (match := _STATEMENT_ID.match(case_id))
    )
    for _, main_id, case_id in statements:
        served.setdefault(main_id, served[case_id])
    return served, dump


class CaseBook:
    """Every served case id → its version per language (``None``: any language).

    Not thread-safe: `FakeAhjo` holds its lock around every call.
    """

    def __init__(self) -> None:
        self._reference, self._templates = _load_reference()  # clones copy the dump's cases
        self.reset()

    def reset(self) -> None:
        self._served: dict[str, dict[str | None, _Version]] = {
            case_id: {None: version} for case_id, version in self._reference.items()
        }
        self._synthetic: dict[str, str] = {}  # synthesised id → the real case it clones
        self._changes: dict[str, int] = {}
        self._next_number = 1

    def body(self, case_id: str, language: str) -> bytes | None:
        versions = self._served.get(case_id)
        if versions is not None:
            version = versions.get(language) or versions.get(None)
            return version.body if version is not None else None
        template = self._synthetic.get(case_id)
        if template is None:
            return None
        return self._clone_body(template, case_id)

    def payload(self, case_id: str, language: str | None = None) -> JSONDict | None:
        versions = self._versions(case_id)
        if versions is None:
            return None
        version = versions.get(language) or versions.get(None)
        return copy.deepcopy(version.payload) if version is not None else None

    def set(self, case_id: str, payload: JSONDict, language: str | None) -> None:
        versions = self._versions(case_id) or {}
        self._served[case_id] = {**versions, language: _Version(payload, _encode(payload))}
        self._synthetic.pop(case_id, None)

    def remove(self, case_id: str) -> None:
        self._served.pop(case_id, None)
        self._synthetic.pop(case_id, None)

    def restore(self, case_id: str) -> None:
        if case_id in self._reference:
            self._served[case_id] = {None: self._reference[case_id]}

    def change(self, case_id: str, changed: Callable[[JSONDict, int], JSONDict]) -> JSONDict:
        """Apply ``changed(payload, number_of_this_change)`` to every language version."""
        versions = self._versions(case_id)
        if versions is None:
            raise KeyError(f"the fake Ahjo serves no case {case_id}")
        count = self._changes[case_id] = self._changes.get(case_id, 0) + 1
        updated = {
            language: changed(version.payload, count) for language, version in versions.items()
        }
        self._served[case_id] = {
            language: _Version(payload, _encode(payload)) for language, payload in updated.items()
        }
        self._synthetic.pop(case_id, None)
        return copy.deepcopy(updated.get(None) or next(iter(updated.values())))

    def synthesise(self, count: int) -> list[str]:
        made = []
        for _ in range(count):
            case_id = f"HEL-{SYNTHETIC_YEAR}-{self._next_number:06d}"
            template = self._templates[(self._next_number - 1) % len(self._templates)]
            self._next_number += 1
            if case_id in self._served:
                continue
            self._synthetic[case_id] = template
            made.append(case_id)
        return made

    def case_ids(self) -> list[str]:
        ids = [case_id for case_id in self._served if _STANDARD_ID.match(case_id)]
        return sorted([*ids, *self._synthetic])

    def _versions(self, case_id: str) -> dict[str | None, _Version] | None:
        versions = self._served.get(case_id)
        if versions is None and case_id in self._synthetic:
            body = self._clone_body(self._synthetic[case_id], case_id)
            versions = {None: _Version(json.loads(body), body)}
        return versions

    def _clone_body(self, template: str, case_id: str) -> bytes:
        body = self._reference[template].body
        main = template[:15]  # HEL-yyyy-nnnnnn, also of a -Lausunto-n template
        body = body.replace(main.encode(), case_id.encode())
        label, new_label = f"HEL {main[4:]}", f"HEL {case_id[4:]}"
        return body.replace(label.encode(), new_label.encode())
