"""The area names in the package's data (``data/areas.csv``, ``data/area_aliases.csv``), how
coarse each kind of row is, and the names that are also everyday words."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from typing import Final


@dataclass(frozen=True, slots=True)
class AreaName:
    """One way to write an area: ``name`` is recognised as the area ``value``. ``rank`` decides
    between rows that give one name different values; the lowest rank wins."""

    name: str
    value: str
    rank: int


_KIND_RANK: Final = {
    "municipality": 0,
    "suurpiiri": 1,
    "suuralue": 1,
    "peruspiiri": 2,
    "tilastoalue": 2,
    "kaupunginosa": 3,
    "postal_area": 4,
    "osa-alue": 5,
    "pienalue": 5,
}
_DERIVED_RANK: Final = 6
ALIAS_RANK: Final = 7


def kind_rank(kind: str) -> int:
    """How coarse a kind of row in areas.csv is; lower ranks win."""
    return _KIND_RANK.get(kind, _DERIVED_RANK)


# Everyday words, and a few Swedish and English ones, whose inflected forms are everyday speech
# too: "kilolla", "tasanteella", "tullissa", "kuusikossa", "kärpäsen". Matched only when typed
# with a capital.
_NEEDS_CAPITAL: Final = frozenset(
    {
        "bulevardi", "bulevarden", "dammen", "jokivarsi", "kampen", "karpanen", "kartano",
        "kiila", "kilo", "kirkonkyla", "kivikko", "kuusikko", "linjat", "manse",
        "metsakangas", "muotiala", "pappila", "rusko", "sexan", "skatta", "suurmetsa",
        "suurpelto", "tali", "tasanne", "tenava", "tulli", "uusikyla", "veromies",
    }
)  # fmt: skip
# Words for kinds of places: "lahdessa" is in Lahti, "lahti" alone is a bay.
_NEEDS_CUE: Final = frozenset(
    {
        "harju", "itasaaret", "jokiniemi", "kalasatama", "laakso", "lahti", "lansisaaret",
        "lansisatama", "lentokentta", "malm", "malmi", "niemi", "nurmi", "ulkosaaret",
    }
)  # fmt: skip


def _read_rows(filename: str) -> list[dict[str, str]]:
    text = resources.files("intents").joinpath("data", filename).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def packaged_names() -> list[AreaName]:
    """The names in the package's data: the rows of areas.csv, then the aliases."""
    names = [
        AreaName(row["name"], row["value"], kind_rank(row["kind"]))
        for row in _read_rows("areas.csv")
    ]
    aliases = _read_rows("area_aliases.csv")
    names += [AreaName(row["alias"], row["value"], ALIAS_RANK) for row in aliases]
    return names
