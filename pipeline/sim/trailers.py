"""A commit message's trailers as GitLab serves them (`trailers`, `extended_trailers`).

GitLab fills them only when the commits listing asks `trailers=true` (`lib/api/commits.rb`;
`{}` otherwise, and older versions have no such fields). Gitaly runs `git log` with
`%(trailers:unfold,separator=%x00)` and splits each trailer at its first `:`, keeping at most
64, with keys up to 128 bytes and values up to 512; keys keep the spelling written. git decides
what is a trailer block (`git interpret-trailers`): the message's last paragraph, when every
line is a trailer or continues one (starts with whitespace), or when at least a quarter of its
lines are and one is a trailer git writes itself (Signed-off-by, "(cherry picked from commit").
"""

from __future__ import annotations

import re

MAX_TRAILERS, MAX_KEY, MAX_VALUE = 64, 128, 512
_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*)[ \t]*:[ \t]?(.*)$")
_GIT_WRITTEN = ("signed-off-by:", "(cherry picked from commit ")


def parse(message: str) -> list[tuple[str, str]]:
    """(key, value) of the message's trailers, in order, continued lines unfolded."""
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", message.strip("\n")) if p.strip()]
    if len(paragraphs) < 2:
        return []
    lines = [line for line in paragraphs[-1].split("\n") if not line.startswith("#")]
    found: list[tuple[str, str]] = []
    counted = plain = 0
    for line in lines:
        match = _LINE.match(line)
        if match:
            found.append((match.group(1), match.group(2).strip()))
            counted += 1
        elif line[:1] in (" ", "\t") and found:
            found[-1] = (found[-1][0], f"{found[-1][1]} {line.strip()}".strip())
        elif line.lower().startswith(_GIT_WRITTEN):
            counted += 1
        else:
            plain += 1
    git_written = any(line.lower().startswith(_GIT_WRITTEN) for line in lines)
    if not found or (plain and not (git_written and counted * 3 >= plain)):
        return []
    kept = [(k, v) for k, v in found if len(k.encode()) <= MAX_KEY and len(v.encode()) <= MAX_VALUE]
    return kept[:MAX_TRAILERS]


def fields(message: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """`trailers` (each key's last value) and `extended_trailers` (every value)."""
    single: dict[str, str] = {}
    extended: dict[str, list[str]] = {}
    for key, value in parse(message):
        single[key] = value
        extended.setdefault(key, []).append(value)
    return single, extended
