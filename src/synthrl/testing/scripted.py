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
    `vote_error` when voting (a teacher whose votes agree on a wrong answer), in every vote or
    with `wrong_every` = 2 in every second one (votes split between two answers). Answers end
    with the calculation, then the value alone on the last line.
    """

    def __init__(
        self,
        echo: float,
        generator_echo: float | None = None,
        vote_error: int = 0,
        wrong_every: int = 1,
    ) -> None:
        self.echo = echo
        self.generator_echo = echo if generator_echo is None else generator_echo
        self.vote_error = vote_error  # added to worked-out votes: confidently wrong
        self.wrong_every = wrong_every

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
        value = a + b if op == "+" else a - b if op == "-" else a * b
        if index % self.wrong_every == self.wrong_every - 1:
            value += self.vote_error
        if shown is not None and self._copies(question, index, self.echo):
            return f"{a} {op} {b} = {shown.group(1)}\n{shown.group(1)}"
        return f"{a} {op} {b} = {value}\n{value}"

    @staticmethod
    def _copies(key: str, index: int, share: float) -> bool:
        """Whether vote `index` on `key` copies: `share` of every ten consecutive indices."""
        return (_digest(key) + index) % 10 < round(share * 10)


# Words the label teacher writes its short passages from.
_VOCABULARY = [
    "river", "bridge", "garden", "market", "castle", "harbor", "forest", "valley", "school",
    "museum", "tower", "island", "station", "library", "mill", "chapel", "orchard", "meadow",
    "quarry", "canal",
]  # fmt: skip
_TARGET = re.compile(r'whose right answer is (?:option ([A-Z])|"([^"]+)")')
_PASSAGE = re.compile(r"Passage: ([^\n]+)")
_WORD = re.compile(r"Word: (\w+)")
_OPTION = re.compile(r"^([A-Z])\) (\w+)$", re.MULTILINE)


def _restated(word: str) -> str:
    """A short answer in a sentence that restates the short-answer task's question."""
    return f"The word of four letters or more that the passage uses first is {word}."


