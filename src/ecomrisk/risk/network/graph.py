"""The link graph: entities, the identifiers they file under (addresses, phones,
emails, marketplace seller accounts) and the shipments they appear on.

Nodes are named ``kind:key`` (``entity:E12``, ``phone:+12125550100``,
``address:12 main street|10001``, ``seller:M1-100001``, ``shipment:345``). An
edge joins an entity to an identifier or a shipment, with how many party records
carry it and when it was first and last seen. Built in memory from the current
shipment versions, then handed to igraph.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import igraph
from sqlalchemy import Engine, select

from ecomrisk.risk.network.keys import PARTY_KEY_COLUMNS, Keys, identifier_nodes
from ecomrisk.risk.network.signatures import READ_BATCH_ROWS, cached_keys
from ecomrisk.store.schema import parties, shipments

NODE_KINDS = ("entity", "address", "phone", "email", "seller", "shipment")


@dataclass
class Edge:
    count: int
    first_seen: datetime
    last_seen: datetime

    def seen(self, at: datetime) -> None:
        self.count += 1
        self.first_seen = min(self.first_seen, at)
        self.last_seen = max(self.last_seen, at)


@dataclass
class LinkGraph:
    names: list[str] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    edges: dict[tuple[int, int], Edge] = field(default_factory=dict)

    def node(self, name: str) -> int:
        found = self.index.get(name)
        if found is None:
            found = self.index[name] = len(self.names)
            self.names.append(name)
        return found

    def link(self, a: str, b: str, at: datetime) -> None:
        key = (self.node(a), self.node(b))
        edge = self.edges.get(key)
        if edge is None:
            self.edges[key] = Edge(1, at, at)
        else:
            edge.seen(at)

    def igraph(self) -> igraph.Graph:
        return igraph.Graph(n=len(self.names), edges=list(self.edges), directed=False)

    def kind(self, vertex: int) -> str:
        return self.names[vertex].partition(":")[0]


def add_party(graph: LinkGraph, entity: str, keys: Keys, shipment_id: int, at: datetime) -> None:
    node = f"entity:{entity}"
    for identifier in identifier_nodes(keys):
        graph.link(node, identifier, at)
    graph.link(node, f"shipment:{shipment_id}", at)


def build_graph(engine: Engine, progress: Callable[[int], None] | None = None) -> LinkGraph:
    """The graph of every resolved party of the current, active shipment versions."""
    graph = LinkGraph()
    keys_of = cached_keys()
    query = (
        select(
            parties.c.shipment_id,
            parties.c.entity_id,
            shipments.c.received_at,
            *(parties.c[c] for c in PARTY_KEY_COLUMNS),
        )
        .join(shipments, shipments.c.id == parties.c.shipment_id)
        .where(shipments.c.is_current, shipments.c.status == "active")
        .where(parties.c.entity_id.is_not(None))
        .order_by(parties.c.id)
    )
    with engine.connect() as connection:
        result = connection.execution_options(yield_per=READ_BATCH_ROWS).execute(query)
        done = 0
        for partition in result.partitions():
            row: Any
            for row in partition:
                add_party(graph, row.entity_id, keys_of(row), row.shipment_id, row.received_at)
            done += len(partition)
            if progress is not None:
                progress(done)
    return graph
