"""The eval stage: the base and the trained student on the held-out set, with the learning
controls (synthrl.evaluate); `eval.json` and one predictions file per model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from synthrl.evaluate.runner import evaluate_models
from synthrl.evaluate.sets import load_items, part_of
from synthrl.io import write_json, write_jsonl
from synthrl.stage import StageContext
from synthrl.student.sampler import make_sampler


def run(ctx: StageContext) -> dict[str, Any]:
    """Base vs trained student on the held-out set, with the learning controls."""

    services = ctx.services
    assert services is not None
    settings, student = ctx.config.eval, ctx.config.student
    data = Path(settings.data) if settings.data else None
    items = load_items(ctx.task.name, data, settings.limit)
    trained = str(ctx.input("model"))
    models = [
        (f"base: {student.model}", services.student),
        ("trained: model/ (this run)", lambda: make_sampler(student, model=trained)),
    ]
    results, runs, comparisons = evaluate_models(
        ctx.task, models, items, student.max_tokens, settings.temperature, settings.seeds,
        lambda name, total: ctx.bar(f"eval {name.split(':')[0]}", total),
        subjects=["the base model", "the trained model"],
    )  # fmt: skip
    for label, predictions in zip(("base", "trained"), runs, strict=True):
        write_jsonl(ctx.output(f"eval.{label}.predictions.jsonl"), predictions)
    name, part = part_of(ctx.task.name, settings.data)
    report = {
        "task": ctx.task.name, "data": settings.data or "built-in", "set": name, "part": part,
        "results": results, "comparison": comparisons,
    }  # fmt: skip
    write_json(ctx.output("eval.json"), report)
    base, after = results[0]["accuracy"], results[1]["accuracy"]
    return {
        "items": len(items), "set": name, "part": part, "base": round(base, 4),
        "trained": round(after, 4), "delta": round(after - base, 4),
        "verdict": comparisons[0]["verdict"],
    }  # fmt: skip
