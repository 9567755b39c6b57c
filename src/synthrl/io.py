"""File helpers: atomic writes (temp file + rename) and JSONL reading with clear errors.

A reader never sees a half-written file: every write goes to a temporary file in the same
folder, is flushed to disk, then renamed over the target.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from synthrl.errors import RunFailure, UserError


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` so that readers see the old file or the new one, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise RunFailure(
            f"{path}: cannot write ({exc.strerror or exc}); fix that and rerun the same command"
        ) from None


def write_json(path: Path, data: Any) -> None:
    """Atomically write pretty JSON."""
    write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> int:
    """Atomically write one JSON object per line; returns the number written."""
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    write_atomic(path, "".join(line + "\n" for line in lines))
    return len(lines)


def iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Yield the objects of a JSONL file; a bad line is a UserError naming file and line."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise UserError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
            if not isinstance(record, dict):
                raise UserError(f"{path}:{number}: expected a JSON object per line")
            yield record


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """All objects of a JSONL file."""
    return list(iter_jsonl(path))


def read_json(path: Path) -> Any:
    """A JSON file's content; a malformed file is a UserError naming it."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
