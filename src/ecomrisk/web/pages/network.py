"""The network explorer: networks by risk, one network's members, shipments,
findings and shared identifiers, and an expandable graph (``static/network.js``
on the vendored Cytoscape.js) fed by JSON routes over the same query functions
as ``/internal/v1/network`` (``risk.network.explore``), with session sign-in."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from ecomrisk.api.deps import EngineDep
from ecomrisk.domain.enums import Role
from ecomrisk.risk.network import explore
from ecomrisk.store.sessions_repo import Session
from ecomrisk.web.auth import allow
from ecomrisk.web.templating import render

router = APIRouter()

NETWORK_READERS = (Role.ANALYST, Role.OFFICER, Role.SUPERVISOR)
NetworkReader = Annotated[Session, Depends(allow(*NETWORK_READERS))]
MAX_ID = 2**63 - 1
PAGE_SIZE = 50
NodeQuery = Annotated[str, Query(min_length=3, max_length=700, description="KIND:KEY")]


def _answer(read: Any, connection: Connection, *args: Any) -> dict[str, Any]:
    try:
        answer: dict[str, Any] = read(connection, *args)
    except explore.NotFoundError as error:
        raise HTTPException(404, str(error)) from None
    except ValueError as error:
        raise HTTPException(422, str(error)) from None
    return answer


@router.get("/network")
def networks(
    request: Request,
    engine: EngineDep,
    session: NetworkReader,
    node: Annotated[str | None, Query(max_length=700)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Networks of the latest build, riskiest first; with ``node``, the graph from it."""
    with engine.connect() as connection:
        rows = explore.list_networks(connection, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
        start = _answer(explore.expand, connection, node, 1) if node else None
    return render(
        request,
        "networks.html",
        networks=rows[:PAGE_SIZE],
        page=page,
        more=len(rows) > PAGE_SIZE,
        node=node,
        start=start,
    )


@router.get("/network/networks/{network_id}")
def network(
    request: Request,
    network_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    engine: EngineDep,
    session: NetworkReader,
) -> Response:
    """One network: its members, the shipments and findings behind it, the graph."""
    with engine.connect() as connection:
        shown = _answer(explore.show_network, connection, network_id, 100)
    return render(request, "network.html", network=shown)


@router.get("/network/graph/network")
def network_json(
    engine: EngineDep,
    session: NetworkReader,
    network_id: Annotated[int, Query(alias="id", ge=1, le=MAX_ID)],
) -> dict[str, Any]:
    """A network's members and the shared identifiers linking them, for the graph."""
    with engine.connect() as connection:
        return _answer(explore.show_network, connection, network_id, 100)


@router.get("/network/graph/node")
def node_json(
    engine: EngineDep,
    session: NetworkReader,
    node: NodeQuery,
    limit: Annotated[int, Query(ge=1, le=explore.MAX_LIMIT)] = 30,
) -> dict[str, Any]:
    """A node and its neighbours, each edge with its count, first and last seen, risk."""
    with engine.connect() as connection:
        return _answer(explore.expand, connection, node, limit)


@router.get("/network/graph/link")
def link_json(
    engine: EngineDep,
    session: NetworkReader,
    entity: Annotated[str, Query(min_length=1, max_length=64)],
    node: NodeQuery,
) -> dict[str, Any]:
    """The shipments and findings behind the link between an entity and ``node``."""
    with engine.connect() as connection:
        return _answer(explore.link_evidence, connection, entity, node, 50)


@router.get("/network/graph/entity")
def entity_json(
    engine: EngineDep,
    session: NetworkReader,
    entity: Annotated[str, Query(min_length=1, max_length=64)],
) -> dict[str, Any]:
    """An entity's records and the links (fields that agreed, weights) that join them."""
    with engine.connect() as connection:
        return _answer(explore.explain_entity, connection, entity, 50)
