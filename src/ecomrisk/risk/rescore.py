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

import json
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from itertools import compress
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from sqlalchemy import Connection, Engine, Text, cast, func, select

from ecomrisk.domain.records import Reason
from ecomrisk.engines.batch import BatchEngine
from ecomrisk.features.matrix import FeatureContext, feature_chunks
from ecomrisk.gc_pause import collector_paused
from ecomrisk.risk import decision_rows, rulesets_repo
from ecomrisk.risk.decide import model_outputs
from ecomrisk.risk.decision import decide
from ecomrisk.risk.intelligence import no_intelligence, stored_intelligence
from ecomrisk.risk.model.batch_scoring import assess_on
from ecomrisk.risk.model.live import ModelCache
from ecomrisk.risk.network.online import no_network, stored_network, stored_node_scores
from ecomrisk.risk.rules import RuleSet
from ecomrisk.risk.rules.evaluate import hit_of
from ecomrisk.risk.rules.model import conditions
from ecomrisk.risk.rules.sql import hit_column, rule_hits_sql
from ecomrisk.risk.screen_filing import no_screening, stored_screening
from ecomrisk.risk.screening.matcher import DEFAULT_ALGORITHM
from ecomrisk.risk.screening.repo import current_list_versions
from ecomrisk.store.schema import decisions, shipments

RESCORE_CHUNK_ROWS = 5_000


def _latest_versions(
    connection: Connection, ruleset: str, between: tuple[int, int]
) -> dict[int, Any]:
    """The versions of each shipment version's latest live decision, where that
    decision was made with ``ruleset``, for the versions with ids in ``between``."""
    latest = (
        select(func.max(decisions.c.id).label("id"))
        .where(decisions.c.kind == "live", decisions.c.shipment_id.between(*between))
        .group_by(decisions.c.shipment_id)
        .subquery()
    )
    # Read as text and parsed once per distinct text: a run's decisions share a few.
    rows = connection.execute(
        select(decisions.c.shipment_id, cast(decisions.c.versions, Text).label("v"))
        .join(latest, decisions.c.id == latest.c.id)
        .where(decisions.c.ruleset == ruleset)
    )
    parsed: dict[str, Any] = {}
    return {
        r.shipment_id: parsed[r.v] if r.v in parsed else parsed.setdefault(r.v, json.loads(r.v))
        for r in rows
    }


def _named_features(ruleset: RuleSet) -> list[str]:
    return sorted({c.feature for rule in ruleset.rules for c in conditions(rule.when)})


