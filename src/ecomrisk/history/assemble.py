"""Source rows to domain records through a mapping: one shipment (with its items,
outcome and findings) from the consecutive rows that share its key. Pure.

Nothing here is stored: the records are validated by the same pydantic models
as live filings (``ShipmentFiling``, ``Outcome``), and every problem names the
target field (``items.0.hs_code``, ``outcome.result``) and what is wrong.
"""

from collections import ChainMap
from collections.abc import Iterable, Iterator
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ecomrisk.domain.records import Outcome, ShipmentFiling
from ecomrisk.history.mapping import Mapping, Section
from ecomrisk.history.readers import SourceRow
from ecomrisk.history.transforms import FieldSpec, ValueIssue, cell
from ecomrisk.ingest.problems import FieldProblem, parse, safe_value

Key = tuple[str | None, str | None]  # (filer code, filer reference)


@dataclass
class Assembled:
    """One shipment (or, from an outcomes file, one outcome) ready to store, or why not."""

    position: str
    rows: list[dict[str, Any]]
    filer: str | None = None
    reference: str | None = None
    received_at: datetime | None = None
    filing: ShipmentFiling | None = None
    outcome: Outcome | None = None
    recorded_at: datetime | None = None
    kept: list[dict[str, str]] = field(default_factory=list)
    problems: list[FieldProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _put(target: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    node = target
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value


def _value(
    spec: FieldSpec, row: MappingType[str, Any], stem: str, where: str, problems: list[FieldProblem]
) -> Any:
    try:
        return spec.apply(row, stem)
    except ValueIssue as problem:
        raw = row.get(spec.columns[0]) if spec.columns else spec.template
        problems.append(FieldProblem(where, str(problem), safe_value(cell(raw))))
        return None


def _fill(
    section: Section,
    row: MappingType[str, Any],
    stem: str,
    prefix: str,
    problems: list[FieldProblem],
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for target, spec in section.fields.items():
        value = _value(spec, row, stem, f"{prefix}{target}", problems)
        if value is not None:
            _put(data, target, value)
    return data


def _elements(section: Section, row: MappingType[str, Any]) -> list[MappingType[str, Any]]:
    """The rows a section reads: the row itself, or each element of its list column
    (with the row's own columns visible behind the element's)."""
    if section.list_column is None:
        return [row]
    nested = row.get(section.list_column)
    if not isinstance(nested, list):
        return []
    return [ChainMap(element, dict(row)) for element in nested if isinstance(element, dict)]


def key_of(mapping: Mapping, row: SourceRow, stem: str, outcomes_only: bool) -> Key:
    if outcomes_only:
        assert mapping.outcomes_file is not None
        specs = (mapping.outcomes_file.filer, mapping.outcomes_file.filer_reference)
    else:
        specs = (mapping.filer_code, mapping.shipment.fields["filer_reference"])
    values = []
    for spec in specs:
        try:
            values.append(spec.apply(row.data, stem))
        except ValueIssue:
            values.append(None)  # reported with the record's other problems
    return values[0], values[1]


def groups(
    rows: Iterable[SourceRow], mapping: Mapping, stem: str, outcomes_only: bool
) -> Iterator[tuple[Key, list[SourceRow]]]:
    """Consecutive rows with the same key; an unreadable row is a group of its own."""
    group: list[SourceRow] = []
    key: Key = (None, None)
    for row in rows:
        row_key = (None, None) if row.problem else key_of(mapping, row, stem, outcomes_only)
        if group and (row.problem or row_key != key or group[0].problem):
            yield key, group
            group = []
        group.append(row)
        key = row_key
    if group:
        yield key, group


def _new(found: list[FieldProblem], known: list[FieldProblem]) -> list[FieldProblem]:
    """Problems of fields not reported yet: a value the mapping could not read is
    also "missing" to the record, which says nothing more."""
    paths = {p.path for p in known}
    return [p for p in found if p.path not in paths]


def _position(group: list[SourceRow]) -> str:
    if len(group) == 1:
        return group[0].position
    kind, _, first = group[0].position.partition(" ")
    return f"{kind}s {first}-{group[-1].position.partition(' ')[2]}"


def _outcome(mapping: Mapping, row: MappingType[str, Any], stem: str, record: Assembled) -> None:
    """The outcome of ``row`` into ``record`` when the mapping has one and its result is there."""
    if mapping.outcome is None:
        return
    problems = record.problems
    data = _fill(mapping.outcome, row, stem, "outcome.", problems)
    recorded_at = data.pop("recorded_at", None)
    if "result" not in data and not problems:
        return  # not inspected
    findings = []
    if mapping.findings is not None:
        for number, element in enumerate(_elements(mapping.findings, row)):
            prefix = f"outcome.findings.{number}." if mapping.findings.list_column else "outcome."
            finding = _fill(mapping.findings, element, stem, prefix, problems)
            if finding.get("finding_type"):
                findings.append(finding)
    data["findings"] = findings
    outcome, invalid = parse(Outcome, data)
    problems += _new(
        [FieldProblem(f"outcome.{p.path}", p.problem, p.value) for p in invalid], problems
    )
    record.outcome = outcome
    record.recorded_at = recorded_at or (outcome.examined_at if outcome else None)


def assemble(
    mapping: Mapping, key: Key, group: list[SourceRow], stem: str, outcomes_only: bool
) -> Assembled:
    record = Assembled(_position(group), [row.data for row in group], *key)
    unreadable = [row for row in group if row.problem]
    if unreadable:
        record.problems = [FieldProblem("(record)", row.problem or "") for row in unreadable]
        return record
    first = group[0].data
    if outcomes_only:
        if not key[0] or not key[1]:
            record.problems.append(FieldProblem("filer_reference", "no shipment key in the row"))
        _outcome(mapping, first, stem, record)
        if record.outcome is None and not record.problems:
            record.problems.append(FieldProblem("outcome.result", "no outcome in the row"))
        return record
    problems = record.problems
    shipment_fields = Section(
        {t: s for t, s in mapping.shipment.fields.items() if t != "received_at"}
    )
    data = _fill(shipment_fields, first, stem, "", problems)
    received = mapping.shipment.fields["received_at"]
    record.received_at = _value(received, first, stem, "received_at", problems)
    if record.received_at is None and not problems:
        problems.append(FieldProblem("received_at", "missing: when the filing was received"))
    if not key[0]:
        problems.append(FieldProblem("filer", "missing: the filer code is empty"))
    items: list[dict[str, Any]] = []
    for row in group:
        for element in _elements(mapping.items, row.data):
            items.append(_fill(mapping.items, element, stem, f"items.{len(items)}.", problems))
    data["items"] = items
    filing, invalid = parse(ShipmentFiling, data)
    problems += _new(invalid, problems)
    record.filing = filing
    _outcome(mapping, first, stem, record)
    record.kept = [{c: cell(row.data.get(c)) for c in mapping.keep} for row in group]
    if problems:
        record.filing = record.outcome = None
    return record
