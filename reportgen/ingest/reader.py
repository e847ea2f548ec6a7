"""Open one spreadsheet file safely and return its visible sheets as grids of values.

What it does, in order:

1. reads the file's bytes once (size-capped) and hashes them;
2. decides what the file *is* from its first bytes, never its name (an '.xlsx' can be
   an old .xls, an .ods, a CSV, a web page or a picture);
3. for zip-based formats, checks the declared uncompressed sizes and ratios before any
   decompression (zip bombs), and for .xlsx/.xlsm makes one streaming pass over the XML
   with defusedxml (DTDs and entities refused) to find the true extent of each sheet, the
   cells formatted as percentages and formulas that were never calculated;
4. reads values with python-calamine, with ``skip_empty_area=False`` so that grid
   position (r, c) is sheet cell (r+1, c+1) — the A1 references we report are true.

File-level problems come back as Issue codes in :class:`ReadFailure`; nothing here
raises for a bad file. It never writes to, locks or re-saves the source.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

from reportgen.config import Limits

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
@dataclass
class RawSheet:
    """One visible worksheet: values by grid position, plus cell metadata."""

    name: str
    rows: list[list[object]]
    percent_cells: set[tuple[int, int]] = field(default_factory=set)
    uncalculated: set[tuple[int, int]] = field(default_factory=set)
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    formats_known: bool = False  # True when percent_cells comes from the file's styles


@dataclass
class RawWorkbook:
    kind: str
    sheets: list[RawSheet]
    sheet_names: list[str]
    skipped_sheets: list[tuple[str, str, str, str]] = field(default_factory=list)  # (name, code, detail, limit)


@dataclass
class ReadFailure(Exception):
    """A file-level Issue code and the details for its message."""

    code: str
    detail: str = ""
    kind: str = ""
    limit: str = ""


@dataclass
class FileBytes:
    data: bytes
    size: int
    modified: datetime | None
    sha256: str


def load_bytes(path: Path, limits: Limits) -> FileBytes:
    """Read the whole file once (refusing files above ``max_file_mb``)."""
    try:
        st = path.stat()
        cap = int(limits.max_file_mb * 1024 * 1024)
        if st.st_size > cap:
            raise ReadFailure("file-too-large", detail=_mb(st.st_size),
                              limit=_mb(cap))
        with open(path, "rb") as fh:  # read-only; closed at once
            data = fh.read(cap + 1)
    except ReadFailure:
        raise
    except PermissionError:
        raise ReadFailure("file-unreadable", detail="permission denied (is it open "
                                                    "and locked by another program?)")
    except OSError as exc:
        raise ReadFailure("file-unreadable", detail=exc.strerror or str(exc))
    return FileBytes(data=data, size=st.st_size,
                     modified=datetime.fromtimestamp(st.st_mtime).replace(microsecond=0),
                     sha256=hashlib.sha256(data).hexdigest())


def _mb(n: float) -> str:
    return f"{n / 1024 / 1024:,.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:,.0f} KB"


# --------------------------------------------------------------------------- sniffing


def sniff(data: bytes) -> str:
    """Return what the bytes are: 'zip', 'ole', or a description of a non-spreadsheet
    ('empty', 'text', 'pdf', 'image', 'html', 'xml-2003', 'binary')."""
    if not data:
        return "empty"
    head = data[:8]
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head == OLE_MAGIC:
        return "ole"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM")) or data[:4] in (
            b"II*\x00", b"MM\x00*") or data[8:12] == b"WEBP":
        return "image"
    text = data[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    lowered = text[:512].lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<table" in lowered:
        return "html"
    if lowered.startswith(b"<?xml"):
        return "xml-2003" if b"urn:schemas-microsoft-com:office:spreadsheet" in data[:8192] \
            else "xml"
    if b"\x00" not in data[:4096]:
        try:
            data[:4096].decode("utf-8")
            return "text"
        except UnicodeDecodeError:
            if sum(32 <= b < 127 or b in b"\r\n\t" for b in data[:4096]) > 0.95 * len(data[:4096]):
                return "text"
    return "binary"


_DESCRIPTIONS = {
    "pdf": "a PDF document", "image": "a picture", "html": "a web page (HTML)",
    "xml": "an XML file", "binary": "unrecognised binary data",
    "xml-2003": "an Excel 2003 XML spreadsheet, which reportgen cannot read",
}


def _ole_kind(data: bytes) -> str:
    """An OLE compound file is an old .xls, an encrypted OOXML workbook, or something
    else (a Word .doc). Stream names are stored in UTF-16 in the directory."""
    if "EncryptionInfo".encode("utf-16-le") in data or \
            "EncryptedPackage".encode("utf-16-le") in data:
        return "encrypted"
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return "xls"
    if "WordDocument".encode("utf-16-le") in data:
        return "doc"
    return "ole"


# --------------------------------------------------------------------------- zip safety


def _open_zip(data: bytes, limits: Limits) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ReadFailure("file-corrupt", kind="zip-based",
                          detail=f"the file is incomplete or damaged ({exc})")
    except Exception as exc:  # zipfile raises odd things on odd input
        raise ReadFailure("file-corrupt", kind="zip-based", detail=str(exc))
    infos = zf.infolist()
    if len(infos) > 10_000:
        raise ReadFailure("file-too-large", detail=f"{len(infos):,} parts",
                          limit="10,000 parts")
    total = sum(i.file_size for i in infos)
    cap = limits.max_uncompressed_mb * 1024 * 1024
    if total > cap:
        raise ReadFailure("file-too-large", detail=_mb(total), limit=_mb(cap))
    for info in infos:
        if info.file_size > 1024 * 1024 and \
                info.file_size > limits.max_compression_ratio * max(info.compress_size, 1):
            raise ReadFailure(
                "file-too-large",
                detail=f"{_mb(info.file_size)} from {_mb(info.compress_size)} in {info.filename}",
                limit=f"a compression ratio of {limits.max_compression_ratio:g}:1")
    _refuse_dtd(zf, infos)
    return zf


def _refuse_dtd(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Entity or DTD declarations in any XML part refuse the file as unsafe, before a
    reader (ours or calamine's) parses it. A declaration must come before the root
    element, so the first 64 KB of each part are enough; unreadable parts are left for
    the readers to report as damaged."""
    for info in infos:
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        try:
            with zf.open(info) as fh:
                head = fh.read(64 * 1024)
        except Exception:  # CRC errors, truncation: reported when the part is read
            continue
        m = _DTD.search(head)
        if m:
            raise ReadFailure("file-unsafe-xml",
                              detail=f"{m.group(0).decode('ascii', 'replace')[2:]} "
                                     f"declaration in {info.filename}")


