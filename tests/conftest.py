import pytest

from synthrl.task import load_task


@pytest.fixture(scope="session")
def verifier_for():
    """The verifier of a built-in task, loaded once per session."""
    cache = {}

    def get(name: str):
        if name not in cache:
            cache[name] = load_task(name).verifier
        return cache[name]

    return get
