"""Area names in residents' messages: intents.areas and its data."""

from __future__ import annotations

import csv
import importlib.util
import sys
import unicodedata
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intents.areas import AreaMatch, AreaMatcher

DATA = Path(__file__).resolve().parents[1] / "intents" / "data"
SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "build_area_names.py"


@pytest.fixture(scope="module")
def matcher() -> AreaMatcher:
    return AreaMatcher.load()


def read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def found(matcher: AreaMatcher, text: str) -> list[tuple[str, str]]:
    return [(match.text, match.value) for match in matcher.find(text)]


# --- what residents write ---------------------------------------------------------------------

RECOGNISED = [
    # inflected Finnish: case endings and the stem changes of place names
    ("Kalliossa", "Kallio"),
    ("Vuosaareen", "Vuosaari"),
    ("Tikkurilasta", "Tikkurila"),
    ("Herttoniemessä", "Herttoniemi"),
    ("Itäkeskuksessa", "Itäkeskus"),
    ("Kannelmäessä", "Kannelmäki"),
    ("Hervannassa", "Hervanta"),
    ("Lahdessa", "Lahti"),
    ("Tampereella", "Tampere"),
    ("Tampereelle", "Tampere"),
    ("Helsingissä", "Helsinki"),
    ("Helsinkiin", "Helsinki"),
    ("Espooseen", "Espoo"),
    ("Vantaalla", "Vantaa"),
    ("Kauniaisissa", "Kauniainen"),
    ("Viikissä", "Viikki"),
    ("Kampissa", "Kamppi"),
    ("Kruununhaassa", "Kruununhaka"),
    ("Päiväkummussa", "Päiväkumpu"),
    ("Villähteellä", "Villähde"),
    ("Malmilla", "Malmi"),
    ("Malmin", "Malmi"),
    ("Vuosaarta", "Vuosaari"),
    ("Itäkeskusta", "Itäkeskus"),
    ("Westendissä", "Westend"),
    ("Töölöön", "Töölö"),
    ("Espoossakin", "Espoo"),
    ("Kalliostako", "Kallio"),
    ("Kallios", "Kallio"),
    ("Malmil", "Malmi"),
    ("Leppävaarassa", "Leppävaara"),
    # Swedish names give the Finnish name of the same area
    ("Berghäll", "Kallio"),
    ("Berghälls", "Kallio"),
    ("Malms", "Malmi"),
    ("Dickursby", "Tikkurila"),
    ("Nordsjö", "Vuosaari"),
    ("Hagalund", "Tapiola"),
    ("Grankulla", "Kauniainen"),
    ("Helsingfors", "Helsinki"),
    ("Esbo", "Espoo"),
    ("Vanda", "Vantaa"),
    ("Tammerfors", "Tampere"),
    ("Lahtis", "Lahti"),
    ("Hertonäs", "Herttoniemi"),
    ("Tölö", "Töölö"),
    # without ä, ö, å
    ("toolossa", "Töölö"),
    ("Toolo", "Töölö"),
    ("itakeskus", "Itäkeskus"),
    ("Kannelmaessa", "Kannelmäki"),
    ("nordsjo", "Vuosaari"),
    # typos, alone and with a case ending
    ("Kaliossa", "Kallio"),
    ("Vuosaressa", "Vuosaari"),
    ("Herttoniemesa", "Herttoniemi"),
    ("Tikkuirlassa", "Tikkurila"),
    ("Hertonimessä", "Herttoniemi"),
    ("Vuosari", "Vuosaari"),
    ("vuosari", "Vuosaari"),
    # names of several words
    ("Etu-Töölö", "Etu-Töölö"),
    ("Etu-Töölössä", "Etu-Töölö"),
    ("etu töölössä", "Etu-Töölö"),
    ("Itäpasilassa", "Itä-Pasila"),
    ("Helsinki keskusta", "Helsinki keskusta"),
    ("Helsingin keskustassa", "Helsinki keskusta"),
    ("Östra centrum", "Itäkeskus"),
    ("Länsi-Pakila", "Länsi-Pakila"),
    ("Länsi-Pakilassa", "Länsi-Pakila"),
    ("Pohjoisessa suurpiirissä", "Pohjoinen suurpiiri"),
    # slang
    ("itis", "Itäkeskus"),
    ("Itiksessä", "Itäkeskus"),
    ("hertsika", "Herttoniemi"),
    ("stadi", "Helsinki"),
    ("Stadissa", "Helsinki"),
    ("hesa", "Helsinki"),
    ("kontsa", "Kontula"),
    ("vuokki", "Vuosaari"),
    ("mellari", "Mellunmäki"),
    ("lauttis", "Lauttasaari"),
    ("Lauttiksessa", "Lauttasaari"),
    ("tikkuri", "Tikkurila"),
    ("myyrmanni", "Myyrmäki"),
    ("Sörkassa", "Sörnäinen"),
]


