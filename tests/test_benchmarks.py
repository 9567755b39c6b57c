"""Every benchmark script still starts: `--help` runs its imports and its argument parser
(learning.py once imported a CLI helper that had moved, and nothing but a run noticed)."""

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).parents[1] / "benchmarks"


@pytest.mark.parametrize("script", sorted(p.name for p in BENCHMARKS.glob("*.py")))
def test_the_benchmark_starts(script):
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--help"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "usage:" in done.stdout


@pytest.fixture
def learning(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import learning

    return learning


def test_a_task_argument_names_its_evaluation_and_human_labelled_sets(learning):
    task = learning.task_arg("examples/tasks/addition.yaml:run.yaml:a.test.jsonl:a.heldout.jsonl")
    assert (task.name, task.data, task.human) == ("addition", "a.test.jsonl", "a.heldout.jsonl")
    assert learning.task_arg("arithmetic").human is None


def test_the_human_arm_trains_on_the_dev_part_beside_a_test_part_and_never_on_the_test_part(
    learning, tmp_path
):
    from synthrl.config import load_config
    from synthrl.io import read_jsonl
    from synthrl.manifest import Manifest

    config = load_config(profile="cpu", overrides={"eval": {"data": "arithmetic-test"}})
    assert learning.human_set("arithmetic", config, None) == "arithmetic-dev"
    with pytest.raises(SystemExit, match="not a test part"):
        on_dev = load_config(profile="cpu", overrides={"eval": {"data": "arithmetic-dev"}})
        learning.human_set("arithmetic", on_dev, None)
    chosen = load_config(profile="cpu", overrides={"select": {"m": 20, "validation": 0.15}})
    learning.write_human_selection(tmp_path, "arithmetic", chosen, "arithmetic-dev")
    train, held = read_jsonl(tmp_path / "selected.jsonl"), read_jsonl(tmp_path / "validation.jsonl")
    assert (len(train), len(held)) == (20, 3)  # M, and 15% of M beside it
    assert all(r["origin"] == "human" and r["id"].startswith("arith-") for r in train + held)
    assert train[0]["answer"] == str(eval_free_sum(train[0]["input"]))
    record = Manifest(tmp_path / "manifest.json").stage("select")
    assert record["status"] == "done" and record["counts"]["human_set"] == "arithmetic-dev"


def eval_free_sum(question: str) -> int:
    """'What is 70 + 8?' -> 78, without evaluating text."""
    a, op, b = question.removeprefix("What is ").removesuffix("?").split()
    return int(a) + int(b) if op == "+" else int(a) - int(b)


def test_size_flags_become_config_overrides_under_the_arm(learning, tmp_path):
    chosen = learning.sizes(256, 32, None)
    assert chosen == {"synth": {"n": 256}, "select": {"m": 32}}
    task = learning.task_arg("arithmetic:src/synthrl/demo.yaml:arithmetic-test")
    config = learning.run_config(task, {}, 1, learning.ARMS["grpo-hard"], chosen)
    assert (config.synth.n, config.select.m, config.select.strategy) == (256, 32, "hard")
    assert (config.synth.seed, config.eval.data, config.eval.limit) == (1, "arithmetic-test", 120)


def test_learnable_counts_selected_samples_solved_sometimes(learning, tmp_path):
    from synthrl.io import write_jsonl

    rates = [0.0, 0.25, 0.5, 1.0, 0.875]
    write_jsonl(
        tmp_path / "selected.jsonl", [{"id": str(i), "pass_rate": r} for i, r in enumerate(rates)]
    )
    assert learning.learnable(tmp_path) == (3, 5)
    write_jsonl(tmp_path / "selected.jsonl", [{"id": "h", "pass_rate": None}])
    assert learning.learnable(tmp_path) is None
