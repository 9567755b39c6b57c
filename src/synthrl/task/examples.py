"""Example values in a task's texts, and those texts with the values masked.

Users write examples into their formats: 'Write the calculation with its result, for example
"7 - 9 = -2"', 'e.g. <answer>even</answer>', 'for example "#### 42"'. Such values are format,
not answers, yet a small teacher asked to solve a problem under that format copies them into
its answer: "-2" for every question. So the teacher reads the task's texts with every example
value replaced by "…" when it votes on a label, when its labels are audited and when it writes
new inputs; the student's prompt keeps the user's text.

An example is one of:
- a filled answer marker: `#### 42`, `<answer>even</answer>` (the task's tag), `\\boxed{12}`;
- a quoted text ("...", '...', “...”, `...`) holding a value (number and math tasks only: in
  other tasks quotes name things, as in 'reply "yes" or "no"');
- the rest of a clause after a cue: "for example", "for instance", "e.g.", "such as", "like",
  "say" (to the end of its sentence, or of its brackets when it opens inside them).
An example holding a value an answer could copy (a number in number and math tasks; one
label, yes/no or option letter in closed tasks; anything in text and custom ones) is masked
whole, keeping only its answer marker ('"7 - 9 = -2"' -> '"…"', '<answer>even</answer>' ->
'<answer>…</answer>'): with only its numbers masked, "… - … = …" still taught a small teacher
to subtract. An example that names two or more different labels lists the label set ("such
as positive, negative or neutral") and is left alone. In the input format, examples are
inputs: only their numbers are masked ('"What is … + …?"'), for every answer type, and
generation fills them with its own.

What it deliberately does not do: mask numbers outside examples ("numbers from 0 to 9" is a
constraint the teacher needs), or values written in words ("minus two").

>>> from synthrl.task import load_task
>>> task = load_task("gsm8k")
>>> masked_text('Give the result, for example "7 - 9 = -2".', task.verifier)
('Give the result, for example "…".', ['"7 - 9 = -2"'])
>>> masked_text("End with the answer after ####, e.g. #### 42", task.verifier)[0]
'End with the answer after ####, e.g. #### …'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from synthrl.task.loader import Task
from synthrl.task.verifier import Verifier

PLACEHOLDER = "…"

_CUE = re.compile(
    r"\b(?:for example|for instance|e\.\s?g\.|such as|like|say)\s*[:,]?\s*", re.IGNORECASE
)
# A cue's clause ends at a sentence end, a semicolon, a closing bracket or a line end.
_CLAUSE_END = re.compile(r"[.;!?](?=\s|$)|[;\n]")
_CLAUSE_END_IN_BRACKETS = re.compile(r"[.;!?](?=\s|$)|[;)\n]")
_QUOTES = re.compile(r'"([^"\n]+)"|“([^”\n]+)”|`([^`\n]+)`|(?<!\w)\'([^\'\n]+)\'(?!\w)')
_HASHES = re.compile(r"####[ \t]*([^\s'\"“”`,;]+)")
_BOXED = re.compile(r"\\boxed\s*\{([^{}\n]+)\}")
# A number with its sign when the sign is glued to it and follows no operand ("= -2", not
# "9 - 2" or "9-2").
_NUMBER = re.compile(r"(?:(?<![\w)])[-−])?(?<![\w.])\d+(?:[.,]\d+)*(?:/\d+)?%?")
_WORDS_BOOLEAN = ("yes", "no", "true", "false")


@dataclass(frozen=True)
class Example:
    """One example found in a task text: where, as written, the values masked in it, and the
    answers it reads as (what a copying vote would answer; one per quoted part)."""

    where: str
    text: str
    values: tuple[str, ...]
    answers: tuple[str, ...]


def _spans(text: str, verifier: Verifier, numbers_only: bool) -> list[tuple[int, int]]:
    """The (start, end) of every example region of `text`, merged where they overlap."""
    found: list[tuple[int, int]] = []
    tag = re.escape(verifier.spec.tag)
    for pattern in (_HASHES, _BOXED, re.compile(rf"<{tag}>([^<]*)</{tag}>", re.IGNORECASE)):
        found += [m.span(1) for m in pattern.finditer(text) if m.group(1).strip()]
    for cue in _CUE.finditer(text):
        before = text[: cue.start()]
        bracketed = before.count("(") > before.count(")")
        end = (_CLAUSE_END_IN_BRACKETS if bracketed else _CLAUSE_END).search(text, cue.end())
        stop = end.start() if end else len(text)
        if stop > cue.end():
            found.append((cue.end(), stop))
    if numbers_only or verifier.spec.type in ("number", "math"):
        for quote in _QUOTES.finditer(text):
            found.append(quote.span())
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _label_words(verifier: Verifier) -> dict[str, str]:
    """Each word or phrase that names a label (lowercase) -> the label it names."""
    spec = verifier.spec
    if spec.type == "boolean":
        return {w: "yes" if w in ("yes", "true") else "no" for w in _WORDS_BOOLEAN}
    if spec.type == "label":
        names = {}
        for name, synonyms in spec.label_map.items():
            for word in (name, *synonyms):
                names[word.lower()] = name
        return names
    return {}


def _values(region: str, verifier: Verifier, numbers_only: bool) -> list[tuple[int, int]]:
    """Spans inside `region` holding values an answer could copy (empty: leave it alone)."""
    kind = verifier.spec.type
    if numbers_only or kind in ("number", "math"):
        return [m.span() for m in _NUMBER.finditer(region)]
    if kind in ("text", "custom"):
        stripped = region.strip().strip("\"'“”`").strip()
        if not stripped:
            return []
        start = region.index(stripped)
        return [(start, start + len(stripped))]
    if kind == "choice":
        letters = "".join(verifier.spec.options or [])
        hits = [m for m in re.finditer(rf"(?<![\w)])[{letters}](?![\w)])", region)]
        named = {m.group() for m in hits}
        return [m.span() for m in hits] if len(named) == 1 else []
    words = _label_words(verifier)
    if not words:
        return []
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    hits = list(re.finditer(rf"(?<!\w)(?:{alternatives})(?!\w)", region, re.IGNORECASE))
    named = {words[m.group().lower()] for m in hits}
    return [m.span() for m in hits] if len(named) == 1 else []


def masked_text(text: str, verifier: Verifier, numbers_only: bool = False) -> tuple[str, list[str]]:
    """`text` with the values of its examples replaced by "…", and the examples as written.

    `numbers_only` masks the numbers of examples whatever the answer type (for example
    inputs)."""
    pieces, examples, at = [], [], 0
    for start, end in _spans(text, verifier, numbers_only):
        region = text[start:end]
        values = _values(region, verifier, numbers_only)
        if not values:
            continue
        if numbers_only:
            out, last = [], 0
            for v_start, v_end in values:
                out += [region[last:v_start], PLACEHOLDER]
                last = v_end
            out.append(region[last:])
            masked = "".join(out)
        else:
            masked = _whole(region, verifier)
        pieces += [text[at:start], masked]
        examples.append(region.strip())
        at = end
    pieces.append(text[at:])
    return "".join(pieces), examples


def text_examples_masked(input_format: str) -> str:
    """An input format with each example after a cue ("e.g.", "for example", "like", ...)
    masked whole: for a task whose inputs are texts, not numbers to fill in.

    Shown the review 'e.g. "the acting is stiff and the plot goes nowhere ."', the 0.5B
    teacher handed that sentence back as its input 22 times of 24. An example that shows the
    input's fields ("Passage: ... Question: ...") is its shape, and is kept.

    >>> text_examples_masked('One line of a review, e.g. "the plot goes nowhere ." No names.')
    'One line of a review, e.g. "…" No names.'
    """
    pieces, at = [], 0
    for cue in _CUE.finditer(input_format):
        if cue.start() < at:
            continue
        before = input_format[: cue.start()]
        bracketed = before.count("(") > before.count(")")
        end = (_CLAUSE_END_IN_BRACKETS if bracketed else _CLAUSE_END).search(
            input_format, cue.end()
        )
        stop = end.start() if end else len(input_format)
        quoted = _QUOTES.match(input_format, cue.end())
        if quoted is not None:  # a quoted example ends where its quote does
            stop = quoted.end()
        region = input_format[cue.end() : stop]
        if not region.strip() or re.search(r"(?m)(^|[\s\"“])[A-Z][\w ]{0,20}:\s", region):
            continue
        lead = region[: len(region) - len(region.lstrip(" \t\"'“`"))]
        trail = region[len(region.rstrip(" \t\"'”`")) :]
        pieces += [input_format[at : cue.end()], lead + PLACEHOLDER + trail]
        at = stop
    pieces.append(input_format[at:])
    return "".join(pieces)


def number_form(text: str) -> str:
    """`text` with every number replaced by "…": the form of an example input.

    >>> number_form("Which is largest? A) 12 B) 85")
    'Which is largest? A) … B) …'
    """
    return _NUMBER.sub(PLACEHOLDER, text)


def _whole(region: str, verifier: Verifier) -> str:
    """An example answer masked whole, keeping only where an answer goes: '"7 - 9 = -2"' ->
    '"…"', '#### 42' -> '#### …'. Masking only its numbers left "… - … = …", and a 0.5B
    teacher then answered "What is the sum of 2 and 3?" with a subtraction, -1."""
    stripped = region.strip()
    lead = region[: len(region) - len(region.lstrip(" \t\"'“`"))]
    trail = region[len(region.rstrip(" \t\"'”`")) :]
    tag = verifier.spec.tag
    if re.search(rf"<{re.escape(tag)}>", stripped, re.IGNORECASE):
        core = f"<{tag}>{PLACEHOLDER}</{tag}>"
    elif "####" in stripped:
        core = f"#### {PLACEHOLDER}"
    elif "\\boxed" in stripped:
        core = f"\\boxed{{{PLACEHOLDER}}}"
    else:
        core = PLACEHOLDER
    return lead + core + trail


@dataclass(frozen=True)
class MaskedTexts:
    """The task's texts as the teacher reads them when it votes and writes: examples masked."""

    description: str
    input_format: str
    output_format: str
    examples: tuple[Example, ...]

    @property
    def changed(self) -> bool:
        return bool(self.examples)

    def summary(self) -> str:
        """One line: which texts had examples masked, as written."""
        return "; ".join(f"{e.where} {e.text}" for e in self.examples)


