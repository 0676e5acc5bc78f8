"""Every feature a rule, the model or a decision can use, with what it means."""

from ecomrisk.features.catalogue import HISTORY_FEATURES
from ecomrisk.features.derived import DERIVED_FEATURES
from ecomrisk.features.shipment import SHIPMENT_FEATURES

FEATURES: dict[str, str] = {
    **SHIPMENT_FEATURES,
    **{feature.name: feature.description for feature in HISTORY_FEATURES},
    **DERIVED_FEATURES,
}


def known_features() -> set[str]:
    return set(FEATURES)
