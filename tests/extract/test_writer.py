"""Pages converted on the workers (Arrow tables) write the same Parquet as rows written directly;
page bodies decode to the same values whichever JSON decoder reads them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, cast

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import schema
from pipeline.extract.gitlab.pages import decode_body, page_from
from pipeline.extract.listing import Listing, ListingSpec
from pipeline.extract.mrs_and_issues import merge_requests_table
from pipeline.extract.store.manifest import ListingRecord
from pipeline.extract.store.writer import PartWriter, encodings

AT = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
#: the boolean leaves of raw tables: Parquet bit-packs them, with no dictionary
BIT_PACKED = {"users": {"bot"}, "events": {"note.system"}}


def _item(n: int) -> dict[str, object]:
    return {
        "id": n,
        "iid": n,
        "project_id": 7,
        "title": f"MR {n} é",
        "state": "merged",
        "created_at": "2025-03-01T10:00:00.123+05:30",
        "updated_at": "2025-03-02T10:00:00Z",
        "merged_at": "2025-03-02T09:00:00.000Z" if n % 2 else None,
        "closed_at": None,
        "web_url": f"https://gitlab.example/x/-/merge_requests/{n}",
        "author": {"id": 3, "username": "ann", "name": "Ann", "state": "active", "x": 1},
        "merged_by": None,
        "merge_user": {"id": 4, "username": "bob", "name": "Bob", "state": "active"},
        "closed_by": None,
    }


def test_tables_from_workers_write_the_same_parquet_as_rows(tmp_path: Path) -> None:
    pages = [
        merge_requests_table([_item(n) for n in range(p * 3, p * 3 + 3)], AT).to_pylist()
        for p in range(5)
    ]
    direct = PartWriter(tmp_path / "direct.parquet", schema.RAW["merge_requests"], row_group_rows=4)
    tabled = PartWriter(tmp_path / "tabled.parquet", schema.RAW["merge_requests"], row_group_rows=4)
    for index, page in enumerate(pages):
        direct.write(page)
        if index == 2:  # rows given as dicts between tables keep their place
            tabled.write(page)
        else:
            tabled.add_table(tabled.table_of(page))
    assert direct.close() == tabled.close() == 15
    expected = pq.read_table(tmp_path / "direct.parquet")
    got = pq.read_table(tmp_path / "tabled.parquet")
    assert got.schema == expected.schema == schema.RAW["merge_requests"]
    assert got.to_pylist() == expected.to_pylist() == [r for page in pages for r in page]


def test_an_empty_listing_still_writes_an_empty_part(tmp_path: Path) -> None:
    writer = PartWriter(tmp_path / "empty.parquet", schema.RAW["commits"])
    writer.add_table(writer.table_of([]))
    assert writer.close() == 0
    assert pq.read_table(tmp_path / "empty.parquet").schema == schema.RAW["commits"]


def test_a_part_stores_times_and_ids_as_deltas_and_strings_with_a_dictionary(
    tmp_path: Path,
) -> None:
    """Every leaf column of every raw table is encoded as `encodings` says, struct and list
    fields included (pyarrow names them by their Parquet paths), and a page's columns beyond the
    schema (what a listing observes) are not stored."""
    for name, declared in schema.RAW.items():
        writer = PartWriter(tmp_path / f"{name}.parquet", declared)
        row = {f.name: "x" if pa.types.is_string(f.type) else 1 for f in declared if not f.nullable}
        page = pa.Table.from_pylist([row], schema=declared)
        writer.add_table(page.append_column("observed_only", pa.array([0], pa.int32())))
        writer.close()
        meta = pq.ParquetFile(tmp_path / f"{name}.parquet").metadata
        chunks = [meta.row_group(0).column(i) for i in range(meta.num_columns)]
        chosen = encodings(declared)
        delta = {c.path_in_schema for c in chunks if "DELTA_BINARY_PACKED" in c.encodings}
        dictionary = {c.path_in_schema for c in chunks if "RLE_DICTIONARY" in c.encodings}
        assert delta == set(chosen["column_encoding"])
        assert dictionary == set(chosen["use_dictionary"])
        plain = {c.path_in_schema for c in chunks} - delta - dictionary
        assert plain == BIT_PACKED.get(name, set())
        assert pq.read_table(tmp_path / f"{name}.parquet").schema == declared
    assert set(encodings(schema.MERGE_REQUESTS)["column_encoding"]) == {
        "id", "iid", "project_id", "created_at", "updated_at", "merged_at", "_extracted_at",
    }  # fmt: skip
    assert "author.username" in encodings(schema.MERGE_REQUESTS)["use_dictionary"]
    assert "coauthors.list.element.email" in encodings(schema.COMMITS)["use_dictionary"]


def test_bodies_decode_like_the_stdlib() -> None:
    bodies = [
        json.dumps([_item(1), _item(2)]).encode(),
        b'[{"t":"\\ud800 lone","big":123456789012345678901234567890,"n":NaN,"f":0.1}]',
        '[{"name":"Zoë 名前","x":1e-7,"y":-0.0,"d":{"k":1,"k":2}}]'.encode(),
    ]
    for body in bodies:
        got = decode_body(body, {}, want_list=True)
        assert repr(got) == repr(json.loads(body))


def test_fetch_ahead_follows_the_recent_pace_of_a_growing_listing() -> None:
    """Activity grows: the last pages cover hours where the first covered days. The estimate
    follows the recent pace, so a long listing's tail is still fetched ahead."""
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    spec = ListingSpec(
        what="merge requests of group g",
        path="/groups/1/merge_requests",
        params={"per_page": 2},
        record=ListingRecord("merge_requests", "group", "g"),
        writer=None,
        order_field="created_at",
        now=lambda: now,
    )
    listing = Listing(cast(Any, None), spec)
    # 10 pages a day apart, then 20 pages an hour apart, ending 5 hours before now
    ends = [now - dt.timedelta(hours=25) - dt.timedelta(days=10 - k) for k in range(10)]
    ends += [now - dt.timedelta(hours=25 - k) for k in range(1, 21)]
    for number, end in enumerate(ends, start=1):
        items = [
            {"id": number * 2 + i, "created_at": (end - dt.timedelta(minutes=1 - i)).isoformat()}
            for i in range(2)
        ]
        url = f"https://gitlab.example/api/v4/groups/1/merge_requests?page={number + 1}"
        page = page_from(items, url, {}, url)
        listing.on_result((0, number), (page, None))
    assert round(listing.estimate.remaining()) == 5
    assert listing._frontier() == 31 + 4  # proven page 31, plus 70% of 5 rounded up
