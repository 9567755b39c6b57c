"""Cross-type behaviour of the verifier: counting, the prompt is never read, pickling, time."""

import pickle
import threading

import pytest

from synthrl.task import TaskReward, load_task, parse_task


def test_outcomes_are_counted_with_reasons():
    verifier = load_task("gsm8k").verifier
    verifier.grade("#### 1", "1")
    verifier.grade("#### 2", "1")
    verifier.grade("nothing", "1")
    verifier.grade("#### 1", "not a number")
    assert verifier.counts == {"correct": 1, "wrong": 1, "no_answer": 1, "gold_unparsable": 1}


def test_reward_function_reads_completions_not_prompts():
    reward = TaskReward(load_task("gpqa").verifier)
    prompts = ["Reply like <answer>B</answer>."] * 2
    completions = ["I do not know.", "<answer>B</answer>"]
    assert reward(completions, prompts=prompts, answer=["B", "B"]) == [0.0, 1.0]


def test_reward_function_accepts_conversational_completions():
    reward = TaskReward(load_task("cqa").verifier)
    completions = [[{"role": "assistant", "content": "<answer>no</answer>"}]]
    assert reward(completions, answer=["no"]) == [1.0]


def test_reward_function_survives_pickling():
    reward = pickle.loads(pickle.dumps(TaskReward(load_task("gsm8k").verifier)))
    assert reward(["#### 3"], answer=["3"]) == [1.0]


def test_format_credit_only_for_well_formed_wrong_answers():
    task = parse_task(
        "name: t\ndescription: d\ninput_format: i\n"
        "answer: {type: choice, options: [A, B], format_reward: 0.1}\n",
        "t.yaml",
        None,
    )
    v = task.verifier
    assert v.reward("<answer>A</answer>", "A") == 1.0
    assert v.reward("<answer>B</answer>", "A") == 0.1
    assert v.reward("The answer is B.", "A") == 0.0
    assert v.reward("<answer></answer>", "A") == 0.0


def test_custom_function_errors_mean_cannot_grade(tmp_path):
    (tmp_path / "checks_boom.py").write_text(
        "def read(text):\n    if 'boom' in text:\n        raise ValueError('bad')\n"
        "    return text.strip().lower() or None\n"
    )
    task_file = tmp_path / "t.yaml"
    task_file.write_text(
        "name: t\ndescription: d\ninput_format: i\n"
        "answer: {type: custom, function: 'checks_boom:read'}\n"
    )
    v = load_task(task_file, allow_code=True).verifier
    assert v.reward("<answer>Cat</answer>", "cat") == 1.0
    assert v.reward("<answer>boom</answer>", "cat") is None
    assert v.counts["checker_error"] == 1


def test_final_line_tasks_read_the_last_line():
    task = parse_task(
        "name: t\ndescription: d\ninput_format: i\nanswer: {type: number, read_from: final_line}\n",
        "t.yaml",
        None,
    )
    assert task.verifier.extract("12 eggs and 3 hens\n\n15\n") == "15"
    # A last line that states its result in words (a 0.5B teacher's votes on "What is 3 times
    # 6?" were mostly "3 times 6 is 18."); one that only mentions numbers stays unreadable.
    assert task.verifier.extract("Multiply.\n3 times 6 is 18.") == "18"
    assert task.verifier.extract("36 times 2 equals 72") == "72"
    assert task.verifier.extract("5 minus 7 is -2.") == "-2"
    assert task.verifier.extract("Tom is 7 years old and has 3 apples.") is None
    # After the last "=", an expression is not a result: a student that goes on writing
    # ("14 - 2 = 12 + 2.") is not read as 12, so the reward does not pay for going on: the
    # response is read as unformatted, by its last number.
    reading = task.verifier.inspect("14 - 2 = 12 + 2.")
    assert (reading.answer, reading.formatted) == ("2", False)
    assert task.verifier.extract("47 + 6 = 53 + 6 = 59 + 7") != "53"
    assert task.verifier.extract("x = 5 - 2 = 3") == "3"
    assert task.verifier.extract("1/2 + 1/4 = 3/4") == "0.75"
    assert task.verifier.extract("so it is = 1,000 apples") == "1000"
    done: list[str | None] = []
    spaces = "3 is 5" + " " * 200_000 + "x"  # no quadratic backtracking over the spaces
    worker = threading.Thread(target=lambda: done.append(task.verifier.extract(spaces)))
    worker.start()
    worker.join(timeout=60)
    assert done == [None]


def test_huge_adversarial_responses_do_not_hang():
    v = load_task("gpqa").verifier
    response = "<answer" * 20000 + "\\boxed{" * 20000 + "A " * 50000
    results = []
    worker = threading.Thread(target=lambda: results.append(v.reward(response, "A")), daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert results == [0.0]


@pytest.mark.slow
def test_pathological_math_is_bounded_off_the_main_thread():
    v = load_task("math").verifier
    results = []

    def grade():
        results.append(v.reward("\\boxed{(x+1)^{2000}}", "(x+2)^{1500}"))

    worker = threading.Thread(target=grade, daemon=True)
    worker.start()
    worker.join(timeout=90)
    assert not worker.is_alive()
    assert results and results[0] in (0.0, None)
