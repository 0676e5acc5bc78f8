"""Features derived from others once both the filing's and its history's are known."""

from typing import Any

DERIVED_FEATURES: dict[str, str] = {
    "consignee_value_today_to_threshold": (
        "Value to this consignee today over the duty-relief threshold (splitting when above 1 "
        "while each parcel is under it)"
    ),
    "address_value_today_to_threshold": (
        "Value to this delivery address today over the duty-relief threshold"
    ),
}


def derived_features(features: dict[str, Any], threshold: float | None) -> dict[str, Any]:
    """Ratios of the day's totals to the relief threshold (None where there is none)."""

    def ratio(name: str) -> float | None:
        value = features.get(name)
        return None if value is None or not threshold else float(value) / threshold

    return {
        "consignee_value_today_to_threshold": ratio("consignee_value_today"),
        "address_value_today_to_threshold": ratio("address_value_today"),
    }
