"""Checks on a teacher-written input before it is voted on (generate and rewrite).

A weak teacher writes inputs that give their answer away ("What is 9 - 0 = 1?"), that break
the task's stated format ("17 - 9 =" where numbers have one digit), or that hand back the
task's own description. Each is rejected with a reason:

- `states_answer`: the input shows a value as its answer: `= value` at its end or before a
  "?" after a pure arithmetic expression, or after anything when the value is the proposed
  answer; or an answer marker with a value (`#### 5`, `<answer>5</answer>`, `\\boxed{5}`,
  "the answer is 5", a closing "Answer: 5").
- `copies_task` / `copies_demo`: the input is mostly a task text or a demo, or opens with
  the description's first sentence (`overlap.TaskTexts`).
- `breaks_input_format`: the task's input rules (pattern, numbers, max_words; its file's
  `input_rules` over those read from its prose) say no, or a field label the input format
  quotes ('after "Question:"') is missing.

What it deliberately does not do: reject an input because the answer's digits occur in it
("What is 12 + 3?" with answer 15), or an equation to solve ("Solve x + 3 = 5"), or a claim
to judge in a yes/no task ("Is 3 + 4 = 8?": 8 is not a yes/no answer).

>>> from synthrl.task import load_task
>>> verifier = load_task("gsm8k").verifier
>>> states_answer("What is 9 - 0 = 1?", "9", verifier)
'= 1 after the expression 9 - 0'
>>> states_answer("Solve x + 3 = 5.", "2", verifier) is None
True
"""

from __future__ import annotations

import re

from synthrl.synth.support import carries, span_fault
from synthrl.task.loader import Task
from synthrl.task.verifier import Verifier
from synthrl.text import TaskTexts

_NUMBER = r"[-+−]?\$?\d+(?:[.,]\d+)*(?:/\d+)?%?"
# A value after "=": a number, or a word (a placeholder like "x" or "what" is no value).
_VALUE = rf"(?P<value>{_NUMBER}|[A-Za-z]{{2,}})"
# ...then the end of the text or a "?", maybe after a closing "$" of inline math.
_EQUALS_VALUE = re.compile(rf"(?<![=<>!])=(?!=)\s*{_VALUE}\s*\$?\s*(?:\?|[.!]?\Z)")
# The arithmetic just before an "=": digits, operators, brackets and spaces (one character
# class, so the search stays linear).
_EXPRESSION_TAIL = re.compile(r"[\d.,\s()+\-*/×÷^−]+\Z")
_BINARY = re.compile(r"\d[\s)]*[-+*/×÷^−][\s(]*[-+−]?\d")
_PLACEHOLDERS = {"what", "which", "how", "blank", "unknown"}

_BOXED = re.compile(r"\\boxed\s*\{\s*[^}\s]")
_HASHES = re.compile(r"####[ \t]*(?P<value>[^\n]+)")
_ANSWER_IS = re.compile(rf"\banswer\s+is\s*:?\s*(?P<value>{_NUMBER}|[^\s,;!?]+)", re.I)
_PLAIN_VALUE = re.compile(rf"{_NUMBER}|(?i:yes|no|true|false)|[A-Z]")
# The left side is only looked at this far back: enough for any expression.
_LOOKBACK = 200


def _pure_arithmetic(left: str) -> str | None:
    """The arithmetic expression `left` ends with, if it has no unknown, else None.

    "What is 9 - 0" ends with "9 - 0"; "Solve x + 3" and "f(3)" end with an unknown (the
    expression starts with an operator, or a letter is glued to it)."""
    left = left[-_LOOKBACK:]
    match = _EXPRESSION_TAIL.search(left)
    if match is None:
        return None
    tail, start = match.group(), match.start()
    glued = (
        start > 0
        and not tail[0].isspace()
        and (left[start - 1].isalnum() or left[start - 1] == "_")
    )
    expression = tail.lstrip(" \t\n.,").strip()
    if glued or not expression or not (expression[0].isdigit() or expression[0] == "("):
        return None
    return expression if _BINARY.search(expression) else None


