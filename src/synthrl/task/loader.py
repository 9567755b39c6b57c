"""Load a task by file path or built-in name, with messages a user can act on.

>>> task = load_task("gsm8k")
>>> task.spec.answer.type, task.spec.answer.where
('number', 'hashes')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from synthrl.errors import UserError
from synthrl.task.prose import derived, mentioned_numbers
from synthrl.task.spec import InputRules, TaskSpec, merged_rules
from synthrl.task.verifier import ALLOW_CODE_HINT, Verifier, build_answer_type
from synthrl.yamlfile import parse_yaml, read_text

_WHERE_WORDS = {
    "tag": "inside <{tag}></{tag}> tags",
    "hashes": "on a last line that starts with '####'",
    "boxed": "inside \\boxed{{}}",
    "final_line": "alone on the last line",
}


@dataclass(frozen=True)
class Task:
    """A validated task definition, its verifier, and where it came from."""

    spec: TaskSpec
    verifier: Verifier
    source: str  # a file path or "built-in:NAME", for messages
    code_allowed: bool = True  # False: a custom checker located but not imported (check)
    # The rules generated inputs keep: the file's input_rules over those read from its prose.
    input_rules: InputRules | None = None
    # What was read from the prose, and what of it was dropped because a demo breaks it.
    rules_from_text: InputRules | None = None
    rules_dropped: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def draws_numbers(self) -> bool:
        """Whether a generation request without a passage carries numbers of its own: the
        answer is a number, or the input rules (written or read from the prose) bound them."""
        numbers_ruled = self.input_rules is not None and self.input_rules.numbers is not None
        return self.verifier.spec.type in ("number", "math", "custom") or numbers_ruled

    @property
    def output_format(self) -> str:
        """The task's output format, rendered from the answer spec when the file has none."""
        if self.spec.output_format:
            return self.spec.output_format
        answer = self.spec.answer
        where = _WHERE_WORDS[answer.where].format(tag=answer.tag)
        return (
            "Think step by step, then give the final answer, "
            f"{self.verifier.type.describe()}, {where}."
        )


def builtin_names() -> list[str]:
    """Names of the tasks shipped with synthrl."""
    folder = resources.files("synthrl").joinpath("builtin_tasks")
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_task(ref: str | Path, allow_code: bool = False, check_only: bool = False) -> Task:
    """Load a task from a YAML path, or a built-in task by name. Raises UserError.

    A task with a custom checker (code beside the task file) loads only with `allow_code`;
    with `check_only` it is validated without running any of its code."""
    path = Path(ref)
    if path.is_file():
        text = read_text(path, "task file")
        return parse_task(text, str(path), path.parent, allow_code, check_only)
    if str(ref) in builtin_names():
        folder = resources.files("synthrl").joinpath("builtin_tasks")
        text = folder.joinpath(f"{ref}.yaml").read_text(encoding="utf-8")
        return parse_task(text, f"built-in:{ref}", None)
    if path.suffix in {".yaml", ".yml"} or path.parent != Path("."):
        raise UserError(f"{ref}: task file not found")
    raise UserError(
        f"unknown task '{ref}': it is neither a task file nor a built-in task "
        f"(built-ins: {', '.join(builtin_names())}); `synthrl init NAME` writes a template"
    )


def parse_task(
    text: str,
    source: str,
    base_dir: Path | None,
    allow_code: bool = False,
    check_only: bool = False,
) -> Task:
    """Validate YAML text as a task definition; every problem is reported at once."""
    _check_cut_by_comment(text, source)
    data = parse_yaml(text, source)
    if not isinstance(data, dict):
        got = "an empty file" if data is None else f"a {type(data).__name__}"
        raise UserError(f"{source}: expected a mapping of task fields at the top, got {got}")
    try:
        spec = TaskSpec.model_validate(data)
    except ValidationError as exc:
        raise UserError(f"{source}: invalid task definition: {describe_errors(exc)}") from None
    try:
        answer_type = build_answer_type(spec.answer, base_dir, allow_code)
    except UserError as exc:
        raise UserError(f"{source}: {exc}") from None
    runs_code = spec.answer.type == "custom"
    if runs_code and not allow_code and not check_only:
        raise UserError(
            f"{source}: answer.function {spec.answer.function} is code from the task that "
            f"grading would run; {ALLOW_CODE_HINT}"
        )
    verifier = Verifier(spec.answer, answer_type)
    _check_demos(spec, verifier, source, read_outputs=allow_code or not runs_code)
    from_text, dropped = _rules_from_text(spec)
    return Task(
        spec,
        verifier,
        source,
        code_allowed=allow_code or not runs_code,
        input_rules=merged_rules(
            spec.input_rules,
            from_text,
            mentioned_numbers(f"{spec.description}\n{spec.input_format}"),
        ),
        rules_from_text=InputRules.model_validate(from_text) if from_text else None,
        rules_dropped=dropped,
    )


