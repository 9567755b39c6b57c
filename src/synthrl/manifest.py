"""manifest.json: what each stage of a run did (status, key, counts, teacher usage, wall time).

Written only by the stage runner (synthrl.orchestrate). A stage is `running` while it works,
then `done`, `failed` (with the message) or `skipped` (with the reason).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from synthrl.io import read_json, write_json


class Manifest:
    """Per-stage records of a run folder, rewritten atomically after every change."""

    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.path, self.readonly = path, readonly
        self.data: dict[str, Any] = (
            read_json(path) if path.is_file() else {"created": time.time(), "stages": {}}
        )

    def stage(self, name: str) -> dict[str, Any] | None:
        return self.data["stages"].get(name)

    def start(self, name: str, key: str) -> None:
        self.data["stages"][name] = {"status": "running", "key": key, "started": time.time()}
        self.save()

    def finish(
        self,
        name: str,
        key: str,
        counts: dict[str, Any],
        usage: dict[str, Any] | None,
        wall_s: float,
    ) -> None:
        entry = self.data["stages"].setdefault(name, {})
        entry.update(
            status="done",
            key=key,
            counts=counts,
            usage=usage or {},
            wall_s=round(wall_s, 3),
            finished=time.time(),
        )
        self.add_spend(usage)
        self.save()

    def add_spend(self, usage: dict[str, Any] | None) -> None:
        """Add a stage's teacher cost to the folder's running total (`teacher_spend`), which
        never goes down: a stage that runs again adds its new calls."""
        cost = (usage or {}).get("cost", 0.0)
        self.data["teacher_spend"] = round(self.spent() + cost, 8)

    def spent(self) -> float:
        """What the teacher has cost in this run folder, over every stage that ever ran."""
        return float(self.data.get("teacher_spend", 0.0))

    def fail(
        self,
        name: str,
        error: str,
        counts: dict[str, Any] | None = None,
        usage: dict[str, Any] | None = None,
    ) -> None:
        entry = self.data["stages"].setdefault(name, {})
        entry.update(status="failed", error=error)
        if counts is not None:  # a stop after the stage wrote its files keeps its counts
            entry["counts"] = counts
        if usage is not None:  # what the calls it finished cost
            entry["usage"] = usage
            self.add_spend(usage)
        self.save()

    def skip(self, name: str, reason: str) -> None:
        self.data["stages"][name] = {"status": "skipped", "reason": reason}
        self.save()

    def save(self) -> None:
        if not self.readonly:
            write_json(self.path, self.data)