def _zip_kind(zf: zipfile.ZipFile) -> str:
    names = set(zf.namelist())
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "xl/workbook.xml" in names or any(n.endswith("workbook.xml") for n in names
                                         if n.startswith("xl/")):
        return "xlsm" if "xl/vbaProject.bin" in names else "xlsx"
    if "mimetype" in names:
        try:
            mime = zf.read("mimetype")[:100]
        except Exception:
            mime = b""
        if b"opendocument.spreadsheet" in mime:
            return "ods"
        if b"opendocument.text" in mime:
            raise ReadFailure("file-not-spreadsheet", kind="an OpenDocument text document")
    if "content.xml" in names and "META-INF/manifest.xml" in names:
        return "ods"
    if any(n.startswith("word/") for n in names):
        raise ReadFailure("file-not-spreadsheet", kind="a Word document")
    if any(n.startswith("ppt/") for n in names):
        raise ReadFailure("file-not-spreadsheet", kind="a PowerPoint presentation")
    if "[Content_Types].xml" in names:
        raise ReadFailure("file-corrupt", kind="Excel",
                          detail="the workbook part (xl/workbook.xml) is missing")
    raise ReadFailure("file-not-spreadsheet", kind="a zip archive")


# --------------------------------------------------------------------------- OOXML pass

