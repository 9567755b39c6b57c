"""The verifier as a reward function under TRL's contract.

TRL calls a reward function with the batch's completions and every dataset column as keyword
arguments, and accepts `None` for "cannot grade". The prompt arrives as `prompts` and is
ignored on purpose: an answer tag in the prompt must never earn reward.

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
    """A picklable reward function: `reward(completions, answer=[...]) -> list[float | None]`."""

    def __init__(self, verifier: Verifier, answer_column: str = "answer") -> None:
        self.verifier = verifier
        self.answer_column = answer_column
        self.__name__ = "task_reward"  # TRL names logged metrics after this

    def __call__(self, completions: Sequence[Any], **columns: Any) -> list[float | None]:
        golds = columns[self.answer_column]
        return [
            self.verifier.reward(completion_text(c), str(g))
            for c, g in zip(completions, golds, strict=True)
        ]
