"""The area registry: districts and postal areas, found by what residents write, and which
areas a notice reaches."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.actions.areas import area_payload
from knowledge.areas import Area, AreaRegistry, area_registry

KALLIO = "district:helsinki:kaupunginosa:11"
VUOSAARI = "district:helsinki:kaupunginosa:54"
NLU_AREAS = Path(__file__).resolve().parents[1] / "intents" / "data" / "areas.csv"


@pytest.fixture(scope="module")
def registry() -> AreaRegistry:
    return area_registry()


def keys(areas: list[Area]) -> list[str]:
    return [area.key for area in areas]


def test_the_registry_holds_the_chosen_levels_of_the_six_cities(registry: AreaRegistry) -> None:
    counted: dict[tuple[str, str], int] = {}
    for area in registry.all():
        level = area.key.split(":")[2] if area.kind == "district" else "postal"
        counted[(area.city, level)] = counted.get((area.city, level), 0) + 1
    assert counted == {
        ("Helsinki", "kaupunginosa"): 59,
        ("Helsinki", "osa-alue"): 147,
        ("Helsinki", "postal"): 84,
        ("Espoo", "tilastoalue"): 26,
        ("Espoo", "pienalue"): 88,
        ("Espoo", "postal"): 46,
        ("Vantaa", "kaupunginosa"): 61,
        ("Vantaa", "postal"): 37,
        ("Kauniainen", "postal"): 1,
        ("Tampere", "tilastoalue"): 117,
        ("Tampere", "postal"): 36,
        ("Lahti", "postal"): 32,
    }
    assert area_registry() is registry  # loaded once


def test_kallio_berghall_and_00530_are_one_place(registry: AreaRegistry) -> None:
    for written in ("Kallio", "kallio", "Berghäll", "00530", KALLIO):
        assert keys(registry.find(written)) == [KALLIO], written
    kallio = registry.get(KALLIO)
    assert kallio is not None
    assert (kallio.kind, kallio.city, kallio.name_fi, kallio.name_sv) == (
        "district",
        "Helsinki",
        "Kallio",
        "Berghäll",
    )
    assert "00530" in kallio.postal_codes
    assert kallio.name("sv") == "Berghäll"
    assert kallio.name("fi") == kallio.name("en") == "Kallio"


def test_a_notice_for_00530_reaches_kallio_and_one_for_kallio_reaches_00530(
    registry: AreaRegistry,
) -> None:
    assert KALLIO in registry.related("postal:00530")
    assert "postal:00530" in registry.related(KALLIO)
    assert KALLIO in registry.related(KALLIO)
    assert "district:helsinki:osa-alue:112" in registry.related(KALLIO)  # Linjat, part of it
    assert VUOSAARI not in registry.related(KALLIO)
    assert not registry.related(KALLIO) & registry.related(VUOSAARI)
    assert registry.related("postal:99999") == frozenset()


def test_the_relation_is_symmetric(registry: AreaRegistry) -> None:
    for area in registry.all():
        for other in registry.related(area.key):
            assert area.key in registry.related(other), (area.key, other)


def test_a_name_in_several_cities_gives_a_candidate_in_each(registry: AreaRegistry) -> None:
    found = registry.find("Kumpula")
    assert [(area.city, area.name_fi) for area in found] == [
        ("Helsinki", "Kumpula"),
        ("Tampere", "Kumpula"),
    ]


def test_the_parts_of_a_place_are_offered_once(registry: AreaRegistry) -> None:
    assert [area.name_fi for area in registry.find("Töölö")] == ["Etu-Töölö", "Taka-Töölö"]
    assert [area.name_fi for area in registry.find("Leppävaara")] == ["Kanta-Leppävaara"]
    assert keys(registry.find("Nordsjö")) == [VUOSAARI]


def test_postal_areas_and_swedish_names(registry: AreaRegistry) -> None:
    [tapiola] = registry.find("Hagalund")
    assert (tapiola.key, tapiola.name("sv"), tapiola.name("en")) == (
        "postal:02100",
        "Hagalund",
        "Tapiola",
    )
    assert registry.find("00100")[0].name_fi == "Helsinki keskusta - Etu-Töölö"
    assert registry.city_name("Helsinki", "sv") == "Helsingfors"
    assert registry.city_name("Helsinki", "en") == "Helsinki"


def test_unknown_words_find_nothing(registry: AreaRegistry) -> None:
    assert registry.find("Xyzzylä") == []
    assert registry.find("99999") == []
    assert registry.find("") == []


def test_every_district_and_postal_name_the_understanding_gives_is_found(
    registry: AreaRegistry,
) -> None:
    with NLU_AREAS.open(encoding="utf-8", newline="") as handle:
        values = {
            row["value"]
            for row in csv.DictReader(handle)
            if row["kind"].split("_")[0] in {"kaupunginosa", "osa-alue", "pienalue", "postal"}
        }
    missing = sorted(value for value in values if not registry.find(value))
    assert missing == []


def test_every_area_key_fits_in_a_button(registry: AreaRegistry) -> None:
    for area in registry.all():
        assert len(area.key) <= 64  # the store's column
        for intent in ("area_subscribe", "area_unsubscribe", "notices_list"):
            area_payload(intent, area.key)  # raises past Telegram's 64 bytes
