"""`leaderboard publish`: marts + manifest -> public/ (Pages site, downloads), swapped in whole."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import budget, metrics, privacy
from pipeline.config import Settings
from pipeline.errors import LeaderboardError
from pipeline.schema import MARTS, NULLABLE_INTEGERS
from pipeline.site import exports, files, people
from pipeline.site.context import Inputs, SiteContext
from pipeline.times import Heartbeat

log = logging.getLogger("leaderboard.publish")

MANIFEST_KEYS = ("run_id", "status", "finished_at", "as_of", "listings")


class PublishError(LeaderboardError):
    """Publishing was refused or failed; the previous public/ is left as it was."""


def run_publish(settings: Settings, now: dt.datetime | None = None) -> Path:
    """Write settings.public_dir from data/; on any failure the old site stays untouched. A step
    that runs past a few seconds is named in the log (times.Heartbeat)."""
    with Heartbeat(log, "publish") as steps:
        steps.step(f"reading {settings.data_dir}/marts and {settings.data_dir}/manifest.json")
        inputs = read_inputs(settings.data_dir)
        now = now or dt.datetime.now(dt.UTC)
        target = settings.public_dir
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = fresh_dir(target.parent, f".{target.name}.new-")
        try:
            steps.step(f"writing the site into {staging}")
            write_site(settings, inputs, staging, now)
            steps.step("weighing the site against LEADERBOARD_PAGES_MAX_MB")
            # before GitLab would refuse it, and before the old site is touched
            used = budget.check_pages(settings, staging, target)
            swap_in(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    log.info(
        "published %s (as_of %s): %s in %d files",
        target / "index.html",
        inputs.as_of.isoformat(),
        budget.megabytes(used.bytes),
        used.files,
    )
    return target


def write_site(settings: Settings, inputs: Inputs, out: Path, now: dt.datetime) -> None:
    """The whole public/ tree into `out`: downloads first, then the page that links them."""
    data_dir = out / "data"
    # Who may be named (LEADERBOARD_PEOPLE, teams.csv's listed) decides every file below.
    marts, audience = people.for_site(inputs.marts, settings.people)
    if settings.publish_raw and (audience.hidden or audience.partial):
        raise PublishError(
            "LEADERBOARD_PUBLISH_RAW=1 would publish the raw tables, which name every person: "
            "not with LEADERBOARD_PEOPLE=hide or anyone marked listed=no in teams.csv"
        )
    downloads = exports.export_marts(marts, data_dir, settings.publish_emails)
    (data_dir / "manifest.json").write_text(
        exports.safe_json(public_manifest(inputs.manifest), indent=2) + "\n", encoding="utf-8"
    )
    if settings.publish_raw:
        copied = exports.copy_raw(settings.data_dir, data_dir / "raw", settings.publish_emails)
        log.info("published %d raw table files", copied)
    page_marts = (
        marts
        if settings.publish_emails
        else {name: privacy.mask_emails(table) for name, table in marts.items()}
    )
    public = dataclasses.replace(inputs, marts=marts)
    context = SiteContext.create(settings, page_marts, public, now, downloads, audience)
    files.write_site_files(context, out)


def fresh_dir(parent: Path, prefix: str) -> Path:
    """A new, empty folder in parent with the umask's mode (tempfile.mkdtemp's would be 0700,
    and the swapped-in public/ would keep it: a Pages server or colleague could not read it)."""
    while True:
        path = parent / f"{prefix}{secrets.token_hex(4)}"
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path


def public_manifest(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest as published: it never holds secrets, so it is copied whole."""
    return dict(manifest)


