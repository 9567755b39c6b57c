"""The GPU paths at tiny size: bf16 training, vLLM generation inside TRL, a 0.5B student.

    make gpu-check                                   # what a GPU machine runs
    python benchmarks/gpu_check.py [--student qwen2.5-coder-0.5b] [--steps 4] [--out DIR]
    python benchmarks/gpu_check.py --cpu --student smollm2-135m --steps 1   # the same on CPU

Without CUDA it says so and exits 0 (unless --cpu asks for the CPU run). It installs nothing:
it needs synthrl importable (PYTHONPATH=src, or installed), a CUDA build of torch, and for the
vLLM path the `vllm` package; without vLLM it trains in bf16 and reports vLLM as skipped.

`--random-weights FOLDER` is for a machine the student's weights cannot reach (no network, too
large to bring): FOLDER holds only the student's config.json and tokenizer files, the check
builds an untrained model of that architecture from them (seeded), and selection takes samples
at random (an untrained model solves none, so the paper's rule would leave nothing to train).
Speed and memory are the architecture's; accuracies are meaningless then and marked so.

It runs the whole pipeline on the built-in gsm8k task against a scripted teacher served on
127.0.0.1 (no network): synthesis, scoring, selection, a few GRPO steps (train.use_vllm and
train.bf16 on `auto`), evaluation on 20 held-out items. Then it prints, and writes to
OUT/gpu-check.json: whether bf16 and vLLM were used, seconds per GRPO step, peak GPU memory,
scoring time, and the base and trained accuracy (20 items: a smoke figure, not a result).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path
from typing import Any


def untrained_copy(folder: Path, out: Path) -> Path:
    """An untrained model with FOLDER's architecture and tokenizer, saved in OUT/untrained."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    target = out / "untrained"
    if (target / "config.json").is_file():
        return target
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(folder))
    model.save_pretrained(target)
    AutoTokenizer.from_pretrained(folder).save_pretrained(target)
    return target


def settings(student: str, steps: int, cpu: bool) -> dict[str, Any]:
    """Tiny sizes: the point is that every GPU path runs, not what it learns (on CPU, tinier
    still: the CPU mode only checks the script)."""
    return {
        "profile": "gpu",
        "teacher": {"model": "scripted", "concurrency": 8},
        "synth": {"n": 8 if cpu else 16, "votes": 2, "min_yield": 0},
        "corpus": {"source": "none"},
        "student": {"model": student, "max_tokens": 32 if cpu else 64, "batch_size": 16,
                    "device": "cpu" if cpu else "auto"},
        "score": {"samples": 2 if cpu else 4},
        "audit": {"samples": 2 if cpu else 4},
        "select": {"m": 8, "validation": 0.25},
        "train": {"max_steps": steps, "save_steps": steps, "num_generations": 2 if cpu else 4,
                  "prompts_per_step": 2, "max_completion_length": 32 if cpu else 64,
                  "learning_rate": 1e-6},
        "eval": {"limit": 6 if cpu else 20},
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--student", default="qwen2.5-coder-0.5b")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--out", type=Path, default=Path("runs/gpu-check"))
    parser.add_argument("--cpu", action="store_true", help="run on CPU (checks the script)")
    parser.add_argument(
        "--random-weights",
        type=Path,
        metavar="FOLDER",
        help="config.json and tokenizer only: an untrained model of that shape",
    )
    args = parser.parse_args()

    import torch

    cuda = torch.cuda.is_available()
    if not cuda and not args.cpu:
        print("gpu-check: no CUDA device here (torch.cuda.is_available() is False); nothing to "
              "check. On a GPU machine: a CUDA build of torch, then `make gpu-check`.")  # fmt: skip
        return 0
    vllm = importlib.util.find_spec("vllm") is not None
    from synthrl.config import load_config
    from synthrl.io import read_json
    from synthrl.pipeline import Pipeline
    from synthrl.task import load_task
    from synthrl.testing.fake_server import FakeServer
    from synthrl.testing.scripted import ArithmeticTeacher

    student = args.student
    if args.random_weights:
        student = str(untrained_copy(args.random_weights, args.out))
    overrides = settings(student, args.steps, args.cpu)
    if args.random_weights:
        overrides["select"]["strategy"] = "random"
    began = time.perf_counter()
    with FakeServer(ArithmeticTeacher()) as teacher:
        overrides["teacher"]["base_url"] = teacher.base_url
        config = load_config(None, None, overrides)
        if cuda:
            torch.cuda.reset_peak_memory_stats()
        stages = Pipeline(load_task("gsm8k"), config, args.out, ("train", "eval"), True).run_stages(
            ("keywords", "retrieve", "pattern", "generate", "verify", "solve", "rewrite",
             "dedup", "score", "audit", "select", "train", "eval")
        )  # fmt: skip
    summary = read_json(args.out / "train" / "summary.json")
    metrics = [json.loads(line) for line in (args.out / "train" / "metrics.jsonl").open()]
    step_times = [row["step_time"] for row in metrics if "step_time" in row]
    evaluated = stages["eval"]["counts"]
    figures = {
        "device": torch.cuda.get_device_name(0) if cuda else "cpu",
        "torch": torch.__version__,
        "student": str(args.random_weights) + " (untrained)" if args.random_weights else student,
        "bf16": summary["runtime"]["bf16"],
        "vllm": summary["runtime"]["use_vllm"],
        "vllm_installed": vllm,
        "grpo_steps": summary["steps"],
        "s_per_step": round(sum(step_times) / len(step_times), 3) if step_times else None,
        "peak_gpu_memory_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2)
        if cuda
        else None,
        "score_s": stages["score"]["wall_s"],
        "train_s": stages["train"]["wall_s"],
        "eval_items": evaluated["items"],
        "base_accuracy": evaluated["base"],
        "trained_accuracy": evaluated["trained"],
        "accuracy_meaningful": not args.random_weights,
        "wall_s": round(time.perf_counter() - began, 1),
    }
    (args.out / "gpu-check.json").write_text(json.dumps(figures, indent=2) + "\n")
    for key, value in figures.items():
        print(f"{key:<22} {value}")
    if cuda and not vllm:
        print("vllm                   skipped: the vllm package is not installed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