class _RuleHits:
    """Which rules hold on each row of a chunk, found by the rule set compiled to SQL
    (``rule_hits_sql``) in DuckDB in this process: the chunk is on the driver already,
    and only the columns the rules name are handed over, built column by column."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.named = _named_features(ruleset)
        self.sql = rule_hits_sql(ruleset, "matrix")
        self.duck = duckdb.connect()

    def holding(self, rows: list[dict[str, Any]], rules: list[int]) -> list[list[int]]:
        """Per row, which of ``rules`` (indices in rule-set order) hold on it, in that
        order; NULL counts as false. A feature no row has (one a rule names before any
        filing carries it) is missing, as in Python's evaluation: a column of NULLs,
        which no comparison satisfies. Few rows hit a rule, so each rule's column is
        scanned for its hits (``compress``) rather than each row asking every rule."""
        columns = {"sid": pa.array(range(len(rows)), pa.int64())}
        for name in self.named:
            columns[name] = pa.array([row.get(name) for row in rows])
        self.duck.register("matrix", pa.table(columns))
        table = self.duck.sql(self.sql).to_arrow_table()
        self.duck.unregister("matrix")
        holding: list[list[int]] = [[] for _ in rows]
        for r in rules:
            flags = table.column(hit_column(self.ruleset.rules[r].id)).to_pylist()
            for i in compress(range(len(rows)), flags):
                holding[i].append(r)
        return holding

    def close(self) -> None:
        self.duck.close()


@contextmanager
def _waited(writer: ThreadPoolExecutor) -> Iterator[None]:
    """The writer's last chunk landed (or failed) before the run returns or raises."""
    try:
        yield
    finally:
        writer.shutdown(wait=True)


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
    History features run on ``batch`` (DuckDB unless told) and stream back chunk by
    chunk; given an engine that is not in this process, the model scores there, a
    job per chunk. With ``export`` (a Parquet export of the store) the history
    features read it instead of the store."""
    # Paused from the start: the setup allocates enough (the rule set, the model) to
    # set off a full collection too.
    with collector_paused() as collect:
        return _rescore(engine, context, since, until, progress, chunk_rows, batch, export, collect)


def _rescore(
    engine: Engine,
    context: FeatureContext,
    since: datetime | None,
    until: datetime | None,
    progress: Callable[[int, int], None] | None,
    chunk_rows: int,
    batch: BatchEngine | None,
    export: Path | None,
    collect: Callable[[int], None],
) -> int:
    with engine.begin() as connection:
        ruleset = rulesets_repo.ensure_live(connection)
        model, _ = ModelCache().current(connection)
        total = int(
            connection.execute(
                select(func.count()).select_from(shipments).where(*_window(since, until))
            ).scalar_one()
        )
        lists = current_list_versions(connection)
        node_scores = stored_node_scores(connection)
    now = datetime.now(UTC)
    versions = {
        "fx": context.rates.as_of.isoformat(),
        "run": "rescore",
        "lists": lists,
        "screening": DEFAULT_ALGORITHM,
    }
    in_force = [i for i, rule in enumerate(ruleset.rules) if rule.in_force(now.date())]
    remote = batch is not None and not batch.in_process
    hits = _RuleHits(ruleset)
    # What a version without hits, links or reports gets: only read (copied into rows).
    nothing: list[Reason] = []
    unscreened, unlinked, unreported = (
        (no_screening(), nothing),
        (no_network(), nothing),
        (no_intelligence(), nothing),
    )
    pending: list[dict[str, Any]] = []
    done = written = 0
    # Chunks are written by a thread of their own while the next is decided: SQLite and
    # the PostgreSQL driver release the GIL while they store, so on a second core the
    # writes overlap the deciding. One chunk in flight at most, each committed whole and
    # in order (a killed run leaves whole chunks, the earliest); a write's failure is
    # raised at the next flush or at the end.
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rescore-writer")
    in_flight: Future[int] | None = None

    def write(chunk: list[dict[str, Any]]) -> int:
        with engine.begin() as connection:  # a chunk commits whole or not at all
            decision_rows.insert(connection, chunk)
        return len(chunk)

    def landed() -> None:
        nonlocal written, in_flight
        if in_flight is not None:
            written += in_flight.result()
            in_flight = None

    def flush(count: int) -> None:
        nonlocal in_flight
        chunk = pending[:count]
        del pending[:count]
        landed()
        in_flight = writer.submit(write, chunk)

    with closing(hits), _waited(writer):
        for rows in feature_chunks(
            engine, context, since, until, batch, export, chunk_rows, current_only=True
        ):
            between = (rows[0]["sid"], rows[-1]["sid"])
            with engine.connect() as connection:
                screened = stored_screening(connection, between)
                linked = stored_network(connection, between, node_scores)
                reported = stored_intelligence(connection, between)
                already = _latest_versions(connection, ruleset.label, between)
            evidence: list[list[Any]] = []
            for row in rows:
                del row["received_at"]
                sid = row["sid"]
                screening, screening_reasons = screened.get(sid, unscreened)
                network, links = linked.get(sid, unlinked)
                intelligence, report_reasons = reported.get(sid, unreported)
                # Before the rules and the model, as online.
                row.update(screening)
                row.update(network)
                row.update(intelligence)
                evidence.append([*screening_reasons, *links, *report_reasons])
            holding = hits.holding(rows, in_force)
            sids = [row.pop("sid") for row in rows]
            # The live model, as online: the whole chunk at once (on a remote engine,
            # in its workers).
            if model is None:
                assessments: list[Any] = [None] * len(rows)
            elif remote:
                assessments = assess_on(batch, model, rows)  # type: ignore[arg-type]
            else:
                assessments = model.assess_many(rows)
            for i, (row, assessment) in enumerate(zip(rows, assessments, strict=True)):
                found = [hit_of(ruleset.rules[r], row) for r in holding[i]]
                decision = decide(
                    row, ruleset, context.profile, now, versions, evidence[i], assessment, found
                )
                if already.get(sids[i]) == decision.versions:
                    continue  # decided by an earlier run with the same inputs
                if assessment is not None:  # as ``with_model_outputs``, without a copy
                    row.update(model_outputs(assessment))
                pending.append(
                    {
                        "shipment_id": sids[i],
                        "decided_at": now,
                        "score": decision.score,
                        "lane": decision.lane.value,
                        "reasons": decision_rows.reason_documents(decision.reasons),
                        "versions": decision.versions,
                        "features": row,
                        "kind": "live",
                        "ruleset": ruleset.label,
                    }
                )
            while len(pending) >= chunk_rows:
                flush(chunk_rows)
            done += len(rows)
            if progress is not None:
                progress(done, max(total, done))
            collect(len(rows))
        if pending:
            flush(len(pending))
        landed()
    if progress is not None:
        progress(done, done)
    return written


def _window(since: datetime | None, until: datetime | None) -> list[Any]:
    """The current versions received in [since, until), as WHERE clauses."""
    where: list[Any] = [shipments.c.is_current]
    if since is not None:
        where.append(shipments.c.received_at >= since)
    if until is not None:
        where.append(shipments.c.received_at < until)
    return where
