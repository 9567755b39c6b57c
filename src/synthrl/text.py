"""Text overlap, shared by dedup, the checks on generated inputs and the report.

- `words`: lowercase `\\w+` words, for the 13-gram contamination check (unchanged on purpose:
  evaluation overlap should not depend on punctuation).
- `tokens`: words plus operator symbols, for near duplicates and copies of the task's texts.
- `content`: what makes a sample a different problem even when its wording is the same: its
  numbers, its operators and its names. "Compute: 9 - 7 =" and "Compute: 9 - 0 =", or
  "9 - 7" and "9 + 7", share most of their words but are different samples.

>>> content("Tom has 12 apples; Ann gives him 3 - 1 more.")
Content(numbers=('1', '12', '3'), operators=('-',), names=frozenset({'ann'}))
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from synthrl.task.loader import Task

_WORD = re.compile(r"\w+")
_OPERATORS = "+-*/×÷=<>^%≤≥≠−"
_TOKEN = re.compile(rf"\w+|[{re.escape(_OPERATORS)}]")
_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_OPERATOR = re.compile(rf"[{re.escape(_OPERATORS)}]")
_CAPITALISED = re.compile(r"\b[A-Z][\w'’-]*")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def tokens(text: str) -> list[str]:
    """Words and operator symbols, lowercase: `9 - 7` is three tokens."""
    return [t.replace("−", "-") for t in _TOKEN.findall(text.lower())]


def ngrams(items: list[str], n: int) -> set[tuple[str, ...]]:
    if len(items) < n:
        return {tuple(items)} if items else set()
    return {tuple(items[i : i + n]) for i in range(len(items) - n + 1)}


@dataclass(frozen=True)
class Content:
    """The numbers and operators (as multisets) and the names (as a set) of a text."""

    numbers: tuple[str, ...]
    operators: tuple[str, ...]
    names: frozenset[str]

    def within(self, other: Content) -> bool:
        """Whether every number, operator and name of this text also occurs in `other`."""
        return (
            not Counter(self.numbers) - Counter(other.numbers)
            and not Counter(self.operators) - Counter(other.operators)
            and self.names <= other.names
        )


def content(text: str) -> Content:
    """Numbers (thousands commas dropped), operators, and names: capitalised words that do not
    start a sentence or line (a cheap rule: "I" and sentence openers are not names)."""
    numbers = sorted(n.replace(",", "") for n in _NUMBER.findall(text))
    operators = sorted(o.replace("−", "-") for o in _OPERATOR.findall(text))
    names = set()
    for match in _CAPITALISED.finditer(text):
        before = text[: match.start()].rstrip(" \t\"'(“‘")
        if match.group() != "I" and before and before[-1] not in ".!?:\n":
            names.add(match.group().lower())
    return Content(tuple(numbers), tuple(operators), frozenset(names))


def _first_sentence(text: str) -> list[str]:
    return tokens(_SENTENCE.split(text.strip(), maxsplit=1)[0])


class TaskTexts:
    """The task's own texts (demo inputs, description, formats), to catch samples copied from
    them: a sample whose token 3-grams are mostly (at least `threshold`) in one of them, with
    no number, operator or name of its own, or one that opens with the description's first
    sentence (small teachers hand the task back instead of writing an input)."""

    # A first sentence this short ("Add numbers.") is an ordinary opening, not a copy.
    MIN_OPENING = 4

    def __init__(self, task: Task, threshold: float) -> None:
        spec = task.spec
        texts = {f"demo {i}": d.input for i, d in enumerate(spec.demos or [], start=1)}
        texts |= {"description": spec.description, "input_format": spec.input_format,
                  "output_format": task.output_format}  # fmt: skip
        self.threshold = threshold
        self._grams = {name: ngrams(tokens(text), 3) for name, text in texts.items()}
        self._content = {name: content(text) for name, text in texts.items()}
        self._opening = _first_sentence(spec.description)

    def copied(self, text: str) -> str | None:
        """The name of the task text `text` copies, or None."""
        found = tokens(text)
        opening = self._opening
        if len(opening) >= self.MIN_OPENING and found[: len(opening)] == opening:
            return "description"
        shingles = ngrams(found, 3)
        mine = content(text)
        for name, grams in self._grams.items():
            if not shingles or len(shingles & grams) / len(shingles) < self.threshold:
                continue
            if mine.within(self._content[name]):
                return name
        return None
