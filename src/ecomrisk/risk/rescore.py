"""Rescore history in batch after a rule (or, later, model) change.

Features come from the batch feature matrix (the same definitions as online);
each row is decided by the same pure ``decide`` as a live filing, and the new
decisions are appended in chunks: earlier decisions stay, the latest counts.

A run killed part way leaves whole chunks only (each commits on its own).
Running it again resumes: a version whose latest live decision was made with
exactly the same versions (rule set, model, lists, profile, logic, run) is left
alone, so a re-run neither duplicates what was written nor loses what was not.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from ecomrisk.features.matrix import FeatureContext, feature_matrix
from ecomrisk.risk import rulesets_repo
from ecomrisk.risk.decide import with_model_outputs
from ecomrisk.risk.decision import decide
from ecomrisk.risk.model.live import ModelCache
from ecomrisk.risk.network.online import no_network, stored_network
from ecomrisk.risk.screen_filing import stored_screening
from ecomrisk.risk.screening.matcher import DEFAULT_ALGORITHM
from ecomrisk.risk.screening.repo import load_current_lists
from ecomrisk.store.schema import decisions, shipments

RESCORE_CHUNK_ROWS = 5_000


def _latest_versions(connection: Connection, ruleset: str) -> dict[int, Any]:
    """The versions of each shipment version's latest live decision, where that
    decision was made with ``ruleset``."""
    latest = (
        select(func.max(decisions.c.id).label("id"))
        .where(decisions.c.kind == "live")
        .group_by(decisions.c.shipment_id)
        .subquery()
    )
    rows = connection.execute(
        select(decisions.c.shipment_id, decisions.c.versions)
        .join(latest, decisions.c.id == latest.c.id)
        .where(decisions.c.ruleset == ruleset)
    )
    return {r.shipment_id: r.versions for r in rows}


def rescore(
    engine: Engine,
    context: FeatureContext,
    since: datetime | None = None,
    until: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
    chunk_rows: int = RESCORE_CHUNK_ROWS,
) -> int:
    """Decide again every current shipment version received in [since, until) unless
    its latest decision already is this one; returns how many were decided.
    ``progress(done, total)`` counts the versions looked at, left alone ones too."""
    with engine.begin() as connection:
        ruleset = rulesets_repo.ensure_live(connection)
        model, _ = ModelCache().current(connection)
        current = {
            r.id for r in connection.execute(select(shipments.c.id).where(shipments.c.is_current))
        }
    rows = [
        row
        for row in feature_matrix(engine, context, since, until).to_pylist()
        if row["sid"] in current
    ]
    with engine.connect() as connection:
        screened = stored_screening(connection)
        linked = stored_network(connection)  # counter-network features, as stored now
        already = _latest_versions(connection, ruleset.label)
        lists = ",".join(f"{x.watchlist}@{x.version}" for x in load_current_lists(connection))
    now = datetime.now(UTC)
    versions = {
        "fx": context.rates.as_of.isoformat(),
        "run": "rescore",
        "lists": lists,
        "screening": DEFAULT_ALGORITHM,
    }
    done = written = 0
    for start in range(0, len(rows), chunk_rows):
        chunk: list[dict[str, Any]] = []
        part = rows[start : start + chunk_rows]
        sids: list[int] = []
        network_links: list[list[Any]] = []
        for row in part:
            row.pop("received_at")
            sids.append(row.pop("sid"))
            network, links = linked.get(sids[-1], (no_network(), []))
            row.update(network)  # before the model, as online
            network_links.append(links)
        # The live model, as online: scored for the whole chunk at once.
        assessments = model.assess_many(part) if model is not None else [None] * len(part)
        for sid, row, assessment, links in zip(sids, part, assessments, network_links, strict=True):
            evidence = [*(screened[sid][1] if sid in screened else []), *links]
            decision = decide(row, ruleset, context.profile, now, versions, evidence, assessment)
            if already.get(sid) == decision.versions:
                continue  # decided by an earlier run with the same inputs
            chunk.append(
                {
                    "shipment_id": sid,
                    "decided_at": now,
                    "score": decision.score,
                    "lane": decision.lane.value,
                    "reasons": [r.model_dump() for r in decision.reasons],
                    "versions": decision.versions,
                    "features": with_model_outputs(row, assessment),
                    "kind": "live",
                    "ruleset": ruleset.label,
                }
            )
        if chunk:
            with engine.begin() as connection:  # a chunk commits whole or not at all
                connection.execute(decisions.insert(), chunk)
        done += len(part)
        written += len(chunk)
        if progress is not None:
            progress(done, len(rows))
    return written