@pytest.mark.parametrize(("text", "value"), RECOGNISED)
def test_recognises_the_whole_typed_word(matcher: AreaMatcher, text: str, value: str) -> None:
    assert found(matcher, text) == [(text, value)]


@pytest.mark.parametrize(("text", "value"), RECOGNISED)
def test_recognises_names_inside_sentences(matcher: AreaMatcher, text: str, value: str) -> None:
    message = f"asun nyt {text}, ja siellä on ongelma."
    [match] = matcher.find(message)
    assert match == AreaMatch(9, 9 + len(text), text, value)


def test_two_areas_in_one_sentence() -> None:
    message = "siirryin Kalliosta Vuosaareen"
    assert AreaMatcher.load().find(message) == [
        AreaMatch(9, 18, "Kalliosta", "Kallio"),
        AreaMatch(19, 29, "Vuosaareen", "Vuosaari"),
    ]


def test_the_longest_name_wins(matcher: AreaMatcher) -> None:
    assert found(matcher, "Länsi-Pakila ja Pakila") == [
        ("Länsi-Pakila", "Länsi-Pakila"),
        ("Pakila", "Pakila"),
    ]
    assert found(matcher, "Helsinki keskusta, Helsinki") == [
        ("Helsinki keskusta", "Helsinki keskusta"),
        ("Helsinki", "Helsinki"),
    ]


def test_words_of_one_name_are_joined_only_by_spaces_or_a_hyphen(matcher: AreaMatcher) -> None:
    assert found(matcher, "Helsinki. Keskusta") == [("Helsinki", "Helsinki")]
    assert found(matcher, "Etu, Töölö") == [("Töölö", "Töölö")]


def test_decomposed_letters_are_one_word(matcher: AreaMatcher) -> None:
    message = unicodedata.normalize("NFD", "asun Töölössä")
    [match] = matcher.find(message)
    assert (match.text, match.value) == (message[5:], "Töölö")


def test_fullwidth_letters_are_folded(matcher: AreaMatcher) -> None:
    assert found(matcher, "Ｋａｌｌｉｏｓｓａ") == [("Ｋａｌｌｉｏｓｓａ", "Kallio")]


# --- what must not match ----------------------------------------------------------------------

NO_AREAS = [
    "kiitos paljon avusta",
    "the street light is broken",
    "hej, vad kan du göra",
    "mä haluun puhua ihmisen kanssa",
    "milloin kirjasto on auki",
    "kylä keskusta satama ranta",
    "centrum hamnen",
    "Kiitos, tämä on liian kallis.",
    "Puistossa on roskia ja puistoa ei ole siivottu.",
    "Satamassa ja keskustassa on ruuhkaa, rannalla ei.",
    "Viikko sitten soitin, mutta kukaan ei vastannut.",
    "Viimeksi kun kävin, ovi oli lukossa.",
    "Kunnes joku korjaa sen, en käytä sitä.",
    "Lähdin aikaisin kotoa.",
    "Välillä tuntuu että kukaan ei välitä.",
    "Kesäisin täällä on kaunista.",
    "Pohjoiseen päin menevä tie on kuoppainen.",
    "Kanavan vieressä on roskia.",
    "tulin kilolla painavamman kassin kanssa",
    "järven lahti on jäässä",
    "Jag vill prata med någon på staden.",
    "Vem ska jag vända mig till?",
    "Det ligger skräp i parken och vid stranden.",
    "As soon as possible, please.",
    "Where can I pay my parking fine?",
    "The kilo of apples costs three euros.",
    "Sokos on auki sunnuntaina.",
    "Kalliotalon piha on siivoton.",
]


@pytest.mark.parametrize("text", NO_AREAS)
def test_ordinary_sentences_name_no_area(matcher: AreaMatcher, text: str) -> None:
    assert found(matcher, text) == []


def test_short_names_need_the_exact_letters_and_a_capital(matcher: AreaMatcher) -> None:
    assert found(matcher, "Ås") == [("Ås", "Harju")]
    assert found(matcher, "vi bor i Vik") == [("Vik", "Viikki")]
    assert found(matcher, "as ås As vik dal") == []


def test_everyday_words_need_a_capital(matcher: AreaMatcher) -> None:
    assert found(matcher, "asun Kilossa") == [("Kilossa", "Kilo")]
    assert found(matcher, "Kilon tiedotteet") == [("Kilon", "Kilo")]
    assert found(matcher, "asun kilossa") == []
    assert found(matcher, "tasanteella on roskapussi") == []


def test_place_words_need_a_capital_or_a_place_ending(matcher: AreaMatcher) -> None:
    assert found(matcher, "lahdessa") == [("lahdessa", "Lahti")]
    assert found(matcher, "Lahti on kaupunki") == [("Lahti", "Lahti")]
    assert found(matcher, "lahti") == []


def test_typed_diacritics_must_be_in_the_name(matcher: AreaMatcher) -> None:
    assert found(matcher, "vända") == []
    assert found(matcher, "vanda") == [("vanda", "Vantaa")]


