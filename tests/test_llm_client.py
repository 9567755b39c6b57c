"""The teacher client against a real local HTTP server: retries, fail-fast, n, cache."""

import asyncio

import pytest

from synthrl.config import Prices, TeacherConfig
from synthrl.errors import RunFailure, UserError
from synthrl.llm.cache import CachedSample, ResponseCache
from synthrl.llm.client import Request, TeacherClient
from synthrl.testing.fake_server import FakeServer


def counting_responder(body, index):
    return f"sample {index} of: {body['messages'][-1]['content'] if 'messages' in body else ''}"


@pytest.fixture
def server():
    with FakeServer(counting_responder, timeout_s=1.5) as running:
        yield running


def make_client(server, tmp_path, **config):
    settings = {"base_url": server.base_url, "model": "fake", "max_retries": 3, "timeout_s": 1.0}
    settings.update(config)
    tmp_path.mkdir(parents=True, exist_ok=True)
    cache = ResponseCache(tmp_path / "cache.sqlite")
    return TeacherClient(TeacherConfig(**settings), cache, retry_base_s=0.01)


def ask(client, *requests):
    async def go():
        try:
            return await client.complete(list(requests))
        finally:
            await client.close()

    return asyncio.run(go())


def hello(n=1, **kwargs):
    return Request.chat([{"role": "user", "content": "hello"}], n=n, stage="test", **kwargs)


@pytest.mark.parametrize("fault", ["429", "500", "timeout", "drop", "malformed", "html"])
def test_transient_faults_are_retried(server, tmp_path, fault):
    server.inject(fault)
    [completion] = ask(make_client(server, tmp_path), hello())
    assert completion.texts == ["sample 0 of: hello"]
    assert server.calls == 2


@pytest.mark.parametrize("calls", [1, 5])
def test_a_silent_teacher_is_given_up_after_two_idle_periods_not_after_every_retry(tmp_path, calls):
    """A server that accepts calls and sends nothing: two idle periods of silence, then a clear
    error, however many retries are allowed and however many calls wait in line (by default,
    about two minutes in all)."""
    with FakeServer(counting_responder, timeout_s=30) as server:
        server.inject(*["timeout"] * 20)
        client = make_client(
            server, tmp_path, idle_timeout_s=0.3, timeout_s=60, max_retries=6, concurrency=1
        )
        with pytest.raises(RunFailure, match=r"sent nothing for 1 s .*at most 0.3 s.*idle_timeout"):
            ask(client, *[hello(seed=i) for i in range(calls)])
        assert server.calls == 2


def test_a_teacher_that_answers_some_calls_is_not_given_up(tmp_path):
    """Silences between answers: each call is retried, the run goes on."""
    with FakeServer(counting_responder, timeout_s=30) as server:
        server.inject("timeout", "ok", "timeout", "ok", "timeout")
        client = make_client(server, tmp_path, idle_timeout_s=0.3, concurrency=1)
        completions = ask(client, *[hello(seed=i) for i in range(5)])
    assert len(completions) == 5 and server.calls == 8


def test_a_slow_teacher_that_keeps_sending_tokens_finishes(tmp_path):
    """Six words, 0.25 s apart: longer than the idle limit in all, never silent that long."""
    with FakeServer(lambda body, i: "one two three four five six", slow_s=0.25) as server:
        server.inject("slow")
        client = make_client(server, tmp_path, idle_timeout_s=0.6, timeout_s=30)
        [completion] = ask(client, hello())
    assert completion.texts == ["one two three four five six"] and server.calls == 1
    assert client.usage.report("test")["completion_tokens"] == 6


def test_timeout_s_still_bounds_a_whole_call(tmp_path):
    with FakeServer(lambda body, i: "one two three four five six", slow_s=0.25) as server:
        server.inject("slow")
        client = make_client(server, tmp_path, idle_timeout_s=5, timeout_s=0.8)
        [completion] = ask(client, hello())  # the slow call is cut off, the retry is quick
    assert completion.texts == ["one two three four five six"] and server.calls == 2


@pytest.mark.parametrize("stream", [True, False])
def test_streamed_and_whole_replies_give_the_same_samples_and_usage(tmp_path, stream):
    with FakeServer(counting_responder) as server:
        client = make_client(server, tmp_path, stream=stream)
        [chat] = ask(client, hello(n=3))
        client = make_client(server, tmp_path / "plain", stream=stream)
        [plain] = ask(client, Request.completion("2 + 2 =", n=2, stage="test"))
    assert chat.texts == [f"sample {i} of: hello" for i in range(3)]
    assert chat.finish_reasons == ["stop"] * 3
    assert plain.texts == ["sample 0 of: ", "sample 1 of: "]
    usage = client.usage.report("test")
    assert usage["prompt_tokens"] == 4 and usage["completion_tokens"] == 6  # words, here


@pytest.mark.parametrize("stream", [True, False])
def test_html_pages_are_retried_then_named_with_what_they_said(server, tmp_path, stream):
    server.inject(*["html"] * 10)
    with pytest.raises(RunFailure, match=r"an HTML page.*502 Bad Gateway"):
        ask(make_client(server, tmp_path, max_retries=1, stream=stream), hello())
    assert server.calls == 2


