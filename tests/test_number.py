"""Number answers (GSM8K-style): table of real-looking responses -> expected verdict."""

import pytest

from synthrl.task import parse_task

GOLD_72 = [
    # (response, gold, correct)
    ("48 / 2 = 24 clips in May. 48 + 24 = 72 clips.\n#### 72", "72", True),
    ("#### 72", "72", True),
    ("####72", "72", True),
    ("#### 72.", "72", True),
    ("#### 72.00", "72", True),
    ("#### $72", "72", True),
    ("#### 72 clips", "72", True),
    ("So the total cost is $1,234.00.\n#### $1,234.00", "1234", True),
    ("#### 1,234", "1234", True),
    ("#### 1234", "1,234", True),
    ("#### \\frac{1}{2}", "0.5", True),
    ("#### 1/2", "0.5", True),
    ("#### 0.5", "1/2", True),
    ("#### 25%", "25", True),
    ("#### -7", "-7", True),
    ("#### −7", "-7", True),
    ("#### 7", "-7", False),
    ("#### 3.5", "3.50", True),
    ("#### \\$18", "18", True),
    ("#### **18**", "18", True),
    ("#### 0.3333333", "1/3", True),
    ("#### 0.33", "1/3", False),
    # chains of thought that mention other numbers before the final answer
    (
        "Janet's ducks lay 16 eggs. She eats 3 and bakes with 4, so 16 - 3 - 4 = 9 eggs "
        "remain. She sells them at $2 each: 9 * 2 = $18.\n#### 18",
        "18",
        True,
    ),
    (
        "First, 5 * 12 = 60 minutes. Then 60 / 4 = 15. The answer is 15.",
        "15",
        True,
    ),
    ("Step 1: 20 + 30 = 50\nStep 2: 50 * 2 = 100\nFinal answer: 100", "100", True),
    ("6 + 5 = 11", "11", True),
    ("#### 6 + 5 = 11", "11", True),
    ("The answer is 12, not 10.", "12", True),
    # wrong answers
    ("#### 70", "72", False),
    ("We get 72 halfway, but the final total is 80.\n#### 80", "72", False),
]


@pytest.mark.parametrize(("response", "gold", "correct"), GOLD_72)
def test_number_table(verifier_for, response, gold, correct):
    assert verifier_for("gsm8k").grade(response, gold).correct is correct


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        ("#### 5\nWait, actually\n#### 6", "wrong"),  # the last marker counts
        ("#### 5 or 6", "conflicting_answers"),
        ("#### ", "empty_answer"),
        ("I am not sure.", "no_answer"),
        ("#### many", "invalid_answer"),
    ],
)
def test_number_gaming_gets_no_credit(verifier_for, response, reason):
    grade = verifier_for("gsm8k").grade(response, "5")
    assert (grade.reason, grade.reward) == (reason, 0.0)


def test_a_response_that_corrects_itself_is_graded_on_its_last_marker(verifier_for):
    response = (
        "Earlier I had\n#### 12\nbut that added the tax twice. Correcting the error, the "
        "final answer is\n#### 14"
    )
    assert verifier_for("gsm8k").grade(response, "14").correct
    assert not verifier_for("gsm8k").grade(response, "12").correct


@pytest.mark.parametrize("number", ["1e-999999", "1e999999999", "9" * 5000, "1e-99999"])
def test_huge_numbers_are_unreadable_at_once(verifier_for, number):
    grade = verifier_for("gsm8k").grade(f"#### {number}", "5")
    assert grade.reason == "invalid_answer" and grade.reward == 0.0
    assert verifier_for("gsm8k").canonical(number) is None


def test_agreeing_repeated_markers_are_one_answer(verifier_for):
    assert verifier_for("gsm8k").extract("#### 72\n...\n#### 72.0") == "72"


@pytest.mark.parametrize(
    ("answer", "key"),
    [("$1,234.00", "1234"), ("3/4", "0.75"), ("\\frac{2}{6}", "1/3"), ("-0", "0"), ("12%", "12")],
)
def test_canonical_number_keys(verifier_for, answer, key):
    assert verifier_for("gsm8k").canonical(answer) == key


def test_tolerance_is_relative_and_configurable():
    task = parse_task(
        "name: t\ndescription: d\ninput_format: i\nanswer: {type: number, tolerance: 0.01}\n",
        "t.yaml",
        None,
    )
    assert task.verifier.equal("101", "100")
    assert not task.verifier.equal("102", "100")


def test_strict_task_ignores_unmarked_answers():
    task = parse_task(
        "name: t\ndescription: d\ninput_format: i\nanswer: {type: number, lenient: false}\n",
        "t.yaml",
        None,
    )
    assert task.verifier.extract("The answer is 18.") is None
    assert task.verifier.extract("#### 18") == "18"


# Two values offered where one is asked: no answer, after "=" as after a marker (GRPO paid
# full reward for "47 + 8 = 55 or 56" while only the first number was read).
HEDGES = [
    ("47 + 8 = 55 or 56", False, "conflicting_answers"),
    ("The answer is 55 or 56", False, "conflicting_answers"),
    ("47 + 8 = either 55 or 56", False, "conflicting_answers"),
    ("The answer is 55, or maybe 56", False, "conflicting_answers"),
    ("47 + 8 = 55", True, "correct"),
    ("The answer is 55.", True, "correct"),
    ("47 + 8 = 55 or so", True, "correct"),  # "or" with no second number is no hedge
    ("Answer: 55 apples or more", True, "correct"),
]


@pytest.mark.parametrize(("response", "correct", "reason"), HEDGES)
def test_a_hedge_after_equals_or_a_marker_is_no_answer(verifier_for, response, correct, reason):
    graded = verifier_for("arithmetic").grade(response, "55")
    assert (graded.correct, graded.reason) == (correct, reason)


@pytest.mark.parametrize(
    ("response", "correct"),
    [("The answer is B or C", False), ("The answer is (B) or (C)", False),
     ("The answer is B, or option D", False), ("The answer is B.", True),
     ("The answer is B or a similar one", True)],
)  # fmt: skip
def test_an_option_hedged_with_another_is_no_answer(verifier_for, response, correct):
    assert verifier_for("gpqa").grade(response, "B").correct is correct
