"""How the teacher writes samples (the generate and rewrite stages): prompts and parsing.

The teacher answers with JSON `{"input", "reasoning", "answer"}`. Its text is data: it is
repaired if slightly malformed (json-repair, never eval), checked with pydantic, and its input
checked (`checks.InputChecks`: no stated answer, the task's input rules, no copy of the task's
own texts); every output that fails is kept in `<stage>.rejects.jsonl` with its reason.

Without passages, each generation request carries its own seeded variation (the numbers to
use and, where the input format offers several forms, which one; for a task whose inputs
carry no numbers, a subject from the keywords stage), so that a weak teacher does not write
the same input N times. Requests stay deterministic: the same seed gives the same
prompts.
"""

from __future__ import annotations

import math
import random
import re
from typing import Any

import json_repair
from pydantic import BaseModel, ConfigDict, ValidationError

from synthrl.io import read_jsonl
from synthrl.records import Candidate, sample_id
from synthrl.stage import StageContext
from synthrl.synth.balance import move_option, target_words
from synthrl.synth.checks import InputChecks, field_labels
from synthrl.synth.prompts import demos_block, render
from synthrl.synth.support import passage_span, passage_text, question_part, wants_text
from synthrl.task.answers import Choice
from synthrl.task.examples import PLACEHOLDER, MaskedTexts, number_form, text_examples_masked
from synthrl.task.loader import Task
from synthrl.task.prose import with_alternative, with_numbers
from synthrl.task.verifier import Verifier


class _TeacherSample(BaseModel):
    model_config = ConfigDict(extra="ignore")

    input: str | dict[str, Any]
    reasoning: str | list[str] = ""
    answer: str | int | float | None = None


# The markers our prompts put around an input or passage: a teacher that copies them into
# its input ("... bodies striking Earth? INPUT>>}", the 1.5B on rewrites) has them taken out.
_MARKERS = re.compile(
    r"<{2,}\s*(?:INPUT|PASSAGE)\b|\b(?:INPUT|PASSAGE)\s*[>}\]]{2,}|^\s*[<>]{3,}|[<>]{3,}\s*$", re.I
)


# A letter a teacher put before an option itself: "(A) ", "A. ", "b) ".
_OPTION_LETTER = re.compile(r"^\s*(?:\([A-Ha-h]\)|[A-Ha-h][.):])\s*")


def _field_text(key: str, value: Any, letters: list[str] | None) -> str:
    """One field of an input asked field by field: "Passage: ...", or a list (a choice task's
    options) as one line per item, lettered "(A) ..." when the answer is a letter, and
    without its key, which the input format does not quote."""
    if not isinstance(value, list):
        return f"{key}: {value}"
    items = [_OPTION_LETTER.sub("", str(item)).strip() for item in value]
    if letters is None:
        return "\n".join(items)
    marks = [*letters, *(chr(ord(letters[-1]) + i) for i in range(1, len(items)))]
    return "\n".join(f"({mark}) {item}" for mark, item in zip(marks, items, strict=False))


def parse_sample(
    text: str, finish_reason: str | None, verifier: Verifier
) -> tuple[dict[str, str] | None, str]:
    """(fields, "ok") for a usable teacher sample, else (None, reason). Without an "answer"
    the answer is read from the reasoning (then `fields["answer_from"]` is "reasoning")."""
    if finish_reason == "length":
        return None, "truncated"
    if not text.strip():
        return None, "empty_output"
    data = json_repair.loads(text)
    if not isinstance(data, dict):
        return None, "not_json"
    try:
        parsed = _TeacherSample.model_validate(data)
    except ValidationError:
        return None, "missing_fields"
    if isinstance(parsed.input, dict):
        letters = verifier.type.options if isinstance(verifier.type, Choice) else None
        task_input = "\n".join(_field_text(k, v, letters) for k, v in parsed.input.items())
    else:
        task_input = parsed.input
    task_input = _MARKERS.sub("", task_input).strip()
    if not task_input:
        return None, "empty_input"
    reasoning = parsed.reasoning
    if isinstance(reasoning, list):
        reasoning = "\n".join(map(str, reasoning))
    fields = {"input": task_input, "reasoning": reasoning.strip()}
    if parsed.answer is None:
        # A small teacher often closes the object after its reasoning ("..., so the answer is
        # no."}): its answer is read from the reasoning as the verifier reads a response.
        answer = verifier.extract(fields["reasoning"]) if fields["reasoning"] else None
        if answer is None:
            return None, "missing_fields"
        return {**fields, "answer": answer, "answer_from": "reasoning"}, "ok"
    answer = str(parsed.answer).strip()
    marked = verifier.inspect(answer)
    if marked.formatted and marked.answer is not None:
        # the answer written in the output format's marker ("<answer>Wednesday</answer>"): its
        # reading, not the markup, is what votes are compared with
        answer = marked.answer
    if verifier.canonical(answer) is None:
        return None, "answer_unreadable"
    return {**fields, "answer": answer}, "ok"


