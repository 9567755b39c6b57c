"""The verify stage: the teacher answers each generated input K times; the majority answer
becomes its label (the rule, the echo check and the generator's vote: synthrl.synth.vote).
"""

from __future__ import annotations

from typing import Any

from synthrl.io import read_jsonl, write_jsonl
from synthrl.records import Candidate
from synthrl.stage import StageContext
from synthrl.synth.prompts import teacher_texts
from synthrl.synth.stops import check_labels, check_yield
from synthrl.synth.vote import verify_candidates


async def run(ctx: StageContext) -> dict[str, Any]:
    candidates = [Candidate.from_dict(r) for r in read_jsonl(ctx.input("generate.jsonl"))]
    found: dict[str, int] = {}
    kept = await verify_candidates(ctx, "verify", candidates, found)
    write_jsonl(ctx.output("verify.jsonl"), (s.to_dict() for s in kept))
    agree = sum(
        1
        for s in kept
        if s.proposed_answer and ctx.task.verifier.equal(s.proposed_answer, s.answer)
    )
    rejects = ctx.write_rejects("verify")
    counts: dict[str, Any] = {
        "candidates": len(candidates),
        "verified": len(kept),
        "label_matches_generator": agree,
        **found,
        **{f"rejected_{k}": v for k, v in rejects.items()},
    }
    texts = teacher_texts(ctx.task, ctx.config.synth)
    if texts.changed:
        counts["examples_masked"] = texts.summary()
    if rejects.get("echoes_example"):
        ctx.warn(
            f"verify: {rejects['echoes_example']} labels equal an answer the task's texts "
            "show and the generator's own answer did not confirm them: dropped as "
            "echoes_example"
        )
    check_yield(ctx, "verify", len(kept), len(candidates), rejects, counts)
    # What the votes said, before labels the generator contradicted were dropped: votes that
    # copy an example stop the run here, even when the drop left few such labels for dedup.
    echoed = [
        r["label"]
        for r in ctx.rejects.get("verify", [])
        if r["reason"] in ("echoes_example", "generator_disagrees")
    ]
    check_labels(ctx, "verify", [s.answer for s in kept] + echoed, counts)
    return counts
