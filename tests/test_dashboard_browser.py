"""The dashboard page in headless Chromium (Debian's chromium and chromium-driver, which
.ci/run installs), at a desktop width and a phone width: no console errors, no horizontal
scrolling, and axe-core finds no serious or critical violation. Skips, saying why, when
the browser, its driver or the Python packages are missing."""

from __future__ import annotations

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
axe_selenium_python = pytest.importorskip("axe_selenium_python",
                                          reason="axe-selenium-python is not installed")

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
    return {"period": page, "index": index}


def _open(driver, path: Path, width: int) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600})
    driver.get(path.as_uri())
    driver.get_log("browser")  # drop anything from before this page


def _errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


@pytest.mark.parametrize("which", ["period", "index"])
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
        assert "<script>alert(1)</script>" in browser.find_element("id", "actions").text
    axe = axe_selenium_python.Axe(browser)
    axe.inject()
    results = axe.run(options={"resultTypes": ["violations"]})
    bad = [(v["id"], v["impact"], len(v["nodes"])) for v in results["violations"]
           if v["impact"] in ("serious", "critical")]
    assert not bad, bad
    assert not _errors(browser)
    browser.save_screenshot(str(tmp_path / f"{which}-{width}.png"))


def test_sorting_and_filtering_by_keyboard(browser, pages):
    from selenium.webdriver.common.keys import Keys

    _open(browser, pages["period"], 1280)
    table = browser.find_element("id", "all-actions")
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
    assert not _errors(browser)
