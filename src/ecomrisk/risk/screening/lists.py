"""Parsers of watch-list files into list entries. Pure: text in, entries out.

Three layouts are read (see docs/screening.md): the Consolidated Screening
List (CSV and JSON), the UFLPA Entity List (CSV, layout of our own), and an
agency's own list (CSV). A bad file raises ``ListFileError`` naming the file,
the line (or JSON record), the field and the problem.
"""

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ecomrisk.reference.countries import is_country

KINDS = ("csl", "uflpa", "agency")
MAX_ENTRIES = 200_000  # a list larger than this is a wrong file, not a list
MAX_FIELD_CHARS = 10_000

CSL_COLUMNS = [
    "_id",
    "source",
    "entity_number",
    "type",
    "programs",
    "name",
    "title",
    "addresses",
    "federal_register_notice",
    "start_date",
    "end_date",
    "standard_order",
    "license_requirement",
    "license_policy",
    "call_sign",
    "vessel_type",
    "gross_tonnage",
    "gross_registered_tonnage",
    "vessel_flag",
    "vessel_owner",
    "remarks",
    "source_list_url",
    "alt_names",
    "citizenships",
    "nationalities",
    "places_of_birth",
    "dates_of_birth",
    "source_information_url",
    "ids",
]
UFLPA_COLUMNS = [
    "entity_name",
    "alternate_names",
    "addresses",
    "country",
    "date_added",
    "list_section",
]
UFLPA_SECTIONS = ("i", "ii", "iii", "iv", "v")
AGENCY_COLUMNS = ["name", "aliases", "address", "country", "reason"]

_CSL_TYPES = {
    "entity": "entity",
    "individual": "individual",
    "vessel": "vessel",
    "aircraft": "aircraft",
}
_TRAILING_COUNTRY = re.compile(r",\s*([A-Z]{2})\s*$")


class ListFileError(ValueError):
    """A watch-list file that cannot be imported, with where and why."""

    def __init__(self, file: str, where: str, field_name: str | None, problem: str) -> None:
        self.file, self.where, self.field_name, self.problem = file, where, field_name, problem
        location = f"{file}:{where}" + (f": field {field_name!r}" if field_name else "")
        super().__init__(f"{location}: {problem}")


@dataclass(frozen=True)
class ListEntry:
    """One listed party, whatever list it comes from."""

    key: str  # stable within its list: entity number, id, or the row's position
    entity_type: str  # entity | individual | vessel | aircraft
    name: str
    aliases: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    details: dict[str, str] = field(default_factory=dict)  # programs, source, reason ...

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class ParsedList:
    kind: str
    entries: tuple[ListEntry, ...]
    content_hash: str  # sha256 of the file's bytes: the identity of a list version


def _split(value: str, separator: str = ";") -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(separator) if part.strip())


def _countries(file: str, where: str, field_name: str, value: str) -> tuple[str, ...]:
    codes = tuple(code.upper() for code in _split(value.replace(",", ";")))
    for code in codes:
        if not is_country(code):
            raise ListFileError(file, where, field_name, f"unknown ISO country code {code!r}")
    return codes


def _csv_rows(text: str, file: str, required: list[str]) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = reader.fieldnames or []
    missing = [name for name in required if name not in header]
    if missing:
        raise ListFileError(file, "line 1", missing[0], "missing column in header")
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for row in reader:
            line = f"line {reader.line_num}"
            if None in row:
                raise ListFileError(file, line, None, "more fields than the header has columns")
            values = {key: (value or "").strip() for key, value in row.items()}
            for key, value in values.items():
                if len(value) > MAX_FIELD_CHARS:
                    raise ListFileError(file, line, key, f"longer than {MAX_FIELD_CHARS} chars")
            rows.append((reader.line_num, values))
            if len(rows) > MAX_ENTRIES:
                raise ListFileError(file, line, None, f"more than {MAX_ENTRIES} entries")
    except csv.Error as error:
        raise ListFileError(file, f"line {reader.line_num}", None, f"bad CSV: {error}") from None
    return rows


def _required(file: str, where: str, values: dict[str, str], name: str) -> str:
    value = values.get(name, "")
    if not value:
        raise ListFileError(file, where, name, "required but empty")
    return value


