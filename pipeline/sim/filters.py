"""Query parameters as GitLab reads them: booleans, times, and the MR/issue filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pipeline.sim.org.model import Issue, MergeRequest


class BadParam(Exception):
    """A query parameter GitLab would reject with 400."""


def parse_time(params: dict[str, str], name: str) -> dt.datetime | None:
    """An ISO 8601 query parameter as an aware datetime (naive means UTC, like GitLab)."""
    raw = params.get(name)
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise BadParam(f"{name} is invalid") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def flag(params: dict[str, str], name: str, default: bool) -> bool:
    """A boolean query parameter."""
    raw = params.get(name)
    return default if raw is None else raw.lower() in ("true", "1", "yes", "t")


class ItemFilter:
    """GitLab's MR/issue filters: state, scope, created/updated bounds, order_by, sort."""

    def __init__(self, params: dict[str, str], is_mr: bool) -> None:
        states = (
            ("opened", "closed", "merged", "locked", "all")
            if is_mr
            else ("opened", "closed", "all")
        )
        self.state = params.get("state", "all")
        if self.state not in states:
            raise BadParam("state does not have a valid value")
        self.order_by = params.get("order_by", "created_at")
        if self.order_by not in ("created_at", "updated_at"):
            raise BadParam("order_by does not have a valid value")
        sort = params.get("sort", "desc")
        if sort not in ("asc", "desc"):
            raise BadParam("sort does not have a valid value")
        self.desc = sort == "desc"
        self.mine_only = params.get("scope", "all") in ("created_by_me", "assigned_to_me")
        self.bounds = [
            (name, parse_time(params, name))
            for name in ("created_after", "created_before", "updated_after", "updated_before")
        ]

    def keep(self, it: MergeRequest | Issue) -> bool:
        if self.mine_only or (self.state != "all" and it.state != self.state):
            return False
        for name, bound in self.bounds:
            if bound is None:
                continue
            value = it.created_at if name.startswith("created") else it.updated_at
            if (value < bound) if name.endswith("after") else (value > bound):
                return False
        return True

    def apply(self, items: Sequence[MergeRequest | Issue]) -> list[object]:
        kept = [it for it in items if self.keep(it)]
        if self.order_by == "created_at":
            kept.sort(key=lambda it: (it.created_at, it.id), reverse=self.desc)
        else:
            kept.sort(key=lambda it: (it.updated_at, it.id), reverse=self.desc)
        return kept  # type: ignore[return-value]
