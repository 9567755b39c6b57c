"""Inputs and labels a weak teacher cannot poison: input checks, content-aware dedup, the
label-dominance and yield stops, and seeded variation when there are no passages.

The cases come from runs with a 0.5B teacher: inputs that state their answer, inputs outside
the stated ranges, votes that copy the output format's example value, dedup that took
"9 - 7" and "9 + 7" for one problem, and inputs that repeat the task's description."""

import json
import re

import pytest

from synthrl.cli import main
from synthrl.config import load_config
from synthrl.errors import UserError
from synthrl.io import read_json, read_jsonl, write_jsonl
from synthrl.pipeline import run_synth
from synthrl.synth.checks import states_answer
from synthrl.synth.duplicates import NearDuplicates
from synthrl.synth.stops import label_spread
from synthrl.task import load_task
from synthrl.task.spec import InputRules, written_numbers
from synthrl.testing.fake_server import FakeServer
from synthrl.testing.scripted import ArithmeticTeacher, WeakTeacher
from synthrl.text import TaskTexts

SUBTRACT = r"""
name: subtract
description: Subtract one one-digit number from another and give the difference.
input_format: "Compute: A - B =, where A and B are one-digit numbers."
output_format: Work it out, then write the difference after '####', for example '#### -2'.
answer: {type: number}
input_rules:
  pattern: 'Compute: .+ ='
  numbers: {min: 0, max: 9}
  max_words: 6
"""

# Sixteen different problems of the task's own shape.
PAIRS = [(9, 0), (9, 1), (8, 3), (7, 7), (6, 1), (5, 4), (4, 0), (3, 2), (2, 9), (1, 5), (0, 6),
         (2, 4), (3, 8), (4, 7), (5, 9), (6, 8)]  # fmt: skip
GOOD = [f"Compute: {a} - {b} =" for a, b in PAIRS]
# The stages up to generate.
GENERATE = ("keywords", "retrieve", "pattern", "generate")


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNTHRL_CACHE", str(tmp_path / "synthrl-cache"))


@pytest.fixture
def subtract(tmp_path):
    path = tmp_path / "subtract.yaml"
    path.write_text(SUBTRACT)
    return load_task(path)


def config_for(server, n=16, **synth):
    return load_config(
        profile="cpu",
        overrides={
            "teacher": {"base_url": server.base_url, "model": "fake", "concurrency": 8},
            "synth": {"n": n, "votes": 2, **synth},
            "corpus": {"source": "none"},
        },
    )


def generation_prompts(server):
    prompts = [json.loads(p)["messages"][0]["content"] for p in server.prompts]
    return [p for p in prompts if p.startswith("You write one new example")]


# -- inputs that state their own answer -----------------------------------------------------

STATES_ANSWER = [
    ("What is 9 - 0 = 1?", "9"),  # a wrong answer, stated all the same
    ("Compute: 45 / 5 = 9", "9"),
    ("What is 2 + 3 * (4 - 1) = 11?", "11"),
    ("Compute 7 - 9 = -2.", "-2"),
    ("The total price = 15?", "15"),  # no arithmetic, but it is the proposed answer
    ("Tom has 5 apples and buys 3 more. How many now?\n#### 8", "8"),
    ("Tom has 5 apples and buys 3 more. <answer>8</answer>", "8"),
    ("Find x if 2x = 6. \\boxed{3}", "3"),
    ("Tom has 5 apples and buys 3 more. The answer is 8.", "8"),
    ("Tom has 5 apples and buys 3 more. How many? Answer: 8", "8"),
]

