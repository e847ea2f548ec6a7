"""The dashboard page in headless Chromium (Debian's chromium and chromium-driver, which
.ci/run installs), at a desktop width and two phone widths: no console errors, no
horizontal scrolling, at most ten screens tall on a phone before anything is opened, and
axe-core 4 finds no serious or critical violation of the WCAG 2.2 A and AA rules and
leaves no colour contrast undecided. Skips, saying why, when the browser, its driver or
selenium are missing.

axe-core is the pinned copy in tests/axe/ (see its README): no release of
axe-selenium-python on the package index bundles axe-core 4, so the test injects the
script itself."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from factories import view_of, make_action, make_run
from reportgen.pipeline import stored_periods
from reportgen.render.dashboard import render_dashboard, write_index
from reportgen.view.index import build_index

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed "
                                "(pip install -e '.[test]')")

AXE = Path(__file__).resolve().parent / "axe" / "axe.min.js"
AXE_VERSION = "4.14.1"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE_HEIGHT = 844  # a 390 x 844 phone

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (BROWSER and DRIVER),
    reason="headless Chromium is not installed (Debian: apt-get install chromium "
           "chromium-driver; .ci/run does this)")

WIDTHS = (1280, 390, 360)  # 360: the narrowest phones in common use
HOSTILE = ("<script>alert(1)</script> =cmd|' /C calc'!A0 \x07 👩‍⚕️ "
           + "Averyveryverylongwordwithoutanyspaces" * 40)


@pytest.fixture(scope="module")
def browser():
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = BROWSER
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--disable-gpu", "--allow-file-access-from-files"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # the driver's log goes to a file we close (selenium 4.11 leaves its own open)
    with open(os.devnull, "wb") as log:
        driver = webdriver.Chrome(options=options, service=Service(DRIVER, log_output=log))
        driver.set_script_timeout(300)  # axe-core on a long page, on a busy machine
        try:
            yield driver
        finally:
            driver.quit()


@pytest.fixture(scope="module")
def pages(tmp_path_factory, config):
    from datetime import datetime

    from reportgen.history import History

    root = tmp_path_factory.mktemp("dash")
    actions = [make_action(i, commentary=HOSTILE if i % 3 == 0 else f"Update {i}.",
                           action=HOSTILE if i == 4 else f"We will deliver {i}.")
               for i in range(1, 30)]
    run = make_run(actions=actions, carried_files=("tracker-1.xlsx",))
    page = render_dashboard(view_of(run, config), config, root / run.period.label / "dashboard" / "index.html")
    now = datetime(2018, 10, 5, 9, 0)
    with History(root / "history.sqlite", clock=lambda: now) as history:
        history.save_period(run)
    index = write_index(build_index(stored_periods(root / "history.sqlite", root, now)), root, config)
    return {"period": page, "index": index, "samples": _samples_page(tmp_path_factory, config)}


def _samples_page(tmp_path_factory, config) -> Path:
    """The sample trackers' page for September 2018, as ``reportgen run`` writes it (two
    months, so that it has changes since August)."""
    import dataclasses
    from datetime import date, datetime

    from reportgen.model import Period
    from reportgen.pipeline import run_cycle

    out = tmp_path_factory.mktemp("samples")
    cfg = dataclasses.replace(config, report=dataclasses.replace(config.report, pdf=False))
    samples = Path(__file__).resolve().parents[1] / "workbooks"
    for month in (8, 9):
        run_cycle(cfg, Period(2018, month), today=date(2018, month + 1, 5),
                  now=datetime(2018, month + 1, 5, 9, 0), workbooks=samples, output=out)
    return out / "2018-09" / "dashboard" / "index.html"


def _open(driver, path: Path, width: int) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": PHONE_HEIGHT if width < 600 else 900,
        "deviceScaleFactor": 1, "mobile": width < 600})
    driver.get(path.as_uri())
    driver.get_log("browser")  # drop anything from before this page


def _errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


@pytest.mark.parametrize("which", ["period", "samples", "index"])
@pytest.mark.parametrize("width", WIDTHS)
def test_page_in_chromium(browser, pages, which, width, tmp_path):
    _open(browser, pages[which], width)
    assert browser.execute_script("return document.documentElement.lang") == "en-GB"
    sizes = browser.execute_script(
        "var d = document.documentElement; "
        "return [d.scrollWidth, d.clientWidth, window.innerWidth];")
    assert sizes[2] == width  # the viewport is the width asked for
    assert sizes[0] <= sizes[1], f"horizontal scroll at {width} px: {sizes}"
    if which == "period":  # the script ran: hostile text did not add any
        assert browser.execute_script("return document.scripts.length") == 1
        assert browser.execute_script(
            "return document.documentElement.classList.contains('js')")
        assert "<script>alert(1)</script>" in browser.find_element(
            "id", "actions").get_attribute("textContent")
    if width < 600:  # everything closed: ten screens at most
        height = browser.execute_script("return [document.body.scrollHeight, "
                                        "window.innerHeight]")
        assert height[0] <= 10 * height[1], f"{which} at {width} px: {height}"
    results = axe(browser)
    assert results["testEngine"]["version"] == AXE_VERSION
    assert set(results["toolOptions"]["runOnly"]["values"]) == set(WCAG)
    bad = [(v["id"], v["impact"], len(v["nodes"])) for v in results["violations"]
           if v["impact"] in ("serious", "critical")]
    assert not bad, bad
    # colour contrast decided everywhere: the shapes of the ratings and the charts' words
    undecided = [(n["target"], n["any"][0]["message"] if n["any"] else "")
                 for r in results["incomplete"] if r["id"] == "color-contrast"
                 for n in r["nodes"]]
    assert not undecided, undecided[:5]
    checked = [n["target"][0] for r in results["passes"] if r["id"] == "color-contrast"
               for n in r["nodes"]]
    if which != "index" or width > 600:  # a phone shows the index's table as stacked
        # rows, its head (the ratings) off screen for screen readers
        assert any(".rag-red" in t for t in checked), "no rating's colours were checked"
    assert any("chart-label" in t for t in checked), "no chart's words were checked"
    assert not _errors(browser)
    browser.save_screenshot(str(tmp_path / f"{which}-{width}.png"))


def axe(driver) -> dict:
    """axe-core's results for the page open in ``driver``, with the WCAG 2.2 A and AA
    rules."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    options = {"runOnly": {"type": "tag", "values": WCAG}}  # every node checked, listed
    results = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        f"axe.run(document, {json.dumps(options)}).then(done, function (e) {{"
        " done({error: String(e)}); });")
    assert "error" not in results, results
    return results


