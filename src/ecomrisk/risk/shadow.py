"""Shadow comparison: the lanes a shadow rule set gave beside the live lanes of
the same shipment versions."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from ecomrisk.store.schema import decisions, shipments

MAX_EXAMPLES = 50


@dataclass(frozen=True)
class ShadowComparison:
    ruleset: str
    decided: int  # shipment versions the shadow rule set decided
    pairs: dict[tuple[str, str], int]  # (live lane, shadow lane) -> versions
    examples: list[Any]  # versions where the lanes differ: sid, house bill, lanes

    @property
    def changed(self) -> int:
        return sum(n for (live, shadow), n in self.pairs.items() if live != shadow)


def compare(connection: Connection, label: str) -> ShadowComparison:
    shadow = decisions.alias("shadow")
    live = decisions.alias("live")
    latest_live = (
        select(func.max(decisions.c.id))
        .where(decisions.c.shipment_id == shadow.c.shipment_id, decisions.c.kind == "live")
        .correlate(shadow)
        .scalar_subquery()
    )
    joined = shadow.join(live, live.c.id == latest_live)
    rows = connection.execute(
        select(live.c.lane.label("live"), shadow.c.lane.label("shadow"), func.count())
        .select_from(joined)
        .where(shadow.c.kind == "shadow", shadow.c.ruleset == label)
        .group_by(live.c.lane, shadow.c.lane)
    ).all()
    pairs = {(r.live, r.shadow): int(r[2]) for r in rows}
    examples = connection.execute(
        select(
            shipments.c.id.label("sid"),
            shipments.c.house_bill,
            live.c.lane.label("live"),
            shadow.c.lane.label("shadow"),
            shadow.c.score,
        )
        .select_from(joined.join(shipments, shipments.c.id == shadow.c.shipment_id))
        .where(shadow.c.kind == "shadow", shadow.c.ruleset == label, live.c.lane != shadow.c.lane)
        .order_by(shadow.c.id.desc())
        .limit(MAX_EXAMPLES)
    ).all()
    return ShadowComparison(label, sum(pairs.values()), pairs, list(examples))
