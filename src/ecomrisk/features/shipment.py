"""Features of one filing on its own: value, weight, description, route, timing,
data present. Pure: the same function serves the online decision and batch.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from ecomrisk.domain.jurisdiction import JurisdictionProfile
from ecomrisk.domain.records import ShipmentFiling
from ecomrisk.reference import hs
from ecomrisk.reference.fx import RateTable

# Words that say nothing about what is inside: the misdescription signal.
VAGUE_WORDS = frozenset(
    (
        "gift",
        "gifts",
        "sample",
        "samples",
        "parts",
        "part",
        "goods",
        "item",
        "items",
        "product",
        "products",
        "accessories",
        "accessory",
        "stuff",
        "things",
        "merchandise",
        "article",
        "articles",
        "present",
        "misc",
        "miscellaneous",
        "other",
        "spare",
        "spares",
        "package",
        "parcel",
        "commodity",
    )
)
_WORD = re.compile(r"[a-z]+")
# Words too common in HS descriptions to show that a description fits its code.
_STOP = frozenset(
    (
        "and",
        "or",
        "of",
        "the",
        "for",
        "with",
        "other",
        "not",
        "in",
        "on",
        "a",
        "an",
        "than",
        "by",
        "as",
        "its",
        "their",
        "whether",
        "nes",
        "n.e.c",
        "parts",
        "thereof",
        "articles",
        "kind",
        "used",
        "such",
    )
)


# Bumped whenever shipment_features computes differently: stored per-filing features
# (features/filing_cache.py) of another version are then computed again.
SHIPMENT_FEATURES_VERSION = "shipment-features-v1"

SHIPMENT_FEATURES: dict[str, str] = {
    "mode": "Transport mode",
    "country_of_export": "Country the goods were shipped from",
    "port_of_arrival": "Port or facility of arrival",
    "postal_category": "CN 22/23 category of a postal item",
    "hs_chapter": "HS chapter (2 digits) of the first item",
    "hs_section": "HS section (I-XXI) of the first item",
    "item_lines": "Number of item lines",
    "declared_value": "Declared value in the jurisdiction's currency",
    "quantity": "Total quantity of all items",
    "weight_kg": "Total weight when every item has one",
    "value_to_reference_min": "Lowest ratio of declared to reference unit value over the items",
    "weight_to_reference_max": "Highest ratio of declared to reference unit weight over the items",
    "value_to_threshold": "Declared value over the duty-relief threshold for this route",
    "description_vague": "Some item is described only in words like gift, parts, sample",
    "description_fit_min": "Lowest share of an item's words found in its HS code's texts",
    "brand_declared": "Some item names a brand",
    "origin_differs_from_export": "Some item originates elsewhere than the export country",
    "hours_to_arrival": "Hours between filing and estimated arrival",
    "filed_late": "Filed later than the profile's deadline for the mode",
    "gift_claimed": "Declared as a gift",
    "seller_present": "Seller given",
    "marketplace_present": "Marketplace given",
    "listing_url_present": "Listing URL given",
    "picture_present": "Product picture URL given",
    "manufacturer_present": "Manufacturer given",
    "purchaser_present": "Purchaser given",
    "consignee_phone_present": "Consignee phone given",
    "consignee_email_present": "Consignee email given",
    "hs_digits_min": "Fewest HS digits declared on an item",
}


@dataclass(frozen=True)
class UnitValue:
    """Reference value and weight of one unit of an HS subheading."""

    value: float  # in the profile's currency
    weight_kg: float


def _words(text: str) -> set[str]:
    # A crude stem (drop a final s) so "shirts" meets "t-shirts".
    return {w.rstrip("s") for w in _WORD.findall(text.lower()) if len(w) > 2} - _STOP


def description_is_vague(description: str) -> bool:
    words = _WORD.findall(description.lower())
    return not words or all(w in VAGUE_WORDS for w in words)


@lru_cache(maxsize=8192)
def _code_vocabulary(hs6: str) -> frozenset[str]:
    """Words of an HS subheading's and its heading's texts (cached: codes repeat)."""
    try:
        texts = [hs.lookup(hs6[:4]).description, hs.lookup(hs6).description]
    except LookupError:
        return frozenset()
    return frozenset().union(*(_words(t) for t in texts))


def description_fits_code(description: str, hs_code: str) -> float:
    """Share of the description's words found in the texts of its HS heading and
    subheading: 0 means nothing in common (a misclassification or misdescription
    signal), 1 that every word is there."""
    words = _words(description)
    if not words:
        return 0.0
    vocabulary = _code_vocabulary(hs_code[:6])
    return len(words & vocabulary) / len(words) if vocabulary else 0.0


def shipment_features(
    filing: ShipmentFiling,
    received_at: datetime,
    profile: JurisdictionProfile,
    rates: RateTable,
    unit_values: Mapping[str, UnitValue],
) -> dict[str, float | str | bool | None]:
    """Every per-filing feature, by name. Missing inputs give None, never a guess."""
    currency = profile.currency
    values = [
        float(rates.convert(item.value, item.currency, currency))
        if rates.has(item.currency)
        else None
        for item in filing.items
    ]
    declared = sum(v for v in values if v is not None)
    quantity = sum(float(item.quantity) for item in filing.items)
    weights = [item.weight_kg for item in filing.items if item.weight_kg is not None]
    weight = float(sum(weights, Decimal(0))) if len(weights) == len(filing.items) else None

    # Lowest ratio of declared to reference unit value over the items that have one:
    # one undervalued line is enough.
    value_ratios = []
    weight_ratios = []
    for item, value in zip(filing.items, values, strict=True):
        reference = unit_values.get(item.hs_code[:6])
        if reference is None or value is None:
            continue
        unit = value / float(item.quantity)
        value_ratios.append(unit / reference.value if reference.value > 0 else None)
        if item.weight_kg is not None and reference.weight_kg > 0:
            weight_ratios.append(float(item.weight_kg) / float(item.quantity) / reference.weight_kg)
    threshold = profile.relief_threshold(filing.mode, filing.country_of_export)
    deadline = profile.deadlines.get(filing.mode)
    hours_to_arrival = (filing.estimated_arrival - received_at).total_seconds() / 3600
    seller = filing.seller
    return {
        "mode": filing.mode.value,
        "country_of_export": filing.country_of_export,
        "port_of_arrival": filing.port_of_arrival,
        "postal_category": filing.postal_category.value if filing.postal_category else None,
        "hs_chapter": filing.items[0].hs_code[:2],
        "hs_section": hs.section_of(filing.items[0].hs_code),
        "item_lines": len(filing.items),
        "declared_value": declared,
        "quantity": quantity,
        "weight_kg": weight,
        "value_to_reference_min": min((r for r in value_ratios if r is not None), default=None),
        "weight_to_reference_max": max(weight_ratios, default=None),
        "value_to_threshold": (
            declared / float(threshold.amount) if threshold and threshold.amount > 0 else None
        ),
        "description_vague": any(description_is_vague(i.description) for i in filing.items),
        "description_fit_min": min(
            description_fits_code(i.description, i.hs_code) for i in filing.items
        ),
        "brand_declared": any(i.brand for i in filing.items),
        "origin_differs_from_export": any(
            i.origin_country is not None and i.origin_country != filing.country_of_export
            for i in filing.items
        ),
        "hours_to_arrival": hours_to_arrival,
        "filed_late": deadline is not None and hours_to_arrival < deadline.hours_before_arrival,
        "gift_claimed": filing.postal_category is not None
        and filing.postal_category.value == "gift",
        "seller_present": seller is not None,
        "marketplace_present": filing.marketplace is not None,
        "listing_url_present": filing.marketplace is not None
        and filing.marketplace.listing_url is not None,
        "picture_present": filing.product_picture_url is not None,
        "manufacturer_present": filing.manufacturer is not None,
        "purchaser_present": filing.purchaser is not None,
        "consignee_phone_present": filing.consignee.phone is not None,
        "consignee_email_present": filing.consignee.email is not None,
        "hs_digits_min": min(len(i.hs_code) for i in filing.items),
    }
