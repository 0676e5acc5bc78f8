"""Filings through the real ingestion path (validated, stored, decided), at chosen
times, and their exam outcomes, for the model's store tests."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from ecomrisk.domain.enums import FilerType
from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.domain.records import Outcome
from ecomrisk.ingest.validate import RecordKind, to_submission
from ecomrisk.risk.context import decider
from ecomrisk.risk.decide import Decider
from ecomrisk.settings import Settings
from ecomrisk.store import filers_repo
from ecomrisk.store.outcomes_repo import record_outcome
from ecomrisk.store.shipments_repo import Receipt, write_shipments
from tests.samples import shipment


@dataclass
class Filings:
    engine: Engine
    settings: Settings = field(default_factory=Settings)
    filer_id: int = 0
    deciding: Decider | None = None

    def __post_init__(self) -> None:
        with self.engine.begin() as connection:
            filer, _ = filers_repo.create_filer(
                connection, code="F", name="F", filer_type=FilerType.BROKER, actor="t"
            )
        self.filer_id = filer.id
        self.deciding = decider(self.engine, self.settings)
        self.deciding.context.refresh_seconds = 0  # a promotion takes effect at once
        self.deciding.context.models.refresh_seconds = 0

    def file(self, reference: str, at: datetime, **overrides: Any) -> int:
        body = shipment(reference, estimated_arrival=(at + timedelta(hours=30)).isoformat())
        body.update(overrides)
        submission, problems = to_submission(body, RecordKind.SHIPMENT)
        assert submission is not None, problems
        assert self.deciding is not None
        with self.engine.begin() as connection:
            (receipt,) = write_shipments(
                connection,
                self.filer_id,
                [submission],
                profile=load_profile(self.settings.jurisdiction),
                actor="t",
                now=at,
                on_written=self.deciding.written,
            )
        assert isinstance(receipt, Receipt)
        assert receipt.shipment_id is not None
        return receipt.shipment_id

    def outcome(
        self, sid: int, at: datetime, *, violation: bool, selection: str = "targeted"
    ) -> None:
        data = {
            "exam_type": "physical",
            "result": "violation" if violation else "no_violation",
            "findings": [{"finding_type": "undervaluation"}] if violation else [],
            "action": "seize" if violation else "release",
            "examined_at": at.isoformat(),
            "selection": selection,
            "inclusion_probability": 0.01 if selection == "random" else None,
        }
        if violation:
            data.update(revenue_recovered="12.50", currency="USD")
        with self.engine.begin() as connection:
            record_outcome(connection, sid, Outcome.model_validate(data), actor="t", recorded_at=at)