def _closing_answer(text: str) -> str | None:
    """The value after a last "Answer:" that ends the text, if any."""
    at = text.lower().rfind("answer:")
    if at == -1 or (at > 0 and text[at - 1].isalnum()):
        return None
    value = text[at + len("answer:") :].strip().rstrip(".!").strip()
    return value if value and "\n" not in value else None


def _same(value: str, proposed: str, verifier: Verifier) -> bool:
    value = value.strip().strip(".!?")
    if len(value) == 1 and value.islower():  # "a", "x": an article or a variable
        return False
    return value.lower() == proposed.strip().lower() or verifier.equal(value, proposed)


def states_answer(text: str, proposed: str, verifier: Verifier) -> str | None:
    """How `text` states its own answer (proposed by the teacher as `proposed`), or None."""
    for match in _EQUALS_VALUE.finditer(text):
        value = match.group("value")
        if value.lower() in _PLACEHOLDERS:
            continue
        if _same(value, proposed, verifier):
            return f"= {value}, the proposed answer"
        expression = _pure_arithmetic(text[: match.start()])
        if expression is not None and verifier.canonical(value) is not None:
            return f"= {value} after the expression {expression}"
    if _BOXED.search(text):
        return "a filled \\boxed{}"
    tag = verifier.spec.tag
    for name in dict.fromkeys([tag, "answer"]):
        for inner in re.findall(rf"<{re.escape(name)}>([^<]*)</{re.escape(name)}>", text, re.I):
            if inner.strip():
                return f"<{name}>{inner.strip()}</{name}>"
    for marker, pattern in (("####", _HASHES), ("the answer is", _ANSWER_IS)):
        for match in pattern.finditer(text):
            value = match.group("value").strip()
            if _PLAIN_VALUE.fullmatch(value.strip(".!?")) or _same(value, proposed, verifier):
                return f"{marker} {value}"
    value = _closing_answer(text)
    if value is not None and (_PLAIN_VALUE.fullmatch(value) or _same(value, proposed, verifier)):
        return f"Answer: {value}"
    return None


# A quoted field label in an input format: 'a paragraph after "Passage:", then "Question:"'.
_FIELD_LABEL = re.compile(r'"([A-Z][A-Za-z ]{0,30}:)"')


def field_labels(input_format: str) -> list[str]:
    """The labels an input format quotes for its fields ("Passage:", "Question:"): an input
    must hold each (the 0.5B teacher, asked for a passage and a question, handed back the
    passage alone)."""
    return list(dict.fromkeys(_FIELD_LABEL.findall(input_format)))


class InputChecks:
    """Every check on a generated input, built once per stage for one task."""

    def __init__(
        self, task: Task, threshold: float, passage_in_input: bool = False, span_words: int = 10
    ) -> None:
        self.task = task
        self.span_words = span_words
        self.task_texts = TaskTexts(task, threshold)
        self.passage_in_input = passage_in_input
        self.text_answer = task.verifier.spec.type == "text"
        self.field_labels = field_labels(task.spec.input_format)

    def problem(
        self, text: str, proposed: str, passage: str | None = None
    ) -> tuple[str, dict[str, str]] | None:
        """(reason, details) for an input that must be rejected, else None. With the
        `passage` it was written from, also whether it stands on it (`synth/support.py`)."""
        if passage:
            if self.passage_in_input and not carries(text, passage):
                return "passage_not_in_input", {}
            fault = self.text_answer and span_fault(proposed, text, passage, self.span_words)
            if fault:
                return f"answer_{fault}", {"detail": proposed[:200]}
        shown = states_answer(text, proposed, self.task.verifier)
        if shown is not None:
            return "states_answer", {"detail": shown}
        copied = self.task_texts.copied(text)
        if copied is not None:
            reason = "copies_demo" if copied.startswith("demo") else "copies_task"
            return reason, {"copy_of": copied}
        rules = self.task.input_rules
        broken = rules.broken(text) if rules is not None else None
        if broken is not None:
            return "breaks_input_format", {"detail": broken}
        missing = [label for label in self.field_labels if label not in text]
        if missing:
            return "breaks_input_format", {"detail": f'no "{missing[0]}" in the input'}
        return None
