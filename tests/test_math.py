"""Math answers: LaTeX equivalence through math-verify, bounded in time on any thread."""

import threading

import pytest

MATH = [
    ("So $x = \\frac{1}{2}$, hence \\boxed{\\frac{1}{2}}.", "\\frac{1}{2}", True),
    ("\\boxed{0.5}", "\\frac{1}{2}", True),
    ("\\boxed{\\dfrac12}", "\\frac{1}{2}", True),
    ("\\boxed{\\frac{\\sqrt{2}}{2}}", "\\frac{\\sqrt2}{2}", True),
    ("\\boxed{\\sqrt{2}/2}", "\\frac{\\sqrt{2}}{2}", True),
    ("\\boxed{x^2+2x+1}", "(x+1)^2", True),
    ("\\boxed{3\\pi}", "3\\pi", True),
    ("\\boxed{(0,1]}", "(0,1]", True),
    ("\\boxed{\\{1,2\\}}", "\\{2,1\\}", True),
    ("The area is \\boxed{12}.", "12", True),
    ("\\boxed{13}", "12", False),
    ("\\boxed{\\frac{1}{3}}", "\\frac{1}{2}", False),
    ("We compute ... the final answer is $\\frac{3}{4}$.", "0.75", True),
    ("\\boxed{2\\sqrt{3}}", "\\sqrt{12}", True),
    ("\\boxed{-\\frac{7}{2}}", "-3.5", True),
    ("First \\boxed{4}, then the answer is \\boxed{4}", "4", True),
]


@pytest.mark.parametrize(("response", "gold", "correct"), MATH)
def test_math_table(verifier_for, response, gold, correct):
    assert verifier_for("math").grade(response, gold).correct is correct


def test_math_vote_key_merges_equal_forms(verifier_for):
    v = verifier_for("math")
    assert v.canonical("\\frac{1}{2}") == v.canonical("0.5") == v.canonical("\\dfrac12")


@pytest.mark.parametrize(
    ("response", "reason"),
    [("\\boxed{1} or \\boxed{2}", "wrong"), ("\\boxed{}", "empty_answer")],
)
def test_math_gaming_gets_no_credit(verifier_for, response, reason):
    assert verifier_for("math").grade(response, "1").reason == reason


@pytest.mark.slow
def test_math_reward_works_off_the_main_thread(verifier_for):
    v = verifier_for("math")
    results = []
    worker = threading.Thread(
        target=lambda: results.extend(
            [v.reward("\\boxed{\\frac{1}{2}}", "0.5"), v.reward("\\boxed{3}", "0.5")]
        )
    )
    worker.start()
    worker.join(timeout=120)
    assert results == [1.0, 0.0]
