"""Training in two processes with accelerate, on CPU with the real SmolLM2 student: the same
steps as one process, one set of logs and one model, and a killed training that resumes."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from synthrl.cli import main
from synthrl.config import load_config
from synthrl.io import read_json, read_jsonl, write_jsonl
from synthrl.orchestrate import write_run_inputs
from synthrl.task import load_task
from synthrl.train.launch import command

SUMS = [(3, 4), (12, 5), (7, 9), (20, 11), (6, 6), (15, 2), (9, 8), (31, 4), (2, 2), (40, 7)]


def make_run(folder, max_steps):
    """A run folder as `synthrl select` leaves it: task, config, selected and validation."""
    rows = [
        {"id": f"s{i}", "task": "gsm8k", "input": f"Ann has {a} pens and gets {b} more. How many?",
         "answer": str(a + b), "origin": "initial", "pass_rate": 0.5}
        for i, (a, b) in enumerate(SUMS)
    ]  # fmt: skip
    settings = {"max_steps": max_steps, "num_generations": 4, "prompts_per_step": 1,
                "max_completion_length": 12, "save_steps": 1, "eval_steps": 1}  # fmt: skip
    config = load_config(profile="cpu", overrides={"train": settings})
    folder.mkdir()
    write_run_inputs(load_task("gsm8k"), config, folder)
    write_jsonl(folder / "selected.jsonl", rows[:8])
    write_jsonl(folder / "validation.jsonl", rows[8:])


def train_command(run):
    return [sys.executable, "-m", "synthrl", "train", str(run), "--processes", "2", "--quiet"]


def kill_tree(pid):
    """SIGKILL a process and every process below it, as a crash would end them."""
    import psutil

    parent = psutil.Process(pid)
    for process in [*parent.children(recursive=True), parent]:
        process.send_signal(signal.SIGKILL)


def metric_rows(run):
    return [row for row in read_jsonl(run / "train" / "metrics.jsonl") if "reward_mean" in row]


@pytest.mark.slow
def test_two_processes_train_the_steps_of_one_and_write_one_set_of_logs(tmp_path):
    run = tmp_path / "run"
    make_run(run, max_steps=2)
    done = subprocess.run(train_command(run), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("trained 2 steps") == 1, "the first process alone says it"
    summary = read_json(run / "train" / "summary.json")
    assert summary["processes"] == 2 and summary["steps"] == 2
    stage = read_json(run / "manifest.json")["stages"]["train"]
    assert stage["status"] == "done" and stage["counts"]["steps"] == 2
    rows = metric_rows(run)
    assert [row["step"] for row in rows] == [1, 2]
    # one prompt per step over both processes, as in one process: 8 samples, 1/8 epoch a step
    assert rows[0]["epoch"] == pytest.approx(1 / 8)
    assert (run / "model" / "model.safetensors").is_file()
    # each process logged its half of a group; the run's log joins them
    folder = run / "train" / stage["key"]
    halves = read_jsonl(folder / "rewards.jsonl") + read_jsonl(folder / "rewards.1.jsonl")
    assert halves and all(len(row["rewards"]) == 2 for row in halves)
    joined = read_jsonl(run / "train" / "rewards.jsonl")
    trained = [row for row in joined if row["id"] not in {"s8", "s9"}]  # not validation's
    assert len(trained) == 2 and all(len(row["rewards"]) == 4 for row in trained)


@pytest.mark.slow
def test_a_killed_two_process_training_resumes_from_its_checkpoint(tmp_path):
    run = tmp_path / "run"
    make_run(run, max_steps=4)
    process = subprocess.Popen(
        train_command(run), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.time() + 600
    while not list(run.glob("train/*/checkpoint-2/trainer_state.json")) and time.time() < deadline:
        time.sleep(0.5)
    assert process.poll() is None, "the training ended before it could be stopped"
    kill_tree(process.pid)  # the launcher and its workers (torchrun gives them their own group)
    process.wait()
    logged = read_jsonl(next(run.glob("train/*/metrics.jsonl")))
    first = {row["step"]: row for row in logged if "reward_mean" in row}
    assert read_json(run / "manifest.json")["stages"]["train"]["status"] != "done"

    done = subprocess.run(train_command(run), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = metric_rows(run)
    assert [row["step"] for row in rows] == [1, 2, 3, 4]
    # the steps before the checkpoint are the first attempt's own rows: resumed, not restarted
    assert all(json.dumps(rows[i]) == json.dumps(first[i + 1]) for i in range(2))


def test_the_launch_is_the_accelerate_command_the_readme_gives():
    launched = command(Path("runs/x"), 4, ["--max-steps", "9"])
    assert launched[1:4] == ["-m", "accelerate.commands.launch", "--quiet"]
    assert launched[4:7] == ["--multi_gpu", "--num_processes", "4"]
    assert launched[-6:] == ["-m", "synthrl", "train", "runs/x", "--max-steps", "9"]


def test_processes_that_cannot_share_a_step_are_refused_before_any_start(tmp_path, capsys):
    run = tmp_path / "run"
    make_run(run, max_steps=2)
    with pytest.raises(SystemExit) as exit_info:
        main(["train", str(run), "--processes", "3", "--quiet"])
    assert exit_info.value.code == 2
    message = capsys.readouterr().err
    assert "4 completions" in message and "3 processes cannot share" in message
    assert not (run / "train").exists()


def test_processes_under_a_launcher_already_are_refused(tmp_path, capsys, monkeypatch):
    run = tmp_path / "run"
    make_run(run, max_steps=2)
    monkeypatch.setenv("WORLD_SIZE", "2")
    with pytest.raises(SystemExit) as exit_info:
        main(["train", str(run), "--processes", "2"])
    assert exit_info.value.code == 2 and "already runs under a launcher" in capsys.readouterr().err
