"""The Word board report: structure, hostile text, restyling, determinism, and a real
conversion to PDF with LibreOffice when it is installed."""

from __future__ import annotations

import ast
import dataclasses
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.shared import RGBColor
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from builders import document_xml
from factories import view_of, make_action, make_run
from reportgen.errors import TemplateError
from reportgen.model import Rag
from reportgen.render.word import BLOCKS, render_board_report
from reportgen.text import clean

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates" / "board_report.docx"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {"w": W[1:-1], "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"}

SECTION_HEADINGS = [
    "Purpose of the report", "Recommendations", "Summary", "Exceptions: what needs the Board",
    "Key performance indicators", "Finance by funding stream", "Data quality",
    "Implications", "Direction required",
    "Appendix A: Key to colours and symbols", "Appendix B: Red and Amber actions in full",
    "Appendix C: Key performance indicators", "Appendix D: Data quality in detail",
    "Appendix E: Progress by objective", "Appendix F: Finance by action", "Appendix G: Every action",
]
SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not installed")

LONG = "".join(f"Sentence {n:05d} of a very long commentary. " for n in range(1000))[:32767]
HOSTILE = {
    "formula": "=cmd|' /C calc'!A0",
    "jinja_var": "{{ x }}",
    "jinja_tag": "{% if %}",
    "gaelic": "Seumas MacDhòmhnaill",
    "polish": "Zażółć gęślą jaźń",
    "emoji": "Team 🙂🚑 update",
}


def body(path: Path):
    """document.xml parsed strictly (no recovery): a damaged file fails here."""
    return etree.fromstring(document_xml(path))


def all_text(root) -> str:
    """Text of the document with line breaks as newlines and paragraphs on new lines."""
    out = []
    for el in root.iter(W + "t", W + "br", W + "tab", W + "p"):
        if el.tag == W + "t":
            out.append(el.text or "")
        elif el.tag == W + "br":
            out.append("\n")
        elif el.tag == W + "tab":
            out.append("\t")
        else:
            out.append("\n")
    return "".join(out)


def red_ids(run) -> list[str]:
    return [a.action_id for a in run.actions if run.ratings[a.action_id].reported is Rag.RED]


@pytest.fixture(scope="module")
def run60():
    return make_run(60)


@pytest.fixture(scope="module")
def report60(run60, config, tmp_path_factory) -> Path:
    return render_board_report(view_of(run60, config), config, tmp_path_factory.mktemp("word") / "r.docx")


def to_pdf(docx: Path, out_dir: Path) -> Path:
    """Convert with LibreOffice in a profile of its own, so that a LibreOffice already
    running on the machine cannot take the job (it would exit 0 and write nothing)."""
    profile = out_dir / "lo-profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out_dir), str(docx)],
                   check=True, capture_output=True, timeout=180)
    pdf = out_dir / (docx.stem + ".pdf")
    assert pdf.exists(), "LibreOffice wrote no PDF"
    return pdf


def pdf_text(pdf: Path) -> str:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True,
                          capture_output=True).stdout.decode("utf-8")
    return " ".join(text.split())


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True,
                          text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


# --------------------------------------------------------------------------- structure


def test_every_section_and_red_action_is_in_the_document(report60, run60):
    text = all_text(body(report60))
    for heading in SECTION_HEADINGS:
        assert heading in text
    for action_id in red_ids(run60):
        assert action_id in text
    assert "Slippage model: points" in text
    assert "Blue" in text and "Not yet due" in text
    assert not re.search(r"\{\{|\{%|\[\[reportgen:", text)  # every placeholder filled


def test_opens_in_python_docx_with_template_styles(report60):
    doc = Document(str(report60))
    styles = {p.style.name for p in doc.paragraphs}
    assert {"Heading 1", "Heading 2", "Caption"} <= styles
    table_styles = {el.get(W + "val") for el in body(report60).iter(W + "tblStyle")}
    assert table_styles == {doc.styles["Report Table"].style_id}


