"""The user-task suite (examples/user-tasks/): files written as users write them, a program that
knows each input's right answer, and the benchmark's figures read from a run folder."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest
import yaml

from synthrl.task import load_task

ROOT = Path(__file__).parents[1]
SUITE = ROOT / "examples" / "user-tasks"
FILES = sorted(path for path in SUITE.glob("*.yaml") if path.name != "run.yaml")  # tasks only


def load_module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


answers = load_module(SUITE / "answers.py", "user_task_answers")


def test_the_suite_has_nine_tasks_or_more_with_every_answer_type():
    types = {load_task(path).spec.answer.type for path in FILES}
    assert len(FILES) >= 9
    assert {"number", "label", "boolean", "choice", "text"} <= types


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_task_file_loads_and_has_a_program_that_answers_it(path):
    task = load_task(path)
    assert task.name == path.stem
    assert task.name in answers.READERS
    assert answers.possible_answers(task.name) is not None


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_no_task_file_writes_input_rules(path):
    assert "input_rules" not in yaml.safe_load(path.read_text())


def test_one_or_two_tasks_have_exactly_one_demo_and_the_rest_none():
    demos = {path.stem: len(yaml.safe_load(path.read_text()).get("demos", [])) for path in FILES}
    with_demo = [name for name, count in demos.items() if count]
    assert 1 <= len(with_demo) <= 2
    assert all(demos[name] == 1 for name in with_demo)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_the_program_agrees_with_each_demo(path):
    task = load_task(path)
    for demo in task.spec.demos or []:
        answer, meets = answers.right_answer(task.name, demo.input)
        assert meets
        assert task.verifier.equal(task.verifier.extract(demo.output), answer)


READINGS = [
    # (task, input as a teacher might write it, right answer, keeps the stated constraints)
    ("one-digit", "What is 7 - 9?", "-2", True),
    ("one-digit", "Compute 7 minus 9.", "-2", True),
    ("one-digit", "What is seven plus two?", "9", True),
    ("one-digit", "What is the sum of 3 and 4?", "7", True),
    ("one-digit", "Subtract 9 from 2.", "-7", True),
    ("one-digit", "What is the result of adding 6 and 6?", "12", True),  # the 1.5B's form
    ("one-digit", "What is the result of subtracting 4 from 9?", "5", True),
    ("one-digit", "7-9=?", "-2", True),
    ("one-digit", "What is 12 - 3?", "9", False),
    ("one-digit", "What is 3 times 4?", "12", False),
    ("one-digit", "What is 4 + -2?", "2", False),
    ("one-digit", "What is the difference between 3 and 8?", None, False),  # 5 or -5?
    ("one-digit", "Tom has 3 apples and finds 4 more.", None, False),
    ("two-digit", "What is 47 + 8?", "55", True),
    ("two-digit", "What is 47 - 8?", "39", True),
    ("two-digit", "Calculate 63 minus 9.", "54", True),
    ("two-digit", "What is 8 + 47?", "55", False),  # the one-digit number first
    ("two-digit", "Subtract 8 from 47.", "39", False),
    ("two-digit", "What is 47 + 18?", "65", False),
    ("times", "What is 6 times 7?", "42", True),
    ("times", "What is 4 x 5?", "20", True),
    ("times", "What is 4 × 5?", "20", True),
    ("times", "Multiply 3 by 9.", "27", True),
    ("times", "What is the product of eight and nine?", "72", True),
    ("times", "What is 12 times 3?", "36", False),
    ("times", "What is 3 + 4?", "7", False),
    ("gcd", "What is the GCD of 12 and 18?", "6", True),
    ("gcd", "Find the greatest common divisor of twelve and eighteen.", "6", True),
    ("gcd", "gcd(8, 12) = ?", "4", True),
    ("gcd", "What is the greatest common factor of 30 and 45?", "15", False),
    ("gcd", "What is the greatest common divisor of 4, 6 and 8?", "2", False),
    ("gcd", "What is the least common multiple of 4 and 6?", None, False),
    ("parity", "Is 347 even or odd?", "odd", True),
    ("parity", "Is the number 1,000 even?", "even", True),
    ("parity", "Is 64 odd? Pick a number from 1 to 1000.", "even", True),
    ("parity", "Is 0 even or odd?", "even", False),
    ("parity", "Is 3.5 even?", None, False),
    ("bigger", "Is 45 greater than 12?", "yes", True),
    ("bigger", "Is 12 bigger than 45?", "no", True),
    ("bigger", "Is 5 greater than 5?", "no", True),
    ("bigger", "Compare 30 and 20: is the first number greater than the second?", "yes", True),
    ("bigger", "Is 45 less than 12?", "no", False),  # answered as asked; not the task's question
    ("bigger", "Is 150 larger than 3?", "yes", False),
    ("bigger", "Which is larger, 4 or 5?", None, False),
    ("largest", "Which option holds the largest number? A) 12 B) 40 C) 7 D) 3", "B", True),
    ("largest", "Which is the largest?\nA. 12\nB. 9\nC. 70\nD. 3", "C", True),
    ("largest", "(A) 51 (B) 5 (C) 1 (D) 2", "A", True),
    ("largest", "Option A is 4, option B is 9, option C is 2, option D is 11.", "D", True),
    ("largest", "A: 12, B: 150, C: 7, D: 3", "B", False),
    ("largest", "A) 5 B) 5 C) 1 D) 2", None, False),  # a tie: no single right option
    ("largest", "A) 5 B) 7 C) 1", None, False),
    ("minutes", "How many minutes are in 3 hours?", "180", True),
    ("minutes", "How many minutes are there in five hours?", "300", True),
    ("minutes", "How many minutes are in an hour?", "60", True),
    ("minutes", "How many minutes are in 13 hours?", "780", False),
    ("minutes", "How many minutes are in 2.5 hours?", "150", False),
    ("minutes", "How many minutes are there in a whole number of hours (9)?", "540", True),
    ("minutes", "Convert 2 hours and 30 minutes to minutes.", "150", False),
    ("next-day", "If today is Monday, what day will it be in 3 days?", "Thursday", True),
    ("next-day", "What day comes 2 days after Saturday?", "Monday", True),
    ("next-day", "What day is three days after tuesday?", "Friday", True),
    ("next-day", "Today is Friday. What day is the day after tomorrow?", "Sunday", True),
    ("next-day", "Today is Friday. What day was it 2 days ago?", "Wednesday", False),
    ("next-day", "If today is Sunday, what day is it in one week?", "Sunday", False),
    ("next-day", "What day comes after 3 days?", None, False),
    ("rounding", "Round 347 to the nearest ten.", "350", True),
    ("rounding", "Round 345 to the nearest 10.", "350", True),
    ("rounding", "What is 1,234 rounded to the nearest ten?", "1230", False),
    ("rounding", "Round 347 to the nearest hundred.", "300", False),
]


@pytest.mark.parametrize(("task", "text", "right", "meets"), READINGS)
def test_the_program_reads_inputs_written_in_different_ways(task, text, right, meets):
    assert answers.right_answer(task, text) == (right, meets)


@pytest.mark.parametrize(("task", "right"), [(t, r) for t, _, r, _ in READINGS if r is not None])
def test_the_programs_answers_are_answers_the_tasks_verifier_reads(task, right):
    verifier = load_task(SUITE / f"{task}.yaml").verifier
    assert verifier.canonical(right) is not None
    assert verifier.equal(right, right)


def test_possible_answers_count_what_the_stated_constraints_allow():
    counts = {name: answers.possible_answers(name) for name in answers.READERS}
    assert counts["one-digit"] == 28  # -9 .. 18
    assert counts["two-digit"] == 108  # 1 .. 108
    assert (counts["parity"], counts["bigger"], counts["largest"]) == (2, 2, 4)
    assert (counts["next-day"], counts["minutes"], counts["gcd"]) == (7, 12, 20)
    assert answers.possible_answers("no-such-task") is None


HELDOUT = SUITE / "two-digit.heldout.jsonl"  # the dev part
TEST_PART = SUITE / "two-digit.test.jsonl"


def read_rows(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize("path", [HELDOUT, TEST_PART], ids=["dev", "test"])
def test_the_heldout_answers_are_the_programs_answers(path):
    rows = read_rows(path)
    assert len(rows) == 120 and len({row["input"] for row in rows}) == 120
    assert sum(" + " in row["input"] for row in rows) == 60
    for row in rows:
        assert answers.right_answer("two-digit", row["input"]) == (str(row["answer"]), True)
        assert set(row) == {"id", "input", "answer"}


def test_the_dev_and_test_parts_share_no_problem():
    dev, test = ({row["input"] for row in read_rows(path)} for path in (HELDOUT, TEST_PART))
    assert not dev & test


def test_the_heldout_files_are_what_their_generator_writes(tmp_path, monkeypatch):
    maker = load_module(SUITE / "make_heldout.py", "user_task_make_heldout")
    monkeypatch.setattr(maker, "HERE", tmp_path)
    maker.main()
    for path in (HELDOUT, TEST_PART):
        assert (tmp_path / path.name).read_text() == path.read_text()


def test_the_benchmark_reads_its_figures_from_a_run_folder(tmp_path):
    bench = load_module(ROOT / "benchmarks" / "user_tasks.py", "user_tasks_benchmark")
    task = load_task(SUITE / "parity.yaml")

    def rows(name, items):
        text = "".join(json.dumps({"input": i, "answer": a}) + "\n" for i, a in items)
        (tmp_path / name).write_text(text)

    four, seven = ("Is 4 even or odd?", "even"), ("Is 7 even or odd?", "even")  # 7: wrong
    too_big = ("Is 2000 even or odd?", "even")  # right, outside 1 to 1000
    rows("generate.jsonl", [four, too_big, ("Is 7 even or odd?", "odd"), ("Is 9?", "odd")])
    rows("verify.jsonl", [four, too_big, seven])
    rows("dedup.jsonl", [four, too_big, seven])
    manifest = {"stages": {
        "generate": {"status": "done", "counts": {"parsed": 4, "rejected_states_answer": 2}},
        "dedup": {"status": "failed", "error": "dedup: 3 of 3 labels are 'even'",
                  "counts": {"kept": 3, "top_label": "even", "label_dominance": 1.0}},
    }}  # fmt: skip
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    figures = bench.measure("parity", task, tmp_path, 6, answers)
    assert (figures["parsed"], figures["labelled"], figures["kept"]) == (4, 3, 3)
    assert figures["yield"] == 0.5
    assert (figures["labels_right"], figures["labels_readable"]) == (2, 3)
    assert (figures["top_label"], figures["top_label_share"], figures["even_share"]) == (
        "even", 1.0, 0.5,
    )  # fmt: skip
    assert figures["kept_meeting"] == round(2 / 3, 4) and figures["parsed_meeting"] == 0.75
    assert figures["generate_rejects"] == {"states_answer": 2}
    assert figures["label_checks"] == {"dedup.top_label": "even", "dedup.label_dominance": 1.0}
    assert figures["errors"] == {"dedup": "dedup: 3 of 3 labels are 'even'"}
    # three honest parity labels: the top one has 2 or 3 of them, 3/4 of the time 2
    assert 0.7 < figures["honest_top_share"] < 0.8
    row = {**figures, "stopped": "StageStop: ...", "wall_s": 1.0, "votes_reason": True}
    assert bench.bars(row) == {"accuracy": False, "top_label": True, "yield": True}
    assert (
        "| parity | 0.5B, reasoning votes | 6 | 4 | 3 | 3 | 50% | 67% (0) | even (100%) | 75% "
        "| 67% | 75% | accuracy | dedup |"
    ) in bench.table([row])


def test_honest_labels_of_a_gcd_are_mostly_1():
    # An even share (1 / 20) would call honest GCD labels poisoned: 1 is the GCD of 64% of
    # the pairs the task allows.
    bench = load_module(ROOT / "benchmarks" / "user_tasks.py", "user_tasks_benchmark")
    shares = answers.answer_shares("gcd")
    assert abs(sum(shares.values()) - 1) < 1e-9 and max(shares, key=shares.get) == "1"
    assert bench.honest_top(shares, 20) > 0.6
    assert bench.honest_top(answers.answer_shares("largest"), 400) < 0.3
