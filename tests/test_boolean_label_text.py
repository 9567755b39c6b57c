"""Boolean (yes/no), label (closed class set with synonyms) and text answers."""

import pytest

from synthrl.task import parse_task

BOOLEAN = [
    ("<answer>Yes</answer>", "yes", True),
    ("<answer>Yes.</answer>", "yes", True),
    ("<answer>yes</answer>", "Yes", True),
    ("<answer>**No**</answer>", "no", True),
    ("<answer>True</answer>", "yes", True),
    ("<answer>false</answer>", "no", True),
    ("Yes.", "yes", True),
    ("No, the clause does not allow a refund.", "no", True),
    ("The clause lets the company end the contract at any time.\nThe answer is yes.", "yes", True),
    ("Answer: No", "no", True),
    ("<answer>No, it does not.</answer>", "no", True),
    ("<answer>Yes</answer>", "no", False),
    ("The clause is broad, so the company may share data.\n<answer>yes</answer>", "yes", True),
    ("<answer>NO</answer>", "no", True),
    ("Final answer: yes", "yes", True),
]


@pytest.mark.parametrize(("response", "gold", "correct"), BOOLEAN)
def test_boolean_table(verifier_for, response, gold, correct):
    assert verifier_for("cqa").grade(response, gold).correct is correct


@pytest.mark.parametrize("response", ["<answer>yes no</answer>", "Answer yes or no."])
def test_boolean_hedging_gets_no_credit(verifier_for, response):
    assert verifier_for("cqa").reward(response, "yes") == 0.0
    assert verifier_for("cqa").reward(response, "no") == 0.0


def test_with_two_markers_only_the_last_counts(verifier_for):
    response = "<answer>Yes</answer><answer>No</answer>"
    assert verifier_for("cqa").reward(response, "yes") == 0.0
    assert verifier_for("cqa").reward(response, "no") == 1.0


LABEL = [
    ("<answer>entailment</answer>", "entailment", True),
    ("<answer>Entailment</answer>", "entailment", True),
    ("<answer>entails</answer>", "entailment", True),
    ("<answer>The premise contradicts the hypothesis.</answer>", "contradiction", True),
    ("<answer>neutral</answer>", "neutral", True),
    ("<answer>Neither</answer>", "neutral", True),
    ("<answer>not entailment but contradiction</answer>", "contradiction", True),
    (
        "The patient has a fever, so the hypothesis follows.\n<answer>entailment</answer>",
        "entailment",
        True,
    ),
    ("The answer is contradiction.", "contradiction", True),
    ("Contradiction", "contradiction", True),
    ("neutral.", "neutral", True),
    ("<answer>contradiction</answer>", "entailment", False),
    ("<answer>**Neutral**</answer>", "neutral", True),
    ("Answer: entailment", "entailment", True),
    ("<answer>CONTRADICTORY</answer>", "contradiction", True),
]


@pytest.mark.parametrize(("response", "gold", "correct"), LABEL)
def test_label_table(verifier_for, response, gold, correct):
    assert verifier_for("mednli").grade(response, gold).correct is correct


def test_label_with_two_classes_is_conflicting(verifier_for):
    grade = verifier_for("mednli").grade("<answer>neutral or entailment</answer>", "neutral")
    assert grade.reason == "conflicting_answers"


def test_label_gold_outside_the_set_cannot_be_graded(verifier_for):
    grade = verifier_for("mednli").grade("<answer>neutral</answer>", "maybe")
    assert (grade.reward, grade.reason) == (None, "gold_unparsable")


@pytest.fixture(scope="module")
def text_verifier():
    yaml_text = "name: capitals\ndescription: d\ninput_format: i\nanswer: {type: text}\n"
    return parse_task(yaml_text, "capitals.yaml", None).verifier


TEXT = [
    ("<answer>Paris</answer>", "Paris", True),
    ("<answer>paris</answer>", "Paris", True),
    ("<answer>Paris.</answer>", "Paris", True),
    ("<answer> The Eiffel Tower </answer>", "Eiffel Tower", True),
    ("<answer>New  York City</answer>", "new york city", True),
    ("<answer>**Paris**</answer>", "Paris", True),
    ("The answer is Paris.", "Paris", True),
    ("Answer: Paris", "Paris", True),
    ("It is the capital of France.\nParis", "Paris", True),
    ("<answer>Lyon</answer>", "Paris", False),
    ("<answer>Paris, France</answer>", "Paris", False),
    ("<answer>Saint-Étienne</answer>", "saint étienne", True),
    ('<answer>"Paris"</answer>', "Paris", True),
    ("<answer>an apple</answer>", "apple", True),
    ("<answer>H2O</answer>", "h2o", True),
]


@pytest.mark.parametrize(("response", "gold", "correct"), TEXT)
def test_text_table(text_verifier, response, gold, correct):
    assert text_verifier.grade(response, gold).correct is correct
