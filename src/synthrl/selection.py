"""Selection: which scored samples become training data, and which are held out.

Strategies (each orders all scored samples, then the first M are kept):
- `paper`: score = pass rate if > 0, else 1 (never solved counts like always solved); ascending.
  The samples the student solves occasionally but not reliably come first. When fewer than M
  samples have 0 < p < 1, the rest of the M are filled from score-1 samples, which carry no
  learning signal under GRPO (every answer in their group scores the same); the stage reports
  how many informative samples it found so that shortfall is visible, never silent.
- `balanced`: largest p(1 - p) first (pass rates nearest 0.5).
- `easy`: highest pass rate first. `hard`: lowest first (never-solved included).
- `random`: a seeded shuffle. `all`: every sample, M ignored.
Ties are broken by sample id, so a selection is the same on every machine.

In a later round (`synthrl run --rounds R`), `select.replay` takes that share of the M from
the samples the round before trained on (a seeded draw, whatever their pass rate now), and the
rest by the strategy: what the student learned stays in its training mix, so a round aimed at
what it still fails does not train the rest away unnoticed (a replayed sample it starts to
miss gets a reward spread again).

With `select.drop_suspects`, the samples the audit lists as suspect (the student's answers
agree on another answer than the label) are left out before ordering.

A share `select.validation` of the kept samples is held out (seeded) as the synthetic
validation split on which the best checkpoint is chosen. Benchmark test sets are never used
to choose anything.

>>> rows = [{"id": str(i), "pass_rate": p} for i, p in enumerate([0.0, 0.25, 1.0, 0.5])]
>>> [r["pass_rate"] for r in order(rows, "paper", seed=0)]
[0.25, 0.5, 0.0, 1.0]
"""

from __future__ import annotations

import random
from typing import Any

from synthrl.config import SelectConfig
from synthrl.errors import UserError

Record = dict[str, Any]


def order(records: list[Record], strategy: str, seed: int) -> list[Record]:
    """All records in the order the strategy prefers them."""
    by_id = sorted(records, key=lambda r: r["id"])
    if strategy == "random":
        random.Random(seed).shuffle(by_id)
        return by_id
    keys = {
        "paper": lambda r: r["pass_rate"] if r["pass_rate"] > 0 else 1.0,
        "balanced": lambda r: -r["pass_rate"] * (1 - r["pass_rate"]),
        "easy": lambda r: -r["pass_rate"],
        "hard": lambda r: r["pass_rate"],
        "all": lambda r: 0.0,
    }
    if strategy not in keys:
        raise UserError(f"select.strategy: unknown strategy '{strategy}' ({', '.join(keys)})")
    return sorted(by_id, key=keys[strategy])  # stable: ties stay in id order


def select(
    records: list[Record], config: SelectConfig, replay: set[str] | None = None
) -> tuple[list[Record], list[Record]]:
    """(training samples, validation samples); `replay`: the ids the round before trained on."""
    if config.strategy == "all":
        chosen = order(records, "all", config.seed)
    else:
        replayed = replayed_share(records, config, replay or set())
        kept = {r["id"] for r in replayed}
        rest = order([r for r in records if r["id"] not in kept], config.strategy, config.seed)
        chosen = replayed + rest[: config.m - len(replayed)]
    held = round(len(chosen) * config.validation)
    if config.validation > 0 and len(chosen) >= 2:
        held = max(1, held)
    shuffled = list(chosen)
    random.Random(config.seed + 1).shuffle(shuffled)
    held_ids = {r["id"] for r in shuffled[:held]}
    train = [r for r in chosen if r["id"] not in held_ids]
    validation = [r for r in chosen if r["id"] in held_ids]
    return train, validation


def replayed_share(records: list[Record], config: SelectConfig, replay: set[str]) -> list[Record]:
    """The share `select.replay` of M drawn (seeded) from the records whose ids are in `replay`."""
    wanted = min(round(config.replay * config.m), config.m)
    candidates = sorted((r for r in records if r["id"] in replay), key=lambda r: r["id"])
    random.Random(config.seed + 2).shuffle(candidates)
    return candidates[:wanted]


def choose(
    records: list[Record],
    config: SelectConfig,
    suspects: set[str] | None = None,
    replay: set[str] | None = None,
) -> tuple[list[Record], list[Record], dict[str, int]]:
    """The select stage's work on the scored samples: the training and validation samples,
    and the counts (`suspects`: the audit's, left out under `select.drop_suspects`; `replay`:
    the ids the round before trained on, drawn from under `select.replay`)."""
    missing = [r["id"] for r in records if "pass_rate" not in r]
    if missing:
        raise UserError(
            f"score.jsonl: {len(missing)} samples have no pass_rate (e.g. {missing[0]})"
        )
    # A sample none of whose answers the verifier could grade has no pass rate: left out.
    ungradable = sum(1 for r in records if r["pass_rate"] is None)
    records = [r for r in records if r["pass_rate"] is not None]
    dropped = 0
    if suspects:
        dropped = sum(1 for r in records if r["id"] in suspects)
        records = [r for r in records if r["id"] not in suspects]
    train, validation = select(records, config, replay)
    informative = sum(1 for r in records if 0 < r["pass_rate"] < 1)
    counts = {
        "scored": len(records) + ungradable,
        "ungradable": ungradable,
        "informative": informative,
        "selected": len(train),
        "validation": len(validation),
        "suspects_dropped": dropped,
        "replayed": 0
        if config.strategy == "all"
        else len(replayed_share(records, config, replay or set())),
        "shortfall": max(0, min(config.m, len(records)) - informative)
        if config.strategy == "paper"
        else 0,
    }
    return train, validation, counts
