"""The built book (`make book`) in a real browser, served from 127.0.0.1 only.

Opens the landing page and chapters 2 (drawings) and 6 (plots) at desktop and phone width and
checks what a reader would see: every image loaded, every formula typeset by the site's own
MathJax, the chapter title and the "Run it yourself" banner, no page wider than a phone, no
console errors, no missing file, and no request to any other host (each is blocked and
reported). Also searches the site. Screenshots go to build/screenshots/book/.

Self-contained: its own static server and browser. Needs the `playwright` package and Debian's
chromium (/usr/bin/chromium, or $CHROMIUM); builds the book first if build/book/ is missing.
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="the browser checks need playwright")

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "build" / "book"
SHOTS = ROOT / "build" / "screenshots" / "book"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def chapter(number: int) -> str:
    """The page of chapter `number`, found by its notebook's file name."""
    found = sorted((ROOT / "notebooks").glob(f"{number:02d}_*.ipynb"))
    assert found, f"no notebooks/{number:02d}_*.ipynb"
    return f"notebooks/{found[0].stem}.html"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    missing: list[str]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib's name)
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None):
        self.missing.append(f"{code} {self.path}")
        super().send_error(code, message, explain)


@pytest.fixture(scope="module")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        subprocess.run(["make", "book"], cwd=ROOT, check=True)
    return SITE


@pytest.fixture(scope="module")
def server(site: Path):
    """A static file server for the book on 127.0.0.1, on a free port; stopped afterwards."""
    missing: list[str] = []
    handler = type("Handler", (_QuietHandler,), {"missing": missing})
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(site))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", missing
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: `apt-get install chromium` (or set $CHROMIUM)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser, server, path: str, viewport: str):
    """Open `path` at a viewport, recording console errors, failures and outside requests."""
    base, missing = server
    host = urlsplit(base).netloc
    context = browser.new_context(viewport=VIEWPORTS[viewport], is_mobile=viewport == "phone")
    page = context.new_page()
    seen = {"outside": [], "errors": [], "failed": [], "missing": missing}

    def route(r):
        if urlsplit(r.request.url).netloc == host or r.request.url.startswith("data:"):
            r.continue_()
        else:
            seen["outside"].append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and seen["errors"].append(m.text))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("requestfailed", lambda r: seen["failed"].append(r.url))
    page.on("response", lambda r: r.status >= 400 and seen["failed"].append(f"{r.status} {r.url}"))
    page.goto(f"{base}/{path}", wait_until="load")
    return context, page, seen


