"""SQLite response cache: one row per sample, keyed by everything that shapes the request.

The cache is what makes any run resumable: a stage that is rerun, or a process killed and
restarted, finds every finished sample here and only calls the server for the rest. Rows hold
raw response text, so parsers can change without buying the calls again. WAL mode lets readers
and the single writer work at once; every insert commits, so a kill loses at most the calls
that were in flight.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from synthrl.errors import RunFailure

_SCHEMA = """
CREATE TABLE IF NOT EXISTS samples (
    key TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    finish_reason TEXT,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL
)
"""


@dataclass(frozen=True)
class CachedSample:
    """One sampled completion as the server returned it."""

    text: str
    finish_reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0


class ResponseCache:
    """A content-keyed store of raw completions. Safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
        except sqlite3.Error as exc:
            raise RunFailure(f"{path}: cannot open the response cache ({exc})") from None
        self._lock = threading.Lock()

    def get_many(self, keys: Sequence[str]) -> dict[str, CachedSample]:
        """The cached samples among `keys`."""
        found: dict[str, CachedSample] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = list(keys[start : start + 500])
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    "SELECT key, text, finish_reason, prompt_tokens, completion_tokens "
                    f"FROM samples WHERE key IN ({marks})",
                    chunk,
                ).fetchall()
                for key, text, finish, p_tokens, c_tokens in rows:
                    found[key] = CachedSample(text, finish, p_tokens, c_tokens)
        return found

    def put_many(self, items: Iterable[tuple[str, CachedSample]]) -> None:
        """Store samples; a key stored twice keeps its first value."""
        now = time.time()
        rows = [
            (k, s.text, s.finish_reason, s.prompt_tokens, s.completion_tokens, now)
            for k, s in items
        ]
        try:
            with self._lock:
                self._db.executemany(
                    "INSERT OR IGNORE INTO samples VALUES (?, ?, ?, ?, ?, ?)", rows
                )
        except sqlite3.Error as exc:
            raise RunFailure(f"{self.path}: cannot write the response cache ({exc})") from None

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM samples").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()
