"""A feature's value in words an officer understands, for model reasons. Pure.

The contribution (in log-odds of a violation, from the trees' SHAP values) is
appended by the caller: "+0.41" means this value raised the risk.
"""

from collections.abc import Callable, Mapping
from typing import Any

from ecomrisk.features.catalogue import COUNT_UP_TO
from ecomrisk.features.registry import FEATURES


def _chapter(f: Mapping[str, Any]) -> str:
    chapter = f.get("hs_chapter")
    return f"HS chapter {chapter}" if chapter else "its HS code"


def _share(v: Any) -> str:
    # Small shares keep a decimal: "0.4%" says more than "0%".
    return f"{float(v):.1%}" if abs(float(v)) < 0.1 else f"{float(v):.0%}"


def _times(n: Any, what: str) -> str:
    count = int(float(n))
    return f"{count} {what}{'' if count == 1 else 's'}"


def _times_up_to(n: Any, what: str) -> str:
    """A count that stops at COUNT_UP_TO: at the bound it says "or more"."""
    words = _times(n, what)
    return f"{words} or more" if int(float(n)) >= COUNT_UP_TO else words


_PHRASES: dict[str, Callable[[Any, Mapping[str, Any]], str]] = {
    "value_to_reference_min": lambda v, f: (
        f"declared value per unit is {_share(v)} of the reference value for {_chapter(f)}"
    ),
    "weight_to_reference_max": lambda v, f: (
        f"weight per unit is {float(v):.1f} times the reference weight for {_chapter(f)}"
    ),
    "value_to_threshold": lambda v, f: (
        f"declared value is {_share(v)} of the duty-relief threshold"
    ),
    "consignee_value_today_to_threshold": lambda v, f: (
        f"value sent to this consignee today is {_share(v)} of the duty-relief threshold"
    ),
    "address_value_today_to_threshold": lambda v, f: (
        f"value sent to this address today is {_share(v)} of the duty-relief threshold"
    ),
    "declared_value": lambda v, f: f"declared value is {float(v):,.2f}",
    "description_vague": lambda v, f: (
        "an item is described only in vague words (gift, parts, sample)"
        if v
        else "every item is described in specific words"
    ),
    "description_fit_min": lambda v, f: (
        f"only {_share(v)} of an item's description words fit its HS code"
    ),
    "screening_max_score": lambda v, f: f"best watch-list match of a party scores {float(v):.2f}",
    "screening_hits": lambda v, f: _times(v, "watch-list hit") + " on the parties",
    "shipper_history_count": lambda v, f: (
        "first shipment from this shipper"
        if not v
        else f"shipper seen {_times_up_to(v, 'time')} before"
    ),
    "seller_history_count": lambda v, f: (
        "first shipment from this seller"
        if not v
        else f"seller seen {_times_up_to(v, 'time')} before"
    ),
    "consignee_address_history_count": lambda v, f: (
        "first shipment to this address"
        if not v
        else f"address received {_times_up_to(v, 'shipment')} before"
    ),
    "shipper_violations_365d": lambda v, f: (
        _times(v, "violation") + " found on this shipper's shipments in the last year"
    ),
    "seller_violations_365d": lambda v, f: (
        _times(v, "violation") + " found on this seller's shipments in the last year"
    ),
    "address_seizures_180d": lambda v, f: (
        _times(v, "seizure") + " linked to this delivery address in 180 days"
    ),
    "shipper_address_seizures_180d": lambda v, f: (
        _times(v, "seizure") + " linked to the shipper's address in 180 days"
    ),
    "mode": lambda v, f: f"sent by {str(v).replace('_', ' ')}",
    "country_of_export": lambda v, f: f"shipped from {v}",
    "port_of_arrival": lambda v, f: f"arriving at {v}",
    "hs_chapter": lambda v, f: f"goods of HS chapter {v}",
    "postal_category": lambda v, f: f"postal category {str(v).replace('_', ' ')}",
    "hours_to_arrival": lambda v, f: f"filed {float(v):.0f} hours before arrival",
}


def describe(name: str, features: Mapping[str, Any]) -> str:
    """``name``'s value among ``features`` in words; a feature without a phrase is
    named by its catalogue description."""
    value = features.get(name)
    if value is None:
        what = FEATURES.get(name, name)
        return f"{what[0].lower()}{what[1:]}: not given"
    phrase = _PHRASES.get(name)
    if phrase is not None:
        return phrase(value, features)
    what = FEATURES.get(name, name)
    what = f"{what[0].lower()}{what[1:]}"
    if isinstance(value, bool):
        return f"{what}: {'yes' if value else 'no'}"
    if isinstance(value, int | float):
        return f"{what}: {float(value):g}"
    return f"{what}: {value}"