def test_retries_are_bounded(server, tmp_path):
    server.inject(*["500"] * 10)
    client = make_client(server, tmp_path, max_retries=2)
    with pytest.raises(RunFailure, match="after 3 attempts"):
        ask(client, hello())
    assert server.calls == 3


@pytest.mark.parametrize(
    ("fault", "hint"),
    [("401", "API key"), ("404", "--teacher-model"), ("400", "json_mode")],
)
def test_client_errors_fail_fast_naming_endpoint_and_model(server, tmp_path, fault, hint):
    server.inject(fault)
    with pytest.raises(UserError) as error:
        ask(make_client(server, tmp_path), hello())
    assert server.calls == 1
    message = str(error.value)
    assert "model 'fake'" in message and server.base_url in message and hint in message


def test_empty_and_truncated_content_reach_the_parser(server, tmp_path):
    server.inject("empty", "truncated")
    first, second = ask(make_client(server, tmp_path, concurrency=1), hello(), hello(seed=1))
    assert first.texts == [""]
    assert second.finish_reasons == ["length"]


def test_n_samples_in_one_call_and_zero_calls_on_rerun(server, tmp_path):
    [completion] = ask(make_client(server, tmp_path), hello(n=4))
    assert len(completion.texts) == 4 and server.calls == 1
    [again] = ask(make_client(server, tmp_path), hello(n=4))
    assert again.texts == completion.texts and again.cached == 4
    assert server.calls == 1


def test_only_missing_samples_are_requested(server, tmp_path):
    ask(make_client(server, tmp_path), hello(n=2))
    [completion] = ask(make_client(server, tmp_path), hello(n=5))
    assert completion.cached == 2 and len(completion.texts) == 5
    assert server.calls == 2


def test_server_that_ignores_n_is_asked_one_sample_at_a_time(tmp_path):
    with FakeServer(counting_responder, honour_n=False) as server:
        [completion] = ask(make_client(server, tmp_path), hello(n=3))
        assert len(completion.texts) == 3
        assert server.calls == 3


def seeded_responder(body, index):
    """Like a seeded sampler: the text depends on the seed the server derives for sample index
    (llama.cpp gives the k-th of n samples seed + k)."""
    return f"seed {body.get('seed', 0) + index}"


@pytest.mark.parametrize("honour_n", [True, False])
def test_a_samples_seed_depends_on_its_index_only(tmp_path, honour_n):
    """Whatever was cached, however the server treats n, however requests are split."""
    with FakeServer(seeded_responder, honour_n=honour_n) as server:
        [whole] = ask(make_client(server, tmp_path / "a"), hello(n=6, seed=100))
        ask(make_client(server, tmp_path / "b"), hello(n=2, seed=100))  # a partial cache
        [resumed] = ask(make_client(server, tmp_path / "b", max_n=3), hello(n=6, seed=100))
    expected = [f"seed {100 + i}" for i in range(6)]
    assert whole.texts == expected and resumed.texts == expected


def test_max_n_caps_the_samples_of_one_request(server, tmp_path):
    [completion] = ask(make_client(server, tmp_path, max_n=4), hello(n=10))
    assert len(completion.texts) == 10 and server.calls == 3


def test_concurrency_is_bounded(tmp_path):
    with FakeServer(counting_responder, latency_s=0.05) as server:
        client = make_client(server, tmp_path, concurrency=4)
        requests = [hello(seed=i) for i in range(24)]
        completions = ask(client, *requests)
        assert len(completions) == 24
        assert server.max_in_flight <= 4


def test_sampling_parameters_are_part_of_the_key():
    base = hello()
    keys = {
        base.key("m", 0),
        base.key("m", 1),
        base.key("other", 0),
        hello(temperature=0.1).key("m", 0),
        hello(max_tokens=5).key("m", 0),
        Request.completion("hello").key("m", 0),
    }
    assert len(keys) == 6
    assert hello().key("m", 0) == base.key("m", 0)


def test_usage_and_cost_are_accounted_per_stage(server, tmp_path):
    prices = {"fake": Prices(input=1_000_000, output=2_000_000)}
    client = make_client(server, tmp_path, prices=prices)
    ask(client, hello(n=2))
    usage = client.usage.report("test")
    assert usage["requests"] == 1 and usage["samples"] == 2
    expected = usage["prompt_tokens"] * 1 + usage["completion_tokens"] * 2
    assert usage["cost"] == pytest.approx(expected)


def test_plain_completion_requests(server, tmp_path):
    [completion] = ask(make_client(server, tmp_path), Request.completion("2 + 2 =", n=2))
    assert len(completion.texts) == 2 and server.calls_by_path["/v1/completions"] == 1


def test_missing_api_key_for_the_openai_api_is_a_user_error(monkeypatch):
    monkeypatch.delenv("SYNTHRL_TEST_KEY", raising=False)
    with pytest.raises(UserError, match="SYNTHRL_TEST_KEY"):
        TeacherClient(TeacherConfig(api_key_env="SYNTHRL_TEST_KEY"))


def test_cache_keeps_the_first_value(tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite")
    cache.put_many([("k", CachedSample("first"))])
    cache.put_many([("k", CachedSample("second"))])
    assert cache.get_many(["k", "missing"]) == {"k": CachedSample("first")}
    assert len(cache) == 1
    mode = cache._db.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
