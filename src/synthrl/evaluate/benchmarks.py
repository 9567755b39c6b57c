"""Evaluation items from rows in the benchmarks' public formats (the registry of sets, built-in
and files, is `evaluate.sets`).

    item = item_from_row({"question": "2 + 3?", "answer": "#### 5"}, 0)  # Item(..., "5")

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
from synthrl.io import read_jsonl
from synthrl.task.regions import boxed_regions

LETTERS = "ABCDEFGHIJ"
QUESTION_FIELDS = ("input", "question", "prompt", "problem", "text")


@dataclass(frozen=True)
class Item:
    """One evaluation question and its gold answer; `aliases` are other answers that are
    right too (a data set whose annotators wrote several: an `answer` field that is a list)."""

    id: str
    input: str
    answer: str
    aliases: tuple[str, ...] = ()

    def golds(self) -> tuple[str, ...]:
        return (self.answer, *self.aliases)


def read_rows(path: Path) -> list[dict[str, Any]]:
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


def item_from_row(row: dict[str, Any], index: int, need_answer: bool = True) -> Item:
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
        (row[k] for k in QUESTION_FIELDS if isinstance(row.get(k), str)),
        None,
    )
    if question is None:
        raise UserError(f"item {index}: no input field ({', '.join(QUESTION_FIELDS)})")
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
    if answer is None and not need_answer:  # questions only (decontamination, the report)
        answer = ""
    if answer is None or answer == []:
        raise UserError(f"item {index}: no answer field (answer, answer_idx or solution)")
    if isinstance(answer, list):  # several right answers: the first, then its aliases
        return Item(rid, question, str(answer[0]), tuple(str(a) for a in answer[1:]))
    return Item(rid, question, str(answer))
