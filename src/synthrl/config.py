"""Run configuration: the teacher, the synthesis sizes, the passage library.

Values come from, in increasing priority: the profile's defaults (`cpu` or `gpu`), a run
config YAML, then command-line flags. Unknown keys are errors, like in task files.

>>> cfg = load_config(profile="cpu", overrides={"synth": {"n": 8}})
>>> cfg.synth.n, cfg.synth.votes
(8, 4)
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from synthrl.errors import UserError

Profile = Literal["cpu", "gpu"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Prices(_Strict):
    """Price in currency units per million tokens, for cost accounting."""

    input: float = Field(ge=0)
    output: float = Field(ge=0)


class TeacherConfig(_Strict):
    """An OpenAI-compatible endpoint and how to talk to it."""

    base_url: str | list[str] | None = Field(
        default=None,
        description="None means the OpenAI API; several URLs (a list, or one string with commas) "
        "are a pool of servers of the same model",
    )
    model: str = "gpt-4o"
    api_key_env: str = Field(default="OPENAI_API_KEY", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    concurrency: int = Field(default=32, ge=1, le=1024, description="calls in flight per endpoint")
    cooldown_s: float = Field(
        default=30.0,
        gt=0,
        description="in a pool, how long an endpoint that failed is left out before it is tried "
        "again (doubling while it keeps failing)",
    )
    max_retries: int = Field(default=6, ge=0, le=20)
    timeout_s: float = Field(default=900.0, gt=0, description="most seconds one call may take")
    idle_timeout_s: float = Field(
        default=60.0, gt=0, description="give up on a streamed call after this long without data"
    )
    stream: bool = Field(
        default=True, description="stream replies, so a silent server is noticed (idle_timeout_s)"
    )
    temperature: float = Field(default=0.7, ge=0, le=2)
    max_tokens: int = Field(default=2048, ge=16)
    json_mode: bool = True
    max_n: int | None = Field(
        default=None, ge=1, description="most samples one request asks for (None: no limit)"
    )
    prices: dict[str, Prices] = Field(default_factory=dict, description="model -> prices")
    budget: float | None = Field(
        default=None, gt=0, description="most the teacher may cost in one run folder (prices')"
    )

    @field_validator("base_url", mode="before")
    @classmethod
    def _pool(cls, value: Any) -> Any:
        if isinstance(value, str) and "," in value:
            value = [part.strip() for part in value.split(",")]
        if isinstance(value, list):
            if not value or not all(isinstance(url, str) and url for url in value):
                raise ValueError("expected one URL, or a list of URLs that are not empty")
            if len(set(value)) < len(value):
                raise ValueError(f"a URL appears twice in the pool: {value}")
            return value[0] if len(value) == 1 else value
        return value

    @property
    def urls(self) -> list[str | None]:
        """The endpoints to spread calls over (None: the OpenAI API)."""
        return list(self.base_url) if isinstance(self.base_url, list) else [self.base_url]

    @model_validator(mode="after")
    def _budget_needs_prices(self) -> TeacherConfig:
        if self.budget is not None and self.model not in self.prices:
            raise ValueError(
                f"a budget needs the teacher's prices: add teacher.prices.{self.model} "
                "(input and output, per million tokens) or drop the budget"
            )
        return self


class SynthConfig(_Strict):
    """Sizes and thresholds of the teacher-side stages."""

    n: int = Field(default=500, ge=1, description="initial samples to generate")
    votes: int = Field(default=16, ge=1, description="teacher answers per sample")
    extra_votes: int | Literal["auto"] = Field(
        default="auto",
        description="more teacher answers for a label in doubt (votes split or tied, or the "
        "generator's answer against them), decided on all (0: none; auto: 3 where the votes "
        "work the answer out (votes_reason), none where they answer bare)",
    )
    min_agreement: float = Field(default=0.5, gt=0, le=1)
    keywords: int = Field(default=6, ge=1, le=50, description="queries the teacher proposes")
    subjects: int = Field(
        default=16,
        ge=0,
        le=64,
        description="without a corpus, for a task whose requests draw no numbers: subjects the "
        "teacher proposes for its inputs, one per generation request in turn (0: none)",
    )
    top_k: int = Field(default=50, ge=1, description="passages retrieved per query")
    demos_in_prompt: int = Field(default=3, ge=0)
    dedup_threshold: float = Field(default=0.8, gt=0, le=1, description="Jaccard, token 3-grams")
    decontaminate: list[str] | None = Field(
        default=None, description="eval sets (files or built-in names); None: the task's own"
    )
    seed: int = 0
    min_yield: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="stop when generate, verify or dedup keeps less than this share (0: only "
        "when it keeps nothing)",
    )
    max_label_dominance: float = Field(
        default=0.6,
        gt=0,
        le=1,
        description="stop when the top label's excess over an even share passes this (1: never)",
    )
    generator_answer: Literal["auto", "veto", "vote", "ignore"] = Field(
        default="auto",
        description="how the teacher's own answer, written with the input, weighs on the "
        "label: veto (a label it contradicts is dropped), vote (it counts as one more vote), "
        "ignore; auto: vote when the votes work the answer out (votes_reason), else veto",
    )
    unsolved_rewrites: Literal["easier", "like"] = Field(
        default="easier",
        description="what the rewrite stage asks for a sample the student fails: an easier "
        "version (the paper), or `like`: two new problems of its form with other numbers, "
        "drawn in the task's ranges, where its input is a form of numbers (later rounds of "
        "`--rounds` use it; an easier version where the form does not fit)",
    )
    mask_examples: bool = Field(
        default=True,
        description="the teacher votes and writes with the example values of the task's texts "
        "masked (the student sees them as written)",
    )
    votes_reason: bool = Field(
        default=True,
        description="each teacher vote works the answer out in a few steps before giving it "
        "as the output format asks (the student's prompt is unchanged)",
    )
    passage_in_input: Literal["auto", "yes", "no"] = Field(
        default="auto",
        description="generated inputs must carry their retrieved passage (auto: when the "
        "task's input format names a text: a passage, paragraph, review, ...)",
    )
    span_words: int = Field(
        default=10,
        ge=1,
        description="for text answers grounded in a passage: the most words an answer or label "
        "may have (a short answer is a span; a longer one is a clause of the passage)",
    )
    support_vote: bool = Field(
        default=True,
        description="for boolean, label and choice answers grounded in a passage, one more "
        "teacher call per label asks whether the passage supports it",
    )
    balance_labels: bool = Field(
        default=True,
        description="for choice, label and boolean answers, each request names the answer its "
        "example should have, spread evenly; a choice's options are swapped to put the right "
        "one at that letter",
    )

    @model_validator(mode="before")
    @classmethod
    def _generator_veto(cls, data: Any) -> Any:
        # `generator_veto: true/false`, the setting's first name, still reads.
        if isinstance(data, dict) and "generator_veto" in data:
            data = dict(data)
            veto = data.pop("generator_veto")
            if not isinstance(veto, bool):
                raise ValueError("generator_veto: true or false (now generator_answer)")
            data.setdefault("generator_answer", "veto" if veto else "ignore")
        return data

    @field_validator("extra_votes")
    @classmethod
    def _extra_votes(cls, value: int | str) -> int | str:
        if isinstance(value, int) and value < 0:
            raise ValueError("extra_votes: a whole number, 0 or more, or auto")
        return value

    def doubt_votes(self) -> int:
        """More votes for a label in doubt (`extra_votes` resolved). Auto is the setting
        measured with votes that reason (the 1.5B teacher on the suite: 3 more, and gcd and
        next-day met every bar); with bare votes, as the demo's 0.5B, none was measured."""
        if self.extra_votes != "auto":
            return self.extra_votes
        return 3 if self.votes_reason else 0

    def generator_weight(self) -> Literal["veto", "vote", "ignore"]:
        """What the generator's own answer does to a label (`generator_answer` resolved)."""
        if self.generator_answer != "auto":
            return self.generator_answer
        return "vote" if self.votes_reason else "veto"


