"""Program faults: things that stop a command, as opposed to officers' mistakes.

Officers' mistakes in trackers are never exceptions; they are :class:`reportgen.issues.Issue`
records. The exceptions here are for problems the person running reportgen must fix
before anything useful can happen. This module imports nothing from reportgen.

Our exception hierarchy::

    ReportgenError
    ├── ConfigError        reportgen.toml missing, unreadable or with a wrong key/value
    ├── TemplateError      the Word template is missing or cannot be rendered
    ├── UsageError         a command was given arguments that cannot work (bad period…)
    ├── LockedError        another run holds the output lock
    ├── OutputError        an output could not be written (file open in Excel, disk full…)
    └── IncompleteError    --require-complete, and the month's data do not cover the plan

``cli.main`` maps each to an exit code; nothing else prints them.
"""


class ReportgenError(Exception):
    """Root of every fault reportgen raises on purpose."""


class ConfigError(ReportgenError):
    """The configuration file is missing, unreadable, or holds a wrong key or value."""


class TemplateError(ReportgenError):
    """The Word template is missing, not a .docx, or fails to render."""


class UsageError(ReportgenError):
    """Arguments that cannot work, such as a malformed period."""


class LockedError(ReportgenError):
    """Another reportgen run holds the lock on the output folder."""


class OutputError(ReportgenError):
    """An output file could not be written or moved into place."""


class IncompleteError(ReportgenError):
    """``--require-complete`` (or ``[run] require_complete``) and the month's data do not
    cover the whole plan (actions not updated, rows or trackers left out of every count
    and total): nothing was written."""
