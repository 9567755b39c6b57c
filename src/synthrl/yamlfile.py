"""Reading the YAML files users write (task definitions, run configs), defensively.

    data = read_yaml(Path("task.yaml"))   # a dict, or UserError with a short message

A file larger than `MAX_BYTES`, not UTF-8 (the message gives the byte offset), nested deeper
than `MAX_DEPTH`, using more than `MAX_ALIASES` aliases (a "billion laughs" file expands
exponentially through them), or naming a key twice in one mapping is refused with exit code 2.
Messages say where (line, column, byte offset) and never echo the file's content.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from synthrl.errors import UserError

MAX_BYTES = 1_000_000
MAX_DEPTH = 50
MAX_ALIASES = 20  # 2 per level of a "billion laughs" chain: at most 2^10 expansion


class _Loader(yaml.SafeLoader):
    """SafeLoader that counts aliases and depth and refuses duplicate keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise _Refused(f"more than {MAX_ALIASES} aliases (*name)", mark)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            mark = self.peek_event().start_mark
            raise _Refused(f"nested deeper than {MAX_DEPTH} levels", mark)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool | type(None)):
                raise _Refused("a mapping key that is not a plain value", key_node.start_mark)
            if key in seen:
                raise _Refused(f"key '{key}' appears twice in one mapping", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _Refused(Exception):
    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(problem)
        self.problem, self.mark = problem, mark


def _where(mark: Any) -> str:
    return f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def parse_yaml(text: str, source: str) -> Any:
    """Parse YAML text under the limits above; UserError names `source` and the place."""
    try:
        loader = _Loader(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except _Refused as exc:
        raise UserError(f"{source}: refused{_where(exc.mark)}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise UserError(f"{source}: not valid YAML{_where(mark)}: {problem}") from None
    except RecursionError:
        raise UserError(f"{source}: refused: nested too deeply") from None


def read_text(path: Path, what: str = "file") -> str:
    """A user's text file as UTF-8, at most `MAX_BYTES`; UserError otherwise."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UserError(f"{path}: cannot read the {what} ({exc.strerror})") from None
    if size > MAX_BYTES:
        raise UserError(f"{path}: {size:,} bytes; a {what} may be at most {MAX_BYTES:,} bytes")
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{path}: not UTF-8 (byte offset {exc.start}); save the {what} as UTF-8"
        ) from None


def read_yaml(path: Path, what: str = "file") -> Any:
    """A user's YAML file, read and parsed under the limits above."""
    return parse_yaml(read_text(path, what), str(path))
