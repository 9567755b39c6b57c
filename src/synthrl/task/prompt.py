"""The prompt a solver sees for one task input: the teacher when voting, the student always.

>>> from synthrl.task import load_task
>>> print(task_prompt(load_task("cqa"), "Clause: ... Question: ...").splitlines()[0][:40])
Answer yes/no questions about consumer c
"""

from __future__ import annotations

from synthrl.task.loader import Task


def task_prompt(task: Task, task_input: str) -> str:
    """Description, the input, then the output format the answer must follow."""
    return f"{task.spec.description.strip()}\n\n{task_input.strip()}\n\n{task.output_format}"
