"""Learning controls: is an accuracy gain real, or format, a constant answer, or noise?

    canonical = task.verifier.canonical
    base = model_controls(base_predictions, canonical)        # per model
    result = compare(base_predictions, trained_predictions, canonical)
    result.verdict  # 'gain: +24 pp (95% CI +15 to +33), 19 pp above the constant-answer baseline'

Per model, from its predictions (`id`, `gold`, `extracted`, `correct`, `reason`): accuracy; the
share of items with no readable answer (the verifier extracted nothing: a format failure;
a checker error is counted apart, and an unreadable gold is neither); accuracy among readable
answers; the most common answer and its share; and the constant-answer baseline, what always
giving the most common gold answer would score. Answers are compared by the task's canonical
form when one is given, else as stripped strings.

For a pair (reference A, model B) on the items both answered: B - A in accuracy with a 95%
interval, Newcombe's square-and-add score interval for paired proportions (method 10 of
Newcombe 1998, Stat Med 17:2635, with his correction of the correlation term, as in Fagerland,
Lydersen and Laake 2017), and how many items B gained and lost. Then one verdict, checked in
this order:

- `constant`: B gives one answer to more than CONSTANT_SHARE of items and its accuracy is not
  clearly above the constant-answer baseline (the lower end of its Wilson interval is not);
- `format`: the gain is significant, but accuracy among readable answers rose by less than
  FORMAT_MIN_GAIN and more of the gain comes from answering readably than from answering better;
- `gain`: the interval lies above 0; `loss`: it lies below 0; `none`: it contains 0.

What it deliberately does not do: read files, grade again (it trusts `correct`, `extracted` and
`reason`), or pool sampled passes: with several seeds it reads the first pass (`seed` 0).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from synthrl.stats import paired_interval, wilson

Prediction = dict[str, Any]
Canonical = Callable[[str], str | None]
Kind = Literal["gain", "format", "constant", "none", "loss"]

# B "answers one thing" when its most common answer covers more than this share of items.
CONSTANT_SHARE = 0.7
# A gain whose accuracy among readable answers rose by less than this is suspect of format.
FORMAT_MIN_GAIN = 0.10
CHECKER_ERROR = "checker_error"  # the checker raised or timed out (math-verify); see verifier.py
GOLD_UNPARSABLE = "gold_unparsable"  # the gold answer cannot be read: no fault of the model


@dataclass(frozen=True)
class Controls:
    """The controls of one model's predictions (first pass)."""

    items: int
    accuracy: float
    no_answer_share: float  # nothing readable: format failures
    checker_errors: int  # counted apart: the checker failed, not the model
    readable_share: float  # an answer was read and could be graded
    readable_accuracy: float | None  # None when nothing was readable
    top_answer: str | None  # the most common answer, canonical form
    top_answer_share: float  # of all items
    constant_answer: str | None  # the most common gold answer
    constant_baseline: float  # the accuracy of always giving it

    def fields(self) -> dict[str, Any]:
        """The keys added to an evaluation result (accuracy and items are already there)."""
        return {
            key: round(value, 4) if isinstance(value, float) else value
            for key, value in asdict(self).items()
            if key not in ("items", "accuracy")
        }


@dataclass(frozen=True)
class Comparison:
    """Model B against reference A on the items both answered."""

    reference: str
    model: str
    items: int
    delta: float  # accuracy of B minus accuracy of A
    ci_low: float
    ci_high: float
    gained: int  # wrong in A, right in B
    lost: int  # right in A, wrong in B
    kind: Kind
    verdict: str

    def as_dict(self) -> dict[str, Any]:
        """For eval.json's `comparison` list."""
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}


def first_pass(predictions: list[Prediction]) -> list[Prediction]:
    """The predictions of seed 0 (all of them when there is no `seed` field)."""
    return [p for p in predictions if p.get("seed", 0) == 0]


def _key(answer: str, canonical: Canonical | None, memo: dict[str, str]) -> str:
    if answer not in memo:
        key = canonical(answer) if canonical is not None else None
        memo[answer] = key if key is not None else answer.strip()
    return memo[answer]