class LabelTeacher:
    """Responder for FakeServer: a teacher for passage tasks, a yes/no task ("Does the passage
    mention the word?"), a choice task ("Which word does the passage mention?", options A to
    D) or a short-answer task ("Which place does the passage name first?").

    Its passage is the retrieved one its prompt shows (its first sentence), or, without one, a
    sentence of its own from a fixed vocabulary. Left to choose, it is the weak teacher a small
    model is: a share `bias` of its yes/no examples are "yes" whatever it was asked for, and
    it puts the right option first ("A") in every choice it writes. Asked for a target
    ('whose right answer is "no"', 'whose right answer is option C') it follows it in the
    share `follows` of its requests. A share `drops_passage` of its inputs leave the passage
    out; a share `outside` of its short answers name a place the passage does not, and a share
    `sentences` of its short answers (written and voted) restate the question around the
    word ("The word of four letters or more that the passage uses first is harbor."). Its votes
    read the passage and the question and answer right, except on the share `vote_error` of
    questions, where every vote gives a wrong answer; asked whether the passage supports a
    label, it says the truth.
    """

    def __init__(
        self,
        kind: str,
        bias: float = 0.8,
        follows: float = 1.0,
        vote_error: float = 0.0,
        drops_passage: float = 0.0,
        outside: float = 0.0,
        sentences: float = 0.0,
    ) -> None:
        if kind not in ("boolean", "choice", "text"):
            raise ValueError(f"kind: boolean, choice or text, not {kind!r}")
        self.kind, self.bias, self.follows, self.vote_error = kind, bias, follows, vote_error
        self.drops_passage, self.outside, self.sentences = drops_passage, outside, sentences

    def __call__(self, body: dict[str, Any], index: int) -> str:
        prompt = prompt_text(body)
        if prompt.startswith("You help build training data"):
            return json.dumps({"keywords": ["places"]})
        if prompt.startswith("Below are examples of a task"):
            return "A passage and a question about a word in it."
        if prompt.startswith("You write one new example"):
            return self._generate(prompt, int(body.get("seed") or 0))
        if prompt.startswith("You check whether a passage supports"):
            example = _between(prompt, "<<<INPUT", "INPUT>>>")
            said = _between(prompt, "Proposed answer:", "\n")
            return "yes" if self._truth(example) == said else "no"
        return self._vote(prompt)

    @staticmethod
    def _share(key: int, salt: int, share: float) -> bool:
        return (key // salt) % 100 < round(share * 100)

    def _generate(self, prompt: str, seed: int) -> str:
        key = _digest(f"label:{seed}")
        source = _between(prompt, "<<<PASSAGE", "PASSAGE>>>")
        lines = source.splitlines()
        if source.startswith("(no passage") or len(lines) < 2:
            chosen = [_VOCABULARY[(key // 7**i) % len(_VOCABULARY)] for i in range(4)]
            passage = "The town has a " + ", a ".join(dict.fromkeys(chosen)) + "."
        else:  # its title, then its text: the text's first sentence
            passage = re.split(r"(?<=[.!?])\s", " ".join(lines[1:]).strip())[0]
        words = list(dict.fromkeys(w.lower() for w in re.findall(r"[A-Za-z]{4,}", passage)))
        absent = [w for w in _VOCABULARY if w not in words]
        shown = "" if self._share(key, 1, self.drops_passage) else f"Passage: {passage}\n"
        asked = _TARGET.search(prompt)
        follow = asked is not None and self._share(key, 3, self.follows)
        if self.kind == "boolean":
            leans = "yes" if self._share(key, 5, self.bias) else "no"
            answer = asked.group(2) if follow else leans  # type: ignore[union-attr]
            word = words[key % len(words)] if answer == "yes" else absent[key % len(absent)]
            question = f"{shown}Word: {word}"
        elif self.kind == "choice":
            right = words[key % len(words)]
            others = [absent[(key + 3 * i) % len(absent)] for i in range(3)]
            letter = asked.group(1) if follow and asked.group(1) else "A"  # type: ignore[union-attr]
            slot = "ABCD".index(letter)
            options = [*others[:slot], right, *others[slot:]]
            listed = "\n".join(f"{'ABCD'[i]}) {w}" for i, w in enumerate(options))
            question = f"{shown}Which word does the passage mention?\n{listed}"
            answer = letter
        else:
            question = f"{shown}Which word of four letters or more does the passage use first?"
            answer = absent[key % len(absent)] if self._share(key, 7, self.outside) else words[0]
            answer = _restated(answer) if self._share(key, 11, self.sentences) else answer
        return json.dumps({"input": question, "reasoning": "read the passage", "answer": answer})

    def _truth(self, example: str) -> str | None:
        """The right answer to an input, read from its passage."""
        passage = _PASSAGE.search(example)
        if passage is None:
            return None
        mentioned = [w.lower() for w in re.findall(r"[A-Za-z]{4,}", passage.group(1))]
        if self.kind == "boolean":
            word = _WORD.search(example)
            return None if word is None else "yes" if word.group(1) in mentioned else "no"
        if self.kind == "choice":
            hits = [letter for letter, w in _OPTION.findall(example) if w in mentioned]
            return hits[0] if hits else None
        return mentioned[0] if mentioned else None

    def _vote(self, prompt: str) -> str:
        truth = self._truth(prompt)
        if truth is None:
            return "I cannot tell."
        passage = _PASSAGE.search(prompt)
        key = _digest(passage.group(1))  # type: ignore[union-attr]
        if key % 100 < round(self.vote_error * 100):
            truth = {"yes": "no", "no": "yes"}.get(truth) or (
                "ABCD"[("ABCD".index(truth) + 1) % 4] if len(truth) == 1 else "nowhere"
            )
        elif self.kind == "text" and self._share(key, 100, self.sentences):
            truth = _restated(truth)
        return f"I read the passage.\nAnswer: {truth}"
