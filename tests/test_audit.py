"""The label audit: labels answered again independently (the same teacher rephrased, or a
second teacher), the agreement with its interval, and suspects that selection can drop."""

import json
import re

import pytest

from synthrl.config import load_config
from synthrl.errors import UserError
from synthrl.io import read_json, read_jsonl, write_jsonl
from synthrl.llm.client import BudgetReached
from synthrl.pipeline import Pipeline
from synthrl.stages.audit import suspects
from synthrl.stats import interval
from synthrl.task import load_task
from synthrl.testing.fake_server import FakeServer, prompt_text

ROWS = [  # (question, label, the student's answers out of 4)
    ("What is 2 + 3?", "5", {"5": 3, "6": 1}),
    ("What is 4 + 4?", "9", {"8": 4}),  # a wrong label the student contradicts
    ("What is 6 + 1?", "7", {"8": 2, "9": 2}),
    ("What is 5 + 5?", "10", {}),
]


def adder(body, index):
    """A teacher that adds the last 'A + B' of the prompt right, every time."""
    a, b = re.findall(r"(\d+) \+ (\d+)", prompt_text(body))[-1]
    return f"{a} + {b} = {int(a) + int(b)}\n#### {int(a) + int(b)}"


def _run(tmp_path, teacher_url, **audit):
    run = tmp_path / "run"
    run.mkdir(exist_ok=True)
    write_jsonl(run / "score.jsonl", [
        {"id": f"s{i}", "task": "gsm8k", "input": q, "answer": label, "pass_rate": 0.5,
         "n_samples": 4, "extra": {"student_answers": answers}}
        for i, (q, label, answers) in enumerate(ROWS)
    ])  # fmt: skip
    overrides = {"teacher": {"base_url": teacher_url, "model": "fake"},
                 "audit": {"samples": 4, "votes": 3, **audit}}  # fmt: skip
    config = load_config(None, "cpu", overrides)
    Pipeline(load_task("gsm8k"), config, run, (), False).run_stages(("audit",))
    return run, config


def test_the_audit_measures_agreement_and_lists_suspects(tmp_path):
    with FakeServer(adder) as teacher:
        run, _ = _run(tmp_path, teacher.base_url)
        assert teacher.calls == 4
        asked = [prompt_text(json.loads(shape)) for shape in teacher.prompts]
        assert all(p.startswith("A question to answer independently:") for p in asked)
    audit = read_json(run / "audit.json")
    assert (audit["audited"], audit["agreed"], audit["disagreed"]) == (4, 3, 1)
    assert audit["agreement"] == 0.75 and audit["ci_low"] < 0.75 < audit["ci_high"]
    [wrong] = [a for a in audit["items"] if a["agrees"] is False]
    assert (wrong["label"], wrong["audit_answer"]) == ("9", "8")
    assert [s["id"] for s in audit["suspect_items"]] == ["s1"]
    assert audit["suspect_items"][0]["student_answer"] == "8"
    counts = read_json(run / "manifest.json")["stages"]["audit"]["counts"]
    assert counts["agreement"] == 0.75 and counts["suspects"] == 1


def _run_priced(tmp_path, teacher_url, budget, **audit):
    """_run with prices for both teachers and a budget (the second teacher's output costs)."""
    prices = {"fake": {"input": 0.0, "output": 0.0}, "other": {"input": 0.0, "output": 1e6}}
    overrides = {"teacher": {"base_url": teacher_url, "model": "fake", "prices": prices,
                             "budget": budget},
                 "audit": {"samples": 4, "votes": 3, **audit}}  # fmt: skip
    return load_config(None, "cpu", overrides)


def test_a_second_teacher_answers_instead_of_the_first(tmp_path):
    with FakeServer(adder) as first, FakeServer(lambda body, i: "#### 0") as second:
        run, _ = _run(tmp_path, first.base_url, model="other", base_url=second.base_url)
        assert first.calls == 0 and second.calls == 4
    audit = read_json(run / "audit.json")
    assert audit["agreed"] == 0 and audit["disagreed"] == 4
    assert "second teacher 'other'" in audit["checker"]
    # its calls count as the teacher's: in the stage's usage, at the second model's prices
    usage = read_json(run / "manifest.json")["stages"]["audit"]["usage"]
    assert usage["requests"] == 4 and usage["completion_tokens"] > 0


def test_the_second_teacher_spends_from_the_same_budget(tmp_path):
    with FakeServer(adder) as first, FakeServer(lambda body, i: "#### 0") as second:
        config = _run_priced(tmp_path, first.base_url, 1e9, model="other",
                             base_url=second.base_url)  # fmt: skip
        run, _ = _run(tmp_path, first.base_url)  # score.jsonl, and a first audit to redo
        Pipeline(load_task("gsm8k"), config, run, (), False).run_stages(("audit",))
        usage = read_json(run / "manifest.json")["stages"]["audit"]["usage"]
        assert usage["cost"] > 0  # priced as 'other', not as the free 'fake'
        tight = _run_priced(tmp_path, first.base_url, usage["cost"] / 10, model="other",
                            base_url=second.base_url, seed=1)  # fmt: skip
        with pytest.raises(BudgetReached):
            Pipeline(load_task("gsm8k"), tight, run, (), False).run_stages(("audit",))


def test_a_budget_refuses_an_unpriced_audit_teacher():
    with pytest.raises(UserError, match=r"teacher\.prices\.unpriced"):
        load_config(
            None,
            "cpu",
            {
                "teacher": {
                    "model": "fake",
                    "budget": 1.0,
                    "prices": {"fake": {"input": 1.0, "output": 1.0}},
                },
                "audit": {"model": "unpriced"},
            },
        )


def test_selection_can_leave_the_suspects_out(tmp_path):
    with FakeServer(adder) as teacher:
        run, config = _run(tmp_path, teacher.base_url)
    for drop, expected in ((False, 4), (True, 3)):
        chosen = config.model_copy(update={"select": config.select.model_copy(
            update={"drop_suspects": drop, "validation": 0.0, "m": 10})})  # fmt: skip
        Pipeline(load_task("gsm8k"), chosen, run, ("select",), False).run_stages(("select",))
        ids = {r["id"] for r in read_jsonl(run / "selected.jsonl")}
        assert len(ids) == expected and (("s1" in ids) != drop)


def test_suspects_need_a_confident_student_and_another_answer():
    verifier = load_task("gsm8k").verifier
    records = [{"id": "a", "input": "q", "answer": "5", "n_samples": 4,
                "extra": {"student_answers": answers}}
               for answers in ({"6": 3, "5": 1}, {"6": 2, "7": 2}, {"5.0": 4})]  # fmt: skip
    assert len(suspects(records, 0.75, verifier)) == 1
    assert interval(0, 0) == (None, None) and interval(20, 20)[1] == 1.0