_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_REL_STRICT = "http://purl.oclc.org/ooxml/officeDocument/relationships"
def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def col_letters(index: int) -> str:
    """0 → 'A', 25 → 'Z', 26 → 'AA'."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def a1(row: int, col: int) -> str:
    """Grid position (0-based) → 'B5'."""
    return f"{col_letters(col)}{row + 1}"


def _xml(zf: zipfile.ZipFile, name: str):
    try:
        with zf.open(name) as fh:
            return DET.parse(fh, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise ReadFailure("file-unsafe-xml", detail=f"{type(exc).__name__} in {name}")
    except DET.ParseError as exc:
        raise ReadFailure("file-corrupt", kind="Excel", detail=f"{name} is not valid XML ({exc})")
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:  # CRC errors etc.
        raise ReadFailure("file-corrupt", kind="Excel", detail=f"{name}: {exc}")


def _percent_styles(zf: zipfile.ZipFile, names: set[str]) -> set[int]:
    if "xl/styles.xml" not in names:
        return set()
    root = _xml(zf, "xl/styles.xml").getroot()
    custom: dict[int, str] = {}
    for el in root.iter():
        if _local(el.tag) == "numFmt":
            try:
                custom[int(el.get("numFmtId", "-1"))] = el.get("formatCode", "")
            except ValueError:
                pass
    out: set[int] = set()
    for el in root.iter():
        if _local(el.tag) == "cellXfs":
            for i, xf in enumerate(x for x in el if _local(x.tag) == "xf"):
                try:
                    fmt = int(xf.get("numFmtId", "0"))
                except ValueError:
                    continue
                code = custom.get(fmt, "")
                # '%' outside quoted literals and escapes means a percentage format
                bare = re.sub(r'"[^"]*"|\\.', "", code)
                if fmt in (9, 10) or "%" in bare:
                    out.add(i)
            break
    return out


@dataclass
class _SheetMeta:
    percent: set[tuple[int, int]]
    uncalculated: set[tuple[int, int]]
    rows: int
    cols: int


_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c(?=[\s/>])([^>]*?)(/>|>(.*?)</(?:[A-Za-z_][\w.-]*:)?c>)",
                       re.S)
_ATTR_R = re.compile(rb"""\sr\s*=\s*["']([A-Z]{1,3})(\d+)["']""")
_ATTR_S = re.compile(rb"""\ss\s*=\s*["'](\d+)["']""")
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row(?=[\s/>])([^>]*)>")
_HAS_F = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f(?=[\s/>])")
_HAS_V = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:v>\s*[^<\s]|is[\s>])")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)


def _scan_cells(data: bytes, part: str, percent_styles: set[int], limits: Limits) -> _SheetMeta:
    """Cell by cell: the extent of cells holding a value or formula, %-formatted cells
    and formulas without a cached value. Handles cells and rows without an r attribute."""
    percent: set[tuple[int, int]] = set()
    uncalc: set[tuple[int, int]] = set()
    max_r = max_c = -1
    # Rows and cells may omit their r attribute (then they follow the previous one).
    row_starts = [(m.start(), m.group(1)) for m in _ROW_TAG.finditer(data)]
    row_at = 0
    row_no = -1
    col_no = -1
    for m in _CELL_TAG.finditer(data):
        while row_at < len(row_starts) and row_starts[row_at][0] < m.start():
            rm = re.search(rb"""\sr\s*=\s*["'](\d+)["']""", row_starts[row_at][1])
            row_no = int(rm.group(1)) - 1 if rm else row_no + 1
            col_no = -1
            row_at += 1
        attrs = m.group(1)
        ref = _ATTR_R.search(attrs)
        if ref:
            col_no, r = col_index(ref.group(1).decode()), int(ref.group(2)) - 1
        else:
            col_no, r = col_no + 1, row_no
        inner = m.group(3) or b""
        has_f = bool(inner) and _HAS_F.search(inner) is not None
        has_v = bool(inner) and _HAS_V.search(inner) is not None
        if has_v or has_f:
            if r > max_r:
                max_r = r
            if col_no > max_c:
                max_c = col_no
            if max_r >= limits.max_rows or max_c >= limits.max_columns:
                raise ReadFailure(
                    "sheet-too-large", detail=f"a cell at {a1(r, col_no)}",
                    limit=f"{limits.max_rows:,} rows × {limits.max_columns:,} columns")
        if percent_styles:
            s = _ATTR_S.search(attrs)
            if s and int(s.group(1)) in percent_styles:
                percent.add((r, col_no))
        if has_f and not has_v:
            uncalc.add((r, col_no))
    rows, cols = max_r + 1, max_c + 1
    if rows * cols > limits.max_cells:
        raise ReadFailure("sheet-too-large", detail=f"{rows:,} × {cols:,} cells",
                          limit=f"{limits.max_cells:,} cells")
    return _SheetMeta(percent, uncalc, rows, cols)