def test_table_headers_repeat_and_rows_do_not_split(report60):
    root = body(report60)
    styled = [t for t in root.iter(W + "tbl")  # generated tables, with a header row
              if t.find(f"{W}tblPr/{W}tblLook") is not None
              and t.find(f"{W}tblPr/{W}tblLook").get(W + "firstRow") == "1"]
    assert len(styled) >= 10
    for tbl in styled:
        first = tbl.find(W + "tr")
        assert first.find(f"{W}trPr/{W}tblHeader") is not None
        assert tbl.find(f"{W}tblPr/{W}tblLayout").get(W + "type") == "fixed"
    rows = list(root.iter(W + "tr"))
    split = [r for r in rows if r.find(f"{W}trPr/{W}cantSplit") is None]
    assert len(split) < len(rows) * 0.05  # header/footer layout and over-long rows only


def test_rag_cells_are_shaded_and_labelled(report60):
    root = body(report60)
    shaded = {}
    for tc in root.iter(W + "tc"):
        shd = tc.find(f"{W}tcPr/{W}shd")
        if shd is not None:
            words = "".join(tc.itertext()).split()
            shaded.setdefault(shd.get(W + "fill"), set()).add(words[0] if words else "")
    assert "Red" in shaded["C00000"] and "Amber" in shaded["FFC000"]
    assert "Green" in shaded["00B050"] and "Blue" in shaded["0070C0"]
    assert "Grey" in shaded["D9D9D9"]
    assert "Cancelled" in shaded["F2F2F2"]
    for fill in ("C00000", "FFC000", "00B050", "0070C0", "D9D9D9", "F2F2F2"):
        assert "" not in shaded[fill]  # never colour alone


def test_rag_cells_use_the_shared_palette(report60):
    """Fill and text colour of every rating's cell are the Rag type's (as in the
    workbook), Cancelled included."""
    root = body(report60)
    seen = {}
    for tc in root.iter(W + "tc"):
        shd = tc.find(f"{W}tcPr/{W}shd")
        colour = tc.find(f".//{W}rPr/{W}color")
        words = "".join(tc.itertext()).split()
        if shd is not None and colour is not None and words:
            seen[words[0]] = (shd.get(W + "fill"), colour.get(W + "val"))
    for rag in Rag.worst_first():
        assert seen[rag.value] == (rag.fill, rag.ink), rag


def test_charts_are_png_with_alt_text(report60):
    root = body(report60)
    doc_prs = root.findall(".//wp:docPr", NS)
    # BRAG by objective, the run charts the body has room for (all three) and each
    # again in Appendix C with every indicator in full
    assert len(doc_prs) == 1 + 3 + 3
    assert all(len(d.get("descr", "")) > 40 for d in doc_prs)
    assert len({d.get("id") for d in doc_prs}) == len(doc_prs)
    with zipfile.ZipFile(report60) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        assert media and all(z.read(n)[:8] == b"\x89PNG\r\n\x1a\n" for n in media)
    extents = root.findall(".//wp:extent", NS)
    assert all(int(e.get("cx")) <= 17 * 360000 for e in extents)  # fits A4 text width


