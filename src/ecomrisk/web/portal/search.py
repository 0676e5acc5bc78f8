"""The portal's home and the search of vetted trusted importers and shippers.
Only what is public leaves the store: name, role, country, member since."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from ecomrisk.api.deps import EngineDep, SettingsDep
from ecomrisk.portal import rate_limit
from ecomrisk.programme import repo
from ecomrisk.web.portal import visitor
from ecomrisk.web.templating import render

router = APIRouter(dependencies=[Depends(visitor())])

ROLE_NAMES = {"shipper": "Shipper", "consignee": "Importer"}


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/")
def home(request: Request) -> Response:
    """What the portal offers."""
    return render(request, "portal/home.html")


@router.get("/trusted")
def trusted(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """Search the programme's approved importers and shippers by name."""
    members: list[repo.PublicMember] = []
    if q.strip():
        with engine.begin() as connection:
            allowed = rate_limit.hit(
                connection,
                rate_limit.client_of(client_ip(request)),
                "search",
                settings.portal_searches_per_minute,
                timedelta(minutes=1),
            )
            if not allowed:
                raise HTTPException(
                    429, "too many searches from your address: wait a minute and try again"
                )
            members = repo.public_members(connection, q)
    return render(request, "portal/trusted.html", q=q, members=members, role_names=ROLE_NAMES)
