"""A teacher that is several servers, and servers that do not stream, against real local ones."""

import asyncio
import json
import time

import pytest

from synthrl.cli import main
from synthrl.config import TeacherConfig
from synthrl.errors import UserError
from synthrl.io import read_json
from synthrl.llm.cache import ResponseCache
from synthrl.llm.client import Request, TeacherClient
from synthrl.testing.fake_server import FakeServer
from synthrl.testing.scripted import ArithmeticTeacher


def responder(body, index):
    return f"answer {index} to {body['messages'][-1]['content']}"


def client_for(urls, tmp_path, said=None, **settings):
    config = TeacherConfig(base_url=urls, model="fake", max_retries=4, timeout_s=5, **settings)
    cache = ResponseCache(tmp_path / "cache.sqlite")
    say = said.append if said is not None else None
    return TeacherClient(config, cache, retry_base_s=0.01, say=say)


def questions(count):
    return [
        Request.chat([{"role": "user", "content": f"q{i}"}], n=2, stage="generate")
        for i in range(count)
    ]


def asked(server):
    """The prompts a server received (with their sampling settings)."""
    return {json.loads(shape)["messages"][-1]["content"] for shape in server.prompts}


def test_a_comma_list_or_a_yaml_list_is_a_pool_and_a_url_twice_is_refused():
    assert TeacherConfig(base_url="http://a/v1, http://b/v1").urls == ["http://a/v1", "http://b/v1"]
    assert TeacherConfig(base_url=["http://a/v1"]).base_url == "http://a/v1"
    assert TeacherConfig().urls == [None]
    with pytest.raises(ValueError, match="appears twice"):
        TeacherConfig(base_url=["http://a/v1", "http://a/v1"])


def test_calls_are_spread_over_the_pool_within_each_endpoints_concurrency(tmp_path):
    with (
        FakeServer(responder, latency_s=0.05) as first,
        FakeServer(responder, latency_s=0.05) as second,
    ):
        client = client_for([first.base_url, second.base_url], tmp_path, concurrency=3)
        completions = asyncio.run(_ask(client, questions(24)))
    assert [c.texts[1] for c in completions] == [f"answer 1 to q{i}" for i in range(24)]
    assert first.calls + second.calls == 24 and min(first.calls, second.calls) >= 8
    assert first.max_in_flight <= 3 and second.max_in_flight <= 3
    endpoints = client.usage.report("generate")["endpoints"]
    assert {url: used["requests"] for url, used in endpoints.items()} == {
        first.base_url: first.calls,
        second.base_url: second.calls,
    }


def test_a_server_stopped_mid_run_loses_nothing_and_nothing_is_asked_twice(tmp_path):
    """The first server goes down after a few calls: its calls move to the second, every
    sample arrives, no prompt is answered by both, and a rerun asks nobody anything."""
    with (
        FakeServer(responder, latency_s=0.02) as first,
        FakeServer(responder, latency_s=0.02) as second,
    ):
        client = client_for([first.base_url, second.base_url], tmp_path, concurrency=2)

        async def go():
            asking = asyncio.ensure_future(_ask(client, questions(40)))
            while first.calls < 4:
                await asyncio.sleep(0.005)
            await asyncio.to_thread(first.stop)
            return await asking

        completions = asyncio.run(go())
        answered_first = first.calls
        assert [c.texts[0] for c in completions] == [f"answer 0 to q{i}" for i in range(40)]
        assert answered_first + second.calls == 40
        assert not asked(first) & asked(second)
        assert first.repeated_prompts() == second.repeated_prompts() == 0
        usage = client.usage.report("generate")
        assert usage["endpoints"][first.base_url]["failures"] >= 1
        assert usage["endpoints"][second.base_url]["failures"] == 0

        again = client_for([first.base_url, second.base_url], tmp_path)
        rerun = asyncio.run(_ask(again, questions(40)))
        assert [c.cached for c in rerun] == [2] * 40 and second.calls == 40 - answered_first


def test_a_server_that_does_not_stream_is_read_and_asked_for_whole_replies(tmp_path):
    said = []
    with FakeServer(responder, streams=False) as server:
        client = client_for(server.base_url, tmp_path, said, concurrency=1)
        completions = asyncio.run(_ask(client, questions(3)))
    assert [c.texts for c in completions] == [
        [f"answer 0 to q{i}", f"answer 1 to q{i}"] for i in range(3)
    ]
    assert server.streamed_requests == 1 and server.calls == 3
    assert len(said) == 1 and "does not stream" in said[0] and server.base_url in said[0]
    usage = client.usage.report("generate")
    assert usage["completion_tokens"] == 3 * 2 * 4 and usage["retries"] == 0


