"""Zero-shot accuracy of a model on evaluation items, graded by the task's verifier.

Greedy decoding gives one accuracy. With a temperature above 0 and several seeds, each seed is
one pass and the result is the mean and standard deviation over seeds. Every prediction is
kept: the response, what was read from it, and why it was wrong or could not be graded.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from synthrl.evaluate.benchmarks import Item
from synthrl.stage import StageContext
from synthrl.student.sampler import Progress, Sampler
from synthrl.task.examples import example_finder
from synthrl.task.loader import Task
from synthrl.task.prompt import task_prompt
from synthrl.task.verifier import Grade, Verifier


def grade_item(verifier: Verifier, response: str, item: Item) -> Grade:
    """A response graded against an item's answer, right too when it equals an alias."""
    grade = verifier.grade(response, item.answer, item.input)
    if grade.correct or grade.extracted is None:
        return grade
    if any(verifier.matches(grade.extracted, alias, item.input) for alias in item.aliases):
        return replace(grade, correct=True, reward=1.0, reason="correct")
    return grade


def evaluate(
    task: Task,
    sampler: Sampler,
    items: list[Item],
    max_tokens: int,
    temperature: float = 0.0,
    seeds: int = 1,
    on_done: Progress | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(summary, predictions) for one model."""
    prompts = [task_prompt(task, item.input) for item in items]
    accuracies = []
    predictions = []
    reasons: Counter[str] = Counter()
    for seed in range(passes(temperature, seeds)):
        answers = sampler.sample(
            prompts, n=1, temperature=temperature, max_tokens=max_tokens, seed=seed,
            on_done=on_done,
        )  # fmt: skip
        correct = 0
        for item, texts in zip(items, answers, strict=True):
            grade = grade_item(task.verifier, texts[0], item)
            correct += grade.correct
            reasons[grade.reason] += 1
            predictions.append(
                {
                    "seed": seed,
                    "id": item.id,
                    "gold": item.answer,
                    **({"aliases": list(item.aliases)} if item.aliases else {}),
                    "response": texts[0],
                    "extracted": grade.extracted,
                    "correct": grade.correct,
                    "reason": grade.reason,
                }
            )
        accuracies.append(correct / len(items) if items else 0.0)
    summary = {
        "model": sampler.model_id,
        "items": len(items),
        "accuracy": statistics.fmean(accuracies) if accuracies else 0.0,
        "std": statistics.stdev(accuracies) if len(accuracies) > 1 else 0.0,
        "per_seed": accuracies,
        "temperature": temperature,
        "reasons": dict(reasons),
    }
    return summary, predictions


def passes(temperature: float, seeds: int) -> int:
    """How many passes an evaluation makes: one when greedy, whatever `seeds` says."""
    return seeds if temperature > 0 else 1


def evaluate_models(
    task: Task,
    models: list[tuple[str, Callable[[], Sampler]]],
    items: list[Item],
    max_tokens: int,
    temperature: float = 0.0,
    seeds: int = 1,
    bar: Callable[[str, int], Progress | None] = lambda label, total: None,
    subjects: list[str] | None = None,
) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]], list[dict[str, Any]]]:
    """Each model (name, sampler factory, loaded one at a time) on the same items, with its
    learning controls; every model after the first compared with the first. Returns
    (results, predictions per model, comparisons). The eval stage and `synthrl eval` share it."""
    from synthrl.evaluate.controls import compare, model_controls

    canonical = task.verifier.canonical
    shown_in = example_finder(task)
    results, runs = [], []
    for name, make in models:
        advance = bar(name, len(items) * passes(temperature, seeds))
        summary, predictions = evaluate(
            task, make(), items, max_tokens, temperature, seeds, advance
        )
        summary["model"] = name
        summary.update(model_controls(predictions, canonical).fields())
        top = summary["top_answer"]
        summary["top_answer_shown_in"] = None if top is None else shown_in(top)
        results.append(summary)
        runs.append(predictions)
    names = [name for name, _ in models]
    comparisons = [
        compare(runs[0], later, canonical, (names[0], name), subject=subject).as_dict()
        for name, later, subject in zip(names[1:], runs[1:], (subjects or names)[1:], strict=True)
    ]
    return results, runs, comparisons


def eval_stage(ctx: StageContext) -> dict[str, Any]:
    """Base vs trained student on the held-out set, with the learning controls."""
    from pathlib import Path

    from synthrl.evaluate.sets import load_items, part_of
    from synthrl.io import write_json, write_jsonl
    from synthrl.student.sampler import make_sampler

    services = ctx.services
    assert services is not None
    settings, student = ctx.config.eval, ctx.config.student
    data = Path(settings.data) if settings.data else None
    items = load_items(ctx.task.name, data, settings.limit)
    models = [
        (f"base: {student.model}", services.student),
        ("trained: model/ (this run)", lambda: make_sampler(student, model=str(ctx.path("model")))),
    ]
    results, runs, comparisons = evaluate_models(
        ctx.task, models, items, student.max_tokens, settings.temperature, settings.seeds,
        lambda name, total: ctx.bar(f"eval {name.split(':')[0]}", total),
        subjects=["the base model", "the trained model"],
    )  # fmt: skip
    for label, predictions in zip(("base", "trained"), runs, strict=True):
        write_jsonl(ctx.path(f"eval.{label}.predictions.jsonl"), predictions)
    name, part = part_of(ctx.task.name, settings.data)
    report = {
        "task": ctx.task.name, "data": settings.data or "built-in", "set": name, "part": part,
        "results": results, "comparison": comparisons,
    }  # fmt: skip
    write_json(ctx.path("eval.json"), report)
    base, after = results[0]["accuracy"], results[1]["accuracy"]
    return {
        "items": len(items), "set": name, "part": part, "base": round(base, 4),
        "trained": round(after, 4), "delta": round(after - base, 4),
        "verdict": comparisons[0]["verdict"],
    }  # fmt: skip
