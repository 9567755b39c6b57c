"""Prompt templates live as text files beside this module; this fills them in.

Templates use `$name` placeholders (string.Template), so braces in task text, passages or JSON
examples need no escaping, and a value is never itself expanded.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from string import Template

from synthrl.config import SynthConfig
from synthrl.task.examples import MaskedTexts, mask_task
from synthrl.task.loader import Task
from synthrl.task.prompt import task_prompt
from synthrl.task.spec import Demo


@cache
def template_text(name: str) -> str:
    """The text of prompt template `name` (stage keys hash it)."""
    return resources.files("synthrl.synth").joinpath("prompts", f"{name}.txt").read_text("utf-8")


def _template(name: str) -> Template:
    return Template(template_text(name))


def render(name: str, **values: str) -> str:
    """Fill template `name` (keywords, pattern, generate, harder, easier, vote, ...)."""
    return _template(name).substitute(**values).strip()


def demos_block(demos: list[Demo]) -> str:
    """Demonstrations as prompt text ('' when there are none)."""
    if not demos:
        return ""
    parts = [f"Example {i}:\nInput: {d.input}\nOutput: {d.output}" for i, d in enumerate(demos, 1)]
    return "\n" + "\n\n".join(parts) + "\n"


def teacher_texts(task: Task, synth: SynthConfig) -> MaskedTexts:
    """The task's texts as the teacher reads them when it writes, votes and audits: example
    values masked (`synth.mask_examples`), else as written."""
    if synth.mask_examples:
        return mask_task(task)
    return MaskedTexts(task.spec.description, task.spec.input_format, task.output_format, ())


def vote_prompt(task: Task, task_input: str, synth: SynthConfig) -> str:
    """What a teacher vote (verify, rewrite, audit) reads: the student's prompt with example
    values masked, and, with `synth.votes_reason`, a closing line that asks it to work the
    answer out before giving it as the format asks: a format that asks for the bare answer
    ("Give only the weekday") otherwise makes every vote a one-word guess."""
    problem = task_prompt(task, task_input, teacher_texts(task, synth))
    return render("vote", problem=problem) if synth.votes_reason else problem