# A plain (unquoted) one-line value in which " ##" begins: YAML reads the rest as a comment.
_CUT = re.compile(
    r"^(?P<key>description|input_format|output_format):[ \t]+"
    r"(?P<kept>[^'\"|>\s][^#\n]*?)[ \t]+(?P<cut>##[^\n]*)$",
    re.MULTILINE,
)


def _check_cut_by_comment(text: str, source: str) -> None:
    """A user writing `output_format: give the answer after ####` gets a format that ends at
    "after": in YAML, a space and "#" begin a comment. Refuse it rather than cut it."""
    match = _CUT.search(text)
    if match is not None:
        raise UserError(
            f"{source}: field '{match.group('key')}': YAML reads '{match.group('cut')}' as a "
            f"comment, so the text would end at '{match.group('kept').strip()}'; put the "
            "whole value in quotes"
        )


def _rules_from_text(spec: TaskSpec) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The input rules the task's prose states, less any its demos break (a misreading: the
    demos are what the user meant), and the rules dropped, in words."""
    if spec.input_rules is not None and not spec.input_rules.from_text:
        return {}, ()
    rules = derived(spec.description, spec.input_format)
    dropped = []
    for name in list(rules):
        single = InputRules.model_validate({name: rules[name]})
        broken = next((b for d in spec.demos or [] if (b := single.broken(d.input))), None)
        if broken is not None:
            dropped.append(f"{name} (a demo breaks it: {broken})")
            del rules[name]
    return rules, tuple(dropped)


def _check_demos(spec: TaskSpec, verifier: Verifier, source: str, read_outputs: bool) -> None:
    """Every demo must carry an answer the task's own rule can read, agree with it, and keep
    the task's input rules (reading needs the task's checker: skipped when its code may not
    run)."""
    problems = []
    expected = verifier.type.describe()
    for i, demo in enumerate(spec.demos or []):
        # A demo that breaks the task's own input rules means the rules are wrong: every
        # generated input like it would be rejected.
        broken = spec.input_rules.broken(demo.input) if spec.input_rules else None
        if broken is not None:
            problems.append(f"demos[{i}].input breaks input_rules ({broken})")
        if not read_outputs:
            continue
        if demo.answer is not None and verifier.canonical(demo.answer) is None:
            problems.append(f"demos[{i}].answer: '{demo.answer}' is not {expected}")
            continue
        found = verifier.extract(demo.output)
        if found is None:
            problems.append(
                f"demos[{i}].output: no answer could be read from it (expected {expected}, "
                f"written {_WHERE_WORDS[spec.answer.where].format(tag=spec.answer.tag)})"
            )
        elif demo.answer is not None and not verifier.equal(found, demo.answer):
            problems.append(
                f"demos[{i}]: the output's answer '{found}' differs from answer '{demo.answer}'"
            )
    if problems:
        raise UserError(f"{source}: invalid demos: " + "; ".join(problems))


def describe_errors(exc: ValidationError, model: type[BaseModel] = TaskSpec) -> str:
    """One readable sentence per pydantic error: the field, the problem, what was given."""
    parts: list[str] = []
    unions: set[str] = set()
    for error in exc.errors():
        field = _field_path(error["loc"])
        kind = error["type"]
        if len(_field_path(error["loc"], keep_branches=True)) != len(field):
            # One error per branch of a union ("a list or a mapping"): one sentence for all.
            if field in unions:
                continue
            unions.add(field)
            branches = [
                e["msg"].removeprefix("Input should be ").removeprefix("a valid ")
                for e in exc.errors()
                if _field_path(e["loc"]) == field
            ]
            given = _short(error.get("input"))
            parts.append(f"field '{field}': expected {' or '.join(branches)} (got {given})")
            continue
        if kind == "extra_forbidden":
            parts.append(f"unknown key '{field}'{_allowed_keys(error['loc'], model)}")
        elif kind == "missing":
            parts.append(f"missing required field '{field}'")
        else:
            message = error["msg"].removeprefix("Value error, ")
            given = _short(error.get("input"))
            where = f"field '{field}'" if field else "task"
            parts.append(f"{where}: {message} (got {given})")
    return "; ".join(parts)


def _field_path(loc: tuple[Any, ...], keep_branches: bool = False) -> str:
    """A location as the user wrote it: `answer.labels`, `demos[0].input`."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not keep_branches and isinstance(part, str) and ("[" in part or part in _TYPES):
            continue  # union branch names pydantic adds to locations ("list[constrained-str]")
        else:
            path += f".{part}" if path else str(part)
    return path


_TYPES = {"str", "int", "float", "bool", "constrained-str", "constrained-int"}


def _allowed_keys(loc: tuple[Any, ...], root: type[BaseModel]) -> str:
    model: type[BaseModel] | None = root
    for part in loc[:-1]:
        if model is None or isinstance(part, int):
            continue
        annotation = model.model_fields.get(str(part))
        model = _model_in(annotation.annotation) if annotation else None
    if model is None:
        return ""
    return f" (allowed: {', '.join(model.model_fields)})"


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
