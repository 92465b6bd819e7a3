"""The area registry: the districts and postal areas notices are announced for.

Areas come from the package's data (``knowledge/data/``, sources in its README):

- postal areas of Helsinki, Espoo, Vantaa, Kauniainen, Tampere and Lahti (Statistics Finland),
  keyed ``postal:00530``;
- districts keyed ``district:<city>:<level>:<code>``: Helsinki kaupunginosat and osa-alueet,
  Espoo tilastoalueet and pienalueet, Vantaa kaupunginosat and Tampere tilastoalueet. Helsinki's
  peruspiirit and suurpiirit and Vantaa's suuralueet are statistical groupings whose names are
  those of kaupunginosat ("Kallio", "Tikkurila") with other borders: as areas of their own they
  would make a resident's "Kallio" ambiguous between two overlapping places, so they are left
  out, as is Helsinki's territorial sea (Aluemeri). Espoo's suuralueet have no names in the
  data. Lahti and Kauniainen have postal areas only.

A district is tied to the postal areas it overlaps (a share of at least :data:`MIN_SHARE` of
either one, from the polygon overlaps of the capital region). Tampere has no polygons in the
data, so a Tampere district is tied to the Tampere postal areas that carry its name.

:meth:`AreaRegistry.related` is what a notice reaches: a notice for an area reaches the
subscribers of the area itself, of the postal areas it overlaps (or the districts overlapping a
postal area), and of the district above or the districts below it (osa-alue ↔ kaupunginosa,
pienalue ↔ tilastoalue). The relation is symmetric.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Final

__all__ = ["CITIES", "MIN_SHARE", "Area", "AreaRegistry", "area_registry", "city_name"]

MIN_SHARE: Final = 0.05
"""A district and a postal area are tied when their overlap is this share of either."""

CITIES: Final = ("Helsinki", "Espoo", "Vantaa", "Kauniainen", "Tampere", "Lahti")
"""The registry's municipalities, in the order candidates from several are offered."""

_LEVELS: Final = {
    # (city, level): rank among a name's candidates; lower is offered first
    ("Helsinki", "kaupunginosa"): 0,
    ("Helsinki", "osa-alue"): 1,
    ("Espoo", "tilastoalue"): 0,
    ("Espoo", "pienalue"): 1,
    ("Vantaa", "kaupunginosa"): 0,
    ("Tampere", "tilastoalue"): 0,
}
_POSTAL_RANK: Final = 2
_NOT_PLACES: Final = frozenset({"Aluemeri"})
"""Helsinki's territorial sea is a kaupunginosa and an osa-alue, but no one lives there."""
_PARENT_LEVEL: Final = {
    ("Helsinki", "osa-alue"): "kaupunginosa",
    ("Espoo", "pienalue"): "tilastoalue",
}

# Words that place a part of an area ("Etu-Töölö", "Norra Haga"): the rest names the area.
_PREFIXES: Final = frozenset(
    {
        "itä", "länsi", "pohjois", "etelä", "keski", "koillis", "kaakkois", "lounais",
        "luoteis", "etu", "taka", "ylä", "ala", "vanha", "uusi", "pikku", "iso", "vähä",
        "kanta", "meri", "ulko", "sisä", "norra", "södra", "östra", "västra", "mellersta",
        "främre", "bortre", "övre", "nedre", "gamla", "lilla", "stora", "inre", "yttre",
    }
)  # fmt: skip
_ROMAN: Final = re.compile(r"\s*\([IVXLC]+\)$")
"""Tampere's old kaupunginosa number after a name: "Amuri A (IV)"."""
_QUALIFIER: Final = re.compile(r"^(.*\w) (?:[A-ZÅÄÖ]|[b-df-hj-np-tv-xz]{1,3})$")
"""A trailing letter or abbreviation: "Amuri A", "Nastola kk"."""
_POSTAL_CODE: Final = re.compile(r"\d{5}")

_EXACT, _PART, _BASE = 0, 1, 2
"""How well a name matches what was written: the whole name, one area of a compound name
("Kallio" in "Kallio - Berghäll"), or the area a prefix qualifies ("Töölö" in "Etu-Töölö")."""


@dataclass(frozen=True, slots=True)
class Area:
    """A district or postal area that notices can be announced for and subscribed to."""

    key: str
    """``postal:00530`` or ``district:helsinki:kaupunginosa:11`` (city lower case, level, code)."""
    kind: str
    """``postal`` or ``district``."""
    city: str
    """The municipality's Finnish name."""
    name_fi: str
    name_sv: str | None
    postal_codes: tuple[str, ...]
    """A postal area: its own code. A district: the postal areas it overlaps."""

    def name(self, language: str) -> str:
        """The Swedish name when asked for and known, else the Finnish one."""
        if language == "sv" and self.name_sv:
            return self.name_sv
        return self.name_fi


