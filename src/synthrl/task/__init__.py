"""Task definitions and the one answer-checking path.

from synthrl.task import load_task
task = load_task("gsm8k")            # or a path to task.yaml
task.verifier.reward(response, "72")  # 1.0 / format credit / 0.0 / None (cannot grade)
"""

from synthrl.task.loader import Task, builtin_names, load_task, parse_task
from synthrl.task.reward import TaskReward
from synthrl.task.spec import AnswerSpec, Demo, TaskSpec
from synthrl.task.verifier import Extraction, Grade, Verifier

__all__ = [
    "AnswerSpec",
    "Demo",
    "Extraction",
    "Grade",
    "Task",
    "TaskReward",
    "TaskSpec",
    "Verifier",
    "builtin_names",
    "load_task",
    "parse_task",
]
