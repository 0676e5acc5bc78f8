"""Rows of one shipment version: pure mapping from a filing to table rows."""

from datetime import datetime
from typing import Any

from ecomrisk.domain.records import Party, PostalItemFiling, ShipmentFiling
from ecomrisk.ingest import normalise
from ecomrisk.ingest.quality import Quality


def shipment_row(
    filing: ShipmentFiling,
    *,
    filer_id: int,
    version: int,
    status: str,
    content_hash: str,
    received_at: datetime,
) -> dict[str, Any]:
    return {
        "filer_id": filer_id,
        "filer_reference": filing.filer_reference,
        "version": version,
        "is_current": True,
        "status": status,
        "content_hash": content_hash,
        "received_at": received_at,
        "mode": filing.mode.value,
        "house_bill": filing.house_bill,
        "master_bill": filing.master_bill,
        "conveyance_reference": filing.conveyance_reference,
        "port_of_arrival": filing.port_of_arrival,
        "estimated_arrival": filing.estimated_arrival,
        "country_of_export": filing.country_of_export,
        "postal_category": filing.postal_category.value if filing.postal_category else None,
        "claimed_exemption": filing.claimed_exemption,
        "marketplace_name": filing.marketplace.name if filing.marketplace else None,
        "listing_url": filing.marketplace.listing_url if filing.marketplace else None,
        "product_picture_url": filing.product_picture_url,
        "filing": filing.model_dump(mode="json", exclude_none=True),
    }


def party_row(shipment_id: int, role: str, party: Party) -> dict[str, Any]:
    address = party.address
    country = address.country if address else None
    return {
        "shipment_id": shipment_id,
        "role": role,
        "name": party.name,
        "name_norm": normalise.name(party.name),
        "address_line1": address.line1 if address else None,
        "address_line2": address.line2 if address else None,
        "city": address.city if address else None,
        "region": address.region if address else None,
        "postal_code": address.postal_code if address else None,
        "country": country,
        "address_norm": (
            normalise.address(
                address.line1,
                address.line2,
                address.city,
                address.region,
                address.postal_code,
                address.country,
            )
            if address
            else None
        ),
        "phone": party.phone,
        # A national number is read in the plan of the party's address country.
        "phone_norm": normalise.phone(party.phone, country) if party.phone else None,
        "email": party.email,
        "email_norm": normalise.email(party.email) if party.email else None,
        "marketplace_seller_id": party.marketplace_seller_id,
        "entity_id": None,
    }


def child_rows(
    shipment_id: int, filing: ShipmentFiling
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    parties = [party_row(shipment_id, role.value, party) for role, party in filing.parties()]
    items = [
        {
            "shipment_id": shipment_id,
            "line_no": number,
            "description": item.description,
            "hs_code": item.hs_code,
            "quantity": item.quantity,
            "unit": item.unit,
            "value": item.value,
            "currency": item.currency,
            "weight_kg": item.weight_kg,
            "origin_country": item.origin_country,
            "brand": item.brand,
        }
        for number, item in enumerate(filing.items, start=1)
    ]
    return parties, items


def postal_row(shipment_id: int, postal: PostalItemFiling) -> dict[str, Any]:
    return {
        "shipment_id": shipment_id,
        "item_id": postal.item_id,
        "category": postal.category.value,
        "postal_charges": postal.postal_charges,
        "total_gross_weight_kg": postal.total_gross_weight_kg,
        "importer_reference": postal.importer_reference,
        "licence_numbers": postal.licence_numbers,
        "certificate_numbers": postal.certificate_numbers,
        "invoice_number": postal.invoice_number,
        "comments": postal.comments,
    }


def quality_row(
    shipment_id: int, filer_id: int, received_at: datetime, quality: Quality
) -> dict[str, Any]:
    return {
        "shipment_id": shipment_id,
        "filer_id": filer_id,
        "received_day": received_at.date().isoformat(),
        "score": quality.score,
        "completeness": quality.completeness,
        "timeliness": quality.timeliness,
        "consistency": quality.consistency,
        "lead_hours": quality.lead_hours,
        "on_time": quality.on_time,
        "reasons": [
            {"part": r.part, "code": r.code, "text": r.text, "penalty": round(r.penalty, 4)}
            for r in quality.reasons
        ],
        "version": quality.version,
    }
