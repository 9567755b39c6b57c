"""Hostile input: code in task files runs only when allowed, and never a standard-library
callable; grading is bounded for any response; a silent teacher is given up."""

from __future__ import annotations

import pytest

from synthrl.cli import main
from synthrl.errors import UserError
from synthrl.task import load_task

TASK = """\
name: t
description: Name a colour.
input_format: A request.
answer: {type: custom, function: "FUNCTION", read_from: final_line}
demos:
  - {input: "Name a colour.", output: "blue", answer: blue}
"""


def _task(tmp_path, function, module_text=None):
    if module_text is not None:
        (tmp_path / "mine.py").write_text(module_text)
    path = tmp_path / "t.yaml"
    path.write_text(TASK.replace("FUNCTION", function))
    return path


def _cli(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out + captured.err


@pytest.mark.parametrize("function", ["os:system", "builtins:eval", "subprocess:run", "sys:exit"])
def test_a_standard_library_callable_is_never_a_checker(tmp_path, capsys, function):
    path = _task(tmp_path, function)
    for args in (["check", str(path)], ["check", str(path), "--allow-code"],
                 ["grade", str(path), "--gold", "blue", "--allow-code"]):  # fmt: skip
        code, out = _cli(args, capsys)
        assert code == 2 and "standard-library" in out, (args, out)


def test_check_runs_no_task_code_without_permission(tmp_path, capsys):
    marker = tmp_path / "imported"
    path = _task(tmp_path, "mine:read", f"open({str(marker)!r}, 'w').close()\n"
                 "def read(text):\n    return text.strip().splitlines()[-1]\n")  # fmt: skip
    code, out = _cli(["check", str(path)], capsys)
    assert code == 0 and "--allow-code" in out and not marker.exists()
    code, out = _cli(["grade", str(path), "--gold", "blue"], capsys)
    assert code == 2 and "--allow-code" in out and not marker.exists()
    with pytest.raises(UserError, match="allow_code"):
        load_task(path)
    code, out = _cli(["check", str(path), "--allow-code"], capsys)
    assert code == 0 and marker.exists()


def test_a_checker_runs_with_permission_from_the_task_folder(tmp_path, capsys, monkeypatch):
    path = _task(tmp_path, "mine:read", "def read(text):\n    return text.strip().lower()\n")
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("Blue"))
    code, out = _cli(["grade", str(path), "--gold", "blue", "--allow-code"], capsys)
    assert code == 0 and '"correct": true' in out
    assert str(tmp_path) not in __import__("sys").path  # loaded by file, not through sys.path


def test_sys_exit_in_a_checker_is_a_user_error(tmp_path, capsys):
    path = _task(tmp_path, "mine:read", "import sys\nsys.exit(0)\n")
    code, out = _cli(["check", str(path), "--allow-code"], capsys)
    assert code == 2 and "sys.exit" in out
    path = _task(tmp_path, "mine:read", "import sys\ndef read(text):\n    sys.exit(3)\n")
    with pytest.raises(UserError, match=r"sys\.exit"):
        load_task(path, allow_code=True)  # the demos are read with it: it exits


@pytest.mark.parametrize(
    "response",
    ["#### 1e-999999", "#### 1e999999999", "#### " + "9" * 200_000, "<answer>" * 200_000,
     "\\boxed{" * 200_000, "#### 5\n" * 100_000],
)  # fmt: skip
def test_any_response_grades_promptly(verifier_for, response):
    for task in ("gsm8k", "cqa", "gpqa", "math"):
        grade = verifier_for(task).grade(response, "5" if task != "gpqa" else "B")
        assert grade.reason  # an answer or a reason, never a hang or an exception


def _bomb() -> str:
    text, previous = 'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]\n', "a"
    for name in "bcdefghij":
        text += f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]\n"
        previous = name
    return text


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"name: t\ndescription: caf\xe9\n", "not UTF-8 (byte offset 24)"),
        (_bomb().encode(), "more than 20 aliases"),
        (("name: " + "[" * 500 + "]" * 500 + "\n").encode(), "nested deeper than 50"),
        (b"name: t\nname: u\n", "key 'name' appears twice"),
        (b"name: t\n# " + b"x" * 1_100_000 + b"\n", "at most 1,000,000 bytes"),
    ],
)
def test_malformed_files_are_refused_briefly_without_echoing_them(
    tmp_path, capsys, content, expected
):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    for args in (["check", str(path)], ["run", "gsm8k", "--config", str(path), "--out",
                                         str(tmp_path / "run")]):  # fmt: skip
        code, out = _cli(args, capsys)
        assert code == 2 and expected in out and str(path) in out, out
        assert len(out) < 400 and "xxxxxxxxxx" not in out and "café" not in out


def test_a_union_field_is_named_as_written(tmp_path, capsys):
    path = tmp_path / "t.yaml"
    path.write_text("name: t\ndescription: d\ninput_format: i\nanswer: {type: label, labels: 5}\n")
    code, out = _cli(["check", str(path)], capsys)
    assert code == 2 and "field 'answer.labels': expected" in out and "constrained" not in out


@pytest.mark.parametrize("where", ["a-file", "a-file/under", "x" * 300])
def test_a_bad_run_folder_is_named_and_exits_2(tmp_path, capsys, where):
    (tmp_path / "a-file").write_text("not a folder")
    out_dir = tmp_path / where
    code, out = _cli(["run", "gsm8k", "--out", str(out_dir), "--teacher-base-url",
                      "http://127.0.0.1:9/v1", "--quiet"], capsys)  # fmt: skip
    assert code == 2 and "Traceback" not in out
    assert "is a file" in out or "longer than 255" in out, out


def test_an_unwritable_run_folder_is_named(tmp_path, capsys):
    import os

    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if os.access(locked, os.W_OK):  # running as root: permissions do not apply
        pytest.skip("permissions are not enforced for this user")
    code, out = _cli(["run", "gsm8k", "--out", str(locked / "run"), "--quiet"], capsys)
    assert code == 2 and str(locked / "run") in out


def test_a_task_name_too_long_for_a_folder_fails_check(tmp_path, capsys):
    path = tmp_path / "t.yaml"
    path.write_text(
        f"name: {'a' * 300}\ndescription: d\ninput_format: i\nanswer: {{type: number}}\n"
    )
    code, out = _cli(["check", str(path)], capsys)
    assert code == 2 and "field 'name'" in out


def test_a_teacher_that_never_answers_is_given_up_with_a_message(tmp_path, capsys):
    """It accepts every call and sends nothing: two idle periods of silence, then exit 1 naming
    the setting, the stage recorded failed, no call retried seven times."""
    from synthrl.io import read_json
    from synthrl.testing.fake_server import FakeServer

    (tmp_path / "r.yaml").write_text(
        "teacher: {model: fake, concurrency: 1, idle_timeout_s: 0.5, max_retries: 6}\n"
        "corpus: {source: none}\n"
    )
    out = tmp_path / "run"
    with FakeServer(timeout_s=60) as server:
        server.inject(*["timeout"] * 20)
        code, output = _cli(["run", "gsm8k", "--config", str(tmp_path / "r.yaml"), "--out",
                             str(out), "--teacher-base-url", server.base_url, "--until",
                             "verify", "--quiet"], capsys)  # fmt: skip
        assert server.calls == 2
    assert code == 1 and "Traceback" not in output
    assert "sent nothing for" in output and "teacher.idle_timeout_s" in output
    assert read_json(out / "manifest.json")["stages"]["generate"]["status"] == "failed"
