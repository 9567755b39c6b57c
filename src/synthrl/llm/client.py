"""Async client for any OpenAI-compatible endpoint: bounded concurrency, bounded retries, cache.

    client = TeacherClient(config.teacher, cache=ResponseCache(path))
    [completion] = await client.complete([Request.chat([{"role": "user", "content": "Hi"}], n=4)])
    completion.texts  # four samples; a rerun serves all four from the cache

`teacher.base_url` may list several servers of the same model: each takes up to
`teacher.concurrency` calls, a call goes to the one with the most free places, and one that
fails is left out a while (`teacher.cooldown_s`) while its calls go to the others (see
`endpoints.py`). Usage is counted per stage and per endpoint.

Replies are streamed: a call that receives nothing for `teacher.idle_timeout_s` (default 60 s)
is retried, and once the endpoint has sent nothing to any call for two such periods the run
gives up (about two minutes), while a slow teacher that keeps sending tokens finishes within
`teacher.timeout_s` (default 900 s, the bound on one call either way; `teacher.stream: false`
asks for whole replies, bounded by `timeout_s` only). A server that answers a streamed request
with one JSON body is read as the whole reply it sent, and asked for whole replies after that.

Retried, with exponential backoff and jitter, a bounded number of times: 429, 5xx, timeouts,
dropped connections and malformed bodies. Not retried: 400/401/403/404/422, which stop with a
message naming the endpoint and model and saying what to check. A server that ignores `n` is
detected and asked for the remaining samples one at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import random
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import openai

from synthrl.config import TeacherConfig
from synthrl.errors import RunFailure, UserError
from synthrl.llm.cache import CachedSample, ResponseCache
from synthrl.llm.endpoints import Endpoint, Pool
from synthrl.llm.replies import (
    CallTimeout,
    MalformedResponse,
    SilentTeacher,
    describe,
    fatal,
    json_body,
    whole_reply,
)
from synthrl.llm.usage import Usage

Message = dict[str, str]


class BudgetReached(UserError):
    """The next call could take the teacher's spend past `teacher.budget`."""


_RETRYABLE = (
    MalformedResponse,
    CallTimeout,
    SilentTeacher,
    openai.RateLimitError,
    openai.InternalServerError,
    openai.APITimeoutError,
    openai.APIConnectionError,
    openai.APIResponseValidationError,
    openai.ConflictError,
    json.JSONDecodeError,  # a 200 whose body is not JSON (a proxy error page, a cut stream)
)
_BACKOFF_CAP_S = 30.0
_SILENT_PERIODS = 2  # the run gives up once the endpoint was silent this many idle periods


@dataclass(frozen=True)
class Request:
    """One prompt to sample `n` times. `stage` only labels accounting; it is not in the key."""

    messages: tuple[tuple[tuple[str, str], ...], ...] | None = None
    prompt: str | None = None
    n: int = 1
    temperature: float = 0.7
    top_p: float = 1.0
    max_tokens: int = 1024
    seed: int | None = None
    json_mode: bool = False
    stop: tuple[str, ...] = ()
    stage: str = field(default="", compare=False)

    @classmethod
    def chat(cls, messages: Sequence[Message], **kwargs: Any) -> Request:
        """A chat request; `messages` are {"role": ..., "content": ...} dicts."""
        frozen = tuple(tuple(sorted(m.items())) for m in messages)
        return cls(messages=frozen, **kwargs)

    @classmethod
    def completion(cls, prompt: str, **kwargs: Any) -> Request:
        """A plain-completion request (for base models behind /v1/completions)."""
        return cls(prompt=prompt, **kwargs)

    def message_dicts(self) -> list[Message]:
        return [dict(m) for m in self.messages or ()]

    def key(self, model: str, index: int) -> str:
        """The cache key of sample `index`: a hash of everything that shapes the output."""
        shape = {
            "model": model,
            "messages": self.message_dicts() if self.messages is not None else None,
            "prompt": self.prompt,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_tokens": self.max_tokens,
            "seed": self.seed,
            "json_mode": self.json_mode,
            "stop": list(self.stop),
            "index": index,
        }
        return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Completion:
    """The `n` sampled texts of one request, and how many came from the cache."""

    texts: list[str]
    finish_reasons: list[str | None]
    cached: int


