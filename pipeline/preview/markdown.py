"""Markdown for MR notes: user text made inert in a table cell."""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_MENTION = re.compile(r"(^|[^\w.+-])@(?=\w)")


def md(text: object) -> str:
    """User text made inert in a Markdown table cell: no HTML, links, emphasis, cell breaks
    or @mentions (a zero-width space after an @ that starts a word; emails are untouched)."""
    value = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = re.sub(r"[\r\n\t\u2028\u2029]+", " ", value)
    value = _MENTION.sub("\\1@\u200b", value)
    return _SPECIAL.sub(r"\\\1", value)


def md_link(text: object, url: str | None) -> str:
    """`md(text)` linked to url when it is an http(s) URL, else the inert text alone.

    The URL's characters that could end the link or start markup are percent-encoded."""
    label = md(text)
    if not url or not re.match(r"(?i)^https?://", url.strip()):
        return label
    safe = "".join(c if c.isascii() and c.isprintable() and c not in ' ()<>[]|`"\\' else
                   "".join(f"%{b:02X}" for b in c.encode()) for c in url.strip())  # fmt: skip
    return f"[{label}]({safe})"
