"""bf16 training is mixed precision: the weights the optimizer updates stay float32."""

import pytest
import torch

from synthrl.config import load_config
from synthrl.train.grpo import _load


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """A two-layer Llama with the built-in student's tokenizer shape, saved to a folder."""
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from synthrl.student.models import resolve_model

    folder = tmp_path_factory.mktemp("tiny")
    tokenizer = AutoTokenizer.from_pretrained(resolve_model("smollm2-135m"))
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=2, num_key_value_heads=2, tie_word_embeddings=True,
    )  # fmt: skip
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.mark.parametrize("lora", [False, True])
def test_bf16_keeps_float32_weights_unless_only_adapters_train(tiny_model, lora):
    config = load_config(
        profile="cpu", overrides={"student": {"model": str(tiny_model)}, "train": {"lora": lora}}
    )
    model, _, _ = _load(config, bf16=True)
    # Full fine-tuning updates every weight: in bfloat16 a step of lr x about 1 rounds away
    # for most of them, and GRPO that learned in float32 learned nothing on CUDA.
    assert model.dtype == (torch.bfloat16 if lora else torch.float32)
    assert _load(config, bf16=False)[0].dtype == torch.float32
