"""The exit codes: one table, from which ``--help``, the error labels and the mapping of
faults to codes are all made (README.md lists the same table; tests/test_cli.py checks
the three agree)."""

from __future__ import annotations

import textwrap
from enum import IntEnum

from reportgen.errors import (
    ConfigError, IncompleteError, LockedError, OutputError, TemplateError, UsageError,
)


class ExitCode(IntEnum):
    OK = 0
    VALIDATION_ERRORS = 1
    USAGE = 2
    CONFIG = 3
    LOCKED = 4
    OUTPUT = 5
    INCOMPLETE = 6
    UNDELIVERED = 7
    INTERNAL = 10


EXIT_CODES: tuple[tuple[ExitCode, str], ...] = (
    (ExitCode.OK, "done"),
    (ExitCode.VALIDATION_ERRORS, "done, but trackers have validation errors (outputs are "
                                 "still written)"),
    (ExitCode.USAGE, "usage: bad arguments or options"),
    (ExitCode.CONFIG, "configuration or Word template problem"),
    (ExitCode.LOCKED, "another reportgen run holds the lock"),
    (ExitCode.OUTPUT, "an output file could not be written"),
    (ExitCode.INCOMPLETE, "--require-complete: the month's data do not cover the whole plan "
                          "(actions not updated, or tracker rows or files left out); "
                          "nothing was written"),
    (ExitCode.UNDELIVERED, "email: someone meant to receive a message did not (each is listed)"),
    (ExitCode.INTERNAL, "internal error in reportgen (run again with --debug and report it)"),
)
"""Each exit code and what it means: the one table."""

LABELS = {ExitCode.CONFIG: "configuration problem", ExitCode.USAGE: "usage",
          ExitCode.LOCKED: "locked", ExitCode.OUTPUT: "output",
          ExitCode.INCOMPLETE: "not complete"}
"""The word before a fault's message on the console: "reportgen: locked: …"."""

_FAULTS = {ConfigError: ExitCode.CONFIG, TemplateError: ExitCode.CONFIG,
           UsageError: ExitCode.USAGE, LockedError: ExitCode.LOCKED,
           OutputError: ExitCode.OUTPUT, IncompleteError: ExitCode.INCOMPLETE}


def help_text() -> str:
    """The exit codes for ``--help``, one to a line, wrapped under their meaning."""
    lines = ["\b", "Exit codes:"]
    for code, words in EXIT_CODES:
        wrapped = textwrap.wrap(words, 70)
        lines.append(f"  {int(code):<2} {wrapped[0]}")
        lines += [f"     {more}" for more in wrapped[1:]]
    return "\n".join(lines)


def exit_code_for(exc: BaseException) -> ExitCode:
    """The exit code of a fault: that of the nearest class in its hierarchy with one (a
    subclass of OutputError exits as OutputError does); INTERNAL for any other."""
    for cls in type(exc).__mro__:
        if cls in _FAULTS:
            return _FAULTS[cls]
    return ExitCode.INTERNAL


__all__ = ["EXIT_CODES", "ExitCode", "LABELS", "exit_code_for", "help_text"]
