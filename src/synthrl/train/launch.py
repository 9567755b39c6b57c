"""`synthrl train RUN --processes N`: the same command again under `accelerate launch`, N
data-parallel processes on this machine (GPUs when there are N, else CPU processes).

What it runs is what a user would type, so the multi-GPU and multi-node commands in the README
are this one with accelerate's own flags:

    accelerate launch --quiet --multi_gpu --num_processes N -m synthrl train RUN [flags]
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from synthrl.config import RunConfig
from synthrl.errors import UserError


def check_split(config: RunConfig, processes: int) -> None:
    """Refuse, before any process starts, a step's batch that N processes cannot share."""
    settings = config.train
    if settings.method == "grpo":
        total, what = settings.prompts_per_step * settings.num_generations, "prompts x generations"
    else:
        total, what = settings.sft_batch_size, "train.sft_batch_size"
    if total % processes:
        raise UserError(
            f"--processes {processes}: a training step holds {total} completions ({what}), "
            f"which {processes} processes cannot share evenly; use a number that divides {total}"
        )
    if settings.dynamic_sampling and processes > 1:
        raise UserError("--processes: train.dynamic_sampling runs in one process only")


def command(run: Path, processes: int, flags: list[str]) -> list[str]:
    """The accelerate command that runs `synthrl train RUN flags` in `processes` processes."""
    return [
        sys.executable, "-m", "accelerate.commands.launch", "--quiet",
        "--multi_gpu", "--num_processes", str(processes), "--num_machines", "1",
        "--mixed_precision", "no", "--dynamo_backend", "no",
        "-m", "synthrl", "train", str(run), *flags,
    ]  # fmt: skip


def launch(run: Path, processes: int, flags: list[str]) -> int:
    """Run the training in `processes` processes; returns the launcher's exit code."""
    environment = dict(os.environ)
    # Each process gets an equal share of the cores (torch would otherwise take them all in
    # every process and the processes would fight over them).
    cores = max(1, (os.cpu_count() or 1) // processes)
    environment.setdefault("OMP_NUM_THREADS", str(cores))
    return subprocess.run(command(run, processes, flags), env=environment).returncode
