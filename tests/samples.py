"""Sample filings for tests: plain dicts, as a filer would send them."""

from datetime import UTC, datetime, timedelta
from typing import Any

from ecomrisk.domain.s10 import make_s10


def arrival(hours: float = 48) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


def party(name: str, country: str = "US", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "address": {"line1": "12 Main St., Apt 4B", "city": "Springfield", "country": country},
        **extra,
    }


def shipment(reference: str = "REF-1", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "filer_reference": reference,
        "mode": "express",
        "house_bill": f"HB{reference}",
        "port_of_arrival": "USJFK",
        "estimated_arrival": arrival(),
        "country_of_export": "CN",
        "marketplace": {"name": "Shopmart", "listing_url": "https://shop.example/l/1"},
        "product_picture_url": "https://shop.example/p/1.jpg",
        "shipper": party("Shenzhen Trading Co.", "CN", phone="+86 755 1234 5678"),
        "seller": party("Seller Ltd", "CN", marketplace_seller_id="S-9"),
        "manufacturer": party("Factory Co", "CN"),
        "consignee": party(
            "Jöhn  Smith", "US", phone="(202) 555-0143", email="J.Smith+x@gmail.com"
        ),
        "purchaser": party("John Smith", "US"),
        "items": [
            {
                "description": "running shoes",
                "hs_code": "6404.11.2000",
                "quantity": 2,
                "value": "59.90",
                "currency": "USD",
                "weight_kg": "1.2",
                "origin_country": "CN",
            }
        ],
    }
    body.update(overrides)
    return body


def postal_item(reference: str = "POST-1", serial: int = 12345678) -> dict[str, Any]:
    return {
        "filer_reference": reference,
        "item_id": make_s10("RR", serial, "CN"),
        "category": "sale_of_goods",
        "sender": party("Li Wei", "CN"),
        "addressee": party("Jane Doe", "US"),
        "contents": [
            {
                "description": "cotton t-shirt",
                "quantity": 3,
                "net_weight_kg": "0.6",
                "value": "24.00",
                "hs_tariff_number": "610910",
                "origin_country": "CN",
            }
        ],
        "currency": "USD",
        "office_of_exchange": "USJFK",
        "estimated_arrival": arrival(72),
        "country_of_export": "CN",
    }


def manifest(reference: str = "MAN-1", hours: float = 5, mode: str = "truck") -> dict[str, Any]:
    return {
        "filer_reference": reference,
        "mode": mode,
        "conveyance_reference": "TRIP-77",
        "carrier": "Border Haulers",
        "port_of_arrival": "2304",
        "estimated_arrival": arrival(hours),
        "country_of_departure": "MX",
        "house_bills": [
            {"house_bill": "HB1", "shipment_reference": "REF-1", "pieces": 2},
            {"house_bill": "HB2", "pieces": 1, "weight_kg": "3.5"},
        ],
    }
