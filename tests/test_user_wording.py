"""Tasks as users write them: example values in the formats, ranges stated in prose.

The cases come from runs of the embedded 0.5B teacher on task files written as a new user
would: its votes copied the output format's example ("7 - 9 = -2") into every label, its
inputs broke ranges stated only in words, and requests that all looked alike came back as
copies of the task's description."""

import json
import re

import pytest

from synthrl.cli import main
from synthrl.config import load_config
from synthrl.errors import UserError
from synthrl.io import read_json, read_jsonl
from synthrl.pipeline import run_synth
from synthrl.synth.prompts import vote_prompt
from synthrl.synth.stops import STOP_P, WARN_P, LabelSpread, label_spread
from synthrl.task import load_task
from synthrl.task.examples import mask_task, masked_text, shown_values
from synthrl.task.prompt import task_prompt
from synthrl.task.prose import derived
from synthrl.testing.fake_server import FakeServer
from synthrl.testing.scripted import EchoTeacher

SIGNS = r"""
name: signs
description: Add or subtract two whole numbers from 0 to 9. The result can be negative.
input_format: 'A short question such as "What is 3 + 4?"'
output_format: 'Write the calculation with its result, for example "7 - 9 = -2".'
answer: {type: number, read_from: final_line}
"""
GENERATE = ("keywords", "retrieve", "pattern", "generate")


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNTHRL_CACHE", str(tmp_path / "synthrl-cache"))