KEPT = [
    ("What is 12 + 3?", "15"),  # the label's digits appear in it: fine
    ("2 + 2 = ?", "4"),
    ("Compute: 9 - 7 =", "2"),
    ("What is 17 - 9 =", "8"),  # out of range perhaps, but it states nothing
    ("Solve x + 3 = 5.", "2"),  # an equation, not an answer
    ("Solve for x: 2x + 3 = 11", "4"),
    ("If f(3) = 7, what is f(3) + 1?", "8"),
    ("Let n = 5. What is n + 3?", "8"),
    ("What is 3 + 4 = x?", "7"),  # a placeholder, not a value
    ("Tom has 5 apples and buys 3 more. How many? Answer:", "8"),
    ("Put the result in <answer></answer> tags: 5 + 3", "8"),
    ("What do you think the answer is? Tom has 5 apples and buys 3.", "8"),
    ("The answer is a mystery to Tom: what is 5 + 3?", "8"),
]


@pytest.mark.parametrize(("text", "proposed"), STATES_ANSWER)
def test_inputs_that_state_their_answer_are_caught(text, proposed):
    assert states_answer(text, proposed, load_task("gsm8k").verifier) is not None


@pytest.mark.parametrize(("text", "proposed"), KEPT)
def test_inputs_that_only_contain_numbers_or_equations_are_kept(text, proposed):
    assert states_answer(text, proposed, load_task("gsm8k").verifier) is None


def test_a_claim_to_judge_is_no_stated_answer_in_a_yes_no_task():
    verifier = load_task("wiki-people").verifier
    assert states_answer("Is 3 + 4 = 8?", "no", verifier) is None
    assert states_answer("A passage. The answer is yes.", "yes", verifier) is not None


def test_inline_math_is_read_through_its_dollar_signs():
    verifier = load_task("math").verifier
    assert states_answer("What is $2 + 3 = 6$?", "5", verifier) == "= 6 after the expression 2 + 3"
    assert states_answer("If $x = 5$, what is $x^2$?", "25", verifier) is None


def test_the_answer_is_a_letter_only_when_it_is_one():
    verifier = load_task("gpqa").verifier
    assert states_answer("Which gas is inert? (A) neon (B) oxygen. The answer is A", "A", verifier)
    assert states_answer("The answer is a noble gas: (A) neon (B) oxygen", "A", verifier) is None


# -- input rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Compute: -3 + 12 - 4", [-3, 12, 4]),
        ("17-9 and 1,500.5", [17, 9, 1500.5]),
        ("It was -5 degrees, then 9 -3 more.", [-5, 9, 3]),
        ("H2O and x2 have no numbers of their own", []),
    ],
)
def test_written_numbers_read_signs_only_where_they_are_signs(text, expected):
    assert written_numbers(text) == expected


@pytest.mark.parametrize(
    ("text", "broken"),
    [
        ("Compute: 7 - 3 =", None),
        ("Compute: 17 - 9 =", "numbers: 17 is above max 9"),
        ("Compute: -1 - 3 =", "numbers: -1 is below min 0"),
        ("What is 7 - 3?", "pattern"),
        ("Compute: 7 - 3 - 1 - 2 - 1 =", "max_words: 11 words, more than 6"),
        ("Compute: " + "1 " * 3000 + "=", "pattern: longer than 5000 characters"),
    ],
)
def test_input_rules_say_which_rule_an_input_breaks(subtract, text, broken):
    found = subtract.spec.input_rules.broken(text)
    assert found == broken or (broken is not None and found.startswith(broken))


def test_input_rules_without_bounds_are_refused():
    with pytest.raises(ValueError, match="min"):
        InputRules(numbers={})


@pytest.mark.parametrize(
    ("text", "broken"),
    [
        ("What is 63 + 5?", None),
        ("What is 63 - 9?", None),
        ("What is 8 + 14?", "numbers: the 1st number, 8, is below min 10"),
        ("What is 63 + 14?", "numbers: the 2nd number, 14, is above max 9"),
        ("What is 63 + 5 + 2?", "numbers: 3 numbers, where the rules give ranges for 2"),
        ("What is 63 plus five?", None),  # a number in words counts when digits are fewer
        ("What is 63 plus fifteen?", "numbers: the 2nd number, 15, is above max 9"),
        ("What is 63 plus a few?", "numbers: 1 numbers, where the rules give ranges for 2"),
    ],
)
def test_a_list_of_ranges_bounds_each_number_in_its_place(text, broken):
    """'A two-digit A and a one-digit B': one range per number, in order; a single range
    would let "8 + 14" through."""
    rules = InputRules(numbers=[{"min": 10, "max": 99}, {"min": 1, "max": 9}])
    assert rules.broken(text) == broken
    assert InputRules(numbers={"min": 1, "max": 99}).broken("What is 8 + 14?") is None


