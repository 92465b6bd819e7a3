"""Understanding residents: entities by shape and by name, language, intent, fallback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intents import FALLBACK_INTENT, Understanding
from intents.evaluation import read_jsonl
from tests.support.running import ROOT

DATA = ROOT / "intents" / "data"


@pytest.mark.parametrize(
    ("text", "typed", "value"),
    [
        ("HEL 2024-001234", "HEL 2024-001234", "HEL 2024-001234"),
        ("missä vaiheessa on hel2024-1234?", "hel2024-1234", "HEL 2024-001234"),
        ("HEL-2024-001234 status", "HEL-2024-001234", "HEL 2024-001234"),
        ("Mitä asiasta HEL 2024-001234:stä on päätetty", "HEL 2024-001234", "HEL 2024-001234"),
        ("HEL 2021-010124 Lausunto 2", "HEL 2021-010124", "HEL 2021-010124"),
        ("ärendet TRE:6026/10.03.01/2016", "TRE:6026/10.03.01/2016", "TRE:6026/10.03.01/2016"),
        ("case VD/1545/00.04.00/2017 please", "VD/1545/00.04.00/2017", "VD/1545/00.04.00/2017"),
    ],
)
def test_diary_numbers_in_every_shape(
    understanding: Understanding, text: str, typed: str, value: str
) -> None:
    [found] = [e for e in understanding.parse(text).entities if e.entity == "diary_number"]
    assert (text[found.start : found.end], found.value) == (typed, value)


def test_three_numbers_in_one_message(understanding: Understanding) -> None:
    parse = understanding.parse("HEL 2025-001216, hel2017-241 ja HEL-2024-001234?")
    assert parse.entity_values("diary_number") == [
        "HEL 2025-001216",
        "HEL 2017-000241",
        "HEL 2024-001234",
    ]


@pytest.mark.parametrize(
    ("text", "area"),
    [
        ("tilaa Kallion tiedotteet", "Kallio"),
        ("mitä Kalliossa tapahtuu", "Kallio"),
        ("prenumerera på Berghäll", "Kallio"),
        ("muutin Vuosaareen", "Vuosaari"),
        ("vad händer i Nordsjö", "Vuosaari"),
        ("katuvalo rikki Tikkurilasta länteen", "Tikkurila"),
        ("meddelanden för Dickursby", "Tikkurila"),
        ("onko Herttoniemessa katutöitä", "Herttoniemi"),
    ],
)
def test_swedish_and_inflected_area_names_resolve_to_the_same_area(
    understanding: Understanding, text: str, area: str
) -> None:
    assert understanding.parse(text).entity_values("area") == [area]


def test_postal_codes_and_languages(understanding: Understanding) -> None:
    parse = understanding.parse("tilaa tiedotteet alueelle 00530 ja vastaa ruotsiksi")
    assert parse.entity_values("postal_code") == ["00530"]
    assert parse.entity_values("language") == ["sv"]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("moi", "fi"),
        ("kiitti", "fi"),
        ("hej tack", "sv"),
        ("tjena", "sv"),
        ("thanks", "en"),
        ("hello there", "en"),
        ("onks Kalliossa vesikatko", "fi"),
        ("finns det vägarbeten i Kallio", "sv"),
        ("is there a water cut in Kallio", "en"),
    ],
)
def test_language_even_of_two_word_messages(
    understanding: Understanding, text: str, language: str
) -> None:
    assert understanding.parse(text).language == language


def test_the_residents_language_decides_when_the_text_says_little(
    understanding: Understanding,
) -> None:
    assert understanding.parse("ok", prior_language="sv").language == "sv"
    assert understanding.parse("ok", prior_language="fi").language == "fi"
    assert understanding.parse("👍").language is None
    assert understanding.parse("kiitos paljon", prior_language="en").language == "fi"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("moro", "greet"),
        ("missä vaiheessa on mun asia HEL 2025-001216", "case_status"),
        ("ilmoita mulle kun HEL 2025-001216 etenee", "case_follow"),
        ("en halua enää ilmoituksia asiasta HEL 2025-001216", "case_unfollow"),
        ("haluun Vuosaaren tiedotteet", "area_subscribe"),
        ("jag vill inte längre ha meddelanden för Berghäll", "area_unsubscribe"),
        ("what's announced for Kallio right now", "notices_list"),
        ("katulamppu on rikki Kalliossa", "report_issue"),
        ("can I talk to a real person", "ask_official"),
        ("milloin kirjasto on auki", "service_question"),
        ("vem läser mina meddelanden", "privacy_info"),
        ("delete everything you have about me", "delete_my_data"),
        ("voitko puhua englantia", "change_language"),
        ("tack så mycket", "thanks"),
        ("bye!", "goodbye"),
    ],
)
def test_intents_in_the_words_residents_use(
    understanding: Understanding, text: str, intent: str
) -> None:
    assert understanding.parse(text).intent.name == intent


def test_low_confidence_is_a_fallback_with_the_ranking_kept(
    understanding: Understanding,
) -> None:
    parse = understanding.parse("zxqv wbbl prrt")
    assert parse.intent.name == FALLBACK_INTENT
    assert parse.intent.confidence == understanding.threshold
    assert parse.intent_ranking[0].name == FALLBACK_INTENT
    assert len(parse.intent_ranking) > 1


def test_buttons_and_commands_are_taken_at_their_word(understanding: Understanding) -> None:
    pressed = understanding.parse('/change_language{"language": "sv"}', prior_language="fi")
    assert (pressed.intent.name, pressed.intent.confidence) == ("change_language", 1.0)
    assert pressed.entity_values("language") == ["sv"]
    assert understanding.parse("/start").intent.name == "help"
    assert understanding.parse("/nonsense{").intent.name != "nonsense"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=10_000))
def test_any_text_parses_into_a_valid_structure(understanding: Understanding, text: str) -> None:
    parse = understanding.parse(text)
    known = {*understanding.classifier.classes, FALLBACK_INTENT}
    assert parse.intent.name in known
    assert 0.0 <= parse.intent.confidence <= 1.0
    assert all(score.name in known for score in parse.intent_ranking)
    assert parse.language in (None, "fi", "sv", "en")
    for entity in parse.entities:
        assert 0 <= entity.start <= entity.end <= len(text)
    json.dumps(parse.as_rasa_json())


def test_a_saved_model_loads_and_parses_alike(understanding: Understanding, tmp_path: Path) -> None:
    understanding.save(tmp_path / "model.npz")
    loaded = Understanding.load(tmp_path / "model.npz")
    for text in ("moi", "tilaa Kallion tiedotteet", "HEL 2025-001216", "vad blir vädret"):
        assert loaded.parse(text) == understanding.parse(text)


def test_real_resident_reports_kept_out_of_training_parse_as_report_issue(
    understanding: Understanding,
) -> None:
    rows = list(read_jsonl(DATA / "eval" / "open311_heldout.jsonl"))
    reports = sum(
        understanding.parse(str(row["text"])).intent.name == "report_issue" for row in rows
    )
    assert len(rows) >= 150
    assert reports / len(rows) >= 0.9


def test_parse_prints_rasa_json_one_line_per_text() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "talkkari", "parse"],
        input="moi\ntilaa Kallion tiedotteet\n",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["intent"]["name"] == "greet"
    assert {"text", "intent", "intent_ranking", "entities", "language"} <= first.keys()
    assert second["entities"] == [{"entity": "area", "value": "Kallio", "start": 6, "end": 13}]


@pytest.mark.slow
def test_cross_validated_macro_f1_is_at_least_0_92_in_each_language(tmp_path: Path) -> None:
    eval_file = tmp_path / "eval.jsonl"
    eval_file.write_text(
        "".join((DATA / "eval" / f"{lang}.jsonl").read_text() for lang in ("fi", "sv", "en"))
    )
    result = subprocess.run(
        [sys.executable, "-m", "talkkari", "nlu", "evaluate", str(eval_file)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    report = result.stdout.split("== ")
    cross_validation, held_out = report[1], report[2]
    for section in (cross_validation, held_out):
        scores = {
            line[1:3]: float(line.split("macro-F1 ")[1].split()[0])
            for line in section.splitlines()
            if line.startswith("[")
        }
        assert set(scores) == {"fi", "sv", "en"}
        assert all(score >= 0.92 for score in scores.values()), scores
    assert "most confused" in cross_validation
    assert "diary_number" in cross_validation


@pytest.mark.parametrize(
    ("text", "prior"),
    [("Kallio?", "fi"), ("Berghäll", "sv"), ("HEL 2024-001234", "sv"), ("00530", "fi")],
)
def test_a_name_or_number_alone_keeps_the_residents_language(
    understanding: Understanding, text: str, prior: str
) -> None:
    assert understanding.parse(text, prior_language=prior).language == prior