def task_from(tmp_path, text, name="task.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return load_task(path)


@pytest.fixture
def signs(tmp_path):
    return task_from(tmp_path, SIGNS, "signs.yaml")


def config_for(server, n=20, votes=3, **synth):
    return load_config(
        profile="cpu",
        overrides={
            "teacher": {"base_url": server.base_url, "model": "fake", "concurrency": 8},
            "synth": {"n": n, "votes": votes, **synth},
            "corpus": {"source": "none"},
        },
    )


def user_prompt(request):
    return json.loads(request)["messages"][0]["content"]


def generation_prompts(server):
    prompts = [user_prompt(p) for p in server.prompts]
    return [p for p in prompts if p.startswith("You write one new example")]


def right_answer(question):
    a, op, b = re.search(r"(-?\d+) ([-+]) (-?\d+)", question).groups()
    return int(a) + int(b) if op == "+" else int(a) - int(b)


def labels_right(samples):
    return sum(1 for s in samples if float(s["answer"]) == right_answer(s["input"]))


# -- example values are masked for the teacher ------------------------------------------------


@pytest.mark.parametrize(
    ("task", "text", "masked"),
    [
        ("gsm8k", 'Give the calculation, for example "7 - 9 = -2".', 'for example "…".'),
        ("gsm8k", "Answer after ####, e.g. #### 42", "e.g. #### …"),
        ("gsm8k", "Then the number alone on the last line, for example: 180", "example: …"),
        ("gsm8k", "Show the steps (e.g. 12 - 5 = 7) and end with ####.", "(e.g. …) and"),
        ("cqa", "Answer yes or no in <answer></answer>, like <answer>no</answer>.", "<answer>…<"),
        ("cqa", 'Answer in one word, e.g. "yes".', 'e.g. "…"'),
        ("gpqa", "Reply with the letter, e.g. <answer>C</answer>.", "<answer>…</answer>"),
        ("wiki-topics", "One label, for example <answer>science</answer>.", "<answer>…</answer>"),
    ],
)
def test_example_values_are_masked_where_the_teacher_reads_them(task, text, masked):
    found, examples = masked_text(text, load_task(task).verifier)
    assert masked in found and examples


@pytest.mark.parametrize(
    ("task", "text"),
    [
        ("gsm8k", "Round to 2 decimal places and give it after ####."),  # an instruction
        ("gsm8k", "Numbers from 0 to 9; the answer after ####."),  # a constraint
        ("cqa", 'Reply "yes" or "no".'),  # the label set, not an example
        ("wiki-topics", "One topic such as science, people or history."),  # the labels listed
        ("gpqa", "for example A) 12 B) 40"),  # options listed
    ],
)
def test_instructions_and_label_lists_are_left_as_written(task, text):
    assert masked_text(text, load_task(task).verifier) == (text, [])


def test_the_teacher_reads_the_masked_texts_and_the_student_the_users(signs):
    masked = mask_task(signs)
    # Masked whole: with its numbers alone masked, "… - … = …" taught a 0.5B teacher to
    # answer a sum with a difference.
    assert masked.output_format.endswith('for example "…".')
    assert masked.input_format == 'A short question such as "What is … + …?"'
    assert masked.description == signs.spec.description  # its "0 to 9" is no example
    assert shown_values(signs) == {"output_format": ["-2"]}  # the input's example is no answer
    assert "-2" in signs.output_format


def test_votes_work_the_answer_out_and_the_student_prompt_is_the_users(signs):
    # "Give only the weekday": a vote that obeys a bare-answer format guesses in one word, so
    # the teacher's votes are asked to reason first; the student's prompt stays the user's.
    synth = load_config(profile="cpu").synth
    vote = vote_prompt(signs, "What is 3 + 4?", synth)
    assert vote.startswith(task_prompt(signs, "What is 3 + 4?", mask_task(signs)))
    assert vote.endswith("on the last line.") and "-2" not in vote
    assert "Work the answer out" not in task_prompt(signs, "What is 3 + 4?")
    plain = synth.model_copy(update={"votes_reason": False})
    assert vote_prompt(signs, "What is 3 + 4?", plain) == task_prompt(
        signs, "What is 3 + 4?", mask_task(signs)
    )


# -- input rules read from prose ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("description", "input_format", "rules"),
    [
        ("Add or subtract two whole numbers from 0 to 9.", 'A question such as "What is 3 + 4?"',
         {"numbers": [{"min": 0, "max": 9}] * 2}),
        ("Find the greatest common divisor of two whole numbers between 1 and 20.", "A question.",
         {"numbers": [{"min": 1, "max": 20}] * 2}),
        ("Add or subtract.", 'Like "What is 47 + 8?": a two-digit number and a one-digit number.',
         {"numbers": [{"min": 10, "max": 99}, {"min": 0, "max": 9}]}),  # the example's order
        ("Add two numbers.", 'The form "What is A + B?", where A is a two-digit number (10 to 99)'
         " and B a one-digit number (1 to 9).",
         {"numbers": [{"min": 10, "max": 99}, {"min": 1, "max": 9}]}),  # one range per letter
        ("Add two two-digit numbers.", "Two numbers from 10 to 49.",
         {"numbers": [{"min": 10, "max": 49}] * 2}),  # a later, narrower range refines
        ("Tell whether a number is even or odd.", "A number between 1 and 1000.",
         {"numbers": {"min": 1, "max": 1000}}),
        ("Pick the largest of four numbers under 100.", "Options A to D.",
         {"numbers": [{"max": 99}] * 4}),
        ("Add three positive numbers, each at most 20.", "A question.",
         {"numbers": [{"min": 1, "max": 20}] * 3}),
        ("Classify the review.", "A review of at most 40 words.", {"max_words": 40}),
        ("Summarise the review in at most 30 words.", "A review of 2 to 3 sentences.", {}),
        ("Rate the review from 1 to 5.", "A product review.", {}),  # the answer's range
        ("Round the answer to at most 2 decimals.", "A word problem.", {}),
    ],
)  # fmt: skip
def test_ranges_and_counts_stated_in_prose_become_rules(description, input_format, rules):
    assert derived(description, input_format) == rules


def test_prose_rules_agree_with_the_rules_written_in_the_example_tasks():
    # The example tasks carry hand-written input_rules; read from their prose alone, the
    # number rules come out the same (order and word limits are not read).
    from pathlib import Path

    files = sorted(Path("examples/tasks").glob("*.yaml"))
    checked = 0
    for path in files:
        if path.name.startswith("run"):
            continue
        task = load_task(path)
        if task.spec.input_rules is None:  # a passage task: no numbers to state
            continue
        written, read = task.spec.input_rules.numbers, task.rules_from_text.numbers

        def spans(rules):
            return [(r.min, r.max) for r in (rules if isinstance(rules, list) else [rules])]

        single = not isinstance(written, list)
        assert (set if single else list)(spans(read)) == (set if single else list)(
            spans(written)
        ), path.name
        checked += 1
    assert checked >= 8


