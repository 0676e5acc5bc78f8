"""The supply-chain map: origin -> filer -> port -> destination region as a Sankey
and a world map, by volume, value or risk, filtered by mode, period, HS section
and risk. Images are drawn on the server from the same filters as the page."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from ecomrisk.api.deps import EngineDep, SettingsDep
from ecomrisk.domain.enums import Mode
from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.measures import flows
from ecomrisk.reference import hs
from ecomrisk.web.auth import MeasureReader
from ecomrisk.web.pages.measures import query_day as _day
from ecomrisk.web.templating import render

router = APIRouter()

SECTIONS = [
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
    "XVIII",
    "XIX",
    "XX",
    "XXI",
]


MODES = [m.value for m in Mode]


def _risk(text: str) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise HTTPException(422, f"min_risk: {text!r} is not a score between 0 and 1")
    return value


class _Filters:
    """The query parameters every flow route shares."""

    def __init__(
        self,
        since: Annotated[str, Query(alias="from", max_length=10)] = "",
        until: Annotated[str, Query(alias="to", max_length=10)] = "",
        mode: Annotated[str, Query(max_length=20)] = "",
        hs_section: Annotated[str, Query(alias="hs", max_length=5)] = "",
        min_risk: Annotated[str, Query(max_length=20)] = "",
        by: Annotated[str, Query(pattern="^(volume|value|risk)$")] = "volume",
    ) -> None:
        # The filter form sends every field, empty ones as "": empty means "any".
        first, after = _day("from", since), _day("to", until)
        if first and after and after <= first:
            raise HTTPException(422, f"to: {after} must come after from: {first}")
        if mode and mode not in MODES:
            raise HTTPException(422, f"mode: {mode!r} is not one of {', '.join(MODES)}")
        if hs_section and hs_section not in SECTIONS:
            raise HTTPException(422, f"hs: {hs_section!r} is not an HS section (I to XXI)")
        risk = _risk(min_risk)
        self.filters = flows.Filters(first, after, mode or None, hs_section or None, risk)
        self.by = flows.weight_of(by)
        self.query = {
            k: v
            for k, v in {
                "from": first.isoformat() if first else None,
                "to": after.isoformat() if after else None,
                "mode": mode,
                "hs": hs_section,
                "min_risk": risk,
                "by": by,
            }.items()
            if v is not None and v != ""
        }


FiltersDep = Annotated[_Filters, Depends()]


def _cells(engine: EngineDep, chosen: _Filters) -> list[flows.Cell]:
    try:
        with engine.connect() as connection:
            return flows.cells(connection, chosen.filters)
    except flows.FlowError as error:
        raise HTTPException(422, str(error)) from None


def _title(chosen: _Filters) -> str:
    parts = [f"by {chosen.by}"] + [f"{k} {v}" for k, v in chosen.query.items() if k != "by"]
    return "Flows " + ", ".join(parts)


@router.get("/flows")
def flow_page(
    request: Request,
    engine: EngineDep,
    session: MeasureReader,
    chosen: FiltersDep,
) -> Response:
    """The Sankey and the map for the chosen filters, with the largest links as a table."""
    found = _cells(engine, chosen)
    links = sorted(flows.links(found, chosen.by), key=lambda k: -k.weight)
    return render(
        request,
        "flows.html",
        chosen=chosen,
        image_query="?" + urlencode(chosen.query),
        links=links[:30],
        shipments=sum(c.shipments for c in found),
        value=sum(c.value for c in found),
        risk=sum(c.risk for c in found),
        modes=MODES,
        sections=[(s, hs.section_name(s)) for s in SECTIONS],
        stages=flows.STAGES,
    )


@router.get("/flows/sankey.png")
def sankey(engine: EngineDep, session: MeasureReader, chosen: FiltersDep) -> Response:
    """The Sankey diagram (PNG)."""
    from ecomrisk.measures.flow_plots import plot_sankey

    links = flows.links(_cells(engine, chosen), chosen.by)
    return Response(plot_sankey(links, _title(chosen)), media_type="image/png")


@router.get("/flows/map.png")
def world_map(
    engine: EngineDep,
    settings: SettingsDep,
    session: MeasureReader,
    chosen: FiltersDep,
) -> Response:
    """Origins on a world map with lines to the importing country (PNG)."""
    from ecomrisk.measures.flow_plots import plot_map

    destination = load_profile(settings.jurisdiction).country
    origins = flows.by_origin(_cells(engine, chosen), chosen.by)
    return Response(plot_map(origins, destination, _title(chosen)), media_type="image/png")
