"""The catalog as a person sees it: `yardstick docs` on specs/cx, opened
from disk in headless Chromium (Debian's chromium and chromium-driver,
driven by Selenium). Searches the index, clicks through to a metric page
and reads what is shown there: the formula, the owner, and a chart whose
lines the browser has laid out. Expected texts come from the .yard files,
not from the catalog. Run by .ci/run:

    python3 tests/browser/catalog.py target/debug/yardstick
"""

import pathlib
import re
import subprocess
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as seen
from selenium.webdriver.support.ui import WebDriverWait

ROOT = pathlib.Path(__file__).resolve().parents[2]
SPEC = ROOT / "specs" / "cx"
checks = {"passed": 0, "failed": 0}


def check(what, ok, detail=""):
    checks["passed" if ok else "failed"] += 1
    print(("ok      " if ok else "FAILED  ") + what + ("" if ok else f": {detail}"))


def declared():
    """Each metric's block of text, by name, from the library's files."""
    blocks = {}
    for path in sorted(SPEC.glob("*.yard")):
        text = path.read_text()
        for match in re.finditer(r"^metric (\w+)[^\n]*\{\n(.*?)^\}", text, re.M | re.S):
            blocks[match.group(1)] = match.group(2)
    return blocks


def field(block, name):
    match = re.search(rf"^\s*{name}:\s*(.+)$", block, re.M)
    return match.group(1).strip() if match else None


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1200,1600"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def main(yardstick):
    metrics = declared()
    nps = metrics["nps"]
    with tempfile.TemporaryDirectory() as tmp:
        site = pathlib.Path(tmp) / "catalog"
        subprocess.run([yardstick, "docs", "--spec", str(SPEC), "--out", str(site)], check=True)
        driver = browser()
        try:
            driver.get((site / "index.html").as_uri())
            wait = WebDriverWait(driver, 10)
            count = driver.find_element(By.ID, "count")
            check("the index counts every metric", count.text == f"{len(metrics)} of {len(metrics)} metrics",
                  count.text)

            def shown_titles():
                links = driver.find_elements(By.CSS_SELECTOR, "#by-tier li[data-search] a")
                return [a.text for a in links if a.is_displayed()]

            check("the index lists every metric by tier", len(shown_titles()) == len(metrics),
                  shown_titles())
            owners = driver.find_element(By.ID, "by-owner").text
            check("the index groups metrics by owner",
                  all(field(b, "owner") in owners for b in metrics.values() if field(b, "owner")), owners)

            search = driver.find_element(By.ID, "search")
            search.send_keys("promoter")
            title = field(nps, "title").strip('"')
            wait.until(lambda d: shown_titles() == [title])
            check("searching 'promoter' leaves only NPS", shown_titles() == [title], shown_titles())
            check("the count follows the search", count.text == f"1 of {len(metrics)} metrics", count.text)

            driver.find_element(By.LINK_TEXT, title).click()
            wait.until(seen.url_contains("metrics/nps.html"))
            check("the link opens the NPS page", driver.current_url.endswith("/metrics/nps.html"),
                  driver.current_url)
            check("the page is titled", driver.find_element(By.TAG_NAME, "h1").text == title)
            formula = driver.find_element(By.ID, "formula").text
            check("the formula is shown as written", formula == field(nps, "formula"), formula)
            owner = driver.find_element(By.ID, "owner").text
            check("the owner is shown", owner.startswith(field(nps, "owner")), owner)
            escalation = driver.find_element(By.ID, "escalation").text
            check("the escalation path is shown", "cx_leadership" in escalation, escalation)

            chart = driver.find_element(By.CSS_SELECTOR, "#chart svg")
            size = chart.size
            check("the chart is laid out", size["width"] > 300 and size["height"] > 150, size)
            points = driver.execute_script(
                "return [...arguments[0].querySelectorAll('polyline')]"
                ".map(p => p.points.numberOfItems);", chart)
            check("the chart has drawn a line through twelve months or more", max(points, default=0) >= 12,
                  points)
            target = re.search(r"target:\s*(.+)", nps).group(1).strip()
            check("the SLA target is in the chart's legend", f"SLA target {target}" in chart.text,
                  chart.text)
            length = driver.execute_script(
                "const lines = [...arguments[0].querySelectorAll('polyline')];"
                "return Math.max(...lines.map(l => l.getTotalLength()));", chart)
            check("the longest line spans the chart", length > 300, length)

            driver.find_element(By.LINK_TEXT, "← All metrics").click()
            wait.until(seen.url_contains("index.html"))
            check("the page links back to the index", driver.current_url.endswith("/index.html"),
                  driver.current_url)
        finally:
            driver.quit()
    print(f"browser: {checks['passed']} passed, {checks['failed']} failed")
    return 1 if checks["failed"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
