"""Splits CSV text into records that remember their physical line, flagging quoting mistakes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

_BLANKS = " \t\r\f\v"


@dataclass
class Record:
    """One CSV record: `line` is the physical line it starts on (1-based); fields are raw text."""

    line: int
    fields: list[str] = field(default_factory=list)
    last_line: int = 0
    # (field index, message) for quoting mistakes, e.g. a stray quote inside an unquoted field
    problems: list[tuple[int, str]] = field(default_factory=list)
    # set when the record is beyond repair (an unbalanced quote): its fields are not to be trusted
    broken: bool = False
    resume_after: int = 0

    @property
    def blank(self) -> bool:
        return not self.broken and len(self.fields) == 1 and not self.fields[0].strip()


class _Scanner:
    """A cursor over the text that counts newlines as it goes."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def take(self) -> str:
        char = self.peek()
        self.pos += 1
        if char == "\n":
            self.line += 1
        return char

    def skip_blanks(self) -> None:
        while self.peek() and self.peek() in _BLANKS:
            self.pos += 1

    def skip_to_next_line(self, line: int) -> None:
        """Resume just after the end of physical line `line` (recovery after a broken record)."""
        self.pos, self.line = 0, 1
        while self.line <= line and self.pos < len(self.text):
            self.take()


def read_records(text: str) -> Iterator[Record]:
    """Yield every record of `text` (LF or CRLF endings), blank ones included.

    Fields may be quoted with `"` (doubled inside) and may then hold commas and line breaks.
    A quote that never closes, or a multi-line quoted field followed by stray text, is reported
    as an unbalanced quote on the line where it opened, and reading resumes on the next line
    so one bad quote does not swallow the rest of the file.
    """
    scanner = _Scanner(text.replace("\r\n", "\n"))
    while scanner.pos < len(scanner.text):
        record = _read_record(scanner)
        yield record
        if record.broken:
            scanner.skip_to_next_line(record.resume_after)


def _read_record(scanner: _Scanner) -> Record:
    record = Record(line=scanner.line)
    while True:
        index = len(record.fields)
        scanner.skip_blanks()
        if scanner.peek() == '"':
            value = _read_quoted(scanner, record, index)
            if record.broken:
                return record
        else:
            value = _read_plain(scanner, record, index)
        record.fields.append(value)
        end = scanner.take()
        if end != ",":  # a newline or the end of the text
            record.last_line = scanner.line - 1 if end == "\n" else scanner.line
            return record


def _read_plain(scanner: _Scanner, record: Record, index: int) -> str:
    start = scanner.pos
    while scanner.peek() not in (",", "\n", ""):
        scanner.pos += 1
    value = scanner.text[start : scanner.pos]
    if '"' in value:
        advice = "quote the whole field and double the quotes inside it"
        record.problems.append((index, f"stray quote in {value.strip()!r}: {advice}"))
    return value


def _read_quoted(scanner: _Scanner, record: Record, index: int) -> str:
    open_line = scanner.line
    scanner.take()
    parts: list[str] = []
    while True:
        char = scanner.take()
        if char == "":
            return _unbalanced(record, index, open_line)
        if char == '"':
            if scanner.peek() != '"':
                break
            scanner.take()
        parts.append(char)
    scanner.skip_blanks()
    if scanner.peek() in (",", "\n", ""):
        return "".join(parts)
    if scanner.line > open_line:
        # a quote closed lines later by another row's quote: the real mistake is the opening one
        return _unbalanced(record, index, open_line)
    record.problems.append((index, "text after a closing quote: quote the whole field"))
    return "".join(parts) + _read_plain(scanner, record, index)


def _unbalanced(record: Record, index: int, open_line: int) -> str:
    record.broken = True
    record.resume_after = open_line
    record.problems.append((index, "unbalanced quote: this quoted field never closes"))
    return ""
