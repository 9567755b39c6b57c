"""Where synthrl finds installed data packages and keeps its caches."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from synthrl.errors import UserError


def cache_home() -> Path:
    """Where built indexes and converted models are kept: $SYNTHRL_CACHE or ~/.cache/synthrl."""
    return Path(os.environ.get("SYNTHRL_CACHE", Path.home() / ".cache" / "synthrl"))


def package_dir(name: str) -> Path:
    """The folder of an installed package, found without importing (running) it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise UserError(f"the package '{name}' is not installed (installing synthrl installs it)")
    return Path(next(iter(spec.submodule_search_locations)))