@pytest.mark.parametrize(
    ("numbers", "message"),
    [([], "the list is empty"), ([{"min": 1, "order": "decreasing"}], "a list orders them")],
)
def test_a_list_of_ranges_is_refused_empty_or_with_an_order(numbers, message):
    with pytest.raises(ValueError, match=message):
        InputRules(numbers=numbers)


# -- copies of the task ------------------------------------------------------------------------


def test_an_input_that_opens_with_the_description_is_a_copy(tmp_path):
    path = tmp_path / "gcd.yaml"
    path.write_text(
        "name: gcd\ndescription: Find the greatest common divisor of two positive integers. "
        "Answer with one number.\ninput_format: Two positive integers.\nanswer: {type: number}\n"
    )
    texts = TaskTexts(load_task(path), 0.8)
    opening = "Find the greatest common divisor of two positive integers: 12 and 18."
    assert texts.copied(opening) == "description"
    assert texts.copied("What is the greatest common divisor of 12 and 18?") is None


def test_a_demo_with_another_operator_is_no_copy_of_it(tmp_path):
    path = tmp_path / "ops.yaml"
    path.write_text(
        "name: ops\ndescription: Work out one operation.\ninput_format: An expression.\n"
        "answer: {type: number}\ndemos:\n"
        "  - input: 'Compute the value of this expression exactly: 9 - 7 ='\n"
        "    output: '#### 2'\n"
    )
    texts = TaskTexts(load_task(path), 0.8)
    assert texts.copied("Compute the value of this expression exactly: 9 - 7 =") == "demo 1"
    assert texts.copied("Compute the value of this expression exactly: 9 + 7 =") is None


# -- dedup that respects content ------------------------------------------------------------

PREFIX = "Compute the difference of two one-digit numbers and write it after the equals sign: "
STORY = (
    "Ann has 12 red pens and 7 blue pens in her bag, and she gives 5 of the red pens to Tom "
    "after school. How many pens does Ann have left?"
)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Compute: 9 - 7 =", "Compute: 9 - 0 ="),
        ("9 - 7", "9 + 7"),
        (PREFIX + "9 - 7 =", PREFIX + "9 - 0 ="),  # token Jaccard 0.8
        (PREFIX + "9 - 7 =", PREFIX + "9 + 7 ="),
        (STORY, STORY.replace("Tom", "Bob")),  # another name
    ],
)
def test_samples_that_differ_in_a_number_operator_or_name_are_both_kept(first, second):
    near = NearDuplicates(0.8)
    near.add("first", first)
    assert near.match(second) is None


def test_a_reworded_copy_is_still_a_duplicate():
    near = NearDuplicates(0.8)
    near.add("story", STORY)
    assert near.match(STORY.replace("left?", "left now?")) == "story"
    assert near.match(STORY.replace(", and", " and").replace("?", "??")) == "story"


