"""Backtest a rule set on history: what it would have hit, and how right it was.

Outcomes exist only for inspected shipments, so precision is measured among
inspected hits; the report says how many that is, so nobody reads a precision
of 1.0 on two exams as proof.
"""

from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import numpy as np
import pyarrow as pa
from sqlalchemy import Engine, case, func, select

from ecomrisk.domain.enums import Lane
from ecomrisk.features.matrix import FeatureContext, feature_matrix
from ecomrisk.risk.decision import lane_in_profile
from ecomrisk.risk.network.online import FEATURES as NETWORK_FEATURES
from ecomrisk.risk.network.online import no_network, stored_network
from ecomrisk.risk.rules import RuleSet
from ecomrisk.risk.rules.sql import hit_column, rule_hits_sql
from ecomrisk.store.schema import decisions, outcomes, shipments


@dataclass(frozen=True)
class RuleResult:
    rule_id: str
    hits: int
    share: float  # of the shipments in the period
    inspected: int  # hits that were examined
    violations: int  # of those, how many had a violation
    overlaps: dict[str, int]  # other rule id -> shipments both hit

    @property
    def precision(self) -> float | None:
        return self.violations / self.inspected if self.inspected else None


@dataclass(frozen=True)
class BacktestReport:
    ruleset: str
    since: datetime | None
    until: datetime | None
    shipments: int
    rules: list[RuleResult]
    lane_changes: dict[tuple[str, str], int] = field(default_factory=dict)  # (live, would-be)

    @property
    def changed(self) -> int:
        return sum(n for (old, new), n in self.lane_changes.items() if old != new)


def _labels(engine: Engine) -> pa.Table:
    """Per current shipment version: was any version of it examined, and was a violation found."""
    version = shipments.alias("version")
    query = (
        select(
            shipments.c.id.label("sid"),
            func.max(1).label("inspected"),
            func.max(case((outcomes.c.result == "violation", 1), else_=0)).label("violation"),
        )
        .select_from(
            shipments.join(
                version,
                (version.c.filer_id == shipments.c.filer_id)
                & (version.c.filer_reference == shipments.c.filer_reference),
            ).join(outcomes, outcomes.c.shipment_id == version.c.id)
        )
        .where(shipments.c.is_current)
        .group_by(shipments.c.id)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return pa.table(
        {
            "sid": pa.array([r.sid for r in rows], pa.int64()),
            "inspected": pa.array([int(r.inspected) for r in rows], pa.int64()),
            "violation": pa.array([int(r.violation) for r in rows], pa.int64()),
        }
    )


def _live_lanes(engine: Engine) -> dict[int, str]:
    latest = (
        select(decisions.c.shipment_id, func.max(decisions.c.id).label("id"))
        .where(decisions.c.kind == "live")
        .group_by(decisions.c.shipment_id)
        .subquery()
    )
    with engine.connect() as connection:
        rows = connection.execute(
            select(decisions.c.shipment_id, decisions.c.lane).join(
                latest, latest.c.id == decisions.c.id
            )
        ).all()
    return {r.shipment_id: r.lane for r in rows}


def _with_network(engine: Engine, matrix: pa.Table) -> pa.Table:
    """The counter-network features joined as batch rescoring joins them: from the
    latest build, as stored now (so a build made after the exams knows their findings)."""
    with engine.connect() as connection:
        linked = stored_network(connection)
    for name in NETWORK_FEATURES:
        values = [linked.get(sid, (no_network(), []))[0][name] for sid in matrix["sid"].to_pylist()]
        matrix = matrix.append_column(name, pa.array(values, pa.float64()))
    return matrix


def backtest(
    engine: Engine,
    ruleset: RuleSet,
    context: FeatureContext,
    since: datetime | None = None,
    until: datetime | None = None,
) -> BacktestReport:
    matrix = feature_matrix(engine, context, since, until)
    with engine.connect() as connection:
        current = {
            r.id for r in connection.execute(select(shipments.c.id).where(shipments.c.is_current))
        }
    if matrix.num_rows:
        keep = pa.array([sid in current for sid in matrix.column("sid").to_pylist()])
        matrix = matrix.filter(keep)
    n = matrix.num_rows
    if n == 0:
        return BacktestReport(ruleset.label, since, until, 0, [])
    matrix = _with_network(engine, matrix)
    with duckdb.connect() as duck:
        duck.register(
            "matrix",
            matrix.append_column(
                "day",
                pa.array([t.date() for t in matrix.column("received_at").to_pylist()], pa.date32()),
            ),
        )
        duck.register("labels", _labels(engine))
        hits = duck.sql(
            "SELECT h.*, COALESCE(l.inspected, 0) AS inspected,"
            " COALESCE(l.violation, 0) AS violation"
            f" FROM ({rule_hits_sql(ruleset, 'matrix', day_column='day')}) h"
            f" LEFT JOIN labels l USING (sid) ORDER BY sid"
        ).to_arrow_table()
    hit = {
        r.id: hits.column(hit_column(r.id)).to_numpy(zero_copy_only=False).astype(bool)
        for r in ruleset.rules
    }
    inspected = hits.column("inspected").to_numpy() == 1
    violation = hits.column("violation").to_numpy() == 1
    results = []
    for rule in ruleset.rules:
        mine = hit[rule.id]
        results.append(
            RuleResult(
                rule_id=rule.id,
                hits=int(mine.sum()),
                share=float(mine.mean()),
                inspected=int((mine & inspected).sum()),
                violations=int((mine & inspected & violation).sum()),
                overlaps={
                    other.id: int((mine & hit[other.id]).sum())
                    for other in ruleset.rules
                    if other.id != rule.id and (mine & hit[other.id]).any()
                },
            )
        )
    # The lane each shipment would get: the strictest lane among its hits.
    ranks = np.zeros(n, dtype=int)
    for rule in ruleset.rules:
        ranks = np.maximum(ranks, np.where(hit[rule.id], rule.lane.rank, 0))
    lanes = list(Lane)
    live = _live_lanes(engine)
    changes: dict[tuple[str, str], int] = {}
    for sid, rank in zip(hits.column("sid").to_pylist(), ranks, strict=True):
        if sid in live:
            would_be = lane_in_profile(lanes[rank], context.profile).value
            key = (live[sid], would_be)
            changes[key] = changes.get(key, 0) + 1
    return BacktestReport(ruleset.label, since, until, n, results, changes)
