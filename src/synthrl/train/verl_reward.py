"""synthrl's verifier as verl's custom reward function.

verl loads it by path and name (its `custom_reward_function` setting) and calls it once per
response with `data_source`, `solution_str`, `ground_truth` and `extra_info`:

    reward.custom_reward_function.path=pkg://synthrl.train.verl_reward
    reward.custom_reward_function.name=compute_score
    +reward.custom_reward_function.reward_kwargs.task=runs/gsm8k/export/verl/task.yaml

`task` names the task file the run used (the export writes a copy beside its parquet files);
without it, `data_source` ("synthrl/NAME") must name a built-in task. The score is 1.0 when the
response's answer matches the label as `synthrl grade` would judge it, else 0.0, and 0.0 for a
response the verifier cannot grade (verl needs a number for every response). The sample's input
travels in `extra_info["input"]`, so a short text answer may restate its question as in
training here.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from synthrl.task.loader import load_task
from synthrl.task.verifier import Verifier

_PREFIX = "synthrl/"


def compute_score(
    data_source: str,
    solution_str: str,
    ground_truth: str,
    extra_info: dict[str, Any] | None = None,
    task: str | None = None,
    allow_code: bool = False,
    **_: Any,
) -> float:
    """1.0 when `solution_str` answers `ground_truth` for the task, else 0.0 (see the module)."""
    verifier = _verifier(task or _builtin(data_source), allow_code)
    task_input = str((extra_info or {}).get("input") or "")
    reward = verifier.reward(solution_str, str(ground_truth), task_input)
    return float(reward or 0.0)


def _builtin(data_source: str) -> str:
    if not data_source.startswith(_PREFIX):
        raise ValueError(
            f"data_source {data_source!r} is not a synthrl export's ('synthrl/NAME'); pass the "
            "task file as reward_kwargs.task"
        )
    return data_source[len(_PREFIX) :]


@cache
def _verifier(task: str, allow_code: bool) -> Verifier:
    """One verifier per task file and worker process (verl calls once per response)."""
    return load_task(task, allow_code=allow_code).verifier
