"""Evaluation items from local files in the benchmarks' public formats, or built-in copies.

    items = load_items("gsm8k")                       # the GSM8K test set, from a package
    items = load_items("mednli", Path("test.jsonl"))  # a local file in MedNLI's format

Every loader returns `Item(id, input, answer)`: the task input exactly as the student sees it
and the gold answer in a form the task's verifier reads. Formats understood, by fields:
- generic: `input` (or `question`, `prompt`, `problem`) and `answer`; any task
- gsm8k: `question`, `answer` ending in `#### N`
- math: `problem` with `answer`, or with `solution` (gold: its last \\boxed{})
- gpqa: CSV with `Question`, `Correct Answer`, `Incorrect Answer 1..3` (options shuffled with
  a fixed seed per question)
- medqa: `question`, `options` {letter: text}, `answer_idx`
- mednli: `sentence1`, `sentence2`, `gold_label`
- logiqa: `context`, `query`, `options` (list), `correct_option` (index)
- multiple choice in general: `question`, `options`/`choices` (list or mapping), `answer`
Built in (read at run time, never copied): gsm8k (1,319 test items), gpqa (198, Diamond),
wiki-topics and wiki-people (held-out Wikipedia summaries with their topic; the demo's set).
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synthrl.errors import UserError
from synthrl.evaluate.row_sets import ROW_SETS
from synthrl.evaluate.sets import BUILTIN_SETS
from synthrl.io import read_jsonl
from synthrl.paths import package_dir
from synthrl.task.regions import boxed_regions

LETTERS = "ABCDEFGHIJ"


@dataclass(frozen=True)
class Item:
    """One evaluation question and its gold answer."""

    id: str
    input: str
    answer: str


def _rows(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise UserError(f"{path}: evaluation file not found")
    if path.suffix == ".jsonl":
        return read_jsonl(path)
    if path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, list) else list(data.values())
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    raise UserError(f"{path}: unsupported file type (expected .jsonl, .json, .csv or .parquet)")


def _options_text(question: str, options: list[str]) -> str:
    lines = [f"({LETTERS[i]}) {text}" for i, text in enumerate(options)]
    return question.strip() + "\n" + "\n".join(lines)


def _item(row: dict[str, Any], index: int) -> Item:
    rid = str(row.get("id", row.get("idx", index)))
    if {"Question", "Correct Answer"} <= row.keys():  # GPQA
        options = [row["Correct Answer"]] + [row[f"Incorrect Answer {i}"] for i in (1, 2, 3)]
        seed = int(hashlib.sha256(row["Question"].encode()).hexdigest()[:8], 16)
        order = list(range(4))
        random.Random(seed).shuffle(order)
        shuffled = [options[i].strip() for i in order]
        return Item(rid, _options_text(row["Question"], shuffled), LETTERS[order.index(0)])
    if {"sentence1", "sentence2", "gold_label"} <= row.keys():  # MedNLI
        text = f"Premise: {row['sentence1']}\nHypothesis: {row['sentence2']}"
        return Item(rid, text, str(row["gold_label"]))
    if {"context", "query", "options", "correct_option"} <= row.keys():  # LogiQA
        text = _options_text(f"{row['context']}\n{row['query']}", list(row["options"]))
        return Item(rid, text, LETTERS[int(row["correct_option"])])
    question = next(
        (row[k] for k in ("input", "question", "prompt", "problem") if isinstance(row.get(k), str)),
        None,
    )
    if question is None:
        raise UserError(f"item {index}: no input field (input, question, prompt or problem)")
    options = row.get("options", row.get("choices"))
    if isinstance(options, dict):  # MedQA: {"A": ..., "B": ...}
        keys = sorted(options)
        question = question.strip() + "\n" + "\n".join(f"({k}) {options[k]}" for k in keys)
    elif isinstance(options, list) and options:
        question = _options_text(question, [str(o) for o in options])
    answer = row.get("answer_idx", row.get("answer"))
    if answer is None and isinstance(row.get("solution"), str):  # MATH
        boxes = boxed_regions(row["solution"])
        answer = boxes[-1] if boxes else None
    if isinstance(answer, str) and "####" in answer:  # GSM8K
        answer = answer.rsplit("####", 1)[1].strip()
    if isinstance(answer, int) and isinstance(options, list):
        answer = LETTERS[answer]
    if answer is None:
        raise UserError(f"item {index}: no answer field (answer, answer_idx or solution)")
    return Item(rid, question, str(answer))


def load_items(task_name: str, data: Path | None = None, limit: int | None = None) -> list[Item]:
    """Evaluation items for a task: from `data`, or the task's built-in set."""
    if data is None and task_name in ROW_SETS:
        items = [Item(r["id"], r["input"], r["answer"]) for r in ROW_SETS[task_name]()]
        return items[:limit] if limit else items
    if data is None:
        if task_name not in BUILTIN_SETS:
            raise UserError(
                f"task '{task_name}' has no built-in evaluation set "
                f"(built in: {', '.join(BUILTIN_SETS)}); pass --data FILE"
            )
        package, inner = BUILTIN_SETS[task_name]
        data = package_dir(package) / inner
    rows = _rows(data)
    items = []
    for index, row in enumerate(rows):
        try:
            items.append(_item(row, index))
        except UserError as exc:
            raise UserError(f"{data}: {exc}") from None
    return items[:limit] if limit else items
