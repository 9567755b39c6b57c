"""synthrl demo: the whole pipeline offline on a CPU, with nothing but what pip installed.

It is `synthrl run TASK --teacher local --config demo.yaml` on the demo task:
- teacher: Qwen2.5-Coder-0.5B-Instruct, served by llama.cpp on a free loopback port for the
  length of the run (see `local_teacher`);
- student: SmolLM2-135M-Instruct (the built-in `smollm2-135m`);
- task: TASK below; sizes: `demo.yaml` beside this file.

The run folder resumes like any other: a rerun skips what finished, and the teacher's port may
change between runs without rerunning stages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console

from synthrl.config import RunConfig, load_config
from synthrl.pipeline import STAGES, Pipeline
from synthrl.task import load_task

TASK = "arithmetic"
CONFIG = Path(__file__).with_name("demo.yaml")


def demo_config(teacher: dict[str, Any]) -> RunConfig:
    """The demo's settings, pointed at a running teacher (`teacher` section overrides)."""
    return load_config(CONFIG, overrides={"teacher": teacher})


def run_demo(
    folder: Path,
    force: tuple[str, ...] = (),
    show_progress: bool = True,
    console: Console | None = None,
) -> dict[str, Any]:
    """Run (or resume) every stage in `folder`; returns the manifest's stage records."""
    from synthrl.local_teacher import teacher_overrides

    console = console or Console(stderr=True, highlight=False)
    task = load_task(TASK)
    console.print(f"demo: task {TASK}, settings {CONFIG.name}, run folder {folder}")
    console.print("starting the offline teacher (llama.cpp, Qwen2.5-Coder-0.5B-Instruct)...")
    with teacher_overrides() as teacher:
        pipeline = Pipeline(task, demo_config(teacher), folder, force, show_progress, console)
        return pipeline.run_stages(STAGES)
