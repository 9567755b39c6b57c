"""Stop a run whose teacher-written data came out empty or poisoned, before anything trains on it.

Both checks run after their stage has written its outputs and rejects, so the files explain
the stop, and both raise `StageStop` (a UserError: exit 2) with what was found and what to
change. The manifest keeps the stage's counts beside its failure.

- Yield: generate, verify and dedup each keep a share of what they were given. A share of
  zero stops the run; so does one below `synth.min_yield` once at least `MIN_REQUESTED`
  samples were asked for (a handful of samples says little about a teacher).
- Labels: a weak teacher's votes can pile onto one answer, often one the task's own texts
  show as an example. Over the final labelled set (at any size), the top label is tested
  against what honest labels would give: its count's binomial tail probability under a
  baseline share, 1/k for closed answer types (boolean, choice, label: k possible answers),
  for open types the share of the runner-up label or `OPEN_BASELINE`, whichever is larger.
  A top label that a task text shows as an example the votes could read (an example value
  in the description or output format, with `synth.mask_examples` off) warns below `WARN_P`
  and stops below `STOP_P`: eight of eight labels equal to the example stop, and so do 14
  of 37 when the runner-up has 3 (probability 0.009 at a baseline of 0.2). Any other top
  label (one read masked included) warns when that unlikely or dominant and stops when both,
  its dominance (how far its share is above an even share, scaled to 0..1: `(top_share -
  1/k) / (1 - 1/k)`, k the distinct labels for open types) passing
  `synth.max_label_dominance` (1 turns every label stop off): eight of eight labels equal to
  anything stop.
  For closed types the counts also hold `label_counts`, every allowed answer with its count
  (zeros shown), so the balance is visible where the stop is.

>>> spread = LabelSpread("-2", top_count=8, total=8, possible=None, runner_up=0, shown_in="x")
>>> round(spread.baseline, 2), spread.p_value < STOP_P
(0.2, True)
>>> round(LabelSpread("42", 14, 37, None, 3, "output_format").p_value, 3)
0.009
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from synthrl.errors import UserError
from synthrl.stage import StageContext
from synthrl.synth.balance import closed_values, distribution
from synthrl.task.examples import shown_values
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
    "duplicate_input": "demos or a corpus (--corpus) for variety, or a smaller synth.n where "
    "the task allows few different inputs",
    "tie": "more votes (synth.votes), or more for labels in doubt (synth.extra_votes)",
    "generator_disagrees": "more votes for labels in doubt (synth.extra_votes), or "
    "synth.generator_answer: vote (the generator's own answer counts as one more vote instead "
    "of a veto)",
    "echoes_example": "another example value in the task's output format",
    "low_agreement": "more votes (synth.votes, or synth.extra_votes for labels in doubt) or a "
    "lower synth.min_agreement",
    "no_readable_votes": "an output_format that says where the answer goes",
    "duplicate": "demos or a corpus (--corpus) for variety, or a higher synth.dedup_threshold",
    "contaminated": "another corpus, or other evaluation sets in synth.decontaminate",
}


class StageStop(UserError):
    """A stage whose files are written but whose result must not go on; keeps its counts."""

    def __init__(self, message: str, counts: dict[str, Any]) -> None:
        super().__init__(message)
        self.counts = counts


def stronger_teacher(ctx: StageContext) -> str:
    """The advice to use a stronger teacher, naming the offline one when the run used the
    embedded 0.5B (the name `--teacher local` serves)."""
    if ctx.config.teacher.model == "qwen2.5-coder-0.5b-instruct":
        return "a stronger teacher (offline: --teacher local-1.5b)"
    return "a stronger teacher"


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
    advice = [*dict.fromkeys(_ADVICE[r] for r, _ in top if r in _ADVICE), stronger_teacher(ctx)]
    limit = "" if kept == 0 else f", below synth.min_yield {floor}"
    raise StageStop(
        f"{stage} kept {kept} of {requested} samples (yield {share:.2f}{limit}); most common "
        f"reject reasons: {found} (every reject with its reason: "
        f"{ctx.path(f'{stage}.rejects.jsonl')}). To change: {'; '.join(advice[:-1])}"
        f"{'; or ' if len(advice) > 1 else ''}{advice[-1]}.",
        counts,
    )


# An honest label of an open answer type (a number, a short text) is rarely this common.
OPEN_BASELINE = 0.2
# Tail probabilities under which a top label warns, and stops the run.
WARN_P = 0.05
STOP_P = 0.01


def binomial_tail(count: int, total: int, share: float) -> float:
    """P(X >= count) for X ~ Binomial(total, share), in log space so large totals are fine.

    >>> round(binomial_tail(8, 8, 0.5), 4)
    0.0039
    """
    if count <= 0:
        return 1.0
    if share <= 0:
        return 0.0
    if share >= 1:
        return 1.0
    log_share, log_rest = math.log(share), math.log1p(-share)
    terms = [
        math.lgamma(total + 1) - math.lgamma(k + 1) - math.lgamma(total - k + 1)
        + k * log_share + (total - k) * log_rest
        for k in range(count, total + 1)
    ]  # fmt: skip
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


@dataclass(frozen=True)
class LabelSpread:
    """How the labels of a set are spread: the top label, its count, the runner-up's count,
    k for closed answer types (None for open ones), and the task text that shows the top
    label, if any."""

    top_label: str
    top_count: int
    total: int
    possible: int | None
    runner_up: int
    shown_in: str | None
    distinct: int = 1

    @property
    def top_share(self) -> float:
        return self.top_count / self.total

    @property
    def classes(self) -> int:
        """k: the possible answers of a closed type, else the distinct labels seen."""
        return self.possible if self.possible is not None else max(self.distinct, 1)

    @property
    def baseline(self) -> float:
        """The top label's share if labels were honest: an even share of a closed type's k
        answers; for open types the runner-up's share or OPEN_BASELINE, whichever is larger."""
        if self.possible is not None:
            return 1 / max(self.possible, 1)
        return max(OPEN_BASELINE, self.runner_up / self.total)

    @property
    def p_value(self) -> float:
        """How likely this many top labels (or more) would be at the baseline share."""
        return binomial_tail(self.top_count, self.total, self.baseline)

    @property
    def dominance(self) -> float:
        """0 for an even spread (or better), 1 for a single label."""
        if self.classes <= 1:
            return 1.0
        even = 1 / self.classes
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
    ranked = groups.most_common(2)
    key, count = ranked[0]
    top = first[key]
    shown_in = next(
        (
            where
            for where, values in shown_values(task).items()
            if any(verifier.equal(v, top) for v in values)
        ),
        None,
    )
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    return LabelSpread(
        top, count, len(labels), _possible_answers(task), runner_up, shown_in, len(groups)
    )


