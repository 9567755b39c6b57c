"""`like` rewrites: a sample the student fails gets new problems of its form, with numbers drawn
in the task's ranges (what later rounds of `--rounds` ask for)."""

import json
import re

from synthrl.config import load_config
from synthrl.io import read_json, read_jsonl, write_jsonl
from synthrl.pipeline import run_synth
from synthrl.rounds import round_config
from synthrl.synth.writer import like_form
from synthrl.task import load_task
from synthrl.testing.fake_server import FakeServer, prompt_text

_ASKED = re.compile(r'exactly as a solver would see it: "([^"]+)"')
_SUM = re.compile(r"What is (\d+) ([+-]) (\d+)\?")


def _value(question: str) -> int:
    a, sign, b = _SUM.search(question).groups()
    return int(a) + int(b) if sign == "+" else int(a) - int(b)


class SumsTeacher:
    """Writes the input a generation request names; asked for a harder or easier version, a
    sum outside the task's ranges (as the 0.5B teacher did); votes the right answer."""

    def __call__(self, body, index):
        prompt = prompt_text(body)
        if prompt.startswith("You write one new example"):
            question = _ASKED.search(prompt).group(1)
            return json.dumps({"input": question, "reasoning": "", "answer": str(_value(question))})
        if prompt.startswith("You rewrite an example"):
            return json.dumps({"input": "What is 120 + 45?", "reasoning": "", "answer": "165"})
        return f"{_value(prompt)}"


def test_like_form_takes_the_numbers_out_where_the_ranges_fit():
    task = load_task("arithmetic")
    assert like_form(task, "What is 61 - 7?") == "What is … - …?"
    assert like_form(task, "What is 61 - 7 + 2?") is None  # three numbers, two ranges
    assert like_form(load_task("mednli"), "The patient is 61.") is None  # draws no numbers


def test_a_failed_sample_gets_two_new_problems_of_its_form_in_range(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNTHRL_CACHE", str(tmp_path / "cache"))
    task = load_task("arithmetic")
    out = tmp_path / "run"
    out.mkdir()
    base = {"task": "arithmetic", "reference": "", "votes": {}, "unreadable_votes": 0,
            "agreement": 1.0, "origin": "initial", "parent_id": None,
            "passage_id": None}  # fmt: skip
    write_jsonl(out / "solve.jsonl", [
        {**base, "id": "a", "input": "What is 61 - 7?", "answer": "54", "greedy_solved": False},
        {**base, "id": "b", "input": "What is 23 + 5?", "answer": "28", "greedy_solved": True},
    ])  # fmt: skip
    write_jsonl(out / "retrieve.jsonl", [])
    with FakeServer(SumsTeacher()) as server:
        config = load_config(
            profile="cpu",
            overrides={
                "teacher": {"base_url": server.base_url, "model": "fake"},
                "synth": {"votes": 3, "votes_reason": False},
                "corpus": {"source": "none"},
                "student": {"model": str(tmp_path / "round1" / "model")},
            },
        )
        config = round_config(config, tmp_path / "round1")  # what a second round runs with
        assert config.synth.unsolved_rewrites == "like"
        run_synth(task, config, out, False, ("rewrite",), with_student=True)
        counts = read_json(out / "manifest.json")["stages"]["rewrite"]["counts"]
        assert (counts["requested_like"], counts["requested_harder"]) == (2, 1)
        written = read_jsonl(out / "rewrite.jsonl")
        like = [r for r in written if r["origin"] == "like"]
        assert len(like) == 2 and all(r["parent_id"] == "a" for r in like)
        for record in like:  # the failed sample's form, other numbers, each in its range
            a, sign, b = _SUM.fullmatch(record["input"]).groups()
            assert sign == "-" and 10 <= int(a) <= 99 and 1 <= int(b) <= 9
            assert record["input"] != "What is 61 - 7?"
            assert record["answer"] == str(_value(record["input"]))
        assert len({r["input"] for r in like}) == 2
        rejects = read_jsonl(out / "rewrite.rejects.jsonl")  # the harder one broke the ranges
        assert len(rejects) == 1 and "120" in json.dumps(rejects[0])
        # The next round's pool, answered by its student, is asked for other numbers.
        rows = read_jsonl(out / "solve.jsonl")
        extra = {**rows[1], "id": "c", "input": "What is 40 + 2?"}
        write_jsonl(out / "solve.jsonl", [*rows, extra])
        run_synth(task, config, out, False, ("rewrite",), with_student=True)
        later = {r["input"] for r in read_jsonl(out / "rewrite.jsonl") if r["origin"] == "like"}
        assert later and later != {r["input"] for r in like}