def generation_prompt(
    ctx: StageContext,
    index: int,
    passages: list[dict[str, Any]],
    pattern_text: str | None,
    texts: MaskedTexts,
    target: str | None,
    subject: str | None = None,
    form: str | None = None,
) -> str:
    """Generation request `index` (see the module docstring); `form`, an input with its
    numbers taken out (`like_form`), is then the one form it asks for, with new numbers."""
    spec = ctx.task.spec
    synth = ctx.config.synth
    demos = spec.demos or []
    rng = random.Random(synth.seed * 1_000_003 + index)
    chosen = rng.sample(demos, min(synth.demos_in_prompt, len(demos)))
    variation, input_hint = "", ""
    description, input_format = texts.description, texts.input_format
    if passages:
        source = passage_text(passages[index % len(passages)])
        if passage_in_input(ctx):
            input_hint = ", holding the passage's text (or a part of it) word for word"
    else:
        source = "(no passage: rely on the task definition and general knowledge)"
        if ctx.task.draws_numbers:
            variation, input_hint, drawn, form_named = _variation(
                ctx, rng, texts.input_format, form
            )
            if not form_named:
                # "asking for the sum or the difference": left to choose, the 1.5B teacher
                # wrote 31 sums of 32; each request names one, in turn.
                picked = with_alternative(input_format, index)
                if picked is not None:
                    input_format, kind = picked
                    rest = variation.removeprefix(" (")
                    variation = f" ({kind}, {rest}" if rest else f" ({kind})"
                    input_hint = f" ({kind}){input_hint}"
        else:  # a text or label task that names no numbers gets none, but a subject
            drawn = []
            if subject is not None:
                variation = f" (about {subject})"
        rules = ctx.task.input_rules
        # Numbers written into the task's sentence make a copy of it an input for a number
        # answer ("the GCD of two whole numbers: 16 and 5"); for a label it made claims to
        # echo ("85 is even", labelled even by every vote).
        open_answer = ctx.task.verifier.spec.type in ("number", "math")
        if open_answer and rules is not None and rules.numbers is not None:
            description = with_numbers(description, drawn) or description
            input_format = with_numbers(input_format, drawn) or input_format
    input_format = writer_format(ctx.task, input_format)
    if target is not None and not isinstance(ctx.task.verifier.type, Choice):
        # A choice's target is not asked for: the options are moved after writing (asked for
        # "option C", the 0.5B teacher answered C without putting the right option there).
        aim = target_words(target)
        variation = f"{variation}, {aim}" if variation else f" {aim}"
    demo_text = ""
    if chosen:
        demo_text = "\nExamples of the task (write a new one of the same or higher difficulty):"
        demo_text += demos_block(chosen)
    return render(
        "generate",
        description=description,
        input_format=input_format,
        output_format=texts.output_format,
        pattern=f"\nPattern of one example: {pattern_text}\n" if pattern_text else "",
        demos=demo_text,
        passage=source,
        variation=variation,
        input_hint=input_hint,
        input_shape=_input_shape(ctx.task),
        answer_kind=answer_kind(ctx.task, bool(passages)),
    )


def writer_format(task: Task, input_format: str) -> str:
    """The input format as the teacher that writes inputs sees it: for a task whose inputs
    are texts, its example text masked whole (shown one, the 0.5B handed it back)."""
    return input_format if task.draws_numbers else text_examples_masked(input_format)


# A short answer over a passage, as the writer is asked for it: without this, the 0.5B
# answered its own questions in sentences ("The core province ruled by the Manikongo was Ngoyo").
SPAN = (
    "a few words copied word for word from the passage (a name, number, date or short phrase) "
    "that the question does not already name"
)


def answer_kind(task: Task, grounded: bool) -> str:
    """What the writer's "answer" field must be: a span of the passage for a short-text
    answer grounded in one, else the answer type's own description."""
    if grounded and task.verifier.spec.type == "text":
        return SPAN
    return task.verifier.type.describe()


def _input_shape(task: Task) -> str:
    """The JSON the input is asked as: one string, or one field per label the input format
    quotes ({"Passage": "...", "Question": "..."}), which `parse_sample` joins into
    "Passage: ...\nQuestion: ..." (asked for one string, the 0.5B teacher wrote the passage
    alone); a choice task's options are asked as a list beside them (the 1.5B, not asked,
    wrote them as a Python list after "options:")."""
    labels = field_labels(task.spec.input_format)
    if not labels:
        return '"..."'
    fields = [f'"{label.rstrip(":")}": "..."' for label in labels]
    if isinstance(task.verifier.type, Choice) and not any("option" in f.lower() for f in fields):
        # the options as a list, one string each: written back as "(A) ..." lines
        fields.append('"options": [' + ", ".join('"..."' for _ in task.verifier.type.options) + "]")
    return "{" + ", ".join(fields) + "}"


