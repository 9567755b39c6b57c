"""Sampling the student, behind one interface, with two backends.

    sampler = make_sampler(config.student, cache=ResponseCache(run / "cache" / "student.sqlite"))
    [[a1, a2, a3]] = sampler.sample(["What is 2 + 3? ..."], n=3, temperature=0.7)

- `TransformersSampler` runs the model in-process (CPU or GPU). One forward pass holds up to
  `student.batch_size` sequences: all n samples of a prompt, and as many prompts as fit.
- `ServerSampler` asks an OpenAI-compatible server (`vllm serve`, SGLang, ...) for n samples
  per request: the route for fast GPU, multi-GPU and multi-node scoring.

Sampling is reproducible per sample: the i-th sample of a prompt draws its randomness from a
generator seeded by (seed, the prompt's text, i) alone, never from what else is in the batch or
what the cache already held, so a resumed stage draws what an uninterrupted one would have
(the Gumbel-max trick: sampling from softmax(logits / T) is taking the argmax of
logits / T + Gumbel noise, and the noise is drawn row by row).

Both render a prompt the same way: through the tokenizer's chat template for instruct models
(auto-detected, or forced with `student.chat`), as raw text for base models. Both cache every
sample by content, so a stage that is interrupted resumes where it stopped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from synthrl.config import StudentConfig, TeacherConfig
from synthrl.interrupt import run_async
from synthrl.llm.cache import CachedSample, ResponseCache
from synthrl.llm.client import Request, TeacherClient

Progress = Callable[[int], None]


class Sampler(Protocol):
    """n samples for each prompt, in prompt order. `sampled` counts the prompts whose samples
    were drawn by the model rather than read from the cache, over the sampler's life."""

    model_id: str
    sampled: int

    def sample(
        self,
        prompts: Sequence[str],
        n: int,
        temperature: float,
        top_p: float = 1.0,
        max_tokens: int = 256,
        seed: int = 0,
        on_done: Progress | None = None,
    ) -> list[list[str]]: ...


def wants_chat(tokenizer: Any, setting: str) -> bool:
    """Whether prompts go through the chat template: `auto` = the tokenizer has one."""
    if setting == "auto":
        return bool(getattr(tokenizer, "chat_template", None))
    return setting == "yes"


def render_prompt(tokenizer: Any, text: str, chat: bool) -> str:
    """The exact text the model continues."""
    if not chat:
        return text
    messages = [{"role": "user", "content": text}]
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


