"""synthrl run end to end: fake teacher server, the real SmolLM2 student, tiny sizes."""

import errno
import os
import signal
import subprocess
import sys
import time

import pytest

from synthrl.cli import main
from synthrl.errors import disk_full
from synthrl.io import read_json, read_jsonl
from synthrl.pipeline import STAGES, stage_range
from synthrl.testing.fake_server import FakeServer
from synthrl.testing.scripted import ArithmeticTeacher

TINY = """\
profile: cpu
teacher: {model: fake, concurrency: 4}
# No extra votes: asked for labels in doubt, they resend a prompt, which the fake server
# would count as asked again.
synth: {n: 12, votes: 2, extra_votes: 0}
student: {max_tokens: 24}
score: {samples: 2}
select: {m: 6, validation: 0.2}
train: {max_steps: 1, num_generations: 2, prompts_per_step: 1, max_completion_length: 12,
        save_steps: 1}
eval: {limit: 4}
"""

FILES = ["task.yaml", "config.yaml", "keywords.json", "retrieve.jsonl", "pattern.json",
         "generate.jsonl", "verify.jsonl", "solve.jsonl", "rewrite.jsonl", "dedup.jsonl",
         "score.jsonl", "audit.json", "selected.jsonl", "validation.jsonl", "model/config.json",
         "eval.json", "report.html", "report.md", "manifest.json"]  # fmt: skip


def test_stage_ranges():
    assert stage_range(None, None) == STAGES
    assert stage_range("score", "train") == ("score", "audit", "select", "train")
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
        assert "held-out accuracy (4 items, gsm8k: whole part): base" in first.out
        assert "report:" in first.out
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
        # `synthrl eval RUN` is the run's eval stage, run again on the folder
        code, err = _run(["eval", str(out), "--quiet"], capsys)
        assert code == 0, err
        record = read_json(out / "manifest.json")["stages"]["eval"]
        assert record["counts"]["items"] == 4 and record["counts"]["part"] == "whole"
        code, err = _run(["eval", str(out), "--task", "gsm8k"], capsys)
        assert code == 2 and "synthrl compare" in err


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
    stages = read_json(out / "manifest.json")["stages"]
    # Without a corpus, keywords asks the teacher nothing; generate is the first call.
    assert stages["keywords"]["status"] == "done"
    assert stages["generate"]["status"] == "failed"


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


def _wait_for(server, calls, process, limit_s=120):
    deadline = time.time() + limit_s
    while server.calls < calls and process.poll() is None and time.time() < deadline:
        time.sleep(0.01)
    assert process.poll() is None, "the run ended before it could be interrupted"


@pytest.mark.slow
def test_run_survives_ctrl_c_and_kill_9_then_selects_the_same_samples(tmp_path):
    (tmp_path / "tiny.yaml").write_text(TINY.replace("n: 12", "n: 30"))
    env = {**os.environ, "SYNTHRL_CACHE": str(tmp_path / "cache")}
    out = tmp_path / "run"

    def command(url, folder):
        return [sys.executable, "-m", "synthrl", "run", "gsm8k", "--config",
                str(tmp_path / "tiny.yaml"), "--out", str(folder), "--teacher-base-url", url,
                "--until", "select", "--quiet"]  # fmt: skip

    with FakeServer(ArithmeticTeacher(), latency_s=0.05) as server:
        args = command(server.base_url, out)
        # Ctrl-C reaches the run even when this test runs under a launcher that ignores SIGINT
        # (a background job does; its children would inherit that and never see it).
        quiet = {"env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE,
                 "preexec_fn": lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)}  # fmt: skip
        first = subprocess.Popen(args, **quiet)
        _wait_for(server, 12, first)  # mid-generation
        first.send_signal(signal.SIGINT)
        assert first.wait(timeout=60) == 130
        assert b"interrupted" in first.stderr.read()
        assert read_json(out / "manifest.json")["stages"]["generate"]["status"] != "done"
        second = subprocess.Popen(args, **quiet)
        _wait_for(server, 45, second)  # mid-verification
        second.kill()
        second.wait()
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        # Two interruptions with 4 calls in flight each: at most 8 prompts asked twice.
        assert server.repeated_prompts() <= 8
        resumed = read_jsonl(out / "selected.jsonl")
        assert resumed and not list(out.glob("**/.*.tmp")), "no half-written file is left"

    with FakeServer(ArithmeticTeacher()) as server:
        subprocess.run(command(server.base_url, tmp_path / "fresh"), env=env, check=True,
                       capture_output=True, timeout=600)  # fmt: skip
        assert read_jsonl(tmp_path / "fresh" / "selected.jsonl") == resumed


