"""Data quality of one filing: a score in [0, 1] with the reasons behind it.

Versioned like every other scoring logic (``QUALITY_VERSION``) so a stored score
can be traced to the rules that made it. Three parts:

- completeness of the Section 321 Data Pilot elements (seller, marketplace,
  listing and picture URLs, manufacturer, purchaser, 10-digit HS codes...);
- timeliness: hours between receipt and estimated arrival, against the
  jurisdiction profile's deadline for the mode;
- consistency: HS code against description keywords, declared unit value
  against a reference value where one is known, weight against quantity.

Pure: the caller passes the receipt time, the deadline and any reference values.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from ecomrisk.domain.records import Party, ShipmentFiling

QUALITY_VERSION = "quality-v1"
WEIGHTS = {"completeness": 0.5, "timeliness": 0.25, "consistency": 0.25}

# Below this share of a reference unit value, a declared value is suspect.
UNDERVALUE_RATIO = Decimal("0.3")
# Per-unit weights outside this band (kg) are keying errors more often than goods.
MIN_KG_PER_UNIT = Decimal("0.001")
MAX_KG_PER_UNIT = Decimal("1000")

# Description keywords and the HS chapters (2 digits) or headings (4) they belong to.
# A keyword found with an HS code outside its list is a likely misdescription or
# misclassification. Short on purpose: only words that are rarely ambiguous.
KEYWORD_HS: dict[str, tuple[str, ...]] = {
    "shoe": ("64",),
    "shoes": ("64",),
    "sneaker": ("64",),
    "sneakers": ("64",),
    "boots": ("64",),
    "sandals": ("64",),
    "shirt": ("61", "62"),
    "t-shirt": ("61", "62"),
    "tshirt": ("61", "62"),
    "dress": ("61", "62"),
    "jacket": ("61", "62"),
    "jeans": ("62",),
    "socks": ("61",),
    "handbag": ("42",),
    "wallet": ("42",),
    "backpack": ("42",),
    "watch": ("91",),
    "watches": ("91",),
    "necklace": ("71",),
    "bracelet": ("71",),
    "earrings": ("71",),
    "ring": ("71",),
    "phone": ("8517",),
    "smartphone": ("8517",),
    "headphones": ("8518",),
    "earphones": ("8518",),
    "laptop": ("8471",),
    "toy": ("95",),
    "toys": ("95",),
    "doll": ("95",),
    "book": ("49",),
    "books": ("49",),
    "lipstick": ("33",),
    "perfume": ("33",),
    "cosmetics": ("33",),
    "supplement": ("21", "30"),
    "vitamins": ("21", "29", "30"),
    "tea": ("09", "21"),
    "coffee": ("09", "21"),
    "sunglasses": ("9004",),
}
# Descriptions that say nothing about the goods (CBP rejects these on entries).
VAGUE_DESCRIPTIONS = frozenset(
    {
        "gift",
        "gifts",
        "goods",
        "parts",
        "sample",
        "samples",
        "accessories",
        "merchandise",
        "items",
        "item",
        "stuff",
        "clothes",
        "various",
        "misc",
        "miscellaneous",
        "product",
    }
)
_WORD = re.compile(r"[a-z][a-z-]*")


@dataclass(frozen=True)
class QualityReason:
    part: str  # completeness, timeliness or consistency
    code: str
    text: str
    penalty: float  # how much of its part this reason took away, in [0, 1]


@dataclass(frozen=True)
class Quality:
    score: float
    completeness: float
    timeliness: float
    consistency: float
    lead_hours: float
    on_time: bool
    reasons: list[QualityReason] = field(default_factory=list)
    version: str = QUALITY_VERSION


def _has_address(party: Party | None) -> bool:
    return party is not None and party.address is not None and party.address.line1 is not None


def completeness_checks(filing: ShipmentFiling) -> list[tuple[str, str, bool]]:
    """(code, element, present) for each pilot data element."""
    items = filing.items
    return [
        ("seller_missing", "seller name", filing.seller is not None),
        ("seller_address_missing", "seller address", _has_address(filing.seller)),
        ("marketplace_missing", "marketplace name", filing.marketplace is not None),
        (
            "listing_url_missing",
            "marketplace listing URL",
            filing.marketplace is not None and filing.marketplace.listing_url is not None,
        ),
        ("picture_url_missing", "product picture URL", filing.product_picture_url is not None),
        ("manufacturer_missing", "manufacturer or supplier", filing.manufacturer is not None),
        ("purchaser_missing", "purchaser", filing.purchaser is not None),
        ("consignee_address_missing", "final deliver-to address", _has_address(filing.consignee)),
        ("hs10_missing", "10-digit HS codes", all(len(i.hs_code) == 10 for i in items)),
        ("weight_missing", "line weights", all(i.weight_kg is not None for i in items)),
        ("origin_missing", "countries of origin", all(i.origin_country for i in items)),
    ]


def _words(description: str) -> list[str]:
    return _WORD.findall(description.lower())


def consistency_reasons(
    filing: ShipmentFiling, reference_unit_values: Mapping[str, Decimal]
) -> list[QualityReason]:
    """Problems of internal consistency. ``reference_unit_values`` maps an HS code
    (6 digits) to a typical unit value in the filing's line currency."""
    reasons: list[QualityReason] = []
    for number, item in enumerate(filing.items, start=1):
        words = _words(item.description)
        if words and all(w in VAGUE_DESCRIPTIONS for w in words):
            reasons.append(
                QualityReason(
                    "consistency",
                    "vague_description",
                    f"item {number}: {item.description!r} does not say what the goods are",
                    0.5,
                )
            )
        for word in words:
            prefixes = KEYWORD_HS.get(word)
            if prefixes and not item.hs_code.startswith(prefixes):
                reasons.append(
                    QualityReason(
                        "consistency",
                        "hs_description_mismatch",
                        f"item {number}: {word!r} in the description but HS {item.hs_code} "
                        f"is outside {', '.join(prefixes)}",
                        0.5,
                    )
                )
                break
        reference = reference_unit_values.get(item.hs_code[:6])
        if reference is not None and reference > 0:
            unit_value = item.value / item.quantity
            if unit_value < reference * UNDERVALUE_RATIO:
                reasons.append(
                    QualityReason(
                        "consistency",
                        "value_below_reference",
                        f"item {number}: unit value {unit_value:.2f} is under "
                        f"{UNDERVALUE_RATIO:.0%} of the reference {reference:.2f}",
                        0.5,
                    )
                )
        if item.weight_kg is not None:
            per_unit = item.weight_kg / item.quantity
            if not MIN_KG_PER_UNIT <= per_unit <= MAX_KG_PER_UNIT:
                reasons.append(
                    QualityReason(
                        "consistency",
                        "implausible_weight",
                        f"item {number}: {per_unit:.4f} kg per unit for quantity {item.quantity}",
                        0.5,
                    )
                )
    return reasons


