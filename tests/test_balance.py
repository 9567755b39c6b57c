"""Balanced labels by construction for closed answers (boolean, label, choice): each request
names its answer, a choice's options are swapped to put the answer at the named letter, and
the labels by answer are counted where the label check reports."""

import json
from collections import Counter

import pytest

from synthrl.config import load_config
from synthrl.errors import UserError
from synthrl.io import read_json, read_jsonl
from synthrl.pipeline import run_synth
from synthrl.synth.balance import move_option, options_in, targets
from synthrl.task import load_task
from synthrl.testing.fake_server import FakeServer
from synthrl.testing.scripted import LabelTeacher

MENTIONS = """
name: mentions
description: Say whether the passage mentions the given word.
input_format: A short passage after "Passage:", then a word after "Word:".
answer: {type: boolean}
"""
WHICH_WORD = """
name: which-word
description: Pick the word that the passage mentions.
input_format: A short passage after "Passage:", a question, then four options A) to D).
answer: {type: choice, options: [A, B, C, D]}
"""
GENERATE = ("keywords", "retrieve", "pattern", "generate")


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNTHRL_CACHE", str(tmp_path / "synthrl-cache"))


def task_from(tmp_path, text, name):
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    return load_task(path)


def config_for(server, n=24, **synth):
    return load_config(
        profile="cpu",
        overrides={
            "teacher": {"base_url": server.base_url, "model": "fake", "concurrency": 8},
            "synth": {"n": n, "votes": 3, **synth},
            "corpus": {"source": "none"},
        },
    )


def generation_prompts(server):
    prompts = [json.loads(p)["messages"][0]["content"] for p in server.prompts]
    return [p for p in prompts if p.startswith("You write one new example")]


def test_targets_hold_every_value_once_per_block_and_repeat_with_the_seed():
    made = targets(["A", "B", "C", "D"], 10, seed=3)
    assert sorted(made[:4]) == sorted(made[4:8]) == ["A", "B", "C", "D"]
    assert made == targets(["A", "B", "C", "D"], 10, seed=3)
    assert made != targets(["A", "B", "C", "D"], 10, seed=4)


@pytest.mark.parametrize(
    ("text", "answer", "target", "moved"),
    [
        ("Q?\nA) cat\nB) dog\nC) cow\nD) hen", "A", "D", "Q?\nA) hen\nB) dog\nC) cow\nD) cat"),
        ("Q? (A) red (B) blue (C) green", "C", "A", "Q? (A) green (B) blue (C) red"),
        ("Q?\nA. one\nB. two\nAnswer with a letter.", "B", "A",
         "Q?\nA. two\nB. one\nAnswer with a letter."),
        ("Q?\nA) x\nB) y", "B", "B", "Q?\nA) x\nB) y"),  # already there
    ],
)  # fmt: skip
def test_an_option_is_moved_to_the_target_letter(text, answer, target, moved):
    assert move_option(text, answer, target) == (moved, target)


@pytest.mark.parametrize(
    ("text", "answer", "target"),
    [
        ("Which is bigger, 3 or 4?", "A", "B"),  # no options
        ("Q?\nA) x\nC) z", "A", "C"),  # B missing
        ("Q?\nA) x\nB) y", "A", "D"),  # the target is not an option shown
        ("Q?\nA)\nB) y", "A", "B"),  # an empty option
    ],
)
def test_options_that_cannot_be_read_are_not_moved(text, answer, target):
    assert move_option(text, answer, target) is None


def test_options_are_read_only_in_letter_order():
    assert options_in("B) x\nA) y", ["A", "B"]) is None


def test_a_yes_leaning_teacher_asked_for_each_answer_in_turn_gives_balanced_labels(tmp_path):
    task = task_from(tmp_path, MENTIONS, "mentions")
    with FakeServer(LabelTeacher("boolean", bias=0.8)) as server:
        stages = run_synth(task, config_for(server), tmp_path / "run", False)
        prompts = generation_prompts(server)
    asked = Counter(p.count('whose right answer is "yes"') for p in prompts)
    assert asked[1] == 12 and len(prompts) == 24  # half the requests ask for "yes"
    assert not any("use " in p and "numbers" in p for p in prompts)  # no numbers to use
    labels = Counter(r["answer"] for r in read_jsonl(tmp_path / "run" / "verify.jsonl"))
    assert labels["yes"] == labels["no"] == 12
    verify = stages["verify"]["counts"]
    assert verify["label_counts"] == {"yes": 12, "no": 12} and verify["label_check"] == "ok"
    assert stages["generate"]["counts"]["on_target"] == 24


