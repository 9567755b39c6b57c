"""manifest.json: what each stage of a run did (status, counts, teacher usage, wall time)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from synthrl.io import read_json, write_json


class Manifest:
    """Per-stage records of a run folder, rewritten atomically after every change."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = (
            read_json(path) if path.is_file() else {"created": time.time(), "stages": {}}
        )

    def stage(self, name: str) -> dict[str, Any] | None:
        return self.data["stages"].get(name)

    def start(self, name: str, config_hash: str) -> None:
        self.data["stages"][name] = {"status": "running", "config_hash": config_hash}
        self.save()

    def finish(
        self,
        name: str,
        counts: dict[str, Any],
        usage: dict[str, Any] | None,
        wall_s: float,
    ) -> None:
        entry = self.data["stages"].setdefault(name, {})
        entry.update(
            status="done",
            counts=counts,
            usage=usage or {},
            wall_s=round(wall_s, 3),
            finished=time.time(),
        )
        self.save()

    def fail(self, name: str, error: str) -> None:
        entry = self.data["stages"].setdefault(name, {})
        entry.update(status="failed", error=error)
        self.save()

    def save(self) -> None:
        write_json(self.path, self.data)
