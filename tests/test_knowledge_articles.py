"""Service article files: what staff write is read exactly, written back unchanged, and a
mistake is named by file and field."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.articles import (
    LANGUAGES,
    PACKAGED_ARTICLES,
    Article,
    ArticleError,
    load_articles,
    parse_article,
    render_article,
)
from tests.support.city import city_topics, legacy_urls

FIXTURES = Path(__file__).parent / "fixtures" / "knowledge"
WASTE = (FIXTURES / "waste_sorting.md").read_text(encoding="utf-8")


def test_an_article_file_is_read_field_by_field() -> None:
    article = parse_article(WASTE)
    assert (article.id, article.topic, article.owner_team) == (
        "waste_sorting",
        "waste and recycling",
        "environment",
    )
    assert article.review_by == date(2027, 5, 31)
    assert article.titles["sv"] == "Sortering av avfall och Sortti-stationer"
    assert article.bodies["en"].startswith("Sort biowaste, cardboard")
    assert article.keywords["fi"] == ("jätteet", "lajittelu", "kierrätys", "sortti-asema")
    assert article.sources["sv"] is None


def test_a_language_without_its_own_page_links_another_and_says_which() -> None:
    waste = parse_article(WASTE)
    library = parse_article((FIXTURES / "library_card.md").read_text(encoding="utf-8"))
    assert waste.source_for("fi") == (
        "https://www.hsy.fi/jatteet-ja-kierratys/jateopas-ja-lajitteluohjeet/",
        "fi",
    )
    assert waste.source_for("sv") == (
        "https://www.hsy.fi/jatteet-ja-kierratys/jateopas-ja-lajitteluohjeet/",
        "fi",
    )
    assert library.source_for("fi") == (
        "https://mobi.helmet.fi/en-US/Info/Using_the_library/Library_card_and_loans(950)",
        "en",
    )


def test_a_keyword_that_yaml_would_read_as_true_stays_a_word() -> None:
    text = WASTE.replace("fi: [jätteet,", "fi: [on, yes, jätteet,")
    article = parse_article(text)
    assert article.keywords["fi"][:2] == ("on", "yes")
    assert parse_article(render_article(article)) == article


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (("owner_team: environment\n", ""), "x.md: owner_team: missing"),
        (("id: waste_sorting", "id: Waste-Sorting"), "x.md: id: 'Waste-Sorting' is not snake_case"),
        (("topic:", "topik:"), "x.md: topik: unknown field"),
        (("review_by: 2027-05-31", "review_by: soon"), "x.md: review_by: 'soon' is not a date"),
        (("  sv: null\n", "  sv: www.hsy.fi\n"), "x.md: source.sv: 'www.hsy.fi' is not an http"),
        (("# sv: Sortering", "# se: Sortering"), "x.md: body: heading '# se: Sortering"),
        (("# en: Waste sorting and Sortti stations", "## Waste"), "x.md: body: heading '## Waste'"),
        (("\n# fi: Jätteiden", "\nIntro\n# fi: Jätteiden"), "x.md: body: text before the"),
    ],
)
def test_a_mistake_is_named_by_file_and_field(change: tuple[str, str], says: str) -> None:
    old, new = change
    assert old in WASTE
    with pytest.raises(ArticleError) as caught:
        parse_article(WASTE.replace(old, new, 1), name="x.md")
    assert str(caught.value).startswith(says)
    assert "\n" not in str(caught.value)


def test_sections_must_be_fi_sv_en_each_with_text() -> None:
    swapped = WASTE.replace("# sv:", "# xx:").replace("# en:", "# sv:").replace("# xx:", "# en:")
    with pytest.raises(ArticleError, match=r"^x\.md: en: section out of order"):
        parse_article(swapped, name="x.md")
    english = WASTE.index("# en:")
    with pytest.raises(ArticleError, match=r"^x\.md: en: section '# en: <title>' missing"):
        parse_article(WASTE[:english], name="x.md")
    emptied = WASTE[: WASTE.index("\nSort biowaste")] + "\n"
    with pytest.raises(ArticleError, match=r"^x\.md: en: the section has no text"):
        parse_article(emptied, name="x.md")


def test_every_source_null_is_refused() -> None:
    text = WASTE.replace(
        "fi: https://www.hsy.fi/jatteet-ja-kierratys/jateopas-ja-lajitteluohjeet/", "fi: null"
    ).replace("en: https://www.hsy.fi/en/waste-and-recycling/", "en: null")
    with pytest.raises(ArticleError, match="source: at least one language needs a URL"):
        parse_article(text, name="x.md")


def test_a_pack_is_read_sorted_and_a_bad_file_is_named(tmp_path: Path) -> None:
    assert [a.id for a in load_articles(FIXTURES)] == [
        "library_card",
        "snow_clearing",
        "waste_sorting",
    ]
    (tmp_path / "recycling.md").write_text(WASTE, encoding="utf-8")
    with pytest.raises(ArticleError) as caught:
        load_articles(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path / 'recycling.md'}: id: 'waste_sorting' differs from the file name"
    )
    with pytest.raises(ArticleError, match="not a directory of articles"):
        load_articles(tmp_path / "missing")


def test_the_shipped_pack_is_valid() -> None:
    from knowledge.articles import PACKAGED_ARTICLES

    articles = load_articles(PACKAGED_ARTICLES)
    assert articles, "the demo pack has no articles"
    assert all(set(article.titles) == set(LANGUAGES) for article in articles)


_line = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1
).map(str.strip)
_title = _line.filter(lambda text: bool(text))
_body_line = _line.filter(lambda text: bool(text) and not text.startswith("#"))
_body = st.lists(_body_line, min_size=1, max_size=4).map("\n\n".join)
_word = _line.filter(lambda text: bool(text))
_url = st.from_regex(r"https://[a-z]{1,12}\.fi/[a-z0-9/_-]{0,20}", fullmatch=True)


@st.composite
def articles(draw: st.DrawFn) -> Article:
    sources = {lang: draw(st.none() | _url) for lang in LANGUAGES}
    if not any(sources.values()):
        sources["fi"] = draw(_url)
    keyword_languages = draw(st.lists(st.sampled_from(LANGUAGES), unique=True))
    question_languages = draw(st.lists(st.sampled_from(LANGUAGES), unique=True))
    return Article(
        id=draw(st.from_regex(r"[a-z][a-z0-9]{0,8}(_[a-z0-9]{1,6}){0,3}", fullmatch=True)),
        topic=draw(_title),
        owner_team=draw(st.from_regex(r"[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,6}){0,2}", fullmatch=True)),
        sources=sources,
        review_by=draw(st.dates(date(2000, 1, 1), date(2100, 12, 31))),
        titles={lang: draw(_title) for lang in LANGUAGES},
        bodies={lang: draw(_body) for lang in LANGUAGES},
        keywords={
            lang: tuple(draw(st.lists(_word, min_size=1, max_size=4)))
            for lang in LANGUAGES
            if lang in keyword_languages
        },
        questions={
            lang: tuple(draw(st.lists(_word, min_size=1, max_size=3)))
            for lang in LANGUAGES
            if lang in question_languages
        },
    )


@given(articles())
def test_render_and_parse_round_trip(article: Article) -> None:
    assert parse_article(render_article(article)) == article


def test_every_link_address_and_number_in_the_pack_is_the_citys_own() -> None:
    """No invented URL, e-mail address or phone number: each occurs in the city's reference
    data, and no article names a page of the retired site as its source."""
    topics = city_topics()
    reference = json.dumps(topics, ensure_ascii=False)
    legacy = legacy_urls(topics)
    contacts = re.compile(
        r"https?://[^\s)\]>]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b0\d{1,2}(?: \d{2,4}){2,3}\b"
    )
    for article in load_articles(PACKAGED_ARTICLES):
        texts = [*article.bodies.values(), *(url for url in article.sources.values() if url)]
        for found in contacts.finditer("\n".join(texts)):
            value = found.group().rstrip(".,;:")
            assert value in reference, f"{article.id}: {value!r} is not in the reference data"
        assert not {url for url in article.sources.values() if url} & legacy, article.id
