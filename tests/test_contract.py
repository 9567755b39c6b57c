"""The stage contract: a stage's key changes with exactly what it declares, a change reruns
it and what follows, a transport setting reruns nothing, and one process holds a run folder."""

from __future__ import annotations

import subprocess
import sys
import time
import typing

import pytest
import yaml

from synthrl.cli import main
from synthrl.config import _TRANSPORT, RunConfig, load_config
from synthrl.errors import UserError
from synthrl.io import read_json
from synthrl.orchestrate import RunFolderLock
from synthrl.pipeline import STAGE_TABLE, Pipeline, stage_range
from synthrl.stage import stage_key
from synthrl.task import load_task
from synthrl.task.loader import parse_task
from synthrl.testing.fake_server import FakeServer
from synthrl.testing.scripted import ArithmeticTeacher


def _keys(task, config, run):
    return {s.name: stage_key(s, task, config, run, {}) for s in STAGE_TABLE}


def _candidates(value, annotation):
    """Values to try in place of `value` for a field annotated `annotation`."""
    args = typing.get_args(annotation)
    literals = []
    for arg in args:  # a Literal inside a union ("int | Literal['auto']") offers its values
        if typing.get_origin(arg) is typing.Literal:
            literals += list(typing.get_args(arg))
        elif not isinstance(arg, type):
            literals.append(arg)
    if typing.get_origin(annotation) is typing.Literal:
        return [a for a in args if a != value]
    out: list = [a for a in literals if a != value]
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1, value - 1, value * 2]
    if isinstance(value, float):
        return [value / 2, value + 0.1, min(1.0, value + 0.05)]
    if isinstance(value, str):
        return [*out, value + "x", *([1] if int in args else [])]
    if isinstance(value, list):
        return [[], ["gsm8k"]]
    return [*out, 1, 0.5, "x", ["gsm8k"], "gsm8k"]


def _each_setting_changed(config: RunConfig):
    """(section, key, changed config) for every setting, each changed to a valid other value."""
    data = config.model_dump(mode="json")
    for section, model in RunConfig.model_fields.items():
        if not isinstance(model.annotation, type) or not hasattr(model.annotation, "model_fields"):
            continue  # profile, allow_code: not sections
        for key, field in model.annotation.model_fields.items():
            for candidate in _candidates(data[section][key], field.annotation):
                changed = {**data, section: {**data[section], key: candidate}}
                try:
                    new = RunConfig.model_validate(changed)
                except Exception:
                    continue
                if getattr(getattr(new, section), key) != getattr(getattr(config, section), key):
                    yield section, key, new
                    break
            else:
                if key not in ("prices", "budget"):  # a budget is valid only with prices
                    raise AssertionError(f"no other valid value found for {section}.{key}")


def test_every_setting_changes_exactly_the_stages_that_declare_its_section(tmp_path):
    task = load_task("gsm8k")
    config = load_config(None, "cpu", {"train": {"save_steps": 10, "eval_steps": 5}})
    before = _keys(task, config, tmp_path)
    checked = 0
    for section, key, changed in _each_setting_changed(config):
        after = _keys(task, changed, tmp_path)
        moved = {name for name in before if before[name] != after[name]}
        if key in _TRANSPORT.get(section, ()):
            assert moved == set(), f"{section}.{key} is transport, yet reruns {moved}"
        else:
            declared = {s.name for s in STAGE_TABLE if section in s.config}
            assert moved == declared, f"{section}.{key}: reruns {moved}, declared {declared}"
        checked += 1
    assert checked > 60


def test_every_task_field_changes_the_stages_that_read_the_task(tmp_path):
    task = load_task("gsm8k")
    spec = task.spec.model_dump(mode="json", exclude_none=True)
    before = _keys(task, load_config(None, "cpu"), tmp_path)
    readers = {s.name for s in STAGE_TABLE if s.task}
    edits = {
        "name": "gsm8k-mine",
        "description": spec["description"] + " Be brief.",
        "input_format": spec["input_format"] + " One sentence.",
        "output_format": spec["output_format"] + " No units.",
        "answer": {**spec["answer"], "lenient": not spec["answer"]["lenient"]},
        "demos": [{"input": "What is 2 + 3?", "output": "2 + 3 = 5\n#### 5"}],
        "retrieval": {"keywords": ["fractions"]},
        "input_rules": {"max_words": 80},
    }
    assert set(edits) == set(type(task.spec).model_fields), "a task field has no edit here"
    for field, value in edits.items():
        edited = parse_task(yaml.safe_dump({**spec, field: value}), "t.yaml", None)
        after = _keys(edited, load_config(None, "cpu"), tmp_path)
        assert {n for n in before if before[n] != after[n]} == readers, field
    assert "retrieve" not in readers and "keywords" in readers and "verify" in readers


