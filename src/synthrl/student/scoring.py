"""The student against the synthetic samples: one greedy answer each (`solve`), or L sampled
answers each and the pass rate (`score`), graded by the task's verifier against the sample's
label; and, for closed answers, how far its answers follow the label (`label_reading`).
The solve and score stages (synthrl.stages) read and write the files."""

from __future__ import annotations

from collections import Counter
from typing import Any

from synthrl.config import RunConfig
from synthrl.records import Sample
from synthrl.student.sampler import Progress, Sampler
from synthrl.synth.balance import closed_values
from synthrl.synth.vote import tally
from synthrl.task.loader import Task
from synthrl.task.prompt import task_prompt
from synthrl.task.verifier import Verifier


def _grade_all(task: Task, samples: list[Sample], answers: list[list[str]]) -> list[list[bool]]:
    verifier = task.verifier
    return [
        [verifier.grade(text, s.answer, s.input).correct for text in texts]
        for s, texts in zip(samples, answers, strict=True)
    ]


def solve(
    task: Task,
    config: RunConfig,
    samples: list[Sample],
    sampler: Sampler,
    on_done: Progress | None = None,
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The samples with `greedy_solved`, and the counts."""
    prompts = [task_prompt(task, s.input) for s in samples]
    answers = sampler.sample(
        prompts, n=1, temperature=0.0, max_tokens=config.student.max_tokens, on_done=on_done
    )
    solved = [row[0] for row in _grade_all(task, samples, answers)]
    records = []
    for sample, ok in zip(samples, solved, strict=True):
        record = sample.to_dict()
        record["greedy_solved"] = ok
        records.append(record)
    return records, {
        "samples": len(samples),
        "solved": sum(solved),
        "unsolved": len(samples) - sum(solved),
    }


def score(
    task: Task,
    config: RunConfig,
    samples: list[Sample],
    sampler: Sampler,
    on_done: Progress | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The samples with `pass_rate`, `n_samples` and the student's answers, and the counts."""
    settings = config.score
    prompts = [task_prompt(task, s.input) for s in samples]
    before = sampler.sampled
    answers = sampler.sample(
        prompts,
        n=settings.samples,
        temperature=settings.temperature,
        top_p=settings.top_p,
        max_tokens=config.student.max_tokens,
        seed=settings.seed,
        on_done=on_done,
    )
    verifier = task.verifier
    records = []
    buckets: Counter[str] = Counter()
    for sample, texts in zip(samples, answers, strict=True):
        grades = [verifier.grade(text, sample.answer, sample.input) for text in texts]
        groups, _ = tally([g.extracted for g in grades], verifier)
        correct = sum(g.correct for g in grades)
        # An answer the verifier could not grade (a checker error) counts neither way.
        graded = sum(g.reward is not None for g in grades)
        record = sample.to_dict()
        record["pass_rate"] = round(correct / graded, 6) if graded else None
        record["n_samples"] = len(texts)
        record["extra"] = {
            **sample.extra,
            "formatted_rate": round(sum(g.formatted for g in grades) / len(texts), 6),
            "ungraded": len(texts) - graded,
            # What the student answered, grouped as votes are: the audit's cross-check.
            "student_answers": {g.answer: g.count for g in groups},
        }
        records.append(record)
        rate = record["pass_rate"]
        bucket = "never_solved" if rate == 0 else "always_solved" if rate == 1 else "sometimes"
        buckets["ungradable" if rate is None else bucket] += 1
        buckets["ungraded_answers"] += len(texts) - graded
    rates = [r["pass_rate"] for r in records if r["pass_rate"] is not None]
    mean = sum(rates) / len(rates) if rates else 0.0
    # Samples the student answered afresh: what the stage's wall time paid for.
    sampled = sampler.sampled - before
    counts = {"samples": len(records), "sampled": sampled, "mean_pass_rate": round(mean, 4)}
    return records, counts | buckets | label_reading(records, closed_values(verifier), verifier)


def label_reading(
    records: list[dict[str, Any]], values: list[str] | None, verifier: Verifier
) -> dict[str, Any]:
    """For closed answers (labels, yes/no, options): how much the student's answers follow
    the label, before any training. `pass_rate_by_label` is its mean pass rate on the samples
    of each label; `balanced_pass_rate` their mean, which is 1/K (`chance_pass_rate`) for a
    student whose answers do not depend on the input, whatever label it prefers. A student
    near chance gives GRPO a preference to move, and no reading to sharpen."""
    if not values:
        return {}
    by_label: dict[str, list[float]] = {value: [] for value in values}
    for record in records:
        if record["pass_rate"] is None:
            continue
        label = next((v for v in values if verifier.equal(v, record["answer"])), None)
        if label is not None:
            by_label[label].append(record["pass_rate"])
    means = {label: sum(rates) / len(rates) for label, rates in by_label.items() if rates}
    if len(means) < 2:
        return {}
    return {
        "pass_rate_by_label": {label: round(mean, 4) for label, mean in means.items()},
        "balanced_pass_rate": round(sum(means.values()) / len(means), 4),
        "chance_pass_rate": round(1 / len(values), 4),
    }
