"""Build the network: the link graph, its seeds from confirmed violations, risk
propagation and communities; store each node's risk and the networks found.

A network is a community (Leiden) of the graph with at least two entities. The
stored scores are what filing-time decisions read (``online.py``).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, delete, select

from ecomrisk.engines.batch import BatchEngine
from ecomrisk.risk.network.graph import LinkGraph, build_graph
from ecomrisk.risk.network.propagate import (
    DAMPING,
    FINDING_STRENGTH,
    HALF_LIFE_DAYS,
    PRIOR_EXAMS,
    SEIZURE_STRENGTH,
    communities,
    decayed,
    overall_rate,
    propagate,
)
from ecomrisk.risk.network.propagate_sql import propagate_on
from ecomrisk.risk.network.resolve import latest_model
from ecomrisk.store.schema import (
    entity_records,
    network_runs,
    network_scores,
    networks,
    outcome_events,
    parties,
    screening_hits,
    shipments,
)

CONFIRMED_HIT_SCORE = 0.9  # a screening hit this strong counts as a confirmed one
WRITE_CHUNK_ROWS = 10_000
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BuildParams:
    damping: float = DAMPING
    half_life_days: float = HALF_LIFE_DAYS
    confirmed_hit_score: float = CONFIRMED_HIT_SCORE
    prior_exams: float = PRIOR_EXAMS


@dataclass
class Build:
    run_id: int = 0
    nodes: int = 0
    edges: int = 0
    seeds: int = 0
    networks: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def seeds(
    connection: Connection, graph: LinkGraph, params: BuildParams, now: datetime
) -> tuple[dict[int, float], dict[int, float]]:
    """Seed strength by vertex (violations found on shipments, confirmed watch-list
    hits), and the exposure: the decayed weight of every exam, and each seeded entity."""
    current = shipments.alias("current")
    examined = shipments.alias("examined")
    exams = connection.execute(
        select(
            current.c.id,
            outcome_events.c.recorded_s,
            outcome_events.c.violation,
            outcome_events.c.seizure,
        )
        .select_from(outcome_events)
        .join(examined, examined.c.id == outcome_events.c.sid)
        .join(
            current,
            (current.c.filer_id == examined.c.filer_id)
            & (current.c.filer_reference == examined.c.filer_reference)
            & current.c.is_current,
        )
    )
    out: dict[int, float] = {}
    exposure: dict[int, float] = {}
    for row in exams:
        vertex = graph.index.get(f"shipment:{row.id}")
        if vertex is None:
            continue
        age_days = (now.timestamp() - row.recorded_s) / 86400
        exposure[vertex] = exposure.get(vertex, 0.0) + decayed(1.0, age_days, params.half_life_days)
        if not (row.violation or row.seizure):
            continue
        strength = SEIZURE_STRENGTH if row.seizure else FINDING_STRENGTH
        out[vertex] = out.get(vertex, 0.0) + decayed(strength, age_days, params.half_life_days)
    hits = connection.execute(
        select(parties.c.entity_id, screening_hits.c.score)
        .join(parties, parties.c.id == screening_hits.c.party_id)
        .where(screening_hits.c.score >= params.confirmed_hit_score)
        .where(parties.c.entity_id.is_not(None))
    )
    for hit in hits:
        vertex = graph.index.get(f"entity:{hit.entity_id}")
        if vertex is not None:
            out[vertex] = max(out.get(vertex, 0.0), float(hit.score))
            exposure[vertex] = max(exposure.get(vertex, 0.0), 1.0)
    return out, exposure


def build(
    engine: Engine,
    params: BuildParams = BuildParams(),
    progress: Progress | None = None,
    batch: BatchEngine | None = None,
) -> Build:
    """The link graph, risk propagated from the seeds, the networks; stored as a run.
    Propagation runs on ``batch`` when it is not in process (Spark), else in igraph."""
    report = Build()
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        report.seconds[stage] = round(now - clock, 2)
        clock = now

    graph = build_graph(engine, None if progress is None else lambda n: progress("graph", n, n))
    g = graph.igraph()
    report.nodes, report.edges = g.vcount(), g.ecount()
    now = datetime.now(UTC)
    with engine.connect() as connection:
        seeded, exposure = seeds(connection, graph, params, now)
        model = latest_model(connection)
    report.seeds = len(seeded)
    lap("graph")
    if batch is None or batch.in_process:
        risk = propagate(g, seeded, exposure, params.damping, params.prior_exams)
    else:
        risk = propagate_on(batch, g, seeded, exposure, params.damping, params.prior_exams)
    community = communities(g)
    lap("propagate")

    summaries = _summaries(graph, community, risk, seeded)
    with engine.begin() as connection:
        report.run_id = int(
            connection.execute(
                network_runs.insert()
                .values(
                    model_id=None if model is None else model.id,
                    nodes=report.nodes,
                    edges=report.edges,
                    seeds=report.seeds,
                    params={
                        "damping": params.damping,
                        "half_life_days": params.half_life_days,
                        "confirmed_hit_score": params.confirmed_hit_score,
                        "prior_exams": params.prior_exams,
                        "overall_rate": overall_rate(seeded, exposure),
                    },
                    created_at=now,
                )
                .returning(network_runs.c.id)
            ).scalar_one()
        )
        network_of = _store_networks(connection, report.run_id, graph, summaries)
        report.networks = len(network_of)
        connection.execute(delete(network_scores))
        rows = [
            {
                "node": name[:700],
                "kind": graph.kind(v),
                "risk": risk[v],
                "network_id": network_of.get(community[v]),
                "community": community[v],
                "run_id": report.run_id,
            }
            for v, name in enumerate(graph.names)
            if not name.startswith("shipment:")
        ]
        for start in range(0, len(rows), WRITE_CHUNK_ROWS):
            connection.execute(network_scores.insert(), rows[start : start + WRITE_CHUNK_ROWS])
            if progress is not None:
                progress("storing scores", min(start + WRITE_CHUNK_ROWS, len(rows)), len(rows))
    lap("write")
    return report


@dataclass
class _Community:
    entities: list[int] = field(default_factory=list)
    shipments: int = 0
    findings: int = 0
    risk: float = 0.0
    riskiest: int = -1


def _summaries(
    graph: LinkGraph, community: list[int], risk: list[float], seeded: dict[int, float]
) -> dict[int, _Community]:
    out: dict[int, _Community] = {}
    for vertex, c in enumerate(community):
        summary = out.setdefault(c, _Community())
        kind = graph.kind(vertex)
        if kind == "entity":
            summary.entities.append(vertex)
            if risk[vertex] >= summary.risk:
                summary.risk, summary.riskiest = risk[vertex], vertex
        elif kind == "shipment":
            summary.shipments += 1
            summary.findings += vertex in seeded
    return {c: s for c, s in out.items() if len(s.entities) >= 2}


def _store_networks(
    connection: Connection, run_id: int, graph: LinkGraph, summaries: dict[int, _Community]
) -> dict[int, int]:
    """Store the networks of this run (earlier runs' are dropped); community -> id.
    A network is labelled with its riskiest entity's name."""
    connection.execute(delete(networks))
    riskiest = {c: graph.names[s.riskiest].partition(":")[2] for c, s in summaries.items()}
    names = entity_names(connection, list(riskiest.values()))
    out = {}
    for c, summary in sorted(summaries.items(), key=lambda item: (-item[1].risk, item[0])):
        out[c] = int(
            connection.execute(
                networks.insert()
                .values(
                    run_id=run_id,
                    entities=len(summary.entities),
                    shipments=summary.shipments,
                    findings=summary.findings,
                    risk=summary.risk,
                    label=names.get(riskiest[c], riskiest[c])[:200],
                )
                .returning(networks.c.id)
            ).scalar_one()
        )
    return out


def entity_names(connection: Connection, entities: list[str]) -> dict[str, str]:
    """A name of each entity: the one on its oldest record."""
    out: dict[str, str] = {}
    for start in range(0, len(entities), 1000):
        chunk = entities[start : start + 1000]
        for row in connection.execute(
            select(entity_records.c.entity_id, entity_records.c.name)
            .where(entity_records.c.entity_id.in_(chunk))
            .order_by(entity_records.c.id.desc())
        ):
            out[row.entity_id] = row.name or ""  # the oldest comes last and wins
    return out
