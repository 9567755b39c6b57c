"""The rewrite stage: a harder version of each sample the student solved, an easier one of each
it did not (or, with `synth.unsolved_rewrites: like`, new problems of its form), verified by
the same vote as the first labels (synthrl.synth.vote).
"""

from __future__ import annotations

import hashlib

from synthrl.io import read_jsonl, write_jsonl
from synthrl.records import Sample
from synthrl.stage import StageContext, file_digest, user
from synthrl.synth.prompts import render, teacher_texts
from synthrl.synth.vote import verify_candidates
from synthrl.synth.writer import (
    answer_kind,
    candidates_from,
    generation_prompt,
    like_form,
    passages_by_id,
    writer_format,
)

# New problems asked per failed sample in `like` mode.
LIKE_PER_SAMPLE = 2


async def run(ctx: StageContext) -> dict[str, int]:
    """Harder versions of samples the student solved, easier ones of those it did not (or
    `LIKE_PER_SAMPLE` new problems of the same form each, where `like` mode and the form fit).

    The prompt carries the sample only (input and label): no scores, no chains of thought.
    Samples without a `greedy_solved` flag are skipped and counted.
    """
    samples = [Sample.from_dict(r) for r in read_jsonl(ctx.input("solve.jsonl"))]
    flagged = [s for s in samples if s.greedy_solved is not None]
    texts = teacher_texts(ctx.task, ctx.config.synth)
    input_format = writer_format(ctx.task, texts.input_format)
    requests, meta = [], []
    like = ctx.config.synth.unsolved_rewrites == "like"
    json_mode = ctx.config.teacher.json_mode
    # Each pool the student answered (each round) gets its own numbers for the same sample.
    pool = file_digest(ctx.input("solve.jsonl"))
    for s in flagged:
        unsolved_form = like and not s.greedy_solved and s.passage_id is None
        form = like_form(ctx.task, s.input) if unsolved_form else None
        if form is not None:
            # The form of a problem it fails, with new numbers in the task's ranges: a harder
            # or easier version of "61 - 7" is seldom a two-digit minus a one-digit number.
            for k in range(LIKE_PER_SAMPLE):
                salt = f"{pool}\n{s.id}\n{k}".encode()
                index = int(hashlib.sha256(salt).hexdigest()[:12], 16)
                prompt = generation_prompt(ctx, index, [], None, texts, None, form=form)
                requests.append(
                    ctx.chat("rewrite", user(prompt), json_mode=json_mode, seed=index % 2**31)
                )
                meta.append({"origin": "like", "parent_id": s.id, "passage_id": None})
            continue
        direction = "harder" if s.greedy_solved else "easier"
        prompt = render(
            direction,
            description=texts.description,
            input_format=input_format,
            input=s.input,
            answer=s.answer,
            answer_kind=answer_kind(ctx.task, s.passage_id is not None),
        )
        requests.append(ctx.chat("rewrite", user(prompt), json_mode=json_mode))
        meta.append({"origin": direction, "parent_id": s.id, "passage_id": s.passage_id})
    completions = await ctx.ask("rewrite", requests)
    texts = [(c.texts[0], c.finish_reasons[0]) for c in completions]
    candidates, found = candidates_from(ctx, "rewrite", texts, meta, passages_by_id(ctx))
    verified = await verify_candidates(ctx, "rewrite", candidates)
    write_jsonl(ctx.output("rewrite.jsonl"), (s.to_dict() for s in verified))
    return {
        "skipped_no_solve_flag": len(samples) - len(flagged),
        "requested_harder": sum(1 for m in meta if m["origin"] == "harder"),
        "requested_easier": sum(1 for m in meta if m["origin"] == "easier"),
        "requested_like": sum(1 for m in meta if m["origin"] == "like"),
        "parsed": len(candidates),
        **found,
        "verified": len(verified),
        **{f"rejected_{k}": v for k, v in ctx.write_rejects("rewrite").items()},
    }
