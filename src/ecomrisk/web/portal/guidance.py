"""Guidance for shippers and buyers: what data customs needs, how to stay compliant."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ecomrisk.portal.reports import VIOLATION_TYPES
from ecomrisk.web.portal import visitor
from ecomrisk.web.templating import render

router = APIRouter(dependencies=[Depends(visitor())])


@router.get("/guidance/shippers")
def shippers(request: Request) -> Response:
    """For sellers, marketplaces, carriers and shippers sending goods."""
    return render(request, "portal/guidance_shippers.html")


@router.get("/guidance/buyers")
def buyers(request: Request) -> Response:
    """For people buying goods online from abroad."""
    return render(request, "portal/guidance_buyers.html", violation_types=VIOLATION_TYPES)
