"""The accessible dashboard: one self-contained HTML page a period
(``OUTPUT/YYYY-MM/dashboard/index.html``) and an index of every stored period
(``OUTPUT/dashboard/index.html``).

The pages are Jinja2 templates (``templates/dashboard/``, beside the Word template, so
users can restyle them; the shipped ones are the fallback) rendered with autoescaping on:
nothing an officer types becomes markup or script. Styles, charts (inline SVG) and the one
small script are inside the page, which makes no request to another host; a Content
Security Policy allows only that script (by its hash). Renders only the view of the
period (reportgen.view) and, for the index, the view's index of stored periods.
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from pathlib import Path

import jinja2

from reportgen.config import Config
from reportgen.errors import OutputError, TemplateError
from reportgen.render.dashboard.context import index_context, page_context
from reportgen.view import PeriodView
from reportgen.view.index import IndexRow

PAGE = "period.html.j2"
INDEX = "index.html.j2"
SCRIPT = "dashboard.js"
FOLDER = "dashboard"
_SHIPPED = Path(__file__).resolve().parents[3] / "templates" / "dashboard"


def _environment(config: Config | None) -> jinja2.Environment:
    folders = []
    if config is not None:
        folders.append(config.paths.template.parent / "dashboard")
    folders.append(_SHIPPED)
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in folders if f.is_dir()]),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
        lstrip_blocks=True, keep_trailing_newline=True)


def _render(env: jinja2.Environment, name: str, context: dict) -> str:
    try:
        script = env.get_template(SCRIPT).render() if name == PAGE else ""
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
        return env.get_template(name).render(
            **context, script=script, script_hash=f"sha256-{digest}")
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"dashboard template {exc.name} not found in templates/dashboard "
                            "(restore it from the reportgen release)") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"dashboard template {exc.filename or exc.name}, line "
                            f"{exc.lineno}: {exc.message}") from None
    except jinja2.TemplateError as exc:
        raise TemplateError(f"dashboard template {name} cannot be rendered: "
                            f"{exc.message}") from None


def render_dashboard(view: PeriodView, config: Config, out_path: Path,
                     papers: tuple[tuple[str, str], ...] = ()) -> Path:
    """Write the period's page to ``out_path`` (in the staging folder: it goes live with
    the other outputs). ``papers`` are the period's paper as written beside it ((what,
    file name), e.g. ("PDF", "board-report-2018-09.pdf")): the page links to them."""
    html = _render(_environment(config), PAGE, page_context(view, config, papers))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(html, encoding="utf-8", newline="\n")
    return out_path


def write_index(rows: tuple[IndexRow, ...], output: Path,
                config: Config | None = None) -> Path:
    """Write ``output/dashboard/index.html`` listing every stored period (``rows``:
    reportgen.view.index.build_index), atomically (a temporary file in the same folder,
    then replace)."""
    html = _render(_environment(config), INDEX, index_context(rows, config))
    folder = output / FOLDER
    target = folder / "index.html"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".index-", suffix=".html", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(html)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputError(f"cannot write the dashboard index {target} "
                          f"({exc.strerror or exc})") from None
    return target


__all__ = ["FOLDER", "render_dashboard", "write_index"]
