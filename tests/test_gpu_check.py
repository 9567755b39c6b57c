"""benchmarks/gpu_check.py: says so without CUDA; runs every stage on CPU when asked."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

SCRIPT = Path(__file__).parents[1] / "benchmarks" / "gpu_check.py"


@pytest.mark.skipif(torch.cuda.is_available(), reason="with CUDA the check really runs")
def test_without_cuda_it_says_so_and_exits_0():
    done = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True)
    assert done.returncode == 0 and "no CUDA device" in done.stdout


@pytest.mark.slow
def test_the_same_check_runs_on_cpu(tmp_path):
    out = tmp_path / "check"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--cpu", "--student", "smollm2-135m", "--steps", "1",
         "--out", str(out), "--pool", "12", "--student-steps", "1", "--eval-items", "6"],
        capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads((out / "gpu-check.json").read_text())
    assert figures["grpo_steps"] == 1 and figures["bf16"] is False and figures["vllm"] is False
    assert figures["eval_items"] == 6 and figures["device"] == "cpu"
    # the student side on real GSM8K problems: dev items scored and selected, test items scored
    student = figures["student_side"]
    assert student["pool"] == 12 and student["score_counts"]["samples"] == 12
    assert student["grpo_steps"] == 1 and student["eval_items"] == 6
    assert student["eval_set"] == "gsm8k-test: test part"
