"""The solve stage: the student answers each verified sample once, greedily.

`solve.jsonl` is the samples with `greedy_solved`, which the rewrite stage turns into harder
(solved) or easier (unsolved) versions. Skipped (NoStudent) when the command has no student.
"""

from __future__ import annotations

from synthrl.io import read_jsonl, write_jsonl
from synthrl.records import Sample
from synthrl.stage import StageContext
from synthrl.student.scoring import solve


def run(ctx: StageContext) -> dict[str, int]:
    """The solve stage: skipped (NoStudent) when the command has no student."""
    assert ctx.services is not None
    sampler = ctx.services.student()
    samples = [Sample.from_dict(r) for r in read_jsonl(ctx.input("verify.jsonl"))]
    records, counts = solve(ctx.task, ctx.config, samples, sampler, ctx.bar("solve", len(samples)))
    write_jsonl(ctx.output("solve.jsonl"), records)
    return counts