def mask_task(task: Task) -> MaskedTexts:
    """The task's description, input and output formats with example values masked."""
    verifier = task.verifier
    examples: list[Example] = []
    texts = {}
    for where, text, numbers_only in (
        ("description", task.spec.description, False),
        ("input_format", task.spec.input_format, True),
        ("output_format", task.output_format, False),
    ):
        texts[where], found = masked_text(text, verifier, numbers_only)
        for region in found:
            values = [
                region[start:end].replace("−", "-")
                for start, end in _values(region, verifier, numbers_only)
            ]
            examples.append(Example(where, region, tuple(values), _answers(region, verifier)))
    return MaskedTexts(**texts, examples=tuple(examples))


def _answers(region: str, verifier: Verifier) -> tuple[str, ...]:
    """What each quoted part of an example (or the whole, unquoted) reads as."""
    parts = [next(g for g in m.groups() if g is not None) for m in _QUOTES.finditer(region)]
    answers = []
    for part in parts or [region]:
        answer = verifier.extract(part)
        if answer is None:
            numbers = _NUMBER.findall(part)
            if numbers and verifier.canonical(numbers[-1]) is not None:
                answer = numbers[-1].replace("−", "-")
        if answer is not None:
            answers.append(answer)
    return tuple(answers)


def shown_values(task: Task) -> dict[str, list[str]]:
    """Answers the task's texts show, by where: what the examples in its description and
    output format read as (the input format's examples are inputs, not answers) and what each
    demo's output reads as.

    >>> from synthrl.task.loader import parse_task
    >>> task = parse_task("{name: signs, description: Add two numbers., input_format: A sum., "
    ...     "output_format: 'The sum, e.g. 7 - 9 = -2.', answer: {type: number}}", "t.yaml", None)
    >>> shown_values(task)
    {'output_format': ['-2']}
    """
    shown: dict[str, list[str]] = {}
    for example in mask_task(task).examples:
        if example.where != "input_format" and example.answers:
            shown.setdefault(example.where, []).extend(example.answers)
    for i, demo in enumerate(task.spec.demos or [], start=1):
        read = [task.verifier.extract(demo.output), demo.answer]
        shown[f"demo {i}"] = [v for v in read if v]
    return {where: values for where, values in shown.items() if values}


def example_finder(task: Task) -> Callable[[str], str | None]:
    """A function answer -> where the task's texts show it as an example ("output_format",
    "demo 2"), or None; the texts are read once."""
    shown, verifier = shown_values(task), task.verifier

    def where(answer: str) -> str | None:
        return next(
            (w for w, values in shown.items() if any(verifier.equal(answer, v) for v in values)),
            None,
        )

    return where
