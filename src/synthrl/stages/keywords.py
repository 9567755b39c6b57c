"""The keywords stage: what to search the passage library for.

The teacher proposes several search queries for the task's domain; the task's own
`retrieval.keywords` come first. Without a corpus, a task whose requests draw no numbers gets
subjects instead (`synth.subjects`): what its inputs could be about, one per generation
request.
"""

from __future__ import annotations

from typing import Any

import json_repair

from synthrl.io import write_json
from synthrl.stage import StageContext, user
from synthrl.synth.prompts import demos_block, render
from synthrl.task.examples import text_examples_masked


def parse_keywords(text: str, limit: int) -> list[str]:
    """Queries (or subjects) from the teacher's JSON (`{"keywords": [...]}`, `{"subjects":
    [...]}` or a bare list); [] if none."""
    data: Any = json_repair.loads(text) if text.strip() else ""
    if isinstance(data, dict):
        data = data.get("keywords") or data.get("subjects") or data.get("queries") or []
    if not isinstance(data, list):
        return []
    queries = [" ".join(str(q).split()) for q in data if isinstance(q, str | int | float)]
    return [q for q in queries if 0 < len(q) <= 100][:limit]


async def _ask_list(
    ctx: StageContext, template: str, count: int, input_format: str, max_tokens: int
) -> list[str]:
    """Ask the teacher once for a list (`template`: keywords or subjects); [] and a reject
    (`no_<template>`) when its reply holds none."""
    spec = ctx.task.spec
    prompt = render(
        template,
        count=str(count),
        description=spec.description,
        input_format=input_format,
        demos=demos_block((spec.demos or [])[:3]),
    )
    request = ctx.chat(
        "keywords", user(prompt), json_mode=ctx.config.teacher.json_mode, max_tokens=max_tokens
    )
    [completion] = await ctx.ask("keywords", [request])
    proposed = parse_keywords(completion.texts[0], count)
    if not proposed:
        ctx.reject("keywords", f"no_{template}", completion.texts[0])
    return proposed


async def _subjects(ctx: StageContext, hints: list[str]) -> dict[str, int]:
    """Without passages or numbers, what sets one generation request apart from the next is a
    subject the teacher proposed for the task's inputs (one per request, in turn); without
    one, every request of a label task was alike but for its target label, and the 0.5B
    teacher wrote the same few inputs."""
    masked = text_examples_masked(ctx.task.spec.input_format)
    proposed = _unique(await _ask_list(ctx, "subjects", ctx.config.synth.subjects, masked, 600))
    write_json(
        ctx.output("keywords.json"),
        {"keywords": hints, "from_task": hints, "subjects": proposed},
    )
    return {
        "keywords": len(hints),
        "subjects": len(proposed),
        "from_teacher": len(proposed),
        **ctx.write_rejects("keywords"),
    }


def _unique(items: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for item in items:
        if item.lower() not in seen:
            seen.add(item.lower())
            kept.append(item)
    return kept


async def run(ctx: StageContext) -> dict[str, int]:
    spec = ctx.task.spec
    hints = list(spec.retrieval.keywords) if spec.retrieval else []
    if ctx.config.corpus.source == "none":  # nothing to search
        if ctx.task.draws_numbers or not ctx.config.synth.subjects:
            write_json(ctx.output("keywords.json"), {"keywords": hints, "from_task": hints})
            return {"keywords": len(hints), "from_teacher": 0}
        return await _subjects(ctx, hints)
    proposed = await _ask_list(ctx, "keywords", ctx.config.synth.keywords, spec.input_format, 400)
    queries = _unique(hints + proposed) or [spec.name.replace("-", " "), spec.description[:200]]
    write_json(
        ctx.output("keywords.json"),
        {"keywords": queries, "from_task": hints, "from_teacher": proposed},
    )
    return {
        "keywords": len(queries),
        "from_teacher": len(proposed),
        **ctx.write_rejects("keywords"),
    }
