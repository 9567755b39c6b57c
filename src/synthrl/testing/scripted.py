"""A scripted teacher for number tasks: it writes and solves addition word problems.

It recognises synthrl's own prompts by their opening words and answers each kind the way a
real teacher would, deterministically, with a few planted problems so that every rejection
path is exercised:
- generation outputs that are not JSON (about 1 in 7 passages),
- questions whose votes split evenly (a tie) or that it cannot answer (no readable votes).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from synthrl.testing.fake_server import prompt_text

_INT = re.compile(r"(?<![\w.])\d+(?![\w.])")


def _digest(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:12], 16)


def _between(text: str, start: str, end: str) -> str:
    _head, _, rest = text.partition(start)
    return rest.partition(end)[0].strip() if rest else ""


class ArithmeticTeacher:
    """Responder for FakeServer: `(request body, sample index) -> text`."""

    def __call__(self, body: dict[str, Any], index: int) -> str:
        prompt = prompt_text(body)
        if prompt.startswith("You help build training data"):
            return json.dumps({"keywords": ["arithmetic", "counting", "books and libraries"]})
        if prompt.startswith("Below are examples of a task"):
            return "One short question adding two or three whole numbers; answer after ####."
        if prompt.startswith("You write one new example"):
            return self._generate(_between(prompt, "<<<PASSAGE", "PASSAGE>>>"), body)
        if prompt.startswith("You rewrite an example of a task into a harder"):
            return self._rewrite(_between(prompt, "<<<INPUT", "INPUT>>>"), harder=True)
        if prompt.startswith("You rewrite an example of a task into an easier"):
            return self._rewrite(_between(prompt, "<<<INPUT", "INPUT>>>"), harder=False)
        return self._solve(prompt, index)

    def _generate(self, passage: str, body: dict[str, Any]) -> str:
        seed = _digest(passage + str(body.get("seed")))
        if seed % 7 == 0:
            return "Sure! Here is a great example about the passage."
        topic = (passage.splitlines() or ["things"])[0][:40] or "things"
        a, b = seed % 90 + 10, seed // 97 % 40 + 2
        question = f"A club has {a} items about {topic} and gets {b} more. How many now?"
        return json.dumps(
            {"input": question, "reasoning": f"{a} + {b} = {a + b}", "answer": str(a + b)}
        )

    def _rewrite(self, original: str, harder: bool) -> str:
        numbers = [int(x) for x in _INT.findall(original)] or [1]
        if harder:
            extra = numbers[0] % 9 + 3
            question = f"{original.rstrip('?. ')} and then {extra} more arrive. How many in total?"
            total = sum(numbers) + extra
        else:
            question = f"A box holds {numbers[0]} items and 1 more is added. How many now?"
            total = numbers[0] + 1
        return json.dumps({"input": question, "reasoning": "add them", "answer": str(total)})

    def _solve(self, prompt: str, index: int) -> str:
        parts = prompt.split("\n\n")
        question = "\n\n".join(parts[1:-1]) if len(parts) >= 3 else prompt
        numbers = [int(x) for x in _INT.findall(question)]
        total = sum(numbers)
        kind = _digest(question) % 10
        if kind == 0:  # planted: the votes split evenly
            total += index % 2
        elif kind == 1:  # planted: the teacher cannot answer
            return "I am not able to work this one out."
        steps = " + ".join(map(str, numbers)) or "0"
        return f"Adding the amounts: {steps} = {total}.\n#### {total}"


_OPERATION = re.compile(r"(-?\d+)\s*([-+*])\s*(-?\d+)")


class WeakTeacher:
    """Responder for FakeServer that plays a weak teacher from a script.

    Generation request i (by its request seed) writes `inputs[i % len(inputs)]`, proposing
    the answer it would vote for. Every vote answers `vote` when given (a weak teacher copying
    the value its output format shows), else works out the first "a op b" in the question.
    """

    def __init__(self, inputs: list[str], vote: str | None = None) -> None:
        self.inputs = inputs
        self.vote = vote

    def __call__(self, body: dict[str, Any], index: int) -> str:
        prompt = prompt_text(body)
        if prompt.startswith("You help build training data"):
            return json.dumps({"keywords": ["arithmetic"]})
        if prompt.startswith("Below are examples of a task"):
            return "One short subtraction; answer after ####."
        if prompt.startswith("You write one new example"):
            question = self.inputs[int(body.get("seed") or 0) % len(self.inputs)]
            answer = self._answer(question)
            return json.dumps({"input": question, "reasoning": "worked out", "answer": answer})
        parts = prompt.split("\n\n")
        return f"#### {self._answer(parts[1] if len(parts) >= 3 else prompt)}"

    def _answer(self, question: str) -> str:
        if self.vote is not None:
            return self.vote
        match = _OPERATION.search(question)
        if match is None:
            return "0"
        a, op, b = int(match.group(1)), match.group(2), int(match.group(3))
        return str(a + b if op == "+" else a - b if op == "-" else a * b)


_ASKED_NUMBERS = re.compile(r"(?:use|with the numbers) (-?\d+)(?:, (-?\d+))* and (-?\d+)")
_ASKED_FORM = re.compile(r'of the form "What is (-?\d+) ([-+]) (-?\d+)\?"')
# The value an example in the prompt shows as its result: after "=" or "####" in a quoted
# text or after "for example". A masked example ("… - … = …") shows none.
_SHOWN_RESULT = re.compile(r"(?:=|####)\s*(-?\d+)\s*[\"'.]")


class EchoTeacher:
    """Responder for FakeServer: a weak teacher that copies the example value its prompt shows.

    It writes and answers "What is A + B?" / "What is A - B?" questions. A generation request
    writes the input it is asked for ('of the form "What is 7 + 3?"'), or uses the numbers it
    is asked to use ("with the numbers 7 and 3") and the operator its seed picks. In a
    share `echo` of its votes (and `generator_echo` of its proposed answers), spread evenly
    over each question's vote indices, it answers the result the prompt's example shows
    ('for example "7 - 9 = -2"' -> -2) instead of working it out; a prompt whose example
    shows no value (masked: "…") leaves nothing to copy, so it works it out, off by
    `vote_error` when voting (a teacher whose votes agree on a wrong answer). Answers end with
    the calculation, then the value alone on the last line.
    """

    def __init__(
        self, echo: float, generator_echo: float | None = None, vote_error: int = 0
    ) -> None:
        self.echo = echo
        self.generator_echo = echo if generator_echo is None else generator_echo
        self.vote_error = vote_error  # added to every worked-out vote: confidently wrong

    def __call__(self, body: dict[str, Any], index: int) -> str:
        prompt = prompt_text(body)
        if prompt.startswith("You help build training data"):
            return json.dumps({"keywords": ["arithmetic"]})
        if prompt.startswith("Below are examples of a task"):
            return "One short sum or difference."
        shown = _SHOWN_RESULT.search(prompt)
        if prompt.startswith("You write one new example"):
            seed = int(body.get("seed") or 0)
            asked = _ASKED_NUMBERS.search(prompt)
            a, b = (int(asked.group(1)), int(asked.group(3))) if asked else (seed % 10, 7)
            op = "+-"[_digest(str(seed)) % 2]
            form = _ASKED_FORM.search(prompt)
            if form is not None:
                a, op, b = int(form.group(1)), form.group(2), int(form.group(3))
            right = a + b if op == "+" else a - b
            copies = shown is not None and self._copies(str(seed), 0, self.generator_echo)
            answer = shown.group(1) if copies else str(right)  # type: ignore[union-attr]
            question = f"What is {a} {op} {b}?"
            return json.dumps({"input": question, "reasoning": "worked out", "answer": answer})
        parts = prompt.split("\n\n")
        question = parts[1] if len(parts) >= 3 else prompt
        match = _OPERATION.search(question)
        if match is None:
            return "I cannot tell."
        a, op, b = int(match.group(1)), match.group(2), int(match.group(3))
        value = (a + b if op == "+" else a - b if op == "-" else a * b) + self.vote_error
        if shown is not None and self._copies(question, index, self.echo):
            return f"{a} {op} {b} = {shown.group(1)}\n{shown.group(1)}"
        return f"{a} {op} {b} = {value}\n{value}"

    @staticmethod
    def _copies(key: str, index: int, share: float) -> bool:
        """Whether vote `index` on `key` copies: `share` of every ten consecutive indices."""
        return (_digest(key) + index) % 10 < round(share * 10)
