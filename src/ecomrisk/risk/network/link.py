"""Link a new filing's parties to existing entities, at filing time.

The same steps as the batch resolver, for one record against the store: an
exact signature is its entity at once; otherwise its deterministic group is
found by seller id or phone and email, candidates by the blocking keys (indexed
look-ups on ``entity_records``, across groups only), and each candidate scored
with the stored model's weights. Every entity it reaches is merged into the
oldest one, as connected components would, so a batch re-run with the same
model finds the same entities.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ecomrisk.risk.network.groups import group_keys
from ecomrisk.risk.network.keys import Keys, record_keys
from ecomrisk.risk.network.model import BLOCKS, Weights, weight_threshold
from ecomrisk.risk.network.resolve import entity_id
from ecomrisk.store.schema import entity_links, entity_records, parties, shipments

# Records read per blocking key at most: a key shared by more records than this
# (a consolidator's phone) is a hub, not evidence. Batch has no such cap, so a
# record linked only through an overfull block may differ until the next batch run.
MAX_CANDIDATES_PER_BLOCK = 500


@dataclass(frozen=True)
class LinkModel:
    id: int
    weights: Weights
    threshold: float  # match probability

    @property
    def min_weight(self) -> float:
        return weight_threshold(self.threshold)


@dataclass(frozen=True)
class Linked:
    party_id: int
    role: str
    name: str
    entity_id: str
    keys: Keys


def _entity_number(entity: str) -> int:
    return int(entity[1:])


def _insert_new(connection: Connection, row: dict[str, Any]) -> bool:
    """Insert a signature unless a concurrent filing just did: True when inserted."""
    dialect = connection.dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(entity_records)
    result = connection.execute(insert.values(**row).on_conflict_do_nothing())
    return bool(result.rowcount)


def _merge(connection: Connection, keep: str, others: set[str]) -> None:
    if not others:
        return
    connection.execute(
        update(entity_records).where(entity_records.c.entity_id.in_(others)).values(entity_id=keep)
    )
    connection.execute(
        update(parties).where(parties.c.entity_id.in_(others)).values(entity_id=keep)
    )


def _seen(connection: Connection, record: Any, at: datetime) -> None:
    connection.execute(
        update(entity_records)
        .where(entity_records.c.id == record.id)
        .values(
            parties=entity_records.c.parties + 1,
            first_seen=min(record.first_seen or at, at),
            last_seen=max(record.last_seen or at, at),
        )
    )


def _group(connection: Connection, keys: Keys) -> list[Any]:
    conditions = []
    if keys.seller:
        conditions.append(entity_records.c.seller == keys.seller)
    if keys.phone and keys.email:
        conditions.append(
            and_(entity_records.c.phone == keys.phone, entity_records.c.email == keys.email)
        )
    if not conditions:
        return []
    return list(
        connection.execute(
            select(entity_records).where(or_(*conditions)).order_by(entity_records.c.id)
        )
    )


def _candidates(connection: Connection, keys: Keys, group: int) -> list[Any]:
    columns = keys.columns()
    found: dict[int, Any] = {}
    for block in BLOCKS:
        if any(columns[c] is None for c in block):
            continue
        query = (
            select(entity_records)
            .where(*(entity_records.c[c] == columns[c] for c in block))
            .where(entity_records.c.dgroup != group)
            .order_by(entity_records.c.id)
            .limit(MAX_CANDIDATES_PER_BLOCK)
        )
        for row in connection.execute(query):
            found[row.id] = row
    return [found[k] for k in sorted(found)]


def link_party(
    connection: Connection, model: LinkModel, party: Any, at: datetime, now: datetime
) -> str:
    """The entity of one stored party row, linking it (and merging entities) as needed."""
    keys = record_keys(party)
    existing = connection.execute(
        select(
            entity_records.c.id,
            entity_records.c.entity_id,
            entity_records.c.first_seen,
            entity_records.c.last_seen,
        ).where(entity_records.c.signature == keys.signature)
    ).one_or_none()
    if existing is not None:
        _seen(connection, existing, at)
        return str(existing.entity_id)

    same_group = _group(connection, keys)
    groups = {r.dgroup for r in same_group}
    group = min(groups) if groups else party.id
    if len(groups) > 1:  # this record joins two groups into one
        connection.execute(
            update(entity_records).where(entity_records.c.dgroup.in_(groups)).values(dgroup=group)
        )
    own = {"unique_id": party.id, **keys.columns()}
    matches = []
    for candidate in _candidates(connection, keys, group):
        score = model.weights.score(own, candidate._mapping)
        if score.match_weight >= model.min_weight:
            matches.append((score, candidate))
    reached = {r.entity_id for r in same_group} | {c.entity_id for _, c in matches}
    keep = min(reached, key=_entity_number) if reached else entity_id(party.id)
    _merge(connection, keep, reached - {keep})
    inserted = _insert_new(
        connection,
        {
            "id": party.id,
            "signature": keys.signature,
            "entity_id": keep,
            "dgroup": group,
            "name": party.name[:200],
            **keys.columns(),
            "parties": 1,
            "first_seen": at,
            "last_seen": at,
        },
    )
    if not inserted:  # a concurrent filing stored the same signature first
        return link_party(connection, model, party, at, now)
    if same_group:
        key = next(k for k in group_keys(keys) if k)
        connection.execute(
            entity_links.insert().values(
                record_l=same_group[0].id,
                record_r=party.id,
                kind="deterministic",
                detail={"same": key.partition(":")[0]},
                created_at=now,
            )
        )
    elif matches:
        score, best = max(matches, key=lambda m: m[0].match_weight)
        connection.execute(
            entity_links.insert().values(
                record_l=best.id,
                record_r=party.id,
                kind="probabilistic",
                match_weight=score.match_weight,
                detail={"fields": score.explained()},
                created_at=now,
            )
        )
    return keep


def link_version(connection: Connection, sid: int, model: LinkModel, now: datetime) -> list[Linked]:
    """Link every party of stored version ``sid`` and record each one's entity."""
    rows = connection.execute(
        select(parties, shipments.c.received_at)
        .join(shipments, shipments.c.id == parties.c.shipment_id)
        .where(parties.c.shipment_id == sid)
        .order_by(parties.c.id)
    ).all()
    linked = []
    for row in rows:
        entity = link_party(connection, model, row, row.received_at, now)
        connection.execute(update(parties).where(parties.c.id == row.id).values(entity_id=entity))
        linked.append(Linked(row.id, row.role, row.name, entity, record_keys(row)))
    # A later party of the filing may have merged an earlier one's entity away.
    if len({x.entity_id for x in linked}) > 1:
        current = dict(
            connection.execute(
                select(parties.c.id, parties.c.entity_id).where(parties.c.shipment_id == sid)
            ).all()
        )
        linked = [Linked(x.party_id, x.role, x.name, current[x.party_id], x.keys) for x in linked]
    return linked
