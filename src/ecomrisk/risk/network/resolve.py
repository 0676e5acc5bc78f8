"""Batch entity resolution over every stored party record.

1. Fold the records into distinct signatures (``signatures``).
2. Group signatures that share a seller id or phone and email (``groups``).
3. Train the model on the signatures with Splink, or reuse the stored one.
4. Predict links across groups; join groups, links and confirmed matches into
   connected components: the entities. An entity's id is "E" + the id of its
   oldest signature (= its oldest party record), so it keeps its id across runs
   as long as that record stays in it; when two entities merge, the older id wins.
5. Store the signatures, the links that explain each entity (a strongest spanning
   forest) and every party's entity, in one transaction: a failed run changes nothing.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection, Engine, bindparam, delete, func, select, update

from ecomrisk.engines.batch import DEFAULT_SPARK_MASTER
from ecomrisk.risk.network.components import components, strongest_forest
from ecomrisk.risk.network.engines import SplinkBackend, backend_for
from ecomrisk.risk.network.groups import deterministic_groups
from ecomrisk.risk.network.model import ALGORITHM, Weights
from ecomrisk.risk.network.signatures import Folded, Signature, fold
from ecomrisk.risk.network.splink_run import predict, train
from ecomrisk.store.schema import (
    entity_confirmations,
    entity_links,
    entity_records,
    network_models,
    parties,
)

DEFAULT_THRESHOLD = 0.95  # match probability at which two records are one entity
WRITE_CHUNK_ROWS = 10_000
# Link kinds ranked for explanation: a confirmed or deterministic link explains best.
_STRENGTH = {"confirmed": 1e6, "deterministic": 1e5}

Progress = Callable[[str, int, int], None]


def entity_id(signature_id: int) -> str:
    return f"E{signature_id}"


@dataclass
class Resolution:
    records: int = 0
    signatures: int = 0
    groups: int = 0
    pairs: int = 0
    entities: int = 0
    changed: int = 0  # party records whose entity changed
    model_id: int = 0
    trained: bool = False
    seconds: dict[str, float] = field(default_factory=dict)


def latest_model(connection: Connection) -> Any:
    return connection.execute(
        select(network_models).order_by(network_models.c.id.desc()).limit(1)
    ).one_or_none()


def _confirmed(connection: Connection, folded: Folded) -> list[tuple[int, int]]:
    pairs = []
    for row in connection.execute(
        select(entity_confirmations.c.party_l, entity_confirmations.c.party_r)
    ):
        left, right = folded.of_party.get(row.party_l), folded.of_party.get(row.party_r)
        if left is not None and right is not None and left != right:
            pairs.append((min(left, right), max(left, right)))
    return pairs


@dataclass
class _Links:
    """Every link between signatures (by position), with its kind and weight."""

    edges: list[tuple[int, int]] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    details: list[Any] = field(default_factory=list)

    def add(self, edge: tuple[int, int], kind: str, weight: float, detail: Any) -> None:
        self.edges.append(edge)
        self.kinds.append(kind)
        self.weights.append(weight)
        self.details.append(detail)


def resolve(
    engine: Engine,
    threshold: float = DEFAULT_THRESHOLD,
    retrain: bool = True,
    engine_name: str = "duckdb",
    progress: Progress | None = None,
    spark_master: str = DEFAULT_SPARK_MASTER,
) -> Resolution:
    """Resolve every stored party record into entities (``retrain=False`` reuses the
    latest stored model, as the filing-time linker does) with Splink on ``engine_name``
    (``duckdb``, or ``spark`` on ``spark_master``)."""
    backend = backend_for(engine_name, spark_master)
    report = Resolution()
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        report.seconds[stage] = round(now - clock, 2)
        clock = now

    with engine.connect() as connection:
        total = int(connection.execute(select(func.count()).select_from(parties)).scalar_one())
    folded = fold(
        engine, None if progress is None else lambda n: progress("reading parties", n, total)
    )
    report.records, report.signatures = len(folded.of_party), len(folded.signatures)
    lap("read")
    if not folded.signatures:
        return report
    ids = [s.id for s in folded.signatures]
    position = {sid: i for i, sid in enumerate(ids)}
    group_of, group_links = deterministic_groups(ids, [s.keys for s in folded.signatures])
    report.groups = len(set(group_of))
    table = pa.Table.from_pylist(
        [{**s.record(), "dgroup": g} for s, g in zip(folded.signatures, group_of, strict=True)]
    )
    with engine.connect() as connection:
        confirmed = _confirmed(connection, folded)
        stored = None if retrain else latest_model(connection)
    lap("group")
    if stored is None:
        model = train(backend, table, confirmed)
        report.trained = True
        lap("train")
    else:
        model, threshold = stored.settings, stored.threshold
        report.model_id = stored.id
    weights = Weights.from_splink(model)
    predicted = predict(backend, table, model, threshold)
    report.pairs = predicted.num_rows
    lap("predict")

    links = _Links()
    for left, right, key in group_links:
        links.add((position[left], position[right]), "deterministic", 0.0, {"same": key})
    for left, right in confirmed:
        links.add((position[left], position[right]), "confirmed", 0.0, {})
    lefts = predicted.column("unique_id_l").to_pylist()
    rights = predicted.column("unique_id_r").to_pylist()
    for left, right, weight in zip(
        lefts, rights, predicted.column("match_weight").to_pylist(), strict=True
    ):
        links.add((position[left], position[right]), "probabilistic", float(weight), None)
    root = components(len(ids), links.edges)
    entity_of = [entity_id(ids[r]) for r in root]
    report.entities = len(set(root))
    strength = [_STRENGTH.get(k, w) for k, w in zip(links.kinds, links.weights, strict=True)]
    forest = strongest_forest(len(ids), links.edges, strength)
    lap("cluster")

    now = datetime.now(UTC)
    records = table.to_pylist()
    with engine.begin() as connection:
        if report.trained:
            report.model_id = _store_model(connection, model, backend, threshold, len(ids), now)
        connection.execute(delete(entity_links))
        connection.execute(delete(entity_records))
        _write_records(connection, folded.signatures, group_of, entity_of)
        link_rows = []
        for k in forest:
            i, j = links.edges[k]
            detail = links.details[k]
            if detail is None:
                detail = {"fields": weights.score(records[i], records[j]).explained()}
            link_rows.append(
                {
                    "record_l": ids[i],
                    "record_r": ids[j],
                    "kind": links.kinds[k],
                    "match_weight": links.weights[k] if links.kinds[k] == "probabilistic" else None,
                    "detail": detail,
                    "created_at": now,
                }
            )
        for start in range(0, len(link_rows), WRITE_CHUNK_ROWS):
            connection.execute(entity_links.insert(), link_rows[start : start + WRITE_CHUNK_ROWS])
        report.changed = _write_parties(connection, folded, position, entity_of, progress)
    lap("write")
    return report


def _store_model(
    connection: Connection,
    model: dict[str, Any],
    backend: SplinkBackend,
    threshold: float,
    signatures: int,
    now: datetime,
) -> int:
    return int(
        connection.execute(
            network_models.insert()
            .values(
                algorithm=ALGORITHM,
                engine=backend.name,
                settings=model,
                threshold=threshold,
                signatures=signatures,
                created_at=now,
            )
            .returning(network_models.c.id)
        ).scalar_one()
    )


def _write_records(
    connection: Connection, signatures: list[Signature], group_of: list[int], entity_of: list[str]
) -> None:
    rows = [
        {
            "id": s.id,
            "signature": s.keys.signature,
            "entity_id": entity,
            "dgroup": group,
            "name": s.name[:200],
            **s.keys.columns(),
            "parties": s.parties,
            "first_seen": s.first_seen,
            "last_seen": s.last_seen,
        }
        for s, group, entity in zip(signatures, group_of, entity_of, strict=True)
    ]
    for start in range(0, len(rows), WRITE_CHUNK_ROWS):
        connection.execute(entity_records.insert(), rows[start : start + WRITE_CHUNK_ROWS])


def _write_parties(
    connection: Connection,
    folded: Folded,
    position: dict[int, int],
    entity_of: list[str],
    progress: Progress | None,
) -> int:
    """Set each party's entity, touching only those that changed."""
    changes = [
        {"pid": pid, "eid": entity_of[position[sid]]}
        for pid, sid in folded.of_party.items()
        if folded.entity_of_party[pid] != entity_of[position[sid]]
    ]
    statement = (
        update(parties).where(parties.c.id == bindparam("pid")).values(entity_id=bindparam("eid"))
    )
    for start in range(0, len(changes), WRITE_CHUNK_ROWS):
        connection.execute(statement, changes[start : start + WRITE_CHUNK_ROWS])
        if progress is not None:
            progress("storing entities", min(start + WRITE_CHUNK_ROWS, len(changes)), len(changes))
    return len(changes)
