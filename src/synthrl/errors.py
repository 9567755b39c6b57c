"""The two kinds of failure synthrl reports, and the exit code each maps to.

A `UserError` is something the user can fix (a bad task file, a missing path, a flag out of
range): the CLI prints its message and exits with 2, without a traceback. A `RunFailure` is
something that went wrong while working (a server that stopped answering, a full disk): exit 1.
"""


class SynthrlError(Exception):
    """Base of every error synthrl raises on purpose."""

    exit_code = 1


class UserError(SynthrlError):
    """Bad input: the message says which file, which field and what was expected."""

    exit_code = 2


class RunFailure(SynthrlError):
    """A runtime failure the user did not cause directly."""

    exit_code = 1


def disk_full(exc: BaseException) -> str | None:
    """A message for an error caused by a full disk (from any library), else None."""
    import errno
    import sqlite3

    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        where = f" writing {exc.filename}" if exc.filename else ""
        return f"no space left on the device{where}"
    if isinstance(exc, sqlite3.OperationalError) and "disk is full" in str(exc):
        return "no space left on the device for the sample cache"
    # torch raises RuntimeError, safetensors its own SafetensorError: matched by their text.
    if "No space left on device" in str(exc):
        return "no space left on the device (while saving a model or checkpoint)"
    return None
