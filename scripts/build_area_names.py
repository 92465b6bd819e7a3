"""Build ``intents/data/areas.csv``: the area names the bot recognises, from reference data.

Sources (see ``shared/reference-data/SOURCES.md``, sections *postal-areas* and *districts*):

- ``districts/districts_all_cities.csv`` and ``districts/tampere_districts.csv``: official
  districts of Helsinki (suurpiiri, peruspiiri, kaupunginosa, osa-alue; © Helsingin kaupunki,
  CC BY 4.0), Espoo (tilastoalue, pienalue) and Vantaa (suuralue, kaupunginosa) from HSY's
  Seutukartta (© HSY, CC BY 4.0), Tampere tilastoalueet (Tampere open data, CC BY 4.0) named
  without the Roman numeral of the old kaupunginosa ("Finlayson (I)" → ``Finlayson``);
- ``postal-areas/postal_areas_hel_esp_van_kau_tre_lah.csv``: postal-area names and the six
  municipalities' Finnish and Swedish names (© Statistics Finland, CC BY 4.0).

Output columns are ``name,value,city,kind``: ``name`` is a Finnish or Swedish form to recognise,
``value`` the Finnish nominative of the area it names, ``city`` the municipality's Finnish name,
``kind`` where the name came from: a district level (``kaupunginosa``, ``osa-alue``, …),
``postal_area`` or ``municipality``, or a derived kind:

- ``suurpiiri``: Helsinki's suurpiiri names are adjectives ("Pohjoinen", "Norra"), so they are
  written with the word for the district: ``Pohjoinen suurpiiri``, ``Norra stordistriktet``;
- ``<kind>_part``: one area of a compound such as ``Kartano-Paavola`` or ``Itä- ja Keski-Pasila``
  (residents name the areas one at a time);
- ``<kind>_base``: the area a positional prefix qualifies, ``Etu-Töölö`` → ``Töölö``,
  ``Främre Tölö`` → ``Tölö``, ``Amuri A`` → ``Amuri``, ``Nastola kk`` → ``Nastola`` (residents
  say "Töölössä"; the data has no plain Töölö, Leppävaara, Nuuksio or Nastola).

A Swedish name's value is the Finnish name of the same area: the i-th Swedish part is paired with
the i-th Finnish part only when both names split into the same number of parts; otherwise the
Swedish parts are left out rather than guessed. Rows are deduplicated and sorted, so the output is
the same for the same input. The same name may map to different values (``Håkansböle`` is
Hakunila, and also half of the postal name of Kuusikko-Hakkila): the CSV keeps every row and the
matcher picks one (see ``intents.areas``); ``--conflicts`` lists them.

Licence: the names are public-sector open data under CC BY 4.0, to be attributed where they are
shown: © Helsingin kaupunki; © HSY (Helsingin seudun ympäristöpalvelut); © Statistics Finland
(Tilastokeskus), "Postinumero-kunta -avain 2025" and "Kunnat ja kuntapohjaiset aluejaot 2024";
the cities of Vantaa and Tampere (their open data). SOURCES.md notes that some repositories the
district copies were read from (Espoo and Vantaa small areas, Vantaa suuralueet, Tampere
tilastoalueet) carry no licence of their own; refetch from the cities' or HSY's WFS if that
matters. ``area_aliases.csv`` is hand-made and not from these sources.

Usage: ``python scripts/build_area_names.py [--reference DIR] [--check] [--conflicts]``.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUTPUT = REPO / "intents" / "data" / "areas.csv"
ALIASES = REPO / "intents" / "data" / "area_aliases.csv"
DEFAULT_REFERENCE = REPO.parent / "shared" / "reference-data"

DISTRICTS = Path("districts") / "districts_all_cities.csv"
TAMPERE = Path("districts") / "tampere_districts.csv"
POSTAL = Path("postal-areas") / "postal_areas_hel_esp_van_kau_tre_lah.csv"

# Helsinki's sea area is a kaupunginosa on paper but nobody lives "in Aluemeri".
SKIPPED_NAMES = frozenset({"Aluemeri", "Territorialhavet"})

# Positional words that qualify an area rather than name one: "Etu-Töölö" is the front part of
# Töölö, "Norra Haga" the north of Haga. They are words of the language, not place names.
FINNISH_PREFIXES = frozenset(
    {
        "Itä", "Länsi", "Pohjois", "Etelä", "Keski", "Koillis", "Kaakkois", "Lounais",
        "Luoteis", "Etu", "Taka", "Ylä", "Ala", "Vanha", "Uusi", "Pikku", "Iso", "Vähä",
        "Kanta", "Meri", "Ulko", "Sisä",
    }
)  # fmt: skip
SWEDISH_PREFIXES = frozenset(
    {
        "Norra", "Södra", "Östra", "Västra", "Mellersta", "Nordöstra", "Nordvästra",
        "Sydöstra", "Sydvästra", "Nordväst", "Nordöst", "Sydväst", "Sydöst", "Främre",
        "Bortre", "Övre", "Nedre", "Gamla", "Lilla", "Stora", "Inre", "Yttre",
    }
)  # fmt: skip
PREFIXES = FINNISH_PREFIXES | SWEDISH_PREFIXES

# "Itä- ja Keski-Pasila" is two areas written with one shared last part.
_COORDINATED_FI = re.compile(r"^(\w+)- ja (\w+)-(\w[\w-]*)$")
_COORDINATED_SV = re.compile(r"^(\w+) och (\w+) (\w[\w -]*)$")
# A trailing single capital (Tampere's "Amuri A") or a vowelless abbreviation ("Nastola kk")
# qualifies the name before it.
_QUALIFIER = re.compile(r"^(.*\w) (?:[A-ZÅÄÖ]|[b-df-hj-np-tv-xz]{1,3})$")
_ROMAN_SUFFIX = re.compile(r"\s*\([IVXLC]+\)$")


@dataclass(frozen=True, slots=True, order=True)
class Row:
    """One line of areas.csv."""

    name: str
    value: str
    city: str
    kind: str


def clean(name: str) -> str:
    """The name with runs of white space made one space (the source has "Norra  Nordsjö")."""
    return " ".join(name.split())


def split_pairs(name_fi: str, name_sv: str, separator: str) -> list[tuple[str, str | None]]:
    """Split both names at ``separator``; pair Swedish parts only when the counts agree."""
    parts_fi = [clean(part) for part in name_fi.split(separator)]
    parts_sv = [clean(part) for part in name_sv.split(separator)] if name_sv else []
    if len(parts_sv) == len(parts_fi):
        return [(fi, sv or None) for fi, sv in zip(parts_fi, parts_sv, strict=True)]
    return [(fi, None) for fi in parts_fi]


def compound_parts(name: str) -> list[str]:
    """The areas of a hyphenated compound: ``Itä-Amuri-Tammerkoski`` → ``Itä-Amuri``,
    ``Tammerkoski``. A prefix part stays with the part after it, a lower-case part
    (``Keskussairaala-alue``) with the part before it. One area gives ``[name]``."""
    if " " in name:
        return [name]
    pieces = name.split("-")
    parts: list[str] = []
    pending_prefix = ""
    for piece in pieces:
        if not piece:
            return [name]
        if piece[0].islower() and parts and not pending_prefix:
            parts[-1] = f"{parts[-1]}-{piece}"
        elif piece in PREFIXES:
            pending_prefix = f"{pending_prefix}{piece}-"
        else:
            parts.append(pending_prefix + piece)
            pending_prefix = ""
    if pending_prefix:
        return [name]
    return parts


def coordinated(name_fi: str, name_sv: str | None) -> list[tuple[str, str | None]]:
    """``Itä- ja Keski-Pasila`` / ``Östra och Mellersta Böle`` → the two areas it names."""
    match_fi = _COORDINATED_FI.match(name_fi)
    if match_fi is None:
        return []
    first, second, rest = match_fi.groups()
    names_fi = [f"{first}-{rest}", f"{second}-{rest}"]
    match_sv = _COORDINATED_SV.match(name_sv or "")
    if match_sv is None:
        return [(fi, None) for fi in names_fi]
    first_sv, second_sv, rest_sv = match_sv.groups()
    names_sv = [f"{first_sv} {rest_sv}", f"{second_sv} {rest_sv}"]
    return list(zip(names_fi, names_sv, strict=True))


def base(name: str) -> str | None:
    """The area a positional prefix or a trailing qualifier qualifies, or None.

    The base must itself look like a name (start with a capital): ``Östra centrum`` has none."""
    for separator in ("-", " "):
        head, sep, rest = name.partition(separator)
        if sep and head in PREFIXES and rest[:1].isupper():
            return rest
    qualified = _QUALIFIER.match(name)
    if qualified is not None:
        return qualified.group(1)
    return None


def area_rows(name_fi: str, name_sv: str | None, city: str, kind: str) -> Iterator[Row]:
    """Rows for one area name pair, with its compound parts and prefix bases."""
    yield Row(name_fi, name_fi, city, kind)
    if name_sv:
        yield Row(name_sv, name_fi, city, kind)
    pairs = coordinated(name_fi, name_sv)
    if not pairs:
        parts_fi = compound_parts(name_fi)
        parts_sv = compound_parts(name_sv) if name_sv else []
        if len(parts_fi) > 1:
            if len(parts_sv) == len(parts_fi):
                pairs = list(zip(parts_fi, parts_sv, strict=True))
            else:
                pairs = [(part, None) for part in parts_fi]
    for part_fi, part_sv in pairs:
        yield Row(part_fi, part_fi, city, f"{kind}_part")
        if part_sv:
            yield Row(part_sv, part_fi, city, f"{kind}_part")
    # A compound's parts have bases ("Itä-Amuri" → "Amuri"); the compound itself has none.
    wholes = pairs or [(name_fi, name_sv)]
    for whole_fi, whole_sv in wholes:
        base_fi = base(whole_fi)
        if base_fi is None:
            continue
        derived_kind = f"{kind}_base" if whole_fi == name_fi else f"{kind}_part_base"
        yield Row(base_fi, base_fi, city, derived_kind)
        base_sv = base(whole_sv) if whole_sv else None
        if base_sv:
            yield Row(base_sv, base_fi, city, derived_kind)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def district_rows(reference: Path) -> Iterator[Row]:
    """Official districts; Tampere's names without their Roman numerals as well."""
    without_numeral = {
        row["name_fi"]: row["name_fi_without_numeral"] for row in read_csv(reference / TAMPERE)
    }
    for row in read_csv(reference / DISTRICTS):
        name_fi, name_sv = clean(row["name_fi"]), clean(row["name_sv"])
        if not name_fi or name_fi in SKIPPED_NAMES:
            continue  # Espoo's suuralueet have codes but no names
        if row["level"] == "suurpiiri":
            yield from suurpiiri_rows(name_fi, name_sv, row["city"])
            continue
        # "Finlayson (I)" is the area Finlayson: the numeral is the old number of an inner-city
        # kaupunginosa, which nobody types, and "Finlayson I" would swallow an English "I".
        plain = without_numeral.get(name_fi, _ROMAN_SUFFIX.sub("", name_fi))
        yield from area_rows(plain, name_sv or None, row["city"], row["level"])