# Wait for MathJax's first typesetting pass (pages without math have no MathJax to wait for).
WAIT_FOR_MATH = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  return true;
}"""
# Every <img>: loaded and not broken (scrolled into view first, in case one loads lazily).
IMAGES = """async () => {
  const images = [...document.querySelectorAll('article img, .bd-article img')];
  for (const img of images) {
    img.loading = 'eager';
    if (!img.complete) await new Promise(r => { img.onload = img.onerror = r; });
  }
  return images.map(img => ({src: img.getAttribute('src'), width: img.naturalWidth}));
}"""
MATH = """() => {
  const all = [...document.querySelectorAll('.bd-article .math')];
  return {total: all.length,
          typeset: all.filter(m => m.querySelector('mjx-container')).length,
          raw: all.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent)};
}"""

# Code, formulas and tables wider than the screen must scroll sideways, not be cut off; images
# must fit.
CUT_OFF = """() => {
  const scrolls = el => {
    for (let e = el, up = 0; e && up < 3; e = e.parentElement, up++) {
      if (['auto', 'scroll'].includes(getComputedStyle(e).overflowX)) return true;
    }
    return false;
  };
  const wide = [...document.querySelectorAll(
      '.bd-article pre, .bd-article mjx-container[display="true"], .bd-article table')]
    .filter(el => el.scrollWidth > el.clientWidth + 1 && !scrolls(el))
    .map(el => el.tagName + ': ' + el.textContent.slice(0, 40));
  const images = [...document.querySelectorAll('.bd-article img')]
    .filter(img => img.getBoundingClientRect().right > window.innerWidth + 1)
    .map(img => 'IMG: ' + img.getAttribute('src'));
  return wide.concat(images);
}"""


def check_page(page, seen) -> dict:
    page.evaluate(WAIT_FOR_MATH)
    images = page.evaluate(IMAGES)
    broken = [i["src"] for i in images if not i["width"]]
    assert not broken, f"images that did not load: {broken}"
    math = page.evaluate(MATH)
    assert not math["raw"], f"formulas MathJax did not typeset: {math['raw'][:5]}"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than the screen"
    widgets = page.locator("script[type='application/vnd.jupyter.widget-view+json']").count()
    assert widgets == 0, "a widget view is on the page; a static page must show its picture"
    cut_off = page.evaluate(CUT_OFF)
    assert not cut_off, f"cut off at this width: {cut_off}"
    assert not seen["outside"], f"requests to other hosts: {seen['outside']}"
    assert not seen["failed"], f"failed requests: {seen['failed']}"
    assert not seen["missing"], f"files the server did not have: {seen['missing']}"
    assert not seen["errors"], f"console errors: {seen['errors']}"
    return {"images": images, "math": math}


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_landing_page(browser, server, viewport):
    context, page, seen = open_page(browser, server, "index.html", viewport)
    try:
        found = check_page(page, seen)
        assert page.locator("article h1").first.inner_text().startswith("Tiny Machine Learner")
        srcs = [i["src"] for i in found["images"]]
        for picture in ("finite_difference_error", "structural_expression", "fib", "optimizer"):
            assert any(picture in s for s in srcs), f"README picture {picture} missing: {srcs}"
        chapter_links = page.locator("article table a[href^='notebooks/']")
        assert chapter_links.count() == len(list((ROOT / "notebooks").glob("[0-9]*.ipynb")))
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / f"index-{viewport}.png", full_page=True)
    finally:
        context.close()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("number", [2, 6])
def test_chapter_page(browser, server, number, viewport):
    context, page, seen = open_page(browser, server, chapter(number), viewport)
    try:
        found = check_page(page, seen)
        title = page.locator("article h1").first.inner_text()
        assert title.startswith(f"Chapter {number} — "), title
        assert page.locator(".run-it-yourself").first.is_visible()
        assert "make lab" in page.locator(".run-it-yourself").first.inner_text()
        assert found["math"]["total"] > 0 and found["math"]["typeset"] == found["math"]["total"]
        srcs = [i["src"] for i in found["images"]]
        if number == 2:  # Graphviz drawings of expression trees (PNG: tinyml.viz.Drawing)
            assert sum(s.endswith(".png") for s in srcs) >= 3, srcs
        if number == 6:  # contour plots and loss curves
            assert sum(s.endswith(".png") for s in srcs) >= 4, srcs
        # show() listings keep their colours; exercise feedback keeps its coloured bar
        assert page.locator(".cell_output .highlight pre").count() > 0
        assert page.locator(".cell_output div[style*='border-left']").count() > 0
        nav = page.locator("a.right-next, a.left-prev")
        assert nav.count() >= 1
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / f"chapter{number}-{viewport}.png", full_page=True)
    finally:
        context.close()


def test_search_finds_a_chapter(browser, server):
    context, page, seen = open_page(browser, server, "search.html?q=momentum", "desktop")
    try:
        results = page.locator("#search-results li a")
        results.first.wait_for(timeout=30_000)
        texts = results.all_inner_texts()
        assert any("Optimizers" in t for t in texts), texts
        assert not seen["outside"], f"requests to other hosts: {seen['outside']}"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / "search-desktop.png")
    finally:
        context.close()


def test_opens_from_disk(browser, site):
    """Double-clicking build/book/index.html is enough: pictures and formulas, no errors."""
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
    try:
        page.goto((site / chapter(2)).as_uri(), wait_until="load")
        page.evaluate(WAIT_FOR_MATH)
        images = page.evaluate(IMAGES)
        assert images and all(i["width"] for i in images), images
        math = page.evaluate(MATH)
        assert math["total"] > 0 and not math["raw"], math
        assert not errors, errors
    finally:
        context.close()
