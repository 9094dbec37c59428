"""The drill-down's data: each membership's counted items in small data scripts, split by period."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from pipeline.site.exports import format_timestamp, safe_json

#: Each data/items/*.js stays under this (uncompressed), however prolific a person is: their
#: items are split into periods, newest first, so a short window loads the newest file only.
MAX_FILE_BYTES = 512 * 1024
ITEMS_DIR = "data/items"
PROJECTS_SCRIPT = "data/projects.js"
#: The global each item script adds itself to, under its own name (several load at once).
ITEMS_GLOBAL = "LEADERBOARD_ITEMS"
#: The columns the drill-down shows; team and username are the file's membership's.
COLUMNS = ("kind", "item_id", "project_id", "title", "web_url", "at")
PAYLOAD_START = '{"columns":' + safe_json(list(COLUMNS)) + ',"rows":['
#: What a script holds besides its rows: the wrapper, its 20-character name, the payload's ends.
WRAPPER_BYTES = 100 + len(PAYLOAD_START)
#: A commit's page under its project's, as commits' web_url usually reads (any other URL is
#: stored whole: the shortening is exact either way).
COMMIT_PATH = "/-/commit/"


def fixed_timestamp(value: dt.datetime) -> str:
    """Always with microseconds, so the page can compare times as strings, exactly."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Chunk:
    """One data script: a period of one membership's items, newest first."""

    rows: list[str] = field(default_factory=list)
    size: int = 0
    newest: dt.datetime | None = None


def encode_url(url: str | None, item_id: str, project_url: str | None) -> Any:
    """The item's page, shorter but exactly recoverable (items.js `itemUrl`): 0 for a commit's
    page under its project, [rest] for any other page under its project, else the URL itself."""
    if url is None or not project_url:
        return url
    if url == project_url + COMMIT_PATH + item_id:
        return 0
    if url.startswith(project_url + "/"):
        return [url[len(project_url) + 1 :]]
    return url


def membership_rows(
    contributions: pa.Table, project_urls: dict[int, str | None]
) -> Iterator[tuple[tuple[str, str], dt.datetime, str]]:
    """((team, username), at, the row's JSON) for every item, each membership's newest first."""
    table = contributions.sort_by(
        [("team", "ascending"), ("username", "ascending"), ("at", "descending"),
         ("item_id", "descending")]
    )  # fmt: skip
    for batch in table.to_batches(max_chunksize=10_000):
        columns = {name: batch.column(name).to_pylist() for name in batch.schema.names}
        for i in range(batch.num_rows):
            at: dt.datetime = columns["at"][i]
            item_id = columns["item_id"][i]
            project_id = columns["project_id"][i]
            row = [
                columns["kind"][i],
                item_id,
                project_id,
                columns["title"][i],
                encode_url(columns["web_url"][i], item_id, project_urls.get(project_id)),
                format_timestamp(at),
            ]
            yield (columns["team"][i], columns["username"][i]), at, safe_json(row)


def chunks_of(
    rows: Iterator[tuple[tuple[str, str], dt.datetime, str]],
) -> dict[tuple[str, str], list[Chunk]]:
    """Each membership's rows cut into chunks of at most MAX_FILE_BYTES, newest first."""
    out: dict[tuple[str, str], list[Chunk]] = {}
    for key, at, row in rows:
        chunks = out.setdefault(key, [Chunk()])
        size = len(row.encode("utf-8")) + 1
        if chunks[-1].rows and chunks[-1].size + size > MAX_FILE_BYTES - WRAPPER_BYTES:
            chunks.append(Chunk())
        chunk = chunks[-1]
        chunk.rows.append(row)
        chunk.size += size
        chunk.newest = chunk.newest or at
    return out


def item_script(chunk: Chunk) -> tuple[str, str]:
    """(name, script): the name is the payload's hash, so a cached file is never a stale one."""
    payload = PAYLOAD_START + ",".join(chunk.rows) + "]}"
    name = hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]
    return name, f"(window.{ITEMS_GLOBAL} = window.{ITEMS_GLOBAL} || {{}})[{name!r}] = {payload};\n"


def write_text(path: Path, text: str) -> None:
    """The file and, for GitLab Pages, its gzip copy: Pages serves `<file>.gz` to a browser
    that accepts gzip and never compresses on the fly (gitlab-org/gitlab-pages,
    internal/serving/disk/helpers.go, handleContentEncoding)."""
    data = text.encode("utf-8")
    path.write_bytes(data)
    path.with_name(path.name + ".gz").write_bytes(gzip.compress(data, 9, mtime=0))


def write_items(contributions: pa.Table, projects: pa.Table, out: Path) -> dict[str, Any]:
    """data/items/*.js and data/projects.js into out; returns the index board.js carries:
    per membership, its files, newest first, each with the time of its newest item (a window
    that starts after it needs none of the file)."""
    urls = dict(
        zip(projects.column("project_id").to_pylist(), projects.column("web_url").to_pylist(),
            strict=True)
    )  # fmt: skip
    folder = out / ITEMS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    memberships = []
    for (team, username), chunks in chunks_of(membership_rows(contributions, urls)).items():
        files = []
        for chunk in chunks:
            name, script = item_script(chunk)
            write_text(folder / f"{name}.js", script)
            assert chunk.newest is not None
            files.append([name, fixed_timestamp(chunk.newest)])
        memberships.append([team, username, files])
    write_projects(contributions, projects, out)
    return {"dir": ITEMS_DIR, "columns": ["team", "username", "files"], "rows": memberships}


def write_projects(contributions: pa.Table, projects: pa.Table, out: Path) -> None:
    """The path and page of each project an item names, by id (loaded with a first drill-down)."""
    named = set(contributions.column("project_id").to_pylist())
    keep = [pid in named for pid in projects.column("project_id").to_pylist()]
    kept = projects.filter(pa.array(keep, pa.bool_()))
    payload = {"columns": kept.column_names, "rows": [list(r.values()) for r in kept.to_pylist()]}
    write_text(out / PROJECTS_SCRIPT, f"window.LEADERBOARD_PROJECTS = {safe_json(payload)};\n")