class CorpusConfig(_Strict):
    """The passage library that grounds generation."""

    source: str = Field(default="wiki-summaries", description="built-in name, index or files")
    text_field: str = "text"
    title_field: str = "title"
    max_words: int = Field(default=200, ge=20)


class StudentConfig(_Strict):
    """The model being adapted, and how it is sampled."""

    model: str = Field(
        default="smollm2-135m",
        description="a Hugging Face id, a local folder, or the built-in 'smollm2-135m'",
    )
    backend: Literal["transformers", "server"] = "transformers"
    base_url: str | None = Field(default=None, description="for backend 'server' (e.g. vLLM)")
    api_key_env: str = Field(default="STUDENT_API_KEY", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    chat: Literal["auto", "yes", "no"] = Field(
        default="auto", description="use the tokenizer's chat template (auto: if it has one)"
    )
    max_tokens: int = Field(default=1024, ge=8)
    batch_size: int = Field(default=32, ge=1, description="sequences per forward pass")
    concurrency: int = Field(default=16, ge=1, description="parallel requests (server)")
    device: str = Field(default="auto", description="auto, cpu, cuda, cuda:1, mps")


class ScoreConfig(_Strict):
    """Pass-rate scoring: L samples per question at temperature tau."""

    samples: int = Field(default=64, ge=1)
    temperature: float = Field(default=0.7, ge=0, le=2)
    top_p: float = Field(default=1.0, gt=0, le=1)
    seed: int = 0


class SelectConfig(_Strict):
    """Which scored samples become training data."""

    m: int = Field(default=500, ge=1, description="training samples to keep")
    strategy: Literal["paper", "balanced", "easy", "hard", "random", "all"] = "paper"
    validation: float = Field(
        default=0.1, ge=0, lt=1, description="share of selected samples held out"
    )
    drop_suspects: bool = Field(
        default=False, description="leave out the samples the audit lists as suspect"
    )
    replay: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="later rounds: share of M drawn from the samples the round before trained on",
    )
    seed: int = 0


