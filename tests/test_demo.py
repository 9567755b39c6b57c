"""synthrl demo's settings and its failure without the demo extra (the full run is by hand:
it takes about twenty minutes on two cores; see README.md)."""

import sys

import pytest

from synthrl.cli import main
from synthrl.config import load_config
from synthrl.demo import CONFIG, TASK, demo_config
from synthrl.evaluate.benchmarks import load_items
from synthrl.local_teacher import MODEL_NAME
from synthrl.task import load_task


def test_demo_settings_point_at_the_local_teacher_and_stay_cpu_sized():
    config = demo_config("http://127.0.0.1:9/v1")
    assert config.profile == "cpu"
    assert (config.teacher.base_url, config.teacher.model) == ("http://127.0.0.1:9/v1", MODEL_NAME)
    assert config.student.model == "smollm2-135m" and config.student.device == "cpu"
    assert config.corpus.source == "wiki-summaries"
    assert config.synth.n * config.synth.votes <= 100, "the teacher writes ~15 tokens/s on 2 cores"
    assert config.train.max_steps > 0 and config.train.use_vllm == "no"
    # The held-out set is real text, half of it about people in the slice the demo uses.
    items = load_items(TASK, limit=config.eval.limit)
    assert len(items) == config.eval.limit
    assert sum(item.answer == "yes" for item in items) == config.eval.limit // 2
    assert load_task(TASK).spec.answer.type == "boolean"


def test_a_new_teacher_port_does_not_invalidate_finished_stages():
    one, two = demo_config("http://127.0.0.1:1000/v1"), demo_config("http://127.0.0.1:2000/v1")
    assert one.fingerprint("teacher", "synth") == two.fingerprint("teacher", "synth")
    more = load_config(CONFIG, overrides={"synth": {"n": 25}})
    assert more.fingerprint("synth") != one.fingerprint("synth")


def test_demo_without_the_extra_says_how_to_install_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "llama_cpp.server", None)  # import fails as if absent
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--out", str(tmp_path / "demo"), "--quiet"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert "llama-cpp-python" in err and "make demo" in err and "Traceback" not in err
