"""A board of 500 people: the page loads in under 1 MB as Pages serves it (gzip), a drill-down
loads only the files of the person or team opened, each under 1 MB, and they hold exactly the
contributions mart."""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import io
import re
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from pipeline.config import Settings
from pipeline.schema import WINDOWS
from pipeline.site.items import MAX_FILE_BYTES
from pipeline.site.publish import run_publish
from tests.site import big
from tests.site.data import AS_OF, write_data_dir
from tests.site.test_browser import browser, open_page  # noqa: F401 (fixture)

MB = 1024 * 1024


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("big")
    write_data_dir(root / "data", big.marts())
    settings = Settings(data_dir=root / "data", public_dir=root / "public")
    return run_publish(settings, now=AS_OF + dt.timedelta(hours=1))


def index(site: Path) -> dict[tuple[str, str], list[list[str]]]:
    """board.js's item index: (team, username) -> [[file, time of its newest item], ...]."""
    items = big.data_script(site / "data" / "board.js", "LEADERBOARD")["items"]
    assert items["dir"] == "data/items" and items["columns"] == ["team", "username", "files"]
    return {(team, user): files for team, user, files in items["rows"]}


class Loads(HTMLParser):
    """What index.html makes a browser fetch: scripts, the stylesheet and the icon."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        url = found.get("src") if tag == "script" else found.get("href") if tag == "link" else None
        if url:
            self.urls.append(url)


def test_first_load_is_under_1_mb_as_pages_serves_it(site: Path) -> None:
    loads = Loads()
    loads.feed((site / "index.html").read_text(encoding="utf-8"))
    assert "data/board.js" in loads.urls and not [u for u in loads.urls if "data/items" in u]
    files = ["index.html", *loads.urls]
    zipped = {name: (site / f"{name}.gz").stat().st_size for name in files}
    assert sum(zipped.values()) < 1 * MB, zipped
    plain = sum((site / name).stat().st_size for name in files)
    assert plain > 3 * sum(zipped.values())  # what gzip saves on a board of 500


def test_item_files_hold_exactly_the_contributions_mart(site: Path) -> None:
    """Decoded as items.js decodes them, every file together gives back every mart row."""
    urls = {p["project_id"]: p["web_url"] for p in big.projects()}
    got = []
    for (team, user), files in index(site).items():
        newest = []
        for name, time in files:
            path = site / "data" / "items" / f"{name}.js"
            assert path.stat().st_size <= MAX_FILE_BYTES < MB
            payload = big.data_script(path, "LEADERBOARD_ITEMS")
            rows = [dict(zip(payload["columns"], r, strict=True)) for r in payload["rows"]]
            for r in rows:
                got.append({"team": team, "username": user, **r,
                            "web_url": item_url(r, urls), "at": parse(r["at"])})  # fmt: skip
            assert time == fixed(rows[0]["at"])  # the index gives each file's newest item
            newest.append([parse(r["at"]) for r in rows])
        # newest first, file after file: a window that starts later needs only the first ones
        times = [t for chunk in newest for t in chunk]
        assert times == sorted(times, reverse=True)
    key = lambda c: (c["team"], c["username"], c["at"], c["item_id"])  # noqa: E731
    assert sorted(got, key=key) == sorted(big.contributions(), key=key)
    assert len(index(site)[big.PROLIFIC]) >= 3


def item_url(row: dict[str, Any], urls: dict[int, str]) -> str:
    stored = row["web_url"]
    if stored == 0:
        return f"{urls[row['project_id']]}/-/commit/{row['item_id']}"
    if isinstance(stored, list):
        return f"{urls[row['project_id']]}/{stored[0]}"
    assert isinstance(stored, str)
    return stored


def fixed(at: str) -> str:
    return at[:19] + ".000000Z" if len(at) == 20 else at


def parse(at: str) -> dt.datetime:
    return dt.datetime.fromisoformat(at.replace("Z", "+00:00"))


class PagesHandler(SimpleHTTPRequestHandler):
    """public/ served as GitLab Pages serves it: `<file>.gz` with Content-Encoding: gzip to a
    browser that accepts gzip, never compressed on the fly (gitlab-org/gitlab-pages,
    internal/serving/disk/helpers.go, handleContentEncoding)."""

    def send_head(self) -> Any:
        path = Path(self.translate_path(self.path))
        zipped = path.with_name(path.name + ".gz")
        if path.is_file() and zipped.is_file() and "gzip" in self.headers["Accept-Encoding"]:
            body = zipped.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return io.BytesIO(body)
        return super().send_head()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def pages(site: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(PagesHandler, directory=site))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class Transfers:
    """Every response: its path under the site and the bytes sent (as gzip where Pages would)."""

    def __init__(self, page: Any, origin: str) -> None:
        self.origin = origin
        self.sent: list[tuple[str, int, str]] = []
        page.on("response", self._record)

    def _record(self, response: Any) -> None:
        headers = response.headers
        path = response.url.removeprefix(self.origin)
        self.sent.append(
            (path, int(headers["content-length"]), headers.get("content-encoding", ""))
        )

    def items(self) -> list[str]:
        return [path for path, _, _ in self.sent if path.startswith("data/items/")]


def files_from(site: Path, keep: Any, window: str) -> list[str]:
    start = (AS_OF - dt.timedelta(days=WINDOWS[window])).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return sorted(
        f"data/items/{name}.js"
        for key, files in index(site).items()
        if keep(key)
        for name, newest in files
        if newest >= start
    )


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1280])
def test_a_drill_down_loads_only_the_files_of_whom_it_opens(
    browser: Any,  # noqa: F811
    site: Path,
    pages: str,
    width: int,
) -> None:
    team, user = big.PROLIFIC
    for watched in open_page(
        browser, pages + "index.html", now=AS_OF, viewport={"width": width, "height": 900}
    ):
        page = watched.page
        sent = Transfers(page, pages)
        page.reload()
        page.wait_for_load_state("load")
        first = sum(size for _, size, _ in sent.sent)
        assert first < 1 * MB, sent.sent
        assert all(enc == "gzip" for path, _, enc in sent.sent if path != "favicon.ico"), sent.sent
        assert sent.items() == []

        page.click(f"#board-people tr[data-username='{user}'] th button")
        expect(page.locator("#detail h2")).to_have_text(f"{user} in {team}, last 30 days")
        mine = files_from(site, lambda key: key == big.PROLIFIC, "30d")
        assert sorted(sent.items()) == mine and len(mine) < len(index(site)[big.PROLIFIC])
        assert "found in contributions" not in page.text_content("#detail")

        page.click("#controls button[data-window='365d']")
        expect(page.locator("#detail h2")).to_have_text(f"{user} in {team}, last 365 days")
        mine = files_from(site, lambda key: key == big.PROLIFIC, "365d")
        assert sorted(sent.items()) == mine
        detail = page.text_content("#detail")
        assert "found in contributions" not in detail
        assert re.search(
            r"Showing the latest 1000 of \d+; all are in contributions\.parquet", detail
        )

        page.keyboard.press("Escape")
        page.click("#controls button[data-view='teams']")
        page.click(f"#board-teams tr[data-team='{team}'] th button")
        expect(page.locator("#detail h2")).to_have_text(f"Team {team}, last 365 days")
        assert sorted(set(sent.items())) == files_from(site, lambda key: key[0] == team, "365d")
        assert "found in contributions" not in page.text_content("#detail")
        for path, size, encoding in sent.sent:
            if path.startswith("data/"):
                plain = (site / path).stat().st_size
                assert encoding == "gzip" and size < plain and plain <= MAX_FILE_BYTES, path
        assert page.evaluate("document.documentElement.scrollWidth") == width
        watched.assert_clean(pages)


def test_gzip_copies_are_what_pages_would_send(site: Path) -> None:
    for zipped in site.rglob("*.gz"):
        original = zipped.with_name(zipped.name.removesuffix(".gz"))
        assert gzip.decompress(zipped.read_bytes()) == original.read_bytes()
    assert not list(site.glob("data/*.parquet.gz")) and not list(site.glob("data/*.csv.gz"))