class AuditConfig(_Strict):
    """The label audit: labelled samples answered again independently; suspect labels."""

    samples: int = Field(default=20, ge=0, description="labelled samples re-answered (0: none)")
    votes: int = Field(default=3, ge=1, description="votes per re-answered sample")
    model: str | None = Field(
        default=None, description="a second teacher's model (None: the same teacher, rephrased)"
    )
    base_url: str | None = Field(default=None, description="its endpoint (None: the teacher's)")
    api_key_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    suspect_share: float = Field(
        default=0.75, gt=0.5, le=1, description="student answers agreeing on another answer"
    )
    seed: int = 0


class TrainConfig(_Strict):
    """GRPO (or the SFT baseline) through TRL."""

    method: Literal["grpo", "sft"] = "grpo"
    learning_rate: float = Field(default=1e-6, gt=0)
    epochs: float = Field(default=5, gt=0)
    max_steps: int = Field(default=-1, description="-1: run the epochs")
    prompts_per_step: int = Field(default=4, ge=1)
    num_generations: int = Field(default=16, ge=2)
    temperature: float = Field(default=1.2, gt=0)
    beta: float = Field(default=0.01, ge=0, description="KL coefficient")
    epsilon: float = Field(default=0.2, gt=0, description="clip range")
    max_completion_length: int | None = Field(
        default=None, ge=8, description="None: student.max_tokens, as scoring and eval use"
    )
    lora: bool = False
    lora_rank: int = Field(default=16, ge=1)
    save_steps: int = Field(default=50, ge=1)
    eval_steps: int | None = Field(
        default=None, ge=1, description="validation every N steps (None: save_steps)"
    )
    keep_checkpoints: int = Field(default=2, ge=1, description="newest checkpoints kept")
    keep_checkpoints_when_done: bool = Field(
        default=False,
        description="keep the checkpoints after the final model is saved (they hold the "
        "optimizer's state, several times the model's size, and serve only to resume)",
    )
    use_vllm: Literal["auto", "yes", "no"] = "auto"
    bf16: Literal["auto", "yes", "no"] = "auto"
    report_to: list[str] = Field(default_factory=list, description="e.g. [wandb, tensorboard]")
    seed: int = 0
    sft_learning_rate: float = Field(default=2e-5, gt=0)
    sft_epochs: float = Field(default=3, gt=0)
    sft_weight_decay: float = Field(default=0.01, ge=0)
    sft_batch_size: int = Field(default=64, ge=1)
    dynamic_sampling: bool = Field(
        default=False, description="retire prompts whose GRPO group had zero reward variance"
    )
    start_is_candidate: bool = Field(
        default=False,
        description="the starting model competes with the checkpoints on the validation split "
        "and is kept when none beats it (later rounds: a round that made it worse is not kept)",
    )

    @model_validator(mode="after")
    def _steps(self) -> TrainConfig:
        # The best checkpoint is chosen among saved ones that were evaluated.
        if self.eval_steps is not None and self.save_steps % self.eval_steps:
            raise ValueError(
                f"save_steps ({self.save_steps}) must be a multiple of eval_steps "
                f"({self.eval_steps})"
            )
        return self


class EvalConfig(_Strict):
    """Benchmark evaluation at the end of a run: base model vs trained model."""

    data: str | None = Field(default=None, description="file; None: the task's built-in set")
    limit: int | None = Field(default=None, ge=1, description="first K items")
    temperature: float = Field(default=0.0, ge=0)
    seeds: int = Field(default=1, ge=1)


