"""Choice answers (option letters)."""

import pytest

TABLE = [
    ("The enzyme is a kinase, so it phosphorylates.\n<answer>B</answer>", "B", True),
    ("<answer>(B)</answer>", "B", True),
    ("<answer> b </answer>", "B", True),
    ("<answer>Option b</answer>", "B", True),
    ("<answer>B) Helium-4</answer>", "B", True),
    ("<answer>B. Helium-4</answer>", "B", True),
    ("<answer>**C**</answer>", "C", True),
    ("<answer>$\\text{D}$</answer>", "D", True),
    ("<answer>The answer is A, not C</answer>", "A", True),
    ("The answer is A, not C", "A", True),
    ("The answer is A, not C", "C", False),
    ("Let me compare the options. (A) is wrong because ... The correct answer is (D).", "D", True),
    ("**Answer:** C", "C", True),
    ("Final answer: b.", "B", True),
    ("After weighing the evidence, the best choice is option C.\nC", "C", True),
    ("<answer>A</answer>", "B", False),
    ("<answer>C</answer>", "(C)", True),
    ("The correct option is D.", "D", True),
]


@pytest.mark.parametrize(("response", "gold", "correct"), TABLE)
def test_choice_table(verifier_for, response, gold, correct):
    assert verifier_for("gpqa").grade(response, gold).correct is correct


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        ("<answer>A and C</answer>", "conflicting_answers"),
        ("<answer>B and C</answer>", "conflicting_answers"),
        ("<answer>B</answer> or maybe <answer>C</answer>", "wrong"),  # the last marker counts
        ("<answer>A B C D</answer>", "conflicting_answers"),
        ("<answer></answer>", "empty_answer"),
        ("<answer>E</answer>", "invalid_answer"),
        ("the answer is a bit unclear to me", "no_answer"),
        # a response that only repeats the question and its options
        ("Which gas is lightest?\nA) Helium\nB) Hydrogen\nC) Neon\nD) Argon", "no_answer"),
    ],
)
def test_choice_gaming_gets_no_credit(verifier_for, response, reason):
    grade = verifier_for("gpqa").grade(response, "B")
    assert (grade.reason, grade.reward) == (reason, 0.0)


def test_echoed_empty_tag_next_to_a_real_answer_is_ignored(verifier_for):
    response = "I must put my answer in <answer></answer> tags.\n<answer>C</answer>"
    assert verifier_for("gpqa").extract(response) == "C"


def test_options_limit_valid_letters(verifier_for):
    assert verifier_for("cfa").canonical("D") is None
    assert verifier_for("cfa").canonical("c") == "C"


def test_options_a_teacher_gives_as_a_list_become_lettered_lines_the_balancer_can_move():
    """The 1.5B wrote a science question's options as a Python list after "options:"; they
    are asked as a list and written back as the input format shows them."""
    import json

    from synthrl.synth.balance import move_option
    from synthrl.synth.writer import _input_shape, parse_sample
    from synthrl.task import load_task

    task = load_task("examples/tasks/science.yaml")
    shape = _input_shape(task)
    assert shape.endswith('"options": ["...", "...", "...", "..."]}')
    reply = {
        "input": {"Passage": "Probes explore space.", "Question": "What explores space?",
                  "options": ["(A) Uncrewed probes", "B. Space missions", "lunar rovers",
                              "D) Mars"]},
        "answer": "A",
    }  # fmt: skip
    fields, reason = parse_sample(json.dumps(reply), "stop", task.verifier)
    assert reason == "ok"
    assert fields["input"] == (
        "Passage: Probes explore space.\nQuestion: What explores space?\n"
        "(A) Uncrewed probes\n(B) Space missions\n(C) lunar rovers\n(D) Mars"
    )
    moved, answer = move_option(fields["input"], "A", "C")
    assert answer == "C" and moved.endswith(
        "(A) lunar rovers\n(B) Space missions\n(C) Uncrewed probes\n(D) Mars"
    )
