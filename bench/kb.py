"""How fast the service-article search is: searches per second and latency on one core, over
the demo pack and over a synthetic pack of 5,000 articles, with index build times.

    python bench/kb.py [--quick]

Queries are the shipped evaluation questions (``knowledge/data/kb_eval/questions.jsonl``),
each searched in its own language, in shuffled rounds. The synthetic pack recombines the demo
pack's sentences, titles and keywords into 5,000 articles with new ids (seeded, so every run
searches the same pack). The baseline, measured in the same run on the same queries and pack,
is a plain linear scan counting each article's shared folded words (what a naive keyword
search does); the ratio says what the index buys. The last line is
``kb: <p99 ms on 5,000 articles>``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core, as the figures say

import argparse
import json
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import percentile  # noqa: E402
from bench.nlu import resident_kib  # noqa: E402
from knowledge.articles import LANGUAGES, PACKAGED_ARTICLES, Article, load_articles  # noqa: E402
from knowledge.retrieval import KnowledgeBase  # noqa: E402
from knowledge.terms import fold  # noqa: E402

QUESTIONS = ROOT / "knowledge" / "data" / "kb_eval" / "questions.jsonl"
SYNTHETIC_SIZE = 5_000
_SENTENCE = re.compile(r"(?<=[.!?])\s+")

Query = tuple[str, str]


def queries() -> list[Query]:
    rows = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    return [(str(row["text"]), str(row["lang"])) for row in rows]


def synthetic_pack(pack: Sequence[Article], size: int, *, seed: int = 5) -> list[Article]:
    """``size`` plausible articles made of the pack's own sentences, titles and keywords."""
    chance = random.Random(seed)
    sentences = {
        lang: [s for a in pack for s in _SENTENCE.split(a.bodies[lang]) if s.strip()]
        for lang in LANGUAGES
    }
    title_words = {lang: [w for a in pack for w in a.titles[lang].split()] for lang in LANGUAGES}
    keywords = {lang: [k for a in pack for k in a.keywords.get(lang, ())] for lang in LANGUAGES}
    made = []
    for number in range(size):
        base = chance.choice(pack)
        made.append(
            Article(
                id=f"synthetic_{number:05d}",
                topic=base.topic,
                owner_team=base.owner_team,
                sources=base.sources,
                review_by=base.review_by,
                titles={
                    lang: " ".join(chance.sample(title_words[lang], chance.randint(3, 7)))
                    for lang in LANGUAGES
                },
                bodies={
                    lang: " ".join(chance.sample(sentences[lang], chance.randint(5, 12)))
                    for lang in LANGUAGES
                },
                keywords={
                    lang: tuple(chance.sample(keywords[lang], min(6, len(keywords[lang]))))
                    for lang in LANGUAGES
                },
            )
        )
    return made


class LinearScan:
    """The baseline: each article's folded words as a set, scanned one by one per query."""

    def __init__(self, articles: Sequence[Article]) -> None:
        self._words = [
            {
                lang: set(re.findall(r"\w+", fold(f"{a.titles[lang]} {a.bodies[lang]}")))
                for lang in LANGUAGES
            }
            for a in articles
        ]

    def search(self, text: str, language: str) -> int:
        asked = set(re.findall(r"\w+", fold(text)))
        best, best_count = -1, 0
        for number, words in enumerate(self._words):
            count = len(asked & words[language])
            if count > best_count:
                best, best_count = number, count
        return best


def measure(search: Callable[[str, str], object], corpus: list[Query], rounds: int) -> list[float]:
    for text, language in corpus:  # warm-up: the word cache, first-call costs
        search(text, language)
    latencies = []
    order = random.Random(7)
    shuffled = list(corpus)
    for _ in range(rounds):
        order.shuffle(shuffled)
        for text, language in shuffled:
            tick = time.perf_counter()
            search(text, language)
            latencies.append(time.perf_counter() - tick)
    return latencies


def report(name: str, latencies: list[float]) -> tuple[float, float]:
    p50, p99 = percentile(latencies, 0.50) * 1000, percentile(latencies, 0.99) * 1000
    per_second = len(latencies) / sum(latencies)
    print(f"{name}: {per_second:,.0f} searches/s, p50 {p50:.3f} ms, p99 {p99:.3f} ms")
    return p50, p99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a run under a minute")
    arguments = parser.parse_args()
    rounds = 3 if arguments.quick else 20
    baseline_rounds = 1 if arguments.quick else 3
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    pack = load_articles(PACKAGED_ARTICLES)
    corpus = queries()
    started = time.perf_counter()
    demo = KnowledgeBase(pack)
    demo_build = time.perf_counter() - started
    synthetic = synthetic_pack(pack, SYNTHETIC_SIZE)
    before = resident_kib()
    started = time.perf_counter()
    large = KnowledgeBase(synthetic)
    large_build = time.perf_counter() - started
    large_mib = (resident_kib() - before) / 1024
    started = time.perf_counter()
    large.with_articles(synthetic[:1])
    one_edit = time.perf_counter() - started

    print(f"queries: {len(corpus)} evaluation questions x {rounds} rounds, one core")
    print(
        f"index build: demo pack ({len(pack)} articles) {demo_build * 1000:.0f} ms; "
        f"{SYNTHETIC_SIZE:,} articles {large_build:.2f} s; one of those edited {one_edit:.2f} s"
    )
    print(f"resident memory of the {SYNTHETIC_SIZE:,}-article index: {large_mib:.0f} MiB")
    report(f"demo pack ({len(pack)} articles)", measure(demo.search, corpus, rounds))
    p50, p99 = report(f"{SYNTHETIC_SIZE:,} articles", measure(large.search, corpus, rounds))
    scan = LinearScan(synthetic)
    baseline_p50, baseline_p99 = report(
        f"baseline, linear word scan of {SYNTHETIC_SIZE:,} articles",
        measure(scan.search, corpus, baseline_rounds),
    )
    print(
        f"index vs linear scan: {baseline_p50 / p50:.1f}x faster at p50, "
        f"{baseline_p99 / p99:.1f}x at p99"
    )
    print(f"kb: {p99:.3f}")


if __name__ == "__main__":
    main()
