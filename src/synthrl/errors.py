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
