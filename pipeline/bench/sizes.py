"""What a pipeline run leaves on disk: folder totals, the largest files, what the page loads.

Read from the files only (the benchmark measures what `publish` wrote, not how): the page's first
load is `index.html` and every local file its tags name (scripts, stylesheets, icons, images);
a drill-down loads data scripts (`public/data/**/*.js`) the first load does not name. Sizes
compressed are gzip's at level 6, what a server compressing on the fly sends; a `.gz` beside a
file (GitLab Pages serves such a precompressed copy) counts instead when there is one.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

MB = 1_000_000


@dataclass(frozen=True)
class Folder:
    """A folder's bytes and files, and its largest files (path relative to it, bytes)."""

    total: int
    files: int
    largest: list[tuple[str, int]]


def folder(root: Path, *, leave_out: Iterable[str] = (), top: int = 5) -> Folder:
    """Every file under `root` but those under the `leave_out` subfolders."""
    skipped = [root / part for part in leave_out]
    sizes = [
        (path.relative_to(root).as_posix(), path.stat().st_size)
        for path in sorted(root.rglob("*"))
        if path.is_file() and not any(path.is_relative_to(s) for s in skipped)
    ]
    largest = sorted(sizes, key=lambda item: (-item[1], item[0]))[:top]
    return Folder(sum(size for _, size in sizes), len(sizes), largest)


def compressed(path: Path) -> int:
    """Bytes sent for the file: its precompressed `.gz` when there is one, else gzip -6."""
    ready = path.with_name(path.name + ".gz")
    if ready.is_file():
        return ready.stat().st_size
    return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))


class _Named(HTMLParser):
    """The local files a page's tags name as it loads (no links followed, no scripts run)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"script": "src", "link": "href", "img": "src"}.get(tag)
        values = dict(attrs)
        if tag == "link" and values.get("rel") not in ("stylesheet", "icon", "preload"):
            return
        url = values.get(wanted) if wanted else None
        if url and not urlsplit(url).scheme and not url.startswith("//"):
            self.urls.append(unquote(urlsplit(url).path))


def first_load(public: Path) -> list[Path]:
    """`index.html` and the local files it names, each once, as the page first loads them."""
    index = (public / "index.html").resolve()
    parser = _Named()
    parser.feed(index.read_text(encoding="utf-8"))
    found = [index]
    for url in parser.urls:
        path = (public / url.lstrip("/")).resolve()
        if path.is_file() and path.is_relative_to(public.resolve()) and path not in found:
            found.append(path)
    return found


def drill_down_largest(public: Path, first: Iterable[Path]) -> Path | None:
    """The largest data script the page loads later (a drill-down), if any."""
    loaded = {path.resolve() for path in first}
    later = [p for p in (public / "data").rglob("*.js") if p.resolve() not in loaded]
    return max(later, key=lambda p: (p.stat().st_size, p.as_posix()), default=None)


def mb(size: float) -> str:
    return f"{size / MB:.1f} MB"


def kb(size: float) -> str:
    return f"{size / 1000:.0f} KB"