def test_thirty_one_templated_arithmetic_problems_are_all_kept(subtract, tmp_path):
    problems = [f"{PREFIX}{a} {op} {b} =" for a, b in [(9, 7), (9, 0), (8, 1), (6, 6)]
                for op in "+-*/"]  # fmt: skip
    pairs = [(1, 2), (2, 1), (3, 5), (5, 3), (4, 4), (7, 0), (0, 7), (2, 9), (9, 2), (5, 5),
             (3, 3), (8, 8), (1, 1), (6, 2), (2, 6)]  # fmt: skip
    problems += [f"{PREFIX}{a} - {b} =" for a, b in pairs]
    assert len(set(problems)) == 31
    base = {"task": "subtract", "reference": "", "origin": "initial", "parent_id": None,
            "passage_id": None, "votes": {}, "unreadable_votes": 0, "agreement": 1.0}  # fmt: skip
    out = tmp_path / "run"
    out.mkdir()
    write_jsonl(
        out / "verify.jsonl",
        [{**base, "id": f"p{i}", "input": p, "answer": str(i)} for i, p in enumerate(problems)],
    )
    config = load_config(
        profile="cpu", overrides={"teacher": {"base_url": "http://127.0.0.1:9/v1"}}
    )
    counts = run_synth(subtract, config, out, False, stages=("dedup",))["dedup"]["counts"]
    assert counts["kept"] == 31 and counts["duplicates"] == 0


# -- label dominance ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("task", "labels", "possible", "dominance"),
    [
        ("gsm8k", ["-2"] * 20 + [str(i) for i in range(8)], 9, 0.6786),  # the real run
        ("gsm8k", ["5", "5.0", "$5", "6"], 2, 0.5),  # one label, however written
        ("gsm8k", [str(i) for i in range(12)], 12, 0.0),
        ("wiki-people", ["no"] * 8 + ["yes"] * 2, 2, 0.6),  # closed: k is every answer
        ("gpqa", ["A", "B", "C", "D"] * 3, 4, 0.0),
        ("wiki-topics", ["people"] * 10, 5, 1.0),
    ],
)
def test_label_dominance_is_the_excess_over_an_even_share(task, labels, possible, dominance):
    spread = label_spread(labels, load_task(task))
    assert spread.classes == possible
    assert round(spread.dominance, 4) == dominance


def test_a_top_label_shown_in_the_output_format_is_flagged(subtract):
    labels = ["-2"] * 5 + [str(i) for i in range(1, 9)]
    assert label_spread(labels, subtract).shown_in == "output_format"
    assert label_spread(["1"] * 5 + ["-2"] + ["2", "3", "4"], subtract).shown_in is None


def test_a_stop_with_the_embedded_teacher_names_its_stronger_sibling(subtract, tmp_path):
    with FakeServer(WeakTeacher(GOOD, vote="-2")) as teacher, pytest.raises(UserError) as stop:
        config = config_for(teacher)
        served = config.teacher.model_copy(update={"model": "qwen2.5-coder-0.5b-instruct"})
        run_synth(subtract, config.model_copy(update={"teacher": served}), tmp_path / "run", False)
    assert "a stronger teacher (offline: --teacher local-1.5b)" in str(stop.value)


def test_votes_that_copy_the_format_example_stop_the_run(subtract, tmp_path, capsys):
    # A teacher that answers -2 to everything, even with the example masked: verify stops on
    # its labels before anything else runs.
    out = tmp_path / "run"
    with FakeServer(WeakTeacher(GOOD, vote="-2")) as teacher, pytest.raises(UserError) as stop:
        run_synth(subtract, config_for(teacher), out, False)
    message = str(stop.value)
    assert message.startswith("verify: 16 of 16 labels are '-2'") and "output_format" in message
    assert "a stronger teacher; another example value in the task's output_format" in message
    assert "warning: verify: 16 of 16 labels" in capsys.readouterr().err
    # The outputs are written before the stop, and the manifest keeps the counts.
    assert len(read_jsonl(out / "verify.jsonl")) == 16
    entry = read_json(out / "manifest.json")["stages"]["verify"]
    assert entry["status"] == "failed"
    assert entry["counts"]["top_label"] == "-2" and entry["counts"]["label_dominance"] == 1.0
    assert entry["counts"]["top_label_shown_in"] == "output_format"
    assert entry["counts"]["label_check"] == "stop"