def test_exceptions_come_in_the_order_the_board_needs_them(report60, run60):
    """Appendix B lists every Red and Amber action in the body's order: a decision asked
    of the Board, no corrective action, newly Red or worse, a RAG challenge, other Red,
    Amber (Red before Amber within each)."""
    text = all_text(body(report60))
    start = text.index("Appendix B: Red and Amber actions in full")
    section = text[start:text.index("Appendix C:", start)]
    ids = re.findall(r"^(O\d-\d\d) ", section, flags=re.M)
    expected = {a for a, r in run60.ratings.items() if r.reported in (Rag.RED, Rag.AMBER)}
    assert set(ids) == expected and len(ids) == len(expected)
    by_id = {a.action_id: a for a in run60.actions}

    def worse(action_id):  # newly Red, or worse than last period
        now, was = run60.ratings[action_id].reported, run60.previous_rags.get(action_id)
        return was is not None and (now is Rag.RED and was is not Rag.RED
                                    or now.severity > was.severity >= 0)

    def rank(action_id):
        a, r = by_id[action_id], run60.ratings[action_id]
        cls = (1 if not a.corrective_action.strip() else 2 if worse(action_id) else
               3 if r.challenge else 4 if r.reported is Rag.RED else 5)
        return (cls, -r.reported.severity)

    assert [rank(i) for i in ids] == sorted(rank(i) for i in ids)
    assert rank(ids[0])[0] == 1 and rank(ids[-1])[0] > 1
    assert "Corrective action:" in section and "Commentary:" in section


def test_chart_and_table_colours_agree():
    from reportgen.render.charts import RAG_STYLE

    assert list(RAG_STYLE) == ["Red", "Amber", "Green", "Blue", "Grey"]
    for name, (fill, ink, _) in RAG_STYLE.items():
        if name == "Grey":  # lighter on the charts, so it prints apart from Amber
            assert fill > "#" + Rag.GREY.fill and ink == "#000000"
            continue
        assert (fill, ink) == ("#" + Rag(name).fill, "#" + Rag(name).ink)


def test_every_chart_is_kept_with_its_caption(report60):
    """A caption is kept with its chart: the paragraph before a chart on its own is a
    "Figure" caption kept with the next; a run chart shares a cell, in a row that does
    not split across pages, with its caption above it."""
    root = body(report60)
    drawings = root.findall(".//w:drawing", NS)
    assert len(drawings) == 1 + 3 + 3
    for drawing in drawings:
        para = next(a for a in drawing.iterancestors() if a.tag == W + "p")
        cell = next((a for a in drawing.iterancestors() if a.tag == W + "tc"), None)
        if cell is None:
            caption = para.getprevious()
        else:
            assert cell.getparent().find(f"{W}trPr/{W}cantSplit") is not None
            caption = cell.findall(f"{W}p")[0]
            assert caption is not para
        assert "".join(caption.itertext()).startswith("Figure ")
        assert caption.find(f"{W}pPr/{W}keepNext") is not None


def test_caption_numbers_count_up_through_the_document(report60):
    """Tables and figures are numbered in the order a reader meets them: the parts are
    built in the template's order, not in the order BLOCKS lists them."""
    captions = [m.groups() for m in re.finditer(r"\b(Table|Figure) (\d+): ",
                                                all_text(body(report60)))]
    for kind in ("Table", "Figure"):
        numbers = [int(n) for k, n in captions if k == kind]
        assert numbers == list(range(1, len(numbers) + 1)), kind
    assert any(k == "Table" for k, _ in captions)


