"""The command line: exit codes, JSON output, help texts."""

import json
import subprocess
import sys

import pytest

from synthrl.cli import main
from synthrl.task import builtin_names


def run(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


def test_eight_paper_benchmarks_are_built_in():
    expected = {"gsm8k", "math", "gpqa", "logiqa", "medqa", "mednli", "cqa", "cfa"}
    assert expected <= set(builtin_names())


@pytest.mark.parametrize("name", builtin_names())
def test_check_accepts_every_built_in(name, capsys):
    code, out, _ = run(["check", name, "--json"], capsys)
    assert code == 0
    assert json.loads(out)["name"] == name


def test_tasks_lists_the_built_ins(capsys):
    code, out, _ = run(["tasks"], capsys)
    assert code == 0
    for name in builtin_names():
        assert name in out


def test_init_writes_a_template_that_checks(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run(["init", "Contract QA"], capsys)[0] == 0
    code, out, _ = run(["check", "Contract QA.yaml", "--json"], capsys)
    assert code == 0
    assert json.loads(out)["name"] == "contract-qa"
    code, _, err = run(["init", "Contract QA"], capsys)
    assert code == 2 and "--force" in err


def test_grade_reads_a_file(tmp_path, capsys):
    response = tmp_path / "r.txt"
    response.write_text("Natalia sold 48 + 24 = 72 clips.\n#### 72\n")
    code, out, _ = run(["grade", "gsm8k", "--gold", "72", str(response)], capsys)
    assert code == 0
    report = json.loads(out)
    assert report["extracted"] == "72" and report["correct"] is True and report["reward"] == 1.0


def test_grade_rejects_a_gold_answer_the_task_cannot_read(capsys):
    code, _, err = run(["grade", "gpqa", "--gold", "E", "-"], capsys)
    assert code == 2
    assert "--gold 'E'" in err and "A, B, C, D" in err


def test_grade_missing_response_file_exits_2(capsys):
    code, _, err = run(["grade", "gsm8k", "--gold", "1", "missing.txt"], capsys)
    assert code == 2 and "missing.txt" in err


@pytest.mark.parametrize("command", ["init", "check", "tasks", "grade", "run", "demo"])
def test_every_command_has_help(command, capsys):
    code, out, _ = run([command, "--help"], capsys)
    assert code == 0 and "Usage" in out
    if command != "tasks":
        assert "Examples" in out


def test_grade_reads_stdin_through_the_installed_entry_point():
    result = subprocess.run(
        [sys.executable, "-m", "synthrl", "grade", "gsm8k", "--gold", "72", "-"],
        input="48 / 2 = 24 and 48 + 24 = 72.\n#### 72\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "extracted": "72",
        "correct": True,
        "reward": 1.0,
        "reason": "correct",
        "formatted": True,
    }


def test_bad_input_through_the_entry_point_has_no_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [oops\n")
    result = subprocess.run(
        [sys.executable, "-m", "synthrl", "check", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "not valid YAML" in result.stderr and "Traceback" not in result.stderr
