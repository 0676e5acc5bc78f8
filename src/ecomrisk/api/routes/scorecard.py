"""A filer's data-quality scorecard over time."""

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from ecomrisk.api.deps import ConnectionDep, CurrentFiler
from ecomrisk.api.routes.shipments import ERRORS
from ecomrisk.api.schemas import ScorecardDayPublic, ScorecardPublic
from ecomrisk.store.shipments_query import scorecard

router = APIRouter(tags=["data quality"])


@router.get("/scorecard", responses=ERRORS)
def get_scorecard(
    filer: CurrentFiler,
    connection: ConnectionDep,
    days: Annotated[int, Query(ge=1, le=366, description="How many days back")] = 30,
) -> ScorecardPublic:
    """Your data quality per day: completeness, timeliness, consistency, on-time share,
    and the commonest reasons for lost points."""
    since = (datetime.now(UTC) - timedelta(days=days - 1)).date()
    card = scorecard(connection, filer.id, since=since)
    return ScorecardPublic(
        filer=filer.code,
        since=since.isoformat(),
        filings=card.filings,
        score=None if card.score is None else round(card.score, 4),
        days=[ScorecardDayPublic.of(d) for d in card.days],
        common_reasons=dict(card.common_reasons),
    )