class TransformersSampler:
    """In-process sampling with transformers' `generate`."""

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        model_id: str,
        chat: bool,
        batch_size: int = 16,
        cache: ResponseCache | None = None,
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.model_id = model_id
        self.chat = chat
        self.batch_size = batch_size
        self.cache = cache
        self.sampled = 0
        eos = {tokenizer.eos_token_id, *_as_list(model.generation_config.eos_token_id)}
        self._eos = sorted(e for e in eos if e is not None)

    def sample(
        self,
        prompts: Sequence[str],
        n: int,
        temperature: float,
        top_p: float = 1.0,
        max_tokens: int = 256,
        seed: int = 0,
        on_done: Progress | None = None,
    ) -> list[list[str]]:
        rendered = [render_prompt(self.tokenizer, p, self.chat) for p in prompts]
        requests = [
            Request.completion(
                r, n=n, temperature=temperature, top_p=top_p, max_tokens=max_tokens, seed=seed
            )
            for r in rendered
        ]
        keys = [[req.key(self.model_id, i) for i in range(n)] for req in requests]
        found = self.cache.get_many([k for row in keys for k in row]) if self.cache else {}
        results: list[list[str] | None] = [
            [found[k].text for k in row] if all(k in found for k in row) else None for row in keys
        ]
        todo = [i for i, r in enumerate(results) if r is None]
        if on_done is not None and len(todo) < len(prompts):
            on_done(len(prompts) - len(todo))
        per_pass = max(1, self.batch_size // n)
        for start in range(0, len(todo), per_pass):
            chunk = todo[start : start + per_pass]
            texts = self._generate(
                [rendered[i] for i in chunk], n, temperature, top_p, max_tokens, seed
            )
            self.sampled += len(chunk)
            for i, samples in zip(chunk, texts, strict=True):
                results[i] = samples
                if self.cache is not None:
                    self.cache.put_many(
                        (k, CachedSample(t)) for k, t in zip(keys[i], samples, strict=True)
                    )
            if on_done is not None:
                on_done(len(chunk))
        return [r or [] for r in results]

    def _generate(
        self,
        rendered: list[str],
        n: int,
        temperature: float,
        top_p: float,
        max_tokens: int,
        seed: int,
    ) -> list[list[str]]:
        import torch
        from transformers import LogitsProcessorList

        outputs: list[list[str]] = [[] for _ in rendered]
        # More samples than fit in one pass are drawn over several passes of the same prompts.
        per_pass = min(n, self.batch_size)
        encoded = self.tokenizer(
            rendered, return_tensors="pt", padding=True, add_special_tokens=not self.chat
        ).to(self.model.device)
        width = encoded["input_ids"].shape[1]
        drawn = 0
        while drawn < n:
            count = min(per_pass, n - drawn)
            # Each prompt repeated `count` times, row by row (greedy decoding over noised scores
            # cannot use num_return_sequences).
            batch = {key: value.repeat_interleave(count, dim=0) for key, value in encoded.items()}
            processors = LogitsProcessorList()
            if temperature > 0:
                seeds = [
                    row_seed(seed, prompt, drawn + k) for prompt in rendered for k in range(count)
                ]
                processors.append(RowSampling(seeds, temperature, top_p))
            with torch.no_grad():
                generated = self.model.generate(
                    **batch,
                    max_new_tokens=max_tokens,
                    eos_token_id=self._eos,
                    pad_token_id=self.tokenizer.pad_token_id,
                    do_sample=False,  # greedy over the noised scores RowSampling returns
                    logits_processor=processors,
                )
            texts = self.tokenizer.batch_decode(generated[:, width:], skip_special_tokens=True)
            for row, text in enumerate(texts):
                outputs[row // count].append(text)
            drawn += count
        return outputs


def row_seed(seed: int, prompt: str, index: int) -> int:
    """The seed of sample `index` of `prompt`: depends on nothing else."""
    digest = hashlib.sha256(f"{seed}\0{index}\0{prompt}".encode()).digest()
    return int.from_bytes(digest[:8], "little") & ((1 << 63) - 1)


class RowSampling:
    """A logits processor that turns greedy decoding into sampling at `temperature` with
    nucleus `top_p`, each row drawing its noise from its own seeded generator."""

    def __init__(self, seeds: list[int], temperature: float, top_p: float) -> None:
        import torch

        self.temperature, self.top_p = temperature, top_p
        self.generators = [torch.Generator().manual_seed(s) for s in seeds]

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import torch

        scores = scores.float() / self.temperature
        if self.top_p < 1.0:
            ordered, order = torch.sort(scores, descending=True, dim=-1)
            cumulative = torch.softmax(ordered, dim=-1).cumsum(dim=-1)
            drop = cumulative - torch.softmax(ordered, dim=-1) >= self.top_p  # keeps the top one
            scores = scores.scatter(-1, order, ordered.masked_fill(drop, float("-inf")))
        uniform = torch.stack(
            [torch.rand(scores.shape[-1], generator=g) for g in self.generators]
        ).clamp_(1e-12, 1.0 - 1e-7)
        gumbel = -torch.log(-torch.log(uniform)).to(scores.device)
        return scores + gumbel


class ServerSampler:
    """Sampling through an OpenAI-compatible server, n samples per request."""

    def __init__(self, config: StudentConfig, cache: ResponseCache | None = None) -> None:
        self.config = config
        self.model_id = config.model
        self.chat = config.chat != "no"
        teacher_like = TeacherConfig(
            base_url=config.base_url,
            model=config.model,
            api_key_env=config.api_key_env,
            concurrency=config.concurrency,
            max_tokens=config.max_tokens,
            json_mode=False,
        )
        self._config = teacher_like
        self.cache = cache
        self.sampled = 0

    def sample(
        self,
        prompts: Sequence[str],
        n: int,
        temperature: float,
        top_p: float = 1.0,
        max_tokens: int = 256,
        seed: int = 0,
        on_done: Progress | None = None,
    ) -> list[list[str]]:
        params = {"n": n, "temperature": temperature, "top_p": top_p, "max_tokens": max_tokens}
        if self.chat:
            requests = [
                Request.chat([{"role": "user", "content": p}], seed=seed, stage="student", **params)
                for p in prompts
            ]
        else:
            requests = [
                Request.completion(p, seed=seed, stage="student", **params) for p in prompts
            ]

        async def run() -> list[list[str]]:
            client = TeacherClient(self._config, self.cache)
            try:
                done = await client.complete(
                    requests, on_done=(lambda _: on_done(1)) if on_done else None
                )
            finally:
                await client.close()
            self.sampled += sum(c.cached < n for c in done)
            return [c.texts for c in done]

        return run_async(run())


def make_sampler(
    config: StudentConfig, cache: ResponseCache | None = None, model: str | None = None
) -> Sampler:
    """The sampler `config.backend` names; `model` overrides `config.model`."""
    if config.backend == "server":
        if model is not None:
            config = config.model_copy(update={"model": model})
        return ServerSampler(config, cache)
    from synthrl.student.models import fingerprint, load_model

    ref = model or config.model
    loaded, tokenizer = load_model(ref, config.device)
    return TransformersSampler(
        loaded,
        tokenizer,
        model_id=fingerprint(ref),
        chat=wants_chat(tokenizer, config.chat),
        batch_size=config.batch_size,
        cache=cache,
    )


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]
