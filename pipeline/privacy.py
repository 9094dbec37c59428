"""The privacy rule shared by the site and the preview: how an email address is masked."""

from __future__ import annotations

import pyarrow as pa

# Columns that hold an email address, in marts and raw tables alike (rule 7).
EMAIL_COLUMNS = frozenset({"email", "author_email", "committer_email", "public_email"})


def mask_email(email: str | None) -> str | None:
    """`jane@example.org` -> `j***@example.org`; anything without a domain -> `***`."""
    if email is None:
        return None
    local, at, domain = email.rpartition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


def mask_emails(table: pa.Table) -> pa.Table:
    """The same table with every email column masked."""
    for index, name in enumerate(table.column_names):
        if name in EMAIL_COLUMNS:
            values = [mask_email(v) for v in table.column(index).to_pylist()]
            column = pa.array(values, type=table.schema.field(index).type)
            table = table.set_column(index, table.schema.field(index), column)
    return table
