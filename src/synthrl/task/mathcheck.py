"""math-verify, bounded in time on any thread.

math-verify bounds its own work with `signal.alarm`, which only works on the main thread of the
main interpreter. On the main thread we call it directly with its own timeouts. On any other
thread (an asyncio executor, a trainer's reward worker) the call goes to one helper process
whose main thread runs math-verify with those same timeouts; if the helper does not answer in
time it is killed and replaced, so a pathological expression costs at most `TIMEOUT_S * 3`
seconds and never hangs the caller.

Three verbs, all on strings so they cross a process boundary:
- `key(answer)`: a canonical string of the parsed expression (the vote key), or None.
- `equivalent(gold, pred)`: mathematical equivalence.
- `extract(response)`: the final answer math-verify finds in a whole response, or None.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

TIMEOUT_S = 5


class MathTimeout(Exception):
    """math-verify did not finish within the time bound."""


def _wrap(answer: str) -> str:
    answer = answer.strip()
    if "$" in answer or "\\boxed" in answer or "\\(" in answer or "\\[" in answer:
        return answer
    return f"${answer}$"


def _parse(text: str) -> list[Any]:
    from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse

    configs = [LatexExtractionConfig(), ExprExtractionConfig()]
    return parse(text, extraction_config=configs, parsing_timeout=TIMEOUT_S)


def _key(answer: str) -> str | None:
    import sympy

    parsed = _parse(_wrap(answer))
    if not parsed:
        return None
    expr = parsed[0]
    if isinstance(expr, sympy.Float):
        # 0.5 and \frac{1}{2} must share a vote key.
        expr = sympy.Rational(str(expr))
    return str(expr)


def _equivalent(gold: str, pred: str) -> bool:
    from math_verify import verify

    parsed_gold, parsed_pred = _parse(_wrap(gold)), _parse(_wrap(pred))
    if not parsed_gold or not parsed_pred:
        return False
    return bool(verify(parsed_gold, parsed_pred, timeout_seconds=TIMEOUT_S))


def _extract(response: str) -> str | None:
    parsed = _parse(response)
    return str(parsed[1]) if len(parsed) > 1 and str(parsed[1]).strip() else None


_VERBS: dict[str, Callable[..., Any]] = {
    "key": _key,
    "equivalent": _equivalent,
    "extract": _extract,
}


def _quiet() -> None:
    # math-verify logs every unparsable string at ERROR; for us that is an ordinary outcome.
    logging.getLogger("math_verify").setLevel(logging.CRITICAL)


def _serve(conn: Connection) -> None:
    _quiet()
    while True:
        try:
            verb, args = conn.recv()
        except EOFError:
            return
        try:
            conn.send((True, _VERBS[verb](*args)))
        except Exception as exc:  # sent back and re-raised in the caller
            conn.send((False, repr(exc)))


class _Helper:
    """One helper process, used by all non-main threads in turn."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None

    def _start(self) -> Connection:
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), daemon=True)
        self._process.start()
        child.close()
        self._conn = parent
        return parent

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(timeout=5)
        self._process, self._conn = None, None

    def call(self, verb: str, args: tuple[Any, ...]) -> Any:
        with self._lock:
            alive = self._process is not None and self._process.is_alive()
            conn = self._conn if alive and self._conn is not None else self._start()
            conn.send((verb, args))
            # The first call also pays for the helper's start-up and imports.
            if not conn.poll(TIMEOUT_S * 3 if alive else TIMEOUT_S * 12):
                self._stop()
                raise MathTimeout(f"math-verify took longer than {TIMEOUT_S * 3} s")
            try:
                ok, value = conn.recv()
            except (EOFError, OSError) as exc:
                self._stop()
                raise RuntimeError(f"math-verify helper process died: {exc!r}") from exc
        if not ok:
            raise RuntimeError(f"math-verify failed in the helper process: {value}")
        return value


_helper = _Helper()


def _run(verb: str, *args: Any) -> Any:
    if threading.current_thread() is threading.main_thread():
        _quiet()
        return _VERBS[verb](*args)
    return _helper.call(verb, args)


def key(answer: str) -> str | None:
    r"""Canonical text of a LaTeX answer: `key(r"\frac{1}{2}") == key("0.5") == "1/2"`."""
    return _run("key", answer)


def equivalent(gold: str, pred: str) -> bool:
    r"""Whether `pred` equals `gold` mathematically.

    `equivalent(r"\frac{\sqrt2}{2}", r"\sqrt{2}/2")` is True.
    """
    return _run("equivalent", gold, pred)


def extract(response: str) -> str | None:
    """The final answer math-verify reads from a whole response (LaTeX or a plain expression)."""
    return _run("extract", response)
