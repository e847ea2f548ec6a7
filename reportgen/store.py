"""Kept inputs: the exact bytes of every tracker a run read, so a period can be produced
again as the board saw it.

Layout (under the output folder)::

    output/inputs/ab/abcdef0123….xlsx     one file per distinct content (SHA-256),
                                           read-only, shared by every period that read it

A period's ``manifest.json`` lists its inputs (``path`` as the run reported it and
``sha256``); :func:`kept_inputs` reads that list back and :func:`materialise` lays the
kept bytes out under their original names in a scratch folder, so that reading them
gives the same sources, rows and ratings as the first run. Nothing here prints or reads
the clock.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Iterable

from reportgen.errors import OutputError

STORE = "inputs"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class KeptInput:
    """One tracker a period read: its name as reported, its content hash, when it was
    last modified (as the first run saw it) and where its bytes are kept."""

    path: str
    sha256: str
    modified: datetime | None
    blob: Path

    @property
    def present(self) -> bool:
        return self.blob.is_file()


def store_dir(output: Path) -> Path:
    return Path(output) / STORE


def blob_path(output: Path, sha256: str, suffix: str = "") -> Path:
    """Where the content with hash ``sha256`` is kept: inputs/ab/abcdef….xlsx."""
    if len(sha256) != 64 or any(ch not in "0123456789abcdef" for ch in sha256):
        raise OutputError(f"'{sha256}' is not a SHA-256 hash; the manifest is damaged")
    return store_dir(output) / sha256[:2] / f"{sha256}{suffix.lower()}"


def keep(output: Path, workbooks: Path, names: Iterable[str]) -> dict[str, str]:
    """Copy each tracker ``workbooks/name`` into the store (once per distinct content;
    the copy made read-only). Returns {name: sha256} of the bytes kept. A file that is
    gone since it was read is left out."""
    kept: dict[str, str] = {}
    for name in names:
        source = Path(workbooks) / PurePosixPath(name)
        try:
            data = source.read_bytes()
        except OSError:
            continue
        sha = hashlib.sha256(data).hexdigest()
        blob = blob_path(output, sha, source.suffix)
        if not blob.is_file():
            _write_blob(blob, data)
        kept[name] = sha
    return kept


def _write_blob(blob: Path, data: bytes) -> None:
    """Write ``blob`` whole (temporary name, then replace) and make it read-only."""
    tmp = blob.with_name(f".{blob.name}.{os.getpid()}.tmp")
    try:
        blob.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.chmod(tmp, stat.S_IREAD | stat.S_IRGRP | stat.S_IROTH)
        os.replace(tmp, blob)
    except OSError as exc:
        try:
            if tmp.exists():
                os.chmod(tmp, stat.S_IWRITE | stat.S_IREAD)
                tmp.unlink()
        except OSError:
            pass
        raise OutputError(f"cannot keep a copy of an input in {blob.parent}: "
                          f"{exc.strerror or exc}") from None


def read_manifest(folder: Path) -> dict | None:
    """``folder/manifest.json`` as a dict; None when missing or not readable JSON."""
    try:
        data = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def reading_date(manifest: dict | None, fallback: date) -> date:
    """The date a period's trackers were first read on, which their kept copies must be
    read with again ('update in the future' is judged against it): the manifest's
    ``read_on``, else the date it was generated, else ``fallback``."""
    for key in ("read_on", "generated_at"):
        value = (manifest or {}).get(key)
        if isinstance(value, str) and value:
            try:
                return datetime.fromisoformat(value).date()
            except ValueError:
                continue
    return fallback


def kept_inputs(output: Path, manifest: dict | None) -> list[KeptInput] | None:
    """The kept inputs a manifest lists, or None when it lists none, or when any of them
    has no kept copy (such a period cannot be produced again from its inputs)."""
    if not manifest:
        return None
    inputs = manifest.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        return None
    out = []
    for item in inputs:
        if not isinstance(item, dict):
            return None
        sha, name = item.get("kept_sha256") or item.get("sha256"), item.get("path")
        if not isinstance(sha, str) or not isinstance(name, str) or not sha:
            return None
        try:
            modified = datetime.fromisoformat(item["modified"]) if item.get("modified") \
                else None
        except (TypeError, ValueError):
            modified = None
        try:
            blob = blob_path(output, sha, PurePosixPath(name).suffix)
        except OutputError:
            return None
        found = KeptInput(name, sha, modified, blob)
        if not found.present:
            return None
        out.append(found)
    return out


def materialise(inputs: list[KeptInput], folder: Path) -> Path:
    """Lay the kept bytes out in ``folder`` under their original names (and modified
    times), checking each against its hash; returns ``folder``. Raises OutputError
    naming a kept file whose bytes no longer match."""
    root = Path(folder).resolve()
    for item in inputs:
        data = item.blob.read_bytes()
        if hashlib.sha256(data).hexdigest() != item.sha256:
            raise OutputError(f"the kept input {item.blob} does not match its hash "
                              f"(it was changed or damaged); run with --refresh to read "
                              "the live trackers instead")
        target = (root / PurePosixPath(item.path)).resolve()
        if root not in target.parents:
            raise OutputError(f"the manifest names an input outside the trackers folder: "
                              f"{item.path}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if item.modified is not None:
            stamp = item.modified.timestamp()
            os.utime(target, (stamp, stamp))
    return root


def period_manifests(output: Path) -> dict[str, dict]:
    """Every period folder's manifest under ``output``: {'2018-08': manifest, …}."""
    found: dict[str, dict] = {}
    try:
        folders = sorted(p for p in Path(output).iterdir() if p.is_dir())
    except OSError:
        return found
    for folder in folders:
        name = folder.name
        if len(name) == 7 and name[4] == "-" and name[:4].isdigit() and name[5:].isdigit():
            manifest = read_manifest(folder)
            if manifest and manifest.get("period") == name:
                found[name] = manifest
    return found
