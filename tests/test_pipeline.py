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
