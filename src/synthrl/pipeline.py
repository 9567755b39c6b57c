"""synthrl run: the paper's Algorithm 1 as a table of stages.

Each stage is declared once (synthrl.stage): what it runs, the files it reads and writes, the
config sections it depends on, whether the task shapes it, the prompt templates it renders, the
services it needs. `synthrl run` runs any range of them on a resumable run folder (see
synthrl.orchestrate for what is rerun and why); `synthrl synth`, `score`, `select`, `train`
and `report` are ranges of the same table.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from synthrl.config import RunConfig
from synthrl.orchestrate import StageRunner
from synthrl.stage import Stage
from synthrl.stages import (
    audit,
    dedup,
    eval,
    generate,
    keywords,
    pattern,
    report,
    retrieve,
    rewrite,
    score,
    select,
    solve,
    train,
    verify,
)
from synthrl.task.loader import Task

TEACHER = frozenset({"teacher"})
STUDENT = frozenset({"student"})

STAGE_TABLE: tuple[Stage, ...] = (
    # 1. the teacher summarises the task's domain into search queries
    Stage("keywords", keywords.run, writes=("keywords.json", "keywords.rejects.jsonl"),
          config=("teacher", "synth", "corpus"), templates=("keywords", "subjects"),
          needs=TEACHER, version=2),
    # 2. BM25 finds passages for them in the library
    Stage("retrieve", retrieve.run, reads=("keywords.json",),
          writes=("retrieve.jsonl",), config=("synth", "corpus"), task=False,
          needs=frozenset({"library"})),
    # 3. with demos, the teacher summarises what a sample looks like
    Stage("pattern", pattern.run, writes=("pattern.json", "pattern.rejects.jsonl"),
          config=("teacher",), templates=("pattern",), needs=TEACHER),
    # 4. the teacher writes N samples, one passage (or subject, or numbers) each
    Stage("generate", generate.run,
          reads=("keywords.json", "retrieve.jsonl", "pattern.json"),
          writes=("generate.jsonl", "generate.rejects.jsonl"), config=("teacher", "synth"),
          templates=("generate",), needs=TEACHER, version=9),
    # 5. the teacher answers each K times; the majority answer is the label
    Stage("verify", verify.run, reads=("generate.jsonl", "retrieve.jsonl"),
          writes=("verify.jsonl", "verify.rejects.jsonl"), config=("teacher", "synth"),
          templates=("vote", "support"), needs=TEACHER, grades=True, version=7),
    # 6. the student answers each once, greedily
    Stage("solve", solve.run, reads=("verify.jsonl",), writes=("solve.jsonl",),
          config=("student",), needs=STUDENT, grades=True),
    # 7. solved -> harder, unsolved -> easier (or new problems of its form: `like`); rewrites
    # verified the same way
    Stage("rewrite", rewrite.run, reads=("solve.jsonl", "retrieve.jsonl"),
          writes=("rewrite.jsonl", "rewrite.rejects.jsonl"), config=("teacher", "synth"),
          templates=("harder", "easier", "generate", "vote", "support"), needs=TEACHER,
          grades=True, version=9),
    # 8. near-duplicates and evaluation-set overlaps removed
    Stage("dedup", dedup.run, reads=("verify.jsonl",), reads_if_present=("rewrite.jsonl",),
          writes=("dedup.jsonl", "dedup.rejects.jsonl"), config=("synth", "eval"),
          uses_files=("eval.data", "synth.decontaminate"), version=3),
    # 9. the student samples L answers per sample: its pass rate
    Stage("score", score.run, reads=("dedup.jsonl",), writes=("score.jsonl",),
          config=("student", "score"), needs=STUDENT, grades=True, version=3),
    # 9b. labels checked: some answered again independently; confident student disagreements
    Stage("audit", audit.run, reads=("score.jsonl",), writes=("audit.json",),
          config=("teacher", "synth", "audit"), templates=("audit", "vote"), needs=TEACHER,
          grades=True, version=3),
    # 10. the M samples solved sometimes but not reliably (and a validation split)
    Stage("select", select.run, reads=("score.jsonl",),
          reads_if_present=("audit.json", "replay.jsonl"),
          writes=("selected.jsonl", "validation.jsonl", "export"), config=("select",)),
    # 11. GRPO with the task's verifier as reward
    Stage("train", train.run, reads=("selected.jsonl", "validation.jsonl"),
          writes=("model",), config=("student", "train"), grades=True),
    # 12. base vs trained student on the task's evaluation set, with the learning controls
    Stage("eval", eval.run, reads=("model",),
          writes=("eval.json", "eval.base.predictions.jsonl", "eval.trained.predictions.jsonl"),
          config=("student", "eval"), uses_files=("eval.data",), needs=STUDENT, grades=True),
    # 13. report.html and report.md
    Stage("report", report.run,
          reads_if_present=("retrieve.jsonl", "generate.jsonl", "generate.rejects.jsonl",
                            "verify.jsonl", "solve.jsonl", "dedup.jsonl", "dedup.rejects.jsonl",
                            "score.jsonl", "audit.json", "selected.jsonl", "eval.json"),
          writes=("report.html", "report.md", "samples.html"), always=True),
)  # fmt: skip

STAGES = tuple(stage.name for stage in STAGE_TABLE)
TEACHER_STAGES = tuple(stage.name for stage in STAGE_TABLE if "teacher" in stage.needs)
SYNTH_STAGES = STAGES[: STAGES.index("dedup") + 1]


class Pipeline(StageRunner):
    """Algorithm 1 on one run folder."""

    stages = STAGE_TABLE


def stage_range(first: str | None, last: str | None) -> tuple[str, ...]:
    """Stages from `first` to `last`, inclusive."""
    from synthrl.orchestrate import stage_slice

    return stage_slice(STAGES, first, last)


def describe(stages: dict[str, Any]) -> str:
    """One line per stage for the terminal."""
    lines = []
    for name, entry in stages.items():
        detail = entry.get("reason") or json.dumps(entry.get("counts", {}))
        lines.append(f"{name:<9} {entry.get('status', ''):<7} {detail}")
    return "\n".join(lines)


def run_synth(
    task: Task,
    config: RunConfig,
    out: Path,
    show_progress: bool = True,
    stages: tuple[str, ...] = SYNTH_STAGES,
    with_student: bool = False,
) -> dict[str, Any]:
    """The synthesis stages (all by default) on a run folder, as `synthrl synth` runs them;
    returns the manifest's stage records. Without a student, solve and rewrite are skipped."""
    pipeline = Pipeline(task, config, out, (), show_progress, with_student=with_student)
    return pipeline.run_stages(stages)
