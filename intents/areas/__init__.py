"""Area names in residents' messages: "Kalliossa", "Berghäll", "toolossa", "Kaliossa", "itis".

``AreaMatcher.load().find(text)`` returns the areas a message names: the span of the words as
typed and the area's Finnish nominative name (``Kallio``, ``Vuosaari``, ``Itäkeskus``). Names
come from ``data/areas.csv`` (built from official district and postal-area data by
``scripts/build_area_names.py``) and ``data/area_aliases.csv`` (colloquial names).

How a typed word matches a word of a name. Both are compared case-insensitively, after NFKC,
without diacritics: ``toolo`` matches ``Töölö``. Diacritics the resident did type must be in the
name, though: "vända" (Swedish "turn") is not ``Vanda``, and "Lähdin" ("I left") is not Lahti.
A typed word matches in one of three ways:

- exactly, or inflected. An inflected form is a stem of the word, a case ending (-n, -a, -ta,
  -tta, -na, -ksi, -ssa, -sta, -lla, -lta, -lle, an illative -Vn, -hVn or -seen, partitive -ta
  or genitive plural -ten after a consonant stem) and optionally a clitic (-kin, -kaan, -ko).
  The stems follow the changes Finnish place names show:
  - final -i → -e after the consonants that allow it (Vuosaari → Vuosaaressa);
  - consonant gradation in the last syllable (Kannelmäki → Kannelmäessä, Lahti → Lahdessa,
    Hervanta → Hervannassa, Viikki → Viikissä, Päiväkumpu → Päiväkummussa);
  - -s → -kse- (Itäkeskus → Itäkeskuksessa);
  - -nen → -se-, -s-, -si- (Kauniainen → Kauniaisissa);
  - -e → -ee- with the strong grade (Tampere → Tampereella, Villähde → Villähteellä);
  - a link -i- after a final consonant (Westend → Westendissä).

  A stem keeps at least 4 letters. The stems over-generate on purpose: a wrong stem only makes
  a word that nobody types. Stems of 5+ letters also take the spoken endings that drop the
  vowel (-s, -st, -l, -lt: "asun Kallios", "Malmil"). Words take a Swedish genitive -s
  (Berghälls, Malms), except those of 4 letters ending in a vowel, where -s makes other words
  (Sökö: "Sokos").
- with typos: edits that insert, delete or substitute a letter, or swap two neighbours. The first
  letter must be right. One edit is allowed in a word of 6+ letters typed with a capital, or
  8+ letters without one ("kallis" is a word, "Kallio" a place). Two edits are allowed in a word
  of 11+ letters whose first two letters are right. The typed word must end in a place ending
  (-ssa, -sta, -lla, -lta, -lle, an illative), or have no ending: then the word needs 8+
  letters for one edit, a capital for two, and the last two letters must be right ("vuosari"
  is Vuosaari, "puistoa" is no Puistola). Typo'd genitives and partitives look too much like
  other Finnish words: real resident texts had "Kanavan" for Kånala and "Viimeksi" for Viikki.
  The typo may be in the stem (Kaliossa, Vuosaressa) or in an ending of 3+ letters
  (Herttoniemesa). Typos are looked for only when a word matches no name exactly or inflected,
  never for aliases, and not with the spoken endings. A deletion-neighbourhood index finds the
  candidates, so the cost does not grow with the number of names.

A name of several words (``Etu-Töölö``, ``Helsinki keskusta``, ``Östra centrum``) matches
consecutive typed words separated only by spaces and at most one hyphen. Each word may be
inflected ("Helsingin keskustassa", "Etu-Töölössä"). A hyphenated name also matches as one word
("Itäpasila"). At each position the name covering the most words wins, then the one with fewer
typos and inflections. Matches do not overlap and are found left to right.

Rules, not special cases, keep false positives down:

- a word of under 4 letters matches only exactly as written, diacritics included. A name that is
  one such word (``Dal``, ``Vik``, ``Ås``) also needs a capital, so "as" or "As" is not Ås;
- a name that is also an everyday word needs a cue. Those in ``_NEEDS_CAPITAL`` need a capital
  letter: "asun Kilossa" and "Kilon tiedotteet" match, "kilo" does not. Those in
  ``_NEEDS_CUE`` (words for kinds of places) need a capital letter or a place ending:
  "Lahdessa", "lahdessa" and "Lahti on" match, "lahti" (a bay) does not. A capital that only
  starts a sentence still counts ("Tullissa jonotettiin." finds Tulli): residents start
  sentences with area names too often ("Kivikossa tietöitä nyt?") to ignore it;
- a word matches as a whole: "Kallio" does not match in "Kalliotalo".

One name may belong to several areas: ``Håkansböle`` is Hakunila, and also half of the postal
name of Kuusikko-Hakkila. Then the value comes from the coarsest kind of row naming it. The order
is municipality, suurpiiri/suuralue, peruspiiri/tilastoalue, kaupunginosa, postal area,
osa-alue/pienalue, then derived parts and bases; aliases come last and never override a name
from the data. Ties go to the value with the most rows, then to the alphabetically first.

Speed: a matcher remembers what each typed word it has seen can be (up to ``_CACHE_SIZE``
words), since the words of a chat recur. A word it has not seen costs a few dictionary lookups;
the typo lookups run only where the word's first letters could begin a name's stem.
"""

from __future__ import annotations

from intents.areas.inflection import stems
from intents.areas.matcher import AreaMatch, AreaMatcher
from intents.areas.names import ALIAS_RANK, AreaName, kind_rank, packaged_names
from intents.areas.text import fold

__all__ = [
    "ALIAS_RANK",
    "AreaMatch",
    "AreaMatcher",
    "AreaName",
    "fold",
    "kind_rank",
    "packaged_names",
    "stems",
]