class AreaRegistry:
    """Every area by key, by the names residents write, and by the areas they overlap."""

    def __init__(
        self,
        areas: Iterable[Area],
        *,
        parents: dict[str, str] | None = None,
        city_names_sv: dict[str, str] | None = None,
    ) -> None:
        """``parents`` maps a district's key to the key of the district it lies in."""
        self._areas = {area.key: area for area in areas}
        self._city_names_sv = dict(city_names_sv or {})
        self._rank = {key: _rank(key) for key in self._areas}
        related: dict[str, set[str]] = defaultdict(set)
        for area in self._areas.values():
            related[area.key].add(area.key)
            if area.kind == "district":
                for code in area.postal_codes:
                    postal = f"postal:{code}"
                    if postal in self._areas:
                        related[area.key].add(postal)
                        related[postal].add(area.key)
        for child, parent in (parents or {}).items():
            if child in self._areas and parent in self._areas:
                related[child].add(parent)
                related[parent].add(child)
        self._related = {key: frozenset(keys) for key, keys in related.items()}
        self._names: dict[str, dict[str, int]] = defaultdict(dict)
        for area in self._areas.values():
            for written, quality in _names_of(area):
                known = self._names[_normal(written)]
                known[area.key] = min(quality, known.get(area.key, quality))

    def get(self, key: str) -> Area | None:
        return self._areas.get(key)

    def all(self) -> Sequence[Area]:
        return list(self._areas.values())

    def related(self, key: str) -> frozenset[str]:
        """The keys whose subscribers a notice for ``key`` reaches, ``key`` itself included;
        empty for an unknown key."""
        return self._related.get(key, frozenset())

    def city_name(self, city: str, language: str) -> str:
        """The municipality's name in ``language`` (Swedish where known, else Finnish)."""
        return self._city_names_sv.get(city, city) if language == "sv" else city

    def find(self, words: str) -> list[Area]:
        """The areas ``words`` may mean, best first: one when it is unambiguous, none when
        unknown.

        ``words`` is an area's Finnish or Swedish name (the understanding's ``area`` entity,
        "Kallio", "Berghäll"), a postal code ("00530") or an area key. A postal area that
        shares its name with a district it overlaps is found as that district ("00530" is
        Kallio). Names are compared without regard to case, spacing or hyphens. In each city only
        the best kind of match counts: a whole name before one area of a compound name
        before the area a prefix qualifies. Of the areas found in one city, one that is
        related to an area offered before it (the same place, or a part of it) is left out.
        """
        written = " ".join(words.split())
        if written in self._areas:
            return [self._areas[written]]
        if _POSTAL_CODE.fullmatch(written):
            postal = self._areas.get(f"postal:{written}")
            if postal is None:
                return []
            return [self._same_named_district(postal) or postal]
        matches = self._names.get(_normal(written), {})
        if not matches:
            return []
        best: dict[str, int] = {}
        for key, quality in matches.items():
            city = self._areas[key].city
            best[city] = min(quality, best.get(city, quality))
        found = sorted(
            (
                self._areas[key]
                for key, quality in matches.items()
                if quality == best[self._areas[key].city]
            ),
            key=lambda area: (
                matches[area.key],
                _city_order(area.city),
                self._rank[area.key],
                area.key,
            ),
        )
        offered: list[Area] = []
        for area in found:
            if not any(
                other.city == area.city and other.key in self._related[area.key]
                for other in offered
            ):
                offered.append(area)
        return offered

    def _same_named_district(self, postal: Area) -> Area | None:
        """The district with the postal area's name that it overlaps, if there is one."""
        name = _normal(postal.name_fi)
        districts = sorted(
            (
                self._areas[key]
                for key in self._related[postal.key]
                if key.startswith("district:") and _normal(self._areas[key].name_fi) == name
            ),
            key=lambda area: (self._rank[area.key], area.key),
        )
        return districts[0] if districts else None


def city_name(city: str, language: str) -> str:
    """The municipality's name in ``language``: "Helsingfors" for sv, else "Helsinki"."""
    return area_registry().city_name(city, language)


