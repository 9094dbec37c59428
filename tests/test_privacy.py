"""The privacy rule: how an email address, and every email column of a table, is masked."""

from __future__ import annotations

import pyarrow as pa
import pytest

from pipeline import privacy
from pipeline.schema import MARTS


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("jane@example.org", "j***@example.org"),
        ("j@example.org", "j***@example.org"),
        ("me@laptop", "m***@laptop"),
        ("@example.org", "***@example.org"),
        ("a@b@example.org", "a***@example.org"),
        ("not-an-email", "***"),
        ("", "***"),
        (None, None),
    ],
)
def test_mask_email(email: str | None, masked: str | None) -> None:
    assert privacy.mask_email(email) == masked


def test_mask_emails_masks_only_email_columns() -> None:
    rows = [{"username": "alice", "email": "alice@example.org", "source": "teams_csv"}]
    table = privacy.mask_emails(pa.Table.from_pylist(rows, schema=MARTS["member_emails"]))
    assert table.to_pylist() == [
        {"username": "alice", "email": "a***@example.org", "source": "teams_csv"}
    ]
    assert table.schema == MARTS["member_emails"]
