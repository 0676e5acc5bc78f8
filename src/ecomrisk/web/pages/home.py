"""The start page: where each of the user's roles begins."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ecomrisk.web.auth import SignedIn
from ecomrisk.web.templating import render

router = APIRouter()


@router.get("/")
def home(request: Request, session: SignedIn) -> Response:
    """Links to the pages the user's roles open."""
    return render(request, "home.html")