@functools.cache
def area_registry() -> AreaRegistry:
    """The registry of the package's data, loaded once."""
    postal_rows = _read("postal_areas.csv")
    city_of_code = {row["municipality_code"]: row["municipality_fi"] for row in postal_rows}
    city_names_sv = {row["municipality_fi"]: row["municipality_sv"] for row in postal_rows}
    postal = [
        Area(
            key=f"postal:{row['postal_code']}",
            kind="postal",
            city=row["municipality_fi"],
            name_fi=row["area_name_fi"],
            name_sv=row["area_name_sv"] or None,
            postal_codes=(row["postal_code"],),
        )
        for row in postal_rows
    ]
    overlaps: dict[str, list[str]] = defaultdict(list)
    for row in _read("district_postal_overlap.csv"):
        shares = float(row["share_of_district"]), float(row["share_of_postal_area"])
        if max(shares) >= MIN_SHARE:
            overlaps[_district_key(row["city"], row["level"], row["code"])].append(
                row["postal_code"]
            )
    districts: list[Area] = []
    parents: dict[str, str] = {}
    upper = {
        row["osa_alue_code"]: row["kaupunginosa_code"]
        for row in _read("helsinki_osa_alue_kaupunginosa.csv")
    }
    for row in _read("districts.csv"):
        city = city_of_code.get(row["municipality_code"], row["city"])
        if (city, row["level"]) not in _LEVELS or row["name_fi"] in _NOT_PLACES:
            continue
        key = _district_key(city, row["level"], row["code"])
        codes = overlaps.get(key) or _postal_by_name(row["name_fi"], city, postal)
        districts.append(
            Area(
                key=key,
                kind="district",
                city=city,
                name_fi=row["name_fi"],
                name_sv=row["name_sv"] or None,
                postal_codes=tuple(sorted(set(codes))),
            )
        )
        parent_level = _PARENT_LEVEL.get((city, row["level"]))
        if parent_level is not None:
            parent_code = upper[row["code"]] if city == "Helsinki" else row["parent_code"]
            parents[key] = _district_key(city, parent_level, parent_code)
    return AreaRegistry([*districts, *postal], parents=parents, city_names_sv=city_names_sv)


def _read(filename: str) -> list[dict[str, str]]:
    text = resources.files("knowledge").joinpath("data", filename).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _district_key(city: str, level: str, code: str) -> str:
    return f"district:{city.lower()}:{level}:{code}"


def _rank(key: str) -> int:
    if key.startswith("postal:"):
        return _POSTAL_RANK
    _, city, level, _ = key.split(":")
    return _LEVELS.get((city.capitalize(), level), _POSTAL_RANK)


def _city_order(city: str) -> int:
    return CITIES.index(city) if city in CITIES else len(CITIES)


def _normal(name: str) -> str:
    """A name as compared: NFC, case-folded, hyphens and runs of spaces as one space."""
    folded = unicodedata.normalize("NFC", name).casefold().replace("-", " ")
    return " ".join(folded.split())


def _names_of(area: Area) -> Iterator[tuple[str, int]]:
    """The ways to write ``area`` and how well each matches it."""
    for name in (area.name_fi, area.name_sv):
        if not name:
            continue
        whole = _ROMAN.sub("", name)
        yield whole, _EXACT
        parts = _parts(whole)
        if len(parts) > 1:
            yield from ((part, _PART) for part in parts)
        for part in parts:
            base = _base(part)
            if base:
                yield base, _BASE


def _parts(name: str) -> list[str]:
    """The areas a compound name names: "Sörnäinen - Harju" → both; "Itä-Amuri-Tammerkoski" →
    "Itä-Amuri", "Tammerkoski" (a prefix stays with what follows, a lower-case piece such as
    "-alue" with what precedes)."""
    parts: list[str] = []
    for side in name.split(" - "):
        side = side.strip()
        if " " in side:
            parts.append(side)
            continue
        pieces: list[str] = []
        prefix = ""
        for piece in side.split("-"):
            if not piece:
                continue
            if piece[0].islower() and pieces and not prefix:
                pieces[-1] = f"{pieces[-1]}-{piece}"
            elif piece.casefold() in _PREFIXES:
                prefix = f"{prefix}{piece}-"
            else:
                pieces.append(prefix + piece)
                prefix = ""
        parts += pieces if pieces and not prefix else [side]
    return parts


def _base(name: str) -> str | None:
    """The area a prefix or a trailing qualifier qualifies ("Etu-Töölö" → "Töölö",
    "Amuri A" → "Amuri"), or None."""
    for separator in ("-", " "):
        head, found, rest = name.partition(separator)
        if found and head.casefold() in _PREFIXES and rest[:1].isupper():
            return rest
    qualified = _QUALIFIER.match(name)
    return qualified.group(1) if qualified else None


def _postal_by_name(name_fi: str, city: str, postal: Sequence[Area]) -> list[str]:
    """The postal codes of ``city`` whose name names the district (where no overlaps are
    known): the whole name, one of its areas, or the area its prefix qualifies."""
    whole = _ROMAN.sub("", name_fi)
    wanted = {_normal(whole)} | {_normal(base) for base in [_base(whole)] if base}
    codes = []
    for area in postal:
        if area.city != city:
            continue
        written = {_normal(area.name_fi)}
        for part in _parts(area.name_fi):
            written.add(_normal(part))
            written |= {_normal(base) for base in [_base(part)] if base}
        if wanted & written:
            codes.append(area.postal_codes[0])
    return codes
