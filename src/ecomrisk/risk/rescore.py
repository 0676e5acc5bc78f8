"""Rescore history in batch after a rule (or, later, model) change.

Features come from the batch feature matrix (the same definitions as online),
with the counter-network features as stored now. Which rules hit is found for
all rows at once by the rule set compiled to SQL (``rule_hits_sql``, held equal
to the Python evaluation by a property test) on the batch engine (DuckDB, or
Spark, which also scores the model there: ``batch_scoring``); each row is then
decided by the same pure ``decide`` as a live filing, given those hits and the
live model's assessment. The new decisions are appended in chunks: earlier
decisions stay, the latest counts.

A run killed part way leaves whole chunks only (each commits on its own).
Running it again resumes: a version whose latest live decision was made with
exactly the same versions (rule set, model, lists, profile, logic, run) is left
alone, so a re-run neither duplicates what was written nor loses what was not.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection, Engine, func, select

from ecomrisk.engines.batch import BatchEngine, DuckDBEngine
from ecomrisk.features.matrix import FeatureContext, feature_rows
from ecomrisk.risk import rulesets_repo
from ecomrisk.risk.decide import with_model_outputs
from ecomrisk.risk.decision import decide
from ecomrisk.risk.intelligence import no_intelligence, stored_intelligence
from ecomrisk.risk.model.batch_scoring import assess_on
from ecomrisk.risk.model.live import ModelCache
from ecomrisk.risk.network.online import no_network, stored_network
from ecomrisk.risk.rules import RuleSet
from ecomrisk.risk.rules.evaluate import hit_of
from ecomrisk.risk.rules.model import conditions
from ecomrisk.risk.rules.sql import hit_column, rule_hits_sql
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


def _hit_flags(
    ruleset: RuleSet, rows: list[dict[str, Any]], batch: BatchEngine
) -> list[list[bool]]:
    """Per rule (in rule-set order), per row: does it hold. NULL counts as false."""
    matrix = pa.Table.from_pylist(rows)
    # A feature no row has (one a rule names before any filing carries it) is missing,
    # as in Python's evaluation: a column of NULLs, which no comparison satisfies.
    named = {c.feature for rule in ruleset.rules for c in conditions(rule.when)}
    for name in sorted(named - set(matrix.column_names)):
        matrix = matrix.append_column(name, pa.nulls(matrix.num_rows))
    table = batch.query(rule_hits_sql(ruleset, "matrix") + " ORDER BY sid", {"matrix": matrix})
    return [
        [bool(flag) for flag in table.column(hit_column(rule.id)).to_pylist()]
        for rule in ruleset.rules
    ]


def rescore(
    engine: Engine,
    context: FeatureContext,
    since: datetime | None = None,
    until: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
    chunk_rows: int = RESCORE_CHUNK_ROWS,
    batch: BatchEngine | None = None,
    export: Path | None = None,
) -> int:
    """Decide again every current shipment version received in [since, until) unless
    its latest decision already is this one; returns how many were decided.
    ``progress(done, total)`` counts the versions looked at, left alone ones too.
    Features and rule hits run on ``batch`` (DuckDB unless told); given an engine,
    the model scores there too, all rows in one job. With ``export`` (a Parquet
    export of the store) the history features read it instead of the store."""
    with engine.begin() as connection:
        ruleset = rulesets_repo.ensure_live(connection)
        model, _ = ModelCache().current(connection)
        current = {
            r.id for r in connection.execute(select(shipments.c.id).where(shipments.c.is_current))
        }
    rows = [
        row
        for row in feature_rows(engine, context, since, until, batch, export)
        if row["sid"] in current
    ]
    with engine.connect() as connection:
        screened = stored_screening(connection)
        linked = stored_network(connection)  # counter-network features, as stored now
        reported = stored_intelligence(connection)  # public reports analysts linked
        already = _latest_versions(connection, ruleset.label)
        lists = ",".join(f"{x.watchlist}@{x.version}" for x in load_current_lists(connection))
    now = datetime.now(UTC)
    versions = {
        "fx": context.rates.as_of.isoformat(),
        "run": "rescore",
        "lists": lists,
        "screening": DEFAULT_ALGORITHM,
    }
    network_links: list[list[Any]] = []
    for row in rows:
        row.pop("received_at")
        network, links = linked.get(row["sid"], (no_network(), []))
        row.update(network)  # before the rules and the model, as online
        intelligence, report_reasons = reported.get(row["sid"], (no_intelligence(), []))
        row.update(intelligence)
        network_links.append([*links, *report_reasons])
    # Rules in force today, with their rows' flags; decide() gets the hits in rule order.
    flags = _hit_flags(ruleset, rows, batch or DuckDBEngine()) if rows else []
    in_force = [
        (rule, flag)
        for rule, flag in zip(ruleset.rules, flags, strict=True)
        if rule.in_force(now.date())
    ]
    sids = [row.pop("sid") for row in rows]
    # On an engine, one job for every row; in process, chunk by chunk as before.
    scored = assess_on(batch, model, rows) if batch is not None and model is not None else None
    done = written = 0
    for start in range(0, len(rows), chunk_rows):
        chunk: list[dict[str, Any]] = []
        part = rows[start : start + chunk_rows]
        # The live model, as online: scored for the whole chunk at once.
        if scored is not None:
            assessments: list[Any] = scored[start : start + chunk_rows]
        else:
            assessments = model.assess_many(part) if model is not None else [None] * len(part)
        for i, (row, assessment) in enumerate(zip(part, assessments, strict=True), start):
            sid = sids[i]
            evidence = [*(screened[sid][1] if sid in screened else []), *network_links[i]]
            hits = [hit_of(rule, row) for rule, flag in in_force if flag[i]]
            decision = decide(
                row, ruleset, context.profile, now, versions, evidence, assessment, hits
            )
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
