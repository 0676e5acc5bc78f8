"""A history mapping (TOML): which source column feeds which field, validated whole
before any row is read. Every error names the mapping file and line.

Layout (see docs/history.md)::

    name = "kcs"
    [filer]                 # the history filer account the shipments are kept under
    code = "kcs-history"    # or a field spec, e.g. { template = "{_file}" }
    [shipment]              # fields of ShipmentFiling by dotted path, plus received_at
    filer_reference = { column = "Declaration ID" }
    [shipment.consignee]
    name = { column = "Importer ID" }
    [items]                 # fields of LineItem; ``list`` names a column of nested items
    [outcome]               # fields of Outcome, plus recorded_at; present when result is
    [findings]              # fields of Finding; present when finding_type is
    [keep]                  # source columns kept as they are (history_rows.kept)
    [outcomes_file]         # files of outcomes only, matched to stored shipments
"""

import fnmatch
import tomllib
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from datetime import timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ecomrisk.domain.enums import FilerType
from ecomrisk.history.targets import Kind, catalogue, missing_required
from ecomrisk.history.toml_lines import key_lines, line_of
from ecomrisk.history.transforms import FieldSpec, placeholders

SHIPPED = Path(__file__).parent / "mappings"
SOURCES = ("column", "columns", "value", "template")
TRANSFORMS = {
    "null_if",
    "default",
    "map",
    "otherwise",
    "upper",
    "lower",
    "pad",
    "multiply",
    "null_above",
    "keep_unmapped",
    "format",
    "timezone",
    "shift_days",
    "shift_hours",
}
TIME_TRANSFORMS = {"format", "timezone", "shift_days", "shift_hours"}
TOP_KEYS = {
    "name",
    "description",
    "filer",
    "shipment",
    "items",
    "outcome",
    "findings",
    "keep",
    "outcomes_file",
    "missing_columns",
}
RECORD_SECTIONS = ("shipment", "items", "outcome", "findings")
MAX_PAD = 20


