"""Selection strategies on fixed pass rates, the validation split, and the exports."""

import pyarrow.parquet as pq
import pytest

from synthrl.config import SelectConfig
from synthrl.selection import choose, order, select
from synthrl.task import load_task
from synthrl.train.export import export

RATES = {"a": 0.0, "b": 0.125, "c": 0.5, "d": 0.875, "e": 1.0, "f": 0.5, "g": 0.25}
ROWS = [{"id": k, "pass_rate": v, "input": f"q {k}", "answer": "1", "reference": "#### 1"}
        for k, v in RATES.items()]  # fmt: skip


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        ("paper", ["b", "g", "c", "f", "d", "a", "e"]),
        ("balanced", ["c", "f", "g", "b", "d", "a", "e"]),
        ("easy", ["e", "d", "c", "f", "g", "b", "a"]),
        ("hard", ["a", "b", "g", "c", "f", "d", "e"]),
        ("all", ["a", "b", "c", "d", "e", "f", "g"]),
    ],
)
def test_strategies_order_samples(strategy, expected):
    assert [r["id"] for r in order(ROWS, strategy, seed=0)] == expected


def test_random_is_seeded():
    first = [r["id"] for r in order(ROWS, "random", seed=3)]
    assert first == [r["id"] for r in order(ROWS, "random", seed=3)]
    assert sorted(first) == sorted(RATES)


def test_paper_keeps_m_and_holds_out_a_validation_split():
    train, validation = select(ROWS, SelectConfig(m=5, strategy="paper", validation=0.2))
    kept = {r["id"] for r in train + validation}
    assert kept == {"b", "g", "c", "f", "d"}
    assert len(validation) == 1 and not {r["id"] for r in train} & {r["id"] for r in validation}


def test_a_later_round_replays_its_share_of_the_round_befores_samples():
    config = SelectConfig(m=4, strategy="paper", validation=0.0, replay=0.5)
    before = {"a", "e", "d"}  # what the round before trained on: now never or always solved
    train, _ = select(ROWS, config, before)
    ids = [r["id"] for r in train]
    assert len(ids) == 4 and len(set(ids) & before) >= 2  # two drawn from the round before
    replayed = [i for i in ids if i in before][:2]
    assert ids[2:] == [i for i in ["b", "g", "c", "f"] if i not in replayed][:2]  # then the rule
    assert choose(ROWS, config, replay=before)[2]["replayed"] == 2
    assert [r["id"] for r in select(ROWS, config, before)[0]] == ids  # seeded
    # without the setting, or in round 1 (nothing to replay), the selection is the rule's
    plain = [r["id"] for r in select(ROWS, SelectConfig(m=4, validation=0.0))[0]]
    assert plain == ["b", "g", "c", "f"]
    unset = SelectConfig(m=4, validation=0.0)
    assert [r["id"] for r in select(ROWS, unset, before)[0]] == plain
    assert [r["id"] for r in select(ROWS, config, set())[0]] == plain


def test_all_ignores_m():
    train, validation = select(ROWS, SelectConfig(m=2, strategy="all", validation=0))
    assert len(train) == 7 and validation == []


def test_select_stage_reports_informative_samples_and_shortfall():
    train, _, counts = choose(ROWS, SelectConfig(m=7, validation=0))
    assert counts["informative"] == 5 and counts["shortfall"] == 2
    assert len(train) == 7


def test_exports_for_datasets_and_verl(tmp_path):
    train, validation, _ = choose(ROWS, SelectConfig(m=4, validation=0.25))
    export(load_task("gsm8k"), train, validation, tmp_path / "export")
    hf = pq.read_table(tmp_path / "export" / "hf" / "train.parquet").to_pylist()
    assert len(hf) == 3 and hf[0]["prompt"][0]["role"] == "user" and hf[0]["answer"] == "1"
    verl = pq.read_table(tmp_path / "export" / "verl" / "test.parquet").to_pylist()
    assert verl[0]["reward_model"] == {"style": "rule", "ground_truth": "1"}
    assert verl[0]["data_source"] == "synthrl/gsm8k" and verl[0]["extra_info"]["split"] == "test"


BOOM_TASK = """\
name: boom
description: Add two numbers.
input_format: A sum.
output_format: The result alone on the last line.
answer: {type: custom, function: "boom_check:read", read_from: final_line}
"""


def test_answers_the_checker_cannot_grade_count_neither_way(tmp_path):
    from synthrl.config import StudentConfig, load_config
    from synthrl.records import Sample
    from synthrl.student.sampler import ServerSampler
    from synthrl.student.scoring import score
    from synthrl.testing.fake_server import FakeServer

    (tmp_path / "boom_check.py").write_text(
        "def read(text):\n"
        "    if 'boom' in text:\n"
        "        raise ValueError('the checker broke')\n"
        "    return text.strip().splitlines()[-1]\n"
    )
    (tmp_path / "boom.yaml").write_text(BOOM_TASK)
    task = load_task(tmp_path / "boom.yaml", allow_code=True)
    run = tmp_path / "run"
    run.mkdir()
    base = {"task": "boom", "reference": "", "origin": "initial", "parent_id": None,
            "passage_id": None, "votes": {}, "unreadable_votes": 0, "agreement": 1.0}  # fmt: skip
    rows = [{**base, "id": "a", "input": "2 + 3", "answer": "5"},
            {**base, "id": "b", "input": "boom", "answer": "5"}]  # fmt: skip
    samples = [Sample.from_dict(r) for r in rows]

    def student(body, index):  # of 8 answers to "2 + 3": 2 break the checker, 3 right, 3 wrong
        if "boom" in str(body):
            return "boom"
        return "boom" if index % 8 < 2 else "5" if index % 8 < 5 else "7"

    config = load_config(profile="cpu", overrides={"score": {"samples": 8}, "select": {"m": 4}})
    with FakeServer(student) as server:
        sampler = ServerSampler(StudentConfig(backend="server", base_url=server.base_url))
        records, counts = score(task, config, samples, sampler)
    rows = {r["id"]: r for r in records}
    assert rows["a"]["pass_rate"] == 0.5 and rows["a"]["extra"]["ungraded"] == 2
    assert rows["b"]["pass_rate"] is None and rows["b"]["extra"]["ungraded"] == 8
    assert counts["ungradable"] == 1 and counts["ungraded_answers"] == 10
    train, _, selected = choose(records, config.select)
    assert selected["ungradable"] == 1 and selected["scored"] == 2
    assert "b" not in {r["id"] for r in train}