def _csl_entry(file: str, where: str, raw: dict[str, Any]) -> ListEntry:
    def text(name: str) -> str:
        value = raw.get(name)
        if value is None:
            return ""
        if not isinstance(value, str | int | float):
            raise ListFileError(file, where, name, f"expected text, got {type(value).__name__}")
        return str(value).strip()

    def listed(name: str) -> tuple[str, ...]:
        value = raw.get(name)
        if isinstance(value, list):
            return tuple(str(item).strip() for item in value if str(item).strip())
        return _split(text(name))

    name = _required(file, where, {"name": text("name")}, "name")
    entity_type = _CSL_TYPES.get(text("type").lower(), "entity")
    addresses: list[str] = []
    countries: list[str] = []
    raw_addresses = raw.get("addresses")
    if isinstance(raw_addresses, list):  # JSON: objects with address/city/state/postal_code/country
        for i, item in enumerate(raw_addresses):
            if not isinstance(item, dict):
                raise ListFileError(file, where, f"addresses[{i}]", "expected an object")
            parts = [str(item.get(k) or "") for k in ("address", "city", "state", "postal_code")]
            addresses.append(", ".join(part for part in parts if part))
            if item.get("country"):
                countries += _countries(
                    file, where, f"addresses[{i}].country", str(item["country"])
                )
    else:  # CSV: "street, city, state, postal, CC; ..."
        for address in _split(text("addresses")):
            found = _TRAILING_COUNTRY.search(address)
            if found and is_country(found.group(1)):
                countries.append(found.group(1))
                address = address[: found.start()]
            addresses.append(address)
    for column in ("citizenships", "nationalities"):
        countries += _countries(file, where, column, ";".join(listed(column)))
    key = text("entity_number") or text("_id") or where
    return ListEntry(
        key=key,
        entity_type=entity_type,
        name=name,
        aliases=tuple(alias for alias in listed("alt_names") if alias != name),
        addresses=tuple(address for address in addresses if address),
        countries=tuple(dict.fromkeys(countries)),
        details={"source": text("source"), "programs": "; ".join(listed("programs"))},
    )


def parse_csl_csv(text: str, file: str) -> tuple[ListEntry, ...]:
    rows = _csv_rows(text, file, ["name", "type", "alt_names", "addresses"])
    return tuple(_csl_entry(file, f"line {line}", values) for line, values in rows)


def parse_csl_json(text: str, file: str) -> tuple[ListEntry, ...]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ListFileError(file, f"line {error.lineno}", None, f"bad JSON: {error.msg}") from None
    if not isinstance(document, dict) or not isinstance(document.get("results"), list):
        raise ListFileError(file, "line 1", "results", 'expected {"results": [...]}')
    results = document["results"]
    if len(results) > MAX_ENTRIES:
        raise ListFileError(file, "line 1", "results", f"more than {MAX_ENTRIES} entries")
    entries = []
    for i, raw in enumerate(results):
        # JSON records have no line of their own: the record's index locates it.
        where = f"results[{i}]"
        if not isinstance(raw, dict):
            raise ListFileError(file, where, None, "expected an object")
        entries.append(_csl_entry(file, where, raw))
    return tuple(entries)


def parse_uflpa_csv(text: str, file: str) -> tuple[ListEntry, ...]:
    entries = []
    for line, values in _csv_rows(text, file, UFLPA_COLUMNS):
        where = f"line {line}"
        name = _required(file, where, values, "entity_name")
        added = _required(file, where, values, "date_added")
        try:
            date.fromisoformat(added)
        except ValueError:
            problem = f"not a YYYY-MM-DD date: {added!r}"
            raise ListFileError(file, where, "date_added", problem) from None
        section = _required(file, where, values, "list_section").lower()
        if section not in UFLPA_SECTIONS:
            raise ListFileError(
                file,
                where,
                "list_section",
                f"{section!r} is not one of {', '.join(UFLPA_SECTIONS)}",
            )
        entries.append(
            ListEntry(
                key=f"uflpa-{line - 1}",
                entity_type="entity",
                name=name,
                aliases=_split(values["alternate_names"]),
                addresses=_split(values["addresses"]),
                countries=_countries(file, where, "country", values["country"]),
                details={"date_added": added, "list_section": section},
            )
        )
    return tuple(entries)


def parse_agency_csv(text: str, file: str) -> tuple[ListEntry, ...]:
    entries = []
    for line, values in _csv_rows(text, file, AGENCY_COLUMNS):
        where = f"line {line}"
        entries.append(
            ListEntry(
                key=f"agency-{line - 1}",
                entity_type="entity",
                name=_required(file, where, values, "name"),
                aliases=_split(values["aliases"]),
                addresses=_split(values["address"]),
                countries=_countries(file, where, "country", values["country"]),
                details={"reason": _required(file, where, values, "reason")},
            )
        )
    return tuple(entries)


def parse_list(kind: str, data: bytes, file: str) -> ParsedList:
    """Parse a list file of ``kind`` (csl, uflpa, agency); CSL may be CSV or JSON."""
    if kind not in KINDS:
        raise ListFileError(file, "line 1", None, f"unknown list kind {kind!r}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ListFileError(file, f"line {line}", None, "not UTF-8 text") from None
    if kind == "csl":
        is_json = text.lstrip("\ufeff \r\n\t").startswith("{")
        entries = parse_csl_json(text, file) if is_json else parse_csl_csv(text, file)
    elif kind == "uflpa":
        entries = parse_uflpa_csv(text, file)
    else:
        entries = parse_agency_csv(text, file)
    if not entries:
        raise ListFileError(file, "line 1", None, "the list has no entries")
    return ParsedList(kind=kind, entries=entries, content_hash=hashlib.sha256(data).hexdigest())
