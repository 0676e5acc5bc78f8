"""Read the network for people: expand a node, list and show networks, explain an
entity (its records and the links that join them) and a link between two party
records. Every answer is capped (``limit``) and plain data (dicts), shared by
the CLI and the internal API.
"""

from typing import Any

from sqlalchemy import Connection, func, select

from ecomrisk.risk.network.keys import record_keys
from ecomrisk.risk.network.model import Weights
from ecomrisk.risk.network.resolve import latest_model
from ecomrisk.store.schema import (
    entity_links,
    entity_records,
    findings,
    network_scores,
    networks,
    outcomes,
    parties,
    shipments,
)

MAX_LIMIT = 500
# identifier kind -> the entity_records column holding it
IDENTIFIER_COLUMNS = {
    "phone": "phone",
    "email": "email",
    "seller": "seller",
    "address": "address_block",
}


class NotFoundError(LookupError):
    pass


def _score(connection: Connection, node: str) -> dict[str, Any]:
    row = connection.execute(
        select(network_scores).where(network_scores.c.node == node[:700])
    ).one_or_none()
    if row is None:
        return {"risk": None, "network": None}
    return {"risk": round(row.risk, 4), "network": row.network_id}


def _entity_identifiers(connection: Connection, entity: str, limit: int) -> list[dict[str, Any]]:
    out = []
    for kind, column in IDENTIFIER_COLUMNS.items():
        c = entity_records.c[column]
        rows = connection.execute(
            select(
                c.label("key"),
                func.sum(entity_records.c.parties).label("n"),
                func.min(entity_records.c.first_seen).label("first_seen"),
                func.max(entity_records.c.last_seen).label("last_seen"),
            )
            .where(entity_records.c.entity_id == entity, c.is_not(None))
            .group_by(c)
            .order_by(func.sum(entity_records.c.parties).desc())
            .limit(limit)
        )
        out += [
            {
                "node": f"{kind}:{r.key}",
                "kind": kind,
                "count": int(r.n),
                "first_seen": r.first_seen,
                "last_seen": r.last_seen,
            }
            for r in rows
        ]
    return out


def _entity_shipments(connection: Connection, entity: str, limit: int) -> list[dict[str, Any]]:
    rows = connection.execute(
        select(parties.c.shipment_id, parties.c.role, shipments.c.received_at)
        .join(shipments, shipments.c.id == parties.c.shipment_id)
        .where(parties.c.entity_id == entity, shipments.c.is_current)
        .order_by(shipments.c.received_at.desc())
        .limit(limit)
    )
    return [
        {
            "node": f"shipment:{r.shipment_id}",
            "kind": "shipment",
            "role": r.role,
            "count": 1,
            "first_seen": r.received_at,
            "last_seen": r.received_at,
        }
        for r in rows
    ]


def expand(connection: Connection, node: str, limit: int = 50) -> dict[str, Any]:
    """A node and its neighbours, each edge with its count and first and last seen."""
    kind, _, key = node.partition(":")
    limit = max(1, min(limit, MAX_LIMIT))
    if kind == "entity":
        if not connection.execute(
            select(entity_records.c.id).where(entity_records.c.entity_id == key).limit(1)
        ).first():
            raise NotFoundError(f"no entity {key!r}")
        neighbours = _entity_identifiers(connection, key, limit)
        neighbours += _entity_shipments(connection, key, limit)
    elif kind in IDENTIFIER_COLUMNS:
        c = entity_records.c[IDENTIFIER_COLUMNS[kind]]
        rows = connection.execute(
            select(
                entity_records.c.entity_id,
                func.sum(entity_records.c.parties).label("n"),
                func.min(entity_records.c.first_seen).label("first_seen"),
                func.max(entity_records.c.last_seen).label("last_seen"),
            )
            .where(c == key)
            .group_by(entity_records.c.entity_id)
            .order_by(func.sum(entity_records.c.parties).desc())
            .limit(limit)
        ).all()
        if not rows:
            raise NotFoundError(f"no {kind} {key!r} on any resolved party")
        neighbours = [
            {
                "node": f"entity:{r.entity_id}",
                "kind": "entity",
                "count": int(r.n),
                "first_seen": r.first_seen,
                "last_seen": r.last_seen,
            }
            for r in rows
        ]
    elif kind == "shipment" and key.isdecimal() and len(key) < 19:
        rows = connection.execute(
            select(parties.c.entity_id, parties.c.role, parties.c.name, shipments.c.received_at)
            .join(shipments, shipments.c.id == parties.c.shipment_id)
            .where(parties.c.shipment_id == int(key))
            .order_by(parties.c.id)
        ).all()
        if not rows:
            raise NotFoundError(f"no shipment version {key}")
        neighbours = [
            {
                "node": f"entity:{r.entity_id}",
                "kind": "entity",
                "role": r.role,
                "name": r.name,
                "count": 1,
                "first_seen": r.received_at,
                "last_seen": r.received_at,
            }
            for r in rows
            if r.entity_id
        ]
    else:
        raise ValueError(
            f"node {node!r}: write KIND:KEY with KIND one of entity, address, phone, email, "
            "seller, shipment (e.g. entity:E12, shipment:345)"
        )
    for n in neighbours:
        n.update(_score(connection, n["node"]))
    return {"node": node, "kind": kind, **_score(connection, node), "neighbours": neighbours}


