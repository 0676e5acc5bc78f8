"""Raw records (parsed JSON) to submissions, or the list of their problems. Pure."""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ecomrisk.domain.records import PostalItemFiling, ShipmentFiling
from ecomrisk.ingest.itmatt import ItmattItem
from ecomrisk.ingest.problems import FieldProblem, parse
from ecomrisk.store.shipments_repo import Submission


class RecordKind(StrEnum):
    """What one record of a batch or bulk file is."""

    SHIPMENT = "shipment"
    POSTAL_ITEM = "postal_item"
    ITMATT = "itmatt"


def to_submission(
    data: Any, kind: RecordKind, *, amend: bool = False
) -> tuple[Submission | None, list[FieldProblem]]:
    if kind is RecordKind.SHIPMENT:
        filing, problems = parse(ShipmentFiling, data)
        return (Submission(filing, amend) if filing else None), problems
    if kind is RecordKind.POSTAL_ITEM:
        postal, problems = parse(PostalItemFiling, data)
        return (Submission.of_postal(postal, amend) if postal else None), problems
    item, problems = parse(ItmattItem, data)
    if item is None:
        return None, problems
    postal, problems = parse(PostalItemFiling, item.to_filing().model_dump())
    return (Submission.of_postal(postal, amend) if postal else None), problems


def reference_of(data: Any) -> str | None:
    """The filer_reference of a raw record, when it has a readable one (for error lists)."""
    if isinstance(data, dict):
        value = data.get("filer_reference", data.get("FilerReference", data.get("ItemId")))
        if isinstance(value, str):
            return value[:100]
    return None


@dataclass
class RecordError:
    """A rejected record: where it is, its key if readable, an HTTP-like status, why."""

    position: str
    filer_reference: str | None
    status: int  # 422 invalid, 409 conflict, 404 nothing to amend
    errors: list[FieldProblem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "filer_reference": self.filer_reference,
            "status": self.status,
            "errors": [e.as_dict() for e in self.errors],
        }
