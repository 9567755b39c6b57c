"""Progress bars on the terminal: counts, elapsed time and an estimate of what is left."""

from __future__ import annotations

from collections.abc import Callable

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


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
