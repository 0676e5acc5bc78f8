"""Request and response bodies of the filer API, named by role.

Filers see receipts, statuses, validation errors and data quality; risk scores
and decisions never appear in any of these.
"""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from ecomrisk.ingest.problems import FieldProblem
from ecomrisk.ingest.validate import RecordError
from ecomrisk.store.manifests_repo import ManifestReceipt as StoredManifestReceipt
from ecomrisk.store.manifests_repo import ManifestSummary
from ecomrisk.store.shipments_query import ScorecardDay, ShipmentSummary, ShipmentView
from ecomrisk.store.shipments_repo import Receipt


class ProblemPublic(BaseModel):
    path: str = Field(description="Dotted path to the field, e.g. items.0.hs_code")
    problem: str
    value: Any = Field(default=None, description="The offending value (cut to 200 characters)")

    @classmethod
    def of(cls, problem: FieldProblem) -> "ProblemPublic":
        return cls(path=problem.path, problem=problem.problem, value=problem.value)


class ErrorBody(BaseModel):
    detail: str
    errors: list[ProblemPublic] = Field(default_factory=list)


class ShipmentReceipt(BaseModel):
    filer_reference: str
    version: int
    status: str = Field(description="active or cancelled")
    content_hash: str = Field(description="sha256 of the canonical filing")
    received_at: datetime
    replayed: bool = Field(description="True: identical to an earlier submission; nothing written")
    quality_score: float | None = Field(default=None, description="Data quality in [0, 1]")
    warnings: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, receipt: Receipt) -> "ShipmentReceipt":
        return cls(
            filer_reference=receipt.filer_reference,
            version=receipt.version,
            status=receipt.status,
            content_hash=receipt.content_hash,
            received_at=receipt.received_at,
            replayed=receipt.replayed,
            quality_score=receipt.quality_score,
            warnings=list(receipt.warnings),
        )


class QualityReasonPublic(BaseModel):
    part: str
    code: str
    text: str
    penalty: float


class VersionPublic(BaseModel):
    version: int
    status: str
    content_hash: str
    received_at: datetime
    is_current: bool
    quality_score: float | None
    quality_reasons: list[QualityReasonPublic]


class ShipmentPublic(BaseModel):
    filer_reference: str
    mode: str
    house_bill: str
    estimated_arrival: datetime
    status: str
    version: int
    versions: list[VersionPublic]
    filing: dict[str, Any] = Field(description="The current version as accepted")

    @classmethod
    def of(cls, view: ShipmentView) -> "ShipmentPublic":
        return cls(
            filer_reference=view.filer_reference,
            mode=view.mode,
            house_bill=view.house_bill,
            estimated_arrival=view.estimated_arrival,
            status=view.current.status,
            version=view.current.version,
            versions=[
                VersionPublic(
                    version=v.version,
                    status=v.status,
                    content_hash=v.content_hash,
                    received_at=v.received_at,
                    is_current=v.is_current,
                    quality_score=v.quality_score,
                    quality_reasons=[QualityReasonPublic(**r) for r in v.quality_reasons],
                )
                for v in view.versions
            ],
            filing=view.filing,
        )


class ShipmentSummaryPublic(BaseModel):
    filer_reference: str
    version: int
    status: str
    mode: str
    house_bill: str
    received_at: datetime

    @classmethod
    def of(cls, s: ShipmentSummary) -> "ShipmentSummaryPublic":
        return cls(
            filer_reference=s.filer_reference,
            version=s.version,
            status=s.status,
            mode=s.mode,
            house_bill=s.house_bill,
            received_at=s.received_at,
        )


class ShipmentPage(BaseModel):
    items: list[ShipmentSummaryPublic]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null at the end")


class BatchRequest(BaseModel):
    shipments: list[dict[str, Any]] = Field(
        description="Shipment filings; each is validated on its own", min_length=1
    )
    all_or_nothing: bool = Field(
        default=False, description="Reject the whole batch if any record is refused"
    )
    amend: bool = Field(default=False, description="Treat every filing as an amendment")


class RecordErrorPublic(BaseModel):
    position: str = Field(description="'index 3' in a batch, 'line 12' in a file")
    filer_reference: str | None
    status: int = Field(description="422 invalid, 409 conflict, 404 nothing to amend")
    errors: list[ProblemPublic]

    @classmethod
    def of(cls, error: RecordError) -> "RecordErrorPublic":
        return cls(
            position=error.position,
            filer_reference=error.filer_reference,
            status=error.status,
            errors=[ProblemPublic.of(p) for p in error.errors],
        )


class BatchRefused(BaseModel):
    """A 422 of the batch route: the request itself is invalid (problems), or an
    all_or_nothing batch was refused (one entry per refused record)."""

    detail: str
    errors: list[RecordErrorPublic | ProblemPublic] = Field(default_factory=list)


class BatchResult(BaseModel):
    accepted: int
    replayed: int
    rejected: int
    receipts: list[ShipmentReceipt]
    errors: list[RecordErrorPublic]


class BulkResult(BaseModel):
    records: int
    accepted: int
    replayed: int
    rejected: int
    errors: list[RecordErrorPublic]
    errors_truncated: bool = Field(description="More records were rejected than are listed")


class ManifestReceipt(BaseModel):
    filer_reference: str
    version: int
    content_hash: str
    received_at: datetime
    on_time: bool = Field(description="Filed before the profile's deadline for the mode")
    status: str = Field(description="active or cancelled")
    replayed: bool
    warnings: list[str]

    @classmethod
    def of(cls, r: StoredManifestReceipt) -> "ManifestReceipt":
        return cls(
            filer_reference=r.filer_reference,
            version=r.version,
            content_hash=r.content_hash,
            received_at=r.received_at,
            on_time=r.on_time,
            status=r.status,
            replayed=r.replayed,
            warnings=list(r.warnings),
        )


class ManifestSummaryPublic(BaseModel):
    filer_reference: str
    version: int
    status: str
    mode: str
    conveyance_reference: str
    estimated_arrival: datetime
    on_time: bool
    received_at: datetime

    @classmethod
    def of(cls, m: ManifestSummary) -> "ManifestSummaryPublic":
        return cls(
            filer_reference=m.filer_reference,
            version=m.version,
            status=m.status,
            mode=m.mode,
            conveyance_reference=m.conveyance_reference,
            estimated_arrival=m.estimated_arrival,
            on_time=m.on_time,
            received_at=m.received_at,
        )


class ManifestPage(BaseModel):
    items: list[ManifestSummaryPublic]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null at the end")


class ScorecardDayPublic(BaseModel):
    day: str
    filings: int
    score: float
    completeness: float
    timeliness: float
    consistency: float
    on_time_share: float

    @classmethod
    def of(cls, d: ScorecardDay) -> "ScorecardDayPublic":
        return cls(**d.__dict__)


class ScorecardPublic(BaseModel):
    filer: str
    since: str
    filings: int
    score: float | None
    days: list[ScorecardDayPublic]
    common_reasons: dict[str, int]
