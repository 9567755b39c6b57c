"""What a teacher server sent back, read: a whole completion (the SDK's object or plain JSON),
a body that is not one (named by what it is), silence, an error status (a message saying what
to check).
"""

from __future__ import annotations

import json
from typing import Any

import openai

from synthrl.errors import RunFailure, UserError


class MalformedResponse(Exception):
    """A 200 reply that is not a completion (an HTML error page from a proxy, a bare string)."""


class CallTimeout(Exception):
    """A call that took longer than `teacher.timeout_s` in all."""


class SilentTeacher(Exception):
    """A streamed call that received nothing for `teacher.idle_timeout_s`."""


def json_body(body: bytes, kind: str) -> Any:
    """A reply body that should be a JSON completion, or MalformedResponse naming what it is."""
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise MalformedResponse(f"{_sent(body, kind)} where a completion was expected") from None


def whole_reply(response: Any, chat: bool) -> tuple[list[tuple[str, str | None]], int, int]:
    """The texts, prompt and completion tokens of a whole reply (the SDK's object or JSON)."""
    if isinstance(response, dict):
        try:
            choices = [_Choice(c) for c in response["choices"]]
            used = response.get("usage") or {}
            p_tokens, c_tokens = used.get("prompt_tokens", 0), used.get("completion_tokens", 0)
        except (AttributeError, KeyError, TypeError):
            raise MalformedResponse(
                f"a JSON body that is not a completion: {json.dumps(response)[:200]}"
            ) from None
    elif isinstance(response, str | bytes):  # the SDK hands back a body it could not parse
        raise MalformedResponse(f"{_sent(response, '')} where a completion was expected")
    else:
        choices = getattr(response, "choices", None)
        used = getattr(response, "usage", None)
        p_tokens = getattr(used, "prompt_tokens", 0)
        c_tokens = getattr(used, "completion_tokens", 0)
    try:
        if chat:
            texts = [(c.message.content or "", c.finish_reason) for c in choices]
        else:
            texts = [(c.text or "", c.finish_reason) for c in choices]
    except (AttributeError, TypeError) as exc:  # the body parsed, but not as a completion
        raise MalformedResponse(f"a reply that is not a completion ({exc})") from None
    if not texts:
        raise MalformedResponse("a reply without any choice")
    return texts, int(p_tokens or 0), int(c_tokens or 0)


class _Choice:
    """A choice of a JSON completion, read as the SDK's objects are."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.finish_reason = data.get("finish_reason")
        self.text = data.get("text")
        message = data.get("message")
        self.message = _Message(message) if isinstance(message, dict) else None


class _Message:
    def __init__(self, data: dict[str, Any]) -> None:
        self.content = data.get("content")


def _sent(body: str | bytes, kind: str) -> str:
    """What a server sent, in words: its type and its first characters."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = " ".join(text.split())
    page = text.lower().startswith(("<html", "<!doctype"))
    what = "an HTML page" if page else "a body that is not JSON"
    label = f"{what} ({kind.split(';')[0]})" if kind else what
    return f"{label}: {text[:120]!r}" if text else f"an empty body ({kind or 'no type'})"


def describe(exc: Exception) -> str:
    status = getattr(exc, "status_code", None)
    if status:
        return f"HTTP {status}"
    if isinstance(exc, MalformedResponse):
        return f"the last reply was {exc}"
    if isinstance(exc, json.JSONDecodeError):
        return "replies that are not completions (a body that is not JSON)"
    if isinstance(exc, CallTimeout | SilentTeacher):
        return str(exc)
    return type(exc).__name__


def fatal(exc: openai.APIStatusError, endpoint: str, key_env: str) -> Exception:
    status = exc.status_code
    detail = str(getattr(exc, "message", "") or exc)[:300]
    if status == 401:
        return UserError(
            f"teacher {endpoint}: authentication failed (401). Check the API key in ${key_env}."
        )
    if status == 403:
        return UserError(f"teacher {endpoint}: access denied (403). Check the key's permissions.")
    if status == 404:
        return UserError(
            f"teacher {endpoint}: not found (404). Check --teacher-model and that "
            "--teacher-base-url is the API root (it usually ends in /v1)."
        )
    if status in (400, 422):
        return UserError(
            f"teacher {endpoint}: the server rejected the request ({status}: {detail}). If it "
            "does not support JSON mode, set teacher.json_mode: false; if it does not stream, "
            "teacher.stream: false."
        )
    return RunFailure(f"teacher {endpoint}: unexpected HTTP {status}: {detail}")
