"""The retrieve stage: BM25 top-k passages per query, deduplicated, in a seeded random order.

Generation walks this list in order, so every sample gets a different passage and the whole
set is used before any passage repeats.
"""

from __future__ import annotations

import random
from typing import Any

from synthrl.errors import UserError
from synthrl.io import read_json, write_jsonl
from synthrl.stage import StageContext


async def run(ctx: StageContext) -> dict[str, int]:
    assert ctx.services is not None
    library = ctx.services.library()
    queries: list[str] = read_json(ctx.input("keywords.json"))["keywords"]
    if library is None:
        write_jsonl(ctx.output("retrieve.jsonl"), [])
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
    write_jsonl(ctx.output("retrieve.jsonl"), ordered)
    return {"queries": len(queries), "passages": len(ordered)}