def passage_in_input(ctx: StageContext) -> bool:
    """Whether generated inputs must carry their passage (`synth.passage_in_input`)."""
    setting = ctx.config.synth.passage_in_input
    return wants_text(ctx.task) if setting == "auto" else setting == "yes"


def passages_by_id(ctx: StageContext) -> dict[str, str]:
    """Each retrieved passage's text, as the teacher read it, by id."""
    return {p["id"]: passage_text(p) for p in read_jsonl(ctx.input("retrieve.jsonl"))}


# Without input_rules.numbers (or a bound), the variation's numbers are small.
_SMALL_NUMBERS = 20


def like_form(task: Task, text: str) -> str | None:
    """`text` as a form to fill with other numbers ("What is … - …?"), or None where new
    numbers cannot be drawn for it: a task that draws none, or a form with another count of
    numbers than the task's ranges give (a word problem with five)."""
    if not task.draws_numbers:
        return None
    form = " ".join(number_form(text).split())
    rules = task.input_rules
    ranges = rules.ranges(2) if rules is not None else None
    return form if form.count(PLACEHOLDER) == len(ranges or [None, None]) else None


def _variation(
    ctx: StageContext, rng: random.Random, input_format: str, like: str | None = None
) -> tuple[str, str, list[int], bool]:
    """Words that set request i apart when no passage does: numbers drawn by the request's own
    seeded generator, spread over their orders of magnitude (1 to 99 gives as many one-digit
    numbers as two-digit ones): two within the task's input_rules.numbers when it is one range,
    one per range when it is a list (so "a two-digit A and a one-digit B" is what the teacher
    is asked for). When the input format quotes two or more forms ('"What is A + B?" or "What
    is A - B?"'), the request also names one of them, drawn by the same generator: left to
    choose, a small teacher writes the first form nearly every time. A form whose example
    values were masked ('like "What is 47 + 8?"' reads "What is … + …?") is filled with the
    drawn numbers, and the request asks for that input; so is `like`, a sample's own form,
    where given (the rewrite stage's `like` requests). Said as part of the closing
    instruction, not as a line of its own: a small teacher copies a line like that into the
    input. Where the task states its numbers, the same request is repeated in the JSON field
    for the input ("input": ..., with the numbers 16 and 5 in it): asked only in the closing
    line, the 0.5B teacher used the numbers in its reasoning and handed back the task's
    description as the input. Returns (closing words, words for the input field, the numbers
    drawn, whether a form was named); the caller also writes the numbers into the task's own
    range phrases (`prose.with_numbers`), so that a copy of the task's sentence is an input."""
    rules = ctx.task.input_rules
    ranges = rules.ranges(2) if rules is not None else None
    drawn = []
    for bounds in ranges or [None, None]:
        low = math.ceil(bounds.min) if bounds and bounds.min is not None else None
        high = math.floor(bounds.max) if bounds and bounds.max is not None else None
        if low is None:
            low = 0 if high is None or high >= 0 else high - _SMALL_NUMBERS
        if high is None:
            high = low + _SMALL_NUMBERS
        if low > high:
            return "", "", [], False
        drawn.append(_spread(rng, low, high))
    single = rules.numbers if rules is not None and not isinstance(rules.numbers, list) else None
    if single is not None and single.order != "any":  # in the order the rules ask for
        drawn.sort(reverse=single.order == "decreasing")
    words = (
        ", ".join(str(n) for n in drawn[:-1]) + f" and {drawn[-1]}"
        if len(drawn) > 1
        else str(drawn[0])
    )
    forms = [like] if like is not None else quoted_forms(input_format)
    if len(forms) < 2 and like is None:  # one example input, masked: a form to fill
        forms = [f for f in _quoted(input_format) if f.count(PLACEHOLDER) == len(drawn)][:1]
    if not forms and ctx.task.spec.demos:
        # No form in the input format: a demo's input is one ("What is 6 times 7?"). Left
        # with the demo as written, the 0.5B teacher handed its first line back 33 times of 40.
        forms = [
            form
            for demo in ctx.task.spec.demos
            # on one line: asked for a form with line breaks, it wrote the first line only
            if (form := " ".join(number_form(demo.input).split())).count(PLACEHOLDER) == len(drawn)
        ][:1]
    form = rng.choice(forms) if forms else None
    if form is not None and form.count(PLACEHOLDER) == len(drawn):
        for number in drawn:
            form = form.replace(PLACEHOLDER, str(number), 1)
        return f' (of the form "{form}")', f': "{form}"', drawn, True
    named = f'of the form "{form}"; ' if form is not None and len(forms) > 1 else ""
    if rules is not None and rules.numbers is not None:
        # The task states its numbers: asked softly ("if it needs numbers"), a small teacher
        # hands back the description instead ("Find the GCD of two numbers between 1 and 20").
        return (
            f" ({named}with the numbers {words} in it)",
            f", with the numbers {words} in it",
            drawn,
            bool(named),
        )
    return f" ({named}if it needs numbers, use {words})", "", drawn, bool(named)


