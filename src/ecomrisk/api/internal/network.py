"""Internal API for the network explorer (analysts): expand a node, list networks,
show a network, explain an entity and a link between two party records."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query

from ecomrisk.api.deps import EngineDep
from ecomrisk.api.internal.auth import Analyst
from ecomrisk.api.internal.routes import ERRORS
from ecomrisk.risk.network import explore

router = APIRouter(prefix="/internal/v1/network", tags=["network"], responses=ERRORS)

MAX_ID = 2**63 - 1
Limit = Annotated[int, Query(ge=1, le=explore.MAX_LIMIT, description="most items returned")]


@router.get("/nodes/{node:path}")
def expand_node(node: str, engine: EngineDep, user: Analyst, limit: Limit = 50) -> dict[str, Any]:
    """A node (entity:E12, phone:+1..., email:..., seller:..., address:..., shipment:345) and
    its neighbours, each edge with its count, first and last seen, and risk."""
    with engine.connect() as connection:
        try:
            return explore.expand(connection, node, limit)
        except explore.NotFoundError as error:
            raise HTTPException(404, str(error)) from None
        except ValueError as error:
            raise HTTPException(422, str(error)) from None


@router.get("/networks")
def list_networks(
    engine: EngineDep,
    user: Analyst,
    limit: Limit = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> list[dict[str, Any]]:
    """The networks of the latest build, riskiest first."""
    with engine.connect() as connection:
        return explore.list_networks(connection, limit, offset)


@router.get("/networks/{network_id}")
def show_network(
    network_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    engine: EngineDep,
    user: Analyst,
    limit: Limit = 100,
) -> dict[str, Any]:
    """A network: members, shipments, findings and the shared identifiers that link them."""
    with engine.connect() as connection:
        try:
            return explore.show_network(connection, network_id, limit)
        except explore.NotFoundError as error:
            raise HTTPException(404, str(error)) from None


@router.get("/entities/{entity_id}")
def explain_entity(
    entity_id: Annotated[str, Path(max_length=64)], engine: EngineDep, user: Analyst
) -> dict[str, Any]:
    """An entity's records and the links (fields that agreed, match weights) that join them."""
    with engine.connect() as connection:
        try:
            return explore.explain_entity(connection, entity_id)
        except explore.NotFoundError as error:
            raise HTTPException(404, str(error)) from None


@router.get("/links")
def explain_link(
    engine: EngineDep,
    user: Analyst,
    a: Annotated[int, Query(ge=1, le=MAX_ID, description="a party record id")],
    b: Annotated[int, Query(ge=1, le=MAX_ID, description="another party record id")],
) -> dict[str, Any]:
    """Two party records compared field by field with the stored model's weights."""
    with engine.connect() as connection:
        try:
            return explore.explain_link(connection, a, b)
        except explore.NotFoundError as error:
            raise HTTPException(404, str(error)) from None
