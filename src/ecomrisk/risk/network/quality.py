"""Quality of entity resolution and network detection against a synthetic world's
ground truth (``truth/parties.csv``, ``truth/schemes.json``).

Pairwise precision and recall count pairs of party records: a pair is predicted
when both records have the same entity, true when the truth gives them the same
entity id. A planted ring (a counterfeit operator trading under several account
names) is recovered when all its records fall into one network.
"""

import csv
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from ecomrisk.store.schema import filers, network_scores, parties, shipments

RING_SCHEMES = ("counterfeit",)  # schemes whose members are rings of accounts


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


@dataclass(frozen=True)
class PairwiseQuality:
    records: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def pairwise(assignments: Iterable[tuple[str, str]]) -> PairwiseQuality:
    """Quality of (predicted, true) cluster labels, one pair per record."""
    cells: Counter[tuple[str, str]] = Counter()
    predicted: Counter[str] = Counter()
    true: Counter[str] = Counter()
    for p, t in assignments:
        cells[(p, t)] += 1
        predicted[p] += 1
        true[t] += 1
    return PairwiseQuality(
        records=sum(predicted.values()),
        true_pairs=sum(_pairs(n) for n in true.values()),
        predicted_pairs=sum(_pairs(n) for n in predicted.values()),
        correct_pairs=sum(_pairs(n) for n in cells.values()),
    )


@dataclass
class RingRecovery:
    ring: str
    records: int
    networks: dict[str, int]  # network (or community) -> records of the ring in it

    @property
    def recovered(self) -> bool:
        return len(self.networks) == 1


@dataclass
class Quality:
    resolution: PairwiseQuality
    rings: list[RingRecovery] = field(default_factory=list)
    unresolved: int = 0  # truth records without a stored entity

    @property
    def rings_recovered(self) -> float:
        return sum(r.recovered for r in self.rings) / len(self.rings) if self.rings else 1.0

    def as_dict(self) -> dict[str, Any]:
        q = self.resolution
        return {
            "records": q.records,
            "precision": round(q.precision, 4),
            "recall": round(q.recall, 4),
            "f1": round(q.f1, 4),
            "unresolved": self.unresolved,
            "rings": len(self.rings),
            "rings_recovered": round(self.rings_recovered, 4),
            "ring_detail": [
                {"ring": r.ring, "records": r.records, "networks": r.networks} for r in self.rings
            ],
        }


def _truth(world: Path) -> dict[tuple[str, str, str], str]:
    path = world / "truth" / "parties.csv"
    try:
        with path.open(newline="") as handle:
            return {
                (row["filer"], row["filer_reference"], row["role"]): row["entity_id"]
                for row in csv.DictReader(handle)
            }
    except OSError as error:
        raise ValueError(f"{path}: cannot read the ground truth: {error}") from None


def _stored(connection: Connection) -> dict[tuple[str, str, str], tuple[str | None, str | None]]:
    """(filer, reference, role) -> (entity, network) of the current version's parties."""
    query = (
        select(
            filers.c.code,
            shipments.c.filer_reference,
            parties.c.role,
            parties.c.entity_id,
            network_scores.c.network_id,
            network_scores.c.community,
        )
        .join(shipments, shipments.c.id == parties.c.shipment_id)
        .join(filers, filers.c.id == shipments.c.filer_id)
        .outerjoin(network_scores, network_scores.c.node == "entity:" + parties.c.entity_id)
        .where(shipments.c.is_current)
    )
    out = {}
    for row in connection.execute(query):
        network = None
        if row.network_id is not None:
            network = f"N{row.network_id}"
        elif row.community is not None:
            network = f"community {row.community}"
        out[(row.code, row.filer_reference, row.role)] = (row.entity_id, network)
    return out


def evaluate(connection: Connection, world: Path) -> Quality:
    truth = _truth(world)
    stored = _stored(connection)
    assignments = []
    unresolved = 0
    by_true: dict[str, list[str | None]] = {}
    for key, true_entity in truth.items():
        entity, network = stored.get(key, (None, None))
        if entity is None:
            unresolved += 1
            entity = f"unresolved:{key}"
        assignments.append((entity, true_entity))
        by_true.setdefault(true_entity, []).append(network or f"entity {entity}")
    quality = Quality(pairwise(assignments), unresolved=unresolved)
    schemes: Mapping[str, list[str]] = json.loads((world / "truth" / "schemes.json").read_text())
    for scheme in RING_SCHEMES:
        for ring in schemes.get(scheme, []):
            networks = Counter(str(n) for n in by_true.get(ring, []))
            quality.rings.append(RingRecovery(ring, sum(networks.values()), dict(networks)))
    return quality
