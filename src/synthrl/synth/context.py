"""What every synthesis stage shares: the task, the config, the run folder, the teacher.

A stage is `async def stage(ctx) -> dict[str, Any]` that reads earlier stages' files from the
run folder, writes its own (atomically), and returns its counts for the manifest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from synthrl.config import RunConfig
from synthrl.io import write_jsonl
from synthrl.llm.client import Completion, Message, Request, TeacherClient
from synthrl.task.loader import Task


def make_progress() -> Progress:
    """A progress display with counts and ETA."""
    return Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )


def start_progress(label: str, total: int) -> tuple[Progress, Callable[[int], None]]:
    """A started progress display with one bar, and the callback that advances it."""
    progress = make_progress()
    bar = progress.add_task(label, total=total)
    progress.start()
    return progress, lambda done: progress.advance(bar, done)


@dataclass
class SynthContext:
    """Shared state of one synthesis run."""

    task: Task
    config: RunConfig
    out: Path
    client: TeacherClient
    progress: Progress | None = None
    rejects: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def path(self, name: str) -> Path:
        return self.out / name

    def chat(self, stage: str, messages: Sequence[Message], **overrides: Any) -> Request:
        """A chat request with the teacher's defaults, labelled with its stage."""
        teacher = self.config.teacher
        params: dict[str, Any] = {
            "temperature": teacher.temperature,
            "max_tokens": teacher.max_tokens,
            "stage": stage,
        }
        params.update(overrides)
        return Request.chat(messages, **params)

    async def ask(self, stage: str, requests: Sequence[Request]) -> list[Completion]:
        """Send requests through the teacher with a progress bar for this stage."""
        if not requests:
            return []
        bar = self.progress.add_task(stage, total=len(requests)) if self.progress else None

        def advance(_: Completion) -> None:
            if self.progress is not None and bar is not None:
                self.progress.advance(bar)

        return await self.client.complete(requests, on_done=advance)

    def reject(self, stage: str, reason: str, raw: str = "", **details: Any) -> None:
        """Keep a rejected output with its reason; written by `write_rejects`."""
        record = {"stage": stage, "reason": reason, **details}
        if raw:
            record["raw"] = raw[:4000]
        self.rejects.setdefault(stage, []).append(record)

    def warn(self, message: str) -> None:
        """Print one warning line on stderr (above the progress bars while they run)."""
        console = Console(stderr=True, highlight=False)
        console.print(f"[yellow]warning:[/yellow] {escape(message)}", soft_wrap=True)

    def write_rejects(self, stage: str) -> dict[str, int]:
        """Write `<stage>.rejects.jsonl` and return counts by reason."""
        records = self.rejects.get(stage, [])
        write_jsonl(self.path(f"{stage}.rejects.jsonl"), records)
        counts: dict[str, int] = {}
        for record in records:
            counts[record["reason"]] = counts.get(record["reason"], 0) + 1
        return counts


def user(content: str) -> list[Message]:
    """A one-message chat."""
    return [{"role": "user", "content": content}]