def timeliness(
    received_at: datetime, estimated_arrival: datetime, deadline_hours: float
) -> tuple[float, float, bool, list[QualityReason]]:
    """(score, lead hours, on time, reasons): full marks when filed by the deadline,
    falling linearly to zero at arrival; zero after arrival."""
    lead = (estimated_arrival - received_at).total_seconds() / 3600
    if lead >= deadline_hours:
        return 1.0, lead, True, []
    if lead <= 0:
        text = f"filed {-lead:.1f} h after the estimated arrival"
        return 0.0, lead, False, [QualityReason("timeliness", "after_arrival", text, 1.0)]
    score = lead / deadline_hours if deadline_hours > 0 else 1.0
    text = f"filed {lead:.1f} h before arrival; the deadline is {deadline_hours:g} h before"
    return score, lead, False, [QualityReason("timeliness", "late", text, 1.0 - score)]


def assess(
    filing: ShipmentFiling,
    *,
    received_at: datetime,
    deadline_hours: float,
    reference_unit_values: Mapping[str, Decimal] | None = None,
) -> Quality:
    checks = completeness_checks(filing)
    missing = [(code, element) for code, element, present in checks if not present]
    completeness = 1 - len(missing) / len(checks)
    reasons = [
        QualityReason("completeness", code, f"{element} not given", 1 / len(checks))
        for code, element in missing
    ]
    time_score, lead, on_time, time_reasons = timeliness(
        received_at, filing.estimated_arrival, deadline_hours
    )
    reasons += time_reasons
    consistency_problems = consistency_reasons(filing, reference_unit_values or {})
    reasons += consistency_problems
    consistency = max(0.0, 1 - sum(r.penalty for r in consistency_problems))
    score = (
        WEIGHTS["completeness"] * completeness
        + WEIGHTS["timeliness"] * time_score
        + WEIGHTS["consistency"] * consistency
    )
    return Quality(
        score=round(score, 4),
        completeness=round(completeness, 4),
        timeliness=round(time_score, 4),
        consistency=round(consistency, 4),
        lead_hours=round(lead, 2),
        on_time=on_time,
        reasons=reasons,
    )
