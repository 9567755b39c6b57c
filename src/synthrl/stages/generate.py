"""The generate stage: the teacher writes N samples, one passage (or subject, or numbers) each.

Prompts and parsing are synthrl.synth.writer's; this stage draws the requests (a target label
per request where labels are balanced), sends them and keeps what parses.
"""

from __future__ import annotations

from synthrl.io import read_json, read_jsonl, write_jsonl
from synthrl.stage import StageContext, user
from synthrl.synth.balance import closed_values, targets
from synthrl.synth.prompts import teacher_texts
from synthrl.synth.stops import MIN_REQUESTED, check_yield
from synthrl.synth.writer import candidates_from, generation_prompt, passages_by_id


async def run(ctx: StageContext) -> dict[str, int]:
    passages = read_jsonl(ctx.input("retrieve.jsonl"))
    pattern_text = read_json(ctx.input("pattern.json")).get("pattern")
    n = ctx.config.synth.n
    texts = teacher_texts(ctx.task, ctx.config.synth)  # the teacher's view, read once
    values = closed_values(ctx.task.verifier) if ctx.config.synth.balance_labels else None
    aims = targets(values, n, ctx.config.synth.seed) if values else [None] * n
    subjects = [] if passages else read_json(ctx.input("keywords.json")).get("subjects", [])
    requests, meta = [], []
    for i in range(n):
        subject = subjects[i % len(subjects)] if subjects else None
        prompt = generation_prompt(ctx, i, passages, pattern_text, texts, aims[i], subject)
        requests.append(
            ctx.chat(
                "generate",
                user(prompt),
                json_mode=ctx.config.teacher.json_mode,
                seed=ctx.config.synth.seed + i,
            )
        )
        passage_id = passages[i % len(passages)]["id"] if passages else None
        meta.append(
            {
                "passage_id": passage_id,
                **({"target": aims[i]} if aims[i] else {}),
                **({"subject": subject} if subject else {}),
            }
        )
    completions = await ctx.ask("generate", requests)
    texts = [(c.texts[0], c.finish_reasons[0]) for c in completions]
    kept, found = candidates_from(ctx, "generate", texts, meta, passages_by_id(ctx))
    write_jsonl(ctx.output("generate.jsonl"), (c.to_dict() for c in kept))
    distinct_passages = len({m["passage_id"] for m in meta if m["passage_id"]})
    rejects = ctx.write_rejects("generate")
    counts = {
        "requested": n,
        "parsed": len(kept),
        **found,
        "passages_used": distinct_passages,
        **{f"rejected_{k}": v for k, v in rejects.items()},
    }
    repeated = rejects.get("duplicate_input", 0)
    if repeated * 4 >= n >= MIN_REQUESTED:
        # "How many minutes are in 1 to 12 hours": 12 problems, 17 of 40 inputs repeats.
        ctx.warn(
            f"generate: {repeated} of {n} inputs repeat an earlier one: the task may allow "
            "few different inputs (the ranges it states); a smaller synth.n, or wider ranges"
        )
    check_yield(ctx, "generate", len(kept), n, rejects, counts)
    return counts
