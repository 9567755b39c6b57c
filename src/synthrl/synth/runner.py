"""Run the teacher-side stages in order on a run folder: keywords through dedup.

    summary = run_synth(load_task("gsm8k"), load_config(profile="cpu"), Path("runs/demo"))

Every stage reads its inputs from the run folder and writes its outputs there atomically.
Teacher calls go through the response cache in `cache/teacher.sqlite`, so running the same
command again (after a crash, a kill, or just to rerun) makes no repeated calls.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import yaml

from synthrl.config import RunConfig
from synthrl.errors import SynthrlError, UserError
from synthrl.io import write_atomic
from synthrl.llm.cache import ResponseCache
from synthrl.llm.client import TeacherClient
from synthrl.manifest import Manifest
from synthrl.retrieval import open_library
from synthrl.student.sampler import Sampler
from synthrl.synth import dedup, generate, grounding, vote
from synthrl.synth.context import SynthContext, make_progress
from synthrl.synth.stops import StageStop
from synthrl.task.loader import Task

SYNTH_STAGES = (
    "keywords", "retrieve", "pattern", "generate", "verify", "solve", "rewrite", "dedup",
)  # fmt: skip

# The stages that call the teacher.
TEACHER_STAGES = ("keywords", "pattern", "generate", "verify", "rewrite")

# The file each stage reads from earlier stages.
_INPUTS = {
    "retrieve": "keywords.json",
    "generate": "pattern.json",
    "verify": "generate.jsonl",
    "solve": "verify.jsonl",
    "rewrite": "solve.jsonl",
    "dedup": "verify.jsonl",
}


def _missing_inputs(out: Path, stage: str) -> str | None:
    needed = _INPUTS.get(stage)
    if stage == "generate" and not (out / "retrieve.jsonl").is_file():
        return "retrieve.jsonl"
    return needed if needed and not (out / needed).is_file() else None


async def _solve(ctx: SynthContext, student: Sampler | None) -> dict[str, int]:
    from synthrl.io import read_jsonl, write_jsonl
    from synthrl.student.stages import solve

    if student is None:
        records = read_jsonl(ctx.path("verify.jsonl"))
        write_jsonl(ctx.path("solve.jsonl"), records)
        return {"samples": len(records), "skipped_no_student": len(records)}
    bar = ctx.progress.add_task("solve", total=_count(ctx)) if ctx.progress else None

    def advance(done: int) -> None:
        if ctx.progress is not None and bar is not None:
            ctx.progress.advance(bar, done)

    # Generation is blocking work; a thread keeps the event loop (and Ctrl-C) responsive.
    return await asyncio.to_thread(solve, ctx.task, ctx.config, ctx.out, student, advance)


def _count(ctx: SynthContext) -> int:
    with ctx.path("verify.jsonl").open(encoding="utf-8") as handle:
        return sum(1 for line in handle if line.strip())


def write_run_inputs(task: Task, config: RunConfig, out: Path) -> None:
    """Save the resolved task and config beside the run's outputs."""
    spec = task.spec.model_dump(mode="json", exclude_none=True)
    write_atomic(out / "task.yaml", yaml.safe_dump(spec, sort_keys=False, allow_unicode=True))
    resolved = config.model_dump(mode="json")
    write_atomic(out / "config.yaml", yaml.safe_dump(resolved, sort_keys=False))


def stage_slice(stages: tuple[str, ...], first: str | None, last: str | None) -> tuple[str, ...]:
    """`stages` from `first` to `last` inclusive (from the start / to the end when None)."""
    for name in (first, last):
        if name is not None and name not in stages:
            raise UserError(f"unknown stage '{name}' (stages: {', '.join(stages)})")
    start = stages.index(first) if first else 0
    stop = stages.index(last) + 1 if last else len(stages)
    if start >= stop:
        raise UserError(f"stage '{first}' comes after '{last}'")
    return stages[start:stop]


def select_stages(first: str | None = None, last: str | None = None) -> tuple[str, ...]:
    """The synthesis stages from `first` to `last` inclusive (all by default)."""
    return stage_slice(SYNTH_STAGES, first, last)


def run_synth(
    task: Task,
    config: RunConfig,
    out: Path,
    show_progress: bool = True,
    stages: tuple[str, ...] = SYNTH_STAGES,
    student: Sampler | None = None,
) -> dict[str, Any]:
    """Run `stages` (default keywords..dedup) in order; returns the manifest's stage records.

    A stage that starts later than `keywords` reads what earlier stages left in `out`. Without
    a `student` sampler, solve passes samples through unflagged and rewrite has nothing to do.
    """
    return asyncio.run(_run(task, config, out, show_progress, stages, student))


async def _run(
    task: Task,
    config: RunConfig,
    out: Path,
    show_progress: bool,
    chosen: tuple[str, ...],
    student: Sampler | None,
) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    write_run_inputs(task, config, out)
    # Opened only when retrieval runs (the built-in index takes a moment to load); a bad
    # corpus still fails before any teacher call.
    library = open_library(config.corpus) if "retrieve" in chosen else None
    cache = ResponseCache(out / "cache" / "teacher.sqlite")
    client = TeacherClient(config.teacher, cache)
    progress = make_progress() if show_progress else None
    ctx = SynthContext(task, config, out, client, progress)
    stages: dict[str, Callable[[], Awaitable[dict[str, Any]]]] = {
        "keywords": lambda: grounding.keywords(ctx),
        "retrieve": lambda: grounding.retrieve(ctx, library),
        "pattern": lambda: grounding.pattern(ctx),
        "generate": lambda: generate.generate(ctx),
        "verify": lambda: vote.verify(ctx),
        "solve": lambda: _solve(ctx, student),
        "rewrite": lambda: generate.rewrite(ctx),
        "dedup": lambda: dedup.dedup(ctx),
    }
    manifest = Manifest(out / "manifest.json")
    config_hash = config.fingerprint("teacher", "synth", "corpus")
    try:
        if progress is not None:
            progress.start()
        for name in chosen:
            missing = _missing_inputs(out, name)
            if missing:
                raise UserError(
                    f"{out}: stage '{name}' needs {missing} from an earlier stage; "
                    "run the earlier stages first"
                )
            manifest.start(name, config_hash)
            began = time.perf_counter()
            try:
                counts = await stages[name]()
            except (SynthrlError, KeyboardInterrupt, asyncio.CancelledError) as exc:
                if isinstance(exc, StageStop):  # its files are written: keep its counts too
                    manifest.data["stages"][name]["counts"] = exc.counts
                manifest.fail(name, str(exc) or type(exc).__name__)
                raise
            manifest.finish(name, counts, client.usage.report(name), time.perf_counter() - began)
    finally:
        if progress is not None:
            progress.stop()
        await client.close()
        cache.close()
    return manifest.data["stages"]
