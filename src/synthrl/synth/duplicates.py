"""What the dedup stage measures: near duplicates, overlaps with evaluation sets, copies of
the task.

- Near duplicates: token 3-gram Jaccard similarity (words, numbers and operator symbols) at
  or above `synth.dedup_threshold` with a sample kept earlier, and the same numbers,
  operators and names (`overlap.content`): "Compute: 9 - 7 =" and "Compute: 9 - 0 =" are two
  problems however alike their words. Initial samples come before rewrites, so an original
  wins over its copy. Candidate pairs come from an inverted index of 3-grams, so only samples
  that share a 3-gram are compared.
- Contamination: any shared word 13-gram with an evaluation question, or, for samples shorter
  than 13 words, the same normalised text.
- Copies of the task itself (`overlap.TaskTexts`, also checked at generation): a sample that
  is mostly one of the task's demo inputs or its description or format texts is rejected
  (`copies_demo`, `copies_task`): small teachers like to hand those back.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from synthrl.evaluate.sets import both_parts, is_builtin
from synthrl.stage import StageContext
from synthrl.text import Content, content, ngrams, tokens, words


class NearDuplicates:
    """Incremental near-duplicate finder over token 3-grams, for texts with the same content."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self._shingles: list[set[tuple[str, ...]]] = []
        self._content: list[Content] = []
        self._ids: list[str] = []
        self._index: dict[tuple[str, ...], list[int]] = defaultdict(list)

    def match(self, text: str) -> str | None:
        """The id of a kept text this one nearly duplicates, or None."""
        shingles = ngrams(tokens(text), 3)
        mine = content(text)
        shared = Counter(j for s in shingles for j in self._index.get(s, ()))
        for j, common in shared.most_common():
            union = len(shingles) + len(self._shingles[j]) - common
            if union and common / union >= self.threshold and self._content[j] == mine:
                return self._ids[j]
        return None

    def add(self, sample_id: str, text: str) -> None:
        shingles = ngrams(tokens(text), 3)
        position = len(self._ids)
        self._ids.append(sample_id)
        self._shingles.append(shingles)
        self._content.append(content(text))
        for s in shingles:
            self._index[s].append(position)


class Contamination:
    """Overlap with evaluation questions: a shared word 13-gram; for a sample shorter than 13
    words, the same words and operators, or the same problem in other words (the same numbers
    and operators, at least two numbers: "Compute 47 + 8" is "What is 47 + 8?"). It errs on
    the side of removing: a lost synthetic sample costs less than a leaked evaluation item."""

    def __init__(self, sets: dict[str, list[str]]) -> None:
        self._grams: dict[tuple[str, ...], str] = {}
        self._whole: dict[str, str] = {}
        self._problems: dict[tuple[tuple[str, ...], tuple[str, ...]], str] = {}
        for name, questions in sets.items():
            for question in questions:
                self._whole.setdefault(" ".join(tokens(question)), name)
                for gram in ngrams(words(question), 13):
                    if len(gram) == 13:
                        self._grams.setdefault(gram, name)
                problem = _problem(question)
                if problem is not None:
                    self._problems.setdefault(problem, name)

    def source(self, text: str) -> str | None:
        """The evaluation set this text overlaps, or None."""
        said = words(text)
        if len(said) < 13:
            problem = _problem(text)
            same = self._problems.get(problem) if problem is not None else None
            return self._whole.get(" ".join(tokens(text))) or same
        return next((self._grams[g] for g in ngrams(said, 13) if g in self._grams), None)


# Operator words, read as the symbols they name: "What is the sum of 70 and 8?", "Add 70 and
# 8.", "What is 70 plus 8?" all pose "What is 70 + 8?" (numbers and operators are compared as
# sorted multisets, so "subtract 9 from 47" is "47 - 9").
_OPERATOR_WORDS = (
    (re.compile(r"\b(?:plus|sum of|add(?:ed|ing)?(?: up)?|total of)\b", re.I), " + "),
    (re.compile(r"\b(?:minus|difference between|difference of|subtract(?:ed|ing)?|take away)\b",
                re.I), " - "),
    (re.compile(r"\b(?:times|product of|multipl(?:y|ied)(?: by)?)\b", re.I), " * "),
    (re.compile(r"\b(?:divided by|quotient of|divide)\b", re.I), " / "),
)  # fmt: skip


def _problem(text: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The numbers and operators of a short text (operator words read as symbols), when it has
    at least two numbers."""
    for words_of, symbol in _OPERATOR_WORDS:
        text = words_of.sub(symbol, text)
    found = content(text)
    if len(found.numbers) < 2:
        return None
    return found.numbers, found.operators


def decontamination_sets(ctx: StageContext) -> list[str]:
    """`synth.decontaminate`, or by default the task's built-in set and the run's `eval.data`,
    each with its other part (dev with test), so that a run trains on neither."""
    chosen = ctx.config.synth.decontaminate
    if chosen is not None:
        return chosen
    names = [ctx.task.name] if is_builtin(ctx.task.name) else []
    data = ctx.config.eval.data
    names += [data] if data else []
    return list(dict.fromkeys(part for name in names for part in both_parts(name)))
