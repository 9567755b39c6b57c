"""The dedup stage: near-duplicate removal and decontamination against evaluation sets.

- Near duplicates: word 3-gram Jaccard similarity at or above `synth.dedup_threshold` with a
  sample kept earlier (initial samples come before rewrites, so an original wins over its
  copy). Candidate pairs come from an inverted index of 3-grams, so only samples that share
  a 3-gram are compared.
- Contamination: any shared word 13-gram with an evaluation question, or, for samples shorter
  than 13 words, the same normalised text.
- Copies of the task itself: a sample whose word 3-grams are mostly (at least
  `synth.dedup_threshold`) found in one of the task's demo inputs or in its description or
  format texts is rejected (`copies_demo`, `copies_task`): small teachers like to hand those
  back instead of writing an input.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from synthrl.evaluate.sets import BUILTIN_SETS, eval_questions
from synthrl.io import read_jsonl, write_jsonl
from synthrl.synth.context import SynthContext
from synthrl.synth.records import Sample
from synthrl.task.loader import Task

_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def ngrams(tokens: list[str], n: int) -> set[tuple[str, ...]]:
    if len(tokens) < n:
        return {tuple(tokens)} if tokens else set()
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


class NearDuplicates:
    """Incremental near-duplicate finder over word 3-grams."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self._shingles: list[set[tuple[str, ...]]] = []
        self._ids: list[str] = []
        self._index: dict[tuple[str, ...], list[int]] = defaultdict(list)

    def match(self, text: str) -> str | None:
        """The id of a kept text this one nearly duplicates, or None."""
        shingles = ngrams(words(text), 3)
        shared = Counter(j for s in shingles for j in self._index.get(s, ()))
        for j, common in shared.most_common():
            union = len(shingles) + len(self._shingles[j]) - common
            if union and common / union >= self.threshold:
                return self._ids[j]
        return None

    def add(self, sample_id: str, text: str) -> None:
        shingles = ngrams(words(text), 3)
        position = len(self._ids)
        self._ids.append(sample_id)
        self._shingles.append(shingles)
        for s in shingles:
            self._index[s].append(position)


class TaskTexts:
    """The task's own texts (demo inputs, description, formats), to catch samples copied
    from them: a sample whose word 3-grams are mostly (at least `threshold`) in one of them."""

    def __init__(self, task: Task, threshold: float) -> None:
        spec = task.spec
        texts = {f"demo {i}": d.input for i, d in enumerate(spec.demos or [], start=1)}
        texts |= {"description": spec.description, "input_format": spec.input_format,
                  "output_format": task.output_format}  # fmt: skip
        self.threshold = threshold
        self._grams = {name: ngrams(words(text), 3) for name, text in texts.items()}

    def copied(self, text: str) -> str | None:
        """The name of the task text `text` copies, or None."""
        shingles = ngrams(words(text), 3)
        for name, grams in self._grams.items():
            if shingles and len(shingles & grams) / len(shingles) >= self.threshold:
                return name
        return None


class Contamination:
    """13-gram overlap with evaluation questions."""

    def __init__(self, sets: dict[str, list[str]]) -> None:
        self._grams: dict[tuple[str, ...], str] = {}
        self._whole: dict[str, str] = {}
        for name, questions in sets.items():
            for question in questions:
                tokens = words(question)
                self._whole.setdefault(" ".join(tokens), name)
                for gram in ngrams(tokens, 13):
                    if len(gram) == 13:
                        self._grams.setdefault(gram, name)

    def source(self, text: str) -> str | None:
        """The evaluation set this text overlaps, or None."""
        tokens = words(text)
        if len(tokens) < 13:
            return self._whole.get(" ".join(tokens))
        return next((self._grams[g] for g in ngrams(tokens, 13) if g in self._grams), None)


def decontamination_sets(ctx: SynthContext) -> list[str]:
    chosen = ctx.config.synth.decontaminate
    if chosen is None:
        from synthrl.evaluate.wiki_topics import WIKI_SETS

        known = {*BUILTIN_SETS, *WIKI_SETS}
        return [ctx.task.name] if ctx.task.name in known else []
    return chosen


async def dedup(ctx: SynthContext) -> dict[str, int]:
    samples = [Sample.from_dict(r) for r in read_jsonl(ctx.path("verify.jsonl"))]
    if ctx.path("rewrite.jsonl").is_file():
        samples += [Sample.from_dict(r) for r in read_jsonl(ctx.path("rewrite.jsonl"))]
    names = decontamination_sets(ctx)
    contamination = Contamination({name: eval_questions(name) for name in names})
    near = NearDuplicates(ctx.config.synth.dedup_threshold)
    task_texts = TaskTexts(ctx.task, ctx.config.synth.dedup_threshold)
    kept: list[Sample] = []
    seen: set[str] = set()
    for sample in samples:
        if sample.id in seen:
            ctx.reject("dedup", "duplicate", id=sample.id, duplicate_of=sample.id)
            continue
        source = contamination.source(sample.input)
        if source is not None:
            ctx.reject("dedup", "contaminated", id=sample.id, eval_set=source, input=sample.input)
            continue
        copied = task_texts.copied(sample.input)
        if copied is not None:
            reason = "copies_demo" if copied.startswith("demo") else "copies_task"
            ctx.reject("dedup", reason, id=sample.id, copy_of=copied, input=sample.input)
            continue
        twin = near.match(sample.input)
        if twin is not None:
            ctx.reject("dedup", "duplicate", id=sample.id, duplicate_of=twin, input=sample.input)
            continue
        seen.add(sample.id)
        near.add(sample.id, sample.input)
        kept.append(sample)
    write_jsonl(ctx.path("dedup.jsonl"), (s.to_dict() for s in kept))
    counts = ctx.write_rejects("dedup")
    return {
        "samples": len(samples),
        "kept": len(kept),
        "duplicates": counts.get("duplicate", 0),
        "contaminated": counts.get("contaminated", 0),
        "copies_demo": counts.get("copies_demo", 0),
        "copies_task": counts.get("copies_task", 0),
        "eval_sets": len(names),
    }
