"""The exam form as an ``Outcome``: empty fields are absent, problems name the field.
Pure: no I/O."""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ecomrisk.domain.records import Outcome
from ecomrisk.ingest.problems import parse

FINDING_ROWS = 3  # finding rows on the form; an exam with more is rare at a counter
FINDING_FIELDS = ("finding_type", "corrected_value", "corrected_hs_code", "note")
SIMPLE_FIELDS = (
    "exam_type",
    "result",
    "action",
    "selection",
    "msrp_seized",
    "revenue_recovered",
    "currency",
)


def _text(form: Mapping[str, Any], name: str) -> str | None:
    value = form.get(name)
    if not isinstance(value, str):
        return None
    return value.strip() or None


def outcome_from_form(
    form: Mapping[str, Any], now: datetime | None = None
) -> tuple[Outcome | None, list[str], list[int | None]]:
    """(outcome, problems, recordation id per finding) from the submitted form."""
    data: dict[str, Any] = {
        name: value for name in SIMPLE_FIELDS if (value := _text(form, name)) is not None
    }
    data.setdefault("selection", "targeted")
    examined = _text(form, "examined_at")
    data["examined_at"] = examined or (now or datetime.now(UTC)).isoformat()
    if examined and len(examined) == 16:  # a datetime-local field: minutes, no zone; UTC
        data["examined_at"] = examined + ":00+00:00"
    found = []
    recordations: list[int | None] = []
    problems: list[str] = []
    for row in range(1, FINDING_ROWS + 1):
        finding = {
            name: value
            for name in FINDING_FIELDS
            if (value := _text(form, f"{name}_{row}")) is not None
        }
        if not finding:
            continue
        found.append(finding)
        recordation = _text(form, f"recordation_{row}")
        if recordation is not None and not recordation.isdecimal():
            problems.append(f"recordation_{row}: choose a recordation from the list")
            recordation = None
        if recordation is not None and finding.get("finding_type") != "counterfeit":
            problems.append(f"recordation_{row}: only a counterfeit finding links to a recordation")
        recordations.append(int(recordation) if recordation else None)
    data["findings"] = found
    outcome, field_problems = parse(Outcome, data)
    problems += [f"{p.path}: {p.problem}" for p in field_problems]
    if problems:
        return None, problems, recordations
    return outcome, [], recordations