def test_the_pools_error_names_the_endpoint_that_refused(tmp_path):
    with FakeServer(responder) as first, FakeServer(responder) as second:
        second.inject(*["401"] * 10)
        client = client_for([first.base_url, second.base_url], tmp_path, concurrency=1)
        with pytest.raises(UserError, match=f"at {second.base_url}: authentication failed"):
            asyncio.run(_ask(client, questions(4)))


async def _ask(client, requests):
    try:
        return await client.complete(requests)
    finally:
        await client.close()


def test_a_synth_run_on_a_pool_counts_each_endpoint_and_reports_them(tmp_path, capsys, monkeypatch):
    """`--teacher-base-url A,B`, B a server that does not stream: the run says so once, every
    teacher stage's usage is split by endpoint in the manifest, the report shows the split."""
    monkeypatch.setenv("SYNTHRL_CACHE", str(tmp_path / "synthrl-cache"))
    out = tmp_path / "run"
    with (
        FakeServer(ArithmeticTeacher()) as first,
        FakeServer(ArithmeticTeacher(), streams=False) as second,
    ):
        args = ["synth", "gsm8k", "--out", str(out), "--n", "24", "--votes", "4"]
        args += ["--teacher-base-url", f"{first.base_url},{second.base_url}"]
        with pytest.raises(SystemExit) as exit_info:
            main([*args, "--teacher-model", "fake", "--quiet"])
    assert exit_info.value.code == 0
    said = capsys.readouterr().err
    assert said.count("does not stream") == 1 and second.base_url in said
    stages = read_json(out / "manifest.json")["stages"]
    for name in ("generate", "verify"):
        endpoints = stages[name]["usage"]["endpoints"]
        assert set(endpoints) == {first.base_url, second.base_url}
        assert sum(e["requests"] for e in endpoints.values()) == stages[name]["usage"]["requests"]
    # only the calls in flight before its first reply asked it for a stream: the generate
    # stage's first ones; the stages after asked for whole replies
    asked_in_generate = stages["generate"]["usage"]["endpoints"][second.base_url]["requests"]
    assert 1 <= second.streamed_requests <= asked_in_generate < second.calls
    with pytest.raises(SystemExit):
        main(["report", str(out)])
    summary = (out / "report.md").read_text()
    assert "By endpoint of the teacher's pool" in summary and second.base_url in summary


def test_a_server_gone_silent_is_left_out_and_its_calls_answered_by_the_other(tmp_path):
    """The first server accepts calls and sends nothing: each of its calls waits one idle
    period, the server is left out, the calls go to the second, and the run goes on."""
    with (
        FakeServer(responder, timeout_s=2) as first,
        FakeServer(responder, latency_s=0.01) as second,
    ):
        first.inject(*["timeout"] * 50)
        urls = [first.base_url, second.base_url]
        client = client_for(urls, tmp_path, idle_timeout_s=0.5, concurrency=2, cooldown_s=60)
        completions = asyncio.run(_ask(client, questions(12)))
    assert [c.texts[0] for c in completions] == [f"answer 0 to q{i}" for i in range(12)]
    assert first.calls <= 2 and second.calls == 12  # at most the first two waited on it
    assert client.usage.report("generate")["endpoints"][first.base_url]["failures"] == first.calls


def test_when_every_server_failed_calls_go_on_at_the_backoffs_pace_not_the_cooldowns(tmp_path):
    """Both servers fail their first calls: both are out for a minute, yet the calls do not
    wait that minute; they go to the one due back first, as a single endpoint's retries do."""
    with FakeServer(responder) as first, FakeServer(responder) as second:
        first.inject("500", "500")
        second.inject("500", "500")
        urls = [first.base_url, second.base_url]
        client = client_for(urls, tmp_path, concurrency=1, cooldown_s=60)
        began = time.monotonic()
        completions = asyncio.run(_ask(client, questions(4)))
    assert len(completions) == 4 and time.monotonic() - began < 20
    assert first.calls + second.calls == 8  # four failures, four answers


def test_events_labelled_as_plain_text_are_still_read_as_a_stream(tmp_path):
    said = []
    with FakeServer(responder, events_type="text/plain; charset=utf-8") as server:
        client = client_for(server.base_url, tmp_path, said, concurrency=1)
        completions = asyncio.run(_ask(client, questions(2)))
    assert completions[1].texts == ["answer 0 to q1", "answer 1 to q1"]
    assert server.streamed_requests == 2 and not said
