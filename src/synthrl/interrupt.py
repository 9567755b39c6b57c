"""Stopping cleanly: SIGTERM (`kill`, `timeout`) unwinds like Ctrl-C, asyncio work included.

The CLI installs `on_sigterm`, which raises KeyboardInterrupt once, so servers started for
the run are stopped and the manifest records the interruption. Raised at an arbitrary point
inside an event loop, that exception would land in whichever task happens to run, and asyncio
would then print the task's "exception was never retrieved" with a traceback. `run_async`
therefore handles SIGTERM the way asyncio handles Ctrl-C: the first signal cancels the main
task, which unwinds through its `finally` blocks, and KeyboardInterrupt is raised once the
loop has closed.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_terminating = False


def on_sigterm(signum: int, frame: object) -> None:
    """SIGTERM's handler in the CLI: the first one raises KeyboardInterrupt; further ones
    (`timeout` sends a second) are dropped so they cannot interrupt the cleanup the first
    started. Ignoring SIGTERM alone is not enough: a second signal that lands before that
    takes effect runs the handler again."""
    if _first_signal():
        raise KeyboardInterrupt


def _first_signal() -> bool:
    """True for the first SIGTERM only; from then on SIGTERM is ignored."""
    global _terminating
    if _terminating:
        return False
    _terminating = True
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    return True


def run_async(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(main)`; where the CLI's SIGTERM handler is installed, a SIGTERM cancels
    `main` and raises KeyboardInterrupt after the loop has closed."""
    in_main_thread = threading.current_thread() is threading.main_thread()
    if not in_main_thread or signal.getsignal(signal.SIGTERM) is not on_sigterm:
        return asyncio.run(main)
    running: list[asyncio.Task[Any]] = []

    async def tracked() -> T:
        task = asyncio.current_task()
        assert task is not None
        running.append(task)
        if _terminating:  # the signal came before the loop started the work
            raise asyncio.CancelledError
        return await main

    result: T | None = None
    try:
        with asyncio.Runner() as runner:
            loop = runner.get_loop()

            def cancel(signum: int, frame: object) -> None:
                if _first_signal() and running:
                    running[0].cancel()
                    loop.call_soon_threadsafe(lambda: None)  # wake the loop if it waits

            signal.signal(signal.SIGTERM, cancel)
            try:
                result = runner.run(tracked())
            except asyncio.CancelledError:
                if not _terminating:
                    raise
    finally:
        if not _terminating:
            signal.signal(signal.SIGTERM, on_sigterm)
    if _terminating:
        raise KeyboardInterrupt
    return result  # type: ignore[return-value]