_CELL_REF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\br\s*=\s*[\"']([A-Z]{1,3})(\d+)")
_CELL_OPEN = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c(?=[\s/>])")
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f(?=[\s/>])")


def _scan_sheet(zf: zipfile.ZipFile, part: str, percent_styles: set[int],
                limits: Limits) -> _SheetMeta:
    """One pass over a sheet's XML: true extent, %-formatted cells, formulas without a
    cached value. Raises ReadFailure('sheet-too-large') past the limits.

    This is a byte-level scan (far faster than building elements), not a parse: a sheet
    holding a DTD or entity declaration is refused first, as defusedxml would, and the
    values themselves are parsed later by calamine, which also refuses DTDs. The common
    case (every cell has its r attribute, the bounding box is within limits) is done
    with whole-sheet regular expressions; anything else takes the cell-by-cell path."""
    try:
        with zf.open(part) as fh:
            data = fh.read()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ReadFailure("file-corrupt", kind="Excel", detail=f"{part}: {exc}")
    if b"<!" in data and _DTD.search(data):
        raise ReadFailure("file-unsafe-xml", detail=f"DTDForbidden in {part}")
    refs = _CELL_REF.findall(data)
    if len(refs) != len(_CELL_OPEN.findall(data)):
        return _scan_cells(data, part, percent_styles, limits)
    rows = max((int(d) for _, d in refs), default=0)
    letters = {c for c, _ in refs}
    cols = max((col_index(c.decode()) + 1 for c in letters), default=0)
    if rows > limits.max_rows or cols > limits.max_columns or rows * cols > limits.max_cells:
        # styled empty cells may stretch the box: judge on cells with values
        return _scan_cells(data, part, percent_styles, limits)
    percent: set[tuple[int, int]] = set()
    if percent_styles:
        ids = b"|".join(str(i).encode() for i in sorted(percent_styles))
        styled = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\bs\s*=\s*[\"'](?:" + ids +
                            rb")[\"'][^>]*>")
        for m in styled.finditer(data):
            ref = _ATTR_R.search(m.group(0))
            if ref:
                percent.add((int(ref.group(2)) - 1, col_index(ref.group(1).decode())))
    uncalc: set[tuple[int, int]] = set()
    for m in _FORMULA.finditer(data):
        start = max(data.rfind(b"<c ", 0, m.start()), data.rfind(b":c ", 0, m.start()))
        cell = _CELL_TAG.match(data, data.rfind(b"<", 0, start + 1))
        if cell and not _HAS_V.search(cell.group(3) or b""):
            ref = _ATTR_R.search(cell.group(1))
            if ref:
                uncalc.add((int(ref.group(2)) - 1, col_index(ref.group(1).decode())))
    return _SheetMeta(percent, uncalc, rows, cols)


def _ooxml_sheets(zf: zipfile.ZipFile, limits: Limits) -> tuple[dict[str, _SheetMeta | ReadFailure], int]:
    """Sheet name → metadata (or the sheet-level failure), and the number of sheets the
    workbook declares."""
    names = set(zf.namelist())
    wb_part = "xl/workbook.xml"
    root = _xml(zf, wb_part).getroot()
    rels_part = "xl/_rels/workbook.xml.rels"
    targets: dict[str, str] = {}
    if rels_part in names:
        for rel in _xml(zf, rels_part).getroot():
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else \
                posixpath.normpath(posixpath.join("xl", target))
            targets[rel.get("Id", "")] = target
    declared = 0
    out: dict[str, _SheetMeta | ReadFailure] = {}
    percent_styles = _percent_styles(zf, names)
    for el in root.iter():
        if _local(el.tag) != "sheet":
            continue
        declared += 1
        rid = el.get(f"{{{_NS_REL}}}id") or el.get(f"{{{_NS_REL_STRICT}}}id") or ""
        part = targets.get(rid)
        if el.get("state") in ("hidden", "veryHidden") or not part or part not in names:
            continue
        try:
            out[el.get("name", "")] = _scan_sheet(zf, part, percent_styles, limits)
        except ReadFailure as failure:
            if failure.code != "sheet-too-large":
                raise
            out[el.get("name", "")] = failure
    return out, declared