class MappingError(ValueError):
    """A mapping that cannot be used; ``problems`` are "FILE:LINE: message" lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Section:
    fields: dict[str, FieldSpec]
    list_column: str | None = None  # a column holding a list of nested records
    line: int | None = None


@dataclass(frozen=True)
class OutcomesFile:
    """Files of outcomes only: each row names a stored shipment and its outcome."""

    match: tuple[str, ...]
    filer: FieldSpec
    filer_reference: FieldSpec


@dataclass(frozen=True)
class Mapping:
    name: str
    path: Path
    description: str
    filer_code: FieldSpec
    filer_name: str | None
    filer_type: FilerType
    shipment: Section
    items: Section
    outcome: Section | None = None
    findings: Section | None = None
    keep: tuple[str, ...] = ()
    keep_line: int | None = None
    outcomes_file: OutcomesFile | None = None
    # "error": a column the mapping reads must be in every file's header; "empty":
    # a missing column is an empty cell (sources whose schema lists only the fields
    # some record used, such as the synthetic world's Parquet).
    missing_columns: str = "error"
    lines: dict[tuple[str, ...], int] = field(default_factory=dict, repr=False)

    def where(self, *path: str) -> str:
        line = line_of(self.lines, path)
        return f"{self.path}:{line}" if line is not None else str(self.path)

    def is_outcomes_file(self, file: Path) -> bool:
        patterns = self.outcomes_file.match if self.outcomes_file else ()
        return any(fnmatch.fnmatch(file.name, pattern) for pattern in patterns)

    def columns(self, outcomes_only: bool) -> list[tuple[str, str | None, int | None]]:
        """(column, list column it lives in or None, mapping line) of every column read."""
        used: list[tuple[str, str | None, int | None]] = []
        if outcomes_only:
            assert self.outcomes_file is not None
            keys = [self.outcomes_file.filer, self.outcomes_file.filer_reference]
            sections = [s for s in (self.outcome, self.findings) if s is not None]
        else:
            keys = [self.filer_code]
            sections = [
                s for s in (self.shipment, self.items, self.outcome, self.findings) if s is not None
            ]
            used += [(c, None, self.keep_line) for c in self.keep]
        for spec in keys:
            used += [(c, None, spec.line) for c in spec.source_columns]
        for section in sections:
            if section.list_column is not None:
                used.append((section.list_column, None, section.line))
            for spec in section.fields.values():
                used += [(c, section.list_column, spec.line) for c in spec.source_columns]
        return used


def load_mapping(path: Path | str) -> Mapping:
    """Read and validate a mapping file; a bare name (``kcs``) is a shipped mapping."""
    path = Path(path)
    if not path.suffix and not path.exists() and (SHIPPED / f"{path}.toml").exists():
        path = SHIPPED / f"{path}.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise MappingError([f"{path}: cannot read the mapping: {error.strerror}"]) from None
    except UnicodeDecodeError as error:
        raise MappingError([f"{path}: not UTF-8 text (byte {error.start})"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise MappingError([f"{path}: not valid TOML: {error}"]) from None
    return _Parser(path, data, key_lines(text)).mapping()


def shipped_mappings() -> list[Path]:
    return sorted(SHIPPED.glob("*.toml"))


class _Parser:
    def __init__(self, path: Path, data: dict[str, Any], lines: dict[tuple[str, ...], int]):
        self.path, self.data, self.lines = path, data, lines
        self.problems: list[str] = []

    def problem(self, path: tuple[str, ...], message: str) -> None:
        line = line_of(self.lines, path)
        where = f"{self.path}:{line}" if line is not None else str(self.path)
        self.problems.append(f"{where}: {'.'.join(path)}: {message}")

    def mapping(self) -> Mapping:
        data = self.data
        for key in data:
            if key not in TOP_KEYS:
                self.problem((key,), f"unknown section; use one of {', '.join(sorted(TOP_KEYS))}")
        name = data.get("name", self.path.stem)
        if not isinstance(name, str) or not name:
            self.problem(("name",), "must be a non-empty string")
            name = self.path.stem
        filer = self.table(("filer",), required=True)
        filer_code = self.spec(("filer", "code"), filer.get("code"), "text", required=True)
        for key in filer:
            if key not in ("code", "name", "type"):
                self.problem(("filer", key), "unknown key; use code, name, type")
        filer_name = filer.get("name")
        if filer_name is not None and not isinstance(filer_name, str):
            self.problem(("filer", "name"), "must be a string")
        try:
            filer_type = FilerType(filer.get("type", FilerType.BROKER.value))
        except ValueError:
            choices = ", ".join(t.value for t in FilerType)
            self.problem(("filer", "type"), f"unknown filer type; use one of {choices}")
            filer_type = FilerType.BROKER
        shipment = self.section("shipment", required=True)
        items = self.section("items", required=True)
        outcome = self.section("outcome") if "outcome" in data else None
        findings = self.section("findings") if "findings" in data else None
        if findings is not None and outcome is None:
            self.problem(("findings",), "findings need an [outcome] section")
        keep = self.table(("keep",))
        columns = keep.get("columns", [])
        if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
            self.problem(("keep", "columns"), "must be a list of column names")
            columns = []
        outcomes_file = self.outcomes_file() if "outcomes_file" in data else None
        if outcomes_file is not None and outcome is None:
            self.problem(("outcomes_file",), "an outcomes file needs an [outcome] section")
        missing_columns = data.get("missing_columns", "error")
        if missing_columns not in ("error", "empty"):
            self.problem(("missing_columns",), 'must be "error" or "empty"')
        if self.problems:
            raise MappingError(self.problems)
        assert filer_code is not None
        description = data.get("description", "")
        return Mapping(
            name=name,
            path=self.path,
            description=description if isinstance(description, str) else "",
            filer_code=filer_code,
            filer_name=filer_name if isinstance(filer_name, str) else None,
            filer_type=filer_type,
            shipment=shipment,
            items=items,
            outcome=outcome,
            findings=findings,
            keep=tuple(columns),
            keep_line=line_of(self.lines, ("keep", "columns")),
            outcomes_file=outcomes_file,
            missing_columns=missing_columns,
            lines=self.lines,
        )

    def table(self, path: tuple[str, ...], required: bool = False) -> dict[str, Any]:
        node: Any = self.data
        for part in path:
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            if required:
                self.problem(path, "missing: this section is required")
            return {}
        if not isinstance(node, dict):
            self.problem(path, "must be a table")
            return {}
        return node

    def section(self, name: str, required: bool = False) -> Section:
        raw = self.table((name,), required)
        known = catalogue(name)
        list_column = raw.get("list") if name in ("items", "findings") else None
        if list_column is not None and not isinstance(list_column, str):
            self.problem((name, "list"), "must be a column name")
            list_column = None
        fields: dict[str, FieldSpec] = {}

        def walk(node: dict[str, Any], prefix: tuple[str, ...]) -> None:
            for key, value in node.items():
                path = (*prefix, key)
                target = ".".join(path[1:])
                if len(path) == 2 and key == "list" and name in ("items", "findings"):
                    continue
                if isinstance(value, dict) and not (set(value) & set(SOURCES)):
                    if not any(t.startswith(target + ".") for t in known):
                        self.problem(path, self.unknown_target(name, target))
                        continue
                    walk(value, path)
                    continue
                if target not in known:
                    self.problem(path, self.unknown_target(name, target))
                    continue
                spec = self.spec(path, value, known[target][0])
                if spec is not None:
                    fields[target] = spec

        walk(raw, (name,))
        if raw or required:
            for target in missing_required(name, set(fields)):
                self.problem((name,), f"required field {target!r} is not mapped")
        return Section(fields, list_column, line_of(self.lines, (name,)))

    def unknown_target(self, section: str, target: str) -> str:
        names = sorted(catalogue(section))
        close = [n for n in names if n.rpartition(".")[2] == target.rpartition(".")[2]]
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        return f"unknown field {target!r} of [{section}]{hint}"

    def spec(
        self, path: tuple[str, ...], value: Any, kind: Kind, required: bool = False
    ) -> FieldSpec | None:
        target = ".".join(path[1:])
        line = line_of(self.lines, path)
        if value is None:
            if required:
                self.problem(path, "missing")
            return None
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return FieldSpec(target, kind, line, value=str(value))  # a bare constant
        if not isinstance(value, dict):
            self.problem(path, 'must be a table such as { column = "Name" }')
            return None
        sources = [s for s in SOURCES if s in value]
        if len(sources) != 1:
            self.problem(path, f"say exactly one of {', '.join(SOURCES)}")
            return None
        for key in value:
            if key not in SOURCES and key not in TRANSFORMS:
                known = ", ".join(sorted(TRANSFORMS))
                self.problem((*path, key), f"unknown transform {key!r}; use one of {known}")
        if kind != "datetime":
            for key in TIME_TRANSFORMS & set(value):
                self.problem((*path, key), f"{key} applies to times only, not to {target!r}")
        for key in ("multiply", "null_above"):
            if kind != "number" and key in value:
                self.problem((*path, key), f"{key} applies to numbers, not to {target!r}")
        args: dict[str, Any] = {}
        source = sources[0]
        raw_source = value[source]
        if source == "columns":
            if not (
                isinstance(raw_source, list)
                and raw_source
                and all(isinstance(c, str) and c for c in raw_source)
            ):
                self.problem((*path, "columns"), "must be a non-empty list of column names")
                return None
            args["columns"] = tuple(raw_source)
        elif source == "column":
            if not isinstance(raw_source, str) or not raw_source:
                self.problem((*path, "column"), "must be a column name")
                return None
            args["columns"] = (raw_source,)
        elif source == "template":
            if not isinstance(raw_source, str) or (
                "{" in raw_source and not placeholders(raw_source)
            ):
                self.problem((*path, "template"), "must be text with {Column} placeholders")
                return None
            args["template"] = raw_source
        else:
            if not isinstance(raw_source, str | int | float) or isinstance(raw_source, bool):
                self.problem((*path, "value"), "must be text or a number")
                return None
            args["value"] = str(raw_source)
        args.update(self.transforms(path, value, kind))
        return FieldSpec(target, kind, line, **args)

    def transforms(
        self, path: tuple[str, ...], value: dict[str, Any], kind: Kind
    ) -> dict[str, Any]:
        args: dict[str, Any] = {}

        def text(key: str) -> str | None:
            raw = value.get(key)
            if raw is None:
                return None
            if isinstance(raw, bool) or not isinstance(raw, str | int | float):
                self.problem((*path, key), "must be text")
                return None
            return str(raw)

        if "null_if" in value:
            raw = value["null_if"]
            items = raw if isinstance(raw, list) else [raw]
            if not all(isinstance(i, str | int | float) for i in items):
                self.problem((*path, "null_if"), "must be a value or a list of values")
            args["null_if"] = frozenset(str(i) for i in items)
        args["default"] = text("default")
        args["otherwise"] = text("otherwise")
        if "map" in value:
            table = value["map"]
            if not isinstance(table, dict) or not all(
                isinstance(v, str | int | float) and not isinstance(v, bool) for v in table.values()
            ):
                self.problem((*path, "map"), "must be a table of source value = target value")
            else:
                args["code_table"] = {str(k): str(v) for k, v in table.items()}
        elif "otherwise" in value:
            self.problem((*path, "otherwise"), "otherwise needs a map")
        for flag in ("upper", "lower", "keep_unmapped"):
            if flag in value:
                if not isinstance(value[flag], bool):
                    self.problem((*path, flag), "must be true or false")
                args[flag] = value[flag] is True
        if "pad" in value:
            pad = value["pad"]
            if isinstance(pad, bool) or not isinstance(pad, int) or not 1 <= pad <= MAX_PAD:
                self.problem((*path, "pad"), f"must be a whole number from 1 to {MAX_PAD}")
            else:
                args["pad"] = pad
        for key, name in (("multiply", "multiply"), ("null_above", "null_above")):
            if key not in value or kind != "number":
                continue
            try:
                number = Decimal(str(value[key]))
                if isinstance(value[key], bool) or not number.is_finite() or number <= 0:
                    raise InvalidOperation
                args[name] = number
            except InvalidOperation:
                self.problem((*path, key), "must be a positive number")
        if kind == "datetime":
            args |= self.time_transforms(path, value)
        return {k: v for k, v in args.items() if v is not None}

    def time_transforms(
        self, path: tuple[str, ...], value: MappingType[str, Any]
    ) -> dict[str, Any]:
        args: dict[str, Any] = {}
        date_format = value.get("format")
        if date_format is not None:
            if not isinstance(date_format, str) or "%" not in date_format:
                self.problem((*path, "format"), "must be a strptime format such as %Y-%m-%d")
            elif date_format.lower() != "iso":
                args["date_format"] = date_format
        zone: tzinfo | None = None
        if "timezone" in value:
            try:
                zone = ZoneInfo(str(value["timezone"]))
            except (ZoneInfoNotFoundError, ValueError):
                self.problem((*path, "timezone"), f"unknown time zone {value['timezone']!r}")
        args["timezone"] = zone
        if isinstance(date_format, str) and "%z" not in date_format and zone is None:
            self.problem((*path, "format"), "times without an offset need a timezone")
        shift = timedelta(0)
        for key, unit in (("shift_days", "days"), ("shift_hours", "hours")):
            if key in value:
                amount = value[key]
                if isinstance(amount, bool) or not isinstance(amount, int | float):
                    self.problem((*path, key), "must be a number")
                else:
                    shift += timedelta(**{unit: amount})
        args["shift"] = shift
        return args

    def outcomes_file(self) -> OutcomesFile | None:
        raw = self.table(("outcomes_file",))
        match = raw.get("match")
        patterns = [match] if isinstance(match, str) else match
        if (
            not isinstance(patterns, list)
            or not patterns
            or not all(isinstance(p, str) for p in patterns)
        ):
            self.problem(("outcomes_file", "match"), "must be a file name pattern or a list")
            patterns = []
        for key in raw:
            if key not in ("match", "filer", "filer_reference"):
                self.problem(
                    ("outcomes_file", key), "unknown key; use match, filer, filer_reference"
                )
        filer = self.spec(("outcomes_file", "filer"), raw.get("filer"), "text", required=True)
        reference = self.spec(
            ("outcomes_file", "filer_reference"), raw.get("filer_reference"), "text", required=True
        )
        if filer is None or reference is None:
            return None
        return OutcomesFile(tuple(patterns), filer, reference)
