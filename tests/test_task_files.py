"""Bad task files: exit code 2 and one paragraph naming the file, the field, what was expected."""

import pytest

from synthrl.cli import main

VALID = """\
name: demo-task
description: Answer questions about a passage.
input_format: A passage and a question.
answer:
  type: choice
  options: [A, B, C, D]
"""

BAD = {
    "missing_field": (
        VALID.replace("input_format: A passage and a question.\n", ""),
        ["missing required field 'input_format'"],
    ),
    "wrong_type": (
        VALID.replace("description: Answer questions about a passage.", "description: [1, 2]"),
        ["field 'description'", "valid string"],
    ),
    "unknown_key": (VALID + "temperature: 0.7\n", ["unknown key 'temperature'", "allowed:"]),
    "unknown_nested_key": (VALID + "  letters: [A]\n", ["unknown key 'answer.letters'"]),
    "bad_answer_type": (
        VALID.replace("type: choice", "type: numbr"),
        ["field 'answer.type'", "'number'", "'numbr'"],
    ),
    "choice_without_options": (
        VALID.replace("  options: [A, B, C, D]\n", ""),
        ["needs 'answer.options'"],
    ),
    "options_not_letters": (VALID.replace("[A, B, C, D]", "[A, BB]"), ["single letters"]),
    "empty_demos": (VALID + "demos: []\n", ["field 'demos'", "empty"]),
    "malformed_demo": (
        VALID + "demos:\n  - question: hi\n",
        ["demos[0].input", "demos[0].question"],
    ),
    "demo_without_output": (
        VALID + "demos:\n  - input: Q?\n",
        ["missing required field 'demos[0].output'"],
    ),
    "blank_demo_input": (
        VALID + "demos:\n  - input: '  '\n    output: <answer>A</answer>\n",
        ["demos[0].input", "must not be empty"],
    ),
    "demos_not_a_list": (VALID + "demos: hello\n", ["field 'demos'"]),
    "demo_gold_outside_options": (
        VALID + "demos:\n  - input: Q?\n    output: <answer>E</answer>\n    answer: E\n",
        ["demos[0].answer", "'E'", "A, B, C, D"],
    ),
    "demo_output_unreadable": (
        VALID + "demos:\n  - input: Q?\n    output: I am not sure\n",
        ["demos[0].output", "no answer could be read"],
    ),
    "demo_output_disagrees": (
        VALID + "demos:\n  - input: Q?\n    output: <answer>B</answer>\n    answer: C\n",
        ["demos[0]", "differs"],
    ),
    "invalid_yaml": ("name: x\ndescription: [unclosed\n", ["not valid YAML", "line"]),
    "not_a_mapping": ("- just\n- a list\n", ["expected a mapping"]),
    "empty_file": ("", ["empty file"]),
    "bad_name": (VALID.replace("name: demo-task", "name: Demo Task!"), ["field 'name'"]),
    "custom_without_module": (
        VALID.replace("type: choice", "type: custom").replace(
            "options: [A, B, C, D]", "function: no_such_mod:read"
        ),
        ["answer.function", "no_such_mod"],
    ),
    "label_with_one_label": (
        VALID.replace("type: choice", "type: label").replace(
            "options: [A, B, C, D]", "labels: [only]"
        ),
        ["at least two labels"],
    ),
    "format_reward_too_big": (VALID + "  format_reward: 2\n", ["answer.format_reward"]),
    "input_rules_unknown_key": (
        VALID + "input_rules: {regex: 'x'}\n",
        ["unknown key 'input_rules.regex'", "pattern, numbers, max_words"],
    ),
    "input_rules_bad_pattern": (
        VALID + "input_rules: {pattern: '(unclosed'}\n",
        ["field 'input_rules.pattern'", "not a valid regular expression"],
    ),
    "input_rules_min_above_max": (
        VALID + "input_rules: {numbers: {min: 9, max: 0}}\n",
        ["field 'input_rules.numbers'", "min 9.0 is above max 0.0"],
    ),
    "demo_breaks_input_rules": (
        VALID + "input_rules: {max_words: 2}\n"
        "demos:\n  - input: Which option is right?\n    output: <answer>A</answer>\n",
        ["demos[0].input breaks input_rules (max_words: 4 words, more than 2)"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_task_file_exits_2_with_a_clear_message(case, tmp_path, capsys):
    text, expected = BAD[case]
    path = tmp_path / "task.yaml"
    path.write_text(text)
    with pytest.raises(SystemExit) as exit_info:
        main(["check", str(path)])
    assert exit_info.value.code == 2
    message = capsys.readouterr().err
    assert str(path) in message
    for fragment in expected:
        assert fragment in message
    assert "Traceback" not in message
    assert message.strip().count("\n") == 0, "one paragraph, no traceback"


def test_valid_file_passes(tmp_path, capsys):
    path = tmp_path / "task.yaml"
    path.write_text(VALID)
    with pytest.raises(SystemExit) as exit_info:
        main(["check", str(path)])
    assert exit_info.value.code == 0
    assert "demo-task" in capsys.readouterr().out


def test_output_format_is_rendered_from_the_answer_spec_when_omitted(tmp_path):
    from synthrl.task import load_task

    path = tmp_path / "task.yaml"
    path.write_text(VALID)
    rendered = load_task(path).output_format
    assert "<answer></answer>" in rendered and "A, B, C, D" in rendered


def test_missing_file_and_unknown_name_exit_2(capsys):
    for ref in ["nowhere/task.yaml", "not-a-task"]:
        with pytest.raises(SystemExit) as exit_info:
            main(["check", ref])
        assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "task file not found" in err and "built-ins: arithmetic, cfa" in err
