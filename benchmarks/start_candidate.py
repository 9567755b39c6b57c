"""What `train.start_is_candidate` decides for finished trainings: the starting model's
validation reward beside the checkpoints' own (from the run's train/metrics.jsonl).

    .venv/bin/python benchmarks/start_candidate.py RUN [RUN ...]

For each run folder, the training is repeated in a temporary copy with GRPO's own training
loop skipped, so that `synthrl.train.grpo.train` only measures the starting model on the
run's validation split, exactly as it does before the first step of a real training (same
trainer, same seed). Nothing in RUN is written.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

COPIED = ("selected.jsonl", "validation.jsonl", "config.yaml", "task.yaml", "manifest.json")


def checkpoint_rewards(run: Path) -> list[tuple[int, float]]:
    """(step, validation reward) of the run's own training."""
    found = sorted(run.glob("train/*/metrics.jsonl")) or [run / "train" / "metrics.jsonl"]
    rows = [json.loads(line) for line in found[0].read_text().splitlines() if line.strip()]
    return [(row["step"], row["eval_reward"]) for row in rows if "eval_reward" in row]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", type=Path, help="finished run folders (RUN/round2, ...)")
    args = parser.parse_args()
    import trl

    from synthrl.cli_student import open_run
    from synthrl.train import grpo

    trl.GRPOTrainer.train = lambda self, **kwargs: None  # measure the start, train nothing
    for run in args.runs:
        task, config = open_run(run, {})
        train = config.train.model_copy(update={"start_is_candidate": True})
        config = config.model_copy(update={"train": train})
        with tempfile.TemporaryDirectory() as scratch:
            copy = Path(scratch)
            for file in COPIED:
                shutil.copy(run / file, copy / file)
            start = grpo.train(task, config, copy, key="start")["start_metric"]
        points = checkpoint_rewards(run)
        best = max((reward for _, reward in points), default=None)
        kept = not grpo.beats(best, start, {"greater_is_better": True})  # the training's rule
        print(
            f"{run}: start {start:.2f}; checkpoints "
            + ", ".join(f"step {step} {reward:.2f}" for step, reward in points)
            + f"; {'keeps the start' if kept else 'keeps the best checkpoint'}",
            flush=True,
        )


if __name__ == "__main__":
    main()