def list_networks(connection: Connection, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    rows = connection.execute(
        select(networks)
        .order_by(networks.c.risk.desc(), networks.c.id)
        .limit(max(1, min(limit, MAX_LIMIT)))
        .offset(max(0, offset))
    )
    return [_network_summary(r) for r in rows]


def _network_summary(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "label": row.label,
        "entities": row.entities,
        "shipments": row.shipments,
        "findings": row.findings,
        "risk": round(row.risk, 4),
        "run": row.run_id,
    }


def show_network(connection: Connection, network_id: int, limit: int = 100) -> dict[str, Any]:
    """A network with its members, shipments, findings and the identifiers that link them."""
    row = connection.execute(select(networks).where(networks.c.id == network_id)).one_or_none()
    if row is None:
        raise NotFoundError(f"no network N{network_id} in the latest build")
    limit = max(1, min(limit, MAX_LIMIT))
    members = connection.execute(
        select(network_scores.c.node, network_scores.c.kind, network_scores.c.risk)
        .where(network_scores.c.network_id == network_id)
        .order_by(network_scores.c.risk.desc(), network_scores.c.node)
    ).all()
    entities = [m.node.partition(":")[2] for m in members if m.kind == "entity"]
    names = dict(
        connection.execute(
            select(entity_records.c.entity_id, func.min(entity_records.c.name))
            .where(entity_records.c.entity_id.in_(entities[:limit]))
            .group_by(entity_records.c.entity_id)
        ).all()
    )
    evidence = []
    for m in members:
        if m.kind == "entity":
            continue
        column = entity_records.c[IDENTIFIER_COLUMNS[m.kind]]
        sharing = connection.execute(
            select(entity_records.c.entity_id)
            .where(column == m.node.partition(":")[2], entity_records.c.entity_id.in_(entities))
            .distinct()
            .limit(limit)
        ).scalars()
        shared = sorted(sharing)
        if len(shared) >= 2:
            evidence.append({"shared": m.node, "entities": shared})
    shipment_rows = connection.execute(
        select(
            parties.c.shipment_id,
            func.count(func.distinct(parties.c.entity_id)).label("members"),
            func.count(func.distinct(findings.c.id)).label("findings"),
        )
        .join(shipments, shipments.c.id == parties.c.shipment_id)
        .outerjoin(outcomes, outcomes.c.shipment_id == parties.c.shipment_id)
        .outerjoin(findings, findings.c.outcome_id == outcomes.c.id)
        .where(parties.c.entity_id.in_(entities), shipments.c.is_current)
        .group_by(parties.c.shipment_id)
        .order_by(func.count(func.distinct(findings.c.id)).desc(), parties.c.shipment_id)
        .limit(limit)
    ).all()
    found = connection.execute(
        select(findings.c.finding_type, outcomes.c.shipment_id, outcomes.c.action)
        .join(outcomes, outcomes.c.id == findings.c.outcome_id)
        .join(parties, parties.c.shipment_id == outcomes.c.shipment_id)
        .where(parties.c.entity_id.in_(entities))
        .distinct()
        .limit(limit)
    ).all()
    return {
        **_network_summary(row),
        "members": [
            {
                "node": m.node,
                "kind": m.kind,
                "risk": round(m.risk, 4),
                **({"name": names.get(m.node[7:])} if m.kind == "entity" else {}),
            }
            for m in members[:limit]
        ],
        "linked_shipments": [
            {"shipment": r.shipment_id, "members": r.members, "findings": r.findings}
            for r in shipment_rows
        ],
        "linked_findings": [
            {"shipment": r.shipment_id, "finding": r.finding_type, "action": r.action}
            for r in found
        ],
        "evidence": evidence[:limit],
    }


def explain_entity(connection: Connection, entity: str, limit: int = 100) -> dict[str, Any]:
    """An entity's records and the links that make them one, field by field."""
    limit = max(1, min(limit, MAX_LIMIT))
    records = connection.execute(
        select(entity_records)
        .where(entity_records.c.entity_id == entity)
        .order_by(entity_records.c.id)
        .limit(limit)
    ).all()
    if not records:
        raise NotFoundError(f"no entity {entity!r}")
    ids = [r.id for r in records]
    links = connection.execute(
        select(entity_links)
        .where(entity_links.c.record_r.in_(ids) | entity_links.c.record_l.in_(ids))
        .order_by(entity_links.c.id)
        .limit(limit)
    ).all()
    return {
        "entity": entity,
        **_score(connection, f"entity:{entity}"),
        "rule": "an entity's id is E + the id of its oldest party record",
        "records": [
            {
                "record": r.id,
                "name": r.name,
                "parties": r.parties,
                "phone": r.phone,
                "email": r.email,
                "seller": r.seller,
                "address": r.address_block,
                "first_seen": r.first_seen,
                "last_seen": r.last_seen,
            }
            for r in records
        ],
        "links": [
            {
                "records": [x.record_l, x.record_r],
                "kind": x.kind,
                "match_weight": None if x.match_weight is None else round(x.match_weight, 3),
                "detail": x.detail,
            }
            for x in links
        ],
    }


def explain_link(connection: Connection, party_a: int, party_b: int) -> dict[str, Any]:
    """Two party records compared field by field with the stored model's weights."""
    model = latest_model(connection)
    if model is None:
        raise NotFoundError("no entity-resolution model: run `ecomrisk network resolve` first")
    rows = {
        r.id: r
        for r in connection.execute(select(parties).where(parties.c.id.in_([party_a, party_b])))
    }
    for pid in (party_a, party_b):
        if pid not in rows:
            raise NotFoundError(f"no party record {pid}")
    left = {"unique_id": party_a, **record_keys(rows[party_a]).columns()}
    right = {"unique_id": party_b, **record_keys(rows[party_b]).columns()}
    score = Weights.from_splink(model.settings).score(left, right)
    return {
        "parties": [party_a, party_b],
        "entities": [rows[party_a].entity_id, rows[party_b].entity_id],
        "names": [rows[party_a].name, rows[party_b].name],
        "model": model.id,
        "match_weight": round(score.match_weight, 3),
        "match_probability": round(score.match_probability, 6),
        "threshold": model.threshold,
        "linked": score.match_probability >= model.threshold,
        "fields": score.explained(),
    }


def link_evidence(
    connection: Connection, entity: str, node: str, limit: int = 50
) -> dict[str, Any]:
    """The shipments and findings behind the edge between ``entity:ENTITY`` and
    ``node`` (an identifier or a shipment): the entity's party records that carry
    the identifier (keys as resolution computed them), or its parties on that
    shipment; each shipment with what its exams found."""
    kind, _, key = node.partition(":")
    limit = max(1, min(limit, MAX_LIMIT))
    if kind not in IDENTIFIER_COLUMNS and not (
        kind == "shipment" and key.isdecimal() and len(key) < 19
    ):
        raise ValueError(
            f"node {node!r}: the other end of a link is KIND:KEY with KIND one of "
            "address, phone, email, seller, shipment"
        )
    query = (
        select(parties, shipments.c.house_bill, shipments.c.received_at)
        .join(shipments, shipments.c.id == parties.c.shipment_id)
        .where(parties.c.entity_id == entity, shipments.c.is_current)
        .order_by(shipments.c.received_at.desc(), parties.c.id)
    )
    if kind == "shipment":
        rows = connection.execute(query.where(parties.c.shipment_id == int(key))).all()
    else:
        # Identifiers are stored as resolution keyed them; compute the same keys
        # over the entity's records rather than guessing the raw column's form.
        column = IDENTIFIER_COLUMNS[kind]
        rows = [
            r
            for r in connection.execute(query.limit(MAX_LIMIT * 4))
            if record_keys(r).columns()[column] == key
        ]
    if not rows:
        raise NotFoundError(f"no party record of entity {entity!r} behind {node!r}")
    rows = rows[:limit]
    sids = sorted({r.shipment_id for r in rows})
    found: dict[int, list[dict[str, Any]]] = {}
    for f in connection.execute(
        select(
            outcomes.c.shipment_id, outcomes.c.result, outcomes.c.action, findings.c.finding_type
        )
        .join(findings, findings.c.outcome_id == outcomes.c.id, isouter=True)
        .where(outcomes.c.shipment_id.in_(sids))
        .order_by(outcomes.c.id)
    ):
        found.setdefault(f.shipment_id, []).append(
            {"result": f.result, "action": f.action, "finding": f.finding_type}
        )
    return {
        "entity": entity,
        "node": node,
        "parties": [
            {
                "party": r.id,
                "shipment": r.shipment_id,
                "house_bill": r.house_bill,
                "received_at": r.received_at,
                "role": r.role,
                "name": r.name,
                "exams": found.get(r.shipment_id, []),
            }
            for r in rows
        ],
    }