@pytest.mark.slow
def test_sigterm_twice_as_timeout_sends_it_never_prints_a_traceback(tmp_path):
    (tmp_path / "tiny.yaml").write_text(TINY.replace("n: 12", "n: 30"))
    env = {**os.environ, "SYNTHRL_CACHE": str(tmp_path / "cache")}
    with FakeServer(ArithmeticTeacher(), latency_s=0.2) as server:
        for attempt in range(3):
            out = tmp_path / f"run{attempt}"
            args = [sys.executable, "-m", "synthrl", "run", "gsm8k", "--config",
                    str(tmp_path / "tiny.yaml"), "--out", str(out), "--teacher-base-url",
                    server.base_url, "--until", "verify", "--quiet"]  # fmt: skip
            process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE, text=True)  # fmt: skip
            _wait_for(server, server.calls + 4, process)
            process.send_signal(signal.SIGTERM)
            time.sleep(0.05 * attempt)  # the second one lands at different points of cleanup
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=60) == 130
            err = process.stderr.read() if process.stderr else ""
            assert "Traceback" not in err and "interrupted" in err, err


def test_a_full_disk_stops_the_run_with_a_message_and_the_rerun_finishes(
    tmp_path, monkeypatch, capsys
):
    import synthrl.io

    real_replace = os.replace

    def replace(source, target):
        if str(target).endswith("verify.jsonl"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(source, target)

    out = tmp_path / "run"
    with FakeServer(ArithmeticTeacher()) as teacher:
        args = ["run", "gsm8k", "--out", str(out), "--teacher-base-url", teacher.base_url,
                "--teacher-model", "fake", "--n", "6", "--votes", "2", "--corpus", "none",
                "--until", "verify", "--quiet"]  # fmt: skip
        monkeypatch.setattr(synthrl.io.os, "replace", replace)
        code, err = _run(args, capsys)
        assert code == 1 and "No space left on device" in err and "rerun" in err
        assert "Traceback" not in err
        assert read_json(out / "manifest.json")["stages"]["verify"]["status"] == "failed"
        calls = teacher.calls
        monkeypatch.setattr(synthrl.io.os, "replace", real_replace)
        code, err = _run(args, capsys)
        assert code == 0, err
        assert teacher.calls == calls, "the verification calls come from the cache"
        assert read_jsonl(out / "verify.jsonl")


def test_disk_full_errors_from_libraries_get_a_plain_message():
    import sqlite3

    assert "no space" in disk_full(OSError(errno.ENOSPC, "No space left", "/x/model.bin"))
    assert "cache" in disk_full(sqlite3.OperationalError("database or disk is full"))
    assert disk_full(OSError(errno.EACCES, "Permission denied")) is None

    class SafetensorError(Exception):  # safetensors' own type, not an OSError or RuntimeError
        pass

    message = "Error while serializing: I/O error: No space left on device (os error 28)"
    assert "saving a model" in disk_full(SafetensorError(message))


def _config_file(tmp_path, teacher):
    (tmp_path / "c.yaml").write_text(
        f"profile: cpu\nteacher: {{model: fake, base_url: '{teacher.base_url}'}}\n"
        f"synth: {{n: 12, votes: 2}}\nscore: {{samples: 4}}\nselect: {{m: 6}}\n"
        f"student: {{backend: server, base_url: '{teacher.base_url}'}}\n"
    )
    return ["--config", str(tmp_path / "c.yaml")]


def test_run_skips_what_the_single_stage_commands_finished(tmp_path, capsys):
    out = tmp_path / "run"
    with FakeServer(ArithmeticTeacher()) as teacher:
        config = _config_file(tmp_path, teacher)
        synth = ["synth", "gsm8k", "--out", str(out), *config, "--quiet", "--student", "fake"]
        for args in (synth, ["score", str(out), "--quiet"], ["select", str(out)]):
            code, err = _run(args, capsys)
            assert code == 0, err
        calls = teacher.calls
        code, err = _run(["run", "gsm8k", "--out", str(out), *config, "--until", "select",
                          "--quiet", "--student", "fake"], capsys)  # fmt: skip
        assert code == 0, err
        # No single-stage command runs the audit: run does, and select then reads audit.json.
        assert err.count("up to date, skipped") == len(stage_range(None, "select")) - 2, err
        stages = read_json(out / "manifest.json")["stages"]
        assert stages["audit"]["status"] == "done"
        assert teacher.calls == calls + stages["audit"]["usage"]["requests"]


def test_synth_without_a_student_leaves_difficulty_adaptation_to_run(tmp_path, capsys):
    out = tmp_path / "run"
    with FakeServer(ArithmeticTeacher()) as teacher:
        config = _config_file(tmp_path, teacher)
        code, err = _run(["synth", "gsm8k", "--out", str(out), *config, "--quiet"], capsys)
        assert code == 0, err
        stages = read_json(out / "manifest.json")["stages"]
        assert stages["solve"]["status"] == stages["rewrite"]["status"] == "skipped"
        assert "no student" in stages["solve"]["reason"]
        assert stages["dedup"]["status"] == "done"
        code, err = _run(["run", "gsm8k", "--out", str(out), *config, "--until", "dedup",
                          "--quiet"], capsys)  # fmt: skip
        assert code == 0, err
        stages = read_json(out / "manifest.json")["stages"]
        assert stages["solve"]["status"] == stages["rewrite"]["status"] == "done"
        assert (out / "rewrite.jsonl").is_file()


@pytest.mark.slow
def test_a_second_round_trains_on_from_the_first_rounds_model_and_resumes(
    tmp_path, monkeypatch, capsys
):
    import yaml

    monkeypatch.setenv("SYNTHRL_CACHE", str(tmp_path / "cache"))
    # half of round 2's M replayed from round 1's training samples
    (tmp_path / "tiny.yaml").write_text(
        TINY.replace("validation: 0.2}", "validation: 0.2, replay: 0.5}")
    )
    out = tmp_path / "run"
    with FakeServer(ArithmeticTeacher()) as teacher:
        args = ["run", "gsm8k", "--config", str(tmp_path / "tiny.yaml"), "--out", str(out),
                "--teacher-base-url", teacher.base_url, "--quiet", "--rounds", "2"]  # fmt: skip
        code, err = _run(args, capsys)
        assert code == 0, err
        second = out / "round2"
        # its pool is round 1's, its student round 1's trained model
        assert read_jsonl(second / "verify.jsonl") == read_jsonl(out / "dedup.jsonl")
        config = yaml.safe_load((second / "config.yaml").read_text())
        assert config["student"]["model"] == str(out / "model")
        stages = read_json(second / "manifest.json")["stages"]
        assert all(stages[name]["status"] == "done" for name in stage_range("solve", "report"))
        assert (second / "model" / "config.json").is_file()
        rewrite = stages["rewrite"]["counts"]
        asked = ("requested_harder", "requested_easier", "requested_like")
        assert sum(rewrite[k] for k in asked) > 0  # pool reshaped
        assert stages["select"]["counts"]["replayed"] == 3 == round(0.5 * 6)
        first_trained = {r["id"] for r in read_jsonl(out / "selected.jsonl")}
        assert read_jsonl(second / "replay.jsonl") == read_jsonl(out / "selected.jsonl")
        chosen = {r["id"] for r in read_jsonl(second / "selected.jsonl")}
        chosen |= {r["id"] for r in read_jsonl(second / "validation.jsonl")}
        assert len(chosen & first_trained) >= 3
        assert read_json(out / "manifest.json")["stages"]["select"]["counts"]["replayed"] == 0
        # the round's starting model competed with its checkpoints on the validation split
        summary = read_json(second / "train" / "summary.json")
        assert summary["start_metric"] is not None
        assert read_json(out / "train" / "summary.json")["start_metric"] is None  # round 1: off
        assert stages["train"]["counts"]["kept_start"] == summary["kept_start"]
        assert read_json(out / "rounds.json")[1]["kept_start"] == summary["kept_start"]
        rows = read_json(out / "rounds.json")
        assert [r["round"] for r in rows] == [1, 2]
        assert rows[1]["started_from"].endswith(str(out / "model"))
        assert rows[1]["before"] == read_json(out / "eval.json")["results"][1]["accuracy"]
        assert "Rounds: held-out accuracy per round" in (out / "report.md").read_text()
        calls = teacher.calls
        code, err = _run(args, capsys)
        assert code == 0 and teacher.calls == calls  # resumed: nothing asked again
        later = len(stage_range("solve", "report"))
        assert err.count("up to date, skipped") == (len(STAGES) - 1) + (later - 1)
        assert teacher.repeated_prompts() == 0
