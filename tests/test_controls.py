"""Learning controls: a gain from format, a constant answer or chance is called what it is."""

import pytest

from synthrl.evaluate.controls import CONSTANT_SHARE, compare, model_controls
from synthrl.stats import paired_interval

YES_NO = ["yes", "no"] * 20  # a balanced set: a constant answer scores 50%


def rows(gold: list[str], said: list[str | None], seed: int = 0) -> list[dict]:
    """Predictions as the runner writes them; None: nothing readable in the response."""
    out = []
    for i, (g, s) in enumerate(zip(gold, said, strict=True)):
        reason = "no_answer" if s is None else "correct" if s == g else "wrong"
        out.append({"seed": seed, "id": f"q{i}", "gold": g, "response": f"... {s}",
                    "extracted": s, "correct": s == g, "reason": reason})  # fmt: skip
    return out


def flip(answer: str) -> str:
    return "no" if answer == "yes" else "yes"


def test_a_model_saying_no_to_everything_is_no_learning():
    base = rows(YES_NO, [g if i % 2 == 0 else flip(g) for i, g in enumerate(YES_NO)])
    trained = rows(YES_NO, ["no"] * len(YES_NO))
    result = compare(base, trained)
    assert result.kind == "constant"
    assert result.verdict.startswith(
        'no learning: the trained model answers "no" to 100% of items (a constant scores 50%)'
    )


def test_a_constant_answer_is_no_learning_even_when_it_beats_an_unreadable_base():
    base = rows(YES_NO, [None] * len(YES_NO))
    trained = rows(YES_NO, ["no"] * len(YES_NO))
    result = compare(base, trained)
    assert result.delta == 0.5 and result.ci_low > 0  # significant, and still nothing learned
    assert result.kind == "constant"


def test_a_model_mostly_right_with_one_dominant_answer_is_not_constant():
    gold = ["no"] * 80 + ["yes"] * 20  # constant baseline 80%
    base = rows(gold, ["no"] * 100)
    trained = rows(gold, [*gold[:-1], "no"])  # 99%: one answer to 81% of items, but right
    control = model_controls(trained)
    assert control.top_answer_share > CONSTANT_SHARE
    assert compare(base, trained).kind == "gain"


def test_a_gain_from_readable_answers_alone_is_format():
    said_base = [g if i % 20 == 0 else flip(g) if i % 20 == 1 else None
                 for i, g in enumerate(YES_NO)]  # fmt: skip
    said_trained = [g if i % 4 < 2 else flip(g) for i, g in enumerate(YES_NO)]  # 50% right
    base, trained = rows(YES_NO, said_base), rows(YES_NO, said_trained)
    a, b = model_controls(base), model_controls(trained)
    assert (a.readable_share, a.readable_accuracy) == (0.1, 0.5)
    assert (b.readable_share, b.readable_accuracy) == (1.0, 0.5)
    result = compare(base, trained)
    assert result.ci_low > 0
    assert result.kind == "format"
    assert "gain is mostly format" in result.verdict
    assert "readable answers 10% -> 100%, accuracy among readable 50% -> 50%" in result.verdict


def test_a_real_gain_has_an_interval_above_zero_and_says_how_far_above_the_baseline():
    gold = [str(n) for n in range(50)]  # all different: a constant scores 2%
    base = rows(gold, [g if i < 10 else str(100 + i) for i, g in enumerate(gold)])
    trained = rows(gold, [g if i < 25 else str(100 + i) for i, g in enumerate(gold)])
    result = compare(base, trained)
    assert result.kind == "gain"
    assert (result.gained, result.lost) == (15, 0)
    assert result.ci_low > 0 and result.ci_low < 0.3 < result.ci_high
    assert result.verdict.startswith("gain: +30 pp (95% CI +")
    assert result.verdict.endswith("48 pp above the constant-answer baseline")


def test_identical_models_have_an_interval_containing_zero():
    said = [g if i % 3 else flip(g) for i, g in enumerate(YES_NO)]
    result = compare(rows(YES_NO, said), rows(YES_NO, said))
    assert result.ci_low < 0 < result.ci_high
    assert result.kind == "none"
    assert result.verdict.startswith("no significant change: +0 pp (95% CI -")


def test_a_clear_drop_is_a_loss_below_the_baseline():
    base = rows(YES_NO, list(YES_NO))
    trained = rows(YES_NO, [g if i % 8 < 2 else flip(g) for i, g in enumerate(YES_NO)])
    result = compare(base, trained)
    assert result.kind == "loss" and result.ci_high < 0
    assert result.verdict.startswith("loss: -75 pp")
    assert result.verdict.endswith("25 pp below the constant-answer baseline")


@pytest.mark.parametrize(("gained", "lost", "both", "neither"), [(10, 2, 20, 18), (6, 16, 59, 80)])
def test_swapping_the_models_mirrors_the_interval(gained, lost, both, neither):
    low, high = paired_interval(gained, lost, both, neither)
    back_low, back_high = paired_interval(lost, gained, both, neither)
    assert low < (gained - lost) / (gained + lost + both + neither) < high
    assert (back_low, back_high) == pytest.approx((-high, -low))


def test_checker_errors_are_counted_apart_from_missing_answers():
    predictions = rows(["1", "2", "3", "4", "5", "6"], ["1", "2", "9", None, None, None])
    predictions[4]["reason"] = "empty_answer"  # a format failure too
    predictions[5]["reason"] = "checker_error"  # the checker failed, not the model
    predictions[2]["reason"] = "checker_error"  # read, but could not be compared
    predictions[2]["correct"] = False
    control = model_controls(predictions)
    assert control.checker_errors == 2
    assert control.no_answer_share == pytest.approx(2 / 6)
    assert control.readable_share == pytest.approx(2 / 6)
    assert control.readable_accuracy == 1.0


def test_answers_are_compared_by_their_canonical_form():
    from synthrl.task import load_task

    canonical = load_task("wiki-people").verifier.canonical
    predictions = rows(["yes", "no", "no", "no"], ["Yes", "yes.", "YES", "no"])
    assert model_controls(predictions).top_answer_share == 0.25  # as strings, all different
    control = model_controls(predictions, canonical)
    assert (control.top_answer, control.top_answer_share) == ("yes", 0.75)
    assert (control.constant_answer, control.constant_baseline) == ("no", 0.75)


def test_only_the_first_sampled_pass_is_paired():
    said = [g if i % 2 else flip(g) for i, g in enumerate(YES_NO)]
    base = rows(YES_NO, said) + rows(YES_NO, list(YES_NO), seed=1)
    result = compare(base, rows(YES_NO, said))
    assert result.items == len(YES_NO) and result.delta == 0.0