def test_without_balance_a_yes_leaning_teacher_is_stopped_with_the_advice(tmp_path, capsys):
    task = task_from(tmp_path, MENTIONS, "mentions")
    with FakeServer(LabelTeacher("boolean", bias=0.9)) as server:
        with pytest.raises(UserError) as stop:
            run_synth(task, config_for(server, balance_labels=False), tmp_path / "run", False)
        assert not any("whose right answer" in p for p in generation_prompts(server))
    assert "are 'yes'" in str(stop.value) and "synth.balance_labels: true" in str(stop.value)
    counts = read_json(tmp_path / "run" / "manifest.json")["stages"]["verify"]["counts"]
    assert counts["label_counts"]["yes"] > 3 * counts["label_counts"]["no"]
    assert "verify: labels by answer: yes" in capsys.readouterr().err


def test_a_teacher_that_puts_every_right_option_first_gets_its_options_moved(tmp_path):
    task = task_from(tmp_path, WHICH_WORD, "which-word")
    # follows=0: it ignores the letter it is asked for and always answers "A"
    with FakeServer(LabelTeacher("choice", follows=0.0)) as server:
        stages = run_synth(task, config_for(server), tmp_path / "run", False)
        assert not any("right answer" in p for p in generation_prompts(server))  # not asked
    generate = stages["generate"]["counts"]
    assert generate["options_moved"] == 18 and generate["on_target"] == 24  # 6 asked for A
    verified = read_jsonl(tmp_path / "run" / "verify.jsonl")
    assert Counter(r["answer"] for r in verified) == {"A": 6, "B": 6, "C": 6, "D": 6}
    for record in verified:  # the votes read the moved options: the label names the word
        passage, *_, options = record["input"].partition("\nWhich")
        right = dict(line.split(") ") for line in options.splitlines() if ") " in line)
        assert right[record["answer"]] in passage
    manifest = read_json(tmp_path / "run" / "manifest.json")
    assert manifest["stages"]["dedup"]["counts"]["label_counts"] == {"A": 6, "B": 6, "C": 6, "D": 6}


def test_without_balance_every_right_option_is_a_and_the_run_stops(tmp_path):
    task = task_from(tmp_path, WHICH_WORD, "which-word")
    with FakeServer(LabelTeacher("choice")) as server, pytest.raises(UserError) as stop:
        run_synth(task, config_for(server, balance_labels=False), tmp_path / "run", False)
    assert "synth.balance_labels: true" in str(stop.value)
    manifest = read_json(tmp_path / "run" / "manifest.json")
    assert manifest["stages"]["verify"]["counts"]["label_counts"] == {
        "A": 24,
        "B": 0,
        "C": 0,
        "D": 0,
    }


@pytest.mark.parametrize("weight", ["veto", "vote"])
def test_a_target_asked_for_steers_the_writing_and_the_votes_decide(tmp_path, weight):
    task = task_from(tmp_path, MENTIONS, "mentions")
    # every vote on a fifth of the questions gives the other answer than the one asked for
    with FakeServer(LabelTeacher("boolean", vote_error=0.2)) as server:
        config = config_for(server, generator_answer=weight, extra_votes=0)  # K votes alone
        stages = run_synth(task, config, tmp_path / "run", False, stages=(*GENERATE, "verify"))
    verify = stages["verify"]["counts"]
    samples = read_jsonl(tmp_path / "run" / "verify.jsonl")
    against = [s for s in samples if s["answer"] != s["proposed_answer"]]
    if weight == "veto":  # the generator's answer, the target's, drops the votes' label
        assert verify["rejected_generator_disagrees"] > 0 and not against
        assert verify["verified"] + verify["rejected_generator_disagrees"] == 24
    else:  # one vote of four: three votes against it keep their label
        assert "rejected_generator_disagrees" not in verify and len(samples) == 24
        assert len(against) > 0 and all(s["votes"] == {s["answer"]: 3} for s in against)