def _quoted(text: str) -> list[str]:
    return [(m.group(1) or m.group(2)).strip() for m in _QUOTED.finditer(text)]


_QUOTED = re.compile(r'"([^"\n]{3,})"|\u201c([^\u201d\n]{3,})\u201d')
_OR = re.compile(r"\s*(,\s*or|,|or)\s*", re.IGNORECASE)


def quoted_forms(input_format: str) -> list[str]:
    """The alternatives of the first list of quoted forms joined by "or" or commas in an
    input format ('"What is A + B?" or "What is A - B?"'); empty when it offers no choice.
    Quoted text that is not a list of alternatives ('starts with "Claim:" and ends with
    "True?"') is no choice."""
    groups: list[list[str]] = []
    end = None
    for match in _QUOTED.finditer(input_format):
        form = (match.group(1) or match.group(2)).strip()
        if end is not None and _OR.fullmatch(input_format[end : match.start()]):
            groups[-1].append(form)
        else:
            groups.append([form])
        end = match.end()
    for group in groups:
        distinct = list(dict.fromkeys(group))
        if len(distinct) > 1:
            return distinct
    return []


def _spread(rng: random.Random, low: int, high: int) -> int:
    """A whole number in [low, high]: first a number of digits, then a number that long."""
    if low < 0 or high < 10:
        return rng.randint(low, high)
    digits = rng.randint(len(str(low)), len(str(high)))
    return rng.randint(max(low, 10 ** (digits - 1) if digits > 1 else 0), min(high, 10**digits - 1))


def candidates_from(
    ctx: StageContext,
    stage: str,
    texts: list[tuple[str, str | None]],
    meta: list[dict[str, Any]],
    passages: dict[str, str],
) -> tuple[list[Candidate], dict[str, int]]:
    """Parse teacher outputs into candidates, rejecting bad ones and repeated inputs. A
    choice written for a target letter gets its options swapped to put its answer there.
    Also counts: answers read from the reasoning, and for targets, options moved, options
    that could not be read, and kept answers on their target."""
    synth = ctx.config.synth
    checks = InputChecks(ctx.task, synth.dedup_threshold, passage_in_input(ctx), synth.span_words)
    verifier = ctx.task.verifier
    choice = isinstance(verifier.type, Choice)
    kept: list[Candidate] = []
    seen: set[str] = set()
    counts = {"answer_from_reasoning": 0}
    if checks.text_answer and passages:
        counts["answer_cut_to_passage"] = 0
    if any(info.get("target") for info in meta):
        counts |= {"on_target": 0, **({"options_moved": 0, "options_unread": 0} if choice else {})}
    for (text, finish), info in zip(texts, meta, strict=True):
        fields, reason = parse_sample(text, finish, verifier)
        if fields is None:
            ctx.reject(stage, reason, text, **info)
            continue
        target, answer = info.get("target"), verifier.canonical(fields["answer"])
        if choice and target is not None and answer is not None and answer != target:
            moved = move_option(fields["input"], answer, target)
            if moved is None:
                counts["options_unread"] += 1
            else:  # the generator's reasoning names the old letters: not kept
                fields = {**fields, "input": moved[0], "answer": moved[1], "reasoning": ""}
                answer = moved[1]
                counts["options_moved"] += 1
        passage = passages.get(info.get("passage_id") or "")
        if passage and checks.text_answer:
            question = question_part(fields["input"], passage)
            cut = passage_span(fields["answer"], passage, question)
            counts["answer_cut_to_passage"] += cut != fields["answer"]
            fields = {**fields, "answer": cut}
        problem = checks.problem(fields["input"], fields["answer"], passage)
        if problem is not None:
            reason, details = problem
            ctx.reject(stage, reason, text, **details, **info)
            continue
        cid = sample_id(ctx.task.name, fields["input"])
        if cid in seen:
            ctx.reject(stage, "duplicate_input", text, **info)
            continue
        seen.add(cid)
        counts["answer_from_reasoning"] += fields.get("answer_from") == "reasoning"
        if target is not None:
            counts["on_target"] += answer == target
        kept.append(
            Candidate(
                id=cid,
                task=ctx.task.name,
                input=fields["input"],
                proposed_answer=fields["answer"],
                reasoning=fields["reasoning"],
                origin=info.get("origin", "initial"),
                parent_id=info.get("parent_id"),
                passage_id=info.get("passage_id"),
            )
        )
    return kept, counts