def check_labels(ctx: StageContext, stage: str, labels: list[str], counts: dict[str, Any]) -> None:
    """Add the label spread to `counts`; warn when the top label is unlikely for honest labels
    (sooner when a task text shows it), and raise StageStop when it is very unlikely and
    either shown or dominant (see the module's docstring)."""
    spread = label_spread(labels, ctx.task)
    if spread is None:
        return
    limit = ctx.config.synth.max_label_dominance
    p_value = spread.p_value
    counts.update(
        top_label=spread.top_label,
        top_label_share=round(spread.top_share, 4),
        label_classes=spread.classes,
        label_dominance=round(spread.dominance, 4),
        top_label_p=float(f"{p_value:.3g}"),
    )
    values = closed_values(ctx.task.verifier)
    if values is not None:
        counts["label_counts"] = distribution(labels, values)
        spread_words = ", ".join(f"{v} {n}" for v, n in counts["label_counts"].items())
        ctx.say(f"{stage}: labels by answer: {spread_words}")
    if spread.shown_in is not None:
        counts["top_label_shown_in"] = spread.shown_in
    shown = spread.shown_in is not None
    # An example the votes could read is a value they could copy: judged more strictly. Read
    # masked, it is one more label; a lean toward it is the teacher's own.
    visible = (
        shown
        and not spread.shown_in.startswith("demo")  # type: ignore[union-attr]
        and not ctx.config.synth.mask_examples
    )  # demos are shown to the generator only, never to the votes
    dominant = spread.dominance > limit
    if visible:
        warn, stop = p_value < WARN_P, p_value < STOP_P
    else:
        warn, stop = dominant or p_value < STOP_P, dominant and p_value < STOP_P
    stop = stop and limit < 1
    counts["label_check"] = "stop" if stop else "warn" if warn else "ok"
    if not warn:
        return
    found = _describe(spread, p_value, limit)
    advice = ["more votes (synth.votes)", stronger_teacher(ctx)]
    if values is not None and not ctx.config.synth.balance_labels:
        advice.insert(0, "synth.balance_labels: true (each request names its answer)")
    if shown:
        found += (
            f"; '{spread.top_label}' is the answer the task's {spread.shown_in} shows as an "
            f"example, {_what_was_done(ctx)}"
        )
        if not ctx.config.synth.mask_examples:
            advice.insert(0, "synth.mask_examples: true")
        advice.append(f"another example value in the task's {spread.shown_in}")
    ctx.warn(f"{stage}: {found}")
    if stop:
        kind = "look poisoned" if visible else "are dominated by one answer"
        raise StageStop(
            f"{stage}: {found}. The teacher's labels {kind}; the samples and rejects are in "
            f"{ctx.out}. To change: {'; '.join(advice)}; or synth.max_label_dominance 1 if the "
            "labels really are this uneven.",
            counts,
        )


def _describe(spread: LabelSpread, p_value: float, limit: float) -> str:
    if spread.possible is not None:
        baseline = f"an even share of {spread.possible} labels, {spread.baseline:.2f}"
    elif spread.runner_up / spread.total > OPEN_BASELINE:
        baseline = f"the next most common label's share, {spread.baseline:.2f}"
    else:
        baseline = f"{spread.baseline:.2f}, more than one value of an open answer usually gets"
    return (
        f"{spread.top_count} of {spread.total} labels are '{spread.top_label}' (share "
        f"{spread.top_share:.2f}; at a share of {baseline}, {spread.top_count} or more of "
        f"{spread.total} would have probability {p_value:.2g}; label dominance "
        f"{spread.dominance:.2f}, limit synth.max_label_dominance {limit})"
    )


def _what_was_done(ctx: StageContext) -> str:
    if not ctx.config.synth.mask_examples:
        return "and the votes saw it (synth.mask_examples is off)"
    return (
        "but the votes read it masked and the generator's own answers had to agree, so the "
        "lean toward it is the teacher's own"
    )
