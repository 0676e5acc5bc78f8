"""Internal API routes: rule sets (list, read, publish, change status, backtest) and
decisions (explain)."""

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Path, Query
from pydantic import BaseModel
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from ecomrisk.api.deps import EngineDep, SettingsDep
from ecomrisk.api.internal.auth import Analyst, Reader
from ecomrisk.api.schemas import ErrorBody
from ecomrisk.risk import rulesets_repo
from ecomrisk.risk.backtest import backtest
from ecomrisk.risk.context import feature_context
from ecomrisk.risk.explain import explain
from ecomrisk.risk.rules import RuleFileError
from ecomrisk.store.schema import rulesets

# Every error of the internal API has the app's one error body (api/errors.py).
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (401, "Missing, invalid or revoked user token"),
        (403, "The user has none of the roles the route needs"),
        (404, "No such rule set or decision"),
        (409, "A rule set of that name and version exists with other content"),
        (422, "Invalid request: every problem listed"),
    )
}
router = APIRouter(prefix="/internal/v1", tags=["internal"], responses=ERRORS)

MAX_ID = 2**63 - 1  # the largest id a database column holds


class RulesetSummary(BaseModel):
    label: str
    status: str
    created_by: str
    created_at: datetime


class RulesetDetail(RulesetSummary):
    source: str


class StatusChange(BaseModel):
    status: Literal["draft", "shadow", "live", "retired"]


@router.get("/rulesets")
def list_rulesets(engine: EngineDep, user: Reader) -> list[RulesetSummary]:
    """Every rule set version and its status."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(rulesets).order_by(rulesets.c.name, rulesets.c.version)
        ).all()
    return [
        RulesetSummary(
            label=f"{r.name}@{r.version}",
            status=r.status,
            created_by=r.created_by,
            created_at=r.created_at,
        )
        for r in rows
    ]


@router.get("/rulesets/{label}")
def get_ruleset(label: str, engine: EngineDep, user: Reader) -> RulesetDetail:
    """One rule set version with its YAML source."""
    name, _, version = label.partition("@")
    if not version.isdigit() or len(version) > 9:
        raise HTTPException(422, f"{label!r}: name a rule set as NAME@VERSION, e.g. default@2")
    with engine.connect() as connection:
        row = connection.execute(
            select(rulesets).where(rulesets.c.name == name, rulesets.c.version == int(version))
        ).one_or_none()
    if row is None:
        raise HTTPException(404, f"no rule set {label}")
    return RulesetDetail(
        label=label,
        status=row.status,
        created_by=row.created_by,
        created_at=row.created_at,
        source=row.source,
    )


@router.post("/rulesets", status_code=201)
def publish_ruleset(
    engine: EngineDep,
    user: Analyst,
    source: Annotated[str, Body(media_type="application/yaml", max_length=200_000)],
) -> RulesetSummary:
    """Publish a rule set written in YAML as a draft (errors name line, field, problem)."""
    try:
        with engine.begin() as connection:
            ruleset = rulesets_repo.publish(
                connection, source, f"user:{user.username}", "request body"
            )
    except RuleFileError as error:
        raise HTTPException(422, str(error)) from None
    except rulesets_repo.RulesetError as error:
        raise HTTPException(409, str(error)) from None
    return get_ruleset(ruleset.label, engine, user)


@router.post("/rulesets/{label}/status")
def change_status(
    label: str, change: StatusChange, engine: EngineDep, user: Analyst
) -> RulesetSummary:
    """Move a version to draft, shadow, live (the live one is retired) or retired."""
    try:
        with engine.begin() as connection:
            rulesets_repo.set_status(connection, label, change.status, f"user:{user.username}")
    except rulesets_repo.RulesetError as error:
        status = 404 if isinstance(error, rulesets_repo.RulesetNotFoundError) else 422
        raise HTTPException(status, str(error)) from None
    return get_ruleset(label, engine, user)


def _moment(day: date | None) -> datetime | None:
    return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)


@router.post("/rulesets/{label}/backtest")
async def backtest_ruleset(
    label: str,
    engine: EngineDep,
    settings: SettingsDep,
    user: Analyst,
    since: Annotated[date | None, Query(alias="from")] = None,
    until: Annotated[date | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    """Backtest a stored rule set on the history received in [from, to)."""

    def run() -> dict[str, Any]:
        with engine.connect() as connection:
            try:
                ruleset = rulesets_repo.load(connection, label)
            except rulesets_repo.RulesetError as error:
                raise HTTPException(404, str(error)) from None
        report = backtest(
            engine, ruleset, feature_context(engine, settings), _moment(since), _moment(until)
        )
        return {
            "ruleset": report.ruleset,
            "shipments": report.shipments,
            "rules": [
                {
                    "rule": r.rule_id,
                    "hits": r.hits,
                    "share": r.share,
                    "inspected": r.inspected,
                    "violations": r.violations,
                    "precision": r.precision,
                    "overlaps": r.overlaps,
                }
                for r in report.rules
            ],
            "lane_changes": [
                {"live": old, "would_be": new, "shipments": n}
                for (old, new), n in sorted(report.lane_changes.items())
            ],
        }

    return await run_in_threadpool(run)


@router.get("/decisions/{decision_id}")
def explain_decision(
    decision_id: Annotated[int, Path(ge=1, le=MAX_ID)], engine: EngineDep, user: Reader
) -> dict[str, Any]:
    """A decision with its reasons, versions and features, reproduced from what was stored."""
    with engine.connect() as connection:
        try:
            result = explain(connection, decision_id)
        except LookupError as error:
            raise HTTPException(404, str(error)) from None
    return {
        "id": result.decision_id,
        "shipment_version_id": result.shipment_id,
        "kind": result.kind,
        "decision": result.stored.model_dump(mode="json"),
        "features": result.features,
        "reproduced": result.reproduced,
    }
