"""synthrl run end to end: fake teacher server, the real SmolLM2 student, tiny sizes."""

import pytest

from synthrl.cli import main
from synthrl.io import read_json
from synthrl.pipeline import STAGES, stage_range
from synthrl.testing.fake_server import FakeServer
from synthrl.testing.scripted import ArithmeticTeacher

TINY = """\
profile: cpu
teacher: {model: fake, concurrency: 4}
synth: {n: 12, votes: 2}
student: {max_tokens: 24}
score: {samples: 2}
select: {m: 6, validation: 0.2}
train: {max_steps: 1, num_generations: 2, prompts_per_step: 1, max_completion_length: 12,
        save_steps: 1}
eval: {limit: 4}
"""

FILES = ["task.yaml", "config.yaml", "keywords.json", "retrieve.jsonl", "pattern.json",
         "generate.jsonl", "verify.jsonl", "solve.jsonl", "rewrite.jsonl", "dedup.jsonl",
         "score.jsonl", "selected.jsonl", "validation.jsonl", "model/config.json",
         "eval.json", "report.html", "report.md", "manifest.json"]  # fmt: skip


def test_stage_ranges():
    assert stage_range(None, None) == STAGES
    assert stage_range("score", "train") == ("score", "select", "train")
    with pytest.raises(Exception, match="comes after"):
        stage_range("train", "score")


@pytest.mark.slow
def test_run_end_to_end_then_resume_skips_every_finished_stage(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SYNTHRL_CACHE", str(tmp_path / "cache"))
    (tmp_path / "tiny.yaml").write_text(TINY)
    out = tmp_path / "run"
    with FakeServer(ArithmeticTeacher()) as teacher:
        args = ["run", "gsm8k", "--config", str(tmp_path / "tiny.yaml"), "--out", str(out),
                "--teacher-base-url", teacher.base_url, "--quiet"]  # fmt: skip
        with pytest.raises(SystemExit) as exit_info:
            main(args)
        assert exit_info.value.code == 0, capsys.readouterr().err
        first = capsys.readouterr()
        assert "held-out accuracy: base" in first.out and "report:" in first.out
        for name in FILES:
            assert (out / name).exists(), name
        stages = read_json(out / "manifest.json")["stages"]
        assert list(stages) == list(STAGES)
        assert all(entry["status"] == "done" for entry in stages.values())
        assert stages["eval"]["counts"]["items"] == 4
        calls = teacher.calls
        with pytest.raises(SystemExit):
            main(args)
        again = capsys.readouterr()
        assert teacher.calls == calls
        assert again.err.count("up to date, skipped") == len(STAGES) - 1  # all but report


def _run(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    captured = capsys.readouterr()
    return exit_info.value.code, captured.err


def test_unreachable_teacher_is_a_runtime_failure_and_the_folder_stays_resumable(tmp_path, capsys):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block ends: nothing listens there
    (tmp_path / "r.yaml").write_text(
        "teacher: {max_retries: 1, model: fake}\ncorpus: {source: none}\n"
    )
    out = tmp_path / "run"
    code, err = _run(["run", "gsm8k", "--config", str(tmp_path / "r.yaml"), "--out", str(out),
                      "--teacher-base-url", f"http://127.0.0.1:{port}/v1", "--until", "verify",
                      "--quiet"], capsys)  # fmt: skip
    assert code == 1
    assert f"127.0.0.1:{port}" in err and "rerun the same command" in err
    assert "Traceback" not in err
    assert read_json(out / "manifest.json")["stages"]["keywords"]["status"] == "failed"


def test_bad_inputs_stop_before_any_teacher_call(tmp_path, capsys):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with FakeServer(ArithmeticTeacher()) as teacher:
        base = ["run", "gsm8k", "--out", str(tmp_path / "run"), "--teacher-base-url",
                teacher.base_url, "--teacher-model", "fake", "--quiet"]  # fmt: skip
        code, err = _run([*base, "--student", str(tmp_path / "no-such-model")], capsys)
        assert code == 2 and "no-such-model" in err and "not found" in err
        code, err = _run([*base, "--corpus", str(empty)], capsys)
        assert code == 2 and "no passages" in err
        code, err = _run([*base, "--until", "nonsense"], capsys)
        assert code == 2 and "unknown stage" in err
        assert teacher.calls == 0