def swap_in(staging: Path, target: Path) -> None:
    """Replace target with staging: two renames, the old tree restored if the second fails."""
    if not target.exists():
        staging.rename(target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    old.rmdir()
    target.rename(old)
    try:
        staging.rename(target)
    except BaseException:
        old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def read_inputs(data_dir: Path) -> Inputs:
    """The marts, the complete manifest and as_of, or a PublishError saying what is missing."""
    manifest = read_manifest(data_dir)
    marts = read_marts(data_dir / "marts")
    build = read_build_info(data_dir / "marts" / "build.json")
    as_of = parse_time(str(build.get("as_of") or manifest["as_of"]), "as_of")
    return Inputs(marts=marts, manifest=manifest, as_of=as_of, weights=score_weights(build))


def read_marts(marts_dir: Path) -> dict[str, pa.Table]:
    """Every mart of schema.MARTS with exactly its columns and types."""
    missing = [name for name in MARTS if not (marts_dir / f"{name}.parquet").is_file()]
    if missing:
        raise PublishError(
            f"marts missing in {marts_dir}: {', '.join(missing)}; run `leaderboard build` first"
        )
    return {
        name: _read_mart(marts_dir / f"{name}.parquet", schema) for name, schema in MARTS.items()
    }


def _read_mart(path: Path, schema: pa.Schema) -> pa.Table:
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        reason = str(exc).splitlines()[0].replace(f"'{path}'", "").replace(" :", ":")
        raise PublishError(
            f"cannot read {path} ({reason}): rebuild the marts with `leaderboard build`"
        ) from None
    got = [(f.name, str(f.type)) for f in table.schema]
    want = [(f.name, str(f.type)) for f in schema]
    if got != want:
        raise PublishError(
            f"{path} has columns {got}, expected {want}; rebuild with `leaderboard build`"
        )
    # A null count would show as a blank, or crash the page; the numbers must be whole
    # (prev_rank alone is null by design: the row did not exist in the previous period).
    for name in table.column_names:
        if name in NULLABLE_INTEGERS:
            continue
        if table.schema.field(name).type == pa.int64() and table.column(name).null_count:
            raise PublishError(f"{path} has empty values in {name}; rebuild the marts")
    return table.cast(schema)


def read_manifest(data_dir: Path) -> dict[str, Any]:
    """data/manifest.json of a complete extraction; sharded runs are combined shard by shard."""
    path = data_dir / "manifest.json"
    if path.is_file():
        return _load_manifest(path)
    shards = sorted(data_dir.glob("shard-*/manifest.json"))
    if not shards:
        raise PublishError(
            f"no extraction manifest at {path}; run `leaderboard extract` before publishing"
        )
    return combine_manifests([_load_manifest(shard) for shard in shards])


def _load_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PublishError(f"cannot read {path}: {exc}") from None
    if not isinstance(manifest, dict):
        raise PublishError(f"{path} is not a manifest object")
    missing = [key for key in MANIFEST_KEYS if key not in manifest]
    if missing:
        raise PublishError(f"{path} lacks {', '.join(missing)}; re-run `leaderboard extract`")
    if manifest["status"] != "complete":
        raise PublishError(
            f"{path} says status {manifest['status']!r}: only a complete extraction is published"
        )
    return manifest


def combine_manifests(shards: list[dict[str, Any]]) -> dict[str, Any]:
    """One manifest for a sharded extraction: listings joined, request counts summed."""
    first = dict(shards[0])
    first["run_id"] = ",".join(sorted({str(s["run_id"]) for s in shards}))
    first["finished_at"] = max(str(s["finished_at"]) for s in shards)
    first["as_of"] = min(str(s["as_of"]) for s in shards)
    first["listings"] = [item for s in shards for item in s.get("listings", [])]
    requests: dict[str, float] = {}
    for shard in shards:
        for key, value in (shard.get("requests") or {}).items():
            if isinstance(value, int | float):
                requests[key] = requests.get(key, 0) + value
    first["requests"] = requests
    return first


def read_build_info(path: Path) -> dict[str, Any]:
    """marts/build.json (as_of, possibly pinned, and the score weights); {} when absent."""
    if not path.is_file():
        return {}
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PublishError(f"cannot read {path}: {exc}") from None
    if not isinstance(info, dict):
        raise PublishError(f"{path} is not a JSON object; rebuild with `leaderboard build`")
    return info


def score_weights(build: dict[str, Any]) -> dict[str, int]:
    """The weights build used, shown on the page; {} when build.json does not say."""
    weights = build.get("score_weights")
    if not isinstance(weights, dict) or set(weights) != set(metrics.NAMES):
        return {}
    return {name: int(weights[name]) for name in metrics.NAMES}


def parse_time(raw: str, what: str) -> dt.datetime:
    """An ISO 8601 time with a zone, as UTC."""
    try:
        value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise PublishError(f"{what} is not an ISO 8601 time: {raw!r}") from None
    if value.tzinfo is None:
        raise PublishError(f"{what} has no time zone: {raw!r}")
    return value.astimezone(dt.UTC)
