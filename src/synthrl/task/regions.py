"""Where in a response the answer is written: the marked regions a task's output format asks for.

`marked_regions(response, read_from, tag)` returns the text of every marked region, in order, or
an empty list when the response has no marker at all. It does not interpret the text: answer
types do that (answers.py). All patterns here are linear-time, so arbitrary model output cannot
make extraction slow.
"""

from __future__ import annotations

import re

from synthrl.types import ReadFrom

_HASHES = re.compile(r"####[ \t]*([^\n]*)")
_BOXED = re.compile(r"\\(?:boxed|fbox)\s*")
_MAX_BOX_CHARS = 2000


def marked_regions(response: str, read_from: ReadFrom, tag: str = "answer") -> list[str]:
    """Return the contents of every answer marker in `response`, in order of appearance.

    >>> marked_regions("so 4 <answer> 5 </answer>", "tag")
    [' 5 ']
    >>> marked_regions("no marker here", "hashes")
    []
    """
    if read_from == "tag":
        return _tag_regions(response, tag)
    if read_from == "hashes":
        return _HASHES.findall(response)
    if read_from == "boxed":
        return boxed_regions(response)
    lines = [line for line in response.splitlines() if line.strip()]
    return lines[-1:]


def _tag_regions(response: str, tag: str) -> list[str]:
    # Only closed tags count: an opening tag that never closes is usually the model echoing
    # the instructions, or a truncated response.
    pattern = re.compile(rf"<{re.escape(tag)}\s*>(.*?)</{re.escape(tag)}\s*>", re.S | re.I)
    return pattern.findall(response)


def boxed_regions(text: str) -> list[str]:
    r"""Contents of every `\boxed{...}` (or `\fbox{...}`), with nested braces balanced.

    `\boxed 5` (no braces) yields the next token. An unbalanced box yields nothing.

    >>> boxed_regions(r"so \boxed{\frac{1}{2}} and \boxed 7")
    ['\\frac{1}{2}', '7']
    """
    found: list[str] = []
    for match in _BOXED.finditer(text):
        start = match.end()
        if start >= len(text):
            break
        if text[start] != "{":
            token = re.match(r"[^\s$]+", text[start:])
            if token:
                found.append(token.group(0))
            continue
        depth = 0
        # A box longer than this is not an answer; the cap keeps many unclosed boxes linear.
        for i in range(start, min(len(text), start + _MAX_BOX_CHARS)):
            if text[i] == "{":
                depth += 1
            elif text[i] == "}":
                depth -= 1
                if depth == 0:
                    found.append(text[start + 1 : i])
                    break
    return found


def final_line(text: str) -> str:
    """The last non-empty line of `text` ('' when there is none)."""
    for line in reversed(text.splitlines()):
        if line.strip():
            return line
    return ""


def first_line(text: str) -> str:
    """The first non-empty line of `text` ('' when there is none)."""
    for line in text.splitlines():
        if line.strip():
            return line
    return ""