def test_a_rule_written_in_the_file_overrides_the_one_read_and_from_text_false_reads_none(
    tmp_path,
):
    written = task_from(tmp_path, SIGNS + "input_rules: {numbers: {min: 0, max: 5}}\n")
    assert written.input_rules.describe() == "numbers: every number 0 to 5"
    off = task_from(tmp_path, SIGNS + "input_rules: {from_text: false}\n", "off.yaml")
    assert off.input_rules is None


def test_a_rule_read_from_prose_that_a_demo_breaks_is_dropped(tmp_path):
    text = SIGNS + "demos: [{input: 'What is 12 - 3?', output: '12 - 3 = 9\n9'}]\n"
    task = task_from(tmp_path, text)
    assert task.input_rules is None
    assert "a demo breaks it" in task.rules_dropped[0]


def test_check_shows_the_rules_read_and_the_examples_masked(signs, capsys):
    with pytest.raises(SystemExit) as done:
        main(["check", signs.source, "--json"])
    assert done.value.code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["input_rules_from_text"] == "numbers: 2 numbers, each 0 to 9"
    assert summary["examples_masked_for_teacher"] == (
        'input_format "What is 3 + 4?"; output_format "7 - 9 = -2"'
    )


def test_each_request_draws_its_numbers_from_the_ranges_stated_in_prose(tmp_path):
    gcd = task_from(tmp_path, """
name: gcd-words
description: Find the greatest common divisor of two whole numbers between 1 and 20.
input_format: A short question.
output_format: 'Give the answer after ####, e.g. #### 4'
answer: {type: number}
""")  # fmt: skip
    with FakeServer(EchoTeacher(0.0)) as server:
        run_synth(gcd, config_for(server, n=12), tmp_path / "run", False, stages=GENERATE)
        prompts = generation_prompts(server)
    asked = prompts
    numbers = [re.search(r"with the numbers (\d+) and (\d+) in it\)", p).groups() for p in asked]
    assert len(asked) == 12 and len(set(numbers)) >= 8
    assert all(1 <= int(x) <= 20 for pair in numbers for x in pair)
    assert all("#### 4" not in p and "#### …" in p for p in asked)


def test_inputs_that_break_a_range_stated_in_prose_are_rejected(signs, tmp_path):
    from synthrl.synth.checks import InputChecks

    checks = InputChecks(signs, 0.8)
    assert checks.problem("What is 15 - 7?", "8")[0] == "breaks_input_format"
    assert checks.problem("What is 5 - 7?", "-2") is None


# -- votes that copy the example --------------------------------------------------------------


def test_with_60_percent_echo_masked_votes_keep_most_samples_with_right_labels(signs, tmp_path):
    with FakeServer(EchoTeacher(0.6)) as server:
        stages = run_synth(signs, config_for(server, n=20), tmp_path / "run", False)
    kept = read_jsonl(tmp_path / "run" / "dedup.jsonl")
    assert len(kept) >= 8  # at least 40% of N
    assert labels_right(kept) >= 0.9 * len(kept)
    assert "7 - 9 = -2" in stages["verify"]["counts"]["examples_masked"]
    votes = [p for p in map(user_prompt, server.prompts) if p.startswith(signs.spec.description)]
    assert votes and all(p.endswith("on the last line.") and "-2" not in p for p in votes)


def test_with_60_percent_echo_and_nothing_masked_the_labels_are_poisoned(signs, tmp_path):
    # The control: the same teacher reading the example as written.
    with FakeServer(EchoTeacher(0.6)) as server, pytest.raises(UserError) as stop:
        run_synth(signs, config_for(server, n=20, mask_examples=False), tmp_path / "run", False)
    # Verify stops on what the votes said, counting the labels it dropped as echoes.
    assert str(stop.value).startswith("verify: ") and "look poisoned" in str(stop.value)
    assert "'-2' is the answer the task's output_format shows" in str(stop.value)
    labelled = read_jsonl(tmp_path / "run" / "verify.jsonl")
    assert labels_right(labelled) < 0.9 * len(labelled)


