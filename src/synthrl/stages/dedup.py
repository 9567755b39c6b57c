"""The dedup stage: near duplicates, evaluation-set overlaps and copies of the task removed
(the measures: synthrl.synth.duplicates); then the kept labels' spread and the stage's yield
are checked (synthrl.synth.stops).

Initial samples come before rewrites, so an original wins over its copy.
"""

from __future__ import annotations

from typing import Any

from synthrl.evaluate.sets import eval_questions
from synthrl.io import read_jsonl, write_jsonl
from synthrl.records import Sample
from synthrl.stage import StageContext
from synthrl.synth.duplicates import Contamination, NearDuplicates, decontamination_sets
from synthrl.synth.stops import check_labels, check_yield
from synthrl.text import TaskTexts


async def run(ctx: StageContext) -> dict[str, Any]:
    samples = [Sample.from_dict(r) for r in read_jsonl(ctx.input("verify.jsonl"))]
    if ctx.input("rewrite.jsonl").is_file():
        samples += [Sample.from_dict(r) for r in read_jsonl(ctx.input("rewrite.jsonl"))]
    names = decontamination_sets(ctx)
    contamination = Contamination({name: eval_questions(name) for name in names})
    near = NearDuplicates(ctx.config.synth.dedup_threshold)
    task_texts = TaskTexts(ctx.task, ctx.config.synth.dedup_threshold)
    kept: list[Sample] = []
    seen: set[str] = set()
    for sample in samples:
        if sample.id in seen:
            ctx.reject("dedup", "duplicate", id=sample.id, duplicate_of=sample.id)
            continue
        source = contamination.source(sample.input)
        if source is not None:
            ctx.reject("dedup", "contaminated", id=sample.id, eval_set=source, input=sample.input)
            continue
        copied = task_texts.copied(sample.input)
        if copied is not None:
            reason = "copies_demo" if copied.startswith("demo") else "copies_task"
            ctx.reject("dedup", reason, id=sample.id, copy_of=copied, input=sample.input)
            continue
        twin = near.match(sample.input)
        if twin is not None:
            ctx.reject("dedup", "duplicate", id=sample.id, duplicate_of=twin, input=sample.input)
            continue
        seen.add(sample.id)
        near.add(sample.id, sample.input)
        kept.append(sample)
    write_jsonl(ctx.output("dedup.jsonl"), (s.to_dict() for s in kept))
    rejects = ctx.write_rejects("dedup")
    counts: dict[str, Any] = {
        "samples": len(samples),
        "kept": len(kept),
        "duplicates": rejects.get("duplicate", 0),
        "contaminated": rejects.get("contaminated", 0),
        "copies_demo": rejects.get("copies_demo", 0),
        "copies_task": rejects.get("copies_task", 0),
        "eval_sets": len(names),
    }
    check_yield(ctx, "dedup", len(kept), len(samples), rejects, counts)
    check_labels(ctx, "dedup", [s.answer for s in kept], counts)
    return counts
