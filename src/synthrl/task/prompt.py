"""The prompt a solver sees for one task input: the teacher when voting, the student always.

>>> from synthrl.task import load_task
>>> print(task_prompt(load_task("cqa"), "Clause: ... Question: ...").splitlines()[0][:40])
Answer yes/no questions about consumer c
"""

from __future__ import annotations

from synthrl.task.examples import MaskedTexts
from synthrl.task.loader import Task


def task_prompt(task: Task, task_input: str, texts: MaskedTexts | None = None) -> str:
    """Description, the input, then the output format the answer must follow.

    With `texts` (the task's texts with example values masked) the teacher's votes read the
    description and output format as masked there; the student always gets the task's own."""
    description = texts.description if texts else task.spec.description
    output_format = texts.output_format if texts else task.output_format
    return f"{description.strip()}\n\n{task_input.strip()}\n\n{output_format}"