def test_the_dominance_stop_exits_2_from_the_command_line(subtract, tmp_path, capsys):
    with FakeServer(WeakTeacher(GOOD, vote="-2")) as teacher:
        args = ["synth", subtract.source, "--out", str(tmp_path / "run"), "--teacher-base-url",
                teacher.base_url, "--teacher-model", "fake", "--corpus", "none", "--n", "16",
                "--votes", "2", "--quiet"]  # fmt: skip
        with pytest.raises(SystemExit) as exit_info:
            main(args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "label dominance 1.00" in err and "Traceback" not in err


def test_a_teacher_that_votes_correctly_passes_with_its_spread_in_the_counts(subtract, tmp_path):
    with FakeServer(WeakTeacher(GOOD)) as teacher:
        stages = run_synth(subtract, config_for(teacher), tmp_path / "run", False)
    counts = stages["dedup"]["counts"]
    assert counts["kept"] == 16 and counts["label_dominance"] < 0.6
    assert "top_label_shown_in" not in counts


def test_dominance_limit_of_one_never_stops(subtract, tmp_path):
    with FakeServer(WeakTeacher(GOOD, vote="-2")) as teacher:
        config = config_for(teacher, max_label_dominance=1.0)
        stages = run_synth(subtract, config, tmp_path / "run", False)
    assert stages["dedup"]["status"] == "done"


# -- generation checks and the yield stop ---------------------------------------------------


def test_generation_rejects_poisoned_inputs_with_their_reasons(subtract, tmp_path):
    poisoned = [
        "What is 9 - 0 = 1?",
        "Compute: 17 - 9 =",
        "Subtract one one-digit number from another and give the difference: 4 - 1.",
        "Compute: A - B =, where A and B are one-digit numbers.",
    ]
    out = tmp_path / "run"
    with FakeServer(WeakTeacher(poisoned + GOOD[:12])) as teacher:
        run_synth(subtract, config_for(teacher), out, False, stages=GENERATE)
    rejects = {r["reason"]: r for r in read_jsonl(out / "generate.rejects.jsonl")}
    assert set(rejects) == {"states_answer", "breaks_input_format", "copies_task"}
    assert rejects["states_answer"]["detail"] == "= 1 after the expression 9 - 0"
    assert rejects["breaks_input_format"]["detail"] == "numbers: 17 is above max 9"
    counts = read_json(out / "manifest.json")["stages"]["generate"]["counts"]
    assert counts["rejected_copies_task"] == 2 and counts["parsed"] == 12


def test_a_generate_stage_that_keeps_nothing_stops_with_its_reasons(subtract, tmp_path):
    out = tmp_path / "run"
    answered = [f"What is {a} - 1 = {a - 1}?" for a in range(2, 10)]
    with FakeServer(WeakTeacher(answered)) as teacher, pytest.raises(UserError) as stop:
        run_synth(subtract, config_for(teacher, n=12), out, False)
    message = str(stop.value)
    assert message.startswith("generate kept 0 of 12 samples (yield 0.00)")
    assert "states_answer 12" in message and "demos whose inputs do not show" in message
    assert len(read_jsonl(out / "generate.rejects.jsonl")) == 12
    entry = read_json(out / "manifest.json")["stages"]
    assert entry["generate"]["status"] == "failed" and "verify" not in entry


def test_a_low_yield_stops_only_below_min_yield(subtract, tmp_path):
    script = ["Compute: 7 - 2 ="] + [f"Compute: 1{a} - 1 =" for a in range(11)]
    with FakeServer(WeakTeacher(script)) as teacher:
        with pytest.raises(UserError, match=r"yield 0.08, below synth.min_yield 0.1"):
            run_synth(subtract, config_for(teacher, n=12), tmp_path / "a", False)
        config = config_for(teacher, n=12, min_yield=0.05)
        stages = run_synth(subtract, config, tmp_path / "b", False)
    assert stages["dedup"]["counts"]["kept"] == 1


# -- variation without passages -------------------------------------------------------------


def test_each_request_without_passages_gets_its_own_seeded_numbers(subtract, tmp_path):
    with FakeServer(WeakTeacher(GOOD)) as teacher:
        run_synth(subtract, config_for(teacher), tmp_path / "a", False, stages=GENERATE)
        prompts = generation_prompts(teacher)
        assert len(prompts) == 16
        lines = [p for p in prompts if "(with the numbers " in p]
        assert len(lines) == 16 and len(set(prompts)) >= 12
        for prompt in prompts:
            line = prompt.split("(with the numbers ", 1)[1].split(")")[0]
            assert len(re.findall(r"\d+", line)) == 2
            assert all(0 <= int(x) <= 9 for x in re.findall(r"\d+", line))
        # The same seed gives the same prompts: a fresh run folder asks for exactly these.
        run_synth(subtract, config_for(teacher), tmp_path / "b", False, stages=GENERATE)
        assert teacher.repeated_prompts() >= 16
        assert sorted(generation_prompts(teacher)) == sorted(prompts)


def test_with_a_range_per_number_each_request_asks_for_numbers_of_that_shape(tmp_path):
    path = tmp_path / "arith.yaml"
    path.write_text(SUBTRACT.replace(
        "numbers: {min: 0, max: 9}", "numbers: [{min: 10, max: 99}, {min: 1, max: 9}]"
    ).replace("max_words: 6", "max_words: 6\n"))  # fmt: skip
    shaped = [f"Compute: {10 * (1 + i % 9) + a} - {max(b, 1)} =" for i, (a, b) in enumerate(PAIRS)]
    with FakeServer(WeakTeacher(shaped)) as teacher:
        run_synth(load_task(path), config_for(teacher), tmp_path / "a", False, stages=GENERATE)
        prompts = generation_prompts(teacher)
    asked = [p.split("(with the numbers ", 1)[1].split(")")[0] for p in prompts]
    pairs = [tuple(int(x) for x in re.findall(r"\d+", line)) for line in asked]
    assert len(pairs) == 16 and len(set(pairs)) >= 12
    assert all(10 <= a <= 99 and 1 <= b <= 9 for a, b in pairs)


def test_each_request_names_one_of_the_forms_the_input_format_offers(tmp_path):
    # Left to choose between "What is A + B?" and "What is A - B?", a 0.5B teacher wrote a
    # subtraction for 6 of 48 inputs; each request now names one form.
    path = tmp_path / "both.yaml"
    path.write_text(SUBTRACT.replace(
        'input_format: "Compute: A - B =, where A and B are one-digit numbers."',
        "input_format: 'One question of the form \"Compute: A + B =\" or \"Compute: A - B =\"'",
    ))  # fmt: skip
    with FakeServer(WeakTeacher(GOOD)) as teacher:
        config = config_for(teacher, n=32)
        run_synth(load_task(path), config, tmp_path / "a", False, stages=GENERATE)
        prompts = generation_prompts(teacher)
    named = [re.findall(r'\(of the form "(Compute: A [+-] B =)"; with the numbers', p)
             for p in prompts]  # fmt: skip
    assert len(prompts) == 32 and all(len(forms) == 1 for forms in named)
    plus = sum(forms == ["Compute: A + B ="] for forms in named)
    assert 8 <= plus <= 24


@pytest.mark.parametrize(
    ("text", "forms"),
    [
        ('"What is A + B?" or "What is A - B?", where', ["What is A + B?", "What is A - B?"]),
        (
            "\u201cIs X a city?\u201d, \u201cIs X a river?\u201d, or \u201cIs X a person?\u201d",
            ["Is X a city?", "Is X a river?", "Is X a person?"],
        ),
        ('One question of the form "What is A times B?"', []),  # one form: nothing to choose
        ('starts with "Claim:" and ends with "True or false?"', []),  # not alternatives
    ],
)
def test_the_forms_an_input_format_offers(text, forms):
    from synthrl.synth.writer import quoted_forms

    assert quoted_forms(text) == forms


def test_prompts_with_passages_carry_no_variation(tmp_path):
    with FakeServer(ArithmeticTeacher()) as teacher:
        config = load_config(
            profile="cpu",
            overrides={
                "teacher": {"base_url": teacher.base_url, "model": "fake"},
                "synth": {"n": 4, "top_k": 2, "keywords": 1},
            },
        )
        run_synth(load_task("gsm8k"), config, tmp_path / "run", False, stages=GENERATE)
        prompts = generation_prompts(teacher)
    assert len(prompts) == 4 and not any("if it needs numbers" in p for p in prompts)


def test_seeded_numbers_spread_over_orders_of_magnitude():
    import random

    from synthrl.synth.writer import _spread

    rng = random.Random(0)
    drawn = [_spread(rng, 1, 99) for _ in range(2000)]
    assert all(1 <= x <= 99 for x in drawn)
    assert 0.4 < sum(x < 10 for x in drawn) / len(drawn) < 0.6


@pytest.mark.parametrize(
    ("sample", "contaminated"),
    [
        ("Compute 47 + 8.", True),  # the held-out "What is 47 + 8?" in other words
        ("What is 8 + 47?", True),
        ("What is 47 - 8?", False),  # another operator: another problem
        ("What is 47 + 9?", False),
        ("Tom is 47 years old.", False),  # one number is no problem of its own
        # operator words are the operators they name
        ("What is 47 plus 8?", True),
        ("What is the sum of 47 and 8?", True),
        ("Add 47 and 8.", True),
        ("What is 47 minus 8?", False),
        ("Tom has 47 apples and buys 8 more.", False),  # no operator word: a story, not 47 + 8
    ],
)
def test_short_samples_posing_a_held_out_problem_in_other_words_are_contaminated(
    sample, contaminated
):
    from synthrl.synth.duplicates import Contamination

    check = Contamination({"held-out": ["What is 47 + 8?", "How old is Tom? He was born 47"]})
    assert (check.source(sample) == "held-out") is contaminated


def test_the_runs_evaluation_file_is_decontaminated_against_by_default(tmp_path):
    from synthrl.stage import StageContext
    from synthrl.synth.duplicates import decontamination_sets

    data = tmp_path / "held-out.jsonl"
    config = load_config(profile="cpu", overrides={"eval": {"data": str(data)}})
    ctx = StageContext(load_task("gsm8k"), config, tmp_path, client=None)  # type: ignore[arg-type]
    assert decontamination_sets(ctx) == ["gsm8k-dev", "gsm8k-test", str(data)]
    chosen = load_config(profile="cpu", overrides={"synth": {"decontaminate": []}})
    assert decontamination_sets(StageContext(ctx.task, chosen, tmp_path, client=None)) == []  # type: ignore[arg-type]


def test_a_held_out_files_other_part_is_kept_out_of_training_too(tmp_path):
    from synthrl.stage import StageContext
    from synthrl.synth.duplicates import decontamination_sets

    dev, test = tmp_path / "sums.heldout.jsonl", tmp_path / "sums.test.jsonl"
    dev.write_text("", encoding="utf-8")
    config = load_config(profile="cpu", overrides={"eval": {"data": str(dev)}})
    ctx = StageContext(load_task("arithmetic"), config, tmp_path, client=None)  # type: ignore[arg-type]
    assert decontamination_sets(ctx) == ["arithmetic-dev", "arithmetic-test", str(dev)]
    test.write_text("", encoding="utf-8")
    assert decontamination_sets(ctx)[-2:] == [str(dev), str(test)]


@pytest.mark.parametrize(
    ("sample", "held_out"),
    [("Subtract 9 from 47.", "What is 47 - 9?"),
     ("What is the difference between 47 and 9?", "What is 47 - 9?"),
     ("What is 6 multiplied by 7?", "What is 6 times 7?"),
     ("What is 6 * 7?", "What is 6 times 7?")],
)  # fmt: skip
def test_a_held_out_problem_in_operator_words_is_caught_either_way(sample, held_out):
    from synthrl.synth.duplicates import Contamination

    assert Contamination({"held-out": [held_out]}).source(sample) == "held-out"
