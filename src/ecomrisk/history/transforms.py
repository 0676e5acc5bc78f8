"""One mapped field: where its value comes from and how it is transformed. Pure.

A value is taken from a column (or the first non-empty of several columns), a
constant or a template of columns, then transformed in a fixed order:
strip, ``null_if``, ``default``, code table (``map`` / ``otherwise``; with
``keep_unmapped`` a value not in the table passes as it is), ``upper`` /
``lower``, zero-padding (``pad``), units (``multiply``), ``null_above`` (a
number over it counts as absent), and for
times parsing (``format``, ``timezone``) and shifting (``shift_days``,
``shift_hours``). An empty result means the field is absent.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from ecomrisk.history.targets import Kind

# Names a template may use beside the columns: the source file's name without suffix.
FILE_PLACEHOLDER = "_file"
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")

Row = Mapping[str, Any]


class ValueIssue(ValueError):  # noqa: N818 - an issue with one value, reported per row
    """A source value a field cannot take; the message names the column and the problem."""


def placeholders(template: str) -> list[str]:
    return _PLACEHOLDER.findall(template)


def cell(value: Any) -> str:
    """A source value as text, the way a person reads it in the file."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return repr(value)  # 108.0 stays 108.0: the text a CSV of the same data holds
    return str(value)


@dataclass(frozen=True)
class FieldSpec:
    target: str
    kind: Kind
    line: int | None = None
    columns: tuple[str, ...] = ()
    value: str | None = None
    template: str | None = None
    null_if: frozenset[str] = frozenset()
    default: str | None = None
    code_table: Mapping[str, str] | None = None
    otherwise: str | None = None
    keep_unmapped: bool = False
    upper: bool = False
    lower: bool = False
    pad: int | None = None
    multiply: Decimal | None = None
    null_above: Decimal | None = None
    date_format: str | None = None
    timezone: tzinfo | None = None
    shift: timedelta = field(default=timedelta(0))

    @property
    def source_columns(self) -> list[str]:
        named = list(self.columns)
        if self.template is not None:
            named += [p for p in placeholders(self.template) if p != FILE_PLACEHOLDER]
        return named

    def _raw(self, row: Row, file_stem: str) -> tuple[str, str]:
        """(text, where it came from) before the transforms."""
        if self.value is not None:
            return self.value, "constant"
        if self.template is not None:

            def fill(match: re.Match[str]) -> str:
                name = match.group(1)
                return file_stem if name == FILE_PLACEHOLDER else cell(row.get(name)).strip()

            return _PLACEHOLDER.sub(fill, self.template), "template"
        for column in self.columns:
            text = cell(row.get(column)).strip()
            if text:
                return text, f"column {column!r}"
        return "", f"column {self.columns[0]!r}"

    def apply(self, row: Row, file_stem: str = "") -> Any:
        """The field's value from ``row`` (text, Decimal-ready text or datetime), or
        None when absent; raises ValueIssue."""
        text, source = self._raw(row, file_stem)
        text = text.strip()
        if text in self.null_if:
            text = ""
        if not text and self.default is not None:
            text = self.default
        if self.code_table is not None and text:
            if text in self.code_table:
                text = self.code_table[text]
            elif self.otherwise is not None:
                text = self.otherwise
            elif not self.keep_unmapped:
                known = ", ".join(sorted(self.code_table)[:10])
                raise ValueIssue(f"{source}: {text!r} is not in the code table ({known})")
        if not text:
            return None
        if self.upper:
            text = text.upper()
        if self.lower:
            text = text.lower()
        if self.pad is not None:
            text = _pad(text, self.pad, source)
        if self.multiply is not None or self.null_above is not None:
            text = _multiply(text, self.multiply or Decimal(1), source)
            if self.null_above is not None and Decimal(text) > self.null_above:
                return None
        if self.kind == "datetime":
            return self._moment(text, source)
        return text

    def _moment(self, text: str, source: str) -> datetime:
        try:
            if self.date_format is None:
                moment = datetime.fromisoformat(text)
            else:
                moment = datetime.strptime(text, self.date_format)
        except ValueError:
            expected = self.date_format or "ISO 8601"
            raise ValueIssue(f"{source}: {text!r} is not a time in {expected}") from None
        if moment.tzinfo is None:
            if self.timezone is None:
                raise ValueIssue(f"{source}: {text!r} has no time zone (say timezone)")
            moment = moment.replace(tzinfo=self.timezone)
        return moment + self.shift


def _pad(text: str, width: int, source: str) -> str:
    # Integers read as numbers lose their leading zeros (HS 010121 becomes 10121.0).
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if not text.isdigit():
        raise ValueIssue(f"{source}: {text!r} is not digits, cannot pad to {width}")
    return text.zfill(width)


def _multiply(text: str, factor: Decimal, source: str) -> str:
    try:
        number = Decimal(text.replace(",", "")) if "," in text and "." in text else Decimal(text)
    except InvalidOperation:
        raise ValueIssue(f"{source}: {text!r} is not a number") from None
    if not number.is_finite():
        raise ValueIssue(f"{source}: {text!r} is not a finite number")
    return format((number * factor).normalize(), "f")