def suurpiiri_rows(name_fi: str, name_sv: str, city: str) -> Iterator[Row]:
    """Helsinki's suurpiiri names are adjectives ("Pohjoinen" is "northern", "Norra" "north"),
    so they are names only with the word for the district: "Pohjoinen suurpiiri", "Norra
    stordistriktet"."""
    value = f"{name_fi} suurpiiri"
    yield Row(value, value, city, "suurpiiri")
    if name_sv:
        yield Row(f"{name_sv} stordistrikt", value, city, "suurpiiri")
        yield Row(f"{name_sv} stordistriktet", value, city, "suurpiiri")


def postal_rows(reference: Path) -> Iterator[Row]:
    """Postal-area names, split into their areas, and the municipalities themselves."""
    for row in read_csv(reference / POSTAL):
        city = row["municipality_fi"]
        yield Row(row["municipality_fi"], row["municipality_fi"], city, "municipality")
        yield Row(row["municipality_sv"], row["municipality_fi"], city, "municipality")
        for name_fi, name_sv in split_pairs(row["area_name_fi"], row["area_name_sv"], " - "):
            yield from area_rows(name_fi, name_sv, city, "postal_area")


def build(reference: Path) -> list[Row]:
    """Every row, deduplicated and sorted."""
    rows = {*district_rows(reference), *postal_rows(reference)}
    return sorted(row for row in rows if row.name not in SKIPPED_NAMES)


