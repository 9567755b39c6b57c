"""Zero-shot accuracy of a model on evaluation items, graded by the task's verifier.

Greedy decoding gives one accuracy. With a temperature above 0 and several seeds, each seed is
one pass and the result is the mean and standard deviation over seeds. Every prediction is
kept: the response, what was read from it, and why it was wrong or could not be graded.
"""

from __future__ import annotations

import statistics
from collections import Counter
from typing import Any

from synthrl.evaluate.benchmarks import Item
from synthrl.student.sampler import Progress, Sampler
from synthrl.task.loader import Task
from synthrl.task.prompt import task_prompt


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
    passes = seeds if temperature > 0 else 1
    accuracies = []
    predictions = []
    reasons: Counter[str] = Counter()
    for seed in range(passes):
        answers = sampler.sample(
            prompts, n=1, temperature=temperature, max_tokens=max_tokens, seed=seed,
            on_done=on_done,
        )  # fmt: skip
        correct = 0
        for item, texts in zip(items, answers, strict=True):
            grade = task.verifier.grade(texts[0], item.answer)
            correct += grade.correct
            reasons[grade.reason] += 1
            predictions.append(
                {
                    "seed": seed,
                    "id": item.id,
                    "gold": item.answer,
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
