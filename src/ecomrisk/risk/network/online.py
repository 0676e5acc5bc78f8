"""Network features of one filing as it is decided: its parties linked to entities
(``link.py``), then the latest build's risk of each party's entity and identifiers.

``network_risk`` is the highest risk among them; ``network_size`` the number of
entities in the largest network a party belongs to. A party with a new name but
a ring's phone number gets the phone's risk even before any batch run links it.
"""

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from ecomrisk.domain.records import Reason
from ecomrisk.risk.network.keys import identifier_nodes, record_keys
from ecomrisk.risk.network.link import Linked, LinkModel, link_version
from ecomrisk.risk.network.model import ALGORITHM, Weights
from ecomrisk.risk.network.resolve import latest_model
from ecomrisk.store.schema import network_runs, network_scores, networks, parties

REFRESH_SECONDS = 1.0
# A link is worded as a reason when its risk is at least REASON_LIFT times the overall
# violation rate of the build (what a node no exam reaches scores) and REASON_MIN_RISK;
# weaker links are kept in the features only.
REASON_LIFT = 2.0
REASON_MIN_RISK = 0.05
FEATURES = ("network_risk", "network_size")


def no_network() -> dict[str, float]:
    return {"network_risk": 0.0, "network_size": 0.0}


@dataclass
class NetworkContext:
    """The model and build in use, re-read at most every ``refresh_seconds``."""

    refresh_seconds: float = REFRESH_SECONDS
    _model: LinkModel | None = None
    _run: int | None = None
    _reason_min: float = REASON_MIN_RISK
    _checked: float = -1e9

    def current(self, connection: Connection) -> tuple[LinkModel | None, int | None]:
        if time.monotonic() - self._checked >= self.refresh_seconds:
            self._checked = time.monotonic()
            row = latest_model(connection)
            if row is None:
                self._model = None
            elif self._model is None or self._model.id != row.id:
                self._model = LinkModel(row.id, Weights.from_splink(row.settings), row.threshold)
            self._run, self._reason_min = latest_run(connection)
        return self._model, self._run

    @property
    def reason_min(self) -> float:
        return self._reason_min

    def version(self, connection: Connection) -> str:
        model, run = self.current(connection)
        return f"{ALGORITHM}:model-{model.id if model else 'none'}:run-{run or 'none'}"


def latest_run(connection: Connection) -> tuple[int | None, float]:
    """The latest build and the risk from which its links are worded as reasons."""
    row = connection.execute(
        select(network_runs.c.id, network_runs.c.params).order_by(network_runs.c.id.desc()).limit(1)
    ).first()
    if row is None:
        return None, REASON_MIN_RISK
    overall = float((row.params or {}).get("overall_rate", 0.0))
    return row.id, max(REASON_MIN_RISK, REASON_LIFT * overall)


def _unlinked(connection: Connection, sid: int) -> list[Linked]:
    rows = connection.execute(
        select(parties).where(parties.c.shipment_id == sid).order_by(parties.c.id)
    ).all()
    return [Linked(r.id, r.role, r.name, r.entity_id or "", record_keys(r)) for r in rows]


def network_features(
    connection: Connection, sid: int, context: NetworkContext
) -> tuple[dict[str, float], list[Reason], str]:
    """Link the parties of ``sid``, then its features, reasons and the version used."""
    model, run = context.current(connection)
    version = context.version(connection)
    if model is None and run is None:  # no network yet: nothing to link or score against
        return no_network(), [], version
    linked = (
        link_version(connection, sid, model, datetime.now(UTC))
        if model is not None
        else _unlinked(connection, sid)
    )
    if run is None:
        return no_network(), [], version
    nodes = sorted({n[:700] for x in linked for n in party_nodes(x)})
    scores = {
        row.node: row
        for row in connection.execute(_scores_query().where(network_scores.c.node.in_(nodes)))
    }
    features, reasons = score_parties(linked, scores, context.reason_min)
    return features, reasons, version


def party_nodes(party: Linked) -> list[str]:
    return ([f"entity:{party.entity_id}"] if party.entity_id else []) + identifier_nodes(party.keys)


def _scores_query() -> Any:
    return select(
        network_scores.c.node, network_scores.c.risk, networks.c.id, networks.c.entities
    ).outerjoin(networks, networks.c.id == network_scores.c.network_id)


def score_parties(
    linked: list[Linked], scores: dict[str, Any], reason_min: float = REASON_MIN_RISK
) -> tuple[dict[str, float], list[Reason]]:
    """Features and reasons of one filing's parties from the stored node scores."""
    features = no_network()
    reasons = []
    for party in linked:
        found = [scores[n[:700]] for n in party_nodes(party) if n[:700] in scores]
        if not found:
            continue
        sizes = [float(s.entities) for s in found if s.entities]
        features["network_size"] = max([features["network_size"], *sizes])
        top = max(found, key=lambda s: s.risk)
        features["network_risk"] = max(features["network_risk"], top.risk)
        if top.risk >= reason_min:
            where = f"network N{top.id} ({top.entities} entities)" if top.id else "the graph"
            reasons.append(
                Reason(
                    kind="network",
                    code=top.node,
                    text=f"{party.role} {party.name!r} is linked through {top.node} to {where}: "
                    f"network risk {top.risk:.2f}",
                    weight=round(top.risk, 4),
                )
            )
    reasons.sort(key=lambda r: -r.weight)
    return features, reasons


@dataclass(frozen=True)
class NodeScores:
    """The latest build's score of every node, and the risk from which its links are
    worded as reasons."""

    scores: dict[str, Any]
    reason_min: float


def stored_node_scores(connection: Connection) -> NodeScores | None:
    """The latest build's node scores, or None when no build has run."""
    run, reason_min = latest_run(connection)
    if run is None:
        return None
    return NodeScores({row.node: row for row in connection.execute(_scores_query())}, reason_min)


def stored_network(
    connection: Connection,
    between: tuple[int, int] | None = None,
    scores: NodeScores | None = None,
) -> dict[int, tuple[dict[str, float], list[Reason]]]:
    """Features and reasons of every shipment version from the latest build, for batch
    rescoring (the parties' entities as stored now); ``between``: only versions with
    ids in that closed range (a chunk of a streamed run), ``scores``: the node scores
    when the caller has read them already (``stored_node_scores``)."""
    scores = stored_node_scores(connection) if scores is None else scores
    if scores is None:
        return {}
    query = select(parties).order_by(parties.c.id)
    if between is not None:
        query = query.where(parties.c.shipment_id.between(*between))
    by_sid: dict[int, list[Linked]] = {}
    for row in connection.execute(query):
        linked = Linked(row.id, row.role, row.name, row.entity_id or "", record_keys(row))
        by_sid.setdefault(row.shipment_id, []).append(linked)
    return {
        sid: score_parties(linked, scores.scores, scores.reason_min)
        for sid, linked in by_sid.items()
    }
