"""The audit stage: how far the teacher's labels can be trusted, and which look wrong.

1. A seeded random sample of `audit.samples` labelled items is answered again, independently:
   by a second teacher when `audit.model` names one (at `audit.base_url`), otherwise by the
   same teacher under a rephrased prompt (the `audit` template) with its own seed and
   `audit.votes` votes. The majority of those votes (the verify stage's rule) is compared with
   the label: the agreement rate over decided items, with a 95% Wilson interval; items whose
   votes settle nothing (a tie, too few readable answers) are counted apart.
2. A cross-check on every scored sample: when the student's L answers agree among themselves
   on another answer than the label (a share of at least `audit.suspect_share`), the sample is
   listed as suspect. A confident student against a teacher's label is where wrong labels
   show; `select.drop_suspects` leaves them out of training.

audit.json holds both; the manifest's counts hold the figures, the report shows them.
"""

from __future__ import annotations

import random
from typing import Any

from synthrl.io import read_jsonl, write_json
from synthrl.llm.client import TeacherClient
from synthrl.stage import StageContext, user
from synthrl.stats import interval
from synthrl.synth.prompts import render, vote_prompt
from synthrl.synth.vote import decide, tally


def suspects(records: list[dict[str, Any]], share: float, verifier: Any) -> list[dict[str, Any]]:
    """Scored samples whose student answers agree on another answer than the label."""
    found = []
    for record in records:
        answers = (record.get("extra") or {}).get("student_answers") or {}
        total = record.get("n_samples") or 0
        if not answers or not total:
            continue
        answer, count = max(answers.items(), key=lambda item: item[1])
        if count / total >= share and not verifier.equal(answer, record["answer"]):
            found.append({
                "id": record["id"], "input": record["input"], "label": record["answer"],
                "student_answer": answer, "student_share": round(count / total, 4),
                "pass_rate": record.get("pass_rate"),
            })  # fmt: skip
    return found


def _second_teacher(ctx: StageContext) -> TeacherClient | None:
    """A client for `audit.model` when it names an independent teacher. It counts into the
    teacher's usage (the stage's tokens and cost, the folder's spend) and answers to the same
    budget (the config refuses a budget without the audit model's prices)."""
    settings = ctx.config.audit
    if settings.model is None:
        return None
    update: dict[str, Any] = {"model": settings.model}
    if settings.base_url is not None:
        update["base_url"] = settings.base_url
    if settings.api_key_env is not None:
        update["api_key_env"] = settings.api_key_env
    assert ctx.client is not None
    config = ctx.config.teacher.model_copy(update=update)
    second = TeacherClient(config, ctx.client.cache, usage=ctx.client.usage)
    second.spent_before = ctx.client.spent_before
    return second


async def run(ctx: StageContext) -> dict[str, Any]:
    settings = ctx.config.audit
    verifier = ctx.task.verifier
    records = read_jsonl(ctx.input("score.jsonl"))
    chosen = sorted(records, key=lambda r: r["id"])
    random.Random(settings.seed).shuffle(chosen)
    chosen = chosen[: settings.samples]
    requests = [
        ctx.chat(
            "audit",
            user(render("audit", problem=vote_prompt(ctx.task, r["input"], ctx.config.synth))),
            n=settings.votes,
            seed=settings.seed + 7919,  # not verify's samples: its own votes
        )
        for r in chosen
    ]
    second = _second_teacher(ctx)
    try:
        if second is not None:
            completions = await second.complete(requests)
        else:
            completions = await ctx.ask("audit", requests)
    finally:
        if second is not None:
            await second.close()
    audited = []
    for record, completion in zip(chosen, completions, strict=True):
        groups, _ = tally([verifier.extract(t) for t in completion.texts], verifier)
        winner, reason = decide(groups, settings.votes, ctx.config.synth.min_agreement)
        agree = None if winner is None else verifier.equal(winner.answer, record["answer"])
        audited.append({
            "id": record["id"], "input": record["input"], "label": record["answer"],
            "audit_answer": None if winner is None else winner.answer,
            "votes": {g.answer: g.count for g in groups}, "agrees": agree,
            "undecided": None if winner is not None else reason,
        })  # fmt: skip
    decided = [a for a in audited if a["agrees"] is not None]
    agreed = sum(1 for a in decided if a["agrees"])
    low, high = interval(agreed, len(decided))
    flagged = suspects(records, settings.suspect_share, verifier)
    checker = (
        f"second teacher '{settings.model}'"
        if second is not None
        else "the same teacher, rephrased prompt, its own votes"
    )
    counts = {
        "audited": len(audited),
        "agreed": agreed,
        "disagreed": len(decided) - agreed,
        "undecided": len(audited) - len(decided),
        "agreement": round(agreed / len(decided), 4) if decided else None,
        "ci_low": low,
        "ci_high": high,
        "suspects": len(flagged),
        "checker": checker,
    }
    write_json(ctx.output("audit.json"), {**counts, "items": audited, "suspect_items": flagged})
    return counts
