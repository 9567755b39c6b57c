"""The verifier as a reward function under TRL's contract.

TRL calls a reward function with the batch's completions and every dataset column as keyword
arguments, and accepts `None` for "cannot grade". The prompt arrives as `prompts` and is
ignored on purpose: an answer tag in the prompt must never earn reward. The sample's input,
in the `task_input` column, only lets a short text answer restate its question.

>>> from synthrl.task import load_task
>>> reward = TaskReward(load_task("gsm8k").verifier)
>>> reward(["#### 72", "#### 5"], answer=["72", "72"], prompts=["... #### 72", "..."])
[1.0, 0.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from synthrl.task.verifier import Verifier


def completion_text(completion: Any) -> str:
    """The text of one completion: a string, or the assistant turns of a conversation."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        return str(completion.get("content", ""))
    if isinstance(completion, Sequence):
        return "\n".join(
            str(m.get("content", ""))
            for m in completion
            if isinstance(m, dict) and m.get("role", "assistant") == "assistant"
        )
    return str(completion)


class TaskReward:
    """A picklable reward function: `reward(completions, answer=[...]) -> list[float | None]`.

    With `log`, every call appends one JSON line per sample id it scored: the optimizer step
    (from TRL's `trainer_state`) and the rewards of that sample's completions. With
    `retirement` (train.dynamic_sampling), each call's groups are reported to it."""

    def __init__(
        self,
        verifier: Verifier,
        answer_column: str = "answer",
        log: str | None = None,
        retirement: Any = None,
    ) -> None:
        self.verifier = verifier
        self.answer_column = answer_column
        self.log = log
        self.retirement = retirement  # train.dynamic_sampling: told every group's rewards
        self.__name__ = "task_reward"  # TRL names logged metrics after this

    def __call__(self, completions: Sequence[Any], **columns: Any) -> list[float | None]:
        golds = columns[self.answer_column]
        inputs = columns.get("task_input") or [""] * len(golds)
        rewards = [
            self.verifier.reward(completion_text(c), str(g), str(i))
            for c, g, i in zip(completions, golds, inputs, strict=True)
        ]
        if self.log is not None and "id" in columns:
            self._write(columns["id"], rewards, columns.get("trainer_state"))
        if self.retirement is not None and "id" in columns:
            self.retirement.observe(columns["id"], rewards)
        return rewards

    def _write(self, ids: Sequence[str], rewards: list[float | None], state: Any) -> None:
        import json

        by_id: dict[str, list[float | None]] = {}
        for sample, reward in zip(ids, rewards, strict=True):
            by_id.setdefault(str(sample), []).append(reward)
        step = getattr(state, "global_step", None)
        lines = "".join(
            json.dumps({"step": step, "id": k, "rewards": v}) + "\n" for k, v in by_id.items()
        )
        with open(self.log, "a", encoding="utf-8") as handle:
            handle.write(lines)
