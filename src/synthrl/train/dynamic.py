"""Online difficulty for GRPO: prompts whose group carries no signal give their place away.

A GRPO group whose completions all earn the same reward (all right, or all wrong) has zero
advantage: it costs a generation and teaches nothing. With `train.dynamic_sampling`, the
reward function reports each prompt's group as it scores it; a prompt whose group had zero
variance is retired, and every later batch is drawn from the prompts not retired, in the
epoch's shuffled order, so the retired prompt's place goes to one the student has not shown
to be solved or hopeless (DAPO's dynamic sampling, applied to the next batches rather than by
over-generating this one). An epoch keeps TRL's number of batches: when a pass over the
prompts runs short, the next pass (a new shuffle) fills it, so train.max_steps is reached and
unretired prompts come round more often. When fewer prompts than a batch are left unretired,
batches draw from all of them again.

On top of TRL: `DynamicGRPOTrainer` only swaps the train sampler for `RetiringSampler`, which
keeps TRL's layout (each prompt repeated `num_generations` times in a row, each batch repeated
for the steps that reuse one generation). One process only: with several, each would retire
from its own share of the rewards and their batches would drift apart.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any

import torch
from trl import GRPOTrainer
from trl.trainer.utils import RepeatSampler


class Retirement:
    """Which prompts (by sample id) have had a zero-variance group; shared by the reward
    function, which fills it, and the sampler, which reads it."""

    def __init__(self, group_size: int, train_ids: Sequence[str]) -> None:
        self.group_size = group_size
        self.train_ids = {str(i) for i in train_ids}  # validation prompts are not retired
        self.retired: set[str] = set()
        self.groups = 0
        self.zero_variance = 0
        self._lock = threading.Lock()

    def observe(self, ids: Sequence[str], rewards: Sequence[float | None]) -> None:
        """Record the groups of one reward call (completions of a prompt share its id)."""
        by_id: dict[str, list[float | None]] = {}
        for sample, reward in zip(ids, rewards, strict=True):
            by_id.setdefault(str(sample), []).append(reward)
        with self._lock:
            for sample, group in by_id.items():
                if sample not in self.train_ids or len(group) < self.group_size:
                    continue
                self.groups += 1
                if None not in group and len(set(group)) == 1:
                    self.zero_variance += 1
                    self.retired.add(sample)

    def is_retired(self, sample: str) -> bool:
        with self._lock:
            return sample in self.retired

    def figures(self) -> dict[str, float | int]:
        """For the metrics log: groups seen, the share with zero variance, prompts retired."""
        with self._lock:
            share = self.zero_variance / self.groups if self.groups else 0.0
            return {"groups_seen": self.groups, "zero_std_share_seen": round(share, 4),
                    "retired_prompts": len(self.retired)}  # fmt: skip


class RetiringSampler(RepeatSampler):
    """TRL's RepeatSampler whose batches skip retired prompts (see the module docstring)."""

    def __init__(self, ids: Sequence[str], retirement: Retirement, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ids = [str(i) for i in ids]
        self.retirement = retirement

    def __iter__(self) -> Iterator[int]:
        # As many batches as TRL's sampler gives: the trainer plans its epochs from that
        # length, so a shorter epoch would end training before train.max_steps.
        pending: list[int] = []
        for _ in range(self.num_samples // self.batch_size):
            chunk = self._next_batch(pending)
            for _ in range(self.repeat_count):
                for index in chunk:
                    yield from [index] * self.mini_repeat_count

    def _next_batch(self, pending: list[int]) -> list[int]:
        """`batch_size` prompts not retired, in this pass's order; a new shuffled pass when
        this one has too few left; every prompt when too few are left unretired at all."""
        unretired = sum(not self.retirement.is_retired(i) for i in self.ids)
        skip = unretired >= self.batch_size  # else every prompt is drawn again

        def live() -> list[int]:
            return [i for i in pending if not (skip and self.retirement.is_retired(self.ids[i]))]

        if len(live()) < self.batch_size:
            pending[:] = self._order()
        chunk = live()[: self.batch_size]
        for index in chunk:
            pending.remove(index)
        return chunk

    def _order(self) -> list[int]:
        if self.shuffle:
            return torch.randperm(self.num_samples, generator=self.generator).tolist()
        return list(range(self.num_samples))


class DynamicGRPOTrainer(GRPOTrainer):
    """TRL's GRPOTrainer with the retiring train sampler; nothing else differs."""

    def __init__(self, *args: Any, retirement: Retirement, **kwargs: Any) -> None:
        self.retirement = retirement
        super().__init__(*args, **kwargs)

    def _get_train_sampler(self, dataset: Any = None) -> RetiringSampler:
        dataset = self.train_dataset if dataset is None else dataset
        return RetiringSampler(
            ids=dataset["id"],
            retirement=self.retirement,
            data_source=dataset,
            mini_repeat_count=self.num_generations,
            batch_size=self.args.generation_batch_size // self.num_generations,
            repeat_count=self.num_iterations * self.args.steps_per_generation,
            shuffle=self.shuffle_dataset,
            seed=self.args.seed,
        )