def render(rows: Iterable[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["name", "value", "city", "kind"])
    for row in rows:
        writer.writerow([row.name, row.value, row.city, row.kind])
    return buffer.getvalue()


def conflicts(rows: Iterable[Row]) -> dict[str, set[str]]:
    """Names that map to more than one value."""
    values: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        values[row.name].add(row.value)
    return {name: found for name, found in sorted(values.items()) if len(found) > 1}


def alias_problems(rows: Iterable[Row], aliases: Path = ALIASES) -> list[str]:
    """Aliases whose value is not a value in areas.csv."""
    known = {row.value for row in rows}
    return [
        f"{alias['alias']}: unknown value {alias['value']!r}"
        for alias in read_csv(aliases)
        if alias["value"] not in known
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--check", action="store_true", help="fail if areas.csv is stale")
    parser.add_argument("--conflicts", action="store_true", help="list names with 2+ values")
    args = parser.parse_args(argv)

    rows = build(args.reference)
    text = render(rows)
    problems = alias_problems(rows)
    for problem in problems:
        print(f"area_aliases.csv: {problem}", file=sys.stderr)
    if args.conflicts:
        for name, values in conflicts(rows).items():
            print(f"{name}: {', '.join(sorted(values))}")
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is stale: run {Path(__file__).name}", file=sys.stderr)
            return 1
    else:
        OUTPUT.write_text(text, encoding="utf-8")
        names = len({row.name for row in rows})
        print(f"wrote {len(rows)} rows ({names} names) to {OUTPUT}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
