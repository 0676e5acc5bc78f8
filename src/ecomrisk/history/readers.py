"""Source files read as a stream of flat rows, in bounded memory: CSV (pyarrow's
streaming reader, every cell as text), Parquet (``iter_batches``) and NDJSON
(one line at a time).

A row is a dict of column -> value. Nested objects (NDJSON, Parquet structs)
are flattened to dotted names (``shipper.address.country``); a list of objects
stays a list of flattened dicts under its column (``items``), for sections
that map nested records. Each row carries its position in the file, so
rejects point a person at it.
"""

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ecomrisk.ingest.formats import DEFAULT_MAX_LINE_BYTES, bounded_lines

Format = Literal["csv", "parquet", "ndjson"]
SUFFIXES: dict[str, Format] = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
}
CSV_BLOCK_BYTES = 4 << 20  # pyarrow reads CSV in blocks of this size
PARQUET_BATCH_ROWS = 10_000


class SourceError(ValueError):
    """A file that cannot be read as the format it claims."""


@dataclass
class SourceRow:
    position: str  # "row 12" (CSV, Parquet: data rows from 1) or "line 12" (NDJSON)
    data: dict[str, Any]
    problem: str | None = None  # the row could not be read (e.g. malformed JSON)


def file_format(path: Path, chosen: str | None = None) -> Format:
    name = chosen or SUFFIXES.get(path.suffix.lower())
    if name not in ("csv", "parquet", "ndjson"):
        raise SourceError(f"{path}: unknown format; name it .csv, .parquet or .ndjson")
    return name  # type: ignore[return-value]


def flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat |= flatten(value, f"{name}.")
        elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
            flat[name] = [flatten(v) if isinstance(v, dict) else {} for v in value]
        elif value is not None:
            flat[name] = value
    return flat


def _schema_columns(schema: pa.Schema | pa.StructType, prefix: str = "") -> list[str]:
    names = []
    for item in schema:
        name = f"{prefix}{item.name}"
        kind = item.type
        if pa.types.is_struct(kind):
            names += _schema_columns(kind, f"{name}.")
            continue
        names.append(name)
        if pa.types.is_list(kind) and pa.types.is_struct(kind.value_type):
            names += _schema_columns(kind.value_type, f"{name}.")
    return names


class Source:
    """One file: its header (when the format has one), its rows, how far reading is."""

    def __init__(self, path: Path, fmt: Format, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES):
        self.path, self.format, self.max_line_bytes = path, fmt, max_line_bytes
        self.rows_read = 0
        self._csv_bytes = 0  # bytes of the CSV rows handed out (pyarrow reads far ahead)
        self._stream: IO[bytes] | None = None
        self._parquet: pq.ParquetFile | None = None

    def header(self) -> list[str] | None:
        """Column names (flattened) before any row is read; None for NDJSON (no header)."""
        if self.format == "csv":
            with self.path.open("rb") as stream:
                first = stream.readline(self.max_line_bytes + 1)
            try:
                text = first.decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise SourceError(
                    f"{self.path}: header is not UTF-8 (byte {error.start})"
                ) from None
            names = next(csv.reader(io.StringIO(text)), [])
            if not names:
                raise SourceError(f"{self.path}: empty file, no header row")
            if len(set(names)) != len(names):
                raise SourceError(f"{self.path}: a column name appears twice in the header")
            return names
        if self.format == "parquet":
            try:
                return _schema_columns(pq.read_schema(self.path))
            except pa.ArrowInvalid as error:
                raise SourceError(f"{self.path}: not a Parquet file: {error}") from None
        return None

    @property
    def size(self) -> int:
        """Total work in the unit of ``done``: bytes (CSV, NDJSON) or rows (Parquet)."""
        if self.format == "parquet":
            return pq.ParquetFile(self.path).metadata.num_rows
        return self.path.stat().st_size

    @property
    def done(self) -> int:
        if self.format == "parquet":
            return self.rows_read
        if self.format == "csv":
            return self._csv_bytes
        return self._stream.tell() if self._stream is not None else 0

    def rows(self) -> Iterator[SourceRow]:
        with self.path.open("rb") as stream:
            self._stream = stream
            try:
                if self.format == "csv":
                    yield from self._csv(stream)
                elif self.format == "parquet":
                    yield from self._parquet_rows(stream)
                else:
                    yield from self._ndjson(stream)
            finally:
                self._stream = None

    def _csv(self, stream: IO[bytes]) -> Iterator[SourceRow]:
        names = self.header() or []
        bad: list[SourceRow] = []

        def invalid(row: Any) -> str:
            # A row with the wrong number of cells goes to the rejects, not the whole file.
            where = f"line {row.number}" if row.number is not None and row.number > 0 else "a row"
            problem = f"{row.actual_columns} cells where the header has {row.expected_columns}"
            bad.append(SourceRow(where, {"(text)": row.text[:200]}, problem))
            return "skip"

        reader = pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(block_size=CSV_BLOCK_BYTES, use_threads=False),
            parse_options=pacsv.ParseOptions(invalid_row_handler=invalid),
            # Every cell is text: a code keeps its leading zeros, an id stays an id.
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        number = 0
        self._csv_bytes = len(",".join(names)) + 1
        try:
            for batch in reader:
                yield from bad
                bad.clear()
                for row in batch.to_pylist():
                    number += 1
                    self.rows_read = number
                    # The row's size as written, unquoted: close enough for a progress bar.
                    self._csv_bytes += sum(len(v) for v in row.values()) + len(row)
                    yield SourceRow(f"row {number}", row)
        except pa.ArrowInvalid as error:
            raise SourceError(f"{self.path}: after row {number}: {error}") from None
        yield from bad

    def _parquet_rows(self, stream: IO[bytes]) -> Iterator[SourceRow]:
        try:
            parquet = pq.ParquetFile(stream)
        except pa.ArrowInvalid as error:
            raise SourceError(f"{self.path}: not a Parquet file: {error}") from None
        number = 0
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS):
            for record in batch.to_pylist():
                number += 1
                self.rows_read = number
                yield SourceRow(f"row {number}", flatten(record))

    def _ndjson(self, stream: IO[bytes]) -> Iterator[SourceRow]:
        for number, line in bounded_lines(stream, self.max_line_bytes):
            self.rows_read = number
            position = f"line {number}"
            if line is None:
                yield SourceRow(position, {}, f"line longer than {self.max_line_bytes} bytes")
                continue
            if not line.strip():
                continue
            try:
                record = json.loads(line.decode("utf-8-sig" if number == 1 else "utf-8"))
            except UnicodeDecodeError as error:
                yield SourceRow(position, {}, f"not valid UTF-8 at byte {error.start}")
                continue
            except ValueError as error:
                yield SourceRow(position, {}, f"malformed JSON: {error}")
                continue
            if not isinstance(record, dict):
                yield SourceRow(position, {}, "expected a JSON object")
                continue
            yield SourceRow(position, flatten(record))
