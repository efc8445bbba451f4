"""The view in a real browser: headless Chromium renders the pages (--dump-dom) and a screenshot is not blank.

Needs Debian's chromium (`apt-get install -y chromium`, done by .ci/run); skipped with that message otherwise.
"""

import json
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

pytest.importorskip("matplotlib", reason="the view's panels need matplotlib: pip install 'govreport[data]'")

from govreport.view import build_view

BROWSER = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no Chromium: install it with `apt-get update && "
                                                        "apt-get install -y chromium` (.ci/run does) to run the "
                                                        "browser tests")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class Dom(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def chromium(tmp_path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run([BROWSER, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                          text=True, timeout=120, check=True)


@pytest.fixture(scope="module")
def pages(extract_out, tmp_path_factory):
    to = tmp_path_factory.mktemp("browser_view")
    build_view(extract_out, to)
    return to


def test_report_page_renders_figures_and_table_cells(extract_out, pages, tmp_path):
    doc = "fujian_pingtan_zone_2020"
    mentions = [json.loads(line) for line in (extract_out / "mentions.jsonl").read_text(encoding="utf-8").splitlines()]
    narrative = [m for m in mentions if m["doc"] == doc and m["source"] == "text"]
    cells = {m["indicator"] for m in mentions if m["doc"] == doc and m["source"] == "table" and m["indicator"]}
    first = min(narrative, key=lambda m: m["start"])
    dom = Dom(chromium(tmp_path, "--dump-dom", (pages / "reports" / f"{doc}.html").as_uri()).stdout)
    figures = [a for t, a in dom.tags if t == "mark" and "data-label" in a and "data-indicator" in a]
    assert {int(a["data-start"]) for a in figures if "text" in a["class"].split()} == {m["start"] for m in narrative}
    assert {a["data-indicator"] for t, a in dom.tags if t == "td" and "cell" in a.get("class", "")} == cells
    # the script ran: opening page#fN shows that figure's details in the side panel
    number = next(a["id"] for a in figures if int(a["data-start"]) == first["start"])
    url = (pages / "reports" / f"{doc}.html").as_uri() + "#" + number
    dom = Dom(chromium(tmp_path, "--dump-dom", url).stdout)
    assert any(t == "mark" and "active" in a.get("class", "").split() for t, a in dom.tags)
    assert f"「{first['text']}」" in "".join(dom.text)


def test_index_renders_every_report(extract_out, pages, tmp_path):
    docs = [json.loads(line) for line in (extract_out / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    dom = Dom(chromium(tmp_path, "--dump-dom", (pages / "index.html").as_uri()).stdout)
    links = {a.get("href") for t, a in dom.tags if t == "a"}
    assert all(f"reports/{d['doc']}.html" in links for d in docs)


def test_screenshot_is_not_blank(pages, tmp_path):
    from PIL import Image

    shot = tmp_path / "report.png"
    chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,1600",
             (pages / "reports" / "fujian_pingtan_zone_2020.html").as_uri())
    with Image.open(shot) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 10  # None: more colours than counted
