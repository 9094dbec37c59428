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
        problems.append(Problem(1, "-", "file not found"))
        return None, set()
    except OSError as exc:
        problems.append(Problem(1, "-", f"cannot read the file: {exc.strerror}"))
        return None, set()
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    # CRLF and a lone CR (old Mac / Excel "CSV (Macintosh)") both end a line, as in Python's
    # universal newlines; neither byte occurs inside a multi-byte UTF-8 sequence
    data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    bad_lines: set[int] = set()
    # 0x0A never occurs inside a multi-byte UTF-8 sequence, so splitting on it is safe
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            byte = raw[exc.start]
            message = (
                f"not UTF-8: byte 0x{byte:02X} at byte {exc.start + 1} of the line; "
                "save the file as UTF-8"
            )
            problems.append(Problem(number, "-", message))
            bad_lines.add(number)
    return data.decode("utf-8", errors="replace"), bad_lines
