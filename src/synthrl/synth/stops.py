"""Stop a run whose teacher-written data came out empty or poisoned, before anything trains on it.

Both checks run after their stage has written its outputs and rejects, so the files explain
the stop, and both raise `StageStop` (a UserError: exit 2) with what was found and what to
change. The manifest keeps the stage's counts beside its failure.

- Yield: generate, verify and dedup each keep a share of what they were given. A share of
  zero stops the run; so does one below `synth.min_yield` once at least `MIN_REQUESTED`
  samples were asked for (a handful of samples says little about a teacher).
- Label dominance: a weak teacher's votes can pile onto one answer (often one shown in the
  task's own output format). Over the final labelled set, the dominance is how far the top
  label's share is above an even share of the k possible labels, scaled to 0..1:
  `(top_share - 1/k) / (1 - 1/k)`. k is the number of possible answers for closed answer
  types (boolean, choice, label), else the number of distinct labels. The counts always
  carry it; with at least `MIN_LABELLED` labels (fewer say little), a warning is printed when
  it passes `synth.max_label_dominance` or when the top label is a value the task's own texts
  show at twice an even share or more, and the run stops when it passes the limit.

>>> round(LabelSpread("-2", top_count=20, total=28, possible=9, shown_in=None).dominance, 4)
0.6786
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from synthrl.errors import UserError
from synthrl.stage import StageContext
from synthrl.task.loader import Task

MIN_REQUESTED = 10
MIN_LABELLED = 10

# What to change when a reject reason dominates a stage (besides a stronger teacher).
_ADVICE = {
    "truncated": "more teacher.max_tokens",
    "not_json": "teacher.json_mode: true",
    "missing_fields": "teacher.json_mode: true",
    "answer_unreadable": "an answer type that matches the answers the teacher writes",
    "states_answer": "demos whose inputs do not show their answers",
    "breaks_input_format": "input_rules that agree with the task's input_format and demos",
    "copies_task": "demos or a corpus (--corpus) that give the teacher material",
    "copies_demo": "more varied demos or a lower synth.demos_in_prompt",
    "duplicate_input": "demos or a corpus (--corpus) for variety",
    "tie": "more votes (synth.votes)",
    "low_agreement": "more votes (synth.votes) or a lower synth.min_agreement",
    "no_readable_votes": "an output_format that says where the answer goes",
    "duplicate": "demos or a corpus (--corpus) for variety, or a higher synth.dedup_threshold",
    "contaminated": "another corpus, or other evaluation sets in synth.decontaminate",
}


class StageStop(UserError):
    """A stage whose files are written but whose result must not go on; keeps its counts."""

    def __init__(self, message: str, counts: dict[str, Any]) -> None:
        super().__init__(message)
        self.counts = counts


def check_yield(
    ctx: StageContext,
    stage: str,
    kept: int,
    requested: int,
    rejects: dict[str, int],
    counts: dict[str, Any],
) -> None:
    """Raise StageStop when `stage` kept nothing, or too little of enough requested samples."""
    floor = ctx.config.synth.min_yield
    share = kept / requested if requested else 0.0
    if kept > 0 and (requested < MIN_REQUESTED or share >= floor):
        return
    top = Counter(rejects).most_common(3)
    found = ", ".join(f"{reason} {count}" for reason, count in top) or "none"
    advice = [*dict.fromkeys(_ADVICE[r] for r, _ in top if r in _ADVICE), "a stronger teacher"]
    limit = "" if kept == 0 else f", below synth.min_yield {floor}"
    raise StageStop(
        f"{stage} kept {kept} of {requested} samples (yield {share:.2f}{limit}); most common "
        f"reject reasons: {found} (every reject with its reason: "
        f"{ctx.path(f'{stage}.rejects.jsonl')}). To change: {'; '.join(advice[:-1])}"
        f"{'; or ' if len(advice) > 1 else ''}{advice[-1]}.",
        counts,
    )


@dataclass(frozen=True)
class LabelSpread:
    """How the labels of a set are spread: the top label, its count, and k."""

    top_label: str
    top_count: int
    total: int
    possible: int
    shown_in: str | None  # the task text that shows the top label, when it is over-represented

    @property
    def top_share(self) -> float:
        return self.top_count / self.total

    @property
    def dominance(self) -> float:
        """0 for an even spread (or better), 1 for a single label."""
        if self.possible <= 1:
            return 1.0
        even = 1 / self.possible
        return max(0.0, (self.top_share - even) / (1 - even))


def _possible_answers(task: Task) -> int | None:
    answer = task.spec.answer
    if answer.type == "boolean":
        return 2
    if answer.type == "choice":
        return len(answer.options or [])
    if answer.type == "label":
        return len(answer.label_map)
    return None


def _shown_values(task: Task) -> dict[str, list[str]]:
    """Answers the task's own texts show: what its output format and demo outputs read as,
    and (for open answer types) every number its output format writes."""
    verifier = task.verifier
    output_format = task.output_format
    shown = {"output_format": [verifier.extract(output_format)]}
    if _possible_answers(task) is None:
        shown["output_format"] += re.findall(r"-?\d+(?:\.\d+)?", output_format)
    for i, demo in enumerate(task.spec.demos or [], start=1):
        shown[f"demo {i}"] = [verifier.extract(demo.output), demo.answer]
    return {name: [v for v in values if v] for name, values in shown.items()}


def label_spread(labels: list[str], task: Task) -> LabelSpread | None:
    """The spread of `labels` (grouped by the verifier's vote key); None when there are none."""
    if not labels:
        return None
    verifier = task.verifier
    groups: Counter[str] = Counter()
    first: dict[str, str] = {}
    for label in labels:
        key = verifier.canonical(label) or label
        groups[key] += 1
        first.setdefault(key, label)
    key, count = groups.most_common(1)[0]
    possible = _possible_answers(task) or len(groups)
    top = first[key]
    shown_in = None
    if count / len(labels) >= min(1.0, 2 / possible):
        shown_in = next(
            (
                name
                for name, values in _shown_values(task).items()
                if any(verifier.equal(v, top) for v in values)
            ),
            None,
        )
    return LabelSpread(top, count, len(labels), possible, shown_in)


def check_labels(ctx: StageContext, stage: str, labels: list[str], counts: dict[str, Any]) -> None:
    """Add the label spread to `counts`; with enough labels, warn when it is uneven or echoes
    the task's texts, and raise StageStop past `synth.max_label_dominance`."""
    spread = label_spread(labels, ctx.task)
    if spread is None:
        return
    limit = ctx.config.synth.max_label_dominance
    counts.update(
        top_label=spread.top_label,
        top_label_share=round(spread.top_share, 4),
        label_classes=spread.possible,
        label_dominance=round(spread.dominance, 4),
    )
    if spread.shown_in is not None:
        counts["top_label_shown_in"] = spread.shown_in
    over = spread.dominance > limit
    if spread.total < MIN_LABELLED or (not over and spread.shown_in is None):
        return
    if spread.possible > 1:
        even = f"an even share of {spread.possible} labels would be {1 / spread.possible:.2f}"
    else:
        even = "no other label"
    found = (
        f"{spread.top_count} of {spread.total} labels are '{spread.top_label}' (share "
        f"{spread.top_share:.2f}, {even}; label dominance {spread.dominance:.2f}, limit "
        f"synth.max_label_dominance {limit})"
    )
    advice = ["more votes (synth.votes)", "a stronger teacher"]
    if spread.shown_in is not None:
        found += f"; '{spread.top_label}' is shown in the task's {spread.shown_in}"
        where = "output_format" if spread.shown_in == "output_format" else "demos"
        advice.insert(0, f"remove the example value from {where}")
    ctx.warn(f"{stage}: {found}")
    if over:
        raise StageStop(
            f"{stage}: {found}. The teacher's votes look poisoned; the samples and rejects "
            f"are in {ctx.out}. To change: {'; '.join(advice)}; or raise "
            "synth.max_label_dominance if the labels really are this uneven.",
            counts,
        )
