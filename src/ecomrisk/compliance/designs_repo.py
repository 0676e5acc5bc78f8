"""Compliance sample designs in the store: the latest one is in force, and
selection draws each stratum's random sample at its rate (never below the
profile's floors)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from ecomrisk import audit
from ecomrisk.compliance.design import StratumDesign
from ecomrisk.compliance.strata import STRATIFIERS
from ecomrisk.store.schema import sample_designs

DEFAULT_BY = STRATIFIERS


@dataclass(frozen=True)
class StoredDesign:
    id: int
    by: tuple[str, ...]
    parameters: dict[str, Any]
    strata: list[dict[str, Any]]

    def rate(self, stratum: str) -> float:
        for row in self.strata:
            if row["stratum"] == stratum:
                return float(row["rate"])
        return 0.0


def as_json(parameters: dict[str, Any], strata: Sequence[StratumDesign]) -> dict[str, Any]:
    return {
        "parameters": parameters,
        "total_population": sum(s.population for s in strata),
        "total_sample": sum(s.sample_size for s in strata),
        "strata": [
            {
                "stratum": s.stratum,
                "population": s.population,
                "sample_size": s.sample_size,
                "rate": s.rate,
            }
            for s in strata
        ],
    }


def save(
    connection: Connection, parameters: dict[str, Any], strata: Sequence[StratumDesign], actor: str
) -> int:
    document = as_json(parameters, strata)
    design_id = connection.execute(
        sample_designs.insert()
        .values(
            created_at=datetime.now(UTC),
            created_by=actor,
            parameters=parameters,
            strata=document["strata"],
        )
        .returning(sample_designs.c.id)
    ).scalar_one()
    audit.record(
        connection,
        actor=actor,
        action="compliance.design",
        entity="sample_design",
        entity_id=int(design_id),
        after={k: v for k, v in document.items() if k != "strata"},
    )
    return int(design_id)


def latest_id(connection: Connection) -> int | None:
    found = connection.execute(select(func.max(sample_designs.c.id))).scalar()
    return None if found is None else int(found)


def latest(connection: Connection) -> StoredDesign | None:
    design_id = latest_id(connection)
    if design_id is None:
        return None
    row = connection.execute(select(sample_designs).where(sample_designs.c.id == design_id)).one()
    return StoredDesign(
        int(row.id), tuple(row.parameters["by"]), dict(row.parameters), list(row.strata)
    )