def imported_modules(path: Path) -> set[str]:
    """The reportgen modules ``path`` imports ("from reportgen.render import charts" is
    reportgen.render.charts)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module == "reportgen.render":
            found.update(f"reportgen.render.{a.name}" for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return {m for m in found if m.split(".")[0] == "reportgen"}


def test_the_renderer_imports_no_stage_and_no_other_renderer():
    """The Word renderer and its charts take everything from the view of the period:
    they import reportgen's data modules, the view, the charts and their own modules,
    never a stage (rate, history, pipeline …)."""
    render = ROOT / "reportgen" / "render"
    allowed = {"reportgen.issues", "reportgen.model", "reportgen.config", "reportgen.errors",
               "reportgen.text", "reportgen.render.charts", "reportgen.view"}
    for path in [*sorted((render / "word").glob("*.py")), render / "charts.py"]:
        for module in imported_modules(path):
            assert module in allowed or module.startswith(("reportgen.render.word.",
                                                          "reportgen.view.")), \
                f"{path.name} imports {module}"


def test_money_dates_and_arrows_are_formatted_for_the_uk(report60):
    text = all_text(body(report60))
    assert "£2,250k" in text  # the body in £000 (the finance appendix to the pound)
    assert "31/03/2019" in text and "2019-03-31" not in text
    assert "▲ improving" in text


def test_core_properties_pinned_to_as_of(report60, run60):
    props = Document(str(report60)).core_properties
    assert props.created.date() == run60.as_of and props.modified.date() == run60.as_of
    assert props.last_modified_by == "reportgen"
    assert "September 2018" in props.title


# --------------------------------------------------------------------------- determinism


def test_same_inputs_give_the_same_document(config, tmp_path):
    run = make_run(30)
    a = render_board_report(view_of(run, config), config, tmp_path / "a.docx")
    b = render_board_report(view_of(run, config), config, tmp_path / "b.docx")
    assert document_xml(a) == document_xml(b)
    assert a.read_bytes() == b.read_bytes()


# --------------------------------------------------------------------------- hostile text


@pytest.fixture(scope="module")
def hostile(config, tmp_path_factory):
    actions = [make_action(i) for i in range(1, 15)]
    # make_run rates actions[0] Red, so its commentary is printed in the exceptions.
    actions[0] = dataclasses.replace(
        actions[0],
        action=f"{HOSTILE['polish']} {HOSTILE['jinja_var']}",
        lead_officer=HOSTILE["gaelic"],
        commentary=(f"{HOSTILE['formula']} then {HOSTILE['jinja_tag']} then "
                    f"{HOSTILE['emoji']} before\x07\x0bafter <b>&amp;</b> "
                   "[[reportgen:summary]]"),
        corrective_action="{%p for x in y %}{{p z }}{#c#}{_{ }_}",
        locality="Teviot & Liddesdale",
    )
    actions[7] = dataclasses.replace(actions[7], commentary=LONG)  # also Red
    run = make_run(actions=actions)
    path = render_board_report(view_of(run, config), config, tmp_path_factory.mktemp("hostile") / "h.docx")
    return run, path


def test_hostile_text_is_printed_as_written(hostile):
    run, path = hostile
    text = all_text(body(path))  # parses strictly: the XML is well formed
    for value in HOSTILE.values():
        assert value in text
    assert "{%p for x in y %}{{p z }}{#c#}{_{ }_}" in text
    assert "before\nafter <b>&amp;</b>" in text  # \x07 dropped, \x0b a line break
    assert "[[reportgen:summary]]" in text
    assert "Teviot & Liddesdale" in text
    assert "\x07" not in text and "\x0b" not in text


def test_32767_character_commentary_is_whole_and_may_break_across_pages(hostile):
    run, path = hostile
    root = body(path)
    assert LONG in all_text(root)
    holder = next(tr for tr in root.iter(W + "tr") if LONG[:40] in "".join(tr.itertext()))
    assert holder.find(f"{W}trPr/{W}cantSplit") is None  # Word would cut it off


def test_hostile_text_reads_back_through_python_docx(hostile):
    run, path = hostile
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert any(HOSTILE["gaelic"] in c for c in cells)
    assert any(HOSTILE["emoji"] in c for c in cells)


@given(st.text())
@settings(max_examples=300, deadline=None)
def test_clean_leaves_only_text_xml_can_hold(text):
    cleaned = clean(text)
    el = etree.Element("t")
    el.text = cleaned  # lxml refuses control characters and surrogates
    assert etree.fromstring(etree.tostring(el)).text in (cleaned, None)
    # what the cleaner changes: controls (C0, DEL, C1), line separators, bidirectional
    # overrides and isolates, non-characters and lone surrogates (issue 27)
    if not re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                     r"\ufffe\uffff\ud800-\udfff]", text):
        assert cleaned == text


# --------------------------------------------------------------------------- template


def restyled_template(tmp_path: Path) -> Path:
    doc = Document(str(TEMPLATE))
    for name, size in (("Heading 1", 20), ("Heading 2", 13)):
        font = doc.styles[name].font
        font.name = "DejaVu Serif"
        font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    copy = tmp_path / "restyled.docx"
    doc.save(str(copy))
    return copy


def test_restyled_template_restyles_the_headings_without_code(config, tmp_path):
    out = render_board_report(view_of(make_run(20), config), config, tmp_path / "r.docx",
                              template=restyled_template(tmp_path))
    doc = Document(str(out))
    for name in ("Heading 1", "Heading 2"):
        style = doc.styles[name]
        assert style.font.name == "DejaVu Serif"
        assert style.font.color.rgb == RGBColor(0xC0, 0x00, 0x00)
    h1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    h2 = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert "Summary" in h1 and "Exceptions: what needs the Board" in h1
    # generated headings follow the template's style too
    assert "Ratings by objective" in h2 and any(t.startswith("Objective 1:") for t in h2)
    for p in doc.paragraphs:
        if p.style.name in ("Heading 1", "Heading 2"):
            assert all(r.font.name is None and r.font.color.rgb is None for r in p.runs)


def test_config_path_is_the_default_template(config, tmp_path):
    out = render_board_report(view_of(make_run(5), config), config, tmp_path / "r.docx")
    assert config.paths.template.resolve() == TEMPLATE.resolve()
    assert out.exists()


def test_missing_template_is_named(config, tmp_path):
    missing = tmp_path / "nowhere" / "board.docx"
    with pytest.raises(TemplateError) as err:
        render_board_report(view_of(make_run(3), config), config, tmp_path / "r.docx", template=missing)
    assert str(missing) in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("content", [b"not a zip at all", b"PK\x03\x04broken zip"])
def test_broken_template_is_named(config, tmp_path, content):
    broken = tmp_path / "broken.docx"
    broken.write_bytes(content)
    with pytest.raises(TemplateError) as err:
        render_board_report(view_of(make_run(3), config), config, tmp_path / "r.docx", template=broken)
    assert str(broken) in str(err.value) and "\n" not in str(err.value)


def edited_template(tmp_path: Path, old: str, new: str) -> Path:
    doc = Document(str(TEMPLATE))
    for p in doc.paragraphs:
        if p.text == old:
            for run in p.runs[1:]:
                run.text = ""
            p.runs[0].text = new
            break
    else:
        raise AssertionError(f"{old!r} not in the template")
    path = tmp_path / "edited.docx"
    doc.save(str(path))
    return path


def test_unknown_placeholder_is_named(config, tmp_path):
    template = edited_template(tmp_path, "{{p summary }}", "{{ sumary_typo }}")
    with pytest.raises(TemplateError, match="sumary_typo"):
        render_board_report(view_of(make_run(3), config), config, tmp_path / "r.docx", template=template)


def test_part_placeholder_written_without_p_is_named(config, tmp_path):
    template = edited_template(tmp_path, "{{p summary }}", "Here: {{ summary }}")
    with pytest.raises(TemplateError, match=r"\{\{p summary \}\}"):
        render_board_report(view_of(make_run(3), config), config, tmp_path / "r.docx", template=template)


def test_part_left_out_of_the_template_is_left_out_of_the_report(config, tmp_path, caplog):
    template = edited_template(tmp_path, "{{p appendix }}", "No appendix this month.")
    out = render_board_report(view_of(make_run(10), config), config, tmp_path / "r.docx", template=template)
    text = all_text(body(out))
    assert "No appendix this month." in text and "Every action in the trackers" not in text
    assert "appendix" in caplog.text


def test_template_without_the_report_styles_still_renders(config, tmp_path, caplog):
    doc = Document(str(TEMPLATE))
    for name in ("Report Table", "Table Text", "Heading 2"):
        doc.styles[name].delete()
    template = tmp_path / "plain.docx"
    doc.save(str(template))
    out = render_board_report(view_of(make_run(10), config), config, tmp_path / "r.docx", template=template)
    root = body(out)
    assert "Report Table" in caplog.text and "Table Text" in caplog.text
    generated = [t for t in root.iter(W + "tbl")
                 if t.find(f"{W}tblPr/{W}tblLayout") is not None]
    assert generated and all(t.find(f"{W}tblPr/{W}tblBorders") is not None for t in generated)
    in_tables = {el.get(W + "val") for t in generated for el in t.iter(W + "pStyle")}
    assert "TableText" not in in_tables
    heading = next(p for p in root.iter(W + "p") if all_text(p).strip() == "Ratings by objective")
    assert heading.find(f"{W}pPr/{W}pStyle") is None


def test_every_part_has_a_placeholder_in_the_shipped_template():
    doc = Document(str(TEMPLATE))
    texts = {p.text for p in doc.paragraphs}
    assert {f"{{{{p {name} }}}}" for name in BLOCKS} <= texts


def test_template_is_reproducible(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_template",
                                                  ROOT / "scripts" / "make_template.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    made = module.make_template()
    assert made == module.make_template()

    def members(data) -> dict[str, bytes]:
        with zipfile.ZipFile(data) as z:
            return {n: z.read(n) for n in z.namelist()}

    import io
    # Compared member by member: another zlib may compress the same XML differently.
    assert members(io.BytesIO(made)) == members(TEMPLATE)


# --------------------------------------------------------------------------- edge cases


def test_empty_run_renders(config, tmp_path):
    run = dataclasses.replace(make_run(0, n_kpis=0), finance_by_stream=(),
                              finance_by_objective=(), issues=(), sources=())
    text = all_text(body(render_board_report(view_of(run, config), config, tmp_path / "e.docx")))
    assert "No actions are rated Red or Amber this period." in text
    assert "No key performance indicators" in text


def test_first_period_without_history(config, tmp_path):
    from reportgen.model import Changes

    run = dataclasses.replace(make_run(10), changes=Changes(), previous_rags={})
    text = all_text(body(render_board_report(view_of(run, config), config, tmp_path / "f.docx")))
    assert "No earlier period is stored yet" in text


def test_long_data_quality_lists_are_capped_with_a_pointer(config, tmp_path):
    run = make_run(150)
    run = dataclasses.replace(run, ratings={k: dataclasses.replace(r, stale=True)
                                            for k, r in run.ratings.items()})
    text = all_text(body(render_board_report(view_of(run, config), config, tmp_path / "s.docx")))
    assert "150 actions last updated more than 45 days before 30/09/2018" in text
    assert "The first 100 of 150 updates overdue are shown" in text


def test_body_and_appendix_d_count_the_same_tracker_issues(config, tmp_path):
    """A note on the record of earlier periods (a missed month) is listed apart in the
    body and counted as a tracker warning neither there nor in Appendix D."""
    from reportgen.issues import make_issue
    run = make_run(20)
    missed = make_issue("period-missed", file="", value="August 2018")
    run = dataclasses.replace(run, issues=(*run.issues, missed))
    text = all_text(body(render_board_report(view_of(run, config), config, tmp_path / "q.docx")))
    counts = r"(\d+) errors? \(rows or files left out of the ratings\) and (\d+) warnings?"
    appendix_d = text[text.index("Appendix D: Data quality in detail"):]
    in_body = re.search(counts + " from the checks", text).groups()
    assert re.search(counts, appendix_d).groups() == in_body == ("2", "1")
    assert "August 2018" in text
    # Appendix D lists it under the record of earlier periods, not under Validation
    records = appendix_d[appendix_d.index("The record of earlier periods"):
                         appendix_d.index("Validation")]
    assert "Reporting period missed" in records
    assert "Reporting period missed" not in appendix_d[appendix_d.index("Validation"):]


# --------------------------------------------------------------------------- LibreOffice


@pytest.fixture(scope="module")
def pdf60(report60, tmp_path_factory) -> Path:
    return to_pdf(report60, tmp_path_factory.mktemp("pdf"))


@needs_soffice
def test_libreoffice_converts_and_shows_headings_key_and_red_ids(pdf60, run60):
    text = pdf_text(pdf60)
    for heading in SECTION_HEADINGS:
        assert heading in text, heading
    for phrase in ("Key to colours and symbols", "Complete.", "Not yet due",
                   "Slippage model: points"):
        assert phrase in text
    for action_id in red_ids(run60):
        assert action_id in text
    assert re.search(r"Page 1 of \d+", text)
    assert 8 <= pdf_pages(pdf60) <= 30


@needs_soffice
def test_libreoffice_prints_hostile_text_as_written(hostile, tmp_path):
    run, path = hostile
    text = pdf_text(to_pdf(path, tmp_path))
    for key in ("formula", "jinja_var", "jinja_tag", "gaelic", "polish"):
        assert HOSTILE[key] in text, key
    assert "Sentence 00000" in text and "Sentence 00779" in text  # all 32,767 characters


@needs_soffice
def test_libreoffice_uses_the_restyled_heading_font(config, tmp_path):
    out = render_board_report(view_of(make_run(10), config), config, tmp_path / "r.docx",
                              template=restyled_template(tmp_path))
    pdf = to_pdf(out, tmp_path)
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True,
                           text=True).stdout
    assert "DejaVuSerif-Bold" in fonts


# --------------------------------------------------------------------------- body budget
# The body (before Appendix A) fits [report] body_pages; tests/test_body_budget.py checks
# the pages in LibreOffice. These check what the body keeps and what it sends on.


def _between(text: str, start: str, end: str) -> str:
    i = text.index(start)
    return text[i:text.index(end, i)]


@pytest.fixture(scope="module")
def big_report(config, tmp_path_factory):
    from test_body_budget import big_plan
    run = big_plan()
    path = render_board_report(view_of(run, config), config, tmp_path_factory.mktemp("big") / "r.docx")
    return run, all_text(body(path))


def test_a_big_plan_keeps_a_capped_exceptions_table_and_says_how_many_more(big_report):
    run, text = big_report
    section = _between(text, "Exceptions: what needs the Board",
                       "Key performance indicators\n")
    shown = re.findall(r"^(O\d-\d+) ", section, flags=re.M)
    listed = {a for a, r in run.ratings.items() if r.reported in (Rag.RED, Rag.AMBER)}
    m = re.search(r"A further ([\d,]+) Red and ([\d,]+) Amber actions are listed in "
                  r"Appendix B\.", section)
    assert m, section[-400:]
    more = int(m.group(1).replace(",", "")) + int(m.group(2).replace(",", ""))
    assert 5 <= len(shown) <= 40 and len(shown) + more == len(listed)
    # decisions asked of the Board first, then no corrective action
    by_id = {a.action_id: a for a in run.actions}
    assert by_id[shown[0]].decision == "Yes"
    first_bare = next(i for i, a in enumerate(shown) if by_id[a].decision != "Yes")
    assert not by_id[shown[first_bare]].corrective_action
    # every one is in Appendix B, in full
    appendix_b = _between(text, "Appendix B: Red and Amber actions in full", "Appendix C:")
    assert set(re.findall(r"^(O\d-\d+) ", appendix_b, flags=re.M)) == listed
    assert appendix_b.count("Commentary:") == len(listed)


def test_a_big_plan_body_keeps_data_quality_counts_and_the_lists_go_to_appendix_d(big_report):
    run, text = big_report
    body_text = text[:text.index("Appendix A: Key to colours")]
    challenged = sum(1 for r in run.ratings.values() if r.challenge)
    assert f"{challenged:,} RAG challenges. Appendix D lists each" in body_text
    for heading in ("Trackers not read", "Updates overdue", "RAG challenges\n",
                    "Slippage model:", "Progress by objective", "Every action of the plan"):
        assert heading not in body_text, heading
    appendix_d = _between(text, "Appendix D: Data quality in detail", "Appendix E:")
    assert "RAG challenges" in appendix_d and "Updates overdue" in appendix_d
    # the changes since last period name a few actions each, no more
    changes = _between(body_text, "Changes since", "Ratings by objective")
    assert len(re.findall(r"^O\d-\d+ ", changes, flags=re.M)) <= 6 * 5


def test_decisions_beyond_the_limit_are_counted_not_named(big_report):
    from reportgen.view.prose import DECISION_LIMIT
    run, text = big_report
    recs = _between(text, "The Integration Joint Board is asked to:", "Summary\n")
    asked = sum(1 for a in run.actions if a.decision == "Yes"
                and run.ratings[a.action_id].reported is not Rag.CANCELLED)
    assert asked > DECISION_LIMIT
    assert recs.count("decide on O") == DECISION_LIMIT - 1
    assert f"decide on the {asked - DECISION_LIMIT + 1:,} further actions" in recs


def test_many_kpis_keep_a_compact_table_and_the_charts_that_fit(config, tmp_path):
    from reportgen.render.word.budget import KPI_CHARTS_MAX, KPI_TABLE_LIMIT
    run = make_run(20, n_kpis=30)
    text = all_text(body(render_board_report(view_of(run, config), config, tmp_path / "r.docx")))
    kpis = _between(text, "Key performance indicators\n", "Finance by funding stream")
    assert len(re.findall(r"^KPI-\d+ ", kpis, flags=re.M)) == KPI_TABLE_LIMIT
    assert f"A further {30 - KPI_TABLE_LIMIT} indicators" in kpis
    assert 0 < kpis.count("Figure ") <= KPI_CHARTS_MAX
    appendix_c = _between(text, "Appendix C: Key performance indicators", "Appendix D:")
    assert appendix_c.count("Figure ") == 30
    # the indicators needing attention come first: Red before Amber before Green
    rags = [run.kpi_results[k].rag for k in re.findall(r"^(KPI-\d+) ", kpis, flags=re.M)]
    assert rags == sorted(rags, key=lambda r: {Rag.RED: 0, Rag.AMBER: 1}.get(r, 2))


def test_a_smaller_page_budget_shows_fewer_exceptions(config, tmp_path):
    from test_body_budget import big_plan
    run = big_plan(300)
    counts = []
    for pages in (8, 6):
        cfg = dataclasses.replace(config, report=dataclasses.replace(config.report,
                                                                     body_pages=pages))
        text = all_text(body(render_board_report(view_of(run, cfg), cfg, tmp_path / f"{pages}.docx")))
        section = _between(text, "Exceptions: what needs the Board",
                           "Key performance indicators\n")
        counts.append(len(re.findall(r"^(O\d-\d+) ", section, flags=re.M)))
    assert counts[0] > counts[1]


def test_body_pages_is_read_from_the_configuration(tmp_path):
    from reportgen.config import load_config
    from reportgen.errors import ConfigError
    text = (ROOT / "reportgen.toml").read_text(encoding="utf-8")
    assert load_config(ROOT / "reportgen.toml").report.body_pages == 8
    path = tmp_path / "reportgen.toml"
    path.write_text(text.replace("body_pages = 8", "body_pages = 12"), encoding="utf-8")
    assert load_config(path).report.body_pages == 12
    path.write_text(text.replace("body_pages = 8", "body_pages = 1"), encoding="utf-8")
    with pytest.raises(ConfigError, match="body_pages"):
        load_config(path)


def test_word_xml_is_written_only_by_the_builder():
    """The part modules build their parts with wordml's Builder and run helpers: no
    ``<w:`` fragment of their own (one place to keep WordML valid)."""
    for path in sorted((ROOT / "reportgen" / "render" / "word").glob("*.py")):
        if path.name != "wordml.py":
            assert "<w:" not in path.read_text(encoding="utf-8"), path.name
