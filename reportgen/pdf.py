"""The board paper as a tagged PDF for publication (Public Sector Bodies Accessibility
Regulations 2018), through LibreOffice headless.

The PDF is tagged (PDF/UA), with the headings as bookmarks; its title and language
(en-GB) come from the docx's core properties and styles, and the charts' alt text is
carried through as the figures' alternate text. LibreOffice runs with a profile of its own
in a temporary folder (``-env:UserInstallation``), so it works while someone has
LibreOffice open, and is stopped after a timeout.

``soffice`` is found on PATH, then where the installers put it (Windows: ``Program
Files\\LibreOffice\\program\\soffice.exe``; macOS: ``/Applications/LibreOffice.app``).
The environment variable ``REPORTGEN_SOFFICE`` names it instead, or is ``none`` to make no
PDF. :func:`write_pdf` never raises for a missing or failing LibreOffice: it returns why no
PDF was made, in one line.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ENV = "REPORTGEN_SOFFICE"
TIMEOUT_S = 180.0
log = logging.getLogger("reportgen.pdf")

# LibreOffice 7.4+ takes the export filter's options as JSON on the command line
FILTER = "pdf:writer_pdf_Export:" + json.dumps({
    "UseTaggedPDF": {"type": "boolean", "value": "true"},
    "PDFUACompliance": {"type": "boolean", "value": "true"},
    "ExportBookmarks": {"type": "boolean", "value": "true"},
    "ExportNotes": {"type": "boolean", "value": "false"},
    "UseLosslessCompression": {"type": "boolean", "value": "true"},
}, separators=(",", ":"))


def find_soffice() -> Path | None:
    """LibreOffice's ``soffice``, or None when it is not installed (or REPORTGEN_SOFFICE
    is ``none``)."""
    named = os.environ.get(ENV)
    if named is not None:
        if named.strip().lower() in ("", "none", "off", "no"):
            return None
        path = Path(named)
        return path if path.is_file() else (Path(found) if (found := shutil.which(named))
                                            else None)
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return Path(found)
    candidates = []
    if sys.platform == "win32":
        for var in ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432"):
            root = os.environ.get(var)
            if root:
                candidates.append(Path(root) / "LibreOffice" / "program" / "soffice.exe")
    elif sys.platform == "darwin":
        candidates.append(Path("/Applications/LibreOffice.app/Contents/MacOS/soffice"))
    return next((c for c in candidates if c.is_file()), None)


def write_pdf(docx: Path, pdf: Path, *, soffice: Path | None = None,
              timeout: float = TIMEOUT_S) -> str | None:
    """Convert ``docx`` to a tagged ``pdf``. Returns None when written, else one line
    saying why not (LibreOffice missing, failed or too slow)."""
    soffice = soffice or find_soffice()
    if soffice is None:
        return _said("LibreOffice is not installed, so no PDF of the paper was made "
                     f"(install it, or set {ENV} to soffice's path)")
    why = _convert(soffice, docx, pdf, timeout)
    return None if why is None else _said(why)


def _said(why: str) -> str:
    log.warning("%s", why)
    return why


def _convert(soffice: Path, docx: Path, pdf: Path, timeout: float) -> str | None:
    with tempfile.TemporaryDirectory(prefix="reportgen-pdf-") as tmp:
        tmp_dir = Path(tmp)
        outdir = tmp_dir / "out"
        command = [str(soffice), f"-env:UserInstallation={(tmp_dir / 'profile').as_uri()}",
                   "--headless", "--invisible", "--nologo", "--norestore", "--nolockcheck",
                   "--convert-to", FILTER, "--outdir", str(outdir), str(docx)]
        try:
            proc = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    start_new_session=(os.name != "nt"))
        except OSError as exc:
            return f"LibreOffice ({soffice}) could not be started: {exc.strerror or exc}"
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _stop(proc)
            return f"LibreOffice took more than {timeout:g} s, so no PDF was made"
        made = outdir / (docx.stem + ".pdf")
        if proc.returncode != 0 or not made.is_file():
            said = (err or out or b"").decode("utf-8", "replace").strip().splitlines()
            said = [s for s in said if "javaldx" not in s]
            return ("LibreOffice could not convert the paper to PDF"
                    + (f": {said[-1]}" if said else f" (exit code {proc.returncode})"))
        try:
            pdf.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(made), str(pdf))
        except OSError as exc:
            return f"cannot write {pdf}: {exc.strerror or exc}"
    return None


def _stop(proc: subprocess.Popen) -> None:
    """Stop the soffice we started and whatever it started (its own process group)."""
    if os.name != "nt" and hasattr(os, "killpg"):
        try:
            os.killpg(proc.pid, getattr(signal, "SIGKILL", signal.SIGTERM))
        except OSError:
            pass
    proc.kill()
    proc.communicate()


__all__ = ["ENV", "FILTER", "find_soffice", "write_pdf"]