@pytest.mark.parametrize("mask", [True, False])
def test_with_90_percent_echo_and_n_8_labels_are_right_or_the_run_stops(signs, tmp_path, mask):
    out = tmp_path / "run"
    with FakeServer(EchoTeacher(0.9)) as server:
        config = config_for(server, n=8, mask_examples=mask)
        try:
            run_synth(signs, config, out, False)
        except UserError as stop:
            message = str(stop)
            assert "'-2' is the answer the task's output_format shows" in message
            assert "synth.mask_examples is off" in message
            assert read_json(out / "manifest.json")["stages"]["verify"]["status"] == "failed"
            assert not mask
            return
    kept = read_jsonl(out / "dedup.jsonl")
    assert mask and kept and labels_right(kept) == len(kept)


def test_a_label_equal_to_the_example_needs_the_generators_agreement(signs, tmp_path):
    # Votes that copy whatever is shown, while the generator works its answers out: every
    # label equal to the example without the generator's agreement is dropped and counted.
    with FakeServer(EchoTeacher(1.0, generator_echo=0.0)) as server:
        config = config_for(server, n=10, mask_examples=False, min_yield=0)
        with pytest.raises(UserError):
            run_synth(signs, config, tmp_path / "run", False)
    rejects = read_jsonl(tmp_path / "run" / "verify.rejects.jsonl")
    echoed = [r for r in rejects if r["reason"] == "echoes_example"]
    assert echoed and all(r["shown_in"] == "output_format" for r in echoed)
    verify = read_json(tmp_path / "run" / "manifest.json")["stages"]["verify"]
    assert verify["counts"]["rejected_echoes_example"] == len(echoed)


# -- the label check at any size ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("labels", "verdict"),
    [
        (["-2"] * 8, "stop"),  # eight of eight equal to the example
        (["-2"] * 3, "stop"),
        (["42"] * 14 + ["5", "6", "7"] * 3 + [str(i) for i in range(20, 34)], "stop"),  # 14/37
        (["42"] * 8 + [str(i) for i in range(20, 32)], "warn"),  # 8 of 20
        ([str(i) for i in range(-9, 10)] + ["-2"], "ok"),  # an honest spread
    ],
)
def test_a_top_label_equal_to_the_example_is_judged_by_how_unlikely_it_is(
    tmp_path, labels, verdict
):
    task = task_from(tmp_path, SIGNS.replace('"7 - 9 = -2"', '"7 - 9 = -2" or "#### 42"'))
    spread = label_spread(labels, task)
    assert spread.shown_in == "output_format"
    p = spread.p_value
    found = "stop" if p < STOP_P else "warn" if p < WARN_P else "ok"
    assert found == verdict, p


def test_a_constant_label_not_shown_anywhere_stops_at_any_size():
    spread = LabelSpread("15", 6, 6, None, 0, None)
    assert spread.dominance == 1.0 and spread.p_value < STOP_P


def test_an_uneven_but_plausible_closed_spread_is_not_evidence():
    spread = LabelSpread("yes", 6, 10, 2, 4, "output_format")
    assert spread.p_value > WARN_P


def test_a_format_cut_short_by_a_yaml_comment_is_refused(tmp_path, capsys):
    path = tmp_path / "cut.yaml"
    path.write_text(SIGNS.replace(
        "output_format: 'Write the calculation with its result, for example \"7 - 9 = -2\".'",
        "output_format: Give the answer after ####, e.g. #### 4",
    ))  # fmt: skip
    with pytest.raises(SystemExit) as done:
        main(["check", str(path)])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "YAML reads '####, e.g. #### 4' as a comment" in err and "quotes" in err


