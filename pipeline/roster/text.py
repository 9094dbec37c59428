"""Reads roster files as UTF-8 text, naming each line whose bytes are not UTF-8."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One error: physical `line` (1-based), `column` (a header name or `-`), and what is wrong."""

    line: int
    column: str
    message: str


def format_problem(path: Path, problem: Problem) -> str:
    """The contract's error line `FILE:LINE:COLUMN: message`."""
    # a header cell or value may hold a line break or tab: keep every error on one line
    column, message = (_one_line(problem.column), _one_line(problem.message))
    return f"{path}:{problem.line}:{column}: {message}"


def _one_line(text: str) -> str:
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def decode_lines(path: Path, problems: list[Problem]) -> tuple[str | None, set[int]]:
    """The file's text (BOM dropped) and the lines holding bytes that are not UTF-8.

    Each such line gets one problem; its bytes are replaced so the other lines can still be
    checked. A missing or unreadable file is a problem on line 1 and gives no text.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        message = (
            "file not found: write the roster there (docs/teams.md), or point --teams or "
            "LEADERBOARD_TEAMS at it"
        )
        problems.append(Problem(1, "-", message))
        return None, set()
    except OSError as exc:
        problems.append(Problem(1, "-", f"cannot read the file: {exc.strerror}"))
        return None, set()
    if problem := binary_problem(data):
        problems.append(problem)
        return None, set()
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    # CRLF and a lone CR (old Mac / Excel "CSV (Macintosh)") both end a line, as in Python's
    # universal newlines; neither byte occurs inside a multi-byte UTF-8 sequence
    data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    bad: dict[int, tuple[int, int]] = {}
    # 0x0A never occurs inside a multi-byte UTF-8 sequence, so splitting on it is safe
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad[number] = (raw[exc.start], exc.start + 1)
    if bad:
        problems.append(encoding_problem(bad))
    return data.decode("utf-8", errors="replace"), set(bad)


SAVE_AS = "save it as CSV UTF-8 (in a spreadsheet: Save as > CSV UTF-8)"
#: Signatures of files that are not text: (leading bytes, what the file is).
_NOT_TEXT = (
    (codecs.BOM_UTF16_LE, "UTF-16 text, not UTF-8"),
    (codecs.BOM_UTF16_BE, "UTF-16 text, not UTF-8"),
    (b"PK\x03\x04", "a spreadsheet or zip archive (.xlsx, .ods), not CSV text"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls), not CSV text"),
)


def binary_problem(data: bytes) -> Problem | None:
    """One whole-file error for bytes that are no text at all (else each line would be one)."""
    for magic, what in _NOT_TEXT:
        if data.startswith(magic):
            return Problem(1, "-", f"the file is {what}: {SAVE_AS}")
    if b"\x00" in data:
        return Problem(1, "-", f"the file is not text (it holds NUL bytes): {SAVE_AS}")
    return None


def encoding_problem(bad: dict[int, tuple[int, int]]) -> Problem:
    """One error for every line that is not UTF-8 (one cause: the file's encoding), on the
    first such line, naming the others: {line: (byte value, its position in the line)}."""
    first = min(bad)
    byte, at = bad[first]
    message = f"not UTF-8: byte 0x{byte:02X} at byte {at} of the line"
    others = sorted(bad)[1:]
    if others:
        shown = ", ".join(str(n) for n in others[:5])
        more = f" and {len(others) - 5} more" if len(others) > 5 else ""
        message += f" (and line{'s' * (len(others) > 1)} {shown}{more})"
    return Problem(first, "-", f"{message}; {SAVE_AS}")