class RunConfig(_Strict):
    """Everything a run needs besides the task."""

    profile: Profile = "gpu"
    teacher: TeacherConfig = Field(default_factory=TeacherConfig)
    synth: SynthConfig = Field(default_factory=SynthConfig)
    corpus: CorpusConfig = Field(default_factory=CorpusConfig)
    student: StudentConfig = Field(default_factory=StudentConfig)
    score: ScoreConfig = Field(default_factory=ScoreConfig)
    audit: AuditConfig = Field(default_factory=AuditConfig)
    select: SelectConfig = Field(default_factory=SelectConfig)
    train: TrainConfig = Field(default_factory=TrainConfig)
    eval: EvalConfig = Field(default_factory=EvalConfig)
    allow_code: bool = Field(
        default=False, description="let a task's custom checker (its own Python code) run"
    )

    @model_validator(mode="after")
    def _budget_prices_the_audit(self) -> RunConfig:
        model = self.audit.model
        priced = model is None or model in self.teacher.prices
        if self.teacher.budget is not None and self.audit.samples and not priced:
            raise ValueError(
                f"a budget needs the audit teacher's prices too: add teacher.prices.{model} "
                "(input and output, per million tokens), or drop the budget or audit.model"
            )
        return self

    def fingerprint(self, *sections: str) -> str:
        """A short hash of the named sections (all when none), for resume checks.

        Settings that change how results are fetched or kept but not what they are (endpoint,
        key variable, concurrency, retries, timeouts, prices, batch size, checkpoints kept
        after a finished training) are left out, so a run
        resumed against a restarted server on another port, or with more concurrency, skips
        the stages it finished.
        """
        data = self.model_dump(mode="json")
        for section, keys in _TRANSPORT.items():
            for key in keys:
                data[section].pop(key, None)
        for section, added in _ADDED.items():
            for key, default in added.items():
                if data[section].get(key) == default:
                    del data[section][key]
        chosen = {k: data[k] for k in sections} if sections else data
        return hashlib.sha256(json.dumps(chosen, sort_keys=True).encode()).hexdigest()[:16]


_TRANSPORT = {
    "teacher": (
        "base_url",
        "api_key_env",
        "concurrency",
        "max_retries",
        "timeout_s",
        "idle_timeout_s",
        "cooldown_s",
        "stream",
        "prices",
        "budget",
        "max_n",
    ),
    "student": ("base_url", "api_key_env", "concurrency", "batch_size"),
    "audit": ("base_url", "api_key_env"),
    "train": ("keep_checkpoints_when_done",),
}

# Settings added after runs were made, with the value that keeps what a run did before: at
# that value they are left out of the fingerprint, so an upgrade does not rerun finished stages.
_ADDED: dict[str, dict[str, Any]] = {
    "synth": {"unsolved_rewrites": "easier"},
    "select": {"replay": 0.0},
    "train": {"start_is_candidate": False},
}

PROFILES: dict[str, dict[str, Any]] = {
    # Small enough to finish on a laptop CPU against a local teacher.
    "cpu": {
        "teacher": {"concurrency": 4},
        "synth": {"n": 32, "votes": 4, "top_k": 20},
        "student": {"max_tokens": 96, "batch_size": 16, "device": "cpu"},
        "score": {"samples": 8, "temperature": 0.7},
        "select": {"m": 32},
        "train": {
            "learning_rate": 1e-5,
            "beta": 0.0,
            "num_generations": 8,
            "prompts_per_step": 2,
            "max_completion_length": 64,
            "temperature": 1.0,
            "epochs": 1,
            "save_steps": 10,
            "bf16": "no",
            "use_vllm": "no",
            "sft_batch_size": 8,
        },
    },
    # The paper's settings: N = M = 500, 16 votes, L = 64, GRPO as in its TinyZero setup.
    "gpu": {
        "synth": {"n": 500, "votes": 16},
        # The paper's 2,048-token completions, for scoring and evaluation as for training.
        "student": {"max_tokens": 2048},
        "score": {"samples": 64, "temperature": 0.7},
    },
}


def merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge `update` into a copy of `base` (mappings merge, anything else replaces)."""
    merged = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_config(
    path: Path | None = None,
    profile: Profile | None = None,
    overrides: dict[str, Any] | None = None,
) -> RunConfig:
    """Resolve profile defaults, a YAML file and overrides into a validated RunConfig."""
    from_file: dict[str, Any] = {}
    source = "run config"
    if path is not None:
        source = str(path)
        if not path.is_file():
            raise UserError(f"{path}: run config file not found")
        from synthrl.yamlfile import read_yaml

        from_file = read_yaml(path, "run config") or {}
        if not isinstance(from_file, dict):
            raise UserError(f"{path}: expected a mapping of config sections at the top")
    chosen = profile or from_file.get("profile") or "gpu"
    if chosen not in PROFILES:
        raise UserError(f"{source}: profile must be 'cpu' or 'gpu', got {chosen!r}")
    data = merge(PROFILES[chosen], from_file)
    data = merge(data, overrides or {})
    data["profile"] = chosen
    try:
        return RunConfig.model_validate(data)
    except ValidationError as exc:
        from synthrl.task.loader import describe_errors

        raise UserError(f"{source}: invalid config: {describe_errors(exc, RunConfig)}") from None
