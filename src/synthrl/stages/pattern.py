"""The pattern stage: with demos, the teacher summarises what one sample looks like.

Generation prompts then carry the pattern plus a few demos (demos alone make near-copies).
"""

from __future__ import annotations

from synthrl.io import write_json
from synthrl.stage import StageContext, user
from synthrl.synth.prompts import demos_block, render


async def run(ctx: StageContext) -> dict[str, int]:
    demos = ctx.task.spec.demos or []
    if not demos:
        write_json(ctx.output("pattern.json"), {"pattern": None, "demos": 0})
        return {"demos": 0, "pattern": 0}
    prompt = render("pattern", description=ctx.task.spec.description, demos=demos_block(demos[:8]))
    [completion] = await ctx.ask("pattern", [ctx.chat("pattern", user(prompt), max_tokens=400)])
    text = completion.texts[0].strip()
    if not text:
        ctx.reject("pattern", "empty_pattern")
    write_json(ctx.output("pattern.json"), {"pattern": text or None, "demos": len(demos)})
    return {"demos": len(demos), "pattern": int(bool(text)), **ctx.write_rejects("pattern")}
