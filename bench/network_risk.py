"""Benchmark: does ``network_risk`` predict what later exams find? On a store that
has been filed, examined and resolved (``ecomrisk demo`` makes one), the exams of
the first two thirds of the shipments (by arrival at the agency) seed the graph;
each later shipment that was examined gets ``network_risk`` from its parties'
entities and identifiers, as a filing does; its exam is the label.

Prints JSON: AUC, precision among the riskiest 10 % of the later exams, the
share of all later shipments at or above a threshold and the precision of the
later exams there, for the
product's network risk (a local violation rate) beside the earlier one (the
seeds' spread alone, capped at 1), which saturated on hubs.

Usage: .venv/bin/python bench/network_risk.py STORE_URL [--threshold 0.5]
"""

import argparse
import json
from collections.abc import Mapping

import igraph
import numpy as np
from sklearn.metrics import roc_auc_score
from sqlalchemy import create_engine, select

from ecomrisk.risk.network.graph import build_graph
from ecomrisk.risk.network.keys import identifier_nodes, record_keys
from ecomrisk.risk.network.propagate import (
    FINDING_STRENGTH,
    SEIZURE_STRENGTH,
    propagate,
    spread,
)
from ecomrisk.store.schema import outcome_events, parties, shipments

SEED_SHARE = 2 / 3


def _earlier_spread(graph: igraph.Graph, found: Mapping[int, float]) -> list[float]:
    return [min(1.0, r) for r in spread(graph, found)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("store_url")
    parser.add_argument("--threshold", type=float, default=0.5)
    args = parser.parse_args()
    engine = create_engine(args.store_url)
    links = build_graph(engine)
    graph = links.igraph()
    with engine.connect() as connection:
        arrived = {
            r.id: r.received_at.timestamp()
            for r in connection.execute(
                select(shipments.c.id, shipments.c.received_at).where(shipments.c.is_current)
            )
        }
        exams = connection.execute(
            select(outcome_events.c.sid, outcome_events.c.violation, outcome_events.c.seizure)
        ).all()
        party_rows = connection.execute(select(parties)).all()
    cut = sorted(arrived.values())[int(len(arrived) * SEED_SHARE)]
    found: dict[int, float] = {}
    examined: dict[int, float] = {}
    label: dict[int, int] = {}
    for sid, violation, seizure in exams:
        if sid not in arrived:
            continue
        if arrived[sid] >= cut:
            label[sid] = int(bool(violation or seizure))
            continue
        vertex = links.index.get(f"shipment:{sid}")
        if vertex is None:
            continue
        examined[vertex] = examined.get(vertex, 0.0) + 1.0
        if violation or seizure:
            strength = SEIZURE_STRENGTH if seizure else FINDING_STRENGTH
            found[vertex] = found.get(vertex, 0.0) + strength
    nodes_of: dict[int, list[int]] = {}
    for row in party_rows:
        if arrived.get(row.shipment_id, 0.0) < cut:
            continue
        names = ([f"entity:{row.entity_id}"] if row.entity_id else []) + identifier_nodes(
            record_keys(row)
        )
        nodes_of.setdefault(row.shipment_id, []).extend(
            links.index[n[:700]] for n in names if n[:700] in links.index
        )
    y = np.array(list(label.values()))
    report: dict[str, object] = {
        "later_shipments": len(nodes_of),
        "later_exams": len(label),
        "later_violation_rate": round(float(y.mean()), 4),
        "seed_exams": len(examined),
        "seeds": len(found),
    }
    for name, risk in (
        ("local_rate", propagate(graph, found, examined)),
        ("earlier_spread", _earlier_spread(graph, found)),
    ):
        feature = {sid: max((risk[n] for n in ns), default=0.0) for sid, ns in nodes_of.items()}
        x = np.array([feature.get(sid, 0.0) for sid in label])
        top = np.argsort(-x, kind="stable")[: max(1, len(x) // 10)]
        flagged = np.array([feature[sid] >= args.threshold for sid in nodes_of])
        hit = x >= args.threshold
        report[name] = {
            "auc": round(float(roc_auc_score(y, x)), 3),
            "precision_at_10pct": round(float(y[top].mean()), 3),
            f"share_at_or_above_{args.threshold}": round(float(flagged.mean()), 4),
            f"exams_at_or_above_{args.threshold}": int(hit.sum()),
            f"precision_at_or_above_{args.threshold}": (
                round(float(y[hit].mean()), 3) if hit.any() else None
            ),
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
