"""Features derived from others once both the filing's and its history's are known."""

from typing import Any

from ecomrisk.domain.enums import Mode
from ecomrisk.domain.jurisdiction import JurisdictionProfile

DERIVED_FEATURES: dict[str, str] = {
    "consignee_value_today_to_threshold": (
        "Value to this consignee today over the duty-relief threshold (splitting when above 1 "
        "while each parcel is under it)"
    ),
    "address_value_today_to_threshold": (
        "Value to this delivery address today over the duty-relief threshold"
    ),
}


def derived_features(features: dict[str, Any], profile: JurisdictionProfile) -> dict[str, Any]:
    """Ratios of the day's totals to the relief threshold (None where there is none)."""
    relief = profile.relief_threshold(Mode(features["mode"]), features["country_of_export"])
    threshold = float(relief.amount) if relief is not None else None

    def ratio(name: str) -> float | None:
        value = features.get(name)
        return None if value is None or not threshold else float(value) / threshold

    return {
        "consignee_value_today_to_threshold": ratio("consignee_value_today"),
        "address_value_today_to_threshold": ratio("address_value_today"),
    }
