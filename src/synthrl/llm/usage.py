"""Token and cost accounting per stage, and per endpoint of the teacher's pool."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field

from synthrl.config import Prices


@dataclass
class EndpointUsage:
    """What one server of the teacher's pool answered, and how often a call on it failed."""

    requests: int = 0
    failures: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0


@dataclass
class StageUsage:
    """What one stage spent: calls made, samples served from cache, tokens, cost."""

    requests: int = 0
    samples: int = 0
    cached_samples: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    retries: int = 0
    cost: float = 0.0
    # What the cached samples cost when they were first asked (each sample's share of its call)
    cached_prompt_tokens: int = 0
    cached_completion_tokens: int = 0
    endpoints: dict[str, EndpointUsage] = field(default_factory=dict)


@dataclass
class Usage:
    """Per-stage accounting; `prices` maps a model name to its per-million-token prices."""

    prices: dict[str, Prices] = field(default_factory=dict)
    stages: dict[str, StageUsage] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def stage(self, name: str) -> StageUsage:
        with self._lock:
            return self.stages.setdefault(name, StageUsage())

    def add_call(
        self,
        stage: str,
        model: str,
        prompt_tokens: int,
        completion_tokens: int,
        endpoint: str | None = None,
    ) -> None:
        price = self.prices.get(model)
        cost = 0.0
        if price is not None:
            cost = (prompt_tokens * price.input + completion_tokens * price.output) / 1e6
        entry = self.stage(stage)
        with self._lock:
            places = [entry]
            if endpoint is not None:
                places.append(entry.endpoints.setdefault(endpoint, EndpointUsage()))
            for place in places:
                place.requests += 1
                place.prompt_tokens += prompt_tokens
                place.completion_tokens += completion_tokens
                place.cost += cost

    def add_samples(
        self, stage: str, fresh: int, cached: int, cached_tokens: tuple[int, int] = (0, 0)
    ) -> None:
        entry = self.stage(stage)
        with self._lock:
            entry.samples += fresh + cached
            entry.cached_samples += cached
            entry.cached_prompt_tokens += cached_tokens[0]
            entry.cached_completion_tokens += cached_tokens[1]

    def add_retry(self, stage: str, endpoint: str | None = None) -> None:
        """A call failed and is asked again (on `endpoint` it failed, when given)."""
        entry = self.stage(stage)
        with self._lock:
            entry.retries += 1
            if endpoint is not None:
                entry.endpoints.setdefault(endpoint, EndpointUsage()).failures += 1

    def total_cost(self) -> float:
        with self._lock:
            return sum(entry.cost for entry in self.stages.values())

    def report(self, stage: str) -> dict[str, float | int]:
        """A JSON-ready copy of one stage's usage."""
        with self._lock:
            return asdict(self.stages.get(stage, StageUsage()))