class TeacherClient:
    """Talks to one OpenAI-compatible endpoint and model. See the module docstring."""

    def __init__(
        self,
        config: TeacherConfig,
        cache: ResponseCache | None = None,
        usage: Usage | None = None,
        retry_base_s: float = 0.5,
        say: Callable[[str], None] | None = None,
        whole_replies: set[str] | None = None,
    ) -> None:
        self.config = config
        self.cache = cache
        self.usage = usage or Usage(prices=dict(config.prices))
        self.retry_base_s = retry_base_s
        self.say = say or (lambda message: None)
        # endpoints found to answer streamed requests with whole replies (shared by a run)
        self.whole_replies = whole_replies if whole_replies is not None else set()
        self._n_supported = True
        self._last_heard: float | None = None  # when any call last received data
        self.spent_before = 0.0  # set by the stage runner: what the run folder spent before
        self._reserved = 0.0  # the most the calls in flight can still cost
        api_key = os.environ.get(config.api_key_env)
        if not api_key:
            if None in config.urls:
                raise UserError(
                    f"teacher: no API key: set the environment variable {config.api_key_env} "
                    "(teacher.api_key_env names it), or point --teacher-base-url at a local "
                    "OpenAI-compatible server"
                )
            api_key = "not-needed"  # local servers accept any key
        endpoints = [
            Endpoint(
                url,
                openai.AsyncOpenAI(
                    api_key=api_key,
                    base_url=url,
                    timeout=config.timeout_s,  # a backstop; streamed calls are timed in _post
                    max_retries=0,  # retries are ours: bounded, with jitter, counted
                ),
                config.concurrency,
            )
            for url in config.urls
        ]
        self.pool = Pool(endpoints, config.cooldown_s)

    @property
    def endpoint(self) -> str:
        return f"model '{self.config.model}' at {self.pool.names}"

    async def complete(
        self,
        requests: Sequence[Request],
        on_done: Callable[[Completion], None] | None = None,
    ) -> list[Completion]:
        """Sample every request, concurrently, cache first. Order of results = order of input."""

        async def run(request: Request) -> Completion:
            completion = await self._complete_one(request)
            if on_done is not None:
                on_done(completion)
            return completion

        tasks = [asyncio.ensure_future(run(r)) for r in requests]
        try:
            return list(await asyncio.gather(*tasks))
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise

    async def close(self) -> None:
        for endpoint in self.pool.endpoints:
            await endpoint.client.close()

    async def _complete_one(self, request: Request) -> Completion:
        model = self.config.model
        keys = [request.key(model, i) for i in range(request.n)]
        found = self.cache.get_many(keys) if self.cache is not None else {}
        missing = [i for i, k in enumerate(keys) if k not in found]
        old = list(found.values())
        cached_tokens = (sum(s.prompt_tokens for s in old), sum(s.completion_tokens for s in old))
        if missing:
            fresh = await self._sample(request, missing)
            new = dict(zip((keys[i] for i in missing), fresh, strict=True))
            if self.cache is not None:
                self.cache.put_many(new.items())
            found.update(new)
        self.usage.add_samples(request.stage, len(missing), request.n - len(missing), cached_tokens)
        samples = [found[k] for k in keys]
        return Completion(
            texts=[s.text for s in samples],
            finish_reasons=[s.finish_reason for s in samples],
            cached=request.n - len(missing),
        )

    async def _sample(self, request: Request, indices: list[int]) -> list[CachedSample]:
        """Samples `indices` of a request, in runs of consecutive indices.

        A run starting at index i is asked with seed `seed + i` (servers that honour `n` give
        its k-th sample `seed + i + k`, as llama.cpp does), so a sample's seed depends on its
        index only, never on what was cached, and a server that ignores `n` still gets a
        distinct request per sample. `teacher.max_n` caps a run (llama-server: its slots).
        """
        samples: list[CachedSample] = []
        position = 0
        while position < len(indices):
            start = indices[position]
            run = 1
            while (
                position + run < len(indices)
                and indices[position + run] == start + run
                and self._n_supported
                and run < (self.config.max_n or len(indices))
            ):
                run += 1
            got = await self._call(request, run, start)
            if len(got) < run:
                # The server ignored `n`: ask for the rest one sample at a time from now on.
                self._n_supported = False
            if not got:
                raise RunFailure(f"teacher {self.endpoint} returned no choices")
            samples.extend(got[:run])
            position += min(run, len(got))
        return samples

    async def _call(self, request: Request, n: int, first: int = 0) -> list[CachedSample]:
        attempts = self.config.max_retries + 1
        if self._last_heard is None:
            self._last_heard = time.monotonic()
        for attempt in range(attempts):
            endpoint: Endpoint | None = None
            try:
                async with self.pool.take() as endpoint, self._reservation(request, n):
                    got = await self._post(endpoint, request, n, first)
                self.pool.answered(endpoint)
                return got
            except _RETRYABLE as exc:
                if endpoint is not None:
                    self.pool.failed(endpoint)
                idle = self.config.idle_timeout_s
                silent_s = time.monotonic() - self._last_heard
                if isinstance(exc, SilentTeacher) and silent_s >= _SILENT_PERIODS * idle:
                    # Silence across all calls, not per call: however many calls wait, a
                    # server that answers none is given up after about two idle periods.
                    raise RunFailure(
                        f"teacher {self.endpoint} sent nothing for {silent_s:.0f} s (calls wait "
                        f"at most {idle:g} s for data, teacher.idle_timeout_s): check that the "
                        "server is up and answering, or raise teacher.idle_timeout_s for a server "
                        "that takes longer to start answering. Finished calls are cached: rerun "
                        "the same command to resume."
                    ) from None
                if attempt == attempts - 1:
                    raise RunFailure(
                        f"teacher {self.endpoint} kept failing after {attempts} attempts "
                        f"({describe(exc)}); check that the server is up and not overloaded. "
                        "Finished calls are cached: rerun the same command to resume."
                    ) from None
                self.usage.add_retry(request.stage, endpoint.name if endpoint else None)
                if not self.pool.spare():  # with another endpoint up, the call moves at once
                    await asyncio.sleep(self._backoff(attempt, exc))
            except openai.APIStatusError as exc:
                name = f"model '{self.config.model}' at {endpoint.name if endpoint else '?'}"
                raise fatal(exc, name, self.config.api_key_env) from None
        raise AssertionError("unreachable")

    @contextlib.asynccontextmanager
    async def _reservation(self, request: Request, n: int) -> AsyncIterator[None]:
        """Hold the most a call can cost against the budget while it runs; refuse a call that
        could take the spend past it. The bound: 3 characters a token for the prompt (fewer
        than any tokenizer packs), every sample at max_tokens."""
        budget = self.config.budget
        if budget is None:
            yield
            return
        price = self.config.prices[self.config.model]
        prompt = json.dumps(request.message_dicts()) if request.messages else request.prompt
        bound = (len(prompt or "") / 3 * price.input + n * request.max_tokens * price.output) / 1e6
        committed = self.spent_before + self.usage.total_cost() + self._reserved
        if committed + bound > budget:
            raise BudgetReached(
                f"teacher budget {budget:g} reached: {committed:.4f} spent or in flight in this "
                f"run folder, and the next call could cost up to {bound:.4f}. Finished calls "
                "are cached: rerun with a larger --budget (teacher.budget) to go on."
            )
        self._reserved += bound
        try:
            yield
        finally:
            self._reserved -= bound

    def _backoff(self, attempt: int, exc: Exception) -> float:
        response = getattr(exc, "response", None)
        retry_after = response.headers.get("retry-after") if response is not None else None
        if retry_after:
            try:
                return min(_BACKOFF_CAP_S, float(retry_after))
            except ValueError:
                pass
        delay = min(_BACKOFF_CAP_S, self.retry_base_s * 2**attempt)
        return delay * (0.5 + random.random())

    async def _post(
        self, endpoint: Endpoint, request: Request, n: int, first: int = 0
    ) -> list[CachedSample]:
        common: dict[str, Any] = {
            "model": self.config.model,
            "n": n,
            "temperature": request.temperature,
            "top_p": request.top_p,
            "max_tokens": request.max_tokens,
        }
        if request.seed is not None:
            common["seed"] = request.seed + first
        if request.stop:
            common["stop"] = list(request.stop)
        chat = request.messages is not None
        if chat:
            common["messages"] = request.message_dicts()
            if request.json_mode:
                common["response_format"] = {"type": "json_object"}
        else:
            common["prompt"] = request.prompt
        client = endpoint.client
        create = client.chat.completions.create if chat else client.completions.create
        if self.config.stream and endpoint.name not in self.whole_replies:
            texts, p_tokens, c_tokens = await self._stream(endpoint, create, common, chat)
        else:
            response = await create(**common)
            self._last_heard = time.monotonic()
            texts, p_tokens, c_tokens = whole_reply(response, chat)
        self.usage.add_call(request.stage, self.config.model, p_tokens, c_tokens, endpoint.name)
        share = max(1, len(texts))
        return [CachedSample(t, f, p_tokens // share, c_tokens // share) for t, f in texts]

    async def _stream(
        self, endpoint: Endpoint, create: Callable[..., Any], common: dict[str, Any], chat: bool
    ) -> tuple[list[tuple[str, str | None]], int, int]:
        """One streamed call: the texts by choice index, prompt and completion tokens.

        Each wait (for the reply to start, for the next chunk) is bounded by idle_timeout_s,
        the whole call by timeout_s. Without a usage chunk, completion tokens are counted as
        content chunks (one token each on llama.cpp, vLLM and OpenAI). A server that answers
        with one JSON body instead of events is read as the whole reply it is, and asked for
        whole replies from then on (said once).
        """
        idle, parts, finish = self.config.idle_timeout_s, {}, {}
        p_tokens = c_tokens = chunks = 0
        reported = False
        try:
            async with asyncio.timeout(self.config.timeout_s):
                stream = await _within(idle, create(**common, stream=True, **_USAGE))
                kind = stream.response.headers.get("content-type", "").lower()
                if "json" in kind or "html" in kind:  # not events: a whole reply, or a page
                    try:
                        body = await stream.response.aread()
                    finally:
                        await stream.close()
                    self._last_heard = time.monotonic()
                    whole = whole_reply(json_body(body, kind), chat)
                    self._stops_streaming(endpoint)
                    return whole
                # any other type is read as events (some servers label them text/plain)
                try:
                    chunk_iter = stream.__aiter__()
                    while True:
                        try:
                            chunk = await _within(idle, chunk_iter.__anext__())
                        except StopAsyncIteration:
                            break
                        except openai.APIError as exc:  # an error event inside the stream
                            if isinstance(exc, openai.APIStatusError | openai.APIConnectionError):
                                raise
                            raise MalformedResponse(f"an error in the stream: {exc}") from None
                        self._last_heard = time.monotonic()
                        for choice in chunk.choices or []:
                            piece = choice.delta.content if chat else choice.text
                            parts.setdefault(choice.index, []).append(piece or "")
                            chunks += bool(piece)
                            if choice.finish_reason is not None:
                                finish[choice.index] = choice.finish_reason
                        if chunk.usage is not None:
                            reported = True
                            p_tokens += chunk.usage.prompt_tokens or 0
                            c_tokens += chunk.usage.completion_tokens or 0
                finally:
                    await stream.close()
        except TimeoutError:
            raise CallTimeout(f"no complete reply within {self.config.timeout_s:g} s") from None
        if not parts:
            raise MalformedResponse(f"a stream without any choice ({kind or 'no content type'})")
        texts = [("".join(parts[i]), finish.get(i)) for i in sorted(parts)]
        return texts, p_tokens, c_tokens if reported else chunks

    def _stops_streaming(self, endpoint: Endpoint) -> None:
        if endpoint.name in self.whole_replies:
            return
        self.whole_replies.add(endpoint.name)
        self.say(
            f"teacher at {endpoint.name} does not stream (it answered a streamed request with one "
            "JSON body): asking it for whole replies, each bounded by teacher.timeout_s "
            f"({self.config.timeout_s:g} s); set teacher.stream: false to say so up front"
        )


_USAGE = {"stream_options": {"include_usage": True}}


async def _within(seconds: float, awaitable: Any) -> Any:
    """Await `awaitable`, or raise SilentTeacher after `seconds` without a result.

    `asyncio.timeout`, not `wait_for`: on Python 3.11, wait_for can swallow a cancellation
    that arrives as its awaitable finishes, and a stream awaits once per chunk, so Ctrl-C
    would now and then let the stage run on instead of stopping it."""
    try:
        async with asyncio.timeout(seconds):
            return await awaitable
    except TimeoutError:
        raise SilentTeacher(f"nothing received for {seconds:g} s") from None
