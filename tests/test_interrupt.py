"""SIGTERM inside asyncio work: the work is cancelled, its cleanup runs, and KeyboardInterrupt
comes out once, with no task left holding an exception nobody retrieved."""

from __future__ import annotations

import asyncio
import gc
import os
import signal

import pytest

from synthrl import interrupt


@pytest.fixture
def cli_handler(monkeypatch):
    monkeypatch.setattr(interrupt, "_terminating", False)
    previous = signal.signal(signal.SIGTERM, interrupt.on_sigterm)
    yield
    signal.signal(signal.SIGTERM, previous)


def test_sigterm_in_a_subtask_cancels_the_work_and_interrupts_once(cli_handler, caplog):
    cleaned: list[str] = []

    async def request(i: int) -> None:
        try:
            if i == 3:  # the others have started and wait
                os.kill(os.getpid(), signal.SIGTERM)
                os.kill(os.getpid(), signal.SIGTERM)  # `timeout` sends a second one
            await asyncio.sleep(30)
        finally:
            cleaned.append(f"request {i}")

    async def stage() -> None:
        try:
            await asyncio.gather(*(request(i) for i in range(4)))
        finally:
            cleaned.append("stage")

    with pytest.raises(KeyboardInterrupt):
        interrupt.run_async(stage())
    gc.collect()
    assert sorted(cleaned) == ["request 0", "request 1", "request 2", "request 3", "stage"]
    assert "never retrieved" not in caplog.text
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_IGN  # later ones cannot interrupt


def test_without_a_signal_the_result_comes_back_and_the_handler_stays(cli_handler):
    async def work() -> int:
        await asyncio.sleep(0)
        return 7

    assert interrupt.run_async(work()) == 7
    assert signal.getsignal(signal.SIGTERM) is interrupt.on_sigterm
