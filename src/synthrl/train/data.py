"""Selected samples as training datasets, in the student's own prompt format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from synthrl.errors import UserError
from synthrl.io import read_jsonl
from synthrl.task.loader import Task
from synthrl.task.prompt import task_prompt


def prompt_for(task: Task, task_input: str, chat: bool) -> str | list[dict[str, str]]:
    """A conversation for chat models (TRL applies the chat template), raw text otherwise."""
    text = task_prompt(task, task_input)
    return [{"role": "user", "content": text}] if chat else text


def rl_rows(task: Task, records: list[dict[str, Any]], chat: bool) -> list[dict[str, Any]]:
    """Rows with `prompt`, `answer` (the label the reward checks) and `task_input` (the
    question a short text answer may restate)."""
    return [
        {
            "prompt": prompt_for(task, r["input"], chat),
            "answer": r["answer"],
            "id": r["id"],
            "task_input": r["input"],
        }
        for r in records
    ]


def sft_rows(task: Task, records: list[dict[str, Any]], chat: bool) -> list[dict[str, Any]]:
    """Prompt/completion rows whose completion is the teacher's reference solution."""
    rows = []
    for r in records:
        prompt = prompt_for(task, r["input"], chat)
        reference = r["reference"]
        completion = [{"role": "assistant", "content": reference}] if chat else " " + reference
        rows.append({"prompt": prompt, "completion": completion, "id": r["id"]})
    return rows


def read_split(run: Path, name: str) -> list[dict[str, Any]]:
    """`selected` or `validation` records of a run folder."""
    path = run / f"{name}.jsonl"
    if not path.is_file():
        raise UserError(f"{run}: no {name}.jsonl; run `synthrl select {run}` first")
    records = read_jsonl(path)
    if name == "selected" and not records:
        raise UserError(f"{path}: no samples were selected; nothing to train on")
    return records
