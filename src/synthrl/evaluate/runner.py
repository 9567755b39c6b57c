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