@pytest.mark.parametrize(
    ("description", "input_format", "text", "broken"),
    [
        # A number the task's own words mention may be written besides the stated range.
        ("Round a whole number between 100 and 999 to the nearest ten.",
         "A question asking to round one three-digit whole number.",
         "Round 347 to the nearest 10.", False),
        ("Round a whole number between 100 and 999 to the nearest ten.",
         "A question asking to round one three-digit whole number.",
         "Round 47 to the nearest 10.", True),
        ("Pick the largest.", "A question that lists four whole numbers under 100 as options.",
         "Which of these 4 options is largest? A) 12 B) 40 C) 7 D) 33", False),
        ("Add or subtract two whole numbers from 0 to 9.", "A question.",
         "What is 15 - 7?", True),
        # "a single whole number": one number.
        ("Tell whether a number is even or odd.",
         "A question about a single whole number between 1 and 1000.",
         "What is the largest even number between 1 and 1000?", True),
        ("Tell whether a number is even or odd.",
         "A question about a single whole number between 1 and 1000.", "Is 25 even?", False),
        # A range in brackets may name its unit.
        ("Convert hours to minutes.", "A whole number of hours (1 to 12 hours).",
         "How many minutes are in 14 hours?", True),
    ],
)  # fmt: skip
def test_prose_rules_keep_the_task_to_its_stated_ranges(
    tmp_path, description, input_format, text, broken
):
    task = task_from(tmp_path, f"""
name: prose
description: {description}
input_format: {input_format}
answer: {{type: number}}
""")  # fmt: skip
    assert (task.input_rules.broken(text) is not None) == broken


def test_a_masked_example_input_is_filled_with_each_requests_numbers(tmp_path):
    # 'like "What is 47 + 8?"': the teacher is asked for that input with its own numbers.
    task = task_from(tmp_path, """
name: two-digit
description: Add a two-digit number and a one-digit number.
input_format: 'A question, first a two-digit number, then a one-digit one, like "What is 47 + 8?"'
output_format: 'The calculation and its result, for example "47 + 8 = 55".'
answer: {type: number, read_from: final_line}
""")  # fmt: skip
    with FakeServer(EchoTeacher(0.0)) as server:
        run_synth(task, config_for(server, n=8), tmp_path / "run", False, stages=GENERATE)
        prompts = generation_prompts(server)
    asked = [re.search(r'\(of the form "What is (\d+) \+ (\d+)\?"\)', p) for p in prompts]
    assert len(asked) == 8 and all(asked)
    assert all(10 <= int(m.group(1)) <= 99 and int(m.group(2)) <= 9 for m in asked)
    kept = read_jsonl(tmp_path / "run" / "generate.jsonl")
    assert {k["input"] for k in kept} == {m.group(0)[14:-2] for m in asked}


def test_each_request_names_one_of_the_kinds_of_input_the_prose_offers(tmp_path):
    # "asking for the sum or the difference": left to choose, the 1.5B teacher wrote 31 sums
    # of 32; each request's input format now names one of them, in turn.
    task = task_from(tmp_path, """
name: one-digit
description: Add or subtract two whole numbers from 0 to 9. The result can be negative.
input_format: >-
  A short question asking for the sum or the difference of two whole numbers from 0 to 9.
output_format: 'Write the calculation with its result, for example "7 - 9 = -2".'
answer: {type: number, read_from: final_line}
""")  # fmt: skip
    with FakeServer(EchoTeacher(0.0)) as server:
        run_synth(task, config_for(server, n=8), tmp_path / "run", False, stages=GENERATE)
        prompts = generation_prompts(server)
    formats = [p.split("Input format (follow it strictly): ", 1)[1].split("\n", 1)[0]
               for p in prompts]  # fmt: skip
    kinds = [re.match(r"A short question asking for (the sum|the difference) of two whole "
                      r"numbers: (\d) and (\d)\.$", f) for f in formats]  # fmt: skip
    assert len(kinds) == 8 and all(kinds), formats
    assert [m.group(1) for m in kinds].count("the difference") == 4
    assert all(f"({m.group(1)}, with the numbers {m.group(2)} and {m.group(3)} in it)" in p
               for m, p in zip(kinds, prompts, strict=True))  # fmt: skip


@pytest.mark.parametrize("weight", ["veto", "vote", "ignore"])
def test_the_generators_own_answer_vetoes_votes_or_is_ignored(signs, tmp_path, weight):
    # Votes that agree on a wrong answer (off by one) while the generator worked it out: a
    # veto drops every label; as one more vote it is outvoted three to one, like ignored.
    out = tmp_path / "run"
    with FakeServer(EchoTeacher(0.0, vote_error=1)) as server:
        config = config_for(server, n=12, generator_answer=weight, min_yield=0)
        try:
            run_synth(signs, config, out, False)
        except UserError as stop:
            assert weight == "veto" and "kept 0 of" in str(stop)
            assert "generator_disagrees" in str(stop) and "generator_answer: vote" in str(stop)
    counts = read_json(out / "manifest.json")["stages"]["verify"]["counts"]
    labelled = read_jsonl(out / "verify.jsonl")
    if weight == "veto":
        assert counts["rejected_generator_disagrees"] == counts["candidates"] >= 8
        assert not labelled
    else:
        assert len(labelled) == counts["candidates"] >= 8 and labels_right(labelled) == 0
        assert "generator_carried" not in counts


