"""The score stage: the student samples L answers per sample; its pass rate.

Each sample of `score.jsonl` has `pass_rate` (correct answers / L) and `n_samples` (L),
graded by the task's verifier against the sample's label, and in `extra.student_answers` the
student's answers grouped as the teacher's votes are (the audit's cross-check).
"""

from __future__ import annotations

from synthrl.io import read_jsonl, write_jsonl
from synthrl.records import Sample
from synthrl.stage import StageContext
from synthrl.student.scoring import score


def run(ctx: StageContext) -> dict[str, int | float]:
    assert ctx.services is not None
    sampler = ctx.services.student()
    samples = [Sample.from_dict(r) for r in read_jsonl(ctx.input("dedup.jsonl"))]
    records, counts = score(ctx.task, ctx.config, samples, sampler, ctx.bar("score", len(samples)))
    write_jsonl(ctx.output("score.jsonl"), records)
    return counts
