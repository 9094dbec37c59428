"""The project's own exceptions; each renders as the one line printed after `error:`."""

from __future__ import annotations


class LeaderboardError(Exception):
    """A failure the user must act on; str() is one line saying what failed and what to do."""


class ConfigError(LeaderboardError):
    """A missing or malformed setting; the message names the variable or flag."""


class RequestError(LeaderboardError):
    """A request that failed for good, after the extractor's own retries.

    Rendered as: `GET /api/v4/projects/12/repository/commits page 3 (commits of group/app):
    HTTP 503 after 6 attempts`. The path never carries the query string, so no token or
    parameter can leak through it.
    """

    def __init__(
        self,
        method: str,
        path: str,
        page: int | None,
        what: str,
        reason: str,
        attempts: int,
        hint: str = "",
        max_offset: int | None = None,
        message: str | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.page = page
        self.what = what
        self.reason = reason
        self.attempts = attempts
        self.hint = hint
        #: the maximum offset a 405 stated ("... maximum allowed offset of N ..."), if any
        self.max_offset = max_offset
        #: GitLab's own message in the error body (e.g. "404 Repository Not Found"), if any
        self.message = message
        super().__init__(self.render())

    def render(self) -> str:
        page = f" page {self.page}" if self.page is not None else ""
        tries = "attempt" if self.attempts == 1 else "attempts"
        where = f"{self.method} {self.path}{page} ({self.what})"
        line = f"{where}: {self.reason} after {self.attempts} {tries}"
        return f"{line}; {self.hint}" if self.hint else line


class CompletenessError(LeaderboardError):
    """A listing whose pages did not add up (x-total not reached, a repeated page, bad Link)."""


class RosterError(LeaderboardError):
    """teams.csv (or bots.txt) is invalid; `errors` holds every `FILE:LINE:COLUMN: message` line."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        noun = "error" if len(errors) == 1 else "errors"
        super().__init__(f"{len(errors)} {noun} in the roster; fix the lines listed above")
