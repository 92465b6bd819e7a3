"""Finding the article for a resident's question: inflected Finnish, Swedish and English, and
an honest "not sure" for what the articles do not cover."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from knowledge.retrieval import KnowledgeBase, LiveKnowledge, article_code, load_knowledge

FIXTURES = Path(__file__).parent / "fixtures" / "knowledge"


@pytest.fixture(scope="module")
def knowledge() -> KnowledgeBase:
    return load_knowledge(FIXTURES)


@pytest.mark.parametrize(
    ("question", "language", "article"),
    [
        ("miten lajittelen jätteet", "fi", "waste_sorting"),
        ("minne vien vaaralliset jätteeni", "fi", "waste_sorting"),
        ("jatteiden lajittelusta kysyisin", "fi", "waste_sorting"),  # no dots, inflected
        ("var sorterar jag avfall", "sv", "waste_sorting"),
        ("hur får jag ett bibliotekskort", "sv", "library_card"),
        ("how do I get a library card", "en", "library_card"),
        ("kirjastokortin saaminen", "fi", "library_card"),
    ],
)
def test_a_question_finds_its_article_confidently(
    knowledge: KnowledgeBase, question: str, language: str, article: str
) -> None:
    [best, *_] = knowledge.search(question, language)
    assert best.article.id == article
    assert best.confident


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("where can I buy a fishing licence", "en"),
        ("paljonko maksaa uimahallin kausikortti", "fi"),
        ("var kan jag parkera min bil", "sv"),
        ("zxqv wbbl prrt", "fi"),
    ],
)
def test_what_the_articles_do_not_cover_is_never_confident(
    knowledge: KnowledgeBase, question: str, language: str
) -> None:
    assert not any(hit.confident for hit in knowledge.search(question, language))


def test_only_the_first_hit_may_be_confident_and_hits_come_best_first(
    knowledge: KnowledgeBase,
) -> None:
    hits = knowledge.search("jätteet ja kirjastokortti", "fi", limit=3)
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    assert not any(hit.confident for hit in hits[1:])


def test_an_edited_article_is_found_by_its_new_words_and_the_old_index_stays(
    knowledge: KnowledgeBase,
) -> None:
    library = knowledge.articles["library_card"]
    edited = dataclasses.replace(
        library,
        bodies={**library.bodies, "en": "E-books and audiobooks are borrowed in the Ellibs app."},
    )
    changed = knowledge.with_articles([edited])
    [best, *_] = changed.search("how do I borrow audiobooks in Ellibs", "en")
    assert (best.article.id, best.article.bodies["en"][:8]) == ("library_card", "E-books ")
    assert knowledge.articles["library_card"] is library  # the old index is unchanged
    assert not any(h.confident for h in knowledge.search("audiobooks in Ellibs app", "en"))
    assert sorted(changed.without(["library_card"]).articles) == ["snow_clearing", "waste_sorting"]


def test_a_button_code_finds_the_article_while_it_is_there(knowledge: KnowledgeBase) -> None:
    code = article_code("waste_sorting")
    assert len(code) == 10
    found = knowledge.by_code(code)
    assert found is not None and found.id == "waste_sorting"
    assert knowledge.without(["waste_sorting"]).by_code(code) is None


def test_the_live_knowledge_is_swapped_whole(knowledge: KnowledgeBase) -> None:
    live = LiveKnowledge(KnowledgeBase([]))
    assert live.current.search("jätteet", "fi") == []
    live.replace(knowledge)
    assert live.current.search("jätteet", "fi")[0].article.id == "waste_sorting"
