"""The one answer-checking path: voting, pass rates, the RL reward and evaluation all call this.

`Verifier` reads answers from the response only (never from the prompt), never raises, and
counts every outcome with its reason so that "cannot grade" is visible rather than silently
scored as 0.

>>> from synthrl.task import load_task
>>> v = load_task("gsm8k").verifier
>>> v.extract("48 / 2 = 24, 48 + 24 = 72\\n#### 72")
'72'
>>> v.reward("#### 72", "72"), v.reward("#### 70", "72")
(1.0, 0.0)
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
import sys
import sysconfig
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from synthrl.errors import UserError
from synthrl.task import answers
from synthrl.task.answers import CONFLICT, Answer
from synthrl.task.questions import question_line
from synthrl.task.regions import marked_regions
from synthrl.task.spec import AnswerSpec
from synthrl.types import Reason

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Extraction:
    """What was read from a response, and why nothing was when `answer` is None."""

    answer: str | None
    reason: Reason  # read | no_answer | empty_answer | invalid_answer | conflicting_answers
    #             | checker_error
    formatted: bool  # the answer came from the marker the task asks for


@dataclass(frozen=True)
class Grade:
    """The verdict on one response against one gold answer."""

    extracted: str | None
    correct: bool
    reward: float | None  # None: cannot grade (see reason)
    reason: Reason
    formatted: bool


# How much of a response grading reads: its end, where the answer is written.
MAX_RESPONSE_CHARS = 16_384

# Bumped whenever a change here or in the answer types changes any grade: every stage that
# grades (its key includes this) then reruns.
GRADING_VERSION = 11


class Verifier:
    """Extract, canonicalise, compare and reward answers of one task.

    What it deliberately does not do: look at the prompt; give credit to a response that writes
    several different answers, an empty answer marker, or nothing readable; raise on any input.
    """

    def __init__(self, spec: AnswerSpec, answer_type: Answer) -> None:
        self.spec = spec
        self.type = answer_type
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, object]:
        # Picklable for trainers that copy reward functions into worker processes.
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    # -- counting ---------------------------------------------------------------------------

    def _count(self, reason: str) -> None:
        with self._lock:
            self._counts[reason] += 1

    @property
    def counts(self) -> dict[str, int]:
        """How often each outcome occurred since this verifier was made."""
        with self._lock:
            return dict(self._counts)

    # -- the four verbs ---------------------------------------------------------------------

    def inspect(self, response: str) -> Extraction:
        """Read the answer from a response, saying why when there is none. Only the last
        `MAX_RESPONSE_CHARS` characters are read: where answers are written, and a bound on
        the time any response can take to grade."""
        try:
            return self._inspect(response[-MAX_RESPONSE_CHARS:])
        except UserError:  # the task's own code was not allowed to run, or it exited
            raise
        except Exception as exc:  # user code or a library failed: cannot grade, never 0
            log.warning("answer extraction failed: %r", exc)
            return Extraction(None, "checker_error", False)

    def _inspect(self, response: str) -> Extraction:
        regions = marked_regions(response, self.spec.where, self.spec.tag)
        if regions:
            # An empty or unreadable marker next to a real one is usually the instructions
            # echoed back ("put it in <answer></answer>"); only real readings count.
            filled = [r for r in regions if r.strip()]
            if not filled:
                return Extraction(None, "empty_answer", True)
            # Several markers: the last readable one counts (a response may correct itself:
            # "earlier I had 12, but ... the final answer is 14"), as in Math-Verify and
            # lm-eval; several different answers inside that one marker earn nothing.
            for region in reversed(filled):
                reading = self.type.read(region, marked=True)
                if reading is CONFLICT:
                    return Extraction(None, "conflicting_answers", True)
                if isinstance(reading, str):
                    return Extraction(reading, "read", True)
        # No readable marker: a lenient task still accepts a clear statement elsewhere.
        reading = self.type.read(response, marked=False) if self.spec.lenient else None
        if reading is CONFLICT:
            return Extraction(None, "conflicting_answers", False)
        if isinstance(reading, str):
            return Extraction(reading, "read", False)
        if regions:
            return Extraction(None, "invalid_answer", True)
        return Extraction(None, "no_answer", False)

    def extract(self, response: str) -> str | None:
        """The answer a response gives, or None."""
        return self.inspect(response).answer

    def canonical(self, answer: str) -> str | None:
        """The vote key of an answer (a gold label or an extracted answer), or None if invalid."""
        if len(answer) > MAX_RESPONSE_CHARS:  # no answer is that long; never parse it
            return None
        try:
            return self.type.canonical(answer)
        except UserError:  # the task's own code was not allowed to run, or it exited
            raise
        except Exception as exc:
            log.warning("canonical form failed for %r: %r", answer[:80], exc)
            return None

    def equal(self, pred: str, gold: str) -> bool:
        """Whether two answers are the same answer. False when either cannot be read."""
        try:
            return self.type.equal(pred, gold)
        except UserError:
            raise
        except Exception as exc:
            log.warning("answer comparison failed: %r", exc)
            return False

    def matches(self, answer: str, gold: str, task_input: str = "") -> bool:
        """Whether a read answer is the gold one: equal, or (a short text, with the input it
        answers) the gold inside a restatement of the input's question. False when the
        comparison fails."""
        try:
            return self._matches(answer, gold, task_input)
        except UserError:
            raise
        except Exception as exc:
            log.warning("answer comparison failed: %r", exc)
            return False

    def _matches(self, answer: str, gold: str, task_input: str) -> bool:
        if self.type.equal(answer, gold):
            return True
        return bool(task_input) and self.type.restates(answer, gold, question_line(task_input))

    def grade(self, response: str, gold: str, task_input: str = "") -> Grade:
        """Grade one response against a gold answer, counting the outcome. With the
        `task_input` the response answers, a short text answer that restates the input's
        question around the gold is right too (`Text.restates`); nothing is read from it."""
        grade = self._grade(response, gold, task_input)
        self._count(grade.reason)
        return grade

    def _grade(self, response: str, gold: str, task_input: str = "") -> Grade:
        if self.canonical(gold) is None:
            return Grade(None, False, None, "gold_unparsable", False)
        found = self.inspect(response)
        if found.answer is None:
            reward = None if found.reason == "checker_error" else 0.0
            return Grade(None, False, reward, found.reason, found.formatted)
        try:
            correct = self._matches(found.answer, gold, task_input)
        except Exception as exc:
            log.warning("answer comparison failed: %r", exc)
            return Grade(found.answer, False, None, "checker_error", found.formatted)
        if correct:
            return Grade(found.answer, True, 1.0, "correct", found.formatted)
        credit = self.spec.format_reward if found.formatted else 0.0
        return Grade(found.answer, False, credit, "wrong", found.formatted)

    def reward(self, response: str, gold: str, task_input: str = "") -> float | None:
        """1.0 correct; the task's format credit (default 0) for a wrong but well-formed
        answer; 0.0 otherwise; None only when the gold answer itself cannot be read or the
        checker failed."""
        return self.grade(response, gold, task_input).reward


def build_answer_type(
    spec: AnswerSpec, base_dir: Path | None = None, allow_code: bool = False
) -> Answer:
    """The answer type a spec describes. A custom checker's module is located and checked
    always, but imported (run) only with `allow_code`. Raises UserError when it won't load."""
    if spec.type == "number":
        return answers.Number(spec.tolerance)
    if spec.type == "math":
        return answers.Math()
    if spec.type == "choice":
        return answers.Choice(spec.options or [])
    if spec.type == "boolean":
        return answers.Boolean()
    if spec.type == "label":
        return answers.Label(spec.label_map)
    if spec.type == "text":
        return answers.Text()
    assert spec.function is not None  # guaranteed by AnswerSpec
    function = load_function(spec.function, base_dir, allow_code)
    return answers.Custom(function, spec.function)