def _config(tmp_path, teacher, **extra):
    data = {
        "profile": "cpu",
        "teacher": {"model": "fake", "base_url": teacher.base_url, "concurrency": 4},
        "synth": {"n": 12, "votes": 2},
        "score": {"samples": 4},
        "select": {"m": 6},
        "student": {"backend": "server", "base_url": teacher.base_url, "model": "fake"},
    }
    for dotted, value in extra.items():
        section, key = dotted.split("__")
        data.setdefault(section, {})[key] = value
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(data))
    return load_config(path, None)


def _statuses(out, capsys_err):
    stages = read_json(out / "manifest.json")["stages"]
    skipped = {line.split()[0] for line in capsys_err.splitlines() if "up to date" in line}
    return stages, skipped


def test_edits_rerun_what_they_change_and_transport_reruns_nothing(tmp_path, capsys):
    out = tmp_path / "run"
    spec = load_task("gsm8k").spec.model_dump(mode="json", exclude_none=True)
    task_file = tmp_path / "task.yaml"
    task_file.write_text(yaml.safe_dump(spec))
    chosen = stage_range(None, "select")
    with FakeServer(ArithmeticTeacher()) as teacher:

        def run(**extra):
            config = _config(tmp_path, teacher, **extra)
            Pipeline(load_task(str(task_file)), config, out, (), False).run_stages(chosen)
            return set(_statuses(out, capsys.readouterr().err)[1])

        run()
        calls = teacher.calls
        # Transport: more concurrency, more retries, longer timeouts: nothing reruns.
        assert run(teacher__concurrency=8, teacher__max_retries=2, teacher__timeout_s=99) == set(
            chosen
        )
        assert teacher.calls == calls
        # A sampling setting of scoring: score and what reads it rerun, nothing before them.
        skipped = run(score__samples=6)
        assert skipped == set(chosen) - {"score", "audit", "select"}
        # The task's output format: the teacher's votes are asked again, every stage reruns.
        task_file.write_text(yaml.safe_dump({**spec, "output_format": spec["output_format"]
                                             + " Do not use units."}))  # fmt: skip
        calls = teacher.calls
        skipped = run(score__samples=6)
        assert skipped == {"retrieve"}  # the only stage that does not read the task
        stages = read_json(out / "manifest.json")["stages"]
        assert stages["verify"]["usage"]["requests"] > 0 and teacher.calls > calls
        assert all(stages[name]["status"] == "done" for name in chosen)


def test_a_second_process_on_the_same_folder_exits_2_naming_the_holder(tmp_path, capsys):
    run = tmp_path / "run"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from synthrl.orchestrate import RunFolderLock\n"
         f"with RunFolderLock(Path({str(run)!r})):\n"
         "    print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(SystemExit) as exit_info:
            main(["run", "gsm8k", "--out", str(run), "--teacher-base-url",
                  "http://127.0.0.1:9/v1", "--quiet"])  # fmt: skip
        err = capsys.readouterr().err
        assert exit_info.value.code == 2
        assert f"PID {holder.pid}" in err and "another synthrl process" in err
    finally:
        holder.kill()
        holder.wait()
    # The holder is dead: its lock is taken over at once.
    began = time.perf_counter()
    with RunFolderLock(run):
        assert (run / ".lock").read_text().strip() != str(holder.pid)
    assert time.perf_counter() - began < 5


def test_the_lock_is_exclusive_within_one_process_too(tmp_path):
    with RunFolderLock(tmp_path), pytest.raises(UserError, match="another synthrl process"):
        RunFolderLock(tmp_path).__enter__()