def model_controls(predictions: list[Prediction], canonical: Canonical | None = None) -> Controls:
    """The controls of one model, from its first pass.

    >>> rows = [{"id": str(i), "gold": "yes" if i % 2 else "no", "extracted": "no",
    ...          "correct": i % 2 == 0, "reason": "correct" if i % 2 == 0 else "wrong"}
    ...         for i in range(10)]
    >>> c = model_controls(rows)
    >>> c.accuracy, c.top_answer, c.top_answer_share, c.constant_baseline
    (0.5, 'no', 1.0, 0.5)
    """
    rows = first_pass(predictions)
    n = len(rows)
    if n == 0:
        return Controls(0, 0.0, 0.0, 0, 0.0, None, None, 0.0, None, 0.0)
    memo: dict[str, str] = {}
    checker = sum(p["reason"] == CHECKER_ERROR for p in rows)
    unreadable = sum(
        p["extracted"] is None and p["reason"] not in (CHECKER_ERROR, GOLD_UNPARSABLE) for p in rows
    )
    readable = [p for p in rows if p["extracted"] is not None and p["reason"] != CHECKER_ERROR]
    answers = Counter(
        _key(p["extracted"], canonical, memo) for p in rows if p["extracted"] is not None
    )
    golds = Counter(_key(str(p["gold"]), canonical, memo) for p in rows)
    top, top_count = answers.most_common(1)[0] if answers else (None, 0)
    gold, gold_count = golds.most_common(1)[0]
    return Controls(
        items=n,
        accuracy=sum(bool(p["correct"]) for p in rows) / n,
        no_answer_share=unreadable / n,
        checker_errors=checker,
        readable_share=len(readable) / n,
        readable_accuracy=(
            sum(bool(p["correct"]) for p in readable) / len(readable) if readable else None
        ),
        top_answer=top,
        top_answer_share=top_count / n,
        constant_answer=gold,
        constant_baseline=gold_count / n,
    )


def _pp(share: float) -> str:
    return f"{round(100 * share):+d}"


def _pct(share: float | None) -> str:
    return "n/a" if share is None else f"{round(100 * share)}%"


def _against_baseline(b: Controls) -> str:
    gap = round(100 * (b.accuracy - b.constant_baseline))
    if gap == 0:
        return "level with the constant-answer baseline"
    return f"{abs(gap)} pp {'above' if gap > 0 else 'below'} the constant-answer baseline"


def _verdict(
    a: Controls, b: Controls, delta: float, low: float, high: float, subject: str
) -> tuple[Kind, str]:
    change = f"{_pp(delta)} pp (95% CI {_pp(low)} to {_pp(high)})"
    clearly_above = wilson(round(b.accuracy * b.items), b.items)[0] > b.constant_baseline
    if b.top_answer_share > CONSTANT_SHARE and not clearly_above:
        return "constant", (
            f'no learning: {subject} answers "{b.top_answer}" to {_pct(b.top_answer_share)} of '
            f"items (a constant scores {_pct(b.constant_baseline)}); change {change}"
        )
    below = b.accuracy < b.constant_baseline
    if low > 0:
        # accuracy = readable share x accuracy among readable; split the gain between the two.
        # With nothing readable before, "accuracy among readable" is taken as the constant
        # baseline: what answering without knowing anything reaches.
        before = a.readable_accuracy if a.readable_accuracy is not None else a.constant_baseline
        after = b.readable_accuracy or 0.0
        from_format = (b.readable_share - a.readable_share) * before
        from_knowledge = b.readable_share * (after - before)
        if after - before < FORMAT_MIN_GAIN and from_format >= from_knowledge:
            return "format", (
                f"gain is mostly format: {change}; readable answers {_pct(a.readable_share)} -> "
                f"{_pct(b.readable_share)}, accuracy among readable {_pct(a.readable_accuracy)} "
                f"-> {_pct(b.readable_accuracy)}"
            )
        return "gain", f"gain: {change}, {_against_baseline(b)}"
    note = f", {_against_baseline(b)}" if below else ""
    if high < 0:
        return "loss", f"loss: {change}{note}"
    return "none", f"no significant change: {change}{note}"


def compare(
    reference: list[Prediction],
    model: list[Prediction],
    canonical: Canonical | None = None,
    names: tuple[str, str] = ("base", "trained"),
    subject: str = "the trained model",
) -> Comparison:
    """Model against reference on the items both answered (first pass), with the verdict.

    `names` label the two in the result; `subject` names the model in the verdict's sentence.

    >>> gold = ["yes", "no"] * 10
    >>> rows = lambda said: [{"id": str(i), "gold": g, "extracted": s, "correct": s == g,
    ...                       "reason": "correct" if s == g else "wrong"}
    ...                      for i, (g, s) in enumerate(zip(gold, said))]
    >>> result = compare(rows(["yes"] * 20), rows(["no"] * 20))
    >>> result.kind, result.delta, result.gained, result.lost
    ('constant', 0.0, 10, 10)
    >>> result.verdict[:60]
    'no learning: the trained model answers "no" to 100% of items'
    """
    a_rows = {p["id"]: p for p in first_pass(reference)}
    b_rows = {p["id"]: p for p in first_pass(model)}
    shared = [i for i in a_rows if i in b_rows]
    a = model_controls(reference, canonical)
    b = model_controls(model, canonical)
    pairs = Counter((bool(a_rows[i]["correct"]), bool(b_rows[i]["correct"])) for i in shared)
    gained, lost = pairs[(False, True)], pairs[(True, False)]
    if not shared:
        return Comparison(*names, 0, 0.0, 0.0, 0.0, 0, 0, "none", "no items in common to compare")
    delta = (gained - lost) / len(shared)
    low, high = paired_interval(gained, lost, pairs[(True, True)], pairs[(False, False)])
    kind, verdict = _verdict(a, b, delta, low, high, subject)
    return Comparison(*names, len(shared), delta, low, high, gained, lost, kind, verdict)