@pytest.mark.parametrize("weight", ["veto", "vote", "ignore"])
def test_the_generators_vote_settles_votes_split_in_two(signs, tmp_path, weight):
    # Two votes, one right and one off by one: a tie, which only the generator's vote breaks.
    out = tmp_path / "run"
    with FakeServer(EchoTeacher(0.0, vote_error=1, wrong_every=2)) as server:
        config = config_for(
            server, n=12, votes=2, generator_answer=weight, min_yield=0, extra_votes=0
        )
        try:
            run_synth(signs, config, out, False, stages=(*GENERATE, "verify"))
        except UserError as stop:
            assert weight != "vote" and "tie" in str(stop)
    counts = read_json(out / "manifest.json")["stages"]["verify"]["counts"]
    labelled = read_jsonl(out / "verify.jsonl")
    if weight == "vote":
        assert len(labelled) == counts["candidates"] == counts["generator_carried"] >= 8
        assert labels_right(labelled) == len(labelled)
        assert {s["agreement"] for s in labelled} == {0.5}  # one of the two teacher votes
    else:
        assert counts["rejected_tie"] == counts["candidates"] and not labelled


def test_a_label_in_doubt_gets_more_votes_and_the_first_come_from_the_cache(signs, tmp_path):
    # Two votes split one to one (a tie); three more, asked as the same request with n = 5,
    # come back right, wrong, right: three of five name the right answer.
    out = tmp_path / "run"
    with FakeServer(EchoTeacher(0.0, vote_error=1, wrong_every=2)) as server:
        config = config_for(server, n=12, votes=2, extra_votes=3, generator_answer="ignore")
        run_synth(signs, config, out, False, stages=GENERATE)
        before = server.calls
        run_synth(signs, config, out, False, stages=(*GENERATE, "verify"))
        calls = server.calls - before
    counts = read_json(out / "manifest.json")["stages"]["verify"]["counts"]
    labelled = read_jsonl(out / "verify.jsonl")
    assert counts["more_votes_asked"] == counts["candidates"] == len(labelled) >= 8
    assert labels_right(labelled) == len(labelled)
    assert {s["agreement"] for s in labelled} == {0.6} and calls == 2 * len(labelled)
    # unanimous votes are no doubt: nothing more is asked
    with FakeServer(EchoTeacher(0.0)) as server:
        config = config_for(server, n=12, votes=2, extra_votes=3)
        run_synth(signs, config, tmp_path / "sure", False, stages=(*GENERATE, "verify"))
    counts = read_json(tmp_path / "sure" / "manifest.json")["stages"]["verify"]["counts"]
    assert counts["more_votes_asked"] == 0


def test_the_generator_weighs_as_a_vote_where_votes_reason_and_as_a_veto_where_they_do_not():
    def weight(**synth):
        return load_config(profile="cpu", overrides={"synth": synth}).synth.generator_weight()

    assert weight() == "vote" and weight(votes_reason=False) == "veto"
    assert weight(generator_answer="ignore", votes_reason=False) == "ignore"
    # the setting's first name still reads
    assert weight(generator_veto=True) == "veto" and weight(generator_veto=False) == "ignore"


def test_labels_in_doubt_get_three_more_votes_where_votes_reason_unless_set():
    def more(**synth):
        return load_config(profile="cpu", overrides={"synth": synth}).synth.doubt_votes()

    assert more() == 3 and more(votes_reason=False) == 0
    assert more(extra_votes=0) == 0 and more(extra_votes=5, votes_reason=False) == 5
    with pytest.raises(UserError, match="extra_votes"):
        more(extra_votes=-1)


