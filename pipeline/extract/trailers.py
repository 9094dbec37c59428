"""A commit's co-authors, from its `Co-authored-by:` trailers.

GitLab's commit entity (`lib/api/entities/commit.rb`) exposes `trailers` (the last value of
each key) and `extended_trailers` (every value, repeated keys as arrays) when the listing asks
`trailers=true` (`lib/api/commits.rb`); Gitaly fills them from `git log` with
`%(trailers:unfold,...)`, so git has already decided what is a trailer and unfolded continued
lines. Keys keep the spelling written (`Co-authored-by` and `co-authored-by` are two keys), so
they are matched here without case. An older GitLab without those fields sends `message` only:
then the trailer block is found the way `git interpret-trailers` finds it (the message's last
paragraph; every line a trailer, or at least a quarter of them with one git itself writes;
lines starting with whitespace continue the one before).

A value is `Name <email>` as git writes an identity; one without `<...>` or with an empty or
spaceful address is malformed: ignored, and counted for the manifest.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

KEY = "co-authored-by"
#: git writes these itself; with one present, a block that is at least 25% trailers counts
#: (`git interpret-trailers`: "Signed-off-by" and `(cherry picked from commit ...)`)
_GIT_WRITTEN = ("signed-off-by:", "(cherry picked from commit ")
_TRAILER = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*)[ \t]*:[ \t]?(.*)$")
_IDENT = re.compile(r"^(.*?)\s*<([^<>\s]+)>\s*$")

Person = dict[str, str]


def coauthors(item: Mapping[str, Any]) -> tuple[list[Person], int]:
    """A commit item's co-authors (`{"name", "email"}`, each email once, in order) and how many
    `Co-authored-by` values were malformed."""
    people: list[Person] = []
    malformed = 0
    seen: set[str] = set()
    for value in _values(item):
        person = identity(value)
        if person is None:
            malformed += 1
        elif person["email"].lower() not in seen:
            seen.add(person["email"].lower())
            people.append(person)
    return people, malformed


def identity(value: str) -> Person | None:
    """`Name <email>` as {"name", "email"}; None when it is not one."""
    found = _IDENT.match(value.strip())
    if found is None:
        return None
    return {"name": found.group(1).strip(), "email": found.group(2)}


def _values(item: Mapping[str, Any]) -> list[str]:
    """Every `Co-authored-by` value: from GitLab's parsed trailers when it sent them, else from
    the message."""
    extended = item.get("extended_trailers")
    if isinstance(extended, Mapping):
        return [str(v) for key, values in extended.items() if key.lower() == KEY
                for v in (values if isinstance(values, list) else [values])]  # fmt: skip
    single = item.get("trailers")
    if isinstance(single, Mapping):
        return [str(value) for key, value in single.items() if key.lower() == KEY]
    return [value for key, value in message_trailers(str(item.get("message") or "")) if
            key.lower() == KEY]  # fmt: skip


def message_trailers(message: str) -> list[tuple[str, str]]:
    """(key, value) of the message's trailer block, continued lines unfolded; [] when its last
    paragraph is not one (or the message is one paragraph: the subject is never trailers)."""
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", message.strip("\n")) if p.strip()]
    if len(paragraphs) < 2:
        return []
    lines = [line for line in paragraphs[-1].split("\n") if not line.startswith("#")]
    found: list[tuple[str, str]] = []
    trailer_lines = others = 0
    for line in lines:
        match = _TRAILER.match(line)
        if match:
            found.append((match.group(1), match.group(2).strip()))
            trailer_lines += 1
        elif line[:1] in (" ", "\t") and found:
            key, value = found[-1]
            found[-1] = (key, f"{value} {line.strip()}".strip())
        elif line.lower().startswith(_GIT_WRITTEN):
            trailer_lines += 1  # `(cherry picked from commit ...)`: git's own, not key: value
        else:
            others += 1
    if not found:
        return []
    if others == 0 or (_git_written(lines) and trailer_lines * 3 >= others):
        return found
    return []


def _git_written(lines: Sequence[str]) -> bool:
    return any(line.lower().startswith(_GIT_WRITTEN) for line in lines)
