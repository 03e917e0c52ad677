"""Check the built book: `python book/check.py build/book` (run by `make booktest`).

Fails (exit 1, one line per problem) on:
- a broken internal link or reference (missing file, or a #fragment with no such id);
- a missing or empty image;
- anything a page loads from another host: scripts, stylesheets, fonts, images, frames (in
  HTML, in CSS `url()`/`@import`, in SVG files); plain `<a href>` links to other sites are
  allowed — following one is the reader's choice and loads nothing by itself;
- root-relative (`/x`) or `file:` addresses, which break when the site is opened from disk or
  served from a sub-folder;
- raw `$…$` left in a page's text (math the build did not turn into math);
- a chapter (notebooks/NN_*.ipynb) without its page, its "Chapter N — Title" heading and
  <title>, the "Run it yourself" banner, or previous/next links to its neighbours;
- a README link to a chapter that is not a link to its page on the landing page;
- a widget view left in a page (it would show nothing without a live kernel).

What JavaScript requests while a page runs is checked in a real browser by
tests/ui/test_book.py, which fails on any request to a host other than the local server.
"""

from __future__ import annotations

import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Elements whose text is code or math source, not prose.
SKIP_TEXT = {"script", "style", "pre", "code", "textarea", "kbd", "samp"}
# (tag, attribute) pairs that make the browser load something.
LOADS = {
    ("script", "src"),
    ("link", "href"),
    ("img", "src"),
    ("img", "srcset"),
    ("source", "src"),
    ("source", "srcset"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("iframe", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("input", "src"),
    ("image", "href"),
    ("image", "xlink:href"),
    ("use", "href"),
    ("use", "xlink:href"),
    ("form", "action"),
}
RAW_MATH = re.compile(r"\$\$.*?\$\$|\$\$|\$[^\s$][^$]*\$", re.DOTALL)
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")
SVG_REF = re.compile(r"""(?:xlink:)?href\s*=\s*["']([^"']+)["']""")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def is_external(url: str) -> bool:
    scheme = urlsplit(url).scheme.lower()
    return url.startswith("//") or scheme in {"http", "https", "ftp", "ws", "wss"}


def is_skipped(url: str) -> bool:
    """Addresses that point at no file: data, mail, script and empty links."""
    scheme = urlsplit(url).scheme.lower()
    return not url or url == "#" or scheme in {"data", "mailto", "javascript", "about", "blob"}


class Page(HTMLParser):
    """What the checks need from one HTML file."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.loads: list[tuple[str, str, str]] = []  # (tag, attribute, url)
        self.links: list[str] = []  # <a href>
        self.text: list[str] = []  # prose text (no code, no math source)
        self.h1: list[str] = []
        self.title = ""
        self.rel: dict[str, str] = {}
        self.classes: set[str] = set()
        self.styles: list[str] = []  # inline style attributes and <style> bodies
        self._skip: list[str] = []  # tag names of the open code/math elements
        self._in: list[str] = []  # open h1/title

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        for key in ("id", "name"):
            if a.get(key):
                self.ids.add(a[key])
        classes = a.get("class", "").split()
        self.classes.update(classes)
        if a.get("style"):
            self.styles.append(a["style"])
        for attribute, value in a.items():
            if (tag, attribute) in LOADS and value:
                for url in _srcset(value) if attribute == "srcset" else [value.strip()]:
                    self.loads.append((tag, attribute, url))
        if tag == "a" and a.get("href"):
            self.links.append(a["href"].strip())
        if tag == "link" and a.get("rel") and a.get("href"):
            for rel in a["rel"].split():
                self.rel[rel] = a["href"]
        if tag in {"h1", "title"}:
            self._in.append(tag)
            if tag == "h1":
                self.h1.append("")
        if self._skip:
            if tag == self._skip[-1]:
                self._skip.append(tag)
        elif tag in SKIP_TEXT or "math" in classes:
            self._skip.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._skip and tag == self._skip[-1]:
            self._skip.pop()
        if self._in and tag == self._in[-1]:
            self._in.pop()

    def handle_data(self, data: str) -> None:
        if self._in and self._in[-1] == "title":
            self.title += data
        if self._in and self._in[-1] == "h1" and not self._skip:
            self.h1[-1] += data
        if self._skip and self._skip[0] == "style":
            self.styles.append(data)
        elif not self._skip:
            self.text.append(data)


def _srcset(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    page.close()
    return page


def heading(page_h1: str) -> str:
    """An <h1>'s text without Sphinx's "#" permalink."""
    return page_h1.strip().removesuffix("#").strip()


def chapter_title(notebook: Path) -> str:
    """The "Chapter N — Title" of a notebook's title cell."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] == "markdown":
            source = "".join(cell["source"]).lstrip()
            first = source.splitlines()[0] if source else ""
            return first[2:].strip() if first.startswith("# ") else ""
    return ""


class Site:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.pages: dict[Path, Page] = {p: parse(p) for p in sorted(self.root.rglob("*.html"))}
        self.problems: list[str] = []
        self.external_links: set[str] = set()

    def rel(self, path: Path) -> str:
        return str(path.relative_to(self.root))

    def fail(self, where: Path, message: str) -> None:
        self.problems.append(f"{self.rel(where)}: {message}")

    def target(self, source: Path, url: str) -> tuple[Path | None, str]:
        """The file a relative address points at, and its fragment."""
        parts = urlsplit(url)
        if not parts.path:
            return source, parts.fragment
        path = (source.parent / unquote(parts.path)).resolve()
        if path.is_dir():
            path = path / "index.html"
        return path, parts.fragment

    def check_url(self, source: Path, url: str, what: str, *, may_be_external: bool) -> None:
        if is_skipped(url):
            return
        if is_external(url):
            if may_be_external:
                self.external_links.add(urlsplit(url).netloc)
            else:
                self.fail(source, f"{what} from another host: {url}")
            return
        if url.startswith("/") or urlsplit(url).scheme:
            self.fail(source, f"{what} with an absolute address (breaks from disk): {url}")
            return
        path, fragment = self.target(source, url)
        if path is None or not path.is_file():
            self.fail(source, f"broken {what}: {url}")
            return
        if self.root not in path.parents:
            self.fail(source, f"{what} leaves the site: {url}")
            return
        if fragment and path.suffix == ".html" and unquote(fragment) not in self.pages[path].ids:
            self.fail(source, f"broken {what}: no id {fragment!r} in {self.rel(path)}")

    def check_pages(self) -> None:
        for path, page in self.pages.items():
            for tag, attribute, url in page.loads:
                if tag == "img":
                    self.check_image(path, url)
                else:
                    self.check_url(path, url, f"<{tag} {attribute}>", may_be_external=False)
            for url in page.links:
                self.check_url(path, url, "link", may_be_external=True)
            for style in page.styles:
                self.check_css_text(path, style)
            prose = " ".join(page.text)
            for match in RAW_MATH.finditer(prose):
                snippet = prose[max(0, match.start() - 30) : match.end() + 30].replace("\n", " ")
                self.fail(path, f"raw math left unrendered: …{snippet}…")
            if WIDGET_VIEW in path.read_text(encoding="utf-8", errors="replace"):
                self.fail(path, "a widget view is left in the page (shows nothing when static)")

    def check_image(self, source: Path, url: str) -> None:
        if is_external(url):
            self.fail(source, f"image from another host: {url}")
            return
        if is_skipped(url):
            return
        self.check_url(source, url, "image", may_be_external=False)
        path, _ = self.target(source, url)
        if path is not None and path.is_file():
            data = path.read_bytes()
            if not data:
                self.fail(source, f"empty image: {url}")
            elif path.suffix == ".png" and not data.startswith(b"\x89PNG"):
                self.fail(source, f"not a PNG: {url}")
            elif path.suffix == ".svg" and b"<svg" not in data:
                self.fail(source, f"not an SVG: {url}")

    def check_css_text(self, source: Path, css: str) -> None:
        for match in CSS_URL.finditer(css):
            url = (match.group(1) or match.group(2)).strip()
            if url.startswith("#"):
                continue
            self.check_url(source, url.split("?")[0], "CSS reference", may_be_external=False)

    def check_assets(self) -> None:
        for css in sorted(self.root.rglob("*.css")):
            self.check_css_text(css, css.read_text(encoding="utf-8", errors="replace"))
        for svg in sorted(self.root.rglob("*.svg")):
            for url in SVG_REF.findall(svg.read_text(encoding="utf-8", errors="replace")):
                if is_external(url):
                    self.fail(svg, f"SVG refers to another host: {url}")

    def check_chapters(self, notebooks: list[Path]) -> None:
        pages = [self.root / "notebooks" / (nb.stem + ".html") for nb in notebooks]
        for i, (notebook, path) in enumerate(zip(notebooks, pages, strict=True)):
            if path not in self.pages:
                self.fail(self.root, f"no page for {notebook.name} (expected {self.rel(path)})")
                continue
            page = self.pages[path]
            title = chapter_title(notebook)
            if not re.fullmatch(r"Chapter \d+ — .+", title):
                self.fail(path, f"{notebook.name} has no '# Chapter N — Title' cell")
            elif title not in [heading(h) for h in page.h1]:
                self.fail(path, f"no <h1> {title!r} (found {[heading(h) for h in page.h1]})")
            if not page.title.startswith(title):
                self.fail(path, f"<title> is {page.title!r}, expected it to start with {title!r}")
            if "run-it-yourself" not in page.classes:
                self.fail(path, "no 'Run it yourself' banner")
            if i > 0 and page.rel.get("prev") != pages[i - 1].name:
                self.fail(path, f"'previous' is {page.rel.get('prev')!r}, not {pages[i - 1].name}")
            if i + 1 < len(pages) and page.rel.get("next") != pages[i + 1].name:
                self.fail(path, f"'next' is {page.rel.get('next')!r}, not {pages[i + 1].name}")

    def check_landing(self, readme: Path | None) -> None:
        index = self.root / "index.html"
        if index not in self.pages:
            self.fail(self.root, "no index.html")
            return
        if (
            not (self.root / "search.html").is_file()
            or not (self.root / "searchindex.js").is_file()
        ):
            self.fail(self.root, "no search page or search index")
        if readme is None:
            return
        links = {link.split("#")[0] for link in self.pages[index].links}
        for target in re.findall(r"\]\((notebooks/[^)#\s]+\.ipynb)\)", readme.read_text()):
            want = target.removesuffix(".ipynb") + ".html"
            if want not in links:
                self.fail(index, f"README's link to {target} does not lead to {want}")


def check(site: Path, notebooks: list[Path], readme: Path | None = None) -> Site:
    result = Site(site)
    if not result.pages:
        result.problems.append(f"{site}: no HTML pages (was the book built?)")
        return result
    result.check_pages()
    result.check_assets()
    result.check_chapters(notebooks)
    result.check_landing(readme)
    return result


def main(argv: list[str]) -> int:
    site = Path(argv[1] if len(argv) > 1 else "build/book")
    repo = Path(__file__).resolve().parent.parent
    notebooks = sorted((repo / "notebooks").glob("[0-9]*.ipynb"))
    result = check(site, notebooks, repo / "README.md")
    for problem in result.problems:
        print(problem)
    print(
        f"book check: {len(result.pages)} pages, {len(notebooks)} chapters; "
        f"plain links to other sites (allowed): {', '.join(sorted(result.external_links)) or '-'}"
    )
    if result.problems:
        print(f"book check: {len(result.problems)} problems")
        return 1
    print("book check: OK — links, images, math, titles, nothing loaded from another host")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
