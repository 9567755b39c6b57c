"""Stages that ground generation: keywords -> retrieve -> pattern.

- keywords: the teacher proposes several search queries for the task's domain; the task's own
  `retrieval.keywords` come first. Without a corpus, a task whose requests draw no numbers
  gets subjects instead (`synth.subjects`): what its inputs could be about, one per request.
- retrieve: BM25 top-k per query, deduplicated, put in a seeded random order. Generation walks
  this list in order, so every sample gets a different passage and the whole set is used
  before any passage repeats.
- pattern: with demos, the teacher summarises what one sample looks like; generation prompts
  then carry the pattern plus a few demos (demos alone make near-copies).
"""

from __future__ import annotations

import random
from typing import Any

import json_repair

from synthrl.errors import UserError
from synthrl.io import read_json, write_json, write_jsonl
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
        ctx.path("keywords.json"),
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


async def keywords(ctx: StageContext) -> dict[str, int]:
    spec = ctx.task.spec
    hints = list(spec.retrieval.keywords) if spec.retrieval else []
    if ctx.config.corpus.source == "none":  # nothing to search
        if ctx.task.draws_numbers or not ctx.config.synth.subjects:
            write_json(ctx.path("keywords.json"), {"keywords": hints, "from_task": hints})
            return {"keywords": len(hints), "from_teacher": 0}
        return await _subjects(ctx, hints)
    proposed = await _ask_list(ctx, "keywords", ctx.config.synth.keywords, spec.input_format, 400)
    queries = _unique(hints + proposed) or [spec.name.replace("-", " "), spec.description[:200]]
    write_json(
        ctx.path("keywords.json"),
        {"keywords": queries, "from_task": hints, "from_teacher": proposed},
    )
    return {
        "keywords": len(queries),
        "from_teacher": len(proposed),
        **ctx.write_rejects("keywords"),
    }


async def retrieve(ctx: StageContext) -> dict[str, int]:
    assert ctx.services is not None
    library = ctx.services.library()
    queries: list[str] = read_json(ctx.path("keywords.json"))["keywords"]
    if library is None:
        write_jsonl(ctx.path("retrieve.jsonl"), [])
        return {"queries": len(queries), "passages": 0}
    best: dict[str, dict[str, Any]] = {}
    for query, hits in zip(queries, library.search(queries, ctx.config.synth.top_k), strict=True):
        for passage, score in hits:
            if passage.id not in best or score > best[passage.id]["score"]:
                best[passage.id] = {**passage.to_dict(), "query": query, "score": round(score, 4)}
    if not best:
        raise UserError(
            f"corpus '{ctx.config.corpus.source}': no passage matches the task's keywords "
            f"({'; '.join(queries)}). Add retrieval.keywords to the task, use another corpus "
            "(--corpus), or --corpus none to generate without passages."
        )
    # Sorted first so the seeded shuffle does not depend on search or hash order.
    ordered = [best[k] for k in sorted(best)]
    random.Random(ctx.config.synth.seed).shuffle(ordered)
    write_jsonl(ctx.path("retrieve.jsonl"), ordered)
    return {"queries": len(queries), "passages": len(ordered)}


async def pattern(ctx: StageContext) -> dict[str, int]:
    demos = ctx.task.spec.demos or []
    if not demos:
        write_json(ctx.path("pattern.json"), {"pattern": None, "demos": 0})
        return {"demos": 0, "pattern": 0}
    prompt = render("pattern", description=ctx.task.spec.description, demos=demos_block(demos[:8]))
    [completion] = await ctx.ask("pattern", [ctx.chat("pattern", user(prompt), max_tokens=400)])
    text = completion.texts[0].strip()
    if not text:
        ctx.reject("pattern", "empty_pattern")
    write_json(ctx.path("pattern.json"), {"pattern": text or None, "demos": len(demos)})
    return {"demos": len(demos), "pattern": int(bool(text)), **ctx.write_rejects("pattern")}
