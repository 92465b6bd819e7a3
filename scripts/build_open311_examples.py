"""Build report_issue examples from real Helsinki feedback (Open311), split for evaluation.

Reads ``requests_sample_450.json`` from the project's reference data (Helsinki's Open311
GeoReport v2 feedback, © Helsingin kaupunki, freely reusable with attribution) and writes:

- ``intents/data/<lang>/report_issue_open311.yml``: a third of the texts, as Rasa training
  examples of ``report_issue``;
- ``intents/data/eval/open311_heldout.jsonl``: the other two thirds, never trained on.

Only requests of the public service types in ``services_fi.json`` beside it (street condition,
traffic signs, litter, vandalism, parks…) are used: those are reports of a concrete problem.
The sample also holds other feedback (thanks, questions, opinions) under internal codes.

The split is by a hash of each request's id, so it is stable when the sample grows.

    python scripts/build_open311_examples.py \
        ../shared/reference-data/helsinki-open311/requests_sample_450.json
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "intents" / "data"
HEADER = (
    "# Real resident feedback from Helsinki's Open311 feedback service, 2014-2016.\n"
    "# © Helsingin kaupunki. Built by scripts/build_open311_examples.py; do not edit by hand.\n"
)


def main(source: str) -> None:
    services = json.loads((Path(source).parent / "services_fi.json").read_text(encoding="utf-8"))
    report_types = {str(service["service_code"]) for service in services}
    text = Path(source).read_text(encoding="utf-8")
    records = json.loads(text) if text.lstrip().startswith("[") else [
        json.loads(line) for line in text.splitlines() if line.strip()
    ]
    training: dict[str, list[str]] = {"fi": [], "sv": [], "en": []}
    held_out: list[dict[str, object]] = []
    seen: set[str] = set()
    for record in sorted(records, key=lambda r: str(r["service_request_id"])):
        if str(record.get("service_code")) not in report_types:
            continue
        description = " ".join(str(record.get("description") or "").split())
        if len(description) < 10 or description.lower() in seen:
            continue
        seen.add(description.lower())
        language = guess_language(description)
        digest = hashlib.sha256(str(record["service_request_id"]).encode()).digest()
        if digest[0] % 3 == 0:
            training[language].append(description)
        else:
            held_out.append(
                {"text": description, "lang": language, "intent": "report_issue", "entities": []}
            )
    for language, texts in training.items():
        path = DATA / language / "report_issue_open311.yml"
        if not texts:
            path.unlink(missing_ok=True)
            continue
        lines = [HEADER, 'version: "3.1"\n', "nlu:\n"]
        lines += ["- intent: report_issue\n", "  examples: |\n"]
        lines += [f"    - {escape(text)}\n" for text in texts]
        path.write_text("".join(lines), encoding="utf-8")
    with (DATA / "eval" / "open311_heldout.jsonl").open("w", encoding="utf-8") as out:
        for row in held_out:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts = {language: len(texts) for language, texts in training.items()}
    print(f"training: {counts}; held out: {len(held_out)}")


def guess_language(text: str) -> str:
    words = set(re.findall(r"\w+", text.lower()))
    swedish = len(words & {"och", "att", "det", "är", "inte", "jag", "på", "för", "som", "med"})
    english = len(words & {"the", "and", "is", "are", "not", "this", "there", "of", "to", "in"})
    finnish = len(words & {"ja", "on", "ei", "se", "että", "kun", "ovat", "oli", "tämä", "myös"})
    best = max(("fi", finnish), ("sv", swedish), ("en", english), key=lambda pair: pair[1])
    return best[0] if best[1] > finnish else "fi"


def escape(text: str) -> str:
    """Brackets would read as Rasa entity annotations."""
    return text.replace("[", "(").replace("]", ")")


if __name__ == "__main__":
    main(sys.argv[1])
