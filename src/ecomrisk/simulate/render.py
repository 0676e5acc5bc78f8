"""Render generated shipments as filings (``ShipmentFiling`` JSON) and their ground truth."""

import random
from functools import cache
from typing import Any

from ecomrisk.domain.enums import Mode
from ecomrisk.domain.s10 import make_s10
from ecomrisk.simulate.parties import below, pick, record
from ecomrisk.simulate.world import CURRENCY_OF, Shipment, World, money, unit_values_usd

FLIGHTS = ["CA981", "CX840", "MU587", "KE081", "LH400", "BA117", "TK001", "AI101", "JL006", "VN098"]


def _house_bill(shipment: Shipment) -> str:
    if shipment.mode is Mode.MAIL:
        country = shipment.country if shipment.country != "HK" else "HK"
        return make_s10("LX" if shipment.index % 2 else "RR", shipment.index % 100_000_000, country)
    prefix = {Mode.EXPRESS: "EX", Mode.AIR_CARGO: "HAWB", Mode.TRUCK: "TRK"}[shipment.mode]
    return f"{prefix}{shipment.index:010d}"


@cache
def _slug(marketplace: str) -> str:
    return marketplace.lower().replace(" ", "-")


def render(
    world: World, shipment: Shipment, rng: random.Random
) -> tuple[dict[str, Any], dict[str, str]]:
    """The filing and, by party role, the true entity id of each party record."""
    scenario = world.scenario
    currency = CURRENCY_OF.get(shipment.country, "USD") if rng.random() < 0.4 else "USD"
    if currency != "USD" and not world.rates.has(currency):
        currency = "USD"
    arrival = shipment.arrival.isoformat()
    yymmdd = arrival[2:4] + arrival[5:7] + arrival[8:10]  # strftime is several times slower
    filing: dict[str, Any] = {
        "filer_reference": shipment.reference,
        "mode": shipment.mode.value,
        "house_bill": _house_bill(shipment),
        "port_of_arrival": shipment.port,
        "estimated_arrival": arrival,
        "country_of_export": shipment.country,
    }
    if shipment.mode in (Mode.AIR_CARGO, Mode.EXPRESS):
        filing["master_bill"] = f"MAWB{yymmdd}{shipment.index % 50:03d}"
        filing["conveyance_reference"] = FLIGHTS[shipment.index % len(FLIGHTS)]
    elif shipment.mode is Mode.TRUCK:
        filing["conveyance_reference"] = f"TRIP{yymmdd}{shipment.index % 40:03d}"
    if shipment.postal_category:
        filing["postal_category"] = shipment.postal_category
    truth: dict[str, str] = {}
    seller_known = shipment.seller is not None and not (
        shipment.mode is Mode.MAIL and rng.random() < scenario.filing.missing_seller_mail
    )
    if shipment.marketplace is not None and seller_known:
        market = world.marketplaces[shipment.marketplace]
        slug = _slug(market)
        filing["marketplace"] = {
            "name": market,
            "listing_url": f"https://{slug}.example/item/{shipment.index}",
        }
        filing["product_picture_url"] = f"https://img.{slug}.example/{shipment.index}.jpg"
    filing["shipper"] = record(shipment.shipper, rng, scenario.variation, shipment.shipper_name)
    truth["shipper"] = shipment.shipper.id
    if seller_known and shipment.seller is not None:
        seller = world.sellers[shipment.seller]
        filing["seller"] = record(seller, rng, scenario.variation)
        truth["seller"] = seller.id
    if shipment.manufacturer is not None:
        names = [shipment.manufacturer.name, *shipment.manufacturer.extra_names]
        filing["manufacturer"] = record(
            shipment.manufacturer, rng, scenario.variation, pick(names, rng)
        )
        truth["manufacturer"] = shipment.manufacturer.id
    consignee = record(shipment.consignee, rng, scenario.variation)
    if rng.random() < scenario.filing.missing_phone:
        consignee.pop("phone", None)
    if rng.random() < scenario.filing.missing_email:
        consignee.pop("email", None)
    filing["consignee"] = consignee
    truth["consignee"] = shipment.consignee.id
    items = []
    values = unit_values_usd()
    for line in shipment.lines:
        reference = values[line["product"].hs6]
        item: dict[str, Any] = {
            "description": line["description"],
            "hs_code": line["hs"] + ("" if rng.random() < 0.5 else f"{below(10000, rng):04d}"),
            "quantity": str(line["quantity"]),
            "unit": "pcs",
            "value": money(line["unit_declared"] * line["quantity"], currency),
            "currency": currency,
            "origin_country": shipment.country if shipment.country not in ("HK",) else "CN",
        }
        if shipment.mode is not Mode.MAIL or rng.random() < 0.7:
            weight = reference.weight_kg * line["quantity"] * rng.uniform(0.8, 1.25)
            item["weight_kg"] = f"{max(weight, 0.01):.3f}"
        if line["brand"]:
            item["brand"] = line["brand"]
        items.append(item)
    filing["items"] = items
    return filing, truth
