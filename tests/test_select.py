"""Selection strategies on fixed pass rates, the validation split, and the exports."""

import pyarrow.parquet as pq
import pytest

from synthrl.config import SelectConfig
from synthrl.io import read_jsonl, write_jsonl
from synthrl.select import order, run_select, select
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


def test_all_ignores_m():
    train, validation = select(ROWS, SelectConfig(m=2, strategy="all", validation=0))
    assert len(train) == 7 and validation == []


def test_select_stage_reports_informative_samples_and_shortfall(tmp_path):
    write_jsonl(tmp_path / "score.jsonl", ROWS)
    counts = run_select(tmp_path, SelectConfig(m=7, validation=0))
    assert counts["informative"] == 5 and counts["shortfall"] == 2
    assert len(read_jsonl(tmp_path / "selected.jsonl")) == 7


def test_exports_for_datasets_and_verl(tmp_path):
    write_jsonl(tmp_path / "score.jsonl", ROWS)
    run_select(tmp_path, SelectConfig(m=4, validation=0.25))
    export(load_task("gsm8k"), tmp_path)
    hf = pq.read_table(tmp_path / "export" / "hf" / "train.parquet").to_pylist()
    assert len(hf) == 3 and hf[0]["prompt"][0]["role"] == "user" and hf[0]["answer"] == "1"
    verl = pq.read_table(tmp_path / "export" / "verl" / "test.parquet").to_pylist()
    assert verl[0]["reward_model"] == {"style": "rule", "ground_truth": "1"}
    assert verl[0]["data_source"] == "synthrl/gsm8k" and verl[0]["extra_info"]["split"] == "test"