def test_the_task_sentence_a_small_teacher_hands_back_carries_the_requests_numbers(tmp_path):
    gcd = task_from(tmp_path, """
name: gcd-words
description: Find the greatest common divisor of two whole numbers between 1 and 20.
input_format: A short question.
output_format: 'Give the answer after ####, e.g. #### 4'
answer: {type: number}
""")  # fmt: skip
    with FakeServer(EchoTeacher(0.0)) as server:
        run_synth(gcd, config_for(server, n=6), tmp_path / "run", False, stages=GENERATE)
        prompts = generation_prompts(server)
    for prompt in prompts:
        a, b = re.search(r"with the numbers (\d+) and (\d+) in it\)", prompt).groups()
        assert f"divisor of two whole numbers: {a} and {b}." in prompt
        field = f"exactly as a solver would see it, with the numbers {a} and {b} in it;"
        assert field in prompt


def test_a_demos_input_is_the_form_when_the_input_format_quotes_none(tmp_path):
    times = task_from(tmp_path, """
name: times-words
description: Multiply two single-digit numbers.
input_format: One multiplication question.
answer: {type: number}
demos:
  - input: What is 6 times 7?
    output: "6 times 7 is 42.\\n#### 42"
""")  # fmt: skip
    with FakeServer(EchoTeacher(0.0)) as server:
        run_synth(times, config_for(server, n=6), tmp_path / "run", False, stages=GENERATE)
        prompts = generation_prompts(server)
    asked = [re.search(r'\(of the form "What is (\d) times (\d)\?"\)', p) for p in prompts]
    assert len(asked) == 6 and all(asked)


def test_an_answer_missing_from_the_teachers_json_is_read_from_its_reasoning():
    from synthrl.synth.writer import parse_sample

    verifier = load_task("cqa").verifier
    text = (
        '{"input": "Is 2 greater than 6?", "reasoning": "2 is less than 6, so the answer is no."}'
    )
    fields, reason = parse_sample(text, "stop", verifier)
    assert reason == "ok" and fields["answer"] == "no" and fields["answer_from"] == "reasoning"
    unread = '{"input": "Is 2 greater than 6?", "reasoning": "Let us break it down:"}'
    assert parse_sample(unread, "stop", verifier) == (None, "missing_fields")


def test_an_answer_written_in_the_formats_marker_is_compared_by_its_reading(tmp_path):
    # The 1.5B teacher's generator wrote "answer": "<answer>Wednesday</answer>"; compared as
    # written with the votes' "wednesday", the veto dropped labels it agreed with (3 of 15).
    from synthrl.synth.writer import parse_sample

    weekday = task_from(tmp_path, """
name: weekday
description: Work out the weekday a few days after a given weekday.
input_format: A weekday and a number of days.
output_format: Give only the weekday in answer tags, e.g. <answer>Thursday</answer>
answer: {type: text}
""")  # fmt: skip
    text = '{"input": "What day is 2 days after Monday?", "answer": "<answer>Wednesday</answer>"}'
    fields, reason = parse_sample(text, "stop", weekday.verifier)
    assert reason == "ok" and fields["answer"] == "wednesday"
    plain = '{"input": "What day is 2 days after Monday?", "answer": "Wednesday"}'
    assert parse_sample(plain, "stop", weekday.verifier)[0]["answer"] == "Wednesday"


def test_a_number_written_as_a_word_keeps_a_rule_read_from_prose():
    # The 1.5B teacher wrote "four days after Wednesday" in next-day inputs; read as no
    # number at all, each was rejected as breaking "a number of days between 1 and 6".
    from synthrl.task.spec import InputRules

    rules = InputRules(**derived(
        "Work out the day of the week that comes a few days after a given weekday.",
        "A day of the week and a number of days between 1 and 6, with the question which "
        "weekday it will be that many days later.",
    ))  # fmt: skip
    assert rules.broken("What day of the week will it be four days after Wednesday?") is None
    assert rules.broken("What day of the week will it be nine days after Wednesday?")
    assert rules.broken("What day of the week comes a few days after Friday?")


def test_a_single_number_is_read_from_a_number_of_something():
    assert derived("Convert hours to minutes.", "A whole number of hours (1 to 12 hours).") == {
        "numbers": [{"min": 1, "max": 12}]
    }