ALLOW_CODE_HINT = (
    "pass --allow-code (or set allow_code: true in the run config) to let synthrl import it"
)


class CodeNotAllowed(UserError):
    """A task's custom checker was needed but running its code was not allowed."""


def locate_function(reference: str, base_dir: Path | None) -> Path | str:
    """Where `module:function` would be imported from, found without running anything: a file
    in the task's own folder, or the name of an installed package. Never a standard-library or
    built-in module (os, subprocess, builtins, ...)."""
    module_name, _, _ = reference.partition(":")
    top = module_name.split(".")[0]
    if top in sys.stdlib_module_names or top in sys.builtin_module_names:
        raise UserError(
            f"answer.function: '{reference}' is a standard-library callable; a custom checker "
            "must be a module of your own beside the task file, or an installed package"
        )
    if base_dir is not None:
        local = base_dir.joinpath(*module_name.split(".")).with_suffix(".py")
        if local.is_file():
            return local
    found = importlib.util.find_spec(top)
    if found is None:
        raise UserError(
            f"answer.function: module '{module_name}' not found; expected {module_name}.py "
            "beside the task file, or an installed package"
        )
    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    origin = Path(found.origin).resolve() if found.origin else None
    if origin is not None and stdlib in origin.parents and "site-packages" not in origin.parts:
        raise UserError(f"answer.function: '{reference}' is a standard-library callable")
    return module_name


def load_function(
    reference: str, base_dir: Path | None = None, allow_code: bool = True
) -> Callable[[str], object]:
    """The custom checker `module:function`, from the task's folder or an installed package.
    Without `allow_code` it is only located, and calling it raises CodeNotAllowed."""
    module_name, _, attribute = reference.partition(":")
    where = locate_function(reference, base_dir)
    if not allow_code:

        def not_allowed(text: str) -> object:
            raise CodeNotAllowed(
                f"answer.function: {reference} is code from the task; " + ALLOW_CODE_HINT
            )

        return not_allowed
    try:
        if isinstance(where, Path):  # the task's own folder, without touching sys.path
            unique = "synthrl_task_" + hashlib.sha256(str(where).encode()).hexdigest()[:12]
            spec = importlib.util.spec_from_file_location(unique, where)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        else:
            module = importlib.import_module(where)
    except SystemExit as exc:
        raise UserError(
            f"answer.function: importing module '{module_name}' called sys.exit({exc.code}); "
            "a checker module must not exit"
        ) from None
    except Exception as exc:  # the user's module failed to import: say so, no traceback
        raise UserError(
            f"answer.function: cannot import module '{module_name}' ({exc}); expected a "
            "module on the Python path or beside the task file"
        ) from None
    function = getattr(module, attribute, None)
    if not callable(function):
        raise UserError(
            f"answer.function: module '{module_name}' has no function '{attribute}'; expected "
            "a function taking the response text and returning the answer or None"
        )
    return function
