"""Variation for tasks whose inputs are texts, without a corpus: each generation request names
a subject the teacher proposed (one per request, in turn), and the input format's example
text is not shown to the teacher that writes inputs."""

import json

import pytest

from synthrl.config import load_config
from synthrl.io import read_json, read_jsonl
from synthrl.pipeline import run_synth
from synthrl.task import load_task
from synthrl.testing.fake_server import FakeServer, prompt_text
from synthrl.testing.scripted import LabelTeacher

REVIEWS = """
name: review-mood
description: Say whether a line from a restaurant review praises the place or not.
input_format: >-
  One line from a review, e.g. "the soup was cold and the waiter never came back ."
  Then a word after "Word:".
answer: {type: boolean}
"""
GENERATE = ("keywords", "retrieve", "pattern", "generate")
SUBJECTS = ["the soup", "the service", "the prices", "the music", "parking"]


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNTHRL_CACHE", str(tmp_path / "synthrl-cache"))


class SubjectTeacher(LabelTeacher):
    """The scripted label teacher, proposing five subjects when asked for them."""

    def __call__(self, body, index):
        if "different subjects that inputs of this task" in prompt_text(body):
            return json.dumps({"subjects": SUBJECTS})
        return super().__call__(body, index)


def synth(tmp_path, server, **settings):
    path = tmp_path / "review-mood.yaml"
    path.write_text(REVIEWS)
    config = load_config(
        profile="cpu",
        overrides={
            "teacher": {"base_url": server.base_url, "model": "fake", "concurrency": 8},
            "synth": {"n": 12, "votes": 3, **settings},
            "corpus": {"source": "none"},
        },
    )
    out = tmp_path / "run"
    stages = run_synth(load_task(path), config, out, False, GENERATE)
    prompts = [prompt_text(json.loads(p)) for p in server.prompts]
    return stages, out, [p for p in prompts if p.startswith("You write one new example")]


def test_each_request_names_a_proposed_subject_in_turn(tmp_path):
    with FakeServer(SubjectTeacher("boolean")) as server:
        stages, out, prompts = synth(tmp_path, server)
    assert read_json(out / "keywords.json")["subjects"] == SUBJECTS
    assert stages["keywords"]["counts"]["subjects"] == 5
    named = [next(s for s in SUBJECTS if f"(about {s})" in p) for p in prompts]
    assert sorted(named) == sorted(SUBJECTS * 2 + SUBJECTS[:2])
    kept = read_jsonl(out / "generate.rejects.jsonl") + read_jsonl(out / "generate.jsonl")
    assert kept  # the requests went through to the parser


def test_the_example_text_is_not_shown_to_the_writer(tmp_path):
    with FakeServer(SubjectTeacher("boolean")) as server:
        _, _, prompts = synth(tmp_path, server)
    example = "the soup was cold and the waiter never came back ."
    assert prompts and all(example not in p for p in prompts)
    assert all('e.g. "…"' in p and '"Word:"' in p for p in prompts)


def test_no_subjects_are_asked_for_when_switched_off_or_numbers_vary(tmp_path):
    with FakeServer(SubjectTeacher("boolean")) as server:
        stages, out, prompts = synth(tmp_path, server, subjects=0)
    assert stages["keywords"]["counts"]["from_teacher"] == 0
    assert "subjects" not in read_json(out / "keywords.json")
    assert prompts and not any("(about " in p for p in prompts)
    assert load_task("arithmetic").draws_numbers and not load_task("cqa").draws_numbers


def test_a_teacher_that_proposes_nothing_leaves_requests_as_they_were(tmp_path):
    class Silent(SubjectTeacher):
        def __call__(self, body, index):
            if "different subjects that inputs of this task" in prompt_text(body):
                return "I cannot think of any."
            return super().__call__(body, index)

    with FakeServer(Silent("boolean")) as server:
        stages, _, prompts = synth(tmp_path, server)
    assert stages["keywords"]["counts"]["subjects"] == 0
    assert stages["keywords"]["counts"]["no_subjects"] == 1
    assert prompts and not any("(about " in p for p in prompts)


def test_inputs_that_repeat_warn_that_the_task_may_allow_few(tmp_path, capsys):
    from synthrl.synth.stops import StageStop

    class Same(SubjectTeacher):
        def __call__(self, body, index):
            if prompt_text(body).startswith("You write one new example"):
                return json.dumps({"input": "Word: soup", "reasoning": "", "answer": "yes"})
            return super().__call__(body, index)

    with FakeServer(Same("boolean")) as server, pytest.raises(StageStop) as stop:
        synth(tmp_path, server)
    assert "11 of 12 inputs repeat an earlier one" in capsys.readouterr().err
    assert "duplicate_input 11" in str(stop.value) and "smaller synth.n" in str(stop.value)


def test_the_rewrite_stage_does_not_show_the_example_text_either(tmp_path):
    # The rewrite stage writes inputs too: shown the format's example, the 0.5B wrote it back
    # word for word as an "easier" sample of a sentiment task.
    with FakeServer(SubjectTeacher("boolean")) as server:
        _, out, _ = synth(tmp_path, server)
        sample = read_jsonl(out / "generate.jsonl")[0]
        solved = {
            **sample, "answer": "yes", "reference": "yes", "votes": {"yes": 3},
            "unreadable_votes": 0, "agreement": 1.0, "greedy_solved": False,
        }  # fmt: skip
        (out / "solve.jsonl").write_text(json.dumps(solved) + "\n")
        config = load_config(
            profile="cpu",
            overrides={
                "teacher": {"base_url": server.base_url, "model": "fake"},
                "corpus": {"source": "none"},
            },
        )
        task = load_task(tmp_path / "review-mood.yaml")
        run_synth(task, config, out, False, ("rewrite",), with_student=True)
        prompts = [prompt_text(json.loads(p)) for p in server.prompts]
    asked = [p for p in prompts if p.startswith("You rewrite an example")]
    assert len(asked) == 1
    assert "the soup was cold" not in asked[0] and 'e.g. "…"' in asked[0]