# --------------------------------------------------------------------------- calamine


def identify(data: bytes, limits: Limits) -> tuple[str, dict | None]:
    """What the bytes of one file are, checked for safety before any value is read:
    ``(kind, sheet metadata)`` where kind is 'xlsx', 'xlsm', 'xlsb', 'xls' or 'ods', and the
    metadata (for .xlsx and .xlsm only, else None) maps each visible sheet to its extent
    and formats, or to the failure that refuses it. Raises ReadFailure; reads no values."""
    what = sniff(data)
    meta: dict[str, _SheetMeta | ReadFailure] | None = None
    if what == "empty":
        raise ReadFailure("file-empty")
    if what == "text":
        sample = data[:2048].decode("utf-8", "replace")
        kind = "comma-separated values (CSV)" if sample.count(",") >= 2 else \
            "tab-separated values" if sample.count("\t") >= 2 else "text"
        raise ReadFailure("file-is-text", kind=kind)
    if what == "ole":
        kind = _ole_kind(data)
        if kind == "encrypted":
            raise ReadFailure("file-password-protected")
        if kind == "doc":
            raise ReadFailure("file-not-spreadsheet", kind="a Word document")
        kind = "xls"
    elif what == "zip":
        zf = _open_zip(data, limits)
        kind = _zip_kind(zf)
        if kind in ("xlsx", "xlsm"):
            meta, declared = _ooxml_sheets(zf, limits)
            if declared == 0:
                raise ReadFailure("file-no-sheets",
                                  detail=" (it may be saved as 'Strict Open XML')")
    else:
        raise ReadFailure("file-not-spreadsheet", kind=_DESCRIPTIONS.get(what, what))
    return kind, meta


def read_values(data: bytes, kind: str, meta, limits: Limits) -> RawWorkbook:
    """The values of every visible worksheet, read with python-calamine. ``kind`` and
    ``meta`` come from :func:`identify`. Raises ReadFailure."""
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except pc.PasswordError:
        raise ReadFailure("file-password-protected")
    except pc.XmlError as exc:
        text = str(exc)
        if "DTD" in text or "ntity" in text:
            raise ReadFailure("file-unsafe-xml", detail=text[:200])
        raise ReadFailure("file-corrupt", kind=kind, detail=text[:200])
    except Exception as exc:  # CalamineError, ZipError, ValueError…
        raise ReadFailure("file-corrupt", kind=kind, detail=str(exc)[:200] or type(exc).__name__)
    try:
        metadata = wb.sheets_metadata
        if not metadata:
            raise ReadFailure("file-no-sheets")
        sheets: list[RawSheet] = []
        skipped: list[tuple[str, str, str]] = []
        for sm in metadata:
            if sm.typ != pc.SheetTypeEnum.WorkSheet or sm.visible != pc.SheetVisibleEnum.Visible:
                continue
            m = meta.get(sm.name) if meta is not None else None
            if isinstance(m, ReadFailure):
                skipped.append((sm.name, m.code, m.detail, m.limit))
                continue
            try:
                sheet = wb.get_sheet_by_name(sm.name)
                h, w = sheet.total_height, sheet.total_width
                if h > limits.max_rows or w > limits.max_columns or h * w > limits.max_cells:
                    skipped.append((sm.name, "sheet-too-large", f"{h:,} × {w:,} cells",
                                    f"{limits.max_cells:,} cells"))
                    continue
                rows = sheet.to_python(skip_empty_area=False)
                merged = list(sheet.merged_cell_ranges or [])
            except Exception as exc:
                raise ReadFailure("file-corrupt", kind=kind,
                                  detail=f"sheet '{sm.name}': {str(exc)[:200]}")
            sheets.append(RawSheet(
                name=sm.name, rows=rows,
                percent_cells=m.percent if m else set(),
                uncalculated=m.uncalculated if m else set(),
                merged=merged, formats_known=m is not None))
        return RawWorkbook(kind=kind, sheets=sheets,
                           sheet_names=[s.name for s in metadata], skipped_sheets=skipped)
    finally:
        wb.close()
