"""The email step's own files, each written whole: the sent log, ``delivery.json``, the
manifest's email record and a message added to the outbox.

:func:`write_atomic` writes a temporary file beside the target, flushes it to disk and
moves it into place with ``os.replace``, so a reader (another sender, a person) sees the
old file or the new one, never a part. The temporary name is this process's and thread's
own, so two writers never share one.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from reportgen.errors import OutputError


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step. Raises OutputError naming the file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


def write_json(path: Path, data: dict) -> None:
    """:func:`write_atomic` of ``data`` as indented UTF-8 JSON."""
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    write_atomic(path, text.encode("utf-8"))


__all__ = ["write_atomic", "write_json"]