def test_lower_case_typos_need_longer_names(matcher: AreaMatcher) -> None:
    # "kallis" means expensive: a typo of a short name counts only when capitalised.
    assert found(matcher, "kaliossa") == []
    assert found(matcher, "vuosaressa") == [("vuosaressa", "Vuosaari")]


def test_typos_need_a_place_ending_or_none(matcher: AreaMatcher) -> None:
    assert found(matcher, "Kalion") == []
    assert found(matcher, "Kaliossa") == [("Kaliossa", "Kallio")]


def test_aliases_take_no_typos(matcher: AreaMatcher) -> None:
    assert found(matcher, "Mutkasta") == []


def test_a_name_of_two_areas_goes_to_the_coarser_one(matcher: AreaMatcher) -> None:
    # Håkansböle is Hakunila's own name, and half of the postal name of Kuusikko-Hakkila.
    assert found(matcher, "Håkansböle") == [("Håkansböle", "Hakunila")]


def test_empty_and_letterless_texts(matcher: AreaMatcher) -> None:
    assert matcher.find("") == []
    assert matcher.find("00530 12:30 !!! 🙂") == []


def test_load_is_cached() -> None:
    assert AreaMatcher.load() is AreaMatcher.load()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2000))
def test_any_text_gives_ordered_spans_within_it(text: str) -> None:
    matches = AreaMatcher.load().find(text)
    end = 0
    for match in matches:
        assert end <= match.start < match.end <= len(text)
        assert match.text == text[match.start : match.end]
        end = match.end


WORDS = st.sampled_from(
    ["Kallio", "Vuosaaressa", "ja", "Töölö", "asun", "Itäkeskus", "–", "-", "Etu", "kk", "A"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, max_size=30), st.sampled_from([" ", "-", ", ", "\n", "  "]))
def test_any_sentence_of_names_gives_whole_words(words: list[str], separator: str) -> None:
    text = separator.join(words)
    for match in AreaMatcher.load().find(text):
        assert match.text == text[match.start : match.end]
        assert match.start == 0 or not text[match.start - 1].isalpha()
        assert match.end == len(text) or not text[match.end].isalpha()


# --- the data -----------------------------------------------------------------------------------


def test_every_alias_value_is_an_area() -> None:
    values = {row["value"] for row in read("areas.csv")}
    aliases = read("area_aliases.csv")
    assert aliases
    assert [row["alias"] for row in aliases if row["value"] not in values] == []


@pytest.mark.parametrize("alias", read("area_aliases.csv"), ids=lambda row: row["alias"])
def test_every_alias_is_recognised(matcher: AreaMatcher, alias: dict[str, str]) -> None:
    # Capitalised: a few ("manse", "skatta") are everyday words in some language.
    text = f"asun {alias['alias'].capitalize()}"
    assert [match.value for match in matcher.find(text)] == [alias["value"]]


def test_every_area_is_recognised_by_its_own_name(matcher: AreaMatcher) -> None:
    missing = {
        row["value"]: found(matcher, row["value"])
        for row in read("areas.csv")
        if found(matcher, row["value"]) != [(row["value"], row["value"])]
    }
    assert missing == {}


def test_areas_csv_is_sorted_and_unique() -> None:
    rows = [tuple(row.values()) for row in read("areas.csv")]
    assert rows == sorted(set(rows))
    assert list(read("areas.csv")[0]) == ["name", "value", "city", "kind"]
    cities = {row["city"] for row in read("areas.csv")}
    assert cities == {"Helsinki", "Espoo", "Vantaa", "Kauniainen", "Tampere", "Lahti"}


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_area_names", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


def test_areas_csv_is_what_the_build_script_makes() -> None:
    script = load_script()
    if not (script.DEFAULT_REFERENCE / script.DISTRICTS).exists():
        pytest.skip(f"reference data not at {script.DEFAULT_REFERENCE}")
    rows = script.build(script.DEFAULT_REFERENCE)
    assert script.render(rows) == (DATA / "areas.csv").read_text(encoding="utf-8")
    assert script.alias_problems(rows) == []


def test_build_script_splits_compounds_and_finds_bases() -> None:
    script = load_script()
    assert script.compound_parts("Kartano-Paavola") == ["Kartano", "Paavola"]
    assert script.compound_parts("Itä-Amuri-Tammerkoski") == ["Itä-Amuri", "Tammerkoski"]
    assert script.compound_parts("Keskussairaala-alue-Kauppi") == [
        "Keskussairaala-alue",
        "Kauppi",
    ]
    assert script.compound_parts("Etu-Töölö") == ["Etu-Töölö"]
    assert script.base("Etu-Töölö") == "Töölö"
    assert script.base("Främre Tölö") == "Tölö"
    assert script.base("Östra centrum") is None
    assert script.base("Nastola kk") == "Nastola"
    assert script.coordinated("Itä- ja Keski-Pasila", "Östra och Mellersta Böle") == [
        ("Itä-Pasila", "Östra Böle"),
        ("Keski-Pasila", "Mellersta Böle"),
    ]