def test_the_pinned_axe_core_is_the_release_it_names():
    data = AXE.read_bytes()
    assert hashlib.sha256(data).hexdigest() == AXE_SHA256
    assert data.startswith(f"/*! axe v{AXE_VERSION}".encode())


def test_sorting_and_filtering_by_keyboard(browser, pages):
    from selenium.webdriver.common.keys import Keys

    _open(browser, pages["period"], 1280)
    table = browser.find_element("id", "all-actions")
    assert not table.is_displayed()  # closed until the reader opens it
    summary = browser.find_element("css selector", "#all > summary")
    summary.send_keys(Keys.ENTER)
    assert table.is_displayed()
    button = table.find_element("xpath", ".//th[3]/button")  # Action
    button.send_keys(Keys.ENTER)
    th = table.find_element("xpath", ".//th[3]")
    assert th.get_attribute("aria-sort") == "ascending"
    def column() -> list[str]:
        return [r.get_attribute("textContent")
                for r in table.find_elements("xpath", "./tbody/tr/td[2]")]
    ascending = column()
    assert ascending.index("We will deliver 2.") < ascending.index("We will deliver 3.")
    button.send_keys(Keys.SPACE)
    assert th.get_attribute("aria-sort") == "descending"
    assert column() == ascending[::-1]
    box = browser.find_element("id", "filter")
    box.send_keys("deliver 2")
    shown = [r for r in table.find_elements("xpath", "./tbody/tr") if r.is_displayed()]
    assert {r.find_element("xpath", "./td[2]").text for r in shown} <= {
        f"We will deliver {i}." for i in (2, *range(20, 30))}
    assert "actions shown" in browser.find_element("id", "filter-status").text
    box.clear()
    box.send_keys(Keys.SPACE, Keys.BACK_SPACE)  # an input event with the box empty
    # the choices beside the box, by keyboard: one objective and one rating
    from selenium.webdriver.support.select import Select

    objective = browser.find_element("id", "filter-objective")
    objective.send_keys(Keys.DOWN)  # the first objective
    assert Select(objective).first_selected_option.get_attribute("value") == "1"
    shown = [r for r in table.find_elements("xpath", "./tbody/tr") if r.is_displayed()]
    assert shown and all(r.get_attribute("data-objective") == "1" for r in shown)
    Select(browser.find_element("id", "filter-rag")).select_by_value("Red")
    both = [r for r in table.find_elements("xpath", "./tbody/tr") if r.is_displayed()]
    assert all(r.get_attribute("data-rag") == "Red" and r.get_attribute("data-objective") == "1"
               for r in both) and len(both) < len(shown)
    assert f"{len(both)} of " in browser.find_element("id", "filter-status").text
    assert not _errors(browser)