def test_any_failure_is_recorded_and_no_stage_stays_running(tmp_path, capsys, monkeypatch):
    import synthrl.pipeline as pipeline

    def broken(ctx):
        raise RuntimeError("the library broke")

    table = tuple(
        stage if stage.name != "select" else type(stage)(**{**stage.__dict__, "run": broken})
        for stage in pipeline.STAGE_TABLE
    )
    monkeypatch.setattr(pipeline.Pipeline, "stages", table)
    out = tmp_path / "run"
    with FakeServer(ArithmeticTeacher()) as teacher:
        config = _config(tmp_path, teacher)
        with pytest.raises(RuntimeError):
            pipeline.Pipeline(load_task("gsm8k"), config, out, (), False).run_stages(
                stage_range(None, "select")
            )
    stages = read_json(out / "manifest.json")["stages"]
    assert stages["select"]["status"] == "failed"
    assert "the library broke" in stages["select"]["error"]
    assert not [name for name, entry in stages.items() if entry["status"] == "running"]


def test_a_stage_without_its_inputs_exits_2_and_records_nothing_running(tmp_path, capsys):
    out = tmp_path / "run"
    with FakeServer(ArithmeticTeacher()) as teacher:
        _config(tmp_path, teacher)
        with pytest.raises(SystemExit) as exit_info:
            main(["run", "gsm8k", "--out", str(out), "--from", "score", "--config",
                  str(tmp_path / "c.yaml"), "--quiet"])  # fmt: skip
        code = exit_info.value.code
    err = capsys.readouterr().err
    assert code == 2 and "needs dedup.jsonl" in err and "Traceback" not in err
    stages = read_json(out / "manifest.json")["stages"] if (out / "manifest.json").exists() else {}
    assert not [name for name, entry in stages.items() if entry.get("status") == "running"]


def test_a_stage_that_calls_no_teacher_needs_no_api_key(tmp_path, capsys, monkeypatch):
    out = tmp_path / "run"
    with FakeServer(ArithmeticTeacher()) as teacher:
        config = _config(tmp_path, teacher)
        Pipeline(load_task("gsm8k"), config, out, (), False, with_student=False).run_stages(
            stage_range(None, "verify")
        )
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        main(["synth", "gsm8k", "--out", str(out), "--from", "dedup", "--quiet"])
    assert exit_info.value.code == 0, capsys.readouterr().err
    assert read_json(out / "manifest.json")["stages"]["dedup"]["status"] == "done"


def test_a_task_file_cannot_name_a_corpus(tmp_path, capsys):
    spec = load_task("gsm8k").spec.model_dump(mode="json", exclude_none=True)
    spec["retrieval"] = {"keywords": ["sums"], "corpus": "wiki"}
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(SystemExit) as exit_info:
        main(["check", str(path)])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and "retrieval.corpus" in err


def test_a_change_to_grading_reruns_every_stage_that_grades(tmp_path, monkeypatch):
    import synthrl.stage

    task, config = load_task("gsm8k"), load_config(None, "cpu")
    before = _keys(task, config, tmp_path)
    monkeypatch.setattr(synthrl.stage, "GRADING_VERSION", synthrl.stage.GRADING_VERSION + 1)
    after = _keys(task, config, tmp_path)
    moved = {name for name in before if before[name] != after[name]}
    assert moved == {"verify", "solve", "rewrite", "score", "audit", "train", "eval"}


def test_training_settings_are_read_and_checked():
    from synthrl.evaluate.runner import passes

    config = load_config(None, "cpu", {"train": {"save_steps": 20}})
    assert config.train.eval_steps is None  # evaluated at every save
    assert config.train.keep_checkpoints == 2
    # Training completions are as long as scoring and evaluation allow, unless set apart.
    assert load_config(None, "gpu").train.max_completion_length is None
    with pytest.raises(UserError, match="multiple of eval_steps"):
        load_config(None, "cpu", {"train": {"save_steps": 20, "eval_steps": 15}})
    assert passes(0.0, 5) == 1 and passes(0.7, 5) == 5  # greedy evaluation runs once


def test_the_report_command_is_the_report_stage(tmp_path, capsys):
    out = tmp_path / "run"
    with FakeServer(ArithmeticTeacher()) as teacher:
        config = _config(tmp_path, teacher)
        Pipeline(load_task("gsm8k"), config, out, (), False, with_student=False).run_stages(
            stage_range(None, "verify")
        )
    with pytest.raises(SystemExit) as exit_info:
        main(["report", str(out)])
    assert exit_info.value.code == 0, capsys.readouterr().err
    assert read_json(out / "manifest.json")["stages"]["report"]["status"] == "done"
    assert (out / "report.html").is_file()
