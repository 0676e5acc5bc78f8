"""Bulk file formats: NDJSON and CSV, read record by record from a binary stream.

Memory stays bounded whatever the file size: lines are read one at a time and
a line longer than ``max_line_bytes`` is skipped (and reported), never held.

NDJSON: one JSON object per line (a filing), blank lines ignored.

CSV (UTF-8, header row, comma-separated, RFC 4180 quoting): flat columns named
by dotted paths into the filing (``shipper.address.country``,
``marketplace.listing_url``). Each row is one line item: columns starting with
``items.`` (``items.description``, ``items.hs_code``...) belong to the row's
item, every other column to the shipment. Consecutive rows with the same
``filer_reference`` make one shipment; its fields are read from its first row
(later rows may leave them blank, or must repeat them exactly). Empty cells are
absent fields.
"""

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from ecomrisk.ingest.problems import FieldProblem, safe_value

DEFAULT_MAX_LINE_BYTES = 1_048_576
ITEM_PREFIX = "items."
KEY_COLUMN = "filer_reference"


class FormatError(ValueError):
    """A file that cannot be read at all (e.g. a CSV without the key column)."""


@dataclass
class RawRecord:
    """One record read from a file, before validation: its data or why it is unreadable."""

    position: str  # "line 12" or "lines 12-14": where a filer finds it in the file
    data: Any = None
    problems: list[FieldProblem] = field(default_factory=list)


def bounded_lines(stream: IO[bytes], max_line_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) pairs; the line is None when it was longer than the limit."""
    number = 0
    while True:
        line = stream.readline(max_line_bytes + 1)
        if not line:
            return
        number += 1
        if len(line) > max_line_bytes and not line.endswith(b"\n"):
            while True:  # skip the rest of the over-long line, a bounded piece at a time
                rest = stream.readline(max_line_bytes)
                if not rest or rest.endswith(b"\n"):
                    break
            yield number, None
            continue
        yield number, line


def _too_long(max_line_bytes: int) -> FieldProblem:
    return FieldProblem("(record)", f"line longer than {max_line_bytes} bytes", None)


def ndjson_records(
    stream: IO[bytes], max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
) -> Iterator[RawRecord]:
    for number, line in bounded_lines(stream, max_line_bytes):
        position = f"line {number}"
        if line is None:
            yield RawRecord(position, problems=[_too_long(max_line_bytes)])
            continue
        if not line.strip():
            continue
        try:
            text = line.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as error:
            problem = f"not valid UTF-8 at byte {error.start}"
            yield RawRecord(position, problems=[FieldProblem("(record)", problem, None)])
            continue
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, ValueError) as error:
            problem = f"malformed JSON: {error}"
            yield RawRecord(
                position, problems=[FieldProblem("(record)", problem, safe_value(text))]
            )
            continue
        yield RawRecord(position, data=data)


def _set_path(target: dict[str, Any], path: str, value: str) -> None:
    *parents, leaf = path.split(".")
    node = target
    for part in parents:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ValueError(f"column {path!r} conflicts with column {part!r}")
        node = child
    node[leaf] = value


class _DecodedLines:
    """Physical lines of a CSV stream decoded one by one, remembering which failed."""

    def __init__(self, stream: IO[bytes], max_line_bytes: int) -> None:
        self._lines = bounded_lines(stream, max_line_bytes)
        self.bad: dict[int, str] = {}
        self.number = 0

    def __iter__(self) -> Iterator[str]:
        for number, line in self._lines:
            self.number = number
            if line is None:
                self.bad[number] = "line too long"
                yield "\n"
                continue
            try:
                yield line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as error:
                self.bad[number] = f"not valid UTF-8 at byte {error.start}"
                yield line.decode("utf-8", "replace")


def csv_records(
    stream: IO[bytes], max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
) -> Iterator[RawRecord]:
    lines = _DecodedLines(stream, max_line_bytes)
    reader = csv.reader(lines, strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return
    except csv.Error as error:
        raise FormatError(f"CSV header: {error}") from None
    if lines.bad:
        raise FormatError(f"CSV header: {next(iter(lines.bad.values()))}")
    if KEY_COLUMN not in header:
        raise FormatError(f"CSV header: no {KEY_COLUMN!r} column")
    if len(set(header)) != len(header):
        raise FormatError("CSV header: a column name appears twice")
    key_index = header.index(KEY_COLUMN)

    group: list[tuple[int, list[str]]] = []
    group_problems: list[FieldProblem] = []

    def flush() -> RawRecord:
        first, last = group[0][0], group[-1][0]
        position = f"line {first}" if first == last else f"lines {first}-{last}"
        problems = list(group_problems)
        record: dict[str, Any] = {}
        items: list[dict[str, Any]] = []
        for row_number, row in group:
            item: dict[str, Any] = {}
            for name, cell in zip(header, row, strict=True):
                if cell == "":
                    continue
                try:
                    if name.startswith(ITEM_PREFIX):
                        _set_path(item, name.removeprefix(ITEM_PREFIX), cell)
                    elif row_number == first:
                        _set_path(record, name, cell)
                    elif cell != group[0][1][header.index(name)]:
                        problems.append(
                            FieldProblem(name, f"line {row_number} differs from line {first}", cell)
                        )
                except ValueError as error:
                    problems.append(FieldProblem(name, str(error), cell))
            if item:
                items.append(item)
        record["items"] = items
        return RawRecord(position, data=None if problems else record, problems=problems)

    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            if group:
                yield flush()
                group, group_problems = [], []
            yield RawRecord(
                f"line {lines.number}", problems=[FieldProblem("(record)", f"CSV: {error}")]
            )
            continue
        number = lines.number
        if not any(cell.strip() for cell in row):
            continue
        row_problems = [FieldProblem("(record)", lines.bad.pop(n)) for n in list(lines.bad)]
        if len(row) != len(header):
            row_problems.append(
                FieldProblem("(record)", f"{len(row)} columns where the header has {len(header)}")
            )
        if row_problems:
            if group:
                yield flush()
                group, group_problems = [], []
            yield RawRecord(f"line {number}", problems=row_problems)
            continue
        if group and row[key_index] != group[0][1][key_index]:
            yield flush()
            group, group_problems = [], []
        group.append((number, row))
    if group:
        yield flush()


def records(
    stream: IO[bytes], file_format: str, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
) -> Iterator[RawRecord]:
    if file_format == "ndjson":
        return ndjson_records(stream, max_line_bytes)
    if file_format == "csv":
        return csv_records(stream, max_line_bytes)
    raise FormatError(f"unknown bulk format {file_format!r}: use ndjson or csv")


def chunks(items: Iterable[RawRecord], size: int) -> Iterator[list[RawRecord]]:
    batch: list[RawRecord] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
