"""A pool of OpenAI-compatible servers of one model, and which of them takes the next call.

    pool = Pool([Endpoint(url, client, capacity=8) for url, client in servers], cooldown_s=30)
    async with pool.take() as endpoint:   # the endpoint with the most free places
        reply = await endpoint.client.chat.completions.create(...)

Each endpoint takes up to `capacity` calls at once (`teacher.concurrency`); a call waits while
every endpoint is full. An endpoint whose call failed (refused, dropped, a 5xx, silence) is left
out for `cooldown_s`, twice as long for each failure in a row (at most 16 times), and its calls
go to the others. When every endpoint is out, calls go to the one due back first, paced by the
client's backoff as a single endpoint's are (a single endpoint is never left out).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

_MAX_DOUBLINGS = 4


@dataclass(eq=False)
class Endpoint:
    """One server: its URL (None: the OpenAI API), its client, how many calls it may hold."""

    url: str | None
    client: Any  # openai.AsyncOpenAI
    capacity: int
    in_flight: int = 0
    out_until: float = 0.0
    failures_in_row: int = 0

    @property
    def name(self) -> str:
        return self.url or "the OpenAI API"


class Pool:
    """See the module docstring."""

    def __init__(self, endpoints: list[Endpoint], cooldown_s: float) -> None:
        if not endpoints:
            raise ValueError("a pool needs at least one endpoint")
        self.endpoints = endpoints
        self.cooldown_s = cooldown_s
        self._changed: asyncio.Condition | None = None  # made on the running loop

    @property
    def names(self) -> str:
        return ", ".join(endpoint.name for endpoint in self.endpoints)

    def spare(self) -> bool:
        """Whether a call that just failed can move to another endpoint at once."""
        now = time.monotonic()
        return len(self.endpoints) > 1 and any(e.out_until <= now for e in self.endpoints)

    @contextlib.asynccontextmanager
    async def take(self) -> AsyncIterator[Endpoint]:
        """Hold a place on the endpoint with the most free places for the block."""
        changed = self._condition()
        async with changed:
            while True:
                now = time.monotonic()
                up = [e for e in self.endpoints if e.out_until <= now]
                # every endpoint out: the one due back first takes calls, the backoff paces them
                candidates = up or [min(self.endpoints, key=lambda e: e.out_until)]
                chosen = max(candidates, key=lambda e: e.capacity - e.in_flight)
                if chosen.in_flight < chosen.capacity:
                    break
                back = [e.out_until for e in self.endpoints if e.out_until > now]
                wait_s = min(back) - now if back else None
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait_s):
                        await changed.wait()
            chosen.in_flight += 1
        try:
            yield chosen
        finally:
            async with changed:
                chosen.in_flight -= 1
                changed.notify_all()

    def failed(self, endpoint: Endpoint) -> None:
        """A call on `endpoint` failed: leave it out a while (never the only endpoint)."""
        endpoint.failures_in_row += 1
        if len(self.endpoints) > 1:
            doublings = min(endpoint.failures_in_row - 1, _MAX_DOUBLINGS)
            endpoint.out_until = time.monotonic() + self.cooldown_s * 2**doublings

    def answered(self, endpoint: Endpoint) -> None:
        endpoint.failures_in_row = 0

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed
